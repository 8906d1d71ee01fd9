"""Writing files and stdout for the commands that write data out: a file is written
whole or not at all; stdout takes UTF-8 whatever the locale."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

import typer

from povtor.errors import InvalidInput

Written = TypeVar("Written")


def write_atomically(path: Path, write: Callable[[IO[str]], Written]) -> Written:
    """Write a file via a temporary file beside it and a rename: never half a file.
    Returns what ``write`` returns (the number of rows)."""
    path = path.expanduser()
    if path.is_dir():
        raise InvalidInput(f"-o {path} is a directory", hint="give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(f"-o {path}: no directory {folder}", hint="create it first")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InvalidInput(f"cannot write in {folder}: {exc.strerror}", hint="check it") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            written = write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            mode = path.stat().st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written


def write_stdout(write: Callable[[IO[str]], Any]) -> None:
    """UTF-8 on stdout whatever the locale, with line ends as written."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        write(sys.stdout)
        return
    sys.stdout.flush()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True)
    try:
        write(stream)
        stream.flush()
    except BrokenPipeError:
        # the reader stopped early (| head): not an error; write nothing more
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    finally:
        with contextlib.suppress(OSError, ValueError):
            stream.detach()

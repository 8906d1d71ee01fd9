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

from povtor.errors import DatabaseProblem, InvalidInput
from povtor.i18n import _


def not_written(where: Path | str, exc: OSError) -> DatabaseProblem:
    """A write the file system refused (a full disk, a read-only place): exit code 6."""
    return DatabaseProblem(
        _("cannot write {where}: {value}; nothing was written").format(
            where=where, value=exc.strerror or exc
        ),
        hint=_("free disk space or write somewhere else"),
    )


Written = TypeVar("Written")


def write_atomically(
    path: Path, write: Callable[[IO[str]], Written], *, shown: Path | None = None
) -> Written:
    """Write a file via a temporary file beside it and a rename: never half a file. A new
    file is readable by its owner only (0600: it holds personal data); a file replaced
    keeps its mode. Returns what ``write`` returns (the number of rows)."""
    path = path.expanduser()
    if path.is_dir():
        raise InvalidInput(
            _("-o {path} is a directory").format(path=path), hint=_("give a file name")
        )
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(
            _("-o {path}: no directory {folder}").format(path=path, folder=folder),
            hint=_("create it first"),
        )
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InvalidInput(
            _("cannot write in {folder}: {strerror}").format(folder=folder, strerror=exc.strerror),
            hint=_("check it"),
        ) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            written = write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, BrokenPipeError):
            raise
        raise not_written(shown or path, exc) from None
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
    except OSError as exc:  # a full disk behind a redirection (> /full/t.csv)
        raise not_written("standard output", exc) from None
    finally:
        with contextlib.suppress(OSError, ValueError):
            stream.detach()

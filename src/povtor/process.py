"""The process a command runs in, and its end.

Run as ``povtor`` (:func:`povtor.cli.main.main`), a process runs one command and ends:
it then ends at once, its output written (:func:`end`), instead of freeing every object
and module one by one first. What a command built that lives to its end anyway (a big
plan's ranking: a million small objects, about a tenth of a second to free at 100,000
clients) can be kept (:func:`keep`) so that it is not freed before. Run in-process
(tests, a Python caller), nothing is kept and nothing ends early.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

_state = {"ending": False}
_kept: list[object] = []


def ending_at_once() -> None:
    """This process is povtor's own: it ends by :func:`end` when its command is done."""
    _state["ending"] = True


def keep(value: object) -> None:
    """Keep ``value`` to the end of a process that ends at once (it is not freed
    before: the process ends without freeing it); elsewhere, nothing."""
    if _state["ending"]:
        _kept.append(value)


def end(code: int) -> NoReturn:
    """End the process with ``code``, stdout and stderr written first; nothing is freed."""
    for stream in (sys.stdout, sys.stderr):
        # (the reader went away, as in `povtor ... | head`; or the stream is closed)
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)

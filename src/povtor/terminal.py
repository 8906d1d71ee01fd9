"""Text on a terminal: its width, styles, lines wrapped between words, and the pager.

Everything here writes plain lines: no per-line layout engine, so thousands of rows
cost what writing them costs. Styles (bold, colours) are escape codes only on a
terminal, never with ``NO_COLOR`` set (https://no-color.org) or ``TERM=dumb``;
``FORCE_COLOR`` asks for them in a pipe. Long output on a terminal goes through a
pager the way git's does: ``POVTOR_PAGER``, else ``PAGER``, else ``less -FRX`` (which
quits at once when the text fits on one screen); ``--no-pager``, an empty value or
``cat`` turn it off, and output that is not a terminal is never paged.
"""

from __future__ import annotations

import io
import os
import re
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from povtor.records import record

ENV_PAGER = "POVTOR_PAGER"
DEFAULT_PAGER = "less -FRX"
MIN_WIDTH = 20  # narrower than this, lines are laid out as if it were this wide

_SGR = {
    "bold": "1",
    "dim": "2",
    "italic": "3",
    "underline": "4",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
}
_RESET = "\x1b[0m"
ESCAPES = re.compile(r"\x1b\[[0-9;]*m")

# Characters one cell wide on any terminal (Latin, Cyrillic, Greek, punctuation, №, ₽,
# arrows, box drawing): a string made only of them is as wide as it is long.
_NARROW_ONLY = re.compile(
    "[\u0020-\u007e\u00a0-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u202f"
    "\u2030-\u205e\u20a0-\u20c0\u2100-\u214f\u2190-\u21ff\u2500-\u25ff]*"
)
# A space inside a grouped number (12 345 678.90): the number is never split there.
_GROUP_SPACE = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
_UNBREAKABLE = "\u00a0"
# Control characters shown as a space (a line break stays a line break where text wraps).
_CONTROLS = dict.fromkeys((*range(0x20), 0x7F, *range(0x80, 0xA0)), " ") | {ord("\n"): "\n"}

_paging_allowed = True
_paging = False  # output is going through the pager now
_paged_terminal = False  # ... and the pager shows it on a terminal


def allow_paging(allowed: bool) -> None:
    """``--no-pager`` turns the pager off for this run."""
    global _paging_allowed
    _paging_allowed = allowed


def display_width(text: str) -> int:
    """How many terminal cells ``text`` takes (wide CJK characters take two)."""
    if text.isascii() or _NARROW_ONLY.fullmatch(text):
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Cf", "Mn", "Me"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def clean(text: str) -> str:
    """Text safe to show: tabs and control characters (an escape sequence from an imported
    file) become spaces; ``\\r\\n`` and ``\\r`` become line breaks."""
    if text.isprintable():
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)


def wrap(text: str, width: int, *, fold: bool = True) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken between words.

    A grouped number (``1 465 618.20``) is one word. A word longer than the line is
    broken inside (the only way to show it whole), or with ``fold=False`` left on a
    line of its own; line breaks in the text are kept.
    """
    return [line for line, _ in wrap_sized(text, width, fold=fold)]


def wrap_sized(text: str, width: int, *, fold: bool = True) -> list[tuple[str, int]]:
    """:func:`wrap`, each line with its width."""
    width = max(width, 1)
    if "\n" not in text:
        size = display_width(text)
        if size <= width:
            return [(text, size)]
    lines: list[tuple[str, int]] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        # (a paragraph one cell a character, as most are: each word as wide as it is long)
        narrow = paragraph.isascii() or _NARROW_ONLY.fullmatch(paragraph) is not None
        for word in _GROUP_SPACE.sub(_UNBREAKABLE, paragraph).split(" "):
            if not word:
                continue
            size = len(word) if narrow else display_width(word)
            if size > width and fold:
                if line:
                    lines.append((line, used))
                *whole, (line, used) = _fold(word, width)
                lines.extend(whole)
            elif not line:
                line, used = word, size
            elif used + 1 + size <= width:
                line, used = f"{line} {word}", used + 1 + size
            else:
                lines.append((line, used))
                line, used = word, size
        lines.append((line, used))
    return [(line.replace(_UNBREAKABLE, " "), size) for line, size in lines]


def words(text: str) -> list[str]:
    """The words :func:`wrap` never breaks (up to the line's width)."""
    return [w for w in _GROUP_SPACE.sub(_UNBREAKABLE, text).replace("\n", " ").split(" ") if w]


def _fold(word: str, width: int) -> list[tuple[str, int]]:
    if word.isascii() or _NARROW_ONLY.fullmatch(word):  # one cell a character
        return [
            (word[at : at + width], len(word[at : at + width])) for at in range(0, len(word), width)
        ]
    pieces, piece, used = [], "", 0
    for char in word:
        size = display_width(char)
        if used + size > width and piece:
            pieces.append((piece, used))
            piece, used = "", 0
        piece, used = piece + char, used + size
    pieces.append((piece, used))
    return pieces


def wrap_lines(text: str, width: int, *, first: str = "", rest: str | None = None) -> list[str]:
    """``text`` wrapped at ``width`` cells after a prefix: ``first`` on the first line,
    ``rest`` (default: spaces as wide as ``first``) on the others — e.g. an indented
    ``why: ...`` line whose continuation lines stay under its text."""
    rest = " " * display_width(first) if rest is None else rest
    room = max(width - max(display_width(first), display_width(rest)), 10)
    lines = wrap(clean(text), room)
    return [first + lines[0], *(rest + line for line in lines[1:])]


def pad(text: str, width: int, *, right: bool = False) -> str:
    gap = width - display_width(text)
    if gap <= 0:
        return text
    return " " * gap + text if right else text + " " * gap


@record(frozen=True)
class Screen:
    """Where lines go: how wide they may be, and whether styles are escape codes there."""

    width: int
    styled: bool

    def style(self, text: str, style: str | None) -> str:
        if not style or not self.styled or not text:
            return text
        codes = ";".join(_SGR[name] for name in style.split() if name in _SGR)
        return f"\x1b[{codes}m{text}{_RESET}" if codes else text


def screen(stream: object = None, *, width: int | None = None) -> Screen:
    """The screen of ``stream`` (default: stdout): the terminal's width (``COLUMNS``
    overrides; 80 when it is not a terminal) and whether to style."""
    stream = stream if stream is not None else sys.stdout
    return Screen(max(width or terminal_width(), MIN_WIDTH), wants_styles(stream))


def terminal_width() -> int:
    """``COLUMNS`` if set, else the width of the terminal stdout is (or was, before the
    pager took it), else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80
    return size or 80


def wants_styles(stream: object) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if _paging and stream is sys.stdout:
        return _paged_terminal
    return _is_terminal(stream)


def no_color() -> bool:
    """``NO_COLOR`` is set: not one escape code on any output."""
    return bool(os.environ.get("NO_COLOR"))


def stdout_is_terminal() -> bool:
    """stdout is a terminal (or the pager that shows it on one)."""
    return _paged_terminal if _paging else _is_terminal(sys.stdout)


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def pager_command() -> str | None:
    """The pager to use now, or None: output that is not a terminal is never paged."""
    if not _paging_allowed or _paging or not _is_terminal(sys.stdout):
        return None
    command = os.environ.get(ENV_PAGER)
    if command is None:
        command = os.environ.get("PAGER")
    if command is None:
        command = DEFAULT_PAGER
    command = command.strip()
    if command in ("", "cat"):
        return None
    import shlex
    import shutil

    try:
        program = shlex.split(command)[0]
    except (ValueError, IndexError):
        return None
    return command if shutil.which(program) else None  # no such pager: print straight


@contextmanager
def paged() -> Iterator[None]:
    """Send what is printed to stdout inside the block through the pager (see the module
    docstring); the pager is waited for before going on. When the reader quits the pager
    early, the rest is not written and that is not an error."""
    global _paging, _paged_terminal
    command = pager_command()
    if command is None:
        yield
        return
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # as git: quit on one screen, keep colours, no clearing
    env.setdefault("LV", "-c")
    sys.stdout.flush()
    try:
        process = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        yield  # no such pager: print as if there were none
        return
    assert process.stdin is not None
    pipe = io.TextIOWrapper(process.stdin, encoding="utf-8", errors="replace")
    saved = sys.stdout
    sys.stdout, _paging, _paged_terminal = pipe, True, True
    try:
        yield
        pipe.flush()
    except BrokenPipeError:
        pass  # the reader quit the pager: nothing more to show
    finally:
        sys.stdout, _paging, _paged_terminal = saved, False, False
        with suppress(OSError, ValueError):
            pipe.close()
        _wait(process)


def _wait(process: Any) -> None:
    """Wait for the pager to end (Ctrl-C in it does not leave the terminal to it)."""
    while True:
        try:
            process.wait()
            return
        except KeyboardInterrupt:
            continue


def framed(title: str, lines: list[str], width: int, out: Screen) -> list[str]:
    """``lines`` in a box with ``title`` on its top edge (a card)::

    ╭─ #1 Иван Петров ─────╮
    │ Company  ООО Ромашка │
    ╰──────────────────────╯
    """
    inner = width - 4
    head = f"─ {title} "
    if display_width(head) + 2 > width:  # too long for the edge: the first line inside
        lines = [*wrap_lines(title, inner), *lines]
        head = ""
    top = "╭" + head + "─" * (width - 2 - display_width(head)) + "╮"
    body = [
        "│ " + line + " " * max(inner - display_width(ESCAPES.sub("", line)), 0) + " │"
        for line in lines
    ]
    return [top, *body, "╰" + "─" * (width - 2) + "╯"]

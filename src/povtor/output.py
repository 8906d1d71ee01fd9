"""The one output path: commands build a :class:`Listing`, :func:`render` prints it.

``table`` is for people; ``csv``, ``tsv``, ``json`` and ``jsonl`` are for pipes and
are stable: columns keep their names and order, money is a decimal string with two
places (``"12500.00"``), dates are ``YYYY-MM-DD``, empty is ``""`` in csv/tsv and
``null`` in json. Data goes to stdout; messages go to stderr.

Every format streams: the rows may be an iterator (a database cursor), and each format
writes them as it reads them — memory does not grow with the listing. A table is laid
out a page of rows at a time as plain lines. It never drops a column and never cuts a
value: text wraps between words, numbers, amounts, dates and words (codes, ids) stay
whole, a header may wrap or be shortened, and when even that does not fit the terminal
each row is printed as a card of ``Header  value`` lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import field, replace
from decimal import Decimal
from enum import StrEnum
from itertools import islice
from typing import IO, Any

from povtor import terminal
from povtor.i18n import N_, _
from povtor.parsing import format_money
from povtor.records import record
from povtor.terminal import Screen, display_width, pad, wrap, wrap_lines

ENV_FORMAT = "POVTOR_FORMAT"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"


@record(frozen=True)
class Column:
    """One column: ``key`` names it in machine formats, ``header`` in tables."""

    key: str
    header: str
    kind: str = "text"  # text | int | money | date | datetime | rate | bool
    justify: str | None = None
    style: str | None = None
    # In tables every text column wraps between words and no word of it is ever cut;
    # a wide one (titles, names, messages) may break a word of more than WIDE_WORD
    # characters when the terminal is too narrow for it.
    wide: bool = False
    in_table: bool = True  # False: machine formats only (keeps tables readable)


# numbers, amounts, dates: one piece each, never wrapped, never cut
WHOLE_KINDS = frozenset(("int", "money", "date", "datetime", "rate", "bool"))
NUMERIC_KINDS = frozenset(("int", "money", "rate"))
# A word longer than this may be broken to fit (a URL in a note); shorter words — codes,
# ids, names — never are: the table turns into cards first.
WORD_MAX = 40
WIDE_WORD = 10
# A header keeps at least this many characters of its longest word ("Cumu…").
HEADER_MIN = 5
# Rows laid out at a time: a table of 100,000 rows costs what writing them costs.
PAGE_ROWS = 500
# Reports of many rows show this many in a table (with --all: every row).
TOP_ROWS = 50


@record
class Listing:
    columns: Sequence[Column]
    # rows may be a list or an iterator (a cursor): every format reads them once
    rows: Iterable[Sequence[Any]]
    title: str | None = None
    caption: str | None = None
    empty_message: str = N_("nothing to show")
    # table-only decoration per row (e.g. a style); never in machine output
    row_styles: list[str | None] = field(default_factory=list)
    # in a table, only the first ``table_limit`` rows and a count of the others
    # (machine formats always have every row)
    table_limit: int | None = None
    limit_hint: str = N_("--all shows every row")


def default_format() -> OutputFormat:
    """``table`` on a terminal, ``tsv`` in a pipe; ``POVTOR_FORMAT`` overrides."""
    chosen = os.environ.get(ENV_FORMAT)
    if chosen:
        try:
            return OutputFormat(chosen.strip().lower())
        except ValueError:
            from povtor.errors import InvalidInput

            raise InvalidInput(
                _("{ENV_FORMAT}={chosen} is not a format").format(
                    ENV_FORMAT=ENV_FORMAT, chosen=repr(chosen)
                ),
                hint="use one of: " + ", ".join(f.value for f in OutputFormat),
            ) from None
    return OutputFormat.table if terminal.stdout_is_terminal() else OutputFormat.tsv


def machine_value(kind: str, value: Any) -> Any:
    """A cell as it appears in json (and, stringified, in csv/tsv)."""
    if value is None:
        return None
    if kind == "money":
        return format_money(int(value))
    if kind == "rate":
        return float(round(Decimal(str(value)), 4)) if not isinstance(value, str) else value
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def people_value(kind: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return format_money(int(value), grouped=True)
    if kind == "rate":
        return f"{float(value) * 100:.1f}%"
    if kind == "bool":
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def render(listing: Listing, fmt: OutputFormat | None, *, out: IO[str] | None = None) -> int:
    """Write ``listing`` in ``fmt`` (default: :func:`default_format`) to ``out`` (default:
    stdout, through the pager on a terminal); returns the number of rows."""
    fmt = fmt or default_format()
    writer = _WRITERS[fmt]
    if out is not None:
        return writer(listing, out)
    with terminal.paged():
        return writer(listing, sys.stdout)


def render_record(
    record: dict[str, Any],
    fmt: OutputFormat | None,
    *,
    command: str,
    noun: str,
    print_table: Callable[[dict[str, Any]], None],
) -> None:
    """One record (a client card, a deal...): an object in json, one line in jsonl, the
    ``print_table`` card for people; csv and tsv are for lists and are refused."""
    chosen = fmt or OutputFormat.table
    if chosen in (OutputFormat.json, OutputFormat.jsonl):
        indent = 2 if chosen is OutputFormat.json else None
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=indent, default=str) + "\n")
        return
    if chosen is not OutputFormat.table:
        from povtor.errors import InvalidInput

        group = command.split()[0]
        raise InvalidInput(
            _("{command} prints one {noun}; --format {value} is for lists").format(
                command=command, noun=noun, value=chosen.value
            ),
            hint=_("use --format table or json (lists: povtor {group} list)").format(group=group),
        )
    with terminal.paged():
        print_table(record)


# -- machine formats ----------------------------------------------------------------------
def _machine_cells(listing: Listing) -> Iterator[list[Any]]:
    """Each row's cells as :func:`machine_value` makes them (text and whole numbers, the
    most of any listing, pass through without a call)."""
    converters = [_machine_converter(c.kind) for c in listing.columns]
    for row in listing.rows:
        yield [convert(value) for convert, value in zip(converters, row, strict=True)]


def _machine_converter(kind: str) -> Callable[[Any], Any]:
    if kind in ("money", "rate"):
        return functools.partial(machine_value, kind)

    def convert(value: Any) -> Any:
        if value is None or value.__class__ is str or value.__class__ is int:
            return value
        return machine_value(kind, value)

    return convert


def _records(listing: Listing) -> Iterator[dict[str, Any]]:
    keys = [c.key for c in listing.columns]
    for cells in _machine_cells(listing):
        yield dict(zip(keys, cells, strict=True))


def _delimited(delimiter: str) -> Callable[[Listing, IO[str]], int]:
    def write(listing: Listing, stream: IO[str]) -> int:
        count = 0
        if delimiter == "\t":
            # tsv has no quoting at all (a quote is just a character), one row a line
            stream.write("\t".join(c.key for c in listing.columns) + "\n")
            for cells in _machine_cells(listing):
                stream.write("\t".join([_tsv_cell(v) for v in cells]) + "\n")
                count += 1
            return count
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
        writer.writerow([c.key for c in listing.columns])
        for cells in _machine_cells(listing):
            writer.writerow(cells)  # None is written as ""
            count += 1
        return count

    return write


def _tsv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # tsv has no quoting: tabs and line breaks inside a cell become spaces
        return value.replace("\t", " ").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return str(value)


def _json(listing: Listing, stream: IO[str]) -> int:
    """One array, written a record at a time (the same text as ``json.dump(indent=2)``)."""
    count = 0
    for entry in _records(listing):
        text = json.dumps(entry, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        stream.write(("[\n  " if not count else ",\n  ") + text)
        count += 1
    stream.write("\n]\n" if count else "[]\n")
    return count


def _jsonl(listing: Listing, stream: IO[str]) -> int:
    count = 0
    for entry in _records(listing):
        stream.write(json.dumps(entry, ensure_ascii=False))
        stream.write("\n")
        count += 1
    return count


# -- tables for people --------------------------------------------------------------------
def _table(listing: Listing, stream: IO[str]) -> int:
    rows = iter(listing.rows)
    limit = listing.table_limit
    first = list(islice(rows, PAGE_ROWS if limit is None else min(PAGE_ROWS, limit)))
    if not first:
        message(_(listing.empty_message))
        return 0
    layout = TableLayout(listing, terminal.screen(stream))
    for chunk in layout.lines(first, rows):
        stream.write("\n".join(chunk) + "\n")
    return layout.count


class TableLayout:
    """A listing as lines of text ``width`` cells wide, a page of rows at a time.

    Three shapes, the first that fits: a boxed table (every column as wide as its
    widest cell); a compact one (columns apart by two spaces, no borders; text wrapped
    between words); a card per row. When a later page holds a value
    wider than its column, the table starts again under a new header.
    """

    def __init__(
        self,
        listing: Listing,
        out: Screen,
        *,
        width: int | None = None,
        title_left: bool = False,
    ) -> None:
        self.listing = listing
        self.out = out
        self.width = width or out.width
        self.title_left = title_left
        self.shown = [i for i, c in enumerate(listing.columns) if c.in_table]
        # (headers in the run's language: a column declares its header with N_())
        self.columns = [
            replace(listing.columns[i], header=_(listing.columns[i].header)) for i in self.shown
        ]
        self.right = [
            (c.justify == "right") if c.justify else c.kind in NUMERIC_KINDS for c in self.columns
        ]
        self.whole = [c.kind in WHOLE_KINDS for c in self.columns]
        self.word_max = [WIDE_WORD if c.wide else WORD_MAX for c in self.columns]
        self.natural = [display_width(c.header) for c in self.columns]
        self.header_word = [
            max(map(display_width, c.header.split()), default=0) for c in self.columns
        ]
        self.least = [min(w, HEADER_MIN) for w in self.header_word]
        self.word = [0] * len(self.columns)
        self.shape: str | None = None
        self.widths: list[int] = []
        self.count = 0  # rows laid out
        self.more = 0  # rows left out (table_limit)

    # -- the pages --------------------------------------------------------------------
    def lines(
        self, first: list[Sequence[Any]], rest: Iterator[Sequence[Any]]
    ) -> Iterator[list[str]]:
        """Chunks of lines: the title and first page, each next page, then the end."""
        limit = self.listing.table_limit
        page = first
        started = False
        while page:
            cells = [self._cells(row) for row in page]
            sizes = self._measure(cells)
            chunk: list[str] = []
            if not started:
                self.shape, self.widths = self._fit()
                chunk += self._title()
                chunk += self._start()
                started = True
            elif self.shape != "cards" and any(
                need > have for need, have in zip(self.least, self.widths, strict=True)
            ):
                chunk += self._end()
                self.shape, self.widths = self._fit()
                chunk += self._start()
            for cells_of_row, sizes_of_row in zip(cells, sizes, strict=True):
                chunk += self._row(cells_of_row, sizes_of_row, self._row_style(self.count))
                self.count += 1
            yield chunk
            room = PAGE_ROWS if limit is None else min(PAGE_ROWS, limit - self.count)
            page = list(islice(rest, room)) if room > 0 else []
        if limit is not None and self.count >= limit:
            self.more = sum(1 for _ in rest)
        yield self._end() + self._caption()

    def _cells(self, row: Sequence[Any]) -> list[str]:
        return [
            terminal.clean(people_value(self.columns[n].kind, row[i]))
            for n, i in enumerate(self.shown)
        ]

    def _row_style(self, index: int) -> str | None:
        styles = self.listing.row_styles
        return styles[index] if index < len(styles) else None

    def _measure(self, rows: list[list[str]]) -> list[list[int]]:
        """Widen what the columns need by this page's cells: the widest (``natural``),
        the longest value or word (``word``: never broken when there is room for it) and
        the narrowest that breaks no value and no word that must stay whole (``least``).
        Returns each cell's width (of its widest line)."""
        sizes = [[0] * len(self.whole) for _ in rows]
        for n, whole in enumerate(self.whole):
            natural, word = self.natural[n], self.word[n]
            for row, row_sizes in zip(rows, sizes, strict=True):
                text = row[n]
                if "\n" in text:
                    size = max(map(display_width, text.split("\n")))
                else:
                    size = display_width(text)
                row_sizes[n] = size
                if size > natural:
                    natural = size
                if size <= word:
                    continue
                if whole:
                    word = size
                else:
                    longest = max(map(display_width, terminal.words(text)), default=0)
                    word = max(word, min(longest, WORD_MAX))
            self.natural[n], self.word[n] = natural, word
            self.least[n] = max(self.least[n], word if whole else min(word, self.word_max[n]))
        return sizes

    def _fit(self) -> tuple[str, list[int]]:
        """Boxed when every column has its natural width; else compact (two spaces
        between columns leave more room to the text); else cards."""
        count = len(self.columns)
        natural = [max(n, k) for n, k in zip(self.natural, self.least, strict=True)]
        if sum(natural) + 3 * count + 1 <= self.width:
            return "box", natural
        room = self.width - 2 * (count - 1)
        widths = _share(self.natural, self.least, (self.header_word, self.word), room)
        return ("cards", []) if widths is None else ("compact", widths)

    # -- the parts ----------------------------------------------------------------------
    def _table_width(self) -> int:
        count = len(self.widths)
        if self.shape == "box":
            return sum(self.widths) + 3 * count + 1
        if self.shape == "compact":
            return sum(self.widths) + 2 * (count - 1)
        return self.width

    def _centered(self, text: str | None, style: str) -> list[str]:
        if not text:
            return []
        size, room = display_width(text), self._table_width()
        if size <= room and "\n" not in text:
            left = 0 if self.title_left or self.shape == "cards" else (room - size) // 2
            return [" " * left + self.out.style(text, style)]
        return [self.out.style(line, style) for line in wrap_lines(text, self.width)]

    def _title(self) -> list[str]:
        return self._centered(_(self.listing.title or ""), "italic")

    def _caption(self) -> list[str]:
        caption = self.listing.caption or ""
        if self.more:
            shown = f"{self.count:,}".replace(",", " ")
            total = f"{self.count + self.more:,}".replace(",", " ")
            note = _("The first {shown} of {total} rows: {hint}.").format(
                shown=shown, total=total, hint=_(self.listing.limit_hint)
            )
            caption = f"{caption}\n{note}" if caption else note
        lines = self._centered(caption, "dim italic")
        return ["", *lines] if lines and self.shape == "cards" else lines

    def _headers(self) -> list[list[str]]:
        cells = []
        for column, width in zip(self.columns, self.widths, strict=True):
            lines = []
            for line in wrap(column.header, width, fold=False):
                if display_width(line) > width:  # a word longer than the column
                    line = line[: max(width - 1, 0)] + "…"
                lines.append(line)
            cells.append(lines)
        height = max(map(len, cells))
        return [[""] * (height - len(c)) + c for c in cells]  # at the bottom, over the data

    def _start(self) -> list[str]:
        if self.shape == "cards":
            return []
        headers = self._headers()
        height = len(headers[0])
        style = functools.partial(self.out.style, style="bold")
        lines = []
        if self.shape == "box":
            lines.append("┏" + "┳".join("━" * (w + 2) for w in self.widths) + "┓")
            for k in range(height):
                cells = [
                    style(pad(h[k], w, right=r))
                    for h, w, r in zip(headers, self.widths, self.right, strict=True)
                ]
                lines.append("┃ " + " ┃ ".join(cells) + " ┃")
            lines.append("┡" + "╇".join("━" * (w + 2) for w in self.widths) + "┩")
        else:
            for k in range(height):
                cells = [
                    style(pad(h[k], w, right=r))
                    for h, w, r in zip(headers, self.widths, self.right, strict=True)
                ]
                lines.append("  ".join(cells).rstrip())
            lines.append("  ".join("─" * w for w in self.widths))
        return lines

    def _end(self) -> list[str]:
        if self.shape == "box":
            return ["└" + "┴".join("─" * (w + 2) for w in self.widths) + "┘"]
        return []

    def _row(self, cells: list[str], sizes: list[int], style: str | None) -> list[str]:
        if self.shape == "cards":
            return self._card(cells, style)
        styles = [style or c.style for c in self.columns]
        parts = []
        for text, size, width, right in zip(cells, sizes, self.widths, self.right, strict=True):
            if size > width or "\n" in text:
                break  # (the common case is one line: written without wrapping)
            gap = " " * (width - size)
            parts.append(gap + text if right else text + gap)
        else:
            if any(styles):
                parts = [self.out.style(p, st) for p, st in zip(parts, styles, strict=True)]
            return [self._line(parts)]
        stacks = [
            [(text, size)]
            if whole or (size <= width and "\n" not in text)
            else terminal.wrap_sized(text, width)
            for text, size, width, whole in zip(cells, sizes, self.widths, self.whole, strict=True)
        ]
        lines = []
        for k in range(max(map(len, stacks))):
            parts = []
            for stack, width, right in zip(stacks, self.widths, self.right, strict=True):
                line, size = stack[k] if k < len(stack) else ("", 0)
                gap = " " * (width - size)
                parts.append(gap + line if right else line + gap)
            if any(styles):
                parts = [self.out.style(p, st) for p, st in zip(parts, styles, strict=True)]
            lines.append(self._line(parts))
        return lines

    def _line(self, parts: list[str]) -> str:
        if self.shape == "box":
            return "│ " + " │ ".join(parts) + " │"
        return "  ".join(parts).rstrip()

    def _card(self, cells: list[str], style: str | None) -> list[str]:
        """One row as ``Header  value`` lines (values wrap under themselves)."""
        label = min(max(map(display_width, (c.header for c in self.columns))), self.width // 3)
        room = max(self.width - label - 2, 10)
        lines = [""] if self.count or self.listing.title else []
        for column, text, whole in zip(self.columns, cells, self.whole, strict=True):
            if not text:
                continue
            values = [text] if whole else wrap(text, room)
            labels = wrap(column.header, label)
            for k in range(max(len(values), len(labels))):
                name = pad(labels[k] if k < len(labels) else "", label)
                value = values[k] if k < len(values) else ""
                line = (
                    self.out.style(name, "bold")
                    + "  "
                    + self.out.style(value, style or column.style)
                )
                lines.append(line.rstrip())
        return lines


def _share(
    natural: list[int], least: list[int], wishes: Sequence[list[int]], room: int
) -> list[int] | None:
    """Column widths that fit ``room``: the natural ones if they fit; else, from the
    least, the room left goes to each of ``wishes`` in turn (whole header words, then
    whole words of the cells), then in proportion to what each column lacks of its
    natural width. None when even the least do not fit."""
    natural = [max(n, k) for n, k in zip(natural, least, strict=True)]
    if sum(natural) <= room:
        return natural
    widths = list(least)
    spare = room - sum(widths)
    if spare < 0:
        return None
    for wish in wishes:
        for n, width in enumerate(widths):
            take = min(min(max(wish[n], width), natural[n]) - width, spare)
            widths[n] += take
            spare -= take
    lacks = [n - w for n, w in zip(natural, widths, strict=True)]
    total = sum(lacks)
    if total and spare:
        given = [spare * lack // total for lack in lacks]
        widths = [w + g for w, g in zip(widths, given, strict=True)]
        spare -= sum(given)
        for n in sorted(range(len(widths)), key=lambda n: natural[n] - widths[n], reverse=True):
            if not spare:
                break
            if widths[n] < natural[n]:
                widths[n] += 1
                spare -= 1
    return widths


def table_lines(listing: Listing, width: int, out: Screen, *, title_left: bool = True) -> list[str]:
    """A (short) listing as the lines of a table ``width`` cells wide: for a section of a
    card. Empty: ``"Title: none"``."""
    rows = list(listing.rows)
    if not rows:
        title = _(listing.title) if listing.title else _("rows")
        return [out.style(_("{title}: none").format(title=title), "dim")]
    layout = TableLayout(listing, out, width=width, title_left=title_left)
    return [line for chunk in layout.lines(rows, iter(())) for line in chunk]


_WRITERS: dict[OutputFormat, Callable[[Listing, IO[str]], int]] = {
    OutputFormat.table: _table,
    OutputFormat.csv: _delimited(","),
    OutputFormat.tsv: _delimited("\t"),
    OutputFormat.json: _json,
    OutputFormat.jsonl: _jsonl,
}


# -- cards (one record for people) ----------------------------------------------------------
@record
class Card:
    """One record for people: ``Label  value`` fields, then sections (a short listing as
    a table; a line of text, optionally with a style), in a box titled ``title``."""

    title: str
    fields: list[tuple[str, Any]] = field(default_factory=list)
    sections: list[Listing | tuple[str, str | None]] = field(default_factory=list)


def print_card(card: Card) -> None:
    out = terminal.screen(sys.stdout)
    inner = out.width - 4
    shown = [(label, str(value)) for label, value in card.fields if value not in (None, "")]
    lines = field_lines(shown, inner, out)
    for section in card.sections:
        if isinstance(section, Listing):
            lines += table_lines(section, inner, out)
        else:
            text, style = section
            lines += [out.style(line, style) for line in wrap_lines(text, inner)]
    sys.stdout.write("\n".join(terminal.framed(card.title, lines, out.width, out)) + "\n")


def field_lines(fields: Sequence[tuple[str, str]], width: int, out: Screen) -> list[str]:
    """``Label  value`` lines, the labels in bold and as wide as the widest; a long value
    wraps under itself."""
    if not fields:
        return []
    label = min(max(display_width(_(name)) for name, _value in fields), width // 3)
    room = max(width - label - 2, 10)
    lines = []
    for name, value in fields:
        values = wrap(terminal.clean(value), room)
        labels = wrap(_(name), label)
        for k in range(max(len(values), len(labels))):
            head = pad(labels[k] if k < len(labels) else "", label)
            text = values[k] if k < len(values) else ""
            lines.append((out.style(head, "bold") + "  " + text).rstrip())
    return lines


def stdout_console(stream: IO[str] | None = None) -> Any:
    """A Rich console on stdout (or ``stream``) that keeps to the terminal's width and
    styles: not one escape code with NO_COLOR or in a pipe."""
    from rich.console import Console

    target = stream or sys.stdout
    out = terminal.screen(target)
    return Console(
        file=target,
        highlight=False,
        soft_wrap=False,
        width=out.width,
        color_system="auto" if out.styled else None,
        force_terminal=True if out.styled else None,
    )


def write_lines(lines: Iterable[str], stream: IO[str] | None = None) -> None:
    """Plain lines to stdout (or ``stream``) in one write."""
    (stream or sys.stdout).write("".join(line + "\n" for line in lines))


def message(text: str) -> None:
    """A note for the person (stderr, plain text): never mixed into data on stdout."""
    print(text, file=sys.stderr)

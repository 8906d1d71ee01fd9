"""The one output path: commands build a :class:`Listing`, :func:`render` prints it.

``table`` is a Rich table for people; ``csv``, ``tsv``, ``json`` and ``jsonl`` are
for pipes and are stable: columns keep their names and order, money is a decimal
string with two places (``"12500.00"``), dates are ``YYYY-MM-DD``, empty is ``""``
in csv/tsv and ``null`` in json. Data goes to stdout; messages go to stderr.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any

from povtor.parsing import format_money

ENV_FORMAT = "POVTOR_FORMAT"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"


@dataclass(frozen=True)
class Column:
    """One column: ``key`` names it in machine formats, ``header`` in tables."""

    key: str
    header: str
    kind: str = "text"  # text | int | money | date | datetime | rate | bool
    justify: str | None = None
    style: str | None = None
    # In tables, long free text (titles, reasons, messages) wraps and takes the room
    # that is left; other text columns keep one line and are cut with "…".
    wide: bool = False
    in_table: bool = True  # False: machine formats only (keeps tables readable)


NARROW_TEXT_MAX = 26


@dataclass
class Listing:
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    title: str | None = None
    caption: str | None = None
    empty_message: str = "nothing to show"
    # table-only decoration per row (e.g. a style); never in machine output
    row_styles: list[str | None] = field(default_factory=list)


def default_format() -> OutputFormat:
    """``table`` on a terminal, ``tsv`` in a pipe; ``POVTOR_FORMAT`` overrides."""
    chosen = os.environ.get(ENV_FORMAT)
    if chosen:
        try:
            return OutputFormat(chosen.strip().lower())
        except ValueError:
            from povtor.errors import InvalidInput

            raise InvalidInput(
                f"{ENV_FORMAT}={chosen!r} is not a format",
                hint="use one of: " + ", ".join(f.value for f in OutputFormat),
            ) from None
    return OutputFormat.table if sys.stdout.isatty() else OutputFormat.tsv


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
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def render(listing: Listing, fmt: OutputFormat | None, *, out: IO[str] | None = None) -> None:
    fmt = fmt or default_format()
    stream = out or sys.stdout
    writer = _WRITERS[fmt]
    writer(listing, stream)


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
            f"{command} prints one {noun}; --format {chosen.value} is for lists",
            hint=f"use --format table or json (lists: povtor {group} list)",
        )
    print_table(record)


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


def _delimited(delimiter: str) -> Callable[[Listing, IO[str]], None]:
    def write(listing: Listing, stream: IO[str]) -> None:
        if delimiter == "\t":
            # tsv has no quoting at all (a quote is just a character), one row a line
            stream.write("\t".join(c.key for c in listing.columns) + "\n")
            for cells in _machine_cells(listing):
                stream.write("\t".join([_tsv_cell(v) for v in cells]) + "\n")
            return
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
        writer.writerow([c.key for c in listing.columns])
        writer.writerows(_machine_cells(listing))  # None is written as ""

    return write


def _tsv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # tsv has no quoting: tabs and line breaks inside a cell become spaces
        return value.replace("\t", " ").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return str(value)


def _json(listing: Listing, stream: IO[str]) -> None:
    json.dump(list(_records(listing)), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def _jsonl(listing: Listing, stream: IO[str]) -> None:
    for record in _records(listing):
        stream.write(json.dumps(record, ensure_ascii=False))
        stream.write("\n")


def _table(listing: Listing, stream: IO[str]) -> None:
    from rich.table import Table
    from rich.text import Text

    console = stdout_console(stream)
    if not listing.rows:
        message(listing.empty_message)
        return
    table = Table(title=listing.title, caption=listing.caption, header_style="bold")
    shown = [i for i, c in enumerate(listing.columns) if c.in_table]
    columns = [listing.columns[i] for i in shown]
    cells = [[people_value(listing.columns[i].kind, row[i]) for i in shown] for row in listing.rows]
    longest_of = [max([len(c.header), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    narrow_max = _narrow_text_width(console.width, columns, longest_of)
    for index, column in enumerate(columns):
        longest = longest_of[index]
        numeric = column.kind in ("int", "money", "rate")
        if column.wide:
            sizing = {"ratio": 1, "min_width": min(longest, 16), "overflow": "fold"}
        elif column.kind == "text":
            sizing = {"no_wrap": True, "overflow": "ellipsis", "max_width": narrow_max}
        else:  # numbers and dates are never cut
            sizing = {"no_wrap": True, "min_width": longest}
        table.add_column(
            column.header,
            justify=column.justify or ("right" if numeric else "left"),  # type: ignore[arg-type]
            style=column.style,
            **sizing,  # type: ignore[arg-type]
        )
    for index, row_cells in enumerate(cells):
        style = listing.row_styles[index] if index < len(listing.row_styles) else None
        table.add_row(*(Text(cell) for cell in row_cells), style=style)
    console.print(table)


def _narrow_text_width(total: int, columns: Sequence[Column], longest: list[int]) -> int:
    """How wide a one-line text column may be so that the table fits the terminal."""
    room = total - (3 * len(columns) + 1)  # borders and padding
    narrow = wide = 0
    for column, width in zip(columns, longest, strict=True):
        if column.wide:
            wide += 1
            room -= min(width, 24)
        elif column.kind == "text":
            narrow += 1
        else:
            room -= width
    if not narrow:
        return NARROW_TEXT_MAX
    return max(6, min(NARROW_TEXT_MAX, room // narrow))


_WRITERS: dict[OutputFormat, Callable[[Listing, IO[str]], None]] = {
    OutputFormat.table: _table,
    OutputFormat.csv: _delimited(","),
    OutputFormat.tsv: _delimited("\t"),
    OutputFormat.json: _json,
    OutputFormat.jsonl: _jsonl,
}


def stdout_console(stream: IO[str] | None = None) -> Any:
    from rich.console import Console

    return Console(file=stream or sys.stdout, highlight=False, soft_wrap=False)


def message(text: str) -> None:
    """A note for the person (stderr, plain text): never mixed into data on stdout."""
    print(text, file=sys.stderr)

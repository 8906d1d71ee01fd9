"""How the stats reports print: titles, one-record tables, reports in several parts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

from povtor.cli.runtime import choose
from povtor.domain.calendar import Period
from povtor.i18n import N_, _
from povtor.output import (
    Column,
    Listing,
    OutputFormat,
    default_format,
    people_value,
    render,
    write_lines,
)

AllOption = Annotated[
    bool,
    typer.Option("--all", help="In a table, every row (machine formats always have every row)."),
]
Currency = Annotated[
    str, typer.Option("--currency", help="Money figures count amounts in this currency only.")
]


def title(what: str, period: Period | None, as_of: dt.date) -> str:
    span = f", {period.label}" if period is not None else ""
    return _("{what}{span} (as of {as_of})").format(
        what=_(what), span=span, as_of=as_of.isoformat()
    )


def figure(key: str, header: str) -> Column:
    """A column of numbers that may have decimals (a median of days: 12.5)."""
    return Column(key, header, "text", justify="right")


def picked(columns: Sequence[Column], *keys: str) -> tuple[Column, ...]:
    """The columns of a report named ``keys``, in that order: another view's cut of them
    (a per-seller table) shows them as the report does."""
    by_key = {column.key: column for column in columns}
    return tuple(by_key[key] for key in keys)


def record(
    columns: Sequence[Column], values: Sequence[Any], title: str, fmt: OutputFormat
) -> Listing:
    """One record: a What/Value table for people, one row for the machine formats."""
    if fmt is not OutputFormat.table:
        return Listing(columns, [list(values)], title=title)
    rows = [
        [_(c.header), people_value(c.kind, v) if v is not None else _("no data")]
        for c, v in zip(columns, values, strict=True)
    ]
    return Listing(
        (Column("what", N_("What")), Column("value", N_("Value"), justify="right")),
        rows,
        title=title,
    )


Part = Callable[[OutputFormat], Listing]


def emit(
    parts: dict[str, Part],
    *,
    heading: str,
    part: str | None,
    fmt: OutputFormat | None,
    on_table: Sequence[str] | None = None,
    after: dict[str, Callable[[], None]] | None = None,
) -> None:
    """Print one part (``--part``, or the first in a machine format) or, in a table, the
    parts listed in ``on_table`` (default: all of them) one after another under a
    ``heading`` line (the report and its period)."""
    chosen = fmt or default_format()
    names = list(parts)
    if part is not None:
        wanted = choose(part, tuple(names), option="--part")
        shown = [wanted or names[0]]
    elif chosen is OutputFormat.table:
        shown = list(on_table or names)
    else:
        shown = [names[0]]
    if chosen is not OutputFormat.table:
        render(parts[shown[0]](chosen), chosen)
        return
    from povtor import terminal

    with terminal.paged():  # the whole report through one pager
        out = terminal.screen()
        write_lines(out.style(line, "bold") for line in terminal.wrap_lines(heading, out.width))
        for index, name in enumerate(shown):
            if index:
                write_lines([""])
            render(parts[name](chosen), chosen)
            if after and name in after:
                after[name]()


def part_option(names: str, default: str) -> Any:
    return typer.Option(
        "--part", help=f"Which part to print: {names} (machine formats: {default})."
    )

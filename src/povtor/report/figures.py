"""The pieces of the page: figures written for people in one language (and kept for the
machine beside them), tables, charts and sections, for the template to lay out.

A figure on the page carries its key and its value as ``povtor stats … --format json``
prints it (``data-k``, ``data-v``): what a reader sees can be checked against what the
command prints, by a test or by anyone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from povtor.output import machine_value
from povtor.records import record
from povtor.report.words import WORDS

NBSP = "\u00a0"
GREEN, RED, AMBER, GREY, BLUE = "#2f855a", "#c53030", "#d69e2e", "#a0aec0", "#2c6fb7"


def as_json(value: Any) -> str:
    """A machine value as ``--format json`` writes it (the text of a ``data-v``)."""
    return json.dumps(value, ensure_ascii=False)


@record(frozen=True)
class Fig:
    """One figure (or word) in a table cell or a tile."""

    text: str
    key: str | None = None  # data-k
    value: str | None = None  # data-v: the machine value, as JSON
    numeric: bool = True


@record
class Table:
    headers: list[tuple[str, bool]]  # (header, numeric)
    rows: list[list[Fig]] = field(default_factory=list)
    caption: str = ""
    empty: str = ""  # said instead of the table when it has no rows
    row_classes: list[str] = field(default_factory=list)
    css_class: str = ""  # "kv": a narrow table of names and values

    def add(self, cells: list[Fig], css_class: str = "") -> None:
        self.rows.append(cells)
        self.row_classes.append(css_class)


@record(frozen=True)
class Block:
    """A piece of a section, in order: a chart (SVG text), a table, a note, a heading."""

    kind: str  # chart | table | note | heading
    content: Any


@record(frozen=True)
class Tile:
    """A key figure at the top of the page."""

    label: str
    figure: Fig
    detail: str


@record
class Section:
    id: str
    title: str
    lead: str = ""
    blocks: list[Block] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # commands printing the same figures
    sources_note: str = ""  # said after them

    def chart(self, svg: str) -> None:
        self.blocks.append(Block("chart", svg))

    def table(self, table: Table) -> None:
        self.blocks.append(Block("table", table))

    def note(self, text: str) -> None:
        self.blocks.append(Block("note", text))

    def heading(self, text: str) -> None:
        self.blocks.append(Block("heading", text))


class Style:
    """How numbers, money and dates are written in ``lang`` (ru or en)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.words = WORDS[lang]
        self._group = NBSP if lang == "ru" else ","
        self._point = "," if lang == "ru" else "."

    def __call__(self, key: str, **fields: Any) -> str:
        """The words of ``key``, filled in."""
        text = self.words[key]
        return text.format(**fields) if fields else text

    # -- numbers
    def count(self, value: int | None) -> str:
        if value is None:
            return self.words["none"]
        sign = "-" if value < 0 else ""
        return sign + f"{abs(value):,}".replace(",", self._group)

    def number(self, value: int | float | Decimal | None) -> str:
        """A figure that may have decimals (a median of days: 12.5)."""
        if value is None:
            return self.words["none"]
        if isinstance(value, int) or value == int(value):
            return self.count(int(value))
        whole, _, decimals = f"{value}".partition(".")
        return self.count(int(whole)) + self._point + decimals

    def rate(self, value: Decimal | float | None) -> str:
        """A share as per cent to one decimal, as ``stats`` prints it in a table."""
        if value is None:
            return self.words["none"]
        text = f"{float(value) * 100:.1f}".replace(".", self._point)
        return f"{text}{NBSP}%" if self.lang == "ru" else f"{text}%"

    def percent(self, value: Decimal | float | None) -> str:
        """A share as whole per cent (a heat map's cell): 53%."""
        if value is None:
            return self.words["none"]
        whole = (Decimal(str(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{whole}%"

    def money(self, minor: int | None) -> str:
        """Whole units, rounded half up: 12 345 678.50 → 12 345 679."""
        if minor is None:
            return self.words["none"]
        return self.count(whole_units(minor))

    def short_money(self, units: float) -> str:
        """An axis label: 12.5M, 800K."""
        if abs(units) >= 1_000_000:
            return self("millions", value=self._short(units / 1_000_000))
        if abs(units) >= 1_000:
            return self("thousands", value=self._short(units / 1_000))
        return self._short(units)

    def _short(self, value: float) -> str:
        return f"{value:.1f}".removesuffix(".0").replace(".", self._point)

    # -- dates
    def date(self, day: dt.date | None) -> str:
        if day is None:
            return self.words["none"]
        return day.strftime("%d.%m.%Y") if self.lang == "ru" else day.isoformat()

    def month(self, day: dt.date) -> str:
        return f"{self.words[f'month.{day.month}']} {day.year}"

    def month_short(self, month: str) -> str:
        """``YYYY-MM`` as a short month and year: мар 2025, Mar 2025."""
        year, number = month.split("-")
        return f"{self.words[f'mon.{int(number)}']} {year}"

    def days(self, start: dt.date, end: dt.date) -> str:
        """A span within one month: 2–8 фев, Feb 2–8."""
        mon = self.words[f"mon.{start.month}"]
        days = str(start.day) if start == end else f"{start.day}–{end.day}"
        return f"{days} {mon}" if self.lang == "ru" else f"{mon} {days}"

    def category(self, code: str | None) -> str:
        if code in ("all", "none"):
            return self.words[f"category.{code}"]
        return code or self.words["category.none"]

    # -- figures
    def fig(self, key: str | None, kind: str, value: Any) -> Fig:
        """A figure of ``kind`` (int, figure, rate, money, text, date) keyed for the
        machine with its ``stats … --format json`` value."""
        if kind == "int":
            text = self.count(value)
        elif kind == "figure":
            text = self.number(value)
        elif kind == "rate":
            text = self.rate(value)
        elif kind == "money":
            text = self.money(value)
        elif kind == "date":
            text = self.date(value)
        else:
            text = self.words["none"] if value is None else str(value)
        return Fig(
            text=text,
            key=key,
            value=self.data(kind, value) if key is not None else None,
            numeric=kind not in ("text", "date"),
        )

    def data(self, kind: str, value: Any) -> str:
        """The ``data-v`` of a figure: its json value in ``stats … --format json``."""
        return as_json(machine_value(kind, value) if kind in ("rate", "money", "date") else value)

    def word(self, text: str) -> Fig:
        return Fig(text=text, numeric=False)


def whole_units(minor: int) -> int:
    return int((Decimal(minor) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

"""Checking the rows of an import file, before anything touches the database.

:class:`RowChecker` finds the header (the first of the first rows that has the needed
columns, so that title lines above it are skipped), maps the file's column names to
povtor's (``--map``, the canonical names, and for orders the usual Russian and English
ones), and parses every cell of every row. A bad cell does not stop the checking: every
problem is collected with its file and line, and the row is left out of the plan.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from povtor.domain import cells
from povtor.domain.formats import EXTERNAL_ID_MAX, FIELDS, ORDER_ALIASES, REQUIRED, WORDS
from povtor.domain.tabular import ImportMap, RawTable, header_key
from povtor.errors import InvalidInput
from povtor.parsing import parse_amount
from povtor.text import TEXT_MAX, clean_text, fold

HEADER_SEARCH_ROWS = 20
# Cells that repeat down a column (names, dates, statuses): each distinct text is parsed once.
CACHED_KINDS = frozenset({"name", "key", "date", "when", "currency", *WORDS})
_fold = functools.lru_cache(maxsize=1 << 16)(fold)


@dataclass
class Header:
    index: dict[str, int]  # povtor column -> cell position
    labels: dict[str, str]  # povtor column -> how the file calls it (for messages)
    width: int
    start: int  # the first data row in RawTable.rows

    def has(self, column: str) -> bool:
        return column in self.index


class RowChecker:
    """Reads rows into records of parsed values; collects problems and notes."""

    def __init__(self, imap: ImportMap | None = None) -> None:
        self.map = imap or ImportMap()
        self._problems: list[tuple[int, int, int, str]] = []
        self._sources: dict[str, int] = {}
        self.notes: list[str] = []
        self.tick: Callable[[int], None] = lambda n: None
        self._cache: dict[tuple[str, str, str], Any] = {}

    def problem(self, source: str, where: int | str, message: str) -> None:
        order = self._sources.setdefault(source, len(self._sources))
        line = where if isinstance(where, int) else 0
        self._problems.append((order, line, len(self._problems), f"{source}:{where}: {message}"))

    @property
    def problems(self) -> list[str]:
        """Every problem found, in file order: ``file:line: column: what is wrong``."""
        return [text for *_, text in sorted(self._problems)]

    def note(self, text: str) -> None:
        self.notes.append(text)

    def header(self, table: RawTable, kind: str) -> Header | None:
        spec = FIELDS[kind]
        required = REQUIRED[kind]
        aliases: dict[str, str] = {}
        if kind == "orders":
            aliases = {
                header_key(a): column for column, names in ORDER_ALIASES.items() for a in names
            }
        for theirs, target in self.map.columns.items():
            if target not in ("", "-") and target not in spec:
                self.problem(
                    table.source,
                    1,
                    f"--map: column {theirs!r} maps to {target!r}, which is not a column of "
                    f"{kind} ({', '.join(spec)})",
                )
        candidates = table.rows[:1] if table.fixed_header else table.rows[:HEADER_SEARCH_ROWS]
        if not candidates:
            self.problem(table.source, 1, "the file is empty")
            return None
        best: Header | None = None
        for position, (_where, names) in enumerate(candidates):
            found = self._read_header(table, names, spec, aliases, position, quiet=True)
            if all(any(c in found.index for c in need) for need in required):
                best = found
                break
        if best is None:
            where, names = candidates[0]
            best = self._read_header(table, names, spec, aliases, 0, quiet=True)
            missing = [
                " or ".join(need) for need in required if not any(c in best.index for c in need)
            ]
            self.problem(
                table.source,
                where or 1,
                f"missing column {', '.join(missing)} (the header is {', '.join(names)!s}); "
                "name your columns with --map",
            )
            return None
        self._read_header(table, candidates[best.start - 1][1], spec, aliases, best.start - 1)
        if best.start > 1:
            line = candidates[best.start - 1][0]
            self.note(
                f"{table.source}: the header is on line {line}; the lines above it are skipped"
            )
        return best

    def _read_header(
        self,
        table: RawTable,
        names: list[str],
        spec: dict[str, str],
        aliases: dict[str, str],
        position: int,
        *,
        quiet: bool = False,
    ) -> Header:
        index: dict[str, int] = {}
        labels: dict[str, str] = {}
        ignored: list[str] = []
        for i, name in enumerate(names):
            key = header_key(name)
            if not key:
                continue
            target = self.map.columns.get(key)
            if target is None:
                target = key if key in spec else aliases.get(key)
            elif target in ("", "-"):
                continue
            if target is None or target not in spec:
                ignored.append(name)
                continue
            if target in index:
                if not quiet:
                    first = names[index[target]]
                    self.problem(
                        table.source,
                        table.rows[position][0] or 1,
                        f"columns {first!r} and {name!r} are both {target}",
                    )
                continue
            index[target] = i
            labels[target] = name if name.strip() == target else f"{name.strip()} ({target})"
        if ignored and not quiet:
            self.note(f"{table.source}: ignored column(s) {', '.join(ignored)}")
        return Header(index=index, labels=labels, width=len(names), start=position + 1)

    def rows(
        self, table: RawTable, kind: str, head: Header
    ) -> Iterator[tuple[int | str, dict[str, Any]]]:
        """(where, record) for every row whose cells all parse; problems go to the list."""
        spec = FIELDS[kind]
        values = self.map.values
        columns = [(c, i, spec[c], head.labels[c], values.get(c)) for c, i in head.index.items()]
        width = head.width
        restore = table.spreadsheet
        count = 0
        for where, row in table.rows[head.start :]:
            count += 1
            if count % 1000 == 0:
                self.tick(1000)
            if not any(c.strip() for c in row):
                continue
            if len(row) > width and any(c.strip() for c in row[width:]):
                self.problem(
                    table.source,
                    where,
                    f"{len(row)} cells, but the header has {width}: a broken row "
                    "(check the quotes and delimiters)",
                )
                continue
            record: dict[str, Any] = {}
            bad: set[str] = set()
            for column, i, cell_kind, label, mapping in columns:
                raw = row[i] if i < len(row) else ""
                if restore and raw.startswith("'"):
                    raw = raw[1:]
                if mapping:
                    raw = mapping.get(_fold(raw).strip(), raw)
                try:
                    record[column] = self._parse(cell_kind, raw, label)
                except InvalidInput as error:
                    self.problem(table.source, where, error.message)
                    record[column] = None
                    bad.add(column)
            if bad:
                record["_bad"] = bad
            yield where, record
        self.tick(count % 1000)

    def repeated(
        self,
        seen: dict[Any, int | str],
        key: Any,
        source: str,
        where: int | str,
        what: str | None = None,
    ) -> bool:
        """Whether another row of the file has the same key (a problem on this row)."""
        if key is None:
            return False
        if key in seen:
            what = what or f"{key[0]} {key[1]!r}"
            self.problem(source, where, f"{what} is repeated (first on line {seen[key]})")
            return True
        seen[key] = where
        return False

    def need(
        self, rec: dict[str, Any], head: Header, source: str, where: int | str, column: str
    ) -> bool:
        """Whether the row has a value in ``column``; an empty cell is a problem (a bad one
        is reported already)."""
        if rec.get(column) is not None:
            return True
        if column not in rec.get("_bad", ()):
            self.problem(source, where, f"{head.labels[column]}: empty")
        return False

    def _parse(self, kind: str, raw: str, label: str) -> Any:
        if kind not in CACHED_KINDS:
            return self._parse_cell(kind, raw, label)
        key = (kind, label, raw)
        try:
            value = self._cache[key]
        except KeyError:
            try:
                value = self._parse_cell(kind, raw, label)
            except InvalidInput as error:
                value = error
            self._cache[key] = value
        if isinstance(value, InvalidInput):
            raise InvalidInput(value.message, hint=value.hint)
        return value

    def _parse_cell(self, kind: str, raw: str, label: str) -> Any:
        if not raw.strip():
            return None
        if kind == "name":
            return clean_text(raw, field=label)
        if kind == "text":
            return clean_text(raw, field=label, max_len=TEXT_MAX, multiline=True)
        if kind == "key":
            return clean_text(raw, field=label, max_len=EXTERNAL_ID_MAX)
        if kind == "id":
            return cells.parse_id(raw, field=label)
        if kind == "date":
            return cells.parse_when(raw, field=label, date_format=self.map.date_format)[0]
        if kind == "when":
            return cells.parse_when(raw, field=label, date_format=self.map.date_format)
        if kind == "money":
            return parse_amount(raw, field=label)
        if kind == "signed_money":
            return cells.parse_signed_minor(raw, field=label)
        if kind == "decimal":
            return cells.parse_decimal(raw, field=label, decimal=self.map.decimal)
        if kind == "currency":
            return cells.parse_currency(raw, field=label)
        allowed, aliases = WORDS[kind]
        return cells.parse_word(raw, allowed, field=label, aliases=aliases)

"""Checking the rows of an import file, before anything touches the database.

:class:`RowChecker` finds the header (the first of the first rows that has the needed
columns, so that title lines above it are skipped), maps the file's column names to
povtor's (``--map``, the canonical names, and for orders the usual Russian and English
ones), and parses every cell of every row. A bad cell does not stop the checking: every
problem is collected with its file, line, column and value, and the row is left out of
the plan. Problems of one kind (the same message but for its values) are counted
together, so that thousands of them can be summed up in a few lines.
"""

from __future__ import annotations

import ast
import functools
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from povtor.domain import cells
from povtor.domain.formats import EXTERNAL_ID_MAX, FIELDS, ORDER_ALIASES, REQUIRED, WORDS
from povtor.domain.tabular import COMPOSE_SEPARATOR, ImportMap, RawTable, header_key
from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.parsing import parse_amount
from povtor.records import record
from povtor.text import NAME_MAX, TEXT_MAX, clean_text, fold, is_clean

HEADER_SEARCH_ROWS = 20
# Cells that repeat down a column (names, dates, statuses, quantities, prices): each
# distinct text is parsed once, up to CACHE_LIMIT texts a column (ids and texts that
# never repeat soon stop being kept).
CACHED_KINDS = frozenset(
    {"name", "key", "date", "when", "currency", "money", "signed_money", "decimal", *WORDS}
)
CACHE_LIMIT = 1 << 15
_MISSING = object()  # not in a parser's cache
# the kinds of cells RowChecker.quick_rows reads itself
_QUICK_KINDS = frozenset({"name", "key", "when", "signed_money"})
HEADER_SHOWN = 120  # characters of a header quoted in a message
_fold = functools.lru_cache(maxsize=1 << 16)(fold)
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'" + r'|"(?:[^"\\]|\\.)*"')
_NUMBER = re.compile(r"\d+")


IGNORED_SHOWN = 10  # ignored columns named in the note; the rest are counted


@record(frozen=True)
class Problem:
    """One problem of an import file: where, which column and value, and what is wrong."""

    source: str
    where: int | str  # the line (a CSV file's line, a sheet's row, a JSON record)
    column: str  # as the messages name it; "" for a problem of the whole row or file
    value: str  # the cell as the file has it ("" when empty or not about one cell)
    message: str  # "column: what is wrong"

    @property
    def text(self) -> str:
        return f"{self.source}:{self.where}: {self.message}"

    @property
    def kind(self) -> str:
        """The message with the particulars (quoted values, numbers) left out."""
        return problem_kind(self.message)

    @property
    def what(self) -> str:
        """The message without its column."""
        prefix = f"{self.column}: "
        if self.column and self.message.startswith(prefix):
            return self.message[len(prefix) :]
        return self.message


def problem_kind(message: str) -> str:
    return _NUMBER.sub("N", _QUOTED.sub("…", message))


@record
class Header:
    index: dict[str, int]  # povtor column -> cell position
    labels: dict[str, str]  # povtor column -> how the file calls it (for messages)
    width: int
    start: int  # the first data row in RawTable.rows
    composed: dict[str, tuple[int, ...]]  # povtor column -> the cells it is made of

    def has(self, column: str) -> bool:
        return column in self.index or column in self.composed


class RowChecker:
    """Reads rows into records of parsed values; collects problems and notes."""

    def __init__(self, imap: ImportMap | None = None) -> None:
        self.map = imap or ImportMap()
        self._problems: list[tuple[int, int, int, Problem]] = []
        self._sources: dict[str, int] = {}
        self._labels: set[str] = set()  # the column labels of the headers read
        self.notes: list[str] = []
        self.tick: Callable[[int], None] = lambda n: None

    def problem(
        self,
        source: str,
        where: int | str,
        message: str,
        *,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        """Note a problem; its column is the message's ``label:`` prefix unless given,
        and its value the first quoted value after that prefix."""
        if column is None:
            label, colon, _rest = message.partition(": ")
            column = label if colon and label in self._labels else ""
        if value is None:
            value = ""
            if column and message.startswith(f"{column}: "):
                quoted = _QUOTED.match(message, len(column) + 2)
                if quoted:
                    try:
                        value = str(ast.literal_eval(quoted.group()))
                    except (ValueError, SyntaxError):
                        value = quoted.group()[1:-1]
        order = self._sources.setdefault(source, len(self._sources))
        line = where if isinstance(where, int) else 0
        found = Problem(source, where, column, value, message)
        self._problems.append((order, line, len(self._problems), found))

    @property
    def failed(self) -> bool:
        """Whether any problem was found (cheaper than :attr:`problems`)."""
        return bool(self._problems)

    @property
    def found(self) -> list[Problem]:
        """Every problem found, in file order."""
        return [found for *_, found in sorted(self._problems)]

    @property
    def problems(self) -> list[str]:
        """Every problem found, in file order: ``file:line: column: what is wrong``."""
        return [found.text for found in self.found]

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
                    _(
                        "--map: column {theirs!r} maps to {target!r}, which is not a column of "
                        "{kind} ({columns})"
                    ).format(theirs=theirs, target=target, kind=kind, columns=", ".join(spec)),
                )
        for target in self.map.compose:
            if target not in spec:
                self.problem(
                    table.source,
                    1,
                    _("--map: [compose] {target!r} is not a column of {kind} ({columns})").format(
                        target=target, kind=kind, columns=", ".join(spec)
                    ),
                )
        candidates = table.rows[:1] if table.fixed_header else table.rows[:HEADER_SEARCH_ROWS]
        if not candidates:
            self.problem(table.source, 1, _("the file is empty"))
            return None
        best: Header | None = None
        for position, (_where, names) in enumerate(candidates):
            found = self._read_header(table, names, spec, aliases, position, quiet=True)
            if all(any(found.has(c) for c in need) for need in required):
                best = found
                break
        if best is None:
            where, names = candidates[0]
            best = self._read_header(table, names, spec, aliases, 0, quiet=True)
            missing = [
                _(" or ").join(need) for need in required if not any(best.has(c) for c in need)
            ]
            self.problem(
                table.source,
                where or 1,
                _(
                    "missing column {missing} (the header is {header}); "
                    "name your columns with --map"
                ).format(missing=", ".join(missing), header=shown_header(names)),
            )
            return None
        self._read_header(table, candidates[best.start - 1][1], spec, aliases, best.start - 1)
        if best.start > 1:
            line = candidates[best.start - 1][0]
            self.note(
                _("{source}: the header is on line {line}; the lines above it are skipped").format(
                    source=table.source, line=line
                )
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
        keys = [header_key(name) for name in names]
        parts = {k for columns in self.map.compose.values() for k in columns}
        for i, name in enumerate(names):
            key = keys[i]
            if not key:
                continue
            target = self.map.columns.get(key)
            if target is None:
                target = key if key in spec else aliases.get(key)
            elif target in ("", "-"):
                continue
            if target is None or target not in spec:
                if key not in parts:
                    ignored.append(name)
                continue
            if target in index:
                if not quiet:
                    first = names[index[target]]
                    self.problem(
                        table.source,
                        table.rows[position][0] or 1,
                        _("columns {first!r} and {name!r} are both {target}").format(
                            first=first, name=name, target=target
                        ),
                    )
                continue
            index[target] = i
            labels[target] = name if name.strip() == target else f"{name.strip()} ({target})"
        composed: dict[str, tuple[int, ...]] = {}
        for target, columns in self.map.compose.items():
            if target not in spec:
                continue
            positions = [keys.index(c) if c in keys else -1 for c in columns]
            if -1 in positions:
                if not quiet:
                    absent = columns[positions.index(-1)]
                    self.problem(
                        table.source,
                        table.rows[position][0] or 1,
                        _("--map: [compose] {target}: no column {absent!r} in the header").format(
                            target=target, absent=absent
                        ),
                    )
                continue
            if target in index and not quiet:
                self.problem(
                    table.source,
                    table.rows[position][0] or 1,
                    _(
                        "--map: [compose] {target}: the file has a {target} column too ({name!r})"
                    ).format(target=target, name=names[index[target]]),
                )
            index.pop(target, None)
            composed[target] = tuple(positions)
            shown = " + ".join(names[i].strip() for i in positions)
            labels[target] = f"{shown} ({target})"
        if ignored and not quiet:
            shown = ", ".join(ignored[:IGNORED_SHOWN])
            more = len(ignored) - IGNORED_SHOWN
            self.note(
                _("{source}: ignored column(s) {shown}").format(source=table.source, shown=shown)
                + (
                    _(" and {more} more ({all} in all)").format(more=more, all=len(ignored))
                    if more > 0
                    else ""
                )
            )
        if not quiet:
            self._labels.update(labels.values())
        return Header(
            index=index, labels=labels, width=len(names), start=position + 1, composed=composed
        )

    def rows(
        self, table: RawTable, kind: str, head: Header
    ) -> Iterator[tuple[int | str, dict[str, Any]]]:
        """(where, record) for every row whose cells all parse; problems go to the list."""
        return self._walk(table, head, self._row_checker(table, kind, head))

    def quick_rows(
        self, table: RawTable, kind: str, head: Header, columns: tuple[str, ...], *, latest: int
    ) -> Iterator[tuple[int | str, tuple[Any, ...] | dict[str, Any]]]:
        """As :meth:`rows`, but a row whose cells are all plain comes as a tuple of its
        values in the order of ``columns`` (None for a column the file does not have; a
        date as its ordinal), without a record: every cell of the row given, a text clean
        already or parsed without a problem, a sum of digits with at most two decimals, a
        date no later than ``latest`` (an ordinal). Any other row comes as :meth:`rows`
        gives it, checked the same way (and with the same problems) by it.

        A text or key composed of cells by the map is plain when each of its cells is
        given, with nothing to strip, and the text they make is clean already.

        For a file of a few columns of plain kinds (texts, keys, sums, dates): a file with
        another kind of column (composed or not) or values mapped by the map is read by
        :meth:`rows` alone."""
        spec = FIELDS[kind]
        values = self.map.values
        texts = []  # (position in the tuple, position in the row, longest)
        sums = []  # (position in the tuple, position in the row)
        dates = []  # (position in the tuple, position in the row, parse, its cache)
        for column, i in head.index.items():
            what = spec[column]
            if column not in columns or what not in _QUICK_KINDS or values.get(column):
                yield from self.rows(table, kind, head)
                return
            at = columns.index(column)
            if what == "signed_money":
                sums.append((at, i))
            elif what == "when":
                dates.append((at, i, *self._parser(what, head.labels[column])))
            else:
                texts.append((at, i, EXTERNAL_ID_MAX if what == "key" else NAME_MAX))
        composed = []  # (position in the tuple, its cells' positions in the row, longest)
        for column, parts in head.composed.items():
            what = spec[column]
            if column not in columns or what not in ("name", "key") or values.get(column):
                yield from self.rows(table, kind, head)
                return
            limit = EXTERNAL_ID_MAX if what == "key" else NAME_MAX
            composed.append((columns.index(column), parts, limit))
        checked = self._row_checker(table, kind, head)
        width = head.width
        restore = table.spreadsheet
        clean = is_clean
        plain_sum = cells.plain_minor
        join = COMPOSE_SEPARATOR.join
        days: dict[str, int] = {}  # a date's text -> its ordinal (dates no later than latest)
        empty: list[Any] = [None] * len(columns)

        def quick(row: list[str]) -> tuple[Any, ...] | None:
            """The row's values, if its cells are all plain (else None)."""
            if len(row) != width or (restore and any(c[:1] == "'" for c in row)):
                return None
            got = empty.copy()
            for at, i, limit in texts:
                raw = row[i]
                if not clean(raw, limit):  # (the text clean_text gives back as it is)
                    return None
                got[at] = raw
            for at, parts, limit in composed:
                pieces = [row[i] for i in parts]
                for piece in pieces:
                    if not piece or piece.strip() != piece:
                        return None  # (rows strips the cells, and keeps an empty one's place)
                raw = join(pieces)
                if not clean(raw, limit):
                    return None
                got[at] = raw
            for at, i in sums:
                minor = plain_sum(row[i])
                if minor is None:
                    return None
                got[at] = minor
            for at, i, parse, cache in dates:
                raw = row[i]
                day = days.get(raw)
                if day is None:
                    if not raw:
                        return None
                    try:
                        value = cache.get(raw, _MISSING)
                        if value is _MISSING:
                            value = parse(raw)
                    except InvalidInput:
                        return None
                    if value.__class__ is InvalidInput or value is None:
                        return None
                    day = value[0].toordinal()
                    if day > latest:
                        return None
                    if len(days) < CACHE_LIMIT:
                        days[raw] = day
                got[at] = day
            return tuple(got)

        yield from self._walk(table, head, checked, quick)

    def _walk(
        self,
        table: RawTable,
        head: Header,
        checked: Callable[[int | str, list[str]], dict[str, Any] | None],
        quick: Callable[[list[str]], tuple[Any, ...] | None] | None = None,
    ) -> Iterator[tuple[int | str, Any]]:
        """The rows after the header, each as ``quick`` reads it (a tuple) if it does,
        else as ``checked`` makes it (a record; none for a blank or broken row), the
        progress told a thousand rows at a time."""
        count = 0
        for where, row in itertools.islice(table.rows, head.start, None):
            count += 1
            if count % 1000 == 0:
                self.tick(1000)
            if quick is not None:
                values_of = quick(row)
                if values_of is not None:
                    yield where, values_of
                    continue
            rec = checked(where, row)
            if rec is not None:
                yield where, rec
        self.tick(count % 1000)

    def _row_checker(
        self, table: RawTable, kind: str, head: Header
    ) -> Callable[[int | str, list[str]], dict[str, Any] | None]:
        """What checks one row: its record, or None for a blank row or a broken one (a
        problem); a cell that does not parse is a problem, and None in the record."""
        spec = FIELDS[kind]
        values = self.map.values
        parsers = [
            (c, i, *self._parser(spec[c], head.labels[c]), values.get(c))
            for c, i in head.index.items()
        ]
        composed = [
            (c, parts, self._parser(spec[c], head.labels[c])) for c, parts in head.composed.items()
        ]
        width = head.width
        restore = table.spreadsheet
        problem = self.problem
        source = table.source

        def checked(where: int | str, row: list[str]) -> dict[str, Any] | None:
            first = row[0] if row else ""
            if (not first or first.isspace()) and not "".join(row).strip():
                return None  # a blank row
            size = len(row)
            if size > width and "".join(row[width:]).strip():
                problem(
                    source,
                    where,
                    _(
                        "{size} cells, but the header has {width}: a broken row "
                        "(check the quotes and delimiters)"
                    ).format(size=size, width=width),
                )
                return None
            record: dict[str, Any] = {}
            bad: set[str] | None = None
            for column, i, parse, cache, mapping in parsers:
                raw = row[i] if i < size else ""
                if restore and raw.startswith("'"):
                    raw = raw[1:]
                if mapping:
                    raw = mapping.get(_fold(raw).strip(), raw)
                try:
                    value = cache.get(raw, _MISSING)
                    if value is _MISSING:
                        value = parse(raw)
                    elif value.__class__ is InvalidInput:
                        raise InvalidInput(value.message, hint=value.hint)
                    record[column] = value
                except InvalidInput as error:
                    problem(source, where, error.message, value=raw)
                    record[column] = None
                    bad = bad or set()
                    bad.add(column)
            for column, parts, (parse, cache) in composed:
                pieces = [row[i].strip() if i < size else "" for i in parts]
                raw = COMPOSE_SEPARATOR.join(pieces) if any(pieces) else ""
                try:
                    value = cache.get(raw, _MISSING)
                    if value is _MISSING:
                        value = parse(raw)
                    elif value.__class__ is InvalidInput:
                        raise InvalidInput(value.message, hint=value.hint)
                    record[column] = value
                except InvalidInput as error:
                    problem(source, where, error.message, value=raw)
                    record[column] = None
                    bad = bad or set()
                    bad.add(column)
            if bad:
                record["_bad"] = bad
            return record

        return checked

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
            self.problem(
                source,
                where,
                _("{what} is repeated (first on line {line})").format(what=what, line=seen[key]),
            )
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
            label = head.labels[column]
            self.problem(
                source, where, _("{column}: empty").format(column=label), column=label, value=""
            )
        return False

    def _parser(self, kind: str, label: str) -> tuple[Callable[[str], Any], dict[str, Any]]:
        """The parser of one column's cells (an empty cell is None) and its cache (the
        value, or the InvalidInput, of each text parsed so far; kept for the kinds whose
        values repeat): look a text up in the cache first, parse it only if it is not there
        (which keeps it). A cached InvalidInput is raised anew by the caller."""
        read = self._reader(kind, label)
        cache: dict[str, Any] = {}
        if kind not in CACHED_KINDS:

            def parse_cell(raw: str) -> Any:
                return read(raw) if raw and not raw.isspace() else None

            return parse_cell, cache

        def parse(raw: str) -> Any:
            try:
                value = read(raw) if raw and not raw.isspace() else None
            except InvalidInput as error:
                value = error
            if len(cache) < CACHE_LIMIT:
                cache[raw] = value
            if value.__class__ is InvalidInput:
                raise InvalidInput(value.message, hint=value.hint)
            return value

        return parse, cache

    def _reader(self, kind: str, label: str) -> Callable[[str], Any]:
        """How a cell of this kind that is not empty is read."""
        imap = self.map
        # (closures rather than partials: a call of a partial with keywords merges them)
        if kind == "name":
            return lambda raw: clean_text(raw, field=label)
        if kind == "text":
            return lambda raw: clean_text(raw, field=label, max_len=TEXT_MAX, multiline=True)
        if kind == "key":
            return lambda raw: clean_text(raw, field=label, max_len=EXTERNAL_ID_MAX)
        if kind == "id":
            return lambda raw: cells.parse_id(raw, field=label)
        date_format = imap.date_format
        if kind == "date":
            return lambda raw: cells.parse_when(raw, field=label, date_format=date_format)[0]
        if kind == "when":
            return lambda raw: cells.parse_when(raw, field=label, date_format=date_format)
        if kind == "money":
            return lambda raw: parse_amount(raw, field=label)
        if kind == "signed_money":
            return lambda raw: cells.parse_signed_minor(raw, field=label)
        if kind == "decimal":
            decimal = imap.decimal
            return lambda raw: cells.parse_decimal(raw, field=label, decimal=decimal)
        if kind == "currency":
            return lambda raw: cells.parse_currency(raw, field=label)
        allowed, aliases = WORDS[kind]
        return lambda raw: cells.parse_word(raw, allowed=allowed, field=label, aliases=aliases)


def shown_header(names: list[str]) -> str:
    """A header as a message quotes it: printable, and not too long (a binary file's
    first line would be a screenful of noise)."""
    text = ", ".join(names)
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= HEADER_SHOWN else text[: HEADER_SHOWN - 1] + "…"


def summarize(
    problems: list[Problem], limit: int
) -> tuple[list[Problem], list[tuple[str, int, Problem]]]:
    """(the problems to list, in file order: at most ``limit``, each kind among them;
    every kind with its count and its first problem, the most frequent first)."""
    counts: Counter[str] = Counter()
    first: dict[str, Problem] = {}
    by_kind: dict[str, list[Problem]] = {}
    for found in problems:
        kind = found.kind
        counts[kind] += 1
        first.setdefault(kind, found)
        by_kind.setdefault(kind, []).append(found)
    kinds = [(kind, n, first[kind]) for kind, n in counts.most_common()]
    if len(problems) <= limit:
        return problems, kinds
    chosen: set[int] = set()
    share = max(limit // max(len(by_kind), 1), 1)
    for kind, _n, _first in kinds:
        for found in by_kind[kind][:share]:
            if len(chosen) < limit:
                chosen.add(id(found))
    for found in problems:
        if len(chosen) >= limit:
            break
        chosen.add(id(found))
    return [p for p in problems if id(p) in chosen], kinds

"""The bookkeeping every import shares: the row checker, the planned writes and changes,
new ids, and lookups loaded once per import.

An :class:`Importer` holds a :class:`~povtor.domain.importing.RowChecker` (which reads and
checks the rows of a file and collects the problems) and the writes the planners of
:mod:`povtor.storage.transfer` plan. Only if no row has a problem does :meth:`apply` run
them, with ``executemany``, inside the caller's single transaction. No ORM objects and no
SQLAlchemy on this path. A large import into a small table writes its rows first and
builds the table's indexes afterwards (see :meth:`Importer.apply`).

A large file is not held as one plan: with ``writes="stream"`` the planned writes are run
every :data:`CHUNK_WRITES` of them, still inside the caller's one transaction, which the
caller rolls back if any row has a problem (nothing is written once one is found). A dry
run (``writes="drop"``) keeps none of them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from typing import Any, NamedTuple, TypeVar

from povtor.clock import Clock
from povtor.domain.importing import Problem, RowChecker
from povtor.domain.tabular import ImportMap
from povtor.i18n import _
from povtor.records import record
from povtor.storage.activity import refresh_activity
from povtor.storage.database import Database, db_datetime
from povtor.text import fold

T = TypeVar("T")

# the names of a file repeat; a bounded cache of them (a larger one only holds memory)
folded = functools.lru_cache(maxsize=1 << 12)(fold)

# An import that adds at least this many rows to a table, and more than it holds, drops
# the table's indexes and makes them again after the inserts: building an index from the
# finished table is faster than growing it row by row.
REINDEX_MIN_ROWS = 10_000
_INSERT = re.compile(r"INSERT (?:OR \w+ )?INTO (\w+)")
# SQLite's page cache (KiB) while a large import writes (one that makes indexes again):
# the rows it looks up as it goes (the clients of new deals, the unique keys) stay in
# memory rather than being read back from the file; the default is 2 MiB. (500,000 orders
# of one line each: a sixth fewer pages read back with 16 MiB, a fifth with 24 MiB, which
# takes 8 MiB more at the peak.)
IMPORT_CACHE_KIB = 16 * 1024
# Planned writes run (or, in a dry run, are let go) every this many, so that memory does
# not grow with the file.
CHUNK_WRITES = 20_000
# writes of touches and deals (what storage.activity derives from): the row's id is the
# first parameter of an insert or a delete, the last of an update
_HISTORY = re.compile(r"\s*(INSERT (?:OR \w+ )?INTO|UPDATE|DELETE FROM) (touch|deal)\b")
# the column list of an insert whose values are all parameters
_COLUMNS = re.compile(r"\s*INSERT INTO \w+ \(([^()]*)\) VALUES \((?:\?, )*\?\)\s*$")


def _history_ids(
    writes: Sequence[tuple[str, list[tuple[Any, ...]]]],
    told: set[str] | frozenset[str] = frozenset(),
) -> tuple[dict[str, list[int]], dict[str, list[int]], set[int]]:
    """The ids of the touches and deals that ``writes`` insert, update or delete: all of
    them but those whose client a plain insert gives, those that may be stored already
    (all but those of a plain insert), and the clients the plain inserts give. The
    statements of ``told`` are left out (their planner tells the clients itself)."""
    found: dict[str, list[int]] = {"touch": [], "deal": []}
    stored: dict[str, list[int]] = {"touch": [], "deal": []}
    clients: set[int] = set()
    for sql, params in writes:
        if sql in told:
            continue
        history = _HISTORY.match(sql)
        if history:
            action = history.group(1)
            if action == "INSERT INTO":
                at = _client_position(sql)
                if at is not None:
                    clients.update(row[at] for row in params)
                    continue
            ids = [row[-1 if action == "UPDATE" else 0] for row in params]
            found[history.group(2)] += ids
            if action != "INSERT INTO":
                stored[history.group(2)] += ids
    return found, stored, clients


@functools.cache
def _client_position(sql: str) -> int | None:
    """Where an insert's parameters give the row's client_id (None: they do not)."""
    columns = _COLUMNS.match(sql)
    if columns is None or "?" in columns.group(1):
        return None
    names = [name.strip() for name in columns.group(1).split(",")]
    return names.index("client_id") if "client_id" in names else None


# the stored columns an update lists, as the canonical files name them (None: not listed,
# it follows another: a client's search key is made from its name and company)
_SHOWN_COLUMNS: dict[str, str | None] = {
    "amount_minor": "amount",
    "funnel_id": "funnel",
    "stage_id": "stage",
    "search_key": None,
}


def shown_columns(changes: str) -> str:
    """``amount_minor, stage_id`` -> ``amount, stage``: what an update changed, in the
    canonical files' words."""
    shown = (_SHOWN_COLUMNS.get(c, c) for c in changes.split(", "))
    return ", ".join(c for c in shown if c is not None)


class Change(NamedTuple):
    """One planned change, for the dry-run listing."""

    table: str
    action: str  # create | update | remove | skip
    id: int | None
    record: str
    where: str
    changes: str = ""


@record
class Index:
    """Existing (and planned) rows of one table: stored values by id, ids by key."""

    columns: tuple[str, ...]
    rows: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    by_ext: dict[str, int] = field(default_factory=dict)
    by_name: dict[Any, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_company: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def value(self, row_id: int, column: str) -> Any:
        return self.rows[row_id][self.columns.index(column)]


@functools.cache
def insert_sql(table: str, columns: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in range(len(columns) + 1))
    return f"INSERT INTO {table} (id, {', '.join(columns)}) VALUES ({marks})"


@functools.cache
def update_sql(table: str, columns: Sequence[str]) -> str:
    return f"UPDATE {table} SET {', '.join(c + ' = ?' for c in columns)} WHERE id = ?"


class Importer:
    """Plans the writes of one or more import files; :meth:`apply` runs them."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        imap: ImportMap | None = None,
        *,
        listing: bool = True,
        writes: str = "keep",
    ) -> None:
        self.db = db
        self.clock = clock
        self.check = RowChecker(imap)
        self.listing = listing  # keep each change for a listing (a dry run), or only count
        # keep: every planned write until apply(); stream: run them in chunks as they are
        # planned (inside the caller's transaction); drop: let them go (a dry run)
        self.writes = writes
        self.changes: list[Change] = []
        self.counts: Counter[tuple[str, str]] = Counter()
        self._ops: list[tuple[str, list[tuple[Any, ...]]]] = []
        self._pending = 0  # planned writes in _ops
        self._last: dict[str, list[tuple[Any, ...]]] = {}  # written after every other op
        # statements of _last that may run with the other writes (no later file of the
        # import replaces them); set by plan_all
        self.early_last: frozenset[str] = frozenset()
        self.more_files = True  # whether files planned later may look up this one's records
        self._rebuilt: list[tuple[str, str]] = []  # indexes dropped, made again at the end
        self._cache: int | None = None  # SQLite's cache_size before a large import raised it
        self._before: dict[str, int] = {}  # rows a table held before the import wrote to it
        self._added: Counter[str] = Counter()  # rows the import added to each table so far
        self._active: set[int] = set()  # clients whose touches or deals the writes changed
        self._history = False  # whether the writes changed any touch or deal
        self._moments: dict[tuple[dt.date, dt.time | None], str] = {}
        self._noons: dict[str, str] = {}
        self._days: dict[dt.date, str] = {}
        self._next_id: dict[str, int] = {}
        self._shared: dict[Callable[[Importer], Any], Any] = {}
        # INSERT ... SELECT statements: how many rows a run of one adds, by its parameters
        self.rows_of: dict[str, Callable[[tuple[Any, ...]], int]] = {}
        # statements that write deals or touches whose clients their planner tells
        # (see history_of), rather than the parameters giving them
        self.told_history: set[str] = set()

    # -- what the checker found --------------------------------------------------------
    @property
    def map(self) -> ImportMap:
        return self.check.map

    @property
    def problems(self) -> list[str]:
        return self.check.problems

    @property
    def found(self) -> list[Problem]:
        return self.check.found

    @property
    def notes(self) -> list[str]:
        return self.check.notes

    @property
    def tick(self) -> Callable[[int], None]:
        """Told how many rows were checked, then how many writes were run (a progress bar)."""
        return self.check.tick

    @tick.setter
    def tick(self, advance: Callable[[int], None]) -> None:
        self.check.tick = advance

    # -- planned writes ------------------------------------------------------------------
    def op(self, sql: str, params: tuple[Any, ...]) -> None:
        """Plan one write (consecutive writes of the same statement run as one batch)."""
        ops = self._ops
        if ops and ops[-1][0] == sql:
            ops[-1][1].append(params)
        else:
            ops.append((sql, [params]))
        self._pending += 1
        if self._pending >= CHUNK_WRITES and self.writes != "keep":
            self._flush()

    def ops(self, sql: str, params: list[tuple[Any, ...]]) -> None:
        """Plan many writes of one statement at once (``params`` is taken, not copied)."""
        if not params:
            return
        ops = self._ops
        if ops and ops[-1][0] == sql:
            ops[-1][1].extend(params)
        else:
            ops.append((sql, params))
        self._pending += len(params)
        if self._pending >= CHUNK_WRITES and self.writes != "keep":
            self._flush()

    def history_of(self, clients: Iterable[int]) -> None:
        """The deals or touches of ``clients`` are changed by planned writes of a statement
        of :attr:`told_history`: their activity is brought up to date at the end."""
        self._history = True
        self._active.update(clients)

    def flush(self) -> None:
        """Run (or let go) the writes planned so far now, unless they are kept for
        :meth:`apply`: a planner that makes many rows at once keeps few in memory."""
        if self.writes != "keep" and self._pending:
            self._flush()

    def _flush(self) -> None:
        """Run (or let go) the writes planned so far, but those of _last that must wait."""
        writes = self._ops
        early = [(sql, self._last[sql]) for sql in self.early_last if self._last.get(sql)]
        if self.writes == "stream" and not self.check.failed:
            self._write([*writes, *early])
        self._ops = []
        self._pending = 0
        for _sql, params in early:
            params.clear()

    def last(self, sql: str) -> list[tuple[Any, ...]]:
        """The parameters of ``sql``, run after every other write (append to plan one)."""
        return self._last.setdefault(sql, [])

    def record(self, change: Change) -> None:
        self.counts[(change.table, change.action)] += 1
        if self.listing:
            if change.changes:  # (the columns as the canonical files name them)
                change = change._replace(changes=shown_columns(change.changes))
            self.changes.append(change)

    def _next(self, table: str) -> int:
        if table not in self._next_id:
            top = self.db.scalar(f"SELECT MAX(id) FROM {table}") or 0
            # (above an id given once already, where the table never gives one twice)
            if self.db.engine == "sqlite":
                given = self.db.scalar("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,))
            else:
                given = self.db.scalar(
                    "SELECT pg_sequence_last_value(pg_get_serial_sequence(?, 'id')::regclass)",
                    (table,),
                )
            self._next_id[table] = max(top, given or 0) + 1
        return self._next_id[table]

    def new_id(self, table: str) -> int:
        """An id for a new record: above every stored, planned and reserved one."""
        value = self._next(table)
        self._next_id[table] = value + 1
        return value

    def new_ids(self, table: str, count: int) -> int:
        """The first of ``count`` consecutive ids for new records."""
        value = self._next(table)
        self._next_id[table] = value + count
        return value

    def reserve(self, table: str, ids: Sequence[int]) -> None:
        """Ids given in a file are kept: new records get ids above them."""
        if ids:
            self._next_id[table] = max(self._next(table), max(ids) + 1)

    def apply(self) -> None:
        """Run the planned writes (inside the caller's transaction); a table that gets
        many new rows has its indexes made again after them (see REINDEX_MIN_ROWS)."""
        self._write([*self._ops, *self._last.items()], tick=True)
        self._ops, self._pending, self._last = [], 0, {}
        for _name, sql in self._rebuilt:
            self.db.execute(sql)
        self._rebuilt = []
        if self._cache is not None:
            self.db.execute(f"PRAGMA cache_size = {self._cache}")
            self._cache = None
        if self._history:
            # the activity of every client whose touches or deals changed: once, set-based
            refresh_activity(self.db, self._active)
            self._active, self._history = set(), False

    def _write(
        self, planned: list[tuple[str, list[tuple[Any, ...]]]], *, tick: bool = False
    ) -> None:
        """Run writes; once a table has got many new rows (more than it held), its indexes
        are dropped, to be made again by :meth:`apply`."""
        writes = [(sql, params) for sql, params in planned if params]
        added = self._added
        for sql, params in writes:
            inserted = _INSERT.match(sql)
            if inserted:
                table = inserted.group(1)
                if table not in self._before:
                    self._before[table] = self._count(table)
                rows_of = self.rows_of.get(sql)
                added[table] += sum(map(rows_of, params)) if rows_of else len(params)
        for table, count in added.items():
            before = self._before[table]
            if before >= 0 and count >= REINDEX_MIN_ROWS and count > before:
                self._before[table] = -1  # its indexes are dropped once
                indexes = self.db.tuples(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                    (table,),
                )
                for name, sql in indexes:
                    self.db.execute(f'DROP INDEX "{name}"')
                    self._rebuilt.append((name, sql))
                self._large_cache()
        history, stored, given = _history_ids(writes, self.told_history)
        if history["touch"] or history["deal"] or given:
            self._history = True
            self._active |= given
        if stored["touch"] or stored["deal"]:
            self._active |= self._clients_of(stored)  # (an update may move a row elsewhere)
        for sql, params in writes:
            self.db.executemany(sql, params)
            if tick:
                self.tick(len(params))
        if history["touch"] or history["deal"]:
            self._active |= self._clients_of(history)

    def _large_cache(self) -> None:
        """Raise SQLite's page cache to IMPORT_CACHE_KIB for the rest of the import (once;
        :meth:`apply` puts the size back)."""
        if self._cache is not None or self.db.engine != "sqlite":
            return
        size = int(self.db.scalar("PRAGMA cache_size") or 0)
        kib = -size if size < 0 else size * int(self.db.scalar("PRAGMA page_size") or 0) // 1024
        if kib < IMPORT_CACHE_KIB:
            self._cache = size
            self.db.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")

    def _clients_of(self, history: dict[str, list[int]]) -> set[int]:
        return {
            client_id
            for table in ("touch", "deal")
            if history[table]
            for (client_id,) in self.db.tuples(
                f"SELECT client_id FROM {table} WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(history[table]),),
            )
        }

    def _count(self, table: str) -> int:
        return int(self.db.scalar(f"SELECT COUNT(*) FROM {table}") or 0)

    @property
    def write_count(self) -> int:
        return sum(len(p) for _, p in self._ops) + sum(len(p) for p in self._last.values())

    # -- shared lookups ------------------------------------------------------------------
    def shared(self, load: Callable[[Importer], T]) -> T:
        """What ``load`` returns, loaded on first use and then kept for the whole import
        (the stored rows of a table, to which the planners add the planned ones)."""
        try:
            return self._shared[load]
        except KeyError:
            value = self._shared[load] = load(self)
            return value

    def let_go(self, load: Callable[[Importer], Any]) -> None:
        """Forget what ``load`` loaded (no later file of the import looks it up)."""
        self._shared.pop(load, None)

    def day_text(self, day: dt.date) -> str:
        """A date as ISO text, one string a day for the whole import."""
        try:
            return self._days[day]
        except KeyError:
            value = self._days[day] = day.isoformat()
            return value

    def noon(self, day: str) -> str:
        """The stored timestamp of a local date (ISO text) when the time is unknown."""
        try:
            return self._noons[day]
        except KeyError:
            value = self._noons[day] = self.moment(dt.date.fromisoformat(day), None)
            return value

    def moment(self, day: dt.date, time: dt.time | None) -> str:
        """A stored timestamp for a local date (noon when the time is unknown)."""
        key = (day, time)
        if key not in self._moments:
            local = dt.datetime.combine(day, time or dt.time(12, 0), tzinfo=self.clock.tz)
            self._moments[key] = db_datetime(local.astimezone(dt.UTC).replace(tzinfo=None))
        return self._moments[key]

    def upsert(
        self,
        kind: str,
        sql_table: str,
        columns: tuple[str, ...],
        existing: dict[int, tuple[Any, ...]],
        found: int | None,
        values: tuple[Any, ...],
        shown: str,
        label: str,
        *,
        row_id: int | None = None,
    ) -> int:
        """Update the row ``found`` (if anything changed) or insert a new one; its id."""
        if found is not None:
            old = existing[found]
            changed = [c for c, a, b in zip(columns, old, values, strict=True) if a != b]
            if not changed:
                self.counts[(kind, "unchanged")] += 1
                return found
            self.op(update_sql(sql_table, columns), (*values, found))
            existing[found] = values
            self.record(Change(kind, "update", found, shown, label, ", ".join(changed)))
            return found
        new_id = row_id or self.new_id(sql_table)
        existing[new_id] = values
        self.op(insert_sql(sql_table, columns), (new_id, *values))
        self.record(Change(kind, "create", new_id, shown, label))
        return new_id


def unshared(text: str) -> str:
    """A text to write that is kept in memory too: sqlite3 keeps the UTF-8 form of a
    written text with it for as long as the text lives (twice its memory for Cyrillic);
    a copy of it, let go once written, takes that form along."""
    return text if text.isascii() else text.encode().decode()


def explicit(rec: dict[str, Any]) -> tuple[str, Any] | None:
    """The key a row gives itself: its external_id, else its id."""
    if rec.get("external_id"):
        return ("external_id", rec["external_id"])
    if rec.get("id"):
        return ("id", rec["id"])
    return None


def stored(value: Any) -> Any:
    """A parsed value as SQLite keeps it (dates as ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def shorten(text: str) -> str:
    """A record's text as the dry-run listing shows it: at most 60 characters."""
    return text if len(text) <= 60 else text[:59] + "…"


def in_future(
    imp: Importer,
    rec: dict[str, Any],
    head: Any,
    source: str,
    where: int | str,
    columns: Sequence[str],
) -> bool:
    """Whether a date of ``columns`` in the row is after today: an event that has not
    happened yet (a purchase, a client's first day, a birthday) is a problem."""
    today = imp.clock.today
    found = False
    for column in columns:
        value = rec.get(column)
        if value is None:
            continue
        if isinstance(value, tuple):  # a "when" cell: (date, time or None)
            value = value[0]
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(day, dt.date) and day > today:
            label = head.labels.get(column, column)
            imp.check.problem(
                source,
                where,
                _("{label}: {day} is in the future (today is {today})").format(
                    label=label, day=day.isoformat(), today=today.isoformat()
                ),
                column=label,
                value=day.isoformat(),
            )
            found = True
    return found

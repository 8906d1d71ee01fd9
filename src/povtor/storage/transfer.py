"""Export every table in povtor's canonical format, and import files into the database.

Export runs plain SQL and returns a :class:`~povtor.output.Listing`, so csv, tsv,
json and jsonl come from the one output path. Import (:class:`Importer`) reads the
rows of a file (:mod:`povtor.domain.tabular`), checks every cell, matches each row
to an existing record or plans a new one, and collects the writes; only if no row
has a problem are the writes run, with ``executemany``, inside the caller's single
transaction. No ORM objects and no SQLAlchemy on this path: 100 000 order lines
take a few seconds.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from povtor.clock import Clock
from povtor.domain.formats import (
    CLIENT_ANY,
    TABLES,
    client_key,
    row_key,
)
from povtor.domain.importing import Header, RowChecker
from povtor.domain.orders import Order, OrderBook, line_amount, order_status
from povtor.domain.tabular import ImportMap, RawTable
from povtor.errors import InvalidInput
from povtor.output import Column, Listing
from povtor.parsing import format_money
from povtor.storage.database import Database, db_datetime, to_datetime
from povtor.storage.queries import search_key
from povtor.text import fold

_EXPORT_SQL = {
    "clients": """SELECT id, name, company, category, industry, source, phone, email, address,
                         notes, status, created_on, external_id, category_source
                  FROM client ORDER BY id""",
    "people": "SELECT id, client_id, name, role, phone, email, birthday FROM person ORDER BY id",
    "facts": "SELECT id, client_id, topic, text, noted_on FROM fact ORDER BY id",
    "deals": """SELECT d.id, d.client_id, f.code, s.code, d.title, d.amount_minor, d.currency,
                       d.status, d.opened_on, d.stage_entered_on, d.expected_on, d.closed_on,
                       d.lost_reason, d.follow_up_on, d.external_id
                FROM deal d JOIN funnel f ON f.id = d.funnel_id JOIN stage s ON s.id = d.stage_id
                ORDER BY d.id""",
    "stage-history": """SELECT h.id, h.deal_id, h.event, fs.code, ts.code, h.at, h.on_date,
                               h.reason
                        FROM stage_change h
                        LEFT JOIN stage fs ON fs.id = h.from_stage_id
                        LEFT JOIN stage ts ON ts.id = h.to_stage_id
                        ORDER BY h.id""",
    "touches": """SELECT t.id, t.client_id, t.deal_id,
                         CASE WHEN s.id IS NULL THEN NULL WHEN t.deal_id IS NULL
                              THEN f.code || '/' || s.code ELSE s.code END,
                         t.at, t.on_date, t.kind, t.channel, t.outcome, t.reason,
                         t.follow_up_on, t.text, t.external_id, t.answer
                  FROM touch t LEFT JOIN stage s ON s.id = t.stage_id
                  LEFT JOIN funnel f ON f.id = s.funnel_id
                  ORDER BY t.id""",
}


def export_listing(db: Database, table: str) -> Listing:
    """All rows of one table in the canonical format, ordered by id."""
    spec = TABLES[table]
    kinds = [kind for _, kind in spec]
    rows = []
    for row in db.rows(_EXPORT_SQL[table]):
        rows.append([_export_value(kind, value) for kind, value in zip(kinds, row, strict=True)])
    return Listing(
        columns=[Column(name, name, kind) for name, kind in spec],
        rows=rows,
        title=table,
        empty_message=f"no {table}",
    )


def _export_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return to_datetime(value).isoformat()  # type: ignore[union-attr]
    if kind == "date":
        return str(value)[:10]
    return value


_fold = functools.lru_cache(maxsize=1 << 16)(fold)


@dataclass(frozen=True)
class Change:
    """One planned change, for the dry-run listing."""

    table: str
    action: str  # create | update | remove | skip
    id: int | None
    record: str
    where: str
    changes: str = ""


@dataclass
class _Index:
    """Existing (and planned) rows of one table: stored values by id, ids by key."""

    columns: tuple[str, ...]
    rows: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    by_ext: dict[str, int] = field(default_factory=dict)
    by_name: dict[Any, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_company: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def value(self, row_id: int, column: str) -> Any:
        return self.rows[row_id][self.columns.index(column)]


# (external_id last: the index reads it as values[-1])
CLIENT_COLUMNS = (
    "name", "search_key", "company", "category", "industry", "source", "phone", "email",
    "address", "notes", "status", "created_on", "category_source", "external_id",
)  # fmt: skip
DEAL_COLUMNS = (
    "client_id", "funnel_id", "stage_id", "title", "amount_minor", "currency", "status",
    "opened_on", "stage_entered_on", "expected_on", "closed_on", "lost_reason", "follow_up_on",
    "external_id",
)  # fmt: skip
PERSON_COLUMNS = ("client_id", "name", "role", "phone", "email", "birthday")
FACT_COLUMNS = ("client_id", "topic", "text", "noted_on")
TOUCH_COLUMNS = (
    "client_id", "deal_id", "stage_id", "at", "on_date", "kind", "channel", "outcome", "reason",
    "follow_up_on", "text", "external_id", "answer",
)  # fmt: skip
HISTORY_COLUMNS = ("deal_id", "event", "from_stage_id", "to_stage_id", "at", "on_date", "reason")


@functools.cache
def _insert_sql(table: str, columns: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in range(len(columns) + 1))
    return f"INSERT INTO {table} (id, {', '.join(columns)}) VALUES ({marks})"


@functools.cache
def _update_sql(table: str, columns: Sequence[str]) -> str:
    return f"UPDATE {table} SET {', '.join(c + ' = ?' for c in columns)} WHERE id = ?"


class Importer(RowChecker):
    """Plans the writes of one or more import files; :meth:`apply` runs them."""

    def __init__(self, db: Database, clock: Clock, imap: ImportMap | None = None) -> None:
        super().__init__(imap)
        self.db = db
        self.clock = clock
        self.changes: list[Change] = []
        self.counts: Counter[tuple[str, str]] = Counter()
        self._ops: list[tuple[str, list[tuple[Any, ...]]]] = []
        self._pending_history: list[tuple[Any, ...]] = []  # synthesized, written last
        self._moments: dict[tuple[dt.date, dt.time | None], str] = {}
        self._next_id: dict[str, int] = {}
        self._clients: _Index | None = None
        self._deals: _Index | None = None
        self._planned_history: dict[int, int] = {}  # planned stage_change id -> deal id
        self._catalog: dict[str, tuple[int, str]] | None = None  # product key -> (id, name)
        self._linked: Counter[str] = Counter()  # catalog products put in orders' deals
        funnels = db.rows("SELECT id, code, name FROM funnel ORDER BY id")
        self._funnels = {r["code"]: r["id"] for r in funnels}
        self._funnel_codes = {v: k for k, v in self._funnels.items()}
        self._funnel_keys = {_fold(r[c]): r["id"] for r in funnels for c in ("name", "code")}
        self._stages: dict[int, list[Any]] = defaultdict(list)
        self._stage_cache: dict[tuple[int | None, str], Any] = {}
        for row in db.rows(
            "SELECT id, funnel_id, code, name, position, is_won FROM stage ORDER BY position"
        ):
            self._stages[row["funnel_id"]].append(row)

    # -- bookkeeping ---------------------------------------------------------------
    def _op(self, sql: str, params: tuple[Any, ...]) -> None:
        if self._ops and self._ops[-1][0] == sql:
            self._ops[-1][1].append(params)
        else:
            self._ops.append((sql, [params]))

    def _record(self, change: Change) -> None:
        self.counts[(change.table, change.action)] += 1
        self.changes.append(change)

    def _next(self, table: str) -> int:
        if table not in self._next_id:
            self._next_id[table] = (self.db.scalar(f"SELECT MAX(id) FROM {table}") or 0) + 1
        return self._next_id[table]

    def _new_id(self, table: str) -> int:
        """An id for a new record: above every stored, planned and reserved one."""
        value = self._next(table)
        self._next_id[table] = value + 1
        return value

    def _reserve(self, table: str, ids: Sequence[int]) -> None:
        """Ids given in a file are kept: new records get ids above them."""
        if ids:
            self._next_id[table] = max(self._next(table), max(ids) + 1)

    def apply(self) -> None:
        """Run the planned writes (inside the caller's transaction)."""
        for sql, params in self._ops:
            self.db.executemany(sql, params)
            self.tick(len(params))
        if self._pending_history:
            self.db.executemany(_insert_sql("stage_change", HISTORY_COLUMNS), self._pending_history)
            self.tick(len(self._pending_history))

    @property
    def write_count(self) -> int:
        return sum(len(p) for _, p in self._ops) + len(self._pending_history)

    # -- shared lookups ------------------------------------------------------------------
    @property
    def clients(self) -> _Index:
        if self._clients is None:
            index = _Index(CLIENT_COLUMNS)
            for row in self.db.rows(f"SELECT id, {', '.join(CLIENT_COLUMNS)} FROM client"):
                values = tuple(row)[1:]
                self._index_client(index, row["id"], values)
            self._clients = index
        return self._clients

    @staticmethod
    def _index_client(index: _Index, client_id: int, values: tuple[Any, ...]) -> None:
        index.rows[client_id] = values
        name_key, _, company_key = values[1].partition("\n")
        index.by_name[name_key].append(client_id)
        if company_key:
            index.by_company[company_key].append(client_id)
        if values[-1]:
            index.by_ext[values[-1]] = client_id

    @property
    def deals(self) -> _Index:
        if self._deals is None:
            index = _Index(DEAL_COLUMNS)
            for row in self.db.rows(f"SELECT id, {', '.join(DEAL_COLUMNS)} FROM deal"):
                index.rows[row["id"]] = tuple(row)[1:]
                if row["external_id"]:
                    index.by_ext[row["external_id"]] = row["id"]
            self._deals = index
        return self._deals

    def funnel_id(self, code: str | None, source: str, where: int | str, label: str) -> int | None:
        code = code or self.map.funnel or "repeat"
        funnel_id = self._funnel_keys.get(_fold(code).strip())
        if funnel_id is not None:
            return funnel_id
        self.problem(
            source, where, f"{label}: {code!r} is not a funnel ({', '.join(self._funnels)})"
        )
        return None

    def stage(
        self, funnel_id: int | None, value: str, source: str, where: int | str, label: str
    ) -> Any | None:
        """A stage by code or name in the funnel; ``funnel/stage`` names the funnel too."""
        asked = (funnel_id, value)
        known = self._stage_cache.get(asked)
        if known is not None:
            return known
        prefix, slash, rest = value.partition("/")
        named = self._funnels.get(prefix.strip().lower()) if slash else None
        if named is not None:
            if funnel_id is not None and named != funnel_id:
                self.problem(source, where, f"{label}: {value!r} is not in the deal's funnel")
                return None
            funnel_id, value = named, rest
        candidates = (
            self._stages.get(funnel_id, [])
            if funnel_id is not None
            else [s for rows in self._stages.values() for s in rows]
        )
        key = _fold(value.strip())
        found = [s for s in candidates if key in (_fold(s["code"]), _fold(s["name"]))]
        if len(found) == 1:
            self._stage_cache[asked] = found[0]
            return found[0]
        if found:
            self.problem(
                source, where, f"{label}: {value!r} is in several funnels; write funnel/stage"
            )
            return None
        if funnel_id is not None:
            codes = ", ".join(s["code"] for s in candidates)
            what = f"a stage of funnel {self._funnel_codes[funnel_id]} ({codes})"
        else:
            what = "a stage (see povtor funnel list)"
        self.problem(
            source,
            where,
            f"{label}: {value!r} is not {what}; map yours in [stages] of a --map file",
        )
        return None

    def first_stage(self, funnel_id: int) -> Any:
        return self._stages[funnel_id][0]

    def won_stage(self, funnel_id: int) -> Any:
        return next(s for s in self._stages[funnel_id] if s["is_won"])

    def moment(self, day: dt.date, time: dt.time | None) -> str:
        """A stored timestamp for a local date (noon when the time is unknown)."""
        key = (day, time)
        if key not in self._moments:
            local = dt.datetime.combine(day, time or dt.time(12, 0), tzinfo=self.clock.tz)
            self._moments[key] = db_datetime(local.astimezone(dt.UTC).replace(tzinfo=None))
        return self._moments[key]

    # -- clients -------------------------------------------------------------------
    def _create_client(
        self, name: str, external_id: str | None, created_on: dt.date, source: str, where: Any
    ) -> int:
        index = self.clients
        client_id = self._new_id("client")
        values = (
            name, search_key(name, None), None, None, None, None, None, None, None, None,
            "active", created_on.isoformat(), None, external_id,
        )  # fmt: skip
        self._index_client(index, client_id, values)
        self._op(_insert_sql("client", CLIENT_COLUMNS), (client_id, *values))
        self._record(Change("clients", "create", client_id, name, f"{source}:{where}"))
        return client_id

    def client_ref(
        self,
        record: dict[str, Any],
        head: Header,
        source: str,
        where: int | str,
        *,
        created_on: dt.date,
        name_column: str = "client",
        ext_column: str = "client_external_id",
    ) -> int | None:
        """The client a row names: by povtor id, external id or name (created if new)."""
        index = self.clients
        labels = {c: head.labels.get(c, c) for c in ("client_id", name_column, ext_column)}
        client_id = record.get("client_id")
        if client_id is not None:
            if client_id not in index.rows:
                self.problem(
                    source,
                    where,
                    f"{labels['client_id']}: no client #{client_id} (import clients first)",
                )
                return None
            return client_id
        ext = record.get(ext_column)
        name = record.get(name_column)
        if ext and ext in index.by_ext:
            return index.by_ext[ext]
        if not name:
            if ext:
                self.problem(
                    source,
                    where,
                    f"{labels[ext_column]}: no client has external id {ext!r}; add the "
                    "client's name in a client column to create it",
                )
            else:
                self.problem(source, where, "no client: the client cell is empty")
            return None
        derived = client_key(name)
        if not ext and derived in index.by_ext:
            return index.by_ext[derived]
        ids = self._by_name(name, linkable=bool(ext), company=True)
        if len(ids) > 1:
            listed = ", ".join(f"#{i}" for i in sorted(ids)[:5])
            self.problem(
                source,
                where,
                f"{labels[name_column]}: {len(ids)} clients are called {name!r} ({listed}); "
                "name the client by id or external id",
            )
            return None
        if ids:
            found = ids[0]
            if ext:
                self._set_client_ext(found, ext, source, where)
            return found
        return self._create_client(name, ext or derived, created_on, source, where)

    def _by_name(self, name: str, *, linkable: bool, company: bool) -> list[int]:
        """Clients called ``name`` (by name, else by company); with ``linkable``, only those
        that have no external id of their own yet (one known by its name only counts)."""
        index = self.clients
        key = _fold(name)
        ids = index.by_name.get(key) or (index.by_company.get(key) if company else None) or []
        if linkable:
            ids = [
                i
                for i in ids
                if not index.value(i, "external_id")
                or str(index.value(i, "external_id")).startswith("name:")
            ]
        return ids

    def _set_client_ext(self, client_id: int, ext: str, source: str, where: Any) -> None:
        index = self.clients
        values = list(index.rows[client_id])
        if values[-1]:
            index.by_ext.pop(values[-1], None)
        values[-1] = ext
        index.rows[client_id] = tuple(values)
        index.by_ext[ext] = client_id
        self._op("UPDATE client SET external_id = ? WHERE id = ?", (ext, client_id))
        self._record(
            Change("clients", "update", client_id, values[0], f"{source}:{where}", "external_id")
        )

    def plan_clients(self, table: RawTable) -> None:
        head = self.header(table, "clients")
        if head is None:
            return
        index = self.clients
        rows = list(self.rows(table, "clients", head))
        self._reserve("client", [r["id"] for _, r in rows if r.get("id")])
        seen: dict[Any, int | str] = {}
        today = self.clock.today.isoformat()
        present = set(head.index)
        for where, rec in rows:
            ext, row_id, name = rec.get("external_id"), rec.get("id"), rec.get("name")
            if not self.need(rec, head, table.source, where, "name"):
                continue
            key = _explicit(rec) or ("name", _fold(name))
            if self.repeated(seen, key, table.source, where):
                continue
            found = index.by_ext.get(ext) if ext else None
            if found is not None and row_id is not None and row_id != found:
                self.problem(
                    table.source,
                    where,
                    f"id {row_id} does not match: external id {ext!r} is client #{found}",
                )
                continue
            if found is None and row_id is not None:
                found = row_id if row_id in index.rows else None
            if found is None and row_id is None:
                derived = client_key(name)
                found = None if ext else index.by_ext.get(derived)
                if found is None:
                    ids = self._by_name(name, linkable=bool(ext), company=False)
                    if len(ids) > 1:
                        self.problem(
                            table.source,
                            where,
                            f"{len(ids)} clients are called {name!r}; add an id or external_id",
                        )
                        continue
                    found = ids[0] if ids else None
                    if found is None and not ext:
                        rec["external_id"] = derived
            if "_bad" in rec:
                continue
            label = f"{table.source}:{where}"
            if found is not None:
                old = index.rows[found]
                new = dict(zip(CLIENT_COLUMNS, old, strict=True))
                keyed = _explicit(rec) is not None  # a row without a key keeps the stored one
                for column in CLIENT_COLUMNS:
                    if column in present and column in rec and (column != "external_id" or keyed):
                        new[column] = _stored(rec[column])
                if not keyed and _fold(new["name"]) == _fold(old[0]):
                    new["name"] = old[0]  # matched by its name: keep how povtor spells it
                if "status" in present and new["status"] is None:
                    new["status"] = "active"
                if "created_on" in present and new["created_on"] is None:
                    new["created_on"] = old[CLIENT_COLUMNS.index("created_on")]
                new["category_source"] = _category_source(
                    new["category"],
                    rec.get("category_source") if "category_source" in present else None,
                    before=(
                        old[CLIENT_COLUMNS.index("category")],
                        old[CLIENT_COLUMNS.index("category_source")],
                    ),
                )
                new["search_key"] = search_key(new["name"], new["company"])
                values = tuple(new[c] for c in CLIENT_COLUMNS)
                changed = [c for c, a, b in zip(CLIENT_COLUMNS, old, values, strict=True) if a != b]
                if not changed:
                    self.counts[("clients", "unchanged")] += 1
                    continue
                self._op(_update_sql("client", CLIENT_COLUMNS), (*values, found))
                self._reindex_client(found, old, values)
                self._record(Change("clients", "update", found, name, label, ", ".join(changed)))
                continue
            client_id = row_id or self._new_id("client")
            values = (
                name,
                search_key(name, rec.get("company")),
                rec.get("company"),
                rec.get("category"),
                rec.get("industry"),
                rec.get("source"),
                rec.get("phone"),
                rec.get("email"),
                rec.get("address"),
                rec.get("notes"),
                rec.get("status") or "active",
                _stored(rec.get("created_on")) or today,
                _category_source(rec.get("category"), rec.get("category_source")),
                rec.get("external_id"),
            )
            self._index_client(index, client_id, values)
            self._op(_insert_sql("client", CLIENT_COLUMNS), (client_id, *values))
            self._record(Change("clients", "create", client_id, name, label))

    def _reindex_client(self, client_id: int, old: tuple[Any, ...], new: tuple[Any, ...]) -> None:
        index = self.clients
        old_name, _, old_company = old[1].partition("\n")
        index.by_name[old_name].remove(client_id)
        if old_company:
            index.by_company[old_company].remove(client_id)
        if old[-1]:
            index.by_ext.pop(old[-1], None)
        self._index_client(index, client_id, new)

    # -- people and facts -------------------------------------------------------------
    def plan_people(self, table: RawTable) -> None:
        self._plan_child(table, "people", "person", PERSON_COLUMNS, "name")

    def plan_facts(self, table: RawTable) -> None:
        self._plan_child(table, "facts", "fact", FACT_COLUMNS, "text")

    def _plan_child(
        self, table: RawTable, kind: str, sql_table: str, columns: tuple[str, ...], natural: str
    ) -> None:
        head = self.header(table, kind)
        if head is None:
            return
        existing: dict[int, tuple[Any, ...]] = {}
        by_natural: dict[tuple[int, str], int] = {}
        for row in self.db.rows(f"SELECT id, {', '.join(columns)} FROM {sql_table}"):
            existing[row["id"]] = tuple(row)[1:]
            by_natural[(row["client_id"], _fold(row[natural]))] = row["id"]
        rows = list(self.rows(table, kind, head))
        self._reserve(sql_table, [r["id"] for _, r in rows if r.get("id")])
        today = self.clock.today
        seen: dict[Any, int | str] = {}
        present = set(head.index) | {"client_id"}
        for where, rec in rows:
            text = rec.get(natural)
            row_id = rec.get("id")
            if self.repeated(seen, _explicit(rec), table.source, where):
                continue
            if not self.need(rec, head, table.source, where, natural):
                continue
            client_id = self.client_ref(rec, head, table.source, where, created_on=today)
            if client_id is None:
                continue
            rec["client_id"] = client_id
            if not row_id and self.repeated(
                seen,
                (natural, (client_id, _fold(text))),
                table.source,
                where,
                f"{natural} {text!r} of client #{client_id}",
            ):
                continue
            if "_bad" in rec:
                continue
            found = row_id if row_id in existing else None
            if row_id is None:
                found = by_natural.get((client_id, _fold(text)))
            label = f"{table.source}:{where}"
            shown = text if len(text) <= 60 else text[:59] + "…"
            if found is not None:
                old = existing[found]
                new = tuple(
                    _stored(rec.get(c)) if c in present else old[i] for i, c in enumerate(columns)
                )
                if kind == "facts" and new[columns.index("noted_on")] is None:
                    new = tuple(
                        old[i] if c == "noted_on" else v
                        for i, (c, v) in enumerate(zip(columns, new, strict=True))
                    )
                changed = [c for c, a, b in zip(columns, old, new, strict=True) if a != b]
                if not changed:
                    self.counts[(kind, "unchanged")] += 1
                    continue
                self._op(_update_sql(sql_table, columns), (*new, found))
                existing[found] = new
                self._record(Change(kind, "update", found, shown, label, ", ".join(changed)))
                continue
            new_id = row_id or self._new_id(sql_table)
            values = tuple(_stored(rec.get(c)) for c in columns)
            if kind == "facts" and values[-1] is None:
                values = (*values[:-1], today.isoformat())
            existing[new_id] = values
            by_natural[(client_id, _fold(text))] = new_id
            self._op(_insert_sql(sql_table, columns), (new_id, *values))
            self._record(Change(kind, "create", new_id, shown, label))

    # -- deals ---------------------------------------------------------------------------
    def plan_deals(self, table: RawTable) -> None:
        head = self.header(table, "deals")
        if head is None:
            return
        rows = list(self.rows(table, "deals", head))
        self._reserve("deal", [r["id"] for _, r in rows if r.get("id")])
        seen: dict[Any, int | str] = {}
        present = set(head.index)
        index = self.deals
        for where, rec in rows:
            source = table.source
            label = f"{source}:{where}"
            if self.repeated(seen, _explicit(rec), source, where):
                continue
            opened = rec.get("opened_on")
            self.need(rec, head, source, where, "opened_on")  # checked, and skipped below
            known = index.by_ext.get(rec.get("external_id") or "")
            if known is None and rec.get("id") in index.rows:
                known = rec["id"]
            if known is not None and "funnel" not in present:
                funnel_id = index.value(known, "funnel_id")  # a file without funnels keeps it
            else:
                funnel_id = self.funnel_id(
                    rec.get("funnel"), source, where, head.labels.get("funnel", "funnel")
                )
            stage_value = rec.get("stage")
            if not self.need(rec, head, source, where, "stage") or funnel_id is None:
                continue
            status = rec.get("status")
            if _fold(stage_value) == "lost":  # a mapped stage such as «Закрыто и не реализовано»
                stage, status = self.first_stage(funnel_id), status or "lost"
            else:
                stage = self.stage(funnel_id, stage_value, source, where, head.labels["stage"])
                if stage is None:
                    continue
                status = status or ("won" if stage["is_won"] else "open")
            if (status == "won") != bool(stage["is_won"]):
                self.problem(
                    source,
                    where,
                    f"{head.labels.get('status', 'status')}: {status!r} does not fit stage "
                    f"{stage['code']!r} (won deals, and only they, are at the paid stage)",
                )
                continue
            ext, row_id = rec.get("external_id"), rec.get("id")
            client_id = self.client_ref(
                rec, head, source, where, created_on=opened or self.clock.today
            )
            if client_id is None:
                continue
            if not ext and not row_id:
                who = rec.get("client") or rec.get("client_external_id") or client_id
                ext = row_key(who, self._funnel_codes[funnel_id], rec.get("title"), opened)
                what = "the same deal (client, funnel, title, opened_on)"
                if self.repeated(seen, ("deal", ext), source, where, what):
                    continue
            found = index.by_ext.get(ext) if ext else None
            if found is not None and row_id is not None and found != row_id:
                self.problem(
                    source,
                    where,
                    f"id {row_id} does not match: external id {ext!r} is deal #{found}",
                )
                continue
            if found is None and row_id is not None and row_id in index.rows:
                found = row_id
            if "_bad" in rec or opened is None:
                continue
            old = dict(zip(DEAL_COLUMNS, index.rows[found], strict=True)) if found else None

            def given(column: str, stored: str | None = None, _rec=rec, _old=old) -> Any:
                """The file's value if the file has the column, else the stored one."""
                if column in present:
                    return _stored(_rec.get(column))
                return _old[stored or column] if _old else None

            moved = old is None or (old["stage_id"], old["status"]) != (stage["id"], status)
            entered = _stored(rec.get("stage_entered_on"))
            closed = _stored(rec.get("closed_on"))
            if entered is None:
                if old is None:
                    entered = (closed if status == "won" else None) or opened.isoformat()
                elif not moved:
                    entered = old["stage_entered_on"]
                else:
                    entered = closed or self.clock.today.isoformat()
            if status == "open":
                closed = None
            elif closed is None:
                same = old is not None and old["status"] == status
                closed = old["closed_on"] if same else entered
            currency = given("currency") or self.map.currency or "RUB"
            values = {
                "client_id": client_id,
                "funnel_id": funnel_id,
                "stage_id": stage["id"],
                "title": given("title"),
                "amount_minor": given("amount", "amount_minor"),
                "currency": currency,
                "status": status,
                "opened_on": opened.isoformat(),
                "stage_entered_on": entered,
                "expected_on": given("expected_on"),
                "closed_on": closed,
                "lost_reason": given("lost_reason") if status == "lost" else None,
                "follow_up_on": given("follow_up_on") if status == "open" else None,
                "external_id": ext or given("external_id"),
            }
            shown = values["title"] or f"deal of client #{client_id}"
            self._upsert_deal(found, row_id, values, shown, label)

    def _upsert_deal(
        self,
        found: int | None,
        row_id: int | None,
        values: dict[str, Any],
        label: str,
        where: str,
        *,
        rebuild_history: bool = False,
    ) -> int:
        index = self.deals
        new = tuple(values[c] for c in DEAL_COLUMNS)
        if found is not None:
            old = index.rows[found]
            changed = [c for c, a, b in zip(DEAL_COLUMNS, old, new, strict=True) if a != b]
            if not changed:
                self.counts[("deals", "unchanged")] += 1
                return found
            self._op(_update_sql("deal", DEAL_COLUMNS), (*new, found))
            index.rows[found] = new
            if old[-1] and old[-1] != new[-1]:
                index.by_ext.pop(old[-1], None)
            if new[-1]:
                index.by_ext[new[-1]] = found
            self._record(Change("deals", "update", found, label, where, ", ".join(changed)))
            if rebuild_history:
                moved = {"stage_id", "status", "opened_on", "closed_on", "stage_entered_on"}
                if moved & set(changed):
                    self._op("DELETE FROM stage_change WHERE deal_id = ?", (found,))
                    self._synthesize_history(found, values)
            else:
                self._append_event(found, dict(zip(DEAL_COLUMNS, old, strict=True)), values)
            return found
        deal_id = row_id or self._new_id("deal")
        index.rows[deal_id] = new
        if values["external_id"]:
            index.by_ext[values["external_id"]] = deal_id
        self._op(_insert_sql("deal", DEAL_COLUMNS), (deal_id, *new))
        self._record(Change("deals", "create", deal_id, label, where))
        self._synthesize_history(deal_id, values)
        return deal_id

    def _history_op(
        self,
        deal_id: int,
        event: str,
        from_stage: int | None,
        to_stage: int | None,
        day: str,
        reason: str | None = None,
    ) -> None:
        history_id = self._new_id("stage_change")
        self._planned_history[history_id] = deal_id
        at = self.moment(dt.date.fromisoformat(day), None)
        self._pending_history.append(
            (history_id, deal_id, event, from_stage, to_stage, at, day, reason)
        )
        self.counts[("stage-history", "create")] += 1

    def _synthesize_history(self, deal_id: int, deal: dict[str, Any]) -> None:
        """The history of a deal that came without one: open (+ move) (+ win or lose)."""
        first = self.first_stage(deal["funnel_id"])["id"]
        stage, status = deal["stage_id"], deal["status"]
        opened, entered = deal["opened_on"], deal["stage_entered_on"]
        if status == "won":
            self._history_op(deal_id, "open", None, first, opened)
            self._history_op(deal_id, "win", first, stage, deal["closed_on"] or entered)
            return
        if stage != first and entered > opened:
            self._history_op(deal_id, "open", None, first, opened)
            self._history_op(deal_id, "move", first, stage, entered)
        else:
            self._history_op(deal_id, "open", None, stage, opened)
        if status == "lost":
            self._history_op(
                deal_id, "lose", stage, None, deal["closed_on"] or entered, deal["lost_reason"]
            )

    def _append_event(self, deal_id: int, old: dict[str, Any], new: dict[str, Any]) -> None:
        """A re-imported deal that changed stage or status gets the event in its history."""
        before, after = old["status"], new["status"]
        if after == "won" and before != "won":
            self._history_op(
                deal_id,
                "win",
                old["stage_id"],
                new["stage_id"],
                new["closed_on"] or new["stage_entered_on"],
            )
        elif after == "lost" and before != "lost":
            self._history_op(
                deal_id, "lose", old["stage_id"], None, new["closed_on"], new["lost_reason"]
            )
        elif after == "open" and before != "open":
            self._history_op(
                deal_id, "reopen", old["stage_id"], new["stage_id"], new["stage_entered_on"]
            )
        elif after == "open" and old["stage_id"] != new["stage_id"]:
            self._history_op(
                deal_id, "move", old["stage_id"], new["stage_id"], new["stage_entered_on"]
            )

    def deal_ref(
        self, record: dict[str, Any], head: Header, source: str, where: int | str
    ) -> int | None:
        index = self.deals
        deal_id = record.get("deal_id")
        if deal_id is not None:
            if deal_id not in index.rows:
                self.problem(
                    source,
                    where,
                    f"{head.labels['deal_id']}: no deal #{deal_id} (import deals first)",
                )
                return None
            return deal_id
        ext = record.get("deal_external_id")
        if ext:
            if ext not in index.by_ext:
                self.problem(
                    source,
                    where,
                    f"{head.labels['deal_external_id']}: no deal has external id {ext!r}",
                )
                return None
            return index.by_ext[ext]
        return None

    # -- stage history -------------------------------------------------------------------
    def plan_history(self, table: RawTable) -> None:
        """The file is the whole history of each deal it names: that history is replaced."""
        head = self.header(table, "stage-history")
        if head is None:
            return
        existing: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        owner: dict[int, int] = {}  # stage_change id -> deal id, stored and planned
        for row in self.db.rows(
            f"SELECT id, {', '.join(HISTORY_COLUMNS)} FROM stage_change ORDER BY id"
        ):
            existing[row["deal_id"]].append(tuple(row))
            owner[row["id"]] = row["deal_id"]
        owner.update(self._planned_history)
        planned: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        wanted_ids: dict[int, int | str] = {}
        source = table.source
        for where, rec in self.rows(table, "stage-history", head):
            deal_id = self.deal_ref(rec, head, source, where)
            if deal_id is None:
                if rec.get("deal_id") is None and rec.get("deal_external_id") is None:
                    self.problem(source, where, "no deal: the deal cell is empty")
                continue
            event = rec.get("event")
            if not self.need(rec, head, source, where, "event") or not self._dated(
                rec, source, where
            ):
                continue
            funnel_id = self.deals.value(deal_id, "funnel_id")
            stage_ids: list[int | None] = []
            for column in ("from_stage", "to_stage"):
                value = rec.get(column)
                stage = (
                    self.stage(funnel_id, value, source, where, head.labels[column])
                    if value
                    else None
                )
                stage_ids.append(stage["id"] if stage else None)
                if value and stage is None:
                    break
            else:
                if "_bad" in rec:
                    continue
                if event != "lose" and stage_ids[1] is None:
                    self.problem(source, where, f"a {event} event needs a to_stage")
                    continue
                row_id = rec.get("id")
                if row_id is not None:
                    if row_id in wanted_ids:
                        self.problem(
                            source,
                            where,
                            f"id {row_id} is repeated (first on {wanted_ids[row_id]})",
                        )
                        continue
                    wanted_ids[row_id] = where
                day, at = self._when(rec.get("at"), rec.get("on_date"))
                planned[deal_id].append(
                    (row_id, deal_id, event, *stage_ids, at, day, rec.get("reason"))
                )
        for deal_id in [d for d, rows in planned.items() if rows == existing.get(d)]:
            self.counts[("stage-history", "unchanged")] += len(planned.pop(deal_id))
        taken = {i for i, d in owner.items() if d not in planned}
        self._reserve("stage_change", [i for i in wanted_ids if i not in taken])
        for deal_id in planned:
            self._op("DELETE FROM stage_change WHERE deal_id = ?", (deal_id,))
            self.counts[("stage-history", "remove")] += len(existing.get(deal_id, ()))
        for history_id in [i for i, d in self._planned_history.items() if d in planned]:
            del self._planned_history[history_id]  # planned with its deal, replaced unwritten
        kept = [r for r in self._pending_history if r[1] not in planned]
        self.counts[("stage-history", "create")] -= len(self._pending_history) - len(kept)
        self._pending_history = kept
        for deal_id, rows in planned.items():
            for row in rows:
                free = row[0] is not None and row[0] not in taken
                history_id = row[0] if free else self._new_id("stage_change")
                self._planned_history[history_id] = deal_id
                self._op(_insert_sql("stage_change", HISTORY_COLUMNS), (history_id, *row[1:]))
                self.counts[("stage-history", "create")] += 1
            action = "update" if existing.get(deal_id) else "create"
            self.changes.append(
                Change(
                    "stage-history",
                    action,
                    deal_id,
                    f"history of deal #{deal_id}: {len(rows)} event(s)",
                    f"{source}",
                )
            )

    def _dated(self, rec: dict[str, Any], source: str, where: int | str) -> bool:
        if rec.get("at") is not None or rec.get("on_date") is not None:
            return True
        if not {"at", "on_date"} & rec.get("_bad", set()):
            self.problem(source, where, "no date: on_date and at are empty")
        return False

    def _when(
        self, at_value: tuple[dt.date, dt.time | None] | None, on_value: Any
    ) -> tuple[str, str]:
        """(on_date, stored at) from the at (UTC) and on_date (local) cells."""
        if at_value is not None:
            day, time = at_value
            if time is None:
                at = self.moment(day, None)
            else:
                at = db_datetime(dt.datetime.combine(day, time))
            if on_value is not None:
                return on_value[0].isoformat(), at
            local = self.clock.local_date(dt.datetime.fromisoformat(at))
            return local.isoformat(), at
        day, time = on_value
        return day.isoformat(), self.moment(day, time)

    # -- touches ----------------------------------------------------------------------
    def plan_touches(self, table: RawTable) -> None:
        head = self.header(table, "touches")
        if head is None:
            return
        existing: dict[int, tuple[Any, ...]] = {}
        by_ext: dict[str, int] = {}
        for row in self.db.rows(f"SELECT id, {', '.join(TOUCH_COLUMNS)} FROM touch"):
            existing[row["id"]] = tuple(row)[1:]
            if row["external_id"]:
                by_ext[row["external_id"]] = row["id"]
        rows = list(self.rows(table, "touches", head))
        self._reserve("touch", [r["id"] for _, r in rows if r.get("id")])
        seen: dict[Any, int | str] = {}
        present = set(head.index)
        for where, rec in rows:
            source = table.source
            if self.repeated(seen, _explicit(rec), source, where):
                continue
            if not self.need(rec, head, source, where, "kind") or not self._dated(
                rec, source, where
            ):
                continue
            day, at = self._when(rec.get("at"), rec.get("on_date"))
            deal_id = self.deal_ref(rec, head, source, where)
            if deal_id is None and (rec.get("deal_id") or rec.get("deal_external_id")):
                continue
            deal_client = self.deals.value(deal_id, "client_id") if deal_id else None
            if any(rec.get(c) for c in CLIENT_ANY):
                client_id = self.client_ref(
                    rec, head, source, where, created_on=dt.date.fromisoformat(day)
                )
                if client_id is None:
                    continue
                if deal_client is not None and client_id != deal_client:
                    self.problem(
                        source,
                        where,
                        f"deal #{deal_id} is client #{deal_client}'s, not client #{client_id}'s",
                    )
                    continue
            elif deal_client is not None:
                client_id = deal_client
            else:
                self.problem(source, where, "no client: give a client or a deal")
                continue
            stage_id = self.deals.value(deal_id, "stage_id") if deal_id else None
            if "stage" in present:
                stage_value = rec.get("stage")
                stage_id = None
                if stage_value:
                    funnel_id = self.deals.value(deal_id, "funnel_id") if deal_id else None
                    stage = self.stage(funnel_id, stage_value, source, where, head.labels["stage"])
                    if stage is None:
                        continue
                    stage_id = stage["id"]
            ext, row_id = rec.get("external_id"), rec.get("id")
            if not ext and not row_id:
                who = rec.get("client") or rec.get("client_external_id") or client_id
                deal_text = rec.get("deal_external_id") or deal_id
                ext = row_key(who, deal_text, at, rec["kind"], rec.get("channel"), rec.get("text"))
                what = "the same touch (client, deal, at, kind, channel, text)"
                if self.repeated(seen, ("touch", ext), source, where, what):
                    continue
            if "_bad" in rec:
                continue
            found = by_ext.get(ext) if ext else None
            if found is not None and row_id is not None and found != row_id:
                self.problem(
                    source,
                    where,
                    f"id {row_id} does not match: external id {ext!r} is touch #{found}",
                )
                continue
            if found is None and row_id in existing:
                found = row_id
            values = {
                "client_id": client_id,
                "deal_id": deal_id,
                "stage_id": stage_id,
                "at": at,
                "on_date": day,
                "kind": rec["kind"],
                "channel": rec.get("channel") or "other",
                "outcome": rec.get("outcome") or "pending",
                "reason": rec.get("reason"),
                "follow_up_on": _stored(rec.get("follow_up_on")),
                "text": rec.get("text"),
                "external_id": ext,
                "answer": rec.get("answer"),
            }
            if values["answer"] and values["kind"] != "service":
                self.problem(
                    source,
                    where,
                    f"{head.labels['answer']}: only a service touch has an answer "
                    f"(this one is {values['kind']})",
                )
                continue
            text = values["text"] or values["kind"]
            shown = text if len(text) <= 60 else text[:59] + "…"
            label = f"{source}:{where}"
            if found is not None:
                old = existing[found]
                given = present | {"client_id", "deal_id", "stage_id", "at", "on_date"}
                given |= {"external_id"} if ext else set()
                new = tuple(
                    values[c] if c in given else old[i] for i, c in enumerate(TOUCH_COLUMNS)
                )
                changed = [c for c, a, b in zip(TOUCH_COLUMNS, old, new, strict=True) if a != b]
                if not changed:
                    self.counts[("touches", "unchanged")] += 1
                    continue
                self._op(_update_sql("touch", TOUCH_COLUMNS), (*new, found))
                existing[found] = new
                self._record(Change("touches", "update", found, shown, label, ", ".join(changed)))
                continue
            touch_id = row_id or self._new_id("touch")
            new = tuple(values[c] for c in TOUCH_COLUMNS)
            existing[touch_id] = new
            if ext:
                by_ext[ext] = touch_id
            self._op(_insert_sql("touch", TOUCH_COLUMNS), (touch_id, *new))
            self._record(Change("touches", "create", touch_id, shown, label))

    # -- orders ---------------------------------------------------------------------
    def plan_orders(self, table: RawTable) -> None:
        """Orders (or order lines) -> paid deals in the repeat funnel; see domain.orders."""
        head = self.header(table, "orders")
        if head is None:
            return
        source = table.source
        if head.has("price") and not head.has("amount") and not head.has("quantity"):
            self.note(f"{source}: no quantity column; each line counts once at its price")
        book = OrderBook(default_currency=self.map.currency or "RUB")
        for where, rec in self.rows(table, "orders", head):
            if not self.need(rec, head, source, where, "order_id") or not self.need(
                rec, head, source, where, "date"
            ):
                continue
            if not rec.get("client") and not rec.get("client_code"):
                self.problem(source, where, "no client: the client cell is empty")
                continue
            line = self._order_line(rec, head, source, where)
            try:
                status = order_status(
                    rec.get("status"), self.map, label=head.labels.get("status", "status")
                )
            except InvalidInput as error:
                self.problem(source, where, error.message)
                continue
            if line is None:
                continue
            trouble = book.add(where, rec, line, status)
            if trouble:
                self.problem(source, where, trouble)
        funnel_id = self.funnel_id(None, source, 1, "funnel")
        if self.problems or funnel_id is None:
            return
        first_days = book.first_days()
        clients: dict[str, int | None] = {}  # first all the clients, then all the deals
        for order in book.orders.values():
            if order.skip_reason is None and order.client_ref not in clients:
                rec = {"client": order.client, "client_external_id": order.code}
                clients[order.client_ref] = self.client_ref(
                    rec, head, source, order.where, created_on=first_days[order.client_ref]
                )
            order.client_id = clients.get(order.client_ref)
        for order in book.orders.values():
            self._plan_order(order, funnel_id, source)
        if self._linked:
            shown = ", ".join(f"{name} ({n})" for name, n in sorted(self._linked.items()))
            self.note(f"{source}: products of the catalog in the deals: {shown}")
            self._linked.clear()

    def _order_line(
        self, rec: dict[str, Any], head: Header, source: str, where: int | str
    ) -> int | None:
        if rec.get("amount") is None:
            if {"amount", "price", "quantity"} & rec.get("_bad", set()):
                return None
            missing = "amount" if head.has("amount") and not head.has("price") else "price"
            if rec.get("price") is None:
                self.problem(source, where, f"{head.labels[missing]}: empty")
                return None
            if rec.get("quantity") is None and head.has("quantity"):
                self.problem(source, where, f"{head.labels['quantity']}: empty")
                return None
        try:
            return line_amount(rec, label=head.labels.get("price", "price"))
        except InvalidInput as error:
            self.problem(source, where, error.message)
            return None

    def _plan_order(self, order: Order, funnel_id: int, source: str) -> None:
        index = self.deals
        found = index.by_ext.get(order.key)
        where = f"{source}:{order.where}"
        why = order.skip_reason
        if why:
            if found is not None:
                self._op("DELETE FROM deal WHERE id = ?", (found,))
                del index.rows[found]
                del index.by_ext[order.key]
                self._record(Change("deals", "remove", found, f"order {order.id}", where, why))
                self.note(f"{where}: order {order.id} {why}: its deal #{found} is removed")
            else:
                self._record(Change("deals", "skip", None, f"order {order.id}", where, why))
                self.note(f"{where}: order {order.id} {why}: skipped")
            return
        if order.returns:
            self.note(
                f"{where}: order {order.id}: returns of {format_money(order.returns)} subtracted, "
                f"net {format_money(order.total)}"
            )
        if order.client_id is None:
            return
        if order.stage is not None and _fold(order.stage) == "lost":
            stage, status = self.first_stage(funnel_id), "lost"
        elif order.stage is not None:
            stage = self.stage(funnel_id, order.stage, source, order.where, "status")
            if stage is None:
                return
            status = "won" if stage["is_won"] else "open"
        else:
            stage, status = self.won_stage(funnel_id), "won"
        day = order.day.isoformat()
        values = {
            "client_id": order.client_id,
            "funnel_id": funnel_id,
            "stage_id": stage["id"],
            "title": order.deal_title(),
            "amount_minor": order.total,
            "currency": order.currency or "RUB",
            "status": status,
            "opened_on": day,
            "stage_entered_on": day,
            "expected_on": None,
            "closed_on": day if status != "open" else None,
            "lost_reason": None,
            "follow_up_on": None,
            "external_id": order.key,
        }
        deal_id = self._upsert_deal(
            found, None, values, f"order {order.id}", where, rebuild_history=True
        )
        self._link_products(deal_id, order)

    def _link_products(self, deal_id: int, order: Order) -> None:
        """The order's products that are in the catalog (same name, any case) go into
        its deal; products put in the deal by hand stay."""
        if self._catalog is None:
            self._catalog = {
                r["search_key"]: (r["id"], r["name"])
                for r in self.db.rows("SELECT id, name, search_key FROM product")
            }
        for name in order.products:
            found = self._catalog.get(_fold(name))
            if found is not None:
                self._op(
                    "INSERT OR IGNORE INTO deal_product (deal_id, product_id) VALUES (?, ?)",
                    (deal_id, found[0]),
                )
                self._linked[found[1]] += 1


def _explicit(rec: dict[str, Any]) -> tuple[str, Any] | None:
    """The key a row gives itself: its external_id, else its id."""
    if rec.get("external_id"):
        return ("external_id", rec["external_id"])
    if rec.get("id"):
        return ("id", rec["id"])
    return None


def _stored(value: Any) -> Any:
    """A parsed value as SQLite keeps it (dates as ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _category_source(
    category: str | None, given: str | None, *, before: tuple[str | None, str | None] = (None, None)
) -> str | None:
    """Who set an imported category: the file's ``category_source`` if it says; else the
    stored one while the category stays the same; else ``manual`` (a category a file
    brings is the user's). No category, no source."""
    if category is None:
        return None
    if given:
        return given
    old_category, old_source = before
    if category == old_category and old_source:
        return old_source
    return "manual"


PLANNERS: dict[str, Callable[[Importer, RawTable], None]] = {
    "clients": Importer.plan_clients,
    "people": Importer.plan_people,
    "facts": Importer.plan_facts,
    "deals": Importer.plan_deals,
    "stage-history": Importer.plan_history,
    "touches": Importer.plan_touches,
    "orders": Importer.plan_orders,
}

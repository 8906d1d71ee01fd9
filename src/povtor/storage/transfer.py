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

import calendar
import datetime as dt
import functools
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from povtor.clock import Clock
from povtor.domain.formats import (
    CLIENT_ANY,
    TABLES,
    client_key,
    related_names,
    row_key,
)
from povtor.domain.importing import Header, RowChecker
from povtor.domain.orders import Order, OrderBook, line_amount, order_status
from povtor.domain.tabular import ImportMap, RawTable
from povtor.domain.vocabulary import PURPOSES
from povtor.errors import InvalidInput, PovtorError
from povtor.output import Column, Listing
from povtor.parsing import format_money
from povtor.storage.database import Database, db_datetime, to_datetime
from povtor.storage.queries import search_key
from povtor.text import fold

_EXPORT_SQL = {
    "clients": """SELECT id, name, company, category, industry, source, phone, email, address,
                         notes, status, created_on, external_id, category_source,
                         referred_by_id
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
                         t.follow_up_on, t.text, t.external_id, t.answer, t.purpose,
                         t.purpose_ref
                  FROM touch t LEFT JOIN stage s ON s.id = t.stage_id
                  LEFT JOIN funnel f ON f.id = s.funnel_id
                  ORDER BY t.id""",
    # (the related names in the order of their ids: the subquery orders group_concat)
    "products": """SELECT p.id, p.name, p.price_minor, p.currency,
                         CASE WHEN p.is_backend THEN 'yes' ELSE 'no' END, p.note,
                         (SELECT group_concat(name, '; ')
                          FROM (SELECT r.name FROM product_link l
                                JOIN product r ON r.id = l.related_id
                                WHERE l.product_id = p.id ORDER BY r.id))
                  FROM product p ORDER BY p.id""",
    "deal-products": """SELECT dp.deal_id, p.name FROM deal_product dp
                       JOIN product p ON p.id = dp.product_id ORDER BY dp.id""",
    "occasions": """SELECT id, client_id, person_id, title, month, day, year
                   FROM occasion ORDER BY id""",
    "client-steps": """SELECT cs.client_id, s.category, s.code, cs.done_on, cs.note
                      FROM client_step cs JOIN roadmap_step s ON s.id = cs.step_id
                      ORDER BY cs.id""",
    "roadmap": """SELECT category, position, code, title, script FROM roadmap_step
                 ORDER BY category, position""",
    "holiday-links": "SELECT holiday, industry FROM holiday_industry ORDER BY id",
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


@dataclass
class _Products:
    """The catalog, stored and planned: values by id, ids by folded name, and the links."""

    rows: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    by_key: dict[str, int] = field(default_factory=dict)
    _links: dict[int, set[int]] | None = None

    def add(self, product_id: int, values: tuple[Any, ...]) -> None:
        self.rows[product_id] = values
        self.by_key[values[1]] = product_id

    def remove(self, product_id: int) -> None:
        values = self.rows.pop(product_id)
        if self.by_key.get(values[1]) == product_id:
            del self.by_key[values[1]]

    def links(self, db: Database) -> dict[int, set[int]]:
        """Product id -> the ids of its related products (updated as links are planned)."""
        if self._links is None:
            self._links = defaultdict(set)
            for row in db.rows("SELECT product_id, related_id FROM product_link"):
                self._links[row["product_id"]].add(row["related_id"])
        return self._links


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
    "follow_up_on", "text", "external_id", "answer", "purpose", "purpose_ref",
)  # fmt: skip
HISTORY_COLUMNS = ("deal_id", "event", "from_stage_id", "to_stage_id", "at", "on_date", "reason")
PRODUCT_COLUMNS = ("name", "search_key", "price_minor", "currency", "is_backend", "note")
OCCASION_COLUMNS = ("client_id", "person_id", "title", "month", "day", "year")
CLIENT_STEP_COLUMNS = ("client_id", "step_id", "done_on", "note")
STEP_COLUMNS = ("category", "position", "code", "title", "script")


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
        self._referred: dict[int, int | None] | None = None  # client id -> referrer id
        self._people: dict[int, int] | None = None  # person id -> client id
        self._products: _Products | None = None
        self._steps: dict[tuple[str, str], int] | None = None  # (category, code) -> step id
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
        referrals = self._referrals()
        file_ids = {r["id"] for _, r in rows if r.get("id")}
        referred: list[tuple[int | None, int]] = []  # (referrer, client): set after the rows
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
            referrer = rec.get("referred_by")
            if referrer is not None:
                if referrer == (found or row_id):
                    self.problem(
                        table.source,
                        where,
                        f"{head.labels['referred_by']}: a client cannot refer itself",
                    )
                    continue
                if referrer not in index.rows and referrer not in file_ids:
                    self.problem(
                        table.source,
                        where,
                        f"{head.labels['referred_by']}: no client #{referrer} "
                        "(give the id of the client who gave the referral)",
                    )
                    continue
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
                if "referred_by" in present and referrals.get(found) != referrer:
                    changed.append("referred_by")
                    referred.append((referrer, found))
                if not changed:
                    self.counts[("clients", "unchanged")] += 1
                    continue
                if changed != ["referred_by"]:
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
            if referrer is not None:
                referred.append((referrer, client_id))
        for referrer, client_id in referred:  # every client of the file is written by now
            self._op("UPDATE client SET referred_by_id = ? WHERE id = ?", (referrer, client_id))
            referrals[client_id] = referrer

    def _referrals(self) -> dict[int, int | None]:
        """Who referred each client (stored, and planned by an earlier file)."""
        if self._referred is None:
            self._referred = {
                r["id"]: r["referred_by_id"]
                for r in self.db.rows("SELECT id, referred_by_id FROM client")
            }
        return self._referred

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
                if kind == "people":
                    self.people[found] = client_id
                self._record(Change(kind, "update", found, shown, label, ", ".join(changed)))
                continue
            new_id = row_id or self._new_id(sql_table)
            if kind == "people":
                self.people[new_id] = client_id
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
                "purpose": rec.get("purpose"),
                "purpose_ref": rec.get("purpose_ref"),
            }
            if values["purpose_ref"] and not values["purpose"] and "purpose" in present:
                self.problem(
                    source,
                    where,
                    f"{head.labels['purpose_ref']}: a purpose_ref needs a purpose "
                    f"({', '.join(PURPOSES)})",
                )
                continue
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

    # -- growing clients: shared lookups ----------------------------------------------------
    @property
    def people(self) -> dict[int, int]:
        """Person id -> client id, stored and planned."""
        if self._people is None:
            self._people = {
                r["id"]: r["client_id"] for r in self.db.rows("SELECT id, client_id FROM person")
            }
        return self._people

    @property
    def products(self) -> _Products:
        if self._products is None:
            index = _Products()
            for row in self.db.rows(f"SELECT id, {', '.join(PRODUCT_COLUMNS)} FROM product"):
                index.add(row["id"], tuple(row)[1:])
            self._products = index
        return self._products

    @property
    def steps(self) -> dict[tuple[str, str], int]:
        if self._steps is None:
            self._steps = {
                (r["category"], r["code"]): r["id"]
                for r in self.db.rows("SELECT id, category, code FROM roadmap_step")
            }
        return self._steps

    def _upsert(
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
            self._op(_update_sql(sql_table, columns), (*values, found))
            existing[found] = values
            self._record(Change(kind, "update", found, shown, label, ", ".join(changed)))
            return found
        new_id = row_id or self._new_id(sql_table)
        existing[new_id] = values
        self._op(_insert_sql(sql_table, columns), (new_id, *values))
        self._record(Change(kind, "create", new_id, shown, label))
        return new_id

    # -- products ---------------------------------------------------------------------------
    def plan_products(self, table: RawTable) -> None:
        """The catalog; ``related`` (names separated by ";") replaces a product's links."""
        head = self.header(table, "products")
        if head is None:
            return
        index = self.products
        source = table.source
        rows = list(self.rows(table, "products", head))
        self._reserve("product", [r["id"] for _, r in rows if r.get("id")])
        present = set(head.index)
        seen: dict[Any, int | str] = {}
        planned: list[tuple[int | str, Any, int, tuple[Any, ...], Any]] = []
        for where, rec in rows:
            if self.repeated(seen, _explicit(rec), source, where):
                continue
            if not self.need(rec, head, source, where, "name"):
                continue
            name, row_id = rec["name"], rec.get("id")
            key = _fold(name)
            if self.repeated(seen, ("name", key), source, where, f"product {name!r}"):
                continue
            named = index.by_key.get(key)
            found = row_id if row_id in index.rows else None
            if found is None and row_id is None:
                found = named
            if named is not None and named != found:
                self.problem(
                    source,
                    where,
                    f"{head.labels['name']}: a product named {index.rows[named][0]!r} exists "
                    f"already (#{named})",
                )
                continue
            if "_bad" in rec:
                continue
            old = index.rows.get(found) if found is not None else None

            def given(column: str, stored: str, default: Any, _rec=rec, _old=old) -> Any:
                if column in present:
                    value = _rec.get(column)
                    return default if value is None else value
                return _old[PRODUCT_COLUMNS.index(stored)] if _old else default

            backend = given("is_backend", "is_backend", "no")
            values = (
                name,
                key,
                given("price", "price_minor", None),
                given("currency", "currency", "RUB"),
                int(backend == "yes" if isinstance(backend, str) else bool(backend)),
                given("note", "note", None),
            )
            product_id = found if found is not None else (row_id or self._new_id("product"))
            if old is not None:
                index.remove(product_id)
            index.add(product_id, values)
            planned.append((where, old, product_id, values, rec.get("related")))
        stored = index.links(self.db)
        link_ops: list[tuple[str, tuple[Any, ...]]] = []
        for where, old, product_id, values, related in planned:
            label = f"{source}:{where}"
            changed: list[str] = []
            if old is not None:
                changed = [
                    c for c, a, b in zip(PRODUCT_COLUMNS, old, values, strict=True) if a != b
                ]
            if "related" in present:
                wanted: list[int] = []
                for other_name in related_names(related or "", index.by_key):
                    other = index.by_key.get(_fold(other_name))
                    if other is None:
                        self.problem(
                            source,
                            where,
                            f"{head.labels['related']}: no product {other_name!r} in the catalog",
                        )
                    elif other == product_id:
                        self.problem(
                            source,
                            where,
                            f"{head.labels['related']}: a product cannot be related to itself",
                        )
                    elif other not in wanted:
                        wanted.append(other)
                before = stored.get(product_id, set())
                if set(wanted) != before:
                    changed.append("related")
                    for gone in sorted(before - set(wanted)):
                        link_ops.append(
                            (
                                "DELETE FROM product_link WHERE product_id = ? AND related_id = ?",
                                (product_id, gone),
                            )
                        )
                    for other in wanted:
                        if other not in before:
                            link_ops.append(
                                (
                                    "INSERT INTO product_link (product_id, related_id) "
                                    "VALUES (?, ?)",
                                    (product_id, other),
                                )
                            )
                    stored[product_id] = set(wanted)
            if old is None:
                self._op(_insert_sql("product", PRODUCT_COLUMNS), (product_id, *values))
                self._record(Change("products", "create", product_id, values[0], label))
            elif changed:
                if changed != ["related"]:
                    self._op(_update_sql("product", PRODUCT_COLUMNS), (*values, product_id))
                self._record(
                    Change("products", "update", product_id, values[0], label, ", ".join(changed))
                )
            else:
                self.counts[("products", "unchanged")] += 1
        for sql, params in link_ops:  # after every product of the file is written
            self._op(sql, params)

    def product_ref(
        self, rec: dict[str, Any], head: Header, source: str, where: int | str
    ) -> int | None:
        index = self.products
        product_id = rec.get("product_id")
        if product_id is not None:
            if product_id not in index.rows:
                self.problem(
                    source,
                    where,
                    f"{head.labels['product_id']}: no product #{product_id} "
                    "(import products first)",
                )
                return None
            return product_id
        name = rec.get("product")
        found = index.by_key.get(_fold(name)) if name else None
        if found is None:
            if name:
                self.problem(
                    source,
                    where,
                    f"{head.labels['product']}: no product {name!r} in the catalog "
                    "(import products first, or povtor product add)",
                )
            elif not {"product", "product_id"} & rec.get("_bad", set()):
                self.problem(source, where, "no product: the product cell is empty")
            return None
        return found

    def plan_deal_products(self, table: RawTable) -> None:
        """Products of deals: added if missing (products put in a deal otherwise stay)."""
        head = self.header(table, "deal-products")
        if head is None:
            return
        source = table.source
        held = {
            (r["deal_id"], r["product_id"])
            for r in self.db.rows("SELECT deal_id, product_id FROM deal_product")
        }
        seen: dict[Any, int | str] = {}
        for where, rec in self.rows(table, "deal-products", head):
            deal_id = self.deal_ref(rec, head, source, where)
            if deal_id is None:
                if rec.get("deal_id") is None and rec.get("deal_external_id") is None:
                    self.problem(source, where, "no deal: the deal cell is empty")
                continue
            product_id = self.product_ref(rec, head, source, where)
            if product_id is None or "_bad" in rec:
                continue
            name = self.products.rows[product_id][0]
            if self.repeated(
                seen,
                ("pair", (deal_id, product_id)),
                source,
                where,
                f"product {name!r} of deal #{deal_id}",
            ):
                continue
            if (deal_id, product_id) in held:
                self.counts[("deal-products", "unchanged")] += 1
                continue
            held.add((deal_id, product_id))
            new_id = self._new_id("deal_product")
            self._op(
                _insert_sql("deal_product", ("deal_id", "product_id")),
                (new_id, deal_id, product_id),
            )
            self._record(
                Change(
                    "deal-products",
                    "create",
                    new_id,
                    f"deal #{deal_id}: {name}",
                    f"{source}:{where}",
                )
            )

    # -- occasions ------------------------------------------------------------------------
    def plan_occasions(self, table: RawTable) -> None:
        head = self.header(table, "occasions")
        if head is None:
            return
        source = table.source
        existing: dict[int, tuple[Any, ...]] = {}
        by_natural: dict[tuple[Any, ...], int] = {}
        for row in self.db.rows(f"SELECT id, {', '.join(OCCASION_COLUMNS)} FROM occasion"):
            existing[row["id"]] = tuple(row)[1:]
            by_natural[(row["client_id"], row["person_id"], _fold(row["title"]))] = row["id"]
        rows = list(self.rows(table, "occasions", head))
        self._reserve("occasion", [r["id"] for _, r in rows if r.get("id")])
        present = set(head.index)
        seen: dict[Any, int | str] = {}
        today = self.clock.today
        for where, rec in rows:
            if self.repeated(seen, _explicit(rec), source, where):
                continue
            if not all(self.need(rec, head, source, where, c) for c in ("title", "month", "day")):
                continue
            client_id = self.client_ref(rec, head, source, where, created_on=today)
            if client_id is None:
                continue
            month, day, year = rec["month"], rec["day"], rec.get("year")
            if month > 12:
                self.problem(
                    source, where, f"{head.labels['month']}: {month} is not a month (1 to 12)"
                )
                continue
            last = calendar.monthrange(year or 2024, month)[1]  # 2024: 29 February is a day
            if day > last:
                self.problem(
                    source, where, f"{head.labels['day']}: {month:02}-{day:02} is not a date"
                )
                continue
            person_id = rec.get("person_id")
            if person_id is not None and self.people.get(person_id) != client_id:
                whose = self.people.get(person_id)
                self.problem(
                    source,
                    where,
                    f"{head.labels['person_id']}: no person #{person_id}"
                    + (
                        f" at client #{client_id} (it is client #{whose}'s)"
                        if whose
                        else " (import people first)"
                    ),
                )
                continue
            natural = (client_id, person_id, _fold(rec["title"]))
            row_id = rec.get("id")
            if not row_id and self.repeated(
                seen,
                ("natural", natural),
                source,
                where,
                f"occasion {rec['title']!r} of client #{client_id}",
            ):
                continue
            if "_bad" in rec:
                continue
            found = row_id if row_id in existing else None
            if row_id is None:
                found = by_natural.get(natural)
            values = (client_id, person_id, rec["title"], month, day, year)
            if found is not None and "year" not in present:
                values = (*values[:-1], existing[found][-1])
            occasion_id = self._upsert(
                "occasions",
                "occasion",
                OCCASION_COLUMNS,
                existing,
                found,
                values,
                rec["title"],
                f"{source}:{where}",
                row_id=row_id,
            )
            by_natural[natural] = occasion_id

    # -- roadmaps and clients' steps ---------------------------------------------------------
    def plan_roadmap(self, table: RawTable) -> None:
        """Steps by (category, code): updated or added; the steps of a category are then
        numbered 1, 2, ... in the order of their positions (a file's step before a stored one
        at the same position; a new step without a position goes last)."""
        from povtor.domain.roadmaps import check_code
        from povtor.domain.templates import check

        head = self.header(table, "roadmap")
        if head is None:
            return
        source = table.source
        existing: dict[int, tuple[Any, ...]] = {}
        for row in self.db.rows(f"SELECT id, {', '.join(STEP_COLUMNS)} FROM roadmap_step"):
            existing[row["id"]] = tuple(row)[1:]
        steps = self.steps
        present = set(head.index)
        seen: dict[Any, int | str] = {}
        planned: list[tuple[int | str, int | None, dict[str, Any]]] = []
        for where, rec in self.rows(table, "roadmap", head):
            if not all(
                self.need(rec, head, source, where, c) for c in ("category", "code", "title")
            ):
                continue
            try:
                code = check_code(rec["code"], field=head.labels["code"])
                script = check(rec["script"]) if rec.get("script") else None
            except PovtorError as error:
                self.problem(source, where, error.message)
                continue
            category = rec["category"]
            if self.repeated(
                seen, ("step", (category, code)), source, where, f"step {category} {code!r}"
            ):
                continue
            if "_bad" in rec:
                continue
            found = steps.get((category, code))
            old = existing.get(found) if found is not None else None
            values = {
                "category": category,
                "position": rec.get("position") or (old[1] if old else None),
                "code": code,
                "title": rec["title"],
                "script": script if "script" in present or old is None else old[4],
            }
            planned.append((where, found, values))
        if not planned:
            return
        # positions from the file are kept; the other steps fill the free places in order
        categories = {v["category"] for _, _, v in planned}
        in_file = {found for _, found, _ in planned if found is not None}
        final: dict[int, int] = {}  # step id (or -order-1 for a new one) -> position
        for category in categories:
            others = deque(
                step_id
                for step_id, old in sorted(existing.items(), key=lambda item: item[1][1])
                if old[0] == category and step_id not in in_file
            )
            mine = [
                (v["position"], order, found if found is not None else -order - 1)
                for order, (_, found, v) in enumerate(planned)
                if v["category"] == category
            ]
            fixed = deque(sorted(m for m in mine if m[0] is not None))
            ordered: list[int] = []
            while fixed or others:
                if fixed and (not others or fixed[0][0] <= len(ordered) + 1):
                    ordered.append(fixed.popleft()[2])
                else:
                    ordered.append(others.popleft())
            ordered += [m[2] for m in mine if m[0] is None]
            final.update((step_id, number) for number, step_id in enumerate(ordered, start=1))
        by_category = categories
        for category in by_category:
            moved = any(
                final[i] != existing[i][1] for i in final if i > 0 and existing[i][0] == category
            )
            if moved:  # (category, position) is unique: first out of the way, then in place
                self._op(
                    "UPDATE roadmap_step SET position = -position WHERE category = ?", (category,)
                )
                for step_id, old in existing.items():  # those the updates below leave out
                    if old[0] == category and (step_id not in in_file or final[step_id] == old[1]):
                        self._op(
                            "UPDATE roadmap_step SET position = ? WHERE id = ?",
                            (final[step_id], step_id),
                        )
        for order, (where, found, values) in enumerate(planned):
            values["position"] = final[found if found is not None else -order - 1]
            row = tuple(values[c] for c in STEP_COLUMNS)
            step_id = self._upsert(
                "roadmap",
                "roadmap_step",
                STEP_COLUMNS,
                existing,
                found,
                row,
                f"{values['category']} {values['code']}",
                f"{source}:{where}",
            )
            steps[(values["category"], values["code"])] = step_id

    def plan_client_steps(self, table: RawTable) -> None:
        head = self.header(table, "client-steps")
        if head is None:
            return
        source = table.source
        existing: dict[int, tuple[Any, ...]] = {}
        by_pair: dict[tuple[int, int], int] = {}
        for row in self.db.rows(f"SELECT id, {', '.join(CLIENT_STEP_COLUMNS)} FROM client_step"):
            existing[row["id"]] = tuple(row)[1:]
            by_pair[(row["client_id"], row["step_id"])] = row["id"]
        present = set(head.index)
        seen: dict[Any, int | str] = {}
        today = self.clock.today
        for where, rec in self.rows(table, "client-steps", head):
            if not all(self.need(rec, head, source, where, c) for c in ("category", "step")):
                continue
            code = _fold(rec["step"].strip())
            step_id = self.steps.get((rec["category"], code))
            if step_id is None:
                self.problem(
                    source,
                    where,
                    f"{head.labels['step']}: roadmap {rec['category']} has no step {rec['step']!r} "
                    f"(see povtor roadmap list {rec['category']})",
                )
                continue
            client_id = self.client_ref(rec, head, source, where, created_on=today)
            if client_id is None:
                continue
            pair = (client_id, step_id)
            if self.repeated(
                seen,
                ("pair", pair),
                source,
                where,
                f"step {rec['category']} {code!r} of client #{client_id}",
            ):
                continue
            if "_bad" in rec:
                continue
            found = by_pair.get(pair)
            old = existing.get(found) if found is not None else None
            done_on = _stored(rec.get("done_on")) or (old[2] if old else today.isoformat())
            note = rec.get("note") if "note" in present or old is None else old[3]
            by_pair[pair] = self._upsert(
                "client-steps",
                "client_step",
                CLIENT_STEP_COLUMNS,
                existing,
                found,
                (client_id, step_id, done_on, note),
                f"#{client_id}: {rec['category']} {code}",
                f"{source}:{where}",
            )

    # -- holiday links ---------------------------------------------------------------------
    def plan_holiday_links(self, table: RawTable) -> None:
        """The user's links of professional holidays to industries: added if missing."""
        from povtor.domain.holidays import find_holiday, normalise_keyword

        head = self.header(table, "holiday-links")
        if head is None:
            return
        source = table.source
        linked = {
            (r["holiday"], r["industry"])
            for r in self.db.rows("SELECT holiday, industry FROM holiday_industry")
        }
        seen: dict[Any, int | str] = {}
        for where, rec in self.rows(table, "holiday-links", head):
            if not all(self.need(rec, head, source, where, c) for c in ("holiday", "industry")):
                continue
            try:
                holiday = find_holiday(rec["holiday"])
                keyword = normalise_keyword(rec["industry"])
            except PovtorError as error:
                self.problem(source, where, f"{head.labels['holiday']}: {error.message}")
                continue
            pair = (holiday.code, keyword)
            if self.repeated(
                seen, ("link", pair), source, where, f"link {holiday.code} – {keyword}"
            ):
                continue
            if "_bad" in rec:
                continue
            if pair in linked or keyword in holiday.keywords:
                self.counts[("holiday-links", "unchanged")] += 1
                continue
            linked.add(pair)
            new_id = self._new_id("holiday_industry")
            self._op(_insert_sql("holiday_industry", ("holiday", "industry")), (new_id, *pair))
            self._record(
                Change(
                    "holiday-links",
                    "create",
                    new_id,
                    f"{holiday.code} – {keyword}",
                    f"{source}:{where}",
                )
            )


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
    "products": Importer.plan_products,
    "deal-products": Importer.plan_deal_products,
    "occasions": Importer.plan_occasions,
    "client-steps": Importer.plan_client_steps,
    "roadmap": Importer.plan_roadmap,
    "holiday-links": Importer.plan_holiday_links,
}

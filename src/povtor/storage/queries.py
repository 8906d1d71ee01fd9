"""Read queries in plain portable SQL: name resolution, listings, cards.

Everything here runs on :class:`~povtor.storage.database.Database` without the ORM,
so read-only commands start fast. Functions return plain rows or dataclasses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from povtor.errors import Ambiguous, NotFound
from povtor.i18n import _, ngettext
from povtor.records import record
from povtor.storage.database import Database, Row, id_list
from povtor.text import fold

_ID = re.compile(r"#?(\d+)")
MAX_ROW_ID = 2**63 - 1  # SQLite's largest integer
MAX_CANDIDATES_SHOWN = 5


def search_key(name: str, company: str | None) -> str:
    """What ``client.search_key`` holds: the folded name and company."""
    return fold(name) + ("\n" + fold(company) if company else "")


def like_pattern(text: str) -> str:
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _match_level(key: str, texts: Sequence[str | None]) -> int | None:
    """0 exact, 1 prefix of the text or of one of its words, 2 substring; None: no match."""
    best: int | None = None
    for text in texts:
        if not text:
            continue
        folded = fold(text)
        if folded == key:
            return 0
        if folded.startswith(key) or any(w.startswith(key) for w in folded.split()):
            best = 1
        elif key in folded and best is None:
            best = 2
    return best


def _words(what: str, *, ref: str = "", n: int = 0) -> dict[str, str]:
    """What the errors of a search say, for a ``what`` (client, deal, product)."""
    if what == "client":
        words = {
            "none": _("no client matches {ref}"),
            "id": _("no client #{ref}"),
            "empty": _("empty client name"),
            "many": ngettext("{ref} matches {n} client: ", "{ref} matches {n} clients: ", n),
            "by_id": _("name the client by its id"),
        }
    elif what == "deal":
        words = {
            "none": _("no deal matches {ref}"),
            "id": _("no deal #{ref}"),
            "empty": _("empty deal name"),
            "many": ngettext("{ref} matches {n} deal: ", "{ref} matches {n} deals: ", n),
            "by_id": _("name the deal by its id"),
        }
    elif what == "product":
        words = {
            "none": _("no product matches {ref}"),
            "id": _("no product #{ref}"),
            "empty": _("empty product name"),
            "many": ngettext("{ref} matches {n} product: ", "{ref} matches {n} products: ", n),
            "by_id": _("name the product by its id"),
        }
    else:
        words = {
            "none": f"no {what} matches {{ref}}",
            "id": f"no {what} #{{ref}}",
            "empty": f"empty {what} name",
            "many": f"{{ref}} matches {{n}} {what}s: ",
            "by_id": f"name the {what} by its id",
        }
    return {key: text.format(ref=ref, n=n) for key, text in words.items()}


def _pick(ref: str, what: str, candidates: list[tuple[int, bool, str, Row]], how: str) -> Row:
    """Choose the best candidate (level, then active/open first) or explain the ambiguity."""
    if not candidates:
        raise NotFound(_words(what, ref=repr(ref))["none"], hint=how)
    best_level = min(c[0] for c in candidates)
    best = [c for c in candidates if c[0] == best_level]
    if len(best) > 1 and any(c[1] for c in best):
        best = [c for c in best if c[1]]
    if len(best) == 1:
        return best[0][3]
    best.sort(key=lambda c: int(c[3]["id"]))  # #4 before #10, as the ids count
    shown = "; ".join(c[2] for c in best[:MAX_CANDIDATES_SHOWN])
    more = (
        _(" and {n} more").format(n=len(best) - MAX_CANDIDATES_SHOWN)
        if len(best) > MAX_CANDIDATES_SHOWN
        else ""
    )
    words = _words(what, ref=repr(ref), n=len(best))
    raise Ambiguous(words["many"] + shown + more, hint=words["by_id"])


# -- clients -------------------------------------------------------------------
CLIENT_COLUMNS = (
    "id, name, company, category, category_source, industry, source, phone, email, address, "
    "notes, status, created_on, external_id"
)


def find_named(
    db: Database,
    ref: str,
    *,
    table: str,
    columns: str,
    what: str,
    how: str,
    names: Callable[[Row], Sequence[str | None]],
    label: Callable[[Row], str],
    preferred: Callable[[Row], bool] = lambda _row: True,
) -> Row:
    """A row of ``table`` by id (``12`` or ``#12``) or by name, case-insensitively.

    An exact name wins over a name that starts with the text (or has a word that does),
    which wins over one that merely contains it; ``preferred`` rows win a tie (active
    clients); more than one at the best level is ambiguous. ``table`` has ``search_key``.
    """
    ref = ref.strip()
    by_id = _ID.fullmatch(ref)
    if by_id:
        number = int(by_id.group(1))
        row = (
            db.one(f"SELECT {columns} FROM {table} WHERE id = ?", (number,))
            if number <= MAX_ROW_ID
            else None  # (no row has an id beyond SQLite's integers)
        )
        if row is None:
            raise NotFound(_words(what, ref=by_id.group(1))["id"], hint=how)
        return row
    key = fold(ref)
    if not key:
        raise NotFound(_words(what)["empty"], hint=how)
    rows = db.rows(
        f"SELECT {columns} FROM {table} WHERE search_key LIKE ? ESCAPE '\\'",
        (like_pattern(ref),),
    )
    candidates = []
    for row in rows:
        level = _match_level(key, names(row))
        if level is not None:
            candidates.append((level, preferred(row), label(row), row))
    return _pick(ref, what, candidates, how)


def find_client(db: Database, ref: str) -> Row:
    """A client by id (``12`` or ``#12``) or by name/company, case-insensitively."""
    return find_named(
        db,
        ref,
        table="client",
        columns=CLIENT_COLUMNS,
        what="client",
        how=_("list clients with: povtor client find TEXT"),
        names=lambda row: (row["name"], row["company"]),
        label=lambda row: (
            f"#{row['id']} {row['name']}" + (f" ({row['company']})" if row["company"] else "")
        ),
        preferred=lambda row: row["status"] == "active",
    )


@record(frozen=True)
class ClientFilter:
    status: str = "active"  # active | archived | all
    category: str | None = None
    industry: str | None = None
    source: str | None = None
    search: str | None = None
    seller_id: int | None = None  # a team's seller's clients only
    unowned: bool = False  # the clients no seller owns only


CLIENT_LIST_COLUMNS = (
    "id",
    "name",
    "company",
    "category",
    "category_source",
    "industry",
    "source",
    "status",
    "created_on",
    "open_deals",
    "last_touch_on",
)


def iterate_clients(db: Database, flt: ClientFilter) -> Iterator[tuple[Any, ...]]:
    """Clients matching the filter in alphabetical order (:func:`povtor.text.sort_key`:
    Cyrillic-aware, ё with е), as tuples of :data:`CLIENT_LIST_COLUMNS` read from the
    cursor while the caller writes them."""
    where: list[str] = []
    params: list[Any] = []
    if flt.status != "all":
        where.append("c.status = ?")
        params.append(flt.status)
    if flt.category:
        where.append("c.category = ?")
        params.append(flt.category)
    if flt.search:
        where.append("c.search_key LIKE ? ESCAPE '\\'")
        params.append(like_pattern(flt.search))
    if flt.seller_id is not None:
        where.append("c.seller_id = ?")
        params.append(flt.seller_id)
    if flt.unowned:
        where.append("c.seller_id IS NULL")
    # the search key starts with the folded name (then a line break and the company):
    # ordering by that part, then the name as written, is sort_key's order
    sql = f"""
        SELECT c.id, c.name, c.company, c.category, c.category_source, c.industry, c.source,
               c.status, c.created_on,
               (SELECT COUNT(*) FROM deal d WHERE d.client_id = c.id AND d.status = 'open')
                   AS open_deals,
               (SELECT MAX(t.on_date) FROM touch t WHERE t.client_id = c.id) AS last_touch_on
        FROM client c
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY substr(c.search_key, 1, instr(c.search_key || char(10), char(10)) - 1),
                 c.name, c.id
    """
    rows = db.iterate(sql, params)
    for wanted, at in ((flt.industry, 5), (flt.source, 6)):
        if wanted:
            rows = _containing(rows, at, fold(wanted))
    return rows


def _containing(rows: Iterator[tuple[Any, ...]], at: int, folded: str) -> Iterator[tuple[Any, ...]]:
    return (row for row in rows if row[at] and folded in fold(row[at]))


def client_people(db: Database, client_id: int) -> list[Row]:
    return db.rows(
        """SELECT id, name, role, phone, email, birthday, is_main FROM person
           WHERE client_id = ? ORDER BY id""",
        (client_id,),
    )


def client_facts(db: Database, client_id: int) -> list[Row]:
    return db.rows(
        "SELECT id, topic, text, noted_on FROM fact WHERE client_id = ? ORDER BY noted_on, id",
        (client_id,),
    )


def last_touch(db: Database, client_id: int) -> Row | None:
    return db.one(
        """SELECT id, on_date, kind, channel, outcome, text, deal_id FROM touch
           WHERE client_id = ? ORDER BY at DESC, id DESC LIMIT 1""",
        (client_id,),
    )


# -- funnels and stages ------------------------------------------------------------
def find_funnel(db: Database, ref: str) -> Row:
    ref = ref.strip()
    rows = db.rows("SELECT id, code, name FROM funnel ORDER BY id")
    key = fold(ref)
    for row in rows:
        if key in (fold(row["code"]), fold(row["name"]), str(row["id"])):
            return row
    codes = ", ".join(r["code"] for r in rows)
    raise NotFound(
        _("no funnel {ref}").format(ref=repr(ref)),
        hint=_("funnels are: {codes}").format(codes=codes),
    )


def funnel_stages(db: Database, funnel_id: int) -> list[Row]:
    return db.rows(
        """SELECT id, funnel_id, code, name, position, is_won, limit_days FROM stage
           WHERE funnel_id = ? ORDER BY position""",
        (funnel_id,),
    )


def find_stage(db: Database, funnel_id: int, ref: str) -> Row:
    stages = funnel_stages(db, funnel_id)
    key = fold(ref.strip())
    for stage in stages:
        if key in (fold(stage["code"]), fold(stage["name"]), str(stage["position"])):
            return stage
    funnel = db.one("SELECT code FROM funnel WHERE id = ?", (funnel_id,))
    codes = ", ".join(s["code"] for s in stages)
    raise NotFound(
        _("no stage {ref} in funnel {funnel}").format(
            ref=repr(ref), funnel=funnel["code"] if funnel else funnel_id
        ),
        hint=_("its stages are: {codes}").format(codes=codes),
    )


def find_stage_in_every_funnel(db: Database, ref: str) -> list[Row]:
    """A stage named without its funnel, in every funnel that has it (``invoice``: the
    invoice stage of repeat, first and refusal); ambiguous only when the name means
    different stages in different funnels (a position, or a name shared by two codes)."""
    found: list[tuple[str, Row]] = []
    for funnel in db.rows("SELECT id, code FROM funnel ORDER BY id"):
        try:
            found.append((funnel["code"], find_stage(db, funnel["id"], ref)))
        except NotFound:
            continue
    if not found:
        raise NotFound(
            _("no stage {ref} in any funnel").format(ref=repr(ref)),
            hint=_("see them with: povtor funnel list"),
        )
    if len({fold(stage["code"]) for _code, stage in found}) > 1:
        means = ", ".join(f"{code}:{stage['code']}" for code, stage in found)
        raise Ambiguous(
            _("stage {ref} means different stages in {n} funnels: {means}").format(
                ref=repr(ref), n=len(found), means=means
            ),
            hint=_("name the funnel, e.g. --funnel {code}, or the stage by its code").format(
                code=found[0][0]
            ),
        )
    return [stage for _code, stage in found]


def list_funnels(db: Database) -> list[Row]:
    return db.rows(
        """SELECT f.id AS funnel_id, f.code AS funnel, f.name AS funnel_name, s.position,
                  s.code AS stage, s.name AS stage_name, s.is_won, s.limit_days
           FROM funnel f JOIN stage s ON s.funnel_id = f.id
           ORDER BY f.id, s.position"""
    )


# -- deals -------------------------------------------------------------------------
DEAL_SELECT = """
    SELECT d.id, d.client_id, c.name AS client, c.company, c.category, d.funnel_id,
           f.code AS funnel, d.stage_id, s.code AS stage, s.name AS stage_name,
           s.position AS stage_position, s.is_won, s.limit_days, d.title, d.amount_minor,
           d.currency, d.status, d.opened_on, d.stage_entered_on, d.expected_on, d.closed_on,
           d.lost_reason, d.follow_up_on, d.external_id
    FROM deal d
    JOIN client c ON c.id = d.client_id
    JOIN funnel f ON f.id = d.funnel_id
    JOIN stage s ON s.id = d.stage_id
"""


def get_deal(db: Database, deal_id: int) -> Row:
    row = db.one(DEAL_SELECT + " WHERE d.id = ?", (deal_id,)) if deal_id <= MAX_ROW_ID else None
    if row is None:
        raise NotFound(
            _("no deal #{ref}").format(ref=deal_id), hint=_("list deals with: povtor deal list")
        )
    return row


def find_deal(db: Database, ref: str) -> Row:
    """A deal by id, or by its title or its client's name (open deals first)."""
    ref = ref.strip()
    by_id = _ID.fullmatch(ref)
    if by_id:
        return get_deal(db, int(by_id.group(1)))
    key = fold(ref)
    how = _("list deals with: povtor deal list --client NAME")
    titles: dict[str, str] = {}  # each title folded once
    for statuses in (("open",), ("won", "lost")):
        marks = ", ".join("?" for _ in statuses)
        # the deals whose client's name or company (its search key), or whose title, holds
        # the text: only their rows are read and weighed (a match at any level holds it)
        ids = [
            deal_id
            for deal_id, title, client_key in db.tuples(
                f"""SELECT d.id, d.title, c.search_key FROM deal d
                    JOIN client c ON c.id = d.client_id WHERE d.status IN ({marks})""",
                statuses,
            )
            if key in client_key
            or (title and key in (titles.get(title) or titles.setdefault(title, fold(title))))
        ]
        rows = (
            db.rows(
                DEAL_SELECT + " WHERE d.id IN (SELECT value FROM json_each(?))",
                (id_list(ids),),
            )
            if ids
            else []
        )
        candidates = []
        for row in rows:
            level = _match_level(key, (row["title"], row["client"], row["company"]))
            if level is not None:
                label = f"#{row['id']} {row['client']}" + (
                    f" «{row['title']}»" if row["title"] else ""
                )
                candidates.append((level, True, label, row))
        if candidates:
            return _pick(ref, "deal", candidates, how)
    raise NotFound(_("no deal matches {ref}").format(ref=repr(ref)), hint=how)


@record(frozen=True)
class DealFilter:
    status: str = "open"  # open | won | lost | closed | all
    funnel_id: int | None = None
    stage_id: int | None = None
    client_id: int | None = None
    stage_ids: tuple[int, ...] = ()  # any of these stages (one code in several funnels)


def list_deals(db: Database, flt: DealFilter) -> list[Row]:
    where, params = _deal_filter(flt)
    return db.rows(DEAL_SELECT + where + _DEAL_ORDER, params)


def iterate_deals(db: Database, flt: DealFilter) -> Iterator[tuple[Any, ...]]:
    """The deals of :func:`list_deals`, fewer columns (:data:`DEAL_LIST_COLUMNS`), read
    from the cursor while the caller writes them: memory does not grow with the list."""
    where, params = _deal_filter(flt)
    sql = """SELECT d.id, c.name, f.code, s.code, d.status, d.amount_minor, d.currency,
                    d.stage_entered_on, d.opened_on, d.expected_on, d.title, d.closed_on
             FROM deal d
             JOIN client c ON c.id = d.client_id
             JOIN funnel f ON f.id = d.funnel_id
             JOIN stage s ON s.id = d.stage_id"""
    return db.iterate(sql + where + _DEAL_ORDER, params)


DEAL_LIST_COLUMNS = (
    "id",
    "client",
    "funnel",
    "stage",
    "status",
    "amount_minor",
    "currency",
    "stage_entered_on",
    "opened_on",
    "expected_on",
    "title",
    "closed_on",
)
_DEAL_ORDER = " ORDER BY d.funnel_id, s.position, d.stage_entered_on, d.id"


def _deal_filter(flt: DealFilter) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if flt.status == "closed":
        where.append("d.status IN ('won', 'lost')")
    elif flt.status != "all":
        where.append("d.status = ?")
        params.append(flt.status)
    for column, value in (
        ("d.funnel_id", flt.funnel_id),
        ("d.stage_id", flt.stage_id),
        ("d.client_id", flt.client_id),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if flt.stage_ids:
        where.append(f"d.stage_id IN ({', '.join('?' for _ in flt.stage_ids)})")
        params.extend(flt.stage_ids)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def deal_history(db: Database, deal_id: int) -> list[Row]:
    return db.rows(
        """SELECT h.id, h.event, h.at, h.on_date, fs.code AS from_stage, ts.code AS to_stage,
                  h.reason
           FROM stage_change h
           LEFT JOIN stage fs ON fs.id = h.from_stage_id
           LEFT JOIN stage ts ON ts.id = h.to_stage_id
           WHERE h.deal_id = ? ORDER BY h.at, h.id""",
        (deal_id,),
    )


def deal_touches(db: Database, deal_id: int) -> list[Row]:
    return db.rows(
        """SELECT id, on_date, kind, channel, outcome, reason, follow_up_on, text
           FROM touch WHERE deal_id = ? ORDER BY at, id""",
        (deal_id,),
    )


def table_counts(db: Database) -> dict[str, int]:
    tables = ("client", "person", "fact", "deal", "stage_change", "touch")
    return {t: int(db.scalar(f"SELECT COUNT(*) FROM {t}")) for t in tables}


def main_person_name(db: Database, client_id: int) -> str | None:
    """Whom a draft greets: the client's main contact, else the first person recorded."""
    return db.scalar(
        "SELECT name FROM person WHERE client_id = ? ORDER BY is_main DESC, id LIMIT 1",
        (client_id,),
    )


def stage_code_exists(db: Database, code: str) -> bool:
    return bool(db.scalar("SELECT COUNT(*) FROM stage WHERE code = ?", (code,)))


@record(frozen=True)
class TouchFilter:
    client_id: int | None = None
    deal_id: int | None = None
    kind: str | None = None
    since: str | None = None  # ISO date
    limit: int | None = 50  # None: every touch


def iterate_touches(db: Database, flt: TouchFilter) -> Iterator[tuple[Any, ...]]:
    """Touches matching the filter, newest first, as tuples (id, on_date, client, deal_id,
    stage, kind, channel, outcome, answer, purpose, purpose_ref, reason, follow_up_on,
    text) read from the cursor while the caller writes them."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("t.client_id = ?", flt.client_id),
        ("t.deal_id = ?", flt.deal_id),
        ("t.kind = ?", flt.kind),
        ("t.on_date >= ?", flt.since),
    ):
        if value is not None:
            where.append(column)
            params.append(value)
    return db.iterate(
        f"""SELECT t.id, t.on_date, c.name AS client, t.deal_id, s.code AS stage, t.kind, t.channel,
                   t.outcome, t.answer, t.purpose, t.purpose_ref, t.reason, t.follow_up_on,
                   t.text
            FROM touch t JOIN client c ON c.id = t.client_id LEFT JOIN stage s ON s.id = t.stage_id
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY t.at DESC, t.id DESC{"" if flt.limit is None else " LIMIT ?"}""",
        params if flt.limit is None else [*params, flt.limit],
    )

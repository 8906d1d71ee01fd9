"""The facts of perks, in a few aggregate queries (plain SQL): active clients' industries,
the user's holiday links, the birthdays and occasions that fall in a window of days,
and the perk touches of the last 12 months.

Birthdays and occasions are picked in SQL by their month and day, so the plan reads
only the few that fall in its window, whatever the size of the base.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping

from povtor.domain import perks
from povtor.domain.perks import Birthday, Occasion, PerkFacts, PerkTouch
from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.storage.database import Database, Row, to_date


def holiday_links(db: Database) -> dict[str, tuple[str, ...]]:
    """The user's own links: holiday code -> industry keywords."""
    links: dict[str, list[str]] = defaultdict(list)
    for holiday, keyword in db.rows(
        "SELECT holiday, industry FROM holiday_industry ORDER BY holiday, industry"
    ):
        links[holiday].append(keyword)
    return {code: tuple(keywords) for code, keywords in links.items()}


def active_industries(db: Database) -> dict[int, str | None]:
    return dict(db.tuples("SELECT id, industry FROM client WHERE status = 'active'"))


def active_names(db: Database) -> dict[int, tuple[str, str | None]]:
    """The active clients: id -> (name, category)."""
    return {
        client_id: (name, category)
        for client_id, name, category in db.tuples(
            "SELECT id, name, category FROM client WHERE status = 'active'"
        )
    }


def perk_touches(db: Database, since: dt.date, until: dt.date) -> list[PerkTouch]:
    """Perk touches from ``since`` to ``until`` (both included), oldest first."""
    return [
        PerkTouch(client_id, to_date(on_date), ref)  # type: ignore[arg-type]
        for client_id, on_date, ref in db.rows(
            """SELECT client_id, on_date, purpose_ref FROM touch
               WHERE purpose = ? AND on_date >= ? AND on_date <= ?
               ORDER BY on_date, id""",
            (perks.PURPOSE, since.isoformat(), until.isoformat()),
        )
    ]


def load_perk_facts(
    db: Database,
    start: dt.date,
    end: dt.date,
    *,
    as_of: dt.date,
    client_id: int | None = None,
    industries: Mapping[int, str | None] | None = None,
) -> PerkFacts:
    """Everything the perk rules need for the days from ``start`` to ``end``, with the
    perk touches of the 12 months ending on ``as_of``. ``client_id``: one client only;
    ``industries``: the active clients' industries when the caller has them already."""
    industries = active_industries(db) if industries is None else industries
    if client_id is not None:
        industries = {client_id: industries[client_id]} if client_id in industries else {}
    month_days = perks.days_in_window(start, end)
    md_codes = [month * 100 + day for month, day in month_days]
    marks = ", ".join("?" for _ in md_codes)
    only, only_args = ("AND c.id = ?", (client_id,)) if client_id is not None else ("", ())
    # (every client's: the people read in turn, in the order of their ids, and each
    # birthday's client looked up; the unary + keeps SQLite from seeking each active
    # client's people in the index instead, a seek per client, sorted afterwards)
    owner = "p.client_id" if client_id is not None else "+p.client_id"
    birthdays = [
        Birthday(person_id, cid, name, int(born[5:7]), int(born[8:10]))
        for person_id, cid, name, born in db.rows(
            f"""SELECT p.id, p.client_id, p.name, p.birthday FROM person p
                JOIN client c ON c.id = {owner} AND c.status = 'active'
                WHERE p.birthday IS NOT NULL
                  AND CAST(substr(p.birthday, 6, 2) AS INTEGER) * 100
                      + CAST(substr(p.birthday, 9, 2) AS INTEGER) IN ({marks}) {only}
                ORDER BY p.id""",
            (*md_codes, *only_args),
        )
    ]
    occasions = [
        Occasion(oid, cid, title, month, day, year, person_id, person)
        for oid, cid, title, month, day, year, person_id, person in db.rows(
            f"""SELECT o.id, o.client_id, o.title, o.month, o.day, o.year, o.person_id, p.name
                FROM occasion o
                JOIN client c ON c.id = o.client_id AND c.status = 'active'
                LEFT JOIN person p ON p.id = o.person_id
                WHERE o.month * 100 + o.day IN ({marks})
                  AND (o.year IS NULL OR o.year BETWEEN ? AND ?) {only}
                ORDER BY o.id""",
            (*md_codes, start.year, end.year, *only_args),
        )
    ]
    return PerkFacts(
        industries=industries,
        links=holiday_links(db),
        birthdays=birthdays,
        occasions=occasions,
        touches=perk_touches(db, perks.year_start(as_of), as_of),
    )


def perk_counts(db: Database, as_of: dt.date) -> dict[int, tuple[int, dt.date | None]]:
    """Perk touches per client in the 12 months ending on ``as_of``, with the last date."""
    return {
        client_id: (int(count), to_date(last))
        for client_id, count, last in db.rows(
            """SELECT client_id, COUNT(*), MAX(on_date) FROM touch
               WHERE purpose = ? AND on_date >= ? AND on_date <= ?
               GROUP BY client_id""",
            (perks.PURPOSE, perks.year_start(as_of).isoformat(), as_of.isoformat()),
        )
    }


def clients_for_stats(
    db: Database, as_of: dt.date, categories: Collection[str] = ()
) -> list[tuple[int, str, str | None, str | None]]:
    """Active clients known by ``as_of``: (id, name, category, industry)."""
    rows = db.rows(
        """SELECT id, name, category, industry FROM client
           WHERE status = 'active' AND (created_on IS NULL OR created_on <= ?)""",
        (as_of.isoformat(),),
    )
    return [
        (r[0], r[1], r[2], r[3]) for r in rows if not categories or (r[2] or "none") in categories
    ]


def client_occasions(db: Database, client_id: int) -> list[Occasion]:
    return [
        Occasion(oid, cid, title, month, day, year, person_id, person)
        for oid, cid, title, month, day, year, person_id, person in db.rows(
            """SELECT o.id, o.client_id, o.title, o.month, o.day, o.year, o.person_id, p.name
               FROM occasion o LEFT JOIN person p ON p.id = o.person_id
               WHERE o.client_id = ? ORDER BY o.month, o.day, o.id""",
            (client_id,),
        )
    ]


def perk_reference(db: Database, client: Row, text: str) -> str:
    """The checked key of a perk touch with ``client`` (``nudge log --purpose perk --about
    TEXT``), lower case as the perk rules compare it: a holiday's code, or a birthday of
    one of the client's people, or one of the client's occasions."""
    key = perks.parse_perk_key(
        text, hint=f"see the client's keys: povtor perks upcoming --client {client['id']}"
    )
    # a birthday names one of the client's people, an occasion one of its occasions
    owned = {"birthday": ("person", "people"), "occasion": ("occasion", "occasions")}
    if key.source in owned:
        table, listed = owned[key.source]
        if not db.scalar(
            f"SELECT 1 FROM {table} WHERE id = ? AND client_id = ?", (key.number, client["id"])
        ):
            raise InvalidInput(
                _("--about: client #{id} {name} has no {table} #{number}").format(
                    id=client["id"], name=client["name"], table=table, number=key.number
                ),
                hint=_("see the {listed}: povtor client {table} list {id}").format(
                    listed=listed, table=table, id=client["id"]
                ),
            )
    return str(key)

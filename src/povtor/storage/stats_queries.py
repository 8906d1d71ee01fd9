"""The facts ``povtor stats`` needs, aggregated in plain SQL (no ORM).

Everything is "as of" a date: nothing dated after it counts. A deal's state as of a
date D is what its history says: its last change on or before D (by date, then
time, then id) — open at a stage, won (paid on that day) or lost. The deal row holds
the result of replaying its whole history, so for a deal with no change after D the
row *is* its state as of D and is read directly; only deals changed after D are
replayed from ``stage_change``. That keeps a report on today's data a scan of the deal
table (fast on 50 000 deals) while a report as of an earlier day stays exact. (That state
is :data:`STATE`, and its paid deals alone :data:`PAID`, kept in
:mod:`povtor.storage.nudge_queries` with the nudge→order conversion the plan shares.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from povtor.domain.metrics import (
    Change,
    ClientRevenue,
    ClosedDeal,
    LeadTally,
    Purchase,
    Spend,
    Stage,
    TouchTally,
)
from povtor.storage.database import Database, Days, id_list, to_date
from povtor.storage.nudge_queries import PAID, STATE
from povtor.storage.seller_queries import DEAL_OWNER

# a period up to a quarter long: its stage changes are fewer than its deals' histories
SHORT_PERIOD_DAYS = 92


def _day(value: dt.date) -> str:
    return value.isoformat()


# -- funnels -----------------------------------------------------------------------------
def stages(db: Database, funnel_id: int) -> list[Stage]:
    return [
        Stage(r["id"], r["code"], r["name"], r["position"], bool(r["is_won"]))
        for r in db.rows(
            "SELECT id, code, name, position, is_won FROM stage WHERE funnel_id = ? "
            "ORDER BY position",
            (funnel_id,),
        )
    ]


def stage_labels(db: Database) -> tuple[dict[int, str], list[str]]:
    """Every stage as ``funnel/stage``, by id, and all labels in funnel and stage order."""
    rows = db.rows(
        """SELECT s.id, f.code AS funnel, s.code FROM stage s JOIN funnel f ON f.id = s.funnel_id
           ORDER BY f.id, s.position"""
    )
    labels = {r["id"]: f"{r['funnel']}/{r['code']}" for r in rows}
    return labels, [labels[r["id"]] for r in rows]


def funnel_changes(
    db: Database, stage_ids: Sequence[int], start: dt.date, end: dt.date, as_of: dt.date
) -> list[Change]:
    """The history from ``start`` up to ``as_of`` of every deal that entered one of
    ``stage_ids`` in ``start..end``, each deal's rows together and in order (what came
    before ``start`` changes no figure of the period: the funnel looks from each entry
    on).

    The entries are found by their day (``+`` keeps SQLite off the stage index, which
    would read the funnel's whole history for a month's entries); over a short period
    the histories too are read by day rather than deal by deal."""
    if not stage_ids:
        return []
    marks = ", ".join(f":s{i}" for i in range(len(stage_ids)))
    params: dict[str, Any] = {f"s{i}": sid for i, sid in enumerate(stage_ids)}
    params.update(start=_day(start), end=_day(end), as_of=_day(as_of))
    by_day = "+" if (as_of - start).days <= SHORT_PERIOD_DAYS else ""
    rows = db.tuples(
        f"""SELECT h.deal_id, h.event, h.to_stage_id, h.on_date FROM stage_change h
            WHERE {by_day}h.deal_id IN (SELECT e.deal_id FROM stage_change e
                                WHERE +e.to_stage_id IN ({marks})
                                  AND e.on_date >= :start AND e.on_date <= :end)
              AND h.on_date >= :start AND h.on_date <= :as_of
            ORDER BY h.deal_id, h.on_date, h.at, h.id""",
        params,
    )
    days = Days()
    return [Change(deal_id, event, stage_id, days[on]) for deal_id, event, stage_id, on in rows]


def open_at_stages(db: Database, funnel_id: int, as_of: dt.date) -> dict[int, int]:
    """Open deals of the funnel per stage, as of ``as_of``."""
    return {
        r[0]: int(r[1])
        for r in db.rows(
            f"""WITH {STATE}
                SELECT stage_id, COUNT(*) FROM state
                WHERE status = 'open' AND funnel_id = :funnel GROUP BY stage_id""",
            {"as_of": _day(as_of), "funnel": funnel_id},
        )
    }


def closed_deals(
    db: Database, funnel_id: int, start: dt.date, end: dt.date, as_of: dt.date
) -> list[ClosedDeal]:
    """Deals of the funnel that are won or lost as of ``as_of``, closed in ``start..end``
    (alike deals counted together)."""
    return [deal for _owner, deal in _closed(db, funnel_id, start, end, as_of, by_owner=False)]


def closed_deals_by_owner(
    db: Database, funnel_id: int, start: dt.date, end: dt.date, as_of: dt.date
) -> dict[int | None, list[ClosedDeal]]:
    """:func:`closed_deals` per owner of each deal as of today (its own seller, else its
    client's)."""
    found: dict[int | None, list[ClosedDeal]] = {}
    for owner, deal in _closed(db, funnel_id, start, end, as_of, by_owner=True):
        found.setdefault(owner, []).append(deal)
    return found


def _closed(
    db: Database, funnel_id: int, start: dt.date, end: dt.date, as_of: dt.date, *, by_owner: bool
) -> list[tuple[int | None, ClosedDeal]]:
    owner = f"{DEAL_OWNER}, " if by_owner else ""
    join = "JOIN deal d ON d.id = state.deal_id JOIN client c ON c.id = d.client_id" * by_owner
    days = Days()
    return [
        (
            row[0] if by_owner else None,
            ClosedDeal(status == "won", days[opened_on], days[closed_on], reason, int(count)),
        )
        for row in db.tuples(
            f"""WITH {STATE}
                SELECT {owner}state.status, state.opened_on, state.closed_on, state.reason,
                       COUNT(*)
                FROM state {join}
                WHERE state.funnel_id = :funnel AND state.status IN ('won', 'lost')
                  AND state.closed_on >= :start AND state.closed_on <= :end
                GROUP BY {owner}state.status, state.opened_on, state.closed_on, state.reason""",
            {"as_of": _day(as_of), "funnel": funnel_id, "start": _day(start), "end": _day(end)},
        )
        for status, opened_on, closed_on, reason, count in [row[-5:]]
    ]


# -- purchases ---------------------------------------------------------------------------
def purchases(db: Database, as_of: dt.date, currency: str) -> list[Purchase]:
    """Every deal paid as of ``as_of``: client, payment day, amount if in ``currency``."""
    days = Days()
    make = Purchase._make  # (from a tuple at C speed: a paid deal's record is made per row)
    return [
        make((client_id, days[paid_on], amount))
        for client_id, paid_on, amount in db.tuples(
            f"""WITH {PAID}
                SELECT client_id, closed_on,
                       CASE WHEN currency = :currency THEN amount_minor END
                FROM paid""",
            {"as_of": _day(as_of), "currency": currency},
        )
    ]


def client_categories(db: Database) -> dict[int, str | None]:
    return dict(db.tuples("SELECT id, category FROM client"))


# -- nudges and touches ------------------------------------------------------------------
def touch_tallies(
    db: Database, start: dt.date, end: dt.date, as_of: dt.date, labels: dict[int, str]
) -> list[TouchTally]:
    """Warming and closing touches dated in ``start..end`` (none after ``as_of``), counted
    by kind, channel, stage, outcome and whether on a deal. (What they brought is
    :func:`povtor.storage.nudge_queries.nudged_deals`.)"""
    rows = db.rows(
        """SELECT t.kind, t.channel, t.stage_id, t.outcome,
                  CASE WHEN t.deal_id IS NULL THEN 0 ELSE 1 END AS on_deal, COUNT(*) AS n
           FROM touch t
           WHERE t.kind IN ('warming', 'closing') AND t.on_date >= :start AND t.on_date <= :end
             AND t.on_date <= :as_of
           GROUP BY t.kind, t.channel, t.stage_id, t.outcome,
                    CASE WHEN t.deal_id IS NULL THEN 0 ELSE 1 END""",
        {"as_of": _day(as_of), "start": _day(start), "end": _day(end)},
    )
    return [
        TouchTally(
            kind=r["kind"],
            channel=r["channel"],
            stage=labels.get(r["stage_id"]) if r["stage_id"] is not None else None,
            outcome=r["outcome"],
            on_deal=bool(r["on_deal"]),
            count=int(r["n"]),
        )
        for r in rows
    ]


def touches_per_won_deal(
    db: Database, funnel_id: int, start: dt.date, end: dt.date, as_of: dt.date
) -> dict[int, int]:
    """{touches: deals} over the funnel's deals paid (as of ``as_of``) in ``start..end``,
    counting every touch on the deal from its opening day to its payment day."""
    return {
        int(r[0]): int(r[1])
        for r in db.rows(
            f"""WITH {STATE}
                SELECT n, COUNT(*) FROM (
                    SELECT (SELECT COUNT(*) FROM touch t
                            WHERE t.deal_id = s.deal_id AND t.on_date >= s.opened_on
                              AND t.on_date <= s.closed_on) AS n
                    FROM state s
                    WHERE s.status = 'won' AND s.funnel_id = :funnel
                      AND s.closed_on >= :start AND s.closed_on <= :end) counted
                GROUP BY n""",
            {"as_of": _day(as_of), "funnel": funnel_id, "start": _day(start), "end": _day(end)},
        )
    }


def cadence_by_client(db: Database, start: dt.date, end: dt.date) -> list[Any]:
    """(client id, name, warming, closing) for clients with such touches in the period."""
    return db.rows(
        """SELECT c.id, c.name,
                  SUM(CASE WHEN t.kind = 'warming' THEN 1 ELSE 0 END) AS warming,
                  SUM(CASE WHEN t.kind = 'closing' THEN 1 ELSE 0 END) AS closing
           FROM touch t JOIN client c ON c.id = t.client_id
           WHERE t.kind IN ('warming', 'closing') AND t.on_date >= :start AND t.on_date <= :end
           GROUP BY c.id, c.name""",
        {"start": _day(start), "end": _day(end)},
    )


# -- sources -----------------------------------------------------------------------------
def lead_tallies(
    db: Database, start: dt.date, end: dt.date, as_of: dt.date, currency: str
) -> list[LeadTally]:
    """Per source: clients created in ``start..end`` and what they bought by ``as_of``."""
    rows = db.rows(
        f"""WITH {STATE},
            bought AS (
                SELECT client_id, COUNT(*) AS deals,
                       SUM(CASE WHEN currency = :currency AND amount_minor IS NOT NULL
                                THEN 1 ELSE 0 END) AS with_amount,
                       SUM(CASE WHEN currency = :currency THEN amount_minor END) AS revenue
                FROM state WHERE status = 'won' GROUP BY client_id)
            SELECT c.source, COUNT(*) AS leads, COUNT(b.client_id) AS paying,
                   COALESCE(SUM(b.deals), 0) AS deals,
                   COALESCE(SUM(b.with_amount), 0) AS with_amount,
                   COALESCE(SUM(b.revenue), 0) AS revenue
            FROM client c LEFT JOIN bought b ON b.client_id = c.id
            WHERE c.created_on >= :start AND c.created_on <= :end
            GROUP BY c.source""",
        {"as_of": _day(as_of), "start": _day(start), "end": _day(end), "currency": currency},
    )
    return [
        LeadTally(
            source=r["source"],
            leads=int(r["leads"]),
            paying=int(r["paying"]),
            paid_deals=int(r["deals"]),
            with_amount=int(r["with_amount"]),
            revenue=int(r["revenue"]),
        )
        for r in rows
    ]


def spends(db: Database, start: dt.date, end: dt.date, currency: str) -> list[Spend]:
    """Spend records in ``currency`` whose days overlap ``start..end``."""
    return [
        Spend(
            r["source"],
            to_date(r["period_start"]),  # type: ignore[arg-type]
            to_date(r["period_end"]),  # type: ignore[arg-type]
            int(r["amount_minor"]),
        )
        for r in db.rows(
            """SELECT source, period_start, period_end, amount_minor FROM source_spend
               WHERE currency = :currency AND period_start <= :end AND period_end >= :start""",
            {"start": _day(start), "end": _day(end), "currency": currency},
        )
    ]


def spend_records(db: Database) -> list[Any]:
    return db.rows(
        """SELECT id, source, period_start, period_end, amount_minor, currency, note
           FROM source_spend ORDER BY period_start, source, id"""
    )


# -- ABC ---------------------------------------------------------------------------------
def client_revenues(
    db: Database, start: dt.date, end: dt.date, as_of: dt.date, currency: str
) -> list[ClientRevenue]:
    """Every active client known by ``as_of`` with its revenue from deals paid in
    ``start..end`` (amounts in ``currency``; 0 without purchases)."""
    revenue = {
        client_id: int(total)
        for client_id, total in db.tuples(
            f"""WITH {PAID}
                SELECT client_id, SUM(amount_minor) FROM paid
                WHERE currency = :currency AND amount_minor IS NOT NULL
                  AND closed_on >= :start AND closed_on <= :end
                GROUP BY client_id""",
            {"as_of": _day(as_of), "start": _day(start), "end": _day(end), "currency": currency},
        )
    }
    return [
        ClientRevenue(client_id, name, category, revenue.get(client_id, 0))
        for client_id, name, category in db.tuples(
            "SELECT id, name, category FROM client WHERE status = 'active' AND created_on <= ?",
            (_day(as_of),),
        )
    ]


# -- by seller ---------------------------------------------------------------------------
def deal_owners(db: Database, deal_ids: Iterable[int]) -> dict[int, int | None]:
    """{deal id: its owner (its own seller, else its client's)} for ``deal_ids``."""
    return {
        int(deal_id): owner
        for deal_id, owner in db.tuples(
            f"""SELECT d.id, {DEAL_OWNER} FROM deal d JOIN client c ON c.id = d.client_id
                WHERE d.id IN (SELECT value FROM json_each(?))""",
            (id_list(deal_ids),),
        )
    }


def open_at_stages_by_owner(
    db: Database, funnel_id: int, as_of: dt.date
) -> dict[int | None, dict[int, int]]:
    """Open deals of the funnel per owner and stage, as of ``as_of``."""
    found: dict[int | None, dict[int, int]] = {}
    for owner, stage_id, count in db.tuples(
        f"""WITH {STATE}
            SELECT {DEAL_OWNER}, state.stage_id, COUNT(*) FROM state
            JOIN deal d ON d.id = state.deal_id JOIN client c ON c.id = d.client_id
            WHERE state.status = 'open' AND state.funnel_id = :funnel
            GROUP BY {DEAL_OWNER}, state.stage_id""",
        {"as_of": _day(as_of), "funnel": funnel_id},
    ):
        found.setdefault(owner, {})[int(stage_id)] = int(count)
    return found

"""The facts the planner needs, aggregated in SQL (no ORM, no row-per-touch loading)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from povtor.domain.planner import ClientState, ClosedDeal, OpenDeal, PlanInput
from povtor.settings import Settings
from povtor.storage.database import Database, Row, to_date

SERVICE_WINDOW_DAYS = 60  # paid deals older than the service delay plus this are left alone
REVISIT_WINDOW_DAYS = 365  # refusals older than the revisit delay plus this are left alone


def load_settings(db: Database) -> Settings:
    return Settings({r["key"]: r["value"] for r in db.rows("SELECT key, value FROM setting")})


def user_templates(db: Database) -> dict[tuple[str, str, str, str], str]:
    return {
        (r["kind"], r["funnel"], r["stage"], r["lang"]): r["body"]
        for r in db.rows("SELECT kind, funnel, stage, lang, body FROM template")
    }


def load_plan_input(db: Database, today: dt.date, settings: Settings) -> PlanInput:
    # (the unary + in "+kind" keeps SQLite on the covering index ix_touch_client_on,
    # which answers these per-client aggregates without visiting the table)
    day = today.isoformat()
    open_deals = dict(
        db.rows("SELECT client_id, COUNT(*) FROM deal WHERE status = 'open' GROUP BY client_id")
    )
    last_touch = dict(
        db.rows(
            "SELECT client_id, MAX(on_date) FROM touch WHERE on_date <= ? GROUP BY client_id",
            (day,),
        )
    )
    warming = dict(
        db.rows(
            """SELECT t.client_id, COUNT(*) FROM touch t
               LEFT JOIN (SELECT client_id, MAX(at) AS last_closing FROM touch
                          WHERE +kind = 'closing' AND on_date <= ? GROUP BY client_id) lc
                      ON lc.client_id = t.client_id
               WHERE +t.kind = 'warming' AND t.on_date <= ?
                 AND (lc.last_closing IS NULL OR t.at > lc.last_closing)
               GROUP BY t.client_id""",
            (day, day),
        )
    )
    # a client-level "later": the client's newest touch says later, on a date
    follow_ups = dict(
        db.rows(
            """SELECT t.client_id, t.follow_up_on FROM touch t
               WHERE t.outcome = 'later' AND +t.deal_id IS NULL AND t.follow_up_on IS NOT NULL
                 AND t.on_date <= ?
                 AND NOT EXISTS (SELECT 1 FROM touch u
                                 WHERE u.client_id = t.client_id
                                   AND u.on_date >= t.on_date AND u.on_date <= ?
                                   AND (u.at > t.at OR (u.at = t.at AND u.id > t.id)))""",
            (day, day),
        )
    )
    people = dict(
        db.rows(
            """SELECT p.client_id, p.name FROM person p
               WHERE p.id IN (SELECT MIN(id) FROM person GROUP BY client_id)"""
        )
    )
    paid: dict[int, list[tuple[dt.date, int | None]]] = defaultdict(list)
    for row in db.rows(
        """SELECT client_id, closed_on, amount_minor FROM deal
           WHERE status = 'won' AND closed_on <= ? ORDER BY client_id, closed_on, id""",
        (day,),
    ):
        paid[row[0]].append((to_date(row[1]), row[2]))  # type: ignore[arg-type]
    clients: dict[int, ClientState] = {}
    for row in db.rows("SELECT id, name, company, category FROM client WHERE status = 'active'"):
        cid = row["id"]
        history = paid.get(cid, [])
        clients[cid] = ClientState(
            id=cid,
            name=row["name"],
            company=row["company"],
            category=row["category"],
            person=people.get(cid),
            open_deals=int(open_deals.get(cid, 0)),
            last_touch_on=to_date(last_touch.get(cid)),
            paid_dates=tuple(d for d, _ in history),
            last_paid_amount=history[-1][1] if history else None,
            warming_since_closing=int(warming.get(cid, 0)),
            follow_up_on=to_date(follow_ups.get(cid)),
        )
    won_position = dict(
        db.rows("SELECT funnel_id, MIN(position) FROM stage WHERE is_won GROUP BY funnel_id")
    )
    deals = tuple(
        OpenDeal(
            id=r["id"],
            client_id=r["client_id"],
            funnel=r["funnel"],
            stage=r["stage"],
            stage_name=r["stage_name"],
            stage_position=r["position"],
            won_position=int(won_position.get(r["funnel_id"], r["position"] + 1)),
            limit_days=r["limit_days"],
            stage_entered_on=to_date(r["stage_entered_on"]),  # type: ignore[arg-type]
            follow_up_on=to_date(r["follow_up_on"]),
            amount_minor=r["amount_minor"],
            currency=r["currency"],
            title=r["title"],
            last_touch_on=to_date(r["last_touch_on"]),
        )
        for r in db.rows(
            """SELECT d.id, d.client_id, d.funnel_id, f.code AS funnel, s.code AS stage,
                      s.name AS stage_name, s.position, s.limit_days, d.stage_entered_on,
                      d.follow_up_on, d.amount_minor, d.currency, d.title,
                      (SELECT MAX(t.on_date) FROM touch t
                       WHERE t.deal_id = d.id AND t.on_date <= ?) AS last_touch_on
               FROM deal d
               JOIN client c ON c.id = d.client_id AND c.status = 'active'
               JOIN funnel f ON f.id = d.funnel_id
               JOIN stage s ON s.id = d.stage_id
               WHERE d.status = 'open'
               ORDER BY d.id""",
            (day,),
        )
    )
    service_days = settings.int("plan.service_days")
    service_from = (today - dt.timedelta(days=service_days + SERVICE_WINDOW_DAYS)).isoformat()
    latest_paid: dict[int, ClosedDeal] = {}
    for r in db.rows(
        """SELECT d.id, d.client_id, d.closed_on, d.amount_minor, d.currency, d.title FROM deal d
           WHERE d.status = 'won' AND d.closed_on >= ? AND d.closed_on <= ?
             AND NOT EXISTS (SELECT 1 FROM touch t WHERE t.client_id = d.client_id
                             AND t.kind = 'service' AND t.on_date >= d.closed_on)
           ORDER BY d.closed_on, d.id""",
        (service_from, day),
    ):
        latest_paid[r["client_id"]] = _closed_deal(r)
    revisit_days = settings.int("plan.revisit_days")
    revisit_from = (today - dt.timedelta(days=revisit_days + REVISIT_WINDOW_DAYS)).isoformat()
    latest_lost: dict[int, ClosedDeal] = {}
    for r in db.rows(
        """SELECT d.id, d.client_id, d.closed_on, d.amount_minor, d.currency, d.title,
                  d.lost_reason FROM deal d
           WHERE d.status = 'lost' AND d.closed_on >= ? AND d.closed_on <= ?
             AND NOT EXISTS (SELECT 1 FROM deal w WHERE w.client_id = d.client_id
                             AND w.status = 'won' AND w.closed_on > d.closed_on)
           ORDER BY d.closed_on, d.id""",
        (revisit_from, day),
    ):
        latest_lost[r["client_id"]] = _closed_deal(r, reason=r["lost_reason"])
    from povtor.storage.growth_queries import growth_candidates

    return PlanInput(
        today=today,
        clients=clients,
        deals=deals,
        paid_awaiting_service=tuple(latest_paid.values()),
        lost=tuple(latest_lost.values()),
        extra=tuple(growth_candidates(db, today, settings, clients)),
    )


def _closed_deal(row: Row, *, reason: str | None = None) -> ClosedDeal:
    return ClosedDeal(
        id=row["id"],
        client_id=row["client_id"],
        closed_on=to_date(row["closed_on"]),  # type: ignore[arg-type]
        amount_minor=row["amount_minor"],
        currency=row["currency"],
        title=row["title"],
        reason=reason,
    )


def nudge_conversion(db: Database, today: dt.date) -> tuple[int, int]:
    """(closing touches on deals in the last 365 days, how many of those deals were paid)."""
    since = (today - dt.timedelta(days=365)).isoformat()
    row = db.one(
        """SELECT COUNT(*), SUM(CASE WHEN d.status = 'won' THEN 1 ELSE 0 END)
           FROM touch t JOIN deal d ON d.id = t.deal_id
           WHERE t.kind = 'closing' AND t.on_date >= ? AND t.on_date <= ?""",
        (since, today.isoformat()),
    )
    return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)


def average_check(db: Database, today: dt.date, *, days: int = 365) -> tuple[int, int]:
    """(paid deals with an amount in the last ``days``, their total in minor units)."""
    since = (today - dt.timedelta(days=days)).isoformat()
    row = db.one(
        """SELECT COUNT(*), SUM(amount_minor) FROM deal
           WHERE status = 'won' AND amount_minor IS NOT NULL
             AND closed_on >= ? AND closed_on <= ?""",
        (since, today.isoformat()),
    )
    return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)

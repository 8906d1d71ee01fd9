"""Service problems and referrals: the facts in SQL (aggregates, no per-client queries)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from povtor.domain.plan_records import ServiceProblem
from povtor.storage.database import Database, to_date

# A problem answer with no later answer of the same client (by time, then id) up to :day;
# ix_touch_answer_on finds the problem answers, ix_touch_client_kind the later answers.
# (The unary + keeps SQLite from walking every service touch by ix_touch_kind_on instead:
# problems are few, service touches many.)
OPEN_PROBLEMS = """
SELECT t.id, t.client_id, t.on_date, t.reason FROM touch t
WHERE t.answer = 'problem' AND t.on_date <= :day AND +t.kind = 'service'
  AND NOT EXISTS (SELECT 1 FROM touch u
                  WHERE u.client_id = t.client_id AND u.kind = 'service'
                    AND u.answer IS NOT NULL AND u.on_date >= t.on_date AND u.on_date <= :day
                    AND (u.at > t.at OR (u.at = t.at AND u.id > t.id)))
ORDER BY t.client_id, t.at, t.id
"""


def open_problems(db: Database, day: str, *, at_once: bool = False) -> dict[int, ServiceProblem]:
    """Per client, its unresolved service problem as of ``day`` (the latest one); with
    ``at_once``, the rows read at once (:meth:`Database.read_at_once`: beside the plan)."""
    # (the rows come by client and time: its latest last; only its record is made)
    read = db.read_at_once if at_once else db.iterate
    latest = {row[1]: row for row in read(OPEN_PROBLEMS, {"day": day})}
    return {
        client_id: ServiceProblem(
            reported_on=to_date(on_date),  # type: ignore[arg-type]
            text=reason,
            touch_id=touch_id,
        )
        for touch_id, client_id, on_date, reason in latest.values()
    }


def open_deals(db: Database, client_id: int, on: dt.date) -> list[tuple[int, str]]:
    """The client's deals open in their stage on ``on``: (id, stage code), oldest first
    (a deal opened or moved after that day is not one a touch of that day answers)."""
    return [
        (deal_id, stage)
        for deal_id, stage in db.tuples(
            """SELECT d.id, s.code FROM deal d JOIN stage s ON s.id = d.stage_id
               WHERE d.client_id = ? AND d.status = 'open' AND d.stage_entered_on <= ?
               ORDER BY d.id""",
            (client_id, on.isoformat()),
        )
    ]


def last_lost_title(db: Database, client_id: int) -> str | None:
    """What the client's latest refusal was about (the referral ask names it)."""
    return db.scalar(
        """SELECT title FROM deal WHERE client_id = ? AND status = 'lost'
           ORDER BY closed_on DESC, id DESC LIMIT 1""",
        (client_id,),
    )


def referral_links(db: Database, client_id: int) -> dict[str, Any]:
    """Who referred the client, and the clients it referred (for the card)."""
    by = db.one(
        """SELECT r.id, r.name FROM client c JOIN client r ON r.id = c.referred_by_id
           WHERE c.id = ?""",
        (client_id,),
    )
    given = db.rows(
        "SELECT id, name, created_on FROM client WHERE referred_by_id = ? ORDER BY id",
        (client_id,),
    )
    return {
        "referred_by": {"id": by["id"], "name": by["name"]} if by else None,
        "referrals": [
            {"id": r["id"], "name": r["name"], "created_on": r["created_on"]} for r in given
        ],
    }

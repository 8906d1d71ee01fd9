"""Service problems and referrals: the facts in SQL (aggregates, no per-client queries)
and the one write that records a referral."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from povtor.domain.plan_records import ServiceProblem
from povtor.storage.database import Database, to_date

if TYPE_CHECKING:
    from sqlmodel import Session

    from povtor.clock import Clock
    from povtor.storage.models import Client, Deal

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


def open_problems(db: Database, day: str) -> dict[int, ServiceProblem]:
    """Per client, its unresolved service problem as of ``day`` (the latest one)."""
    found: dict[int, ServiceProblem] = {}
    for touch_id, client_id, on_date, reason in db.tuples(OPEN_PROBLEMS, {"day": day}):
        found[client_id] = ServiceProblem(
            reported_on=to_date(on_date),  # type: ignore[arg-type]
            text=reason,
            touch_id=touch_id,
        )
    return found


def last_closed_status(db: Database, client_id: int) -> str | None:
    """The status (won or lost) of the client's most recently closed deal, if any."""
    return db.scalar(
        """SELECT status FROM deal WHERE client_id = ? AND status IN ('won', 'lost')
           ORDER BY closed_on DESC, id DESC LIMIT 1""",
        (client_id,),
    )


def open_deal_count(db: Database, client_id: int) -> int:
    return int(
        db.scalar("SELECT COUNT(*) FROM deal WHERE client_id = ? AND status = 'open'", (client_id,))
        or 0
    )


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


def create_referral(
    session: Session,
    db: Database,
    *,
    clock: Clock,
    referrer: Any,
    name: str,
    person: str | None = None,
    title: str | None = None,
    amount_minor: int | None = None,
    **fields: Any,
) -> tuple[Client, Deal]:
    """A referred client (source ``referral from <referrer>``, ``referred_by_id``), its
    first person if named, and a first-sale deal at the funnel's first stage; run inside
    the caller's transaction, so either all of it is recorded or none."""
    from povtor.domain.service import referral_source
    from povtor.storage import queries
    from povtor.storage.writes import add_client, add_person, open_deal

    client = add_client(
        session,
        today=clock.today,
        name=name,
        source=referral_source(referrer["name"]),
        referred_by_id=referrer["id"],
        **fields,
    )
    if person:
        add_person(session, client_id=client.id, name=person)  # type: ignore[arg-type]
    funnel = queries.find_funnel(db, "first")
    row = {"id": client.id, "name": client.name, "status": client.status}
    deal = open_deal(
        session,
        db,
        clock=clock,
        client=row,
        funnel_id=funnel["id"],
        stage=None,
        on=clock.today,
        title=title,
        amount_minor=amount_minor,
    )
    return client, deal

"""Talking facts per client, for the plan's card items and ``stats cards`` (plain SQL).

A fact counts from the day it was noted: as of a day D, the facts noted on or before D.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from povtor.domain.cards import CardFacts, CardPlanFacts
from povtor.records import record
from povtor.storage.database import Database, to_date


def plan_card_facts(db: Database, today: dt.date, categories: Collection[str]) -> CardPlanFacts:
    """What the plan's card rule looks at on ``today``: the talking facts of the active
    clients of ``categories`` (those it may ask about), and each client's last card
    question."""
    return CardPlanFacts(card_facts(db, today, categories), last_card_questions(db, today))


def card_facts(db: Database, today: dt.date, categories: Collection[str]) -> dict[int, CardFacts]:
    """Fact counts and topics of the active clients of ``categories``, as of ``today``."""
    marks = ", ".join("?" for _ in categories)
    counts: dict[int, int] = {}
    topics: dict[int, list[str]] = {}
    # (the facts read in one pass and each one's client looked up: the unary + keeps
    # SQLite from walking every active client and seeking its facts, most having none)
    for client_id, topic, count in db.iterate(
        f"""SELECT f.client_id, f.topic, COUNT(*) FROM fact f
            JOIN client c ON c.id = +f.client_id
            WHERE c.status = 'active' AND c.category IN ({marks}) AND f.noted_on <= ?
            GROUP BY f.client_id, f.topic""",
        (*categories, today.isoformat()),
    ):
        counts[client_id] = counts.get(client_id, 0) + int(count)
        if topic:
            topics.setdefault(client_id, []).append(topic)
    return {
        client_id: CardFacts(client_id, count, tuple(topics.get(client_id, ())))
        for client_id, count in counts.items()
    }


def last_card_questions(db: Database, today: dt.date) -> dict[int, dt.date]:
    """The day of each client's newest touch about its card (purpose ``card``) by ``today``."""
    found = {}
    for client_id, on_date in db.iterate(
        """SELECT client_id, MAX(on_date) FROM touch
           WHERE purpose = 'card' AND on_date <= ? GROUP BY client_id""",
        (today.isoformat(),),
    ):
        day = to_date(on_date)
        if day is not None:
            found[client_id] = day
    return found


@record(frozen=True)
class ClientFacts:
    client_id: int
    name: str
    category: str | None
    facts: int


def client_fact_counts(db: Database, as_of: dt.date) -> list[ClientFacts]:
    """Every active client known by ``as_of`` with its facts noted by then, by name."""
    from povtor.text import sort_key

    rows = [
        ClientFacts(r[0], r[1], r[2], int(r[3]))
        for r in db.rows(
            """SELECT c.id, c.name, c.category, COUNT(f.id) FROM client c
               LEFT JOIN fact f ON f.client_id = c.id AND f.noted_on <= :as_of
               WHERE c.status = 'active' AND c.created_on <= :as_of
               GROUP BY c.id""",
            {"as_of": as_of.isoformat()},
        )
    ]
    return sorted(rows, key=lambda r: (sort_key(r.name), r.client_id))

"""The facts of the conversation with each client (:mod:`povtor.domain.conversation`),
for every active client at once or for one: the latest answer on its general
conversation, its latest question left unanswered, and the promises ("later, on D") still
open on the other subjects.

A touch's subject (see the domain module): its deal; else its purpose and ``purpose_ref``;
else, for a service touch, the service contact; else the general conversation. Each query
reads only the touches of one subject kind, mostly from ``ix_touch_outcome`` (outcome,
deal, purpose, kind, client, at...): a few short ranges, never the touch rows themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from povtor.domain.conversation import Asked, Promise, Said
from povtor.domain.plan_records import ClientState, ClosedDeal
from povtor.storage.database import Database, Days, Row, id_list

# The latest general answer per client (a question answered yes, no or later; a warming
# touch answered no or later) and its latest general question left unanswered. The general
# conversation is the touches with no deal and no purpose, and the referral asks (a no to
# a revisit, recorded with the referral it brought). Each part is one outcome of one kind:
# a range of ix_touch_outcome already in client order, so MAX(at) per client is one pass
# with no sorting (the unary + keeps SQLite off the ranges of touch dates); the bare
# columns come from each client's latest touch of the part.
_PART = """
  SELECT client_id, MAX(at), on_date, {columns} FROM touch
  WHERE outcome = '{outcome}' AND deal_id IS NULL AND {purpose} AND kind = '{kind}'
    AND +on_date <= :day {{client}}
  GROUP BY client_id"""
_GENERAL = "\n  UNION ALL".join(
    _PART.format(
        purpose=purpose,
        kind=kind,
        outcome=outcome,
        # (a question left unanswered needs only its time: the other columns cost)
        columns=f"kind, '{outcome}', follow_up_on, id"
        if outcome in ("yes", "no", "later")
        else "NULL, 'asked', NULL, NULL",
    )
    for purpose in ("purpose IS NULL", "purpose = 'referrals'")
    for kind, outcome in (
        ("closing", "yes"),
        ("closing", "no"),
        ("closing", "later"),
        ("warming", "no"),
        ("warming", "later"),
        ("closing", "no_answer"),  # a question asked, not answered
        ("closing", "pending"),
    )
)
_ANSWERS = ("yes", "no", "later")

# A "later" is still open while no later touch of the same subject answered (yes, no,
# later) or came on or after its date. {subject} narrows u to t's subject.
_OPEN_LATER = """
SELECT t.client_id, t.on_date, t.follow_up_on, t.purpose, t.purpose_ref FROM touch t
WHERE t.outcome = 'later' AND t.deal_id IS NULL AND {where} AND +t.on_date <= :day {client}
  AND NOT EXISTS (
    SELECT 1 FROM touch u
    WHERE u.client_id = t.client_id AND u.on_date >= t.on_date AND u.on_date <= :day
      AND u.deal_id IS NULL AND {subject}
      AND (u.at > t.at OR (u.at = t.at AND u.id > t.id))
      AND (u.outcome IN ('yes', 'no', 'later') OR u.on_date >= t.follow_up_on))
ORDER BY t.client_id, t.at, t.id
"""
_SERVICE_LATER = _OPEN_LATER.format(
    where="t.purpose IS NULL AND t.kind = 'service'",
    subject="u.purpose IS NULL AND u.kind = 'service'",
    client="{client}",
)
# perks are done once logged: a "later" on one promises nothing (and the referral ask is
# part of the general conversation)
_PURPOSE_LATER = _OPEN_LATER.format(
    where="t.purpose IS NOT NULL AND t.purpose NOT IN ('perk', 'referrals')",
    subject="u.purpose = t.purpose AND u.purpose_ref IS t.purpose_ref",
    client="{client}",
)


def _only(sql: str, client_id: int | None, column: str = "client_id") -> str:
    return sql.format(client=f"AND {column} = :client" if client_id is not None else "")


def general_talk(
    db: Database, day: str, client_id: int | None = None
) -> dict[int, tuple[Said | None, Asked | None]]:
    """Per client (every one, or ``client_id``): its latest general answer and its latest
    general question left unanswered, as of ``day``."""
    days = Days()
    answers: dict[int, tuple[Any, ...]] = {}  # client -> its latest answer's row
    questions: dict[int, tuple[str, str]] = {}  # client -> (at, on_date) of its latest question
    for row in db.tuples(_only(_GENERAL, client_id), {"day": day, "client": client_id}):
        cid, at = row[0], row[1]
        if row[4] == "asked":
            known = questions.get(cid)
            if known is None or at > known[0]:
                questions[cid] = (at, row[2])
        else:
            latest = answers.get(cid)
            if latest is None or at > latest[1]:
                answers[cid] = row
    # the reasons of the "no"s that are a client's latest answer
    reasons = reasons_of(db, [row[6] for row in answers.values() if row[4] == "no"])
    found: dict[int, tuple[Said | None, Asked | None]] = {
        cid: (None, Asked(days[on_date], at)) for cid, (at, on_date) in questions.items()
    }
    for cid, (_cid, at, on_date, kind, outcome, follow_up_on, touch_id) in answers.items():
        said = Said(days[on_date], at, kind, outcome, days.of(follow_up_on), reasons.get(touch_id))
        found[cid] = (said, found[cid][1] if cid in found else None)
    return found


def reasons_of(db: Database, touch_ids: list[int]) -> dict[int, str | None]:
    """The reasons of these touches, by id."""
    if not touch_ids:
        return {}
    return dict(
        db.tuples(
            "SELECT id, reason FROM touch WHERE id IN (SELECT value FROM json_each(?))",
            (id_list(touch_ids),),
        )
    )


def service_promises(db: Database, day: str, client_id: int | None = None) -> dict[int, Promise]:
    """Per client, the latest date it named on a service contact, not kept yet."""
    days = Days()
    sql = _only(_SERVICE_LATER, client_id, "t.client_id")
    return {
        cid: Promise(days[on_date], days[follow_up_on])
        for cid, on_date, follow_up_on, _purpose, _ref in db.tuples(
            sql, {"day": day, "client": client_id}
        )
    }


def purpose_promises(
    db: Database, day: str, client_id: int | None = None
) -> dict[int, tuple[Promise, ...]]:
    """Per client, its open promises about a purpose (a roadmap step, an offer, a card
    question, the referral ask), oldest first."""
    days = Days()
    found: dict[int, list[Promise]] = defaultdict(list)
    sql = _only(_PURPOSE_LATER, client_id, "t.client_id")
    for cid, on_date, follow_up_on, purpose, ref in db.tuples(
        sql, {"day": day, "client": client_id}
    ):
        found[cid].append(Promise(days[on_date], days[follow_up_on], purpose, ref))
    return {cid: tuple(promises) for cid, promises in found.items()}


def one_client(
    db: Database, client: Row, day: str
) -> tuple[ClientState, ClosedDeal | None, dt.date | None]:
    """The facts :func:`povtor.domain.conversation.read` needs for one client as of
    ``day``: its state, its latest lost deal with no payment since, and the day its newest
    open deal was opened (what a touch about to be recorded answers)."""
    days = Days()
    cid = client["id"]
    said, asked = general_talk(db, day, cid).get(cid, (None, None))
    paid = [
        (days[on], amount)
        for on, amount in db.tuples(
            """SELECT closed_on, amount_minor FROM deal
               WHERE status = 'won' AND client_id = ? AND closed_on <= ?
               ORDER BY closed_on, id""",
            (cid, day),
        )
    ]
    row = db.one(
        "SELECT COUNT(*), MAX(opened_on) FROM deal WHERE status = 'open' AND client_id = ?",
        (cid,),
    )
    open_deals, opened_on = (int(row[0]), days.of(row[1])) if row else (0, None)
    lost_row = db.one(
        """SELECT d.id, d.closed_on, d.amount_minor, d.currency, d.title, d.lost_reason
           FROM deal d WHERE d.status = 'lost' AND d.client_id = ? AND d.closed_on <= ?
           ORDER BY d.closed_on DESC, d.id DESC LIMIT 1""",
        (cid, day),
    )
    lost = None
    if lost_row is not None and not (paid and paid[-1][0] > days[lost_row["closed_on"]]):
        lost = ClosedDeal(
            lost_row["id"],
            cid,
            days[lost_row["closed_on"]],
            lost_row["amount_minor"],
            lost_row["currency"],
            lost_row["title"],
            lost_row["lost_reason"],
        )
    state = ClientState(
        id=cid,
        name=client["name"],
        company=client["company"],
        category=client["category"],
        person=None,
        open_deals=open_deals,
        last_touch_on=None,
        paid_dates=tuple(on for on, _amount in paid),
        last_paid_amount=paid[-1][1] if paid else None,
        said=said,
        asked=asked,
        service_promise=service_promises(db, day, cid).get(cid),
        promises=purpose_promises(db, day, cid).get(cid, ()),
    )
    return state, lost, opened_on

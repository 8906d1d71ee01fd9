"""Writes through the SQLModel ORM. Each function runs inside the caller's session
(one transaction per command) and appends to the deal history where it must."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from povtor.clock import Clock
from povtor.domain.deals import StagePoint, check_event_date, check_move, check_open
from povtor.errors import Conflict, InvalidInput, NotFound
from povtor.storage.database import Database, to_date
from povtor.storage.models import Client, Deal, Fact, Person, StageChange, Touch
from povtor.storage.queries import funnel_stages, search_key


def add_client(session: Session, *, today: dt.date, **fields: Any) -> Client:
    created_on = fields.pop("created_on", None) or today  # before **fields: given once
    client = Client(
        **fields,
        search_key=search_key(fields["name"], fields.get("company")),
        created_on=created_on,
    )
    session.add(client)
    session.flush()
    return client


def update_client(session: Session, client_id: int, changes: dict[str, Any]) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(f"no client #{client_id}")
    for key, value in changes.items():
        setattr(client, key, value)
    client.search_key = search_key(client.name, client.company)
    session.add(client)
    session.flush()
    return client


def add_person(session: Session, *, client_id: int, **fields: Any) -> Person:
    person = Person(client_id=client_id, **fields)
    session.add(person)
    session.flush()
    return person


def add_fact(
    session: Session, *, client_id: int, text: str, topic: str | None, on: dt.date
) -> Fact:
    fact = Fact(client_id=client_id, text=text, topic=topic, noted_on=on)
    session.add(fact)
    session.flush()
    return fact


def remove_fact(session: Session, *, client_id: int, fact_id: int) -> Fact:
    fact = session.get(Fact, fact_id)
    if fact is None or fact.client_id != client_id:
        raise NotFound(
            f"client #{client_id} has no fact #{fact_id}",
            hint=f"see its facts with: povtor client show {client_id}",
        )
    session.delete(fact)
    session.flush()
    return fact


def _record(
    session: Session,
    deal: Deal,
    *,
    clock: Clock,
    on: dt.date,
    event: str,
    from_stage: int | None,
    to_stage: int | None,
    reason: str | None = None,
) -> None:
    session.add(
        StageChange(
            deal_id=deal.id,
            event=event,
            from_stage_id=from_stage,
            to_stage_id=to_stage,
            at=clock.at_date(on),
            on_date=on,
            reason=reason,
        )
    )


def open_deal(
    session: Session,
    db: Database,
    *,
    clock: Clock,
    client: Any,
    funnel_id: int,
    stage: Any | None,
    on: dt.date,
    **fields: Any,
) -> Deal:
    if client["status"] != "active":
        raise Conflict(
            f"client #{client['id']} {client['name']} is archived",
            hint=f"bring it back first: povtor client restore {client['id']}",
        )
    if on > clock.today:
        raise InvalidInput(
            f"--on {on.isoformat()} is in the future", hint="open deals as of today or earlier"
        )
    stages = funnel_stages(db, funnel_id)
    first = stage if stage is not None else stages[0]
    if first["is_won"]:
        raise InvalidInput(
            f"a deal cannot be opened at the paid stage {first['code']}",
            hint="open it at an earlier stage, then: povtor deal win ID",
        )
    deal = Deal(
        client_id=client["id"],
        funnel_id=funnel_id,
        stage_id=first["id"],
        opened_on=on,
        stage_entered_on=on,
        **fields,
    )
    session.add(deal)
    session.flush()
    _record(session, deal, clock=clock, on=on, event="open", from_stage=None, to_stage=first["id"])
    session.flush()
    return deal


def _point(stage: Any) -> StagePoint:
    return StagePoint(code=stage["code"], position=stage["position"], is_won=bool(stage["is_won"]))


def _load(session: Session, deal_id: int) -> Deal:
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFound(f"no deal #{deal_id}", hint="list deals with: povtor deal list")
    return deal


def move_deal(
    session: Session,
    db: Database,
    *,
    clock: Clock,
    deal_id: int,
    target: Any,
    on: dt.date,
    force: bool = False,
) -> Deal:
    deal = _load(session, deal_id)
    stages = {s["id"]: s for s in funnel_stages(db, deal.funnel_id)}
    if target["id"] not in stages:
        raise NotFound(f"stage {target['code']} is not in deal #{deal_id}'s funnel")
    check_move(deal_id, deal.status, _point(stages[deal.stage_id]), _point(target), force=force)
    check_event_date(deal_id, on, since=to_date(deal.stage_entered_on), today=clock.today)  # type: ignore[arg-type]
    event = "win" if target["is_won"] else "move"
    _record(
        session,
        deal,
        clock=clock,
        on=on,
        event=event,
        from_stage=deal.stage_id,
        to_stage=target["id"],
    )
    deal.stage_id = target["id"]
    deal.stage_entered_on = on
    deal.follow_up_on = None
    if target["is_won"]:
        deal.status = "won"
        deal.closed_on = on
    session.add(deal)
    session.flush()
    return deal


def win_deal(
    session: Session,
    db: Database,
    *,
    clock: Clock,
    deal_id: int,
    on: dt.date,
    amount_minor: int | None,
) -> Deal:
    deal = _load(session, deal_id)
    check_open(deal_id, deal.status)
    won = [s for s in funnel_stages(db, deal.funnel_id) if s["is_won"]]
    if amount_minor is not None:
        deal.amount_minor = amount_minor
    return move_deal(session, db, clock=clock, deal_id=deal_id, target=won[0], on=on, force=False)


def lose_deal(session: Session, *, clock: Clock, deal_id: int, on: dt.date, reason: str) -> Deal:
    deal = _load(session, deal_id)
    check_open(deal_id, deal.status)
    check_event_date(deal_id, on, since=to_date(deal.stage_entered_on), today=clock.today)  # type: ignore[arg-type]
    _record(
        session,
        deal,
        clock=clock,
        on=on,
        event="lose",
        from_stage=deal.stage_id,
        to_stage=None,
        reason=reason,
    )
    deal.status = "lost"
    deal.closed_on = on
    deal.lost_reason = reason
    deal.follow_up_on = None
    session.add(deal)
    session.flush()
    return deal


def reopen_deal(
    session: Session, db: Database, *, clock: Clock, deal_id: int, on: dt.date, stage: Any | None
) -> Deal:
    deal = _load(session, deal_id)
    if deal.status == "open":
        raise Conflict(f"deal #{deal_id} is open already", hint="nothing to do")
    closed_on = to_date(deal.closed_on) or to_date(deal.stage_entered_on)
    check_event_date(deal_id, on, since=closed_on, today=clock.today)  # type: ignore[arg-type]
    stages = funnel_stages(db, deal.funnel_id)
    if stage is None:
        # back to the stage the deal was in when it closed (before paid, for a won deal)
        last = db.one(
            """SELECT from_stage_id FROM stage_change WHERE deal_id = ? AND event IN ('win', 'lose')
               ORDER BY at DESC, id DESC LIMIT 1""",
            (deal_id,),
        )
        stage_id = last["from_stage_id"] if last and last["from_stage_id"] else stages[0]["id"]
        stage = next(s for s in stages if s["id"] == stage_id)
    if stage["is_won"]:
        raise InvalidInput("a deal cannot be reopened at the paid stage", hint="name an open stage")
    _record(
        session,
        deal,
        clock=clock,
        on=on,
        event="reopen",
        from_stage=deal.stage_id,
        to_stage=stage["id"],
    )
    deal.status = "open"
    deal.stage_id = stage["id"]
    deal.stage_entered_on = on
    deal.closed_on = None
    deal.lost_reason = None
    session.add(deal)
    session.flush()
    return deal


def log_touch(
    session: Session,
    db: Database,
    *,
    clock: Clock,
    client: Any,
    deal: Any | None,
    kind: str,
    channel: str,
    outcome: str,
    on: dt.date,
    text: str | None = None,
    reason: str | None = None,
    follow_up_on: dt.date | None = None,
    to_stage: Any | None = None,
    answer: str | None = None,
    purpose: str | None = None,
    purpose_ref: str | None = None,
) -> tuple[Touch, bool]:
    """Record a touch and apply its outcome to the deal; returns (touch, is_new).

    yes moves the deal to the next stage (or ``to_stage``; the paid stage wins it),
    no closes it as lost with the reason, later sets its follow-up date, no_answer
    and pending leave it as it is. The same touch logged twice on one day (same
    client, deal, kind, outcome, text, service answer and purpose) is recorded once.
    """
    if on > clock.today:
        raise InvalidInput(
            f"--on {on.isoformat()} is in the future", hint="log touches that happened"
        )
    if outcome == "later":
        if follow_up_on is None:
            raise InvalidInput(
                "outcome later needs a date", hint="add --later DATE, e.g. --later +7"
            )
        if follow_up_on <= on:
            raise InvalidInput(
                f"--later {follow_up_on.isoformat()} is not after the touch date {on.isoformat()}",
                hint="give a future date, e.g. --later +7",
            )
    if outcome == "no" and deal is not None and not reason:
        raise InvalidInput("outcome no on a deal needs a reason", hint='add --reason "дорого"')
    if deal is not None:
        check_open(deal["id"], deal["status"])
    duplicate = db.one(
        """SELECT id FROM touch WHERE client_id = ? AND deal_id IS ? AND kind = ? AND on_date = ?
           AND outcome = ? AND text IS ? AND answer IS ? AND purpose IS ? AND purpose_ref IS ?""",
        (
            client["id"],
            deal["id"] if deal else None,
            kind,
            on.isoformat(),
            outcome,
            text,
            answer,
            purpose,
            purpose_ref,
        ),
    )
    if duplicate is not None:
        existing = session.get(Touch, duplicate["id"])
        assert existing is not None
        return existing, False
    touch = Touch(
        client_id=client["id"],
        deal_id=deal["id"] if deal else None,
        stage_id=deal["stage_id"] if deal else None,
        at=clock.at_date(on),
        on_date=on,
        kind=kind,
        channel=channel,
        outcome=outcome,
        reason=reason,
        follow_up_on=follow_up_on if outcome == "later" else None,
        text=text,
        answer=answer,
        purpose=purpose,
        purpose_ref=purpose_ref,
    )
    session.add(touch)
    session.flush()
    if deal is None:
        return touch, True
    if outcome == "yes":
        stages = funnel_stages(db, deal["funnel_id"])
        target = to_stage
        if target is None:
            later = [s for s in stages if s["position"] > deal["stage_position"]]
            target = later[0]
        move_deal(session, db, clock=clock, deal_id=deal["id"], target=target, on=on)
    elif outcome == "no":
        lose_deal(session, clock=clock, deal_id=deal["id"], on=on, reason=reason or "")
    elif outcome == "later":
        row = _load(session, deal["id"])
        row.follow_up_on = follow_up_on
        session.add(row)
    session.flush()
    return touch, True

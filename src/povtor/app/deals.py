"""Deals: open, move through the funnel, win, lose, reopen.

The ``deal_*`` functions are the commands: each is one transaction. The functions
without the prefix (``open_in``, ``move``, ``lose``...) do the same work inside a
transaction that the caller holds, so a touch, a referral or an import can move deals
as part of its own all-or-nothing change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from povtor.clock import Clock
from povtor.domain.deals import StagePoint, check_event_date, check_move, check_open
from povtor.errors import Conflict, InvalidInput, NotFound
from povtor.i18n import _
from povtor.records import record
from povtor.storage import deal_writes, queries
from povtor.storage.database import Database, Row, to_date


@record(frozen=True)
class DealEvent:
    """What a deal command did, for the message that reports it."""

    deal_id: int
    client: str
    funnel: str
    before: str | None  # the stage code before the change (None: a new deal)
    stage: str  # the stage code after it
    status: str


def _point(stage: Row) -> StagePoint:
    return StagePoint(code=stage["code"], position=stage["position"], is_won=bool(stage["is_won"]))


def _history(
    db: Database,
    clock: Clock,
    deal_id: int,
    *,
    on: dt.date,
    event: str,
    from_stage: int | None,
    to_stage: int | None,
    reason: str | None = None,
) -> None:
    deal_writes.insert_stage_change(
        db,
        deal_id=deal_id,
        event=event,
        from_stage_id=from_stage,
        to_stage_id=to_stage,
        at=clock.at_date(on),
        on=on,
        reason=reason,
    )


# -- inside the caller's transaction ---------------------------------------------------
def open_in(
    db: Database,
    clock: Clock,
    *,
    client: Row | dict[str, Any],
    funnel_id: int,
    stage: Row | None,
    on: dt.date,
    title: str | None = None,
    amount_minor: int | None = None,
    currency: str = "RUB",
    expected_on: dt.date | None = None,
) -> int:
    """Open a deal at ``stage`` (default: the funnel's first); its id."""
    if client["status"] != "active":
        raise Conflict(
            _("client #{id} {name} is archived").format(id=client["id"], name=client["name"]),
            hint=_("bring it back first: povtor client restore {id}").format(id=client["id"]),
        )
    if on > clock.today:
        raise InvalidInput(
            _("--on {on} is in the future").format(on=on.isoformat()),
            hint=_("open deals as of today or earlier"),
        )
    first = stage if stage is not None else queries.funnel_stages(db, funnel_id)[0]
    if first["is_won"]:
        raise InvalidInput(
            _("a deal cannot be opened at the paid stage {code}").format(code=first["code"]),
            hint=_("open it at an earlier stage, then: povtor deal win ID"),
        )
    deal_id = deal_writes.insert_deal(
        db,
        {
            "client_id": client["id"],
            "funnel_id": funnel_id,
            "stage_id": first["id"],
            "title": title,
            "amount_minor": amount_minor,
            "currency": currency,
            "opened_on": on,
            "stage_entered_on": on,
            "expected_on": expected_on,
        },
    )
    _history(db, clock, deal_id, on=on, event="open", from_stage=None, to_stage=first["id"])
    return deal_id


def move(
    db: Database,
    clock: Clock,
    *,
    deal_id: int,
    target: Row,
    on: dt.date,
    force: bool = False,
    amount_minor: int | None = None,
) -> None:
    """Move a deal to ``target`` (forward; back with ``force``); the paid stage wins it."""
    deal = deal_writes.deal_record(db, deal_id)
    stages = {s["id"]: s for s in queries.funnel_stages(db, deal["funnel_id"])}
    if target["id"] not in stages:
        raise NotFound(
            _("stage {code} is not in deal #{deal_id}'s funnel").format(
                code=target["code"], deal_id=deal_id
            )
        )
    check_move(
        deal_id, deal["status"], _point(stages[deal["stage_id"]]), _point(target), force=force
    )
    since = to_date(deal["stage_entered_on"])
    assert since is not None
    check_event_date(deal_id, on, since=since, today=clock.today, opened=to_date(deal["opened_on"]))
    won = bool(target["is_won"])
    _history(
        db,
        clock,
        deal_id,
        on=on,
        event="win" if won else "move",
        from_stage=deal["stage_id"],
        to_stage=target["id"],
    )
    changes: dict[str, Any] = {
        "stage_id": target["id"],
        "stage_entered_on": on,
        "follow_up_on": None,
    }
    if amount_minor is not None:
        changes["amount_minor"] = amount_minor
    if won:
        changes.update(status="won", closed_on=on)
    deal_writes.update_deal(db, deal_id, changes)


def win(db: Database, clock: Clock, *, deal_id: int, on: dt.date, amount_minor: int | None) -> None:
    deal = deal_writes.deal_record(db, deal_id)
    check_open(deal_id, deal["status"])
    paid = [s for s in queries.funnel_stages(db, deal["funnel_id"]) if s["is_won"]]
    move(db, clock, deal_id=deal_id, target=paid[0], on=on, amount_minor=amount_minor)


def lose(db: Database, clock: Clock, *, deal_id: int, on: dt.date, reason: str) -> None:
    deal = deal_writes.deal_record(db, deal_id)
    check_open(deal_id, deal["status"])
    since = to_date(deal["stage_entered_on"])
    assert since is not None
    check_event_date(deal_id, on, since=since, today=clock.today, opened=to_date(deal["opened_on"]))
    _history(
        db,
        clock,
        deal_id,
        on=on,
        event="lose",
        from_stage=deal["stage_id"],
        to_stage=None,
        reason=reason,
    )
    deal_writes.update_deal(
        db,
        deal_id,
        {"status": "lost", "closed_on": on, "lost_reason": reason, "follow_up_on": None},
    )


def reopen(db: Database, clock: Clock, *, deal_id: int, on: dt.date, stage: Row | None) -> None:
    deal = deal_writes.deal_record(db, deal_id)
    if deal["status"] == "open":
        raise Conflict(
            _("deal #{deal_id} is open already").format(deal_id=deal_id), hint=_("nothing to do")
        )
    closed_on = to_date(deal["closed_on"]) or to_date(deal["stage_entered_on"])
    assert closed_on is not None
    check_event_date(deal_id, on, since=closed_on, today=clock.today)
    stages = queries.funnel_stages(db, deal["funnel_id"])
    if stage is None:
        # back to the stage the deal was in when it closed (before paid, for a won deal)
        stage_id = deal_writes.stage_before_closing(db, deal_id) or stages[0]["id"]
        stage = next(s for s in stages if s["id"] == stage_id)
    if stage["is_won"]:
        raise InvalidInput(
            _("a deal cannot be reopened at the paid stage"), hint=_("name an open stage")
        )
    # reopened the day it closed, at the stage it closed from (a slip of the hand), the
    # deal is back as it was: its time in the stage and the date promised in it go on;
    # reopened later, it starts afresh in the stage
    entered, promised = on, None
    if on == closed_on and stage["id"] == deal_writes.stage_before_closing(db, deal_id):
        day, promised = deal_writes.as_it_closed(db, deal_id, stage["id"])
        entered = day or on
    _history(
        db,
        clock,
        deal_id,
        on=on,
        event="reopen",
        from_stage=deal["stage_id"],
        to_stage=stage["id"],
    )
    deal_writes.update_deal(
        db,
        deal_id,
        {
            "status": "open",
            "stage_id": stage["id"],
            "stage_entered_on": entered,
            "closed_on": None,
            "lost_reason": None,
            "follow_up_on": promised,
        },
    )


# -- the commands: one transaction each -------------------------------------------------
def _event(db: Database, before: Row | None, deal_id: int) -> DealEvent:
    after = queries.get_deal(db, deal_id)
    return DealEvent(
        deal_id=deal_id,
        client=after["client"],
        funnel=after["funnel"],
        before=before["stage"] if before is not None else None,
        stage=after["stage"],
        status=after["status"],
    )


def deal_open(
    db: Database,
    clock: Clock,
    *,
    client: str,
    funnel: str,
    stage: str | None,
    on: dt.date,
    title: str | None,
    amount_minor: int | None,
    currency: str,
    expected_on: dt.date | None = None,
    products: Sequence[str] = (),
) -> DealEvent:
    """``povtor deal open``: a deal for a client, with the products named."""
    from povtor.storage import kept_figures, product_queries, product_writes

    with kept_figures.leaving_them(db):  # (a deal opened is neither nudged nor paid)
        client_row = queries.find_client(db, client)
        funnel_row = queries.find_funnel(db, funnel)
        stage_row = queries.find_stage(db, funnel_row["id"], stage) if stage else None
        deal_id = open_in(
            db,
            clock,
            client=client_row,
            funnel_id=funnel_row["id"],
            stage=stage_row,
            on=on,
            title=title,
            amount_minor=amount_minor,
            currency=currency,
            expected_on=expected_on,
        )
        product_ids = dict.fromkeys(product_queries.find_product(db, p)["id"] for p in products)
        for product_id in product_ids:  # each once, in the order given
            product_writes.add_to_deal(db, deal_id, product_id)
        return _event(db, None, deal_id)


def deal_move(
    db: Database, clock: Clock, *, deal: str, stage: str, on: dt.date, force: bool
) -> DealEvent:
    from povtor.storage import kept_figures

    with db.transaction():
        kept = kept_figures.valid_now(db)
        row = queries.find_deal(db, deal)
        target = queries.find_stage(db, row["funnel_id"], stage)
        move(db, clock, deal_id=row["id"], target=target, on=on, force=force)
        if not target["is_won"]:  # (an open deal moved stays open: no figure changes)
            kept_figures.carry(db, kept)
        return _event(db, row, row["id"])


def deal_win(
    db: Database, clock: Clock, *, deal: str, on: dt.date, amount_minor: int | None
) -> DealEvent:
    with db.transaction():
        row = queries.find_deal(db, deal)
        win(db, clock, deal_id=row["id"], on=on, amount_minor=amount_minor)
        return _event(db, row, row["id"])


def deal_lose(db: Database, clock: Clock, *, deal: str, on: dt.date, reason: str) -> DealEvent:
    with db.transaction():
        row = queries.find_deal(db, deal)
        lose(db, clock, deal_id=row["id"], on=on, reason=reason)
        return _event(db, row, row["id"])


def deal_reopen(
    db: Database, clock: Clock, *, deal: str, on: dt.date, stage: str | None
) -> DealEvent:
    from povtor.app.sellers import back_from_a_removed_seller

    with db.transaction():
        row = queries.find_deal(db, deal)
        target = queries.find_stage(db, row["funnel_id"], stage) if stage else None
        reopen(db, clock, deal_id=row["id"], on=on, stage=target)
        back_from_a_removed_seller(db, clock, row)
        return _event(db, row, row["id"])

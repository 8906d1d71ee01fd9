"""Recording a touch: the one place where what a client answered changes the data.

``povtor nudge log`` and ``povtor plan run`` both call :func:`record_touch`: it checks
the touch, records it once, and applies what its answer means
(:data:`povtor.domain.conversation.ANSWERS`, by the touch's subject): on a deal, yes moves
it on, no loses it with the reason, later sets the follow-up date; on the client's
general conversation, no loses every open deal of the client with that reason and a yes
opens the deal asked for (``open_stage``, or says how); a yes to a roadmap step marks
it done; a referral named after a refused revisit is recorded; and it says what the touch
means for the client's service problem or refusal — all in one transaction. What the
answers mean for the plan is read back from the touches by the plan itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from typing import TYPE_CHECKING

from povtor.app import deals
from povtor.app.corrections import remember_touch
from povtor.clock import Clock
from povtor.errors import Conflict, InvalidInput
from povtor.i18n import _
from povtor.records import record
from povtor.storage import deal_writes, kept_figures, queries, service_queries
from povtor.storage.database import Database, Row, to_date

if TYPE_CHECKING:
    from povtor.domain.planner import ServiceProblem


@record(frozen=True)
class TouchInput:
    """A touch as the seller gives it (options already parsed and checked one by one)."""

    kind: str
    channel: str
    outcome: str
    on: dt.date
    text: str | None = None
    reason: str | None = None
    follow_up_on: dt.date | None = None
    to_stage: str | None = None  # with yes: the stage the deal moves to (default: next)
    answer: str | None = None  # a service contact's: ok | problem
    purpose: str | None = None
    about: str | None = None  # which perk, product, step...: as typed, or as the plan keyed it
    about_is_key: bool = False  # True: ``about`` is a key the plan made (checked already)
    # a yes on the client's general conversation opens a deal of the repeat funnel at this
    # stage (request, by default), for this amount (default: the client's last paid one)
    open_stage: str | None = None
    open_amount: int | None = None


@record(frozen=True)
class Referral:
    """A referral named after a refused revisit (seed 002): a new client with a deal."""

    name: str
    phone: str | None = None


@record
class Recorded:
    touch_id: int
    is_new: bool
    client: Row
    deal_before: Row | None
    deal_after: Row | None
    notes: list[str] = field(default_factory=list)  # service problem, refusal: for stderr
    roadmap_note: str | None = None
    referred: tuple[int, str, int] | None = None  # the new client's id and name, its deal
    lost: list[tuple[int, str]] = field(default_factory=list)  # deals a client-level no lost
    lost_reason: str | None = None
    opened: tuple[int, str, int | None, str] | None = None  # deal, stage, amount, currency


def record_touch(
    db: Database,
    clock: Clock,
    *,
    touch: TouchInput,
    client: str | None = None,
    deal: str | None = None,
    referral: Referral | None = None,
    seller_id: int | None = None,
) -> Recorded:
    """Record ``touch`` with a deal (``deal``) or a client (``client``): one transaction.
    ``seller_id``: the team's seller who logs it (the current seller)."""
    from povtor.domain.conversation import touch_of

    with db.transaction():
        kept = kept_figures.valid_now(db)  # (carried past the touch if it leaves them)
        deal_row = queries.find_deal(db, deal) if deal else None
        client_row = queries.find_client(
            db, str(deal_row["client_id"]) if deal_row else client or ""
        )
        if client_row["status"] != "active":
            raise Conflict(
                _("client #{id} is archived").format(id=client_row["id"]),
                hint=_("povtor client restore {id}").format(id=client_row["id"]),
            )
        row = touch_of(has_deal=deal_row is not None, purpose=touch.purpose, kind=touch.kind)
        general = row in ("question", "warming")
        if touch.open_stage is not None and not (general and touch.outcome == "yes"):
            raise InvalidInput(
                _("--open goes with a yes on the client's own question (no --deal, no --purpose)"),
                hint=_(
                    "e.g. povtor nudge log --client {id} --kind closing --outcome yes --open"
                ).format(id=client_row["id"]),
            )
        open_deals = (
            service_queries.open_deals(db, client_row["id"], touch.on)
            if general and touch.outcome in ("yes", "no")
            else []
        )  # (a no loses them; a yes with none open is reminded to open one)
        if general and touch.outcome == "no" and open_deals and not touch.reason:
            raise InvalidInput(
                _("outcome no loses the client's {n} open deal(s): it needs a reason").format(
                    n=len(open_deals)
                ),
                hint=_('add --reason "перешли на топливные карты"'),
            )
        refused_before = general and touch.outcome == "no" and _refused(db, client_row, touch.on)
        target = (
            queries.find_stage(db, deal_row["funnel_id"], touch.to_stage)
            if touch.to_stage and deal_row
            else None
        )
        problem_before = _open_problem(db, client_row["id"], touch.on) if touch.answer else None
        purpose, about = touch.purpose, touch.about
        if not touch.about_is_key:
            about = _about_key(db, client_row, purpose, about)
        referred = None
        if referral is not None:  # the new client, then the touch that names it (client:ID)
            referred = _add_referral(db, clock, client_row, referral)
            purpose, about = "referrals", f"client:{referred[0]}"
        touch_id, is_new = _log(
            db,
            clock,
            client=client_row,
            deal=deal_row,
            touch=touch,
            target=target,
            purpose=purpose,
            about=about,
        )
        if is_new and seller_id is not None:
            from povtor.storage.seller_writes import mark_touch

            mark_touch(db, touch_id, seller_id)
        after = queries.get_deal(db, deal_row["id"]) if deal_row else None
        recorded = Recorded(
            touch_id=touch_id,
            is_new=is_new,
            client=client_row,
            deal_before=deal_row,
            deal_after=after,
            referred=referred,
        )
        recorded.notes = _service_notes(db, client_row, touch.answer, problem_before, touch.on)
        lost_before: dict[int, Row] = {}  # each deal a no loses, as it was (for an undo)
        if is_new and general and touch.outcome == "no":
            # a no on the general conversation ends the chase: every open deal is lost
            for open_id, stage in open_deals:
                lost_before[open_id] = deal_writes.deal_record(db, open_id)
                deals.lose(db, clock, deal_id=open_id, on=touch.on, reason=touch.reason or "")
                recorded.lost.append((open_id, stage))
            recorded.lost_reason = touch.reason
            if refused_before:  # seed 002: a no to the revisit is followed by the ask
                from povtor.app.drafts import referral_hint

                recorded.notes.append(referral_hint(db, client_row))
        if is_new and general and touch.outcome == "yes":
            if touch.open_stage is not None:
                recorded.opened = _open_asked_deal(db, clock, client_row, touch)
            elif not open_deals:
                recorded.notes.append(_open_hint(db, client_row))
        # a yes to a roadmap step records the step as done on the touch's day
        if is_new:
            # what the touch changed, kept so that povtor nudge undo can put it back
            remember_touch(
                db, recorded, touch=touch, purpose=purpose, about=about, lost=lost_before
            )
            recorded.roadmap_note = _roadmap_yes(
                db, client_row, purpose, about, touch.outcome, touch.on
            )
            if _leaves_the_figures(db, kept, touch, recorded):
                kept_figures.carry(db, kept)
    return recorded


def _leaves_the_figures(
    db: Database, kept: kept_figures.Valid | None, touch: TouchInput, recorded: Recorded
) -> bool:
    """Whether the touch just recorded leaves the plan's yearly figures kept (``kept``) as
    they are (the nudge→order conversion counts the deals with a closing touch, once each
    from the first, and their payments; the average check, payments): no deal changed
    with it (none moved, won, lost or opened, no referral added: a date to come back on
    counts for nothing), and it is not a closing touch on a deal, or one on a deal nudged
    already (on or before its day, in the figures' 12 months)."""
    if recorded.lost or recorded.opened is not None or recorded.referred is not None:
        return False
    before, after = recorded.deal_before, recorded.deal_after
    if before is None:
        return True  # (a touch on no deal: the conversion counts deals)
    if not kept_figures.same_deal_for_them(before, after):
        return False
    return touch.kind != "closing" or kept_figures.nudged_already(
        db, kept, deal_id=before["id"], on=touch.on, touch_id=recorded.touch_id
    )


def _refused(db: Database, client: Row, day: dt.date) -> bool:
    """Whether the client is in the refusal funnel on ``day``, before the touch being
    recorded (then a no to it is a no to the revisit: the referral ask follows)."""
    from povtor.domain import conversation
    from povtor.storage.conversation_queries import one_client
    from povtor.storage.plan_queries import load_settings

    state, lost, opened_on = one_client(db, client, day.isoformat())
    talk = conversation.read(state, lost, opened_on, day, load_settings(db))
    return talk.refusal is not None


def _last_paid(db: Database, client_id: int) -> tuple[int | None, str]:
    row = db.one(
        """SELECT amount_minor, currency FROM deal WHERE status = 'won' AND client_id = ?
           ORDER BY closed_on DESC, id DESC LIMIT 1""",
        (client_id,),
    )
    return (row["amount_minor"], row["currency"]) if row else (None, "RUB")


def _open_asked_deal(
    db: Database, clock: Clock, client: Row, touch: TouchInput
) -> tuple[int, str, int | None, str]:
    """The deal a yes asked for: the repeat funnel at ``touch.open_stage``, for
    ``touch.open_amount`` or the client's last paid amount; (id, stage, amount, currency)."""
    funnel = queries.find_funnel(db, "repeat")
    stage = queries.find_stage(db, funnel["id"], touch.open_stage or "request")
    amount, currency = _last_paid(db, client["id"])
    if touch.open_amount is not None:
        amount = touch.open_amount
    deal_id = deals.open_in(
        db,
        clock,
        client=client,
        funnel_id=funnel["id"],
        stage=stage,
        on=touch.on,
        amount_minor=amount,
        currency=currency,
    )
    return deal_id, stage["code"], amount, currency


def _open_hint(db: Database, client: Row) -> str:
    """How to open the deal a yes asked for, typed out."""
    from povtor.parsing import format_money

    amount, currency = _last_paid(db, client["id"])
    command = f"povtor deal open {client['id']} --stage request"
    if amount is not None:
        command += f" --amount {format_money(amount)}"
        if currency != "RUB":
            command += f" --currency {currency}"
    return f"the client said yes: open the deal with {command} (or log it with --open)"


def _log(
    db: Database,
    clock: Clock,
    *,
    client: Row,
    deal: Row | None,
    touch: TouchInput,
    target: Row | None,
    purpose: str | None,
    about: str | None,
) -> tuple[int, bool]:
    """Check and record the touch, then apply its outcome to the deal; (id, is_new).

    The same touch logged twice on one day (same client, deal, kind, outcome, text,
    service answer and purpose) is recorded once.
    """
    on, outcome = touch.on, touch.outcome
    if on > clock.today:
        raise InvalidInput(
            _("--on {on} is in the future").format(on=on.isoformat()),
            hint=_("log touches that happened"),
        )
    if outcome == "later":
        if touch.follow_up_on is None:
            raise InvalidInput(
                _("outcome later needs a date"), hint=_("add --until DATE, e.g. --until +7")
            )
        if touch.follow_up_on <= on:
            raise InvalidInput(
                _("--until {follow_up_on} is not after the touch date {on}").format(
                    follow_up_on=touch.follow_up_on.isoformat(), on=on.isoformat()
                ),
                hint=_("give a future date, e.g. --until +7"),
            )
    if outcome == "no" and deal is not None and not touch.reason:
        raise InvalidInput(
            _("outcome no on a deal needs a reason"), hint=_('add --reason "дорого"')
        )
    if deal is not None:
        from povtor.domain.deals import check_open

        check_open(deal["id"], deal["status"])
    fields = {
        "client_id": client["id"],
        "deal_id": deal["id"] if deal else None,
        "stage_id": deal["stage_id"] if deal else None,
        "at": clock.at_date(on),
        "on_date": on,
        "kind": touch.kind,
        "channel": touch.channel,
        "outcome": outcome,
        "reason": touch.reason,
        "follow_up_on": touch.follow_up_on if outcome == "later" else None,
        "text": touch.text,
        "answer": touch.answer,
        "purpose": purpose,
        "purpose_ref": about,
    }
    existing = deal_writes.same_touch(db, fields)
    if existing is not None:
        return existing, False
    touch_id = deal_writes.insert_touch(db, fields)
    if deal is None:
        return touch_id, True
    if outcome == "yes":
        if target is None:
            stages = queries.funnel_stages(db, deal["funnel_id"])
            target = next(s for s in stages if s["position"] > deal["stage_position"])
        deals.move(db, clock, deal_id=deal["id"], target=target, on=on)
    elif outcome == "no":
        deals.lose(db, clock, deal_id=deal["id"], on=on, reason=touch.reason or "")
    elif outcome == "later":
        deal_writes.update_deal(db, deal["id"], {"follow_up_on": touch.follow_up_on})
    return touch_id, True


def _about_key(db: Database, client: Row, purpose: str | None, about: str | None) -> str | None:
    """What a touch is about, checked and keyed as the plan compares it."""
    if purpose == "roadmap":  # --about: a step's position or code (default: the next one)
        return _roadmap_key(db, client, about)
    if purpose == "perk" and about:  # a holiday, birthday or occasion key
        from povtor.storage.perk_queries import perk_reference

        return perk_reference(db, client, about)
    if purpose in ("backend", "cross_sell") and about:  # a product: its id
        from povtor.storage.offer_queries import offered_product_reference

        return offered_product_reference(db, purpose, about)
    if purpose == "content" and about:  # an item of the warming content: content:ID
        from povtor.app.warming import content_reference

        return content_reference(db, about)
    return about


def _roadmap_key(db: Database, client: Row, ref: str | None) -> str | None:
    """The step code a roadmap touch is about: ``ref`` (a position or code) on the client's
    roadmap, or by default the client's next undone step (None when all are done)."""
    from povtor.domain.roadmaps import next_step
    from povtor.storage.roadmap_queries import client_steps_done, roadmap_steps, step_in_roadmap

    if client["category"] is None:
        raise Conflict(
            _("client #{id} {name} has no category, so no roadmap").format(
                id=client["id"], name=client["name"]
            ),
            hint=_("set one first: povtor client edit {id} --category B").format(id=client["id"]),
        )
    if ref is not None:
        return step_in_roadmap(db, client["category"], ref, client=client["name"]).code
    done_ids = {r["step_id"] for r in client_steps_done(db, client["id"])}
    upcoming = next_step(roadmap_steps(db, client["category"]), done_ids)
    return upcoming.code if upcoming else None


def _roadmap_yes(
    db: Database, client: Row, purpose: str | None, ref: str | None, outcome: str, on: dt.date
) -> str | None:
    """A "yes" to a roadmap step records the step as done on the touch's day; a note for
    the seller (None when the touch is not a roadmap yes)."""
    if purpose != "roadmap" or outcome != "yes" or not ref or client["category"] is None:
        return None
    from povtor.domain.roadmaps import find_step
    from povtor.storage.roadmap_queries import roadmap_steps
    from povtor.storage.roadmap_writes import done_row, mark_done

    step = find_step(roadmap_steps(db, client["category"]), ref)
    if step is None:
        return f"roadmap {client['category']} has no step {ref!r} any more: no step recorded"
    if mark_done(db, client_id=client["id"], step=step, on=on, note=None, strict=False):
        return f"roadmap step {step.position} «{step.title}» done on {on.isoformat()}"
    existing = done_row(db, client["id"], step.id)
    when = to_date(existing["done_on"]) if existing else on
    return f"roadmap step {step.position} «{step.title}» was done already on {when}"


def _add_referral(
    db: Database, clock: Clock, referrer: Row, referral: Referral
) -> tuple[int, str, int]:
    from povtor.app.clients import add_referral_in

    return add_referral_in(
        db,
        clock,
        referrer=referrer,
        name=referral.name,
        fields={"phone": referral.phone} if referral.phone else {},
    )


def _service_notes(
    db: Database,
    client: Row,
    answer: str | None,
    problem_before: ServiceProblem | None,
    day: dt.date,
) -> list[str]:
    """What a touch means for the client's service problem (stderr notes)."""
    notes: list[str] = []
    problem_now = _open_problem(db, client["id"], day) if answer else None
    if problem_now is not None:
        notes.append(
            _(
                "the problem stays in the plan (and raises the client's priority) until a "
                "service contact answers ok: povtor nudge log --client {id} --answer ok"
            ).format(id=client["id"])
        )
    elif problem_before is not None:
        notes.append(
            _("the problem reported {on} («{text}») is resolved").format(
                on=problem_before.reported_on.isoformat(),
                text=problem_before.text or _("no details"),
            )
        )
    return notes


def _open_problem(db: Database, client_id: int, day: dt.date) -> ServiceProblem | None:
    """The client's unresolved service problem as of ``day`` (the touch's date)."""
    from povtor.storage.service_queries import open_problems

    return open_problems(db, day.isoformat()).get(client_id)

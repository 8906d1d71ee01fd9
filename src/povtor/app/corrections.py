"""Corrections: take a touch back, edit a touch, a deal or a person, remove a person,
choose a client's main contact. Each is one transaction and leaves an entry in the
record of corrections (``change_log``: the record before and after), so that a figure
that changed can be explained (``povtor db changes``, ``povtor deal show``).

Taking a touch back (``nudge undo`` for the last one, ``nudge delete ID``) also takes back
what its outcome did, exactly as it was before: the deal's stage, status and follow-up
date, the stage history entry, the roadmap step its yes recorded, the referral it added.
:func:`remember_touch` keeps that when the touch is logged. When something later
depends on it (the deal moved on since, a later touch about the same deal), the touch is
not taken back and the error says what to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import field
from typing import TYPE_CHECKING, Any

from povtor.app.change_log import Edited, as_record, diff, short
from povtor.clock import Clock
from povtor.errors import Conflict, InvalidInput, NotFound
from povtor.i18n import _, ngettext
from povtor.records import record
from povtor.storage import correction_queries, correction_writes, deal_writes, queries
from povtor.storage.correction_writes import from_json
from povtor.storage.database import Database, Row

if TYPE_CHECKING:
    from povtor.app.touches import Recorded, TouchInput

# the deal fields an outcome changes (yes: stage and maybe status; no: status and reason;
# later: the follow-up date); a touch's undo data keeps them before and after
OUTCOME_FIELDS = (
    "stage_id",
    "stage_entered_on",
    "status",
    "closed_on",
    "lost_reason",
    "follow_up_on",
)
DEAL_OUTCOMES = ("yes", "no", "later")  # the outcomes that change a deal
QUIET_OUTCOMES = ("pending", "no_answer")  # the outcomes that change nothing


# -- when a touch is logged ---------------------------------------------------------------
def remember_touch(
    db: Database,
    recorded: Recorded,
    *,
    touch: TouchInput,
    purpose: str | None,
    about: str | None,
    lost: Mapping[int, Row] | None = None,
) -> None:
    """Inside the transaction that logs a new touch, after its outcome changed the deal and
    before a roadmap yes is recorded: keep what the touch changes beyond itself, so that
    ``povtor nudge undo`` can put it back exactly. ``lost``: each deal an answer to the
    client's own question lost, as it was before."""
    _remember_client_deals(db, recorded, lost or {})
    deal_before, deal_after = recorded.deal_before, recorded.deal_after
    changes_deal = deal_before is not None and touch.outcome in DEAL_OUTCOMES
    step_id = _step_to_mark(db, recorded.client, purpose, about, touch.outcome)
    roadmap_yes = purpose == "roadmap" and touch.outcome == "yes"
    if not (changes_deal or roadmap_yes or recorded.referred):
        return
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    history_id = None
    deal_id = deal_before["id"] if deal_before is not None else None
    if changes_deal and deal_before is not None and deal_after is not None:
        before, after, history_id = _outcome_change(db, deal_before, deal_after)
    referred = recorded.referred
    correction_writes.remember_effect(
        db,
        touch_id=recorded.touch_id,
        deal_id=deal_id,
        deal_before=before,
        deal_after=after,
        history_id=history_id,
        step_id=step_id,
        referred_client_id=referred[0] if referred else None,
        referred_deal_id=referred[2] if referred else None,
    )


def _remember_client_deals(db: Database, recorded: Recorded, lost: Mapping[int, Row]) -> None:
    """Each deal an answer to the client's own question lost (its fields before and after,
    the history entry of the loss), and the deal it opened."""
    effects = [
        (deal_id, *_outcome_change(db, before, deal_writes.deal_record(db, deal_id)))
        for deal_id, before in lost.items()
    ]
    opened = recorded.opened[0] if recorded.opened is not None else None
    correction_writes.remember_deal_effects(db, recorded.touch_id, effects, opened)


def _outcome_change(
    db: Database, before: Row, after: Row
) -> tuple[dict[str, Any], dict[str, Any], int | None]:
    """The deal fields an outcome changed, before and after, and the stage history entry
    it wrote (a move, a win or a loss writes one; None: it wrote none)."""
    changed = [k for k in OUTCOME_FIELDS if before[k] != after[k]]
    history_id = (
        correction_queries.last_history_id(db, before["id"])
        if {"stage_id", "status"} & set(changed)
        else None
    )
    return {k: before[k] for k in changed}, {k: after[k] for k in changed}, history_id


def _step_to_mark(
    db: Database, client: Row, purpose: str | None, about: str | None, outcome: str
) -> int | None:
    """The roadmap step a yes is about to record as done (None: none, or done already)."""
    if purpose != "roadmap" or outcome != "yes" or not about or client["category"] is None:
        return None
    from povtor.domain.roadmaps import find_step
    from povtor.storage.roadmap_queries import roadmap_steps
    from povtor.storage.roadmap_writes import done_row

    step = find_step(roadmap_steps(db, client["category"]), about)
    if step is None or done_row(db, client["id"], step.id) is not None:
        return None
    return step.id


# -- taking a touch back -----------------------------------------------------------------------
@record
class DealBack:
    """A deal a touch's outcome changed, to be put back as it was."""

    deal_id: int
    restore: dict[str, Any]  # deal fields, as they were
    current: dict[str, Any]  # the same fields now
    stages: tuple[str | None, str | None]  # stage codes: now, as it was
    history: Row | None = None  # the stage history entry the outcome wrote

    def effects(self) -> list[str]:
        parts = []
        now, back = self.current, self.restore
        if "stage_id" in back:
            parts.append(_("stage {now} → {back}").format(now=self.stages[0], back=self.stages[1]))
        if "status" in back:
            parts.append(f"{_(now['status'])} → {_(back['status'])}")
        if "follow_up_on" in back:
            parts.append(
                _("follow-up {now} → {back}").format(
                    now=now["follow_up_on"] or _("none"), back=back["follow_up_on"] or _("none")
                )
            )
        if "stage_entered_on" in back:
            parts.append(_("in its stage since {day}").format(day=back["stage_entered_on"]))
        lines = [
            _("deal #{id} as it was before the touch: {parts}").format(
                id=self.deal_id, parts=", ".join(parts)
            )
        ]
        if self.history is not None:
            h = self.history
            move = f"{h['from_stage']} → {h['to_stage']}" if h["to_stage"] else h["from_stage"]
            lines.append(
                _("deal #{id}'s stage history loses its {event} ({move}) of {on_date}").format(
                    id=h["deal_id"], event=h["event"], move=move, on_date=h["on_date"]
                )
            )
        return lines


@record
class TakeBack:
    """A touch to take back, with what its outcome changed that goes back with it."""

    touch: Row
    client: str
    deals: list[DealBack] = field(default_factory=list)  # its deal; the deals a no lost
    opened: Row | None = None  # the deal a yes to the client's own question opened
    step: Row | None = None  # the roadmap step the yes recorded as done
    referral: Row | None = None  # the client the referral added, and its deal
    referral_deal: Row | None = None
    kept: list[str] = field(default_factory=list)  # what stays as it is, and why

    @property
    def touch_id(self) -> int:
        return int(self.touch["id"])

    def summary(self) -> str:
        t = self.touch
        deal = _(", deal #{id}").format(id=t["deal_id"]) if t["deal_id"] is not None else ""
        text = f" «{short(t['text'])}»" if t["text"] else ""
        return _(
            "touch #{id} of {on_date}: {kind} by {channel} with "
            "#{client_id} {client}{deal}, outcome {outcome}{text}"
        ).format(
            id=t["id"],
            on_date=t["on_date"],
            kind=_(t["kind"]),
            channel=t["channel"],
            client_id=t["client_id"],
            client=self.client,
            deal=deal,
            outcome=_(t["outcome"]).replace("_", " "),  # (no_answer: "no answer")
            text=text,
        )

    def effects(self) -> list[str]:
        """What goes back with the touch, one line each."""
        lines: list[str] = []
        for changed in self.deals:
            lines += changed.effects()
        if self.opened is not None:
            lines.append(_("deal #{id}, opened by the yes, removed").format(id=self.opened["id"]))
        if self.step is not None:
            s = self.step
            lines.append(
                _("roadmap step {position} «{title}» is not done any more").format(
                    position=s["position"], title=s["title"]
                )
            )
        if self.referral is not None:
            deal = (
                _(" and its deal #{id}").format(id=self.referral_deal["id"])
                if self.referral_deal is not None
                else ""
            )
            lines.append(
                _("client #{id} {name}, added as the referral,{deal} removed").format(
                    id=self.referral["id"], name=self.referral["name"], deal=deal
                )
            )
        return lines + self.kept


def plan_take_back(db: Database, touch_id: int, *, only_touch: bool = False) -> TakeBack:
    """What taking touch ``touch_id`` back does; a Conflict when a later change depends on
    what it did (``only_touch``: the touch alone, its outcome's changes stay)."""
    touch = correction_queries.touch_record(db, touch_id)
    client = correction_queries.client_row(db, touch["client_id"])
    plan = TakeBack(touch=touch, client=client["name"] if client is not None else "")
    if only_touch:
        if touch["deal_id"] is not None and touch["outcome"] in DEAL_OUTCOMES:
            plan.kept.append(
                _("deal #{id} stays as it is (--only-touch)").format(id=touch["deal_id"])
            )
        return plan
    deal_effects = correction_queries.touch_deal_effects(db, touch_id)
    for deal_effect in deal_effects:
        if deal_effect["opened"]:
            _plan_opened(db, plan, deal_effect["deal_id"])
        else:
            _plan_deal(db, plan, deal_effect["deal_id"], deal_effect)
    if not deal_effects and touch["outcome"] == "no" and touch["deal_id"] is None:
        lost = correction_queries.lost_on(db, touch["client_id"], touch["on_date"], touch["reason"])
        if lost:  # (a no logged before povtor kept what it did to the deals)
            plan.kept.append(
                _(
                    "deals lost that day with the same reason stay lost: {deals} (reopen "
                    "one: povtor deal reopen ID)"
                ).format(deals=", ".join(f"#{deal_id}" for deal_id in lost))
            )
    effect = correction_queries.touch_effect(db, touch_id)
    if effect is None:
        _without_effect(db, plan)
        return plan
    if effect["deal_before"] is not None and touch["deal_id"] is not None:
        _plan_deal(db, plan, touch["deal_id"], effect)
    if effect["step_id"] is not None:
        step = correction_queries.client_step(db, touch["client_id"], effect["step_id"])
        if step is not None and str(step["done_on"])[:10] == str(touch["on_date"])[:10]:
            plan.step = step
    if effect["referred_client_id"] is not None:
        _plan_referral(db, plan, effect)
    return plan


def _without_effect(db: Database, plan: TakeBack) -> None:
    """A touch logged before povtor kept what touches change (or imported)."""
    touch = plan.touch
    if touch["deal_id"] is not None and touch["outcome"] in DEAL_OUTCOMES:
        raise Conflict(
            _(
                "touch #{id} ({outcome}) may have changed deal #{deal_id}, and povtor "
                "has no record of the deal before it (the touch was logged by an older "
                "povtor, or imported)"
            ).format(id=touch["id"], outcome=touch["outcome"], deal_id=touch["deal_id"]),
            hint=_(
                "take the touch alone back: povtor nudge delete {id} --only-touch; put "
                "the deal right with povtor deal move {deal_id} STAGE --force or "
                "povtor deal reopen"
            ).format(id=touch["id"], deal_id=touch["deal_id"]),
        )
    if touch["purpose"] == "roadmap" and touch["outcome"] == "yes" and touch["purpose_ref"]:
        plan.kept.append(
            _(
                "roadmap step {step} stays done if it is: povtor client step "
                "undo {client_id} {step} takes it back"
            ).format(step=touch["purpose_ref"], client_id=touch["client_id"])
        )


def _plan_deal(db: Database, plan: TakeBack, deal_id: int, effect: Row) -> None:
    """Put ``deal_id`` back as ``effect`` kept it before the touch, unless it changed since."""
    touch = plan.touch
    before: dict[str, Any] = from_json(effect["deal_before"]) or {}
    after: dict[str, Any] = from_json(effect["deal_after"]) or {}
    if not before:
        return  # the outcome left the deal as it was (a follow-up date it had already)
    later = correction_queries.later_deal_touches(db, deal_id, touch["id"])
    if later:
        shown = ", ".join(f"#{t}" for t in later[:5])
        raise Conflict(
            _(
                "touch #{id} changed deal #{deal_id}, and touches about the deal were "
                "logged after it ({shown})"
            ).format(id=touch["id"], deal_id=deal_id, shown=shown),
            hint=_("take those back first, newest first: povtor nudge delete {later}").format(
                later=later[-1]
            ),
        )
    deal = deal_writes.deal_record(db, deal_id)
    current = {k: deal[k] for k in after}
    history_id = effect["history_id"]
    moved_on = history_id is not None and correction_queries.last_history_id(db, deal_id) != (
        history_id
    )
    if current != after or moved_on:
        stage = queries.get_deal(db, deal_id)
        raise Conflict(
            _(
                "deal #{deal_id} changed after touch #{id} (it is {stage}, {status} "
                "now), so the touch's outcome cannot be taken back"
            ).format(deal_id=deal_id, id=touch["id"], stage=stage["stage"], status=stage["status"]),
            hint=_(
                "put the deal right by hand (povtor deal move {deal_id} STAGE --force, "
                "povtor deal reopen {deal_id}), then: povtor nudge delete {id} "
                "--only-touch"
            ).format(deal_id=deal_id, id=touch["id"]),
        )
    plan.deals.append(
        DealBack(
            deal_id,
            before,
            current,
            (
                correction_queries.stage_code(db, deal["stage_id"]),
                correction_queries.stage_code(db, before.get("stage_id", deal["stage_id"])),
            ),
            correction_queries.history_row(db, history_id) if history_id is not None else None,
        )
    )


def _plan_opened(db: Database, plan: TakeBack, deal_id: int) -> None:
    """Remove the deal the touch's yes opened, unless it has anything of its own since."""
    deal = correction_queries.deal_row(db, deal_id)
    if deal is None:
        return
    own = correction_queries.opened_deal_records(db, deal_id)
    if own:
        touch_id = plan.touch["id"]
        raise Conflict(
            _("touch #{id} opened deal #{deal_id}, and the deal has {own} of its own since").format(
                id=touch_id, deal_id=deal_id, own=", ".join(own)
            ),
            hint=_(
                "take the touch alone back: povtor nudge delete {id} --only-touch (the deal "
                "stays; close it with povtor deal lose {deal_id} --reason ...)"
            ).format(id=touch_id, deal_id=deal_id),
        )
    plan.opened = deal


def _plan_referral(db: Database, plan: TakeBack, effect: Row) -> None:
    client_id, deal_id = effect["referred_client_id"], effect["referred_deal_id"]
    client = correction_queries.client_row(db, client_id)
    if client is None:
        return
    own = correction_queries.referral_records(db, client_id, deal_id)
    if own:
        plan.kept.append(
            _("client #{id} {name}, added as the referral, stays: it has {own} of its own").format(
                id=client_id, name=client["name"], own=", ".join(own)
            )
        )
        return
    plan.referral = client
    plan.referral_deal = correction_queries.deal_row(db, deal_id) if deal_id else None


def _take_back(db: Database, clock: Clock, plan: TakeBack, action: str) -> None:
    touch = plan.touch
    before: dict[str, Any] = {"touch": as_record(touch)}
    after: dict[str, Any] = {}
    for deal in plan.deals:
        deal_writes.update_deal(db, deal.deal_id, deal.restore)
        own = deal.deal_id == touch["deal_id"]  # (the touch's deal, or one its no lost)
        if own:
            before["deal"], after["deal"] = deal.current, deal.restore
        else:
            before.setdefault("deals", {})[str(deal.deal_id)] = deal.current
            after.setdefault("deals", {})[str(deal.deal_id)] = deal.restore
        if deal.history is not None:
            entry = {
                k: deal.history[k]
                for k in ("id", "event", "from_stage", "to_stage", "at", "on_date", "reason")
            }
            if own:
                before["stage_change"] = entry
            else:
                before.setdefault("stage_changes", []).append(entry)
            correction_writes.delete_history(db, deal.history["id"])
    if plan.step is not None:
        before["client_step"] = {
            k: plan.step[k] for k in ("id", "step_id", "code", "done_on", "note")
        }
        correction_writes.delete_client_step(db, plan.step["id"])
    correction_writes.delete_touch(db, touch["id"])
    if plan.opened is not None:
        before["opened_deal"] = as_record(plan.opened)
        correction_writes.delete_opened_deal(db, plan.opened["id"])
    if plan.referral is not None:
        before["referral"] = {
            "client": as_record(plan.referral),
            "deal": as_record(plan.referral_deal),
        }
        correction_writes.delete_referral(
            db,
            plan.referral["id"],
            plan.referral_deal["id"] if plan.referral_deal is not None else None,
        )
    correction_writes.log_change(
        db,
        at=clock.utc_now(),
        on=clock.today,
        entity="touch",
        entity_id=touch["id"],
        action=action,
        client_id=touch["client_id"],
        deal_id=touch["deal_id"],
        before=before,
        after=after or None,
    )


def _last_touch(db: Database) -> int:
    last = correction_queries.last_touch_id(db)
    if last is None:
        raise NotFound(
            _("no touch to undo: none is logged"), hint=_("log one with: povtor nudge log --deal D")
        )
    return last


def undo_preview(db: Database) -> TakeBack:
    """What ``povtor nudge undo`` would take back: the touch logged last."""
    return plan_take_back(db, _last_touch(db))


def undo_last(db: Database, clock: Clock, *, expected: int | None = None) -> TakeBack:
    """``povtor nudge undo``: take back the touch logged last and what its outcome did
    (``expected``: the touch the user agreed to; another one logged meanwhile is refused)."""
    with db.transaction():
        last = _last_touch(db)
        if expected is not None and last != expected:
            raise Conflict(
                _("touch #{last} was logged meanwhile; nothing was changed").format(last=last),
                hint=_("run povtor nudge undo again"),
            )
        plan = plan_take_back(db, last)
        _take_back(db, clock, plan, "undo")
    return plan


def delete_preview(db: Database, touch_id: int, *, only_touch: bool = False) -> TakeBack:
    return plan_take_back(db, touch_id, only_touch=only_touch)


def delete_touch(
    db: Database, clock: Clock, touch_id: int, *, only_touch: bool = False
) -> TakeBack:
    """``povtor nudge delete ID``: take back a touch, and what its outcome did unless
    ``only_touch``."""
    with db.transaction():
        plan = plan_take_back(db, touch_id, only_touch=only_touch)
        _take_back(db, clock, plan, "delete")
    return plan


# -- editing a touch ---------------------------------------------------------------------------
def _consequence(touch: Row, effect: Row | None, outcome: str) -> str | None:
    """What ``outcome`` does on this touch beyond recording it (None: nothing)."""
    if touch["deal_id"] is not None and outcome in DEAL_OUTCOMES:
        return {
            "yes": _("moves deal #{id}"),
            "no": _("loses deal #{id}"),
            "later": _("sets the follow-up date of deal #{id}"),
        }[outcome].format(id=touch["deal_id"])
    if outcome == "later":
        return _("sets the client's follow-up date")
    if touch["purpose"] == "roadmap" and outcome == "yes":
        return _("records a roadmap step as done")
    if effect is not None and effect["referred_client_id"] is not None:
        return _("added a referral")
    return None


def _answer_consequence(db: Database, touch: Row, outcome: str, *, done: bool) -> str | None:
    """What an answer to the client's own question does to the client's deals: what
    ``outcome`` did when the touch was logged (``done``), or would do now (a no loses
    every open deal). None: nothing, or not such a touch."""
    from povtor.domain.conversation import touch_of
    from povtor.storage.service_queries import open_deals

    general = touch_of(
        has_deal=touch["deal_id"] is not None, purpose=touch["purpose"], kind=touch["kind"]
    )
    if general not in ("question", "warming"):
        return None
    if done:
        effects = correction_queries.touch_deal_effects(db, touch["id"])
        lost = [f"#{e['deal_id']}" for e in effects if not e["opened"]]
        opened = [f"#{e['deal_id']}" for e in effects if e["opened"]]
        if lost:
            return ngettext("lost deal {deals}", "lost deals {deals}", len(lost)).format(
                deals=", ".join(lost)
            )
        if opened:
            return _("opened deal {deal}").format(deal=opened[0])
        return None
    day = dt.date.fromisoformat(str(touch["on_date"])[:10])
    if outcome == "no" and open_deals(db, touch["client_id"], day):
        return _("loses every open deal of the client")
    return None


def edit_touch(db: Database, clock: Clock, touch_id: int, changes: Mapping[str, Any]) -> Edited:
    """``povtor nudge edit ID``: correct a touch's text, channel, kind, reason, and (when
    they change nothing else) its outcome and date. ``changes``: the fields given; None
    clears a text."""
    with db.transaction():
        touch = correction_queries.touch_record(db, touch_id)
        effect = correction_queries.touch_effect(db, touch_id)
        _check_touch_edit(db, clock, touch, effect, changes)
        before, after = diff(touch, changes)
        if not before:
            return Edited(touch_id, f"#{touch_id}", {}, {})
        updates: dict[str, Any] = dict(after)
        if "on_date" in after:
            updates["at"] = clock.at_date(changes["on_date"])
        correction_writes.update_touch(db, touch_id, updates)
        notes = _reason_follows(db, touch, effect, after)
        correction_writes.log_change(
            db,
            at=clock.utc_now(),
            on=clock.today,
            entity="touch",
            entity_id=touch_id,
            action="edit",
            client_id=touch["client_id"],
            deal_id=touch["deal_id"],
            before=before,
            after=after,
        )
    return Edited(touch_id, f"#{touch_id}", before, after, tuple(notes))


def _check_touch_edit(
    db: Database, clock: Clock, touch: Row, effect: Row | None, changes: Mapping[str, Any]
) -> None:
    touch_id = touch["id"]
    outcome = changes.get("outcome", touch["outcome"])
    if outcome != touch["outcome"]:
        did = _consequence(touch, effect, touch["outcome"]) or _answer_consequence(
            db, touch, touch["outcome"], done=True
        )
        if did is not None:
            raise Conflict(
                _(
                    "touch #{touch_id}'s outcome {outcome} {did}; such an outcome is not edited"
                ).format(touch_id=touch_id, outcome=touch["outcome"], did=did),
                hint=_(
                    "take the touch back with what it did: povtor nudge delete {touch_id}, "
                    "then log the right one"
                ).format(touch_id=touch_id),
            )
        would = _consequence(touch, effect, outcome) or _answer_consequence(
            db, touch, outcome, done=False
        )
        if would is not None:
            deal = touch["deal_id"]
            where = f"--deal {deal}" if deal is not None else f"--client {touch['client_id']}"
            raise Conflict(
                _("outcome {outcome} {would}; it is logged as a new touch, not edited in").format(
                    outcome=outcome, would=would
                ),
                hint=_("log the answer: povtor nudge log {where} --outcome {outcome}").format(
                    where=where, outcome=outcome
                ),
            )
    if "on_date" in changes and str(changes["on_date"]) != str(touch["on_date"])[:10]:
        day: dt.date = changes["on_date"]
        changed_more = _consequence(touch, effect, touch["outcome"]) is not None and (
            effect is None
            or effect["deal_before"] not in (None, "{}")
            or effect["step_id"] is not None
            or effect["referred_client_id"] is not None
        )
        if changed_more:
            raise Conflict(
                _(
                    "touch #{touch_id}'s outcome {outcome} took effect on its date, so the "
                    "date is not edited"
                ).format(touch_id=touch_id, outcome=touch["outcome"]),
                hint=_(
                    "take the touch back: povtor nudge delete {touch_id}, then log it "
                    "again with --on DATE"
                ).format(touch_id=touch_id),
            )
        if day > clock.today:
            raise InvalidInput(
                _("--on {day} is in the future").format(day=day.isoformat()),
                hint=_("touches are logged when done"),
            )
        follow = touch["follow_up_on"]
        if follow is not None and str(follow)[:10] <= day.isoformat():
            raise InvalidInput(
                _("--on {day} is not before the touch's follow-up date {follow}").format(
                    day=day.isoformat(), follow=follow
                ),
                hint=_("give an earlier date"),
            )
    kind = changes.get("kind", touch["kind"])
    if touch["answer"] is not None and kind != "service":
        raise InvalidInput(
            _(
                "touch #{touch_id} records a service answer ({answer}), so it stays a service touch"
            ).format(touch_id=touch_id, answer=touch["answer"]),
            hint=_("change its text, channel or date instead"),
        )
    if "reason" in changes and not changes["reason"] and _lost_the_deal(effect):
        raise InvalidInput(
            _("touch #{touch_id} lost deal #{deal_id}, which needs a reason").format(
                touch_id=touch_id, deal_id=touch["deal_id"]
            ),
            hint=_('give the right one: --reason "дорого"'),
        )


def _lost_the_deal(effect: Row | None) -> bool:
    if effect is None or effect["deal_after"] is None:
        return False
    return (from_json(effect["deal_after"]) or {}).get("status") == "lost"


def _reason_follows(
    db: Database, touch: Row, effect: Row | None, after: Mapping[str, Any]
) -> list[str]:
    """A corrected reason of the touch that lost a deal is the deal's lost reason too, while
    the deal is still lost by it."""
    if "reason" not in after or not _lost_the_deal(effect):
        return []
    assert effect is not None
    deal_id, history_id = touch["deal_id"], effect["history_id"]
    deal = deal_writes.deal_record(db, deal_id)
    if deal["status"] != "lost" or correction_queries.last_history_id(db, deal_id) != history_id:
        return [
            _("deal #{id} changed since; its own lost reason stays as it is").format(id=deal_id)
        ]
    deal_writes.update_deal(db, deal_id, {"lost_reason": after["reason"]})
    if history_id is not None:
        correction_writes.set_history_reason(db, history_id, after["reason"])
    return [
        _("deal #{id}'s lost reason is «{reason}» too").format(id=deal_id, reason=after["reason"])
    ]

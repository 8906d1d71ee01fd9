"""The conversation with each client: what it promised, what it refused, which question is
pending and where it stands in the 5:1 rhythm. Every rule of the plan reads it here,
instead of "the newest touch".

**Subjects.** Every touch is about one subject, and only a touch about the same subject
answers, settles or changes what was said about it:

- its deal, if it has one;
- else its purpose and what it is about (a roadmap step, a backend or cross-sell
  product, a card question; perks are done once logged);
- else, for a service touch, the service contact after the client's last payment;
- else the client's *general* conversation: the reorder question («планируете
  закупку?»), the refusal revisit and the referral ask after its no (purpose
  ``referrals``), a follow-up the client asked for.

A birthday card, a perk, a service call or a warming touch therefore never answers a
pending question, keeps a promise or makes a revisit.

**What each answer does** is :data:`ANSWERS` (the table of docs/plan.md is made from it):
"yes" moves on, "no" ends the chase, "later, on D" is a promise that holds until D
whatever else happens, no answer leaves the question pending. The facts are loaded for
all clients at once by :mod:`povtor.storage.plan_queries` (the latest general answer,
the latest general question left unanswered, the open promises of the other subjects);
:func:`read` turns them into a :class:`Conversation`, and :func:`allows` says which rules
may propose an item for the client while it lasts (:data:`HELD`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

from povtor.records import record

if TYPE_CHECKING:
    from povtor.domain.plan_records import ClientState, ClosedDeal, PlanInput
    from povtor.settings import Settings

REVISIT_WINDOW_DAYS = 365  # refusals older than the revisit delay plus this are left alone

# -- what each answer does -------------------------------------------------------------------
# the rows of the table: the kinds of touch, by subject
TOUCHES: tuple[tuple[str, str], ...] = (
    ("deal", "a nudge on a deal"),
    ("question", "a client-level question: the reorder question, a revisit, a follow-up"),
    ("warming", "a warming touch (no deal, no purpose)"),
    ("service", "a service contact"),
    ("roadmap", "a roadmap step (--purpose roadmap)"),
    ("offer", "a backend or cross-sell offer"),
    ("card", "a card question"),
    ("perk", "a perk: a card or a gift for an occasion"),
)
# the columns: the outcomes (pending counts as no answer)
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("yes", "yes"),
    ("no", "no"),
    ("later", "later, on D"),
    ("no_answer", "no answer"),
)
_OFFER_RESTS = "the offer rests plan.backend_months (backend) or plan.cross_sell_days"
_CARD_RESTS = "the next card question after plan.card_gap_days"
ANSWERS: Mapping[tuple[str, str], str] = {
    ("deal", "yes"): "the deal moves on (--to: to that stage); that nudge is not an "
    "unanswered one in the new stage",
    ("deal", "no"): "the deal is lost with the reason; with no other open deal the client "
    "is in the refusal funnel",
    ("deal", "later"): "nothing on the deal until D; then the follow-up, with the stage's script",
    ("deal", "no_answer"): "a nudge in this stage: stuck again once the stage's limit has "
    "passed since it",
    ("question", "yes"): "answered: out of the refusal funnel; --open opens the deal "
    "(repeat/request, the last paid amount), else a silent client's item says to open it",
    ("question", "no"): "every open deal is lost with the reason; the refusal funnel: "
    "nothing but the revisit, plan.revisit_days later (a no to it: the referral ask, and "
    "the next revisit)",
    ("question", "later"): "a promise: no silent, revisit, service, problem, offer, roadmap "
    "or card item until D; then the follow-up",
    ("question", "no_answer"): "asked: 5:1 follows (plan.warming_per_closing warming touches, "
    "then ask again); in the refusal funnel: the next revisit plan.revisit_days later",
    ("warming", "yes"): "a friendly reply: nothing changes",
    ("warming", "no"): "as a no to the question",
    ("warming", "later"): "as a later to the question",
    ("warming", "no_answer"): "one more warming touch in the 5:1 count; settles nothing",
    ("service", "yes"): "the service contact is done (a problem stays until one answers ok)",
    ("service", "no"): "the service contact is done",
    ("service", "later"): "the service contact comes back on D",
    ("service", "no_answer"): "not done: again after plan.quiet_days, while within "
    "plan.service_window_days of its due date",
    ("roadmap", "yes"): "the step is done; the next one after plan.roadmap_gap_days",
    ("roadmap", "no"): "the step is declined; the next roadmap item after plan.roadmap_gap_days",
    ("roadmap", "later"): "the follow-up on D, with the step's script",
    ("roadmap", "no_answer"): "asked: the step comes again once the client is quiet",
    ("offer", "yes"): _OFFER_RESTS,
    ("offer", "no"): _OFFER_RESTS + "; this offer only is refused",
    ("offer", "later"): "the follow-up on D, with the offer's script",
    ("offer", "no_answer"): _OFFER_RESTS,
    ("card", "yes"): _CARD_RESTS,
    ("card", "no"): _CARD_RESTS,
    ("card", "later"): "the follow-up on D, with the question",
    ("card", "no_answer"): _CARD_RESTS,
    ("perk", "yes"): "the occasion is done",
    ("perk", "no"): "the occasion is done",
    ("perk", "later"): "the occasion is done",
    ("perk", "no_answer"): "the occasion is done",
}
# what holds a client's items back, and which rules it holds: one place for all rules
EVERY_RULE = frozenset(
    {
        "follow_up",
        "stuck",
        "warming",
        "silent",
        "service",
        "problem",
        "revisit",
        "occasion",
        "backend",
        "cross_sell",
        "roadmap",
        "card",
    }
)
HELD: Mapping[str, frozenset[str]] = {
    # a "no" with nothing open: only the revisit (and a problem the client reported)
    "refused": EVERY_RULE - {"revisit", "problem"},
    # "later, on D" on the general conversation, from the day it was said until kept
    "promised": frozenset({"silent", "revisit"}),
    # ... and until D comes, nothing else that asks the client for something
    "promised, before D": frozenset(
        {"silent", "revisit", "service", "problem", "backend", "cross_sell", "roadmap", "card"}
    ),
}
# a promise about a purpose holds that purpose's own rule (its follow-up carries the item)
HELD_BY_PURPOSE: Mapping[str, frozenset[str]] = {
    "roadmap": frozenset({"roadmap"}),
    "card": frozenset({"card"}),
    "backend": frozenset({"backend", "cross_sell"}),
    "cross_sell": frozenset({"backend", "cross_sell"}),
}


def touch_of(*, has_deal: bool, purpose: str | None, kind: str) -> str:
    """The row of :data:`ANSWERS` a touch is: its subject (and, on the general
    conversation, whether it was a question or a warming touch)."""
    if has_deal:
        return "deal"
    if purpose == "referrals":  # the referral ask is part of the refusal revisit
        return "question"
    if purpose is not None:
        return "offer" if purpose in ("backend", "cross_sell") else purpose
    if kind == "service":
        return "service"
    return "warming" if kind == "warming" else "question"


def answer_of(outcome: str) -> str:
    """The column of :data:`ANSWERS` an outcome is (pending counts as no answer)."""
    return "no_answer" if outcome in ("no_answer", "pending") else outcome


# -- the facts, as storage loads them ------------------------------------------------------
# (slotted, not frozen, like the plan's records: thousands are made per plan, and a frozen
# dataclass pays an object.__setattr__ per field; nothing changes them once made)
@record(slots=True)
class Said:
    """The client's latest answer on its general conversation: a question answered yes,
    no or later, or a warming touch answered no or later."""

    on: dt.date
    at: str  # when (ISO text): orders the touches of one day
    kind: str  # closing | warming
    outcome: str  # yes | no | later
    follow_up_on: dt.date | None = None
    reason: str | None = None


@record(slots=True)
class Asked:
    """The client's latest general question left without an answer (no answer, pending)."""

    on: dt.date
    at: str


@record(slots=True)
class Promise:
    """ "Later, on D": said on ``made_on``, due on ``due_on``, not kept yet. ``purpose``
    and ``ref`` name the subject when it is a purpose (roadmap step, product...)."""

    made_on: dt.date
    due_on: dt.date
    purpose: str | None = None
    ref: str | None = None


# -- what they mean ------------------------------------------------------------------------
@record(slots=True)
class Refusal:
    """The client's latest "no", with nothing open and no move of its own since: the
    refusal funnel (seed 002). ``deal`` is its latest lost deal (None: only client-level
    "no"s); the revisit is due on ``revisit_on``, ``plan.revisit_days`` after the no or
    after the last revisit made without an answer (``revisited_on``)."""

    on: dt.date
    reason: str | None
    deal: ClosedDeal | None
    revisit_on: dt.date
    revisited_on: dt.date | None = None


@record(slots=True, eq=False)
class Conversation:
    """Where the conversation with one client stands on the plan's day."""

    promise: Promise | None = None  # the general conversation's "later, on D", not kept
    service_promise: Promise | None = None  # the service contact's "call me on D"
    promises: tuple[Promise, ...] = ()  # those about a purpose (roadmap step, offer...)
    refusal: Refusal | None = None
    yes_on: dt.date | None = None  # a yes to the question, and no deal opened since
    asked_on: dt.date | None = None  # the latest general question (answered or not)
    # the rules it holds back on the plan's day, worked out once by read() (None: not yet)
    held: frozenset[str] | None = None

    def holds(self, rule: str, today: dt.date) -> bool:
        """Whether this conversation keeps ``rule`` from proposing an item today."""
        if self.refusal is not None:
            return rule in HELD["refused"]
        if self.promise is not None:
            state = "promised, before D" if today < self.promise.due_on else "promised"
            if rule in HELD[state]:
                return True
        return any(rule in HELD_BY_PURPOSE.get(p.purpose or "", ()) for p in self.promises)


QUIET = Conversation(held=frozenset())  # nothing said


def read(
    client: ClientState,
    lost: ClosedDeal | None,
    opened_on: dt.date | None,
    today: dt.date,
    settings: Settings,
) -> Conversation:
    """The conversation with ``client`` as of ``today``: ``lost`` is its latest lost deal
    with no payment since (if any), ``opened_on`` the day its newest open deal was opened.

    The client's own moves — a purchase, a deal opened, a yes or a later — end a
    refusal; a later one settles a promise the same as a question asked on or after its
    date.
    """
    return _read(client, lost, opened_on, today, settings.int("plan.revisit_days"))


def _read(
    client: ClientState,
    lost: ClosedDeal | None,
    opened_on: dt.date | None,
    today: dt.date,
    delay: int,
) -> Conversation:
    said, asked = client.said, client.asked
    last_paid = client.paid_dates[-1] if client.paid_dates else None
    moved = last_paid
    if opened_on is not None and (moved is None or opened_on > moved):
        moved = opened_on
    refusal = None
    if lost is not None or (said is not None and said.outcome == "no"):
        refusal = _refusal(client, said, asked, lost, last_paid, today, delay)
    promise = None
    yes_on = None
    if refusal is None and said is not None:
        if said.outcome == "later" and said.follow_up_on is not None:
            kept = asked is not None and asked.at > said.at and asked.on >= said.follow_up_on
            if not kept and not (moved is not None and moved > said.on):
                promise = Promise(said.on, said.follow_up_on)
        elif said.outcome == "yes" and not client.open_deals and (moved is None or moved < said.on):
            yes_on = said.on
    asked_on = asked.on if asked is not None else None
    if said is not None and said.kind == "closing" and (asked_on is None or said.on > asked_on):
        asked_on = said.on
    if (
        refusal is None
        and promise is None
        and yes_on is None
        and client.service_promise is None
        and not client.promises
    ):
        return _only_asked(asked_on)  # (most conversations: one shared per day asked)
    talk = Conversation(promise, client.service_promise, client.promises, refusal, yes_on, asked_on)
    if refusal is not None:
        talk.held = HELD["refused"]
    elif promise is None and not talk.promises:
        talk.held = _NOTHING
    else:
        talk.held = _held(talk, today)
    return talk


@functools.lru_cache(maxsize=4096)
def _only_asked(asked_on: dt.date | None) -> Conversation:
    """A conversation that holds nothing back, its latest question asked on ``asked_on``
    (none: never): the same one for every client in that place (nothing changes it)."""
    return Conversation(asked_on=asked_on, held=_NOTHING)


def _held(talk: Conversation, today: dt.date) -> frozenset[str]:
    """The rules ``talk`` holds back today (:meth:`Conversation.holds`, worked out once)."""
    if talk.refusal is not None:
        return HELD["refused"]
    if talk.promise is None and not talk.promises:
        return _NOTHING
    return _held_by(
        None if talk.promise is None else today < talk.promise.due_on,
        frozenset(p.purpose or "" for p in talk.promises),
    )


_NOTHING: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=64)
def _held_by(before_d: bool | None, purposes: frozenset[str]) -> frozenset[str]:
    held: set[str] = set()
    if before_d is not None:
        held |= HELD["promised, before D" if before_d else "promised"]
    for purpose in purposes:
        held |= HELD_BY_PURPOSE.get(purpose, _NOTHING)
    return frozenset(held)


def _refusal(
    client: ClientState,
    said: Said | None,
    asked: Asked | None,
    lost: ClosedDeal | None,
    last_paid: dt.date | None,
    today: dt.date,
    delay: int,
) -> Refusal | None:
    """The client's refusal still binding, if any (see :class:`Refusal`)."""
    if client.open_deals:
        return None  # a deal under way: the client is talking to us
    if said is not None and said.outcome == "no" and (lost is None or said.on >= lost.closed_on):
        on, reason, deal = said.on, said.reason, lost  # (the deal refused before, if any)
    elif lost is not None:
        on, reason, deal = lost.closed_on, lost.reason, lost
        if said is not None and said.outcome in ("yes", "later") and said.on >= on:
            return None  # the client came back on its own
    else:
        return None
    if last_paid is not None and last_paid > on:
        return None  # bought since
    if (today - on).days > delay + REVISIT_WINDOW_DAYS:
        return None  # too long ago to bind
    revisited = asked.on if asked is not None and asked.on > on else None
    return Refusal(
        on=on,
        reason=reason,
        deal=deal,
        revisit_on=(revisited or on) + dt.timedelta(days=delay),
        revisited_on=revisited,
    )


def attach(data: PlanInput, settings: Settings) -> None:
    """Read every client's conversation as of ``data.today`` into its ``talk`` (once per
    plan; a client with nothing said gets :data:`QUIET` without more work)."""
    today = data.today
    delay = settings.int("plan.revisit_days")
    lost = {deal.client_id: deal for deal in data.lost}
    opened: dict[int, dt.date] = {}
    for deal in data.deals:
        day = deal.opened_on or deal.stage_entered_on
        if day > opened.get(deal.client_id, dt.date.min):
            opened[deal.client_id] = day
    for client in data.clients.values():
        refused = lost.get(client.id)
        if (
            client.said is None
            and client.asked is None
            and refused is None
            and client.service_promise is None
            and not client.promises
        ):
            client.talk = QUIET
        else:
            newest = opened.get(client.id)
            left_out = client.newest_deal_on  # (a deal not in data.deals)
            if left_out is not None and (newest is None or left_out > newest):
                newest = left_out
            client.talk = _read(client, refused, newest, today, delay)


def allows(client: ClientState, rule: str, today: dt.date) -> bool:
    """Whether ``rule`` may propose an item for ``client`` today (see :data:`HELD`)."""
    talk = client.talk
    held = talk.held
    if held is None:  # (a conversation made by hand, not read)
        return not talk.holds(rule, today)
    return rule not in held


# -- the question and the 5:1 rhythm -------------------------------------------------------
def question_first(client: ClientState) -> bool:
    """Whether a client who bought before is owed the yes-or-no question before any
    warming touch: none was asked since its last purchase (seeds 000, 002). After a
    question left unanswered the 5:1 rhythm decides (:mod:`.plan_rules.cadence`)."""
    if not client.paid_dates:
        return False
    asked = client.talk.asked_on
    return asked is None or asked < client.paid_dates[-1]

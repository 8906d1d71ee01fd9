"""The records a plan of nudges is made of: the facts it starts from (clients, open deals,
closed deals, the client-development facts), the candidates its rules propose, and the
ranked items it ends with.

:mod:`povtor.storage` loads the facts, the rules in :mod:`povtor.domain.plan_rules`
turn them into candidates, and :mod:`povtor.domain.planner` merges and ranks those.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from povtor.domain.conversation import QUIET, Asked, Conversation, Promise, Said
from povtor.i18n import _, current, ngettext
from povtor.records import record

if TYPE_CHECKING:
    from povtor.domain.cards import CardPlanFacts
    from povtor.domain.offers import OfferFacts
    from povtor.domain.perks import PerkFacts
    from povtor.domain.roadmaps import RoadmapFacts


# The records a plan is made of are built by the ten thousand per run (a client's state,
# its open deals, each candidate), so they are slotted and not frozen: a frozen
# dataclass pays an object.__setattr__ per field, three times the cost of building one.
# Nothing changes them after they are made; they are values all the same.


@record(frozen=True)
class ServiceProblem:
    """A problem the client reported on a service contact, with no "all well" since."""

    reported_on: dt.date
    text: str | None
    touch_id: int


@record(slots=True)
class ClientState:
    id: int
    name: str
    company: str | None
    category: str | None
    person: str | None  # the first person at the client, for the greeting
    open_deals: int
    last_touch_on: dt.date | None
    paid_dates: tuple[dt.date, ...] = ()  # dates of paid deals, oldest first
    last_paid_amount: int | None = None
    warming_since_closing: int = 0  # warming touches since the last closing one (5:1)
    open_problem: ServiceProblem | None = None  # the latest service answer was "problem"
    industry: str | None = None  # (professional holidays go by industry)
    # the conversation's facts (see povtor.domain.conversation): the latest answer on the
    # general conversation, its latest question left unanswered, the open promises
    said: Said | None = None
    asked: Asked | None = None
    service_promise: Promise | None = None
    promises: tuple[Promise, ...] = ()
    # ... and what they mean on the plan's day, read once per plan (conversation.attach)
    talk: Conversation = QUIET
    # the day its newest open deal left out of PlanInput.deals was opened (entered its
    # stage, when the day it was opened is not known): none left out, None
    newest_deal_on: dt.date | None = None


@record(slots=True)
class OpenDeal:
    id: int
    client_id: int
    funnel: str
    stage: str
    stage_name: str
    stage_position: int
    won_position: int
    limit_days: int | None
    stage_entered_on: dt.date
    follow_up_on: dt.date | None
    amount_minor: int | None
    currency: str
    title: str | None
    last_touch_on: dt.date | None  # the last touch on this deal in its current stage
    opened_on: dt.date | None = None


@record(slots=True)
class ClosedDeal:
    """A paid deal awaiting its service contact, or a lost one awaiting a revisit."""

    id: int
    client_id: int
    closed_on: dt.date
    amount_minor: int | None
    currency: str
    title: str | None
    reason: str | None = None


@record(frozen=True)
class PlanInput:
    """Every fact a plan is decided on, as of ``today``."""

    today: dt.date
    clients: Mapping[int, ClientState]  # the active clients
    # the open deals a deal rule may pick (planner.deal_rules_may_pick): a loader may leave
    # the others out, counted in their clients' open_deals and newest_deal_on
    deals: tuple[OpenDeal, ...]
    paid_awaiting_service: tuple[ClosedDeal, ...]  # no service touch since the payment
    lost: tuple[ClosedDeal, ...]  # each client's latest refusal, with no payment since
    # the facts of the client-development rules; None: not loaded (the rule is off, or
    # there is nothing for it, as with no product catalog)
    cards: CardPlanFacts | None = None
    offers: OfferFacts | None = None
    roadmaps: RoadmapFacts | None = None
    perks: PerkFacts | None = None
    # each active client's revenue of the 12 months to ``today`` (offers rank by it), read
    # with the paid days; None: not read
    revenues: Mapping[int, int] | None = None


@record(slots=True)
class Candidate:
    """One reason to contact a client today."""

    client_id: int
    rule: str
    reason: str
    kind: str  # warming | closing | service
    overdue_days: int = 0
    deal: OpenDeal | None = None
    about: ClosedDeal | None = None
    amount_minor: int | None = None
    closeness: Decimal = Decimal(0)  # stage position / paid position, 0..1
    template_funnel: str = "*"
    template_stage: str = "*"
    days_waiting: int = 0
    expected_on: dt.date | None = None
    script: str | None = None  # the message draft's template, instead of the stage's one
    purpose: str | None = None  # what a touch on this item is for (perk, backend, roadmap...)
    purpose_ref: str | None = None  # and which one (the holiday, the product, the step)


def about_deal(deal: OpenDeal, today: dt.date) -> dict[str, Any]:
    """What a candidate about an open deal carries: the deal, its amount, how close it
    is to payment, the stage's template and the days in the stage."""
    return {
        "client_id": deal.client_id,
        "deal": deal,
        "amount_minor": deal.amount_minor,
        "closeness": _closeness(deal.stage_position, deal.won_position),
        "template_funnel": deal.funnel,
        "template_stage": deal.stage,
        "days_waiting": (today - deal.stage_entered_on).days,
    }


@functools.lru_cache(maxsize=1024)
def _closeness(position: int, won_position: int) -> Decimal:
    """How close a stage is to payment: its position / the paid stage's (a few dozen
    pairs; cached, as every candidate about a deal asks)."""
    return Decimal(position) / Decimal(max(won_position, 1))


@record(slots=True)
class PlanItem:
    rank: int
    client: ClientState
    primary: Candidate
    others: tuple[Candidate, ...]
    terms: Mapping[str, Decimal]

    @property
    def priority(self) -> Decimal:
        return sum(self.terms.values(), Decimal(0))

    @property
    def reasons(self) -> list[str]:
        """Why the item is there: every candidate's reason, but at most
        :data:`NAMED_DEALS` deals named (by id and title, when there are several); the
        rest summed up per rule ("and 1,085 more stuck deals (oldest since …, total …)")."""
        candidates = (self.primary, *self.others)
        if not self.of_several_deals:
            return [c.reason for c in candidates]
        shown: list[str] = []
        rest: dict[str, list[OpenDeal]] = {}
        named = 0
        for c in candidates:
            if c.deal is None:
                shown.append(c.reason)
            elif named < NAMED_DEALS:  # several deals: each says which it is
                shown.append(named_reason(c))
                named += 1
            else:
                rest.setdefault(c.rule, []).append(c.deal)
        return shown + [_more_deals(rule, deals) for rule, deals in rest.items()]

    @property
    def of_several_deals(self) -> bool:
        """Whether more than one of the item's candidates is about a deal (then each
        reason about a deal says which: :func:`named_reason`)."""
        return sum(1 for c in (self.primary, *self.others) if c.deal is not None) > 1


def named_reason(candidate: Candidate) -> str:
    """A deal's candidate's reason, naming the deal: "#12 «title»: reason"."""
    deal = candidate.deal
    if deal is None:
        return candidate.reason
    title = f" «{deal.title}»" if deal.title else ""
    return f"#{deal.id}{title}: {candidate.reason}"


NAMED_DEALS = 3  # deals an item names one by one; the rest are summed up


def _more_words(rule: str, n: int) -> str:
    if rule == "stuck":
        return ngettext("and {n} more stuck deal", "and {n} more stuck deals", n)
    if rule == "warming":
        return ngettext("and {n} more deal to warm up", "and {n} more deals to warm up", n)
    if rule == "follow_up":
        return ngettext("and {n} more follow-up due", "and {n} more follow-ups due", n)
    return ngettext("and {n} more deal", "and {n} more deals", n)


def _more_deals(rule: str, deals: list[OpenDeal]) -> str:
    """ "and N more stuck deals (oldest since D, total X)": the deals an item does not
    name one by one."""
    from povtor.parsing import format_amount

    oldest = min(deal.stage_entered_on for deal in deals)
    totals: dict[str, int] = {}
    for deal in deals:
        if deal.amount_minor is not None:
            totals[deal.currency] = totals.get(deal.currency, 0) + deal.amount_minor
    money = " + ".join(format_amount(total, currency) for currency, total in sorted(totals.items()))
    count = f"{len(deals):,}".replace(",", " " if current() == "ru" else ",")
    words = _more_words(rule, len(deals)).format(n=count) + " "
    if money:
        return words + _("(oldest since {on}, total {money})").format(
            on=oldest.isoformat(), money=money
        )
    return words + _("(oldest since {on})").format(on=oldest.isoformat())


@record
class Plan:
    today: dt.date
    items: list[PlanItem] = field(default_factory=list)

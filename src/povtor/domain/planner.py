"""The daily plan of nudges: pure rules over plain rows.

SQL in :mod:`povtor.storage.plan_queries` gathers the facts (open deals with their
last touch, purchase dates, touch counts...); the functions here decide who to
contact today, why, with which kind of touch, and how urgent it is. Nothing here
touches a database, so every rule is tested on hand-made inputs.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from povtor.domain.calendar import days_between
from povtor.settings import Settings

CENT = Decimal("0.01")
MAX_OVERDUE_DAYS = 14  # two weeks late is late enough: more does not outrank a bigger deal
# every rule, in the order that breaks ties between equal priorities
RULES = (
    "follow_up",
    "stuck",
    "problem",
    "silent",
    "service",
    "revisit",
    "warming",
    "occasion",
    "backend",
    "cross_sell",
    "roadmap",
    "card",
)
# rules that fill a quiet day: they lead a client's item only when nothing else is due
FILLER_RULES = frozenset({"roadmap", "card"})


# The records a plan is made of are built by the ten thousand per run (a client's state,
# its open deals, each candidate), so they are slotted and not frozen: a frozen
# dataclass pays an object.__setattr__ per field, three times the cost of building one.
# Nothing changes them after they are made; they are values all the same.


@dataclass(frozen=True)
class ServiceProblem:
    """A problem the client reported on a service contact, with no "all well" since."""

    reported_on: dt.date
    text: str | None
    touch_id: int


@dataclass(slots=True)
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
    warming_since_closing: int = 0
    follow_up_on: dt.date | None = None  # from a client-level "later" touch
    open_problem: ServiceProblem | None = None  # the latest service answer was "problem"
    industry: str | None = None  # (professional holidays go by industry)


@dataclass(slots=True)
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
    last_touch_on: dt.date | None  # last touch on this deal


@dataclass(slots=True)
class ClosedDeal:
    """A paid deal awaiting its service contact, or a lost one awaiting a revisit."""

    id: int
    client_id: int
    closed_on: dt.date
    amount_minor: int | None
    currency: str
    title: str | None
    reason: str | None = None


@dataclass(frozen=True)
class PlanInput:
    today: dt.date
    clients: Mapping[int, ClientState]
    deals: tuple[OpenDeal, ...]
    paid_awaiting_service: tuple[ClosedDeal, ...]
    lost: tuple[ClosedDeal, ...]
    # candidates from the client-development rules (occasions, roadmaps, cards, offers),
    # decided by their own pure modules over their own facts
    extra: tuple[Candidate, ...] = ()


@dataclass(slots=True)
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


@dataclass(slots=True)
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
        return [self.primary.reason, *(c.reason for c in self.others)]


@dataclass
class Plan:
    today: dt.date
    items: list[PlanItem] = field(default_factory=list)


# -- the rules -----------------------------------------------------------------------
def median_gap(paid_dates: tuple[dt.date, ...], min_purchases: int) -> Decimal | None:
    """The exact median of the days between consecutive purchases, if trusted."""
    if len(paid_dates) < max(2, min_purchases):
        return None
    gaps = sorted((b - a).days for a, b in itertools.pairwise(paid_dates))
    middle = len(gaps) // 2
    if len(gaps) % 2:
        return Decimal(gaps[middle])
    return Decimal(gaps[middle - 1] + gaps[middle]) / 2


def purchase_cycle(paid_dates: tuple[dt.date, ...], min_purchases: int) -> int | None:
    """The client's own cycle: median days between consecutive purchases, if trusted."""
    median = median_gap(paid_dates, min_purchases)
    if median is None:
        return None
    return max(1, int(median.to_integral_value(ROUND_HALF_UP)))


def silence_threshold(client: ClientState, settings: Settings) -> tuple[int, int | None]:
    """(days of silence that make the client silent, their own cycle if known).

    With its own cycle: ceil(cycle factor × the exact median gap), so a median of
    20.5 days gives ceil(1.5 × 20.5) = 31, not 1.5 × a rounded median.
    """
    category = client.category if client.category in ("A", "B") else "C"
    return _threshold(
        client.paid_dates,
        settings.int("plan.cycle_min_purchases"),
        settings.decimal("plan.cycle_factor"),
        settings.int(f"plan.silent_days.{category}"),
    )


@functools.lru_cache(maxsize=65_536)
def _threshold(
    paid_dates: tuple[dt.date, ...], min_purchases: int, factor: Decimal, default_days: int
) -> tuple[int, int | None]:
    # (cached: several rules ask for the same client's threshold in one plan)
    median = median_gap(paid_dates, min_purchases)
    cycle = purchase_cycle(paid_dates, min_purchases)
    if median is not None and cycle is not None:
        return math.ceil(max(median, Decimal(1)) * factor), cycle
    return default_days, None


def is_silent(client: ClientState, today: dt.date, settings: Settings) -> bool:
    """Bought before, and no purchase for longer than the client's silence threshold."""
    if not client.paid_dates:
        return False
    threshold, _cycle = silence_threshold(client, settings)
    return (today - client.paid_dates[-1]).days > threshold


def settled(client: ClientState, today: dt.date, settings: Settings) -> bool:
    """Nothing in motion with the client: no open deal, no date it named, no unresolved
    service problem, and not touched in the last ``plan.quiet_days`` (the condition of
    the quiet-day rules: roadmap steps, card questions)."""
    if client.open_deals or client.follow_up_on is not None or client.open_problem is not None:
        return False
    quiet = settings.int("plan.quiet_days")
    return client.last_touch_on is None or (today - client.last_touch_on).days >= quiet


def next_kind(client: ClientState, settings: Settings) -> str:
    """5:1: warming until enough warming touches since the last closing one."""
    if client.warming_since_closing >= settings.int("plan.warming_per_closing"):
        return "closing"
    return "warming"


def _cadence_note(client: ClientState, settings: Settings) -> str:
    per = settings.int("plan.warming_per_closing")
    done = min(client.warming_since_closing, per)
    if done >= per:
        return f"{done} warming touches since the last closing one: time to ask (5:1)"
    return f"warming touch {done + 1} of {per} before the next closing one (5:1)"


def deal_candidates(data: PlanInput, settings: Settings) -> list[Candidate]:
    today = data.today
    working = settings.bool("plan.working_days")
    unit = "working days" if working else "days"
    found: list[Candidate] = []

    def common(deal: OpenDeal) -> dict[str, Any]:
        return {
            "client_id": deal.client_id,
            "deal": deal,
            "amount_minor": deal.amount_minor,
            "closeness": Decimal(deal.stage_position) / Decimal(max(deal.won_position, 1)),
            "template_funnel": deal.funnel,
            "template_stage": deal.stage,
            "days_waiting": (today - deal.stage_entered_on).days,
        }

    for deal in data.deals:
        client = data.clients.get(deal.client_id)
        if client is None:
            continue
        followed = (
            deal.follow_up_on is not None
            and deal.last_touch_on is not None
            and deal.last_touch_on >= deal.follow_up_on
        )
        if deal.follow_up_on is not None and not followed:
            # a touch on or after the promised date did the follow-up: then the
            # stage's limit counts again from that touch
            if deal.follow_up_on <= today:
                overdue = (today - deal.follow_up_on).days
                when = (
                    "today"
                    if overdue == 0
                    else ("1 day ago" if overdue == 1 else f"{overdue} days ago")
                )
                found.append(
                    Candidate(
                        rule="follow_up",
                        reason=f"follow-up due {when}: asked to come back on "
                        f"{deal.follow_up_on.isoformat()} ({deal.stage_name})",
                        kind="closing",
                        overdue_days=overdue,
                        **common(deal),
                    )
                )
            continue  # a promised date replaces the stage's time limit
        if deal.limit_days is None:
            continue
        since = deal.stage_entered_on
        nudged = deal.last_touch_on is not None and deal.last_touch_on >= since
        if nudged:
            since = deal.last_touch_on  # type: ignore[assignment]
        waited = days_between(since, today, working=working)
        if waited <= deal.limit_days:
            continue
        overdue = waited - deal.limit_days
        in_stage = days_between(deal.stage_entered_on, today, working=working)
        reason = f"{deal.stage_name}: {in_stage} {unit} in stage (limit {deal.limit_days})"
        reason += (
            f", last nudge {deal.last_touch_on.isoformat()} unanswered"
            if nudged
            else ", no touch since"
        )  # type: ignore[union-attr]
        kind = "closing"
        if deal.funnel == "first":
            kind = next_kind(client, settings)
            reason += "; " + _cadence_note(client, settings)
        found.append(
            Candidate(
                rule="stuck" if kind == "closing" else "warming",
                reason=reason,
                kind=kind,
                overdue_days=overdue,
                **common(deal),
            )
        )
    return found


def client_candidates(data: PlanInput, settings: Settings) -> list[Candidate]:
    today = data.today
    quiet = settings.int("plan.quiet_days")
    found: list[Candidate] = []

    def recently_touched(client: ClientState, since: dt.date | None = None) -> bool:
        if client.last_touch_on is None:
            return False
        if since is not None and client.last_touch_on >= since:
            return True
        return (today - client.last_touch_on).days < quiet

    for client in data.clients.values():
        if client.follow_up_on is not None and client.follow_up_on > today:
            continue  # the client named a date: nothing client-level before it
        if client.follow_up_on is not None:
            overdue = (today - client.follow_up_on).days
            found.append(
                Candidate(
                    client_id=client.id,
                    rule="follow_up",
                    reason="follow-up due: asked to come back on "
                    + client.follow_up_on.isoformat(),
                    kind="closing",
                    overdue_days=overdue,
                    template_funnel="repeat",
                    template_stage="base",
                )
            )
            continue
        if client.open_deals or not client.paid_dates or recently_touched(client):
            continue
        threshold, cycle = silence_threshold(client, settings)
        last = client.paid_dates[-1]
        silent_for = (today - last).days
        if silent_for <= threshold:
            continue
        expected = last + dt.timedelta(days=cycle if cycle is not None else threshold)
        median = median_gap(client.paid_dates, settings.int("plan.cycle_min_purchases"))
        basis = (
            f"own cycle {median} days × {settings.str('plan.cycle_factor')}"
            if cycle is not None
            else f"category {client.category or 'C'} default {threshold} days"
        )
        kind = next_kind(client, settings)
        found.append(
            Candidate(
                client_id=client.id,
                rule="silent",
                reason=f"silent {silent_for} days since the last purchase on {last.isoformat()} "
                f"(threshold {threshold}: {basis}); expected reorder {expected.isoformat()}; "
                + _cadence_note(client, settings),
                kind=kind,
                overdue_days=silent_for - threshold,
                amount_minor=client.last_paid_amount,
                template_funnel="repeat",
                template_stage="base",
                days_waiting=silent_for,
                expected_on=expected,
            )
        )
    for paid in data.paid_awaiting_service:
        client = data.clients.get(paid.client_id)
        if client is None:
            continue
        due = paid.closed_on + dt.timedelta(days=service_delay(client.category, settings))
        if due > today:
            continue  # (only a service touch since the payment settles it: see plan_queries)
        found.append(
            Candidate(
                client_id=paid.client_id,
                rule="service",
                reason=f"service contact: deal #{paid.id} paid {paid.closed_on.isoformat()}, "
                f"{(today - paid.closed_on).days} days ago — how is it going?",
                kind="service",
                overdue_days=(today - due).days,
                about=paid,
                amount_minor=paid.amount_minor,
                days_waiting=(today - paid.closed_on).days,
            )
        )
    for client in data.clients.values():
        problem = client.open_problem
        if problem is None:
            continue
        if client.follow_up_on is not None and client.follow_up_on > today:
            continue  # the client named a date to come back on
        found.append(
            Candidate(
                client_id=client.id,
                rule="problem",
                reason=f"problem reported {problem.reported_on.isoformat()}: "
                f"«{problem.text or 'no details'}»; resolve it",
                kind="service",
                overdue_days=max(0, (today - problem.reported_on).days),
                amount_minor=client.last_paid_amount,
                template_stage="problem",
                days_waiting=max(0, (today - problem.reported_on).days),
            )
        )
    revisit_days = settings.int("plan.revisit_days")
    for lost in data.lost:
        client = data.clients.get(lost.client_id)
        if client is None or client.open_deals:
            continue
        if client.follow_up_on is not None and client.follow_up_on > today:
            continue  # the client named a date to come back on
        due = lost.closed_on + dt.timedelta(days=revisit_days)
        # the "no" heard on the day of the loss is not the revisit: a touch on or after
        # the due date is
        if due > today or recently_touched(client, since=due):
            continue
        found.append(
            Candidate(
                client_id=lost.client_id,
                rule="revisit",
                reason=f"refusal revisit: deal #{lost.id} lost {lost.closed_on.isoformat()} "
                f"({lost.reason or 'no reason'}), {(today - lost.closed_on).days} days ago",
                kind="closing",
                overdue_days=(today - due).days,
                about=lost,
                amount_minor=lost.amount_minor,
                template_funnel="refusal",
                template_stage="revisit",
                days_waiting=(today - lost.closed_on).days,
            )
        )
    return found


def service_delay(category: str | None, settings: Settings) -> int:
    """Days from a payment to its service contact: the category's own delay
    (``plan.service_days.A|B|C``), ``plan.service_days`` for an uncategorised client."""
    if category in ("A", "B", "C"):
        return settings.int(f"plan.service_days.{category}")
    return settings.int("plan.service_days")


SERVICE_DELAY_KEYS = (
    "plan.service_days",
    "plan.service_days.A",
    "plan.service_days.B",
    "plan.service_days.C",
)


# -- priority --------------------------------------------------------------------------
def priority_terms(
    candidate: Candidate, client: ClientState, settings: Settings
) -> dict[str, Decimal]:
    """The transparent weighted sum: each term is shown by ``plan explain``."""
    return Weights.of(settings).terms(candidate, client)


@dataclass(frozen=True)
class Weights:
    """The priority weights of the settings, read once per plan."""

    category: Mapping[str, Decimal]  # A, B, C and "none"
    rule: Mapping[str, Decimal]
    money: Decimal
    closeness: Decimal
    overdue: Decimal
    problem: Decimal

    @classmethod
    def of(cls, settings: Settings) -> Weights:
        return cls(
            category={
                c: settings.decimal(f"plan.weight.category.{c}") for c in ("A", "B", "C", "none")
            },
            rule={rule: settings.decimal(f"plan.weight.rule.{rule}") for rule in RULES},
            money=settings.decimal("plan.weight.money"),
            closeness=settings.decimal("plan.weight.closeness"),
            overdue=settings.decimal("plan.weight.overdue"),
            problem=settings.decimal("plan.weight.problem"),
        )

    def terms(self, candidate: Candidate, client: ClientState) -> dict[str, Decimal]:
        category = client.category if client.category in ("A", "B", "C") else "none"
        terms = {
            "category": self.category[category],
            "money": _money_term(self.money, candidate.amount_minor or 0),
            "closeness": _cents(self.closeness, candidate.closeness),
            "overdue": self.overdue * min(candidate.overdue_days, MAX_OVERDUE_DAYS),
            "rule": self.rule[candidate.rule],
        }
        if client.open_problem is not None:  # an unresolved service problem raises every item
            terms["problem"] = self.problem
        return terms


@functools.lru_cache(maxsize=65_536)
def _money_term(weight: Decimal, amount_minor: int) -> Decimal:
    """weight × log10(1 + amount in thousands), to the cent (cached: amounts repeat)."""
    amount = Decimal(amount_minor) / 100
    return (weight * Decimal(math.log10(1 + float(amount) / 1000))).quantize(CENT)


@functools.lru_cache(maxsize=1024)
def _cents(weight: Decimal, share: Decimal) -> Decimal:
    return (weight * share).quantize(CENT)


def build_plan(data: PlanInput, settings: Settings) -> Plan:
    """Every candidate, merged to one item per client, ranked by priority."""
    candidates = [*deal_candidates(data, settings), *client_candidates(data, settings)]
    candidates += [c for c in data.extra if c.client_id in data.clients]
    weights = Weights.of(settings)
    by_client: dict[int, list[tuple[Decimal, Candidate, dict[str, Decimal]]]] = {}
    for candidate in candidates:
        client = data.clients[candidate.client_id]
        if client.last_touch_on == data.today:
            continue  # touched today already
        terms = weights.terms(candidate, client)
        by_client.setdefault(candidate.client_id, []).append(
            (sum(terms.values(), Decimal(0)), candidate, terms)
        )
    merged = []
    for client_id, scored in by_client.items():
        scored.sort(
            key=lambda s: (
                s[1].rule in FILLER_RULES,  # a filler leads only when nothing else is due
                -s[0],
                RULES.index(s[1].rule),
                s[1].deal.id if s[1].deal else 0,
            )
        )
        top_score, primary, terms = scored[0]
        merged.append(
            (top_score, data.clients[client_id], primary, tuple(s[1] for s in scored[1:]), terms)
        )
    merged.sort(key=lambda m: (-m[0], m[1].name.casefold(), m[1].id))
    return Plan(
        today=data.today,
        items=[
            PlanItem(rank=i, client=client, primary=primary, others=others, terms=terms)
            for i, (_score, client, primary, others, terms) in enumerate(merged, start=1)
        ],
    )

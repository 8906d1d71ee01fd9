"""The daily plan of nudges: every rule's candidates, merged into one item per client and
ranked by priority.

The facts come in as plain records (:mod:`povtor.domain.plan_records`), loaded by
:mod:`povtor.storage`; the conversation with each client is read from them first
(:mod:`povtor.domain.conversation`); each rule lives in its own module of
:mod:`povtor.domain.plan_rules` and proposes candidates, which pass only if the
conversation allows that rule for the client; this module runs them, weighs each
candidate (the transparent sum ``plan explain`` shows) and ranks the items. Nothing here
touches a database, so the plan is tested on hand-made inputs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import heapq
import math
from collections.abc import Callable, Mapping
from dataclasses import field
from decimal import Decimal

from povtor.domain import conversation
from povtor.domain.plan_records import (
    Candidate,
    ClientState,
    ClosedDeal,
    OpenDeal,
    Plan,
    PlanInput,
    PlanItem,
    ServiceProblem,
)
from povtor.domain.plan_rules.follow_up import (
    client_follow_ups,
    deal_follow_ups,
    purpose_follow_ups,
)
from povtor.domain.plan_rules.gone_silent import silent_clients
from povtor.domain.plan_rules.occasions import occasions
from povtor.domain.plan_rules.offer_quota import product_offers
from povtor.domain.plan_rules.refusal_revisit import refusal_revisits
from povtor.domain.plan_rules.roadmap_step import roadmap_steps
from povtor.domain.plan_rules.service_contact import service_contacts
from povtor.domain.plan_rules.service_problem import service_problems
from povtor.domain.plan_rules.stuck_deal import stuck_deals, wait_start
from povtor.domain.plan_rules.thin_card import thin_cards
from povtor.records import record
from povtor.settings import Settings

# (the records of a plan are defined in plan_records; callers may name them from here)
__all__ = [
    "CENT",
    "FILLER_RULES",
    "MAX_OVERDUE_DAYS",
    "RULES",
    "Candidate",
    "ClientState",
    "ClosedDeal",
    "OpenDeal",
    "Plan",
    "PlanInput",
    "PlanItem",
    "Ranking",
    "ServiceProblem",
    "Weights",
    "build_plan",
    "client_candidates",
    "deal_candidates",
    "deal_rules_may_pick",
    "growth_candidates",
    "priority_terms",
    "rank",
]

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


# -- the rules, run -----------------------------------------------------------------------
def deal_rules_may_pick(
    today: dt.date,
    entered_on: dt.date,
    last_touch_on: dt.date | None,
    follow_up_on: dt.date | None,
    limit_days: int | None,
) -> bool:
    """Whether a deal rule may pick an open deal on ``today``: its promised date has come
    (:mod:`.plan_rules.follow_up`), or it has waited longer than its stage's limit in
    calendar days since it entered the stage or was last touched in it
    (:mod:`.plan_rules.stuck_deal`; working days are never more than calendar days).
    Neither rule picks a deal for which this is false, so a loader may leave such deals
    out of :attr:`PlanInput.deals` (their clients still count them)."""
    if follow_up_on is not None and follow_up_on <= today:
        return True
    if limit_days is None:
        return False
    return (today - wait_start(entered_on, last_touch_on)).days > limit_days


def _allowed(candidates: list[Candidate], data: PlanInput) -> list[Candidate]:
    """The candidates the conversation with their client allows today."""
    today, get, allows = data.today, data.clients.get, conversation.allows
    return [
        c
        for c in candidates
        if (client := get(c.client_id)) is not None and allows(client, c.rule, today)
    ]


def deal_candidates(data: PlanInput, settings: Settings) -> list[Candidate]:
    """The deal-level items: follow-ups due on deals, and stuck deals (warming ones, in the
    first-sale funnel)."""
    conversation.attach(data, settings)
    return _deal_candidates(data, settings)


def _deal_candidates(data: PlanInput, settings: Settings) -> list[Candidate]:
    return _allowed(
        [
            *deal_follow_ups(data.deals, data.clients, data.today),
            *stuck_deals(data.deals, data.clients, data.today, settings),
        ],
        data,
    )


def client_candidates(data: PlanInput, settings: Settings) -> list[Candidate]:
    """The client-level items: follow-ups due, clients gone silent, service contacts after
    payments, unresolved service problems, refusal revisits."""
    conversation.attach(data, settings)
    return _client_candidates(data, settings)


def _client_candidates(data: PlanInput, settings: Settings) -> list[Candidate]:
    today = data.today
    clients = data.clients
    return _allowed(
        [
            *client_follow_ups(clients, today),
            *purpose_follow_ups(data, settings),
            *silent_clients(clients, today, settings),
            *service_contacts(data.paid_awaiting_service, clients, today, settings),
            *service_problems(clients, today),
            *refusal_revisits(clients, today, settings),
        ],
        data,
    )


def growth_candidates(data: PlanInput, settings: Settings) -> list[Candidate]:
    """The client-development items: thin cards, product offers, roadmap steps and
    occasions, each from its own facts."""
    conversation.attach(data, settings)
    return _growth_candidates(data, settings)


def _growth_candidates(data: PlanInput, settings: Settings) -> list[Candidate]:
    today = data.today
    clients = data.clients
    return _allowed(
        [
            *thin_cards(data.cards, clients, today, settings),
            *product_offers(data.offers, clients, settings),
            *roadmap_steps(data.roadmaps, clients, today, settings),
            *occasions(data.perks, clients, today, settings),
        ],
        data,
    )


# -- priority --------------------------------------------------------------------------
def priority_terms(
    candidate: Candidate, client: ClientState, settings: Settings
) -> dict[str, Decimal]:
    """The transparent weighted sum: each term is shown by ``plan explain``."""
    return Weights.of(settings).terms(candidate, client)


@record(frozen=True)
class Weights:
    """The priority weights of the settings, read once per plan."""

    category: Mapping[str, Decimal]  # A, B, C and "none"
    rule: Mapping[str, Decimal]
    money: Decimal
    closeness: Decimal
    overdue: Decimal
    problem: Decimal
    # per category (A, B, C; "none" for any other), each rule's weight plus the category's,
    # summed once (every candidate adds them); the overdue term of 1 to MAX_OVERDUE_DAYS
    # days, made once
    fixed: Mapping[str, Mapping[str, Decimal]] = field(init=False, repr=False, compare=False)
    overdue_terms: tuple[Decimal, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fixed = {c: {r: self.category[c] + self.rule[r] for r in RULES} for c in self.category}
        object.__setattr__(self, "fixed", fixed)
        terms = tuple(self.overdue * days for days in range(MAX_OVERDUE_DAYS + 1))
        object.__setattr__(self, "overdue_terms", terms)

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

    def score(self, candidate: Candidate, client: ClientState) -> Decimal:
        """The sum of :meth:`terms`, without the terms."""
        fixed = self.fixed
        score = fixed.get(client.category or "none", fixed["none"])[candidate.rule]
        if candidate.amount_minor:
            score += _money_term(self.money, candidate.amount_minor)
        if candidate.closeness:
            score += _cents(self.closeness, candidate.closeness)
        overdue = candidate.overdue_days
        if 0 < overdue <= MAX_OVERDUE_DAYS:
            score += self.overdue_terms[overdue]
        elif overdue:
            score += self.overdue * min(overdue, MAX_OVERDUE_DAYS)
        if client.open_problem is not None:
            score += self.problem
        return score

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
    ranking = rank(data, settings)
    return Plan(today=data.today, items=ranking.items())


# a client's candidates, each with its priority (its terms are summed again when shown)
_Scored = list[tuple[Decimal, Candidate]]


def _lead_order(scored: tuple[Decimal, Candidate]) -> tuple[bool, Decimal, int, int]:
    """Which of a client's candidates leads its item: a filler only when nothing else is
    due, then the highest priority, then the rule's place, then the deal."""
    score, candidate = scored
    return (
        candidate.rule in FILLER_RULES,
        -score,
        RULES.index(candidate.rule),
        candidate.deal.id if candidate.deal else 0,
    )


# which items to show: a client and the candidate its item would lead with
Keep = Callable[[ClientState, Candidate], bool]


@record(frozen=True, slots=True)
class Ranking:
    """A plan's items in rank order, each built only when it is asked for: a day's work
    is the first few of thousands, and ``plan explain`` wants one.

    ``order`` holds a light sort key per client, ``(-priority, name folded, id)``; its
    candidates wait in ``scored`` until its item is built."""

    today: dt.date
    clients: Mapping[int, ClientState]
    weights: Weights
    order: list[tuple[Decimal, str, int]]  # (-priority, name folded, client id), unsorted
    scored: Mapping[int, _Scored]

    def __len__(self) -> int:
        return len(self.order)

    def items(
        self,
        first: int | None = None,
        *,
        category: str | None = None,
        keep: Keep | None = None,
    ) -> list[PlanItem]:
        """The items in rank order (ranks are those of the whole plan): the first
        ``first`` of them (None: all), only of the clients of ``category`` if given, only
        those whose client and leading candidate ``keep`` accepts if given."""
        wanted = self._wanted(category, keep)
        if wanted is None:
            if first is not None and first < len(self.order):
                keys = heapq.nsmallest(first, self.order)
            else:
                keys = sorted(self.order)
            return [self._item(rank, key[2]) for rank, key in enumerate(keys, start=1)]
        found = [
            (rank, key[2]) for rank, key in enumerate(sorted(self.order), start=1) if wanted(key[2])
        ]
        if first is not None:
            found = found[:first]
        return [self._item(rank, client_id) for rank, client_id in found]

    def count(self, category: str | None = None, keep: Keep | None = None) -> int:
        """The items (of the clients of ``category``, of those ``keep`` accepts)."""
        wanted = self._wanted(category, keep)
        if wanted is None:
            return len(self.order)
        return sum(1 for key in self.order if wanted(key[2]))

    def _wanted(self, category: str | None, keep: Keep | None) -> Callable[[int], bool] | None:
        if category is None and keep is None:
            return None
        clients, scored = self.clients, self.scored

        def wanted(client_id: int) -> bool:
            client = clients[client_id]
            if category is not None and client.category != category:
                return False
            if keep is None:
                return True
            found = scored[client_id]
            lead = found[0] if len(found) == 1 else min(found, key=_lead_order)
            return keep(client, lead[1])

        return wanted

    def at(self, rank: int) -> PlanItem | None:
        """The item of ``rank`` (1 is the first); None: the plan has no such item."""
        if not 1 <= rank <= len(self.order):
            return None
        key = heapq.nsmallest(rank, self.order)[-1] if rank <= 100 else sorted(self.order)[rank - 1]
        return self._item(rank, key[2])

    def of_client(self, client_id: int) -> PlanItem | None:
        """The item of client ``client_id``; None: the client is not in the plan."""
        key = next((k for k in self.order if k[2] == client_id), None)
        if key is None:
            return None
        return self._item(1 + sum(1 for k in self.order if k < key), client_id)

    def _item(self, rank: int, client_id: int) -> PlanItem:
        client = self.clients[client_id]
        scored = sorted(self.scored[client_id], key=_lead_order)
        primary = scored[0][1]
        return PlanItem(
            rank=rank,
            client=client,
            primary=primary,
            others=tuple(s[1] for s in scored[1:]),
            terms=self.weights.terms(primary, client),
        )


def rank(data: PlanInput, settings: Settings) -> Ranking:
    """Every candidate, weighed, merged to one item per client: the plan's ranking, its
    items not built yet (:meth:`Ranking.items`)."""
    conversation.attach(data, settings)
    today, clients = data.today, data.clients
    # A client touched today has no item, so the rules are not asked about it: nor does
    # it take one of the day's offers, steps or card questions from a client that can
    # have one (with no quiet days). (A question asked today still counts against the
    # day's: the rules read those from their own facts.)
    untouched = dataclasses.replace(
        data, clients={cid: c for cid, c in clients.items() if c.last_touch_on != today}
    )
    candidates = [
        *_deal_candidates(untouched, settings),
        *_client_candidates(untouched, settings),
        *_growth_candidates(untouched, settings),
    ]
    weights = Weights.of(settings)
    by_client: dict[int, _Scored] = {}
    score = weights.score
    for candidate in candidates:  # (each of a client in untouched: see _allowed)
        client = clients[candidate.client_id]
        found = by_client.get(candidate.client_id)
        if found is None:
            found = by_client[candidate.client_id] = []
        found.append((score(candidate, client), candidate))
    order = []
    for client_id, scored in by_client.items():
        lead = scored[0] if len(scored) == 1 else min(scored, key=_lead_order)
        order.append((-lead[0], clients[client_id].name.casefold(), client_id))
    return Ranking(today, clients, weights, order, by_client)

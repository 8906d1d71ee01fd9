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

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
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
from povtor.domain.plan_rules.stuck_deal import stuck_deals
from povtor.domain.plan_rules.thin_card import thin_cards
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
    "ServiceProblem",
    "Weights",
    "build_plan",
    "client_candidates",
    "deal_candidates",
    "growth_candidates",
    "priority_terms",
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
def _allowed(candidates: list[Candidate], data: PlanInput) -> list[Candidate]:
    """The candidates the conversation with their client allows today."""
    today, clients = data.today, data.clients
    return [
        c
        for c in candidates
        if c.client_id in clients and conversation.allows(clients[c.client_id], c.rule, today)
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
    conversation.attach(data, settings)
    candidates = [
        *_deal_candidates(data, settings),
        *_client_candidates(data, settings),
        *_growth_candidates(data, settings),
    ]
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

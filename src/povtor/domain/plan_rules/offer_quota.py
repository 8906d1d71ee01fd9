"""The daily quota of product offers (seed 004): backend offers and cross-sell together.

At most ``plan.offers_per_day`` clients get an offer a day, the highest-revenue clients
first (then the rest by id), one offer per client: a backend offer
(:mod:`.backend_offer`) before a cross-sell one (:mod:`.cross_sell`). Clients touched in
the last ``plan.quiet_days`` days or with an open service problem get none, nor do those
the conversation holds back (a date they named, a refusal, an offer they asked to hear
about later: :mod:`povtor.domain.conversation`).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator, Mapping

from povtor.domain.conversation import allows
from povtor.domain.offers import OfferFacts, TopClient
from povtor.domain.plan_records import Candidate, ClientState
from povtor.domain.plan_rules.backend_offer import backend_candidate, offered_since
from povtor.domain.plan_rules.cross_sell import cross_sell_candidate
from povtor.domain.plan_rules.quiet_days import recently_touched
from povtor.domain.ranking import top_count
from povtor.settings import Settings


def offers_looked_back(today: dt.date, settings: Settings) -> dt.date:
    """The first day of the offer touches the rules look at: the longer of the backend
    offers' ``plan.backend_months`` and cross-sell's ``plan.cross_sell_days``."""
    return min(
        offered_since(today, settings),
        today - dt.timedelta(days=settings.int("plan.cross_sell_days")),
    )


def product_offers(
    facts: OfferFacts | None, clients: Mapping[int, ClientState], settings: Settings
) -> list[Candidate]:
    """The plan's offer items (none without the facts: no product catalog)."""
    if facts is None:
        return []
    return offer_candidates(facts, clients, settings)


def _by_revenue(
    revenues: Mapping[int, int], clients: Mapping[int, ClientState]
) -> Iterator[tuple[int, int, int]]:
    """The clients to look at for offers, as (client, rank among the buying ones, revenue):
    the buying ones by revenue (the highest first, then the lower id: ``stats abc``'s
    ranking), then the rest by id with rank 0. The buying ones come off a heap one by one,
    so a day whose quota is filled early does not sort every buying client (nor the rest)."""
    heap = [(-revenue, client_id) for client_id, revenue in revenues.items() if revenue > 0]
    heapq.heapify(heap)
    pop = heapq.heappop
    position = 0
    while heap:
        negative, client_id = pop(heap)
        position += 1
        yield client_id, position, -negative
    yield from (
        (client_id, 0, 0) for client_id in sorted(clients) if not revenues.get(client_id, 0) > 0
    )


def offer_candidates(
    facts: OfferFacts, clients: Mapping[int, ClientState], settings: Settings
) -> list[Candidate]:
    """Today's backend and cross-sell items, paced by ``plan.offers_per_day``."""
    today = facts.today
    if not facts.products:
        return []
    quiet = settings.int("plan.quiet_days")
    lang = settings.str("lang")
    backend_since = offered_since(today, settings)
    cooldown = settings.int("plan.cross_sell_days")
    buyers = sum(1 for revenue in facts.revenues.values() if revenue > 0)
    top_n = top_count(buyers)  # the top 10% of the buying clients by revenue

    def resting(client: ClientState) -> bool:
        if client.open_problem is not None:
            return True  # no selling while a problem the client reported is open
        return recently_touched(client, today, quiet)

    per_day = settings.int("plan.offers_per_day")
    offers: list[Candidate] = []
    # the highest revenue first (then the lower id), so the day's quota ends the search
    for client_id, position, revenue in _by_revenue(facts.revenues, clients):
        if len(offers) >= per_day:
            break
        client = clients.get(client_id)
        if client is None or resting(client):
            continue
        top = TopClient(client_id, position, revenue, buyers) if 0 < position <= top_n else None
        candidate = (
            backend_candidate(client, top, facts, backend_since, lang)
            if allows(client, "backend", today)
            else None
        )
        if candidate is None and allows(client, "cross_sell", today):
            candidate = cross_sell_candidate(client, facts, cooldown, lang)
        if candidate is not None:
            offers.append(candidate)
    return offers

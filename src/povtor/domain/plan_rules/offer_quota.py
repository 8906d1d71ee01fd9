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
from collections.abc import Iterator, Mapping

from povtor.domain.conversation import allows
from povtor.domain.offers import OfferFacts, ranked_by_revenue, top_of
from povtor.domain.plan_records import Candidate, ClientState
from povtor.domain.plan_rules.backend_offer import backend_candidate, offered_since
from povtor.domain.plan_rules.cross_sell import cross_sell_candidate
from povtor.domain.plan_rules.quiet_days import recently_touched
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


def _by_revenue(ranked: list[tuple[int, int]], clients: Mapping[int, ClientState]) -> Iterator[int]:
    """The clients to look at for offers: the buying ones by revenue, then the rest by id
    (sorted only if the day's quota is not filled by then)."""
    yield from (client_id for client_id, _revenue in ranked)
    buying = {client_id for client_id, _revenue in ranked}
    yield from (client_id for client_id in sorted(clients) if client_id not in buying)


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
    ranked = ranked_by_revenue(facts.revenues)
    top = {t.client_id: t for t in top_of(ranked)}

    def resting(client: ClientState) -> bool:
        if client.open_problem is not None:
            return True  # no selling while a problem the client reported is open
        return recently_touched(client, today, quiet)

    per_day = settings.int("plan.offers_per_day")
    offers: list[Candidate] = []
    # the highest revenue first (then the lower id), so the day's quota ends the search
    for client_id in _by_revenue(ranked, clients):
        if len(offers) >= per_day:
            break
        client = clients.get(client_id)
        if client is None or resting(client):
            continue
        candidate = (
            backend_candidate(client, top.get(client.id), facts, backend_since, lang)
            if allows(client, "backend", today)
            else None
        )
        if candidate is None and allows(client, "cross_sell", today):
            candidate = cross_sell_candidate(client, facts, cooldown, lang)
        if candidate is not None:
            offers.append(candidate)
    return offers

"""A backend offer (seed 004): the bigger products and services meant for the top 10% of
the clients who already buy.

The top 10% is ranked as ``povtor stats abc --top`` ranks it: active clients by their
revenue (RUB) over the 12 months ending today, highest first (ties: the lower client
id), and the first ceil(10% × clients with revenue) of them. Such a client gets one offer
of the most expensive backend product it has not bought (preferring one linked from a
product it did buy), unless it had a touch with purpose ``backend`` in the last
``plan.backend_months`` months or an open deal already holds a backend product. At
stake: the product's price. Paced with cross-sell by :mod:`.offer_quota`.
"""

from __future__ import annotations

import datetime as dt

from povtor.domain.calendar import months_before
from povtor.domain.offers import REVENUE_CURRENCY, OfferFacts, Product, TopClient, price, script
from povtor.domain.plan_records import Candidate, ClientState
from povtor.i18n import _
from povtor.settings import Settings

RULE = "backend"


def backend_offer(client_id: int, facts: OfferFacts) -> Product | None:
    """The backend product to offer a top client, or None (all bought, or one in a deal).

    The most expensive one it has not bought; one linked from a product it bought comes
    first (fuel buyers get the fuel module, not the concrete plant). Ties: the lower id.
    """
    backend = [p for p in facts.products.values() if p.is_backend]
    if not backend:
        return None
    if facts.in_open_deals.get(client_id, frozenset()) & {p.id for p in backend}:
        return None  # a backend deal is already under way
    bought = facts.bought.get(client_id, {})
    linked = {r for product in bought for r in facts.related.get(product, ())}
    left = [p for p in backend if p.id not in bought]
    if not left:
        return None
    return min(left, key=lambda p: (p.id not in linked, -price(p), p.id))


def offered_since(today: dt.date, settings: Settings) -> dt.date:
    """The day from which a backend offer made counts: ``plan.backend_months`` ago."""
    return months_before(today, settings.int("plan.backend_months"))


def backend_candidate(
    client: ClientState,
    leader: TopClient | None,
    facts: OfferFacts,
    since: dt.date,
    lang: str,
) -> Candidate | None:
    """The client's backend offer: ``leader`` is its place in the top 10% (None: not in
    it), ``since`` the day from which an offer made counts (:func:`offered_since`)."""
    if leader is None:
        return None
    last_offer = facts.last_backend_offer.get(client.id)
    if last_offer is not None and last_offer > since:
        return None
    product = backend_offer(client.id, facts)
    if product is None:
        return None
    history = _("; last backend offer {on}").format(on=last_offer.isoformat()) if last_offer else ""
    return Candidate(
        client_id=client.id,
        rule=RULE,
        reason=_(
            "backend offer: {product} ({price}); top 10% by revenue "
            "(#{rank} of {buyers} buying clients, {revenue} in 12 months)"
        ).format(
            product=product.name,
            price=_money(product.price_minor, product.currency),
            rank=leader.rank,
            buyers=leader.buyers,
            revenue=_money(leader.revenue, REVENUE_CURRENCY),
        )
        + history,
        kind="closing",
        amount_minor=product.price_minor,
        script=script(RULE, lang, product=product.name),
        purpose=RULE,
        purpose_ref=str(product.id),
    )


def _money(minor: int | None, currency: str) -> str:
    from povtor.parsing import format_amount

    return format_amount(minor, currency) if minor is not None else _("no price")

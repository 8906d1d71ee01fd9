"""Cross-sell (seed 004): a client without an open deal that bought product X (a paid
deal with X) and never bought a product Y linked from X ("who bought X may want Y") is
offered Y, unless a touch with purpose ``cross_sell`` about Y happened in the last
``plan.cross_sell_days`` days. Backend products are not cross-sold (they go to the top
clients only); a client with an open deal is left alone (add Y to that deal instead).
At stake: Y's price. Paced with backend offers by :mod:`.offer_quota`.
"""

from __future__ import annotations

import datetime as dt

from povtor.domain.offers import OfferFacts, Product, price, script
from povtor.domain.plan_records import Candidate, ClientState
from povtor.i18n import _

RULE = "cross_sell"


def cross_sell_offer(
    client_id: int, facts: OfferFacts, cooldown_days: int
) -> tuple[Product, Product, dt.date] | None:
    """(bought X, related Y, the day X was last bought) to suggest, or None.

    The product bought most recently comes first (the freshest need); among its related
    products the most expensive one, then the lower id.
    """
    bought = facts.bought.get(client_id, {})
    pending = facts.in_open_deals.get(client_id, frozenset())
    options: list[tuple[dt.date, int, int, Product, Product]] = []
    for x_id, on in bought.items():
        x = facts.products.get(x_id)
        if x is None:
            continue
        for y_id in facts.related.get(x_id, ()):
            y = facts.products.get(y_id)
            if y is None or y.is_backend or y_id in bought or y_id in pending:
                continue
            offered = facts.last_cross_sell.get((client_id, y_id))
            if offered is not None and (facts.today - offered).days < cooldown_days:
                continue
            options.append((on, price(y), -y_id, x, y))
    if not options:
        return None
    on, _price_y, _id, x, y = max(options, key=lambda o: (o[0], o[1], o[2]))
    return x, y, on


def cross_sell_candidate(
    client: ClientState, facts: OfferFacts, cooldown_days: int, lang: str
) -> Candidate | None:
    """The client's cross-sell offer, if it has no open deal and a product to be offered."""
    if client.open_deals:
        return None
    found = cross_sell_offer(client.id, facts, cooldown_days)
    if found is None:
        return None
    bought, related, on = found
    return Candidate(
        client_id=client.id,
        rule=RULE,
        reason=_("cross-sell: bought {bought} on {on}; related: {related}").format(
            bought=bought.name, on=on.isoformat(), related=related.name
        ),
        kind="closing",
        amount_minor=related.price_minor,
        days_waiting=(facts.today - on).days,
        script=script(RULE, lang, product=related.name, bought=bought.name),
        purpose=RULE,
        purpose_ref=str(related.id),
    )

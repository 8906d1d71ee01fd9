"""Backend offers and cross-sell (seed 004): pure rules over plain facts.

*Backend*: the bigger products and services meant for the top 10% of the clients who
already buy. The top 10% is ranked as ``povtor stats abc --top`` ranks it: active clients
by their revenue (RUB) over the 12 months ending today, highest first (ties: the lower
client id), and the first ceil(10% × clients with revenue) of them. Such a client gets
one offer of the most expensive backend product it has not bought (preferring one
linked from a product it did buy), unless it had a touch with purpose ``backend`` in
the last ``plan.backend_months`` months or an open deal already holds a backend product.

*Cross-sell*: a client that bought product X (a paid deal with X) and never bought Y,
where X is linked to Y ("who bought X may want Y"), is offered Y, unless a touch with
purpose ``cross_sell`` about Y happened in the last ``plan.cross_sell_days`` days.
Backend products are not cross-sold (they go to the top clients only); a client with an
open deal is left alone (add Y to that deal instead).

Both are paced: at most ``plan.offers_per_day`` clients get an offer a day, the
highest-revenue clients first, one offer per client (a backend offer before a
cross-sell one); clients touched in the last ``plan.quiet_days`` days, who named a
later date to come back, or with an open service problem get none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from povtor.domain.calendar import months_before
from povtor.domain.planner import Candidate, ClientState
from povtor.domain.ranking import top_count
from povtor.errors import InvalidInput
from povtor.settings import Settings

REVENUE_CURRENCY = "RUB"  # revenue is ranked in the currency stats abc uses by default

# The message drafts: what we want + yes or no. {person} {client} {company} are filled
# by the plan like any template; {product} and {bought} are the products' names.
SCRIPTS: dict[tuple[str, str], str] = {
    ("backend", "ru"): (
        "{person}, добрый день! Вы среди наших ключевых клиентов, поэтому предлагаю вам "
        "первым: «{product}». Подготовить расчёт под ваши объёмы — да или нет?"
    ),
    ("backend", "en"): (
        "Hello {person}! You are one of our key clients, so you are the first I offer "
        "«{product}» to. Shall I prepare a quote for your volumes, yes or no?"
    ),
    ("cross_sell", "ru"): (
        "{person}, добрый день! Вы берёте у нас «{bought}», а к нему часто заказывают "
        "«{product}». Добавить в следующую поставку — да или нет?"
    ),
    ("cross_sell", "en"): (
        "Hello {person}! You buy «{bought}» from us, and clients often take «{product}» "
        "with it. Shall I add it to your next delivery, yes or no?"
    ),
}


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    price_minor: int | None
    currency: str
    is_backend: bool


def offer_reference(purpose: str, product: Product, *, field: str = "--about") -> str:
    """The ``purpose_ref`` of a touch offering ``product`` (as ``plan run`` records it): its
    id. A ``backend`` touch must be about a backend product; a ``cross_sell`` one may be
    about any."""
    if purpose == "backend" and not product.is_backend:
        raise InvalidInput(
            f"{field}: #{product.id} {product.name} is not a backend product",
            hint="see the backend products: povtor product list --backend",
        )
    return str(product.id)


@dataclass(frozen=True)
class OfferFacts:
    """What the offer rules look at, gathered by ``storage.offer_queries``."""

    today: dt.date
    products: Mapping[int, Product]
    related: Mapping[int, tuple[int, ...]]  # product -> products linked from it (one-way)
    # client -> its revenue (RUB, minor units) over the 12 months to today: active
    # clients with purchases in that window only
    revenues: Mapping[int, int]
    bought: Mapping[int, Mapping[int, dt.date]]  # client -> product -> last paid deal with it
    in_open_deals: Mapping[int, frozenset[int]] = field(default_factory=dict)  # client -> products
    last_backend_offer: Mapping[int, dt.date] = field(default_factory=dict)  # client -> day
    last_cross_sell: Mapping[tuple[int, int], dt.date] = field(
        default_factory=dict
    )  # (client, product) -> day of the last cross_sell touch about it


@dataclass(frozen=True)
class TopClient:
    client_id: int
    rank: int  # 1 = the highest revenue
    revenue: int
    buyers: int  # clients with revenue: the 10% is of these


def ranked_by_revenue(revenues: Mapping[int, int]) -> list[tuple[int, int]]:
    """(client, revenue) of the clients with revenue: the highest first, then the lower id
    (``abc_split``'s ranking without its shares)."""
    buyers = [(client_id, revenue) for client_id, revenue in revenues.items() if revenue > 0]
    return sorted(buyers, key=lambda pair: (-pair[1], pair[0]))


def top_clients_by_revenue(revenues: Mapping[int, int]) -> list[TopClient]:
    """The top 10% of buying clients by revenue, ranked as ``stats abc --top`` ranks them."""
    return _top_of(ranked_by_revenue(revenues))


def _top_of(ranked: list[tuple[int, int]]) -> list[TopClient]:
    buyers = len(ranked)
    return [
        TopClient(client_id, rank, revenue, buyers)
        for rank, (client_id, revenue) in enumerate(ranked[: top_count(buyers)], start=1)
    ]


def _price(product: Product) -> int:
    return product.price_minor or 0


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
    return min(left, key=lambda p: (p.id not in linked, -_price(p), p.id))


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
            options.append((on, _price(y), -y_id, x, y))
    if not options:
        return None
    on, _price_y, _id, x, y = max(options, key=lambda o: (o[0], o[1], o[2]))
    return x, y, on


def _escaped(text: str) -> str:
    """A name placed inside a template: its braces stay literal when the plan fills it."""
    return text.replace("{", "{{").replace("}", "}}")


def script(rule: str, lang: str, *, product: str, bought: str = "") -> str:
    body = SCRIPTS.get((rule, lang)) or SCRIPTS[(rule, "ru")]
    return body.replace("{product}", _escaped(product)).replace("{bought}", _escaped(bought))


def _money(minor: int | None, currency: str) -> str:
    from povtor.parsing import format_money

    return f"{format_money(minor, grouped=True)} {currency}" if minor is not None else "no price"


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
    backend_since = months_before(today, settings.int("plan.backend_months"))
    cooldown = settings.int("plan.cross_sell_days")
    ranked = ranked_by_revenue(facts.revenues)
    top = {t.client_id: t for t in _top_of(ranked)}

    def resting(client: ClientState) -> bool:
        if client.follow_up_on is not None and client.follow_up_on > today:
            return True  # the client named a date to come back on
        if client.open_problem is not None:
            return True  # no selling while a problem the client reported is open
        return client.last_touch_on is not None and (today - client.last_touch_on).days < quiet

    per_day = settings.int("plan.offers_per_day")
    offers: list[Candidate] = []
    # the highest revenue first (then the lower id), so the day's quota ends the search
    for client_id in _by_revenue(ranked, clients):
        if len(offers) >= per_day:
            break
        client = clients.get(client_id)
        if client is None or resting(client):
            continue
        candidate: Candidate | None = None
        leader = top.get(client.id)
        last_offer = facts.last_backend_offer.get(client.id)
        if leader is not None and (last_offer is None or last_offer <= backend_since):
            product = backend_offer(client.id, facts)
            if product is not None:
                history = f"; last backend offer {last_offer.isoformat()}" if last_offer else ""
                candidate = Candidate(
                    client_id=client.id,
                    rule="backend",
                    reason=f"backend offer: {product.name} "
                    f"({_money(product.price_minor, product.currency)}); top 10% by revenue "
                    f"(#{leader.rank} of {leader.buyers} buying clients, "
                    f"{_money(leader.revenue, REVENUE_CURRENCY)} in 12 months){history}",
                    kind="closing",
                    amount_minor=product.price_minor,
                    script=script("backend", lang, product=product.name),
                    purpose="backend",
                    purpose_ref=str(product.id),
                )
        if candidate is None and not client.open_deals:
            found = cross_sell_offer(client.id, facts, cooldown)
            if found is not None:
                bought, related, on = found
                candidate = Candidate(
                    client_id=client.id,
                    rule="cross_sell",
                    reason=f"cross-sell: bought {bought.name} on {on.isoformat()}; "
                    f"related: {related.name}",
                    kind="closing",
                    amount_minor=related.price_minor,
                    days_waiting=(today - on).days,
                    script=script("cross_sell", lang, product=related.name, bought=bought.name),
                    purpose="cross_sell",
                    purpose_ref=str(related.id),
                )
        if candidate is not None:
            offers.append(candidate)
    return offers

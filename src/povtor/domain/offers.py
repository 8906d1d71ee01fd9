"""Backend offers and cross-sell (seed 004): the products, what the offer rules look at,
the ranking of clients by revenue and the offers' message drafts.

*Backend* products are the bigger products and services meant for the top 10% of the
clients who already buy; *cross-sell* offers a product linked from one the client bought
("who bought X may want Y"). The plan's rules are
:mod:`povtor.domain.plan_rules.backend_offer` and
:mod:`povtor.domain.plan_rules.cross_sell`, paced together by
:mod:`povtor.domain.plan_rules.offer_quota`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import field

from povtor.domain.ranking import top_count
from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.records import record

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


@record(frozen=True)
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
            _("{field}: #{id} {name} is not a backend product").format(
                field=field, id=product.id, name=product.name
            ),
            hint=_("see the backend products: povtor product list --backend"),
        )
    return str(product.id)


@record(frozen=True)
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


@record(frozen=True)
class TopClient:
    client_id: int
    rank: int  # 1 = the highest revenue
    revenue: int
    buyers: int  # clients with revenue: the 10% is of these


def ranked_by_revenue(revenues: Mapping[int, int]) -> list[tuple[int, int]]:
    """(client, revenue) of the clients with revenue: the highest first, then the lower id
    (``abc_split``'s ranking without its shares)."""
    # (sorted as plain tuples, without a key function: a plan ranks every buying client)
    order = sorted((-revenue, client_id) for client_id, revenue in revenues.items() if revenue > 0)
    return [(client_id, -negative) for negative, client_id in order]


def top_clients_by_revenue(revenues: Mapping[int, int]) -> list[TopClient]:
    """The top 10% of buying clients by revenue, ranked as ``stats abc --top`` ranks them."""
    return top_of(ranked_by_revenue(revenues))


def top_of(ranked: list[tuple[int, int]]) -> list[TopClient]:
    buyers = len(ranked)
    return [
        TopClient(client_id, rank, revenue, buyers)
        for rank, (client_id, revenue) in enumerate(ranked[: top_count(buyers)], start=1)
    ]


def price(product: Product) -> int:
    return product.price_minor or 0


def _escaped(text: str) -> str:
    """A name placed inside a template: its braces stay literal when the plan fills it."""
    return text.replace("{", "{{").replace("}", "}}")


def script(rule: str, lang: str, *, product: str, bought: str = "") -> str:
    body = SCRIPTS.get((rule, lang)) or SCRIPTS[(rule, "ru")]
    return body.replace("{product}", _escaped(product)).replace("{bought}", _escaped(bought))

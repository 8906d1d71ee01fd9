"""The facts for backend offers and cross-sell, in a few aggregate queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import TypeVar

from povtor.domain.calendar import trailing_year
from povtor.domain.offers import REVENUE_CURRENCY, OfferFacts, Product
from povtor.storage.database import Database, Row, to_date
from povtor.storage.queries import _match_level
from povtor.text import fold

V = TypeVar("V")


def load_offer_facts(
    db: Database, today: dt.date, since: dt.date, revenues: Mapping[int, int] | None = None
) -> OfferFacts | None:
    """Everything the offer rules need on ``today``, with the offer touches from ``since``
    on; None without a product catalog. ``revenues``: the active clients' revenue of the
    12 months to ``today`` when already read (storage.plan_queries reads it with the
    plan's facts); otherwise it is read here."""
    products = {
        r["id"]: _product(r)
        for r in db.rows("SELECT id, name, price_minor, currency, is_backend FROM product")
    }
    if not products:
        return None
    related: dict[int, list[int]] = defaultdict(list)
    for product_id, related_id in db.tuples(
        "SELECT product_id, related_id FROM product_link ORDER BY product_id, related_id"
    ):
        related[product_id].append(related_id)
    day = today.isoformat()
    bought = _BoughtByClient(db, day)
    last_backend: dict[int, dt.date] = {}
    last_cross_sell: dict[tuple[int, int], dt.date] = {}
    resolved: dict[str, int | None] = {}
    for client_id, purpose, reference, last_on in db.tuples(
        """SELECT client_id, purpose, purpose_ref, MAX(on_date) FROM touch
           WHERE purpose IN ('backend', 'cross_sell') AND on_date >= ? AND on_date <= ?
           GROUP BY client_id, purpose, purpose_ref""",
        (since.isoformat(), day),
    ):
        on = to_date(last_on)
        assert on is not None
        if purpose == "backend":
            if client_id not in last_backend or on > last_backend[client_id]:
                last_backend[client_id] = on
            continue
        reference = reference or ""
        if reference not in resolved:
            resolved[reference] = product_of_reference(reference, products)
        product_id = resolved[reference]
        if product_id is None:
            continue
        key = (client_id, product_id)
        if key not in last_cross_sell or on > last_cross_sell[key]:
            last_cross_sell[key] = on
    start, end = trailing_year(today)
    return OfferFacts(
        today=today,
        products=products,
        related={k: tuple(v) for k, v in related.items()},
        revenues=active_revenues(db, start, end) if revenues is None else revenues,
        bought=bought,
        in_open_deals=_InOpenDeals(db),
        last_backend_offer=last_backend,
        last_cross_sell=last_cross_sell,
    )


def paid_revenues(
    db: Database, start: dt.date, end: dt.date, *, at_once: bool = False
) -> dict[int, int]:
    """Every client's revenue from deals paid in ``start..end`` (``REVENUE_CURRENCY``),
    deals as they stand now (as the rest of the plan reads them), from the deal index
    alone; with ``at_once``, read at once (:meth:`Database.read_at_once`: beside the
    plan)."""
    read = db.read_at_once if at_once else db.iterate
    return dict(
        read(
            """SELECT client_id, SUM(amount_minor) FROM deal
               WHERE status = 'won' AND currency = ? AND amount_minor IS NOT NULL
                 AND closed_on >= ? AND closed_on <= ?
               GROUP BY client_id""",
            (REVENUE_CURRENCY, start.isoformat(), end.isoformat()),
        )
    )


def active_revenues(db: Database, start: dt.date, end: dt.date) -> dict[int, int]:
    """:func:`paid_revenues` of the active clients made by ``end``."""
    active = {
        client_id
        for (client_id,) in db.iterate(
            "SELECT id FROM client WHERE status = 'active' AND created_on <= ?",
            (end.isoformat(),),
        )
    }
    return {cid: revenue for cid, revenue in paid_revenues(db, start, end).items() if cid in active}


class _PerClient(Mapping[int, V]):
    """client -> what the offer rules ask about it, read per client when asked: they look
    at the top clients by revenue only until the day's quota is filled, so most clients
    are never asked about. A client with nothing is not in the mapping."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.known: dict[int, V | None] = {}

    def _read(self, client_id: int) -> V | None:
        """The client's value, None for nothing."""
        raise NotImplementedError

    def _clients(self) -> list[int]:
        """Every client with a value."""
        raise NotImplementedError

    def __getitem__(self, client_id: int) -> V:
        if client_id in self.known:
            found = self.known[client_id]
        else:
            found = self.known[client_id] = self._read(client_id)
        if found is None:
            raise KeyError(client_id)
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(self._clients())

    def __len__(self) -> int:
        return len(self._clients())


class _BoughtByClient(_PerClient[Mapping[int, dt.date]]):
    """client -> product -> the day of its last paid deal with it, by ``day``."""

    def __init__(self, db: Database, day: str) -> None:
        super().__init__(db)
        self.day = day

    def _read(self, client_id: int) -> Mapping[int, dt.date] | None:
        rows = self.db.tuples(
            """SELECT dp.product_id, MAX(d.closed_on) FROM deal d
               JOIN deal_product dp ON dp.deal_id = d.id
               WHERE d.client_id = ? AND d.status = 'won' AND d.closed_on <= ?
               GROUP BY dp.product_id""",
            (client_id, self.day),
        )
        return {product: to_date(last_on) for product, last_on in rows} or None  # type: ignore[misc]

    def _clients(self) -> list[int]:
        rows = self.db.tuples(
            """SELECT DISTINCT d.client_id FROM deal d JOIN deal_product dp ON dp.deal_id = d.id
               WHERE d.status = 'won' AND d.closed_on <= ? ORDER BY d.client_id""",
            (self.day,),
        )
        return [client_id for (client_id,) in rows]


class _InOpenDeals(_PerClient[frozenset[int]]):
    """client -> the products in its open deals."""

    def _read(self, client_id: int) -> frozenset[int] | None:
        rows = self.db.tuples(
            """SELECT dp.product_id FROM deal d JOIN deal_product dp ON dp.deal_id = d.id
               WHERE d.client_id = ? AND d.status = 'open'""",
            (client_id,),
        )
        return frozenset(product for (product,) in rows) or None

    def _clients(self) -> list[int]:
        rows = self.db.tuples(
            """SELECT DISTINCT d.client_id FROM deal d JOIN deal_product dp ON dp.deal_id = d.id
               WHERE d.status = 'open' ORDER BY d.client_id"""
        )
        return [client_id for (client_id,) in rows]


def product_of_reference(reference: str, products: Mapping[int, Product]) -> int | None:
    """The product a touch's ``purpose_ref`` names: its id (``plan run`` and ``nudge log
    --about`` write it) or, in a touch imported or logged before ``--about`` was checked,
    its name or part of it in any case, with the matching rules of ``product show``; None
    if it names none, or several equally well."""
    text = reference.strip()
    if text.lstrip("#").isdigit():
        number = int(text.lstrip("#"))
        return number if number in products else None
    key = fold(text)
    if not key:
        return None
    levels = [(_match_level(key, (p.name,)), p.id) for p in products.values()]
    matched = [(level, pid) for level, pid in levels if level is not None]
    if not matched:
        return None
    best = min(level for level, _ in matched)
    ids = [pid for level, pid in matched if level == best]
    return ids[0] if len(ids) == 1 else None


def offered_product_reference(db: Database, purpose: str, reference: str) -> str:
    """The checked ``purpose_ref`` of a ``backend`` or ``cross_sell`` touch typed by hand
    (``nudge log --about``): the product's id, the product found as ``product show``
    finds it (by id, ``#id`` or name); unknown or ambiguous: the error of that search."""
    from povtor.domain.offers import offer_reference
    from povtor.errors import PovtorError
    from povtor.storage.product_queries import find_product

    try:
        row = find_product(db, reference)
    except PovtorError as error:
        raise type(error)(f"--about: {error.message}", hint=error.hint) from None
    return offer_reference(purpose, _product(row))


def _product(row: Row) -> Product:
    return Product(
        id=row["id"],
        name=row["name"],
        price_minor=row["price_minor"],
        currency=row["currency"],
        is_backend=bool(row["is_backend"]),
    )

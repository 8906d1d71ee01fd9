"""Use cases for the product catalog, related products and the products of a deal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from povtor.errors import NotFound
from povtor.i18n import _
from povtor.parsing import format_money
from povtor.records import record
from povtor.storage import product_queries, product_writes, queries
from povtor.storage.database import Database, Row


@record(frozen=True, slots=True)
class Named:
    """A product as the messages name it."""

    id: int
    name: str

    @property
    def label(self) -> str:
        return f"#{self.id} {self.name}"


def _named(row: Row) -> Named:
    return Named(row["id"], row["name"])


@record(frozen=True, slots=True)
class Link:
    """A link from ``product`` to ``related``; ``changed``: made (or removed) just now."""

    product: Named
    related: Named
    changed: bool = True


@record(frozen=True, slots=True)
class InDeal:
    """A product put in (or taken out of) a deal; ``changed``: False if nothing was to do."""

    deal_id: int
    client: str
    product: Named
    changed: bool = True


def add_product(db: Database, fields: Mapping[str, Any]) -> int:
    """``product add``: a new product of the catalog; returns its id."""
    with db.transaction():
        return product_writes.add_product(db, **fields)


def edit_product(db: Database, ref: str, changes: dict[str, Any]) -> Named:
    """``product edit``: change the given fields; returns the product as named now."""
    with db.transaction():
        row = product_queries.find_product(db, ref)
        name = product_writes.update_product(db, row["id"], changes)
    return Named(row["id"], name)


def product_card(db: Database, ref: str) -> dict[str, Any]:
    """``product show``: price, backend flag, sales, related products both ways."""
    row = product_queries.find_product(db, ref)
    return {
        "id": row["id"],
        "name": row["name"],
        "price": format_money(row["price_minor"]) if row["price_minor"] is not None else None,
        "currency": row["currency"],
        "is_backend": bool(row["is_backend"]),
        "note": row["note"],
        **product_queries.sales(db, row["id"]),
        "related": _linked(product_queries.linked(db, row["id"], direction="to")),
        "related_from": _linked(product_queries.linked(db, row["id"], direction="from")),
    }


def _linked(rows: list[Row]) -> list[dict[str, Any]]:
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "price": format_money(r["price_minor"]) if r["price_minor"] is not None else None,
            "currency": r["currency"],
            "is_backend": bool(r["is_backend"]),
        }
        for r in rows
    ]


def _pairs(db: Database, product: str, related: str, both: bool) -> list[tuple[Named, Named]]:
    first = _named(product_queries.find_product(db, product))
    second = _named(product_queries.find_product(db, related))
    return [(first, second)] + ([(second, first)] if both else [])


def link_products(db: Database, product: str, related: str, *, both: bool) -> list[Link]:
    """``product link``: PRODUCT → RELATED (and back with ``both``); each says if it is new."""
    with db.transaction():
        return [
            Link(a, b, product_writes.link_products(db, a.id, b.id))
            for a, b in _pairs(db, product, related, both)
        ]


def unlink_products(db: Database, product: str, related: str, *, both: bool) -> list[Link]:
    """``product unlink``: the links removed; an error if there was none to remove."""
    with db.transaction():
        pairs = _pairs(db, product, related, both)
        removed = [Link(a, b) for a, b in pairs if product_writes.unlink_products(db, a.id, b.id)]
        if not removed:
            first, second = pairs[0]
            raise NotFound(
                (
                    _("no link {first} → {second} or back")
                    if both
                    else _("no link {first} → {second}")
                ).format(first=first.label, second=second.label),
                hint=_("see its links: povtor product show {id}").format(id=first.id),
            )
    return removed


def remove_product(db: Database, ref: str) -> Named:
    """``product remove``: delete a product no deal holds, with its links."""
    with db.transaction():
        found = _named(product_queries.find_product(db, ref))
        product_writes.remove_product(db, found.id)
    return found


def add_to_deal(db: Database, deal: str, product: str) -> InDeal:
    """``deal product add``: put a product in a deal (no change if it is there already)."""
    with db.transaction():
        deal_row = queries.find_deal(db, deal)
        found = _named(product_queries.find_product(db, product))
        added = product_writes.add_to_deal(db, deal_row["id"], found.id)
    return InDeal(deal_row["id"], deal_row["client"], found, added)


def remove_from_deal(db: Database, deal: str, product: str) -> InDeal:
    """``deal product remove``: take a product out of a deal; an error if it is not in it."""
    with db.transaction():
        deal_row = queries.find_deal(db, deal)
        found = _named(product_queries.find_product(db, product))
        if not product_writes.remove_from_deal(db, deal_row["id"], found.id):
            raise NotFound(
                _("deal #{id} has no product {label}").format(id=deal_row["id"], label=found.label),
                hint=_("see its products: povtor deal show {id}").format(id=deal_row["id"]),
            )
    return InDeal(deal_row["id"], deal_row["client"], found)


def resolve_products(db: Database, refs: list[str] | None) -> list[Row]:
    """The products named by ``deal open --product`` (each once, in the order given)."""
    found: dict[int, Row] = {}
    for ref in refs or []:
        row = product_queries.find_product(db, ref)
        found.setdefault(row["id"], row)
    return list(found.values())

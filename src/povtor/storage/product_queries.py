"""Read queries for the product catalog: name resolution, the list, one product's card."""

from __future__ import annotations

from typing import Any

from povtor.i18n import N_, _
from povtor.records import record
from povtor.storage.database import Database, Row
from povtor.storage.queries import find_named, like_pattern
from povtor.text import fold, sort_key

PRODUCT_COLUMNS = "id, name, search_key, price_minor, currency, is_backend, note"
HOW = N_("list products with: povtor product list --search TEXT")


def find_product(db: Database, ref: str) -> Row:
    """A product by id (``12`` or ``#12``) or by (part of) its name, in any case.

    An exact name wins over a name that starts with the text (or has a word that
    does), which wins over one that merely contains it; more than one at the best
    level is ambiguous.
    """
    return find_named(
        db,
        ref,
        table="product",
        columns=PRODUCT_COLUMNS,
        what="product",
        how=_(HOW),
        names=lambda row: (row["name"],),
        label=lambda row: f"#{row['id']} {row['name']}",
    )


def product_named(db: Database, name: str) -> Row | None:
    """The product whose name folds to the same key as ``name`` (one per name)."""
    return db.one(f"SELECT {PRODUCT_COLUMNS} FROM product WHERE search_key = ?", (fold(name),))


@record(frozen=True)
class ProductFilter:
    backend: bool = False  # only backend products
    search: str | None = None  # part of the name, any case


def list_products(db: Database, flt: ProductFilter) -> list[dict[str, Any]]:
    """Products in alphabetical order, with their related products and buyers."""
    where: list[str] = []
    params: list[Any] = []
    if flt.backend:
        where.append("p.is_backend")
    if flt.search:
        where.append("p.search_key LIKE ? ESCAPE '\\'")
        params.append(like_pattern(flt.search))
    # (the buyers of every product counted in one pass over the paid deals, not the paid
    # deals read again for each product)
    rows = db.rows(
        f"""SELECT p.id, p.name, p.price_minor, p.currency, p.is_backend, p.note,
                   COALESCE(b.buyers, 0) AS buyers
            FROM product p
            LEFT JOIN (SELECT dp.product_id, COUNT(DISTINCT d.client_id) AS buyers
                       FROM deal d JOIN deal_product dp ON dp.deal_id = d.id
                       WHERE d.status = 'won' GROUP BY dp.product_id) b
              ON b.product_id = p.id
            {"WHERE " + " AND ".join(where) if where else ""}""",
        params,
    )
    related = related_names(db)
    found = [
        {
            "id": r["id"],
            "name": r["name"],
            "price_minor": r["price_minor"],
            "currency": r["currency"],
            "is_backend": bool(r["is_backend"]),
            "related": "; ".join(related.get(r["id"], [])),
            "buyers": int(r["buyers"]),
            "note": r["note"],
        }
        for r in rows
    ]
    found.sort(key=lambda p: (sort_key(p["name"]), p["id"]))
    return found


def related_names(db: Database) -> dict[int, list[str]]:
    """Each product's related products (the links from it), alphabetically."""
    found: dict[int, list[str]] = {}
    for product_id, name in db.tuples(
        "SELECT l.product_id, p.name FROM product_link l JOIN product p ON p.id = l.related_id"
    ):
        found.setdefault(product_id, []).append(name)
    for names in found.values():
        names.sort(key=sort_key)
    return found


def linked(db: Database, product_id: int, *, direction: str) -> list[Row]:
    """Products linked from this one (``to``) or to it (``from``), alphabetically."""
    this, other = (
        ("product_id", "related_id") if direction == "to" else ("related_id", "product_id")
    )
    rows = db.rows(
        f"""SELECT p.id, p.name, p.price_minor, p.currency, p.is_backend FROM product_link l
            JOIN product p ON p.id = l.{other} WHERE l.{this} = ?""",
        (product_id,),
    )
    return sorted(rows, key=lambda r: (sort_key(r["name"]), r["id"]))


def sales(db: Database, product_id: int) -> dict[str, Any]:
    """How the product sold: buyers (clients with a paid deal), deals by status, last sale."""
    row = db.one(
        """SELECT COUNT(DISTINCT CASE WHEN d.status = 'won' THEN d.client_id END) AS buyers,
                  SUM(d.status = 'won') AS won, SUM(d.status = 'open') AS open,
                  SUM(d.status = 'lost') AS lost,
                  MAX(CASE WHEN d.status = 'won' THEN d.closed_on END) AS last_sold_on
           FROM deal_product dp JOIN deal d ON d.id = dp.deal_id WHERE dp.product_id = ?""",
        (product_id,),
    )
    assert row is not None
    return {
        "buyers": int(row["buyers"] or 0),
        "deals_won": int(row["won"] or 0),
        "deals_open": int(row["open"] or 0),
        "deals_lost": int(row["lost"] or 0),
        "last_sold_on": row["last_sold_on"],
    }


def deal_products(db: Database, deal_id: int) -> list[Row]:
    """The products of a deal, alphabetically."""
    rows = db.rows(
        """SELECT p.id, p.name, p.price_minor, p.currency, p.is_backend FROM deal_product dp
           JOIN product p ON p.id = dp.product_id WHERE dp.deal_id = ?""",
        (deal_id,),
    )
    return sorted(rows, key=lambda r: (sort_key(r["name"]), r["id"]))

"""Writes for the product catalog: plain SQL, run inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from povtor.errors import Conflict, InvalidInput, NotFound
from povtor.i18n import _
from povtor.storage.database import Database, update_by_id
from povtor.storage.product_queries import product_named
from povtor.text import fold

# the columns a command may change (``search_key`` follows the name)
PRODUCT_FIELDS = ("name", "price_minor", "currency", "is_backend", "note")


def _check_name_free(db: Database, name: str, *, product_id: int | None = None) -> None:
    same = product_named(db, name)
    if same is not None and same["id"] != product_id:
        raise Conflict(
            _("a product named «{name}» exists already (#{id})").format(
                name=same["name"], id=same["id"]
            ),
            hint=_("product names are unique whatever their letter case; pick another name"),
        )


def add_product(
    db: Database,
    *,
    name: str,
    price_minor: int | None = None,
    currency: str = "RUB",
    is_backend: bool = False,
    note: str | None = None,
) -> int:
    """Add a product (its name free whatever the letter case); returns its id."""
    _check_name_free(db, name)
    cursor = db.execute(
        "INSERT INTO product (name, search_key, price_minor, currency, is_backend, note) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (name, fold(name), price_minor, currency, is_backend, note),
    )
    return int(cursor.lastrowid or 0)


def update_product(db: Database, product_id: int, changes: dict[str, Any]) -> str:
    """Change the given fields of a product; returns its name (the new one if changed)."""
    name = db.scalar("SELECT name FROM product WHERE id = ?", (product_id,))
    if name is None:
        raise NotFound(_("no product #{product_id}").format(product_id=product_id))
    if "name" in changes:
        _check_name_free(db, changes["name"], product_id=product_id)
        name = changes["name"]
    update_by_id(
        db,
        "product",
        product_id,
        changes,
        allowed=PRODUCT_FIELDS,
        derived={"search_key": fold(name)},
    )
    return str(name)


def link_products(db: Database, product_id: int, related_id: int) -> bool:
    """Link ``product_id`` → ``related_id``; False if the link was there already."""
    if product_id == related_id:
        raise InvalidInput(
            _("a product cannot be related to itself"),
            hint=_("link two different products: povtor product link PRODUCT RELATED"),
        )
    if (
        db.one(
            "SELECT 1 FROM product_link WHERE product_id = ? AND related_id = ?",
            (product_id, related_id),
        )
        is not None
    ):
        return False
    db.execute(
        "INSERT INTO product_link (product_id, related_id) VALUES (?, ?)", (product_id, related_id)
    )
    return True


def unlink_products(db: Database, product_id: int, related_id: int) -> bool:
    """Remove the link ``product_id`` → ``related_id``; False if there was none."""
    cursor = db.execute(
        "DELETE FROM product_link WHERE product_id = ? AND related_id = ?",
        (product_id, related_id),
    )
    return cursor.rowcount > 0


def remove_product(db: Database, product_id: int) -> None:
    """Delete a product and its links; refused while a deal holds it."""
    deals = [
        r[0]
        for r in db.tuples(
            "SELECT deal_id FROM deal_product WHERE product_id = ? ORDER BY deal_id", (product_id,)
        )
    ]
    if deals:
        shown = ", ".join(f"#{d}" for d in deals[:5]) + (" …" if len(deals) > 5 else "")
        raise Conflict(
            _(
                "product #{product_id} is in {n} deal(s) ({shown}): the sales history needs it"
            ).format(product_id=product_id, n=len(deals), shown=shown),
            hint=_(
                "keep it, or take it out of those deals first: povtor deal product "
                "remove {deals} {product_id}"
            ).format(deals=deals[0], product_id=product_id),
        )
    db.execute(
        "DELETE FROM product_link WHERE product_id = ? OR related_id = ?", (product_id, product_id)
    )
    if db.execute("DELETE FROM product WHERE id = ?", (product_id,)).rowcount == 0:
        raise NotFound(_("no product #{product_id}").format(product_id=product_id))


def add_to_deal(db: Database, deal_id: int, product_id: int) -> bool:
    """Put a product in a deal; False if it was there already."""
    if (
        db.one(
            "SELECT 1 FROM deal_product WHERE deal_id = ? AND product_id = ?",
            (deal_id, product_id),
        )
        is not None
    ):
        return False
    db.execute(
        "INSERT INTO deal_product (deal_id, product_id) VALUES (?, ?)", (deal_id, product_id)
    )
    return True


def remove_from_deal(db: Database, deal_id: int, product_id: int) -> bool:
    """Take a product out of a deal; False if it was not in it."""
    cursor = db.execute(
        "DELETE FROM deal_product WHERE deal_id = ? AND product_id = ?", (deal_id, product_id)
    )
    return cursor.rowcount > 0

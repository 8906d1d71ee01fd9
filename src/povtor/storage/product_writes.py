"""Writes for the product catalog, inside the caller's session (one transaction)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from povtor.errors import Conflict, InvalidInput, NotFound
from povtor.storage.database import Database
from povtor.storage.models import DealProduct, Product, ProductLink
from povtor.storage.product_queries import product_named
from povtor.text import fold


def _check_name_free(db: Database, name: str, *, product_id: int | None = None) -> None:
    same = product_named(db, name)
    if same is not None and same["id"] != product_id:
        raise Conflict(
            f"a product named «{same['name']}» exists already (#{same['id']})",
            hint="product names are unique whatever their letter case; pick another name",
        )


def add_product(session: Session, db: Database, **fields: Any) -> Product:
    _check_name_free(db, fields["name"])
    product = Product(**fields, search_key=fold(fields["name"]))
    session.add(product)
    session.flush()
    return product


def update_product(
    session: Session, db: Database, product_id: int, changes: dict[str, Any]
) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(f"no product #{product_id}")
    if "name" in changes:
        _check_name_free(db, changes["name"], product_id=product_id)
    for key, value in changes.items():
        setattr(product, key, value)
    product.search_key = fold(product.name)
    session.add(product)
    session.flush()
    return product


def link_products(session: Session, product_id: int, related_id: int) -> bool:
    """Link ``product_id`` → ``related_id``; False if the link was there already."""
    if product_id == related_id:
        raise InvalidInput(
            "a product cannot be related to itself",
            hint="link two different products: povtor product link PRODUCT RELATED",
        )
    if session.get(ProductLink, (product_id, related_id)) is not None:
        return False
    session.add(ProductLink(product_id=product_id, related_id=related_id))
    session.flush()
    return True


def unlink_products(session: Session, product_id: int, related_id: int) -> bool:
    """Remove the link ``product_id`` → ``related_id``; False if there was none."""
    link = session.get(ProductLink, (product_id, related_id))
    if link is None:
        return False
    session.delete(link)
    session.flush()
    return True


def remove_product(session: Session, db: Database, product_id: int) -> None:
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
            f"product #{product_id} is in {len(deals)} deal(s) ({shown}): the sales history "
            "needs it",
            hint=f"keep it, or take it out of those deals first: povtor deal product remove "
            f"{deals[0]} {product_id}",
        )
    for link in session.exec(
        select(ProductLink).where(
            (ProductLink.product_id == product_id) | (ProductLink.related_id == product_id)
        )
    ).all():
        session.delete(link)
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(f"no product #{product_id}")
    session.delete(product)
    session.flush()


def add_to_deal(session: Session, deal_id: int, product_id: int) -> bool:
    """Put a product in a deal; False if it was there already."""
    found = session.exec(
        select(DealProduct).where(
            DealProduct.deal_id == deal_id, DealProduct.product_id == product_id
        )
    ).first()
    if found is not None:
        return False
    session.add(DealProduct(deal_id=deal_id, product_id=product_id))
    session.flush()
    return True


def remove_from_deal(session: Session, deal_id: int, product_id: int) -> bool:
    """Take a product out of a deal; False if it was not in it."""
    found = session.exec(
        select(DealProduct).where(
            DealProduct.deal_id == deal_id, DealProduct.product_id == product_id
        )
    ).first()
    if found is None:
        return False
    session.delete(found)
    session.flush()
    return True

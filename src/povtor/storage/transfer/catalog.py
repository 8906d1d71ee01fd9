"""Importing the product catalog (with the links between related products) and the
products of deals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import field
from typing import Any

from povtor.domain.formats import related_names
from povtor.domain.importing import Header
from povtor.domain.tabular import RawTable
from povtor.i18n import _
from povtor.records import record
from povtor.storage.database import Database
from povtor.storage.transfer.deals import deal_ref
from povtor.storage.transfer.importer import (
    Change,
    Importer,
    explicit,
    folded,
    insert_sql,
    update_sql,
)

PRODUCT_COLUMNS = ("name", "search_key", "price_minor", "currency", "is_backend", "note")


@record
class Products:
    """The catalog, stored and planned: values by id, ids by folded name, and the links."""

    rows: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    by_key: dict[str, int] = field(default_factory=dict)
    _links: dict[int, set[int]] | None = None

    def add(self, product_id: int, values: tuple[Any, ...]) -> None:
        self.rows[product_id] = values
        self.by_key[values[1]] = product_id

    def remove(self, product_id: int) -> None:
        values = self.rows.pop(product_id)
        if self.by_key.get(values[1]) == product_id:
            del self.by_key[values[1]]

    def links(self, db: Database) -> dict[int, set[int]]:
        """Product id -> the ids of its related products (updated as links are planned)."""
        if self._links is None:
            self._links = defaultdict(set)
            for row in db.rows("SELECT product_id, related_id FROM product_link"):
                self._links[row["product_id"]].add(row["related_id"])
        return self._links


def products(imp: Importer) -> Products:
    return imp.shared(_load_products)


def _load_products(imp: Importer) -> Products:
    index = Products()
    for row in imp.db.rows(f"SELECT id, {', '.join(PRODUCT_COLUMNS)} FROM product"):
        index.add(row["id"], tuple(row)[1:])
    return index


def plan_products(imp: Importer, table: RawTable) -> None:
    """The catalog; ``related`` (names separated by ";") replaces a product's links."""
    check = imp.check
    head = check.header(table, "products")
    if head is None:
        return
    index = products(imp)
    source = table.source
    rows = list(check.rows(table, "products", head))
    imp.reserve("product", [r["id"] for _, r in rows if r.get("id")])
    present = set(head.index)
    seen: dict[Any, int | str] = {}
    planned: list[tuple[int | str, Any, int, tuple[Any, ...], Any]] = []
    for where, rec in rows:
        if check.repeated(seen, explicit(rec), source, where):
            continue
        if not check.need(rec, head, source, where, "name"):
            continue
        name, row_id = rec["name"], rec.get("id")
        key = folded(name)
        if check.repeated(
            seen, ("name", key), source, where, _("product {name!r}").format(name=name)
        ):
            continue
        named = index.by_key.get(key)
        found = row_id if row_id in index.rows else None
        if found is None and row_id is None:
            found = named
        if named is not None and named != found:
            check.problem(
                source,
                where,
                _("{label}: a product named {name!r} exists already (#{id})").format(
                    label=head.labels["name"], name=index.rows[named][0], id=named
                ),
            )
            continue
        if "_bad" in rec:
            continue
        old = index.rows.get(found) if found is not None else None

        def given(column: str, stored: str, default: Any, _rec=rec, _old=old) -> Any:
            if column in present:
                value = _rec.get(column)
                return default if value is None else value
            return _old[PRODUCT_COLUMNS.index(stored)] if _old else default

        backend = given("is_backend", "is_backend", "no")
        values = (
            name,
            key,
            given("price", "price_minor", None),
            given("currency", "currency", "RUB"),
            int(backend == "yes" if isinstance(backend, str) else bool(backend)),
            given("note", "note", None),
        )
        product_id = found if found is not None else (row_id or imp.new_id("product"))
        if old is not None:
            index.remove(product_id)
        index.add(product_id, values)
        planned.append((where, old, product_id, values, rec.get("related")))
    stored_links = index.links(imp.db)
    link_ops: list[tuple[str, tuple[Any, ...]]] = []
    for where, old, product_id, values, related in planned:
        label = f"{source}:{where}"
        changed: list[str] = []
        if old is not None:
            changed = [c for c, a, b in zip(PRODUCT_COLUMNS, old, values, strict=True) if a != b]
        if "related" in present:
            wanted: list[int] = []
            for other_name in related_names(related or "", index.by_key):
                other = index.by_key.get(folded(other_name))
                if other is None:
                    check.problem(
                        source,
                        where,
                        _("{label}: no product {name!r} in the catalog").format(
                            label=head.labels["related"], name=other_name
                        ),
                    )
                elif other == product_id:
                    check.problem(
                        source,
                        where,
                        _("{label}: a product cannot be related to itself").format(
                            label=head.labels["related"]
                        ),
                    )
                elif other not in wanted:
                    wanted.append(other)
            before = stored_links.get(product_id, set())
            if set(wanted) != before:
                changed.append("related")
                link_ops.extend(
                    (
                        "DELETE FROM product_link WHERE product_id = ? AND related_id = ?",
                        (product_id, gone),
                    )
                    for gone in sorted(before - set(wanted))
                )
                link_ops.extend(
                    (
                        "INSERT INTO product_link (product_id, related_id) VALUES (?, ?)",
                        (product_id, other),
                    )
                    for other in wanted
                    if other not in before
                )
                stored_links[product_id] = set(wanted)
        if old is None:
            imp.op(insert_sql("product", PRODUCT_COLUMNS), (product_id, *values))
            imp.record(Change("products", "create", product_id, values[0], label))
        elif changed:
            if changed != ["related"]:
                imp.op(update_sql("product", PRODUCT_COLUMNS), (*values, product_id))
            imp.record(
                Change("products", "update", product_id, values[0], label, ", ".join(changed))
            )
        else:
            imp.counts[("products", "unchanged")] += 1
    for sql, params in link_ops:  # after every product of the file is written
        imp.op(sql, params)


def product_ref(
    imp: Importer, rec: dict[str, Any], head: Header, source: str, where: int | str
) -> int | None:
    """The product a row names by povtor id or by name (None, and a problem, if none)."""
    index = products(imp)
    product_id = rec.get("product_id")
    if product_id is not None:
        if product_id not in index.rows:
            imp.check.problem(
                source,
                where,
                _("{label}: no product #{id} (import products first)").format(
                    label=head.labels["product_id"], id=product_id
                ),
            )
            return None
        return product_id
    name = rec.get("product")
    found = index.by_key.get(folded(name)) if name else None
    if found is None:
        if name:
            imp.check.problem(
                source,
                where,
                _(
                    "{label}: no product {name!r} in the catalog "
                    "(import products first, or povtor product add)"
                ).format(label=head.labels["product"], name=name),
            )
        elif not {"product", "product_id"} & rec.get("_bad", set()):
            imp.check.problem(source, where, _("no product: the product cell is empty"))
        return None
    return found


def plan_deal_products(imp: Importer, table: RawTable) -> None:
    """Products of deals: added if missing (products put in a deal otherwise stay)."""
    check = imp.check
    head = check.header(table, "deal-products")
    if head is None:
        return
    source = table.source
    held = {
        (r["deal_id"], r["product_id"])
        for r in imp.db.rows("SELECT deal_id, product_id FROM deal_product")
    }
    names = products(imp).rows
    seen: dict[Any, int | str] = {}
    for where, rec in check.rows(table, "deal-products", head):
        deal_id = deal_ref(imp, rec, head, source, where)
        if deal_id is None:
            if rec.get("deal_id") is None and rec.get("deal_external_id") is None:
                check.problem(source, where, _("no deal: the deal cell is empty"))
            continue
        product_id = product_ref(imp, rec, head, source, where)
        if product_id is None or "_bad" in rec:
            continue
        name = names[product_id][0]
        if check.repeated(
            seen,
            ("pair", (deal_id, product_id)),
            source,
            where,
            f"product {name!r} of deal #{deal_id}",
        ):
            continue
        if (deal_id, product_id) in held:
            imp.counts[("deal-products", "unchanged")] += 1
            continue
        held.add((deal_id, product_id))
        new_id = imp.new_id("deal_product")
        imp.op(insert_sql("deal_product", ("deal_id", "product_id")), (new_id, deal_id, product_id))
        imp.record(
            Change(
                "deal-products", "create", new_id, f"deal #{deal_id}: {name}", f"{source}:{where}"
            )
        )

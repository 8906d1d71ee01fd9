"""Importing orders (or order lines) as paid deals in the repeat funnel; see domain.orders."""

from __future__ import annotations

from collections import Counter
from typing import Any

from povtor.domain.importing import Header
from povtor.domain.orders import Order, OrderBook, line_amount, order_status
from povtor.domain.tabular import RawTable
from povtor.errors import InvalidInput
from povtor.parsing import format_money
from povtor.storage.transfer.clients import client_ref
from povtor.storage.transfer.deals import (
    deals,
    first_stage,
    funnel_id,
    stage,
    upsert_deal,
    won_stage,
)
from povtor.storage.transfer.importer import Change, Importer, folded


def plan_orders(imp: Importer, table: RawTable) -> None:
    """Orders (or order lines) -> paid deals in the repeat funnel; see domain.orders."""
    check = imp.check
    head = check.header(table, "orders")
    if head is None:
        return
    source = table.source
    if head.has("price") and not head.has("amount") and not head.has("quantity"):
        check.note(f"{source}: no quantity column; each line counts once at its price")
    book = OrderBook(default_currency=imp.map.currency or "RUB")
    for where, rec in check.rows(table, "orders", head):
        if not check.need(rec, head, source, where, "order_id") or not check.need(
            rec, head, source, where, "date"
        ):
            continue
        if not rec.get("client") and not rec.get("client_code"):
            check.problem(source, where, "no client: the client cell is empty")
            continue
        line = _order_line(imp, rec, head, source, where)
        try:
            status = order_status(
                rec.get("status"), imp.map, label=head.labels.get("status", "status")
            )
        except InvalidInput as error:
            check.problem(source, where, error.message)
            continue
        if line is None:
            continue
        trouble = book.add(where, rec, line, status)
        if trouble:
            check.problem(source, where, trouble)
    funnel = funnel_id(imp, None, source, 1, "funnel")
    if check.problems or funnel is None:
        return
    first_days = book.first_days()
    clients: dict[str, int | None] = {}  # first all the clients, then all the deals
    for order in book.orders.values():
        if order.skip_reason is None and order.client_ref not in clients:
            rec = {"client": order.client, "client_external_id": order.code}
            clients[order.client_ref] = client_ref(
                imp, rec, head, source, order.where, created_on=first_days[order.client_ref]
            )
        order.client_id = clients.get(order.client_ref)
    for order in book.orders.values():
        _plan_order(imp, order, funnel, source)
    linked = imp.shared(_linked)
    if linked:
        shown = ", ".join(f"{name} ({n})" for name, n in sorted(linked.items()))
        check.note(f"{source}: products of the catalog in the deals: {shown}")
        linked.clear()


def _order_line(
    imp: Importer, rec: dict[str, Any], head: Header, source: str, where: int | str
) -> int | None:
    problem = imp.check.problem
    if rec.get("amount") is None:
        if {"amount", "price", "quantity"} & rec.get("_bad", set()):
            return None
        missing = "amount" if head.has("amount") and not head.has("price") else "price"
        if rec.get("price") is None:
            problem(source, where, f"{head.labels[missing]}: empty")
            return None
        if rec.get("quantity") is None and head.has("quantity"):
            problem(source, where, f"{head.labels['quantity']}: empty")
            return None
    try:
        return line_amount(rec, label=head.labels.get("price", "price"))
    except InvalidInput as error:
        problem(source, where, error.message)
        return None


def _plan_order(imp: Importer, order: Order, funnel: int, source: str) -> None:
    index = deals(imp)
    found = index.by_ext.get(order.key)
    where = f"{source}:{order.where}"
    why = order.skip_reason
    if why:
        if found is not None:
            imp.op("DELETE FROM deal WHERE id = ?", (found,))
            del index.rows[found]
            del index.by_ext[order.key]
            imp.record(Change("deals", "remove", found, f"order {order.id}", where, why))
            imp.check.note(f"{where}: order {order.id} {why}: its deal #{found} is removed")
        else:
            imp.record(Change("deals", "skip", None, f"order {order.id}", where, why))
            imp.check.note(f"{where}: order {order.id} {why}: skipped")
        return
    if order.returns:
        imp.check.note(
            f"{where}: order {order.id}: returns of {format_money(order.returns)} subtracted, "
            f"net {format_money(order.total)}"
        )
    if order.client_id is None:
        return
    if order.stage is not None and folded(order.stage) == "lost":
        at_stage, status = first_stage(imp, funnel), "lost"
    elif order.stage is not None:
        at_stage = stage(imp, funnel, order.stage, source, order.where, "status")
        if at_stage is None:
            return
        status = "won" if at_stage["is_won"] else "open"
    else:
        at_stage, status = won_stage(imp, funnel), "won"
    day = order.day.isoformat()
    values = {
        "client_id": order.client_id,
        "funnel_id": funnel,
        "stage_id": at_stage["id"],
        "title": order.deal_title(),
        "amount_minor": order.total,
        "currency": order.currency or "RUB",
        "status": status,
        "opened_on": day,
        "stage_entered_on": day,
        "expected_on": None,
        "closed_on": day if status != "open" else None,
        "lost_reason": None,
        "follow_up_on": None,
        "external_id": order.key,
    }
    deal_id = upsert_deal(
        imp, found, None, values, f"order {order.id}", where, rebuild_history=True
    )
    _link_products(imp, deal_id, order)


def _catalog(imp: Importer) -> dict[str, tuple[int, str]]:
    """Product search key -> (id, name)."""
    return {
        r["search_key"]: (r["id"], r["name"])
        for r in imp.db.rows("SELECT id, name, search_key FROM product")
    }


def _linked(imp: Importer) -> Counter[str]:
    """Products of the catalog put in the deals of orders: how many times each."""
    return Counter()


def _link_products(imp: Importer, deal_id: int, order: Order) -> None:
    """The order's products that are in the catalog (same name, any case) go into
    its deal; products put in the deal by hand stay."""
    catalog = imp.shared(_catalog)
    linked = imp.shared(_linked)
    for name in order.products:
        found = catalog.get(folded(name))
        if found is not None:
            imp.op(
                "INSERT OR IGNORE INTO deal_product (deal_id, product_id) VALUES (?, ?)",
                (deal_id, found[0]),
            )
            linked[found[1]] += 1

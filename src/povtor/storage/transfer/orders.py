"""Importing orders (or order lines) as paid deals in the repeat funnel; see domain.orders."""

from __future__ import annotations

from collections import Counter
from typing import Any

from povtor.domain.importing import Header
from povtor.domain.orders import Order, OrderBook, line_amount, order_status
from povtor.domain.tabular import RawTable
from povtor.errors import InvalidInput
from povtor.parsing import format_money
from povtor.storage.transfer.clients import client_ref, created_by_code
from povtor.storage.transfer.deals import (
    DEAL_COLUMNS,
    add_deal,
    closed_stage,
    deals,
    funnel_id,
    stage,
    upsert_deal,
    won_stage,
)
from povtor.storage.transfer.importer import Change, Importer, folded, in_future


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
    need = check.need
    problem = check.problem
    placeholder = bool(imp.map.no_client)
    status_label = head.labels.get("status", "status")
    has_status = head.has("status")
    today = imp.clock.today
    for where, rec in check.rows(table, "orders", head):
        if (rec["order_id"] is None and not need(rec, head, source, where, "order_id")) or (
            rec["date"] is None and not need(rec, head, source, where, "date")
        ):
            continue
        if rec["date"][0] > today and in_future(imp, rec, head, source, where, ("date",)):
            continue
        if not placeholder and not rec.get("client") and not rec.get("client_code"):
            if not {"client", "client_code"} & rec.get("_bad", set()):
                label = head.labels.get("client") or head.labels["client_code"]
                problem(
                    source,
                    where,
                    f"{label}: empty (to import orders without a client under a placeholder "
                    'client, name it in a --map file: no_client = "(no client)")',
                    column=label,
                    value="",
                )
            continue
        line = _order_line(imp, rec, head, source, where)
        status = None
        if has_status:
            try:
                status = order_status(rec.get("status"), imp.map, label=status_label)
            except InvalidInput as error:
                problem(source, where, error.message)
                continue
        if line is None:
            continue
        trouble = book.add(where, rec, line, status)
        if trouble:
            problem(source, where, trouble)
    funnel = funnel_id(imp, None, source, 1, "funnel")
    if check.problems or funnel is None:
        return
    first_days = book.first_days()
    clients: dict[str, int | None] = {}  # first all the clients, then all the deals
    for order in book.orders.values():
        if order.skip_reason is None and order.client_ref not in clients:
            rec = {"client": order.client, "client_external_id": order.code}
            clients[order.client_ref] = client_ref(
                imp,
                rec,
                head,
                source,
                order.where,
                created_on=first_days[order.client_ref],
                placeholder=True,
                code_names=True,
            )
        order.client_id = clients.get(order.client_ref)
    created_by_code(imp, source)
    if check.problems:
        return
    plan = _Plan(imp, funnel, source)
    for order in book.orders.values():
        plan.order(order)
    if plan.free:
        check.note(
            f"{source}: {plan.free} order(s) worth 0.00 imported as purchases (first on line "
            f"{plan.first_free}); only cancelled orders and orders netted to nothing by "
            "returns are skipped"
        )
    linked = imp.shared(_linked)
    if linked:
        shown = ", ".join(f"{name} ({n})" for name, n in sorted(linked.items()))
        check.note(f"{source}: products of the catalog in the deals: {shown}")
        linked.clear()


def _order_line(
    imp: Importer, rec: dict[str, Any], head: Header, source: str, where: int | str
) -> int | None:
    amount = rec.get("amount")
    if amount is not None:
        return int(amount)
    problem = imp.check.problem
    if {"amount", "price", "quantity"} & rec.get("_bad", set()):
        return None
    missing = "amount" if head.has("amount") and not head.has("price") else "price"
    if rec.get("price") is None:
        label = head.labels[missing]
        problem(source, where, f"{label}: empty", column=label, value="")
        return None
    if rec.get("quantity") is None and head.has("quantity"):
        label = head.labels["quantity"]
        problem(source, where, f"{label}: empty", column=label, value="")
        return None
    try:
        return line_amount(rec, label=head.labels.get("price", "price"))
    except InvalidInput as error:
        problem(source, where, error.message)
        return None


class _Plan:
    """Plans the deal of each order: the funnel's stages looked up once."""

    def __init__(self, imp: Importer, funnel: int, source: str) -> None:
        self.imp = imp
        self.funnel = funnel
        self.source = source
        self.index = deals(imp)
        self.won = won_stage(imp, funnel)
        self.start_won = closed_stage(imp, funnel, "won", source)
        self.days: dict[Any, str] = {}  # date -> ISO text (isoformat is slow)
        self.free = 0  # orders worth nothing, kept as purchases
        self.first_free: int | str = 0

    def order(self, order: Order) -> None:
        imp, index = self.imp, self.index
        key = order.key
        found = index.by_ext.get(key)
        where = f"{self.source}:{order.where}"
        why = order.skip_reason
        if why:
            if found is not None:
                imp.op("DELETE FROM deal WHERE id = ?", (found,))
                del index.rows[found]
                del index.by_ext[key]
                imp.record(Change("deals", "remove", found, f"order {order.id}", where, why))
                imp.check.note(f"{where}: order {order.id} {why}: its deal #{found} is removed")
            else:
                imp.record(Change("deals", "skip", None, f"order {order.id}", where, why))
                imp.check.note(f"{where}: order {order.id} {why}: skipped")
            return
        if order.returns:
            imp.check.note(
                f"{where}: order {order.id}: returns of {format_money(order.returns)} "
                f"subtracted, net {format_money(order.total)}"
            )
        elif order.total == 0:
            self.free += 1
            self.first_free = self.first_free or order.where
        if order.client_id is None:
            return
        start = None
        if order.stage is not None and folded(order.stage) == "lost":
            status = "lost"
            at_stage = start = closed_stage(imp, self.funnel, "lost", self.source)
        elif order.stage is not None:
            at_stage = stage(imp, self.funnel, order.stage, self.source, order.where, "status")
            if at_stage is None:
                return
            status = "won" if at_stage["is_won"] else "open"
            if status == "won":
                start = closed_stage(imp, self.funnel, "won", self.source)
        else:
            at_stage, status, start = self.won, "won", self.start_won
        if at_stage is None or (status != "open" and start is None):
            return
        day = self.days.get(order.day) or self.days.setdefault(order.day, order.day.isoformat())
        values = (  # in the order of DEAL_COLUMNS
            order.client_id, self.funnel, at_stage["id"], order.deal_title(), order.total,
            order.currency or "RUB", status, day, day, None, day if status != "open" else None,
            None, None, key,
        )  # fmt: skip
        label = f"order {order.id}"
        if found is None:
            # each order is planned once: only a later file looks its deal up
            deal_id = add_deal(imp, values, label, where, start=start, indexed=imp.more_files)
        else:
            deal_id = upsert_deal(
                imp,
                found,
                None,
                dict(zip(DEAL_COLUMNS, values, strict=True)),
                label,
                where,
                rebuild_history=True,
                start=start,
            )
        if order.products:
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
    if not catalog:
        return
    linked = imp.shared(_linked)
    for name in order.products or ():
        found = catalog.get(folded(name))
        if found is not None:
            imp.op(
                "INSERT OR IGNORE INTO deal_product (deal_id, product_id) VALUES (?, ?)",
                (deal_id, found[0]),
            )
            linked[found[1]] += 1

"""Importing orders (or order lines) as paid deals in the repeat funnel; see domain.orders."""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections import Counter
from typing import Any

from povtor.domain.importing import Header
from povtor.domain.orders import Order, OrderBook, line_amount, order_status
from povtor.domain.tabular import RawTable
from povtor.errors import InvalidInput
from povtor.i18n import _, ngettext
from povtor.parsing import format_money
from povtor.storage.transfer.clients import client_ref, created_by_code, let_go_of_clients
from povtor.storage.transfer.deals import (
    DEAL_COLUMNS,
    DEAL_INSERT,
    HISTORY_INSERT,
    add_deal,
    closed_stage,
    deals,
    funnel_id,
    planned_history_of,
    stage,
    upsert_deal,
    won_stage,
)
from povtor.storage.transfer.importer import Change, Importer, folded, in_future
from povtor.text import NAME_MAX

# the cells of a plain line given to the book as they are read (see RowChecker.quick_rows),
# in the order of OrderBook.add's parameters
QUICK_COLUMNS = ("order_id", "date", "client", "client_code", "amount")


def plan_orders(imp: Importer, table: RawTable) -> None:
    """Orders (or order lines) -> paid deals in the repeat funnel; see domain.orders."""
    check = imp.check
    head = check.header(table, "orders")
    if head is None:
        return
    source = table.source
    if head.has("price") and not head.has("amount") and not head.has("quantity"):
        check.note(
            _("{source}: no quantity column; each line counts once at its price").format(
                source=source
            )
        )
    book = OrderBook(default_currency=imp.map.currency or "RUB")
    need = check.need
    problem = check.problem
    placeholder = bool(imp.map.no_client)
    status_label = head.labels.get("status", "status")
    has_status = head.has("status")
    today = imp.clock.today
    add = book.add
    add_plain = book.add_plain
    # a file of order id, date, client and sum alone: each line's cells go to the book
    # as they are (no status, currency, title or product to look up)
    plain = not any(head.has(c) for c in ("status", "currency", "title", "product"))
    # a plain file's rows whose cells are all plain come as tuples of these columns,
    # straight to the book; any other row as a record
    rows = (
        check.quick_rows(table, "orders", head, QUICK_COLUMNS, latest=today.toordinal())
        if plain and head.has("amount") and not head.has("price") and not head.has("quantity")
        else check.rows(table, "orders", head)
    )
    for where, rec in rows:
        if isinstance(rec, tuple):
            trouble = add_plain(where, *rec)
            if trouble:
                problem(source, where, trouble)
            continue
        date = rec["date"]
        order_id = rec["order_id"]
        if (order_id is None and not need(rec, head, source, where, "order_id")) or (
            date is None and not need(rec, head, source, where, "date")
        ):
            continue
        day = date[0]
        if day > today and in_future(imp, rec, head, source, where, ("date",)):
            continue
        name, code = rec.get("client"), rec.get("client_code")
        if not placeholder and not name and not code:
            if not {"client", "client_code"} & rec.get("_bad", set()):
                label = head.labels.get("client") or head.labels["client_code"]
                problem(
                    source,
                    where,
                    _(
                        "{label}: empty (to import orders without a client under a "
                        'placeholder client, name it in a --map file: no_client = "(no client)")'
                    ).format(label=label),
                    column=label,
                    value="",
                )
            continue
        amount = rec.get("amount")
        line = int(amount) if amount is not None else _order_line(imp, rec, head, source, where)
        if plain:
            if line is not None:
                trouble = add_plain(where, order_id, day.toordinal(), name, code, line)
                if trouble:
                    problem(source, where, trouble)
            continue
        status = None
        if has_status:
            try:
                status = order_status(rec.get("status"), imp.map, label=status_label)
            except InvalidInput as error:
                problem(source, where, error.message)
                continue
        if line is None:
            continue
        get = rec.get
        trouble = add(
            where, order_id, day.toordinal(), name, code, line, status, get("currency"),
            get("title"), get("product"),
        )  # fmt: skip
        if trouble:
            problem(source, where, trouble)
    # every line is in the book: the file's text and the book's lookup of its lines go
    table.let_go()
    book.close()
    funnel = funnel_id(imp, None, source, 1, "funnel")
    if check.problems or funnel is None:
        return
    # the last file of an import keeps its new clients only for the lookups of its own
    # lines: by their external ids, and by their names where another client of the file
    # goes by the same name (or the map's placeholder is called so)
    shared = None if imp.more_files else book.shared_names()
    if shared is not None and imp.map.no_client:
        shared.add(folded(imp.map.no_client))
    clients: dict[str, int | None] = {}  # first all the clients, then all the deals
    for ref, name, code, where, first_day in book.clients():
        rec = {"client": name, "client_external_id": code}
        clients[ref] = client_ref(
            imp,
            rec,
            head,
            source,
            where,
            created_on=first_day,
            placeholder=True,
            code_names=True,
            by_name=shared is None or (folded(name or code or "") if code else ref) in shared,
            key=None if code else ref,  # (a client known by its name: its name folded)
        )
    del shared
    created_by_code(imp, source)
    if check.problems:
        return
    if not imp.more_files:  # every order's client is in clients now
        let_go_of_clients(imp)
    plan = _Plan(imp, funnel, source)
    plan.orders(book, clients)
    if plan.free:
        check.note(
            ngettext(
                "{source}: {count} order(s) worth 0.00 imported as purchases (first on line "
                "{line}); only cancelled orders and orders netted to nothing by "
                "returns are skipped",
                "{source}: {count} order(s) worth 0.00 imported as purchases (first on line "
                "{line}); only cancelled orders and orders netted to nothing by "
                "returns are skipped",
                plan.free,
            ).format(source=source, count=plan.free, line=plan.first_free)
        )
    linked = imp.shared(_linked)
    if linked:
        shown = ", ".join(f"{name} ({n})" for name, n in sorted(linked.items()))
        check.note(
            _("{source}: products of the catalog in the deals: {shown}").format(
                source=source, shown=shown
            )
        )
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
        problem(source, where, _("{column}: empty").format(column=label), column=label, value="")
        return None
    if rec.get("quantity") is None and head.has("quantity"):
        label = head.labels["quantity"]
        problem(source, where, _("{column}: empty").format(column=label), column=label, value="")
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
        self.free = 0  # orders worth nothing, kept as purchases
        self.first_free: int | str = 0

    def orders(self, book: OrderBook, clients: dict[str, int | None]) -> None:
        """Plan the deal of every order. A plain order (see :meth:`OrderBook.each`) of a
        known client whose deal is new is planned here in a few steps, its deal and the
        two events of its history (open, win) written in batches; any other goes through
        :meth:`order`, the batches written first so that the writes keep their order."""
        imp, index = self.imp, self.index
        won, start = self.won, self.start_won
        if start is None:  # the map's closed_from is wrong (a problem): no deal is made
            for order_id, where, day, (name, code, ref), total, order in book.each():
                made = order or _plain(book, order_id, where, day, name, code, ref, total)
                made.client_id = clients.get(made.client_ref)
                self.order(made)
            return
        funnel, source = self.funnel, self.source
        won_id, first_id = won["id"], start["id"]
        currency = book.default_currency or "RUB"
        by_ext, rows = index.by_ext, index.rows
        indexed, listing = imp.more_files, imp.listing
        planned = None if HISTORY_INSERT in imp.early_last else imp.shared(planned_history_of)
        # the two events of each deal of a batch made by one statement from the deals
        # just written, where their times are all the day's noon at one time of day (one
        # offset from UTC: so in most zones but in the weeks around a clock change)
        selected = planned is None and imp.db.engine == "sqlite"
        if selected:
            imp.rows_of[HISTORY_OF_DEALS] = _history_rows
        # on SQLite the deals of a batch are written by one statement from a JSON list of
        # what differs between them (client, total, day, order id; a shortened title)
        as_json = imp.db.engine == "sqlite"
        if as_json:
            imp.rows_of[DEALS_OF_ORDERS] = _deal_rows
            imp.told_history.add(DEALS_OF_ORDERS)
        new_ids, noon = imp.new_ids, imp.noon
        days: dict[int, str] = {}  # ordinal -> ISO date
        noons: dict[str, tuple[str, str | None]] = {}  # ISO date -> (its noon, time of it)
        from_ordinal = dt.date.fromordinal
        deals: list[Any] = []  # the values of DEAL_INSERT, or of a deal of DEALS_OF_ORDERS
        ons: list[str] = []  # the day of each deal of the batch
        json_list = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
        first_of = operator.itemgetter(0)  # (a deal's client, in DEALS_OF_ORDERS)
        # the ids of a batch follow one another: taken from the importer when it is written
        deal_id = new_ids("deal", 0)

        def write() -> None:
            nonlocal deals, ons
            if not deals:
                return
            count = len(deals)
            first_deal = new_ids("deal", count)
            first_change = new_ids("stage_change", 2 * count)
            if as_json:
                imp.op(
                    DEALS_OF_ORDERS,
                    (first_deal, funnel, won_id, currency, json_list(deals), count),
                )
                imp.history_of(map(first_of, deals))
            else:
                imp.ops(DEAL_INSERT, deals)
            times = {noons[on][1] for on in set(ons)} if selected else ()
            if len(times) == 1 and None not in times:
                (time,) = times
                last_deal = first_deal + count - 1
                imp.op(
                    HISTORY_OF_DEALS,
                    (first_change, first_deal, time, first_id, first_id, won_id, first_deal,
                     last_deal),
                )  # fmt: skip
            else:
                history = imp.last(HISTORY_INSERT)
                change_id = first_change
                for made, on in enumerate(ons, first_deal):
                    at = noons[on][0]
                    if planned is not None:
                        planned[change_id] = planned[change_id + 1] = made
                    history.append((change_id, made, "open", None, first_id, at, on, None))
                    history.append((change_id + 1, made, "win", first_id, won_id, at, on, None))
                    change_id += 2
            imp.counts[("deals", "create")] += count
            imp.counts[("stage-history", "create")] += 2 * count
            deals, ons = [], []
            imp.flush()  # written now: a batch of rows at a time in memory

        for order_id, where, day, (name, code, ref), total, order in book.each():
            client_id = clients.get(ref)
            key = "order:" + order_id
            if order is not None or key in by_ext:
                write()
                made = order or _plain(book, order_id, where, day, name, code, ref, total)
                made.client_id = client_id
                self.order(made)
                deal_id = new_ids("deal", 0)
                continue
            if total == 0:
                self.free += 1
                self.first_free = self.first_free or where
            if client_id is None:
                continue
            on = days.get(day)
            if on is None:
                on = days[day] = from_ordinal(day).isoformat()
                at = noon(on)
                noons[on] = (at, at[len(on) :] if at.startswith(on) else None)
            title = "№ " + order_id
            shortened = len(title) > NAME_MAX
            if shortened:
                title = title[: NAME_MAX - 1] + "…"
            if as_json:  # (what differs between the deals of a batch)
                deals.append(
                    (client_id, total, on, order_id, title) if shortened
                    else (client_id, total, on, order_id)
                )  # fmt: skip
            if indexed or not as_json:
                values = (
                    client_id, funnel, won_id, title, total, currency, "won", on, on, None, on,
                    None, None, key,
                )  # fmt: skip
                if not as_json:
                    deals.append((deal_id, *values))
                if indexed:  # each order is planned once: only a later file looks it up
                    rows[deal_id] = values
                    by_ext[key] = deal_id
            ons.append(on)
            if listing:
                imp.changes.append(
                    Change("deals", "create", deal_id, f"order {order_id}", f"{source}:{where}")
                )
            deal_id += 1
            if len(deals) >= 4096:
                write()
        write()

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
                imp.check.note(
                    _("{where}: order {id} {why}: its deal #{found} is removed").format(
                        where=where, id=order.id, why=order.skip_text, found=found
                    )
                )
            else:
                imp.record(Change("deals", "skip", None, f"order {order.id}", where, why))
                imp.check.note(
                    _("{where}: order {id} {why}: skipped").format(
                        where=where, id=order.id, why=order.skip_text
                    )
                )
            return
        if order.returns:
            imp.check.note(
                _("{where}: order {id}: returns of {returns} subtracted, net {total}").format(
                    where=where,
                    id=order.id,
                    returns=format_money(order.returns),
                    total=format_money(order.total),
                )
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
        day = imp.day_text(order.day)
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


# the history of a batch of new deals of orders (see _Plan.orders), by its parameters:
# the first event's id, the first deal's id, the events' time of day (after the date),
# the first stage, the first stage and the won stage again, the first and last deal's id
HISTORY_OF_DEALS = (
    "INSERT INTO stage_change (id, deal_id, event, from_stage_id, to_stage_id, at, on_date, "
    "reason) SELECT ? + 2 * (deal.id - ?) + events.n, deal.id, events.event, "
    "events.from_stage_id, events.to_stage_id, deal.opened_on || ?, deal.opened_on, NULL "
    "FROM deal CROSS JOIN (SELECT 0 AS n, 'open' AS event, NULL AS from_stage_id, "
    "? AS to_stage_id UNION ALL SELECT 1, 'win', ?, ?) AS events "
    "WHERE deal.id BETWEEN ? AND ? ORDER BY deal.id, events.n"
)


# a batch of new deals of plain orders (see _Plan.orders), by its parameters: the first
# deal's id, the funnel, the won stage, the currency, the JSON list of [client id, total,
# day, order id, and the title where "№ " and the order id would be too long] of each
# deal, and how many there are
DEALS_OF_ORDERS = (
    "INSERT INTO deal (id, client_id, funnel_id, stage_id, title, amount_minor, currency, "
    "status, opened_on, stage_entered_on, expected_on, closed_on, lost_reason, follow_up_on, "
    "external_id) SELECT ? + j.key, json_extract(j.value, '$[0]'), ?, ?, "
    "COALESCE(json_extract(j.value, '$[4]'), '№ ' || json_extract(j.value, '$[3]')), "
    "json_extract(j.value, '$[1]'), ?, 'won', json_extract(j.value, '$[2]'), "
    "json_extract(j.value, '$[2]'), NULL, json_extract(j.value, '$[2]'), NULL, NULL, "
    "'order:' || json_extract(j.value, '$[3]') FROM json_each(?) AS j LIMIT ?"
)


def _deal_rows(params: tuple[Any, ...]) -> int:
    """The deals DEALS_OF_ORDERS makes."""
    return int(params[-1])


def _history_rows(params: tuple[Any, ...]) -> int:
    """The events HISTORY_OF_DEALS makes: two a deal."""
    return 2 * (params[-1] - params[-2] + 1)


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


def _plain(
    book: OrderBook,
    order_id: str,
    where: int | str,
    day: int,
    name: str | None,
    code: str | None,
    ref: str,
    total: int,
) -> Order:
    """A plain order (see :meth:`OrderBook.each`) as an :class:`Order`."""
    return Order(
        order_id,
        where,
        dt.date.fromordinal(day),
        name,
        code,
        ref,
        total=total,
        currency=book.default_currency,
    )

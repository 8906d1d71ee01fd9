"""The rule for order lists: lines summed per order, returns subtracted, cancellations
and orders that returns net to nothing skipped; an order worth nothing without returns
(a sample, a free replacement) is still a purchase (docs/import-export.md, "Orders",
explains it to users).

Pure: the importer parses the cells, this module decides what each order amounts to.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from povtor.domain import cells
from povtor.domain.formats import CANCELLED_WORDS, PAID_WORDS
from povtor.domain.tabular import ImportMap
from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.parsing import format_money
from povtor.text import NAME_MAX, fold

_fold = functools.lru_cache(maxsize=1 << 16)(fold)  # names and statuses repeat down a file

CANCELLED = "cancelled"


@dataclass(slots=True)
class Order:
    """One order, from one or more lines of the file."""

    id: str
    where: int | str  # the line of its first row
    day: dt.date
    client: str | None
    code: str | None
    client_ref: str  # who: the code, else the folded name ("" for none)
    total: int = 0  # minor units, returns subtracted
    returns: int = 0  # minor units of the negative lines
    cancelled: bool = False
    stage: str | None = None  # a mapped status: a stage code or "lost"; None is paid
    currency: str | None = None
    title: str | None = None
    products: list[str] | None = None  # the products of its lines, if they name any
    client_id: int | None = None  # set by the importer

    @property
    def key(self) -> str:
        """The deal's external id: re-importing the order updates that deal."""
        return f"order:{self.id}"

    @property
    def skip_reason(self) -> str | None:
        """Why the order makes no deal: cancelled, or returns bring its net total to 0 or
        less. An order worth 0 with nothing returned is a purchase all the same."""
        if self.cancelled:
            return CANCELLED
        if self.total < 0 or (self.total == 0 and self.returns):
            return f"net total {signed_money(self.total)} ≤ 0 after returns"
        return None

    def deal_title(self) -> str:
        title = self.title or f"№ {self.id}" + (
            ": " + ", ".join(self.products) if self.products else ""
        )
        return title if len(title) <= NAME_MAX else title[: NAME_MAX - 1] + "…"


class OrderBook:
    """Collects order lines; :meth:`add` returns a problem or ``None``."""

    def __init__(self, *, default_currency: str = "RUB") -> None:
        self.orders: dict[str, Order] = {}
        self.default_currency = default_currency
        # (name, code) -> (name, code, who): one copy of a client's texts for all its orders
        self._clients: dict[tuple[str | None, str | None], tuple[str | None, str | None, str]]
        self._clients = {}

    def add(
        self, where: int | str, rec: dict[str, Any], line: int, status: str | None
    ) -> str | None:
        get = rec.get
        order_id, day = rec["order_id"], rec["date"][0]
        name, code = get("client"), get("client_code")
        currency = get("currency") or self.default_currency
        order = self.orders.get(order_id)
        if order is None:
            client = self._clients.get((name, code))
            if client is None:
                client = self._clients[(name, code)] = (name, code, code or _fold(name or ""))
            order = Order(order_id, where, day, *client, currency=currency)
            self.orders[order_id] = order
        else:
            if code != order.code or _fold(name or "") != _fold(order.client or ""):
                return (
                    f"order {order_id!r} is for {order.client or order.code!r} on line "
                    f"{order.where}, not for {name or code!r}"
                )
            if order.currency != currency:
                return f"order {order_id!r} mixes {order.currency} and {currency}"
            if day < order.day:
                order.day = day
        order.total += line
        if line < 0:
            order.returns -= line
        if status == CANCELLED:
            order.cancelled = True
        elif status and order.stage is None:
            order.stage = status
        title = get("title")
        if title and not order.title:
            order.title = title
        product = get("product")
        if product:
            if order.products is None:
                order.products = [product]
            elif product not in order.products:
                order.products.append(product)
        return None

    def first_days(self) -> dict[str, dt.date]:
        """Each client's first order date (a new client's created_on)."""
        days: dict[str, dt.date] = {}
        for order in self.orders.values():
            ref, day = order.client_ref, order.day
            if ref not in days or day < days[ref]:
                days[ref] = day
        return days


def line_amount(rec: dict[str, Any], *, label: str) -> int:
    """A line's sum in minor units: its amount, else quantity × price (a kopeck per line)."""
    if rec.get("amount") is not None:
        return int(rec["amount"])
    quantity: Decimal = rec.get("quantity") or Decimal(1)
    return cells.minor_of(quantity, rec["price"], field=label)


def order_status(status: str | None, imap: ImportMap, *, label: str) -> str | None:
    """``None`` (paid), ``"cancelled"``, or a mapped stage code; unknown words are refused."""
    if not status:
        return None
    key = _fold(status).strip()
    mapped = imap.values.get("status", {}).get(key) or imap.values.get("stage", {}).get(key)
    if mapped is not None:
        return CANCELLED if _fold(mapped).strip() in ("cancelled", "canceled") else mapped
    if key in CANCELLED_WORDS:
        return CANCELLED
    if key in PAID_WORDS:
        return None
    raise InvalidInput(
        _(
            "{label}: {status} is neither paid nor cancelled; map it in [stages] "
            'of a --map file (e.g. "{status2}" = "paid", or "invoice", or '
            '"cancelled")'
        ).format(label=label, status=repr(status), status2=status)
    )


def signed_money(minor: int) -> str:
    return format_money(minor) if minor >= 0 else "-" + format_money(-minor)

"""The rule for order lists: lines summed per order, returns subtracted, cancellations
and orders that returns net to nothing skipped; an order worth nothing without returns
(a sample, a free replacement) is still a purchase (docs/import-export.md, "Orders",
explains it to users).

Pure: the importer parses the cells, this module decides what each order amounts to.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from array import array
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from povtor.domain import cells
from povtor.domain.formats import CANCELLED_WORDS, PAID_WORDS
from povtor.domain.tabular import ImportMap
from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.parsing import format_money
from povtor.records import record
from povtor.text import NAME_MAX, fold

# statuses repeat down a file (a few recent names too; more would only hold memory)
_fold = functools.lru_cache(maxsize=1 << 12)(fold)

CANCELLED = "cancelled"


@record(slots=True)
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

    @property
    def skip_text(self) -> str | None:
        """:attr:`skip_reason` in the language of the run (the change log keeps English)."""
        if self.cancelled:
            return _("cancelled")
        if self.total < 0 or (self.total == 0 and self.returns):
            return _("net total {total} ≤ 0 after returns").format(total=signed_money(self.total))
        return None

    def deal_title(self) -> str:
        title = self.title or f"№ {self.id}" + (
            ": " + ", ".join(self.products) if self.products else ""
        )
        return title if len(title) <= NAME_MAX else title[: NAME_MAX - 1] + "…"


# (order id, line of its first row, earliest date as an ordinal, (client name, code, who),
# total, the Order if it is not plain): see OrderBook.each
PlainOrder = tuple[str, int | str, int, tuple[str | None, str | None, str], int, Order | None]


class OrderBook:
    """Collects order lines; :meth:`add` returns a problem or ``None``.

    A file may hold hundreds of thousands of orders, each known only once the file
    ends (its lines may be anywhere), so an order is kept compactly: its id maps to a
    slot of an array of numbers, and what few orders have (returns, a status, a title,
    products, another currency, a line that is not a number) is kept by slot for those
    alone. :meth:`orders` gives each as an :class:`Order`, in the order of their first
    lines."""

    def __init__(self, *, default_currency: str = "RUB") -> None:
        self.default_currency = default_currency
        self._slots: dict[str, int] = {}  # order id -> slot, in the order of first lines
        # four numbers a slot: the line of its first row, its earliest date (an ordinal),
        # its client (a position in _who), its total (minor units, returns subtracted)
        self._nums = array("q")
        # (name, code) -> position in _who: one copy of a client's texts for all its orders
        # (a client with no code by its name alone: a text is never equal to a pair)
        self._clients: dict[str | tuple[str | None, str | None] | None, int] = {}
        self._who: list[tuple[str | None, str | None, str]] = []  # (name, code, who)
        self._first = array("i")  # each client's earliest date, as an ordinal
        self._wheres: dict[int, int | str] = {}  # slot -> a line that is not a number
        self._returns: dict[int, int] = {}
        self._currency: dict[int, str] = {}  # slot -> a currency other than the default
        self._cancelled: set[int] = set()
        self._stage: dict[int, str] = {}
        self._title: dict[int, str] = {}
        self._products: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self._slots)

    def add(
        self,
        where: int | str,
        order_id: str,
        day: int,
        name: str | None,
        code: str | None,
        line: int,
        status: str | None = None,
        currency: str | None = None,
        title: str | None = None,
        product: str | None = None,
    ) -> str | None:
        """Add a line (its date as an ordinal; a file with no status, currency, title or
        product column gives none of them)."""
        currency = currency or self.default_currency
        nums = self._nums
        slot = self._slots.get(order_id)
        if slot is None:
            slot = self._open(where, order_id, day, name, code, line)
            if currency != self.default_currency:
                self._currency[slot] = currency
        else:
            at = slot << 2
            first_name, first_code, _who = self._who[nums[at + 2]]
            if code != first_code or (
                name != first_name and _fold(name or "") != _fold(first_name or "")
            ):
                shown = self._wheres[slot] if slot in self._wheres else nums[at]
                return (
                    f"order {order_id!r} is for {first_name or first_code!r} on line "
                    f"{shown}, not for {name or code!r}"
                )
            had = self._currency.get(slot, self.default_currency)
            if had != currency:
                return f"order {order_id!r} mixes {had} and {currency}"
            if day < nums[at + 1]:
                nums[at + 1] = day
                client = nums[at + 2]
                if day < self._first[client]:
                    self._first[client] = day
            nums[at + 3] += line
        if line < 0:
            self._returns[slot] = self._returns.get(slot, 0) - line
        if status:
            if status == CANCELLED:
                self._cancelled.add(slot)
            elif slot not in self._stage:
                self._stage[slot] = status
        if title and slot not in self._title:
            self._title[slot] = title
        if product:
            products = self._products.get(slot)
            if products is None:
                self._products[slot] = [product]
            elif product not in products:
                products.append(product)
        return None

    def add_plain(
        self,
        where: int | str,
        order_id: str,
        day: int,
        name: str | None,
        code: str | None,
        line: int,
    ) -> str | None:
        """:meth:`add` of a line with no status, currency, title or product (a plain file's
        line), in fewer steps: the same order book and the same problems."""
        if order_id in self._slots:
            return self.add(where, order_id, day, name, code, line)
        slot = self._open(where, order_id, day, name, code, line)
        if line < 0:
            self._returns[slot] = -line
        return None

    def _open(
        self,
        where: int | str,
        order_id: str,
        day: int,
        name: str | None,
        code: str | None,
        line: int,
    ) -> int:
        """A new order's slot, its first line added (its client found, or added)."""
        known = name if code is None else (name, code)
        client = self._clients.get(known)
        if client is None:
            client = self._clients[known] = len(self._who)
            # (interned: the client's search key, made later, is the same text)
            self._who.append((name, code, code or sys.intern(_fold(name or ""))))
            self._first.append(day)
        elif day < self._first[client]:
            self._first[client] = day
        nums = self._nums
        slot = self._slots[order_id] = len(nums) >> 2
        if where.__class__ is not int:
            self._wheres[slot] = where
            where = 0
        nums.extend((where, day, client, line))
        return slot

    def close(self) -> None:
        """No more lines: what only :meth:`add` needs (the clients by name and code) goes."""
        self._clients.clear()

    def orders(self) -> Iterator[Order]:
        """Each order (made afresh each time), in the order of their first lines."""
        for order_id, slot in self._slots.items():
            yield self._order(order_id, slot)

    def _order(self, order_id: str, slot: int) -> Order:
        nums, wheres = self._nums, self._wheres
        at = slot << 2
        return Order(
            order_id,
            wheres[slot] if slot in wheres else nums[at],
            dt.date.fromordinal(nums[at + 1]),
            *self._who[nums[at + 2]],
            total=nums[at + 3],
            returns=self._returns.get(slot, 0),
            cancelled=slot in self._cancelled,
            stage=self._stage.get(slot),
            currency=self._currency.get(slot, self.default_currency),
            title=self._title.get(slot),
            products=self._products.get(slot),
        )

    def each(
        self,
    ) -> Iterator[
        tuple[str, int | str, int, tuple[str | None, str | None, str], int, Order | None]
    ]:
        """Each order, in the order of their first lines, as (id, line of its first row,
        earliest date as an ordinal, (client name, code, who), total, order): ``order`` is
        None for a plain order (no returns, status, title, products or other currency,
        the most of a large file), else the :class:`Order` :meth:`orders` gives."""
        special = (
            self._returns.keys()
            | self._cancelled
            | self._stage.keys()
            | self._currency.keys()
            | self._title.keys()
            | self._products.keys()
        )
        who, nums, wheres = self._who, self._nums, self._wheres
        for order_id, slot in self._slots.items():
            at = slot << 2
            yield (
                order_id,
                wheres[slot] if slot in wheres else nums[at],
                nums[at + 1],
                who[nums[at + 2]],
                nums[at + 3],
                self._order(order_id, slot) if slot in special else None,
            )

    def clients(self) -> Iterator[tuple[str, str | None, str | None, int | str, dt.date]]:
        """(who, name, code, line, first day) of each client, at the first of its orders
        that makes a deal (see :attr:`Order.skip_reason`), in the order of those lines;
        its first day is that of its earliest order (a new client's created_on)."""
        first: dict[str, int] = {}  # who -> earliest day (an ordinal), till it is given
        for (_name, _code, ref), day in zip(self._who, self._first, strict=True):
            if ref not in first or day < first[ref]:
                first[ref] = day
        who, nums = self._who, self._nums
        wheres, returns, cancelled = self._wheres, self._returns, self._cancelled
        for slot in self._slots.values():
            at = slot << 2
            total = nums[at + 3]
            if slot in cancelled or total < 0 or (total == 0 and slot in returns):
                continue
            name, code, ref = who[nums[at + 2]]
            day = first.pop(ref, 0)  # (0: given already; ordinals start at 1)
            if day:
                where = wheres[slot] if slot in wheres else nums[at]
                yield ref, name, code, where, dt.date.fromordinal(day)

    def shared_names(self) -> set[str]:
        """The folded names that more than one client of the book goes by (a client known
        by its code alone goes by its code): a new client of any other name is found by
        no other line of the book by its name."""
        first: dict[str, str] = {}
        shared: set[str] = set()
        for name, code, ref in self._who:
            key = _fold(name or code or "") if code else ref
            if first.setdefault(key, ref) != ref:
                shared.add(key)
        return shared


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

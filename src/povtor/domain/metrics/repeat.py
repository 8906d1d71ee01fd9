"""Repeat purchases per client category, and cohorts by month of first purchase."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import field
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from povtor.domain.calendar import month_first_day, month_index, month_label
from povtor.domain.metrics.numbers import average_money, mean, median, rate
from povtor.records import record

COHORT_MONTHS = 12  # retention triangle columns m1..m12
NO_CATEGORY = "none"


class Purchase(NamedTuple):
    """A paid deal: whose, paid when, for how much (None: no amount in the currency)."""

    client_id: int
    paid_on: dt.date
    amount_minor: int | None


@record
class RepeatRow:
    group: str  # all | A | B | C | none
    buyers: int = 0
    repeat_buyers: int = 0
    purchases: int = 0
    gaps: list[int] = field(default_factory=list)
    silent: int = 0
    revenue: int = 0
    with_amount: int = 0

    @property
    def repeat_rate(self) -> Decimal | None:
        return rate(self.repeat_buyers, self.buyers)

    @property
    def median_gap(self) -> Decimal | None:
        return median(self.gaps)

    @property
    def mean_gap(self) -> Decimal | None:
        return mean(self.gaps)

    @property
    def silent_share(self) -> Decimal | None:
        return rate(self.silent, self.buyers)

    @property
    def average_check(self) -> int | None:
        return average_money(self.revenue, self.with_amount)


def by_client(purchases: Iterable[Purchase]) -> dict[int, list[Purchase]]:
    """Each client's purchases, oldest first."""
    found: dict[int, list[Purchase]] = defaultdict(list)
    for p in sorted(purchases, key=itemgetter(1)):  # (stable: one sort, not one per client)
        found[p.client_id].append(p)
    return found


def repeat_table(
    purchases: Iterable[Purchase],
    categories: Mapping[int, str | None],
    *,
    as_of: dt.date,
    silent_days: int,
    first_from: dt.date | None = None,
    first_to: dt.date | None = None,
) -> list[RepeatRow]:
    """Repeat purchases as of ``as_of``, for all buyers and per category (A, B, C, none).

    A buyer has at least one paid deal; a repeat buyer bought on at least two days: a
    purchase occasion is a day, so deals paid the same day are one occasion (they count as
    purchases and revenue all the same). Gaps are the days between a client's consecutive
    purchase days, pooled over the clients of the row. Silent: the last purchase
    is more than ``silent_days`` days before ``as_of``. With ``first_from``/``first_to``
    only clients whose first purchase falls in that range count (a cohort).
    """
    groups = {g: RepeatRow(g) for g in ("A", "B", "C", NO_CATEGORY)}
    for client_id, items in by_client(purchases).items():
        first = items[0][1]  # (items are oldest first; [1]: the day paid)
        if first_from is not None and first < first_from:
            continue
        if first_to is not None and first > first_to:
            continue
        row = groups[categories.get(client_id) or NO_CATEGORY]
        last = items[-1][1]
        row.buyers += 1
        row.purchases += len(items)
        if (as_of - last).days > silent_days:
            row.silent += 1
        if last != first:  # (one purchase day: no gaps)
            row.repeat_buyers += 1
            days = sorted({p[1] for p in items})
            row.gaps.extend((b - a).days for a, b in itertools.pairwise(days))
        revenue = with_amount = 0
        for _client, _day, amount in items:
            if amount is not None:
                revenue += amount
                with_amount += 1
        row.revenue += revenue
        row.with_amount += with_amount
    # every buyer: the sum of the categories' (each buyer is in one)
    every = RepeatRow("all")
    for row in groups.values():
        every.buyers += row.buyers
        every.repeat_buyers += row.repeat_buyers
        every.purchases += row.purchases
        every.gaps.extend(row.gaps)
        every.silent += row.silent
        every.revenue += row.revenue
        every.with_amount += row.with_amount
    return [every, *groups.values()]


@record(frozen=True)
class CohortRow:
    month: str  # YYYY-MM of the first purchase
    size: int  # clients whose first purchase fell in that month
    cells: tuple[Decimal | None, ...]  # m1..m12: share that bought in the k-th month after


def cohort_table(
    purchases: Iterable[Purchase],
    first_month: int,
    last_month: int,
    as_of: dt.date,
    horizon: int = COHORT_MONTHS,
) -> list[CohortRow]:
    """The retention triangle for cohorts ``first_month..last_month`` (month indexes).

    Cell k of a cohort is the share of its clients with a paid deal in the k-th calendar
    month after the month of their first purchase; a month that starts after ``as_of``
    has no data yet (``None``); the month containing ``as_of`` counts up to it.
    """
    months_of: dict[int, set[int]] = defaultdict(set)  # the months each client bought in
    month_of: dict[dt.date, int] = {}  # each distinct day's month, worked out once
    for p in purchases:
        month = month_of.get(p.paid_on)
        if month is None:
            month = month_of[p.paid_on] = month_index(p.paid_on)
        months_of[p.client_id].add(month)
    first_of = {client_id: min(months) for client_id, months in months_of.items()}
    if not first_of:
        return []
    # clients per cohort, and per cohort and month k after it the clients that bought then
    size: Counter[int] = Counter(first_of.values())
    bought: Counter[tuple[int, int]] = Counter()
    for client_id, months in months_of.items():
        cohort = first_of[client_id]
        for month in months:
            if 1 <= month - cohort <= horizon:
                bought[cohort, month - cohort] += 1
    first_month = max(first_month, min(first_of.values()))  # no cohorts before the first sale
    last_month = min(last_month, month_index(as_of))
    rows = []
    for cohort in range(first_month, last_month + 1):
        clients = size[cohort]
        cells: list[Decimal | None] = []
        for k in range(1, horizon + 1):
            if month_first_day(cohort + k) > as_of or not clients:
                cells.append(None)
                continue
            cells.append(rate(bought[cohort, k], clients))
        rows.append(CohortRow(month_label(cohort), clients, tuple(cells)))
    return rows

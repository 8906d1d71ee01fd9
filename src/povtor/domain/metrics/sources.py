"""Lead sources: leads, paying clients, spend pro-rated to the period, ACPS, volume."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal

from povtor.domain.metrics.numbers import average_money, rate
from povtor.domain.service import source_group
from povtor.records import record
from povtor.text import fold

NO_SOURCE = "(none)"


def pro_rate(
    amount_minor: int, spent_from: dt.date, spent_to: dt.date, start: dt.date, end: dt.date
) -> int:
    """The part of a spend that falls in ``start..end``, by days, rounded half-up to a kopeck.

    A spend of 30 000.00 recorded for 1-30 November counts 23 000.00 in 1-23 November.
    """
    total_days = (spent_to - spent_from).days + 1
    overlap = (min(spent_to, end) - max(spent_from, start)).days + 1
    if total_days <= 0 or overlap <= 0:
        return 0
    if overlap >= total_days:
        return amount_minor
    return (2 * amount_minor * overlap + total_days) // (2 * total_days)


@record(frozen=True)
class LeadTally:
    """Clients of one source created in the period, and what they bought by as-of."""

    source: str | None
    leads: int
    paying: int
    paid_deals: int
    with_amount: int
    revenue: int


@record(frozen=True)
class Spend:
    source: str
    start: dt.date
    end: dt.date
    amount_minor: int


@record
class SourceRow:
    source: str
    leads: int = 0
    paying: int = 0
    spend: int | None = None  # None: no spend recorded for the source in the period
    paid_deals: int = 0
    with_amount: int = 0
    volume: int = 0

    @property
    def conversion(self) -> Decimal | None:
        return rate(self.paying, self.leads)

    @property
    def acps(self) -> int | None:
        return None if self.spend is None else average_money(self.spend, self.paying)

    @property
    def average_check(self) -> int | None:
        return average_money(self.volume, self.with_amount)


def source_table(
    tallies: Iterable[LeadTally], spends: Iterable[Spend], start: dt.date, end: dt.date
) -> list[SourceRow]:
    """Per lead source (names compared case-insensitively, ё = е): leads, paying clients,
    conversion, spend pro-rated to the period, ACPS = spend / paying clients, average
    check and volume; sorted by volume, then leads, then name."""
    rows: dict[str, SourceRow] = {}
    names: dict[str, Counter[str]] = defaultdict(Counter)

    def row_for(source: str | None, weight: int) -> SourceRow:
        # every "referral from <client>" is one "referral" row (see domain/service.py)
        text = source_group(" ".join((source or "").split())) or NO_SOURCE
        key = fold(text)
        names[key][text] += weight
        return rows.setdefault(key, SourceRow(text))

    for t in tallies:
        row = row_for(t.source, t.leads)
        row.leads += t.leads
        row.paying += t.paying
        row.paid_deals += t.paid_deals
        row.with_amount += t.with_amount
        row.volume += t.revenue
    for s in spends:
        row = row_for(s.source, 0)
        row.spend = (row.spend or 0) + pro_rate(s.amount_minor, s.start, s.end, start, end)
    for key, row in rows.items():
        variants = names[key]
        row.source = min(variants, key=lambda v: (-variants[v], v))
    return sorted(rows.values(), key=lambda r: (-r.volume, -r.leads, fold(r.source), r.source))

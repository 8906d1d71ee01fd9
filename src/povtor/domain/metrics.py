"""Statistics: pure computations over plain rows (periods, medians, rates, cohorts, ABC).

SQL in :mod:`povtor.storage.stats_queries` gathers the facts (a deal's state as of a
date, its history, touch counts); the functions here turn them into the figures of
``povtor stats``. Nothing here reads a database or the clock, so every definition in
the README's statistics section is tested on hand-made inputs.

Conventions, everywhere:

* a rate is an exact :class:`~decimal.Decimal` fraction in [0, 1], or ``None`` when
  its denominator is zero ("no data", never a division error);
* money is integer minor units (kopecks); an average of money is rounded half-up to
  a whole kopeck;
* a median of whole days is exact (``12.5`` for an even count); a mean of days or of
  touches is rounded half-up to one decimal place.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from povtor.domain.ranking import TOP_SHARE, top_count
from povtor.domain.service import source_group
from povtor.text import fold

PERIOD_KINDS = ("month", "quarter", "year")
A_SHARE = Decimal("0.80")  # ABC: a client whose cumulative share BEFORE it is below this is A
B_SHARE = Decimal("0.95")  # ... below this (and not A) is B; the rest is C
SEED_TOUCHES = (5, 12)  # seed 003: systematic sellers close a first deal in 5-12 touches
COHORT_MONTHS = 12  # retention triangle columns m1..m12
NO_SOURCE = "(none)"
NO_REASON = "(no reason)"
NO_CATEGORY = "none"


# -- numbers -----------------------------------------------------------------------------
def rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as an exact fraction, ``None`` when ``whole`` is zero."""
    if whole == 0:
        return None
    return Decimal(part) / Decimal(whole)


def median(values: Iterable[int]) -> Decimal | None:
    """The exact median (the mean of the two middle values for an even count)."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return Decimal(ordered[middle - 1] + ordered[middle]) / 2


def median_of_counts(counts: Mapping[int, int]) -> Decimal | None:
    """The median of a distribution given as ``{value: how many times}``."""
    total = sum(counts.values())
    if total == 0:
        return None
    ordered = sorted((v, n) for v, n in counts.items() if n > 0)

    def at(index: int) -> int:  # the value at 0-based position ``index`` of the sorted data
        seen = 0
        for value, n in ordered:
            seen += n
            if index < seen:
                return value
        raise AssertionError("index beyond the data")

    middle = total // 2
    if total % 2:
        return Decimal(at(middle))
    return Decimal(at(middle - 1) + at(middle)) / 2


def mean(values: Iterable[int], *, places: int = 1) -> Decimal | None:
    """The arithmetic mean rounded half-up to ``places`` decimals, ``None`` for no values."""
    items = list(values)
    if not items:
        return None
    return _round(Decimal(sum(items)) / len(items), places)


def mean_of_counts(counts: Mapping[int, int], *, places: int = 1) -> Decimal | None:
    total = sum(counts.values())
    if total == 0:
        return None
    return _round(Decimal(sum(v * n for v, n in counts.items())) / total, places)


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def average_money(total_minor: int, count: int) -> int | None:
    """``total / count`` in minor units, rounded half-up to a whole kopeck."""
    if count == 0:
        return None
    return (2 * total_minor + count) // (2 * count)


def per(part: int, whole: int, *, places: int = 2) -> Decimal | None:
    """``part`` per one ``whole`` (warming touches per closing touch), rounded half-up."""
    if whole == 0:
        return None
    return _round(Decimal(part) / whole, places)


def number(value: Decimal | None) -> int | float | None:
    """A figure for output: a whole number as ``int``, else a ``float`` (json numbers)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# -- periods -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """The days a report counts: ``start`` to ``end`` inclusive, ``end`` never after ``as_of``."""

    start: dt.date
    end: dt.date
    as_of: dt.date
    clipped: bool = False  # the asked-for end was after as_of and was cut back to it

    @property
    def unbounded(self) -> bool:
        return self.start == dt.date.min

    @property
    def label(self) -> str:
        begin = "the beginning" if self.unbounded else self.start.isoformat()
        text = f"{begin} – {self.end.isoformat()}"
        return text + (" (cut at the as-of date)" if self.clipped else "")


def calendar_period(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month, quarter or year containing ``day`` (first and last day)."""
    import pendulum

    anchor = pendulum.date(day.year, day.month, day.day)
    if kind == "month":
        start, end = anchor.start_of("month"), anchor.end_of("month")
    elif kind == "quarter":
        start = pendulum.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        end = start.add(months=3).subtract(days=1)
    elif kind == "year":
        start, end = anchor.start_of("year"), anchor.end_of("year")
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    return dt.date(start.year, start.month, start.day), dt.date(end.year, end.month, end.day)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_label(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


def month_first_day(index: int) -> dt.date:
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, 1)


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


# -- the funnel --------------------------------------------------------------------------
@dataclass(frozen=True)
class Stage:
    id: int
    code: str
    name: str
    position: int
    is_won: bool


class Change(NamedTuple):
    """One row of a deal's history: its event, the stage it went to, the day."""

    deal_id: int
    event: str  # open | move | win | lose | reopen
    stage_id: int | None  # the stage entered (None for a loss)
    on: dt.date


@dataclass
class StageFlow:
    stage: Stage
    entered: int = 0  # deals that entered the stage in the period
    moved_on: int | None = None  # ... of them, reached a later stage (or paid) by as-of
    reached_paid: int | None = None  # ... of them, reached the paid stage by as-of
    stays: list[int] = field(default_factory=list)  # days of every finished stay
    open_stays: int | None = None  # stays begun in the period not finished by as-of
    now: int | None = None  # open deals sitting at the stage as of the as-of date

    @property
    def to_next(self) -> Decimal | None:
        return None if self.moved_on is None else rate(self.moved_on, self.entered)

    @property
    def to_paid(self) -> Decimal | None:
        return None if self.reached_paid is None else rate(self.reached_paid, self.entered)

    @property
    def median_days(self) -> Decimal | None:
        return median(self.stays)

    @property
    def mean_days(self) -> Decimal | None:
        return mean(self.stays)


def funnel_flow(
    stages: Sequence[Stage],
    changes: Iterable[Change],
    start: dt.date,
    end: dt.date,
    now_at: Mapping[int, int],
) -> list[StageFlow]:
    """Per stage: entries in ``start..end``, moves on, payments, stay lengths, open deals.

    ``changes`` is the history (up to the as-of date) of every deal that entered a
    stage of the funnel in the period, each deal's rows together and in order.

    * entered: distinct deals with an entry (open, move, reopen, win) into the stage
      dated in the period; a deal that entered twice counts once;
    * moved on: of those, deals with a later change (after their first entry in the
      period) into a stage of higher position or the paid stage;
    * reached paid: of those, deals with a later change into the paid stage;
    * stays: each entry dated in the period that a later change ended; its length is
      the days from the entry to that change (0 for the same day). Stays not ended by
      the as-of date are counted in ``open_stays`` and left out of the median and mean.
    """
    by_id = {s.id: s for s in stages}
    flows = {
        s.id: StageFlow(
            stage=s,
            moved_on=None if s.is_won else 0,
            reached_paid=None if s.is_won else 0,
            open_stays=None if s.is_won else 0,
            now=None if s.is_won else int(now_at.get(s.id, 0)),
        )
        for s in stages
    }
    for _deal, rows in itertools.groupby(changes, key=lambda c: c.deal_id):
        history = list(rows)
        reached = [by_id.get(c.stage_id) if c.stage_id is not None else None for c in history]
        # what the deal reached AFTER each row: the highest position, and whether paid
        best_after: list[int] = [0] * len(history)
        paid_after: list[bool] = [False] * len(history)
        best, paid = -1, False
        for index in range(len(history) - 1, -1, -1):
            best_after[index], paid_after[index] = best, paid
            stage = reached[index]
            if stage is not None:
                best = max(best, stage.position)
                paid = paid or stage.is_won
        seen: set[int] = set()
        for index, change in enumerate(history):
            stage = reached[index]
            if stage is None or change.event == "lose" or not start <= change.on <= end:
                continue
            flow = flows[stage.id]
            first = stage.id not in seen
            seen.add(stage.id)
            if first:
                flow.entered += 1
            if stage.is_won:
                continue
            if index + 1 < len(history):
                flow.stays.append((history[index + 1].on - change.on).days)
            else:
                flow.open_stays = (flow.open_stays or 0) + 1
            if first:
                if paid_after[index] or best_after[index] > stage.position:
                    flow.moved_on = (flow.moved_on or 0) + 1
                if paid_after[index]:
                    flow.reached_paid = (flow.reached_paid or 0) + 1
    return [flows[s.id] for s in sorted(stages, key=lambda s: s.position)]


class ClosedDeal(NamedTuple):
    """Deals closed alike: won or lost, opened and closed on these days, for this reason."""

    won: bool
    opened_on: dt.date
    closed_on: dt.date
    reason: str | None = None
    count: int = 1


@dataclass(frozen=True)
class ClosedSummary:
    won: int
    lost: int
    win_rate: Decimal | None
    median_days_to_paid: Decimal | None
    mean_days_to_paid: Decimal | None


def closed_summary(deals: Iterable[ClosedDeal]) -> ClosedSummary:
    """Won, lost, win rate = won / (won + lost), days from opening to payment of won deals."""
    days: Counter[int] = Counter()
    lost = 0
    for d in deals:
        if d.won:
            days[(d.closed_on - d.opened_on).days] += d.count
        else:
            lost += d.count
    won = sum(days.values())
    return ClosedSummary(
        won=won,
        lost=lost,
        win_rate=rate(won, won + lost),
        median_days_to_paid=median_of_counts(days),
        mean_days_to_paid=mean_of_counts(days),
    )


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    lost: int
    share: Decimal | None


def lost_reasons(deals: Iterable[ClosedDeal]) -> list[ReasonCount]:
    """Reasons of the lost deals ranked by count; spellings that differ only in case (or
    ё/е) and spaces are one reason, shown in its most frequent spelling."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for deal in deals:
        if deal.won:
            continue
        text = " ".join((deal.reason or "").split()) or NO_REASON
        spellings[fold(text)][text] += deal.count
    total = sum(sum(c.values()) for c in spellings.values())
    ranked = []
    for variants in spellings.values():
        shown = min(variants, key=lambda s: (-variants[s], s))
        count = sum(variants.values())
        ranked.append(ReasonCount(shown, count, rate(count, total)))
    ranked.sort(key=lambda r: (-r.lost, fold(r.reason), r.reason))
    return ranked


# -- nudges ------------------------------------------------------------------------------
OUTCOME_ORDER = ("yes", "no", "later", "no_answer", "pending")
DECISIONS = ("yes", "no", "later")


@dataclass(frozen=True)
class TouchTally:
    """How many touches share these traits (one row of a GROUP BY)."""

    kind: str  # warming | closing
    channel: str
    stage: str | None  # "funnel/stage" at the time of the touch, None without a deal
    outcome: str
    on_deal: bool
    converted: bool  # its deal was paid on or after the touch date, by the as-of date
    count: int


@dataclass
class NudgeRow:
    by: str  # all | channel | stage
    group: str
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOME_ORDER, 0))
    on_deal: int = 0
    converted: int = 0
    warming: int = 0

    @property
    def closing(self) -> int:
        return sum(self.outcomes.values())

    @property
    def decided(self) -> int:
        return sum(self.outcomes[o] for o in DECISIONS)

    @property
    def decision_rate(self) -> Decimal | None:
        return rate(self.decided, self.closing)

    @property
    def conversion(self) -> Decimal | None:
        return rate(self.converted, self.on_deal)

    @property
    def warming_per_closing(self) -> Decimal | None:
        return per(self.warming, self.closing)


NO_DEAL_STAGE = "(no deal)"


def nudge_table(
    tallies: Iterable[TouchTally], channels: Sequence[str], stages: Sequence[str]
) -> list[NudgeRow]:
    """One row for all touches, then one per channel and one per stage (in the given
    orders, only those with touches; touches without a deal are the stage "(no deal)")."""
    total = NudgeRow("all", "all")
    by_channel: dict[str, NudgeRow] = {}
    by_stage: dict[str, NudgeRow] = {}
    for t in tallies:
        stage = t.stage or NO_DEAL_STAGE
        rows = (
            total,
            by_channel.setdefault(t.channel, NudgeRow("channel", t.channel)),
            by_stage.setdefault(stage, NudgeRow("stage", stage)),
        )
        for row in rows:
            if t.kind == "warming":
                row.warming += t.count
            elif t.kind == "closing":
                row.outcomes[t.outcome] = row.outcomes.get(t.outcome, 0) + t.count
                if t.on_deal:
                    row.on_deal += t.count
                    if t.converted:
                        row.converted += t.count
    channel_rank = {c: i for i, c in enumerate(channels)}
    stage_rank = {s: i for i, s in enumerate(stages)}
    ordered_channels = sorted(by_channel, key=lambda c: (channel_rank.get(c, len(channels)), c))
    ordered_stages = sorted(
        by_stage,
        key=lambda s: (s == NO_DEAL_STAGE, stage_rank.get(s, len(stages)), s),
    )
    return [
        total,
        *(by_channel[c] for c in ordered_channels),
        *(by_stage[s] for s in ordered_stages),
    ]


# -- repeat purchases --------------------------------------------------------------------
class Purchase(NamedTuple):
    """A paid deal: whose, paid when, for how much (None: no amount in the currency)."""

    client_id: int
    paid_on: dt.date
    amount_minor: int | None


@dataclass
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
    for p in purchases:
        found[p.client_id].append(p)
    for items in found.values():
        items.sort(key=lambda p: p.paid_on)
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

    A buyer has at least one paid deal; a repeat buyer at least two (two deals paid the
    same day are two purchases, 0 days apart). Gaps are the days between a client's
    consecutive purchases, pooled over the clients of the row. Silent: the last purchase
    is more than ``silent_days`` days before ``as_of``. With ``first_from``/``first_to``
    only clients whose first purchase falls in that range count (a cohort).
    """
    rows = {g: RepeatRow(g) for g in ("all", "A", "B", "C", NO_CATEGORY)}
    for client_id, items in by_client(purchases).items():
        first = items[0].paid_on
        if first_from is not None and first < first_from:
            continue
        if first_to is not None and first > first_to:
            continue
        category = categories.get(client_id) or NO_CATEGORY
        gaps = [(b.paid_on - a.paid_on).days for a, b in itertools.pairwise(items)]
        is_silent = (as_of - items[-1].paid_on).days > silent_days
        for row in (rows["all"], rows[category]):
            row.buyers += 1
            row.repeat_buyers += len(items) >= 2
            row.purchases += len(items)
            row.gaps.extend(gaps)
            row.silent += is_silent
            for p in items:
                if p.amount_minor is not None:
                    row.revenue += p.amount_minor
                    row.with_amount += 1
    return list(rows.values())


# -- cohorts -----------------------------------------------------------------------------
@dataclass(frozen=True)
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
    months_of: dict[int, set[int]] = {}
    first_of: dict[int, int] = {}
    for client_id, items in by_client(purchases).items():
        first_of[client_id] = month_index(items[0].paid_on)
        months_of[client_id] = {month_index(p.paid_on) for p in items}
    members: dict[int, list[int]] = defaultdict(list)
    for client_id, month in first_of.items():
        members[month].append(client_id)
    if not first_of:
        return []
    first_month = max(first_month, min(first_of.values()))  # no cohorts before the first sale
    last_month = min(last_month, month_index(as_of))
    rows = []
    for cohort in range(first_month, last_month + 1):
        clients = members.get(cohort, [])
        cells: list[Decimal | None] = []
        for k in range(1, horizon + 1):
            target = cohort + k
            if month_first_day(target) > as_of or not clients:
                cells.append(None)
                continue
            bought = sum(1 for c in clients if target in months_of[c])
            cells.append(rate(bought, len(clients)))
        rows.append(CohortRow(month_label(cohort), len(clients), tuple(cells)))
    return rows


# -- lead sources ------------------------------------------------------------------------
@dataclass(frozen=True)
class LeadTally:
    """Clients of one source created in the period, and what they bought by as-of."""

    source: str | None
    leads: int
    paying: int
    paid_deals: int
    with_amount: int
    revenue: int


@dataclass(frozen=True)
class Spend:
    source: str
    start: dt.date
    end: dt.date
    amount_minor: int


@dataclass
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


# -- touches -----------------------------------------------------------------------------
def touch_band(touches: int) -> str:
    low, high = SEED_TOUCHES
    if touches < low:
        return f"below {low}"
    if touches > high:
        return f"above {high}"
    return f"{low}-{high}"


@dataclass(frozen=True)
class TouchSummary:
    deals: int
    median: Decimal | None
    mean: Decimal | None
    below: int
    within: int
    above: int

    @property
    def below_share(self) -> Decimal | None:
        return rate(self.below, self.deals)

    @property
    def within_share(self) -> Decimal | None:
        return rate(self.within, self.deals)

    @property
    def above_share(self) -> Decimal | None:
        return rate(self.above, self.deals)


def touch_summary(counts: Mapping[int, int]) -> TouchSummary:
    """``counts`` maps touches per won deal to how many deals had that many."""
    low, high = SEED_TOUCHES
    return TouchSummary(
        deals=sum(counts.values()),
        median=median_of_counts(counts),
        mean=mean_of_counts(counts),
        below=sum(n for t, n in counts.items() if t < low),
        within=sum(n for t, n in counts.items() if low <= t <= high),
        above=sum(n for t, n in counts.items() if t > high),
    )


def touch_distribution(counts: Mapping[int, int]) -> list[tuple[int, int, Decimal | None, str]]:
    """(touches, deals, share of deals, band) for every count seen, fewest first."""
    total = sum(counts.values())
    return [(t, n, rate(n, total), touch_band(t)) for t, n in sorted(counts.items()) if n > 0]


def cadence_verdict(warming: int, closing: int, per_closing: int) -> str:
    """Against the rule of ``per_closing`` warming touches to one closing touch."""
    if closing == 0:
        return "no closing"
    return "below" if warming < per_closing * closing else "meets"


# -- ABC ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClientRevenue:
    client_id: int
    name: str
    category: str | None  # the category the client has now
    revenue: int  # minor units over the window (0: no purchases)


@dataclass(frozen=True)
class AbcRow:
    rank: int
    client: ClientRevenue
    share: Decimal
    cumulative: Decimal  # cumulative share including this client
    abc: str

    @property
    def differs(self) -> bool:
        return self.abc != self.client.category


def abc_split(clients: Iterable[ClientRevenue]) -> list[AbcRow]:
    """Rank by revenue (highest first; equal revenue: lower client id first) and split.

    A client is A if the cumulative share of the clients ranked BEFORE it is below 80%,
    B if below 95%, else C. So the top client is always A, and a client that crosses
    80% is still A. Clients without revenue are C. No revenue at all: no split (``[]``).
    """
    ranked = sorted(clients, key=lambda c: (-c.revenue, c.client_id))
    total = sum(c.revenue for c in ranked)
    if total <= 0:
        return []
    rows = []
    before = 0
    for rank, client in enumerate(ranked, start=1):
        if before * 100 < A_SHARE * 100 * total:
            abc = "A"
        elif before * 100 < B_SHARE * 100 * total:
            abc = "B"
        else:
            abc = "C"
        after = before + client.revenue
        rows.append(
            AbcRow(
                rank=rank,
                client=client,
                share=Decimal(client.revenue) / total,
                cumulative=Decimal(after) / total,
                abc=abc,
            )
        )
        before = after
    return rows


def top_clients(rows: Sequence[AbcRow], share: Decimal = TOP_SHARE) -> list[AbcRow]:
    """The first ceil(share × buying clients) of the ranking (ties: lower id first)."""
    return list(rows[: top_count(sum(1 for r in rows if r.client.revenue > 0), share)])

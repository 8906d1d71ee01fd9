"""The funnel: deals through the stages of a period, and the deals it closed."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from decimal import Decimal
from typing import NamedTuple

from povtor.domain.metrics.numbers import mean, mean_of_counts, median, median_of_counts, rate
from povtor.records import record
from povtor.text import fold

NO_REASON = "(no reason)"


@record(frozen=True)
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


@record
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

    ``changes`` is the history (up to the as-of date; rows before ``start`` may be left
    out, as nothing here looks back from an entry) of every deal that entered a stage of
    the funnel in the period, each deal's rows together and in order.

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
    count: int = 1  # type: ignore[assignment]  # (deals alike; shadows tuple.count)


@record(frozen=True)
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


@record(frozen=True)
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

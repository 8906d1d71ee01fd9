"""Touches per won deal against the seed's 5-12, and warming against closing touches."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from povtor.domain.metrics.numbers import mean_of_counts, median_of_counts, rate
from povtor.records import record

SEED_TOUCHES = (5, 12)  # seed 003: systematic sellers close a first deal in 5-12 touches


def touch_band(touches: int) -> str:
    low, high = SEED_TOUCHES
    if touches < low:
        return f"below {low}"
    if touches > high:
        return f"above {high}"
    return f"{low}-{high}"


@record(frozen=True)
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

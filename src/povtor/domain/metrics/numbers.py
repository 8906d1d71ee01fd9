"""Rates, medians, means and money averages: the arithmetic every report shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal


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
    return round_half_up(Decimal(sum(items)) / len(items), places)


def mean_of_counts(counts: Mapping[int, int], *, places: int = 1) -> Decimal | None:
    total = sum(counts.values())
    if total == 0:
        return None
    return round_half_up(Decimal(sum(v * n for v, n in counts.items())) / total, places)


def round_half_up(value: Decimal, places: int) -> Decimal:
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
    return round_half_up(Decimal(part) / whole, places)


def number(value: Decimal | None) -> int | float | None:
    """A figure for output: a whole number as ``int``, else a ``float`` (json numbers)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)

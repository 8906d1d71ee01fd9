"""Month and period arithmetic (povtor.domain.calendar), on hand-made dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from povtor.domain import calendar
from povtor.errors import InvalidInput

days = st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2199, 12, 31))


@given(days)
def test_a_month_runs_from_its_first_to_its_last_day(day: dt.date) -> None:
    start, end = calendar.month_start(day), calendar.month_end(day)
    assert start.day == 1 and start <= day <= end
    assert (end + dt.timedelta(days=1)).day == 1
    assert calendar.calendar_period("month", day) == (start, end)
    assert calendar.month_first_day(calendar.month_index(day)) == start
    assert calendar.month_label(calendar.month_index(day)) == day.strftime("%Y-%m")


@given(days)
def test_quarters_and_years_hold_the_day(day: dt.date) -> None:
    q_start, q_end = calendar.calendar_period("quarter", day)
    assert q_start <= day <= q_end and q_start.month in (1, 4, 7, 10) and q_start.day == 1
    assert calendar.month_index(q_end) - calendar.month_index(q_start) == 2
    assert calendar.calendar_period("year", day) == (
        dt.date(day.year, 1, 1),
        dt.date(day.year, 12, 31),
    )


@given(days, st.integers(min_value=-24, max_value=24))
def test_adding_months_keeps_the_day_or_takes_the_last(day: dt.date, months: int) -> None:
    moved = calendar.add_months(day, months)
    assert calendar.month_index(moved) == calendar.month_index(day) + months
    assert moved.day == min(day.day, calendar.month_end(moved).day)
    assert calendar.months_before(day, months) == calendar.add_months(day, -months)


def test_adding_months_at_the_end_of_a_month() -> None:
    assert calendar.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert calendar.add_months(dt.date(2028, 2, 29), -12) == dt.date(2027, 2, 28)
    assert calendar.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_a_month_is_written_yyyy_mm() -> None:
    assert calendar.parse_month(" 2026-12 ") == dt.date(2026, 12, 1)
    with pytest.raises(InvalidInput, match="--month: '2026-1' is not a month"):
        calendar.parse_month("2026-1")
    with pytest.raises(InvalidInput, match="is not a real calendar date"):
        calendar.parse_month("2026-13")


def test_a_report_period_is_cut_at_the_as_of_date() -> None:
    as_of = dt.date(2026, 3, 2)
    month = calendar.resolve_period(as_of, None, None, None, None, default="month")
    assert month == calendar.Period(dt.date(2026, 3, 1), as_of, as_of)
    months = calendar.resolve_period(as_of, None, None, None, None, default="months")
    assert months is not None and months.start == dt.date(2025, 4, 1)
    assert calendar.resolve_period(as_of, None, None, None, None, default="all") is None
    quarter = calendar.resolve_period(as_of, None, None, "Quarter", "2026-01-15", default="all")
    assert quarter == calendar.Period(dt.date(2026, 1, 1), dt.date(2026, 3, 2), as_of)


def test_spend_days_are_given_in_full() -> None:
    today = dt.date(2026, 3, 2)
    assert calendar.spend_days(today, None, None, "month", "2026-04-10") == (
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 30),
    )
    with pytest.raises(InvalidInput, match="say which days"):
        calendar.spend_days(today, "2026-03-01", None, None, None)

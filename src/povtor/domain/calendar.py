"""Counting days (calendar or working days, Monday to Friday) and calendar windows."""

from __future__ import annotations

import calendar
import datetime as dt


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start).

    Entered on Monday, the next Monday is 5 working days later; entered on Friday,
    Monday is 1.
    """
    if end <= start:
        return 0
    total = (end - start).days
    weeks, rest = divmod(total, 7)
    count = weeks * 5
    weekday = start.weekday()
    for offset in range(1, rest + 1):
        if (weekday + offset) % 7 < 5:
            count += 1
    return count


def days_between(start: dt.date, end: dt.date, *, working: bool) -> int:
    if working:
        return working_days_between(start, end)
    return max(0, (end - start).days)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the 31st becomes the month's last)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def trailing_year(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 months ending on ``as_of``: 2026-11-23 gives 2025-11-24 – 2026-11-23
    (from 29 February 2028: 1 March 2027)."""
    return months_before(as_of, 12) + dt.timedelta(days=1), as_of


# -- months --------------------------------------------------------------------------------
def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])

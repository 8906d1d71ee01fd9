"""Counting days: calendar days or working days (Monday to Friday)."""

from __future__ import annotations

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

"""Counting days and months: working days, calendar months, quarters and years, and the
period a report counts.

The one home of date arithmetic (standard library only: the plan imports this module,
so it stays cheap to load). Months are counted by a month index, ``year * 12 + month -
1``, so that adding months is adding integers.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
import re
from typing import TYPE_CHECKING

from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.parsing import parse_date
from povtor.records import record

if TYPE_CHECKING:
    from povtor.settings import Settings

PERIOD_KINDS = ("month", "quarter", "year")
_MONTH = re.compile(r"\d{4}-\d{2}")


# -- days ----------------------------------------------------------------------------------
def _weekdays_between(start: dt.date, end: dt.date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end``."""
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    count = weeks * 5
    weekday = start.weekday()
    for offset in range(1, rest + 1):
        if (weekday + offset) % 7 < 5:
            count += 1
    return count


@functools.cache
def _production_days() -> tuple[list[int], list[int], frozenset[int], frozenset[int]]:
    """The production calendar's weekdays off and working weekend days, as sorted
    ordinals and as sets. The table is read here, on the first working-day count, so
    that commands which count none never load it."""
    from povtor.domain import production_calendar as table

    off = [dt.date.fromisoformat(d).toordinal() for d in table.DAYS_OFF]
    on = [dt.date.fromisoformat(d).toordinal() for d in table.WORKING_WEEKENDS]
    return off, on, frozenset(off), frozenset(on)


def _within(ordinals: list[int], start: dt.date, end: dt.date) -> int:
    """How many of the sorted ``ordinals`` fall after ``start``, up to and including ``end``."""
    return bisect.bisect_right(ordinals, end.toordinal()) - bisect.bisect_right(
        ordinals, start.toordinal()
    )


def _working_by_production(day: dt.date) -> bool:
    """Is ``day`` a working day by the production calendar alone?"""
    _off, _on, off, on = _production_days()
    if day.weekday() < 5:
        return day.toordinal() not in off
    return day.toordinal() in on


@record(frozen=True)
class WorkCalendar:
    """Which days are working days: Monday to Friday by the Russian production calendar
    (public holidays and the days off moved onto weekdays are off, the moved working
    Saturdays are on; years 2000-2030, Monday to Friday outside them), less the seller's
    own days off (the setting ``plan.days_off``)."""

    own_days_off: frozenset[dt.date] = frozenset()

    def is_working(self, day: dt.date) -> bool:
        return day not in self.own_days_off and _working_by_production(day)

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start).

        Entered on Monday, the next Monday is 5 working days later (in a week without
        holidays); entered on Friday, Monday is 1.
        """
        if end <= start:
            return 0
        off, on, _off, _on = _production_days()
        count = _weekdays_between(start, end) - _within(off, start, end) + _within(on, start, end)
        if self.own_days_off:
            count -= _within(self._own_off_working, start, end)
        return count

    def count(self, first: dt.date, last: dt.date) -> int:
        """Working days from ``first`` to ``last``, both included."""
        return self.between(first - dt.timedelta(days=1), last)

    @functools.cached_property
    def _own_off_working(self) -> list[int]:
        """The seller's days off that the production calendar has as working days, as
        sorted ordinals (the others are off already and must not be taken off twice)."""
        return sorted(d.toordinal() for d in self.own_days_off if _working_by_production(d))


PRODUCTION = WorkCalendar()


def seller_calendar(settings: Settings) -> WorkCalendar:
    """The production calendar less the seller's own days off (``plan.days_off``)."""
    own = settings.dates("plan.days_off")
    return WorkCalendar(own) if own else PRODUCTION


def working_days_between(start: dt.date, end: dt.date, calendar: WorkCalendar = PRODUCTION) -> int:
    """Working days after ``start`` up to and including ``end`` (see :class:`WorkCalendar`)."""
    return calendar.between(start, end)


def days_between(
    start: dt.date, end: dt.date, *, working: bool, calendar: WorkCalendar = PRODUCTION
) -> int:
    if working:
        return calendar.between(start, end)
    return max(0, (end - start).days)


# -- months --------------------------------------------------------------------------------
def month_index(day: dt.date) -> int:
    """The month of ``day`` as one integer: ``year * 12 + month - 1``."""
    return day.year * 12 + day.month - 1


def month_label(index: int) -> str:
    """``YYYY-MM`` of a month index."""
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


def month_first_day(index: int) -> dt.date:
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, 1)


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (earlier when negative); a day the
    month has not (the 31st, 29 February) becomes the month's last."""
    year, month = divmod(month_index(day) + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the 31st becomes the month's last)."""
    return add_months(day, -months)


def parse_month(text: str, *, field: str = "--month") -> dt.date:
    """The first day of a month written ``YYYY-MM`` (``2026-12``)."""
    if not _MONTH.fullmatch(text.strip()):
        raise InvalidInput(
            _("{field}: {text} is not a month").format(field=field, text=repr(text)),
            hint=_("write it as YYYY-MM, e.g. 2026-12"),
        )
    return parse_date(text.strip() + "-01", field=field)


def trailing_year(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 months ending on ``as_of``: 2026-11-23 gives 2025-11-24 – 2026-11-23
    (from 29 February 2028: 1 March 2027)."""
    return months_before(as_of, 12) + dt.timedelta(days=1), as_of


def calendar_period(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month, quarter or year containing ``day`` (first and last day)."""
    if kind == "month":
        return month_start(day), month_end(day)
    if kind == "quarter":
        start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return start, month_end(add_months(start, 2))
    if kind == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    raise ValueError(f"unknown period kind {kind!r}")


# -- the period of a report ----------------------------------------------------------------
@record(frozen=True)
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


def period_kind(value: str) -> str:
    """``--period``: month, quarter or year, in any case."""
    for kind in PERIOD_KINDS:
        if value.strip().casefold() == kind:
            return kind
    raise InvalidInput(
        _("--period: {value} is not one of {join}").format(
            value=repr(value), join=", ".join(PERIOD_KINDS)
        ),
        hint=_("use --period {PERIOD_KINDS}").format(PERIOD_KINDS=PERIOD_KINDS[0]),
    )


def _calendar_days(period: str, date: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """``--period KIND [--on D]``: the calendar period containing D (default: today)."""
    kind = period_kind(period)
    day = parse_date(date, field="--on", today=today) if date else today
    return calendar_period(kind, day)


def _check_order(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise InvalidInput(
            _("--from {start} is after --to {end}").format(
                start=start.isoformat(), end=end.isoformat()
            ),
            hint=_("give the earlier day as --from"),
        )


def _none_empty(**given: str | None) -> None:
    """An option given empty (``--from ''``) is a mistake, not "leave it out"."""
    for name, value in given.items():
        if value is not None and not value.strip():
            option = "--" + name.rstrip("_")
            raise InvalidInput(
                _("{option} is empty").format(option=option),
                hint=_("give a value or leave out {option}").format(option=option),
            )


def resolve_period(
    as_of: dt.date,
    from_: str | None,
    to: str | None,
    period: str | None,
    date: str | None,
    *,
    default: str,
) -> Period | None:
    """The days a report counts, from ``--from/--to`` or ``--period/--on``.

    ``default`` applies without either: ``month`` (the calendar month of the as-of
    date), ``year`` (the 12 months ending on it), ``months`` (the 12 calendar months
    ending with its month) or ``all`` (no period: ``None``). The end is never after
    the as-of date.
    """
    _none_empty(from_=from_, to=to, period=period, date=date)
    if period and (from_ or to):
        raise InvalidInput(
            _("give either --period or --from/--to, not both"),
            hint=_("e.g. --period month --on 2026-10-01, or --from 2026-10-01 --to 2026-10-31"),
        )
    if date and not period:
        raise InvalidInput(
            _("--on goes with --period"), hint=_("e.g. --period month --on 2026-10-01")
        )
    if period:
        start, end = _calendar_days(period, date, as_of)
    elif from_ or to:
        start = parse_date(from_, field="--from", today=as_of) if from_ else dt.date.min
        end = parse_date(to, field="--to", today=as_of) if to else as_of
    elif default == "all":
        return None
    elif default == "year":
        start, end = trailing_year(as_of)
    elif default == "months":
        start, end = add_months(month_start(as_of), -11), as_of
    else:
        start, end = calendar_period("month", as_of)
    if start > as_of:
        raise InvalidInput(
            _("the period starts on {start}, after the as-of date {as_of}").format(
                start=start.isoformat(), as_of=as_of.isoformat()
            ),
            hint=_("choose an earlier period, or a later as-of date with --today"),
        )
    _check_order(start, end)
    return Period(start=start, end=min(end, as_of), as_of=as_of)


def spend_days(
    today: dt.date, from_: str | None, to: str | None, period: str | None, date: str | None
) -> tuple[dt.date, dt.date]:
    """The days money was spent on, given in full: ``--from D --to D`` or ``--period KIND
    [--on D]``. Unlike a report's period they are not cut at today."""
    if period and (from_ or to):
        raise InvalidInput(
            _("give either --period or --from and --to, not both"), hint=_("e.g. --period month")
        )
    if date and not period:
        raise InvalidInput(
            _("--on goes with --period"), hint=_("e.g. --period month --on 2026-10-01")
        )
    if period:
        start, end = _calendar_days(period, date, today)
    elif from_ and to:
        start = parse_date(from_, field="--from", today=today)
        end = parse_date(to, field="--to", today=today)
    else:
        raise InvalidInput(
            _("say which days the money was spent on"),
            hint=_("add --from 2026-10-01 --to 2026-10-31, or --period month"),
        )
    _check_order(start, end)
    return start, end

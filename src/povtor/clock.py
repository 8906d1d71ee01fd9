"""The one clock. "Today" and "now" are read here and nowhere else.

``--today`` / ``POVTOR_TODAY`` fix the date (``YYYY-MM-DD``, optionally with a time
``YYYY-MM-DDTHH:MM``), ``--tz`` / ``POVTOR_TZ`` the time zone (an IANA name such as
``Europe/Moscow``); otherwise the system's local zone and time are used. Plans and
statistics computed for the same database and the same today are identical.
"""

from __future__ import annotations

import datetime as dt
import re

from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.parsing import parse_date
from povtor.records import record

_TODAY_WITH_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?")


@record(frozen=True)
class Clock:
    """A fixed instant in a time zone: what povtor takes as today and now."""

    now: dt.datetime  # timezone-aware

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def tz(self) -> dt.tzinfo:
        tz = self.now.tzinfo
        assert tz is not None
        return tz

    def utc_now(self) -> dt.datetime:
        """Now in UTC without tzinfo: how timestamps are stored."""
        return self.now.astimezone(dt.UTC).replace(tzinfo=None)

    def at_date(self, day: dt.date) -> dt.datetime:
        """The stored (naive UTC) timestamp of an event backdated to ``day``.

        An event logged for today keeps the current time; one logged for another
        day is put at that day's noon, local time.
        """
        if day == self.today:
            return self.utc_now()
        local = dt.datetime.combine(day, dt.time(12, 0), tzinfo=self.tz)
        return local.astimezone(dt.UTC).replace(tzinfo=None)

    def local_date(self, stored: dt.datetime) -> dt.date:
        """The local calendar date of a stored (naive UTC) timestamp."""
        return stored.replace(tzinfo=dt.UTC).astimezone(self.tz).date()


def resolve_tz(name: str | None) -> dt.tzinfo:
    if not name:
        local = dt.datetime.now(dt.UTC).astimezone().tzinfo  # noqa: TID251 - the clock itself
        assert local is not None
        return local
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # (only for a zone named)

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            _("time zone {name} is unknown").format(name=repr(name)),
            hint=_("use an IANA name such as Europe/Moscow or UTC (--tz or POVTOR_TZ)"),
        ) from None


def make_clock(today: str | None = None, tz: str | None = None) -> Clock:
    """Build the clock from the ``--today``/``--tz`` values (or their variables)."""
    zone = resolve_tz(tz)
    real_now = dt.datetime.now(zone)  # noqa: TID251 - the clock itself
    if not today:
        return Clock(real_now)
    with_time = _TODAY_WITH_TIME.fullmatch(today.strip())
    if with_time:
        day = parse_date(with_time.group(1), field="--today")
        hour, minute, second = (int(g or 0) for g in with_time.groups()[1:])
        try:
            moment = dt.time(hour, minute, second)
        except ValueError:
            raise InvalidInput(
                _("--today: {today} has an impossible time").format(today=repr(today)),
                hint=_("use HH:MM from 00:00 to 23:59"),
            ) from None
    else:
        day = parse_date(today, field="--today")
        moment = real_now.time().replace(microsecond=0, tzinfo=None)
    return Clock(dt.datetime.combine(day, moment, tzinfo=zone))

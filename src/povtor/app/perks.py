"""Use cases for perks («ништяки»): the holiday calendar, the user's links of holidays
to industries, and the perk occasions coming up per client."""

from __future__ import annotations

import datetime as dt

from povtor.domain.holidays import (
    BY_CODE,
    Holiday,
    holidays_of_year,
    keywords_of,
    matching_holidays,
)
from povtor.domain.perks import Upcoming
from povtor.errors import InvalidInput, NotFound
from povtor.i18n import _
from povtor.records import record
from povtor.storage import perk_writes
from povtor.storage.database import Database
from povtor.storage.perk_queries import active_industries, holiday_links


@record(frozen=True, slots=True)
class HolidayDay:
    """A holiday on its day of the year, with the user's own links of it."""

    day: dt.date
    holiday: Holiday
    own_keywords: tuple[str, ...]  # the industries linked by the user, beyond the built-in


def holiday_calendar(db: Database, year: int, industry: str | None) -> list[HolidayDay]:
    """``perks holidays``: the professional holidays of a year (of an industry if given)."""
    links = holiday_links(db)
    calendar = holidays_of_year(year)
    if industry is not None:
        if not industry.strip():
            raise InvalidInput(_("--industry is empty"), hint=_("e.g. --industry строительство"))
        wanted = {h.code for h in matching_holidays(industry, links)}
        calendar = [(day, h) for day, h in calendar if h.code in wanted]
    return [
        HolidayDay(day, h, tuple(k for k in keywords_of(h, links) if k not in h.keywords))
        for day, h in calendar
    ]


def link_holiday(db: Database, code: str, keyword: str) -> int | None:
    """``perks link``: link a holiday to an industry keyword; returns how many active
    clients the holiday suits now, or None if the link was there already."""
    with db.transaction():
        added = perk_writes.link_holiday(db, code, keyword)
        clients = _clients_matching(db, code)
    return clients if added else None


def _clients_matching(db: Database, code: str) -> int:
    """How many active clients a holiday suits, with the user's links."""
    links = holiday_links(db)
    holiday = BY_CODE[code]
    return sum(
        1
        for industry in active_industries(db).values()
        if matching_holidays(industry, links, (holiday,))
    )


def unlink_holiday(db: Database, code: str, keyword: str) -> None:
    """``perks unlink``: remove the user's link; an error if there was none."""
    with db.transaction():
        removed = perk_writes.unlink_holiday(db, code, keyword)
    if not removed:
        raise NotFound(
            _("{code} is not linked to «{keyword}»").format(code=code, keyword=keyword),
            hint=_("see the links with: povtor perks holidays"),
        )


@record(frozen=True, slots=True)
class UpcomingPerks:
    end: dt.date  # the last day looked at
    found: list[Upcoming]
    perks: dict[int, int]  # client id -> perk touches in the 12 months to today
    clients: dict[int, tuple[str, str | None]]  # active client id -> (name, category)
    per_year: int  # the target: plan.perks_per_year


def upcoming_perks(db: Database, today: dt.date, days: int, client: str | None) -> UpcomingPerks:
    """``perks upcoming``: the perk occasions of the coming ``days`` per active client."""
    from povtor.domain import perks
    from povtor.storage import queries
    from povtor.storage.perk_queries import active_names, load_perk_facts
    from povtor.storage.plan_queries import load_settings

    client_id = queries.find_client(db, client)["id"] if client else None
    end = today + dt.timedelta(days=days)
    facts = load_perk_facts(db, today, end, as_of=today, client_id=client_id)
    per_year = load_settings(db).int("plan.perks_per_year")
    found, counts = perks.upcoming(facts, today, days, per_year=per_year)
    return UpcomingPerks(end, found, counts, active_names(db), per_year)

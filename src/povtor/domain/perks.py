"""Perks («ништяки», seed 001): holidays, birthdays and the client's own dates, what is
coming and what was done. The plan's rule that puts a card or a small gift on the plan
a few days before each is :mod:`povtor.domain.plan_rules.occasions`.

Pure: :mod:`povtor.storage.perk_queries` loads the facts (clients' industries, the
user's holiday links, birthdays and occasions in the window, perk touches of the last
12 months); the functions here decide what is coming and what was done.

Every occurrence has a stable key, recorded as the touch's ``purpose_ref`` (purpose
``perk``) by ``plan run`` or ``nudge log --purpose perk --about KEY``:
``holiday:<code>:<year>``, ``birthday:<person id>:<year>``, ``occasion:<id>:<year>``.
A key without the year (``holiday:geologist``, ``geologist``, ``birthday:12``) counts
for the occurrence it was logged up to 60 days before.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from povtor.domain.calendar import trailing_year
from povtor.domain.holidays import (
    BY_CODE,
    EVERY_INDUSTRY,
    Holiday,
    holidays_between,
    keywords_of,
    matching_holidays,
    on_day,
)
from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.records import record
from povtor.text import did_you_mean

PURPOSE = "perk"
MAX_ID_DIGITS = 18  # a person's or an occasion's id in a key (SQLite integers)
YEARLESS_WINDOW_DAYS = 60  # a key without the year counts for an occurrence this soon after
SOURCES = ("holiday", "birthday", "occasion")


@record(frozen=True)
class Birthday:
    person_id: int
    client_id: int
    name: str
    month: int
    day: int


@record(frozen=True)
class Occasion:
    """A client's own date (``client occasion add``): yearly, or once when ``year`` is set."""

    id: int
    client_id: int
    title: str
    month: int
    day: int
    year: int | None = None
    person_id: int | None = None
    person: str | None = None


@record(frozen=True)
class PerkTouch:
    client_id: int
    on_date: dt.date
    ref: str | None


@record(frozen=True)
class PerkFacts:
    """What the perk rules need, loaded for a window of days."""

    industries: Mapping[int, str | None]  # active client id -> industry
    links: Mapping[str, tuple[str, ...]]  # holiday code -> the user's own keywords
    birthdays: Sequence[Birthday] = ()
    occasions: Sequence[Occasion] = ()
    touches: Sequence[PerkTouch] = ()  # perk touches of the last 12 months and more


@record(frozen=True)
class Occurrence:
    """A holiday, birthday or occasion of one client on one day."""

    client_id: int
    on: dt.date
    source: str  # holiday | birthday | occasion
    key: str  # the touch's purpose_ref
    title: str  # in Russian: the holiday's name, «день рождения», the occasion's title
    title_en: str
    person: str | None = None
    holiday: Holiday | None = None

    @property
    def label(self) -> str:
        """How a reason names it: «День строителя», «birthday of Пётр Смирнов»..."""
        if self.source == "holiday":
            return self.title
        if self.source == "birthday":
            return _("birthday of {person}").format(person=self.person)
        return f"«{self.title}»" + (f" ({self.person})" if self.person else "")


# -- dates ------------------------------------------------------------------------------
def year_start(as_of: dt.date) -> dt.date:
    """The first day of the 12 months ending on ``as_of``: 2026-11-23 -> 2025-11-24."""
    return trailing_year(as_of)[0]


def days_in_window(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """The (month, day) pairs of yearly dates that fall from ``start`` to ``end``.

    29 February is among them when a 28 February of a common year is: its birthdays
    and occasions are kept on the 28th then.
    """
    found: list[tuple[int, int]] = []
    day = start
    while day <= end and len(found) < 366:
        found.append((day.month, day.day))
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            found.append((2, 29))
        day += dt.timedelta(days=1)
    return sorted(set(found))


def yearly_dates(month: int, day: int, start: dt.date, end: dt.date) -> list[dt.date]:
    """A yearly date's days from ``start`` to ``end`` (29 February: 28th in common years)."""
    return [
        d
        for year in range(start.year, end.year + 1)
        if start <= (d := on_day(month, day, year)) <= end
    ]


def next_date(month: int, day: int, year: int | None, today: dt.date) -> dt.date | None:
    """The next day (today included) of a yearly date, or of a one-time one if not past."""
    if year is not None:
        once = dt.date(year, month, day)
        return once if once >= today else None
    found = on_day(month, day, today.year)
    return found if found >= today else on_day(month, day, today.year + 1)


_DAY_MONTH = re.compile(r"(\d{1,2})\.(\d{1,2})")
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")
_FULL = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4}")
DATE_HINT = "write it as DD.MM (25.11), MM-DD (11-25) or YYYY-MM-DD (2026-11-25)"


def parse_occasion_date(
    raw: str, *, once: bool, today: dt.date, field: str = "--on"
) -> tuple[int, int, int | None]:
    """(month, day, year or None for every year) of ``--on DD.MM|MM-DD|YYYY-MM-DD``.

    A full date without ``once`` is a yearly one (a founding day: the year is dropped);
    with ``once`` a date without a year is its next day from today on. A one-time date
    in the past is refused.
    """
    from povtor.parsing import parse_date

    text = raw.strip()
    year: int | None = None
    if _FULL.fullmatch(text):
        full = parse_date(text, field=field)
        month, day, year = full.month, full.day, full.year
    else:
        match = _DAY_MONTH.fullmatch(text)
        if match:
            day, month = int(match.group(1)), int(match.group(2))
        elif match := _MONTH_DAY.fullmatch(text):
            month, day = int(match.group(1)), int(match.group(2))
        else:
            raise InvalidInput(
                _("{field}: {raw} is not a date").format(field=field, raw=repr(raw)), hint=DATE_HINT
            )
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2024, month)[1]:
            raise InvalidInput(
                _("{field}: {raw} is not a real calendar day").format(field=field, raw=repr(raw)),
                hint=_("check the day and month (29.02 is allowed: 28.02 in common years)"),
            )
    if not once:
        return month, day, None
    if year is None:
        year = today.year
        while True:
            exists = (month, day) != (2, 29) or calendar.isleap(year)
            if exists and dt.date(year, month, day) >= today:
                break
            year += 1
    when = dt.date(year, month, day)
    if when < today:
        raise InvalidInput(
            _("{field}: {when} is in the past").format(field=field, when=when.isoformat()),
            hint=_("a one-time date must be today or later; drop --once for a yearly one"),
        )
    return month, day, year


# A birthday given as a day and month (12.03) is kept as a date in this year: a leap
# year (29.02 fits) long before anyone a seller talks to was born. Only its day and
# month count (the perks), and it is shown as 12.03.
YEAR_UNKNOWN = 1904


def parse_birthday(raw: str, *, today: dt.date, field: str = "--birthday") -> dt.date:
    """A birthday: a full date (not after today), or a day and month (DD.MM, MM-DD)."""
    from povtor.parsing import parse_date

    if not _FULL.fullmatch(raw.strip()):
        month, day, _year = parse_occasion_date(raw, once=False, today=today, field=field)
        return dt.date(YEAR_UNKNOWN, month, day)
    born = parse_date(raw, field=field)
    if born > today:
        raise InvalidInput(
            _("{field} {born} is in the future (today is {today})").format(
                field=field, born=born.isoformat(), today=today.isoformat()
            ),
            hint=_("give the day the person was born, or only its day and month (12.03)"),
        )
    return born


def shown_birthday(value: dt.date | str | None) -> str | None:
    """12.03 for a birthday kept without its year, the date itself otherwise."""
    if value is None:
        return None
    born = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if born.year == YEAR_UNKNOWN:
        return f"{born.day:02d}.{born.month:02d}"
    return born.isoformat()


def shown_date(month: int, day: int, year: int | None) -> str:
    """25.11 for a yearly date, 2026-11-25 for a one-time one."""
    if year is None:
        return f"{day:02d}.{month:02d}"
    return dt.date(year, month, day).isoformat()


def moved_key(key: str, logged_on: dt.date, moved_to: dt.date) -> str:
    """The key of a perk touch logged on ``logged_on`` once moved to ``moved_to`` (the demo
    moves its story to end on today).

    Birthdays and occasions move with the story: their year moves with the touch. Holidays
    stay on the calendar: the key names the holiday within 7 days after the moved day
    (the card went out before it), else the one before (a past key: it dismisses nothing).
    """
    source, ident, year = key.rsplit(":", 2)
    holiday = BY_CODE.get(ident) if source == "holiday" else None
    if holiday is None:
        return f"{source}:{ident}:{int(year) + moved_to.year - logged_on.year}"
    soon = holiday.date_in(moved_to.year)
    if soon < moved_to:
        soon = holiday.date_in(moved_to.year + 1)
    if (soon - moved_to).days <= 7:
        return f"holiday:{ident}:{soon.year}"
    before = holiday.date_in(moved_to.year)
    return f"holiday:{ident}:{before.year if before <= moved_to else moved_to.year - 1}"


# -- occurrences ------------------------------------------------------------------------
def occurrences(
    facts: PerkFacts,
    start: dt.date,
    end: dt.date,
    *,
    clients: Iterable[int] | None = None,
) -> list[Occurrence]:
    """Every holiday, birthday and occasion of the clients (default: all in ``facts``)
    from ``start`` to ``end``, in date order."""
    wanted = set(facts.industries if clients is None else clients) & set(facts.industries)
    found: list[Occurrence] = []
    coming = holidays_between(start, end)
    if coming:
        among = list({h.code: h for _, h in coming}.values())
        everyone = {h.code for h in among if EVERY_INDUSTRY in keywords_of(h, facts.links)}
        by_industry: dict[str, set[str]] = {}
        for client_id in wanted:
            industry = facts.industries.get(client_id) or ""
            if industry not in by_industry:
                by_industry[industry] = {
                    h.code for h in matching_holidays(industry, facts.links, among)
                }
            codes = by_industry[industry] | everyone
            for day, holiday in coming:
                if holiday.code in codes:
                    found.append(
                        Occurrence(
                            client_id,
                            day,
                            "holiday",
                            f"holiday:{holiday.code}:{day.year}",
                            holiday.name_ru,
                            holiday.name_en,
                            holiday=holiday,
                        )
                    )
    for person in facts.birthdays:
        if person.client_id not in wanted:
            continue
        for day in yearly_dates(person.month, person.day, start, end):
            found.append(
                Occurrence(
                    person.client_id,
                    day,
                    "birthday",
                    f"birthday:{person.person_id}:{day.year}",
                    "день рождения",
                    "birthday",
                    person=person.name,
                )
            )
    for occasion in facts.occasions:
        if occasion.client_id not in wanted:
            continue
        if occasion.year is None:
            days = yearly_dates(occasion.month, occasion.day, start, end)
        else:
            once = dt.date(occasion.year, occasion.month, occasion.day)
            days = [once] if start <= once <= end else []
        for day in days:
            found.append(
                Occurrence(
                    occasion.client_id,
                    day,
                    "occasion",
                    f"occasion:{occasion.id}:{day.year}",
                    occasion.title,
                    occasion.title,
                    person=occasion.person,
                )
            )
    found.sort(key=lambda o: (o.on, o.client_id, SOURCES.index(o.source), o.key))
    return found


KEY_FORMS = "holiday:CODE, birthday:PERSON_ID or occasion:ID, each with :YEAR or without"
_KEY = re.compile(r"(?:(holiday|birthday|occasion):)?([^:]+)(?::(\d{4}))?", re.ASCII)


@record(frozen=True)
class PerkKey:
    """A perk touch's key as typed by hand, checked: ``holiday:builder:2026``,
    ``birthday:12`` (without the year: the next occurrence), ``occasion:3:2026``."""

    source: str  # holiday | birthday | occasion
    ident: str  # the holiday's code, the person's or the occasion's id
    year: int | None = None

    @property
    def number(self) -> int:
        """The person's or the occasion's id (birthday and occasion keys)."""
        return int(self.ident)

    def __str__(self) -> str:
        """The key as the perk rules compare it: lower case, ``holiday:`` spelled out."""
        return f"{self.source}:{self.ident}" + (f":{self.year}" if self.year is not None else "")


def parse_perk_key(text: str, *, field: str = "--about", hint: str | None = None) -> PerkKey:
    """The key of ``--purpose perk --about TEXT``: a holiday's code (``builder``,
    ``holiday:builder``), ``birthday:<person id>`` or ``occasion:<id>``, each optionally
    with ``:<year>`` (4 digits); any case. ``hint``: where to see the keys."""
    raw = text.strip()
    how = hint or "see the keys: povtor perks upcoming"
    match = _KEY.fullmatch(raw.lower())
    if match is None:
        raise InvalidInput(
            _("{field}: {raw} is not a perk key ({KEY_FORMS})").format(
                field=field, raw=repr(raw), KEY_FORMS=KEY_FORMS
            ),
            hint=how,
        )
    source, ident = match.group(1) or "holiday", match.group(2).strip()
    year = int(match.group(3)) if match.group(3) is not None else None
    if match.group(1) is None and ident in SOURCES:
        source, ident = ident, ""  # «birthday» alone: the id is missing
    if source == "holiday":
        code = ident.replace("-", "_")
        if not code:
            raise InvalidInput(
                _("{field}: {raw} is not a perk key: write holiday:CODE[:YEAR]").format(
                    field=field, raw=repr(raw)
                ),
                hint=_("see the codes: povtor perks holidays"),
            )
        if code not in BY_CODE:
            raise InvalidInput(
                _("{field}: no holiday has the code {code}").format(field=field, code=repr(code))
                + did_you_mean(code, BY_CODE),
                hint=_("see the codes: povtor perks holidays"),
            )
        return PerkKey(source, code, year)
    number = ident.removeprefix("#")
    if not (number.isascii() and number.isdigit()) or len(number) > MAX_ID_DIGITS:
        whose = "the person's id" if source == "birthday" else "the occasion's id"
        raise InvalidInput(
            _("{field}: {raw} is not a perk key: write {source}:ID[:YEAR] with {whose}").format(
                field=field, raw=repr(raw), source=source, whose=whose
            ),
            hint=how,
        )
    return PerkKey(source, str(int(number)), year)


def _yearless(key: str) -> set[str]:
    """The shorter refs a user may log for a key: ``holiday:geologist``, ``geologist``."""
    source, ident, _year = key.split(":")
    shorter = {f"{source}:{ident}"}
    if source == "holiday":
        shorter.add(ident)
    return shorter


def touches_by_client(touches: Iterable[PerkTouch]) -> dict[int, list[PerkTouch]]:
    grouped: dict[int, list[PerkTouch]] = defaultdict(list)
    for touch in touches:
        grouped[touch.client_id].append(touch)
    return grouped


def is_done(occurrence: Occurrence, touches: Iterable[PerkTouch]) -> bool:
    """Whether a perk touch of the client was logged for this occurrence: with its key,
    or with a key without the year up to 60 days before the day."""
    short = _yearless(occurrence.key)
    earliest = occurrence.on - dt.timedelta(days=YEARLESS_WINDOW_DAYS)
    for touch in touches:
        ref = (touch.ref or "").strip().lower()
        if ref == occurrence.key.lower():
            return True
        if ref in short and earliest <= touch.on_date <= occurrence.on:
            return True
    return False


def perks_in_year(touches: Iterable[PerkTouch], as_of: dt.date) -> dict[int, int]:
    """Perk touches per client in the 12 months ending on ``as_of``."""
    start = year_start(as_of)
    counts: dict[int, int] = defaultdict(int)
    for touch in touches:
        if start <= touch.on_date <= as_of:
            counts[touch.client_id] += 1
    return dict(counts)


@record(frozen=True)
class Upcoming:
    occurrence: Occurrence
    done: bool
    capped: bool  # a holiday, and the client had its perks for the 12 months

    @property
    def status(self) -> str:
        if self.done:
            return "done"
        if self.capped:
            return "capped"
        return "due"


def upcoming(
    facts: PerkFacts,
    today: dt.date,
    days: int,
    *,
    per_year: int,
    clients: Iterable[int] | None = None,
) -> tuple[list[Upcoming], dict[int, int]]:
    """The occurrences from today to ``days`` ahead with their state, and the perk
    touches per client in the 12 months to today."""
    counts = perks_in_year(facts.touches, today)
    by_client = touches_by_client(facts.touches)
    found = []
    for occurrence in occurrences(facts, today, today + dt.timedelta(days=days), clients=clients):
        done = is_done(occurrence, by_client.get(occurrence.client_id, ()))
        capped = occurrence.source == "holiday" and counts.get(occurrence.client_id, 0) >= per_year
        found.append(Upcoming(occurrence, done, capped))
    return found, counts


# -- statistics ----------------------------------------------------------------------------
@record(frozen=True)
class Standing:
    """A client's perk touches in the 12 months against the target."""

    client_id: int
    perks: int
    target: int
    last_on: dt.date | None

    @property
    def missing(self) -> int:
        return max(0, self.target - self.perks)

    @property
    def at_target(self) -> bool:
        return self.perks >= self.target


def standings(
    client_ids: Iterable[int],
    counts: Mapping[int, tuple[int, dt.date | None]],
    target: int,
) -> list[Standing]:
    """Each client's standing from ``counts`` (client id -> perk touches, last date)."""
    return [
        Standing(cid, counts.get(cid, (0, None))[0], target, counts.get(cid, (0, None))[1])
        for cid in client_ids
    ]

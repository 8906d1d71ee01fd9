"""Occasions (seed 001): from ``plan.perk_days_before`` days before a professional holiday
of the client's industry, a birthday of a person at the client, or the client's own
date, up to the day itself, a card or a small gift, until a touch with purpose ``perk``
and the date's key is logged. Holiday items stop for a client with
``plan.perks_per_year`` perk touches in the last 12 months (birthdays and the client's
own dates do not).

What is coming and what was done is :mod:`povtor.domain.perks`; this module decides what
the plan shows, with the greeting to send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from povtor.domain.perks import (
    PURPOSE,
    Occurrence,
    PerkFacts,
    is_done,
    occurrences,
    perks_in_year,
    touches_by_client,
)
from povtor.domain.plan_records import Candidate, ClientState
from povtor.i18n import N_, _, ngettext
from povtor.settings import Settings
from povtor.text import address_name

RULE = "occasion"


def window(today: dt.date, settings: Settings) -> tuple[dt.date, dt.date]:
    """The days whose occasions the plan shows on ``today``: up to
    ``plan.perk_days_before`` days ahead."""
    return today, today + dt.timedelta(days=settings.int("plan.perk_days_before"))


def occasions(
    facts: PerkFacts | None,
    clients: Mapping[int, ClientState],
    today: dt.date,
    settings: Settings,
) -> list[Candidate]:
    """The plan's occasion items for ``today`` (none without the facts)."""
    if facts is None:
        return []
    return perk_candidates(
        facts,
        today,
        clients,
        days_before=settings.int("plan.perk_days_before"),
        per_year=settings.int("plan.perks_per_year"),
        lang=settings.str("lang"),
    )


# the short weekday of a reason: «Tue 2026-12-08» (in Russian «вт 2026-12-08»)
WEEKDAYS_SHORT = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def when_words(day: dt.date, today: dt.date) -> str:
    """«today», «tomorrow», «in 5 days»."""
    ahead = (day - today).days
    if ahead == 0:
        return _("today")
    if ahead == 1:
        return _("tomorrow")
    return ngettext("in {n} day", "in {n} days", ahead).format(n=ahead)


def _literal(text: str) -> str:
    """Text put into a message template as it is (braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


GREETINGS = {
    ("holiday", "ru"): "{person}, добрый день! Поздравляем вас и всю команду {company} с {name}! "
    "Спасибо, что работаете с нами, — успехов и надёжных партнёров.",
    ("holiday", "en"): "Hello {person}! Happy {name} to you and the whole {company} team! "
    "Thank you for working with us.",
    ("birthday", "ru"): "{name}, добрый день! Поздравляем вас с днём рождения! Здоровья, удачи "
    "и хорошего настроения, спасибо, что работаете с нами!",
    ("birthday", "en"): "Hello {name}! Happy birthday! We wish you health, luck and a great "
    "year. Thank you for working with us!",
    ("occasion", "ru"): "{name}, добрый день! Поздравляем: «{title}»! Спасибо, что работаете с "
    "нами, — всего самого доброго.",
    ("occasion", "en"): "Hello {name}! Congratulations: «{title}»! Thank you for working with us.",
}


def greeting(occurrence: Occurrence, lang: str) -> str:
    """The message draft's template (placeholders {person} {company} left to fill)."""
    lang = lang if lang in ("ru", "en") else "ru"
    body = GREETINGS[(occurrence.source, lang)]
    holiday = occurrence.holiday
    person = _literal(address_name(occurrence.person)) if occurrence.person else "{person}"
    if occurrence.source == "holiday" and holiday is not None:
        name = holiday.greeting_ru if lang == "ru" else holiday.name_en
        return body.replace("{name}", _literal(name))
    body = body.replace("{name}", person)
    return body.replace("{title}", _literal(occurrence.title))


def perk_candidates(
    facts: PerkFacts,
    today: dt.date,
    clients: Mapping[int, ClientState],
    *,
    days_before: int,
    per_year: int,
    lang: str = "ru",
) -> list[Candidate]:
    """The plan's "occasion" items: a card or a small gift from ``days_before`` days
    before each holiday, birthday or occasion up to its day, until a perk touch with
    its key is logged. Holidays stop for a client with ``per_year`` perk touches in the
    last 12 months (``per_year`` 0: no holiday items); birthdays and the client's own
    dates always come."""
    counts = perks_in_year(facts.touches, today)
    by_client = touches_by_client(facts.touches)
    end = today + dt.timedelta(days=days_before)
    found: list[Candidate] = []
    for occurrence in occurrences(facts, today, end, clients=clients.keys()):
        had = counts.get(occurrence.client_id, 0)
        if occurrence.source == "holiday" and had >= per_year:
            continue
        if is_done(occurrence, by_client.get(occurrence.client_id, ())):
            continue
        day = occurrence.on
        # (holidays stop at per_year perks: their count is out of it; a birthday or the
        # client's own date comes all the same)
        reason = (
            _(
                "{occasion} on {weekday} {day} ({when}): send a card or a small gift "
                "(perks in the last 12 months: {had} of {per_year})"
            )
            if occurrence.source == "holiday"
            else _(
                "{occasion} on {weekday} {day} ({when}): send a card or a small gift "
                "(perks in the last 12 months: {had})"
            )
        ).format(
            occasion=occurrence.label,
            weekday=_(WEEKDAYS_SHORT[day.weekday()]),
            day=day.isoformat(),
            when=when_words(day, today),
            had=had,
            per_year=per_year,
        )
        found.append(
            Candidate(
                client_id=occurrence.client_id,
                rule=RULE,
                reason=reason,
                kind="warming",
                expected_on=day,
                days_waiting=(day - today).days,
                script=greeting(occurrence, lang),
                purpose=PURPOSE,
                purpose_ref=occurrence.key,
            )
        )
    return found

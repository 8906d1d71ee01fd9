"""``povtor perks``: the calendar of professional holidays, links of holidays to
industries, and the perk occasions coming up per client (seed 001: «ништяки»).

Perk touches per client against the seed's four a year: ``povtor perks stats``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from povtor.cli.runtime import FormatOption, command_group, runtime
from povtor.errors import Conflict, InvalidInput
from povtor.i18n import N_, _
from povtor.output import Column, Listing, message, render

app = command_group(
    help="Perks («ништяки»): professional holidays by industry, birthdays and clients' own "
    "dates for a card or a small gift.",
    no_args_is_help=True,
)

HolidayArg = Annotated[
    str, typer.Argument(help="The holiday: its code (builder) or part of its name.")
]
IndustryArg = Annotated[
    str,
    typer.Argument(
        help="The beginning of an industry word, e.g. «фасад» (any case); * for every client."
    ),
]


def _weekday(day: dt.date) -> str:
    from povtor.domain.holidays import WEEKDAYS_EN

    return WEEKDAYS_EN[day.weekday()][:3]


HOLIDAY_COLUMNS = (
    Column("date", N_("Date"), "date"),
    Column("weekday", N_("Day")),
    Column("code", N_("Code")),
    Column("name", N_("Holiday"), wide=True),
    Column("name_en", N_("In English"), in_table=False),
    Column("rule", N_("Rule"), in_table=False),
    Column("keywords", N_("Industries"), wide=True),
    Column("links", N_("Your links")),
    Column("note", N_("Note"), in_table=False),
)


@app.command("holidays")
def holidays(
    ctx: typer.Context,
    year: Annotated[
        int | None, typer.Option("--year", help="The year (default: this year).")
    ] = None,
    industry: Annotated[
        str | None,
        typer.Option("--industry", help="Only the holidays of this industry, e.g. строительство."),
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """List the professional holidays of a year with their dates (moving ones computed)
    and the industries each suits (built-in keywords and your links).

    Example: povtor perks holidays --year 2027 --industry строительство
    """
    from povtor.app.perks import holiday_calendar

    state = runtime(ctx)
    chosen = year if year is not None else state.clock.today.year
    if not 1900 <= chosen <= 2200:
        raise InvalidInput(
            _("--year: {chosen} is out of range").format(chosen=chosen),
            hint=_("give a year from 1900 to 2200"),
        )
    rows = [
        [
            line.day,
            _weekday(line.day),
            line.holiday.code,
            line.holiday.name_ru,
            line.holiday.name_en,
            line.holiday.rule,
            ", ".join(line.holiday.keywords),
            ", ".join(line.own_keywords),
            line.holiday.note,
        ]
        for line in holiday_calendar(state.db, chosen, industry)
    ]
    title = f"Professional holidays {chosen}" + (f" for «{industry.strip()}»" if industry else "")
    render(
        Listing(
            HOLIDAY_COLUMNS,
            rows,
            title=title,
            empty_message=N_("no holiday matches this industry; link one with: povtor perks link"),
        ),
        fmt,
    )


@app.command("link")
def link(ctx: typer.Context, holiday: HolidayArg, industry: IndustryArg) -> None:
    """Link a holiday to an industry: clients whose industry has a word starting with it
    get the holiday's card on the plan.

    Example: povtor perks link builder фасад
    """
    from povtor.app.perks import link_holiday
    from povtor.domain.holidays import EVERY_INDUSTRY, find_holiday, normalise_keyword

    found = find_holiday(holiday)
    keyword = normalise_keyword(industry)
    if keyword in found.keywords:
        message(f"«{keyword}» is a built-in industry of {found.code} ({found.name_ru}) already")
        return
    clients = link_holiday(runtime(ctx).db, found.code, keyword)
    if clients is None:
        message(f"{found.code} ({found.name_ru}) is linked to «{keyword}» already")
        return
    who = "every client" if keyword == EVERY_INDUSTRY else f"«{keyword}»"
    message(
        f"linked {found.code} ({found.name_ru}) to {who}: it now suits {clients} active "
        f"client{'' if clients == 1 else 's'}"
    )


@app.command("unlink")
def unlink(ctx: typer.Context, holiday: HolidayArg, industry: IndustryArg) -> None:
    """Remove your link of a holiday to an industry (built-in keywords stay).

    Example: povtor perks unlink builder фасад
    """
    from povtor.app.perks import unlink_holiday
    from povtor.domain.holidays import find_holiday, normalise_keyword

    found = find_holiday(holiday)
    keyword = normalise_keyword(industry)
    if keyword in found.keywords:
        raise Conflict(
            _(
                "«{keyword}» is a built-in industry of {code}; only your own links can be removed"
            ).format(keyword=keyword, code=found.code),
            hint=_(
                "to skip a holiday for a client, log it as done: povtor nudge log "
                "--client ID --purpose perk --about holiday:CODE:YEAR"
            ),
        )
    unlink_holiday(runtime(ctx).db, found.code, keyword)
    message(f"unlinked {found.code} ({found.name_ru}) from «{keyword}»")


UPCOMING_COLUMNS = (
    Column("date", N_("Date"), "date"),
    Column("weekday", N_("Day")),
    Column("in_days", N_("In"), "int"),
    Column("client_id", N_("ID"), "int"),
    Column("client", N_("Client"), wide=True),
    Column("category", N_("Cat")),
    Column("source", N_("Kind"), in_table=False),
    Column("what", N_("Occasion"), wide=True),
    Column("person", N_("Person"), in_table=False),
    Column("key", N_("Key")),
    Column("status", N_("Status")),
    Column("perks", N_("Perks 12m"), "int"),
)


@app.command("upcoming")
def upcoming(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", "-d", min=0, max=366, help="How many days ahead.")
    ] = 30,
    client: Annotated[str | None, typer.Option("--client", "-c", help="Only this client.")] = None,
    fmt: FormatOption = None,
) -> None:
    """List the coming perk occasions per active client: holidays of their industry,
    birthdays of their people, their own dates; with the key to log the card with and
    the status (due, done: a perk touch was logged, capped: the client had its holiday
    perks for the 12 months).

    Example: povtor perks upcoming --days 14
    """
    from povtor.app.perks import upcoming_perks

    state = runtime(ctx)
    today = state.clock.today
    found = upcoming_perks(state.db, today, days, client)
    end, per_year, names = found.end, found.per_year, found.clients
    rows = [
        [
            u.occurrence.on,
            _weekday(u.occurrence.on),
            (u.occurrence.on - today).days,
            u.occurrence.client_id,
            names[u.occurrence.client_id][0],
            names[u.occurrence.client_id][1],
            u.occurrence.source,
            u.occurrence.label,
            u.occurrence.person,
            u.occurrence.key,
            u.status,
            found.perks.get(u.occurrence.client_id, 0),
        ]
        for u in found.found
    ]
    render(
        Listing(
            UPCOMING_COLUMNS,
            rows,
            title=f"Perk occasions {today.isoformat()} – {end.isoformat()}",
            caption="log a card or gift: povtor nudge log --client ID --channel gift "
            f"--purpose perk --about KEY (target: {per_year} perks in 12 months)",
            empty_message=N_("no holidays, birthdays or occasions in these days"),
        ),
        fmt,
    )

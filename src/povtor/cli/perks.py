"""``povtor perks``: the calendar of professional holidays, links of holidays to
industries, and the perk occasions coming up per client (seed 001: «ништяки»).

Also ``povtor stats perks`` (registered by :mod:`povtor.cli.stats`): perk touches per
client in the last 12 months against the seed's four a year.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from povtor.cli.runtime import FormatOption, choose, command_group, runtime
from povtor.errors import Conflict, InvalidInput
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
CATEGORY_ORDER = {"A": 0, "B": 1, "C": 2}


def _weekday(day: dt.date) -> str:
    from povtor.domain.holidays import WEEKDAYS_EN

    return WEEKDAYS_EN[day.weekday()][:3]


HOLIDAY_COLUMNS = (
    Column("date", "Date", "date"),
    Column("weekday", "Day"),
    Column("code", "Code"),
    Column("name", "Holiday", wide=True),
    Column("name_en", "In English", in_table=False),
    Column("rule", "Rule", in_table=False),
    Column("keywords", "Industries", wide=True),
    Column("links", "Your links"),
    Column("note", "Note", in_table=False),
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
            f"--year: {chosen} is out of range", hint="give a year from 1900 to 2200"
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
            empty_message="no holiday matches this industry; link one with: povtor perks link",
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
            f"«{keyword}» is a built-in industry of {found.code}; only your own links can be "
            "removed",
            hint="to skip a holiday for a client, log it as done: "
            "povtor nudge log --client ID --purpose perk --about holiday:CODE:YEAR",
        )
    unlink_holiday(runtime(ctx).db, found.code, keyword)
    message(f"unlinked {found.code} ({found.name_ru}) from «{keyword}»")


UPCOMING_COLUMNS = (
    Column("date", "Date", "date"),
    Column("weekday", "Day"),
    Column("in_days", "In", "int"),
    Column("client_id", "ID", "int"),
    Column("client", "Client", wide=True),
    Column("category", "Cat"),
    Column("source", "Kind", in_table=False),
    Column("what", "Occasion", wide=True),
    Column("person", "Person", in_table=False),
    Column("key", "Key", wide=True),
    Column("status", "Status"),
    Column("perks", "Perks 12m", "int"),
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
            empty_message="no holidays, birthdays or occasions in these days",
        ),
        fmt,
    )


STATS_COLUMNS = (
    Column("client_id", "ID", "int"),
    Column("client", "Client"),
    Column("category", "Cat"),
    Column("industry", "Industry"),
    Column("holidays", "Holidays", "int"),
    Column("perks", "Perks 12m", "int"),
    Column("target", "Target", "int"),
    Column("missing", "Missing", "int"),
    Column("last_perk_on", "Last perk", "date"),
)


def stats_perks(
    ctx: typer.Context,
    date: Annotated[
        str | None,
        typer.Option("--date", help="Count the 12 months ending on this day (default: today)."),
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", "-c", help="Only this category: A, B, C or none.")
    ] = None,
    missing: Annotated[
        bool, typer.Option("--missing", help="Only the clients below the target.")
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """Perk touches per active client in the last 12 months against the seed's 4 a year
    (plan.perks_per_year): holidays of the industry in the calendar, perks, missing.

    A perk touch is one logged with purpose perk (plan run on an occasion item, or
    nudge log --purpose perk).

    Example: povtor stats perks --missing --format csv
    """
    from povtor.domain import perks
    from povtor.domain.holidays import matching_holidays
    from povtor.parsing import parse_date
    from povtor.storage.perk_queries import clients_for_stats, holiday_links, perk_counts
    from povtor.storage.plan_queries import load_settings
    from povtor.text import sort_key

    state = runtime(ctx)
    db = state.db
    today = state.clock.today
    as_of = parse_date(date, field="--date", today=today) if date else today
    if as_of > today:
        raise InvalidInput(
            f"--date {as_of.isoformat()} is after today ({today.isoformat()})",
            hint="give an earlier day, or a later today with --today",
        )
    wanted = choose(category, ("A", "B", "C", "none"), option="--category")
    target = load_settings(db).int("plan.perks_per_year")
    clients = clients_for_stats(db, as_of, (wanted,) if wanted else ())
    links = holiday_links(db)
    counts = perk_counts(db, as_of)
    by_id = {c[0]: c for c in clients}
    standing = perks.standings(by_id, counts, target)
    holidays_by_industry: dict[str, int] = {}

    def holidays_of(industry: str | None) -> int:
        key = industry or ""
        if key not in holidays_by_industry:
            holidays_by_industry[key] = len(matching_holidays(industry, links))
        return holidays_by_industry[key]

    standing.sort(
        key=lambda s: (
            CATEGORY_ORDER.get(by_id[s.client_id][2] or "", 3),
            sort_key(by_id[s.client_id][1]),
            s.client_id,
        )
    )
    at_target = sum(1 for s in standing if s.at_target)
    shown = [s for s in standing if not (missing and s.at_target)]
    start = perks.year_start(as_of)
    rows = [
        [
            s.client_id,
            by_id[s.client_id][1],
            by_id[s.client_id][2],
            by_id[s.client_id][3],
            holidays_of(by_id[s.client_id][3]),
            s.perks,
            s.target,
            s.missing,
            s.last_on,
        ]
        for s in shown
    ]
    render(
        Listing(
            STATS_COLUMNS,
            rows,
            title=f"Perks per client, {start.isoformat()} – {as_of.isoformat()} "
            f"(as of {as_of.isoformat()})",
            caption=f"{at_target} of {len(standing)} clients at the target: {target} perk "
            "touches in 12 months (seed 001)",
            empty_message="no active clients" if not standing else "every client is at the target",
        ),
        fmt,
    )

"""``povtor client occasion``: a client's own dates for perks (a founding day, a person's
anniversary...), yearly or once. Birthdays come from the people (``client person add
--birthday``)."""

from __future__ import annotations

from typing import Annotated

import typer

from povtor.cli.runtime import FormatOption, command_group, runtime
from povtor.errors import InvalidInput
from povtor.i18n import N_, _
from povtor.output import Column, Listing, message, render
from povtor.storage import queries
from povtor.text import clean_text

occasion_app = command_group(
    help="A client's own dates for a card or a gift: yearly or once (birthdays: person add).",
    no_args_is_help=True,
)

ClientArg = Annotated[
    str, typer.Argument(help="Client id (12 or #12) or part of its name or company.")
]


@occasion_app.command("add")
def occasion_add(
    ctx: typer.Context,
    client: ClientArg,
    title: Annotated[str, typer.Argument(help="What it is, e.g. «День рождения компании».")],
    date: Annotated[
        str,
        typer.Option(
            "--on",
            "--date",
            help="DD.MM, MM-DD or YYYY-MM-DD; yearly unless --once (29.02: 28.02 in common years).",
        ),
    ],
    person: Annotated[
        str | None, typer.Option("--person", help="The person it belongs to: id or name.")
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Only once (the next such day, or the given year).")
    ] = False,
) -> None:
    """Add a client's own date (a founding day, an anniversary) for perks; prints its id.

    A date with a year (2009-03-15) is still yearly (the year is dropped) unless
    --once is given; --once without a year means the next such day.

    Example: povtor client occasion add Ромашка "День рождения компании" --on 15.03
    """
    from povtor.app.occasions import add_occasion
    from povtor.domain.perks import parse_occasion_date, shown_date

    clean_title = clean_text(title, field="title", required=True) or ""
    state = runtime(ctx)
    month, day, year = parse_occasion_date(date, once=once, today=state.clock.today)
    added = add_occasion(
        state.db, client, title=clean_title, month=month, day=day, year=year, person=person
    )
    when = (
        f"on {shown_date(month, day, year)}"
        if year
        else f"every year on {shown_date(month, day, None)}"
    )
    message(
        f"added occasion #{added.id} «{clean_title}» to #{added.client_id} {added.client} {when}"
        + (f" ({added.person})" if added.person else "")
    )
    print(added.id)


@occasion_app.command("list")
def occasion_list(ctx: typer.Context, client: ClientArg, fmt: FormatOption = None) -> None:
    """List a client's occasions with the next day of each (birthdays: client person list).

    Example: povtor client occasion list Ромашка
    """
    from povtor.app.occasions import client_occasions
    from povtor.domain.perks import shown_date

    state = runtime(ctx)
    found = client_occasions(state.db, client, state.clock.today)
    columns = (
        Column("id", N_("ID"), "int"),
        Column("title", N_("Occasion")),
        Column("date", N_("Date")),
        Column("yearly", N_("Yearly"), "bool"),
        Column("person", N_("Person")),
        Column("next", N_("Next"), "date"),
    )
    rows = [
        [
            o.id,
            o.title,
            shown_date(o.month, o.day, o.year),
            o.year is None,
            o.person,
            next_day,
        ]
        for o, next_day in found.occasions
    ]
    render(
        Listing(
            columns,
            rows,
            title=f"Occasions of {found.client}",
            empty_message=N_("no occasions recorded"),
        ),
        fmt,
    )


@occasion_app.command("remove")
def occasion_remove(
    ctx: typer.Context,
    client: ClientArg,
    occasion_id: Annotated[
        int,
        typer.Argument(
            min=1,
            max=queries.MAX_ROW_ID,
            help="The occasion's number, as client occasion list shows it.",
        ),
    ],
) -> None:
    """Remove an occasion that is wrong or no longer wanted.

    Example: povtor client occasion remove Ромашка 3
    """
    from povtor.app.occasions import remove_occasion

    if occasion_id < 1:
        raise InvalidInput(
            _("{occasion_id} is not an occasion number").format(occasion_id=occasion_id),
            hint=_("see client occasion list"),
        )
    gone = remove_occasion(runtime(ctx).db, client, occasion_id)
    message(
        _("removed occasion #{occasion_id} «{title}» from #{client_id} {client}").format(
            occasion_id=occasion_id, title=gone.title, client_id=gone.client_id, client=gone.client
        )
    )

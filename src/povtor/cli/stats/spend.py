"""``povtor spend`` (also ``povtor stats spend``): record, list and remove the money
spent per lead source."""

from __future__ import annotations

from typing import Annotated

import typer

from povtor.app import spend
from povtor.cli.runtime import FormatOption, OnDate, PeriodKind, command_group, runtime
from povtor.cli.stats.printing import Currency
from povtor.domain.calendar import spend_days
from povtor.domain.cells import parse_currency
from povtor.i18n import N_, _
from povtor.output import Column, Listing, message, render
from povtor.parsing import format_money, parse_amount
from povtor.storage.queries import MAX_ROW_ID
from povtor.text import clean_text

spend_app = command_group(
    help="Money spent per lead source, for the cost per sale in stats sources.",
    no_args_is_help=True,
)

SPEND_COLUMNS = (
    Column("id", N_("ID"), "int"),
    Column("source", N_("Source")),
    Column("period_start", N_("From"), "date"),
    Column("period_end", N_("To"), "date"),
    Column("days", N_("Days"), "int"),
    Column("amount", N_("Amount"), "money"),
    Column("currency", N_("Cur")),
    Column("note", N_("Note")),
)


@spend_app.command("add")
def spend_add(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The lead source, as on clients: «выставка».")],
    amount: Annotated[str, typer.Argument(help="Money spent, e.g. 150000 or 150 000,50.")],
    from_: Annotated[str | None, typer.Option("--from", help="First day of the spend.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day of the spend.")] = None,
    period: PeriodKind = None,
    date: OnDate = None,
    currency: Currency = "RUB",
    note: Annotated[str | None, typer.Option("--note", help="What it was for.")] = None,
) -> None:
    """Record money spent on a lead source over a period of days; prints its id.

    Give the days as --from D --to D, or as --period month|quarter|year [--on D].

    Example: povtor spend add выставка 150000 --from 2026-10-01 --to 2026-10-31
    """
    state = runtime(ctx)
    name = clean_text(source, field="SOURCE", required=True) or ""
    minor = parse_amount(amount, field="AMOUNT")
    code = parse_currency(currency, field="--currency")
    text = clean_text(note, field="--note")
    start, end = spend_days(state.clock.today, from_, to, period, date)
    new_id = spend.add_spend(
        state.db,
        spend.Spend(
            source=name, start=start, end=end, amount_minor=minor, currency=code, note=text
        ),
    )
    message(
        _("recorded spend #{new_id}: {name} {amount} {code} for {start} – {end}").format(
            new_id=new_id,
            name=name,
            amount=format_money(minor, grouped=True),
            code=code,
            start=start.isoformat(),
            end=end.isoformat(),
        )
    )
    print(new_id)


@spend_app.command("list")
def spend_list(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option("--source", help="Only this source (any case).")
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """List the recorded spend per source, oldest first.

    Example: povtor spend list --source выставка --format csv
    """
    render(
        Listing(
            SPEND_COLUMNS,
            [
                [s.id, s.source, s.start, s.end, s.days, s.amount_minor, s.currency, s.note]
                for s in spend.list_spend(runtime(ctx).db, source)
            ],
            title=N_("Spend per lead source"),
            empty_message=N_("no spend recorded"),
        ),
        fmt,
    )


@spend_app.command("remove")
def spend_remove(
    ctx: typer.Context,
    spend_id: Annotated[
        int,
        typer.Argument(min=1, max=MAX_ROW_ID, help="The id shown by povtor spend list."),
    ],
) -> None:
    """Remove a recorded spend.

    Example: povtor spend remove 3
    """
    source = spend.remove_spend(runtime(ctx).db, spend_id)
    message(_("removed spend #{spend_id} ({source})").format(spend_id=spend_id, source=source))

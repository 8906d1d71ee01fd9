"""``povtor stats cards`` and ``povtor perks stats`` (also ``povtor stats perks``): how
well the seller knows and remembers each client."""

from __future__ import annotations

from typing import Annotated

import typer

from povtor.app import stats
from povtor.cli.runtime import FormatOption, choose, runtime
from povtor.cli.stats.printing import AllOption, figure
from povtor.domain import metrics
from povtor.errors import InvalidInput
from povtor.i18n import N_, _
from povtor.output import TOP_ROWS, Column, Listing, render
from povtor.parsing import parse_date

# -- cards ---------------------------------------------------------------------------------
CARD_COLUMNS = (
    Column("category", N_("Category")),
    Column("clients", N_("Clients"), "int"),
    Column("norm", N_("Norm"), "int"),
    Column("at_norm", N_("At norm"), "int"),
    Column("share", N_("Share"), "rate"),
    figure("mean_facts", "Mean facts"),
    figure("median_facts", "Median facts"),
)
BELOW_COLUMNS = (
    Column("client_id", N_("ID"), "int"),
    Column("client", N_("Client"), wide=True),
    Column("category", N_("Category")),
    Column("facts", N_("Facts"), "int"),
    Column("norm", N_("Norm"), "int"),
    Column("missing", N_("Missing"), "int"),
)


def cards(
    ctx: typer.Context,
    below: Annotated[
        bool, typer.Option("--below", help="List the clients whose card is below the norm.")
    ] = False,
    every: AllOption = False,
    fmt: FormatOption = None,
) -> None:
    """Client card completeness: talking facts against each category's norm.

    Per category (and uncategorised, and all): active clients, the norm (card.norm.A|B|C),
    clients at or above it and their share, mean and median talking facts. --below lists
    the clients below the norm and how many facts each is missing (a table: the first 50
    and how many more; --all: every one).

    Example: povtor stats cards --below --format csv
    """
    state = runtime(ctx)
    as_of = state.clock.today
    if below:
        render(
            Listing(
                BELOW_COLUMNS,
                [list(r) for r in stats.cards_below_norm(state.db, as_of)],
                title=f"Cards below the norm (as of {as_of.isoformat()})",
                empty_message=N_("every categorised client's card meets its norm"),
                table_limit=None if every else TOP_ROWS,
                limit_hint="--all shows every client",
            ),
            fmt,
        )
        return
    table = stats.card_completeness(state.db, as_of)
    render(
        Listing(
            CARD_COLUMNS,
            [
                [
                    r.category,
                    r.clients,
                    r.norm,
                    r.at_norm,
                    r.share,
                    metrics.number(r.mean_facts),
                    metrics.number(r.median_facts),
                ]
                for r in table
            ],
            title=f"Card completeness (as of {as_of.isoformat()})",
            caption=N_(
                "Talking facts noted by the as-of date, active clients. The share of all "
                "is of the categorised clients."
            ),
            row_styles=["bold" if r.category == "all" else None for r in table],
        ),
        fmt,
    )


# -- perks ---------------------------------------------------------------------------------
PERK_COLUMNS = (
    Column("client_id", N_("ID"), "int"),
    Column("client", N_("Client"), wide=True),
    Column("category", N_("Cat")),
    Column("industry", N_("Industry")),
    Column("holidays", N_("Holidays"), "int"),
    Column("perks", N_("Perks 12m"), "int"),
    Column("target", N_("Target"), "int"),
    Column("missing", N_("Missing"), "int"),
    Column("last_perk_on", N_("Last perk"), "date"),
)


def perks(
    ctx: typer.Context,
    date: Annotated[
        str | None,
        typer.Option(
            "--on", "--date", help="Count the 12 months ending on this day (default: today)."
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", "-C", "-c", help="Only this category: A, B, C or none."),
    ] = None,
    missing: Annotated[
        bool, typer.Option("--missing", help="Only the clients below the target.")
    ] = False,
    every: AllOption = False,
    fmt: FormatOption = None,
) -> None:
    """Perk touches per active client in the last 12 months against the seed's 4 a year
    (plan.perks_per_year): holidays of the industry in the calendar, perks, missing.

    A perk touch is one logged with purpose perk (plan run on an occasion item, or
    nudge log --purpose perk). A table shows the first 50 clients and how many more
    there are (--all: every one).

    Example: povtor perks stats --missing --format csv
    """
    state = runtime(ctx)
    today = state.clock.today
    as_of = parse_date(date, field="--on", today=today) if date is not None else today
    if as_of > today:
        raise InvalidInput(
            _("--on {as_of} is after today ({today})").format(
                as_of=as_of.isoformat(), today=today.isoformat()
            ),
            hint=_("give an earlier day, or a later today with --today"),
        )
    wanted = choose(category, ("A", "B", "C", "none"), option="--category")
    report = stats.perk_report(state.db, as_of, wanted, missing=missing)
    render(
        Listing(
            PERK_COLUMNS,
            [
                [
                    r.client_id,
                    r.name,
                    r.category,
                    r.industry,
                    r.holidays,
                    r.perks,
                    r.target,
                    r.missing,
                    r.last_on,
                ]
                for r in report.rows
            ],
            title=f"Perks per client, {report.start.isoformat()} – {as_of.isoformat()} "
            f"(as of {as_of.isoformat()})",
            caption=f"{report.at_target} of {report.clients} clients at the target: "
            f"{report.target} perk touches in 12 months (seed 001)",
            empty_message=N_("no active clients")
            if not report.clients
            else "every client is at the target",
            table_limit=None if every else TOP_ROWS,
            limit_hint="--all shows every client",
        ),
        fmt,
    )

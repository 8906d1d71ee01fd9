"""``povtor stats repeat``, ``cohorts`` and ``abc``: who buys again, and who brings the
revenue."""

from __future__ import annotations

from typing import Annotated

import typer

from povtor.app import stats
from povtor.cli.runtime import FormatOption, period_options, runtime
from povtor.cli.stats.printing import AllOption, Currency, figure, title
from povtor.domain import metrics
from povtor.domain.calendar import Period
from povtor.domain.cells import parse_currency
from povtor.i18n import N_
from povtor.output import TOP_ROWS, Column, Listing, render

# -- repeat purchases ----------------------------------------------------------------------
REPEAT_COLUMNS = (
    Column("category", N_("Category")),
    Column("buyers", N_("Buyers"), "int"),
    Column("repeat_buyers", N_("Repeat buyers"), "int"),
    Column("repeat_rate", N_("Repeat rate"), "rate"),
    Column("purchases", N_("Purchases"), "int"),
    figure("median_days_between", "Median days between"),
    figure("mean_days_between", "Mean days between"),
    Column("silent", N_("Silent"), "int"),
    Column("silent_share", N_("Silent share"), "rate"),
    Column("revenue", N_("Revenue"), "money"),
    Column("average_check", N_("Average check"), "money"),
)


@period_options(default="all")
def repeat(
    ctx: typer.Context,
    *,
    span: Period | None,
    silent_days: Annotated[
        int, typer.Option("--silent-days", min=0, help="Silent: no purchase for more days.")
    ] = 90,
    currency: Currency = "RUB",
    fmt: FormatOption = None,
) -> None:
    """Repeat-purchase rate, days between purchases, silent clients, revenue, check.

    As of today, over all buyers (first row) and per client category. With a period
    (--from/--to or --period) only the clients whose FIRST purchase fell in it count.

    Example: povtor stats repeat --silent-days 60 --from 2026-01-01 --to 2026-06-30
    """
    state = runtime(ctx)
    as_of = state.clock.today
    code = parse_currency(currency, field="--currency")
    rows = stats.repeat_report(state.db, as_of, span, code, silent_days)
    what = "Repeat purchases" + (", first purchase in the period" if span else "")
    render(
        Listing(
            REPEAT_COLUMNS,
            [
                [
                    r.group,
                    r.buyers,
                    r.repeat_buyers,
                    r.repeat_rate,
                    r.purchases,
                    metrics.number(r.median_gap),
                    metrics.number(r.mean_gap),
                    r.silent,
                    r.silent_share,
                    r.revenue,
                    r.average_check,
                ]
                for r in rows
            ],
            title=title(what, span, as_of),
            caption=f"Silent: last purchase more than {silent_days} days before "
            f"{as_of.isoformat()}. Money in {code}.",
            row_styles=["bold"],
        ),
        fmt,
    )


# -- cohorts -------------------------------------------------------------------------------
COHORT_COLUMNS = (
    Column("cohort", N_("First purchase")),
    Column("size", N_("Clients"), "int"),
    *(Column(f"m{k}", f"m{k}", "rate") for k in range(1, metrics.COHORT_MONTHS + 1)),
)


@period_options(default="months")
def cohorts(ctx: typer.Context, *, span: Period, fmt: FormatOption = None) -> None:
    """Retention by month of first purchase: the share buying again in months 1..12.

    One row per cohort month in the period (default: the 12 months up to this one);
    cell mK = share of the cohort with a paid deal in the K-th month after its first.

    Example: povtor stats cohorts --from 2025-01-01 --to 2025-12-31
    """
    rows = stats.cohort_report(runtime(ctx).db, span)
    render(
        Listing(
            COHORT_COLUMNS,
            [[r.month, r.size, *r.cells] for r in rows],
            title=title("Cohorts by month of first purchase", span, span.as_of),
            empty_message=N_("no paid deals yet: no cohorts"),
        ),
        fmt,
    )


# -- ABC -----------------------------------------------------------------------------------
ABC_COLUMNS = (
    Column("rank", N_("#"), "int"),
    Column("client_id", N_("ID"), "int"),
    Column("client", N_("Client"), wide=True),
    Column("revenue", N_("Revenue"), "money"),
    Column("share", N_("Share"), "rate"),
    Column("cumulative_share", N_("Cumulative"), "rate"),
    Column("abc", N_("ABC")),
    Column("category", N_("Now")),
    Column("differs", N_("Differs"), "bool"),
)


@period_options(default="year")
def abc(
    ctx: typer.Context,
    *,
    span: Period,
    top: Annotated[
        bool, typer.Option("--top", help="Only the top 10% of buying clients (backend offers).")
    ] = False,
    changed: Annotated[
        bool, typer.Option("--changed", help="Only clients whose ABC differs from their category.")
    ] = False,
    currency: Currency = "RUB",
    every: AllOption = False,
    fmt: FormatOption = None,
) -> None:
    """ABC split of active clients by revenue over the 12 months to today.

    Cumulative share of revenue before a client below 80% → A, below 95% → B, the rest
    (and clients without revenue) → C; compared with the category each has now. A table
    shows the first 50 clients and how many more there are (--all: every one).

    Example: povtor stats abc --changed --format csv
    """
    code = parse_currency(currency, field="--currency")
    report = stats.abc_report(runtime(ctx).db, span, code, top=top, changed=changed)
    shown = report.shown
    caption = (
        f"A {report.count('A')}, B {report.count('B')}, C {report.count('C')} clients; "
        f"{report.differing} differ from their category. Money in {code}."
    )
    render(
        Listing(
            ABC_COLUMNS,
            [
                [
                    r.rank,
                    r.client.client_id,
                    r.client.name,
                    r.client.revenue,
                    r.share,
                    r.cumulative,
                    r.abc,
                    r.client.category,
                    r.differs,
                ]
                for r in shown
            ],
            title=title("ABC by revenue" + (", top 10%" if top else ""), span, span.as_of),
            caption=caption,
            empty_message=N_("no paid deals in the period: nothing to rank")
            if not report.ranked
            else "no clients match",
            row_styles=["yellow" if r.differs else None for r in shown[:TOP_ROWS]],
            table_limit=None if every else TOP_ROWS,
            limit_hint="--all shows every client",
        ),
        fmt,
    )

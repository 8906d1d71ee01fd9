"""``povtor stats sources``: what each lead source brought, and what it cost."""

from __future__ import annotations

import typer

from povtor.app import stats
from povtor.cli.runtime import FormatOption, period_options, runtime
from povtor.cli.stats.printing import Currency, title
from povtor.domain.calendar import Period
from povtor.domain.cells import parse_currency
from povtor.i18n import N_
from povtor.output import Column, Listing, render

SOURCE_COLUMNS = (
    Column("source", N_("Source")),
    Column("leads", N_("Leads"), "int"),
    Column("paying", N_("Paying"), "int"),
    Column("conversion", N_("Conversion"), "rate"),
    Column("spend", N_("Spend"), "money"),
    Column("acps", N_("ACPS"), "money"),
    Column("paid_deals", N_("Paid deals"), "int"),
    Column("average_check", N_("Average check"), "money"),
    Column("volume", N_("Volume"), "money"),
)


@period_options(default="month")
def sources(
    ctx: typer.Context, *, span: Period, currency: Currency = "RUB", fmt: FormatOption = None
) -> None:
    """Per lead source: leads, paying clients, conversion, spend, ACPS, check, volume.

    Leads are the clients created in the period (default: this month to date); what
    they bought counts up to today. ACPS = spend in the period / paying clients.

    Example: povtor stats sources --period quarter --on 2026-07-01
    """
    code = parse_currency(currency, field="--currency")
    rows = stats.source_report(runtime(ctx).db, span, code)
    render(
        Listing(
            SOURCE_COLUMNS,
            [
                [
                    r.source,
                    r.leads,
                    r.paying,
                    r.conversion,
                    r.spend,
                    r.acps,
                    r.paid_deals,
                    r.average_check,
                    r.volume,
                ]
                for r in rows
            ],
            title=title("Lead sources", span, span.as_of),
            caption=f"Money in {code}; spend pro-rated by days to the period (povtor spend add).",
            empty_message=N_("no leads and no spend in the period"),
        ),
        fmt,
    )

"""``povtor stats nudges`` and ``povtor stats touches``: what the touches did, and how
many it took to win a deal."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from povtor.app import stats
from povtor.cli.runtime import FormatOption, choose, period_options, runtime
from povtor.cli.stats.printing import (
    AllOption,
    Currency,
    emit,
    figure,
    part_option,
    picked,
    record,
    title,
)
from povtor.domain import metrics
from povtor.domain.calendar import Period
from povtor.domain.cells import parse_currency
from povtor.i18n import N_, _
from povtor.output import TOP_ROWS, Column, Listing, OutputFormat, default_format, render

# -- nudges --------------------------------------------------------------------------------
NUDGE_COLUMNS = (
    Column("by", N_("By")),
    Column("group", N_("Group")),
    Column("closing", N_("Closing"), "int"),
    Column("yes", N_("Yes"), "int"),
    Column("no", N_("No"), "int"),
    Column("later", N_("Later"), "int"),
    Column("no_answer", N_("No ans."), "int"),
    Column("pending", N_("Pend."), "int"),
    Column("decision_rate", N_("Decided"), "rate"),
    Column("on_deal", N_("On deal"), "int"),
    Column("nudged_deals", N_("Deals"), "int"),
    Column("paid_deals", N_("Paid"), "int"),
    Column("nudge_to_order", N_("→order"), "rate"),
    Column("warming", N_("Warm."), "int"),
    figure("warming_per_closing", N_("W:C")),
)


SELLER_COLUMNS = (
    Column("seller", N_("Seller"), wide=True),
    *picked(
        NUDGE_COLUMNS,
        "closing",
        "yes",
        "no",
        "later",
        "no_answer",
        "pending",
        "decision_rate",
        "nudged_deals",
        "paid_deals",
        "nudge_to_order",
        "warming",
    ),
    Column("won", N_("Won"), "int"),
    Column("revenue", N_("Revenue"), "money"),
)


@period_options(default="month")
def nudges(
    ctx: typer.Context,
    *,
    span: Period,
    by: Annotated[
        str | None,
        typer.Option("--by", help="seller: one row per seller of the team, with revenue."),
    ] = None,
    currency: Currency = "RUB",
    fmt: FormatOption = None,
) -> None:
    """Closing touches by outcome, decision rate, nudge→order conversion, the 5:1 rule.

    One row for all touches in the period, then one per channel and one per stage.
    Default period: this month to date. With --by seller: one row per seller (each
    touch, and the deal it nudged, counts for the seller who logged it, else for the
    owner of its deal or client as of today), with the deals each owns that were won
    in the period and their revenue (in --currency).

    Example: povtor stats nudges --period quarter --format csv
    """
    if by is not None:
        choose(by, ("seller",), option="--by")
        _nudges_by_seller(ctx, span, parse_currency(currency, field="--currency"), fmt)
        return
    report = stats.nudge_report(runtime(ctx).db, span)
    rows, rule, total = report.rows, report.rule, report.total
    ratio = total.warming_per_closing
    if ratio is None:
        verdict = _("no closing touches")
    else:
        verdict = metrics.cadence_verdict(total.warming, total.closing, rule)
        verdict = (
            _("{ratio}:1, below the rule") if verdict == "below" else _("{ratio}:1, meets the rule")
        ).format(ratio=ratio)
    caption = _(
        "Warming:closing {warming}:{closing} = {verdict} of {rule}:1 (plan.warming_per_closing)."
    ).format(warming=total.warming, closing=total.closing, verdict=verdict, rule=rule)
    listing = Listing(
        NUDGE_COLUMNS,
        [
            [
                r.by,
                r.group,
                r.closing,
                *(r.outcomes[o] for o in metrics.OUTCOME_ORDER),
                r.decision_rate,
                r.on_deal,
                r.nudged_deals,
                r.paid_deals,
                r.conversion,
                r.warming,
                metrics.number(r.warming_per_closing),
            ]
            for r in rows
        ],
        title=title(N_("Nudges"), span, span.as_of),
        caption=caption,
        row_styles=["bold" if r.by == "all" else None for r in rows],
    )
    render(listing, fmt)


def _nudges_by_seller(
    ctx: typer.Context, span: Period, currency: str, fmt: OutputFormat | None
) -> None:
    from povtor.app.sellers import NOBODY, nudges_by_seller

    rows = nudges_by_seller(runtime(ctx).db, span.start, span.end, span.as_of, currency)
    fmt = fmt or default_format()
    # the row of clients nobody owns: "(nobody)" in machine formats whatever the language
    nobody = _(NOBODY) if fmt is OutputFormat.table else NOBODY
    listing = Listing(
        SELLER_COLUMNS,
        [
            [
                nobody if r.seller == NOBODY else r.seller,
                r.nudges.closing,
                *(r.nudges.outcomes[o] for o in metrics.OUTCOME_ORDER),
                r.nudges.decision_rate,
                r.nudges.nudged_deals,
                r.nudges.paid_deals,
                r.nudges.conversion,
                r.nudges.warming,
                r.won,
                r.revenue_minor,
            ]
            for r in rows
        ],
        title=title(N_("Nudges by seller"), span, span.as_of),
        caption=_(
            "Each touch and deal counts for its owner as of today; revenue in {currency}."
        ).format(currency=currency),
        empty_message=N_("no sellers and no touches in the period"),
    )
    render(listing, fmt)


# -- touches -------------------------------------------------------------------------------
LOW, HIGH = metrics.SEED_TOUCHES
TOUCH_SUMMARY_COLUMNS = (
    Column("deals", N_("Won deals"), "int"),
    figure("median_touches", N_("Median touches")),
    figure("mean_touches", N_("Mean touches")),
    # (headers with the seed's bounds: translated, then filled in, when shown)
    Column(f"below_{LOW}", N_("Below {low}"), "int"),
    Column(f"below_{LOW}_share", N_("Below {low} share"), "rate"),
    Column(f"from_{LOW}_to_{HIGH}", "{low}-{high}", "int"),
    Column(f"from_{LOW}_to_{HIGH}_share", N_("{low}-{high} share"), "rate"),
    Column(f"above_{HIGH}", N_("Above {high}"), "int"),
    Column(f"above_{HIGH}_share", N_("Above {high} share"), "rate"),
)
TOUCH_DISTRIBUTION_COLUMNS = (
    Column("touches", N_("Touches"), "int"),
    Column("deals", N_("Deals"), "int"),
    Column("share", N_("Share"), "rate"),
    Column("band", N_("Band")),
)
CADENCE_COLUMNS = (
    Column("client_id", N_("ID"), "int"),
    Column("client", N_("Client"), wide=True),
    Column("warming", N_("Warming"), "int"),
    Column("closing", N_("Closing"), "int"),
    figure("warming_per_closing", N_("Warming per closing")),
    Column("rule", N_("Rule")),
)


@period_options(default="month")
def touches(
    ctx: typer.Context,
    funnel_ref: Annotated[
        str, typer.Option("--funnel", help="Whose won deals: first (default), repeat, refusal.")
    ] = "first",
    *,
    span: Period,
    part: Annotated[str | None, part_option("summary, distribution or clients", "summary")] = None,
    every: AllOption = False,
    fmt: FormatOption = None,
) -> None:
    """Touches per won first-sale deal against the seed's 5-12; warming:closing per client.

    Counts every touch on a deal paid in the period (default: this month to date),
    from its opening day to its payment day. --part clients: each client's warming and
    closing touches in the period against the 5:1 rule, every touch whatever --funnel (a
    table: the first 50 and how many more; --all: every one).

    Example: povtor stats touches --period year --part distribution
    """
    report = stats.TouchReport(runtime(ctx).db, funnel_ref, span)
    name = report.funnel

    def summary_part(fmt_: OutputFormat) -> Listing:
        s = report.summary()
        values = [
            s.deals,
            metrics.number(s.median),
            metrics.number(s.mean),
            s.below,
            s.below_share,
            s.within,
            s.within_share,
            s.above,
            s.above_share,
        ]
        columns = [
            replace(c, header=_(c.header).format(low=LOW, high=HIGH)) for c in TOUCH_SUMMARY_COLUMNS
        ]
        return record(
            columns,
            values,
            _("Touches per won {funnel} deal").format(funnel=name),
            fmt_,
        )

    def distribution_part(_fmt: OutputFormat) -> Listing:
        return Listing(
            TOUCH_DISTRIBUTION_COLUMNS,
            [list(row) for row in report.distribution()],
            title=N_("Distribution"),
            empty_message=_("no {funnel} deals paid in the period").format(funnel=name),
        )

    def clients_part(_fmt: OutputFormat) -> Listing:
        cadence = report.cadence()
        return Listing(
            CADENCE_COLUMNS,
            [
                [r.client_id, r.name, r.warming, r.closing, metrics.number(r.ratio), r.verdict]
                for r in cadence.rows
            ],
            title=_("Warming:closing per client (rule {rule}:1)").format(rule=cadence.rule),
            empty_message=N_("no warming or closing touches in the period"),
            table_limit=None if every else TOP_ROWS,
            limit_hint="--all shows every client",
        )

    emit(
        {"summary": summary_part, "distribution": distribution_part, "clients": clients_part},
        part=part,
        fmt=fmt,
        heading=title(
            # the clients part counts every touch of the period, whatever the funnel
            _("Touches of every client")
            if (part or "").strip().lower() == "clients"
            else _("Touches, {funnel} funnel").format(funnel=name),
            span,
            span.as_of,
        ),
        on_table=("summary", "distribution"),
    )

"""``povtor stats funnel``: deals through the stages of a funnel, and the deals closed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer

from povtor.app import stats
from povtor.cli.runtime import FormatOption, choose, period_options, runtime
from povtor.cli.stats.printing import emit, figure, part_option, picked, record, title
from povtor.domain import metrics
from povtor.domain.calendar import Period
from povtor.i18n import N_, _
from povtor.output import Column, Listing, OutputFormat, default_format, write_lines

FUNNEL_COLUMNS = (
    Column("position", N_("#"), "int"),
    Column("stage", N_("Stage")),
    Column("name", N_("Name")),
    Column("entered", N_("Entered"), "int"),
    Column("moved_on", N_("Moved"), "int"),
    Column("to_next", N_("→next"), "rate"),
    Column("reached_paid", N_("Paid"), "int"),
    Column("to_paid", N_("→paid"), "rate"),
    Column("stays", N_("Stays"), "int"),
    figure("median_days", N_("Med. days")),
    figure("mean_days", N_("Mean days")),
    Column("open_stays", N_("Open"), "int"),
    Column("now", N_("Now"), "int"),
)
CLOSED_COLUMNS = (
    Column("won", N_("Won"), "int"),
    Column("lost", N_("Lost"), "int"),
    Column("win_rate", N_("Win rate"), "rate"),
    figure("median_days_to_paid", N_("Median days to paid")),
    figure("mean_days_to_paid", N_("Mean days to paid")),
)
SELLER_COLUMNS = (
    Column("seller", N_("Seller")),
    *picked(
        FUNNEL_COLUMNS,
        "position",
        "stage",
        "entered",
        "moved_on",
        "to_next",
        "reached_paid",
        "to_paid",
        "median_days",
        "now",
    ),
)
REASON_COLUMNS = (
    Column("reason", N_("Reason")),
    Column("lost", N_("Lost"), "int"),
    Column("share", N_("Share"), "rate"),
)


def _bars(flows: Sequence[metrics.StageFlow]) -> None:
    """The stages as horizontal bars, longest = most deals entered."""
    from povtor import terminal

    out = terminal.screen()
    widest = max((f.entered for f in flows), default=0)
    code_width = max((terminal.display_width(f.stage.code) for f in flows), default=0)
    count_width = max((len(str(f.entered)) for f in flows), default=0)
    room = max(10, min(60, out.width - code_width - count_width - 2))
    lines = []
    for flow in flows:
        length = round(room * flow.entered / widest) if widest else 0
        if flow.entered and not length:
            length = 1
        bar = out.style("█" * length, "green" if flow.stage.is_won else "cyan")
        code = terminal.pad(flow.stage.code, code_width)
        lines.append(f"{code} {bar}{' ' * (room - length)} {flow.entered:>{count_width}}")
    write_lines(lines)


@period_options(default="month")
def funnel(
    ctx: typer.Context,
    funnel_ref: Annotated[
        str, typer.Option("--funnel", help="The funnel: repeat, first or refusal.")
    ] = "repeat",
    *,
    span: Period,
    part: Annotated[str | None, part_option("stages, closed or reasons", "stages")] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="seller: each part once per seller, over the deals each owns."),
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Stage by stage: deals entered, moved on, conversion, days in stage, open now.

    Also, over the deals closed in the period: won, lost, win rate, days from opening
    to payment, and the loss reasons ranked. Default period: this month to date.

    With --by seller: each part once per seller of the team, over the deals each owns
    as of today (a handed-over deal's seller, else its client's).

    Example: povtor stats funnel --period month --on 2026-10-01
    """
    if by is not None:
        choose(by, ("seller",), option="--by")
        _funnel_by_seller(ctx, funnel_ref, span, part, fmt)
        return
    report = stats.funnel_report(runtime(ctx).db, funnel_ref, span)
    summary = report.closed

    def stage_part(_fmt: OutputFormat) -> Listing:
        rows = [
            [
                f.stage.position,
                f.stage.code,
                f.stage.name,
                f.entered,
                f.moved_on,
                f.to_next,
                f.reached_paid,
                f.to_paid,
                None if f.stage.is_won else len(f.stays),
                metrics.number(f.median_days),
                metrics.number(f.mean_days),
                f.open_stays,
                f.now,
            ]
            for f in report.flows
        ]
        return Listing(FUNNEL_COLUMNS, rows, title=N_("Stages"))

    def closed_part(fmt_: OutputFormat) -> Listing:
        values = [
            summary.won,
            summary.lost,
            summary.win_rate,
            metrics.number(summary.median_days_to_paid),
            metrics.number(summary.mean_days_to_paid),
        ]
        return record(CLOSED_COLUMNS, values, "Deals closed in the period", fmt_)

    def reason_part(_fmt: OutputFormat) -> Listing:
        return Listing(
            REASON_COLUMNS,
            [[r.reason, r.lost, r.share] for r in report.reasons],
            title=N_("Loss reasons"),
            empty_message=N_("no deals lost in the period"),
        )

    emit(
        {"stages": stage_part, "closed": closed_part, "reasons": reason_part},
        heading=title(_("Funnel {funnel}").format(funnel=report.funnel), span, span.as_of),
        part=part,
        fmt=fmt,
        after={"stages": lambda: _bars(report.flows)},
    )


SELLER_CLOSED_COLUMNS = (Column("seller", N_("Seller")), *CLOSED_COLUMNS)
SELLER_REASON_COLUMNS = (Column("seller", N_("Seller")), *REASON_COLUMNS)


def _funnel_by_seller(
    ctx: typer.Context,
    funnel_ref: str,
    span: Period,
    part: str | None,
    fmt: OutputFormat | None,
) -> None:
    from povtor.app.sellers import NOBODY, funnel_by_seller

    code, groups = funnel_by_seller(runtime(ctx).db, funnel_ref, span)
    chosen = fmt or default_format()
    # the deals nobody owns: "(nobody)" in machine formats whatever the language
    nobody = _(NOBODY) if chosen is OutputFormat.table else NOBODY

    def seller(group: Any) -> str:
        return nobody if group.seller == NOBODY else str(group.seller)

    def stage_part(_fmt: OutputFormat) -> Listing:
        rows: list[list[Any]] = []
        for group in groups:
            rows.extend(
                [
                    seller(group),
                    f.stage.position,
                    f.stage.code,
                    f.entered,
                    f.moved_on,
                    f.to_next,
                    f.reached_paid,
                    f.to_paid,
                    metrics.number(f.median_days),
                    f.now,
                ]
                for f in group.flows
            )
        return Listing(
            SELLER_COLUMNS,
            rows,
            title=N_("Stages"),
            caption=_("Each deal counts for its owner as of today."),
            empty_message=N_("no stages in the funnel"),
        )

    def closed_part(_fmt: OutputFormat) -> Listing:
        rows = [
            [
                seller(group),
                group.closed.won,
                group.closed.lost,
                group.closed.win_rate,
                metrics.number(group.closed.median_days_to_paid),
                metrics.number(group.closed.mean_days_to_paid),
            ]
            for group in groups
        ]
        return Listing(SELLER_CLOSED_COLUMNS, rows, title=N_("Deals closed in the period"))

    def reason_part(_fmt: OutputFormat) -> Listing:
        rows = [
            [seller(group), r.reason, r.lost, r.share] for group in groups for r in group.reasons
        ]
        return Listing(
            SELLER_REASON_COLUMNS,
            rows,
            title=N_("Loss reasons"),
            empty_message=N_("no deals lost in the period"),
        )

    emit(
        {"stages": stage_part, "closed": closed_part, "reasons": reason_part},
        heading=title(_("Funnel {funnel} by seller").format(funnel=code), span, span.as_of),
        part=part,
        fmt=fmt,
    )

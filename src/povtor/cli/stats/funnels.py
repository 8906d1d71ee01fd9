"""``povtor stats funnel``: deals through the stages of a funnel, and the deals closed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from povtor.app import stats
from povtor.cli.runtime import FormatOption, period_options, runtime
from povtor.cli.stats.printing import emit, figure, part_option, record, title
from povtor.domain import metrics
from povtor.domain.calendar import Period
from povtor.i18n import N_
from povtor.output import Column, Listing, OutputFormat, write_lines

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
    figure("median_days", "Med. days"),
    figure("mean_days", "Mean days"),
    Column("open_stays", N_("Open"), "int"),
    Column("now", N_("Now"), "int"),
)
CLOSED_COLUMNS = (
    Column("won", N_("Won"), "int"),
    Column("lost", N_("Lost"), "int"),
    Column("win_rate", N_("Win rate"), "rate"),
    figure("median_days_to_paid", "Median days to paid"),
    figure("mean_days_to_paid", "Mean days to paid"),
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
    fmt: FormatOption = None,
) -> None:
    """Stage by stage: deals entered, moved on, conversion, days in stage, open now.

    Also, over the deals closed in the period: won, lost, win rate, days from opening
    to payment, and the loss reasons ranked. Default period: this month to date.

    Example: povtor stats funnel --period month --on 2026-10-01
    """
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
        heading=title(f"Funnel {report.funnel}", span, span.as_of),
        part=part,
        fmt=fmt,
        after={"stages": lambda: _bars(report.flows)},
    )

"""The sales parts of the report: the funnel, the nudges per week, revenue and target."""

from __future__ import annotations

from povtor.app.plan import Target
from povtor.app.report import MonthReport
from povtor.domain import metrics
from povtor.parsing import format_money
from povtor.report import svg
from povtor.report.figures import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    RED,
    Fig,
    Section,
    Style,
    Table,
    as_json,
)

OUTCOME_COLOURS = {"yes": GREEN, "no": RED, "later": AMBER, "no_answer": GREY, "pending": "#cbd2d9"}


def currency_option(report: MonthReport) -> str:
    return "" if report.currency == "RUB" else f" --currency {report.currency}"


def month_options(report: MonthReport) -> str:
    return f"--period month --on {report.month.isoformat()}"


# -- the funnel ----------------------------------------------------------------------------
FUNNEL_COLUMNS = (
    ("entered", "int"),
    ("moved_on", "int"),
    ("to_next", "rate"),
    ("to_paid", "rate"),
    ("median_days", "figure"),
    ("mean_days", "figure"),
    ("now", "int"),
)
CLOSED_COLUMNS = (
    ("won", "int"),
    ("lost", "int"),
    ("win_rate", "rate"),
    ("median_days_to_paid", "figure"),
    ("mean_days_to_paid", "figure"),
)


def funnel_section(report: MonthReport, t: Style) -> Section:
    funnel = report.funnel
    name = t.words.get(f"funnel.{funnel.funnel}", funnel.funnel)
    section = Section("funnel", t("funnel.title", funnel=name), t("funnel.lead"))
    section.chart(
        svg.hbars(
            [
                svg.Bar(
                    f.stage.name,
                    f.entered,
                    t.count(f.entered),
                    GREEN if f.stage.is_won else BLUE,
                    note="" if f.to_next is None else f"{t('funnel.to_next')} {t.rate(f.to_next)}",
                )
                for f in funnel.flows
            ],
            title=t("funnel.chart"),
        )
    )
    table = Table(
        [(t("funnel.stage"), False), *((t(f"funnel.{c}"), True) for c, _ in FUNNEL_COLUMNS)]
    )
    for f in funnel.flows:
        values = {
            "entered": f.entered,
            "moved_on": f.moved_on,
            "to_next": f.to_next,
            "to_paid": f.to_paid,
            "median_days": metrics.number(f.median_days),
            "mean_days": metrics.number(f.mean_days),
            "now": f.now,
        }
        key = f"funnel/stages/{f.stage.code}"
        table.add(
            [t.word(f.stage.name), *(t.fig(f"{key}/{c}", k, values[c]) for c, k in FUNNEL_COLUMNS)]
        )
    section.table(table)
    closed = funnel.closed
    values = {
        "won": closed.won,
        "lost": closed.lost,
        "win_rate": closed.win_rate,
        "median_days_to_paid": metrics.number(closed.median_days_to_paid),
        "mean_days_to_paid": metrics.number(closed.mean_days_to_paid),
    }
    section.heading(t("funnel.closed"))
    summary = Table([(t(f"funnel.{c}"), True) for c, _ in CLOSED_COLUMNS])
    summary.add([t.fig(f"funnel/closed/{c}", k, values[c]) for c, k in CLOSED_COLUMNS])
    section.table(summary)
    reasons = Table(
        [(t("funnel.reason"), False), (t("funnel.lost"), True), (t("funnel.share"), True)],
        caption=t("funnel.reasons"),
        empty=t("funnel.no_reasons"),
    )
    for r in funnel.reasons:
        reasons.add(
            [
                t.word(r.reason),
                t.fig(f"funnel/reasons/{r.reason}/lost", "int", r.lost),
                t.fig(f"funnel/reasons/{r.reason}/share", "rate", r.share),
            ]
        )
    section.table(reasons)
    option = "" if funnel.funnel == "repeat" else f" --funnel {funnel.funnel}"
    section.sources.append(f"povtor stats funnel {month_options(report)}{option}")
    return section


# -- nudges per week -----------------------------------------------------------------------
NUDGE_COLUMNS = (
    "closing",
    *metrics.OUTCOME_ORDER,
    "decision_rate",
    "nudge_to_order",
)


def _nudge_cells(t: Style, key: str, row: metrics.NudgeRow) -> list[Fig]:
    return [
        t.fig(f"{key}/closing", "int", row.closing),
        *(t.fig(f"{key}/{o}", "int", row.outcomes[o]) for o in metrics.OUTCOME_ORDER),
        t.fig(f"{key}/decision_rate", "rate", row.decision_rate),
        t.fig(f"{key}/nudge_to_order", "rate", row.conversion),
    ]


def nudge_section(report: MonthReport, t: Style) -> Section:
    section = Section("nudges", t("nudges.title"), t("nudges.lead"))
    weeks = report.weeks
    section.chart(
        svg.columns(
            svg.Columns(
                labels=[t.days(w.span.start, w.span.end) for w in weeks],
                series=[
                    svg.Series(
                        t(f"nudges.{o}"), OUTCOME_COLOURS[o], [w.nudges.outcomes[o] for w in weeks]
                    )
                    for o in metrics.OUTCOME_ORDER
                ],
                title=t("nudges.chart"),
                axis=lambda v: t.count(int(v)),
                tops=[t.rate(w.nudges.decision_rate) if w.nudges.closing else "" for w in weeks],
            )
        )
    )
    table = Table([(t("nudges.week"), False), *((t(f"nudges.{c}"), True) for c in NUDGE_COLUMNS)])
    for w in weeks:
        label = t.days(w.span.start, w.span.end)
        table.add([t.word(label), *_nudge_cells(t, f"nudges/week/{w.span.start}", w.nudges)])
    month = report.nudges.total
    table.add([t.word(t("nudges.month")), *_nudge_cells(t, "nudges/all", month)], "total")
    section.table(table)
    section.note(
        t(
            "nudges.cadence",
            warming=t.count(month.warming),
            closing=t.count(month.closing),
            rule=report.nudges.rule,
        )
    )
    first = weeks[0].span
    section.sources += [
        f"povtor stats nudges {month_options(report)}",
        f"povtor stats nudges --from {first.start} --to {first.end}",
    ]
    section.sources_note = t("source.each_week")
    return section


# -- revenue and the target ----------------------------------------------------------------
def target_table(target: Target, t: Style, *, over: bool = False) -> Table:
    """The figures of ``plan target --format json``, each with its json value in data-v;
    for a month that is over, what was paid against the goal (nothing is left to plan)."""
    from povtor.output import machine_value

    measure = target.forecast.conversion
    rows: list[tuple[str, str, object]] = [
        ("target", t.money(target.goal_minor), format_money(target.goal_minor)),
        ("paid_so_far", t.money(target.paid_minor), format_money(target.paid_minor)),
        ("paid_deals_so_far", t.count(target.paid_deals), target.paid_deals),
        ("progress", t.rate(target.progress), machine_value("rate", target.progress)),
        ("remaining", t.money(target.remaining_minor), format_money(target.remaining_minor)),
    ]
    if not over:
        rows += [
            (
                "average_check",
                t.money(target.forecast.check_minor),
                format_money(target.forecast.check_minor),
            ),
            (
                "nudge_to_order",
                t.rate(measure.rate) + ("" if measure.measured else " " + t("target.fallback")),
                machine_value("rate", measure.rate),
            ),
            ("nudged_deals", t.count(measure.nudged), measure.nudged),
            ("paid_nudged_deals", t.count(measure.paid), measure.paid),
            ("paid_deals_needed", t.count(target.deals_needed), target.deals_needed),
            ("nudges_needed", t.count(target.nudges_needed), target.nudges_needed),
            ("working_days_left", t.count(target.working_days_left), target.working_days_left),
            ("nudges_per_day", t.count(target.nudges_per_day), target.nudges_per_day),
        ]
    table = Table([(t("target.what"), False), (t("target.value"), True)], css_class="kv")
    for what, text, machine in rows:
        table.add([t.word(t(f"target.{what}")), Fig(text, f"target/{what}", as_json(machine))])
    return table


def revenue_section(report: MonthReport, t: Style) -> Section:
    section = Section("revenue", t("revenue.title"), t("revenue.lead"))
    target = report.target
    running = 0
    cumulative = []
    for w in report.weeks:
        running += w.paid_minor
        cumulative.append(running)
    level = None
    if target is not None:
        goal = target.goal_minor / 100
        level = svg.Level(goal, t("revenue.target_line", goal=t.short_money(goal)))
    section.chart(
        svg.columns(
            svg.Columns(
                labels=[t.days(w.span.start, w.span.end) for w in report.weeks],
                series=[
                    svg.Series(
                        t("revenue.week_paid"), BLUE, [w.paid_minor / 100 for w in report.weeks]
                    )
                ],
                line=svg.Series(t("revenue.cumulative"), GREEN, [c / 100 for c in cumulative]),
                level=level,
                title=t("revenue.chart"),
                axis=t.short_money,
                height=240,
            )
        )
    )
    table = Table(
        [
            (t("revenue.week"), False),
            (t("revenue.deals"), True),
            (t("revenue.paid"), True),
            (t("revenue.cumulative"), True),
        ]
    )
    for w, total in zip(report.weeks, cumulative, strict=True):
        key = f"revenue/week/{w.span.start}"
        table.add(
            [
                t.word(t.days(w.span.start, w.span.end)),
                t.fig(f"{key}/deals", "int", w.paid_deals),
                t.fig(f"{key}/paid", "money", w.paid_minor),
                t.fig(None, "money", total),
            ]
        )
    table.add(
        [
            t.word(t("revenue.month")),
            t.fig("revenue/month/deals", "int", report.paid_deals),
            t.fig("revenue/month/paid", "money", report.paid_minor),
            t.fig(None, "money", report.paid_minor),
        ],
        "total",
    )
    section.table(table)
    if target is None:
        section.note(t("revenue.no_target"))
        return section
    section.heading(t("target.title"))
    section.table(target_table(target, t, over=report.month_over))
    if not report.month_over:  # (plan target aims at this month or a later one only)
        goal_minor = target.goal_minor
        amount = str(goal_minor // 100) if goal_minor % 100 == 0 else format_money(goal_minor)
        section.sources.append(
            f"povtor plan target --revenue {amount} --month {report.month:%Y-%m}"
            + currency_option(report)
        )
    return section

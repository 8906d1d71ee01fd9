"""The report page: :class:`~povtor.app.report.MonthReport` laid out in sections of
charts and tables, rendered by the Jinja2 template ``templates/report.html.j2``.

The figures come from the use cases of ``povtor stats`` and ``plan`` as they are; the
modules here only choose words and pictures for them, and name under each section the
command that prints the same figures.
"""

from __future__ import annotations

import datetime as dt

from povtor.app.report import MonthReport
from povtor.report import clients, sales
from povtor.report.figures import Section, Style, Tile


def tiles(report: MonthReport, t: Style) -> list[Tile]:
    """The key figures at the top of the page."""
    closed = report.funnel.closed
    nudges = report.nudges.total
    everyone = report.repeat[0]
    stuck = sum(1 for d in report.due if d.rule == "stuck")
    target = report.target
    paid = (
        t("kpi.of_target", progress=t.rate(target.progress), goal=t.money(target.goal_minor))
        if target is not None
        else t("kpi.no_target")
    )
    return [
        Tile(
            t("kpi.paid"),
            t.fig("revenue/month/paid", "money", report.paid_minor),
            f"{paid}; {t('kpi.deals', count=t.count(report.paid_deals))}",
        ),
        Tile(
            t("kpi.closing"),
            t.fig("nudges/all/closing", "int", nudges.closing),
            t("kpi.decided", rate=t.rate(nudges.decision_rate)),
        ),
        Tile(
            t("kpi.win_rate"),
            t.fig("funnel/closed/win_rate", "rate", closed.win_rate),
            t("kpi.closed", won=t.count(closed.won), lost=t.count(closed.lost)),
        ),
        Tile(
            t("kpi.repeat"),
            t.fig("repeat/all/repeat_rate", "rate", everyone.repeat_rate),
            t("kpi.buyers", buyers=t.count(everyone.buyers)),
        ),
        Tile(
            t("kpi.silent"),
            t.fig("repeat/all/silent", "int", everyone.silent),
            t("kpi.silent_days", days=report.silent_days),
        ),
        Tile(
            t("kpi.due"),
            t.fig(None, "int", len(report.due)),
            t("kpi.due_detail", stuck=stuck, follow=len(report.due) - stuck),
        ),
    ]


def sections(report: MonthReport, t: Style) -> list[Section]:
    return [
        sales.funnel_section(report, t),
        sales.nudge_section(report, t),
        sales.revenue_section(report, t),
        clients.repeat_section(report, t),
        clients.clients_section(report, t),
        clients.source_section(report, t),
        clients.due_section(report, t),
    ]


def render(report: MonthReport | None, *, lang: str, made_on: dt.date, version: str) -> str:
    """The whole page: ``report``'s figures in ``lang`` (ru, en), or a page saying there
    is nothing yet (``None``)."""
    import jinja2
    from markupsafe import Markup

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("povtor.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    t = Style(lang)
    page: dict[str, object] = {
        "lang": lang,
        "t": t,
        "version": version,
        "made_on": t.date(made_on),
        "report": report,
        "svg": Markup,  # the charts: SVG text built (and escaped) by povtor.report.svg
    }
    if report is not None:
        page |= {
            "title": t("title", month=t.month(report.month)),
            "subtitle": t(
                "subtitle",
                start=t.date(report.span.start),
                end=t.date(report.span.end),
                as_of=t.date(report.as_of),
            ),
            "money_in": t("money.in", currency=report.currency),
            "tiles": tiles(report, t),
            "sections": sections(report, t),
        }
    return environment.get_template("report.html.j2").render(page)

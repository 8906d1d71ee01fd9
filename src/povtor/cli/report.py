"""``povtor report``: a month on one page, for the owner of the business: an HTML file
with inline styles and charts, nothing fetched from the network."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from povtor import i18n
from povtor.cli.files import write_atomically
from povtor.cli.runtime import choose, runtime
from povtor.i18n import _
from povtor.output import message


def report(
    ctx: typer.Context,
    month: Annotated[
        str | None,
        typer.Option("--month", "-m", help="YYYY-MM (default: this month, to date)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="The HTML file to write ('-': standard output). "
            "Default: povtor-report-YYYY-MM.html here.",
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target", "-t", help="The month's revenue target, as in plan target --revenue."
        ),
    ] = None,
    funnel: Annotated[
        str, typer.Option("--funnel", help="The funnel to show: repeat, first or refusal.")
    ] = "repeat",
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency", help="Money counts deals in this currency (default: most deals')."
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="ru or en (default: the language of the run).")
    ] = None,
) -> None:
    """Write a month's report as one self-contained HTML page, ready to print to PDF.

    The funnel with its conversions and days in stage, won and lost; nudges per week by
    outcome; revenue per week against the month's target; repeat purchases and cohorts;
    ABC, perks and cards per category; lead sources; the deals stuck and the follow-ups
    due as of today. Each figure is the one the povtor stats (or plan) command named
    under its part prints for the same period.

    Example: povtor report --month 2026-02 --target 12000000 -o february.html
    """
    from povtor import __version__
    from povtor.app import report as month_report
    from povtor.domain.calendar import parse_month
    from povtor.domain.cells import parse_currency
    from povtor.parsing import parse_amount
    from povtor.report.page import render

    state = runtime(ctx)
    db = state.db
    today = state.clock.today
    first = parse_month(month) if month is not None else today.replace(day=1)
    goal = parse_amount(target, field="--target") if target is not None else None
    code = parse_currency(currency, field="--currency") if currency is not None else None
    language = choose(lang, ("ru", "en"), option="--lang") or i18n.current()
    data = (
        month_report.month_report(
            db, today, month=first, funnel=funnel, target_minor=goal, currency=code
        )
        if month_report.has_data(db)
        else None
    )
    page = render(data, lang=language, made_on=today, version=__version__)
    if output is not None and str(output) == "-":
        sys.stdout.write(page)
        return
    path = output or Path(f"povtor-report-{first:%Y-%m}.html")
    write_atomically(path, lambda stream: stream.write(page))  # (whole or not at all)
    written = _("report for {month} written to {path}").format(month=f"{first:%Y-%m}", path=path)
    message(written + ("" if data else _(" (no data yet)")))
    print(path)

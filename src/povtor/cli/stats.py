"""``povtor stats``: the numbers a repeat seller steers by, each defined in the README.

Every report is as of the as-of date (today, or ``--today``): nothing dated after it
counts. SQL in :mod:`povtor.storage.stats_queries` gathers the facts, the figures are
computed by :mod:`povtor.domain.metrics`, and this module only picks options and prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

from povtor.cli.perks import stats_perks
from povtor.cli.runtime import FormatOption, choose, command_group, runtime, writing
from povtor.domain import metrics
from povtor.domain.calendar import trailing_year
from povtor.domain.cells import parse_currency
from povtor.domain.metrics import Period
from povtor.domain.vocabulary import CHANNELS
from povtor.errors import InvalidInput, NotFound
from povtor.output import (
    Column,
    Listing,
    OutputFormat,
    default_format,
    message,
    people_value,
    render,
    stdout_console,
)
from povtor.parsing import format_money, parse_amount, parse_date
from povtor.storage import queries, stats_queries
from povtor.storage.database import to_date
from povtor.text import clean_text, fold

app = command_group(
    help="Statistics: funnel conversion, nudge outcomes, repeat purchases, cohorts, lead "
    "sources, touches per deal and the ABC split, as of today (--today).",
    no_args_is_help=True,
)
spend_app = command_group(
    help="Money spent per lead source, for the cost per sale in stats sources.",
    no_args_is_help=True,
)
app.add_typer(spend_app, name="spend")
app.command("perks")(stats_perks)  # perk touches per client: povtor.cli.perks

From = Annotated[
    str | None,
    typer.Option("--from", help="First day counted: YYYY-MM-DD, DD.MM.YYYY or -30 (days ago)."),
]
To = Annotated[
    str | None,
    typer.Option("--to", help="Last day counted (default and latest: the as-of date)."),
]
PeriodKind = Annotated[
    str | None,
    typer.Option("--period", help="month, quarter or year: the calendar period containing --date."),
]
OnDate = Annotated[
    str | None, typer.Option("--date", help="A day in the --period (default: today).")
]
Currency = Annotated[
    str, typer.Option("--currency", help="Money figures count amounts in this currency only.")
]
DATE_HINT = "e.g. --period month --date 2026-10-01"


# -- the period ----------------------------------------------------------------------------
def resolve_period(
    as_of: dt.date,
    from_: str | None,
    to: str | None,
    period: str | None,
    date: str | None,
    *,
    default: str,
) -> Period | None:
    """The days a report counts, from ``--from/--to`` or ``--period/--date``.

    ``default`` applies without either: ``month`` (the calendar month of the as-of
    date), ``year`` (the 12 months ending on it), ``months`` (the 12 calendar months
    ending with its month) or ``all`` (no period: ``None``). The end is never after
    the as-of date.
    """
    if period and (from_ or to):
        raise InvalidInput(
            "give either --period or --from/--to, not both",
            hint="e.g. --period month --date 2026-10-01, or --from 2026-10-01 --to 2026-10-31",
        )
    if date and not period:
        raise InvalidInput(
            "--date goes with --period", hint="e.g. --period month --date 2026-10-01"
        )
    if period:
        kind = choose(period, metrics.PERIOD_KINDS, option="--period") or "month"
        day = parse_date(date, field="--date", today=as_of) if date else as_of
        start, end = metrics.calendar_period(kind, day)
    elif from_ or to:
        start = parse_date(from_, field="--from", today=as_of) if from_ else dt.date.min
        end = parse_date(to, field="--to", today=as_of) if to else as_of
    elif default == "all":
        return None
    elif default == "year":
        start, end = trailing_year(as_of)
    elif default == "months":
        start = metrics.month_first_day(metrics.month_index(as_of) - metrics.COHORT_MONTHS + 1)
        end = as_of
    else:
        start, end = metrics.calendar_period("month", as_of)
    if start > as_of:
        raise InvalidInput(
            f"the period starts on {start.isoformat()}, after the as-of date {as_of.isoformat()}",
            hint="choose an earlier period, or a later as-of date with --today",
        )
    if start > end:
        raise InvalidInput(
            f"--from {start.isoformat()} is after --to {end.isoformat()}",
            hint="give the earlier day as --from",
        )
    return Period(start=start, end=min(end, as_of), as_of=as_of)


def _period(ctx: typer.Context, *args: str | None, default: str) -> Period:
    found = resolve_period(runtime(ctx).clock.today, *args, default=default)  # type: ignore[arg-type]
    assert found is not None
    return found


def _title(what: str, period: Period | None, as_of: dt.date) -> str:
    span = f", {period.label}" if period is not None else ""
    return f"{what}{span} (as of {as_of.isoformat()})"


# -- printing ------------------------------------------------------------------------------
def figure(key: str, header: str) -> Column:
    """A column of numbers that may have decimals (a median of days: 12.5)."""
    return Column(key, header, "text", justify="right")


def record(
    columns: Sequence[Column], values: Sequence[Any], title: str, fmt: OutputFormat
) -> Listing:
    """One record: a What/Value table for people, one row for the machine formats."""
    if fmt is not OutputFormat.table:
        return Listing(columns, [list(values)], title=title)
    rows = [
        [c.header, people_value(c.kind, v) if v is not None else "no data"]
        for c, v in zip(columns, values, strict=True)
    ]
    return Listing(
        (Column("what", "What"), Column("value", "Value", justify="right")), rows, title=title
    )


Part = Callable[[OutputFormat], Listing]


def emit(
    parts: dict[str, Part],
    *,
    heading: str,
    part: str | None,
    fmt: OutputFormat | None,
    on_table: Sequence[str] | None = None,
    after: dict[str, Callable[[], None]] | None = None,
) -> None:
    """Print one part (``--part``, or the first in a machine format) or, in a table, the
    parts listed in ``on_table`` (default: all of them) one after another under a
    ``heading`` line (the report and its period)."""
    chosen = fmt or default_format()
    names = list(parts)
    if part is not None:
        wanted = choose(part, tuple(names), option="--part")
        shown = [wanted or names[0]]
    elif chosen is OutputFormat.table:
        shown = list(on_table or names)
    else:
        shown = [names[0]]
    if chosen is OutputFormat.table:
        from rich.text import Text

        stdout_console().print(Text(heading, style="bold"))
    for index, name in enumerate(shown):
        if index and chosen is OutputFormat.table:
            stdout_console().print()
        render(parts[name](chosen), chosen)
        if after and name in after and chosen is OutputFormat.table:
            after[name]()


def _part_option(names: str, default: str) -> Any:
    return typer.Option(
        "--part", help=f"Which part to print: {names} (machine formats: {default})."
    )


# -- funnel --------------------------------------------------------------------------------
FUNNEL_COLUMNS = (
    Column("position", "#", "int"),
    Column("stage", "Stage"),
    Column("name", "Name"),
    Column("entered", "Entered", "int"),
    Column("moved_on", "Moved", "int"),
    Column("to_next", "→next", "rate"),
    Column("reached_paid", "Paid", "int"),
    Column("to_paid", "→paid", "rate"),
    Column("stays", "Stays", "int"),
    figure("median_days", "Med. days"),
    figure("mean_days", "Mean days"),
    Column("open_stays", "Open", "int"),
    Column("now", "Now", "int"),
)
CLOSED_COLUMNS = (
    Column("won", "Won", "int"),
    Column("lost", "Lost", "int"),
    Column("win_rate", "Win rate", "rate"),
    figure("median_days_to_paid", "Median days to paid"),
    figure("mean_days_to_paid", "Mean days to paid"),
)
REASON_COLUMNS = (
    Column("reason", "Reason"),
    Column("lost", "Lost", "int"),
    Column("share", "Share", "rate"),
)


def _bars(flows: Sequence[metrics.StageFlow]) -> None:
    """The stages as horizontal bars, longest = most deals entered."""
    from rich.table import Table
    from rich.text import Text

    console = stdout_console()
    widest = max((f.entered for f in flows), default=0)
    room = max(10, min(60, console.width - 40))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    for flow in flows:
        length = round(room * flow.entered / widest) if widest else 0
        if flow.entered and not length:
            length = 1
        bar = Text("█" * length, style="green" if flow.stage.is_won else "cyan")
        grid.add_row(Text(flow.stage.code), bar, Text(str(flow.entered)))
    console.print(grid)


@app.command("funnel")
def funnel(
    ctx: typer.Context,
    funnel_ref: Annotated[
        str, typer.Option("--funnel", help="The funnel: repeat, first or refusal.")
    ] = "repeat",
    from_: From = None,
    to: To = None,
    period: PeriodKind = None,
    date: OnDate = None,
    part: Annotated[str | None, _part_option("stages, closed or reasons", "stages")] = None,
    fmt: FormatOption = None,
) -> None:
    """Stage by stage: deals entered, moved on, conversion, days in stage, open now.

    Also, over the deals closed in the period: won, lost, win rate, days from opening
    to payment, and the loss reasons ranked. Default period: this month to date.

    Example: povtor stats funnel --period month --date 2026-10-01
    """
    state = runtime(ctx)
    db = state.db
    as_of = state.clock.today
    span = _period(ctx, from_, to, period, date, default="month")
    funnel_row = queries.find_funnel(db, funnel_ref)
    stages = stats_queries.stages(db, funnel_row["id"])
    changes = stats_queries.funnel_changes(db, [s.id for s in stages], span.start, span.end, as_of)
    now = stats_queries.open_at_stages(db, funnel_row["id"], as_of)
    flows = metrics.funnel_flow(stages, changes, span.start, span.end, now)
    closed = stats_queries.closed_deals(db, funnel_row["id"], span.start, span.end, as_of)
    summary = metrics.closed_summary(closed)
    reasons = metrics.lost_reasons(closed)
    name = funnel_row["code"]

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
            for f in flows
        ]
        return Listing(FUNNEL_COLUMNS, rows, title="Stages")

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
            [[r.reason, r.lost, r.share] for r in reasons],
            title="Loss reasons",
            empty_message="no deals lost in the period",
        )

    emit(
        {"stages": stage_part, "closed": closed_part, "reasons": reason_part},
        heading=_title(f"Funnel {name}", span, as_of),
        part=part,
        fmt=fmt,
        after={"stages": lambda: _bars(flows)},
    )


# -- nudges --------------------------------------------------------------------------------
NUDGE_COLUMNS = (
    Column("by", "By"),
    Column("group", "Group"),
    Column("closing", "Closing", "int"),
    Column("yes", "Yes", "int"),
    Column("no", "No", "int"),
    Column("later", "Later", "int"),
    Column("no_answer", "No ans.", "int"),
    Column("pending", "Pend.", "int"),
    Column("decision_rate", "Decided", "rate"),
    Column("on_deal", "On deal", "int"),
    Column("paid", "Paid", "int"),
    Column("nudge_to_order", "→order", "rate"),
    Column("warming", "Warm.", "int"),
    figure("warming_per_closing", "W:C"),
)


@app.command("nudges")
def nudges(
    ctx: typer.Context,
    from_: From = None,
    to: To = None,
    period: PeriodKind = None,
    date: OnDate = None,
    fmt: FormatOption = None,
) -> None:
    """Closing touches by outcome, decision rate, nudge→order conversion, the 5:1 rule.

    One row for all touches in the period, then one per channel and one per stage.
    Default period: this month to date.

    Example: povtor stats nudges --period quarter --format csv
    """
    from povtor.storage.plan_queries import load_settings

    state = runtime(ctx)
    db = state.db
    as_of = state.clock.today
    span = _period(ctx, from_, to, period, date, default="month")
    labels, order = stats_queries.stage_labels(db)
    tallies = stats_queries.touch_tallies(db, span.start, span.end, as_of, labels)
    rows = metrics.nudge_table(tallies, CHANNELS, order)
    rule = load_settings(db).int("plan.warming_per_closing")
    total = rows[0]
    ratio = total.warming_per_closing
    if ratio is None:
        verdict = "no closing touches"
    else:
        verdict = metrics.cadence_verdict(total.warming, total.closing, rule)
        verdict = f"{ratio}:1, {'below' if verdict == 'below' else 'meets'} the rule"
    caption = (
        f"Warming:closing {total.warming}:{total.closing} = {verdict} of {rule}:1 "
        "(plan.warming_per_closing)."
    )
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
                r.converted,
                r.conversion,
                r.warming,
                metrics.number(r.warming_per_closing),
            ]
            for r in rows
        ],
        title=_title("Nudges", span, as_of),
        caption=caption,
        row_styles=["bold" if r.by == "all" else None for r in rows],
    )
    render(listing, fmt)


# -- repeat purchases ----------------------------------------------------------------------
REPEAT_COLUMNS = (
    Column("category", "Category"),
    Column("buyers", "Buyers", "int"),
    Column("repeat_buyers", "Repeat buyers", "int"),
    Column("repeat_rate", "Repeat rate", "rate"),
    Column("purchases", "Purchases", "int"),
    figure("median_days_between", "Median days between"),
    figure("mean_days_between", "Mean days between"),
    Column("silent", "Silent", "int"),
    Column("silent_share", "Silent share", "rate"),
    Column("revenue", "Revenue", "money"),
    Column("average_check", "Average check", "money"),
)


@app.command("repeat")
def repeat(
    ctx: typer.Context,
    from_: From = None,
    to: To = None,
    period: PeriodKind = None,
    date: OnDate = None,
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
    db = state.db
    as_of = state.clock.today
    span = resolve_period(as_of, from_, to, period, date, default="all")
    code = parse_currency(currency, field="--currency")
    bought = stats_queries.purchases(db, as_of, code)
    rows = metrics.repeat_table(
        bought,
        stats_queries.client_categories(db),
        as_of=as_of,
        silent_days=silent_days,
        first_from=span.start if span else None,
        first_to=span.end if span else None,
    )
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
            title=_title(what, span, as_of),
            caption=f"Silent: last purchase more than {silent_days} days before "
            f"{as_of.isoformat()}. Money in {code}.",
            row_styles=["bold"],
        ),
        fmt,
    )


# -- cohorts -------------------------------------------------------------------------------
COHORT_COLUMNS = (
    Column("cohort", "First purchase"),
    Column("size", "Clients", "int"),
    *(Column(f"m{k}", f"m{k}", "rate") for k in range(1, metrics.COHORT_MONTHS + 1)),
)


@app.command("cohorts")
def cohorts(
    ctx: typer.Context,
    from_: From = None,
    to: To = None,
    period: PeriodKind = None,
    date: OnDate = None,
    fmt: FormatOption = None,
) -> None:
    """Retention by month of first purchase: the share buying again in months 1..12.

    One row per cohort month in the period (default: the 12 months up to this one);
    cell mK = share of the cohort with a paid deal in the K-th month after its first.

    Example: povtor stats cohorts --from 2025-01-01 --to 2025-12-31
    """
    state = runtime(ctx)
    db = state.db
    as_of = state.clock.today
    span = _period(ctx, from_, to, period, date, default="months")
    bought = stats_queries.purchases(db, as_of, "RUB")  # amounts do not matter here
    rows = metrics.cohort_table(
        bought, metrics.month_index(span.start), metrics.month_index(span.end), as_of
    )
    render(
        Listing(
            COHORT_COLUMNS,
            [[r.month, r.size, *r.cells] for r in rows],
            title=_title("Cohorts by month of first purchase", span, as_of),
            empty_message="no paid deals yet: no cohorts",
        ),
        fmt,
    )


# -- sources -------------------------------------------------------------------------------
SOURCE_COLUMNS = (
    Column("source", "Source"),
    Column("leads", "Leads", "int"),
    Column("paying", "Paying", "int"),
    Column("conversion", "Conversion", "rate"),
    Column("spend", "Spend", "money"),
    Column("acps", "ACPS", "money"),
    Column("paid_deals", "Paid deals", "int"),
    Column("average_check", "Average check", "money"),
    Column("volume", "Volume", "money"),
)


@app.command("sources")
def sources(
    ctx: typer.Context,
    from_: From = None,
    to: To = None,
    period: PeriodKind = None,
    date: OnDate = None,
    currency: Currency = "RUB",
    fmt: FormatOption = None,
) -> None:
    """Per lead source: leads, paying clients, conversion, spend, ACPS, check, volume.

    Leads are the clients created in the period (default: this month to date); what
    they bought counts up to today. ACPS = spend in the period / paying clients.

    Example: povtor stats sources --period quarter --date 2026-07-01
    """
    state = runtime(ctx)
    db = state.db
    as_of = state.clock.today
    span = _period(ctx, from_, to, period, date, default="month")
    code = parse_currency(currency, field="--currency")
    rows = metrics.source_table(
        stats_queries.lead_tallies(db, span.start, span.end, as_of, code),
        stats_queries.spends(db, span.start, span.end, code),
        span.start,
        span.end,
    )
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
            title=_title("Lead sources", span, as_of),
            caption=f"Money in {code}; spend pro-rated by days to the period "
            "(povtor stats spend add).",
            empty_message="no leads and no spend in the period",
        ),
        fmt,
    )


# -- touches -------------------------------------------------------------------------------
LOW, HIGH = metrics.SEED_TOUCHES
TOUCH_SUMMARY_COLUMNS = (
    Column("deals", "Won deals", "int"),
    figure("median_touches", "Median touches"),
    figure("mean_touches", "Mean touches"),
    Column(f"below_{LOW}", f"Below {LOW}", "int"),
    Column(f"below_{LOW}_share", f"Below {LOW} share", "rate"),
    Column(f"from_{LOW}_to_{HIGH}", f"{LOW}-{HIGH}", "int"),
    Column(f"from_{LOW}_to_{HIGH}_share", f"{LOW}-{HIGH} share", "rate"),
    Column(f"above_{HIGH}", f"Above {HIGH}", "int"),
    Column(f"above_{HIGH}_share", f"Above {HIGH} share", "rate"),
)
TOUCH_DISTRIBUTION_COLUMNS = (
    Column("touches", "Touches", "int"),
    Column("deals", "Deals", "int"),
    Column("share", "Share", "rate"),
    Column("band", "Band"),
)
CADENCE_COLUMNS = (
    Column("client_id", "ID", "int"),
    Column("client", "Client"),
    Column("warming", "Warming", "int"),
    Column("closing", "Closing", "int"),
    figure("warming_per_closing", "Warming per closing"),
    Column("rule", "Rule"),
)


@app.command("touches")
def touches(
    ctx: typer.Context,
    funnel_ref: Annotated[
        str, typer.Option("--funnel", help="Whose won deals: first (default), repeat, refusal.")
    ] = "first",
    from_: From = None,
    to: To = None,
    period: PeriodKind = None,
    date: OnDate = None,
    part: Annotated[str | None, _part_option("summary, distribution or clients", "summary")] = None,
    fmt: FormatOption = None,
) -> None:
    """Touches per won first-sale deal against the seed's 5-12; warming:closing per client.

    Counts every touch on a deal paid in the period (default: this month to date),
    from its opening day to its payment day. --part clients: each client's warming and
    closing touches in the period against the 5:1 rule.

    Example: povtor stats touches --period year --part distribution
    """
    from povtor.storage.plan_queries import load_settings

    state = runtime(ctx)
    db = state.db
    as_of = state.clock.today
    span = _period(ctx, from_, to, period, date, default="month")
    funnel_row = queries.find_funnel(db, funnel_ref)
    name = funnel_row["code"]

    def counts() -> dict[int, int]:
        return stats_queries.touches_per_won_deal(db, funnel_row["id"], span.start, span.end, as_of)

    def summary_part(fmt_: OutputFormat) -> Listing:
        s = metrics.touch_summary(counts())
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
        return record(TOUCH_SUMMARY_COLUMNS, values, f"Touches per won {name} deal", fmt_)

    def distribution_part(_fmt: OutputFormat) -> Listing:
        return Listing(
            TOUCH_DISTRIBUTION_COLUMNS,
            [list(row) for row in metrics.touch_distribution(counts())],
            title="Distribution",
            empty_message=f"no {name} deals paid in the period",
        )

    def clients_part(_fmt: OutputFormat) -> Listing:
        rule = load_settings(db).int("plan.warming_per_closing")
        found = sorted(
            stats_queries.cadence_by_client(db, span.start, span.end),
            key=lambda r: (fold(r["name"]), r["id"]),
        )
        rows = []
        for r in found:
            warming, closing = int(r["warming"]), int(r["closing"])
            ratio = metrics.number(metrics.per(warming, closing))
            rows.append(
                [
                    r["id"],
                    r["name"],
                    warming,
                    closing,
                    ratio,
                    metrics.cadence_verdict(warming, closing, rule),
                ]
            )
        return Listing(
            CADENCE_COLUMNS,
            rows,
            title=f"Warming:closing per client (rule {rule}:1)",
            empty_message="no warming or closing touches in the period",
        )

    emit(
        {"summary": summary_part, "distribution": distribution_part, "clients": clients_part},
        part=part,
        fmt=fmt,
        heading=_title(f"Touches, {name} funnel", span, as_of),
        on_table=("summary", "distribution"),
    )


# -- ABC -----------------------------------------------------------------------------------
ABC_COLUMNS = (
    Column("rank", "#", "int"),
    Column("client_id", "ID", "int"),
    Column("client", "Client"),
    Column("revenue", "Revenue", "money"),
    Column("share", "Share", "rate"),
    Column("cumulative_share", "Cumulative", "rate"),
    Column("abc", "ABC"),
    Column("category", "Now"),
    Column("differs", "Differs", "bool"),
)


@app.command("abc")
def abc(
    ctx: typer.Context,
    from_: From = None,
    to: To = None,
    period: PeriodKind = None,
    date: OnDate = None,
    top: Annotated[
        bool, typer.Option("--top", help="Only the top 10% of buying clients (backend offers).")
    ] = False,
    changed: Annotated[
        bool, typer.Option("--changed", help="Only clients whose ABC differs from their category.")
    ] = False,
    currency: Currency = "RUB",
    fmt: FormatOption = None,
) -> None:
    """ABC split of active clients by revenue over the 12 months to today.

    Cumulative share of revenue before a client below 80% → A, below 95% → B, the rest
    (and clients without revenue) → C; compared with the category each has now.

    Example: povtor stats abc --changed --format csv
    """
    state = runtime(ctx)
    db = state.db
    as_of = state.clock.today
    span = _period(ctx, from_, to, period, date, default="year")
    code = parse_currency(currency, field="--currency")
    ranked = metrics.abc_split(stats_queries.client_revenues(db, span.start, span.end, as_of, code))
    shown = metrics.top_clients(ranked) if top else ranked
    if changed:
        shown = [r for r in shown if r.differs]
    counts = {k: sum(1 for r in ranked if r.abc == k) for k in "ABC"}
    caption = (
        f"A {counts['A']}, B {counts['B']}, C {counts['C']} clients; "
        f"{sum(1 for r in ranked if r.differs)} differ from their category. Money in {code}."
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
            title=_title("ABC by revenue" + (", top 10%" if top else ""), span, as_of),
            caption=caption,
            empty_message="no paid deals in the period: nothing to rank"
            if not ranked
            else "no clients match",
            row_styles=["yellow" if r.differs else None for r in shown],
        ),
        fmt,
    )


# -- cards -----------------------------------------------------------------------------------
CARD_COLUMNS = (
    Column("category", "Category"),
    Column("clients", "Clients", "int"),
    Column("norm", "Norm", "int"),
    Column("at_norm", "At norm", "int"),
    Column("share", "Share", "rate"),
    figure("mean_facts", "Mean facts"),
    figure("median_facts", "Median facts"),
)
BELOW_COLUMNS = (
    Column("client_id", "ID", "int"),
    Column("client", "Client"),
    Column("category", "Category"),
    Column("facts", "Facts", "int"),
    Column("norm", "Norm", "int"),
    Column("missing", "Missing", "int"),
)


@app.command("cards")
def cards(
    ctx: typer.Context,
    below: Annotated[
        bool, typer.Option("--below", help="List the clients whose card is below the norm.")
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """Client card completeness: talking facts against each category's norm.

    Per category (and uncategorised, and all): active clients, the norm (card.norm.A|B|C),
    clients at or above it and their share, mean and median talking facts. --below lists
    the clients below the norm and how many facts each is missing.

    Example: povtor stats cards --below --format csv
    """
    from povtor.domain.cards import below_norm, completeness_table
    from povtor.storage.card_queries import client_fact_counts
    from povtor.storage.plan_queries import load_settings

    state = runtime(ctx)
    db = state.db
    as_of = state.clock.today
    settings = load_settings(db)
    counts = client_fact_counts(db, as_of)
    if below:
        rows = below_norm(((c.client_id, c.name, c.category, c.facts) for c in counts), settings)
        render(
            Listing(
                BELOW_COLUMNS,
                [list(r) for r in rows],
                title=f"Cards below the norm (as of {as_of.isoformat()})",
                empty_message="every categorised client's card meets its norm",
            ),
            fmt,
        )
        return
    table = completeness_table(((c.category, c.facts) for c in counts), settings)
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
            caption="Talking facts noted by the as-of date, active clients. The share of all "
            "is of the categorised clients.",
            row_styles=["bold" if r.category == "all" else None for r in table],
        ),
        fmt,
    )


# -- spend per source ----------------------------------------------------------------------
SPEND_COLUMNS = (
    Column("id", "ID", "int"),
    Column("source", "Source"),
    Column("period_start", "From", "date"),
    Column("period_end", "To", "date"),
    Column("days", "Days", "int"),
    Column("amount", "Amount", "money"),
    Column("currency", "Cur"),
    Column("note", "Note"),
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

    Give the days as --from D --to D, or as --period month|quarter|year [--date D].

    Example: povtor stats spend add выставка 150000 --from 2026-10-01 --to 2026-10-31
    """
    state = runtime(ctx)
    today = state.clock.today
    name = clean_text(source, field="SOURCE", required=True) or ""
    minor = parse_amount(amount, field="AMOUNT")
    code = parse_currency(currency, field="--currency")
    text = clean_text(note, field="--note")
    if period and (from_ or to):
        raise InvalidInput(
            "give either --period or --from and --to, not both", hint="e.g. --period month"
        )
    if date and not period:
        raise InvalidInput(
            "--date goes with --period", hint="e.g. --period month --date 2026-10-01"
        )
    if period:
        kind = choose(period, metrics.PERIOD_KINDS, option="--period") or "month"
        start, end = metrics.calendar_period(
            kind, parse_date(date, field="--date", today=today) if date else today
        )
    elif from_ and to:
        start = parse_date(from_, field="--from", today=today)
        end = parse_date(to, field="--to", today=today)
    else:
        raise InvalidInput(
            "say which days the money was spent on",
            hint="add --from 2026-10-01 --to 2026-10-31, or --period month",
        )
    if start > end:
        raise InvalidInput(
            f"--from {start.isoformat()} is after --to {end.isoformat()}",
            hint="give the earlier day as --from",
        )
    with writing(ctx) as (_session, db, _clock):
        cursor = db.execute(
            """INSERT INTO source_spend (source, period_start, period_end, amount_minor,
                                         currency, note) VALUES (?, ?, ?, ?, ?, ?)""",
            (name, start.isoformat(), end.isoformat(), minor, code, text),
        )
        new_id = cursor.lastrowid
    message(
        f"recorded spend #{new_id}: {name} {format_money(minor, grouped=True)} {code} "
        f"for {start.isoformat()} – {end.isoformat()}"
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

    Example: povtor stats spend list --source выставка --format csv
    """
    rows = stats_queries.spend_records(runtime(ctx).db)
    if source:
        wanted = fold(" ".join(source.split()))
        rows = [r for r in rows if fold(" ".join(r["source"].split())) == wanted]
    render(
        Listing(
            SPEND_COLUMNS,
            [
                [
                    r["id"],
                    r["source"],
                    to_date(r["period_start"]),
                    to_date(r["period_end"]),
                    (to_date(r["period_end"]) - to_date(r["period_start"])).days + 1,  # type: ignore[operator]
                    r["amount_minor"],
                    r["currency"],
                    r["note"],
                ]
                for r in rows
            ],
            title="Spend per lead source",
            empty_message="no spend recorded",
        ),
        fmt,
    )


@spend_app.command("remove")
def spend_remove(
    ctx: typer.Context,
    spend_id: Annotated[
        int,
        typer.Argument(
            min=1, max=queries.MAX_ROW_ID, help="The id shown by povtor stats spend list."
        ),
    ],
) -> None:
    """Remove a recorded spend.

    Example: povtor stats spend remove 3
    """
    with writing(ctx) as (_session, db, _clock):
        row = db.one("SELECT source FROM source_spend WHERE id = ?", (spend_id,))
        if row is None:
            raise NotFound(f"no spend #{spend_id}", hint="see them with: povtor stats spend list")
        db.execute("DELETE FROM source_spend WHERE id = ?", (spend_id,))
    message(f"removed spend #{spend_id} ({row['source']})")

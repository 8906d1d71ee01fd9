"""``povtor plan``: today's plan of nudges, why each item is there, the revenue target."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from povtor.app import plan as plan_app
from povtor.cli.plan_lines import WHY_TERMS, plan_item_lines, wrapped
from povtor.cli.runtime import FormatOption, choose, command_group, runtime
from povtor.domain.vocabulary import CATEGORIES
from povtor.i18n import N_, _, ngettext
from povtor.output import Column, Listing, OutputFormat, default_format, message, render
from povtor.parsing import format_amount, parse_amount, parse_date
from povtor.settings import SPECS
from povtor.terminal import wrap_lines

if TYPE_CHECKING:
    from povtor.app.plan import DraftedPlan

_DATE_LIKE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4}|tomorrow|yesterday|[+-]\d+[dw]?"
)


class PlanGroup(TyperGroup):
    """Lets ``povtor plan 2026-11-25`` mean ``povtor plan today --on 2026-11-25``."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and _DATE_LIKE.fullmatch(args[0]):
            command = self.get_command(ctx, "today")
            return "today", command, ["--on", args[0], *args[1:]]
        return super().resolve_command(ctx, args)


app = command_group(
    cls=PlanGroup,
    context_settings={"ignore_unknown_options": True},  # povtor plan -1: yesterday's plan
    help="The plan of nudges: who to contact today and why. Also: povtor plan DATE.",
    no_args_is_help=True,
)


PLAN_COLUMNS = (
    Column("rank", N_("#"), "int"),
    Column("client", N_("Client")),
    Column("category", N_("Cat")),
    Column("deal_id", N_("Deal"), "int"),
    Column("stage", N_("Stage")),
    Column("amount", N_("At stake"), "money"),
    Column("kind", N_("Touch")),
    Column("reason", N_("Why"), wide=True),
    Column("priority", N_("Priority"), "int"),
    Column("text", N_("Message"), wide=True),
    # what a script needs to log the touch: nudge log --client ID [--deal D] --purpose P
    # --about A (machine formats only)
    Column("client_id", N_("Client id"), "int", in_table=False),
    Column("rule", N_("Rule"), in_table=False),
    Column("purpose", N_("Purpose"), in_table=False),
    Column("about", N_("About"), in_table=False),
)
WHY_COLUMNS = tuple(Column(f"w_{t}", t.capitalize(), "int") for t in WHY_TERMS)


def _plan_rows(drafted: DraftedPlan, why: bool) -> list[list[Any]]:
    rows = []
    for item in drafted.plan.items:
        c = item.primary
        row = [
            item.rank,
            item.client.name,
            item.client.category,
            c.deal.id if c.deal else None,
            f"{c.deal.funnel}/{c.deal.stage}" if c.deal else None,
            c.amount_minor,
            c.kind,
            "; ".join(item.reasons),
            str(item.priority.quantize(Decimal("0.01"))),
            drafted.text(item),
            item.client.id,
            c.rule,
            c.purpose,
            c.purpose_ref,
        ]
        if why:
            row += [str(item.terms.get(t, 0)) for t in WHY_TERMS]  # problem: 0 if none
        rows.append(row)
    return rows


@app.command("today")
def today(
    ctx: typer.Context,
    date: Annotated[
        str | None, typer.Option("--on", "--date", help="Plan for this date instead of today.")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", min=1, help="Only the first N items (instead of the day's)."),
    ] = None,
    every: Annotated[
        bool,
        typer.Option("--all", help="Every item, not only a day's work (plan.capacity)."),
    ] = False,
    category: Annotated[
        str | None, typer.Option("--category", "-C", "-c", help="Only clients of this category.")
    ] = None,
    why: Annotated[
        bool, typer.Option("--why", help="Add a column for each priority term.")
    ] = False,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the drafts: ru or en.")
    ] = None,
    seller: Annotated[
        str | None,
        typer.Option(
            "--seller",
            help="A team's seller's plan: their clients and the deals handed to them "
            "(default: the current seller's, if one is set).",
        ),
    ] = None,
    everyone: Annotated[
        bool, typer.Option("--everyone", help="The whole team's plan, whoever owns the client.")
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """Today's plan of nudges: who to contact, why, which touch, and the message.

    Items come from twelve rules: stuck (a deal past its stage's limit), follow_up (a
    date the client named has come), silent (no purchase past the client's cycle: the
    yes-or-no reorder question first), warming (the 5:1 warming/closing cadence), service
    (how is it going, after a payment), problem (an unresolved service problem), revisit
    (a while after a no: still interested? then ask for referrals), occasion (a holiday,
    birthday or the client's own date), backend and cross_sell (product offers), and the
    fillers roadmap (the next step of the category's roadmap) and card (a question for a
    card below its norm). Answers steer them: each touch answers only what it was about
    (its deal, purpose or question); after a no the client gets nothing but the revisit
    (and a problem it reported);
    a later on D holds the client's items until D, then the follow-up; a yes on a deal
    moves it on, on the client's question it opens a deal (nudge log --open). One item
    per client, ranked by priority (see: povtor plan explain RANK). A day's work is
    shown: the first plan.capacity items (30; the last line says how many more), every
    item with --all. In csv, tsv, json
    and jsonl the same cut applies (the count goes to stderr), and each item carries
    client_id, rule, purpose and about: what nudge log --client ID --purpose P --about
    A needs. As a table each item is a block (who, why:, say:) wrapped between words at
    the terminal's width (COLUMNS), through the pager on a terminal. In a team
    (povtor seller) the current seller sees the items of their clients and of the deals
    handed to them (a line on stderr counts those of clients nobody owns); --seller
    NAME another's, --everyone all.

    Example: povtor plan today --limit 10
    """
    state = runtime(ctx)
    day = (
        parse_date(date, field="--on", today=state.clock.today)
        if date is not None
        else state.clock.today
    )
    wanted = choose(category, CATEGORIES, option="--category")
    language = choose(lang, ("ru", "en"), option="--lang")
    for_people = (fmt or default_format()) is OutputFormat.table
    whose = _whose_plan(state.db, seller, everyone)
    drafted, guess = plan_app.plan_today(
        state.db,
        day,
        lang=language,
        category=wanted,
        limit=limit,
        every=every,
        with_forecast=for_people,  # (the machine formats have no caption)
        keep=whose,
    )
    shown = len(drafted.plan.items)
    more = (
        _("… and {n} more: povtor plan today --all").format(n=drafted.more)
        + (f" --on {day.isoformat()}" if date is not None else "")
        + (f" --category {wanted}" if wanted else "")
        + (f' --seller "{seller.strip()}"' if seller else "")
        if drafted.more
        else None
    )
    if for_people:
        _print_plan(
            drafted,
            title=_("Plan of nudges for {day}").format(day=day.isoformat()),
            empty=_("nothing to nudge on {day}: all deals are moving").format(day=day.isoformat()),
            caption=_("{shown} of {total} items.").format(shown=shown, total=shown + drafted.more)
            + f" {_forecast_line(guess)}"
            if guess
            else None,
            more=more,
            why=why,
        )
        _unowned_note(whose)
        return
    columns = PLAN_COLUMNS + (WHY_COLUMNS if why else ())
    render(Listing(columns, _plan_rows(drafted, why)), fmt)
    if drafted.more:
        cut = f"--limit {limit}" if limit else f"plan.capacity {drafted.capacity}"
        message(
            _("{shown} of {total} items ({cut}); every item: --all").format(
                shown=shown, total=shown + drafted.more, cut=cut
            )
        )
    _unowned_note(whose)


def _whose_plan(db: Any, seller: str | None, everyone: bool) -> Any:
    """Which items a team's seller sees (none: every item, as for a seller on their own)."""
    import os

    from povtor.app import sellers

    sellers.check_not_both(seller, everyone)
    if everyone:
        return None
    chosen = (
        sellers.find_seller(db, seller)
        if seller is not None
        else sellers.current_seller(db, os.environ.get(sellers.ENV))
    )
    return sellers.plan_filter(db, chosen) if chosen is not None else None


def _unowned_note(whose: Any) -> None:
    if whose is not None and whose.unowned:
        message(
            ngettext(
                "{n} item of clients nobody owns left out: povtor plan today --everyone; "
                "give them out: povtor client assign CLIENT --to NAME",
                "{n} items of clients nobody owns left out: povtor plan today --everyone; "
                "give them out: povtor client assign CLIENT --to NAME",
                whose.unowned,
            ).format(n=whose.unowned)
        )


def _forecast_line(guess: plan_app.Forecast) -> str:
    """What the items that can bring an order should bring, and on what basis."""
    measure = guess.conversion
    rate = f"{guess.rate * 100:.0f}%"
    if measure.measured:
        basis = ngettext(
            "{rate} nudge→order conversion ({paid} of {n} deal nudged in the last 12 months "
            "were paid)",
            "{rate} nudge→order conversion ({paid} of {n} deals nudged in the last 12 months "
            "were paid)",
            measure.nudged,
        )
    else:
        basis = ngettext(
            "{rate} nudge→order conversion (too little history: {n} deal nudged in the last "
            "12 months, {paid} paid; the seed's 30 of 100)",
            "{rate} nudge→order conversion (too little history: {n} deals nudged in the last "
            "12 months, {paid} paid; the seed's 30 of 100)",
            measure.nudged,
        )
    basis = basis.format(rate=rate, paid=measure.paid, n=measure.nudged)
    items = _("{n} of them can bring an order").format(n=guess.items)
    if guess.check_minor:
        return _(
            "{items}: at {basis} and an average check of {check}, ≈{orders} orders, ≈{revenue}."
        ).format(
            items=items,
            basis=basis,
            check=format_amount(guess.check_minor, guess.currency),
            orders=guess.orders,
            revenue=format_amount(guess.revenue_minor, guess.currency),
        )
    return _("{items}: at {basis}, ≈{orders} orders (no paid deals to average yet).").format(
        items=items, basis=basis, orders=guess.orders
    )


def _print_plan(
    drafted: DraftedPlan,
    *,
    title: str,
    empty: str,
    caption: str | None,
    more: str | None,
    why: bool,
) -> None:
    """The plan for people, a few thousand lines a write (through the pager on a
    terminal)."""
    import sys

    from povtor import terminal
    from povtor.output import write_lines

    with terminal.paged():
        out = terminal.screen(sys.stdout)
        lines = [out.style(line, "bold") for line in wrap_lines(title, out.width)]
        if not drafted.plan.items:
            write_lines([*lines, *wrap_lines(empty, out.width)])
            return
        for item in drafted.plan.items:
            lines += plan_item_lines(item, drafted.text(item), out, why=why)
            if len(lines) >= 4096:  # (--all of a big plan: written as it is made)
                write_lines(lines)
                lines = []
        if caption:
            lines += wrapped(caption, out.width, "")
        if more:
            lines += [out.style(line, "bold") for line in wrap_lines(more, out.width)]
        write_lines(lines)


# An amount and its currency or unit stay on one line: «16 410 368,70 ₽», «4 800 000.00
# RUB», «10 м³», «33,5 т».
@app.command("explain")
def explain(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(help="The item's rank in today's plan, or the client.")],
    date: Annotated[
        str | None, typer.Option("--on", "--date", help="The plan's date (default: today).")
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Show why an item is in the plan: every reason and each term of its priority.

    priority = category + money + closeness + overdue + rule (+ problem, for a client
    with an unresolved service problem; see povtor plan settings).

    Example: povtor plan explain 1
    """
    from povtor.domain.plan_records import named_reason

    state = runtime(ctx)
    day = (
        parse_date(date, field="--on", today=state.clock.today)
        if date is not None
        else state.clock.today
    )
    chosen = plan_app.explain(state.db, day, item)
    rows: list[list[Any]] = [
        [_("term: {name}").format(name=name), str(value)] for name, value in chosen.terms.items()
    ]
    rows.append([_("priority"), str(chosen.priority)])
    several = chosen.of_several_deals  # (each reason about a deal says which, as plan today)
    for n, candidate in enumerate((chosen.primary, *chosen.others)):
        label = _("reason: {rule} ({kind})") if n == 0 else _("also: {rule} ({kind})")
        reason = named_reason(candidate) if several else candidate.reason
        rows.append([label.format(rule=candidate.rule, kind=candidate.kind), reason])
    render(
        Listing(
            (Column("what", N_("What")), Column("value", N_("Value"), wide=True)),
            rows,
            title=_("#{rank} {client} on {day}").format(
                rank=chosen.rank, client=chosen.client.name, day=day.isoformat()
            ),
        ),
        fmt,
    )


@app.command("target")
def target(
    ctx: typer.Context,
    revenue: Annotated[
        str, typer.Option("--revenue", "-r", help="The revenue target for the month.")
    ],
    month: Annotated[
        str | None, typer.Option("--month", "-m", help="YYYY-MM (default: this month).")
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency", help="The target's currency (default: that of most paid deals)."
        ),
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Turn a revenue target into paid deals and nudges per remaining working day.

    nudges needed = (target − paid so far) / average check / nudge→order conversion
    (of the deals nudged in the last 12 months, the share paid; fallback: 30 orders per
    100 nudges), per day over the working days left (the seller's plan.days_off are
    not). Money counts the deals in one currency only: --currency, else the one most
    deals of the last 12 months were paid in. A month that is over is refused. json
    prints one object (jsonl one line, csv and tsv a header and one row): money as
    "125000.00", rates as fractions, conversion_fallback true when the 30% applies.

    Example: povtor plan target --revenue 3000000
    """
    from povtor.domain.calendar import parse_month
    from povtor.domain.cells import parse_currency

    state = runtime(ctx)
    goal = parse_amount(revenue, field="--revenue")
    chosen = parse_currency(currency, field="--currency") if currency is not None else None
    today_ = state.clock.today
    first = parse_month(month) if month is not None else today_
    aim = plan_app.revenue_target(state.db, today_, goal, first, chosen)
    guess = aim.forecast
    check = guess.check_minor
    label = aim.month.strftime("%Y-%m")
    values: list[Any] = [
        label,
        aim.currency,
        goal,
        aim.paid_minor,
        aim.paid_deals,
        aim.progress,
        aim.remaining_minor,
        check or None,
        guess.rate,
        not guess.measured,
        guess.conversion.nudged,
        guess.conversion.paid,
        aim.deals_needed,
        aim.nudges_needed,
        aim.working_days_left,
        aim.nudges_per_day,
    ]
    if not check and aim.remaining_minor:
        message(
            f"no deals paid in {aim.currency} with amounts in the last 12 months: "
            "the number of deals cannot be estimated"
        )
    _print_record(
        TARGET_COLUMNS, values, fmt, title=_("Plan of nudges for {day}").format(day=label)
    )


TARGET_COLUMNS = (
    Column("month", N_("Month")),
    Column("currency", N_("Currency")),
    Column("target", N_("Target"), "money"),
    Column("paid_so_far", N_("Paid so far"), "money"),
    Column("paid_deals_so_far", N_("Paid deals so far"), "int"),
    Column("progress", N_("Progress"), "rate"),
    Column("remaining", N_("Remaining"), "money"),
    Column("average_check", N_("Average check (12 months)"), "money"),
    Column("nudge_to_order", N_("Nudge→order conversion"), "rate"),
    Column("conversion_fallback", N_("Conversion is the fallback"), "bool"),
    Column("nudged_deals", N_("Deals nudged (12 months)"), "int"),
    Column("paid_nudged_deals", N_("Of them paid"), "int"),
    Column("paid_deals_needed", N_("Paid deals needed"), "int"),
    Column("nudges_needed", N_("Nudges needed"), "int"),
    Column("working_days_left", N_("Working days left"), "int"),
    Column("nudges_per_day", N_("Nudges per day"), "int"),
)


def _print_record(
    columns: tuple[Column, ...], values: list[Any], fmt: OutputFormat | None, *, title: str
) -> None:
    """One record: a what/value table for people, one json object, one jsonl line, or a
    csv/tsv header and one row."""
    chosen = fmt or default_format()
    if chosen is OutputFormat.table:
        from povtor.output import people_value

        rows = [
            [_(c.header), people_value(c.kind, v) or "—"]
            for c, v in zip(columns, values, strict=True)
        ]
        listing = Listing(
            (Column("what", N_("What")), Column("value", N_("Value"))), rows, title=title
        )
        render(listing, chosen)
        return
    if chosen is OutputFormat.json:
        import json
        import sys

        from povtor.output import machine_value

        record = {c.key: machine_value(c.kind, v) for c, v in zip(columns, values, strict=True)}
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return
    render(Listing(columns, [values]), chosen)


@app.command("settings")
def settings_(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """List the plan's rules and weights with their values and defaults.

    Example: povtor plan settings
    """
    current = plan_app.current_settings(runtime(ctx).db)
    columns = (
        Column("key", N_("Setting")),
        Column("value", N_("Value"), wide=True),
        Column("default", N_("Default")),
        Column("help", N_("Meaning")),
    )
    rows = [[s.key, current.str(s.key), s.default, _(s.help)] for s in SPECS]
    render(Listing(columns, rows, title=_("Settings")), fmt)


@app.command("set", context_settings={"ignore_unknown_options": True})
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The setting, e.g. plan.service_days.")],
    value: Annotated[str, typer.Argument(help="Its new value; 'default' resets it.")],
) -> None:
    """Change a plan setting or weight.

    plan.days_off takes your own days off, not counted as working days (stage limits,
    plan target): dates and FIRST..LAST ranges separated by commas, e.g.
    2026-05-04..2026-05-08,2026-06-15. The public holidays of the Russian production
    calendar are off already. 'default' resets any setting.

    Example: povtor plan set plan.revisit_days 60
    """
    change = plan_app.change_setting(runtime(ctx).db, key, value)
    stored = change.stored
    message(
        f"{change.key} = {stored if stored is not None else change.default}"
        + (_(" (default)") if stored is None else "")
    )

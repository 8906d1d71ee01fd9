"""``povtor plan``: today's plan of nudges, why each item is there, the revenue target."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from povtor.cli.runtime import FormatOption, choose, command_group, runtime, writing
from povtor.domain import templates
from povtor.domain.planner import Plan, PlanItem, build_plan
from povtor.domain.vocabulary import CATEGORIES, CHANNELS
from povtor.errors import InvalidInput, NotFound
from povtor.output import Column, Listing, OutputFormat, default_format, message, render
from povtor.parsing import format_money, parse_amount, parse_date
from povtor.settings import SPECS, normalise
from povtor.storage import queries
from povtor.storage.database import Database

FALLBACK_CONVERSION = Decimal("0.30")  # seed 000: about 30 orders from 100 nudges
MIN_MEASURED_TOUCHES = 20  # fewer closing touches than this: too little history to measure
_DATE_LIKE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4}|tomorrow|yesterday|[+-]\d+[dw]?"
)


class PlanGroup(TyperGroup):
    """Lets ``povtor plan 2026-11-25`` mean ``povtor plan today --date 2026-11-25``."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and _DATE_LIKE.fullmatch(args[0]):
            command = self.get_command(ctx, "today")
            return "today", command, ["--date", args[0], *args[1:]]
        return super().resolve_command(ctx, args)


app = command_group(
    cls=PlanGroup,
    help="The plan of nudges: who to contact today and why. Also: povtor plan DATE.",
    no_args_is_help=True,
)


def compute_plan(db: Database, day: dt.date, lang: str | None = None) -> Plan:
    """The plan for ``day``; ``lang`` (ru, en) for the drafts the rules write themselves
    (offers, perks, card questions) instead of the ``lang`` setting."""
    from povtor.storage.plan_queries import load_plan_input, load_settings

    settings = load_settings(db)
    if lang is not None:
        settings = settings.with_value("lang", lang)
    return build_plan(load_plan_input(db, day, settings), settings)


def forecast(
    db: Database, day: dt.date, nudges: int, currency: str | None = None
) -> dict[str, Any]:
    """What ``nudges`` should bring at the measured conversion and the average check in
    ``currency``, both over the 12 months to ``day``."""
    from povtor.storage.plan_queries import average_check, nudge_conversion

    touches, paid = nudge_conversion(db, day)
    measured = touches >= MIN_MEASURED_TOUCHES and paid > 0
    conversion = Decimal(paid) / touches if measured else FALLBACK_CONVERSION
    currency, deals, total = average_check(db, day, currency)
    check = total // deals if deals else 0
    orders = (conversion * nudges).quantize(Decimal("0.1"))
    return {
        "conversion": conversion,
        "measured": measured,
        "touches": touches,
        "paid": paid,
        "check_minor": check,
        "currency": currency,
        "orders": orders,
        "revenue_minor": int(orders * check),
    }


def item_text(item: PlanItem, lang: str, user: Mapping[tuple[str, str, str, str], str]) -> str:
    """The message draft of a plan item, from the item itself (no queries)."""
    c = item.primary
    client = item.client
    deal = c.deal
    about = c.about
    values = templates.values_for(
        client=client.name,
        company=client.company,
        person=client.person,
        days=c.days_waiting,
        date=c.expected_on.isoformat() if c.expected_on else "",
        amount_minor=deal.amount_minor if deal else (about.amount_minor if about else None),
        currency=deal.currency if deal else (about.currency if about else "RUB"),
        stage=deal.stage_name if deal else "",
        title=deal.title if deal else (about.title if about else None),
        problem=client.open_problem.text if client.open_problem else None,
    )
    body = c.script or templates.lookup(c.kind, c.template_funnel, c.template_stage, lang, user)
    return templates.fill(body, values)


PLAN_COLUMNS = (
    Column("rank", "#", "int"),
    Column("client", "Client"),
    Column("category", "Cat"),
    Column("deal_id", "Deal", "int"),
    Column("stage", "Stage"),
    Column("amount", "At stake", "money"),
    Column("kind", "Touch"),
    Column("reason", "Why", wide=True),
    Column("priority", "Priority", "int"),
    Column("text", "Message", wide=True),
)
WHY_TERMS = ("category", "money", "closeness", "overdue", "rule", "problem")
WHY_COLUMNS = tuple(Column(f"w_{t}", t.capitalize(), "int") for t in WHY_TERMS)


def _plan_rows(db: Database, plan: Plan, lang: str, why: bool) -> list[list[Any]]:
    from povtor.storage.plan_queries import user_templates

    user = user_templates(db)
    rows = []
    for item in plan.items:
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
            item_text(item, lang, user),
        ]
        if why:
            row += [str(item.terms.get(t, 0)) for t in WHY_TERMS]  # problem: 0 if none
        rows.append(row)
    return rows


@app.command("today")
def today(
    ctx: typer.Context,
    date: Annotated[
        str | None, typer.Option("--date", help="Plan for this date instead of today.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Only the first N items.")
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", "-c", help="Only clients of this category.")
    ] = None,
    why: Annotated[
        bool, typer.Option("--why", help="Add a column for each priority term.")
    ] = False,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the drafts: ru or en.")
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Today's plan of nudges: who to contact, why, which touch, and the message.

    Items come from stuck deals, follow-ups due, clients gone silent, the 5:1
    warming/closing cadence, service contacts after payment, unresolved service
    problems and refusal revisits; one item per client, ranked by priority (see:
    povtor plan explain RANK).

    Example: povtor plan today --limit 10
    """
    from povtor.storage.plan_queries import load_settings

    state = runtime(ctx)
    db = state.db
    day = parse_date(date, field="--date", today=state.clock.today) if date else state.clock.today
    wanted = choose(category, CATEGORIES, option="--category")
    language = choose(lang, ("ru", "en"), option="--lang") or load_settings(db).str("lang")
    plan = compute_plan(db, day, language)
    total = len(plan.items)
    if wanted:
        plan.items = [i for i in plan.items if i.client.category == wanted]
    if limit:
        plan.items = plan.items[:limit]
    guess = forecast(db, day, len(plan.items))
    basis = (
        f"{guess['conversion'] * 100:.0f}% nudge→order conversion "
        f"({guess['paid']} of {guess['touches']} closing touches)"
        if guess["measured"]
        else "30% nudge→order conversion (too little history: the seed's 30 of 100)"
    )
    if guess["check_minor"]:
        money = guess["currency"]
        bring = (
            f"an average check of {format_money(guess['check_minor'], grouped=True)} {money}, "
            f"they should bring ≈{guess['orders']} orders, "
            f"≈{format_money(guess['revenue_minor'], grouped=True)} {money}."
        )
    else:
        bring = f"no paid deals to average yet, they should bring ≈{guess['orders']} orders."
    caption = f"{len(plan.items)} of {total} nudges. At {basis} and {bring}"
    columns = PLAN_COLUMNS + (WHY_COLUMNS if why else ())
    listing = Listing(
        columns,
        _plan_rows(db, plan, language, why),
        title=f"Plan of nudges for {day.isoformat()}",
        caption=caption,
        empty_message=f"nothing to nudge on {day.isoformat()}: all deals are moving",
    )
    if (fmt or default_format()) is OutputFormat.table:
        _print_plan(listing, why=why)
    else:
        render(listing, fmt)


def _print_plan(listing: Listing, *, why: bool) -> None:
    """The plan for people: one block per item (who, why, which touch, what to say)."""
    from rich.text import Text

    from povtor.output import stdout_console

    console = stdout_console()
    console.print(Text(listing.title or "", style="bold"))
    if not listing.rows:
        console.print(Text(listing.empty_message))
        return
    keys = [c.key for c in listing.columns]
    for values in listing.rows:
        row = dict(zip(keys, values, strict=True))
        head = Text()
        head.append(f"{row['rank']:>2}. ", style="bold")
        head.append(str(row["client"]), style="bold")
        if row["category"]:
            head.append(f" [{row['category']}]")
        if row["deal_id"]:
            head.append(f" · deal #{row['deal_id']} {row['stage']}")
        if row["amount"]:
            head.append(f" · {format_money(int(row['amount']), grouped=True)}")
        head.append(f" · {row['kind']} · priority {row['priority']}")
        console.print(head)
        console.print(Text(f"    why: {row['reason']}"))
        console.print(Text(f"    say: {row['text']}"))
        if why:
            terms = ", ".join(f"{k[2:]} {row[k]}" for k in keys if k.startswith("w_"))
            console.print(Text(f"    priority = {terms}", style="dim"))
    console.print(Text(listing.caption or ""))


@app.command("explain")
def explain(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(help="The item's rank in today's plan, or the client.")],
    date: Annotated[
        str | None, typer.Option("--date", help="The plan's date (default: today).")
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """Show why an item is in the plan: every reason and each term of its priority.

    priority = category + money + closeness + overdue + rule (+ problem, for a client
    with an unresolved service problem; see povtor plan settings).

    Example: povtor plan explain 1
    """
    state = runtime(ctx)
    db = state.db
    day = parse_date(date, field="--date", today=state.clock.today) if date else state.clock.today
    plan = compute_plan(db, day)
    chosen: PlanItem | None = None
    if item.strip().isdigit() and 1 <= int(item) <= len(plan.items):
        chosen = plan.items[int(item) - 1]
    else:
        client = queries.find_client(db, item)
        chosen = next((i for i in plan.items if i.client.id == client["id"]), None)
        if chosen is None:
            raise NotFound(
                f"client #{client['id']} {client['name']} is not in the plan for {day.isoformat()}",
                hint="see the plan: povtor plan today",
            )
    rows: list[list[Any]] = [[f"term: {name}", str(value)] for name, value in chosen.terms.items()]
    rows.append(["priority", str(chosen.priority)])
    for n, candidate in enumerate((chosen.primary, *chosen.others)):
        label = "reason" if n == 0 else "also"
        rows.append([f"{label}: {candidate.rule} ({candidate.kind})", candidate.reason])
    render(
        Listing(
            (Column("what", "What"), Column("value", "Value", wide=True)),
            rows,
            title=f"#{chosen.rank} {chosen.client.name} on {day.isoformat()}",
        ),
        fmt,
    )


def _working_days_left(start: dt.date, end: dt.date) -> int:
    days = 0
    current = start
    while current <= end:
        if current.weekday() < 5:
            days += 1
        current += dt.timedelta(days=1)
    return days


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

    nudges needed = (target − paid so far) / average check / nudge→order conversion,
    from the measured history (fallback: 30 orders per 100 nudges). Money counts the
    deals in one currency only: --currency, else the one most deals of the last 12
    months were paid in.

    Example: povtor plan target --revenue 3000000
    """
    import pendulum

    from povtor.domain.cells import parse_currency

    state = runtime(ctx)
    db = state.db
    goal = parse_amount(revenue, field="--revenue")
    chosen = parse_currency(currency, field="--currency") if currency is not None else None
    today_ = state.clock.today
    if month:
        if not re.fullmatch(r"\d{4}-\d{2}", month.strip()):
            raise InvalidInput(
                f"--month: {month!r} is not a month", hint="write it as YYYY-MM, e.g. 2026-12"
            )
        first = parse_date(month.strip() + "-01", field="--month")
    else:
        first = today_.replace(day=1)
    start = pendulum.date(first.year, first.month, 1)
    last = start.end_of("month")
    guess = forecast(db, today_, 0, chosen)
    code = guess["currency"]
    paid_row = db.one(
        "SELECT COUNT(*), SUM(amount_minor) FROM deal "
        "WHERE status = 'won' AND currency = ? AND closed_on >= ? AND closed_on <= ?",
        (code, start.isoformat(), min(last, today_).isoformat()),
    )
    paid_deals, paid_minor = (int(paid_row[0] or 0), int(paid_row[1] or 0)) if paid_row else (0, 0)
    gap = max(0, goal - paid_minor)
    check = guess["check_minor"]
    conversion: Decimal = guess["conversion"]
    deals_needed = (Decimal(gap) / check).to_integral_value(ROUND_CEILING) if check else Decimal(0)
    nudges_needed = (
        (deals_needed / conversion).to_integral_value(ROUND_CEILING) if conversion else Decimal(0)
    )
    begin = max(start, today_) if today_ <= last else last + dt.timedelta(days=1)
    days_left = _working_days_left(begin, last)
    per_day = (
        (nudges_needed / days_left).to_integral_value(ROUND_CEILING) if days_left else nudges_needed
    )
    rows: list[list[Any]] = [
        ["month", start.strftime("%Y-%m")],
        ["currency", code],
        ["target", format_money(goal)],
        ["paid_so_far", format_money(paid_minor)],
        ["paid_deals_so_far", paid_deals],
        [
            "progress",
            f"{(Decimal(paid_minor) / goal * 100).quantize(Decimal('0.1')) if goal else 0}%",
        ],
        ["remaining", format_money(gap)],
        ["average_check", format_money(check) if check else "no paid deals in 12 months"],
        [
            "nudge_to_order_conversion",
            f"{conversion * 100:.1f}%" + ("" if guess["measured"] else " (fallback)"),
        ],
        ["paid_deals_needed", int(deals_needed)],
        ["nudges_needed", int(nudges_needed)],
        ["working_days_left", days_left],
        ["nudges_per_day", int(per_day)],
    ]
    if not check and gap:
        message(
            f"no deals paid in {code} with amounts in the last 12 months: "
            "the number of deals cannot be estimated"
        )
    render(
        Listing(
            (Column("what", "What"), Column("value", "Value", wide=True)),
            rows,
            title=f"Plan of nudges for {start.strftime('%Y-%m')}",
        ),
        fmt,
    )


@app.command("settings")
def settings_(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """List the plan's rules and weights with their values and defaults.

    Example: povtor plan settings
    """
    from povtor.storage.plan_queries import load_settings

    current = load_settings(runtime(ctx).db)
    columns = (
        Column("key", "Setting"),
        Column("value", "Value", wide=True),
        Column("default", "Default"),
        Column("help", "Meaning"),
    )
    rows = [[s.key, current.str(s.key), s.default, s.help] for s in SPECS]
    render(Listing(columns, rows, title="Settings"), fmt)


@app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The setting, e.g. plan.service_days.")],
    value: Annotated[str, typer.Argument(help="Its new value; 'default' resets it.")],
) -> None:
    """Change a plan setting or weight.

    Example: povtor plan set plan.revisit_days 60
    """
    from povtor.settings import spec_for

    spec = spec_for(key.strip())
    stored = None if value.strip().lower() == "default" else normalise(spec.key, value)
    with writing(ctx) as (_session, db, _clock):
        db.execute("DELETE FROM setting WHERE key = ?", (spec.key,))
        if stored is not None:
            db.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (spec.key, stored))
    message(
        f"{spec.key} = {stored if stored is not None else spec.default}"
        + (" (default)" if stored is None else "")
    )


RUN_CHOICES = "[y]es  [n]o  [l]ater  [a] no answer  [s]kip  [q]uit"
RUN_KEYS = ("y", "n", "l", "a", "s", "q")


@app.command("run")
def run(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Only the first N items.")
    ] = None,
    channel: Annotated[
        str, typer.Option("--channel", help="How you reach them: call, email, messenger...")
    ] = "messenger",
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the drafts: ru or en.")
    ] = None,
) -> None:
    """Work through today's plan one item at a time, recording each outcome.

    For each item: the client, the reason and the message; answer y (yes), n (no,
    then the reason), l (later, then the date), a (no answer), s (skip) or q (quit).
    A service contact asks "all well?": o (ok) or p (problem, then what is wrong).
    A "no" to a refusal revisit shows the referral ask and takes a referral's name
    (empty: none), recorded as a new client with a first-sale deal. A yes to a
    roadmap step also records the step as done. Each answer is saved at once as a
    touch, so quitting loses nothing.

    Example: povtor plan run --limit 5
    """
    from povtor.app.touches import Referral, TouchInput, record_touch
    from povtor.cli.referral import SERVICE_RUN_CHOICES, prompt_referral, prompt_text
    from povtor.parsing import parse_outcome
    from povtor.storage.plan_queries import load_settings, user_templates

    state = runtime(ctx)
    db = state.db
    chosen_channel = choose(channel, CHANNELS, option="--channel") or "messenger"
    language = choose(lang, ("ru", "en"), option="--lang") or load_settings(db).str("lang")
    plan = compute_plan(db, state.clock.today, language)
    user = user_templates(db)
    items = plan.items[:limit] if limit else plan.items
    if not items:
        message("nothing to nudge today")
        return
    done = 0
    for item in items:
        text = item_text(item, language, user)
        c = item.primary
        typer.echo("")
        typer.echo(
            f"#{item.rank} {item.client.name}"
            + (f" [{item.client.category}]" if item.client.category else "")
        )
        typer.echo(f"  why: {'; '.join(item.reasons)}")
        typer.echo(
            f"  touch: {c.kind}"
            + (f", deal #{c.deal.id} {c.deal.funnel}/{c.deal.stage}" if c.deal else "")
        )
        typer.echo(f"  message: {text}")
        keys = ("o", "p", "l", "a", "s", "q") if c.kind == "service" else RUN_KEYS
        while True:
            answer = (
                typer.prompt(
                    SERVICE_RUN_CHOICES if c.kind == "service" else RUN_CHOICES,
                    default="s",
                    show_default=False,
                )
                .strip()
                .lower()
            )
            if answer in keys:
                break
            typer.echo(f"  please answer {', '.join(keys[:-1])} or q")
        if answer == "q":
            break
        if answer == "s":
            continue
        outcome = parse_outcome(
            {"y": "yes", "o": "yes", "p": "yes", "n": "no", "l": "later", "a": "no-answer"}[answer]
        )
        service_answer = {"o": "ok", "p": "problem"}.get(answer)
        reason = follow_up = None
        purpose, purpose_ref = c.purpose, c.purpose_ref
        referral_name = referral_phone = None
        if service_answer == "problem":
            reason = prompt_text("  what is wrong", field="what is wrong", required=True)
        if outcome == "no":
            reason = typer.prompt("  reason").strip() or "no reason given"
            if c.rule == "revisit":  # seed 002: a "no" is followed by asking for referrals
                referral_name, referral_phone = prompt_referral(item, language, user)
                purpose, purpose_ref = "referrals", None
        if outcome == "later":
            while True:
                raw = typer.prompt("  come back on (YYYY-MM-DD or +7)")
                try:
                    follow_up = parse_date(raw, field="date", today=state.clock.today)
                    break
                except InvalidInput as exc:
                    typer.echo(f"  {exc.message}")
        recorded = record_touch(
            db,
            state.clock,
            client=str(item.client.id),
            deal=str(c.deal.id) if c.deal else None,
            touch=TouchInput(
                kind=c.kind,
                channel=chosen_channel,
                outcome=outcome,
                on=state.clock.today,
                text=text,
                reason=reason,
                follow_up_on=follow_up,
                answer=service_answer,
                purpose=purpose,
                about=purpose_ref,
                about_is_key=True,
            ),
            referral=Referral(referral_name, referral_phone) if referral_name else None,
        )
        done += 1
        typer.echo(
            f"  saved touch #{recorded.touch_id}: {outcome}"
            + (f", {service_answer}" if service_answer else "")
        )
        if recorded.roadmap_note:
            typer.echo(f"  {recorded.roadmap_note}")
        if recorded.referred is not None:
            referred_id, referred_name, first_deal_id = recorded.referred
            typer.echo(
                f"  added client #{referred_id} {referred_name} (referral) "
                f"with first-sale deal #{first_deal_id}"
            )
    message(f"recorded {done} outcome(s)")

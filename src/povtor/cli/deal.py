"""``povtor deal``: open deals in a funnel, move them, win, lose, reopen; list and show."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from povtor.cli.runtime import FormatOption, choose, command_group, runtime
from povtor.domain.cells import parse_currency
from povtor.i18n import N_, _
from povtor.output import (
    Column,
    Listing,
    machine_value,
    message,
    render,
    render_record,
)
from povtor.parsing import format_money, parse_amount, parse_date
from povtor.storage import product_queries, queries
from povtor.storage.database import to_date, to_datetime
from povtor.text import clean_text

app = command_group(
    help="Deals: open, move through stages, win, lose, reopen, edit; list and show.",
    no_args_is_help=True,
)

DealArg = Annotated[str, typer.Argument(help="Deal id (7 or #7), or its title or client's name.")]
On = Annotated[
    str | None,
    typer.Option("--on", help="When it happened: YYYY-MM-DD, yesterday, -2 (default: today)."),
]
Amount = Annotated[
    str | None, typer.Option("--amount", "-a", help="Amount, e.g. 125000 or 125 000,50.")
]
STATUSES = ("open", "won", "lost", "closed", "all")
DEAL_TITLES = {
    "open": N_("Deals (open)"),
    "won": N_("Deals (won)"),
    "lost": N_("Deals (lost)"),
    "closed": N_("Deals (closed)"),
    "all": N_("Deals (all)"),
}


def _on(ctx: typer.Context, on: str | None) -> Any:
    clock = runtime(ctx).clock
    return parse_date(on, field="--on", today=clock.today) if on is not None else clock.today


@app.command("open")
def open_(
    ctx: typer.Context,
    client: Annotated[str, typer.Argument(help="Client id or part of its name.")],
    funnel: Annotated[str, typer.Option("--funnel", help="repeat, first or refusal.")] = "repeat",
    stage: Annotated[
        str | None, typer.Option("--stage", help="Starting stage (default: the first).")
    ] = None,
    amount: Amount = None,
    currency: Annotated[str, typer.Option("--currency", help="Currency code.")] = "RUB",
    expected: Annotated[
        str | None, typer.Option("--expected", help="Expected payment date.")
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", "-t", help="What the deal is about.")
    ] = None,
    on: On = None,
    product: Annotated[
        list[str] | None,
        typer.Option("--product", help="A product of the deal (repeat for more): id or name."),
    ] = None,
) -> None:
    """Open a deal for a client in a funnel and print its id.

    --product names a product of the deal (from povtor product list); repeat it for more.

    Example: povtor deal open Ромашка --stage request --amount 125000 --title "Щебень 40 т"
    """
    fields: dict[str, Any] = {
        "title": clean_text(title, field="--title"),
        "currency": parse_currency(currency, field="--currency"),
        "amount_minor": parse_amount(amount, field="--amount") if amount is not None else None,
    }
    day = _on(ctx, on)
    if expected is not None:
        fields["expected_on"] = parse_date(
            expected, field="--expected", today=runtime(ctx).clock.today
        )
    from povtor.app.deals import deal_open

    state = runtime(ctx)
    opened = deal_open(
        state.db,
        state.clock,
        client=client,
        funnel=funnel,
        stage=stage,
        on=day,
        products=product or (),
        **fields,
    )
    message(
        _("opened deal #{id} for {client} at {funnel}/{stage}").format(
            id=opened.deal_id, client=opened.client, funnel=opened.funnel, stage=opened.stage
        )
    )
    print(opened.deal_id)


@app.command("move")
def move(
    ctx: typer.Context,
    deal: DealArg,
    stage: Annotated[str, typer.Argument(help="Target stage: code (invoice), name or number.")],
    force: Annotated[
        bool, typer.Option("--force", help="Allow moving back to an earlier stage.")
    ] = False,
    on: On = None,
) -> None:
    """Move a deal to another stage of its funnel (forward; back only with --force).

    Example: povtor deal move 7 invoice
    """
    day = _on(ctx, on)
    from povtor.app.deals import deal_move

    state = runtime(ctx)
    moved = deal_move(state.db, state.clock, deal=deal, stage=stage, on=day, force=force)
    message(
        _("deal #{deal_id} {client}: {before} → {stage}").format(
            deal_id=moved.deal_id, client=moved.client, before=moved.before, stage=moved.stage
        )
    )


@app.command("win")
def win(ctx: typer.Context, deal: DealArg, amount: Amount = None, on: On = None) -> None:
    """Mark a deal as paid (moves it to its funnel's paid stage).

    Example: povtor deal win 7 --amount 130000
    """
    day = _on(ctx, on)
    amount_minor = parse_amount(amount, field="--amount") if amount is not None else None
    from povtor.app.deals import deal_win

    state = runtime(ctx)
    won = deal_win(state.db, state.clock, deal=deal, on=day, amount_minor=amount_minor)
    message(_("deal #{id} {client}: won (paid)").format(id=won.deal_id, client=won.client))


@app.command("lose")
def lose(
    ctx: typer.Context,
    deal: DealArg,
    reason: Annotated[
        str, typer.Option("--reason", "-r", help="Why: «дорого», «ушли к конкуренту».")
    ],
    on: On = None,
) -> None:
    """Close a deal as lost, with the reason (it goes to the refusal work later).

    Example: povtor deal lose 7 --reason "купили у конкурента"
    """
    why = clean_text(reason, field="--reason", required=True)
    day = _on(ctx, on)
    from povtor.app.deals import deal_lose

    state = runtime(ctx)
    lost = deal_lose(state.db, state.clock, deal=deal, on=day, reason=why or "")
    message(
        _("deal #{id} {client}: lost ({why})").format(id=lost.deal_id, client=lost.client, why=why)
    )


@app.command("reopen")
def reopen(
    ctx: typer.Context,
    deal: DealArg,
    stage: Annotated[
        str | None, typer.Option("--stage", help="Stage to reopen at (default: where it closed).")
    ] = None,
    on: On = None,
) -> None:
    """Reopen a won or lost deal.

    Reopened the day it closed, at the stage it closed from (the default), the deal is
    back as it was: its time in the stage and the date promised in it go on. Reopened a
    later day, it starts afresh in the stage.

    Example: povtor deal reopen 7 --stage proposal
    """
    day = _on(ctx, on)
    from povtor.app.deals import deal_reopen

    state = runtime(ctx)
    reopened = deal_reopen(state.db, state.clock, deal=deal, on=day, stage=stage)
    message(
        _("deal #{id} {client}: reopened at {stage}").format(
            id=reopened.deal_id, client=reopened.client, stage=reopened.stage
        )
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    deal: DealArg,
    amount: Annotated[
        str | None,
        typer.Option("--amount", "-a", help='Amount, e.g. 130000 or 130 000,50 ("" clears it).'),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", "-t", help='What the deal is about ("" clears it).')
    ] = None,
    expected: Annotated[
        str | None, typer.Option("--expected", help='Expected payment date ("" clears it).')
    ] = None,
    currency: Annotated[str | None, typer.Option("--currency", help="Currency code.")] = None,
) -> None:
    """Correct a deal's amount, title, expected payment date or currency.

    A won deal's amount is its revenue: the reports follow the corrected figure. Stages
    change with deal move, win, lose and reopen. The correction is recorded with the
    values before it (deal show lists them; povtor db changes lists them all).

    Example: povtor deal edit 7 --amount "130 000" --expected 2026-03-20
    """
    state = runtime(ctx)
    changes: dict[str, Any] = {}
    if amount is not None:
        changes["amount_minor"] = parse_amount(amount, field="--amount") if amount.strip() else None
    if title is not None:
        changes["title"] = clean_text(title, field="--title")
    if expected is not None:
        changes["expected_on"] = (
            parse_date(expected, field="--expected", today=state.clock.today)
            if expected.strip()
            else None
        )
    if currency is not None:
        changes["currency"] = parse_currency(currency, field="--currency")
    if not changes:
        from povtor.errors import InvalidInput

        raise InvalidInput(
            _("nothing to change"), hint=_("give at least one option, e.g. --amount")
        )
    from povtor.app.change_log import change_words
    from povtor.app.edits import edit_deal

    edited = edit_deal(state.db, state.clock, deal, changes)
    if not edited.after:
        message(_("deal {label}: nothing changed").format(label=edited.label))
    else:
        message(
            _("deal {label}: {change_words}").format(
                label=edited.label, change_words=change_words(edited.before, edited.after)
            )
        )


DEAL_COLUMNS = (
    Column("id", N_("ID"), "int"),
    Column("client", N_("Client"), wide=True),
    Column("funnel", N_("Funnel")),
    Column("stage", N_("Stage")),
    Column("status", N_("Status"), in_table=False),
    Column("amount", N_("Amount"), "money"),
    Column("currency", N_("Cur"), in_table=False),
    Column("days_in_stage", N_("Days"), "int"),
    Column("opened_on", N_("Opened"), "date", in_table=False),
    Column("expected_on", N_("Expected"), "date"),
    Column("title", N_("Title"), wide=True),
)
# a listing with closed deals says when each was paid or lost
CLOSED_COLUMNS = (*DEAL_COLUMNS, Column("closed_on", N_("Closed"), "date"))


def days_in_stage(row: Any, today: Any) -> int | None:
    """Calendar days the deal has sat in its stage (open deals; for closed ones, none)."""
    if row["status"] != "open":
        return None
    return (today - to_date(row["stage_entered_on"])).days


def _days_since(day: Any, today: dt.date) -> int | None:
    since = to_date(day)
    return None if since is None else (today - since).days


@app.command("list")
def list_(
    ctx: typer.Context,
    funnel: Annotated[str | None, typer.Option("--funnel", help="Only this funnel.")] = None,
    stage: Annotated[
        str | None,
        typer.Option("--stage", help="Only this stage (without --funnel: in every funnel)."),
    ] = None,
    client: Annotated[
        str | None, typer.Option("--client", "-c", help="Only this client's deals.")
    ] = None,
    status: Annotated[
        str, typer.Option("--status", help="open, won, lost, closed or all.")
    ] = "open",
    fmt: FormatOption = None,
) -> None:
    """List deals with the days each has sat in its current stage; a listing of closed
    deals (--status won, lost, closed or all) also has the day each was paid or lost.

    Example: povtor deal list --funnel repeat --stage invoice --format csv
    """
    state = runtime(ctx)
    db = state.db
    funnel_row = queries.find_funnel(db, funnel) if funnel else None
    stage_ids: tuple[int, ...] = ()
    if stage:
        found = (
            [queries.find_stage(db, funnel_row["id"], stage)]
            if funnel_row
            else queries.find_stage_in_every_funnel(db, stage)
        )
        stage_ids = tuple(row["id"] for row in found)
    client_id = queries.find_client(db, client)["id"] if client else None
    flt = queries.DealFilter(
        status=choose(status, STATUSES, option="--status") or "open",
        funnel_id=funnel_row["id"] if funnel_row else None,
        stage_ids=stage_ids,
        client_id=client_id,
    )
    today = state.clock.today
    closed = flt.status != "open"  # a listing with closed deals says when each closed
    listing = Listing(
        columns=CLOSED_COLUMNS if closed else DEAL_COLUMNS,
        rows=(
            [
                deal_id,
                client_name,
                funnel_code,
                stage_code,
                deal_status,
                amount_minor,
                currency,
                _days_since(entered_on, today) if deal_status == "open" else None,
                opened_on,
                expected_on,
                title,
                *((closed_on,) if closed else ()),
            ]
            for (
                deal_id,
                client_name,
                funnel_code,
                stage_code,
                deal_status,
                amount_minor,
                currency,
                entered_on,
                opened_on,
                expected_on,
                title,
                closed_on,
            ) in queries.iterate_deals(db, flt)
        ),
        title=_(DEAL_TITLES[flt.status]) if flt.status in DEAL_TITLES else f"Deals ({flt.status})",
        empty_message=N_("no deals match"),
    )
    render(listing, fmt)


@app.command("show")
def show(ctx: typer.Context, deal: DealArg, fmt: FormatOption = None) -> None:
    """Show a deal with its full stage history and touches.

    Example: povtor deal show 7
    """
    state = runtime(ctx)
    db = state.db
    row = queries.find_deal(db, deal)
    history = queries.deal_history(db, row["id"])
    touches = queries.deal_touches(db, row["id"])
    detail: dict[str, Any] = {k: row[k] for k in row.keys()}  # noqa: SIM118 - sqlite3.Row
    detail["amount"] = (
        format_money(row["amount_minor"]) if row["amount_minor"] is not None else None
    )
    del detail["amount_minor"]
    detail["is_won"] = bool(row["is_won"])
    detail["days_in_stage"] = days_in_stage(row, state.clock.today)
    # timestamps as the machine formats write them (ISO, UTC, whole seconds)
    detail["history"] = [
        {**h, "at": machine_value("datetime", to_datetime(h["at"]))} for h in history
    ]
    detail["touches"] = [dict(t) for t in touches]
    detail["products"] = [
        {"id": p["id"], "name": p["name"]} for p in product_queries.deal_products(db, row["id"])
    ]
    from povtor.app.change_log import deal_changes

    detail["changes"] = [
        {
            "id": c.id,
            "at": machine_value("datetime", c.at),
            "on_date": c.on_date,
            "entity": c.entity,
            "entity_id": c.entity_id,
            "action": c.action,
            "summary": c.summary(),
            "before": c.before,
            "after": c.after,
        }
        for c in deal_changes(db, row["id"])
    ]
    render_record(detail, fmt, command="deal show", noun="deal", print_table=_print_deal)


def _print_deal(detail: dict[str, Any]) -> None:
    from povtor.output import Card, print_card

    amount = (
        f"{format_money(parse_amount(detail['amount']), grouped=True)} {detail['currency']}"
        if detail["amount"]
        else "not set"
    )
    stage = f"{detail['funnel']}/{detail['stage']} ({detail['stage_name']})"
    fields: list[tuple[str, Any]] = [
        (N_("Client"), f"#{detail['client_id']} {detail['client']}"),
        (N_("Title"), detail["title"]),
        (N_("Stage"), stage),
        (N_("Status"), _(detail["status"])),
        (N_("Amount"), amount),
        (N_("Opened"), detail["opened_on"]),
        (N_("In stage since"), detail["stage_entered_on"]),
        (N_("Days in stage"), detail["days_in_stage"]),
        (N_("Expected"), detail["expected_on"]),
        (N_("Follow up on"), detail["follow_up_on"]),
        (N_("Closed"), detail["closed_on"]),
        (N_("Lost reason"), detail["lost_reason"]),
        (N_("Products"), "; ".join(f"#{p['id']} {p['name']}" for p in detail["products"])),
    ]
    history = Listing(
        (
            Column("at", N_("When (UTC)")),
            Column("on_date", N_("Date"), "date"),
            Column("event", N_("Event")),
            Column("from_stage", N_("From")),
            Column("to_stage", N_("To")),
            Column("reason", N_("Reason"), wide=True),
        ),
        [
            [
                str(h["at"])[:16],
                h["on_date"],
                h["event"],
                h["from_stage"],
                h["to_stage"],
                h["reason"],
            ]
            for h in detail["history"]
        ],
        title=N_("Stage history"),
    )
    sections: list[Any] = [history]
    if detail["touches"]:
        touches = Listing(
            (
                Column("id", N_("#"), "int"),
                Column("on_date", N_("Date"), "date"),
                Column("kind", N_("Kind")),
                Column("channel", N_("Channel")),
                Column("outcome", N_("Outcome")),
                Column("text", N_("Text"), wide=True),
            ),
            [
                [t["id"], t["on_date"], t["kind"], t["channel"], t["outcome"], t["text"]]
                for t in detail["touches"]
            ],
            title=N_("Touches"),
        )
        sections.append(touches)
    if detail["changes"]:
        corrections = Listing(
            (
                Column("id", N_("#"), "int"),
                Column("on_date", N_("Date"), "date"),
                Column("what", N_("What")),
                Column("action", N_("Action")),
                Column("summary", N_("Change"), wide=True),
            ),
            [
                [
                    c["id"],
                    c["on_date"],
                    f"{c['entity']} #{c['entity_id']}",
                    c["action"],
                    c["summary"],
                ]
                for c in detail["changes"]
            ],
            title=N_("Corrections"),
        )
        sections.append(corrections)
    print_card(Card(_("Deal #{id}").format(id=detail["id"]), fields, sections))

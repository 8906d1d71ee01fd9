"""``povtor nudge``: log touches and yes-or-no nudges, print message drafts, templates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from povtor.cli.runtime import FormatOption, choose, command_group, confirm, runtime
from povtor.domain import templates
from povtor.domain.vocabulary import CHANNELS, PURPOSES, TOUCH_KINDS
from povtor.errors import InvalidInput
from povtor.i18n import N_, _, ngettext
from povtor.output import Column, Listing, message, render
from povtor.parsing import parse_amount, parse_date, parse_outcome
from povtor.storage import queries
from povtor.text import TEXT_MAX, clean_text

if TYPE_CHECKING:
    from povtor.app.touches import Recorded

app = command_group(
    help="Touches and yes-or-no nudges («буравчик»): log them, draft the message, templates.",
    no_args_is_help=True,
)
template_app = command_group(
    help="Message templates per touch kind, funnel and stage.", no_args_is_help=True
)
app.add_typer(template_app, name="template")


class LogCommand(TyperCommand):
    """``nudge log``: ``--open`` may go without its STAGE (then: request)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        given = [
            "--open=request"
            if arg == "--open" and (n + 1 == len(args) or args[n + 1].startswith("-"))
            else arg
            for n, arg in enumerate(args)
        ]
        return super().parse_args(ctx, given)


@app.command("log", cls=LogCommand)
def log(
    ctx: typer.Context,
    deal: Annotated[
        str | None, typer.Option("--deal", "-d", help="The deal the touch is about.")
    ] = None,
    client: Annotated[
        str | None, typer.Option("--client", "-c", help="The client (when no deal).")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            "-k",
            help="warming, closing or service (default: closing on a deal, warming on a client).",
        ),
    ] = None,
    channel: Annotated[
        str, typer.Option("--channel", help="call, email, messenger, meeting, gift or other.")
    ] = "other",
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            "-o",
            help="yes, no, later, no-answer or pending (default: pending; yes with --answer).",
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", "-r", help="Why not (with --outcome no), or the answer."),
    ] = None,
    later: Annotated[
        str | None,
        typer.Option(
            "--until", "--later", help="The new date with --outcome later: YYYY-MM-DD or +7."
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="With yes: the stage the deal moves to (default: next)."),
    ] = None,
    text: Annotated[str | None, typer.Option("--text", "-t", help="What was sent or said.")] = None,
    on: Annotated[str | None, typer.Option("--on", help="When (default: today).")] = None,
    purpose: Annotated[
        str | None,
        typer.Option(
            "--purpose",
            help="What the touch was for: perk, backend, cross_sell, roadmap, card, referrals "
            "or content.",
        ),
    ] = None,
    about: Annotated[
        str | None,
        typer.Option(
            "--about",
            help="With --purpose: which one (a perk key, product, step, question; see below).",
        ),
    ] = None,
    answer: Annotated[
        str | None,
        typer.Option(
            "--answer",
            help="A service contact's answer: ok, or problem (with --reason TEXT).",
        ),
    ] = None,
    problem: Annotated[
        str | None,
        typer.Option("--problem", help="What is wrong: the same as --answer problem --reason."),
    ] = None,
    open_stage: Annotated[
        str | None,
        typer.Option(
            "--open",
            metavar="[STAGE]",
            help="With a client's yes: open its deal at STAGE of the repeat funnel "
            "(default: request).",
        ),
    ] = None,
    amount: Annotated[
        str | None,
        typer.Option("--amount", help="With --open: the deal's amount (default: the last paid)."),
    ] = None,
) -> None:
    """Log a touch and its outcome; the outcome moves the deal.

    yes moves the deal to the next stage (paid: won), no closes it as lost with
    the reason, later sets the follow-up date, no-answer leaves it for the next
    nudge. Logging the same touch twice on a day records it once. Prints the id.
    A service contact records its answer: --answer ok, or --problem TEXT (the
    client stays in the plan until a later service contact answers ok).
    --about says which one, and is checked (a typo is an error, not a touch that
    dismisses nothing): with --purpose perk a holiday code or holiday:CODE,
    birthday:PERSON_ID (a person of the client) or occasion:ID (the client's), each
    with :YEAR or without (see: povtor perks upcoming --client C); backend or
    cross_sell: one product by id or name (backend: a backend product), recorded by
    its id; card: a question code (needs, decisions, plans, suppliers, people, terms,
    news); referrals: any text; content: an item of the warming content (its number, see
    povtor nudge content list). --purpose roadmap --about STEP (a position or code;
    default: the client's next step) with --outcome yes also records the step as done
    on the touch's day.

    On the client's own question (no deal, no purpose), no loses every open deal of the
    client with the reason and starts the refusal funnel; yes with --open opens the deal
    (repeat funnel, at request unless --open STAGE, for --amount or the last paid amount),
    without it prints the command that would. See docs/plan.md: how answers change the
    plan.

    Example: povtor nudge log --deal 7 --channel messenger --outcome later --until +7

    Example: povtor nudge log --client Магистраль --kind closing --outcome yes --open
    """
    if (deal is None) == (client is None):
        raise InvalidInput(_("give exactly one of --deal or --client"), hint=_("e.g. --deal 7"))
    state = runtime(ctx)
    today = state.clock.today
    day = parse_date(on, field="--on", today=today) if on is not None else today
    from povtor.domain.service import check_service_answer

    answered = answer is not None or problem is not None
    chosen_kind = choose(kind, TOUCH_KINDS, option="--kind") or (
        "service" if answered else "closing" if deal else "warming"
    )
    chosen_channel = choose(channel, CHANNELS, option="--channel") or "other"
    # a service answer is the client's answer: "yes" unless said otherwise (a deal's
    # "yes" would move the deal, so there the outcome stays as given)
    chosen_outcome = parse_outcome(outcome or ("yes" if answered and deal is None else "pending"))
    follow_up = parse_date(later, field="--until", today=day) if later is not None else None
    if follow_up is not None and chosen_outcome != "later":
        raise InvalidInput(_("--until goes with --outcome later"), hint=_("add --outcome later"))
    if to is not None and chosen_outcome != "yes":
        raise InvalidInput(_("--to goes with --outcome yes"), hint=_("add --outcome yes"))
    why = clean_text(reason, field="--reason")
    chosen_answer, why = check_service_answer(
        kind=chosen_kind,
        answer=answer.strip().lower() if answer is not None else None,
        problem=clean_text(problem, field="--problem", required=True)
        if problem is not None
        else None,
        reason=why,
    )
    body = clean_text(text, field="--text", max_len=TEXT_MAX, multiline=True)
    chosen_purpose = choose(
        purpose.replace("-", "_") if purpose else None, PURPOSES, option="--purpose"
    )
    purpose_ref = clean_text(about, field="--about")
    if purpose_ref and not chosen_purpose:
        raise InvalidInput(
            _("--about goes with --purpose"), hint=_("e.g. --purpose perk --about geologist")
        )
    if amount is not None and open_stage is None:
        raise InvalidInput(_("--amount goes with --open"), hint=_("add --open (or --open STAGE)"))
    open_amount = parse_amount(amount, field="--amount") if amount is not None else None
    if purpose_ref and chosen_purpose == "card":
        from povtor.domain.cards import question_code

        purpose_ref = question_code(purpose_ref)
    import os

    from povtor.app.sellers import ENV, current_seller_id
    from povtor.app.touches import TouchInput, record_touch

    recorded = record_touch(
        state.db,
        state.clock,
        deal=deal,
        client=client,
        seller_id=current_seller_id(state.db, os.environ.get(ENV)),  # who logs it, in a team
        touch=TouchInput(
            kind=chosen_kind,
            channel=chosen_channel,
            outcome=chosen_outcome,
            on=day,
            text=body,
            reason=why,
            follow_up_on=follow_up,
            to_stage=to,
            answer=chosen_answer,
            purpose=chosen_purpose,
            about=purpose_ref,
            open_stage=open_stage.strip() if open_stage is not None else None,
            open_amount=open_amount,
        ),
    )
    if not recorded.is_new:
        message(
            _("touch #{id} was logged already today; nothing added").format(id=recorded.touch_id)
        )
    else:
        effect = ""
        before, after = recorded.deal_before, recorded.deal_after
        if after is not None and before is not None:
            if after["status"] == "lost" and before["status"] != "lost":
                effect = "; " + _lost([(after["id"], before["stage"])], why)
            elif after["status"] != before["status"] or after["stage"] != before["stage"]:
                effect = f"; {_('deal #{id}').format(id=after['id'])}: " + (
                    f"{before['stage']} → {after['stage']} ({_(after['status'])})"
                )
            elif chosen_outcome == "later":
                effect = _("; deal #{id} follow-up on {on}").format(id=after["id"], on=follow_up)
        if chosen_answer:
            effect += f", {_(chosen_answer)}" + (f": «{why}»" if chosen_answer == "problem" else "")
        effect += touch_effects(recorded)
        message(
            _("logged {kind} touch #{id} with {client}: {outcome}").format(
                kind=_(chosen_kind),
                id=recorded.touch_id,
                client=recorded.client["name"],
                outcome=_(chosen_outcome).replace("_", " "),  # (no_answer: "no answer")
            )
            + effect
        )
        notes = [*recorded.notes, *([recorded.roadmap_note] if recorded.roadmap_note else [])]
        for note in notes:
            message(note)
    print(recorded.touch_id)


def touch_effects(recorded: Recorded) -> str:
    """What a client-level answer did to the deals, for the message that reports it."""
    from povtor.parsing import format_amount

    effect = ""
    if recorded.lost:
        effect += "; " + _lost(recorded.lost, recorded.lost_reason)
    if recorded.opened is not None:
        deal_id, stage, opened_amount, currency = recorded.opened
        effect += "; " + _("opened deal #{id} at {stage}").format(id=deal_id, stage=stage)
        if opened_amount is not None:
            effect += _(" for {amount}").format(amount=format_amount(opened_amount, currency))
    return effect


def _lost(deals: list[tuple[int, str]], reason: str | None) -> str:
    """The deals an answer lost, each with the stage it was at, and the reason (a "no"
    that loses a deal always has one)."""
    listed = ", ".join(_("#{id} ({stage})").format(id=i, stage=stage) for i, stage in deals)
    return ngettext(
        "lost deal {deals} with the reason «{reason}»",
        "lost deals {deals} with the reason «{reason}»",
        len(deals),
    ).format(deals=listed, reason=reason)


@app.command("text")
def text_(
    ctx: typer.Context,
    deal: Annotated[str, typer.Argument(help="Deal id or its client's name.")],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            "-k",
            help="warming, closing or service (default: the one that fits the deal).",
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="ru or en (default: the lang setting).")
    ] = None,
) -> None:
    """Print the filled-in message for a deal, ready to paste or pipe.

    The draft fits the deal: an open deal gets its stage's closing nudge, a won deal
    the service draft (how is it going?), a lost deal the refusal revisit (which draft
    was chosen goes to stderr). Refused (exit 5): a closing nudge on a won deal, a
    service one on a lost deal, and a closing nudge on the day the client got the
    quote or the invoice (too early: nudge from tomorrow on). A warming draft shares
    an item of your warming content the client has not had (povtor nudge content add).
    povtor never sends anything itself: it prints drafts.

    Example: povtor nudge text 7 | xclip -selection clipboard
    """
    from povtor.app.drafts import deal_text

    state = runtime(ctx)
    chosen_kind = choose(kind, TOUCH_KINDS, option="--kind")
    language = choose(lang, ("ru", "en"), option="--lang")
    drafted = deal_text(
        state.db, deal=deal, kind=chosen_kind, lang=language, today=state.clock.today
    )
    if drafted.note:
        message(drafted.note)
    print(drafted.text)


TOUCH_COLUMNS = (
    Column("id", N_("ID"), "int"),
    Column("on_date", N_("Date"), "date"),
    Column("client", N_("Client"), wide=True),
    Column("deal_id", N_("Deal"), "int"),
    Column("stage", N_("Stage"), in_table=False),
    Column("kind", N_("Kind")),
    Column("channel", N_("Channel"), in_table=False),
    Column("outcome", N_("Outcome")),
    Column("answer", N_("Answer")),  # a service contact's: ok or problem
    Column("purpose", N_("Purpose")),  # what it was for: perk, roadmap, backend...
    Column("purpose_ref", N_("About"), in_table=False),  # and which one: holiday:builder:2026
    Column("reason", N_("Reason"), in_table=False),
    Column("follow_up_on", N_("Follow up"), "date", in_table=False),
    Column("text", N_("Text"), wide=True),
)


@app.command("list")
def list_(
    ctx: typer.Context,
    client: Annotated[str | None, typer.Option("--client", "-c", help="Only this client.")] = None,
    deal: Annotated[str | None, typer.Option("--deal", "-d", help="Only this deal.")] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", help="warming, closing or service.")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="From this date on.")] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="At most this many, newest first.")
    ] = 50,
    every: Annotated[
        bool, typer.Option("--all", help="Every touch that matches, not only the newest.")
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """List touches, newest first: the newest 50 unless --limit or --all says otherwise
    (a line on stderr says when older ones were left out).

    Example: povtor nudge list --client Ромашка --kind closing --format csv
    """
    state = runtime(ctx)
    db = state.db
    flt = queries.TouchFilter(
        client_id=queries.find_client(db, client)["id"] if client else None,
        deal_id=queries.find_deal(db, deal)["id"] if deal else None,
        kind=choose(kind, TOUCH_KINDS, option="--kind"),
        since=parse_date(since, field="--since", today=state.clock.today).isoformat()
        if since is not None
        else None,
        limit=None if every else limit + 1,  # (one more: whether older ones were left out)
    )
    rows = queries.iterate_touches(db, flt)  # (its columns are TOUCH_COLUMNS, in order)
    left_out: list[bool] = []

    def newest() -> Iterator[tuple[Any, ...]]:
        for count, row in enumerate(rows):
            if not every and count == limit:
                left_out.append(True)
                return
            yield row

    render(
        Listing(TOUCH_COLUMNS, newest(), title=N_("Touches"), empty_message=N_("no touches match")),
        fmt,
    )
    if left_out:
        message(
            _("the newest {limit} touches; older ones too: --all (or a larger --limit)").format(
                limit=limit
            )
        )


# -- corrections ---------------------------------------------------------------------------
TouchId = Annotated[
    int, typer.Argument(min=1, max=queries.MAX_ROW_ID, help="The touch's id (nudge list shows it).")
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def _take_back_question(plan: Any, question: str) -> str:
    lines = [question.format(touch=plan.summary())]
    lines += [f"  - {line}" for line in plan.effects()]
    return "\n".join(lines)


def _report_taken_back(plan: Any, done: str) -> None:
    message(done.format(touch=plan.summary()))
    for line in plan.effects():
        message(f"  {line}")


@app.command("undo")
def undo(ctx: typer.Context, yes: Yes = False) -> None:
    """Take back the touch logged last, and what its outcome did.

    The deal goes back exactly as it was before the touch: a yes's move (or win) and
    its stage history entry, a no's loss, a later's follow-up date. A roadmap step the
    yes recorded as done is not done any more; a referral it added (with nothing of its
    own yet) is removed. When the deal changed after the touch, or a later touch is about
    it, nothing is changed and the error says what to do. Asks first unless --yes; the
    correction is recorded (povtor db changes). Run it again to take back the one before.

    Example: povtor nudge undo --yes
    """
    from povtor.app import corrections

    state = runtime(ctx)
    expected = None
    if not yes:
        plan = corrections.undo_preview(state.db)
        if not confirm(
            _take_back_question(plan, _("Undo {touch}?")), yes=yes, command="nudge undo"
        ):
            return
        expected = plan.touch_id
    done = corrections.undo_last(state.db, state.clock, expected=expected)
    _report_taken_back(done, _("undid {touch}"))


@app.command("delete")
def delete(
    ctx: typer.Context,
    touch: TouchId,
    only_touch: Annotated[
        bool,
        typer.Option(
            "--only-touch", help="Delete the touch alone; what its outcome did stays as it is."
        ),
    ] = False,
    yes: Yes = False,
) -> None:
    """Delete a touch logged by mistake, and take back what its outcome did.

    As povtor nudge undo, for any touch by its id: refused while a later change depends
    on the touch's outcome (the deal moved on, a later touch is about the same deal).
    --only-touch deletes the record alone (a touch an older povtor logged, or imported).
    Asks first unless --yes; the correction is recorded (povtor db changes).

    Example: povtor nudge delete 42 --yes
    """
    from povtor.app import corrections

    state = runtime(ctx)
    if not yes:
        plan = corrections.delete_preview(state.db, touch, only_touch=only_touch)
        if not confirm(
            _take_back_question(plan, _("Delete {touch}?")), yes=yes, command="nudge delete"
        ):
            return
    done = corrections.delete_touch(state.db, state.clock, touch, only_touch=only_touch)
    _report_taken_back(done, _("deleted {touch}"))


@app.command("edit")
def edit(
    ctx: typer.Context,
    touch: TouchId,
    text: Annotated[
        str | None, typer.Option("--text", "-t", help='What was sent or said ("" clears it).')
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option("--channel", help="call, email, messenger, meeting, gift or other."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", help="warming, closing or service.")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", "-r", help='Why not, or the answer ("" clears it).')
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome", "-o", help="pending or no-answer (yes and no: on a client touch)."
        ),
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="When it happened.")] = None,
) -> None:
    """Correct a touch: its text, channel, kind or reason; its outcome and date while they
    change nothing else.

    An outcome that moved, lost or set the follow-up of a deal (or recorded a roadmap step)
    is not edited: povtor nudge delete ID takes the touch back with what it did, then log
    the right one. A new reason of a touch that lost a deal is the deal's lost reason too.
    The correction is recorded (povtor db changes).

    Example: povtor nudge edit 42 --channel call --text "Договорились созвониться в пятницу"
    """
    changes: dict[str, Any] = {}
    if text is not None:
        changes["text"] = clean_text(text, field="--text", max_len=TEXT_MAX, multiline=True)
    if channel is not None:
        changes["channel"] = choose(channel, CHANNELS, option="--channel")
    if kind is not None:
        changes["kind"] = choose(kind, TOUCH_KINDS, option="--kind")
    if reason is not None:
        changes["reason"] = clean_text(reason, field="--reason")
    if outcome is not None:
        chosen = parse_outcome(outcome)
        if chosen == "later":
            raise InvalidInput(
                _("outcome later needs its date, so it is logged, not edited in"),
                hint=_("log it: povtor nudge log --outcome later --until DATE"),
            )
        changes["outcome"] = chosen
    state = runtime(ctx)
    if on is not None:
        changes["on_date"] = parse_date(on, field="--on", today=state.clock.today)
    if not changes:
        raise InvalidInput(_("nothing to change"), hint=_("give at least one option, e.g. --text"))
    from povtor.app.corrections import edit_touch

    edited = edit_touch(state.db, state.clock, touch, changes)
    _report_edit(_("touch {label}").format(label=edited.label), edited)


def _report_edit(what: str, edited: Any) -> None:
    from povtor.app.change_log import change_words

    if not edited.after:
        message(_("{what}: nothing changed").format(what=what))
        return
    message(
        _("{what}: {change_words}").format(
            what=what, change_words=change_words(edited.before, edited.after)
        )
    )
    for note in edited.notes:
        message(note)


@template_app.command("list")
def template_list(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """List the message templates in effect (yours over the defaults).

    Example: povtor nudge template list --format csv
    """
    from povtor.app.drafts import templates_in_effect

    columns = (
        Column("kind", N_("Kind")),
        Column("funnel", N_("Funnel")),
        Column("stage", N_("Stage"), in_table=False),
        Column("lang", N_("Lang")),
        Column("source", N_("Source")),
        Column("body", N_("Text"), wide=True),
    )
    rows = [
        [t.kind, t.funnel, t.stage, t.lang, t.source, t.body]
        for t in templates_in_effect(runtime(ctx).db)
    ]
    render(Listing(columns, rows, title=N_("Message templates")), fmt)


@template_app.command("set")
def template_set(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="warming, closing or service.")],
    body: Annotated[str, typer.Argument(help="The text, with placeholders such as {person}.")],
    funnel: Annotated[str, typer.Option("--funnel", help="Funnel code, or * for any.")] = "*",
    stage: Annotated[str, typer.Option("--stage", help="Stage code, or * for any.")] = "*",
    lang: Annotated[str, typer.Option("--lang", help="ru or en.")] = "ru",
) -> None:
    """Add or replace a template for a touch kind (and funnel, stage, language).

    Placeholders: {person} {client} {company} {amount} {currency} {days} {days_text} {date}
    {stage} {title} {problem} {content} ({days_text}: «6 дней»; {content}: the warming
    content a warming draft shares). --stage problem (service) and --stage referrals
    (closing) set the drafts of a reported problem's follow-up and of the referral ask
    after a refused revisit.

    Example: povtor nudge template set closing "{person}, счёт оплатите на неделе?" --stage invoice
    """
    chosen_kind = choose(kind, TOUCH_KINDS, option="KIND") or "closing"
    language = choose(lang, ("ru", "en"), option="--lang") or "ru"
    text = templates.check(
        clean_text(body, field="template", required=True, max_len=TEXT_MAX, multiline=True) or ""
    )
    from povtor.app.drafts import set_template

    funnel, stage = set_template(
        runtime(ctx).db, kind=chosen_kind, funnel=funnel, stage=stage, lang=language, body=text
    )
    message(
        _("template for {chosen_kind} {funnel}/{stage} ({language}) saved").format(
            chosen_kind=chosen_kind, funnel=funnel, stage=stage, language=language
        )
    )

"""``povtor nudge``: log touches and yes-or-no nudges, print message drafts, templates."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from povtor.cli.runtime import FormatOption, choose, command_group, runtime, writing
from povtor.domain import templates
from povtor.domain.vocabulary import CHANNELS, PURPOSES, TOUCH_KINDS
from povtor.errors import InvalidInput
from povtor.output import Column, Listing, message, render
from povtor.parsing import parse_date
from povtor.storage import queries
from povtor.storage.database import Database, to_date
from povtor.text import TEXT_MAX, clean_text

app = command_group(
    help="Touches and yes-or-no nudges («буравчик»): log them, draft the message, templates.",
    no_args_is_help=True,
)
template_app = command_group(
    help="Message templates per touch kind, funnel and stage.", no_args_is_help=True
)
app.add_typer(template_app, name="template")

OUTCOME_WORDS = {
    "yes": "yes",
    "no": "no",
    "later": "later",
    "no-answer": "no_answer",
    "no_answer": "no_answer",
    "pending": "pending",
}


def parse_outcome(value: str) -> str:
    outcome = OUTCOME_WORDS.get(value.strip().lower())
    if outcome is None:
        raise InvalidInput(
            f"--outcome: {value!r} is not an outcome",
            hint="use yes, no, later, no-answer or pending",
        )
    return outcome


def message_values(db: Database, client: Any, deal: Any | None, today: Any) -> dict[str, Any]:
    """The placeholder values for a client (and deal) as the database has them now."""
    person = db.scalar(
        "SELECT name FROM person WHERE client_id = ? ORDER BY id LIMIT 1", (client["id"],)
    )
    if deal is None:
        return templates.values_for(client=client["name"], company=client["company"], person=person)
    return templates.values_for(
        client=client["name"],
        company=client["company"],
        person=person,
        days=(today - to_date(deal["stage_entered_on"])).days,
        date=deal["expected_on"] or "",
        amount_minor=deal["amount_minor"],
        currency=deal["currency"],
        stage=deal["stage_name"],
        title=deal["title"],
    )


def draft(
    db: Database, *, kind: str, funnel: str, stage: str, lang: str, values: dict[str, Any]
) -> str:
    from povtor.storage.plan_queries import user_templates

    body = templates.lookup(kind, funnel, stage, lang, user_templates(db))
    return templates.fill(body, values)


@app.command("log")
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
        typer.Option("--later", help="The new date with --outcome later: YYYY-MM-DD or +7."),
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
            help="What the touch was for: perk, backend, cross_sell, roadmap, card or referrals.",
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
    news); referrals: any text. --purpose roadmap --about STEP (a position or code;
    default: the client's next step) with --outcome yes also records the step as done
    on the touch's day.

    Example: povtor nudge log --deal 7 --channel messenger --outcome later --later +7
    """
    if (deal is None) == (client is None):
        raise InvalidInput("give exactly one of --deal or --client", hint="e.g. --deal 7")
    state = runtime(ctx)
    today = state.clock.today
    day = parse_date(on, field="--on", today=today) if on else today
    from povtor.domain.service import check_service_answer

    answered = answer is not None or problem is not None
    chosen_kind = choose(kind, TOUCH_KINDS, option="--kind") or (
        "service" if answered else "closing" if deal else "warming"
    )
    chosen_channel = choose(channel, CHANNELS, option="--channel") or "other"
    # a service answer is the client's answer: "yes" unless said otherwise (a deal's
    # "yes" would move the deal, so there the outcome stays as given)
    chosen_outcome = parse_outcome(outcome or ("yes" if answered and deal is None else "pending"))
    follow_up = parse_date(later, field="--later", today=day) if later else None
    if follow_up is not None and chosen_outcome != "later":
        raise InvalidInput("--later goes with --outcome later", hint="add --outcome later")
    if to is not None and chosen_outcome != "yes":
        raise InvalidInput("--to goes with --outcome yes", hint="add --outcome yes")
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
            "--about goes with --purpose", hint="e.g. --purpose perk --about geologist"
        )
    if purpose_ref and chosen_purpose == "card":
        from povtor.domain.cards import question_code

        purpose_ref = question_code(purpose_ref)
    from povtor.storage.roadmap_writes import roadmap_ref, roadmap_yes
    from povtor.storage.writes import log_touch

    with writing(ctx) as (session, db, clock):
        deal_row = queries.find_deal(db, deal) if deal else None
        client_row = queries.find_client(
            db, str(deal_row["client_id"]) if deal_row else client or ""
        )
        if client_row["status"] != "active":
            from povtor.errors import Conflict

            raise Conflict(
                f"client #{client_row['id']} is archived",
                hint=f"povtor client restore {client_row['id']}",
            )
        target = queries.find_stage(db, deal_row["funnel_id"], to) if to and deal_row else None
        problem_before = _open_problem(db, client_row["id"], day) if chosen_answer else None
        if chosen_purpose == "roadmap":  # --about: a step's position or code (default: next)
            purpose_ref = roadmap_ref(db, client_row, purpose_ref)
        elif chosen_purpose == "perk" and purpose_ref:  # a holiday, birthday or occasion key
            from povtor.storage.perk_queries import perk_reference

            purpose_ref = perk_reference(db, client_row, purpose_ref)
        elif chosen_purpose in ("backend", "cross_sell") and purpose_ref:  # a product: its id
            from povtor.storage.offer_queries import offered_product_reference

            purpose_ref = offered_product_reference(db, chosen_purpose, purpose_ref)
        touch, is_new = log_touch(
            session,
            db,
            clock=clock,
            client=client_row,
            deal=deal_row,
            kind=chosen_kind,
            channel=chosen_channel,
            outcome=chosen_outcome,
            on=day,
            text=body,
            reason=why,
            follow_up_on=follow_up,
            to_stage=target,
            answer=chosen_answer,
            purpose=chosen_purpose,
            purpose_ref=purpose_ref,
        )
        after = queries.get_deal(db, deal_row["id"]) if deal_row else None
        follow = _service_and_refusal_notes(
            db, client_row, deal_row, chosen_outcome, chosen_answer, problem_before, day
        )
        # a yes to a roadmap step records the step as done on the touch's day
        if is_new:
            note = roadmap_yes(db, client_row, chosen_purpose, purpose_ref, chosen_outcome, day)
            follow += [note] if note else []
    if not is_new:
        message(f"touch #{touch.id} was logged already today; nothing added")
    else:
        effect = ""
        if after is not None and deal_row is not None:
            if after["status"] != deal_row["status"] or after["stage"] != deal_row["stage"]:
                effect = (
                    f"; deal #{after['id']}: {deal_row['stage']} → {after['stage']} "
                    f"({after['status']})"
                )
            elif chosen_outcome == "later":
                effect = f"; deal #{after['id']} follow-up on {follow_up}"
        if chosen_answer:
            effect += f", {chosen_answer}" + (f": «{why}»" if chosen_answer == "problem" else "")
        message(
            f"logged {chosen_kind} touch #{touch.id} with {client_row['name']}: "
            f"{chosen_outcome}{effect}"
        )
        for note in follow:
            message(note)
    print(touch.id)


def _service_and_refusal_notes(
    db: Database,
    client: Any,
    deal: Any | None,
    outcome: str,
    answer: str | None,
    problem_before: Any | None,
    day: Any,
) -> list[str]:
    """What a touch means for the client's service problem or refusal (stderr notes)."""
    from povtor.domain.service import refusal_revisited
    from povtor.storage import service_queries

    notes: list[str] = []
    problem_now = _open_problem(db, client["id"], day) if answer else None
    if problem_now is not None:
        notes.append(
            "the problem stays in the plan (and raises the client's priority) until a "
            f"service contact answers ok: povtor nudge log --client {client['id']} --answer ok"
        )
    elif problem_before is not None:
        notes.append(
            f"the problem reported {problem_before.reported_on.isoformat()} "
            f"(«{problem_before.text or 'no details'}») is resolved"
        )
    if (
        outcome == "no"
        and deal is None
        and refusal_revisited(
            service_queries.open_deal_count(db, client["id"]),
            service_queries.last_closed_status(db, client["id"]),
        )
    ):
        notes.append(referral_hint(db, client))
    return notes


def _open_problem(db: Database, client_id: int, day: Any) -> Any | None:
    """The client's unresolved service problem as of ``day`` (the touch's date)."""
    from povtor.storage.service_queries import open_problems

    return open_problems(db, day.isoformat()).get(client_id)


def referral_hint(db: Database, client: Any, lang: str | None = None) -> str:
    """Seed 002: after a "no" to a revisit, ask for referrals; the script and how to record."""
    from povtor.storage import service_queries
    from povtor.storage.plan_queries import load_settings, user_templates

    values = message_values(db, client, None, None)
    values["title"] = service_queries.last_lost_title(db, client["id"]) or ""
    body = templates.lookup(
        "closing", "*", "referrals", lang or load_settings(db).str("lang"), user_templates(db)
    )
    return (
        f"ask for referrals: {templates.fill(body, values)}\n"
        f'record one with: povtor client referral {client["id"]} "NAME" [--phone ...]'
    )


@app.command("text")
def text_(
    ctx: typer.Context,
    deal: Annotated[str, typer.Argument(help="Deal id or its client's name.")],
    kind: Annotated[
        str, typer.Option("--kind", "-k", help="warming, closing or service.")
    ] = "closing",
    lang: Annotated[
        str | None, typer.Option("--lang", help="ru or en (default: the lang setting).")
    ] = None,
) -> None:
    """Print the filled-in message for a deal, ready to paste or pipe.

    povtor never sends anything itself: it prints drafts.

    Example: povtor nudge text 7 | xclip -selection clipboard
    """
    from povtor.storage.plan_queries import load_settings

    state = runtime(ctx)
    db = state.db
    chosen_kind = choose(kind, TOUCH_KINDS, option="--kind") or "closing"
    language = choose(lang, ("ru", "en"), option="--lang") or load_settings(db).str("lang")
    deal_row = queries.find_deal(db, deal)
    client_row = queries.find_client(db, str(deal_row["client_id"]))
    values = message_values(db, client_row, deal_row, state.clock.today)
    print(
        draft(
            db,
            kind=chosen_kind,
            funnel=deal_row["funnel"],
            stage=deal_row["stage"],
            lang=language,
            values=values,
        )
    )


TOUCH_COLUMNS = (
    Column("id", "ID", "int"),
    Column("on_date", "Date", "date"),
    Column("client", "Client"),
    Column("deal_id", "Deal", "int"),
    Column("stage", "Stage", in_table=False),
    Column("kind", "Kind"),
    Column("channel", "Channel", in_table=False),
    Column("outcome", "Outcome"),
    Column("answer", "Answer"),  # a service contact's: ok or problem
    Column("purpose", "Purpose"),  # what it was for: perk, roadmap, backend...
    Column("purpose_ref", "About", in_table=False),  # and which one: holiday:builder:2026
    Column("reason", "Reason", in_table=False),
    Column("follow_up_on", "Follow up", "date", in_table=False),
    Column("text", "Text", wide=True),
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
    fmt: FormatOption = None,
) -> None:
    """List touches, newest first.

    Example: povtor nudge list --client Ромашка --kind closing --format csv
    """
    state = runtime(ctx)
    db = state.db
    where, params = [], []  # type: ignore[var-annotated]
    if client:
        where.append("t.client_id = ?")
        params.append(queries.find_client(db, client)["id"])
    if deal:
        where.append("t.deal_id = ?")
        params.append(queries.find_deal(db, deal)["id"])
    if kind:
        where.append("t.kind = ?")
        params.append(choose(kind, TOUCH_KINDS, option="--kind"))
    if since:
        where.append("t.on_date >= ?")
        params.append(parse_date(since, field="--since", today=state.clock.today).isoformat())
    rows = db.rows(
        f"""SELECT t.id, t.on_date, c.name AS client, t.deal_id, s.code AS stage, t.kind, t.channel,
                   t.outcome, t.answer, t.purpose, t.purpose_ref, t.reason, t.follow_up_on,
                   t.text
            FROM touch t JOIN client c ON c.id = t.client_id LEFT JOIN stage s ON s.id = t.stage_id
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY t.at DESC, t.id DESC LIMIT ?""",
        [*params, limit],
    )
    render(
        Listing(
            TOUCH_COLUMNS,
            [[r[c.key] for c in TOUCH_COLUMNS] for r in rows],
            title="Touches",
            empty_message="no touches match",
        ),
        fmt,
    )


@template_app.command("list")
def template_list(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """List the message templates in effect (yours over the defaults).

    Example: povtor nudge template list --format csv
    """
    from povtor.storage.plan_queries import user_templates

    mine = user_templates(runtime(ctx).db)
    keys = sorted(set(templates.DEFAULTS) | set(mine))
    columns = (
        Column("kind", "Kind"),
        Column("funnel", "Funnel"),
        Column("stage", "Stage", in_table=False),
        Column("lang", "Lang"),
        Column("source", "Source"),
        Column("body", "Text", wide=True),
    )
    rows = [
        [*key, "yours" if key in mine else "default", mine.get(key, templates.DEFAULTS.get(key))]
        for key in keys
    ]
    render(Listing(columns, rows, title="Message templates"), fmt)


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

    Placeholders: {person} {client} {company} {amount} {currency} {days} {date} {stage} {title}
    {problem}. --stage problem (service) and --stage referrals (closing) set the drafts of
    a reported problem's follow-up and of the referral ask after a refused revisit.

    Example: povtor nudge template set closing "{person}, счёт оплатите на неделе?" --stage invoice
    """
    chosen_kind = choose(kind, TOUCH_KINDS, option="KIND") or "closing"
    language = choose(lang, ("ru", "en"), option="--lang") or "ru"
    text = templates.check(
        clean_text(body, field="template", required=True, max_len=TEXT_MAX, multiline=True) or ""
    )
    with writing(ctx) as (_session, db, _clock):
        if funnel != "*":
            funnel_row = queries.find_funnel(db, funnel)
            funnel = funnel_row["code"]
            if stage != "*":
                stage = queries.find_stage(db, funnel_row["id"], stage)["code"]
        elif stage in templates.PSEUDO_STAGES:  # a step's own draft: problem, referrals
            if templates.PSEUDO_STAGES[stage] != chosen_kind:
                raise InvalidInput(
                    f"--stage {stage} is a {templates.PSEUDO_STAGES[stage]} draft, "
                    f"not a {chosen_kind} one",
                    hint=f"povtor nudge template set {templates.PSEUDO_STAGES[stage]} TEXT "
                    f"--stage {stage}",
                )
        elif stage != "*" and not db.scalar("SELECT COUNT(*) FROM stage WHERE code = ?", (stage,)):
            raise InvalidInput(
                f"--stage: no funnel has a stage {stage!r}", hint="see: povtor funnel list"
            )
        db.execute(
            "DELETE FROM template WHERE kind = ? AND funnel = ? AND stage = ? AND lang = ?",
            (chosen_kind, funnel, stage, language),
        )
        db.execute(
            "INSERT INTO template (kind, funnel, stage, lang, body) VALUES (?, ?, ?, ?, ?)",
            (chosen_kind, funnel, stage, language, text),
        )
    message(f"template for {chosen_kind} {funnel}/{stage} ({language}) saved")

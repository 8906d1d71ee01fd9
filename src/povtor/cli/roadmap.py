"""``povtor roadmap``: each category's roadmap (seed 001), and clients' progress along it
(``povtor client step``, ``povtor client roadmap``)."""

from __future__ import annotations

from typing import Annotated

import typer

from povtor.cli.runtime import FormatOption, choose, command_group, runtime
from povtor.domain.vocabulary import CATEGORIES
from povtor.errors import InvalidInput
from povtor.i18n import N_, _
from povtor.output import Column, Listing, message, render
from povtor.parsing import parse_date
from povtor.text import TEXT_MAX, clean_text

app = command_group(
    help="Roadmaps: each category's steps to large regular purchases, with a call script "
    "per step; clients' progress: povtor client step, povtor client roadmap.",
    no_args_is_help=True,
)
step_app = command_group(
    help="A client's progress along its roadmap: mark steps done or undo them.",
    no_args_is_help=True,
)

CategoryArg = Annotated[str, typer.Argument(help="The roadmap's category: A, B or C.")]
StepArg = Annotated[str, typer.Argument(help="The step: its position (2) or its code.")]
ClientArg = Annotated[
    str, typer.Argument(help="Client id (12 or #12) or part of its name or company.")
]


def _category(value: str) -> str:
    return choose(value, CATEGORIES, option="CATEGORY") or "C"


def _script(value: str) -> str:
    from povtor.domain import templates

    text = clean_text(value, field="--script", required=True, max_len=TEXT_MAX, multiline=True)
    return templates.check(text or "")


def _title(value: str) -> str:
    return clean_text(value, field="title", required=True) or ""


STEP_COLUMNS = (
    Column("category", N_("Cat")),
    Column("position", N_("#"), "int"),
    Column("code", N_("Code")),
    Column("title", N_("Step"), wide=True),
    Column("clients", N_("Done by"), "int"),
    Column("script", N_("Script"), wide=True),
)


@app.command("list")
def list_(
    ctx: typer.Context,
    category: Annotated[
        str | None, typer.Option("--category", "-C", "-c", help="Only this category's roadmap.")
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """List the roadmaps' steps in order, with their codes, scripts and how many active
    clients have done each.

    Example: povtor roadmap list --category B
    """
    from povtor.app import roadmaps

    db = runtime(ctx).db
    wanted = choose(category, CATEGORIES, option="--category")
    steps = roadmaps.list_steps(db, wanted)
    render(
        Listing(
            STEP_COLUMNS,
            [[s.category, s.position, s.code, s.title, done_by, s.script] for s, done_by in steps],
            title=f"Roadmap {wanted}" if wanted else "Roadmaps",
            empty_message=f"roadmap {wanted} has no steps" if wanted else "no roadmap steps",
        ),
        fmt,
    )


@app.command("add")
def add(
    ctx: typer.Context,
    category: CategoryArg,
    title: Annotated[str, typer.Argument(help="What the client does, e.g. «Поход в баню».")],
    script: Annotated[
        str,
        typer.Option(
            "--script",
            "-s",
            help="The call script: what we want + yes or no; placeholders such as {person}.",
        ),
    ],
    code: Annotated[
        str | None,
        typer.Option("--code", help="A short code (default: made from the title)."),
    ] = None,
    at: Annotated[
        int | None,
        typer.Option("--at", min=1, help="Insert at this position (default: last)."),
    ] = None,
) -> None:
    """Add a step to a category's roadmap; the steps after it move down one. Prints its code.

    Example: povtor roadmap add A "Поход в баню" --at 11 --script "{person}, в баню в пятницу?"
    """
    from povtor.app import roadmaps
    from povtor.domain.roadmaps import check_code

    chosen = _category(category)
    clean_title = _title(title)
    body = _script(script)
    wanted_code = check_code(code) if code is not None else None
    added = roadmaps.add_step(
        runtime(ctx).db, chosen, title=clean_title, script=body, code=wanted_code, at=at
    )
    step = added.step
    message(
        _("roadmap {chosen}: added step {position} of {total} «{title}» ({code})").format(
            chosen=chosen,
            position=step.position,
            total=added.total,
            title=step.title,
            code=step.code,
        )
    )
    print(step.code)


@app.command("edit")
def edit(
    ctx: typer.Context,
    category: CategoryArg,
    step: StepArg,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    script: Annotated[str | None, typer.Option("--script", "-s", help="New call script.")] = None,
    code: Annotated[str | None, typer.Option("--code", help="New code.")] = None,
    move_to: Annotated[
        int | None,
        typer.Option("--move-to", min=1, help="Move the step to this position."),
    ] = None,
) -> None:
    """Change a step's title, script or code, or move it to another position (the steps
    in between shift by one). Clients' progress stays with the step.

    Example: povtor roadmap edit B exhibition --move-to 1 --title "Выставка «Стройтех»"
    """
    from povtor.app import roadmaps
    from povtor.domain.roadmaps import check_code

    chosen = _category(category)
    new_title = _title(title) if title is not None else None
    new_script = _script(script) if script is not None else None
    new_code = check_code(code) if code is not None else None
    if new_title is None and new_script is None and new_code is None and move_to is None:
        raise InvalidInput(
            _("nothing to change"), hint=_("give --title, --script, --code or --move-to")
        )
    found = roadmaps.edit_step(
        runtime(ctx).db,
        chosen,
        step,
        title=new_title,
        script=new_script,
        code=new_code,
        move_to=move_to,
    )
    changed = [
        name
        for name, value in (("title", new_title), ("script", new_script), ("code", new_code))
        if value is not None
    ]
    if move_to is not None and move_to != found.position:
        changed.append(f"moved {found.position} → {move_to}")
    message(
        f"roadmap {chosen}: step «{new_title or found.title}» ({new_code or found.code}): "
        + (", ".join(changed) or "nothing changed")
    )


@app.command("remove")
def remove(
    ctx: typer.Context,
    category: CategoryArg,
    step: StepArg,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Also erase the record of the clients who have done the step."
        ),
    ] = False,
) -> None:
    """Remove a step; the steps after it move up one. A step some clients have done is
    kept unless --force, which erases their record of it too.

    Example: povtor roadmap remove C promo
    """
    from povtor.app import roadmaps

    chosen = _category(category)
    removed = roadmaps.remove_step(runtime(ctx).db, chosen, step, force=force)
    found = removed.step
    note = f"; erased it from {removed.erased} client(s)' progress" if removed.erased else ""
    message(
        _("roadmap {chosen}: removed step {position} «{title}» ({code}){note}").format(
            chosen=chosen, position=found.position, title=found.title, code=found.code, note=note
        )
    )


# -- clients' progress ---------------------------------------------------------------------
@step_app.command("done")
def step_done(
    ctx: typer.Context,
    client: ClientArg,
    step: Annotated[
        str | None,
        typer.Argument(help="The step: position or code (default: the client's next one)."),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="When it was done (default: today).")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", "-n", help="How it went, e.g. «были 2 человека».")
    ] = None,
) -> None:
    """Record that a client has done a step of its category's roadmap (default: its next
    undone step). Prints the step's code.

    Example: povtor client step done Ромашка exhibition --on 2026-10-02 --note "был на стенде"
    """
    from povtor.app import roadmaps

    state = runtime(ctx)
    today = state.clock.today
    day = parse_date(on, field="--on", today=today) if on is not None else today
    if day > today:
        raise InvalidInput(
            _("--on {day} is in the future").format(day=day.isoformat()),
            hint=_("record steps that happened"),
        )
    clean_note = clean_text(note, field="--note", max_len=TEXT_MAX, multiline=True)
    done = roadmaps.mark_step_done(state.db, client, step, on=day, note=clean_note)
    chosen, upcoming = done.step, done.upcoming
    then = f"; next: step {upcoming.position} «{upcoming.title}»" if upcoming else "; all done"
    message(
        _(
            "#{client_id} {client}: step {position} «{title}» done on {day} "
            "({done} of {total} on roadmap {category}){then}"
        ).format(
            client_id=done.client_id,
            client=done.client,
            position=chosen.position,
            title=chosen.title,
            day=day.isoformat(),
            done=done.done,
            total=done.total,
            category=done.category,
            then=then,
        )
    )
    print(chosen.code)


@step_app.command("undo")
def step_undo(ctx: typer.Context, client: ClientArg, step: StepArg) -> None:
    """Take back a step recorded as done by mistake.

    Example: povtor client step undo Ромашка exhibition
    """
    from povtor.app import roadmaps

    undone = roadmaps.undo_step(runtime(ctx).db, client, step)
    message(
        _(
            "#{client_id} {client}: step {position} «{title}» of roadmap "
            "{category} is not done any more (was done {done_on})"
        ).format(
            client_id=undone.client_id,
            client=undone.client,
            position=undone.position,
            title=undone.title,
            category=undone.category,
            done_on=undone.done_on,
        )
    )


ROADMAP_COLUMNS = (
    Column("category", N_("Cat"), in_table=False),
    Column("position", N_("#"), "int"),
    Column("code", N_("Code")),
    Column("title", N_("Step"), wide=True),
    Column("status", N_("Status")),
    Column("done_on", N_("Done"), "date"),
    Column("note", N_("Note"), wide=True),
    Column("script", N_("Script"), wide=True, in_table=False),
)


def client_roadmap(ctx: typer.Context, client: ClientArg, fmt: FormatOption = None) -> None:
    """Show a client's roadmap: each step with its done date, and the next step with its
    script filled in.

    Example: povtor client roadmap Ромашка
    """
    from povtor.app import roadmaps

    card = roadmaps.client_roadmap(runtime(ctx).db, client)
    caption = f"{card.done} of {card.total} steps done"
    if card.upcoming is not None:
        caption += (
            f"; next: step {card.upcoming.position} «{card.upcoming.title}» — say: {card.say}"
        )
    elif card.total:
        caption += "; the roadmap is done"
    render(
        Listing(
            ROADMAP_COLUMNS,
            [
                [
                    line.category,
                    line.position,
                    line.code,
                    line.title,
                    line.status,
                    line.done_on,
                    line.note,
                    line.script,
                ]
                for line in card.lines
            ],
            title=f"Roadmap {card.category} of #{card.client_id} {card.client}",
            caption=caption,
            empty_message=f"roadmap {card.category} has no steps (add some: povtor roadmap add)",
        ),
        fmt,
    )

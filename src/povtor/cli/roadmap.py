"""``povtor roadmap``: each category's roadmap (seed 001), and clients' progress along it
(``povtor client step``, ``povtor client roadmap``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from povtor.cli.runtime import FormatOption, choose, command_group, runtime
from povtor.domain.vocabulary import CATEGORIES
from povtor.errors import Conflict, InvalidInput
from povtor.output import Column, Listing, message, render
from povtor.parsing import parse_date
from povtor.storage import queries
from povtor.storage.database import Database, Row, to_date
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
    Column("category", "Cat"),
    Column("position", "#", "int"),
    Column("code", "Code"),
    Column("title", "Step", wide=True),
    Column("clients", "Done by", "int"),
    Column("script", "Script", wide=True),
)


@app.command("list")
def list_(
    ctx: typer.Context,
    category: Annotated[
        str | None, typer.Option("--category", "-c", help="Only this category's roadmap.")
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """List the roadmaps' steps in order, with their codes, scripts and how many active
    clients have done each.

    Example: povtor roadmap list --category B
    """
    from povtor.storage.roadmap_queries import done_counts, roadmap_steps

    db = runtime(ctx).db
    wanted = choose(category, CATEGORIES, option="--category")
    counts = done_counts(db)
    steps = roadmap_steps(db, wanted)
    render(
        Listing(
            STEP_COLUMNS,
            [
                [s.category, s.position, s.code, s.title, counts.get(s.id, 0), s.script]
                for s in steps
            ],
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
    from povtor.domain.roadmaps import check_code, code_from_title
    from povtor.storage.roadmap_queries import roadmap_steps
    from povtor.storage.roadmap_writes import add_step

    chosen = _category(category)
    clean_title = _title(title)
    body = _script(script)
    wanted_code = check_code(code) if code is not None else None
    db = runtime(ctx).db
    with db.transaction():
        steps = roadmap_steps(db, chosen)
        taken = {s.code for s in steps}
        if wanted_code is not None and wanted_code in taken:
            raise Conflict(
                f"roadmap {chosen} has a step {wanted_code!r} already",
                hint="choose another --code",
            )
        if at is not None and at > len(steps) + 1:
            raise InvalidInput(
                f"--at {at}: roadmap {chosen} has {len(steps)} steps",
                hint=f"give a position from 1 to {len(steps) + 1}",
            )
        step = add_step(
            db,
            category=chosen,
            title=clean_title,
            script=body,
            code=wanted_code or code_from_title(clean_title, taken),
            at=at,
        )
        total = len(steps) + 1
    message(f"roadmap {chosen}: added step {step.position} of {total} «{step.title}» ({step.code})")
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
    from povtor.domain.roadmaps import check_code, reordered
    from povtor.storage.roadmap_queries import roadmap_steps, step_in_roadmap
    from povtor.storage.roadmap_writes import renumber, update_step

    chosen = _category(category)
    new_title = _title(title) if title is not None else None
    new_script = _script(script) if script is not None else None
    new_code = check_code(code) if code is not None else None
    if new_title is None and new_script is None and new_code is None and move_to is None:
        raise InvalidInput("nothing to change", hint="give --title, --script, --code or --move-to")
    db = runtime(ctx).db
    with db.transaction():
        found = step_in_roadmap(db, chosen, step)
        steps = roadmap_steps(db, chosen)
        if (
            new_code is not None
            and new_code != found.code
            and any(s.code == new_code for s in steps)
        ):
            raise Conflict(
                f"roadmap {chosen} has a step {new_code!r} already", hint="choose another --code"
            )
        update_step(db, found, title=new_title, script=new_script, code=new_code)
        if move_to is not None and move_to != found.position:
            if move_to > len(steps):
                raise InvalidInput(
                    f"--move-to {move_to}: roadmap {chosen} has {len(steps)} steps",
                    hint=f"give a position from 1 to {len(steps)}",
                )
            renumber(db, chosen, reordered([s.id for s in steps], found.id, move_to))
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
    from povtor.storage.roadmap_queries import step_in_roadmap
    from povtor.storage.roadmap_writes import remove_step

    chosen = _category(category)
    db = runtime(ctx).db
    with db.transaction():
        found = step_in_roadmap(db, chosen, step)
        clients = int(
            db.scalar("SELECT COUNT(*) FROM client_step WHERE step_id = ?", (found.id,)) or 0
        )
        if clients and not force:
            raise Conflict(
                f"{clients} client(s) have done step {found.position} «{found.title}» of "
                f"roadmap {chosen}",
                hint="to erase their record of it too, add --force; or keep the step and "
                "edit it: povtor roadmap edit",
            )
        erased = remove_step(db, found)
    note = f"; erased it from {erased} client(s)' progress" if erased else ""
    message(f"roadmap {chosen}: removed step {found.position} «{found.title}» ({found.code}){note}")


# -- clients' progress ---------------------------------------------------------------------
def _client_for_roadmap(db: Database, ref: str) -> tuple[Row, str]:
    """The client and its category, or an error saying a category is needed."""
    client = queries.find_client(db, ref)
    if client["category"] is None:
        raise Conflict(
            f"client #{client['id']} {client['name']} has no category, so no roadmap",
            hint=f"set one first: povtor client edit {client['id']} --category B",
        )
    return client, client["category"]


def _first_person(db: Database, client_id: int) -> str | None:
    name = db.scalar(
        "SELECT name FROM person WHERE client_id = ? ORDER BY id LIMIT 1", (client_id,)
    )
    return str(name) if name is not None else None


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
    from povtor.domain.roadmaps import next_step
    from povtor.storage.roadmap_queries import client_steps_done, roadmap_steps, step_in_roadmap
    from povtor.storage.roadmap_writes import mark_done

    state = runtime(ctx)
    today = state.clock.today
    day = parse_date(on, field="--on", today=today) if on else today
    if day > today:
        raise InvalidInput(
            f"--on {day.isoformat()} is in the future", hint="record steps that happened"
        )
    clean_note = clean_text(note, field="--note", max_len=TEXT_MAX, multiline=True)
    db = state.db
    with db.transaction():
        row, category = _client_for_roadmap(db, client)
        if row["status"] != "active":
            raise Conflict(
                f"client #{row['id']} {row['name']} is archived",
                hint=f"povtor client restore {row['id']}",
            )
        steps = roadmap_steps(db, category)
        if step is None:
            done_ids = {r["step_id"] for r in client_steps_done(db, row["id"])}
            chosen = next_step(steps, done_ids)
            if not steps:
                raise Conflict(
                    f"roadmap {category} has no steps",
                    hint=f'add one: povtor roadmap add {category} "..." --script "..."',
                )
            if chosen is None:
                raise Conflict(
                    f"{row['name']} has done all {len(steps)} steps of roadmap {category}",
                    hint=f'add one: povtor roadmap add {category} "..." --script "..."',
                )
        else:
            chosen = step_in_roadmap(db, category, step, client=row["name"])
        mark_done(db, client_id=row["id"], step=chosen, on=day, note=clean_note)
        done_ids = {r["step_id"] for r in client_steps_done(db, row["id"])}
        upcoming = next_step(steps, done_ids)
        count = sum(1 for s in steps if s.id in done_ids)
    then = f"; next: step {upcoming.position} «{upcoming.title}»" if upcoming else "; all done"
    message(
        f"#{row['id']} {row['name']}: step {chosen.position} «{chosen.title}» done on "
        f"{day.isoformat()} ({count} of {len(steps)} on roadmap {category}){then}"
    )
    print(chosen.code)


@step_app.command("undo")
def step_undo(ctx: typer.Context, client: ClientArg, step: StepArg) -> None:
    """Take back a step recorded as done by mistake.

    Example: povtor client step undo Ромашка exhibition
    """
    from povtor.storage.roadmap_queries import client_steps_done, step_in_roadmap

    db = runtime(ctx).db
    with db.transaction():
        row = queries.find_client(db, client)
        done = client_steps_done(db, row["id"])
        # a step done on the roadmap of a former category can be undone by its code too
        ref = step.strip()
        record = next(
            (r for r in done if r["category"] == row["category"] and _names(r, ref)), None
        ) or next((r for r in done if not ref.isdigit() and _names(r, ref)), None)
        if record is None:
            if row["category"] is None:
                _client_for_roadmap(db, client)  # the "set a category" error
            found = step_in_roadmap(db, row["category"], step, client=row["name"])
            raise Conflict(
                f"{row['name']} has not done step {found.position} «{found.title}»",
                hint=f"see the progress: povtor client roadmap {row['id']}",
            )
        db.execute("DELETE FROM client_step WHERE id = ?", (record["id"],))
    message(
        f"#{row['id']} {row['name']}: step {record['position']} «{record['title']}» of roadmap "
        f"{record['category']} is not done any more (was done {to_date(record['done_on'])})"
    )


def _names(record: Row, ref: str) -> bool:
    from povtor.text import fold

    return (ref.isdigit() and record["position"] == int(ref)) or record["code"] == fold(ref)


ROADMAP_COLUMNS = (
    Column("category", "Cat", in_table=False),
    Column("position", "#", "int"),
    Column("code", "Code"),
    Column("title", "Step", wide=True),
    Column("status", "Status"),
    Column("done_on", "Done", "date"),
    Column("note", "Note", wide=True),
    Column("script", "Script", wide=True, in_table=False),
)


def client_roadmap(ctx: typer.Context, client: ClientArg, fmt: FormatOption = None) -> None:
    """Show a client's roadmap: each step with its done date, and the next step with its
    script filled in.

    Example: povtor client roadmap Ромашка
    """
    from povtor.domain import templates
    from povtor.domain.roadmaps import fallback_script, next_step
    from povtor.storage.roadmap_queries import client_steps_done, roadmap_steps

    db = runtime(ctx).db
    row, category = _client_for_roadmap(db, client)
    steps = roadmap_steps(db, category)
    done = {r["step_id"]: r for r in client_steps_done(db, row["id"])}
    upcoming = next_step(steps, set(done))
    rows: list[list[Any]] = []
    for s in steps:
        record = done.get(s.id)
        status = "done" if record else ("next" if upcoming and s.id == upcoming.id else "")
        rows.append(
            [
                s.category,
                s.position,
                s.code,
                s.title,
                status,
                to_date(record["done_on"]) if record else None,
                record["note"] if record else None,
                s.script,
            ]
        )
    for record in done.values():
        if record["category"] != category:
            rows.append(
                [
                    record["category"],
                    record["position"],
                    record["code"],
                    record["title"],
                    f"done (roadmap {record['category']})",
                    to_date(record["done_on"]),
                    record["note"],
                    None,
                ]
            )
    count = sum(1 for s in steps if s.id in done)
    caption = f"{count} of {len(steps)} steps done"
    if upcoming is not None:
        values = templates.values_for(
            client=row["name"], company=row["company"], person=_first_person(db, row["id"])
        )
        text = templates.fill(upcoming.script or fallback_script(upcoming.title), values)
        caption += f"; next: step {upcoming.position} «{upcoming.title}» — say: {text}"
    elif steps:
        caption += "; the roadmap is done"
    render(
        Listing(
            ROADMAP_COLUMNS,
            rows,
            title=f"Roadmap {category} of #{row['id']} {row['name']}",
            caption=caption,
            empty_message=f"roadmap {category} has no steps (add some: povtor roadmap add)",
        ),
        fmt,
    )

"""Use cases for the roadmaps (seed 001) and clients' progress along them."""

from __future__ import annotations

import datetime as dt

from povtor.domain.roadmaps import Step, code_from_title, next_step, reordered
from povtor.errors import Conflict, InvalidInput
from povtor.i18n import _
from povtor.records import record
from povtor.storage import queries, roadmap_writes
from povtor.storage.database import Database, Row, to_date
from povtor.storage.roadmap_queries import (
    client_steps_done,
    done_counts,
    roadmap_steps,
    step_done_by,
    step_in_roadmap,
)


def list_steps(db: Database, category: str | None) -> list[tuple[Step, int]]:
    """``roadmap list``: the steps in order, each with how many active clients did it."""
    counts = done_counts(db)
    return [(s, counts.get(s.id, 0)) for s in roadmap_steps(db, category)]


@record(frozen=True, slots=True)
class AddedStep:
    step: Step
    total: int  # steps in the roadmap now


def add_step(
    db: Database, category: str, *, title: str, script: str, code: str | None, at: int | None
) -> AddedStep:
    """``roadmap add``: a step at position ``at`` (default: last), with ``code`` (checked)
    if it is free, else one made from the title."""
    wanted = code
    with db.transaction():
        steps = roadmap_steps(db, category)
        taken = {s.code for s in steps}
        if wanted is not None and wanted in taken:
            raise Conflict(
                _("roadmap {category} has a step {wanted} already").format(
                    category=category, wanted=repr(wanted)
                ),
                hint=_("choose another --code"),
            )
        if at is not None and at > len(steps) + 1:
            raise InvalidInput(
                _("--at {at}: roadmap {category} has {n} steps").format(
                    at=at, category=category, n=len(steps)
                ),
                hint=_("give a position from 1 to {n}").format(n=len(steps) + 1),
            )
        step = roadmap_writes.add_step(
            db,
            category=category,
            title=title,
            script=script,
            code=wanted or code_from_title(title, taken),
            at=at,
        )
    return AddedStep(step, len(steps) + 1)


def edit_step(
    db: Database,
    category: str,
    ref: str,
    *,
    title: str | None,
    script: str | None,
    code: str | None,
    move_to: int | None,
) -> Step:
    """``roadmap edit``: change what is given, move the step if asked; returns the step as
    it was before."""
    with db.transaction():
        found = step_in_roadmap(db, category, ref)
        steps = roadmap_steps(db, category)
        if code is not None and code != found.code and any(s.code == code for s in steps):
            raise Conflict(
                _("roadmap {category} has a step {code} already").format(
                    category=category, code=repr(code)
                ),
                hint=_("choose another --code"),
            )
        roadmap_writes.update_step(db, found, title=title, script=script, code=code)
        if move_to is not None and move_to != found.position:
            if move_to > len(steps):
                raise InvalidInput(
                    _("--move-to {move_to}: roadmap {category} has {n} steps").format(
                        move_to=move_to, category=category, n=len(steps)
                    ),
                    hint=_("give a position from 1 to {n}").format(n=len(steps)),
                )
            roadmap_writes.renumber(
                db, category, reordered([s.id for s in steps], found.id, move_to)
            )
    return found


@record(frozen=True, slots=True)
class RemovedStep:
    step: Step
    erased: int  # clients whose record of the step went with it


def remove_step(db: Database, category: str, ref: str, *, force: bool) -> RemovedStep:
    """``roadmap remove``: a step no client has done (any step with ``force``)."""
    with db.transaction():
        found = step_in_roadmap(db, category, ref)
        clients = step_done_by(db, found.id)
        if clients and not force:
            raise Conflict(
                _(
                    "{clients} client(s) have done step {position} «{title}» of roadmap {category}"
                ).format(
                    clients=clients, position=found.position, title=found.title, category=category
                ),
                hint=_(
                    "to erase their record of it too, add --force; or keep the step and "
                    "edit it: povtor roadmap edit"
                ),
            )
        erased = roadmap_writes.remove_step(db, found)
    return RemovedStep(found, erased)


# -- clients' progress ---------------------------------------------------------------------
def client_for_roadmap(db: Database, ref: str) -> tuple[Row, str]:
    """The client and its category, or an error saying a category is needed."""
    client = queries.find_client(db, ref)
    if client["category"] is None:
        raise Conflict(
            _("client #{id} {name} has no category, so no roadmap").format(
                id=client["id"], name=client["name"]
            ),
            hint=_("set one first: povtor client edit {id} --category B").format(id=client["id"]),
        )
    return client, client["category"]


@record(frozen=True, slots=True)
class StepDone:
    client_id: int
    client: str
    category: str
    step: Step
    done: int  # steps of the roadmap done now
    total: int
    upcoming: Step | None


def mark_step_done(
    db: Database, client: str, step: str | None, *, on: dt.date, note: str | None
) -> StepDone:
    """``client step done``: record a step (default: the client's next one) as done."""
    with db.transaction():
        row, category = client_for_roadmap(db, client)
        if row["status"] != "active":
            raise Conflict(
                _("client #{id} {name} is archived").format(id=row["id"], name=row["name"]),
                hint=_("povtor client restore {id}").format(id=row["id"]),
            )
        steps = roadmap_steps(db, category)
        if step is None:
            done_ids = {r["step_id"] for r in client_steps_done(db, row["id"])}
            chosen = next_step(steps, done_ids)
            if not steps:
                raise Conflict(
                    _("roadmap {category} has no steps").format(category=category),
                    hint=_('add one: povtor roadmap add {category} "..." --script "..."').format(
                        category=category
                    ),
                )
            if chosen is None:
                raise Conflict(
                    _("{name} has done all {n} steps of roadmap {category}").format(
                        name=row["name"], n=len(steps), category=category
                    ),
                    hint=_('add one: povtor roadmap add {category} "..." --script "..."').format(
                        category=category
                    ),
                )
        else:
            chosen = step_in_roadmap(db, category, step, client=row["name"])
        roadmap_writes.mark_done(db, client_id=row["id"], step=chosen, on=on, note=note)
        done_ids = {r["step_id"] for r in client_steps_done(db, row["id"])}
    return StepDone(
        client_id=row["id"],
        client=row["name"],
        category=category,
        step=chosen,
        done=sum(1 for s in steps if s.id in done_ids),
        total=len(steps),
        upcoming=next_step(steps, done_ids),
    )


@record(frozen=True, slots=True)
class StepUndone:
    client_id: int
    client: str
    category: str  # of the roadmap the step is on
    position: int
    title: str
    done_on: dt.date | None  # when it had been done


def undo_step(db: Database, client: str, step: str) -> StepUndone:
    """``client step undo``: take back a step recorded as done."""
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
                client_for_roadmap(db, client)  # the "set a category" error
            found = step_in_roadmap(db, row["category"], step, client=row["name"])
            raise Conflict(
                _("{name} has not done step {position} «{title}»").format(
                    name=row["name"], position=found.position, title=found.title
                ),
                hint=_("see the progress: povtor client roadmap {id}").format(id=row["id"]),
            )
        roadmap_writes.unmark_done(db, record["id"])
    return StepUndone(
        client_id=row["id"],
        client=row["name"],
        category=record["category"],
        position=record["position"],
        title=record["title"],
        done_on=to_date(record["done_on"]),
    )


def _names(record: Row, ref: str) -> bool:
    from povtor.text import fold

    return (ref.isdigit() and record["position"] == int(ref)) or record["code"] == fold(ref)


@record(frozen=True, slots=True)
class ProgressLine:
    """One step on a client's roadmap card."""

    category: str
    position: int
    code: str
    title: str
    status: str  # done, next, "" or «done (roadmap X)» for a former category's step
    done_on: dt.date | None
    note: str | None
    script: str | None


@record(frozen=True, slots=True)
class ClientRoadmap:
    client_id: int
    client: str
    category: str
    lines: list[ProgressLine]
    done: int  # steps of the roadmap done
    total: int
    upcoming: Step | None
    say: str | None  # the next step's script, filled in for the client


def client_roadmap(db: Database, client: str) -> ClientRoadmap:
    """``client roadmap``: each step with its done date, and the next one's script."""
    from povtor.domain import templates
    from povtor.domain.roadmaps import fallback_script

    row, category = client_for_roadmap(db, client)
    steps = roadmap_steps(db, category)
    done = {r["step_id"]: r for r in client_steps_done(db, row["id"])}
    upcoming = next_step(steps, set(done))
    lines: list[ProgressLine] = []
    for s in steps:
        record = done.get(s.id)
        status = "done" if record else ("next" if upcoming and s.id == upcoming.id else "")
        lines.append(
            ProgressLine(
                s.category,
                s.position,
                s.code,
                s.title,
                status,
                to_date(record["done_on"]) if record else None,
                record["note"] if record else None,
                s.script,
            )
        )
    for record in done.values():
        if record["category"] != category:
            lines.append(
                ProgressLine(
                    record["category"],
                    record["position"],
                    record["code"],
                    record["title"],
                    f"done (roadmap {record['category']})",
                    to_date(record["done_on"]),
                    record["note"],
                    None,
                )
            )
    say = None
    if upcoming is not None:
        values = templates.values_for(
            client=row["name"],
            company=row["company"],
            person=queries.main_person_name(db, row["id"]),
        )
        say = templates.fill(upcoming.script or fallback_script(upcoming.title), values)
    return ClientRoadmap(
        client_id=row["id"],
        client=row["name"],
        category=category,
        lines=lines,
        done=sum(1 for s in steps if s.id in done),
        total=len(steps),
        upcoming=upcoming,
        say=say,
    )

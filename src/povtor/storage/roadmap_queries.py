"""Roadmaps in the database: the steps, a client's progress, and the plan's facts.

Plain SQL on :class:`~povtor.storage.database.Database` (no ORM). The plan's loader
runs a handful of aggregate queries, whatever the number of clients.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from povtor.domain.roadmaps import RoadmapFacts, RoadmapProgress, Step, find_step, next_step
from povtor.errors import Conflict, NotFound
from povtor.i18n import _
from povtor.storage.database import Database, Days, Row, to_date

_STEP_COLUMNS = "id, category, position, code, title, script"


def _step(row: Row | tuple[Any, ...]) -> Step:
    return Step(
        id=row[0], category=row[1], position=row[2], code=row[3], title=row[4], script=row[5]
    )


def roadmap_steps(db: Database, category: str | None = None) -> list[Step]:
    """The steps of one category (or of all, A then B then C), in position order."""
    if category is None:
        rows = db.rows(f"SELECT {_STEP_COLUMNS} FROM roadmap_step ORDER BY category, position")
    else:
        rows = db.rows(
            f"SELECT {_STEP_COLUMNS} FROM roadmap_step WHERE category = ? ORDER BY position",
            (category,),
        )
    return [_step(r) for r in rows]


def step_in_roadmap(db: Database, category: str, ref: str, *, client: str | None = None) -> Step:
    """The step of ``category`` named by position or code, or a one-line error.

    ``client`` (its name, for the message) says the step is wanted for a client of
    that category: a code found only in other categories' roadmaps is then a conflict.
    """
    steps = roadmap_steps(db, category)
    found = find_step(steps, ref)
    if found is not None:
        return found
    how = f"see them: povtor roadmap list --category {category}"
    if ref.strip().isdigit():
        raise NotFound(
            _("roadmap {category} has no step {ref} (it has {n})").format(
                category=category, ref=ref.strip(), n=len(steps)
            ),
            hint=how,
        )
    elsewhere = sorted(
        {s.category for s in roadmap_steps(db) if s.category != category and find_step([s], ref)}
    )
    if elsewhere and client is not None:
        raise Conflict(
            _(
                "step {ref} is on the roadmap of category {join}; {client} is category {category}"
            ).format(
                ref=repr(ref.strip()), join=", ".join(elsewhere), client=client, category=category
            ),
            hint=_(
                "name a step of roadmap {category} ({how}), or change the client's category"
            ).format(category=category, how=how),
        )
    raise NotFound(
        _("roadmap {category} has no step {ref}").format(category=category, ref=repr(ref.strip())),
        hint=how,
    )


def done_counts(db: Database) -> dict[int, int]:
    """How many active clients have done each step."""
    return dict(
        db.tuples(
            """SELECT cs.step_id, COUNT(*) FROM client_step cs
               JOIN client c ON c.id = cs.client_id AND c.status = 'active'
               GROUP BY cs.step_id"""
        )
    )


def step_done_by(db: Database, step_id: int) -> int:
    """How many clients (active or not) have done a step."""
    return int(db.scalar("SELECT COUNT(*) FROM client_step WHERE step_id = ?", (step_id,)) or 0)


def client_steps_done(db: Database, client_id: int) -> list[Row]:
    """Every step a client has done, in any category's roadmap."""
    return db.rows(
        """SELECT cs.id, cs.step_id, s.category, s.position, s.code, s.title, cs.done_on, cs.note
           FROM client_step cs JOIN roadmap_step s ON s.id = cs.step_id
           WHERE cs.client_id = ? ORDER BY s.category, s.position""",
        (client_id,),
    )


def client_progress(db: Database, client_id: int, category: str | None) -> RoadmapProgress | None:
    """A client's progress on its category's roadmap (None: no category)."""
    if category is None:
        return None
    steps = roadmap_steps(db, category)
    done = [r for r in client_steps_done(db, client_id) if r["category"] == category]
    newest = max(done, key=lambda r: (r["done_on"], r["position"]), default=None)
    return RoadmapProgress(
        client_id=client_id,
        category=category,
        total=len(steps),
        done=len(done),
        next_step=next_step(steps, {r["step_id"] for r in done}),
        last_done_position=newest["position"] if newest else None,
        last_done_on=to_date(newest["done_on"]) if newest else None,
    )


def progress_line(progress: RoadmapProgress | None) -> str | None:
    """«2 of 4 steps done on roadmap B, next: step 3 «Совместный проект»» for the card."""
    if progress is None:
        return None
    if progress.total == 0:
        return f"roadmap {progress.category} has no steps"
    line = f"{progress.done} of {progress.total} steps done on roadmap {progress.category}"
    if progress.next_step is None:
        return line + ", all done"
    step = progress.next_step
    return line + f", next: step {step.position} «{step.title}»"


def card_roadmap(db: Database, client_id: int, category: str | None) -> dict[str, Any] | None:
    """The roadmap part of ``client show``: progress, the next step, a one-line summary."""
    progress = client_progress(db, client_id, category)
    if progress is None:
        return None
    step = progress.next_step
    return {
        "category": progress.category,
        "done": progress.done,
        "total": progress.total,
        "next_step": {"position": step.position, "code": step.code, "title": step.title}
        if step
        else None,
        "last_done_on": progress.last_done_on,
        "summary": progress_line(progress),
    }


# -- the plan ------------------------------------------------------------------------------
def plan_roadmap_facts(db: Database, today: dt.date) -> RoadmapFacts:
    """The roadmaps as of ``today``, in three queries whatever the number of clients: the
    steps, the steps done, and the touches about roadmap steps."""
    day = today.isoformat()
    steps: dict[str, list[Step]] = defaultdict(list)
    for step in roadmap_steps(db):
        steps[step.category].append(step)
    # the steps each client has done on each category's roadmap: their positions, and
    # the newest one (done_on as ISO text, position)
    positions: dict[tuple[int, str], set[int]] = defaultdict(set)
    newest: dict[tuple[int, str], tuple[str, int]] = {}
    for client_id, category, position, done_on in db.tuples(
        """SELECT cs.client_id, s.category, s.position, cs.done_on
           FROM client_step cs JOIN roadmap_step s ON s.id = cs.step_id
           WHERE cs.done_on <= ?""",
        (day,),
    ):
        key = (client_id, category)
        positions[key].add(position)
        mark = (done_on, position)  # (ISO text)
        if mark > newest.get(key, ("", 0)):
            newest[key] = mark
    # the newest touch about a roadmap step (date, at, id, outcome) and the newest "no"
    asked: dict[int, tuple[str, str, int, str]] = {}
    declined: dict[int, str] = {}
    for client_id, on_date, at, touch_id, outcome in db.tuples(
        """SELECT client_id, on_date, at, id, outcome FROM touch
           WHERE purpose = 'roadmap' AND on_date <= ?""",
        (day,),
    ):
        touch = (on_date, at, touch_id, outcome)  # ISO text: compares as dates and times
        if client_id not in asked or touch[:3] > asked[client_id][:3]:
            asked[client_id] = touch
        if outcome == "no" and on_date > declined.get(client_id, ""):
            declined[client_id] = on_date
    days = Days()
    return RoadmapFacts(
        steps={category: tuple(found) for category, found in steps.items()},
        done=dict(positions),
        last_done={key: (days[on], position) for key, (on, position) in newest.items()},
        last_asked={client: (days[on], outcome) for client, (on, *_, outcome) in asked.items()},
        last_declined={client: days[on] for client, on in declined.items()},
    )

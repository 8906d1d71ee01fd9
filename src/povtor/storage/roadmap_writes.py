"""Changing roadmaps and clients' progress: plain SQL, run inside the caller's transaction.

A category's positions stay 1..n without gaps. ``roadmap_step`` has a unique
(category, position), which SQLite checks row by row during an UPDATE, so steps are
renumbered in two passes: first to negative positions, then to the final ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from povtor.domain.roadmaps import Step
from povtor.errors import Conflict
from povtor.i18n import _
from povtor.storage.database import Database, Row, to_date
from povtor.storage.roadmap_queries import roadmap_steps, step_done_by


def renumber(db: Database, category: str, ordered_ids: Sequence[int]) -> None:
    """Give the steps of ``category`` the positions 1..n in the order of ``ordered_ids``."""
    db.executemany(
        "UPDATE roadmap_step SET position = ? WHERE id = ? AND category = ?",
        [(-n, step_id, category) for n, step_id in enumerate(ordered_ids, start=1)],
    )
    db.execute(
        "UPDATE roadmap_step SET position = -position WHERE category = ? AND position < 0",
        (category,),
    )


def add_step(
    db: Database, *, category: str, title: str, script: str, code: str, at: int | None
) -> Step:
    """Insert a step at position ``at`` (default: last); later steps move down one."""
    ids = [s.id for s in roadmap_steps(db, category)]
    cursor = db.execute(
        "INSERT INTO roadmap_step (category, position, code, title, script) VALUES (?,?,?,?,?)",
        (category, len(ids) + 1, code, title, script),
    )
    new_id = int(cursor.lastrowid or 0)
    if at is not None and at != len(ids) + 1:
        renumber(db, category, [*ids[: at - 1], new_id, *ids[at - 1 :]])
    return next(s for s in roadmap_steps(db, category) if s.id == new_id)


def update_step(
    db: Database, step: Step, *, title: str | None, script: str | None, code: str | None
) -> None:
    """Change a step's title, script or code. A new code is also written on the roadmap
    touches of the category's clients that named the old one, so they still match."""
    if title is not None:
        db.execute("UPDATE roadmap_step SET title = ? WHERE id = ?", (title, step.id))
    if script is not None:
        db.execute("UPDATE roadmap_step SET script = ? WHERE id = ?", (script, step.id))
    if code is not None and code != step.code:
        db.execute("UPDATE roadmap_step SET code = ? WHERE id = ?", (code, step.id))
        db.execute(
            """UPDATE touch SET purpose_ref = ?
               WHERE purpose = 'roadmap' AND purpose_ref = ?
                 AND client_id IN (SELECT id FROM client WHERE category = ?)""",
            (code, step.code, step.category),
        )


def remove_step(db: Database, step: Step) -> int:
    """Delete a step and the progress rows that record it; returns how many of those."""
    progress = step_done_by(db, step.id)
    db.execute("DELETE FROM client_step WHERE step_id = ?", (step.id,))
    db.execute("DELETE FROM roadmap_step WHERE id = ?", (step.id,))
    renumber(db, step.category, [s.id for s in roadmap_steps(db, step.category)])
    return progress


def done_row(db: Database, client_id: int, step_id: int) -> Row | None:
    return db.one(
        "SELECT id, done_on, note FROM client_step WHERE client_id = ? AND step_id = ?",
        (client_id, step_id),
    )


def mark_done(
    db: Database, *, client_id: int, step: Step, on: dt.date, note: str | None, strict: bool = True
) -> bool:
    """Record a step as done; False if it was done already (a conflict when ``strict``)."""
    existing = done_row(db, client_id, step.id)
    if existing is not None:
        if strict:
            raise Conflict(
                _("step {position} «{title}» was done already on {to_date}").format(
                    position=step.position, title=step.title, to_date=to_date(existing["done_on"])
                ),
                hint=_(
                    "to change its date, undo it first: povtor client step undo {client_id} {code}"
                ).format(client_id=client_id, code=step.code),
            )
        return False
    db.execute(
        "INSERT INTO client_step (client_id, step_id, done_on, note) VALUES (?, ?, ?, ?)",
        (client_id, step.id, on.isoformat(), note),
    )
    return True


def unmark_done(db: Database, client_step_id: int) -> None:
    """Take back a step recorded as done (a ``client_step`` row)."""
    db.execute("DELETE FROM client_step WHERE id = ?", (client_step_id,))

"""The plan's yearly figures, kept for the day: the nudge→order conversion and the paid
deals per currency over the 12 months to a day take a scan of the year's touches and
deals, and every ``plan today`` of a day asks for the same ones.

They are kept in one ``setting`` row that no setting uses (:data:`KEY`), stamped with the
day, the database's change counter (:meth:`Database.writes`: every write transaction that
changes a row raises it) and the newest touch, deal and history ids (rows added by any
other way). A stamp that differs is a miss: the figures are counted again, and kept
again when the write lock is free at once (never on a read-only database).

A write that cannot change them carries them past itself: :func:`valid_now` before it
writes, :func:`carry` after, in its transaction, stamps them again as of the write. So do
a touch that changes no deal and is not a closing touch on a deal (most of a day's
touches, five warming ones to each closing one), or is one on a deal nudged already
(:func:`nudged_already`), a deal opened or moved on unpaid, and
the client's own details, written in :func:`leaving_them` (its name, category and status,
people and facts: no figure reads them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from povtor.domain.calendar import trailing_year
from povtor.records import record
from povtor.storage import schema
from povtor.storage.database import Database, Row

KEY = "povtor.plan_figures"


@record(frozen=True)
class YearFigures:
    """The 12 months to a day: deals nudged and of them paid (the conversion), and the
    paid deals with an amount per currency: (count, total in minor units)."""

    nudged: int
    paid: int
    paid_totals: dict[str, tuple[int, int]]


def stamp(db: Database, day: dt.date) -> str:
    """What kept figures are valid for: the day, the schema, the change counter and the
    newest ids (each an index seek)."""
    ids = db.one(
        "SELECT (SELECT MAX(id) FROM touch), (SELECT MAX(id) FROM deal), "
        "(SELECT MAX(id) FROM stage_change), (SELECT MAX(id) FROM change_log)"
    )
    newest = ".".join(str(v or 0) for v in (ids or ()))
    return f"{day.isoformat()}/{schema.HEAD}/{db.writes()}/{newest}"


def kept(db: Database, valid_for: str) -> YearFigures | None:
    """The figures kept with the stamp ``valid_for``; None: none kept, or another stamp."""
    value = db.scalar("SELECT value FROM setting WHERE key = ?", (KEY,))
    if not value:
        return None
    fields = value.split("|")
    if len(fields) != 4 or fields[0] != valid_for:
        return None
    try:
        totals = {}
        for part in filter(None, fields[3].split(";")):
            code, count, total = part.split(":")
            totals[code] = (int(count), int(total))
        return YearFigures(int(fields[1]), int(fields[2]), totals)
    except ValueError:  # not what this module writes: counted again
        return None


def keep(db: Database, valid_for: str, figures: YearFigures) -> bool:
    """Keep ``figures`` with the stamp ``valid_for`` if the write lock is free at once."""
    totals = ";".join(f"{code}:{n}:{total}" for code, (n, total) in figures.paid_totals.items())
    value = f"{valid_for}|{figures.nudged}|{figures.paid}|{totals}"
    return db.keep_aside(
        "INSERT INTO setting (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (KEY, value),
    )


@record(frozen=True)
class Valid:
    """Figures kept and valid as the database stands: the day they are for, and what
    follows the stamp in their row."""

    day: dt.date
    figures: str


def valid_now(db: Database) -> Valid | None:
    """The figures kept, if their stamp is that of the database as it stands now (None:
    none kept, or stale already)."""
    value = db.scalar("SELECT value FROM setting WHERE key = ?", (KEY,))
    if not value:
        return None
    valid_for, _bar, figures = value.partition("|")
    try:
        day = dt.date.fromisoformat(valid_for.split("/", 1)[0])
    except ValueError:  # not what this module writes
        return None
    if stamp(db, day) != valid_for:
        return None
    return Valid(day, figures)


def carry(db: Database, valid: Valid | None) -> None:
    """Stamp ``valid`` (:func:`valid_now` before this transaction wrote) again as of the
    end of the transaction under way, whose writes leave the figures as they are."""
    if valid is None:
        return

    def stamp_again() -> None:
        db.execute(
            "UPDATE setting SET value = ? WHERE key = ?",
            (f"{stamp(db, valid.day)}|{valid.figures}", KEY),
        )

    db.before_commit(stamp_again)


@contextmanager
def leaving_them(db: Database) -> Iterator[Database]:
    """A write transaction (:meth:`Database.transaction`) whose writes cannot change the
    figures: those kept stay valid past it."""
    with db.transaction():
        valid = valid_now(db)
        yield db
        carry(db, valid)


# a deal's fields the figures read, or that tell when it changed (a date it was given to
# come back on is none of them)
_DEAL_FIELDS = (
    "stage_id",
    "status",
    "amount_minor",
    "currency",
    "opened_on",
    "stage_entered_on",
    "closed_on",
)


def same_deal_for_them(before: Row, after: Row | None) -> bool:
    """Whether a deal, as read before a write and after it, is the same for the figures
    (None after: it is gone)."""
    return after is not None and all(before[name] == after[name] for name in _DEAL_FIELDS)


def nudged_already(
    db: Database, valid: Valid | None, *, deal_id: int, on: dt.date, touch_id: int
) -> bool:
    """Whether a closing touch on ``deal_id`` dated ``on`` (``touch_id``, just written)
    leaves the figures ``valid`` as they are: it is dated outside their 12 months, or the
    deal has another closing touch in them on or before ``on`` (the conversion counts a
    nudged deal once, from its first nudge)."""
    if valid is None:
        return False
    start, end = trailing_year(valid.day)
    if not start <= on <= end:
        return True
    found = db.scalar(
        """SELECT 1 FROM touch WHERE deal_id = ? AND kind = 'closing'
           AND on_date >= ? AND on_date <= ? AND id <> ? LIMIT 1""",
        (deal_id, start.isoformat(), on.isoformat(), touch_id),
    )
    return found is not None

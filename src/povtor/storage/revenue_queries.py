"""Money paid in a span of days: what ``plan target`` counts as paid so far."""

from __future__ import annotations

import datetime as dt

from povtor.storage.database import Database


def paid_between(db: Database, currency: str, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(deals paid in ``currency`` from ``start`` to ``end``, their total in minor units)."""
    row = db.one(
        "SELECT COUNT(*), SUM(amount_minor) FROM deal "
        "WHERE status = 'won' AND currency = ? AND closed_on >= ? AND closed_on <= ?",
        (currency, start.isoformat(), end.isoformat()),
    )
    return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)

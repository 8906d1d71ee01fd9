"""Writing the money spent per lead source (plain SQL, inside the caller's transaction)."""

from __future__ import annotations

import datetime as dt

from povtor.storage.database import Database


def insert_spend(
    db: Database,
    *,
    source: str,
    start: dt.date,
    end: dt.date,
    amount_minor: int,
    currency: str,
    note: str | None,
) -> int:
    """Record a spend; returns its id."""
    cursor = db.execute(
        """INSERT INTO source_spend (source, period_start, period_end, amount_minor,
                                     currency, note) VALUES (?, ?, ?, ?, ?, ?)""",
        (source, start.isoformat(), end.isoformat(), amount_minor, currency, note),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def delete_spend(db: Database, spend_id: int) -> str | None:
    """Remove a spend; returns its source, or ``None`` when there is no such spend."""
    row = db.one("SELECT source FROM source_spend WHERE id = ?", (spend_id,))
    if row is None:
        return None
    db.execute("DELETE FROM source_spend WHERE id = ?", (spend_id,))
    return str(row["source"])

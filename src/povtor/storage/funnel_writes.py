"""Writing funnels' settings (plain SQL, inside the caller's transaction)."""

from __future__ import annotations

from povtor.storage.database import Database


def set_limit_days(db: Database, stage_id: int, days: int | None) -> None:
    """How long a deal may wait in a stage (None: no limit)."""
    db.execute("UPDATE stage SET limit_days = ? WHERE id = ?", (days, stage_id))

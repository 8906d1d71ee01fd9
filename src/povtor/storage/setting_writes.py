"""The one write of the ``setting`` table: a user's value for a setting, or none."""

from __future__ import annotations

from povtor.storage.database import Database


def store_setting(db: Database, key: str, value: str | None) -> None:
    """Keep ``value`` for ``key``; ``None``: drop the user's value (the default applies).
    Runs inside the caller's transaction."""
    db.execute("DELETE FROM setting WHERE key = ?", (key,))
    if value is not None:
        db.execute("INSERT INTO setting (key, value) VALUES (?, ?)", (key, value))

"""Writes to the user's message templates, in plain SQL (inside the caller's transaction)."""

from __future__ import annotations

from povtor.storage.database import Database


def replace_template(
    db: Database, *, kind: str, funnel: str, stage: str, lang: str, body: str
) -> None:
    """The user's template for (kind, funnel, stage, lang): this body from now on."""
    db.execute(
        "DELETE FROM template WHERE kind = ? AND funnel = ? AND stage = ? AND lang = ?",
        (kind, funnel, stage, lang),
    )
    db.execute(
        "INSERT INTO template (kind, funnel, stage, lang, body) VALUES (?, ?, ?, ?, ?)",
        (kind, funnel, stage, lang, body),
    )

"""Writing the seller's warming content (plain SQL, inside the caller's transaction)."""

from __future__ import annotations

import datetime as dt

from povtor.storage.database import Database


def insert_content(
    db: Database, *, text: str, industry: str | None, tag: str | None, lang: str, on: dt.date
) -> int:
    cursor = db.execute(
        "INSERT INTO warming_content (text, industry, tag, lang, added_on) VALUES (?, ?, ?, ?, ?)",
        (text, industry, tag, lang, on.isoformat()),
    )
    return int(cursor.lastrowid or 0)


def delete_content(db: Database, content_id: int) -> None:
    db.execute("DELETE FROM warming_content WHERE id = ?", (content_id,))

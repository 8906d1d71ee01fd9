"""Reads and writes of ``client categorize`` (plain SQL)."""

from __future__ import annotations

from collections.abc import Iterable

from povtor.domain.categories import Categorised, ClientOrigin
from povtor.storage.database import Database, to_date


def client_origins(db: Database) -> dict[int, ClientOrigin]:
    """Who set each active client's category, and when the client came."""
    found = {}
    for client_id, source, created_on in db.rows(
        "SELECT id, category_source, created_on FROM client WHERE status = 'active'"
    ):
        day = to_date(created_on)
        assert day is not None
        found[client_id] = ClientOrigin(source=source, created_on=day)
    return found


def set_abc_categories(db: Database, rows: Iterable[Categorised]) -> int:
    """Give the clients whose action is ``set`` their ABC category (source ``abc``)."""
    changes = [(r.row.abc, r.row.client.client_id) for r in rows if r.action == "set"]
    if changes:
        db.executemany(
            "UPDATE client SET category = ?, category_source = 'abc' WHERE id = ?", changes
        )
    return len(changes)

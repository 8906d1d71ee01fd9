"""Writes of the team: sellers, owners of clients and deals, and the record of handovers.

Each function runs inside the caller's transaction. A change of owner is a conditional
UPDATE (the row still has the owner the command saw), so two sellers taking the same
client at once cannot both win: the second one's UPDATE changes nothing.
"""

from __future__ import annotations

import datetime as dt

from povtor.storage.database import Database, db_datetime
from povtor.storage.seller_queries import seller_key


def insert_seller(db: Database, name: str, on: dt.date) -> int:
    cursor = db.execute(
        "INSERT INTO seller (name, name_key, created_on) VALUES (?, ?, ?)",
        (name, seller_key(name), on.isoformat()),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def mark_removed(db: Database, seller_id: int, on: dt.date | None) -> None:
    """A seller off the team as of ``on`` (None: back on it); their row stays, so the
    touches they logged keep who logged them."""
    db.execute(
        "UPDATE seller SET removed_on = ? WHERE id = ?",
        (on.isoformat() if on is not None else None, seller_id),
    )


def _owner_is(owner: int | None) -> str:
    return "seller_id IS NULL" if owner is None else "seller_id = :was"


def move_client(db: Database, client_id: int, was: int | None, to: int | None) -> bool:
    """Give the client to ``to`` if it still belongs to ``was``; whether it did."""
    cursor = db.execute(
        f"UPDATE client SET seller_id = :to WHERE id = :id AND {_owner_is(was)}",
        {"to": to, "id": client_id, "was": was},
    )
    return cursor.rowcount == 1


def move_deal(db: Database, deal_id: int, was: int | None, to: int | None) -> bool:
    """Set the deal's own owner to ``to`` if it is still ``was``; whether it did."""
    cursor = db.execute(
        f"UPDATE deal SET seller_id = :to WHERE id = :id AND {_owner_is(was)}",
        {"to": to, "id": deal_id, "was": was},
    )
    return cursor.rowcount == 1


def record_handover(
    db: Database,
    *,
    at: dt.datetime,
    on: dt.date,
    entity: str,
    client_id: int,
    deal_id: int | None,
    from_seller: str | None,
    to_seller: str | None,
    note: str | None,
) -> int:
    cursor = db.execute(
        """INSERT INTO handover (at, on_date, entity, client_id, deal_id, from_seller,
               to_seller, note)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (db_datetime(at), on.isoformat(), entity, client_id, deal_id, from_seller, to_seller, note),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def mark_touch(db: Database, touch_id: int, seller_id: int) -> None:
    """The seller who logged a touch (a team's current seller)."""
    db.execute("UPDATE touch SET seller_id = ? WHERE id = ?", (seller_id, touch_id))

"""Writes for corrections, in plain SQL: the change record, what a touch changed, taking a
touch back, editing and removing people, the main contact.

Each function runs inside the caller's transaction (``with db.transaction():``, one per
command). Deals and touches are updated through :mod:`povtor.storage.deal_writes`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from povtor.errors import NotFound
from povtor.i18n import _
from povtor.storage.activity import refresh_activity, touch_client
from povtor.storage.database import Database, db_datetime, update_by_id

# the person columns a command may change (client_id and is_main are set on their own)
PERSON_FIELDS = ("name", "role", "phone", "email", "birthday")
# what the record of corrections and the undo data hold that forgetting a client erases
PERSONAL_KEYS = frozenset(
    {
        "name",
        "company",
        "phone",
        "email",
        "address",
        "notes",
        "role",
        "birthday",
        "text",
        "reason",
        "lost_reason",
        "title",
        "note",
        "external_id",
        "search_key",
    }
)


def to_json(value: Any) -> str | None:
    """A record (or part of one) as the change record keeps it: JSON, dates as ISO text."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return db_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def from_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def log_change(
    db: Database,
    *,
    at: dt.datetime,
    on: dt.date,
    entity: str,
    entity_id: int,
    action: str,
    client_id: int | None,
    deal_id: int | None = None,
    before: Any = None,
    after: Any = None,
) -> int:
    """One entry of the record of corrections; its id."""
    cursor = db.execute(
        """INSERT INTO change_log (at, on_date, entity, entity_id, action, client_id, deal_id,
               before, after)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            db_datetime(at),
            on.isoformat(),
            entity,
            entity_id,
            action,
            client_id,
            deal_id,
            to_json(before),
            to_json(after),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


# -- what logging a touch changed ------------------------------------------------------------
def remember_effect(
    db: Database,
    *,
    touch_id: int,
    deal_id: int | None,
    deal_before: Mapping[str, Any] | None,
    deal_after: Mapping[str, Any] | None,
    history_id: int | None,
    step_id: int | None,
    referred_client_id: int | None,
    referred_deal_id: int | None,
) -> None:
    db.execute(
        """INSERT INTO touch_effect (touch_id, deal_id, deal_before, deal_after, history_id,
               step_id, referred_client_id, referred_deal_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            touch_id,
            deal_id,
            to_json(deal_before),
            to_json(deal_after),
            history_id,
            step_id,
            referred_client_id,
            referred_deal_id,
        ),
    )


def remember_deal_effects(
    db: Database,
    touch_id: int,
    effects: Sequence[tuple[int, Mapping[str, Any], Mapping[str, Any], int | None]],
    opened: int | None,
) -> None:
    """What an answer to the client's own question did to its deals: each deal its "no"
    lost, as (deal id, its fields before, after, the history entry), and the deal its
    "yes" opened."""
    rows = [(touch_id, d, to_json(b), to_json(a), h, False) for d, b, a, h in effects]
    if opened is not None:
        rows.append((touch_id, opened, None, None, None, True))
    if not rows:
        return
    db.executemany(
        """INSERT INTO touch_deal_effect (touch_id, deal_id, deal_before, deal_after,
               history_id, opened)
           VALUES (?, ?, ?, ?, ?, ?)""",
        rows,
    )


def delete_opened_deal(db: Database, deal_id: int) -> None:
    """Remove a deal an answer opened (the caller checked that nothing refers to it)."""
    client_id = db.scalar("SELECT client_id FROM deal WHERE id = ?", (deal_id,))
    _delete_deal(db, deal_id)
    refresh_activity(db, [client_id])


def _delete_deal(db: Database, deal_id: int) -> None:
    """A deal made a moment ago, with its history (nothing else refers to it)."""
    db.execute("DELETE FROM stage_change WHERE deal_id = ?", (deal_id,))
    db.execute("DELETE FROM deal WHERE id = ?", (deal_id,))


def delete_touch(db: Database, touch_id: int) -> None:
    """Delete a touch (and, with it, what was kept to undo it)."""
    client_id = touch_client(db, touch_id)
    if db.execute("DELETE FROM touch WHERE id = ?", (touch_id,)).rowcount != 1:
        raise NotFound(
            _("no touch #{touch_id}").format(touch_id=touch_id),
            hint=_("list touches with: povtor nudge list"),
        )
    refresh_activity(db, [client_id])


def update_touch(db: Database, touch_id: int, changes: Mapping[str, Any]) -> None:
    from povtor.storage.deal_writes import TOUCH_FIELDS

    client_before = touch_client(db, touch_id)
    update_by_id(db, "touch", touch_id, changes, allowed=TOUCH_FIELDS)
    refresh_activity(db, [client_before, changes.get("client_id")])


def delete_history(db: Database, history_id: int) -> None:
    db.execute("DELETE FROM stage_change WHERE id = ?", (history_id,))


def set_history_reason(db: Database, history_id: int, reason: str | None) -> None:
    db.execute("UPDATE stage_change SET reason = ? WHERE id = ?", (reason, history_id))


def delete_client_step(db: Database, client_step_id: int) -> None:
    db.execute("DELETE FROM client_step WHERE id = ?", (client_step_id,))


def delete_referral(db: Database, client_id: int, deal_id: int | None) -> None:
    """Remove a client added as a referral a moment ago, with its first deal and person
    (the caller checked that nothing else refers to them)."""
    if deal_id is not None:
        _delete_deal(db, deal_id)
    db.execute("DELETE FROM person WHERE client_id = ?", (client_id,))
    db.execute("DELETE FROM client WHERE id = ?", (client_id,))
    refresh_activity(db, [client_id])  # (its row goes)


# -- people --------------------------------------------------------------------------------
def update_person(db: Database, person_id: int, changes: Mapping[str, Any]) -> None:
    update_by_id(db, "person", person_id, changes, allowed=PERSON_FIELDS)


def delete_person(db: Database, person_id: int) -> None:
    """Delete a person (its occasions go with it)."""
    db.execute("DELETE FROM person WHERE id = ?", (person_id,))


def set_main(db: Database, client_id: int, person_id: int | None) -> None:
    """Mark ``person_id`` as the client's one main contact (None: no one)."""
    db.execute(
        "UPDATE person SET is_main = (id IS ?) WHERE client_id = ? AND (is_main OR id IS ?)",
        (person_id, client_id, person_id),
    )


# -- forgetting a client ----------------------------------------------------------------------
def _scrubbed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (None if k in PERSONAL_KEYS else _scrubbed(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def scrub_client(db: Database, client_id: int) -> None:
    """Erase the personal values (names, contacts, texts, reasons, titles) from a client's
    entries in the record of corrections and from the undo data of its touches; the
    amounts, dates, stages and outcomes stay."""
    for entry_id, before, after in db.tuples(
        "SELECT id, before, after FROM change_log WHERE client_id = ?", (client_id,)
    ):
        db.execute(
            "UPDATE change_log SET before = ?, after = ? WHERE id = ?",
            (
                to_json(_scrubbed(from_json(before))),
                to_json(_scrubbed(from_json(after))),
                entry_id,
            ),
        )
    for touch_id, before, after in db.tuples(
        """SELECT e.touch_id, e.deal_before, e.deal_after FROM touch_effect e
           JOIN touch t ON t.id = e.touch_id WHERE t.client_id = ?""",
        (client_id,),
    ):
        db.execute(
            "UPDATE touch_effect SET deal_before = ?, deal_after = ? WHERE touch_id = ?",
            (
                to_json(_scrubbed(from_json(before))),
                to_json(_scrubbed(from_json(after))),
                touch_id,
            ),
        )
    for touch_id, deal_id, before, after in db.tuples(
        """SELECT e.touch_id, e.deal_id, e.deal_before, e.deal_after FROM touch_deal_effect e
           JOIN touch t ON t.id = e.touch_id WHERE t.client_id = ?""",
        (client_id,),
    ):
        db.execute(
            """UPDATE touch_deal_effect SET deal_before = ?, deal_after = ?
               WHERE touch_id = ? AND deal_id = ?""",
            (
                to_json(_scrubbed(from_json(before))),
                to_json(_scrubbed(from_json(after))),
                touch_id,
                deal_id,
            ),
        )

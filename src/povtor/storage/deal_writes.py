"""Writes to deals, their stage history and touches, in plain SQL.

Each function runs inside the caller's transaction (``with db.transaction():``, one per
command). The rules that decide whether a change is allowed live in
:mod:`povtor.domain.deals` and are applied by the use cases in :mod:`povtor.app`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from povtor.errors import NotFound
from povtor.i18n import _
from povtor.storage.activity import deal_client, refresh_activity
from povtor.storage.database import Database, Row, db_datetime, sql_value, to_date, update_by_id

# the deal columns a command may set (id is the database's)
DEAL_FIELDS = (
    "client_id",
    "funnel_id",
    "stage_id",
    "title",
    "amount_minor",
    "currency",
    "status",
    "opened_on",
    "stage_entered_on",
    "expected_on",
    "closed_on",
    "lost_reason",
    "follow_up_on",
    "external_id",
)


def deal_record(db: Database, deal_id: int) -> Row:
    """The deal's own row (no joins), as a write reads it before changing it."""
    row = db.one(
        """SELECT id, client_id, funnel_id, stage_id, title, amount_minor, currency, status,
                  opened_on, stage_entered_on, expected_on, closed_on, lost_reason,
                  follow_up_on, external_id
           FROM deal WHERE id = ?""",
        (deal_id,),
    )
    if row is None:
        raise NotFound(
            _("no deal #{deal_id}").format(deal_id=deal_id),
            hint=_("list deals with: povtor deal list"),
        )
    return row


def insert_deal(db: Database, fields: Mapping[str, Any]) -> int:
    """A new deal (client, funnel, stage, opened_on and stage_entered_on required); its id."""
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise ValueError(f"not deal columns: {sorted(unknown)}")
    values = {"currency": "RUB", "status": "open", **fields}
    cursor = db.execute(
        """INSERT INTO deal (client_id, funnel_id, stage_id, title, amount_minor, currency,
               status, opened_on, stage_entered_on, expected_on, closed_on, lost_reason,
               follow_up_on, external_id)
           VALUES (:client_id, :funnel_id, :stage_id, :title, :amount_minor, :currency,
               :status, :opened_on, :stage_entered_on, :expected_on, :closed_on, :lost_reason,
               :follow_up_on, :external_id)""",
        {key: sql_value(values.get(key)) for key in DEAL_FIELDS},
    )
    assert cursor.lastrowid is not None
    refresh_activity(db, [values["client_id"]])
    return cursor.lastrowid


def update_deal(db: Database, deal_id: int, changes: Mapping[str, Any]) -> None:
    client_before = deal_client(db, deal_id)
    update_by_id(db, "deal", deal_id, changes, allowed=DEAL_FIELDS)
    refresh_activity(db, [client_before, changes.get("client_id")])


def insert_stage_change(
    db: Database,
    *,
    deal_id: int,
    event: str,
    from_stage_id: int | None,
    to_stage_id: int | None,
    at: dt.datetime,
    on: dt.date,
    reason: str | None = None,
) -> int:
    """One entry of a deal's append-only history."""
    cursor = db.execute(
        """INSERT INTO stage_change (deal_id, event, from_stage_id, to_stage_id, at, on_date,
               reason)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (deal_id, event, from_stage_id, to_stage_id, db_datetime(at), on.isoformat(), reason),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def stage_before_closing(db: Database, deal_id: int) -> int | None:
    """The stage a closed deal was in when it was won or lost."""
    return db.scalar(
        """SELECT from_stage_id FROM stage_change WHERE deal_id = ? AND event IN ('win', 'lose')
           ORDER BY at DESC, id DESC LIMIT 1""",
        (deal_id,),
    )


def as_it_closed(
    db: Database, deal_id: int, stage_id: int
) -> tuple[dt.date | None, dt.date | None]:
    """A closed deal in ``stage_id`` as it was when it closed from there: the day it had
    entered the stage (its last entry before the close), and the date its latest "later"
    in the stage promised since then (None: none)."""
    entered = db.scalar(
        """SELECT on_date FROM stage_change
           WHERE deal_id = ? AND to_stage_id = ? AND event IN ('open', 'move', 'reopen')
           ORDER BY on_date DESC, at DESC, id DESC LIMIT 1""",
        (deal_id, stage_id),
    )
    if entered is None:
        return None, None
    promised = db.scalar(
        """SELECT follow_up_on FROM touch
           WHERE deal_id = ? AND stage_id = ? AND outcome = 'later' AND on_date >= ?
           ORDER BY on_date DESC, at DESC, id DESC LIMIT 1""",
        (deal_id, stage_id, entered),
    )
    return to_date(entered), to_date(promised)


# -- touches -----------------------------------------------------------------------------
TOUCH_FIELDS = (
    "client_id",
    "deal_id",
    "stage_id",
    "at",
    "on_date",
    "kind",
    "channel",
    "outcome",
    "reason",
    "follow_up_on",
    "text",
    "external_id",
    "answer",
    "purpose",
    "purpose_ref",
)


def same_touch(db: Database, fields: Mapping[str, Any]) -> int | None:
    """The id of a touch logged already with the same client, deal, kind, day, outcome,
    text, service answer and purpose (a command repeated by mistake), or ``None``."""
    return db.scalar(
        """SELECT id FROM touch WHERE client_id = ? AND deal_id IS ? AND kind = ? AND on_date = ?
           AND outcome = ? AND text IS ? AND answer IS ? AND purpose IS ? AND purpose_ref IS ?""",
        (
            fields["client_id"],
            fields.get("deal_id"),
            fields["kind"],
            sql_value(fields["on_date"]),
            fields["outcome"],
            fields.get("text"),
            fields.get("answer"),
            fields.get("purpose"),
            fields.get("purpose_ref"),
        ),
    )


def insert_touch(db: Database, fields: Mapping[str, Any]) -> int:
    """A new touch (client, at, on_date and kind required); its id."""
    unknown = set(fields) - set(TOUCH_FIELDS)
    if unknown:
        raise ValueError(f"not touch columns: {sorted(unknown)}")
    values = {"channel": "other", "outcome": "pending", **fields}
    cursor = db.execute(
        """INSERT INTO touch (client_id, deal_id, stage_id, at, on_date, kind, channel, outcome,
               reason, follow_up_on, text, external_id, answer, purpose, purpose_ref)
           VALUES (:client_id, :deal_id, :stage_id, :at, :on_date, :kind, :channel, :outcome,
               :reason, :follow_up_on, :text, :external_id, :answer, :purpose, :purpose_ref)""",
        {key: sql_value(values.get(key)) for key in TOUCH_FIELDS},
    )
    assert cursor.lastrowid is not None
    refresh_activity(db, [values["client_id"]])
    return cursor.lastrowid

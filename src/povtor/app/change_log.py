"""The record of corrections (``change_log``): each correction with the record before and
after, written in the transaction of the correction, and read back for ``povtor db
changes`` and ``povtor deal show``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from povtor.i18n import N_, _
from povtor.records import record
from povtor.storage import correction_queries, queries
from povtor.storage.correction_writes import from_json
from povtor.storage.database import Database, Row

TEXT_SHOWN = 40


def short(text: str | None) -> str:
    if not text:
        return ""
    line = " ".join(str(text).split())
    return line if len(line) <= TEXT_SHOWN else line[: TEXT_SHOWN - 1] + "…"


def as_record(row: Row | None) -> dict[str, Any] | None:
    return None if row is None else {k: row[k] for k in row.keys()}  # noqa: SIM118 - sqlite3.Row


@record(frozen=True)
class Edited:
    """A record's fields that changed, before and after (empty: nothing changed)."""

    entity_id: int
    label: str  # «#7 Ромашка» or the like, for the message
    before: dict[str, Any]
    after: dict[str, Any]
    notes: tuple[str, ...] = ()


def diff(old: Row, new: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields of ``new`` that differ from ``old``: (their old values, their new ones)."""
    changed = [k for k in new if plain(k, new[k]) != plain(k, old[k])]
    return {k: old[k] for k in changed}, {k: plain(k, new[k]) for k in changed}


def plain(key: str, value: Any) -> Any:
    """A value as the database keeps it: dates as ISO text (a stored day may carry a time)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and (key.endswith("_on") or key in ("on_date", "birthday")):
        return value[:10]
    return value


# -- the record of corrections -------------------------------------------------------------------
@record(frozen=True)
class Change:
    id: int
    at: dt.datetime | None
    on_date: str
    entity: str
    entity_id: int
    action: str
    client_id: int | None
    client: str | None
    deal_id: int | None
    before: Any
    after: Any

    def summary(self) -> str:
        """The change in a few words, for a table."""
        if self.entity == "touch" and self.action in ("undo", "delete"):
            touch = (self.before or {}).get("touch") or {}
            parts = [
                _("{kind} {outcome} of {on_date}").format(
                    kind=_(str(touch.get("kind"))),
                    outcome=_(str(touch.get("outcome"))).replace("_", " "),  # (no answer)
                    on_date=touch.get("on_date"),
                )
            ]
            if (self.before or {}).get("deal"):
                parts.append(_("deal #{id} put back").format(id=self.deal_id))
            if (self.before or {}).get("referral"):
                parts.append(_("referral removed"))
            if (self.before or {}).get("client_step"):
                parts.append(_("roadmap step taken back"))
            return "; ".join(parts)
        if self.action == "remove":
            return _("{name} removed").format(name=(self.before or {}).get("name"))
        return change_words(self.before or {}, self.after or {})


# the words for the stored column names in messages and tables (json keeps the columns)
FIELD_WORDS = {
    "amount_minor": N_("amount"),
    "expected_on": N_("expected"),
    "on_date": N_("date"),
    "follow_up_on": N_("follow-up"),
    "main_person_id": N_("main contact"),
    "text": N_("text"),
    "channel": N_("channel"),
    "kind": N_("kind"),
    "reason": N_("reason"),
    "outcome": N_("outcome"),
    "title": N_("title"),
    "currency": N_("currency"),
    "name": N_("name"),
    "role": N_("role"),
    "phone": N_("phone"),
    "email": N_("email"),
    "birthday": N_("birthday"),
}


def change_words(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """«amount: 125 000.00 → 130 000.00, title: none → «Щебень»»: each field changed."""
    return ", ".join(
        f"{_(FIELD_WORDS[key]) if key in FIELD_WORDS else key}: "
        f"{_shown(key, before.get(key))} → {_shown(key, after.get(key))}"
        for key in after
    )


def _shown(key: str, value: Any) -> str:
    if value is None or value == "":
        return _("none")
    if key.endswith("_id") and isinstance(value, int):
        return f"#{value}"
    if key.endswith("_minor") and isinstance(value, int):
        from povtor.parsing import format_money

        return format_money(value, grouped=True)
    if isinstance(value, str):
        return f"«{short(value)}»" if key in ("text", "title", "reason", "name", "role") else value
    return str(value)


def list_changes(
    db: Database,
    *,
    client: str | None = None,
    deal: str | None = None,
    entity: str | None = None,
    limit: int = 50,
) -> list[Change]:
    """The record of corrections, newest first."""
    flt = correction_queries.ChangeFilter(
        client_id=queries.find_client(db, client)["id"] if client else None,
        deal_id=queries.find_deal(db, deal)["id"] if deal else None,
        entity=entity,
        limit=limit,
    )
    return [_change(r) for r in correction_queries.list_changes(db, flt)]


def deal_changes(db: Database, deal_id: int) -> list[Change]:
    """The corrections of a deal and of the touches about it, oldest first."""
    flt = correction_queries.ChangeFilter(deal_id=deal_id, limit=10_000)

    return [_change(r) for r in reversed(correction_queries.list_changes(db, flt))]


def _change(row: Row) -> Change:
    from povtor.storage.database import to_datetime

    return Change(
        id=row["id"],
        at=to_datetime(row["at"]),
        on_date=str(row["on_date"])[:10],
        entity=row["entity"],
        entity_id=row["entity_id"],
        action=row["action"],
        client_id=row["client_id"],
        client=row["client"],
        deal_id=row["deal_id"],
        before=from_json(row["before"]),
        after=from_json(row["after"]),
    )

"""Corrections of a deal and of the people at a client: ``deal edit``, ``client person
edit|remove|main`` (``--main`` on add). Each is one transaction and leaves an entry in the
record of corrections (:mod:`povtor.app.change_log`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from povtor.app.change_log import Edited, as_record, diff
from povtor.clock import Clock
from povtor.i18n import _
from povtor.records import record
from povtor.storage import correction_queries, correction_writes, deal_writes, queries
from povtor.storage.database import Database, Row


# -- editing a deal ----------------------------------------------------------------------------
def edit_deal(db: Database, clock: Clock, ref: str, changes: Mapping[str, Any]) -> Edited:
    """``povtor deal edit``: amount, title, expected date, currency; recorded."""
    with db.transaction():
        deal = queries.find_deal(db, ref)
        before, after = diff(deal, changes)
        label = f"#{deal['id']} {deal['client']}"
        if not before:
            return Edited(deal["id"], label, {}, {})
        deal_writes.update_deal(db, deal["id"], after)
        correction_writes.log_change(
            db,
            at=clock.utc_now(),
            on=clock.today,
            entity="deal",
            entity_id=deal["id"],
            action="edit",
            client_id=deal["client_id"],
            deal_id=deal["id"],
            before=before,
            after=after,
        )
    return Edited(deal["id"], label, before, after)


# -- people ---------------------------------------------------------------------------------
def _make_main(db: Database, clock: Clock, person: Row) -> dict[str, Any] | None:
    """Make ``person`` the client's main contact; the change (None: it was already)."""
    previous = correction_queries.main_person_id(db, person["client_id"])
    if previous == person["id"]:
        return None
    correction_writes.set_main(db, person["client_id"], person["id"])
    correction_writes.log_change(
        db,
        at=clock.utc_now(),
        on=clock.today,
        entity="person",
        entity_id=person["id"],
        action="main",
        client_id=person["client_id"],
        before={"main_person_id": previous},
        after={"main_person_id": person["id"]},
    )
    return {"main_person_id": previous}


def add_main_person(db: Database, clock: Clock, ref: str, fields: Mapping[str, Any]) -> Row:
    """``povtor client person add ... --main``: a new person who is the main contact."""
    from povtor.storage import client_writes

    with db.transaction():
        client = queries.find_client(db, ref)
        person_id = client_writes.insert_person(db, client_id=client["id"], **fields)
        person = correction_queries.person_record(db, person_id)
        _make_main(db, clock, person)
    return person


def edit_person(
    db: Database, clock: Clock, person_id: int, changes: Mapping[str, Any], *, main: bool = False
) -> Edited:
    """``povtor client person edit``: name, role, phone, e-mail, birthday; ``main`` makes the
    person the client's main contact."""
    with db.transaction():
        person = correction_queries.person_record(db, person_id)
        before, after = diff(person, changes)
        label = _("#{id} {name} at #{client_id} {client}").format(
            id=person_id,
            name=after.get("name", person["name"]),
            client_id=person["client_id"],
            client=person["client"],
        )
        if before:
            correction_writes.update_person(db, person_id, after)
            correction_writes.log_change(
                db,
                at=clock.utc_now(),
                on=clock.today,
                entity="person",
                entity_id=person_id,
                action="edit",
                client_id=person["client_id"],
                before=before,
                after=after,
            )
        if main and _make_main(db, clock, person) is not None:
            before = {**before, "main": False}
            after = {**after, "main": True}
    return Edited(person_id, label, before, after)


def make_main(db: Database, clock: Clock, person_id: int) -> tuple[Row, bool]:
    """``povtor client person main``: (the person, whether it changed)."""
    with db.transaction():
        person = correction_queries.person_record(db, person_id)
        changed = _make_main(db, clock, person) is not None
    return person, changed


@record(frozen=True)
class PersonRemoval:
    person: Row
    occasions: list[Row]


def remove_preview(db: Database, person_id: int) -> PersonRemoval:
    person = correction_queries.person_record(db, person_id)
    return PersonRemoval(person, correction_queries.person_occasions(db, person_id))


def remove_person(db: Database, clock: Clock, person_id: int) -> PersonRemoval:
    """``povtor client person remove``: the person and its own dates (occasions) go."""
    with db.transaction():
        removal = remove_preview(db, person_id)
        correction_writes.delete_person(db, person_id)
        correction_writes.log_change(
            db,
            at=clock.utc_now(),
            on=clock.today,
            entity="person",
            entity_id=person_id,
            action="remove",
            client_id=removal.person["client_id"],
            before={
                **{k: v for k, v in (as_record(removal.person) or {}).items() if k != "client"},
                "occasions": [as_record(o) for o in removal.occasions],
            },
        )
    return removal

"""Use cases for a client's own dates (occasions) for perks."""

from __future__ import annotations

import datetime as dt

from povtor.domain.perks import Occasion, next_date
from povtor.errors import Conflict
from povtor.i18n import _
from povtor.records import record
from povtor.storage import perk_writes, queries
from povtor.storage.database import Database
from povtor.storage.perk_queries import client_occasions as occasions_of


@record(frozen=True, slots=True)
class AddedOccasion:
    id: int
    client_id: int
    client: str
    person: str | None  # the person it belongs to, if any


def add_occasion(
    db: Database,
    client: str,
    *,
    title: str,
    month: int,
    day: int,
    year: int | None,
    person: str | None,
) -> AddedOccasion:
    """``client occasion add``: a date of an active client (of one of its people)."""
    with db.transaction():
        row = queries.find_client(db, client)
        if row["status"] != "active":
            raise Conflict(
                _("client #{id} is archived").format(id=row["id"]),
                hint=_("povtor client restore {id}").format(id=row["id"]),
            )
        who = perk_writes.find_person(db, row, person) if person is not None else None
        occasion_id = perk_writes.add_occasion(
            db,
            client_id=row["id"],
            title=title,
            month=month,
            day=day,
            year=year,
            person_id=who["id"] if who else None,
        )
    return AddedOccasion(occasion_id, row["id"], row["name"], who["name"] if who else None)


@record(frozen=True, slots=True)
class ClientOccasions:
    client: str
    occasions: list[tuple[Occasion, dt.date | None]]  # each with its next day (None: past)


def client_occasions(db: Database, client: str, today: dt.date) -> ClientOccasions:
    """``client occasion list``: a client's occasions with the next day of each."""
    row = queries.find_client(db, client)
    return ClientOccasions(
        row["name"],
        [(o, next_date(o.month, o.day, o.year, today)) for o in occasions_of(db, row["id"])],
    )


@record(frozen=True, slots=True)
class RemovedOccasion:
    title: str
    client_id: int
    client: str


def remove_occasion(db: Database, client: str, occasion_id: int) -> RemovedOccasion:
    """``client occasion remove``: delete one of a client's occasions."""
    with db.transaction():
        row = queries.find_client(db, client)
        gone = perk_writes.remove_occasion(db, client=row, occasion_id=occasion_id)
    return RemovedOccasion(gone["title"], row["id"], row["name"])

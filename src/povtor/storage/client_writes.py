"""Writes to clients, their people and talking facts, in plain SQL.

Each function runs inside the caller's transaction (``with db.transaction():``, one per
command) and returns what the command reports. Dates are stored as ISO text, as the
migrations declare them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from povtor.errors import NotFound
from povtor.i18n import _
from povtor.records import record
from povtor.storage.activity import refresh_activity
from povtor.storage.database import Database, sql_value, update_by_id
from povtor.storage.queries import search_key
from povtor.text import fold

# the client columns a command may set; the key columns (id, search_key) are povtor's
CLIENT_FIELDS = (
    "name",
    "company",
    "category",
    "industry",
    "source",
    "phone",
    "email",
    "address",
    "notes",
    "status",
    "created_on",
    "external_id",
    "category_source",
    "referred_by_id",
)


def insert_client(db: Database, fields: Mapping[str, Any]) -> int:
    """A new client from ``fields`` (``name`` and ``created_on`` required); its id."""
    unknown = set(fields) - set(CLIENT_FIELDS)
    if unknown:
        raise ValueError(f"not client columns: {sorted(unknown)}")
    values = {"status": "active", **fields}
    cursor = db.execute(
        """INSERT INTO client (name, search_key, company, category, industry, source, phone,
               email, address, notes, status, created_on, external_id, category_source,
               referred_by_id)
           VALUES (:name, :search_key, :company, :category, :industry, :source, :phone,
               :email, :address, :notes, :status, :created_on, :external_id, :category_source,
               :referred_by_id)""",
        {
            **{key: sql_value(values.get(key)) for key in CLIENT_FIELDS},
            "search_key": search_key(values["name"], values.get("company")),
        },
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def update_client(db: Database, client_id: int, changes: Mapping[str, Any]) -> str:
    """Set the given fields (the search key follows name and company); the client's name."""
    row = db.one("SELECT name, company FROM client WHERE id = ?", (client_id,))
    if row is None:
        raise NotFound(_("no client #{client_id}").format(client_id=client_id))
    name = changes.get("name", row["name"])
    company = changes.get("company", row["company"])
    update_by_id(
        db,
        "client",
        client_id,
        changes,
        allowed=CLIENT_FIELDS,
        derived={"search_key": search_key(name, company)},
    )
    return str(name)


def insert_person(
    db: Database,
    *,
    client_id: int,
    name: str,
    role: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    birthday: dt.date | None = None,
) -> int:
    cursor = db.execute(
        """INSERT INTO person (client_id, name, role, phone, email, birthday)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (client_id, name, role, phone, email, sql_value(birthday)),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def insert_fact(db: Database, *, client_id: int, text: str, topic: str | None, on: dt.date) -> int:
    cursor = db.execute(
        "INSERT INTO fact (client_id, topic, text, noted_on) VALUES (?, ?, ?, ?)",
        (client_id, topic, text, on.isoformat()),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def delete_fact(db: Database, *, client_id: int, fact_id: int) -> None:
    deleted = db.execute(
        "DELETE FROM fact WHERE id = ? AND client_id = ?", (fact_id, client_id)
    ).rowcount
    if deleted != 1:
        raise NotFound(
            _("client #{client_id} has no fact #{fact_id}").format(
                client_id=client_id, fact_id=fact_id
            ),
            hint=_("see its facts with: povtor client show {client_id}").format(
                client_id=client_id
            ),
        )


# -- forgetting a client ----------------------------------------------------------------
FORGOTTEN_NAME = "forgotten client #{id}"


@record(frozen=True)
class Forgotten:
    client_id: int
    name: str
    people: int
    facts: int
    touches: int
    deals: int
    wal_emptied: bool
    occasions: int = 0  # the client's own dates (perks): a founding day, an anniversary


def forget_counts(database: Database, client_id: int) -> dict[str, int]:
    """What forgetting would erase: people, facts, occasions, touches with text, deals."""
    one = database.scalar
    return {
        "people": one("SELECT COUNT(*) FROM person WHERE client_id = ?", (client_id,)),
        "facts": one("SELECT COUNT(*) FROM fact WHERE client_id = ?", (client_id,)),
        "occasions": one("SELECT COUNT(*) FROM occasion WHERE client_id = ?", (client_id,)),
        "touches": one("SELECT COUNT(*) FROM touch WHERE client_id = ?", (client_id,)),
        "deals": one("SELECT COUNT(*) FROM deal WHERE client_id = ?", (client_id,)),
    }


def forget_client(database: Database, client_id: int) -> Forgotten:
    """Erase a client's personal data for good; keep amounts, dates and stages.

    Erased: name (it becomes «forgotten client #ID»), company, phone, e-mail, address,
    notes, external id; the people, talking facts and occasions (deleted); the texts and
    reasons of touches, deal titles and lost reasons (history included, and in the record
    of corrections), the notes on its roadmap steps, its name in the source of the clients
    it referred («referral from forgotten client #ID»). Kept:
    category, industry and source (business attributes), every amount, date, stage
    and outcome, so statistics stay right. The client is archived.

    Deleted and overwritten bytes are zeroed (``secure_delete``), the file is
    rebuilt (``VACUUM``: no stale copy of an older edit survives) and the WAL is
    emptied (``wal_checkpoint(TRUNCATE)``).
    """
    from povtor.storage.correction_writes import scrub_client
    from povtor.storage.safety import scrub

    name = FORGOTTEN_NAME.format(id=client_id)
    previous = database.scalar("PRAGMA secure_delete")
    database.execute("PRAGMA secure_delete = ON")
    try:
        with database.transaction():
            counts = forget_counts(database, client_id)
            changed = database.execute(
                """UPDATE client SET name = ?, search_key = ?, company = NULL, phone = NULL,
                       email = NULL, address = NULL, notes = NULL, external_id = NULL,
                       status = 'archived'
                   WHERE id = ?""",
                (name, fold(name), client_id),
            ).rowcount
            if changed != 1:
                raise NotFound(_("no client #{client_id}").format(client_id=client_id))
            # the clients it referred named it in their source: «referral from <name>»
            database.execute(
                """UPDATE client SET source = ? WHERE referred_by_id = ?
                   AND source LIKE 'referral from %'""",
                (f"referral from {name}", client_id),
            )
            database.execute("DELETE FROM occasion WHERE client_id = ?", (client_id,))
            database.execute("DELETE FROM person WHERE client_id = ?", (client_id,))
            database.execute("DELETE FROM fact WHERE client_id = ?", (client_id,))
            database.execute(
                "UPDATE touch SET text = NULL, reason = NULL WHERE client_id = ?", (client_id,)
            )
            # the notes on its roadmap steps (free text); the steps and dates stay
            database.execute("UPDATE client_step SET note = NULL WHERE client_id = ?", (client_id,))
            database.execute(
                "UPDATE deal SET title = NULL, lost_reason = NULL WHERE client_id = ?",
                (client_id,),
            )
            database.execute(
                """UPDATE stage_change SET reason = NULL
                   WHERE deal_id IN (SELECT id FROM deal WHERE client_id = ?)""",
                (client_id,),
            )
            # and the same values in the record of corrections and the undo data, and
            # in its activity row (the reason of its latest answer)
            scrub_client(database, client_id)
            refresh_activity(database, [client_id])
        emptied = scrub(database)
    finally:
        database.execute(f"PRAGMA secure_delete = {int(previous or 0)}")
    return Forgotten(client_id=client_id, name=name, wal_emptied=emptied, **counts)

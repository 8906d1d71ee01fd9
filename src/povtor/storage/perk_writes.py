"""Writing perks (plain SQL, inside the caller's transaction): a client's occasions and
the user's links of holidays to industries."""

from __future__ import annotations

from povtor.errors import Ambiguous, NotFound
from povtor.i18n import _
from povtor.storage.database import Database, Row
from povtor.text import fold


def find_person(db: Database, client: Row, ref: str) -> Row:
    """A person at ``client`` by id (``3``, ``#3``) or part of the name, any case."""
    how = f"see the people with: povtor client person list {client['id']}"
    raw = ref.strip()
    people = db.rows("SELECT id, name FROM person WHERE client_id = ? ORDER BY id", (client["id"],))
    number = raw.removeprefix("#")
    if number.isdigit():
        for person in people:
            if person["id"] == int(number):
                return person
    key = fold(raw)
    if not key:
        raise NotFound(_("empty person name"), hint=how)
    exact = [p for p in people if fold(p["name"]) == key]
    found = exact or [p for p in people if key in fold(p["name"])]
    if not found:
        raise NotFound(
            _("no person at #{id} {name} matches {ref}").format(
                id=client["id"], name=client["name"], ref=repr(ref)
            ),
            hint=how,
        )
    if len(found) > 1:
        shown = "; ".join(f"#{p['id']} {p['name']}" for p in found[:5])
        raise Ambiguous(
            _("{ref} matches {n} people at #{id}: {shown}").format(
                ref=repr(ref), n=len(found), id=client["id"], shown=shown
            ),
            hint=_("name the person by its id"),
        )
    return found[0]


def add_occasion(
    db: Database,
    *,
    client_id: int,
    title: str,
    month: int,
    day: int,
    year: int | None,
    person_id: int | None,
) -> int:
    cursor = db.execute(
        "INSERT INTO occasion (client_id, person_id, title, month, day, year) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (client_id, person_id, title, month, day, year),
    )
    return int(cursor.lastrowid or 0)


def remove_occasion(db: Database, *, client: Row, occasion_id: int) -> Row:
    row = db.one(
        "SELECT id, title FROM occasion WHERE id = ? AND client_id = ?",
        (occasion_id, client["id"]),
    )
    if row is None:
        raise NotFound(
            _("client #{id} {name} has no occasion #{occasion_id}").format(
                id=client["id"], name=client["name"], occasion_id=occasion_id
            ),
            hint=_("see its occasions with: povtor client occasion list {id}").format(
                id=client["id"]
            ),
        )
    db.execute("DELETE FROM occasion WHERE id = ?", (occasion_id,))
    return row


def link_holiday(db: Database, code: str, keyword: str) -> bool:
    """Link a holiday to an industry keyword; ``False`` if the link was there already."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO holiday_industry (holiday, industry) VALUES (?, ?)", (code, keyword)
    )
    return cursor.rowcount == 1


def unlink_holiday(db: Database, code: str, keyword: str) -> bool:
    """Remove the user's link; ``False`` if there was none."""
    cursor = db.execute(
        "DELETE FROM holiday_industry WHERE holiday = ? AND industry = ?", (code, keyword)
    )
    return cursor.rowcount == 1

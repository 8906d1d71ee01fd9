"""Reading the seller's warming content and who has had which item."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from povtor.domain.warming import PURPOSE, Content, content_id
from povtor.errors import NotFound
from povtor.i18n import _
from povtor.storage.database import Database, Row

_COLUMNS = "id, text, industry, tag, lang, added_on"


def content_items(db: Database, lang: str | None = None) -> list[Content]:
    """The items of the library (in ``lang`` only, when given), oldest first."""
    where, params = ("WHERE lang = ?", (lang,)) if lang else ("", ())
    return [
        Content(r["id"], r["text"], r["industry"], r["tag"], r["lang"])
        for r in db.rows(f"SELECT {_COLUMNS} FROM warming_content {where} ORDER BY id", params)
    ]


def content_rows(db: Database) -> list[Row]:
    """Every item with the number of clients it was shared with, oldest first."""
    return db.rows(
        f"""SELECT {_COLUMNS}, COALESCE(shared.clients, 0) AS clients
            FROM warming_content c
            LEFT JOIN (SELECT purpose_ref, COUNT(DISTINCT client_id) AS clients FROM touch
                       WHERE purpose = ? GROUP BY purpose_ref) shared
              ON shared.purpose_ref = ? || ':' || c.id
            ORDER BY c.id""",
        (PURPOSE, PURPOSE),
    )


def find_content(db: Database, ref: str) -> Row:
    """An item by its number: ``3``, ``#3`` or ``content:3``."""
    text = ref.strip().removeprefix("#")
    number = content_id(text) if text.startswith(f"{PURPOSE}:") else None
    if number is None and text.isdigit() and len(text) <= 18:
        number = int(text)
    row = (
        db.one(f"SELECT {_COLUMNS} FROM warming_content WHERE id = ?", (number,))
        if number is not None
        else None
    )
    if row is None:
        raise NotFound(
            _("no warming content #{ref}").format(ref=ref)
            if number is not None
            else _("{ref} is no content id").format(ref=repr(ref)),
            hint=_("see: povtor nudge content list"),
        )
    return row


def _by_client(
    db: Database, sql: str, client_ids: Collection[int], *params: Any
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` (``{marks}``: the client ids) for ``client_ids``, read 500 ids
    at a time (SQLite's limit on bound values)."""
    ids = sorted(set(client_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        yield from db.tuples(sql.format(marks=marks), (*chunk, *params))


def content_had(db: Database, client_ids: Collection[int]) -> dict[int, set[int]]:
    """The items each of ``client_ids`` has had (a touch with purpose ``content``)."""
    had: dict[int, set[int]] = {}
    for client_id, ref in _by_client(
        db,
        "SELECT client_id, purpose_ref FROM touch WHERE client_id IN ({marks}) AND purpose = ?",
        client_ids,
        PURPOSE,
    ):
        number = content_id(ref)
        if number is not None:
            had.setdefault(client_id, set()).add(number)
    return had


def fact_topics(db: Database, client_ids: Collection[int]) -> dict[int, set[str]]:
    """The topics of each client's facts (an item's tag is matched against them)."""
    topics: dict[int, set[str]] = {}
    for client_id, topic in _by_client(
        db,
        "SELECT DISTINCT client_id, topic FROM fact WHERE client_id IN ({marks}) "
        "AND topic IS NOT NULL",
        client_ids,
    ):
        topics.setdefault(client_id, set()).add(topic)
    return topics

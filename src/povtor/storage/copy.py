"""Copying every row of one povtor database into another, empty one (either engine).

Tables go in the order of their foreign keys, rows in primary-key order, ids kept. The
whole copy is one transaction on the target; before it is committed, each table is read
back and its row count and checksum compared with the source's (values normalised the
same way on both engines), so a copy that differs is rolled back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from povtor.errors import DatabaseProblem
from povtor.i18n import _
from povtor.records import record
from povtor.storage.database import Database

CHUNK = 500
# what every new database starts with (its migrations fill them): a target holding
# only these is empty, and they are replaced by the source's
STARTER_TABLES = frozenset({"funnel", "stage", "roadmap_step"})


@record(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the primary key: the order rows are read in


@record(frozen=True, slots=True)
class Copied:
    table: str
    rows: int
    checksum: str  # sha256 of the normalised rows, in primary-key order


def tables() -> list[Table]:
    """Every povtor table (the newest schema), parents before the rows that refer to them."""
    from povtor.storage import models

    return [
        Table(
            t.name,
            tuple(c.name for c in t.columns),
            tuple(c.name for c in t.primary_key.columns),
        )
        for t in models.SQLModel.metadata.sorted_tables
    ]


def records(db: Database) -> dict[str, int]:
    """The tables holding rows beyond what a new database starts with: how many."""
    found = {}
    for table in tables():
        if table.name in STARTER_TABLES:
            continue
        n = int(db.scalar(f"SELECT COUNT(*) FROM {table.name}"))
        if n:
            found[table.name] = n
    return found


def _select(table: Table) -> str:
    return f"SELECT {', '.join(table.columns)} FROM {table.name} ORDER BY {', '.join(table.key)}"


def normal(value: Any) -> str:
    """A value as the checksum sees it, the same on both engines: dates as ISO text,
    yes/no as 0/1, whole numbers (money in minor units) as integers."""
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        if value == int(value):
            return str(int(value))
        return str(Decimal(str(value)).normalize())
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def _digest(rows: Iterable[tuple[Any, ...]]) -> tuple[int, str]:
    sha = hashlib.sha256()
    n = 0
    for row in rows:
        sha.update("\x1f".join(normal(v) for v in row).encode() + b"\x1e")
        n += 1
    return n, sha.hexdigest()


def checksum(db: Database, table: Table) -> tuple[int, str]:
    """How many rows ``table`` has in ``db``, and their checksum."""
    return _digest(db.iterate(_select(table), size=CHUNK))


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def copy_rows(source: Database, target: Database) -> list[Copied]:
    """Copy every table's rows from ``source`` into ``target`` (empty, at the same schema),
    in one transaction on the target, then verify them: all or nothing."""
    target.refuse_if_read_only()
    order = tables()
    reading = not source.connection.in_transaction
    if reading:  # one consistent snapshot of the source, while others may write to it
        source.connection.execute(
            "BEGIN" if source.engine == "sqlite" else "BEGIN ISOLATION LEVEL REPEATABLE READ"
        )
    target.connection.execute("BEGIN IMMEDIATE")
    try:
        if target.engine == "sqlite":  # rows referring to later rows of the same table
            target.execute("PRAGMA defer_foreign_keys = ON")
        for table in reversed(order):  # what the new database started with
            target.execute(f"DELETE FROM {table.name}")
        copied = []
        for table in order:
            insert = (
                f"INSERT INTO {table.name} ({', '.join(table.columns)}) "
                f"VALUES ({', '.join('?' for _ in table.columns)})"
            )
            sha = hashlib.sha256()
            n = 0
            for batch in _chunks(source.iterate(_select(table), size=CHUNK)):
                for row in batch:
                    sha.update("\x1f".join(normal(v) for v in row).encode() + b"\x1e")
                n += len(batch)
                target.executemany(insert, batch)
            copied.append(Copied(table.name, n, sha.hexdigest()))
        if target.engine == "postgresql":
            follow = target.connection.follow_ids  # type: ignore[attr-defined]
            for table in order:
                if "id" in table.columns:
                    follow(table.name)
        for table, done in zip(order, copied, strict=True):
            n, digest = checksum(target, table)
            if (n, digest) != (done.rows, done.checksum):
                raise DatabaseProblem(
                    _(
                        "{location}: table {table} differs from the source after copying "
                        "({n} rows read back of {rows}): nothing was copied"
                    ).format(location=target.location, table=table.name, n=n, rows=done.rows),
                    hint=_("check both databases: povtor db check"),
                )
        target.connection.commit()  # (deferred references are checked here)
    except BaseException:
        target.connection.rollback()
        raise
    finally:
        if reading:
            source.connection.rollback()
    return copied

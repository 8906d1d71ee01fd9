"""The ORM for writes: a SQLModel session on the database's own connection.

Importing SQLAlchemy costs about half a second, so only commands that write
import this module. The session shares the connection of
:class:`~povtor.storage.database.Database`, so plain queries and ORM writes run
in the same ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from povtor.storage.database import Database


def engine_for(database: Database) -> Engine:
    engine = create_engine("sqlite://", creator=lambda: database.connection, poolclass=StaticPool)

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextmanager
def write_session(database: Database) -> Iterator[Session]:
    """A session whose work is committed as one transaction, or not at all.

    The transaction (``BEGIN IMMEDIATE``, the write lock) starts here, not at the
    session's first statement: every read the command makes on ``database`` inside
    the block (name lookups, state checks, the duplicate-touch check) sees the data
    it then writes over, even with other povtor processes writing at the same time.
    """
    engine = engine_for(database)
    with Session(engine, expire_on_commit=False, autoflush=True) as session, session.begin():
        session.connection()  # begin now
        yield session

"""The ORM session for the catalog's remaining writes (being replaced by plain SQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from povtor.storage.database import Database
from povtor.storage.migrate import engine_for


@contextmanager
def write_session(database: Database) -> Iterator[Session]:
    database.refuse_if_read_only()
    engine = engine_for(database)
    with Session(engine, expire_on_commit=False, autoflush=True) as session, session.begin():
        session.connection()  # begin now
        database.check_before_writing()
        yield session

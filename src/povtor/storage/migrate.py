"""Schema migrations with Alembic (imported only when a database needs one)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from povtor.errors import DatabaseProblem
from povtor.i18n import _
from povtor.storage import schema
from povtor.storage.database import BUSY_TIMEOUT_MS, Database, Upgrade
from povtor.storage.safety import backup_to, free_path, record_backup, stamp

__all__ = ["alembic_config", "backup_to", "engine_for", "script_revisions", "upgrade"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def engine_for(database: Database) -> Engine:
    """An SQLAlchemy engine on the database's own connection, for Alembic: its
    transactions begin with ``BEGIN IMMEDIATE`` (the write lock, taken at once).
    On a PostgreSQL server: its own connection, holding povtor's write lock."""
    if database.engine == "postgresql":
        return _server_engine(database)
    engine = create_engine("sqlite://", creator=lambda: database.connection, poolclass=StaticPool)

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _server_engine(database: Database) -> Engine:
    import psycopg

    from povtor.storage.postgres import LOCK_TIMEOUT_S, WRITE_LOCK

    url = database.location.url
    engine = create_engine(
        "postgresql+psycopg://",
        creator=lambda: psycopg.connect(url, connect_timeout=10),
        poolclass=StaticPool,
    )

    @event.listens_for(engine, "begin")
    def _write_lock(connection: Any) -> None:
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    return engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def script_revisions() -> list[str]:
    """Revision ids of the migration scripts, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def upgrade(database: Database, *, backup: bool, now: dt.datetime | None = None) -> Upgrade | None:
    if database.engine != "postgresql":
        return _upgrade(database, backup=backup, now=now)
    from sqlalchemy.exc import DBAPIError

    from povtor.storage.postgres import upgrade_error

    try:
        return _upgrade(database, backup=backup, now=now)
    except DBAPIError as exc:
        raise upgrade_error(exc.orig, database.location) from None


def _upgrade(database: Database, *, backup: bool, now: dt.datetime | None = None) -> Upgrade | None:
    """Bring ``database`` to the newest schema; back an existing one up first.

    The whole upgrade is one write transaction (``BEGIN IMMEDIATE``), and the
    revision is read again once it holds the lock: when several processes open an
    old (or brand-new) file at once, one migrates and the others wait, then find the
    work done (``None``). The backup is taken under the same lock, so it is the old
    database; its name is stamped with ``now`` (povtor's clock; default: the system's).
    """
    saved: Path | None = None
    engine = engine_for(database)
    config = alembic_config()
    with engine.connect() as connection:
        connection.begin()  # BEGIN IMMEDIATE (see engine_for): one migrating process at a time
        version = database.schema_version()
        if version == schema.HEAD:
            connection.rollback()
            return None
        if version is not None and version not in schema.REVISIONS:
            connection.rollback()
            raise DatabaseProblem(
                _("{location} was made by a newer povtor (schema {version})").format(
                    location=database.location, version=version
                ),
                hint=_("upgrade povtor: pip install --upgrade povtor"),
            )
        path = database.location.path
        if backup and version is not None and path is not None:
            if now is None:
                now = dt.datetime.now().astimezone()  # noqa: TID251 - no clock given: a file name
            saved = free_path(path.parent, f"{path.name}.before-{version}-{stamp(now)}", ".bak")
            # a second connection reads the last committed state, which is the old
            # database: this one holds the write lock (a writing connection cannot
            # be the source of SQLite's backup API)
            reader = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                backup_to(reader, saved)
            finally:
                reader.close()
            record_backup(path, saved, "upgrade")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if database.engine == "postgresql":
            from povtor.storage.postgres import setup

            setup(connection)
        connection.commit()
    if database.engine == "postgresql":
        engine.dispose()
        database.connection.schema_changed()  # type: ignore[attr-defined]
    return Upgrade(version, saved)

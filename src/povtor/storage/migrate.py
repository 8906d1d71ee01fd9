"""Schema migrations with Alembic (imported only when a database needs one)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from povtor.storage.database import Database
from povtor.storage.orm import engine_for

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def script_revisions() -> list[str]:
    """Revision ids of the migration scripts, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def upgrade(database: Database, *, backup: bool) -> Path | None:
    """Bring ``database`` to the newest schema; back an existing one up first."""
    saved: Path | None = None
    if backup and database.location.path is not None:
        version = database.scalar("SELECT version_num FROM alembic_version")
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")  # noqa: TID251 - a file name, not "today"
        saved = database.location.path.with_name(
            f"{database.location.path.name}.before-{version}-{stamp}.bak"
        )
        backup_to(database, saved)
    engine = engine_for(database)
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
    return saved


def backup_to(database: Database, target: Path) -> None:
    """Copy the database with SQLite's online backup API (safe while others write)."""
    import os

    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    destination = sqlite3.connect(target)
    try:
        database.connection.backup(destination)
    finally:
        destination.close()

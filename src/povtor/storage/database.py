"""The database connection: the DB driver, plain portable SQL, explicit transactions.

This module starts fast (no SQLAlchemy): every read and every write goes through it,
in plain SQL; only the migrations use SQLAlchemy (through Alembic), on its connection.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from povtor.errors import DatabaseProblem, PovtorError
from povtor.storage import schema
from povtor.storage.location import Location

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000

Row = sqlite3.Row
Params = Sequence[Any] | dict[str, Any]


class Database:
    """One open povtor database (an SQLite file in WAL mode, foreign keys on)."""

    def __init__(self, connection: sqlite3.Connection, location: Location) -> None:
        self.connection = connection
        self.location = location

    # -- reading -----------------------------------------------------------
    def rows(self, sql: str, params: Params = ()) -> list[Row]:
        return self.connection.execute(sql, params).fetchall()

    def tuples(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Like :meth:`rows`, as plain tuples: cheaper when there are many rows."""
        cursor = self.connection.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params).fetchall()

    def one(self, sql: str, params: Params = ()) -> Row | None:
        return self.connection.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.connection.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- writing -----------------------------------------------------------
    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, params)

    def executemany(self, sql: str, seq: Sequence[Params]) -> sqlite3.Cursor:
        return self.connection.executemany(sql, seq)

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction, taken at once (``BEGIN IMMEDIATE``): all or nothing."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.connection.rollback()
            raise
        else:
            self.connection.commit()

    def close(self) -> None:
        self.connection.close()

    # -- schema --------------------------------------------------------------
    def schema_version(self) -> str | None:
        """The Alembic revision of this database, or ``None`` for an empty one."""
        tables = {r[0] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables:
            user_tables = {t for t in tables if not t.startswith("sqlite_")}
            if user_tables:
                raise DatabaseProblem(
                    f"{self.location} is an SQLite database, but not a povtor one",
                    hint="point --db (or POVTOR_DB) at a povtor database or a new file",
                )
            return None
        return self.scalar("SELECT version_num FROM alembic_version")

    def ensure_schema(self) -> None:
        """Create or upgrade the schema if needed (backing an old database up first)."""
        version = self.schema_version()
        if version == schema.HEAD:
            return
        if version is not None and version not in schema.REVISIONS:
            raise DatabaseProblem(
                f"{self.location} was made by a newer povtor (schema {version})",
                hint="upgrade povtor: pip install --upgrade povtor",
            )
        from povtor.storage.migrate import upgrade

        upgrade(self, backup=version is not None)


def open_database(location: Location, *, create: bool = True, migrate: bool = True) -> Database:
    """Open (and on first use create) the database at ``location``."""
    if location.path is None:
        raise DatabaseProblem(f"cannot open {location}", hint="give an SQLite file path")
    path = location.path
    is_new = _check_file(path, create=create)
    try:
        connection = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA foreign_keys = ON")
        if is_new:
            _use_wal(connection)
        connection.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as exc:
        raise translate_db_error(exc, location) from None
    database = Database(connection, location)
    if migrate:
        try:
            database.ensure_schema()
            # a povtor database now: one that another process created at the same
            # moment, or restored from a copy, may still be in rollback-journal mode
            if not is_new and database.scalar("PRAGMA journal_mode") != "wal":
                _use_wal(connection)
        except sqlite3.Error as exc:
            database.close()
            raise translate_db_error(exc, location) from None
        except BaseException:
            database.close()
            raise
    return database


WAL_ATTEMPTS = 5


def _use_wal(connection: sqlite3.Connection) -> None:
    """Switch the file to WAL mode (readers never block the writer), if it is not yet.

    A brand-new file may be opened by several processes at once, and switching needs
    the file to itself for a moment: a few short, bounded retries. A file that cannot
    switch (read-only, or kept busy throughout) is used in the mode it has; the next
    opening tries again.
    """
    for attempt in range(WAL_ATTEMPTS):
        try:
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if "readonly" in text or "read-only" in text:
                return
            if "locked" not in text and "busy" not in text:
                raise
        else:
            if mode == "wal":
                return
        time.sleep(0.05 * (attempt + 1))


def _check_file(path: Path, *, create: bool) -> bool:
    """Refuse what cannot be a povtor database; create a new file readable by its owner only."""
    if path.is_dir():
        raise DatabaseProblem(
            f"{path} is a directory, not a database file",
            hint="give a file path such as ~/sales/povtor.db",
        )
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise DatabaseProblem(
                f"cannot read {path}: {exc.strerror}", hint="check the file's permissions"
            ) from None
        if header and header != SQLITE_HEADER:
            raise DatabaseProblem(
                f"{path} is not a povtor database (not an SQLite file)",
                hint="point --db (or POVTOR_DB) at a povtor database or a new file",
            )
        return not header
    if not create:
        raise DatabaseProblem(f"{path} does not exist", hint="check the path, or run: povtor init")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        return False  # another process created it first: open it as it is
    except OSError as exc:
        raise DatabaseProblem(
            f"cannot create {path}: {exc.strerror}", hint="choose a writable location with --db"
        ) from None
    return True


def translate_db_error(exc: BaseException, location: Location | str) -> PovtorError:
    """Turn a driver error into one clear user-facing line."""
    text = str(exc)
    low = text.lower()
    if "readonly" in low or "read-only" in low:
        return DatabaseProblem(
            f"{location} is read-only: nothing was changed",
            hint="check the file's permissions or copy it somewhere writable",
        )
    if "locked" in low or "busy" in low:
        return DatabaseProblem(
            f"{location} stayed busy for {BUSY_TIMEOUT_MS // 1000} s: nothing was changed",
            hint="another program holds a long write lock; try again when it finishes",
        )
    if "not a database" in low or "malformed" in low or "file is encrypted" in low:
        return DatabaseProblem(
            f"{location} is damaged or not a povtor database: {text}",
            hint="restore it from a backup: povtor db restore FILE",
        )
    if "disk is full" in low or "disk i/o" in low or "unable to open" in low:
        return DatabaseProblem(
            f"cannot write {location}: {text}; nothing was changed",
            hint="free disk space or check the location",
        )
    return DatabaseProblem(f"database error in {location}: {text}", hint=None)


# -- value conversion (SQLite keeps dates and times as ISO text) ---------------
def to_date(value: Any) -> dt.date | None:
    if value.__class__ is str:  # the common case, SQLite's ISO text: fast path
        return _date_from_iso(value[:10])
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


_date_from_iso = dt.date.fromisoformat


class Days(dict[Any, dt.date]):
    """ISO text -> date, each distinct day parsed once (the plan and the reports read tens
    of thousands of dates, most of them repeated). ``days[text]`` for a value that is
    never NULL (a hit is a plain dict lookup), ``days.of(value)`` for one that may be."""

    def __missing__(self, key: Any) -> dt.date:
        day = to_date(key)
        assert day is not None
        self[key] = day
        return day

    def of(self, value: Any) -> dt.date | None:
        return None if value is None else self[value]


def to_datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def db_datetime(value: dt.datetime) -> str:
    """A naive UTC timestamp as the ORM stores it in SQLite."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")

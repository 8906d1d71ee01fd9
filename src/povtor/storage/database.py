"""The database connection: the DB driver, plain portable SQL, explicit transactions.

This module starts fast (no SQLAlchemy): every read and every write goes through it,
in plain SQL; only the migrations use SQLAlchemy (through Alembic), on its connection.
An SQLite file is the default; a ``postgresql://`` location opens a server through
:mod:`povtor.storage.postgres` (imported only then), behind the same API.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Generic, TypeVar

from povtor.errors import DatabaseProblem, PovtorError
from povtor.i18n import _
from povtor.records import record
from povtor.storage import schema
from povtor.storage.location import Location

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000
# Before writing, SQLite's quick_check reads every page, at most once in this many hours;
# the hour of the last sound check is kept in the file's header (``PRAGMA user_version``,
# an integer SQLite leaves to the application). It takes time in proportion to the file
# (about 0.1 s for 64 MiB; 0.3 s at 10,000 clients, 170 MB; 5 s at 100,000, 1.7 GB), so
# a bigger file is checked whole by ``povtor db check`` only; every write checks the
# pages it reads as it reads them (``PRAGMA cell_size_check``), whatever the size.
QUICK_CHECK_HOURS = 24
QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024
# An upgrade that rebuilds a table, and the copy taken before it, take time in proportion
# to the file: from this size on the user is told before it starts (at 10,000 clients,
# 170 MB, about 15 s)
SLOW_UPGRADE_BYTES = 64 * 1024 * 1024
RESTORE_HINT = "restore it from a backup: povtor db restore FILE"
# The change counter: a ``setting`` row that no setting uses, raised by every write
# transaction that changed a row. A figure kept to save work (the plan's conversion) is
# stamped with it, and is not used once the counter has moved.
WRITES_KEY = "povtor.writes"

Row = sqlite3.Row
Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


@record(frozen=True, slots=True)
class Upgrade:
    """An upgrade that opening the database made: the schema it had, where it was copied."""

    before: str | None  # None: a new database, made at the newest schema
    saved: Path | None


class Database:
    """One open povtor database (an SQLite file in WAL mode, foreign keys on; or a
    PostgreSQL server's database, whose connection stands where sqlite3's would)."""

    def __init__(
        self, connection: sqlite3.Connection, location: Location, *, read_only: bool = False
    ) -> None:
        self.connection = connection
        self.location = location
        self.engine = getattr(connection, "engine", "sqlite")  # sqlite | postgresql
        self.read_only = read_only  # opened read-only: read-only media or no write permission
        self.upgraded: Upgrade | None = None  # set when opening upgraded the schema
        self._last_steps: list[Callable[[], object]] = []  # see before_commit

    # -- reading -----------------------------------------------------------
    def rows(self, sql: str, params: Params = ()) -> list[Row]:
        return self.connection.execute(sql, params).fetchall()

    def tuples(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Like :meth:`rows`, as plain tuples: cheaper when there are many rows."""
        cursor = self.connection.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params).fetchall()

    def iterate(
        self, sql: str, params: Params = (), *, size: int = 500
    ) -> Iterator[tuple[Any, ...]]:
        """The rows as plain tuples, fetched ``size`` at a time while the caller uses them:
        a listing of any length is written in flat memory. (The statement runs at the
        first row asked for.)"""
        cursor = self.connection.cursor()
        cursor.row_factory = None
        try:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(size):
                yield from batch
        finally:
            with suppress(sqlite3.ProgrammingError):  # left unfinished; closed with the db
                cursor.close()

    def read_at_once(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Like :meth:`tuples`, for a read done beside another thread (:class:`Beside`):
        SQLite hands the rows over as one JSON document made in its single step, instead
        of one by one, each taking Python's interpreter lock from the thread that holds it
        (the rows wait for the lock, the second core for the rows). Integers, text and
        NULL come back as they are; a REAL to 15 significant digits (for the counts and
        sums of money povtor reads, none); a BLOB is refused. The rows come in the order of
        the statement's own ORDER BY (SQLite keeps it under an aggregate that depends on
        it). (A server's rows come at once already.)"""
        if self.engine != "sqlite":
            return self.tuples(sql, params)
        sql = sql.strip().rstrip(";") + "\n"  # (a statement ending in a -- comment)
        shape = self.connection.execute(f"SELECT * FROM ({sql}) LIMIT 0", params)
        columns = ", ".join(f"c{n}" for n in range(len(shape.description)))
        rows = json.loads(
            self.connection.execute(
                f"WITH q({columns}) AS ({sql}) SELECT json_group_array(json_array({columns})) "
                "FROM q",
                params,
            ).fetchone()[0]
        )
        for n, row in enumerate(rows):  # (each list let go as its tuple takes its place)
            rows[n] = tuple(row)
        return rows

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
        self.refuse_if_read_only()
        self.connection.execute("BEGIN IMMEDIATE")
        before = self.connection.total_changes
        self._last_steps = []
        try:
            self.check_before_writing()
            yield self
            if self.connection.total_changes != before:
                self.execute(
                    "INSERT INTO setting (key, value) VALUES (?, '1') ON CONFLICT (key) "
                    "DO UPDATE SET value = CAST(setting.value AS INTEGER) + 1",
                    (WRITES_KEY,),
                )
            for step in self._last_steps:
                step()
        except BaseException:
            self.connection.rollback()
            raise
        else:
            self.connection.commit()
        finally:
            self._last_steps = []

    def before_commit(self, step: Callable[[], object]) -> None:
        """Run ``step`` last in the write transaction under way, after the change counter
        is raised (:mod:`povtor.storage.kept_figures` carries figures past a write that
        leaves them as they are)."""
        self._last_steps.append(step)

    def writes(self) -> int:
        """The change counter (:data:`WRITES_KEY`): how many write transactions changed rows."""
        return int(self.scalar("SELECT value FROM setting WHERE key = ?", (WRITES_KEY,)) or 0)

    def keep_aside(self, sql: str, params: Params = ()) -> bool:
        """Write a figure kept to save work, if that can be done at once: not on a
        read-only database, not while another command holds the write lock (nobody
        waits for it), and without raising the change counter. False: not written."""
        if self.read_only or self.connection.in_transaction:
            return False
        if self.engine == "postgresql":  # the write lock's try-variant: free now, or not kept
            if not self.connection.begin_writing_at_once():  # type: ignore[attr-defined]
                return False
            try:
                self.connection.execute(sql, params)
            except BaseException:
                self.connection.rollback()
                raise
            self.connection.commit()
            return True
        try:
            self.connection.execute("PRAGMA busy_timeout = 0")
            try:
                self.connection.execute("BEGIN IMMEDIATE")
            finally:
                self.connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            try:
                self.connection.execute(sql, params)
            except BaseException:
                self.connection.rollback()
                raise
            self.connection.commit()
        except sqlite3.OperationalError:  # locked, busy, read-only after all: not kept
            return False
        return True

    def close(self) -> None:
        self.connection.close()

    def another(self) -> Database:
        """A second connection to the same database, as this one is opened (read-only or
        not), for work done beside this one's in another thread (:class:`Beside`)."""
        path = self.location.path
        if path is None:
            return _open_server(self.location, migrate=False, now=None)
        return Database(
            _connect(path, read_only=self.read_only), self.location, read_only=self.read_only
        )

    # -- before writing --------------------------------------------------------
    def refuse_if_read_only(self) -> None:
        if self.read_only:
            raise read_only_error(self.location)

    def check_before_writing(self) -> None:
        """Inside the write transaction: refuse to write into a damaged file.

        Each page the write reads is checked as it is read (``cell_size_check``); the
        whole file, by SQLite's ``quick_check`` (every page's structure, not the indexes'
        contents), at most once in :data:`QUICK_CHECK_HOURS` and only up to
        :data:`QUICK_CHECK_MAX_BYTES` (a write takes time in proportion to what it
        changes, not to the file). A sound result is noted in the same transaction, so a
        command that fails leaves the next one to check again.
        """
        if self.engine != "sqlite":  # the server keeps its own pages sound
            return
        self.execute("PRAGMA cell_size_check = ON")
        hour = int(time.time() // 3600)  # wall-clock hours: upkeep of the file, not "today"
        last = self.scalar("PRAGMA user_version") or 0
        if 0 <= hour - last < QUICK_CHECK_HOURS or self._too_big_to_check():
            return
        problems = [row[0] for row in self.rows("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            lines = [line.strip() for text in problems for line in str(text).splitlines()]
            first = next((line for line in lines if line and not line.startswith("***")), "?")
            raise DatabaseProblem(
                _("{location} is damaged ({first}): nothing was written").format(
                    location=self.location, first=first
                ),
                hint=_("{RESTORE_HINT} (povtor db check lists the damage)").format(
                    RESTORE_HINT=RESTORE_HINT
                ),
            )
        self.execute(f"PRAGMA user_version = {hour}")

    def _too_big_to_check(self) -> bool:
        return self._bigger_than(QUICK_CHECK_MAX_BYTES)

    def _bigger_than(self, size: int) -> bool:
        path = self.location.path
        try:
            return path is not None and path.stat().st_size > size
        except OSError:  # (gone or unreadable: the write finds out)
            return False

    # -- schema --------------------------------------------------------------
    def schema_version(self) -> str | None:
        """The Alembic revision of this database, or ``None`` for an empty one."""
        if self.engine == "postgresql":
            return self._server_schema_version()
        tables = {r[0] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables:
            user_tables = {t for t in tables if not t.startswith("sqlite_")}
            if user_tables:
                raise DatabaseProblem(
                    _("{location} is an SQLite database, but not a povtor one").format(
                        location=self.location
                    ),
                    hint=_("point --db (or POVTOR_DB) at a povtor database or a new file"),
                )
            return None
        return self.scalar("SELECT version_num FROM alembic_version")

    def _server_schema_version(self) -> str | None:
        tables = {
            r[0]
            for r in self.rows(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        }
        if "alembic_version" not in tables:
            if tables:
                raise DatabaseProblem(
                    _("{location} holds tables, but is not a povtor database").format(
                        location=self.location
                    ),
                    hint=_("point --db (or POVTOR_DB) at a povtor database or a new, empty one"),
                )
            return None
        return self.scalar("SELECT version_num FROM alembic_version")

    def ensure_schema(
        self,
        *,
        now: dt.datetime | None = None,
        before_upgrade: Callable[[str], None] | None = None,
    ) -> None:
        """Create or upgrade the schema if needed (backing an old database up first, in a
        file stamped with ``now``: povtor's clock). An upgrade is noted in :attr:`upgraded`;
        ``before_upgrade`` is told the old revision first when the file is big enough for
        the upgrade to take a while (over :data:`SLOW_UPGRADE_BYTES`)."""
        version = self.schema_version()
        if version == schema.HEAD:
            return
        if version is not None and version not in schema.REVISIONS:
            raise DatabaseProblem(
                _("{location} was made by a newer povtor (schema {version})").format(
                    location=self.location, version=version
                ),
                hint=_("upgrade povtor: pip install --upgrade povtor"),
            )
        if self.read_only:
            needs = (
                "is empty"
                if version is None
                else f"needs an upgrade (schema {version} → {schema.HEAD})"
            )
            raise DatabaseProblem(
                _("{location} {needs}, and it is read-only here: nothing was changed").format(
                    location=self.location, needs=needs
                ),
                hint=_("copy it somewhere writable and point --db at the copy"),
            )
        from povtor.storage.migrate import upgrade

        if (
            version is not None
            and before_upgrade is not None
            and self._bigger_than(SLOW_UPGRADE_BYTES)
        ):
            before_upgrade(version)
        done = upgrade(self, backup=version is not None, now=now)
        if done is not None and done.before is not None:  # (not a new database: made)
            self.upgraded = done


def open_database(
    location: Location,
    *,
    create: bool = True,
    migrate: bool = True,
    now: dt.datetime | None = None,
    before_upgrade: Callable[[str], None] | None = None,
) -> Database:
    """Open (and on first use create) the database at ``location``.

    A file that cannot be written (read-only media, no permission) is opened
    read-only: every reading command works, and a write is refused as read-only.
    ``now`` (povtor's clock) stamps the copy taken before an upgrade.
    """
    if location.path is None:
        if location.dialect == "postgresql":
            return _open_server(location, migrate=migrate, now=now)  # (a server: no file)
        raise DatabaseProblem(
            _("cannot open {location}").format(location=location),
            hint=_("give an SQLite file path"),
        )
    path = location.path
    is_new = _check_file(path, create=create)
    read_only = not is_new and not _writable(path)
    try:
        connection = _connect(path, read_only=read_only)
    except sqlite3.Error as exc:
        raise translate_db_error(exc, location) from None
    database = Database(connection, location, read_only=read_only)
    try:
        if is_new:
            _use_wal(connection)
        if not read_only:
            connection.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as exc:
        database.close()
        raise translate_db_error(exc, location) from None
    if migrate:
        try:
            database.ensure_schema(now=now, before_upgrade=before_upgrade)
            # a povtor database now: one that another process created at the same
            # moment, or restored from a copy, may still be in rollback-journal mode
            if not is_new and not read_only and database.scalar("PRAGMA journal_mode") != "wal":
                _use_wal(connection)
        except sqlite3.Error as exc:
            database.close()
            raise translate_db_error(exc, location) from None
        except BaseException:
            database.close()
            raise
    return database


def _open_server(location: Location, *, migrate: bool, now: dt.datetime | None) -> Database:
    """A PostgreSQL server's database (the ``postgres`` extra: psycopg)."""
    try:
        from povtor.storage import postgres
    except ImportError:
        raise DatabaseProblem(
            _("cannot open {location}: PostgreSQL support is not installed").format(
                location=location
            ),
            hint="pip install 'povtor[postgres]'",
        ) from None
    connection = postgres.connect(location.url, str(location))
    database = Database(connection, location)  # type: ignore[arg-type]
    if migrate:
        try:
            database.ensure_schema(now=now)
        except sqlite3.Error as exc:
            database.close()
            raise translate_db_error(exc, location) from None
        except BaseException:
            database.close()
            raise
    return database


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A connection with povtor's settings; read-only ones see the file as it is."""
    if not read_only:
        connection = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    else:
        connection = _read_only_connection(path)
    connection.row_factory = sqlite3.Row
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        connection.close()
        raise
    return connection


def _read_only_connection(path: Path) -> sqlite3.Connection:
    """Read-only: through SQLite's locks where it can take them; on read-only media,
    where a WAL file's shared memory cannot be made, as an immutable file (nobody can
    change it there)."""
    uri = path.resolve().as_uri()
    last: sqlite3.Error | None = None
    for options in ("mode=ro", "mode=ro&immutable=1"):
        connection = sqlite3.connect(
            f"{uri}?{options}",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:  # cannot open the WAL's shared memory
            connection.close()
            last = exc
            if not _read_only_media(path):
                break
            continue
        return connection
    assert last is not None
    raise last


def _writable(path: Path) -> bool:
    """Whether this process may write the file and make its WAL files beside it."""
    if _read_only_media(path):
        return False
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _read_only_media(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): SQLite finds out itself
        return False


def read_only_error(location: Location | str) -> DatabaseProblem:
    return DatabaseProblem(
        _("{location} is read-only: nothing was changed").format(location=location),
        hint=_(
            "check the permissions of the file and its folder (or a read-only "
            "disk), or copy it somewhere writable"
        ),
    )


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
            _("{path} is a directory, not a database file").format(path=path),
            hint=_("give a file path such as ~/sales/povtor.db"),
        )
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise DatabaseProblem(
                _("cannot read {path}: {strerror}").format(path=path, strerror=exc.strerror),
                hint=_("check the file's permissions"),
            ) from None
        if header and header != SQLITE_HEADER:
            raise DatabaseProblem(
                _("{path} is not a povtor database (not an SQLite file)").format(path=path),
                hint=_("point --db (or POVTOR_DB) at a povtor database or a new file"),
            )
        return not header and _writable(path)
    if not create:
        raise DatabaseProblem(
            _("{path} does not exist").format(path=path),
            hint=_("check the path, or run: povtor init"),
        )
    try:
        private_folder(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        return False  # another process created it first: open it as it is
    except OSError as exc:
        raise DatabaseProblem(
            _("cannot create {path}: {strerror}").format(path=path, strerror=exc.strerror),
            hint=_("choose a writable location with --db"),
        ) from None
    return True


def private_folder(folder: Path) -> None:
    """Make ``folder`` (and missing parents) if it does not exist; the folder made for
    the data is its owner's only (0700), as ``mkdir -p -m 700`` would make it."""
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        return  # made by another process at the same moment
    folder.chmod(0o700)  # whatever the umask


def translate_db_error(exc: BaseException, location: Location | str) -> PovtorError:
    """Turn a driver error into one clear user-facing line."""
    text = str(exc)
    low = text.lower()
    if "readonly" in low or "read-only" in low:
        return read_only_error(location)
    if "locked" in low or "busy" in low:
        return DatabaseProblem(
            _("{location} stayed busy for {n} s: nothing was changed").format(
                location=location, n=BUSY_TIMEOUT_MS // 1000
            ),
            hint=_("another program holds a long write lock; try again when it finishes"),
        )
    if "not a database" in low or "malformed" in low or "file is encrypted" in low:
        return DatabaseProblem(
            _("{location} is damaged or not a povtor database: {text}").format(
                location=location, text=text
            ),
            hint=RESTORE_HINT,
        )
    if "disk is full" in low:
        return DatabaseProblem(
            _("cannot write {location}: {text}; nothing was changed").format(
                location=location, text=text
            ),
            hint=_("free disk space or choose another location"),
        )
    if "disk i/o" in low:
        return DatabaseProblem(
            _("{location}: {text}; nothing was changed").format(location=location, text=text),
            hint=_("check the disk and free space, or copy the file to another disk"),
        )
    if "unable to open" in low:
        return DatabaseProblem(
            _("cannot open {location}: {text}; nothing was changed").format(
                location=location, text=text
            ),
            hint=_("check that the file and its folder exist and may be read"),
        )
    return DatabaseProblem(
        _("database error in {location}: {text}").format(location=location, text=text), hint=None
    )


# -- value conversion (SQLite keeps dates and times as ISO text) ---------------
def id_list(ids: Iterable[int]) -> str:
    """``ids`` as the JSON list a statement reads with ``json_each``, each once and in
    order: ``WHERE id IN (SELECT value FROM json_each(?))``."""
    return json.dumps(sorted(set(ids)))


def to_date(value: Any) -> dt.date | None:
    if value.__class__ is str:  # the common case, SQLite's ISO text: fast path
        return _date_from_iso(value[:10])
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


_date_from_iso = dt.date.fromisoformat


class Beside(Generic[T]):
    """``work`` done on a second connection to ``db`` (:meth:`Database.another`), in a
    thread of its own, while the caller goes on. For a long read that the database does
    itself and that returns a few rows (an aggregate over a year of touches), or whose
    rows it hands over at once (:meth:`Database.read_at_once`): SQLite runs it outside
    Python's interpreter lock (a server, on its own), so on a machine with a second core
    it takes no time from the Python work of the main thread. The connection is opened
    and closed in that thread. :meth:`result` waits for the work and returns what it
    returned, or raises what it raised. Within a transaction of ``db`` the work is done
    on ``db`` itself, at once: another connection would not see its writes.

    Each connection reads what is committed when each of its statements starts, as one
    connection does statement by statement (a read outside a transaction)."""

    def __init__(self, db: Database, work: Callable[[Database], T]) -> None:
        self._done: list[T] = []
        self._failed: list[BaseException] = []
        self._thread: threading.Thread | None = None
        if db.connection.in_transaction:  # (its writes not committed: done on it, at once)
            try:
                self._done.append(work(db))
            except Exception as exc:  # (raised by result, as from the thread; Ctrl-C at once)
                self._failed.append(exc)
            return
        self._thread = threading.Thread(target=self._run, args=(db, work), daemon=True)
        self._thread.start()

    def _run(self, db: Database, work: Callable[[Database], T]) -> None:
        try:
            other = db.another()
            try:
                self._done.append(work(other))
            finally:
                other.close()
        except BaseException as exc:  # (raised again by result, in the caller's thread)
            self._failed.append(exc)

    def result(self) -> T:
        if self._thread is not None:
            self._thread.join()
        if self._failed:
            raise self._failed[0]
        return self._done[0]


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


def sql_value(value: Any) -> Any:
    """A value as a write binds it: dates as ISO text, timestamps as :func:`db_datetime`
    (never a date object: sqlite3's own adapters are deprecated since Python 3.12)."""
    if isinstance(value, dt.datetime):
        return db_datetime(value)
    return value.isoformat() if isinstance(value, dt.date) else value


def update_by_id(
    db: Database,
    table: str,
    row_id: int,
    changes: Mapping[str, Any],
    *,
    allowed: Sequence[str],
    derived: Mapping[str, Any] | None = None,
) -> None:
    """Set the ``changes`` (and the ``derived`` columns that follow them, such as a
    search key) on the row ``row_id`` of ``table``. The column names are the code's,
    never a user's: any not in ``allowed`` is a programming error."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"not {table} columns: {sorted(unknown)}")
    values = {**changes, **(derived or {})}
    if not values:
        return
    assignments = ", ".join(f"{key} = ?" for key in values)
    db.execute(
        f"UPDATE {table} SET {assignments} WHERE id = ?",
        [*(sql_value(v) for v in values.values()), row_id],
    )


def db_datetime(value: dt.datetime) -> str:
    """A naive UTC timestamp as the ORM stores it in SQLite."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")

"""Keeping the data safe: online backups, restore, integrity checks, forgetting a client.

Plain ``sqlite3`` only (no SQLAlchemy, no Alembic), so ``povtor db backup`` and
``povtor db check`` start fast. Copies are made with SQLite's online backup API: a
consistent snapshot, safe while other povtor processes keep writing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from povtor.errors import Conflict, DatabaseProblem, NotFound
from povtor.i18n import _
from povtor.records import record
from povtor.storage import schema
from povtor.storage.database import (
    BUSY_TIMEOUT_MS,
    SQLITE_HEADER,
    Database,
    private_folder,
    translate_db_error,
)
from povtor.storage.location import Location

SIDE_FILES = ("-wal", "-shm", "-journal")
NOT_POVTOR_HINT = "give a file made by povtor db backup (or a copy of a povtor database)"
# A copy is written under a temporary name beside its target, FILE.povtor-partial-PID, and
# renamed to FILE once complete: a process killed half-way leaves no file at FILE, and the
# next copy into that folder removes what a dead process left.
PARTIAL = ".povtor-partial-"
_LEFTOVER = re.compile(rf".+{re.escape(PARTIAL)}(\d+)(?:-wal|-shm|-journal)?")
# The copies povtor made of a database, one a line (kind, tab, path), in a file beside it:
# ``client forget`` names those that still hold the client.
RECORD_SUFFIX = ".backups"


# -- files -----------------------------------------------------------------------------
def new_private_file(path: Path, *, replace: bool = False) -> None:
    """Create ``path`` empty and readable by its owner only (0600).

    Without ``replace`` an existing file is an error (:class:`FileExistsError`);
    with it, the file and any SQLite side files of it are removed first.
    """
    if replace:
        for suffix in ("", *SIDE_FILES):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def backup_to(source: Database | sqlite3.Connection, target: Path) -> None:
    """Copy a database into ``target`` (0600) with the online backup API.

    The copy is one consistent snapshot, taken in a single step: a writer in another
    process is not blocked (WAL) and cannot tear it. It is written under a temporary
    name and renamed to ``target`` when complete (replacing a file there).
    """
    connection = source.connection if isinstance(source, Database) else source
    remove_leftovers(target.parent)
    partial = target.with_name(f"{target.name}{PARTIAL}{os.getpid()}")
    new_private_file(partial, replace=True)
    try:
        destination = sqlite3.connect(partial, isolation_level=None)
        try:
            connection.backup(destination)
            # a copy is one self-contained file: no WAL beside it, even when opened read-only
            destination.execute("PRAGMA journal_mode = DELETE")
        finally:
            destination.close()
        _sync(partial)
        # a journal left beside the old file would be played into the new one
        for suffix in SIDE_FILES:
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(partial, target)
        _sync_folder(target.parent)
    except BaseException:
        _remove_with_side_files(partial)
        raise


def remove_leftovers(folder: Path) -> None:
    """Remove the half-made copies (``*.povtor-partial-PID``) of processes that are gone."""
    try:
        names = [p for p in folder.iterdir() if PARTIAL in p.name]
    except OSError:
        return
    for path in names:
        match = _LEFTOVER.fullmatch(path.name)
        if match is None or _running(int(match.group(1))):
            continue
        with suppress(OSError):  # not ours to remove after all: leave it
            path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a leftover of an earlier process that had this id
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # another user's process, or cannot tell: leave its file alone
    return True


def _remove_with_side_files(path: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        with suppress(OSError):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _sync(path: Path) -> None:
    """Flush a finished copy to the disk before it takes its final name."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # (not possible on every system)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def stamp(clock_now: dt.datetime) -> str:
    """The time in a file name: ``YYYYmmdd-HHMMSS`` (povtor's clock, local time)."""
    return clock_now.strftime("%Y%m%d-%H%M%S")


def stamped_name(clock_now: dt.datetime, *, prefix: str, suffix: str) -> str:
    return f"{prefix}{stamp(clock_now)}{suffix}"


# -- the record of copies made ---------------------------------------------------------------
def record_path(database: Path) -> Path:
    return database.with_name(f"{database.name}{RECORD_SUFFIX}")


def record_backup(database: Path, copy: Path, kind: str) -> None:
    """Note a copy made of ``database`` (``backup``, ``upgrade``, ``restore``) in the
    record beside it. Best effort: a folder that cannot be written keeps no record."""
    line = f"{kind}\t{copy.resolve()}\n"
    record = record_path(database)
    try:
        fd = os.open(record, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8", "surrogateescape"))
        finally:
            os.close(fd)
    except OSError:
        pass


def recorded_backups(database: Path) -> list[Path]:
    """The copies the record names (oldest first, each once), whether or not they exist."""
    try:
        text = record_path(database).read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return []
    found: dict[str, None] = {}
    for line in text.splitlines():
        kind, _, path = line.partition("\t")
        if kind and path:
            found[path] = None
    return [Path(p) for p in found]


def copies_holding(database: Path, client_id: int, *, erased_name: str) -> list[Path]:
    """The copies povtor made of ``database`` (recorded, or named as povtor names them
    beside it) that still hold the client's data: its row with a name other than the
    erased one. A copy that cannot be read is named too: it may hold it."""
    candidates = dict.fromkeys([*recorded_backups(database), *backups_beside(database)])
    holding: list[Path] = []
    for copy in candidates:
        if not copy.is_file():
            continue
        try:
            if copy.resolve() == database.resolve():
                continue
            with _read_only(copy) as connection:
                row = connection.execute(
                    "SELECT name FROM client WHERE id = ?", (client_id,)
                ).fetchone()
        except (OSError, sqlite3.Error):
            holding.append(copy)
            continue
        if row is not None and row[0] != erased_name:
            holding.append(copy)
    return holding


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield connection
    finally:
        connection.close()


def free_path(directory: Path, stem: str, suffix: str) -> Path:
    """``directory/STEMSUFFIX``, or with ``-2``, ``-3``... after the stem if that is taken."""
    candidate = directory / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = directory / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def backups_beside(path: Path) -> list[Path]:
    """Copies povtor made beside the database: ``db backup``, upgrades, restores."""
    found = {
        *path.parent.glob("povtor-*.db"),
        *path.parent.glob(f"{path.name}.before-*.bak"),
    }
    found.discard(path)
    return sorted(p for p in found if p.is_file())


def make_backup(database: Database, target: Path, *, force: bool) -> Path:
    """``povtor db backup``: copy the open database to ``target``."""
    target = target.expanduser()
    if target.is_dir():
        raise Conflict(
            _("{target} is a directory").format(target=target),
            hint=_("give a file name, e.g. povtor-copy.db"),
        )
    source_path = database.location.path
    if source_path is not None and target.exists() and target.samefile(source_path):
        raise Conflict(
            _("{target} is the database itself").format(target=target),
            hint=_("give another file name for the copy"),
        )
    if target.exists() and not force:
        raise Conflict(
            _("{target} exists already").format(target=target), hint=_("add --force to replace it")
        )
    if not target.parent.is_dir():
        raise NotFound(
            _("folder {parent} does not exist").format(parent=target.parent),
            hint=_("create it first, or give another path"),
        )
    try:
        backup_to(database, target)
    except OSError as exc:
        raise DatabaseProblem(
            _("cannot write {target}: {strerror}; nothing was changed").format(
                target=target, strerror=exc.strerror
            ),
            hint=_("free disk space or choose a writable location"),
        ) from None
    except sqlite3.Error as exc:
        raise translate_db_error(exc, str(target)) from None
    if source_path is not None:
        record_backup(source_path, target, "backup")
    return target


# -- inspecting a file that should be a povtor database -----------------------------------
@record(frozen=True)
class BackupInfo:
    path: Path
    revision: str
    counts: dict[str, int]

    @property
    def is_older(self) -> bool:
        return self.revision != schema.HEAD


@contextmanager
def _plain_connection(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def _header(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseProblem(
            _("cannot read {path}: {strerror}").format(path=path, strerror=exc.strerror),
            hint=_("check the file's permissions"),
        ) from None


def inspect_povtor_file(path: Path) -> BackupInfo:
    """What a file to restore from holds; refuses anything but a sound povtor database."""
    if not path.exists():
        raise DatabaseProblem(
            _("{path} does not exist").format(path=path), hint=_("check the path of the backup")
        )
    if path.is_dir():
        raise DatabaseProblem(
            _("{path} is a directory, not a backup file").format(path=path), hint=NOT_POVTOR_HINT
        )
    if _header(path) != SQLITE_HEADER:
        raise DatabaseProblem(
            _("{path} is not a povtor database (not an SQLite file)").format(path=path),
            hint=NOT_POVTOR_HINT,
        )
    try:
        with _plain_connection(path) as connection:
            tables = {
                r[0]
                for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "alembic_version" not in tables or "client" not in tables:
                raise DatabaseProblem(
                    _("{path} is an SQLite database, but not a povtor one").format(path=path),
                    hint=NOT_POVTOR_HINT,
                )
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
            if revision not in schema.REVISIONS:
                raise DatabaseProblem(
                    _("{path} was made by a newer povtor (schema {revision})").format(
                        path=path, revision=revision
                    ),
                    hint=_("upgrade povtor first: pip install --upgrade povtor"),
                )
            problems = [r[0] for r in connection.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise DatabaseProblem(
                    _("{path} is damaged: {problems}").format(path=path, problems=problems[0]),
                    hint=_("choose another backup"),
                )
            counts = {
                table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                for table in ("client", "deal", "touch")
            }
    except sqlite3.Error as exc:
        raise DatabaseProblem(
            _("{path} is damaged or not a povtor database: {exc}").format(path=path, exc=exc),
            hint=_("choose another backup"),
        ) from None
    return BackupInfo(path=path, revision=revision, counts=counts)


# -- restore ----------------------------------------------------------------------------
def current_state(path: Path) -> str:
    """``missing`` (or empty), ``povtor``, ``damaged``; refuses another program's file."""
    if path.is_dir():
        raise DatabaseProblem(
            _("{path} is a directory, not a database file").format(path=path),
            hint=_("give a file path such as ~/sales/povtor.db"),
        )
    if not path.exists() or path.stat().st_size == 0:
        return "missing"
    if _header(path) != SQLITE_HEADER:
        raise DatabaseProblem(
            _(
                "{path} is not a povtor database (not an SQLite file); restore leaves it alone"
            ).format(path=path),
            hint=_("point --db (or POVTOR_DB) at a povtor database or a new file"),
        )
    try:
        with _plain_connection(path) as connection:
            tables = {
                r[0]
                for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if tables and "alembic_version" not in tables:
                raise DatabaseProblem(
                    _(
                        "{path} is an SQLite database, but not a povtor one; restore leaves it "
                        "alone"
                    ).format(path=path),
                    hint=_("point --db (or POVTOR_DB) at a povtor database or a new file"),
                )
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        return "damaged"
    return "povtor"


def current_counts(path: Path) -> dict[str, int] | None:
    """Row counts of the database about to be replaced (``None``: none, or unreadable)."""
    try:
        if current_state(path) != "povtor":
            return None
        with _plain_connection(path) as connection:
            return {
                table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                for table in ("client", "deal", "touch")
            }
    except (sqlite3.Error, DatabaseProblem):
        return None


def restore(location: Location, source: BackupInfo, *, saved_as: Path) -> Path | None:
    """Replace the database at ``location`` with ``source``, saving the current one first.

    The current database is copied to ``saved_as`` (the online backup API; a damaged
    one byte for byte), then the backup is copied over it with the same API, so
    processes that have it open see the restored data on their next transaction.
    Returns where the previous database was saved (``None``: there was none).
    """
    assert location.path is not None
    path = location.path
    state = current_state(path)
    saved: Path | None = None
    try:
        if state == "povtor":
            with _plain_connection(path) as current:
                backup_to(current, saved_as)
            saved = saved_as
        elif state == "damaged":  # unreadable by SQLite: keep its bytes, then start anew
            _copy_bytes(path, saved_as)
            saved = saved_as
            for suffix in ("", *SIDE_FILES):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        if saved is not None:
            record_backup(path, saved, "restore")
        if not path.exists():
            private_folder(path.parent)
            new_private_file(path)
        with (
            _plain_connection(source.path) as backup,
            _plain_connection(path) as current,
        ):
            backup.backup(current)
            current.execute("PRAGMA journal_mode = WAL")
    except (OSError, sqlite3.Error) as exc:
        kept = f"; the previous database is saved as {saved}" if saved else ""
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DatabaseProblem(
            _("cannot restore {path}: {reason}{kept}").format(path=path, reason=reason, kept=kept),
            hint=_("check the permissions and free space of its folder, then run it again"),
        ) from None
    return saved


def _copy_bytes(path: Path, target: Path) -> None:
    """A damaged database (and its WAL) byte for byte, 0600, renamed into place when whole."""
    import shutil

    partial = target.with_name(f"{target.name}{PARTIAL}{os.getpid()}")
    try:
        for suffix in ("", "-wal"):
            if suffix and not Path(f"{path}{suffix}").exists():
                continue
            new_private_file(Path(f"{partial}{suffix}"), replace=not suffix)
            shutil.copyfile(f"{path}{suffix}", f"{partial}{suffix}")
        _sync(partial)
        if Path(f"{partial}-wal").exists():
            os.replace(f"{partial}-wal", f"{target}-wal")
        os.replace(partial, target)
    except BaseException:
        _remove_with_side_files(partial)
        raise


# -- check ------------------------------------------------------------------------------
@record(frozen=True)
class Finding:
    check: str  # integrity | foreign_keys | schema
    status: str  # ok | note | problem
    detail: str


def check(database: Database) -> list[Finding]:
    """``PRAGMA integrity_check``, ``PRAGMA foreign_key_check`` and the schema revision."""
    found: list[Finding] = []
    if database.engine != "sqlite":  # a server checks its own pages
        messages = ["ok"]
        sound = _("the server keeps its pages; every reference is enforced")
    else:
        messages = [r[0] for r in database.rows("PRAGMA integrity_check")]
        sound = _("every page and index is sound")
    if messages == ["ok"]:
        found.append(Finding("integrity", "ok", sound))
    else:
        found += [Finding("integrity", "problem", text) for text in messages]
    orphans = database.rows("PRAGMA foreign_key_check")
    if not orphans:
        found.append(Finding("foreign_keys", "ok", _("every reference points to a row")))
    for table, rowid, parent, _fk in orphans:
        found.append(
            Finding(
                "foreign_keys",
                "problem",
                _("{table} row {rowid} refers to a missing {parent}").format(
                    table=table, rowid=rowid, parent=parent
                ),
            )
        )
    revision = database.schema_version()
    if revision == schema.HEAD:
        found.append(
            Finding("schema", "ok", _("{revision} (the newest)").format(revision=revision))
        )
    elif revision in schema.REVISIONS:
        found.append(
            Finding(
                "schema",
                "note",
                _("{revision}: upgraded to {head} on next use (or: povtor db upgrade)").format(
                    revision=revision, head=schema.HEAD
                ),
            )
        )
    elif revision is None:
        found.append(Finding("schema", "note", _("empty: created on first use")))
    else:
        found.append(
            Finding(
                "schema",
                "problem",
                _("{revision} is from a newer povtor than this one").format(revision=revision),
            )
        )
    return found


CHECKPOINT_WAIT_MS = 3_000  # how long emptying the WAL waits for another process's reading


def scrub(database: Database) -> bool:
    """Rebuild the file and empty the WAL so that erased bytes are gone from both.

    Returns ``False`` when another process kept reading an older snapshot and the WAL
    could not be emptied (the next checkpoint after that reader is done empties it).
    """
    database.execute("VACUUM")
    if database.engine != "sqlite":  # the server's write-ahead log is the server's
        return True
    database.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
    try:
        busy, _log, _done = database.one("PRAGMA wal_checkpoint(TRUNCATE)") or (1, 0, 0)
    finally:
        database.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return busy == 0

"""Use cases for the database file: create, build the demo, upgrade, inspect, back up,
restore and check."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import suppress
from pathlib import Path

from povtor.clock import Clock
from povtor.errors import Conflict, DatabaseProblem
from povtor.i18n import _, ngettext
from povtor.records import record
from povtor.storage import activity, copy, queries, safety, schema
from povtor.storage.database import Database, Upgrade, open_database, translate_db_error
from povtor.storage.location import Location, resolve_location

SUMMARY_TABLES = ("client", "deal", "touch")  # the counts a backup's message shows


@record(frozen=True, slots=True)
class Ready:
    existed: bool
    upgraded: Upgrade | None  # the upgrade opening it made (None: it was up to date, or new)


def init(location: Location, *, now: dt.datetime) -> Ready:
    """``init``: create the database, or bring it to the newest schema."""
    existed = location.path is not None and location.path.exists()
    database = open_database(location, now=now)  # opening creates and migrates
    database.close()
    return Ready(existed, database.upgraded)


def build_demo(target: Path, *, force: bool, clock: Clock) -> dict[str, int]:
    """``demo``: a demo database at ``target`` whose story ends today; what it holds."""
    from povtor.app.demo import build_demo as build

    if target.exists():
        if not force:
            raise Conflict(
                _("{target} exists already").format(target=target),
                hint=_("add --force to rebuild it, or give another path"),
            )
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    database = open_database(resolve_location(str(target)))
    try:
        return build(database, clock)
    finally:
        database.close()


@record(frozen=True, slots=True)
class Upgraded:
    before: str | None  # the schema it had (None: a new database)
    saved: Path | None  # the copy taken before upgrading


def upgrade(location: Location, *, now: dt.datetime) -> Upgraded:
    """``db upgrade``: bring the database to the newest schema (a copy is taken first,
    named with ``now``); what it had, and where the copy went."""
    database = open_database(location, migrate=False)
    try:
        before = database.schema_version()
        database.ensure_schema(now=now)
    finally:
        database.close()
    return Upgraded(before, database.upgraded.saved if database.upgraded else None)


@record(frozen=True, slots=True)
class Info:
    schema: str | None
    counts: dict[str, int]  # rows per table


def info(db: Database) -> Info:
    """``db info``: the schema revision and how many rows each table has."""
    return Info(db.schema_version(), queries.table_counts(db))


@record(frozen=True, slots=True)
class Backup:
    path: Path
    counts: dict[str, int]  # clients, deals and touches in it


def backup(db: Database, file: Path | None, *, force: bool, now: dt.datetime) -> Backup:
    """``db backup``: an online copy of the database (default: a stamped file beside it)."""
    if db.location.path is None:
        raise DatabaseProblem(
            _("{location} is on a database server: povtor db backup copies SQLite files").format(
                location=db.location
            ),
            hint=_("back the server up with pg_dump, or copy the data out: povtor export all DIR"),
        )
    if file is None:
        name = safety.stamped_name(now, prefix="povtor-", suffix=".db")
        file = db.location.path.parent / name
    target = safety.make_backup(db, file, force=force)
    counts = {t: n for t, n in queries.table_counts(db).items() if t in SUMMARY_TABLES}
    return Backup(target, counts)


@record(frozen=True, slots=True)
class RestorePlan:
    path: Path  # the database file to replace
    source: safety.BackupInfo
    current: dict[str, int] | None  # what the database holds now (None: nothing readable)


def plan_restore(location: Location, file: Path) -> RestorePlan:
    """``db restore``, before asking: what would be replaced with what; refuses a file
    that is not a sound povtor database, or that is the database itself."""
    path = location.path
    if path is None:
        raise DatabaseProblem(
            _("cannot restore into {location}: povtor db restore replaces SQLite files").format(
                location=location
            ),
            hint=_("restore a server with pg_restore, or load files: povtor import all DIR"),
        )
    source = safety.inspect_povtor_file(file.expanduser())
    if path.exists() and source.path.resolve() == path.resolve():
        raise Conflict(
            _("{file} is the database itself").format(file=file),
            hint=_("give a backup file to restore"),
        )
    safety.current_state(path)  # refuses to overwrite another program's file
    return RestorePlan(path, source, safety.current_counts(path))


@record(frozen=True, slots=True)
class Restored:
    saved: Path | None  # where the replaced database was saved
    upgraded_from: str | None  # the backup's schema, when it was upgraded


def restore(location: Location, plan: RestorePlan, *, now: dt.datetime) -> Restored:
    """``db restore``: replace the database with the backup (the current one is saved
    beside it first), then upgrade it if it was made by an older povtor."""
    path = plan.path
    stamp = safety.stamped_name(now, prefix=f"{path.name}.before-restore-", suffix="")
    saved = safety.restore(
        location, plan.source, saved_as=safety.free_path(path.parent, stamp, ".bak")
    )
    if not plan.source.is_older:
        return Restored(saved, None)
    from povtor.storage.migrate import upgrade as upgrade_schema

    database = open_database(location, migrate=False)
    try:
        upgrade_schema(database, backup=False)  # the backup file itself is the old copy
    finally:
        database.close()
    return Restored(saved, plan.source.revision)


def check(location: Location, *, repair: bool = False) -> list[safety.Finding]:
    """``db check``: page integrity, references between rows, schema revision, and each
    client's stored activity against its touches and deals (one finding per client that
    differs). With ``repair``, the activity of every client is rebuilt from the history
    first (in one transaction) and the finding says how many rows differed."""
    database = open_database(location, create=False, migrate=False)
    try:
        found = safety.check(database)
        sound = all(f.status != "problem" for f in found)
        if sound and database.schema_version() == schema.HEAD:
            found += _activity(database, repair=repair)
        return found
    finally:
        database.close()


def _activity(database: Database, *, repair: bool) -> list[safety.Finding]:
    differing = activity.activity_differences(database)
    if repair and differing:
        with database.transaction():
            activity.refresh_activity(database, None)
        return [
            safety.Finding(
                "activity",
                "note",
                ngettext(
                    "rebuilt from the history ({n} client differed)",
                    "rebuilt from the history ({n} clients differed)",
                    len(differing),
                ).format(n=len(differing)),
            )
        ]
    if not differing:
        return [safety.Finding("activity", "ok", _("every client's activity matches its history"))]
    return [
        safety.Finding(
            "activity", "problem", _("client #{id}: {detail}").format(id=cid, detail=detail)
        )
        for cid, detail in differing
    ]


@record(frozen=True, slots=True)
class CopyDone:
    target: Location
    tables: list[copy.Copied]  # each table's rows and checksum, source and target alike


def copy_to(location: Location, to: str, *, now: dt.datetime) -> CopyDone:
    """``db copy``: every row of the database at ``location`` into a new file or an empty
    server database ``to``, made at the same schema; verified table by table, all or
    nothing (a new file is removed again on failure)."""
    target_location = resolve_location(to)
    if target_location == location or (
        target_location.path is not None
        and location.path is not None
        and target_location.path.resolve() == location.path.resolve()
    ):
        raise Conflict(
            _("{to} is the database itself").format(to=target_location),
            hint=_("give a new file or an empty server database with --to"),
        )
    source = open_database(location, create=False, migrate=False)
    try:
        version = source.schema_version()
        if version != schema.HEAD:
            raise Conflict(
                _("{location} is at schema {version}, not the newest ({HEAD})").format(
                    location=location, version=version or "none", HEAD=schema.HEAD
                ),
                hint=_("upgrade first: povtor db upgrade"),
            )
        return CopyDone(target_location, _copy_into(source, target_location, now=now))
    finally:
        source.close()


def _copy_into(source: Database, location: Location, *, now: dt.datetime) -> list[copy.Copied]:
    path = location.path
    new_file = path is not None and not path.exists()
    new_folder = path is not None and not path.parent.exists()
    try:
        target = open_database(location, migrate=False)
        try:
            version = target.schema_version()
            if version is not None and version != schema.HEAD:
                raise Conflict(
                    _("{location} is at schema {version}, not empty").format(
                        location=location, version=version
                    ),
                    hint=_("copy into a new file or an empty server database"),
                )
            if version is not None:
                held = copy.records(target)
                if held:
                    what = ", ".join(f"{n} {table}" for table, n in list(held.items())[:3])
                    what += ", …" if len(held) > 3 else ""
                    raise Conflict(
                        _("{location} is not empty ({what}): nothing was copied").format(
                            location=location, what=what
                        ),
                        hint=_("copy into a new file or an empty server database"),
                    )
            target.ensure_schema(now=now)
            try:
                return copy.copy_rows(source, target)
            except sqlite3.IntegrityError as exc:
                raise DatabaseProblem(
                    _(
                        "{location}: a row of the source breaks a rule of the schema "
                        "({text}): nothing was copied"
                    ).format(location=location, text=str(exc).splitlines()[0]),
                    hint=_("check the source: povtor db check"),
                ) from None
            except sqlite3.Error as exc:
                raise translate_db_error(exc, location) from None
        finally:
            target.close()
    except BaseException:
        if new_file and path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            if new_folder:
                with suppress(OSError):  # (only if nothing else was put there)
                    path.parent.rmdir()
        raise

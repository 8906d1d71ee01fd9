"""The bad-input catalogue: one table of bad inputs across every command group.

Each gets a documented non-zero exit code (src/povtor/errors.py, docs/data.md "Errors and
exit codes"), exactly one ``error: ...`` line on stderr that says what is wrong,
nothing on stdout, no traceback, and leaves the database (an ``iterdump`` of it) and
any file it was given exactly as they were. Exact wording for the older commands is
pinned in tests/test_errors.py; this list is about breadth.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from povtor.errors import ExitCode
from support import Cli, Run

pytestmark = pytest.mark.sqlite_only(
    "each refusal is checked to leave the file's iterdump unchanged"
)

INVALID = int(ExitCode.INVALID_INPUT)  # 2
NOT_FOUND = int(ExitCode.NOT_FOUND)  # 3
AMBIGUOUS = int(ExitCode.AMBIGUOUS)  # 4
CONFLICT = int(ExitCode.CONFLICT)  # 5
DATABASE = int(ExitCode.DATABASE)  # 6
DOCUMENTED = {int(code) for code in ExitCode} - {0, int(ExitCode.INTERNAL)}

NOT_REAL = "is not a real calendar date"
OUT_OF_RANGE = "is not within the dates povtor keeps (1900-01-01 to 2200-12-31)"
NOT_MONEY = "is not an amount of money"
CONTROL = "contains a control character"
BIDI = "contains an invisible direction mark"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

Prepare = Callable[[Path, Path, pytest.MonkeyPatch], None]


def _world(cli: Cli) -> None:
    cli.add_client("Иван Петров", "--company", "ООО Ромашка")
    cli.add_client("Иван Сидоров")
    cli.add_client("Семён Ёлкин")
    cli.add_client("Архивный Клиент")
    cli.ok("client", "archive", "4")
    cli.ok("client", "fact", "add", "1", "берут позицию №35 по 2,5 т в месяц")
    cli.open_deal("1", "--stage", "proposal", "--on", "2026-02-25", "--title", "Щебень 40 т")
    cli.open_deal("3", "--on", "2026-02-26")
    cli.ok("deal", "lose", "2", "--reason", "дорого", "--on", "2026-02-27")


@pytest.fixture
def world(prepared: Callable[..., Cli]) -> Cli:
    return prepared("safety-catalogue-world", _world)


# -- files the cases point at (in a folder of their own: {tmp}) ---------------------------
def _text_file(tmp: Path, _db: Path, _mp: pytest.MonkeyPatch) -> None:
    (tmp / "notes.txt").write_text("Иван Петров, +7 900 123-45-67\n", encoding="utf-8")


def _foreign_sqlite(tmp: Path, _db: Path, _mp: pytest.MonkeyPatch) -> None:
    connection = sqlite3.connect(tmp / "contacts.db")
    with connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
        connection.execute("INSERT INTO contacts VALUES ('Иван')")
    connection.close()


def _future_povtor(tmp: Path, db: Path, _mp: pytest.MonkeyPatch) -> None:
    connection = sqlite3.connect(db)
    connection.backup(target := sqlite3.connect(tmp / "future.db"))
    connection.close()
    with target:
        target.execute("UPDATE alembic_version SET version_num = '9999_future'")
    target.close()


def _damaged(tmp: Path, _db: Path, _mp: pytest.MonkeyPatch) -> None:
    (tmp / "damaged.db").write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)


def _text_file_and_backup(tmp: Path, db: Path, mp: pytest.MonkeyPatch) -> None:
    _text_file(tmp, db, mp)
    connection = sqlite3.connect(db)
    connection.backup(target := sqlite3.connect(tmp / "backup.db"))
    target.close()
    connection.close()


def _existing(tmp: Path, _db: Path, _mp: pytest.MonkeyPatch) -> None:
    (tmp / "exists.db").write_bytes(b"an older copy, kept")


def _read_only(_tmp: Path, db: Path, _mp: pytest.MonkeyPatch) -> None:
    db.chmod(0o444)


def _full_disk(_tmp: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No room to grow: povtor's connections may not add a page to the file."""
    real = sqlite3.connect

    def connect(target, *args, **kwargs):  # type: ignore[no-untyped-def]
        connection = real(target, *args, **kwargs)
        if str(target) == str(db):
            (pages,) = connection.execute("PRAGMA page_count").fetchone()
            connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)


def _read_only_media(_tmp: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database's folder on a read-only mount, as the system reports it (root writes
    read-only files anyway: a real mount is in tests/test_safety_edges.py)."""
    real = os.statvfs

    def statvfs(path):  # type: ignore[no-untyped-def]
        found = real(path)
        if Path(path).resolve().parent != db.parent.resolve():
            return found
        return SimpleNamespace(f_flag=found.f_flag | os.ST_RDONLY)

    monkeypatch.setattr(os, "statvfs", statvfs)


@dataclass(frozen=True)
class Bad:
    args: tuple[str, ...]
    code: int
    says: str  # part of the one error line
    prepare: Prepare | None = None


def case(
    id: str, *args: str, code: int, says: str, prepare: Prepare | None = None, marks=()
) -> object:
    return pytest.param(Bad(args, code, says, prepare), id=id, marks=marks)


LONG = "я" * 10_000
CATALOGUE = [
    # -- dates: malformed and impossible ----------------------------------------------------
    case("deal-open-feb-30", "deal", "open", "3", "--on", "2025-02-30", code=INVALID,
         says=NOT_REAL),
    case("deal-move-month-13", "deal", "move", "1", "invoice", "--on", "2026-13-01",
         code=INVALID, says=NOT_REAL),
    case("nudge-log-feb-29-not-leap", "nudge", "log", "--client", "1", "--on", "2026-02-29",
         code=INVALID, says=NOT_REAL),
    case("nudge-later-31-04", "nudge", "log", "--deal", "1", "--outcome", "later", "--later",
         "31.04.2026", code=INVALID, says=NOT_REAL),
    case("client-created-words", "client", "add", "Новый", "--created", "вчера вечером",
         code=INVALID, says="is not a date"),
    case("person-birthday-slashes", "client", "person", "add", "1", "Мария", "--birthday",
         "12/04/1980", code=INVALID, says="is not a date"),
    case("plan-date-feb-30", "plan", "2026-02-30", code=INVALID, says=NOT_REAL),
    case("plan-target-month-13", "plan", "target", "--revenue", "100", "--month", "2026-13",
         code=INVALID, says=NOT_REAL),
    case("nudge-list-since", "nudge", "list", "--since", "2026-00-10", code=INVALID,
         says=NOT_REAL),
    case("stats-from-feb-30", "stats", "funnel", "--from", "2026-02-30", code=INVALID,
         says=NOT_REAL),
    case("global-today-feb-30", "--today", "2025-02-30", "db", "backup", code=INVALID,
         says=NOT_REAL),
    # -- dates outside the range povtor keeps (1900-01-01 to 2200-12-31) ----------------------
    case("plan-today-date-9999", "plan", "today", "--date", "9999-12-31", code=INVALID,
         says=OUT_OF_RANGE),
    case("plan-date-9999", "plan", "9999-12-31", code=INVALID, says=OUT_OF_RANGE),
    case("plan-today-date-0001", "plan", "today", "--date", "0001-01-02", code=INVALID,
         says=OUT_OF_RANGE),
    case("plan-target-month-9999", "plan", "target", "--revenue", "100", "--month", "9999-12",
         code=INVALID, says=OUT_OF_RANGE),
    case("today-9999-cohorts", "--today", "9999-06-01", "stats", "cohorts", code=INVALID,
         says=OUT_OF_RANGE),
    case("today-0001-plan", "--today", "0001-01-01", "plan", "today", code=INVALID,
         says=OUT_OF_RANGE),
    case("today-9999-with-time", "--today", "9999-12-31T23:59", "client", "list",
         code=INVALID, says=OUT_OF_RANGE),
    case("later-past-the-range", "--today", "2200-12-31", "nudge", "log", "--deal", "1",
         "--outcome", "later", "--later", "+7", code=INVALID, says=OUT_OF_RANGE),
    case("later-9999-weeks", "nudge", "log", "--deal", "1", "--outcome", "later", "--later",
         "+9999w", code=INVALID, says=OUT_OF_RANGE),
    case("deal-on-year-1", "deal", "open", "3", "--on", "0001-01-01", code=INVALID,
         says=OUT_OF_RANGE),
    case("deal-expected-9999", "deal", "open", "3", "--expected", "31.12.9999", code=INVALID,
         says=OUT_OF_RANGE),
    case("stats-from-1899", "stats", "funnel", "--from", "1899-12-31", code=INVALID,
         says=OUT_OF_RANGE),
    case("nudge-since-9999", "nudge", "list", "--since", "9999-01-01", code=INVALID,
         says=OUT_OF_RANGE),
    case("occasion-9999", "client", "occasion", "add", "1", "юбилей", "--date", "9999-05-01",
         code=INVALID, says=OUT_OF_RANGE),
    # -- events in the future, empty dates -------------------------------------------------
    case("client-created-9999", "client", "add", "Новый", "--created", "9999-12-31",
         code=INVALID, says=OUT_OF_RANGE),
    case("client-created-0001", "client", "add", "Новый", "--created", "0001-01-01",
         code=INVALID, says=OUT_OF_RANGE),
    case("client-created-tomorrow", "client", "add", "Новый", "--on", "tomorrow",
         code=INVALID, says="--on 2026-03-03 is in the future"),
    case("birthday-9999", "client", "person", "add", "1", "Будущий", "--birthday",
         "9999-12-31", code=INVALID, says=OUT_OF_RANGE),
    case("birthday-next-year", "client", "person", "add", "1", "Будущий", "--birthday",
         "2027-01-01", code=INVALID, says="--birthday 2027-01-01 is in the future"),
    case("client-created-empty", "client", "add", "Новый", "--on", "", code=INVALID,
         says="--on: '' is not a date"),
    case("birthday-empty", "client", "person", "add", "1", "Мария", "--birthday", "",
         code=INVALID, says="--birthday: '' is not a date"),
    case("deal-on-empty", "deal", "open", "3", "--on", "", code=INVALID,
         says="--on: '' is not a date"),
    case("nudge-later-empty", "nudge", "log", "--deal", "1", "--outcome", "later", "--until",
         "", code=INVALID, says="--until: '' is not a date"),
    # -- settings that would reach past the calendar, digits that are not 0-9 ----------------
    case("setting-backend-months-100000", "plan", "set", "plan.backend_months", "100000",
         code=INVALID, says="is out of range: a whole number from 0 to 1200"),
    case("setting-superscript-digit", "plan", "set", "plan.quiet_days", "²", code=INVALID,
         says="is not a valid value"),
    # -- bytes that are not UTF-8 (a cp1251 terminal), as Python hands them over ------------
    case("argument-cp1251", "client", "add", "Bad\udcff\udcfeName", code=INVALID,
         says="argument 3 ('Bad\\xff\\xfeName') is not UTF-8 text"),
    case("argument-cp1251-search", "client", "show", "\udcc8\udce2\udce0\udced", code=INVALID,
         says="is not UTF-8 text"),
    case("argument-cp1251-db-path", "--db", "{tmp}/\udcef\udcee\udce2.db", "client", "list",
         code=INVALID, says="argument 2"),
    case("argument-lone-surrogate", "client", "fact", "add", "1", "\ud800", code=INVALID,
         says="is not UTF-8 text"),
    # -- amounts --------------------------------------------------------------------------
    case("amount-misgrouped", "deal", "open", "3", "--amount", "12,3,4", code=INVALID,
         says=NOT_MONEY),
    case("amount-negative", "deal", "open", "3", "--amount", "-5", code=INVALID,
         says="is negative"),
    case("amount-1e400-win", "deal", "win", "1", "--amount", "1e400", code=INVALID,
         says=NOT_MONEY),
    case("amount-nan", "deal", "open", "3", "--amount", "NaN", code=INVALID, says=NOT_MONEY),
    case("amount-infinity-target", "plan", "target", "--revenue", "Infinity", code=INVALID,
         says=NOT_MONEY),
    case("amount-negative-target", "plan", "target", "--revenue", "-5", code=INVALID,
         says="is negative"),
    case("amount-spend-nan", "stats", "spend", "add", "выставка", "NaN", "--from", "2026-01-01",
         "--to", "2026-01-31", code=INVALID, says=NOT_MONEY),
    case("amount-too-many-decimals", "deal", "open", "3", "--amount", "10.005", code=INVALID,
         says="more than two decimal places"),
    # -- names and text -----------------------------------------------------------------------
    case("name-empty", "client", "add", "", code=INVALID, says="name must not be empty"),
    case("name-10000", "client", "add", LONG, code=INVALID, says="10000 characters long"),
    case("rename-to-empty", "client", "edit", "1", "--name", " ", code=INVALID,
         says="name must not be empty"),
    case("name-zero-width-space", "client", "add", "\u200b", code=INVALID,
         says="name must not be empty (it holds only invisible characters)"),
    case("rename-to-zero-width", "client", "edit", "1", "--name", "\u200b\u2060\ufeff",
         code=INVALID, says="name must not be empty"),
    case("person-zero-width-joiner", "client", "person", "add", "1", "\u200d \u200c",
         code=INVALID, says="name must not be empty"),
    case("fact-hangul-filler", "client", "fact", "add", "1", "\u3164", code=INVALID,
         says="fact must not be empty"),
    case("phone-words", "client", "add", "Новый", "--phone", "call me maybe", code=INVALID,
         says="--phone: 'call me maybe' is not a phone number"),
    case("phone-edit-words", "client", "edit", "1", "--phone", "+7 900 звоните вечером",
         code=INVALID, says="is not a phone number"),
    case("phone-person", "client", "person", "add", "1", "Мария", "--phone", "позже",
         code=INVALID, says="is not a phone number"),
    case("phone-referral", "client", "referral", "1", "Новый", "--phone", "12", code=INVALID,
         says="is not a phone number"),
    case("phone-too-long", "client", "add", "Новый", "--phone", "1" * 25, code=INVALID,
         says="is not a phone number"),
    case("title-10000", "deal", "open", "3", "--title", LONG, code=INVALID,
         says="10000 characters long"),
    case("person-rtl-mark", "client", "person", "add", "1", "\u202eИван", code=INVALID,
         says=BIDI),
    case("fact-nul", "client", "fact", "add", "1", "любит\x00коньяк", code=INVALID, says=CONTROL),
    case("touch-text-escape", "nudge", "log", "--client", "1", "--text", "\x1b[2Jпривет",
         code=INVALID, says=CONTROL),
    case("reason-rlm", "deal", "lose", "1", "--reason", "\u200fдорого", code=INVALID, says=BIDI),
    case("company-isolate", "client", "edit", "1", "--company", "ООО\u2066Ромашка",
         code=INVALID, says=BIDI),
    case("template-unknown-placeholder", "nudge", "template", "set", "closing", "{фамилия}?",
         code=INVALID, says="unknown placeholder"),
    case("setting-bad-value", "plan", "set", "plan.service_days", "две недели", code=INVALID,
         says="is not a valid value"),
    # -- unknown ids and names -----------------------------------------------------------------
    case("client-999", "client", "show", "999", code=NOT_FOUND, says="no client #999"),
    case("deal-999", "deal", "show", "#999", code=NOT_FOUND, says="no deal #999"),
    case("nudge-deal-999", "nudge", "log", "--deal", "999", code=NOT_FOUND, says="no deal #999"),
    case("nudge-text-999", "nudge", "text", "999", code=NOT_FOUND, says="no deal #999"),
    case("explain-999", "plan", "explain", "999", code=NOT_FOUND, says="has no item 999"),
    case("explain-#999", "plan", "explain", "#999", code=NOT_FOUND, says="no client #999"),
    case("fact-99", "client", "fact", "remove", "1", "99", code=NOT_FOUND,
         says="has no fact #99"),
    case("setting-unknown", "plan", "set", "plan.no_such_thing", "5", code=NOT_FOUND,
         says="no setting"),
    case("forget-999", "client", "forget", "999", "--yes", code=NOT_FOUND,
         says="no client #999"),
    case("forget-unknown-name", "client", "forget", "Пупкин", "--yes", code=NOT_FOUND,
         says="no client matches 'Пупкин'"),
    case("forget-ambiguous", "client", "forget", "иван", "--yes", code=AMBIGUOUS,
         says="matches 2 clients"),
    # -- SQL-looking strings are only text --------------------------------------------------
    case("sql-client-show", "client", "show", "1; DROP TABLE client", code=NOT_FOUND,
         says="no client matches '1; DROP TABLE client'"),
    case("sql-deal-list", "deal", "list", "--client", "' OR 1=1 --", code=NOT_FOUND,
         says="no client matches"),
    case("sql-setting", "plan", "set", "plan.service_days'; DROP TABLE setting; --", "5",
         code=NOT_FOUND, says="no setting"),
    case("sql-forget", "client", "forget", "%' OR '1'='1", "--yes", code=NOT_FOUND,
         says="no client matches"),
    # -- not allowed now ----------------------------------------------------------------------
    case("move-lost-deal", "deal", "move", "2", "invoice", code=CONFLICT, says="deal #2 is lost"),
    case("touch-archived-client", "nudge", "log", "--client", "Архивный", code=CONFLICT,
         says="is archived"),
    case("deal-for-archived-client", "deal", "open", "Архивный", code=CONFLICT,
         says="is archived"),
    case("backup-over-a-file", "db", "backup", "{tmp}/exists.db", code=CONFLICT,
         says="exists already; add --force", prepare=_existing),
    case("backup-onto-itself", "db", "backup", "{db}", code=CONFLICT,
         says="is the database itself"),
    case("backup-into-missing-folder", "db", "backup", "{tmp}/no/such/folder/copy.db",
         code=NOT_FOUND, says="does not exist"),
    case("restore-itself", "db", "restore", "{db}", "--yes", code=CONFLICT,
         says="is the database itself"),
    case("restore-unasked", "db", "restore", "{tmp}/future.db", code=DATABASE,
         says="newer povtor", prepare=_future_povtor),
    case("forget-unasked", "client", "forget", "1", code=INVALID,
         says="asks for confirmation"),
    # -- files that are not a povtor backup -------------------------------------------------
    case("restore-missing", "db", "restore", "{tmp}/missing.db", "--yes", code=DATABASE,
         says="does not exist"),
    case("restore-directory", "db", "restore", "{tmp}", "--yes", code=DATABASE,
         says="is a directory"),
    case("restore-text-file", "db", "restore", "{tmp}/notes.txt", "--yes", code=DATABASE,
         says="not an SQLite file", prepare=_text_file),
    case("restore-foreign-sqlite", "db", "restore", "{tmp}/contacts.db", "--yes",
         code=DATABASE, says="not a povtor one", prepare=_foreign_sqlite),
    case("restore-newer-schema", "db", "restore", "{tmp}/future.db", "--yes", code=DATABASE,
         says="made by a newer povtor (schema 9999_future)", prepare=_future_povtor),
    case("restore-damaged", "db", "restore", "{tmp}/damaged.db", "--yes", code=DATABASE,
         says="is damaged or not a povtor database", prepare=_damaged),
    case("restore-over-a-text-file", "--db", "{tmp}/notes.txt", "db", "restore",
         "{tmp}/backup.db", "--yes", code=DATABASE, says="restore leaves it alone",
         prepare=_text_file_and_backup),
    # -- the database itself ----------------------------------------------------------------
    case("db-is-a-directory", "--db", "{tmp}", "client", "list", code=DATABASE,
         says="is a directory"),
    case("db-is-a-text-file", "--db", "{tmp}/notes.txt", "client", "add", "Новый",
         code=DATABASE, says="not an SQLite file", prepare=_text_file),
    case("db-is-foreign-sqlite", "--db", "{tmp}/contacts.db", "db", "check", code=DATABASE,
         says="not a povtor one", prepare=_foreign_sqlite),
    case("db-is-damaged", "--db", "{tmp}/damaged.db", "db", "backup", code=DATABASE,
         says="restore it from a backup: povtor db restore FILE", prepare=_damaged),
    case("db-check-missing", "--db", "{tmp}/missing.db", "db", "check", code=DATABASE,
         says="does not exist"),
    case("db-from-a-newer-povtor", "--db", "{tmp}/future.db", "client", "forget", "1", "--yes",
         code=DATABASE, says="made by a newer povtor", prepare=_future_povtor),
    case("db-url-scheme", "--db", "mysql://localhost/povtor", "db", "backup",
         code=DATABASE, says="is not supported"),
    case("db-empty", "--db", "", "client", "list", code=INVALID, says="--db is empty"),
    case("db-blank", "--db", "  ", "client", "add", "Новый", code=INVALID,
         says="--db is empty"),
    case("db-read-only-media", "client", "add", "Новый", code=DATABASE,
         says="is read-only: nothing was changed", prepare=_read_only_media),
    case("db-read-only-media-forget", "client", "forget", "1", "--yes", code=DATABASE,
         says="is read-only", prepare=_read_only_media),
    case("db-read-only", "client", "add", "Новый", code=DATABASE, says="is read-only",
         prepare=_read_only,
         marks=pytest.mark.skipif(IS_ROOT, reason="root writes read-only files anyway")),
    case("db-full-disk", "client", "add", "Новый", "--notes", LONG, code=DATABASE,
         says="database or disk is full; nothing was changed", prepare=_full_disk),
    case("db-full-disk-fact", "client", "fact", "add", "1", LONG, code=DATABASE,
         says="database or disk is full", prepare=_full_disk),
    # -- usage ------------------------------------------------------------------------------
    case("format-xml", "db", "check", "--format", "xml", code=INVALID, says="'xml' is not one of"),
    case("fact-id-not-a-number", "client", "fact", "remove", "1", "первый", code=INVALID,
         says="is not a valid integer"),
    case("restore-without-file", "db", "restore", code=INVALID, says="Missing argument 'FILE'"),
]  # fmt: skip


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def assert_one_clear_line(run: Run, bad: Bad) -> None:
    assert run.exception is None, run.describe()
    assert "Traceback" not in run.stdout + run.stderr, run.describe()
    assert run.exit_code == bad.code, run.describe()
    assert run.exit_code in DOCUMENTED
    assert run.stdout == "", run.describe()
    assert len(run.stderr_lines) == 1 and run.stderr.endswith("\n"), run.describe()
    assert run.stderr.startswith("error: "), run.describe()
    assert bad.says in run.stderr, run.describe()


@pytest.mark.parametrize("bad", CATALOGUE)
def test_bad_input(
    world: Cli,
    db_path: Path,
    tmp_path: Path,
    dump: Callable[[], str | None],
    monkeypatch: pytest.MonkeyPatch,
    bad: Bad,
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    if bad.prepare is not None:
        bad.prepare(other, db_path, monkeypatch)
    before, files = dump(), _snapshot(other)
    args = [a.replace("{tmp}", str(other)).replace("{db}", str(db_path)) for a in bad.args]
    try:
        run = world(*args)
    finally:
        db_path.chmod(0o600)
        monkeypatch.undo()
    assert_one_clear_line(run, bad)
    assert dump() == before
    assert _snapshot(other) == files  # nothing made, changed or left beside those files
    assert _beside(db_path) == [db_path.name]  # no backup or half-made file left there


def _beside(db_path: Path) -> list[str]:
    """The files in the database's folder, but for SQLite's own -wal and -shm."""
    return sorted(
        p.name
        for p in db_path.parent.iterdir()
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    )


def test_the_catalogue_is_long_and_covers_every_group() -> None:
    assert len(CATALOGUE) >= 40
    groups = {b.values[0].args[0] for b in CATALOGUE}  # type: ignore[attr-defined]
    assert {"client", "deal", "nudge", "plan", "stats", "db", "--db", "--today"} <= groups

"""The last edges: the range of dates, bytes that are not UTF-8, copies that a kill cannot
leave half-written, private folders, read-only media and a damaged file.

The plain refusals (one ``error:`` line, nothing changed) are rows of the bad-input
catalogue, tests/test_safety_catalogue.py; this file holds what needs more than a row.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from povtor.errors import ExitCode
from povtor.storage import database, safety, schema
from povtor.storage.database import translate_db_error
from support import Cli, dump_database, execute, query
from test_safety_concurrency import FIXTURES, WORKER, povtor_executable

pytestmark = pytest.mark.sqlite_only(
    "read-only media, damaged files and half-written copies of the SQLite file"
)

STAMP = "20260302-100000"  # today is 2026-03-02 10:00 in the tests
OLD = schema.REVISIONS[-2]
OUT_OF_RANGE = "is not within the dates povtor keeps (1900-01-01 to 2200-12-31)"
POSIX = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def _world(cli: Cli) -> None:
    cli.add_client("Иван Петров", "--company", "ООО Ромашка", "--phone", "+7 900 123-45-67")
    cli.add_client("Семён Ёлкин", "--category", "C")
    cli.ok("client", "person", "add", "1", "Пётр Петрович", "--birthday", "1975-04-12")
    cli.open_deal("1", "--amount", "125000", "--title", "Щебень 40 т")
    cli.ok("nudge", "log", "--deal", "1", "--text", "Заказ в силе?", "--outcome", "no-answer")
    cli.ok("nudge", "log", "--client", "2", "--text", "С праздником!")


@pytest.fixture
def world(prepared: Callable[..., Cli]) -> Cli:
    return prepared("safety-edges-world", _world)


def _one_error(run: object, code: int, says: str) -> None:
    assert run.exit_code == code, run.describe()  # type: ignore[attr-defined]
    assert run.stdout == "", run.describe()  # type: ignore[attr-defined]
    lines = run.stderr_lines  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), run.describe()  # type: ignore[attr-defined]
    assert says in lines[0], run.describe()  # type: ignore[attr-defined]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- the range of dates ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("today", "command"),
    [
        ("9999-06-01", ("stats", "cohorts")),
        ("0001-01-01", ("plan", "today")),
        ("9999-12-31", ("nudge", "log", "--deal", "1", "--outcome", "later", "--later", "+7")),
    ],
)
def test_a_today_outside_the_range_from_the_environment_is_refused(
    world: Cli, dump: Callable[[], str | None], today: str, command: tuple[str, ...]
) -> None:
    before = dump()
    _one_error(
        world(*command, env={"POVTOR_TODAY": today}), 2, f"--today: '{today}' {OUT_OF_RANGE}"
    )
    assert dump() == before


@pytest.mark.parametrize("today", ["2200-12-31", "1900-01-01"])
def test_every_report_works_at_the_ends_of_the_range(world: Cli, today: str) -> None:
    for command in (
        ("plan", "today"),
        ("plan", "target", "--revenue", "100"),
        ("stats", "cohorts"),
        ("stats", "funnel"),
        ("stats", "nudges"),
        ("stats", "repeat"),
        ("stats", "perks"),
        ("perks", "upcoming", "--days", "366"),
    ):
        world.ok("--today", today, *command, "--format", "json")


def test_the_longest_settings_stay_inside_the_calendar(world: Cli) -> None:
    world.ok("plan", "set", "plan.backend_months", "1200")
    for key in ("plan.perk_days_before", "plan.cross_sell_days", "plan.revisit_days"):
        world.ok("plan", "set", key, "100000")
    for today in ("2200-12-31", "1900-01-01"):
        world.ok("--today", today, "plan", "today", "--format", "json")
    # a value stored before the limit (by hand, or an older povtor) is read as the limit
    execute(world.db, "UPDATE setting SET value = '100000' WHERE key = 'plan.backend_months'")
    world.ok("--today", "2200-12-31", "plan", "today", "--format", "json")


def test_an_import_refuses_dates_outside_the_range(world: Cli, tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,date,client,amount\n1,9999-12-31,Ромашка,100\n2,01.01.0001,Ромашка,100\n"
        "3,2026-01-10,Ромашка,100\n",
        encoding="utf-8",
    )
    before = dump_database(world.db)
    run = world("import", "orders", str(orders))
    assert run.exit_code == 2, run.describe()
    assert f"orders.csv:2: date: '9999-12-31' {OUT_OF_RANGE}" in run.stderr_lines
    assert f"orders.csv:3: date: '01.01.0001' {OUT_OF_RANGE}" in run.stderr_lines
    assert dump_database(world.db) == before


# -- arguments that are not UTF-8 -----------------------------------------------------------
def test_an_argument_from_a_cp1251_terminal_is_refused_clearly(
    cli: Cli, db_path: Path, dump: Callable[[], str | None]
) -> None:
    before = dump()
    run = subprocess.run(
        [povtor_executable(), "client", "add", b"Bad\xff\xfeName", "--company", b"\xc8\xe2"],
        capture_output=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert (run.returncode, run.stdout) == (int(ExitCode.INVALID_INPUT), b"")
    assert run.stderr.decode() == (
        "error: argument 3 ('Bad\\xff\\xfeName') is not UTF-8 text; switch the terminal (or "
        "the script's file) to UTF-8, e.g. LANG=ru_RU.UTF-8, and type it again\n"
    )
    assert dump() == before


def test_a_povtor_variable_that_is_not_utf8_is_refused(
    world: Cli, dump: Callable[[], str | None]
) -> None:
    before = dump()
    run = world("client", "list", env={"POVTOR_TZ": "Europe/\udcccoscow"})
    _one_error(run, 2, "POVTOR_TZ ('Europe/\\xccoscow') is not UTF-8 text")
    assert dump() == before


# -- an empty database location ---------------------------------------------------------------
@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_POVTOR_DB_is_an_error_not_the_default(blank_cli: Cli, value: str) -> None:
    default = Path(os.environ["XDG_DATA_HOME"]) / "povtor"
    for command in (("client", "add", "Новый"), ("db", "path")):
        run = blank_cli(*command, env={"POVTOR_DB": value})
        _one_error(run, 2, "POVTOR_DB is empty" if not value else "--db is empty")
    assert not default.exists()


# -- phones and invisible names -------------------------------------------------------------
def test_phones_as_people_write_them_are_kept_as_written(cli: Cli, db_path: Path) -> None:
    phones = [
        "+7 (495) 123-45-67",
        "8 900 123 45 67",
        "+7 495 123-45-67 доб. 123",
        "+1 202.555.0123 ext 45",
        "+44 20 7946 0958 x12",
        "123-45",
    ]
    for number, phone in enumerate(phones, start=1):
        cli.add_client(f"Клиент {number}", "--phone", phone)
    assert [p for (p,) in query(db_path, "SELECT phone FROM client ORDER BY id")] == phones
    cli.ok("client", "edit", "1", "--phone", "")  # an empty value still clears it
    assert query(db_path, "SELECT phone FROM client WHERE id = 1") == [(None,)]


def test_zero_width_characters_inside_a_name_are_kept(cli: Cli, db_path: Path) -> None:
    cli.add_client("Ромашка\u200bПлюс")  # only a name made of nothing but them is empty
    assert query(db_path, "SELECT name FROM client") == [("Ромашка\u200bПлюс",)]


# -- copies: a temporary name, renamed when whole ------------------------------------------
def _partials(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if safety.PARTIAL in p.name)


def _kill_at(point: str, *args: str) -> None:
    process = subprocess.run(
        [sys.executable, str(WORKER), "kill-at", point, *args],
        capture_output=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()


@POSIX
@pytest.mark.parametrize("point", ["new_private_file", "_sync"])  # empty, then whole
def test_a_backup_killed_half_way_leaves_nothing_at_its_name(
    world: Cli, tmp_path: Path, point: str
) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    target = folder / "monday.db"
    _kill_at(point, "db", "backup", str(target))
    assert not target.exists() and not Path(f"{target}-journal").exists()
    assert _partials(folder)  # what the killed process left...
    run = world.ok("db", "backup", str(target))  # ...is no reason to refuse the next try
    assert run.stdout == f"{target}\n"
    assert _partials(folder) == []  # and is cleaned up by it
    assert sorted(p.name for p in folder.iterdir()) == ["monday.db"]
    assert query(target, "PRAGMA integrity_check") == [("ok",)]
    assert _mode(target) == 0o600


def test_a_backup_that_fails_leaves_nothing_behind(
    world: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safety, "_sync", full)
    target = tmp_path / "monday.db"
    _one_error(
        world("db", "backup", str(target)),
        6,
        f"cannot write {target}: No space left on device; nothing was changed",
    )
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("monday")] == []


def test_a_forced_backup_replaces_the_old_copy_only_when_the_new_one_is_whole(
    world: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "monday.db"
    world.ok("db", "backup", str(target))
    old = target.read_bytes()
    Path(f"{target}-journal").write_bytes(b"a hot journal left by a crash")

    def interrupted(path: Path) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(safety, "_sync", interrupted)
        assert world("db", "backup", str(target), "--force").exit_code == 130
    assert target.read_bytes() == old
    world.ok("client", "add", "Новый клиент")
    world.ok("db", "backup", str(target), "--force")
    assert not Path(f"{target}-journal").exists()  # it would have been played into the copy
    assert query(target, "SELECT COUNT(*) FROM client") == [(3,)]


def _old_database(db_path: Path) -> str | None:
    shutil.copy(FIXTURES / f"schema-{OLD}.db", db_path)
    db_path.chmod(0o600)
    return dump_database(db_path)


def test_an_automatic_upgrade_says_so_and_where_its_copy_went(
    blank_cli: Cli, db_path: Path
) -> None:
    old = _old_database(db_path)
    run = blank_cli.ok("client", "list", "--format", "csv")
    saved = db_path.with_name(f"{db_path.name}.before-{OLD}-{STAMP}.bak")
    assert run.stderr == (
        f"upgraded {db_path} from schema {OLD} to {schema.HEAD}; "
        f"the previous database is saved as {saved}\n"
    )
    assert dump_database(saved) == old
    assert _mode(saved) == 0o600
    assert safety.recorded_backups(db_path) == [saved]  # client forget will name it
    assert blank_cli.ok("client", "list").stderr == ""  # once


def test_a_big_file_is_told_of_its_upgrade_before_it_starts(
    blank_cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade takes time in proportion to the file: a big one is announced first."""
    from povtor.storage import database

    _old_database(db_path)
    monkeypatch.setattr(database, "SLOW_UPGRADE_BYTES", db_path.stat().st_size - 1)
    run = blank_cli.ok("client", "list", "--format", "csv")
    first, done = run.stderr.splitlines()
    assert first == (
        f"upgrading {db_path} from schema {OLD} to {schema.HEAD}: a copy is saved first, and "
        "a big file takes a few minutes (stopped, the file stays as it was)"
    )
    assert done.startswith(f"upgraded {db_path} from schema {OLD} to {schema.HEAD}; ")


@POSIX
def test_an_upgrade_killed_while_copying_leaves_no_copy_and_the_database_as_it_was(
    blank_cli: Cli, db_path: Path
) -> None:
    old = _old_database(db_path)
    for _ in range(2):
        _kill_at("_sync", "client", "list")
        assert dump_database(db_path) == old
        assert list(db_path.parent.glob("*.bak")) == []
        assert len(_partials(db_path.parent)) == 1  # each try removes what the last one left
    blank_cli.ok("client", "list")
    assert [p.name for p in db_path.parent.glob("*.bak")] == [
        f"{db_path.name}.before-{OLD}-{STAMP}.bak"
    ]
    assert _partials(db_path.parent) == []
    assert query(db_path, "SELECT version_num FROM alembic_version") == [(schema.HEAD,)]


def test_restore_and_upgrade_copies_are_named_by_the_same_clock(
    blank_cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"schema-{OLD}.db", backup)
    blank_cli.ok("client", "add", "Новый")
    saved = Path(blank_cli.ok("db", "restore", str(backup), "--yes").stdout.strip())
    assert saved.name == f"{db_path.name}.before-restore-{STAMP}.bak"
    _old_database(db_path)
    blank_cli.ok("--today", "2026-03-02T10:00", "client", "list")
    assert (db_path.parent / f"{db_path.name}.before-{OLD}-{STAMP}.bak").exists()


def test_backup_and_restore_count_touches(world: Cli, tmp_path: Path) -> None:
    copy = tmp_path / "monday.db"
    run = world.ok("db", "backup", str(copy))
    assert "(2 clients, 1 deal, 2 touches)" in run.stderr
    run = world.ok("db", "restore", str(copy), "--yes")
    assert "touchs" not in run.stderr and "(2 clients, 1 deal, 2 touches)" in run.stderr


# -- private folders and files --------------------------------------------------------------
@pytest.fixture
def open_umask() -> Iterator[None]:
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def test_the_data_folder_is_private_and_so_is_every_copy(
    blank_cli: Cli, tmp_path: Path, open_umask: None
) -> None:
    run = blank_cli("client", "add", "Иван Петров", env={"POVTOR_DB": None})
    assert run.exit_code == 0, run.describe()
    default = Path(os.environ["XDG_DATA_HOME"]) / "povtor"
    assert _mode(default) == 0o700
    assert _mode(default / "povtor.db") == 0o600
    elsewhere = tmp_path / "sales" / "2026" / "povtor.db"
    blank_cli.ok("--db", str(elsewhere), "client", "add", "Семён Ёлкин")
    assert _mode(elsewhere.parent) == 0o700
    copy = Path(blank_cli.ok("--db", str(elsewhere), "db", "backup").stdout.strip())
    saved = Path(
        blank_cli.ok("--db", str(elsewhere), "db", "restore", str(copy), "--yes").stdout.strip()
    )
    assert (_mode(copy), _mode(saved), _mode(safety.record_path(elsewhere))) == (0o600,) * 3
    # a damaged database is kept byte for byte, private
    damaged = b"SQLite format 3\x00" + bytes(range(256)) * 16
    elsewhere.write_bytes(damaged)
    kept = Path(
        blank_cli.ok("--db", str(elsewhere), "db", "restore", str(copy), "--yes").stdout.strip()
    )
    assert (kept.read_bytes(), _mode(kept)) == (damaged, 0o600)


# -- client forget names every copy povtor made ---------------------------------------------
def test_forget_names_every_copy_povtor_made_that_holds_the_client(
    world: Cli, db_path: Path, tmp_path: Path
) -> None:
    manual = db_path.with_name("manual.db")  # beside it, but not named as povtor names copies
    elsewhere = tmp_path / "копии" / "понедельник.db"
    elsewhere.parent.mkdir()
    gone = tmp_path / "removed.db"
    for target in (manual, elsewhere, gone):
        world.ok("db", "backup", str(target))
    stamped = Path(world.ok("db", "backup").stdout.strip())
    gone.unlink()
    run = world.ok("client", "forget", "1", "--yes")
    note = run.stderr_lines[-1]
    assert note.startswith("note: 3 backup(s) made before still hold the client's data: ")
    named = note.split("data: ", 1)[1].split(", ")
    assert sorted(named) == sorted(str(p.resolve()) for p in (manual, elsewhere, stamped))
    # a copy made after the client was forgotten does not hold it
    after = tmp_path / "after.db"
    world.ok("db", "backup", str(after))
    holding = safety.copies_holding(db_path, 1, erased_name="forgotten client #1")
    assert after.resolve() not in [p.resolve() for p in holding]
    assert len(holding) == 3
    assert safety.recorded_backups(db_path)[-1] == after.resolve()


# -- read-only media ----------------------------------------------------------------------------
def test_a_database_that_cannot_be_written_is_read_and_not_written(
    world: Cli, db_path: Path, dump: Callable[[], str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.statvfs

    def read_only_mount(path):  # type: ignore[no-untyped-def]
        found = real(path)
        return SimpleNamespace(f_flag=found.f_flag | os.ST_RDONLY)

    before = dump()
    monkeypatch.setattr(os, "statvfs", read_only_mount)
    assert "Иван Петров" in world.ok("client", "list", "--format", "csv").stdout
    world.ok("plan", "today", "--format", "json")
    world.ok("db", "check")
    world.ok("db", "backup", str(db_path.with_name("copy.db")))
    for command in (("client", "add", "Новый"), ("plan", "set", "lang", "en")):
        _one_error(world(*command), 6, f"{db_path} is read-only: nothing was changed")
    monkeypatch.undo()
    assert dump() == before


def _mount_namespaces() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --make-rprivate / && mount -t tmpfs none /mnt"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _mount_namespaces(), reason="needs a private mount namespace (root)")
def test_a_real_read_only_mount(world: Cli, db_path: Path) -> None:
    povtor = povtor_executable()
    folder = db_path.parent
    script = (
        f"mount --make-rprivate / && mount --bind '{folder}' '{folder}' && "
        f"mount -o remount,bind,ro '{folder}' && "
        f"'{povtor}' client list --format csv && '{povtor}' plan today --format json && "
        f"'{povtor}' db check && '{povtor}' client add Новый; echo \"code $?\""
    )
    run = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, env=dict(os.environ), timeout=60
    )
    out, err = run.stdout.decode(), run.stderr.decode()
    assert "Иван Петров" in out and out.endswith("code 6\n"), out + err
    assert err.splitlines()[-1] == (
        f"error: {db_path} is read-only: nothing was changed; check the permissions of the file "
        "and its folder (or a read-only disk), or copy it somewhere writable"
    )
    assert "write" not in "".join(err.splitlines()[:-1])


def test_a_failed_opening_does_not_speak_of_writing() -> None:
    error = translate_db_error(sqlite3.OperationalError("unable to open database file"), "x.db")
    assert error.message == "cannot open x.db: unable to open database file; nothing was changed"
    assert "write" not in f"{error.message} {error.hint}"


# -- a damaged file is not written into --------------------------------------------------------
def _damage_the_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = random.Random(18).randbytes(8192)  # as a failing disk would
    path.write_bytes(bytes(data))


def _last_check(path: Path) -> int:
    return query(path, "PRAGMA user_version")[0][0]


def test_writing_into_a_damaged_database_is_refused(world: Cli, db_path: Path) -> None:
    with sqlite3.connect(db_path) as connection:  # pages enough for the middle to be data
        connection.executemany(
            "INSERT INTO fact (client_id, text, noted_on) VALUES (1, ?, '2026-03-01')",
            [(f"факт {i} " + "я" * 200,) for i in range(2000)],
        )
    connection.close()
    copy = db_path.with_name("copy.db")
    world.ok("db", "backup", str(copy))
    world.ok("client", "add", "Новый")
    assert abs(_last_check(db_path) - time.time() // 3600) <= 1  # checked within the hour
    execute(db_path, "PRAGMA user_version = 0")  # the last check was long ago
    _damage_the_middle(db_path)
    damaged = db_path.read_bytes()
    run = world("client", "add", "Ещё один")
    # the check before writing finds it, or SQLite itself on the pages the write reads:
    # either way one line, the restore hint, and not a byte written
    _one_error(run, 6, f"{db_path} is damaged")
    assert "restore it from a backup: povtor db restore FILE" in run.stderr
    assert db_path.read_bytes() == damaged
    world.ok("db", "restore", str(copy), "--yes")
    world.ok("client", "add", "Ещё один")


def _traced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the command's SQLite connections run, from now on."""
    traced: list[str] = []
    real = sqlite3.connect

    def connect(*args, **kwargs):  # type: ignore[no-untyped-def]
        connection = real(*args, **kwargs)
        connection.set_trace_callback(traced.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)
    return traced


def _checks(traced: list[str]) -> list[str]:
    return [sql for sql in traced if "quick_check" in sql]


def test_the_check_runs_at_most_once_a_day(
    world: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    traced = _traced(monkeypatch)
    execute(db_path, "PRAGMA user_version = 0")
    world.ok("client", "add", "Первый")
    world.ok("client", "add", "Второй")
    assert len(_checks(traced)) == 1
    hour = _last_check(db_path)
    execute(db_path, f"PRAGMA user_version = {hour - 25}")  # a day and an hour later
    world.ok("client", "add", "Третий")
    assert len(_checks(traced)) == 2


def test_a_file_too_big_to_check_whole_is_checked_page_by_page_as_written(
    world: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a whole check takes time in proportion to the file (5 s at 100,000 clients): past
    # the limit a write checks only the pages it reads; `db check` checks the whole file
    traced = _traced(monkeypatch)
    monkeypatch.setattr(database, "QUICK_CHECK_MAX_BYTES", db_path.stat().st_size - 1)
    execute(db_path, "PRAGMA user_version = 0")
    world.ok("client", "add", "Первый")
    assert not _checks(traced)
    assert "PRAGMA cell_size_check = ON" in traced
    assert _last_check(db_path) == 0  # (not checked: the next write does not either)
    monkeypatch.setattr(database, "QUICK_CHECK_MAX_BYTES", db_path.stat().st_size)
    world.ok("client", "add", "Второй")  # (no bigger than the limit: checked whole)
    assert _checks(traced) == ["PRAGMA quick_check(3)"]
    assert abs(_last_check(db_path) - time.time() // 3600) <= 1


# -- empty options, wide files, unreadable cells, events that have not happened ----------------
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("plan", "today", "--on", ""), "--on: '' is not a date"),
        (("nudge", "list", "--since", ""), "--since: '' is not a date"),
        (("stats", "funnel", "--from", ""), "--from is empty"),
        (("stats", "nudges", "--period", ""), "--period is empty"),
    ],
)
def test_an_empty_date_option_is_an_error_not_today(
    world: Cli, args: tuple[str, ...], says: str
) -> None:
    _one_error(world(*args), 2, says)


def test_a_file_with_many_unknown_columns_names_a_few_and_counts_the_rest(
    cli: Cli, tmp_path: Path
) -> None:
    source = tmp_path / "wide.csv"
    names = ["name", *(f"x{i}" for i in range(5000))]
    source.write_text(",".join(names) + "\n" + "Широкий" + "," * 5000 + "\n", encoding="utf-8")
    run = cli.ok("import", "clients", str(source))
    [note] = [line for line in run.stderr_lines if "ignored column" in line]
    assert note == (
        "wide.csv: ignored column(s) x0, x1, x2, x3, x4, x5, x6, x7, x8, x9 "
        "and 4990 more (5000 in all)"
    )


def test_an_unreadable_client_cell_is_one_problem(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "deals.json"
    source.write_text(
        '[{"client": "Ром\\u0000ашка", "stage": "base", "opened_on": "2026-01-10"}]',
        encoding="utf-8",
    )
    run = cli("import", "deals", str(source))
    assert run.exit_code == 2
    assert run.stderr_lines[:-1] == [
        "deals.json:1: client contains a control character (U+0000) at character 4"
    ]


@pytest.mark.parametrize(
    ("kind", "text", "says"),
    [
        ("orders", "order_id,date,client,amount\n1,2027-01-05,Ромашка,100\n", "date: 2027-01-05"),
        ("clients", "name,created_on\nБудущий,2026-04-01\n", "created_on: 2026-04-01"),
        ("people", "client,name,birthday\nЁлкин,Пётр,2030-01-01\n", "birthday: 2030-01-01"),
    ],
)
def test_an_import_refuses_what_has_not_happened_yet(
    world: Cli, tmp_path: Path, kind: str, text: str, says: str, dump: Callable[[], str | None]
) -> None:
    source = tmp_path / f"{kind}.csv"
    source.write_text(text, encoding="utf-8")
    before = dump()
    run = world("import", kind, str(source))
    assert run.exit_code == 2, run.describe()
    assert f"{kind}.csv:2: {says} is in the future (today is 2026-03-02)" in run.stderr_lines
    assert dump() == before

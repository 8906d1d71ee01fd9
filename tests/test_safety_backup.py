"""``povtor db backup``, ``db restore`` and ``db check``.

Refusals (a file that is not a povtor backup, a missing one...) are in the bad-input
catalogue, tests/test_safety_catalogue.py.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from povtor.storage import schema
from support import Cli, dump_database, query
from test_safety_concurrency import FIXTURES, WORKER

pytestmark = pytest.mark.sqlite_only("backs up, restores and checks the SQLite file")

STAMPED = "povtor-20260302-100000.db"  # today is 2026-03-02 10:00 in the tests


def _world(cli: Cli) -> None:
    cli.add_client("Иван Петров", "--company", "ООО Ромашка", "--phone", "+7 900 123-45-67")
    cli.add_client("Семён Ёлкин", "--category", "C")
    cli.ok("client", "fact", "add", "1", "Пётр Петрович любит коньяк «Весенний»")
    cli.open_deal("1", "--amount", "125000,50", "--title", "Щебень 40 т")
    cli.ok("nudge", "log", "--deal", "1", "--text", "Заказ в силе?", "--outcome", "no-answer")


@pytest.fixture
def world(prepared: Callable[..., Cli]) -> Cli:
    return prepared("safety-backup-world", _world)


# -- backup -------------------------------------------------------------------------------
def test_backup_by_default_beside_the_database_named_by_the_clock(
    world: Cli, db_path: Path, dump: Callable[[], str | None]
) -> None:
    run = world.ok("db", "backup")
    copy = db_path.parent / STAMPED
    assert run.stdout == f"{copy}\n"
    assert run.stderr == (f"backed up {db_path} (2 clients, 1 deal, 1 touch) to {copy}\n")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert dump_database(copy) == dump()
    # one self-contained file, even after a read-only look into it
    assert query(copy, "PRAGMA journal_mode") == [("delete",)]
    assert sorted(p.name for p in db_path.parent.glob(f"{STAMPED}*")) == [STAMPED]


def test_backup_refuses_to_overwrite_without_force(world: Cli, db_path: Path) -> None:
    copy = db_path.parent / STAMPED
    world.ok("db", "backup")
    world.add_client("Новый клиент")
    first = copy.read_bytes()
    run = world("db", "backup")
    assert (run.exit_code, run.stdout) == (5, "")
    assert run.stderr == f"error: {copy} exists already; add --force to replace it\n"
    assert copy.read_bytes() == first
    world.ok("db", "backup", "--force")
    assert query(copy, "SELECT COUNT(*) FROM client") == [(3,)]
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def test_backup_to_a_named_file(world: Cli, tmp_path: Path, dump: Callable[[], str | None]) -> None:
    target = tmp_path / "копии" / "понедельник.db"
    target.parent.mkdir()
    assert world.ok("db", "backup", str(target)).stdout == f"{target}\n"
    assert dump_database(target) == dump()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_backup_while_another_process_writes(world: Cli, db_path: Path, tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    hammer = subprocess.Popen(
        [sys.executable, str(WORKER), "hammer", str(db_path), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    try:
        deadline = time.monotonic() + 30
        while query(db_path, "SELECT COUNT(*) FROM touch")[0][0] < 20:  # it is writing
            assert hammer.poll() is None, hammer.communicate()
            assert time.monotonic() < deadline, "the other process never wrote"
            time.sleep(0.02)
        copies = [tmp_path / f"copy-{n}.db" for n in range(3)]
        for copy in copies:
            world.ok("db", "backup", str(copy))
    finally:
        stop.touch()
    out, err = hammer.communicate(timeout=60)
    assert hammer.returncode == 0, err.decode()
    written = int(out)
    final = query(db_path, "SELECT COUNT(*) FROM touch")[0][0]
    assert final == 1 + written  # every write of the other process landed
    seen = []
    for copy in copies:
        assert query(copy, "PRAGMA integrity_check") == [("ok",)]
        (count,) = query(copy, "SELECT COUNT(*) FROM touch")[0]
        # a snapshot: the touches of the other process, in order, up to some point
        ids = [i for (i,) in query(copy, "SELECT id FROM touch ORDER BY id")]
        assert ids == list(range(1, count + 1))
        seen.append(count)
    assert 1 < seen[0] <= seen[1] <= seen[2] <= final


# -- restore ------------------------------------------------------------------------------
def test_restore_brings_the_backup_back_and_keeps_the_current_one(
    world: Cli, db_path: Path, tmp_path: Path, dump: Callable[[], str | None]
) -> None:
    copy = tmp_path / "monday.db"
    world.ok("db", "backup", str(copy))
    at_backup = dump()
    world.add_client("Появился после копии")
    world.ok("deal", "win", "1")
    changed = dump()
    run = world.ok("db", "restore", str(copy), "--yes")
    saved = db_path.parent / "povtor.db.before-restore-20260302-100000.bak"
    assert run.stdout == f"{saved}\n"
    assert run.stderr == (
        f"restored {db_path} from {copy} (2 clients, 1 deal, 1 touch); "
        f"the previous database is saved as {saved}\n"
    )
    assert dump() == at_backup
    assert dump_database(saved) == changed
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]
    # a second restore in the same second keeps both earlier databases
    world.ok("db", "restore", str(copy), "--yes")
    assert (db_path.parent / "povtor.db.before-restore-20260302-100000-2.bak").exists()
    world.ok("db", "check")


def test_restore_is_seen_by_a_process_that_has_the_database_open(
    world: Cli, db_path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "monday.db"
    world.ok("db", "backup", str(copy))
    world.add_client("Появился после копии")
    other = sqlite3.connect(db_path)
    try:
        assert other.execute("SELECT COUNT(*) FROM client").fetchone() == (3,)
        world.ok("db", "restore", str(copy), "--yes")
        assert other.execute("SELECT COUNT(*) FROM client").fetchone() == (2,)
    finally:
        other.close()


def test_restore_asks_first(
    world: Cli,
    db_path: Path,
    tmp_path: Path,
    dump: Callable[[], str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copy = tmp_path / "monday.db"
    world.ok("db", "backup", str(copy))
    world.add_client("Появился после копии")
    before = dump()
    # no terminal, no --yes: refused
    run = world("db", "restore", str(copy))
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (
        "error: db restore asks for confirmation, and there is no terminal to ask on; "
        "add --yes to go ahead without the question\n"
    )
    assert dump() == before
    # on a terminal: "no" changes nothing, "yes" restores
    monkeypatch.setattr("povtor.cli.runtime.stdin_is_terminal", lambda: True)
    run = world("db", "restore", str(copy), input="n\n")
    assert run.exit_code == 0
    assert run.stderr.startswith(f"Replace {db_path} (3 clients, 1 deal, 1 touch) with {copy}")
    assert run.stderr.endswith("nothing was changed\n")
    assert dump() == before
    run = world("db", "restore", str(copy), input="y\n")
    assert run.exit_code == 0, run.describe()
    assert query(db_path, "SELECT COUNT(*) FROM client") == [(2,)]


def test_restoring_an_older_backup_upgrades_it(blank_cli: Cli, db_path: Path) -> None:
    blank_cli.add_client("Будет заменён")
    old = schema.REVISIONS[0]
    run = blank_cli.ok("db", "restore", str(FIXTURES / f"schema-{old}.db"), "--yes")
    assert f"; upgraded from schema {old} to {schema.HEAD}" in run.stderr
    assert query(db_path, "SELECT version_num FROM alembic_version") == [(schema.HEAD,)]
    assert query(db_path, "SELECT name FROM client ORDER BY id") == [
        ("Иван Петров",),
        ("Семён Ёлкин",),
        ("Astra Trading",),
    ]
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    # the file restored from is the copy of the old database: no second one is made
    assert [p.name for p in db_path.parent.glob("*.bak")] == [
        "povtor.db.before-restore-20260302-100000.bak"
    ]
    assert not list(FIXTURES.glob("*.bak"))  # the fixture itself is left alone


def test_restore_into_a_new_place(world: Cli, db_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "monday.db"
    world.ok("db", "backup", str(copy))
    target = tmp_path / "new" / "povtor.db"
    run = world.ok("--db", str(target), "db", "restore", str(copy), "--yes")
    assert run.stdout == ""  # nothing was there to keep
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert dump_database(target) == dump_database(db_path)


def _damage(path: Path) -> None:
    """Overwrite the middle of the file with garbage, as a failing disk would."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8192] = bytes(range(256)) * 32
    path.write_bytes(bytes(data))


def test_restore_repairs_a_damaged_database_as_the_error_says(
    world: Cli, db_path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "monday.db"
    world.ok("db", "backup", str(copy))
    db_path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    run = world("client", "list")
    assert run.exit_code == 6
    assert run.stderr.endswith("; restore it from a backup: povtor db restore FILE\n")
    damaged = db_path.read_bytes()
    run = world.ok("db", "restore", str(copy), "--yes")
    saved = Path(run.stdout.strip())
    assert saved.read_bytes() == damaged  # kept byte for byte, just in case
    assert world.csv("client", "list").count("\n") == 3


# -- check ----------------------------------------------------------------------------------
def test_check_a_sound_database(world: Cli, db_path: Path, dump: Callable[[], str | None]) -> None:
    before = dump()
    run = world.ok("db", "check", "--format", "csv")
    assert run.stdout.splitlines() == [
        "check,status,detail",
        "integrity,ok,every page and index is sound",
        "foreign_keys,ok,every reference points to a row",
        f"schema,ok,{schema.HEAD} (the newest)",
        "activity,ok,every client's activity matches its history",
    ]
    assert run.stderr == f"{db_path} is sound\n"
    rows = json.loads(world.ok("db", "check", "--format", "json").stdout)
    assert [r["status"] for r in rows] == ["ok", "ok", "ok", "ok"]
    assert dump() == before


def test_check_finds_rows_pointing_nowhere(world: Cli, db_path: Path) -> None:
    connection = sqlite3.connect(db_path)  # foreign keys off, as another program might write
    with connection:
        connection.execute("DELETE FROM fact")
        connection.execute(
            "INSERT INTO fact (client_id, text, noted_on) VALUES (99, 'ничей факт', '2026-03-01')"
        )
    connection.close()
    run = world("db", "check", "--format", "csv")
    assert run.exit_code == 6
    assert "foreign_keys,problem,fact row 1 refers to a missing client" in run.stdout.splitlines()
    assert run.stderr == (
        f"error: {db_path} has 1 problem(s); first: foreign_keys: fact row 1 refers to a "
        "missing client; restore a backup: povtor db restore FILE\n"
    )


def test_check_finds_a_broken_index(world: Cli, db_path: Path) -> None:
    # another program rewrote the index definition: the index no longer matches its table
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute(
            "UPDATE sqlite_master SET sql = replace(sql, '(search_key)', '(name)') "
            "WHERE name = 'ix_client_search_key'"
        )
    connection.close()
    run = world("db", "check", "--format", "csv")
    assert run.exit_code == 6, run.describe()
    assert run.stdout.splitlines()[1:3] == [
        "integrity,problem,row 1 missing from index ix_client_search_key",
        "integrity,problem,row 2 missing from index ix_client_search_key",
    ]
    assert run.stderr == (
        f"error: {db_path} has 2 problem(s); first: integrity: row 1 missing from index "
        "ix_client_search_key; restore a backup: povtor db restore FILE\n"
    )


def test_check_an_older_database_without_changing_it(blank_cli: Cli, db_path: Path) -> None:
    old = schema.REVISIONS[0]
    shutil.copy(FIXTURES / f"schema-{old}.db", db_path)
    before = dump_database(db_path)
    run = blank_cli.ok("db", "check", "--format", "csv")
    assert run.stdout.splitlines()[-1] == (
        f"schema,note,{old}: upgraded to {schema.HEAD} on next use (or: povtor db upgrade)"
    )
    assert dump_database(db_path) == before
    assert not list(db_path.parent.glob("*.bak"))

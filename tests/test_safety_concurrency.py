"""Several povtor processes writing at once: every write lands, none sees "database is locked".

Real OS processes: ``tests/fixtures/safety_worker.py`` (povtor's own write path, many
writes per process) and the installed ``povtor`` executable. A start line (a file
the workers wait for) makes them race for real. ``benchmarks/concurrency.py`` runs
the full 4 x 250 command-line version by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from povtor.storage import schema
from support import Cli, dump_database, execute, query

pytestmark = pytest.mark.sqlite_only("several processes sharing one SQLite file (locks, WAL)")

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WORKER = FIXTURES / "safety_worker.py"


def povtor_executable() -> str:
    beside = Path(sys.executable).parent / "povtor"
    return str(beside) if beside.is_file() else shutil.which("povtor") or "povtor"


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )


def race(go: Path, tags: list[str], workers: list[subprocess.Popen[bytes]]) -> list[str]:
    """Wait until every worker is at the start line, start them, return their stdouts."""
    deadline = time.monotonic() + 60
    while not all(Path(f"{go}.{tag}.ready").exists() for tag in tags):
        assert time.monotonic() < deadline, "the workers never got ready"
        assert all(w.poll() is None for w in workers), [w.communicate() for w in workers]
        time.sleep(0.01)
    go.touch()
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()
        assert b"locked" not in err and b"Traceback" not in err, err.decode()
        outputs.append(out.decode())
    return outputs


def assert_sound(path: Path) -> None:
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert query(path, "PRAGMA foreign_key_check") == []


def test_four_processes_log_250_touches_each_and_none_is_lost(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    cli.add_client("Семён Ёлкин")
    go = tmp_path / "go"
    tags = [f"w{n}" for n in range(4)]
    workers = [start("touches", str(db_path), "1", "250", tag, str(go)) for tag in tags]
    assert race(go, tags, workers) == ["250\n"] * 4
    texts = [t for (t,) in query(db_path, "SELECT text FROM touch")]
    assert len(texts) == 1000
    assert sorted(texts) == sorted(f"msg {tag}-{i}" for tag in tags for i in range(250))
    assert query(db_path, "SELECT COUNT(DISTINCT id) FROM touch") == [(1000,)]
    assert_sound(db_path)
    run = cli.ok("nudge", "list", "--client", "1", "--limit", "2000", "--format", "csv")
    assert len(run.stdout.splitlines()) == 1 + 1000


def test_the_same_touches_logged_by_four_processes_at_once_are_kept_once(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    # the duplicate check reads inside the write transaction, so two processes cannot
    # both find "not logged yet" and both add it
    cli.add_client("Семён Ёлкин")
    go = tmp_path / "go"
    tags = [f"w{n}" for n in range(4)]
    workers = [start("touches", str(db_path), "1", "60", tag, str(go), "same") for tag in tags]
    assert race(go, tags, workers) == ["60\n"] * 4
    assert query(db_path, "SELECT COUNT(*), COUNT(DISTINCT text) FROM touch") == [(60, 60)]
    assert_sound(db_path)


CLI_DRIVER = """
import subprocess, sys
exe, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
failed = 0
for i in range(count):
    done = subprocess.run(
        [exe, "nudge", "log", "--client", "Ёлкин", "--kind", "warming", "--text", f"msg {tag}-{i}"],
        capture_output=True,
    )
    if done.returncode != 0:
        failed += 1
        sys.stderr.buffer.write(done.stderr)
print(count - failed)
"""


def test_four_povtor_commands_at_once_all_succeed(cli: Cli, db_path: Path) -> None:
    cli.add_client("Семён Ёлкин")
    per_process = 3  # ~0.5 s a command; benchmarks/concurrency.py runs 4 x 250
    drivers = [
        subprocess.Popen(
            [sys.executable, "-c", CLI_DRIVER, povtor_executable(), f"p{n}", str(per_process)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(os.environ),
        )
        for n in range(4)
    ]
    for driver in drivers:
        out, err = driver.communicate(timeout=120)
        assert (driver.returncode, out, err) == (0, f"{per_process}\n".encode(), b"")
    assert query(db_path, "SELECT COUNT(*), COUNT(DISTINCT text) FROM touch") == [
        (4 * per_process, 4 * per_process)
    ]
    assert_sound(db_path)


def test_four_processes_create_the_same_new_database_at_once(tmp_path: Path) -> None:
    target = tmp_path / "new" / "povtor.db"
    go = tmp_path / "go"
    tags = [f"o{n}" for n in range(4)]
    workers = [start("open", str(target), str(go), tag) for tag in tags]
    assert race(go, tags, workers) == ["ok\n"] * 4
    assert query(target, "SELECT version_num FROM alembic_version") == [(schema.HEAD,)]
    # migrated once: the default funnels are seeded once, not four times
    assert query(target, "SELECT code FROM funnel ORDER BY id") == [
        ("repeat",),
        ("first",),
        ("refusal",),
    ]
    assert query(target, "PRAGMA journal_mode") == [("wal",)]
    assert_sound(target)


def test_four_commands_on_a_brand_new_file_at_once(tmp_path: Path) -> None:
    target = tmp_path / "fresh.db"
    env = {**os.environ, "POVTOR_DB": str(target)}
    commands = [
        subprocess.Popen(
            [povtor_executable(), "client", "add", f"Клиент {n}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for n in range(4)
    ]
    for command in commands:
        _out, err = command.communicate(timeout=120)
        assert command.returncode == 0, err.decode()
    assert sorted(n for (n,) in query(target, "SELECT name FROM client")) == [
        f"Клиент {n}" for n in range(4)
    ]
    assert query(target, "SELECT COUNT(*) FROM funnel") == [(3,)]
    assert_sound(target)


def test_four_processes_upgrade_an_old_database_at_once(tmp_path: Path) -> None:
    old = schema.REVISIONS[0]
    target = tmp_path / "old" / "povtor.db"
    target.parent.mkdir()
    shutil.copy(FIXTURES / f"schema-{old}.db", target)
    before = dump_database(target)
    go = tmp_path / "go"
    tags = [f"u{n}" for n in range(4)]
    workers = [start("open", str(target), str(go), tag) for tag in tags]
    assert race(go, tags, workers) == ["ok\n"] * 4
    assert query(target, "SELECT version_num FROM alembic_version") == [(schema.HEAD,)]
    # one process migrated, under the lock; its backup is the old database
    backups = list(target.parent.glob("povtor.db.before-*.bak"))
    assert len(backups) == 1, backups
    assert dump_database(backups[0]) == before
    assert query(target, "SELECT COUNT(*) FROM client") == [(3,)]
    assert_sound(target)


def test_switching_a_new_file_to_wal_waits_for_a_busy_neighbour(tmp_path: Path) -> None:
    # SQLite refuses the switch at once, without its busy timeout, while another
    # connection writes: povtor retries a few times instead of failing the command
    import sqlite3
    import threading

    from povtor.storage.database import _use_wal

    path = tmp_path / "switch.db"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    other = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("PRAGMA journal_mode = WAL")
    threading.Timer(0.1, lambda: writer.execute("COMMIT")).start()
    _use_wal(other)
    assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    other.close()
    writer.close()


def test_a_povtor_database_in_rollback_mode_is_switched_to_wal(cli: Cli, db_path: Path) -> None:
    execute(db_path, "PRAGMA journal_mode = DELETE")
    assert query(db_path, "PRAGMA journal_mode") == [("delete",)]
    cli.ok("client", "list")
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]

"""A process killed (SIGKILL) in the middle of a large change leaves the database as it was."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from support import Cli, query
from test_safety_concurrency import WORKER, povtor_executable

pytestmark = [
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"),
    pytest.mark.sqlite_only("a killed process leaves the SQLite file whole"),
]


def _world(cli: Cli) -> None:
    cli.add_client("Иван Петров", "--company", "ООО Ромашка", "--phone", "+7 900 123-45-67")
    cli.ok("client", "fact", "add", "1", "берут позицию №35 по 2,5 т в месяц")
    cli.open_deal("1", "--amount", "125000", "--title", "Щебень 40 т")
    cli.ok("nudge", "log", "--deal", "1", "--text", "Заказ в силе?", "--outcome", "no-answer")


def _wait(until: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while not until():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the process ended before {what}: {out.decode()} {err.decode()}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def _kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def _after_the_crash(
    cli: Cli, db_path: Path, before: str | None, dump: Callable[[], str | None]
) -> None:
    # the next opening rolls the unfinished transaction back (it never committed)
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert query(db_path, "PRAGMA foreign_key_check") == []
    assert dump() == before
    assert query(db_path, "SELECT COUNT(*) FROM touch") == [(1,)]
    assert query(db_path, "SELECT COUNT(*) FROM client") == [(1,)]
    # and povtor carries on
    assert cli.add_client("Семён Ёлкин") == 2
    assert cli.ok("db", "check").exit_code == 0


def test_a_transaction_killed_half_way_leaves_nothing_behind(
    cli: Cli, db_path: Path, tmp_path: Path, dump: Callable[[], str | None]
) -> None:
    _world(cli)
    before = dump()
    marker = tmp_path / "mid-transaction"
    holder = subprocess.Popen(
        [sys.executable, str(WORKER), "hold", str(db_path), str(marker), "200000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    _wait(marker.exists, holder, "it was mid-transaction")
    # 200,000 rows do not fit in the page cache: uncommitted pages are in the WAL already
    assert Path(f"{db_path}-wal").stat().st_size > 4_000_000
    _kill(holder)
    _after_the_crash(cli, db_path, before, dump)


def test_an_import_killed_while_writing_leaves_nothing_behind(
    cli: Cli, db_path: Path, tmp_path: Path, dump: Callable[[], str | None]
) -> None:
    _world(cli)
    source = tmp_path / "touches.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["client_id", "on_date", "kind", "channel", "outcome", "text"])
        for i in range(60_000):
            writer.writerow([1, "2026-02-01", "warming", "call", "pending", f"касание {i}"])
    before = dump()
    wal = Path(f"{db_path}-wal")
    importer = subprocess.Popen(
        [povtor_executable(), "import", "touches", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    # the file is checked first, then written in one transaction: kill it while it writes
    _wait(lambda: wal.exists() and wal.stat().st_size > 2_000_000, importer, "it wrote")
    _kill(importer)
    _after_the_crash(cli, db_path, before, dump)

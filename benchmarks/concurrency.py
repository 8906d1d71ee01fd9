"""Several povtor processes writing to one database at once: is every write kept?

    python benchmarks/concurrency.py                      # 4 processes x 250 commands
    python benchmarks/concurrency.py --processes 8 --commands 100
    python benchmarks/concurrency.py --in-process         # povtor's write path, no CLI start-up

Each process runs ``povtor nudge log --client Ёлкин --kind warming --text "msg P-I"``
COMMANDS times, one after the other (a new ``povtor`` process per command, as a
shell loop would); all processes start together on a fresh database in a temporary
folder. With ``--in-process`` each process instead opens the database once and logs
COMMANDS touches through ``record_touch`` (the use case of ``nudge log``), one transaction each.

It prints the rows expected and found, failed commands, any "database is locked"
seen, the integrity check and the timings, and exits 1 if a single write is missing.
The tests run a small version of both (tests/test_safety_concurrency.py).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TODAY = "2026-03-02T10:00"

CLI_WORKER = r"""
import subprocess, sys, time
exe, tag, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
import os
open(go + "." + tag + ".ready", "w").close()
while not os.path.exists(go):
    time.sleep(0.002)
failed = locked = 0
started = time.perf_counter()
for i in range(count):
    done = subprocess.run(
        [exe, "nudge", "log", "--client", "Ёлкин", "--kind", "warming", "--text", f"msg {tag}-{i}"],
        capture_output=True,
    )
    if done.returncode != 0:
        failed += 1
        locked += b"locked" in done.stderr or b"busy" in done.stderr
        sys.stderr.buffer.write(done.stderr)
print(failed, locked, time.perf_counter() - started)
"""

IN_PROCESS_WORKER = r"""
import os, sys, time
db, tag, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
from povtor.clock import make_clock
from povtor.app.touches import TouchInput, record_touch
from povtor.storage.database import open_database
from povtor.storage.location import resolve_location
open(go + "." + tag + ".ready", "w").close()
while not os.path.exists(go):
    time.sleep(0.002)
started = time.perf_counter()
clock = make_clock(os.environ["POVTOR_TODAY"], "Europe/Moscow")
database = open_database(resolve_location(db))
failed = locked = 0
for i in range(count):
    try:
        record_touch(database, clock, client="Ёлкин", touch=TouchInput(
            kind="warming", channel="other", outcome="pending", on=clock.today,
            text=f"msg {tag}-{i}"))
    except Exception as error:  # counted and shown, not hidden
        failed += 1
        locked += "locked" in str(error) or "busy" in str(error)
        print(error, file=sys.stderr)
database.close()
print(failed, locked, time.perf_counter() - started)
"""


def povtor_executable() -> list[str]:
    beside = Path(sys.executable).parent / "povtor"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "povtor"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--commands", type=int, default=250, help="writes per process")
    parser.add_argument(
        "--in-process", action="store_true", help="povtor's write functions, not the CLI"
    )
    args = parser.parse_args()
    executable = povtor_executable()
    with tempfile.TemporaryDirectory(prefix="povtor-concurrency-") as folder:
        db = Path(folder) / "povtor.db"
        env = {**os.environ, "POVTOR_DB": str(db), "POVTOR_TODAY": TODAY, "POVTOR_TZ": "UTC"}
        subprocess.run([*executable, "client", "add", "Семён Ёлкин"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        go = str(Path(folder) / "go")
        tags = [f"p{n}" for n in range(args.processes)]
        workers = []
        for tag in tags:
            if args.in_process:
                command = [sys.executable, "-c", IN_PROCESS_WORKER, str(db), tag]
            else:
                command = [sys.executable, "-c", CLI_WORKER, executable[0], tag]
            workers.append(
                subprocess.Popen(
                    [*command, str(args.commands), go],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        while not all(Path(f"{go}.{tag}.ready").exists() for tag in tags):
            time.sleep(0.01)
        started = time.perf_counter()
        Path(go).touch()
        failed = locked = 0
        busy_times = []
        for worker in workers:
            out, err = worker.communicate()
            if worker.returncode != 0 or not out.strip():
                print(err, file=sys.stderr)
                return 2
            f, lk, seconds = out.split()
            failed, locked = failed + int(f), locked + int(lk)
            busy_times.append(float(seconds))
            if err.strip():
                print(err.strip(), file=sys.stderr)
        wall = time.perf_counter() - started
        connection = sqlite3.connect(db)
        rows, distinct = connection.execute(
            "SELECT COUNT(*), COUNT(DISTINCT text) FROM touch"
        ).fetchone()
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        connection.close()
    expected = args.processes * args.commands
    mode = "in-process writes" if args.in_process else "povtor commands"
    print(f"{args.processes} processes x {args.commands} {mode} at once")
    print(f"  rows expected {expected}, found {rows} ({distinct} distinct texts)")
    print(f"  failed writes {failed}, 'database is locked' seen {locked}")
    print(f"  integrity_check: {integrity}")
    print(f"  wall time {wall:.1f} s; {expected / wall:.1f} writes/s overall; "
          f"{wall / args.commands * 1000:.0f} ms per write in each process")  # fmt: skip
    ok = rows == distinct == expected and failed == 0 and locked == 0 and integrity == "ok"
    print("  OK: every write was kept" if ok else "  FAILED: writes were lost or refused")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Time povtor's everyday writes against a read, in the same run: best and median of N.

    python benchmarks/writes.py                    # the demo and the large database
    python benchmarks/writes.py --size demo --repeat 9
    python benchmarks/writes.py --size huge --repeat 3     # 100,000 clients (a copy: 1.7 GB)

Each write command runs as a subprocess of the ``povtor`` executable next to this Python,
on a copy of the database (the original is left as it is), interleaved with
``povtor client list --format csv`` so that both see the same machine. The target: every
write within 1.3 x the read, the first write of a day (which may check the whole file)
included. The ratio columns say how far each one is, best against best
and median against median (on a busy machine the medians are the steadier figure).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import run

TODAY = run.TODAY
READ = ["client", "list", "--format", "csv"]


def writes(n: int) -> list[tuple[str, list[str]]]:
    """The write commands of run ``n`` (names made unique per run where it matters)."""
    return [
        ("client add", ["client", "add", f"Бенчмарк {n}", "--category", "C"]),
        ("client edit", ["client", "edit", f"Бенчмарк {n}", "--phone", f"+7 900 {n:07d}"]),
        ("client person add", ["client", "person", "add", f"Бенчмарк {n}", "Пётр Петрович"]),
        ("client fact add", ["client", "fact", "add", f"Бенчмарк {n}", "берут 2,5 т в месяц"]),
        ("deal open", ["deal", "open", f"Бенчмарк {n}", "--amount", "125000", "--title", "w"]),
        ("deal move", ["deal", "move", f"Бенчмарк {n}", "request"]),
        ("nudge log (client)", ["nudge", "log", "--client", f"Бенчмарк {n}", "--text", "x"]),
        (
            "nudge log (deal, later)",
            ["nudge", "log", "--deal", f"Бенчмарк {n}", "--outcome", "later", "--later", "+7"],
        ),
        ("deal win", ["deal", "win", f"Бенчмарк {n}"]),
        ("client archive", ["client", "archive", f"Бенчмарк {n}"]),
        (FIRST_OF_THE_DAY, ["client", "add", f"Утро {n}"]),
    ]


# the first write of a day: the one that may check the whole file (see check_before_writing)
FIRST_OF_THE_DAY = "client add (first of day)"


def as_if_checked_long_ago(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA user_version = 0")
    finally:
        connection.close()


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()}")
    return took


def database(size: str, work: Path) -> Path:
    """A fresh copy of the demo or of a generated database to write into."""
    copy = work / f"{size}-writes.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    if size == "demo":
        env = {**os.environ, "POVTOR_TODAY": TODAY}
        subprocess.run(
            [*run.povtor_command(), "demo", str(copy)], env=env, check=True, capture_output=True
        )
    else:
        shutil.copyfile(run.database_for(size), copy)
    return copy


def bench(size: str, repeat: int) -> None:
    work = run.OUT
    work.mkdir(parents=True, exist_ok=True)
    path = database(size, work)
    env = {**os.environ, "POVTOR_DB": str(path), "POVTOR_TODAY": TODAY}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    exe = run.povtor_command()
    timed([*exe, *READ], env)  # warm the caches once
    reads: list[float] = []
    times: dict[str, list[float]] = {}
    for n in range(repeat):
        for name, argv in writes(n):
            reads.append(timed([*exe, *READ], env))
            if name == FIRST_OF_THE_DAY:
                as_if_checked_long_ago(path)
            times.setdefault(name, []).append(timed([*exe, *argv], env))
    best_read = min(reads)
    load = os.getloadavg()[0]
    print(f"\n{size}: {path.name}, {repeat} runs, load average {load:.2f}")
    print(f"{'command':<26} {'best ms':>8} {'median':>8} {'x read':>7}")
    print(
        f"{'client list (read)':<26} {best_read * 1000:8.0f} {statistics.median(reads) * 1000:8.0f}"
    )
    worst = 0.0
    for name, values in times.items():
        ratio = min(values) / best_read
        worst = max(worst, ratio)
        print(
            f"{name:<26} {min(values) * 1000:8.0f} {statistics.median(values) * 1000:8.0f} "
            f"{ratio:7.2f}"
        )
    verdict = "within" if worst <= 1.3 else "OVER"
    print(f"slowest write: {worst:.2f} x the read ({verdict} the 1.3 x target)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("demo", *run.SIZES, "huge"), action="append")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    for size in args.size or ["demo", "large"]:
        bench(size, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())

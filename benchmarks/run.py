"""Time povtor's commands on generated databases: wall clock, best and median of N runs.

    python benchmarks/run.py                       # both sizes, 5 runs each
    python benchmarks/run.py --size real --repeat 10
    python benchmarks/run.py --size large --profile   # plus a cProfile of plan today

The databases are generated into ``benchmarks/out/`` (git-ignored) on first use.
Commands run as subprocesses of the ``povtor`` executable next to this Python, with
``POVTOR_DB`` and ``POVTOR_TODAY`` set; the planner's pieces are also timed in-process,
query by query, to show where the time of ``plan today`` goes.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import functools
import io
import os
import pstats
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import generate

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TODAY = generate.DEFAULT_TODAY
SIZES = ("real", "large")  # (and huge, on request: --size huge or --huge)
# The floors every command is compared with: the interpreter, and a bare Typer and Rich.
FLOORS = (
    ("python -c pass", ["-c", "pass"]),
    ("python -c 'import typer, rich.console'", ["-c", "import typer, rich.console"]),
    ("python -c 'import povtor.cli.main'", ["-c", "import povtor.cli.main"]),
)
TYPER_RICH = FLOORS[1][0]
# A command marked so is timed as the first one after a write: the figures the plan keeps
# for a day (the forecast's conversion and average check) are forgotten before each run,
# as any write makes them counted again.
AFTER_A_WRITE = "(first after a write)"
# A command marked so is timed as the first one after a warming touch logged (and taken
# back after the run, untimed): the figures kept for the day stay kept past such a touch.
AFTER_A_TOUCH = "(after a warming touch)"
# What a seller runs, timed as subprocesses; each is noted with its peak memory and its
# ratio to the bare Typer and Rich start.
COMMANDS = (
    ["--help"],
    ["plan", "today", "--format", "table"],
    ["plan", "today", "--all", "--format", "table"],
    ["plan", "today", "--format", "json"],
    ["plan", "today", "--format", "csv"],
    ["plan", "explain", "1"],
    ["deal", "list", "--format", "csv"],
    ["deal", "list", "--status", "all", "--format", "csv"],
    ["client", "list", "--format", "csv"],
    ["stats", "perks", "--format", "table"],
    ["stats", "abc", "--format", "table"],
    ["stats", "funnel", "--format", "table"],
    ["stats", "repeat", "--format", "table"],
    ["stats", "cohorts", "--format", "table"],
    ["export", "all", "EXPORT"],
    ["plan", "today", "--format", "table", AFTER_A_WRITE],
    ["plan", "today", "--format", "table", AFTER_A_TOUCH],
)

# labels for the SQL statements of the plan's facts (povtor.app.plan.load_plan_input), by a
# distinctive fragment
QUERY_LABELS = (
    ("FROM setting", "settings"),
    ("FROM template", "user templates"),
    ("WITH facts AS MATERIALIZED", "client facts (last touch, 5:1)"),
    ("p.birthday IS NOT NULL", "birthdays in the window"),
    ("FROM person p", "first person per client"),
    ("status = 'won' AND closed_on <= ? ORDER BY", "paid dates per client"),
    ("FROM stage s JOIN funnel f", "stages"),
    ("WHERE t.deal_id = d.id AND t.on_date <= ?", "open deals + last touch"),
    ("t.kind = 'service' AND t.on_date >= d.closed_on", "paid awaiting service"),
    ("t.answer = 'problem'", "open service problems"),
    ("d.status = 'lost'", "lost awaiting revisit"),
    ("FROM fact f", "card facts"),
    ("purpose = 'card'", "last card questions"),
    ("is_backend FROM product", "products"),
    ("FROM product_link", "related products"),
    ("dp.deal_id WHERE d.status = 'open'", "products in open deals"),
    ("purpose IN ('backend', 'cross_sell')", "offer touches"),
    ("SUM(d.amount_minor) FROM deal d", "revenue per client (12 months)"),
    ("FROM roadmap_step", "roadmap steps"),
    ("FROM client_step cs", "roadmap steps done"),
    ("purpose = 'roadmap'", "roadmap touches"),
    ("FROM occasion o", "occasions in the window"),
    ("FROM holiday_industry", "holiday links"),
    ("purpose = ? AND on_date >= ?", "perk touches"),
    ("WHERE outcome = 'yes' AND deal_id IS NULL", "conversation: answers, questions"),
    ("t.outcome = 'later' AND t.deal_id IS NULL", "conversation: open promises"),
    ("json_each", "conversation: reasons of the no's"),
)


def povtor_command() -> list[str]:
    exe = Path(sys.executable).parent / ("povtor.exe" if os.name == "nt" else "povtor")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "povtor"]


def schema_of(path: Path) -> str | None:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return None
    return row[0] if row else None


def database_for(size: str) -> Path:
    """The generated database of this size; (re)made if missing or of an older schema."""
    from povtor.storage.schema import HEAD

    path = OUT / f"{size}.db"
    if path.exists() and schema_of(path) != HEAD:
        print(f"{path} is not at schema {HEAD}: making it again", file=sys.stderr)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not path.exists():
        clients, deals, touches = generate.PRESETS[size]
        print(f"generating {path} ({clients:,}/{deals:,}/{touches:,})...", file=sys.stderr)
        started = time.perf_counter()
        generate.generate(
            path,
            clients=clients,
            deals=deals,
            touches=touches,
            seed=1,
            today=dt.date.fromisoformat(TODAY),
        )
        print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def tried_copy(path: Path, sql_file: Path) -> Path:
    """A copy of the database with the SQL of ``sql_file`` applied (made afresh each run)."""
    copy = path.with_name(f"{path.stem}-tried.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(path)) as source,
        contextlib.closing(sqlite3.connect(copy)) as target,
    ):
        source.backup(target)
        target.executescript(sql_file.read_text(encoding="utf-8"))
        target.commit()
    return copy


def measure(action: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


# the CPU seconds (user + system) of the processes run_process ran, in order
CPU_SECONDS: list[float] = []


def run_process(argv: list[str], env: dict[str, str]) -> None:
    """Run a command to its end (its output dropped); its CPU seconds go to CPU_SECONDS
    where the system reports them per process."""
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            CPU_SECONDS.append(usage.ru_utime + usage.ru_stime)
        else:
            process.wait()
        if process.returncode != 0:
            err.seek(0)
            said = err.read().decode()
            raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}): {said}")


def measure_process(
    argv: list[str],
    env: dict[str, str],
    repeat: int,
    *,
    before: Callable[[], None] | None = None,
    after: Callable[[], None] | None = None,
) -> tuple[list[float], str]:
    """The wall times of ``repeat`` runs of a command, and a note of their least CPU time
    (``before`` and ``after``: done before and after each run, untimed)."""
    del CPU_SECONDS[:]
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        times.extend(measure(lambda: run_process(argv, env), 1))
        if after is not None:
            after()
    return times, (f"CPU {min(CPU_SECONDS):.2f} s" if CPU_SECONDS else "")


# Started from a small Python of its own, so that the peak memory read is the command's:
# a child forked from this process (grown by the in-process timings and the generator)
# counts this process's pages until it runs the command.
_PEAK = """
import os, subprocess, sys
process = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(process.pid, 0)
print(usage.ru_maxrss, file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def output_lines(argv: list[str], env: dict[str, str]) -> tuple[int, float | None]:
    """One untimed warm-up run: checks the command works, counts its output lines and
    reads its peak memory (max RSS in MiB, where the system reports it per process)."""
    measured = hasattr(os, "wait4")
    if measured:
        argv = [sys.executable, "-c", _PEAK, *argv]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.run(argv, env=env, stdout=out, stderr=err)
        out.seek(0)
        err.seek(0)
        said = err.read().decode()
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}): {said}")
        peak = None
        if measured:
            last = said.strip().rsplit("\n", 1)[-1]
            peak = int(last) / 1024  # KiB on Linux
        return out.read().count(b"\n"), peak


class Table:
    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, name: str, times: list[float], note: str = "") -> None:
        best, median = min(times), statistics.median(times)
        self.rows.append((name, f"{best * 1000:9.1f}", f"{median * 1000:9.1f}", note))

    def section(self, name: str) -> None:
        self.rows.append((name, "", "", ""))

    def print(self) -> None:
        width = max([len(r[0]) for r in self.rows] + [10])
        print(f"\n{self.title}")
        print(f"{'':{width}}  {'best ms':>9}  {'median ms':>9}  note")
        for name, best, median, note in self.rows:
            print(f"{name:{width}}  {best:>9}  {median:>9}  {note}".rstrip())


def load_average() -> str:
    """The system's load average over 1, 5 and 15 minutes, where it reports one."""
    try:
        return " ".join(f"{figure:.2f}" for figure in os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


def label_of(sql: str) -> str:
    for fragment, label in QUERY_LABELS:
        if fragment in sql:
            return label
    return re.sub(r"\s+", " ", sql).strip()[:50]


def time_processes(
    table: Table,
    db_path: Path,
    repeat: int,
    *,
    startup: bool = True,
    only: tuple[str, ...] = (),
) -> None:
    env = {**os.environ, "POVTOR_DB": str(db_path), "POVTOR_TODAY": TODAY}
    env.pop("POVTOR_DEBUG", None)
    # an installed povtor starts from its compiled bytecode: without the caches every run
    # compiles the modules it imports again (tens of milliseconds), so let the untimed
    # first run of each command write them
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    python = [sys.executable]
    floors: dict[str, float] = {}
    if startup:
        table.section("floors (subprocess)")
        for name, args in FLOORS:
            argv = [*python, *args]
            run_process(argv, env)
            times, cpu = measure_process(argv, env, repeat)
            floors[name] = min(times)
            table.add(f"  {name}", times, cpu)
    table.section("commands (subprocess)")
    povtor = povtor_command()
    exported = OUT / "export-all"
    for args in COMMANDS:
        if only and not any(" ".join(args).startswith(prefix) for prefix in only):
            continue
        args = [str(exported) if a == "EXPORT" else a for a in args]
        before = after = None
        mark = ""
        if AFTER_A_WRITE in args:
            args.remove(AFTER_A_WRITE)
            before = functools.partial(forget_kept_figures, db_path)
            mark = f" {AFTER_A_WRITE}"
        if AFTER_A_TOUCH in args:
            args.remove(AFTER_A_TOUCH)
            before = functools.partial(log_a_warming_touch, povtor, env)
            after = functools.partial(take_the_touch_back, povtor, env)
            mark = f" {AFTER_A_TOUCH}"
        argv = [*povtor, *args]
        lines, peak = output_lines(argv, env)
        notes = []
        if "--format" in args:
            notes.append(
                f"{max(lines - 1, 0):,} lines" if "table" in args else f"{max(lines - 1, 0):,} rows"
            )
        if peak is not None:
            notes.append(f"max RSS {peak:.0f} MiB")
        if TYPER_RICH in floors:
            times, cpu, ratios = measure_by_turns(
                argv, [*python, *FLOORS[1][1]], env, repeat, before=before, after=after
            )
        else:
            (times, cpu), ratios = (
                measure_process(argv, env, repeat, before=before, after=after),
                [],
            )
        if cpu:
            notes.append(cpu)
        if ratios:
            # (each run over the bare start timed just before it: the machine's speed
            # wanders from minute to minute, a ratio of one moment less)
            notes.append(f"×{min(ratios):.1f} typer+rich (median ×{statistics.median(ratios):.1f})")
        label = " ".join(args) + mark
        table.add("  povtor " + label, times, ", ".join(notes))


def forget_kept_figures(db_path: Path) -> None:
    """Drop the figures the plan keeps for the day, as a write would make them stale."""
    connection = sqlite3.connect(db_path)
    try:
        with connection:
            connection.execute("DELETE FROM setting WHERE key = 'povtor.plan_figures'")
    finally:
        connection.close()


def log_a_warming_touch(povtor: list[str], env: dict[str, str]) -> None:
    """A plan (which keeps the day's figures: a table, which shows the forecast), then a
    warming touch logged: untimed."""
    for args in (
        ["plan", "today", "--format", "table"],
        ["nudge", "log", "--client", "1", "--kind", "warming", "--text", "benchmark"],
    ):
        subprocess.run([*povtor, *args], env=env, check=True, capture_output=True)


def take_the_touch_back(povtor: list[str], env: dict[str, str]) -> None:
    """The touch :func:`log_a_warming_touch` logged, undone (the database as it was)."""
    subprocess.run([*povtor, "nudge", "undo", "--yes"], env=env, check=True, capture_output=True)


def measure_by_turns(
    argv: list[str],
    floor: list[str],
    env: dict[str, str],
    repeat: int,
    *,
    before: Callable[[], None] | None = None,
    after: Callable[[], None] | None = None,
) -> tuple[list[float], str, list[float]]:
    """The wall times of ``repeat`` runs of a command, a note of their least CPU time,
    and the ratio of each to a run of ``floor`` made just before it (``before`` and
    ``after``: done before and after each run, untimed)."""
    times: list[float] = []
    ratios: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        if before is not None:
            before()
        del CPU_SECONDS[:]
        [floor_time] = measure(lambda: run_process(floor, env), 1)
        [took] = measure(lambda: run_process(argv, env), 1)
        times.append(took)
        ratios.append(took / floor_time)
        cpu.extend(CPU_SECONDS[1:])
        if after is not None:
            after()
    return times, (f"CPU {min(cpu):.2f} s" if cpu else ""), ratios


def time_in_process(table: Table, db_path: Path, repeat: int) -> None:
    from povtor.app.plan import DraftedPlan, forecast, load_plan_input
    from povtor.domain.calendar import trailing_year
    from povtor.domain.plan_records import Plan
    from povtor.domain.planner import build_plan, rank
    from povtor.storage.database import open_database
    from povtor.storage.location import resolve_location
    from povtor.storage.nudge_queries import nudged_deals
    from povtor.storage.plan_queries import load_settings, paid_totals, user_templates

    today = dt.date.fromisoformat(TODAY)
    table.section("plan today, in process")
    location = resolve_location(str(db_path))
    table.add(
        "  open_database",
        measure(lambda: open_database(location, create=False).close(), repeat),
    )
    db = open_database(location, create=False)
    try:
        settings = load_settings(db)
        table.add("  load_settings", measure(lambda: load_settings(db), repeat))
        per_query: dict[str, list[float]] = {}
        rows, tuples = db.rows, db.tuples

        def timed(read: Callable[..., Any]) -> Callable[..., Any]:
            def timed_read(sql: str, params: Any = ()) -> Any:
                started = time.perf_counter()
                result = read(sql, params)
                per_query.setdefault(label_of(sql), []).append(time.perf_counter() - started)
                return result

            return timed_read

        db.rows, db.tuples = timed(rows), timed(tuples)  # type: ignore[method-assign]
        data = load_plan_input(db, today, settings)
        per_query.clear()
        times = measure(lambda: load_plan_input(db, today, settings), repeat)
        db.rows, db.tuples = rows, tuples  # type: ignore[method-assign]
        table.add(
            "  load_plan_input",
            times,
            f"{len(data.clients):,} clients, {len(data.deals):,} open deals",
        )
        for label, query_times in per_query.items():
            table.add(f"    sql: {label}", query_times)
        in_sql = sum(statistics.median(t) for t in per_query.values())
        table.add("    (python around the sql)", [max(statistics.median(times) - in_sql, 0.0)])
        plan = build_plan(data, settings)
        table.add(
            "  build_plan (every item)",
            measure(lambda: build_plan(data, settings), repeat),
            f"{len(plan.items):,} items",
        )
        ranked = rank(data, settings)
        table.add("  rank (the rules, weighed)", measure(lambda: rank(data, settings), repeat))
        capacity = settings.int("plan.capacity") or len(ranked)
        table.add(
            "  the items shown",
            measure(lambda: ranked.items(capacity), repeat),
            f"the first {capacity} (plan.capacity)",
        )
        lang = settings.str("lang")
        shown = Plan(today=today, items=ranked.items(capacity))

        def drafts() -> list[str]:
            drafted = DraftedPlan(shown, lang, user_templates(db), total=len(ranked))
            return [drafted.text(item) for item in shown.items]

        table.add(
            "  message drafts",
            measure(drafts, repeat),
            "the user's templates, then each shown item's draft",
        )

        def counted() -> None:
            start, end = trailing_year(today)
            nudged_deals(db, start, end, today)
            paid_totals(db, today)

        table.add("  forecast, counted", measure(counted, repeat), "the conversion and check")
        forecast(db, today, 0)
        table.add(
            "  forecast, kept",
            measure(lambda: forecast(db, today, len(shown.items)), repeat),
            "the figures kept for the day",
        )
    finally:
        db.close()


def profile_plan(db_path: Path, top: int) -> None:
    """cProfile of ``povtor plan today --format csv``, run in this process."""
    from povtor.cli.main import app

    os.environ["POVTOR_DB"] = str(db_path)
    os.environ["POVTOR_TODAY"] = TODAY
    profiler = cProfile.Profile()
    with contextlib.redirect_stdout(io.StringIO()):
        profiler.enable()
        app(["plan", "today", "--format", "csv"], prog_name="povtor", standalone_mode=False)
        profiler.disable()
    print(f"\ncProfile of povtor plan today on {db_path.name} (top {top} by cumulative time)")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=(*SIZES, "huge", "all"), default="all")
    parser.add_argument(
        "--huge",
        action="store_true",
        help="also the huge size (100,000 clients / 500,000 deals / 3,000,000 touches)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="COMMAND",
        help="time only the commands that start so, e.g. --only 'plan today' (repeatable)",
    )
    parser.add_argument(
        "--no-in-process", action="store_true", help="skip the in-process pieces of plan today"
    )
    parser.add_argument("--profile", action="store_true", help="also cProfile plan today")
    parser.add_argument("--top", type=int, default=25, help="profile lines shown")
    parser.add_argument(
        "--try-sql",
        type=Path,
        metavar="FILE",
        help="also time a copy of each database with this SQL applied (e.g. a proposed index)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = SIZES if args.size == "all" else (args.size,)
    if args.huge and "huge" not in sizes:
        sizes = (*sizes, "huge")
    for size in sizes:
        db_path = database_for(size)
        clients, deals, touches = generate.PRESETS[size]
        table = Table(
            f"{size}: {clients:,} clients / {deals:,} deals / {touches:,} touches "
            f"({db_path.stat().st_size / 2**20:.0f} MiB), today {TODAY}, "
            f"{args.repeat} runs each"
        )
        only = tuple(args.only)
        time_processes(table, db_path, args.repeat, only=only)
        if not args.no_in_process:
            time_in_process(table, db_path, args.repeat)
        table.title += f", load average {load_average()}"
        table.print()
        if args.try_sql:
            copy = tried_copy(db_path, args.try_sql)
            table = Table(f"{size}, with {args.try_sql} applied")
            time_processes(table, copy, args.repeat, startup=False, only=only)
            if not args.no_in_process:
                time_in_process(table, copy, args.repeat)
            table.print()
        if args.profile:
            profile_plan(db_path, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

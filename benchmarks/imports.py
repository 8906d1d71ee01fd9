"""Time ``povtor import orders`` and ``povtor import deals`` on generated files: lines/s
and the peak memory (resident set) of the import.

    python benchmarks/imports.py                       # 100,000 lines each, 3 runs
    python benchmarks/imports.py --lines 100000 500000 --kind one-line --kind many-line
    python benchmarks/imports.py --lines 541909 --repeat 1
    python benchmarks/imports.py --profile one-line    # plus a cProfile of one import

The files are generated into ``benchmarks/out/`` (deterministic for a seed), like the
exports a seller brings from elsewhere:

- ``one-line``: one line per order (order id, date, customer, sum), about 3 orders a
  customer, a few of them worth nothing (samples), a few on one day;
- ``many-line``: an invoice list from 1C (Номер, Дата, Контрагент, Номенклатура,
  Количество, Цена; cp1251, ``;``), about 5 lines per order, with returns;
- ``composed``: one line per purchase with no order id (customer code, date, sum), the
  order id composed in the map from the code and the date;
- ``deals``: a CRM's deal export (the lines / 10 deals), with a map: stages, closed deals
  at their last stage, a placeholder for deals without an account.

Each import runs as a subprocess of the ``povtor`` executable next to this Python into a
fresh ``povtor init`` database (the wall clock includes starting povtor and the commit);
the best and median of ``--repeat`` runs are shown with the lines per second of the best,
and the largest peak resident set (MiB) of the runs.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import run

OUT = run.OUT
TODAY = "2026-03-02"
START = dt.date(2023, 1, 2)
SPAN_DAYS = 1150
FIRMS = ("ООО", "АО", "ИП", "ЗАО")
ROOTS = (
    "Ромашка", "СтройМонолит", "Северный ветер", "ГлавДорСтрой", "Агрохолдинг", "Вкусный дом",
    "Бригада", "Геоизыскания", "ТрансЛес", "Уралпром", "Кубань-Агро", "Дом-Мастер",
)  # fmt: skip
PRODUCTS = (
    ("Щебень гранитный 20-40", 2100.0), ("Песок карьерный мытый", 950.0),
    ("Цемент М500 Д0", 7200.0), ("Арматура А500С", 64000.0), ("Бетон В25 П4", 5800.0),
    ("ДТ ЕВРО-5", 68500.0), ("Масло моторное 10W-40", 3200.0), ("Кирпич облицовочный", 24.0),
)  # fmt: skip
KINDS = ("one-line", "many-line", "composed", "deals")


def customer(rng: random.Random, n: int) -> str:
    return f"{FIRMS[n % len(FIRMS)]} «{ROOTS[n % len(ROOTS)]} {n}»"


def day_of(rng: random.Random) -> dt.date:
    return START + dt.timedelta(days=rng.randrange(SPAN_DAYS))


def one_line(path: Path, lines: int, seed: int) -> None:
    """order_id,date,client,amount: one line per order."""
    rng = random.Random(seed)
    customers = max(lines // 3, 1)
    out = ["order_id,date,client,amount"]
    for n in range(lines):
        amount = "0" if rng.random() < 0.01 else f"{rng.randrange(100, 5_000_000) / 100:.2f}"
        who = customer(rng, rng.randrange(customers))
        out.append(f'{100_000 + n},{day_of(rng).isoformat()},"{who}",{amount}')
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def many_line(path: Path, lines: int, seed: int) -> None:
    """A 1C invoice list in cp1251 with ``;``: several lines per invoice, some returns."""
    rng = random.Random(seed)
    customers = max(lines // 15, 1)
    out = ["Номер;Дата;Контрагент;Номенклатура;Количество;Цена"]
    number = 0
    while len(out) <= lines:
        number += 1
        when = day_of(rng).strftime("%d.%m.%Y")
        who = customer(rng, rng.randrange(customers))
        for _ in range(min(rng.randint(1, 9), lines + 1 - len(out))):
            name, price = PRODUCTS[rng.randrange(len(PRODUCTS))]
            quantity = rng.randint(1, 40) * (-1 if rng.random() < 0.02 else 1)
            shown = f"{price:.2f}".replace(".", ",")
            out.append(f"{number};{when};{who};{name};{quantity};{shown}")
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("cp1251"))


def composed(path: Path, lines: int, seed: int) -> tuple[Path, Path]:
    """CustomerID,InvoiceDate,Sales: no order id; a map composes it of code and date."""
    rng = random.Random(seed)
    customers = max(lines // 3, 1)
    out = ["CustomerID,InvoiceDate,Sales"]
    for _ in range(lines):
        code = 10_000 + rng.randrange(customers)
        out.append(f"{code},{day_of(rng).isoformat()},{rng.randrange(100, 900_000) / 100:.2f}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    map_path = path.with_suffix(".toml")
    map_path.write_text(
        '[columns]\n"CustomerID" = "client_code"\n"InvoiceDate" = "date"\n"Sales" = "amount"\n'
        '\n[compose]\norder_id = ["CustomerID", "InvoiceDate"]\n',
        encoding="utf-8",
    )
    return path, map_path


def deals(path: Path, lines: int, seed: int) -> tuple[Path, Path]:
    """A CRM's deal export: stages by their names, a sixth of the deals with no account."""
    rng = random.Random(seed)
    accounts = max(lines // 100, 1)
    stages = ("Prospecting", "Engaging", "Won", "Lost")
    out = ["opportunity_id,account,deal_stage,engage_date,close_date,close_value"]
    today = dt.date.fromisoformat(TODAY)
    for n in range(lines):
        account = "" if rng.random() < 0.16 else customer(rng, rng.randrange(accounts))
        stage = stages[rng.choices(range(4), (1, 2, 5, 3))[0]]
        engaged = day_of(rng)
        opened, closed, value = engaged.isoformat(), "", ""
        if stage in ("Won", "Lost"):
            closed = min(engaged + dt.timedelta(days=rng.randrange(120)), today).isoformat()
            if rng.random() < 0.06:
                opened = ""  # no open date: the close date stands for it
        if stage == "Won":
            value = str(rng.randrange(100, 20_000))
        out.append(f'D{n:07d},"{account}",{stage},{opened},{closed},{value}')
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    map_path = path.with_suffix(".toml")
    map_path.write_text(
        'no_client = "(no account)"\nclosed_from = "proposal"\n\n[columns]\n'
        '"opportunity_id" = "external_id"\n"account" = "client"\n"deal_stage" = "stage"\n'
        '"engage_date" = "opened_on"\n"close_date" = "closed_on"\n"close_value" = "amount"\n'
        '\n[stages]\n"Prospecting" = "request"\n"Engaging" = "proposal"\n"Won" = "paid"\n'
        '"Lost" = "lost"\n',
        encoding="utf-8",
    )
    return path, map_path


def files_for(kind: str, lines: int, seed: int) -> tuple[str, Path, Path | None]:
    """(povtor import's table, the file, its map) for one kind, generated if missing."""
    OUT.mkdir(parents=True, exist_ok=True)
    stem = OUT / f"import-{kind}-{lines}-{seed}"
    if kind == "one-line":
        path = stem.with_suffix(".csv")
        if not path.exists():
            one_line(path, lines, seed)
        return "orders", path, None
    if kind == "many-line":
        path = stem.with_suffix(".csv")
        if not path.exists():
            many_line(path, lines, seed)
        return "orders", path, None
    if kind == "composed":
        path, map_path = stem.with_suffix(".csv"), stem.with_suffix(".toml")
        if not path.exists() or not map_path.exists():
            composed(path, lines, seed)
        return "orders", path, map_path
    path, map_path = stem.with_suffix(".csv"), stem.with_suffix(".toml")
    count = max(lines // 10, 1)
    if not path.exists() or not map_path.exists():
        deals(path, count, seed)
    return "deals", path, map_path


def fresh_database(template: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def import_argv(table: str, path: Path, map_path: Path | None) -> list[str]:
    return ["import", table, str(path), *(["--map", str(map_path)] if map_path else [])]


def measured(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, int, str]:
    """Run one import: (wall seconds, CPU seconds, peak resident MiB, exit code, stderr)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux, in bytes on macOS
    peak = usage.ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    return seconds, usage.ru_utime + usage.ru_stime, peak, child.returncode, stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lines", type=int, nargs="+", default=[100_000], help="lines per orders file (sizes)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kind", choices=KINDS, action="append", help="default: all")
    parser.add_argument("--profile", choices=KINDS, help="also cProfile one import in process")
    parser.add_argument("--top", type=int, default=30, help="profile lines shown")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1 or min(args.lines) < 1:
        parser.error("--repeat and --lines must be at least 1")
    kinds = args.kind or KINDS
    if args.generate_only:
        for lines_wanted in args.lines:
            for kind in kinds:
                files_for(kind, lines_wanted, args.seed)
        return 0
    # the files are made in a process of their own: a child forked from a process that
    # grew making them would count that memory in its peak
    subprocess.run(
        [sys.executable, __file__, "--generate-only", "--seed", str(args.seed),
         "--lines", *map(str, args.lines), *(f"--kind={kind}" for kind in kinds)],
        check=True,
    )  # fmt: skip
    env = {**os.environ, "POVTOR_TODAY": TODAY, "POVTOR_TZ": "Europe/Moscow"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("POVTOR_DEBUG", None)
    povtor = run.povtor_command()
    template = OUT / "import-empty.db"
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{template}{suffix}").unlink(missing_ok=True)
    subprocess.run(
        [*povtor, "--db", str(template), "init"], env=env, check=True, capture_output=True
    )
    target = OUT / "import-target.db"
    print(f"import, {args.repeat} run(s) each, load average {os.getloadavg()[0]:.2f}")
    print(
        f"{'file':<12} {'lines':>8} {'best s':>7} {'median s':>8} {'lines/s':>8} "
        f"{'cpu s':>6} {'per cpu s':>8} {'peak MiB':>8}  result"
    )
    for lines_wanted in args.lines:
        for kind in kinds:
            table, path, map_path = files_for(kind, lines_wanted, args.seed)
            lines = sum(1 for _ in path.open("rb")) - 1
            times, cpu, peaks = [], [], []
            summary = ""
            for _ in range(args.repeat):
                fresh_database(template, target)
                argv = [*povtor, "--db", str(target), *import_argv(table, path, map_path)]
                seconds, used, peak, code, stderr = measured(argv, env)
                times.append(seconds)
                cpu.append(used)
                peaks.append(peak)
                if code != 0:
                    raise SystemExit(f"{kind}: povtor failed ({code}):\n{stderr[-3000:]}")
                summary = stderr.strip().splitlines()[-1]
            best, least = min(times), min(cpu)
            print(
                f"{kind:<12} {lines:>8,} {best:7.2f} {statistics.median(times):8.2f} "
                f"{lines / best:8,.0f} {least:6.2f} {lines / least:8,.0f} {max(peaks):8.0f}  "
                f"{summary[:150]}",
                flush=True,
            )
    if args.profile:
        profile(args.profile, args.lines[0], args.seed, template, target, args.top)
    return 0


def profile(kind: str, lines: int, seed: int, template: Path, target: Path, top: int) -> None:
    from povtor.cli.main import app

    table, path, map_path = files_for(kind, lines, seed)
    fresh_database(template, target)
    os.environ.update({"POVTOR_DB": str(target), "POVTOR_TODAY": TODAY})
    profiler = cProfile.Profile(time.process_time)
    with contextlib.redirect_stderr(io.StringIO()), contextlib.suppress(SystemExit):
        profiler.enable()
        app(import_argv(table, path, map_path), prog_name="povtor")
    profiler.disable()
    print(f"\ncProfile of povtor import {table} ({kind}, {lines:,} lines), top {top}")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


if __name__ == "__main__":
    raise SystemExit(main())

"""The installed ``povtor`` executable, run as a user runs it: a real process, real pipes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import Cli, invoke


def executable() -> str:
    """The ``povtor`` installed beside this Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / "povtor"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("povtor")
    if found is None:
        pytest.fail("the povtor executable is not installed (pip install -e .)")
    return found


def povtor(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run povtor with the test's environment (its database, today and time zone)."""
    return subprocess.run(
        [executable(), *args],
        input=stdin.encode() if stdin is not None else None,
        capture_output=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )


def test_help_works() -> None:
    done = povtor("--help")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert out.startswith("Usage: povtor [OPTIONS] COMMAND [ARGS]...\n")
    for group in ("client", "deal", "funnel", "db", "init"):
        assert f"  {group} " in out
    assert done.stderr == b""


def test_help_in_a_russian_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    done = povtor("--help")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    assert out.startswith("Использование: povtor [OPTIONS] COMMAND [ARGS]...\n")
    assert "  plan     План буравчиков: с кем связаться сегодня и почему.\n" in out
    assert "Команды:\n" in out


def test_version() -> None:
    from povtor import __version__

    done = povtor("--version")
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"povtor {__version__}\n".encode(),
        b"",
    )


def test_add_then_list_through_a_pipe(isolated: Path) -> None:
    added = povtor("client", "add", "Иван Петров", "--company", "ООО Ромашка", "--category", "B")
    assert (added.returncode, added.stdout) == (0, b"1\n"), added.stderr
    assert added.stderr.decode() == "added client #1 Иван Петров\n"
    # a real pipe into another program: bytes are UTF-8, rows end in \n
    lister = subprocess.Popen(
        [executable(), "client", "list", "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    consumer = subprocess.run(
        [sys.executable, "-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read())"],
        stdin=lister.stdout,
        capture_output=True,
        check=True,
    )
    assert lister.stdout is not None and lister.stderr is not None
    lister.stdout.close()
    errors = lister.stderr.read()
    lister.stderr.close()
    assert lister.wait(timeout=60) == 0, errors
    assert (
        consumer.stdout
        == (
            "id,name,company,category,industry,source,status,open_deals,last_touch_on,created_on\n"
            "1,Иван Петров,ООО Ромашка,B,,,active,0,,2026-03-02\n"
        ).encode()
    )
    assert errors == b""
    assert isolated.exists()


def test_default_format_in_a_pipe_is_tsv_even_in_the_c_locale(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.add_client("Семён Ёлкин")
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("LANG", "C")
    monkeypatch.delenv("PYTHONIOENCODING", raising=False)
    done = povtor("client", "find", "ЕЛКИН")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8") == (
        "id\tname\tcompany\tcategory\tindustry\tsource\tstatus\topen_deals\tlast_touch_on\t"
        "created_on\n1\tСемён Ёлкин\t\t\t\t\tactive\t0\t\t2026-03-02\n"
    )


def test_an_error_exits_with_its_code_and_one_line(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    done = povtor("deal", "open", "Петров", "--amount", "12,3,4")
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode() == (
        "error: --amount: '12,3,4' is not an amount of money; "
        "write digits with at most two decimals, e.g. 12500 or 12 500,50\n"
    )
    done = povtor("client", "show", "Пупкин")
    assert (done.returncode, done.stdout) == (3, b"")
    assert done.stderr.decode().splitlines() == [
        "error: no client matches 'Пупкин'; list clients with: povtor client find TEXT"
    ]


def test_a_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    """`povtor ... | head -1`: the reader leaves early; povtor ends quietly."""
    demo = tmp_path / "demo.db"
    assert povtor("demo", str(demo)).returncode == 0
    shell = f"'{executable()}' --db '{demo}' nudge list --limit 100000 --format csv | head -1"
    run = subprocess.run(
        ["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=60
    )
    assert run.stdout.startswith("id,on_date,client")
    assert run.stderr == ""
    assert run.returncode == 0


LOADED = """
import sys
from povtor.cli.main import app
try:
    app(sys.argv[1:], prog_name="povtor")
except SystemExit as stop:
    assert not stop.code, stop.code
watched = ("sqlalchemy", "sqlmodel", "alembic", "pydantic", "rich", "povtor.domain.metrics")
watched += ("jinja2", "psycopg", "povtor.storage.postgres")
print("loaded:", *sorted(m for m in watched if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["plan", "--help"],
        ["report", "--help"],
        ["plan", "today", "--format", "csv"],
        ["deal", "list", "--format", "tsv"],
        ["client", "list", "--format", "json"],
        # the everyday writes: one write path, plain SQL, no ORM
        ["client", "add", "Новый клиент", "--category", "B"],
        ["client", "edit", "СтройМонолит", "--phone", "+7 900 000-00-00"],
        ["client", "fact", "add", "СтройМонолит", "берут 2,5 т в месяц"],
        ["client", "person", "add", "СтройМонолит", "Пётр Петрович"],
        ["deal", "open", "СтройМонолит", "--amount", "1000"],
        ["deal", "move", "#268", "paid"],
        ["nudge", "log", "--client", "СтройМонолит", "--text", "поздравили"],
        ["nudge", "log", "--deal", "#268", "--outcome", "later", "--later", "+7"],
        ["client", "referral", "СтройМонолит", "Бригада Лосева"],
        ["seller", "list", "--format", "csv"],
        ["plan", "today", "--everyone", "--format", "csv"],
    ],
    ids=" ".join,
)
def test_daily_paths_leave_the_orm_reports_and_rich_unloaded(cli: Cli, args: list[str]) -> None:
    """Startup cost is import cost: `--help`, the daily listings in machine formats and
    the everyday writes run on the SQLite driver alone (no SQLAlchemy, SQLModel, Alembic,
    pydantic, or the PostgreSQL driver), the plan does not load the reports' metrics, and
    only `povtor report` itself loads Jinja2."""
    demo = cli.db.with_name("demo-light.db")
    cli.ok("demo", str(demo), "--force")
    done = subprocess.run(
        [sys.executable, "-c", LOADED, *args],
        env={**os.environ, "POVTOR_DB": str(demo)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "loaded:", done.stderr


CALENDAR_LOADED = """
import sys
from povtor.cli.main import app
try:
    app(sys.argv[1:], prog_name="povtor")
except SystemExit as stop:
    assert not stop.code, stop.code
print("calendar:", "povtor.domain.production_calendar" in sys.modules, file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("args", "loaded"),
    [
        (["--help"], False),
        (["plan", "--help"], False),
        (["client", "list", "--format", "json"], False),
        (["deal", "list", "--format", "tsv"], False),
        (["nudge", "log", "--client", "СтройМонолит", "--text", "поздравили"], False),
        (["plan", "today", "--format", "csv"], True),  # the stuck rule counts working days
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(value),
)
def test_the_production_calendar_is_read_on_the_first_working_day_count(
    cli: Cli, args: list[str], loaded: bool
) -> None:
    """The production calendar's table (a few hundred dates) is imported only by a command
    that counts working days, never at start-up."""
    demo = cli.db.with_name("demo-calendar.db")
    cli.ok("demo", str(demo), "--force")
    done = subprocess.run(
        [sys.executable, "-c", CALENDAR_LOADED, *args],
        env={**os.environ, "POVTOR_DB": str(demo)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == f"calendar: {loaded}", done.stderr


BUILT = """
import sys
from povtor.cli.group import PovtorRootGroup
from povtor.cli.main import app
try:
    app(sys.argv[1:], prog_name="povtor")
except SystemExit as stop:
    assert not stop.code, stop.code
print("built:", *sorted(f"{g} {c}" for g, c in PovtorRootGroup.built_alone), file=sys.stderr)
"""


def test_a_command_of_a_group_is_built_alone(cli: Cli) -> None:
    """`povtor client show` builds the client group with `show` alone, not the options
    of every client command."""
    cli.ok("client", "add", "Ромашка")
    done = subprocess.run(
        [sys.executable, "-c", BUILT, "client", "show", "Ромашка", "--format", "json"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "built: client show", done.stderr


def test_a_groups_help_and_a_mistyped_command_see_the_whole_group(cli: Cli) -> None:
    # (in one process: the group was built with `list` alone just before)
    cli.ok("client", "list", "--format", "csv")
    listed = cli.ok("client", "--help").stdout
    for name in ("add", "list", "show", "edit", "archive", "person", "fact"):
        assert f"  {name} " in listed, name
    mistyped = cli("client", "shwo")
    assert mistyped.exit_code == 2
    assert "'show'" in mistyped.stderr


def test_a_process_writes_all_its_output_before_it_ends(tmp_path: Path) -> None:
    """The povtor process ends at once when its command is done (nothing freed first):
    everything it printed is written, and its exit code is the command's."""
    demo = tmp_path / "demo.db"
    assert povtor("demo", str(demo)).returncode == 0
    env = {"POVTOR_DB": str(demo), "POVTOR_TODAY": "2026-11-23"}
    everything = invoke(["plan", "today", "--all", "--format", "jsonl"], env=env)
    assert everything.exit_code == 0
    done = subprocess.run(
        [executable(), "plan", "today", "--all", "--format", "jsonl"],
        capture_output=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.decode() == everything.stdout
    assert len(done.stdout.splitlines()) > 20
    missing = subprocess.run(
        [executable(), "client", "show", "#99999"],
        capture_output=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )
    assert missing.returncode == 3
    assert missing.stderr.decode().startswith("error: no client #99999")


def test_in_process_nothing_is_kept_to_the_end() -> None:
    from povtor import process

    process.keep(object())
    assert process._kept == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "args", [["funnel", "list"], ["funnel", "list", "--format", "csv"], ["client", "list"]]
)
def test_a_full_disk_behind_a_redirection_is_one_line(tmp_path: Path, args: list[str]) -> None:
    """`povtor ... > file` on a full disk: what happened, in one line, exit code 6 (not
    an internal error)."""
    demo = tmp_path / "demo.db"
    assert povtor("demo", str(demo)).returncode == 0
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [executable(), "--db", str(demo), *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 6
    assert done.stderr == (
        "error: cannot write standard output: No space left on device; "
        "free disk space or write somewhere else\n"
    )

"""A bad file changes nothing and every problem is reported with its line; crashes too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from support import TODAY, TZ, Cli, dump_database, query, where

GOOD_CLIENTS = "id,name,company\n1,Ромашка,ООО «Ромашка»\n2,Ёлкин,\n"
BAD_DEALS = """\
id,client_id,funnel,stage,title,amount,currency,status,opened_on,closed_on
1,1,repeat,request,Щебень,125 000,RUB,open,2026-02-30,
2,1,repeat,Переговоры,Песок,"12,3,4",RUB,open,2026-02-01,
3,2,repeat,paid,Цемент,1e5,RUB,won,01.02.2026,02.02.2026
3,2,repeat,invoice,Бетон,100,RUB,open,2026-02-01,
4,7,repeat,invoice,Бетон,100,RUB,open,2026-02-01,
5,1,воронка,invoice,Бетон,-100,₽,open,2026-02-01,
6,1,repeat,invoice,Бетон,100,RUB,won,2026-02-01,
7,1,repeat,invoice,Бетон,100,RUB,open,вчера,
8,1,repeat,invoice,Бетон,100,RUB,open,2026-02-01,,лишняя,ячейка
"""


@pytest.fixture
def with_clients(cli: Cli, tmp_path: Path) -> Cli:
    source = tmp_path / "clients.csv"
    source.write_text(GOOD_CLIENTS, encoding="utf-8")
    cli.ok("import", "clients", str(source))
    return cli


def test_bad_rows_change_nothing_and_are_all_listed(
    with_clients: Cli, tmp_path: Path, dump: Callable[[], str]
) -> None:
    source = tmp_path / "deals.csv"
    source.write_text(BAD_DEALS, encoding="utf-8")
    before = dump()
    run = with_clients("import", "deals", str(source))
    assert run.exit_code == 2
    assert dump() == before
    assert run.stderr.splitlines() == [
        "deals.csv:2: opened_on: '2026-02-30' is not a real date and time",
        "deals.csv:3: amount: '12,3,4' is not an amount of money",
        "deals.csv:3: stage: 'Переговоры' is not a stage of funnel repeat (base, request, "
        "proposal, invoice, paid); map yours in [stages] of a --map file",
        "deals.csv:4: amount: '1e5' is not an amount of money",
        "deals.csv:5: id 3 is repeated (first on line 4)",
        "deals.csv:6: client_id: no client #7 (import clients first)",
        "deals.csv:7: amount: '-100' is negative; amounts must be zero or more",
        "deals.csv:7: funnel: 'воронка' is not a funnel (repeat, first, refusal)",
        "deals.csv:8: status: 'won' does not fit stage 'invoice' (won deals, and only they, "
        "are at the paid stage)",
        "deals.csv:9: opened_on: 'вчера' is not a date",
        "deals.csv:10: 12 cells, but the header has 10: a broken row (check the quotes and "
        "delimiters)",
        "error: deals.csv: 11 problems; nothing was imported; fix the rows listed above and "
        "run the import again (--dry-run checks a file without importing it)",
    ]


def test_a_missing_column_is_named(
    with_clients: Cli, tmp_path: Path, dump: Callable[[], str]
) -> None:
    source = tmp_path / "deals.csv"
    source.write_text("id,client_id,title\n1,1,Щебень\n", encoding="utf-8")
    before = dump()
    run = with_clients("import", "deals", str(source))
    assert run.exit_code == 2 and dump() == before
    assert run.stderr.splitlines()[0] == (
        "deals.csv:1: missing column stage, opened_on (the header is id, client_id, title); "
        "name your columns with --map"
    )


def test_duplicate_and_ambiguous_clients(cli: Cli, tmp_path: Path, dump: Callable[[], str]) -> None:
    cli.add_client("Ромашка")
    cli.add_client("ромашка")
    source = tmp_path / "clients.csv"
    source.write_text(
        "external_id,name\n1c:1,Ёлкин\n1c:1,Ёлкин-2\n,Ромашка\n,Новый\n,новый\n",
        encoding="utf-8",
    )
    before = dump()
    run = cli("import", "clients", str(source))
    assert run.exit_code == 2 and dump() == before
    assert run.stderr.splitlines()[:3] == [
        "clients.csv:3: external_id '1c:1' is repeated (first on line 2)",
        "clients.csv:4: 2 clients are called 'Ромашка'; add an id or external_id",
        "clients.csv:6: name 'новый' is repeated (first on line 5)",
    ]


def test_problems_are_listed_up_to_a_limit(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "orders.csv"
    rows = ["order_id,date,client,amount"] + [f"{n},31.02.2025,Ромашка,1" for n in range(120)]
    source.write_text("\n".join(rows), encoding="utf-8")
    run = cli("import", "orders", str(source))
    lines = run.stderr.splitlines()
    assert len(lines) == 54
    assert lines[0] == "orders.csv:2: date: '31.02.2025' is not a real date and time"
    assert lines[49] == "orders.csv:51: date: '31.02.2025' is not a real date and time"
    assert lines[50:53] == [
        "… and 70 more problems (--problems FILE writes all of them to a CSV file)",
        "120 problems of 1 kind:",
        "  120 like orders.csv:2: date: '31.02.2025' is not a real date and time",
    ]
    assert lines[53].startswith("error: orders.csv: 120 problems; nothing was imported")


def test_dry_run_changes_nothing(cli: Cli, tmp_path: Path, dump: Callable[[], str]) -> None:
    source = tmp_path / "clients.csv"
    source.write_text(GOOD_CLIENTS, encoding="utf-8")
    before = dump()
    run = cli.ok("import", "clients", str(source), "--dry-run", "--format", "json")
    assert dump() == before
    assert '"action": "create"' in run.stdout and '"record": "Ёлкин"' in run.stdout
    assert run.stderr == ("dry run of clients.csv, nothing was changed; clients: 2 to create\n")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "old Excel .xls file"),
        (b"PK\x03\x04not really a zip", "not a readable .xlsx workbook"),
        (b'[{"name": "x"}, 5]', "expected an object with column names"),
        (b"\x98\x98\x98", "neither UTF-8 nor cp1251 text"),
        (b'name\n"unclosed', "broken CSV"),
    ],
    ids=["empty", "xls", "zip", "json", "bytes", "quote"],
)
def test_unreadable_files(cli: Cli, tmp_path: Path, content: bytes, expected: str) -> None:
    source = tmp_path / "input"
    source.write_bytes(content)
    run = cli("import", "clients", str(source))
    assert run.exit_code == 2, run.describe()
    assert expected in run.stderr, run.stderr
    assert run.exception is None


def test_missing_files(cli: Cli, tmp_path: Path) -> None:
    run = cli("import", "clients", str(tmp_path / "nope.csv"))
    assert run.exit_code == 2 and run.stderr == (
        f"error: {tmp_path / 'nope.csv'}: no such file; check the path\n"
    )
    run = cli("import", "clients", str(tmp_path))
    assert run.exit_code == 2 and "is a directory" in run.stderr
    run = cli("import", "all", str(tmp_path))
    assert run.exit_code == 2 and "holds none of the table files" in run.stderr


def _povtor(code: str, *args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "POVTOR_DB": where(db),
        "POVTOR_TODAY": TODAY,
        "POVTOR_TZ": TZ,
    }
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


KILLER = """
import os, signal, sys
from povtor.storage.database import Database
original = Database.executemany
def executemany(self, sql, seq):
    result = original(self, sql, seq)
    if sql.startswith("INSERT INTO deal"):
        os.kill(os.getpid(), signal.SIGKILL)  # half the writes are done, none committed
    return result
Database.executemany = executemany
from povtor.cli.main import app
app(["import", "orders", sys.argv[1]], prog_name="povtor")
"""


def test_sigkill_mid_import_leaves_the_database_as_it_was(
    cli: Cli, tmp_path: Path, dump: Callable[[], str]
) -> None:
    cli.add_client("Ромашка")
    source = tmp_path / "orders.csv"
    source.write_text(
        "order_id,date,client,amount\n"
        + "\n".join(f"{n},2025-01-{1 + n % 28:02d},Клиент {n % 40},100" for n in range(2000)),
        encoding="utf-8",
    )
    before = dump()
    killed = _povtor(KILLER, str(source), db=cli.db)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert dump_database(cli.db) == before
    assert query(cli.db, "SELECT COUNT(*) FROM client") == [(1,)]
    cli.ok("import", "orders", str(source))  # and the database works on
    assert query(cli.db, "SELECT COUNT(*) FROM deal") == [(2000,)]


NO_ORM = """
import sys
from povtor.cli.main import app
try:
    app(["import", "orders", sys.argv[1]], prog_name="povtor")
except SystemExit as stop:
    assert not stop.code, stop.code
print(sorted(m for m in ("sqlalchemy", "sqlmodel", "alembic") if m in sys.modules))
"""


def test_the_import_path_does_not_load_the_orm(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "orders.csv"
    source.write_text("order_id,date,client,amount\n1,2025-01-01,Ромашка,1\n", encoding="utf-8")
    run = _povtor(NO_ORM, str(source), db=cli.db)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "[]\n"

"""Export -> import into an empty database -> export gives the very same bytes."""

from __future__ import annotations

import csv
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from support import Cli, execute, invoke, load_demo, query

FILES = ("clients", "people", "facts", "deals", "stage_history", "touches")
DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"


def _build(cli: Cli) -> None:
    load_demo(cli, "demo-source.db")
    client = cli.add_client(
        '=HYPERLINK("http://evil.example")',
        "--company",
        'ООО "Кавычки, запятые; и точка с запятой"',
        "--phone",
        "+7 (495) 123-45-67",
        "--email",
        "-@пример.рф",
        "--notes",
        "многострочная\nзаметка «ёлка»\tс табом",
        "--category",
        "B",
    )
    cli.ok("client", "person", "add", str(client), "Семён Ёжиков", "--role", "@снабженец")
    deal = cli.open_deal(client, "--amount", "1 234,50", "--title", "+Щебень; 40 т", "--on", "-5")
    cli.ok("deal", "lose", str(deal), "--reason", "-дорого, «ушли»", "--on", "-2")
    cli.ok("nudge", "log", "--client", str(client), "--text", "'апостроф", "--outcome", "no-answer")
    execute(cli.db, "UPDATE touch SET at = '2026-03-02 06:59:59.123456' WHERE id = ?", (
        query(cli.db, "SELECT MAX(id) FROM touch")[0][0],
    ))  # fmt: skip
    execute(cli.db, "UPDATE client SET external_id = '1c:000123' WHERE id = 1")
    execute(cli.db, "UPDATE deal SET external_id = 'amo:77' WHERE id = 2")


@pytest.fixture
def populated(prepared: Callable[..., Cli]) -> Cli:
    """The demo database plus records with every awkward character, as the test's database."""
    return prepared("transfer-populated", _build)


@pytest.fixture
def empty_db(tmp_path: Path, migrated_template: Path) -> Path:
    target = tmp_path / "empty.db"
    shutil.copy2(migrated_template, target)
    return target


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    "options",
    [(), ("--format", "tsv"), ("--format", "json"), ("--format", "jsonl"), ("--excel",)],
    ids=["csv", "tsv", "json", "jsonl", "excel"],
)
def test_round_trip_is_byte_identical(
    populated: Cli, empty_db: Path, tmp_path: Path, options: tuple[str, ...]
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    populated.ok("export", "all", str(first), *options)
    run = populated.ok("--db", str(empty_db), "import", "all", str(first))
    assert "nothing was changed" not in run.stderr
    populated.ok("--db", str(empty_db), "export", "all", str(second), *options)
    before, after = _files(first), _files(second)
    assert len(before) == 13  # every table, the empty ones too
    for name in before:
        assert after[name] == before[name], name


def test_round_trip_table_by_table(populated: Cli, empty_db: Path, tmp_path: Path) -> None:
    first = tmp_path / "first"
    populated.ok("export", "all", str(first))
    for name in FILES:
        populated.ok(
            "--db", str(empty_db), "import", name.replace("_", "-"), str(first / f"{name}.csv")
        )
    for name in FILES:
        table = name.replace("_", "-")
        again = populated.ok("--db", str(empty_db), "export", table).stdout
        assert again == (first / f"{name}.csv").read_text(encoding="utf-8"), name


def test_awkward_values_survive(populated: Cli, empty_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "excel"
    populated.ok("export", "all", str(folder), "--excel")
    populated.ok("--db", str(empty_db), "import", "all", str(folder))
    original = query(
        populated.db, "SELECT name, company, phone, email, notes FROM client ORDER BY id"
    )
    copied = query(empty_db, "SELECT name, company, phone, email, notes FROM client ORDER BY id")
    assert copied == original
    assert query(empty_db, "SELECT at FROM touch WHERE at LIKE '%.123456'") == [
        ("2026-03-02 06:59:59.123456",)
    ]
    assert query(empty_db, "SELECT search_key FROM client WHERE id = 1") == query(
        populated.db, "SELECT search_key FROM client WHERE id = 1"
    )


def test_reimport_changes_nothing(populated: Cli, tmp_path: Path, dump: Callable[[], str]) -> None:
    folder = tmp_path / "backup"
    populated.ok("export", "all", str(folder))
    before = dump()
    run = populated.ok("import", "all", str(folder))
    assert dump() == before
    summary = run.stderr.splitlines()[-1]
    assert summary.startswith("imported clients.csv, people.csv, facts.csv, products.csv")
    for part in ("clients: 50 unchanged", "stage history: ", "touches: "):
        assert part in summary
    assert "created" not in summary and "updated" not in summary


def test_edited_export_updates_the_records(populated: Cli, tmp_path: Path) -> None:
    clients = tmp_path / "clients.csv"
    populated.ok("export", "clients", "-o", str(clients))
    text = clients.read_text(encoding="utf-8").replace("+7 (496) 884-91-55", "+7 (496) 000-00-00")
    clients.write_text(text, encoding="utf-8")
    run = populated.ok("import", "clients", str(clients), "--dry-run", "--format", "csv")
    assert run.stdout.splitlines()[1:] == ["clients,update,1,ТрансЛогистик,clients.csv:2,phone"]
    populated.ok("import", "clients", str(clients))
    assert query(populated.db, "SELECT phone FROM client WHERE id = 1") == [("+7 (496) 000-00-00",)]
    assert "clients: 50 unchanged" in populated.ok("import", "clients", str(clients)).stderr


def test_a_dry_run_names_the_changed_columns_as_the_files_do(
    populated: Cli, tmp_path: Path
) -> None:
    """Not the stored ones: a deal's amount and stage, a client's name (its search key
    follows it, unlisted)."""
    deals = tmp_path / "deals.csv"
    populated.ok("export", "deals", "-o", str(deals))
    with deals.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    cells = next(row for row in rows if row["status"] == "open" and row["funnel"] == "repeat")
    cells["amount"] = "1.00" if cells["amount"] != "1.00" else "2.00"
    cells["stage"] = "request" if cells["stage"] != "request" else "proposal"
    with deals.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(cells))
        writer.writeheader()
        writer.writerow(cells)
    run = populated.ok("import", "deals", str(deals), "--dry-run", "--format", "csv")
    assert run.stdout.splitlines()[1].split(",")[:2] == ["deals", "update"]
    assert run.stdout.splitlines()[1].endswith(',"stage, amount"')
    clients = tmp_path / "clients.csv"
    populated.ok("export", "clients", "-o", str(clients))
    text = clients.read_text(encoding="utf-8").replace("ТрансЛогистик", "Транс-Логистик", 1)
    clients.write_text(text, encoding="utf-8")
    run = populated.ok("import", "clients", str(clients), "--dry-run", "--format", "csv")
    assert run.stdout.splitlines()[1:] == ["clients,update,1,Транс-Логистик,clients.csv:2,name"]


def test_a_changed_stage_is_recorded_in_the_history(cli: Cli, tmp_path: Path) -> None:
    cli.add_client("Ромашка")
    deal = cli.open_deal("Ромашка", "--stage", "request", "--on", "-3")
    deals = tmp_path / "deals.csv"
    cli.ok("export", "deals", "-o", str(deals))
    edited = deals.read_text(encoding="utf-8").replace(",request,", ",invoice,")
    edited = edited.replace("2026-02-27,2026-02-27", "2026-02-27,2026-03-01")
    deals.write_text(edited, encoding="utf-8")
    cli.ok("import", "deals", str(deals))
    history = cli.ok("export", "stage-history").stdout.splitlines()[1:]
    assert history == [
        f"1,{deal},open,,request,2026-02-27T09:00:00,2026-02-27,",
        f"2,{deal},move,request,invoice,2026-03-01T09:00:00,2026-03-01,",
    ]
    assert "deals: 1 unchanged" in cli.ok("import", "deals", str(deals)).stderr


def test_the_demo_files_are_import_files(cli: Cli) -> None:
    anchor = tomllib.loads((DEMO / "demo.toml").read_text(encoding="utf-8"))["anchor"]
    run = cli.ok("--today", anchor, "import", "all", str(DEMO))  # (nothing after its day)
    summary = run.stderr.splitlines()[-1]
    for name in FILES:
        lines = (DEMO / f"{name}.csv").read_text(encoding="utf-8").count("\n") - 1
        assert lines > 0
    clients = len((DEMO / "clients.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert f"clients: {clients} created" in summary
    assert query(cli.db, "SELECT COUNT(*) FROM client")[0][0] == clients


def test_the_demo_is_its_files_imported(cli: Cli, empty_db: Path, tmp_path: Path) -> None:
    """On its anchor day (nothing moved) the demo is import all of its files: referrals and
    perk touches included."""
    anchor = tomllib.loads((DEMO / "demo.toml").read_text(encoding="utf-8"))["anchor"]
    demo = tmp_path / "demo.db"
    cli.ok("--today", anchor, "demo", str(demo))
    cli.ok("--today", anchor, "--db", str(empty_db), "import", "all", str(DEMO))
    cli.ok("--db", str(demo), "export", "all", str(tmp_path / "built"))
    cli.ok("--db", str(empty_db), "export", "all", str(tmp_path / "imported"))
    built, imported = _files(tmp_path / "built"), _files(tmp_path / "imported")
    assert built == imported
    assert b"perk,birthday:" in built["touches.csv"]
    assert query(demo, "SELECT COUNT(*) FROM client WHERE referred_by_id IS NOT NULL") == [(1,)]


def test_cyrillic_in_every_field(cli: Cli, empty_db: Path) -> None:
    clients = (
        "id,name,company,category,industry,source,phone,email,address,notes,status,created_on,"
        "external_id\n"
        "7,Ёлкин Семён,ООО «Ёлочка»,А,лесозаготовка,выставка «Лес-2025»,"
        '+7 (4822) 11-22-33,семён@ёлочка.рф,"г. Тверь, ул. Ёлочная, д. 1",'
        '"Любит ""Весенний"" коньяк; 2,5 т/мес",active,2024-12-31,1С:Ёлкин-007\n'
    )
    deals = (
        "client_external_id,funnel,stage,title,amount,opened_on,external_id\n"
        "1С:Ёлкин-007,Повторные продажи,Счёт отправлен,Кругляк ель — 40 кубов,"
        '"1 234 567,89",31.12.2024,сделка-№1\n'
    )
    run = invoke(["--db", str(empty_db), "import", "clients", "-"], input=clients)
    assert run.exit_code == 0, run.describe()
    run = invoke(["--db", str(empty_db), "import", "deals", "-"], input=deals.encode("cp1251"))
    assert run.exit_code == 0, run.describe()
    exported = cli.ok("--db", str(empty_db), "export", "clients").stdout.splitlines()[1]
    assert exported == (
        "7,Ёлкин Семён,ООО «Ёлочка»,A,лесозаготовка,выставка «Лес-2025»,+7 (4822) 11-22-33,"
        'семён@ёлочка.рф,"г. Тверь, ул. Ёлочная, д. 1","Любит ""Весенний"" коньяк; 2,5 т/мес",'
        "active,2024-12-31,1С:Ёлкин-007,manual,"  # a category a file brings is the user's
    )
    assert cli.ok("--db", str(empty_db), "export", "deals").stdout.splitlines()[1] == (
        "1,7,repeat,invoice,Кругляк ель — 40 кубов,1234567.89,RUB,open,2024-12-31,2024-12-31,,,,,"
        "сделка-№1"
    )
    found = cli.ok("--db", str(empty_db), "client", "find", "ЕЛОЧКА", "--format", "csv")
    assert "Ёлкин Семён" in found.stdout


def test_import_from_stdin_in_a_pipe(populated: Cli, empty_db: Path) -> None:
    for table in ("clients", "deals", "stage-history", "touches"):
        exported = populated.ok("export", table, "--format", "jsonl").stdout
        run = invoke(["--db", str(empty_db), "import", table, "-"], input=exported)
        assert run.exit_code == 0, run.describe()
        assert populated.ok("--db", str(empty_db), "export", table, "-f", "jsonl").stdout == (
            exported
        )

"""Export and import of the growing-clients data: touches' purposes, referrals, the catalog,
deals' products, occasions, roadmaps, clients' steps and holiday links."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from support import Cli, load_demo, query

NEW_FILES = (
    "products",
    "deal_products",
    "occasions",
    "client_steps",
    "roadmap",
    "holiday_links",
)
COMPARED = (
    ("plan", "today", "--format", "csv"),
    ("stats", "perks", "--format", "csv"),
    ("product", "list", "--format", "csv"),
    ("roadmap", "list", "--format", "csv"),
)


def _build(cli: Cli) -> None:
    load_demo(cli, "demo-growth.db")
    cli.ok("perks", "link", "builder", "фасад")
    cli.ok("roadmap", "add", "C", "Поход в баню", "--at", "2", "--script", "{person}, в баню?")


@pytest.fixture
def grown(prepared: Callable[..., Cli]) -> Cli:
    """The demo database plus a holiday link and a step added to roadmap C."""
    return prepared("transfer-growth", _build)


@pytest.fixture
def empty_db(tmp_path: Path, migrated_template: Path) -> Path:
    target = tmp_path / "empty.db"
    shutil.copy2(migrated_template, target)
    return target


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_every_new_file_round_trips_byte_identically(
    grown: Cli, empty_db: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    grown.ok("export", "all", str(first))
    for name in NEW_FILES:
        assert len((first / f"{name}.csv").read_text(encoding="utf-8").splitlines()) > 1, name
    grown.ok("--db", str(empty_db), "import", "all", str(first))
    grown.ok("--db", str(empty_db), "export", "all", str(second))
    for path in sorted(first.iterdir()):
        assert (second / path.name).read_bytes() == path.read_bytes(), path.name


def test_each_new_table_imports_on_its_own(grown: Cli, empty_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    grown.ok("export", "all", str(folder))
    for name in ("clients", "people", "deals", *NEW_FILES):
        table = name.replace("_", "-")
        grown.ok("--db", str(empty_db), "import", table, str(folder / f"{name}.csv"))
        again = grown.ok("--db", str(empty_db), "export", table).stdout
        assert again == (folder / f"{name}.csv").read_text(encoding="utf-8"), name


def test_a_moved_backup_plans_and_reports_the_same(
    grown: Cli, empty_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backup"
    grown.ok("export", "all", str(folder))
    grown.ok("--db", str(empty_db), "import", "all", str(folder))
    for command in COMPARED:
        original = grown.ok(*command).stdout
        assert len(original.splitlines()) > 1, command
        assert grown.ok("--db", str(empty_db), *command).stdout == original, command
    purposes = "SELECT purpose, purpose_ref, COUNT(*) FROM touch GROUP BY 1, 2"
    # sorted here: SQLite puts NULLs first, PostgreSQL last
    assert sorted(query(empty_db, purposes), key=repr) == sorted(
        query(grown.db, purposes), key=repr
    )
    referrals = "SELECT id, referred_by_id FROM client WHERE referred_by_id IS NOT NULL ORDER BY id"
    assert query(empty_db, referrals) == query(grown.db, referrals) != []


def test_reimport_is_idempotent(grown: Cli, tmp_path: Path, dump: Callable[[], str]) -> None:
    folder = tmp_path / "backup"
    grown.ok("export", "all", str(folder))
    before = dump()
    summary = grown.ok("import", "all", str(folder)).stderr.splitlines()[-1]
    assert dump() == before
    assert "created" not in summary and "updated" not in summary
    for part in ("products: 10 unchanged", "roadmap: 21 unchanged", "holiday links: 1 unchanged"):
        assert part in summary


def test_old_files_without_the_new_columns_still_import(grown: Cli, tmp_path: Path) -> None:
    touches = tmp_path / "touches.csv"
    grown.ok("export", "touches", "-o", str(touches))
    lines = touches.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(",answer,purpose,purpose_ref")
    old = [line.rsplit(",", 2)[0] for line in lines]  # no purpose cell holds a comma
    _write(touches, "\n".join(old) + "\n")
    counted = "SELECT COUNT(*) FROM touch WHERE purpose IS NOT NULL"
    kept = query(grown.db, counted)
    assert "touches: 1913 unchanged" in grown.ok("import", "touches", str(touches)).stderr
    assert query(grown.db, counted) == kept


def test_a_hand_written_catalog_with_links_and_deals(cli: Cli, tmp_path: Path) -> None:
    cli.add_client("Ромашка")
    deal = cli.open_deal("Ромашка")
    products = _write(
        tmp_path / "products.csv",
        "name,price,is_backend,related\n"
        "Щебень,2150,нет,песок; Цемент\n"
        "Песок,780,,\n"
        "Цемент,8900,да,\n",
    )
    cli.ok("import", "products", products)
    listed = cli.csv("product", "list")
    assert "Щебень" in listed and "Песок, Цемент" in listed.replace(";", ",")
    deal_products = _write(tmp_path / "dp.csv", f"deal_id,product\n{deal},ЩЕБЕНЬ\n")
    cli.ok("import", "deal-products", deal_products)
    assert "deal products: 1 unchanged" in cli.ok("import", "deal-products", deal_products).stderr
    assert query(cli.db, "SELECT deal_id, product_id FROM deal_product") == [(deal, 1)]
    moved = _write(tmp_path / "p2.csv", "name,related\nЩебень,Цемент\n")
    run = cli.ok("import", "products", moved, "--dry-run", "--format", "csv")
    assert run.stdout.splitlines()[1:] == ["products,update,1,Щебень,p2.csv:2,related"]


def test_a_backup_with_a_semicolon_in_a_product_name_still_restores(
    cli: Cli, tmp_path: Path
) -> None:
    """povtor now refuses such names, but an older database may hold one: its backup
    must restore, and a related cell naming it must read it as one name."""
    products = _write(
        tmp_path / "products.csv",
        "id,name,related\n"
        '1,"Масло; бочка 216,5 л",Цемент\n'
        "2,Цемент,\n"
        '3,Масло,"Цемент; Масло; бочка 216,5 л"\n',
    )
    cli.ok("import", "products", products)
    links = query(
        cli.db, "SELECT product_id, related_id FROM product_link ORDER BY product_id, related_id"
    )
    assert links == [(1, 2), (3, 1), (3, 2)]
    again = tmp_path / "again.csv"
    cli.ok("export", "products", "-o", str(again))
    assert "products: 3 unchanged" in cli.ok("import", "products", str(again)).stderr
    assert cli("product", "add", "Гравий; мытый").exit_code == 2  # a new one is refused


def test_roadmap_import_updates_by_code_and_renumbers(cli: Cli, tmp_path: Path) -> None:
    roadmap = _write(
        tmp_path / "roadmap.csv",
        "category,position,code,title,script\n"
        'C,1,promo,Акция для постоянных,"{person}, у нас акция. Рассказать?"\n'
        'C,2,sauna,Поход в баню,"{person}, в баню?"\n',
    )
    cli.ok("import", "roadmap", roadmap)
    steps = query(cli.db, "SELECT position, code FROM roadmap_step WHERE category = 'C' ORDER BY 1")
    assert steps == [(1, "promo"), (2, "sauna"), (3, "one-off"), (4, "info-service")]
    assert "roadmap: 2 unchanged" in cli.ok("import", "roadmap", roadmap).stderr


BAD_ROWS = [
    (
        "deal-products",
        "deal_id,product\n1,Несуществующий товар\n",
        "bad.csv:2: product: no product 'Несуществующий товар' in the catalog",
    ),
    ("occasions", "client_id,title,month,day\n999,День компании,3,15\n", "bad.csv:2: client_id: "),
    ("occasions", "client_id,title,month,day\n1,День компании,13,1\n", "bad.csv:2: month: 13 "),
    ("occasions", "client_id,title,month,day\n1,Високосный,2,30\n", "bad.csv:2: day: 02-30 "),
    ("client-steps", "client_id,category,step\n1,A,no-such-step\n", "bad.csv:2: step: "),
    ("roadmap", "category,code,title\nD,x,Шаг\n", "bad.csv:2: category: "),
    ("holiday-links", "holiday,industry\nno-such-day,фасад\n", "bad.csv:2: holiday: "),
    ("clients", "id,name,referred_by\n1,Ромашка,77\n", "bad.csv:2: referred_by: no client #77"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), BAD_ROWS)
def test_a_bad_row_is_one_line_and_changes_nothing(
    cli: Cli, tmp_path: Path, dump: Callable[[], str], kind: str, text: str, expected: str
) -> None:
    cli.add_client("Ромашка")
    cli.open_deal("Ромашка")
    before = dump()
    run = cli("import", kind, _write(tmp_path / "bad.csv", text))
    assert run.exit_code == 2, run.describe()
    assert run.stderr_lines[0].startswith(expected), run.describe()
    assert "nothing was imported" in run.stderr_lines[1]
    assert dump() == before


def test_every_bad_row_of_a_touches_file_is_listed(
    cli: Cli, tmp_path: Path, dump: Callable[[], str]
) -> None:
    cli.add_client("Ромашка")
    before = dump()
    touches = _write(
        tmp_path / "touches.csv",
        "client_id,kind,on_date,purpose,purpose_ref\n"
        "1,warming,2026-02-01,gift,birthday:1\n"
        "1,warming,2026-02-02,perk,birthday:1:2026\n"
        "1,warming,2026-02-03,,something\n",
    )
    run = cli("import", "touches", touches)
    assert run.exit_code == 2
    assert run.stderr_lines[0].startswith("touches.csv:2: purpose: 'gift' is not one of perk,")
    assert run.stderr_lines[1].startswith("touches.csv:4: purpose_ref: a purpose_ref needs")
    assert "2 problems; nothing was imported" in run.stderr_lines[2]
    assert dump() == before

"""``povtor import orders``: order lists from 1C, Excel and shops become paid deals."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest

from povtor.domain.importing import RowChecker
from povtor.domain.tabular import ImportMap, RawTable
from povtor.storage.transfer.orders import QUICK_COLUMNS
from support import Cli, dump_database, invoke, query

LINES = [
    # order, date, client, product, quantity, price, status
    ("101", "31.12.2024", "ООО «Ромашка»", "Щебень гранитный 20-40", "2,5", "1 200,00", "Оплачен"),
    ("101", "31.12.2024", "ООО «Ромашка»", "Песок мытый", "10", "150", "Оплачен"),
    ("102", "15.01.2025 14:05", "ИП Сидоров Семён", "Цемент М500", "5", "500", "Отменён"),
    ("103", "2025-02-01", "ооо «ромашка»", "Щебень гранитный 20-40", "-1", "1200", ""),
    ("103", "2025-02-01", "ООО «РОМАШКА»", "Щебень гранитный 20-40", "3", "1200", ""),
    ("104", "2025-02-03", "Рога и копыта", "Щебень гранитный 20-40", "-1", "1000", "Возврат"),
    ("105", "2025-02-04 09:30", "Рога и копыта", "Песок мытый", "-2", "100", ""),
    ("106", "03.03.2025", "Ёлкин и партнёры", "Бетон В25 «зимний»", "1,125", "4 500,50", ""),
]
HEADER = ("Номер", "Дата", "Контрагент", "Номенклатура", "Количество", "Цена", "Статус")


def orders_file(path: Path, *, encoding: str = "cp1251", delimiter: str = ";") -> Path:
    text = "\r\n".join(delimiter.join(row) for row in [HEADER, *LINES]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def test_order_lines_become_paid_deals(cli: Cli, tmp_path: Path) -> None:
    source = orders_file(tmp_path / "заказы.csv")
    run = cli.ok("import", "orders", str(source))
    assert run.stderr.splitlines() == [
        "заказы.csv:4: order 102 cancelled: skipped",
        "заказы.csv:5: order 103: returns of 1200.00 subtracted, net 2400.00",
        "заказы.csv:7: order 104 cancelled: skipped",
        "заказы.csv:8: order 105 net total -200.00 ≤ 0 after returns: skipped",
        "imported заказы.csv; clients: 2 created; deals: 3 created, 3 skipped; "
        "stage history: 6 created",
    ]
    assert cli.csv("deal", "list", "--status", "won").splitlines() == [
        "id,client,funnel,stage,status,amount,currency,days_in_stage,opened_on,expected_on,title,"
        "closed_on",
        "1,ООО «Ромашка»,repeat,paid,won,4500.00,RUB,,2024-12-31,,"
        '"№ 101: Щебень гранитный 20-40, Песок мытый",2024-12-31',
        "2,ООО «Ромашка»,repeat,paid,won,2400.00,RUB,,2025-02-01,,№ 103: Щебень гранитный 20-40,"
        "2025-02-01",
        "3,Ёлкин и партнёры,repeat,paid,won,5063.06,RUB,,2025-03-03,,№ 106: Бетон В25 «зимний»,"
        "2025-03-03",
    ]
    assert cli.ok("export", "stage-history").stdout.splitlines()[1:3] == [
        "1,1,open,,base,2024-12-31T09:00:00,2024-12-31,",
        "2,1,win,base,paid,2024-12-31T09:00:00,2024-12-31,",
    ]
    clients = query(cli.db, "SELECT id, name, created_on, external_id FROM client ORDER BY id")
    assert [c[:3] for c in clients] == [
        (1, "ООО «Ромашка»", "2024-12-31"),
        (2, "Ёлкин и партнёры", "2025-03-03"),
    ]
    assert all(c[3].startswith("name:") for c in clients)
    external = query(cli.db, "SELECT external_id FROM deal ORDER BY id")
    assert external == [("order:101",), ("order:103",), ("order:106",)]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1251", "\t"), ("utf-16", "\t"), ("cp1251", ",")],
)
def test_every_encoding_and_delimiter_gives_the_same_deals(
    cli: Cli, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    lines = [[c.replace(",", ".") if delimiter == "," else c for c in row] for row in LINES]
    rows = [HEADER, *lines]
    if delimiter == ",":
        text = "\n".join(",".join(f'"{c}"' for c in row) for row in rows) + "\n"
    else:
        text = "\n".join(delimiter.join(row) for row in rows) + "\n"
    source = tmp_path / "orders.txt"
    source.write_bytes(text.encode(encoding))
    cli.ok("import", "orders", str(source))
    deals = query(cli.db, "SELECT external_id, amount_minor, closed_on FROM deal ORDER BY id")
    assert deals == [
        ("order:101", 450000, "2024-12-31"),
        ("order:103", 240000, "2025-02-01"),
        ("order:106", 506306, "2025-03-03"),
    ]


def test_reimport_updates_and_cancels(cli: Cli, tmp_path: Path) -> None:
    source = orders_file(tmp_path / "orders.csv")
    cli.ok("import", "orders", str(source))
    again = cli.ok("import", "orders", str(source))
    assert again.stderr.splitlines()[-1] == ("imported orders.csv; deals: 3 skipped, 3 unchanged")
    changed = [list(row) for row in LINES]
    changed[0][5] = "1 300,00"  # a price corrected in 1C
    changed[7][6] = "Отменён"  # order 106 cancelled after all
    source.write_bytes("\n".join(";".join(r) for r in [HEADER, *changed]).encode("cp1251"))
    run = cli.ok("import", "orders", str(source))
    assert "orders.csv:9: order 106 cancelled: its deal #3 is removed" in run.stderr
    assert run.stderr.splitlines()[-1] == (
        "imported orders.csv; deals: 1 updated, 1 removed, 3 skipped, 1 unchanged"
    )
    assert query(cli.db, "SELECT id, amount_minor FROM deal ORDER BY id") == [
        (1, 475000),
        (2, 240000),
    ]
    assert query(cli.db, "SELECT COUNT(*) FROM stage_change WHERE deal_id = 3") == [(0,)]


def test_existing_clients_are_matched_by_name_or_code(cli: Cli, tmp_path: Path) -> None:
    cli.add_client("Семён Ёлкин", "--company", "ООО «Ёлка»")
    cli.add_client("Иван Петров")
    source = tmp_path / "orders.csv"
    source.write_text(
        "order_id,date,client,client_code,amount\n"
        'A-1,2025-01-10,ооо «елка»,,"1 234,50"\n'
        'A-2,2025-01-11,СЕМЁН ЁЛКИН,,"1,234.50"\n'
        "A-3,2025-01-12,Иван Петров,К-7,100\n"
        "A-4,2025-01-13,Иван Петров (ИП),К-7,200\n"
        "A-5,2025-01-14,Новый клиент,К-8,300\n",
        encoding="utf-8",
    )
    run = cli.ok("import", "orders", str(source))
    assert "clients: 1 created, 1 updated" in run.stderr
    deals = query(cli.db, "SELECT external_id, client_id, amount_minor FROM deal ORDER BY id")
    assert deals == [
        ("order:A-1", 1, 123450),
        ("order:A-2", 1, 123450),
        ("order:A-3", 2, 10000),
        ("order:A-4", 2, 20000),
        ("order:A-5", 3, 30000),
    ]
    assert query(cli.db, "SELECT external_id FROM client ORDER BY id") == [
        (None,),
        ("К-7",),
        ("К-8",),
    ]


def test_a_new_client_is_found_by_the_later_lines_that_name_it(cli: Cli, tmp_path: Path) -> None:
    """A client new to povtor is made once: later lines find it by its name whether they
    give a code or not, and a client known only by its code by that code as a name."""
    source = tmp_path / "orders.csv"
    source.write_text(
        "order_id,date,client,client_code,amount\n"
        "1,2025-01-05,Ромашка,,100\n"
        "2,2025-01-06,РОМАШКА,C1,200\n"
        "3,2025-01-07,Незабудка,C3,10\n"
        "4,2025-01-08,незабудка,,20\n"
        "5,2025-01-09,,Лютик,30\n"
        "6,2025-01-10,Лютик,,40\n"
        "7,2025-01-11,Клевер,,50\n",
        encoding="utf-8",
    )
    run = cli.ok("import", "orders", str(source))
    assert "clients: 4 created, 1 updated" in run.stderr
    assert query(cli.db, "SELECT id, name, external_id FROM client ORDER BY id") == [
        (1, "Ромашка", "C1"),
        (2, "Незабудка", "C3"),
        (3, "Лютик", "Лютик"),
        (4, "Клевер", "name:4858d41fd16a"),
    ]
    assert query(cli.db, "SELECT client_id FROM deal ORDER BY id") == [
        (1,), (1,), (2,), (2,), (3,), (3,), (4,)
    ]  # fmt: skip
    # the placeholder for lines without a client may not be a client of the file
    placeholder = tmp_path / "map.toml"
    placeholder.write_text('no_client = "клевер"\n', encoding="utf-8")
    again = tmp_path / "more.csv"
    again.write_text(
        "order_id,date,client,amount\n8,2025-02-01,Кактус,10\n9,2025-02-02,,20\n"
        "10,2025-02-03,КАКТУС,30\n",
        encoding="utf-8",
    )
    failed = cli("import", "orders", str(again), "--map", str(placeholder))
    assert failed.exit_code == 2, failed.describe()
    assert "'клевер', the placeholder for rows without a client" in failed.stderr
    placeholder.write_text('no_client = "кактус"\n', encoding="utf-8")
    failed = cli("import", "orders", str(again), "--map", str(placeholder))
    assert failed.exit_code == 2, failed.describe()
    assert "'кактус', the placeholder for rows without a client" in failed.stderr


def test_statuses_are_mapped_or_refused(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "invoices.csv"
    source.write_text(
        "Счёт №;Дата;Покупатель;Сумма;Состояние\n"
        "С-1;10.02.2026;Ромашка;10 000;Счёт выставлен\n"
        "С-2;11.02.2026;Ромашка;20 000;Оплачен\n"
        "С-3;12.02.2026;Ромашка;5 000;Аннулирован\n",
        encoding="utf-8",
    )
    run = cli("import", "orders", str(source))
    assert run.exit_code == 2
    assert run.stderr.splitlines()[0] == (
        "invoices.csv:2: Состояние (status): 'Счёт выставлен' is neither paid nor cancelled; "
        'map it in [stages] of a --map file (e.g. "Счёт выставлен" = "paid", or "invoice", '
        'or "cancelled")'
    )
    mapping = tmp_path / "1c.toml"
    mapping.write_text('[stages]\n"Счёт выставлен" = "invoice"\n', encoding="utf-8")
    cli.ok("import", "orders", str(source), "--map", str(mapping))
    rows = cli.csv("deal", "list", "--status", "all").splitlines()[1:]
    assert [r.split(",")[3:6] for r in rows] == [
        ["invoice", "open", "10000.00"],
        ["paid", "won", "20000.00"],
    ]


def test_xlsx_orders(cli: Cli, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Продажи"
    sheet.append(["Реестр заказов за 2025 год"])  # a title above the header, as 1C writes
    sheet.append([])
    sheet.append(["№ заказа", "Дата заказа", "Клиент", "Товар", "Кол-во", "Цена", "Сумма"])
    sheet.append(
        [7001, dt.datetime(2025, 3, 14, 15, 20), "ГлавДорСтрой", "Щебень", 20, 1450.5, None]
    )
    sheet.append([7001, dt.datetime(2025, 3, 14), "ГлавДорСтрой", "Доставка", None, None, 3500])
    sheet.append([7002, dt.date(2025, 4, 1), "СтройМонолит", "Бетон", 2.5, 5200, None])
    sheet.append(["7003", "01.05.2025", "СтройМонолит", "Бетон", -2.5, 5200, None])
    path = tmp_path / "продажи.xlsx"
    book.save(path)
    run = cli.ok("import", "orders", str(path))
    assert "продажи.xlsx: the header is on line 3; the lines above it are skipped" in run.stderr
    assert "продажи.xlsx:7: order 7003 net total -13000.00 ≤ 0 after returns: skipped" in run.stderr
    assert query(cli.db, "SELECT external_id, amount_minor, closed_on FROM deal ORDER BY id") == [
        ("order:7001", 3251000, "2025-03-14"),
        ("order:7002", 1300000, "2025-04-01"),
    ]
    bad = openpyxl.Workbook()
    bad.active.append(["order_id", "date", "client", "amount"])
    bad.active.append([1, "вчера", "Ромашка", "много"])
    bad.save(tmp_path / "bad.xlsx")
    run = cli("import", "orders", str(tmp_path / "bad.xlsx"))
    assert run.exit_code == 2
    assert run.stderr.splitlines()[:2] == [
        "bad.xlsx:2: date: 'вчера' is not a date",
        "bad.xlsx:2: amount: 'много' is not an amount of money",
    ]


def test_orders_from_stdin(cli: Cli) -> None:
    data = "order_id\tdate\tclient\tamount\n1\t2025-06-01\tРомашка\t990\n"
    run = invoke(["import", "orders", "-"], input=data.encode("cp1251"))
    assert run.exit_code == 0, run.describe()
    assert (
        run.stderr
        == "imported stdin; clients: 1 created; deals: 1 created; stage history: 2 created\n"
    )
    assert query(cli.db, "SELECT name FROM client") == [("Ромашка",)]


def test_imported_history_feeds_the_plan(cli: Cli, tmp_path: Path) -> None:
    rows = ["order_id,date,client,amount"]
    rows += [f"T{m},2025-{m:02d}-10,Тихий Дом,{1000 * m}" for m in range(1, 10)]
    rows += [f"A{m},2025-{m:02d}-15,Активный Строй,500" for m in range(4, 13)]
    rows += ["A13,2026-01-15,Активный Строй,500", "A14,2026-02-16,Активный Строй,500"]
    source = tmp_path / "history.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    cli.ok("import", "orders", str(source))
    won = cli.csv("deal", "list", "--status", "won").splitlines()
    assert len(won) == 1 + 20
    plan = cli.csv("plan", "today").splitlines()
    silent = [line for line in plan if line.split(",")[1] == "Тихий Дом"]
    assert len(silent) == 1
    assert "silent 173 days since the last purchase on 2025-09-10" in silent[0]
    assert not any("Активный Строй" in line and "silent" in line for line in plan)


def test_big_files_import_quickly(cli: Cli, tmp_path: Path) -> None:
    lines = ["Номер;Дата;Контрагент;Товар;Количество;Цена;Статус"]
    for n in range(20_000):
        order = n // 4
        status = "Отменён" if order % 50 == 7 else "Оплачен"
        lines.append(
            f"{order};{1 + order % 28:02d}.{1 + order % 12:02d}.2025;Клиент {order % 300};"
            f"Товар {n % 9};{1 + n % 5};{100 + n % 700},50;{status}"
        )
    source = tmp_path / "big.csv"
    source.write_bytes(codecs.BOM_UTF8 + "\n".join(lines).encode("utf-8"))
    import time

    started = time.perf_counter()
    run = cli.ok("import", "orders", str(source))
    elapsed = time.perf_counter() - started
    assert "deals: 4900 created, 100 skipped; stage history: 9800 created" in run.stderr
    assert elapsed < 5, elapsed


def test_a_progress_bar_on_a_terminal(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from povtor.cli import imports as transfer

    monkeypatch.setattr(transfer, "on_terminal", lambda: True)
    monkeypatch.setattr(transfer, "PROGRESS_MIN_ROWS", 2)
    source = tmp_path / "orders.csv"
    source.write_text(
        "order_id,date,client,amount\n1,2025-01-01,Ромашка,1\n2,2025-01-02,Ромашка,2\n",
        encoding="utf-8",
    )
    run = cli.ok("import", "orders", str(source))
    assert run.stderr.splitlines()[-1] == (
        "imported orders.csv; clients: 1 created; deals: 2 created; stage history: 4 created"
    )
    assert query(cli.db, "SELECT COUNT(*) FROM deal") == [(2,)]


@pytest.mark.sqlite_only("compares the SQLite file's rows and indexes with another file's")
def test_a_large_import_is_written_in_chunks_all_or_nothing(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planned writes run a few at a time (here 7), indexes dropped and made again,
    in the import's one transaction: the same database as one batch gives, and nothing
    at all when a row that comes late has a problem."""
    from povtor.storage.transfer import importer

    source = tmp_path / "orders.csv"
    rows = [
        f"{100 + n},2025-{1 + n % 12:02d}-{1 + n % 28:02d},Клиент {n % 13},{n * 10}.50,Оплачен"
        for n in range(60)
    ]
    source.write_text("order_id,date,client,amount,status\n" + "\n".join(rows) + "\n")
    whole = tmp_path / "whole.db"
    cli.ok("--db", str(whole), "import", "orders", str(source))
    monkeypatch.setattr(importer, "CHUNK_WRITES", 7)
    monkeypatch.setattr(importer, "REINDEX_MIN_ROWS", 5)
    run = cli.ok("import", "orders", str(source))
    assert run.stderr.endswith(
        "clients: 13 created; deals: 60 created; stage history: 120 created\n"
    )
    assert _rows(cli.db) == _rows(whole)
    indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    assert query(cli.db, indexes) == query(whole, indexes)
    # a status that names no stage, on the last order: found after writes have run
    before = dump_database(cli.db)
    late = source.read_text() + "900,2025-06-01,Новый клиент,10,Ждёт\n"
    source.write_text(late.replace("Клиент ", "Заказчик "))
    map_file = tmp_path / "map.toml"
    map_file.write_text('[stages]\n"Ждёт" = "nowhere"\n"Оплачен" = "paid"\n', encoding="utf-8")
    failed = cli("import", "orders", str(source), "--map", str(map_file))
    assert failed.exit_code == 2, failed.describe()
    assert "orders.csv:62: status: 'nowhere' is not a stage of funnel repeat" in failed.stderr
    assert dump_database(cli.db) == before


def _rows(path: Path) -> list[str]:
    """Every row of every table (as SQL), in table order: the data without the schema."""
    return [line for line in str(dump_database(path)).splitlines() if line.startswith("INSERT")]


def _large_orders(count: int) -> str:
    """An order list of more than a mebibyte: read in pieces, with its rows streamed."""
    rows = ["Номер;Дата;Контрагент;Сумма"]
    for n in range(count):
        rows.append(f"{n + 1};0{n % 9 + 1}.02.2025;ООО «Северный ветер {n % 700}» (опт);1 500,25")
    return "\r\n".join(rows) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
def test_a_large_file_in_any_encoding_imports_every_order(
    cli: Cli, tmp_path: Path, encoding: str
) -> None:
    data = _large_orders(20_000).encode(encoding)
    assert len(data) > 1 << 20
    source = tmp_path / "orders.csv"
    source.write_bytes(data)
    run = cli.ok("import", "orders", str(source))
    assert run.stderr.splitlines()[-1] == (
        "imported orders.csv; clients: 700 created; deals: 20000 created; "
        "stage history: 40000 created"
    )
    assert query(cli.db, "SELECT name FROM client WHERE id = 700") == [
        ("ООО «Северный ветер 699» (опт)",)
    ]
    assert query(cli.db, "SELECT COUNT(*), SUM(amount_minor) FROM deal") == [
        (20000, 20000 * 150025)
    ]


def test_a_large_file_broken_near_its_end_names_the_byte(cli: Cli, tmp_path: Path) -> None:
    data = _large_orders(20_000).encode("utf-8")
    source = tmp_path / "orders.csv"
    source.write_bytes(data + "20001;01.03.2025;Ёлкин;10\r\n".encode("cp1251"))
    settings = tmp_path / "map.toml"
    settings.write_text('encoding = "utf-8"\n', encoding="utf-8")
    run = cli("import", "orders", str(source), "--map", str(settings))
    assert run.exit_code == 2, run.describe()
    assert f"orders.csv: not valid utf-8 at byte {len(data) + 17}" in run.stderr
    assert run.exception is None
    assert query(cli.db, "SELECT COUNT(*) FROM deal") == [(0,)]


@pytest.mark.parametrize(
    ("zone", "noons"),
    [
        ("Europe/Moscow", ["2025-03-29T09:00:00", "2025-03-31T09:00:00"]),
        # the clocks go forward on 2025-03-30: noon is 11:00 UTC before, 10:00 after
        ("Europe/Berlin", ["2025-03-29T11:00:00", "2025-03-31T10:00:00"]),
        # noon at UTC+14 is 22:00 UTC of the day before
        ("Pacific/Kiritimati", ["2025-03-28T22:00:00", "2025-03-30T22:00:00"]),
    ],
)
def test_the_history_of_a_plain_order_is_at_noon_of_its_day(
    cli: Cli, tmp_path: Path, zone: str, noons: list[str]
) -> None:
    source = tmp_path / "orders.csv"
    source.write_text(
        "order_id,date,client,amount\n"
        "1,2025-03-29,Ромашка,100\n2,2025-03-31,Ромашка,200\n3,2025-03-29,Лютик,300\n",
        encoding="utf-8",
    )
    cli.ok("--tz", zone, "import", "orders", str(source))
    first, second = noons
    assert cli.ok("--tz", zone, "export", "stage-history").stdout.splitlines()[1:] == [
        f"1,1,open,,base,{first},2025-03-29,",
        f"2,1,win,base,paid,{first},2025-03-29,",
        f"3,2,open,,base,{second},2025-03-31,",
        f"4,2,win,base,paid,{second},2025-03-31,",
        f"5,3,open,,base,{first},2025-03-29,",
        f"6,3,win,base,paid,{first},2025-03-29,",
    ]


# a plain order list (order id, date, client, sum): most rows read straight into the order
# book, some (spaces around a name, a sum with a space or a comma, a date with a time or
# in another format, a name to be normalised) checked as records
PLAIN_ORDERS = [
    ("1", "2025-03-29", "ООО «Ромашка»", "1200.50"),
    ("2", "2025-03-30", " ООО «Ромашка» ", "1 000,00"),
    ("3", "29.03.2025", "ооо «ромашка»", "0"),
    ("4", "2025-03-31 13:45", "Семён Петров", "-10"),
    ("4", "2025-03-28", "Семен Петров", "50"),
    ("5", "2025-04-01", "Ёлкин и партнёры", "300,5"),
    ("6", "2025-04-01", "Е\u0308лкин и партнёры", "15"),
    ("7", "2025-04-02", "John Smith", "20"),
    ("8", "2025-04-02", "Ⅻ век", "7"),
    ("8", "2025-04-03", "XII век", "5"),
    ("9", "2025-04-03", "John Smith", "5"),
    ("9", "2025-04-03", "John Smith", "-5"),
    ("10", "2025-10-26", "John Smith", "12"),
    ("Z" * 199, "2025-04-04", "John Smith", "1"),  # a title of "№ " and the id is too long
]


def _plain_orders(
    path: Path, lines: list[tuple[str, ...]], *, status: bool, encoding: str = "utf-8"
) -> Path:
    """The lines as an order list; with ``status``, a status column of "paid" in each row
    (the same orders, every row read as a record)."""
    header = "order_id,date,client,amount" + (",status" if status else "")
    rows = [
        ",".join(f'"{cell}"' for cell in (*line, *(["оплачен"] if status else [])))
        for line in lines
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    return path


@pytest.mark.sqlite_only("compares the SQLite file's rows with another file's")
@pytest.mark.parametrize("zone", ["Europe/Moscow", "America/New_York"])
def test_a_plain_file_read_row_by_row_or_as_records_gives_the_same_database(
    cli: Cli, tmp_path: Path, zone: str
) -> None:
    quick = _plain_orders(tmp_path / "quick" / "orders.csv", PLAIN_ORDERS, status=False)
    records = _plain_orders(tmp_path / "records" / "orders.csv", PLAIN_ORDERS, status=True)
    other = tmp_path / "records.db"
    first = cli.ok("--tz", zone, "import", "orders", str(quick))
    second = cli.ok("--db", str(other), "--tz", zone, "import", "orders", str(records))
    assert first.stderr == second.stderr
    assert first.stderr.endswith(
        "clients: 5 created; deals: 10 created, 1 skipped; stage history: 20 created\n"
    )
    assert _rows(cli.db) == _rows(other)
    deals = query(
        cli.db,
        "SELECT d.id, c.name, f.code, s.code, d.title, d.amount_minor, typeof(d.amount_minor), "
        "d.currency, d.status, d.opened_on, d.stage_entered_on, d.expected_on, d.closed_on, "
        "d.lost_reason, d.follow_up_on, d.external_id, d.seller_id FROM deal d "
        "JOIN client c ON c.id = d.client_id JOIN funnel f ON f.id = d.funnel_id "
        "JOIN stage s ON s.id = d.stage_id WHERE d.id IN (1, 2) ORDER BY d.id",
    )
    day1, day2 = "2025-03-29", "2025-03-30"
    assert deals == [
        (1, "ООО «Ромашка»", "repeat", "paid", "№ 1", 120050, "integer", "RUB", "won", day1,
         day1, None, day1, None, None, "order:1", None),
        (2, "ООО «Ромашка»", "repeat", "paid", "№ 2", 100000, "integer", "RUB", "won", day2,
         day2, None, day2, None, None, "order:2", None),
    ]  # fmt: skip
    titles = query(cli.db, "SELECT title FROM deal WHERE external_id = ?", ("order:" + "Z" * 199,))
    assert titles == [("№ " + "Z" * 197 + "…",)]
    again = cli.ok("--tz", zone, "import", "orders", str(quick))
    assert again.stderr.endswith("imported orders.csv; deals: 1 skipped, 10 unchanged\n")
    assert _rows(cli.db) == _rows(other)
    assert "is sound" in cli.ok("db", "check").stderr


@pytest.mark.sqlite_only("compares the SQLite file's rows with another file's")
def test_the_problems_of_a_plain_file_are_those_of_its_rows_as_records(
    cli: Cli, tmp_path: Path
) -> None:
    bad = [
        *PLAIN_ORDERS,
        ("20", "2027-01-01", "Будущий", "10"),
        ("21", "2025-13-01", "Плохая дата", "10"),
        ("22", "2025-01-01", "", "10"),
        ("23", "2025-01-01", "Сумма", "1e3"),
        ("1", "2025-03-29", "Другой клиент", "5"),
        ("24", "2025-01-01", "Управляющий\u202eсимвол", "5"),
        ("25", "2025-01-01", "x" * 300, "5"),
        ("26", "2025-01-01", "Сумма", "12.345"),
    ]
    quick = _plain_orders(tmp_path / "quick" / "orders.csv", bad, status=False)
    records = _plain_orders(tmp_path / "records" / "orders.csv", bad, status=True)
    before = dump_database(cli.db)
    first = cli("import", "orders", str(quick))
    second = cli("import", "orders", str(records))
    assert first.exit_code == second.exit_code == 2, first.describe()
    assert first.stderr == second.stderr
    assert "orders.csv:16: date: 2027-01-01 is in the future" in first.stderr
    assert "orders.csv:20: order '1' is for 'ООО «Ромашка»' on line 2" in first.stderr
    assert dump_database(cli.db) == before


@pytest.mark.sqlite_only("compares the SQLite file's rows with another file's")
def test_the_quote_marks_of_a_spreadsheet_file_go_the_same_way_in_a_plain_file(
    cli: Cli, tmp_path: Path
) -> None:
    lines = [("'0012", "2025-03-01", "'+7 Ромашка", "'100"), ("13", "2025-03-02", "Лютик", "5")]
    quick = tmp_path / "quick" / "orders.csv"
    records = tmp_path / "records" / "orders.csv"
    _plain_orders(quick, lines, status=False, encoding="utf-8-sig")
    _plain_orders(records, lines, status=True, encoding="utf-8-sig")
    other = tmp_path / "records.db"
    first = cli.ok("import", "orders", str(quick))
    assert first.stderr == cli.ok("--db", str(other), "import", "orders", str(records)).stderr
    assert _rows(cli.db) == _rows(other)
    assert query(cli.db, "SELECT c.name, d.external_id, d.amount_minor FROM deal d "
                 "JOIN client c ON c.id = d.client_id ORDER BY d.id") == [
        ("+7 Ромашка", "order:0012", 10000),
        ("Лютик", "order:13", 500),
    ]  # fmt: skip


# an order list with no order id: the map composes it of the customer's code, the shop (a
# column of nothing else) and the day; most rows read straight into the order book, some
# (a blank shop, spaces around a cell, a shop's name to be normalised) checked as records
COMPOSED_MAP = (
    '[columns]\n"CustomerID" = "client_code"\n"InvoiceDate" = "date"\n"Sales" = "amount"\n'
    '[compose]\norder_id = ["CustomerID", "Shop", "InvoiceDate"]\n'
)
COMPOSED_ORDERS = [
    ("17850", "2025-12-01", "A", "10.50"),
    ("17850", "2025-12-01", "A", "4.50"),
    ("17850", "2025-12-02", "A", "7"),
    ("13047", "2025-12-01", "", "3"),  # "13047//2025-12-01"
    ("13047", "2025-12-01", " B ", "2"),
    ("13047", "2025-12-01", "B", "1"),  # the order of the line above
    ("13047", "2025-12-02", "\u00a0B", "1"),
    ("13047", "2025-12-02", "B\t", "1"),
    ("13047", "2025-12-02 ", "B", "1"),
    ("20001", "2025-12-03", "Е\u0308лка", "5"),
    ("20001", "2025-12-03", "Ёлка", "5"),  # the order of the line above
    (" 20001 ", "2025-12-04", "Ёлка", "6"),
    ("20002", "2025-12-04", "Z" * 183, "1"),  # an order id of 200 characters, the most
]


def _composed_orders(
    path: Path, lines: list[tuple[str, ...]], *, status: bool, encoding: str = "utf-8"
) -> tuple[Path, Path]:
    """The lines as an order list with its map; with ``status``, a status column of "paid"
    in each row (the same orders, every row read as a record)."""
    header = "CustomerID,InvoiceDate,Shop,Sales" + (",Status" if status else "")
    rows = [
        ",".join(f'"{cell}"' for cell in (*line, *(["оплачен"] if status else [])))
        for line in lines
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    crm = path.with_suffix(".toml")
    crm.write_text(COMPOSED_MAP, encoding="utf-8")
    return path, crm


@pytest.mark.sqlite_only("compares the SQLite file's rows with another file's")
def test_a_composed_order_id_read_row_by_row_or_as_records_gives_the_same_database(
    cli: Cli, tmp_path: Path
) -> None:
    quick, quick_map = _composed_orders(
        tmp_path / "quick" / "sales.csv", COMPOSED_ORDERS, status=False
    )
    records, records_map = _composed_orders(
        tmp_path / "records" / "sales.csv", COMPOSED_ORDERS, status=True
    )
    other = tmp_path / "records.db"
    first = cli.ok("import", "orders", str(quick), "--map", str(quick_map))
    second = cli.ok("--db", str(other), "import", "orders", str(records), "--map", str(records_map))
    assert (first.stdout, first.stderr) == (second.stdout, second.stderr)
    assert first.stderr.endswith(
        "clients: 4 created; deals: 8 created; stage history: 16 created\n"
    )
    assert _rows(cli.db) == _rows(other)
    assert query(cli.db, "SELECT external_id, amount_minor FROM deal ORDER BY id") == [
        ("order:17850/A/2025-12-01", 1500),
        ("order:17850/A/2025-12-02", 700),
        ("order:13047//2025-12-01", 300),
        ("order:13047/B/2025-12-01", 300),
        ("order:13047/B/2025-12-02", 300),
        ("order:20001/Ёлка/2025-12-03", 1000),
        ("order:20001/Ёлка/2025-12-04", 600),
        ("order:20002/" + "Z" * 183 + "/2025-12-04", 100),
    ]
    again = cli.ok("import", "orders", str(quick), "--map", str(quick_map))
    assert again.stderr.endswith("imported sales.csv; deals: 8 unchanged\n")
    assert _rows(cli.db) == _rows(other)


@pytest.mark.sqlite_only("compares the SQLite file's rows with another file's")
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_the_problems_of_a_composed_order_id_are_those_of_its_rows_as_records(
    cli: Cli, tmp_path: Path, encoding: str
) -> None:
    bad = [
        *COMPOSED_ORDERS,
        ("20010", "2027-01-01", "C", "10"),
        ("20011", "2025-13-01", "C", "10"),
        ("", "2025-12-01", "C", "10"),
        ("20012", "2025-12-01", "C", "1e3"),
        ("20013", "2025-12-01", "C\u202e", "5"),
        ("20014", "2025-12-01", "Z" * 184, "5"),
        ("'20015", "2025-12-01", "C", "5"),
        ("20016", "", "", "5"),
        ("", "", "", "5"),
        ("20017", "2025-12-01", "C", "5"),
    ]
    quick, quick_map = _composed_orders(
        tmp_path / "quick" / "sales.csv", bad, status=False, encoding=encoding
    )
    records, records_map = _composed_orders(
        tmp_path / "records" / "sales.csv", bad, status=True, encoding=encoding
    )
    before = dump_database(cli.db)
    first = cli("import", "orders", str(quick), "--map", str(quick_map))
    second = cli("import", "orders", str(records), "--map", str(records_map))
    assert first.exit_code == second.exit_code == 2, first.describe()
    assert (first.stdout, first.stderr) == (second.stdout, second.stderr)
    assert "sales.csv:15: InvoiceDate (date): 2027-01-01 is in the future" in first.stderr
    assert (
        "sales.csv:20: CustomerID + Shop + InvoiceDate (order_id) is 201 characters long; "
        "at most 200 are allowed" in first.stderr
    )
    assert dump_database(cli.db) == before


def test_only_a_composed_text_of_clean_cells_skips_the_record() -> None:
    """The rows of a composed order id that come straight to the order book as tuples."""
    imap = ImportMap(
        columns={"customerid": "client_code", "invoicedate": "date", "sales": "amount"},
        compose={"order_id": ("customerid", "shop", "invoicedate")},
    )
    header = (1, ["CustomerID", "InvoiceDate", "Shop", "Sales"])
    lines = [
        ["17850", "2025-12-01", "A", "10.50"],
        ["17850", "2025-12-01", "", "1"],
        ["17850", "2025-12-01", "A ", "1"],
        ["17850", "2025-12-01", "Е\u0308лка", "1"],
        ["17850", "2025-12-01", "Z" * 184, "1"],
        ["17850", "2025-12-01", "Ёлка", "1"],
    ]
    table = RawTable("s.csv", [header, *enumerate(lines, start=2)])
    check = RowChecker(imap)
    head = check.header(table, "orders")
    assert head is not None
    latest = dt.date(2026, 1, 1).toordinal()
    rows = list(check.quick_rows(table, "orders", head, QUICK_COLUMNS, latest=latest))
    day = dt.date(2025, 12, 1).toordinal()
    assert rows[0] == (2, ("17850/A/2025-12-01", day, None, "17850", 1050))
    assert rows[5] == (7, ("17850/Ёлка/2025-12-01", day, None, "17850", 100))
    assert [isinstance(rec, tuple) for _where, rec in rows] == [True] + [False] * 4 + [True]
    # a composed date is read as a record, every row of it
    dated = RowChecker(
        ImportMap(
            columns={"customerid": "client_code", "sales": "amount", "shop": "order_id"},
            compose={"date": ("invoicedate",)},
        )
    )
    head = dated.header(table, "orders")
    assert head is not None
    rows = list(dated.quick_rows(table, "orders", head, QUICK_COLUMNS, latest=latest))
    assert rows and not any(isinstance(rec, tuple) for _where, rec in rows)

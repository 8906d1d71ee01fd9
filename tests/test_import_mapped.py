"""Files from other CRMs: their column names, stage names and date format, via --map."""

from __future__ import annotations

from pathlib import Path

from support import Cli, query

AMO_ROWS = (
    "ID;Название сделки;Бюджет, руб;Этап сделки;Воронка;Компания;Дата создания;"
    "Дата закрытия;Причина отказа;Ответственный",
    "18201;Щебень 40 т на объект «Север»;125 000;Первичный контакт;Продажи;"
    "ООО «СтройМонолит»;02.12.2024;;;Иванова",
    "18202;Бетон В25, 300 куб. м;1 896 723,50;Успешно реализовано;Продажи;"
    "ООО «ГлавДорСтрой»;01.11.2024;31.12.2024;;Иванова",
    "18203;Песок мытый;37 608;Закрыто и не реализовано;Продажи;ООО «СтройМонолит»;"
    "05.11.2024;20.11.2024;Дорого, ушли к конкуренту;Петров",
    "18204;Цемент М500;240 000,00;Счёт выставлен;Продажи;ИП Ёлкин;15.02.2026;;;Петров",
)
AMO_DEALS = "\n".join(AMO_ROWS) + "\n"
AMO_MAP = """\
# amoCRM -> povtor
[columns]
"ID" = "external_id"
"Название сделки" = "title"
"Бюджет, руб" = "amount"
"Этап сделки" = "stage"
"Компания" = "client"
"Дата создания" = "opened_on"
"Дата закрытия" = "closed_on"
"Причина отказа" = "lost_reason"
"Воронка" = "-"

[stages]
"Первичный контакт" = "request"
"Переговоры" = "proposal"
"Счёт выставлен" = "invoice"
"Успешно реализовано" = "paid"
"Закрыто и не реализовано" = "lost"
"""


def _write(path: Path, text: str, encoding: str = "cp1251") -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def test_foreign_crm_deals(cli: Cli, tmp_path: Path) -> None:
    deals = _write(tmp_path / "amocrm.csv", AMO_DEALS)
    mapping = _write(tmp_path / "amocrm.toml", AMO_MAP, "utf-8")
    dry = cli.ok("import", "deals", str(deals), "--map", str(mapping), "--dry-run", "-f", "csv")
    assert dry.stdout.splitlines() == [
        "table,action,id,record,where,changes",
        "clients,create,1,ООО «СтройМонолит»,amocrm.csv:2,",
        "deals,create,1,Щебень 40 т на объект «Север»,amocrm.csv:2,",
        "clients,create,2,ООО «ГлавДорСтрой»,amocrm.csv:3,",
        'deals,create,2,"Бетон В25, 300 куб. м",amocrm.csv:3,',
        "deals,create,3,Песок мытый,amocrm.csv:4,",
        "clients,create,3,ИП Ёлкин,amocrm.csv:5,",
        "deals,create,4,Цемент М500,amocrm.csv:5,",
    ]
    assert dry.stderr.splitlines() == [
        "amocrm.csv: ignored column(s) Ответственный",
        "dry run of amocrm.csv, nothing was changed; clients: 3 to create; deals: 4 to create; "
        "stage history: 6 to create",
    ]
    assert query(cli.db, "SELECT COUNT(*) FROM deal") == [(0,)]
    cli.ok("import", "deals", str(deals), "--map", str(mapping))
    assert cli.ok("export", "deals").stdout.splitlines()[1:] == [
        "1,1,repeat,request,Щебень 40 т на объект «Север»,125000.00,RUB,open,2024-12-02,"
        "2024-12-02,,,,,18201",
        '2,2,repeat,paid,"Бетон В25, 300 куб. м",1896723.50,RUB,won,2024-11-01,2024-12-31,,'
        "2024-12-31,,,18202",
        "3,1,repeat,base,Песок мытый,37608.00,RUB,lost,2024-11-05,2024-11-05,,2024-11-20,"
        '"Дорого, ушли к конкуренту",,18203',
        "4,3,repeat,invoice,Цемент М500,240000.00,RUB,open,2026-02-15,2026-02-15,,,,,18204",
    ]
    assert cli.ok("export", "stage-history").stdout.splitlines()[1:] == [
        "1,1,open,,request,2024-12-02T09:00:00,2024-12-02,",
        "2,2,open,,base,2024-11-01T09:00:00,2024-11-01,",
        "3,2,win,base,paid,2024-12-31T09:00:00,2024-12-31,",
        "4,3,open,,base,2024-11-05T09:00:00,2024-11-05,",
        '5,3,lose,base,,2024-11-20T09:00:00,2024-11-20,"Дорого, ушли к конкуренту"',
        "6,4,open,,invoice,2026-02-15T09:00:00,2026-02-15,",
    ]
    # the deal moved on in amoCRM: the re-import updates it and records the move
    moved = AMO_DEALS.replace("125 000;Первичный контакт", "130 000;Переговоры")
    _write(deals, moved)
    run = cli.ok("import", "deals", str(deals), "--map", str(mapping))
    assert run.stderr.splitlines()[-1] == (
        "imported amocrm.csv; deals: 1 updated, 3 unchanged; stage history: 1 created"
    )
    assert query(cli.db, "SELECT stage_entered_on, amount_minor FROM deal WHERE id = 1") == [
        ("2026-03-02", 13000000)
    ]
    last = cli.ok("export", "stage-history").stdout.splitlines()[-1]
    assert last.startswith("7,1,move,request,proposal,")


def test_foreign_clients_and_touches(cli: Cli, tmp_path: Path) -> None:
    clients = _write(
        tmp_path / "контрагенты.csv",
        "Код;Наименование;Полное наименование;ИНН;Категория;Телефон;Комментарий\n"
        '000123;Ромашка;ООО "Ромашка";7701234567;Крупный;+7 495 111-22-33;'
        '"Любит ""Весенний"" коньяк"\n'
        "000124;Ёлкин;ИП Ёлкин С. С.;500100732259;мелкий;;\n",
    )
    mapping = _write(
        tmp_path / "1c.toml",
        '[columns]\n"Код" = "external_id"\n"Наименование" = "name"\n'
        '"Полное наименование" = "company"\n"ИНН" = ""\n"Категория" = "category"\n'
        '"Телефон" = "phone"\n"Комментарий" = "notes"\n\n'
        '[values.category]\n"Крупный" = "A"\n"Средний" = "B"\n"Мелкий" = "C"\n',
        "utf-8",
    )
    run = cli.ok("import", "clients", str(clients), "--map", str(mapping))
    assert run.stderr == "imported контрагенты.csv; clients: 2 created\n"
    assert query(cli.db, "SELECT name, company, category, notes, external_id FROM client") == [
        ("Ромашка", 'ООО "Ромашка"', "A", 'Любит "Весенний" коньяк', "000123"),
        ("Ёлкин", "ИП Ёлкин С. С.", "C", None, "000124"),
    ]
    touches = _write(
        tmp_path / "звонки.csv",
        "Дата;Код клиента;Тип;Канал;Результат;Комментарий\n"
        "31.12.2024 14:05;000123;Дожим;Звонок;Да;Согласовали счёт\n"
        "09.01.2025;000124;Поздравление;Подарок;;Открытка к Новому году\n",
    )
    touch_map = _write(
        tmp_path / "touches.toml",
        '[columns]\n"Дата" = "on_date"\n"Код клиента" = "client_external_id"\n"Тип" = "kind"\n'
        '"Канал" = "channel"\n"Результат" = "outcome"\n"Комментарий" = "text"\n\n'
        '[values.kind]\n"Дожим" = "closing"\n"Поздравление" = "warming"\n\n'
        '[values.channel]\n"Звонок" = "call"\n"Подарок" = "gift"\n\n'
        '[values.outcome]\n"Да" = "yes"\n"Нет" = "no"\n',
        "utf-8",
    )
    cli.ok("import", "touches", str(touches), "--map", str(touch_map))
    assert cli.ok("export", "touches").stdout.splitlines()[1:] == [
        "1,1,,,2024-12-31T11:05:00,2024-12-31,closing,call,yes,,,Согласовали счёт,"
        "row:" + query(cli.db, "SELECT external_id FROM touch WHERE id = 1")[0][0][4:] + ",,,",
        "2,2,,,2025-01-09T09:00:00,2025-01-09,warming,gift,pending,,,Открытка к Новому году,"
        "row:" + query(cli.db, "SELECT external_id FROM touch WHERE id = 2")[0][0][4:] + ",,,",
    ]
    again = cli.ok("import", "touches", str(touches), "--map", str(touch_map))
    assert again.stderr == "imported звонки.csv; touches: 2 unchanged\n"


def test_date_format_and_decimal_point(cli: Cli, tmp_path: Path) -> None:
    source = _write(
        tmp_path / "shop.csv",
        "Order,Placed,Customer,Qty,Unit price\n"
        'W-1,12/31/2024,Acme Ltd,3,"1,234.50"\n'
        "W-2,01/02/2025,Acme Ltd,1,99.999\n",
        "utf-8",
    )
    mapping = _write(
        tmp_path / "shop.toml",
        'date_format = "%m/%d/%Y"\ndecimal = "."\ncurrency = "USD"\n'
        '[columns]\n"Placed" = "date"\n"Qty" = "quantity"\n',
        "utf-8",
    )
    cli.ok("import", "orders", str(source), "--map", str(mapping))
    assert query(cli.db, "SELECT closed_on, amount_minor, currency FROM deal ORDER BY id") == [
        ("2024-12-31", 370350, "USD"),
        ("2025-01-02", 10000, "USD"),
    ]


def test_bad_map_files(cli: Cli, tmp_path: Path) -> None:
    source = _write(tmp_path / "o.csv", "order_id,date,client,amount\n1,2025-01-01,Ромашка,1\n")
    cases = {
        "[colums]\n": "unknown setting 'colums'",
        "[columns\n": "not valid TOML",
        'delimiter = "|"\n': "delimiter '|' is not one of , ; tab",
        'encoding = "klingon"\n': "unknown encoding 'klingon'",
        'date_format = "dd.mm.yyyy"\n': "has no % fields",
        '[columns]\n"client" = "клиент"\n': "maps to 'клиент', which is not a column of orders",
    }
    for text, expected in cases.items():
        mapping = _write(tmp_path / "m.toml", text, "utf-8")
        run = cli("import", "orders", str(source), "--map", str(mapping))
        assert run.exit_code == 2, text
        assert expected in run.stderr, run.stderr
    run = cli("import", "orders", str(source), "--map", str(tmp_path / "missing.toml"))
    assert run.exit_code == 2 and "no such file" in run.stderr

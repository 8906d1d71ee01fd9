"""``povtor export``: every table, stable headers, CSV that Excel opens safely, atomic files."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from povtor.domain import csvsafe
from support import Cli, execute

HEADERS = {
    "clients": "id,name,company,category,industry,source,phone,email,address,notes,status,"
    "created_on,external_id,category_source,referred_by",
    "people": "id,client_id,name,role,phone,email,birthday,is_main",
    "facts": "id,client_id,topic,text,noted_on",
    "deals": "id,client_id,funnel,stage,title,amount,currency,status,opened_on,"
    "stage_entered_on,expected_on,closed_on,lost_reason,follow_up_on,external_id",
    "stage-history": "id,deal_id,event,from_stage,to_stage,at,on_date,reason",
    "touches": "id,client_id,deal_id,stage,at,on_date,kind,channel,outcome,reason,"
    "follow_up_on,text,external_id,answer,purpose,purpose_ref",
}
TRAP = '=HYPERLINK("http://evil.example","жми")'


@pytest.fixture
def seller(cli: Cli) -> Cli:
    """A small database with values a spreadsheet would misread."""
    client = cli.add_client(
        TRAP,
        "--company",
        '@ООО "Ромашка"; филиал',
        "--phone",
        "+7 (495) 123-45-67",
        "--notes",
        "-5% скидка\nвторая строка",
    )
    cli.ok("client", "person", "add", str(client), "Пётр Петрович", "--birthday", "1970-05-09")
    cli.ok("client", "fact", "add", str(client), "таб в начале", "--topic", "люди")
    execute(cli.db, "UPDATE fact SET text = ?", ("\tтаб в начале",))  # as another program might
    deal = cli.open_deal(client, "--amount", "125000", "--title", "-Щебень 40 т", "--on", "-3")
    cli.ok("deal", "win", str(deal), "--on", "-1")
    cli.ok("nudge", "log", "--client", str(client), "--text", "'кавычка в начале", "--on", "-1")
    return cli


def test_every_table_has_its_documented_header(cli: Cli) -> None:
    for table, header in HEADERS.items():
        run = cli.ok("export", table)
        assert run.stdout == header + "\n", table


def test_csv_export_is_canonical(seller: Cli) -> None:
    deals = list(csv.DictReader(io.StringIO(seller.ok("export", "deals").stdout)))
    assert deals == [
        {
            "id": "1",
            "client_id": "1",
            "funnel": "repeat",
            "stage": "paid",
            "title": "-Щебень 40 т",
            "amount": "125000.00",
            "currency": "RUB",
            "status": "won",
            "opened_on": "2026-02-27",
            "stage_entered_on": "2026-03-01",
            "expected_on": "",
            "closed_on": "2026-03-01",
            "lost_reason": "",
            "follow_up_on": "",
            "external_id": "",
        }
    ]
    history = seller.ok("export", "stage-history").stdout.splitlines()
    # timestamps: ISO, naive UTC (noon in Moscow is 09:00 UTC)
    assert history[1:] == [
        "1,1,open,,base,2026-02-27T09:00:00,2026-02-27,",
        "2,1,win,base,paid,2026-03-01T09:00:00,2026-03-01,",
    ]
    clients = list(csv.DictReader(io.StringIO(seller.ok("export", "clients").stdout)))
    assert clients[0]["name"] == TRAP  # plain csv is data: never altered
    assert clients[0]["notes"] == "-5% скидка\nвторая строка"


def test_json_and_jsonl_keep_types(seller: Cli) -> None:
    records = json.loads(seller.ok("export", "deals", "--format", "json").stdout)
    assert records[0]["id"] == 1 and records[0]["amount"] == "125000.00"
    assert records[0]["expected_on"] is None
    lines = seller.ok("export", "touches", "-f", "jsonl").stdout.splitlines()
    assert json.loads(lines[0])["text"] == "'кавычка в начале"


def test_fractions_of_a_second_are_kept(seller: Cli) -> None:
    execute(seller.db, "UPDATE touch SET at = '2026-03-01 09:00:00.250000'")
    row = seller.ok("export", "touches").stdout.splitlines()[1]
    assert ",2026-03-01T09:00:00.250000,2026-03-01," in row


def test_excel_export_opens_in_russian_excel_and_defuses_formulas(seller: Cli) -> None:
    raw = seller.ok("export", "clients", "--excel").stdout
    assert raw.startswith("\ufeffid;name;company;")
    assert "\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"), newline=""), delimiter=";"))
    client = dict(zip(rows[0], rows[1], strict=True))
    assert client["id"] == "1"
    assert client["name"] == "'" + TRAP
    assert client["company"] == '\'@ООО "Ромашка"; филиал'
    assert client["phone"] == "'+7 (495) 123-45-67"
    assert client["notes"] == "'-5% скидка\nвторая строка"
    header, row = csv.reader(
        io.StringIO(seller.ok("export", "deals", "--excel").stdout[1:]), delimiter=";"
    )
    deal = dict(zip(header, row, strict=True))
    assert deal["amount"] == "125000,00"  # a decimal comma: a number in Russian Excel
    assert deal["title"] == "'-Щебень 40 т"
    facts = seller.ok("export", "facts", "--excel").stdout
    assert ";'\tтаб в начале;" in facts
    touches = seller.ok("export", "touches", "--excel").stdout
    assert ";''кавычка в начале;" in touches  # so that reading it back is exact


def test_numeric_columns_are_never_altered() -> None:
    out = io.StringIO()
    csvsafe.write_excel(
        out,
        ["id", "amount", "note"],
        ["int", "money", "text"],
        [[-7, "-1500.50", "-1500.50"], [3, None, "=1+2"], [4, "0.00", "@cmd"]],
    )
    lines = out.getvalue().removeprefix("\ufeff").splitlines()
    assert lines == [
        "id;amount;note",
        "-7;-1500,50;'-1500.50",
        "3;;'=1+2",
        "4;0,00;'@cmd",
    ]
    for text in ("=1", "+1", "-1", "@a", "\tx", "\rx", "'q", "обычный текст", ""):
        assert csvsafe.restore(csvsafe.neutralize(text)) == text
    assert csvsafe.neutralize("обычный текст") == "обычный текст"


def test_output_file_is_written_atomically(seller: Cli, tmp_path: Path) -> None:
    target = tmp_path / "out" / "deals.csv"
    target.parent.mkdir()
    target.write_text("old content\n", encoding="utf-8")
    os.chmod(target, 0o640)
    run = seller.ok("export", "deals", "-o", str(target))
    assert run.stdout == ""
    assert "exported 1 deals to" in run.stderr
    assert target.read_text(encoding="utf-8") == seller.ok("export", "deals").stdout
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["deals.csv"]  # no temp file left


def test_format_follows_the_output_name(seller: Cli, tmp_path: Path) -> None:
    seller.ok("export", "deals", "-o", str(tmp_path / "d.json"))
    assert json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))[0]["id"] == 1
    seller.ok("export", "deals", "-o", str(tmp_path / "d.jsonl"))
    assert json.loads((tmp_path / "d.jsonl").read_text(encoding="utf-8"))["id"] == 1
    seller.ok("export", "deals", "-o", str(tmp_path / "d.tsv"))
    assert (tmp_path / "d.tsv").read_text(encoding="utf-8").startswith("id\tclient_id\t")


def test_export_all_writes_every_table(seller: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    run = seller.ok("export", "all", str(folder))
    assert sorted(p.name for p in folder.iterdir()) == [
        "client_steps.csv",
        "clients.csv",
        "deal_products.csv",
        "deals.csv",
        "facts.csv",
        "holiday_links.csv",
        "occasions.csv",
        "people.csv",
        "products.csv",
        "roadmap.csv",
        "stage_history.csv",
        "touches.csv",
        "warming_content.csv",
    ]
    assert "1 clients, 1 people, 1 facts, 0 products, 1 deals, 0 deal-products, " in run.stderr
    assert "2 stage-history, 1 touches, 0 occasions, 20 roadmap, 0 client-steps" in run.stderr
    excel = tmp_path / "excel"
    seller.ok("export", "all", str(excel), "--excel")
    assert (excel / "deals.csv").read_bytes().startswith(b"\xef\xbb\xbfid;")


def test_bad_export_options(cli: Cli, tmp_path: Path) -> None:
    run = cli("export", "deals", "--excel", "--format", "json")
    assert run.exit_code == 2
    assert run.stderr == "error: --excel writes CSV, not json; drop --format, or drop --excel\n"
    run = cli("export", "deals", "-o", str(tmp_path / "missing" / "d.csv"))
    assert run.exit_code == 2 and "no directory" in run.stderr
    run = cli("export", "deals", "-o", str(tmp_path))
    assert run.exit_code == 2 and "is a directory" in run.stderr


# -- files written whole, private, or not at all ------------------------------------------------
def test_exports_are_private_files_in_a_private_folder(seller: Cli, tmp_path: Path) -> None:
    """Personal data leaves povtor only as 0600 files in 0700 folders, whatever the umask."""
    old = os.umask(0)
    try:
        seller.ok("export", "all", str(tmp_path / "backup"))
        seller.ok("export", "touches", "-o", str(tmp_path / "touches.csv"))
    finally:
        os.umask(old)
    assert (tmp_path / "backup").stat().st_mode & 0o777 == 0o700
    modes = {p.stat().st_mode & 0o777 for p in (tmp_path / "backup").iterdir()}
    assert modes == {0o600}
    assert (tmp_path / "touches.csv").stat().st_mode & 0o777 == 0o600


def _left(folder: Path) -> list[str]:
    """What an export left in ``folder`` (the test's database aside)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("povtor.db"))


def _disk_fills_at(monkeypatch: pytest.MonkeyPatch, table: str) -> None:
    """The disk is full when the file of ``table`` is written."""
    import errno

    from povtor.cli import export

    real = export._writer

    def writer(listing, fmt, excel):  # type: ignore[no-untyped-def]
        write = real(listing, fmt, excel)
        if listing.title and table in listing.title.casefold().replace(" ", "-"):

            def full(stream):  # type: ignore[no-untyped-def]
                raise OSError(errno.ENOSPC, "No space left on device")

            return full
        return write

    monkeypatch.setattr(export, "_writer", writer)


def test_a_full_disk_leaves_no_export_behind(
    seller: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _disk_fills_at(monkeypatch, "touches")
    folder = tmp_path / "backup"
    run = seller("export", "all", str(folder))
    assert run.exit_code == 6, run.describe()
    assert run.stderr_lines == [
        f"error: cannot write {folder}: No space left on device; nothing was written; "
        "free disk space or write somewhere else"
    ]
    assert _left(tmp_path) == []  # no folder, no partial files
    one = tmp_path / "touches.csv"
    run = seller("export", "touches", "-o", str(one))
    assert run.exit_code == 6, run.describe()
    assert "No space left on device; nothing was written" in run.stderr
    assert _left(tmp_path) == []


def test_export_all_into_a_folder_replaces_its_files_only_when_all_are_written(
    seller: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "backup"
    seller.ok("export", "all", str(folder))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    seller.ok("client", "add", "Новый клиент")
    _disk_fills_at(monkeypatch, "touches")
    assert seller("export", "all", str(folder)).exit_code == 6
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert _left(tmp_path) == ["backup"]


def test_a_full_disk_behind_standard_output_is_one_line(
    seller: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`povtor export touches > /full/t.csv`: the storage error, not an internal one."""
    _disk_fills_at(monkeypatch, "touches")
    run = seller("export", "touches")
    assert run.exit_code == 6, run.describe()
    assert run.stderr_lines == [
        "error: cannot write standard output: No space left on device; nothing was written; "
        "free disk space or write somewhere else"
    ]

"""Machine output is stable and exact: column names and order, money with two decimals,
ISO dates, empty cells, Cyrillic as UTF-8; tsv in a pipe; POVTOR_FORMAT; Rich tables."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from support import Cli, execute


@pytest.fixture
def book(prepared: Callable[..., Cli]) -> Cli:
    """Two clients with two deals; one client's company has quotes and a comma."""
    return prepared("output-book", _build_book)


def _build_book(cli: Cli) -> None:
    cli.add_client(
        "Иван Петров",
        "--company",
        'ООО "Ромашка", филиал',
        "--category",
        "B",
        "--industry",
        "строительство",
        "--source",
        "выставка",
        "--created",
        "2026-01-15",
    )
    cli.add_client("Семён Ёлкин")
    cli.open_deal(
        "1",
        "--stage",
        "invoice",
        "--amount",
        "125000",
        "--expected",
        "2026-03-10",
        "--title",
        "Щебень 40 т",
        "--on",
        "2026-02-26",
    )
    cli.open_deal("2", "--amount", "0,5", "--title", "Песок, 10 т")
    execute(
        cli.db,
        """INSERT INTO touch (client_id, at, on_date, kind, channel, outcome)
           VALUES (1, '2026-02-27 09:00:00.000000', '2026-02-27', 'warming', 'call', 'yes')""",
    )


CLIENTS_CSV = (
    "id,name,company,category,industry,source,status,open_deals,last_touch_on,created_on\n"
    '1,Иван Петров,"ООО ""Ромашка"", филиал",B,строительство,выставка,active,1,2026-02-27,'
    "2026-01-15\n"
    "2,Семён Ёлкин,,,,,active,1,,2026-03-02\n"
)
CLIENTS_TSV = (
    "id\tname\tcompany\tcategory\tindustry\tsource\tstatus\topen_deals\tlast_touch_on\tcreated_on\n"
    '1\tИван Петров\tООО "Ромашка", филиал\tB\tстроительство\tвыставка\tactive\t1\t2026-02-27\t'
    "2026-01-15\n"
    "2\tСемён Ёлкин\t\t\t\t\tactive\t1\t\t2026-03-02\n"
)
CLIENTS_JSON = """\
[
  {
    "id": 1,
    "name": "Иван Петров",
    "company": "ООО \\"Ромашка\\", филиал",
    "category": "B",
    "industry": "строительство",
    "source": "выставка",
    "status": "active",
    "open_deals": 1,
    "last_touch_on": "2026-02-27",
    "created_on": "2026-01-15"
  },
  {
    "id": 2,
    "name": "Семён Ёлкин",
    "company": null,
    "category": null,
    "industry": null,
    "source": null,
    "status": "active",
    "open_deals": 1,
    "last_touch_on": null,
    "created_on": "2026-03-02"
  }
]
"""
CLIENTS_JSONL = (
    '{"id": 1, "name": "Иван Петров", "company": "ООО \\"Ромашка\\", филиал", "category": "B", '
    '"industry": "строительство", "source": "выставка", "status": "active", "open_deals": 1, '
    '"last_touch_on": "2026-02-27", "created_on": "2026-01-15"}\n'
    '{"id": 2, "name": "Семён Ёлкин", "company": null, "category": null, "industry": null, '
    '"source": null, "status": "active", "open_deals": 1, "last_touch_on": null, '
    '"created_on": "2026-03-02"}\n'
)

DEALS_CSV = (
    "id,client,funnel,stage,status,amount,currency,days_in_stage,opened_on,expected_on,title\n"
    '2,Семён Ёлкин,repeat,base,open,0.50,RUB,0,2026-03-02,,"Песок, 10 т"\n'
    "1,Иван Петров,repeat,invoice,open,125000.00,RUB,4,2026-02-26,2026-03-10,Щебень 40 т\n"
)
DEALS_TSV = (
    "id\tclient\tfunnel\tstage\tstatus\tamount\tcurrency\tdays_in_stage\topened_on\texpected_on\t"
    "title\n"
    "2\tСемён Ёлкин\trepeat\tbase\topen\t0.50\tRUB\t0\t2026-03-02\t\tПесок, 10 т\n"
    "1\tИван Петров\trepeat\tinvoice\topen\t125000.00\tRUB\t4\t2026-02-26\t2026-03-10\t"
    "Щебень 40 т\n"
)
DEALS_JSON = """\
[
  {
    "id": 2,
    "client": "Семён Ёлкин",
    "funnel": "repeat",
    "stage": "base",
    "status": "open",
    "amount": "0.50",
    "currency": "RUB",
    "days_in_stage": 0,
    "opened_on": "2026-03-02",
    "expected_on": null,
    "title": "Песок, 10 т"
  },
  {
    "id": 1,
    "client": "Иван Петров",
    "funnel": "repeat",
    "stage": "invoice",
    "status": "open",
    "amount": "125000.00",
    "currency": "RUB",
    "days_in_stage": 4,
    "opened_on": "2026-02-26",
    "expected_on": "2026-03-10",
    "title": "Щебень 40 т"
  }
]
"""
DEALS_JSONL = (
    '{"id": 2, "client": "Семён Ёлкин", "funnel": "repeat", "stage": "base", "status": "open", '
    '"amount": "0.50", "currency": "RUB", "days_in_stage": 0, "opened_on": "2026-03-02", '
    '"expected_on": null, "title": "Песок, 10 т"}\n'
    '{"id": 1, "client": "Иван Петров", "funnel": "repeat", "stage": "invoice", '
    '"status": "open", "amount": "125000.00", "currency": "RUB", "days_in_stage": 4, '
    '"opened_on": "2026-02-26", "expected_on": "2026-03-10", "title": "Щебень 40 т"}\n'
)


@pytest.mark.parametrize(
    ("command", "fmt", "expected"),
    [
        ("client", "csv", CLIENTS_CSV),
        ("client", "tsv", CLIENTS_TSV),
        ("client", "json", CLIENTS_JSON),
        ("client", "jsonl", CLIENTS_JSONL),
        ("deal", "csv", DEALS_CSV),
        ("deal", "tsv", DEALS_TSV),
        ("deal", "json", DEALS_JSON),
        ("deal", "jsonl", DEALS_JSONL),
    ],
)
def test_listing_formats_are_exact(book: Cli, command: str, fmt: str, expected: str) -> None:
    run = book.ok(command, "list", "--format", fmt)
    assert run.stdout == expected
    assert run.stderr == ""


def test_a_listing_cut_short_says_so(cli: Cli) -> None:
    """nudge list shows the newest 50 touches: a script that needs them all is told so on
    stderr, and --all gives every one."""
    cli.add_client("Ромашка")
    for day in range(1, 4):
        cli.ok(
            "nudge", "log", "--client", "Ромашка", "--kind", "warming", "--on", f"2026-02-0{day}"
        )
    run = cli.ok("nudge", "list", "--limit", "2", "--format", "csv")
    assert len(run.stdout.splitlines()) == 3  # the header and the newest two
    assert run.stderr_lines == ["the newest 2 touches; older ones too: --all (or a larger --limit)"]
    run = cli.ok("nudge", "list", "--all", "--format", "jsonl")
    assert [json.loads(line)["on_date"] for line in run.stdout.splitlines()] == [
        "2026-02-03",
        "2026-02-02",
        "2026-02-01",
    ]
    assert run.stderr == ""
    assert cli.ok("nudge", "list", "--limit", "3", "--format", "csv").stderr == ""


def test_format_option_is_case_insensitive_and_has_a_short_form(book: Cli) -> None:
    assert book.ok("deal", "list", "-f", "CSV").stdout == DEALS_CSV
    assert book.ok("client", "list", "--format", "Json").stdout == CLIENTS_JSON


def test_default_in_a_pipe_is_tsv(book: Cli) -> None:
    assert book.ok("client", "list").stdout == CLIENTS_TSV
    assert book.ok("deal", "list").stdout == DEALS_TSV


def test_povtor_format_sets_the_default_and_the_option_wins(book: Cli) -> None:
    assert book.ok("deal", "list", env={"POVTOR_FORMAT": "csv"}).stdout == DEALS_CSV
    assert book.ok("client", "list", env={"POVTOR_FORMAT": "JSONL"}).stdout == CLIENTS_JSONL
    run = book.ok("deal", "list", "--format", "json", env={"POVTOR_FORMAT": "csv"})
    assert run.stdout == DEALS_JSON


def test_a_bad_povtor_format_is_an_error(book: Cli) -> None:
    run = book("deal", "list", env={"POVTOR_FORMAT": "xml"})
    assert (run.exit_code, run.stdout, run.stderr) == (
        2,
        "",
        "error: POVTOR_FORMAT='xml' is not a format; use one of: table, csv, tsv, json, jsonl\n",
    )


def test_empty_listings_keep_their_shape(cli: Cli) -> None:
    header = (
        "id,client,funnel,stage,status,amount,currency,days_in_stage,opened_on,expected_on,title\n"
    )
    assert cli.ok("deal", "list", "--format", "csv").stdout == header
    assert cli.ok("deal", "list", "--format", "tsv").stdout == header.replace(",", "\t")
    assert cli.ok("deal", "list", "--format", "json").stdout == "[]\n"
    assert cli.ok("deal", "list", "--format", "jsonl").stdout == ""


def test_a_zero_amount_is_money_and_a_missing_one_is_empty(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    cli.open_deal("1", "--amount", "0")
    cli.open_deal("1")
    cli.open_deal("1", "--amount", "9 999 999 999 999,99")
    rows = cli.csv("deal", "list").splitlines()[1:]
    assert [row.split(",")[5] for row in rows] == ["0.00", "", "9999999999999.99"]


def test_tsv_cells_never_hold_tabs_or_line_breaks(cli: Cli, db_path: Path) -> None:
    # a value another program put in the database: povtor itself refuses such names
    cli.add_client("Иван Петров")
    execute(db_path, "UPDATE client SET company = ? WHERE id = 1", ("ООО\tРомашка\r\nфилиал\r2",))
    assert cli.ok("client", "list").stdout.splitlines()[1] == (
        "1\tИван Петров\tООО Ромашка филиал 2\t\t\t\tactive\t0\t\t2026-03-02"
    )
    assert cli.csv("client", "list").split("\n", 1)[1] == (  # csv quotes them instead
        '1,Иван Петров,"ООО\tРомашка\r\nфилиал\r2",,,,active,0,,2026-03-02\n'
    )


def test_funnel_list_csv(cli: Cli) -> None:
    assert cli.csv("funnel", "list") == (
        "funnel,position,stage,stage_name,is_won,limit_days\n"
        "repeat,1,base,База,False,2\n"
        "repeat,2,request,Запрос,False,2\n"
        "repeat,3,proposal,КП отправлено,False,3\n"
        "repeat,4,invoice,Счёт отправлен,False,3\n"
        "repeat,5,paid,Оплата получена,True,\n"
        "first,1,lead,Лид,False,2\n"
        "first,2,contact,Контакт,False,5\n"
        "first,3,meeting,Встреча,False,5\n"
        "first,4,proposal,КП отправлено,False,3\n"
        "first,5,invoice,Счёт отправлен,False,3\n"
        "first,6,paid,Оплата получена,True,\n"
        "refusal,1,revisit,Прозвон отказа,False,3\n"
        "refusal,2,interest,Интерес вернулся,False,3\n"
        "refusal,3,proposal,КП отправлено,False,3\n"
        "refusal,4,invoice,Счёт отправлен,False,3\n"
        "refusal,5,paid,Оплата получена,True,\n"
    )


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("│┃").split("│" if "│" in line else "┃")]


def test_table_renders_for_people(book: Cli) -> None:
    run = book.ok("deal", "list", "--format", "table")
    lines = run.stdout.splitlines()
    assert lines[0].strip() == "Deals (open)"
    assert cells(lines[2]) == [
        "ID",
        "Client",
        "Funnel",
        "Stage",
        "Amount",
        "Days",
        "Expected",
        "Title",
    ]  # status, currency and opening date: machine formats only
    body = [cells(line) for line in lines if line.startswith("│")]
    assert body == [
        ["2", "Семён Ёлкин", "repeat", "base", "0.50", "0", "", "Песок, 10 т"],
        ["1", "Иван Петров", "repeat", "invoice", "125 000.00", "4", "2026-03-10", "Щебень 40 т"],
    ]
    assert run.stderr == ""


def test_table_keeps_markup_like_text_verbatim(cli: Cli) -> None:
    cli.add_client("[bold]Ромашка[/bold]")
    lines = cli.ok("client", "list", "--format", "table").stdout.splitlines()
    assert [cells(line)[1] for line in lines if line.startswith("│")] == ["[bold]Ромашка[/bold]"]


# -- streaming ---------------------------------------------------------------------------
def _listing(rows: object, **options: object) -> object:
    from povtor.output import Column, Listing

    columns = (Column("id", "ID", "int"), Column("name", "Name"), Column("amount", "Sum", "money"))
    return Listing(columns, rows, title="Rows", **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "table"])
def test_every_format_writes_an_iterator_as_it_writes_a_list(fmt: str) -> None:
    import io

    from povtor.output import OutputFormat, render

    rows = [[n, f"имя {n}", n * 1000] for n in range(1, 1200)]
    written = {}
    for kind, given in (("list", rows), ("iterator", iter(rows))):
        stream = io.StringIO()
        assert render(_listing(given), OutputFormat(fmt), out=stream) == len(rows)  # type: ignore[arg-type]
        written[kind] = stream.getvalue()
    assert written["list"] == written["iterator"]
    if fmt == "json":
        import json

        assert json.loads(written["list"])[1] == {"id": 2, "name": "имя 2", "amount": "20.00"}


def test_json_of_nothing_is_an_empty_array() -> None:
    import io

    from povtor.output import OutputFormat, render

    stream = io.StringIO()
    assert render(_listing(iter(())), OutputFormat.json, out=stream) == 0
    assert stream.getvalue() == "[]\n"


def test_a_long_table_starts_again_when_a_later_page_is_wider() -> None:
    """Rows are laid out a page at a time: a wider id later gets a new header, never a cut."""
    import io

    from povtor.output import PAGE_ROWS, OutputFormat, render

    rows = [[n, "x", 100] for n in range(1, PAGE_ROWS + 1)] + [[10**12, "x", 10**15]]
    stream = io.StringIO()
    render(_listing(rows), OutputFormat.table, out=stream)
    lines = stream.getvalue().splitlines()
    assert sum(line.startswith("┏") for line in lines) == 2  # two boxes, the second wider
    assert any("1000000000000" in line and "10 000 000 000 000.00" in line for line in lines)


def test_a_table_limit_shows_the_top_and_counts_the_rest() -> None:
    import io

    from povtor.output import OutputFormat, render

    rows = [[n, "x", 100] for n in range(1, 1001)]
    stream = io.StringIO()
    count = render(
        _listing(iter(rows), table_limit=50, limit_hint="--all shows every client"),
        OutputFormat.table,
        out=stream,
    )
    assert count == 50
    text = stream.getvalue()
    assert "│ 50 │" in text and "│ 51 │" not in text
    assert "The first 50 of 1 000 rows: --all shows every client." in text.splitlines()[-1]
    stream = io.StringIO()  # machine formats have every row
    assert render(_listing(iter(rows), table_limit=50), OutputFormat.csv, out=stream) == 1000

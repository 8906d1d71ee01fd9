"""``povtor client``: add, edit, the card, list and find (Cyrillic in any case), archive,
people, talking facts, and how a name that is not one client is reported."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from support import Cli, execute

CLIENT_HEADER = (
    "id,name,company,category,industry,source,status,open_deals,last_touch_on,created_on\n"
)


def names(cli: Cli, *args: str) -> list[str]:
    """The client names a listing command prints, in order (from its json)."""
    return [row["name"] for row in json.loads(cli.ok(*args, "--format", "json").stdout)]


def card(cli: Cli, client: str) -> dict[str, object]:
    return json.loads(cli.ok("client", "show", client, "--format", "json").stdout)


@pytest.fixture
def base(prepared: Callable[..., Cli]) -> Cli:
    """A small base: three Russian clients, one Latin, in no particular order."""
    return prepared("clients-base", _build_base)


def _build_base(cli: Cli) -> None:
    cli.add_client(
        "Иван Петров",
        "--company",
        "ООО Ромашка",
        "--category",
        "B",
        "--industry",
        "Строительство",
        "--source",
        "выставка",
    )
    cli.add_client("Семён Ёлкин", "--category", "A", "--industry", "общепит")
    cli.add_client("Acme Trading", "--company", "Acme Ltd", "--category", "c", "--source", "сайт")
    cli.add_client("Анна Сидорова", "--industry", "строительство")


# -- add ----------------------------------------------------------------------------
def test_add_prints_the_id_on_stdout_and_the_message_on_stderr(cli: Cli) -> None:
    first = cli.ok("client", "add", "Иван Петров", "--company", "ООО Ромашка")
    second = cli.ok("client", "add", "Семён Ёлкин")
    assert (first.stdout, first.stderr) == ("1\n", "added client #1 Иван Петров\n")
    assert (second.stdout, second.stderr) == ("2\n", "added client #2 Семён Ёлкин\n")


def test_add_stores_every_field_normalised(cli: Cli) -> None:
    cli.ok(
        "client",
        "add",
        "  Семе\u0308н Петров  ",
        "--company",
        "ООО «Ромашка»",
        "--category",
        "b",
        "--industry",
        "строительство",
        "--source",
        "выставка",
        "--phone",
        "+7 900 123-45-67",
        "--email",
        "ivan@romashka.ru",
        "--address",
        "Москва, ул. Ленина, 1",
        "--notes",
        "первая строка\nвторая строка",
        "--created",
        "15.01.2026",
    )
    assert card(cli, "1") == {
        "id": 1,
        "name": "Семён Петров",
        "company": "ООО «Ромашка»",
        "category": "B",
        "category_source": "manual",
        "industry": "строительство",
        "source": "выставка",
        "phone": "+7 900 123-45-67",
        "email": "ivan@romashka.ru",
        "address": "Москва, ул. Ленина, 1",
        "notes": "первая строка\nвторая строка",
        "status": "active",
        "created_on": "2026-01-15",
        "external_id": None,
        "people": [],
        "facts": [],
        "card": {
            "facts": 0,
            "category": "B",
            "norm": 7,
            "missing": 7,
            "complete": False,
            "summary": "0 of 7 talking facts (B norm) — 7 more",
        },
        "deals": [],
        "last_touch": None,
        "referred_by": None,
        "referrals": [],
        "roadmap": {
            "category": "B",
            "done": 0,
            "total": 4,
            "next_step": {
                "position": 1,
                "code": "needs-test",
                "title": "Звонок с тестированием потребности",
            },
            "last_done_on": None,
            "summary": "0 of 4 steps done on roadmap B, next: step 1 "
            "«Звонок с тестированием потребности»",
        },
    }


def test_add_takes_created_relative_to_today(cli: Cli) -> None:
    cli.add_client("Иван Петров", "--created", "yesterday")
    assert card(cli, "1")["created_on"] == "2026-03-01"


# -- edit ---------------------------------------------------------------------------
def test_edit_changes_fields_and_reports_which(base: Cli) -> None:
    run = base.ok("client", "edit", "Петров", "--phone", "+7 900 000-00-00", "--category", "a")
    assert (run.stdout, run.stderr) == ("", "updated client #1 Иван Петров: category, phone\n")
    shown = card(base, "1")
    assert (shown["phone"], shown["category"]) == ("+7 900 000-00-00", "A")


def test_edit_with_an_empty_value_clears_the_field(base: Cli) -> None:
    base.ok("client", "edit", "1", "--company", "", "--category", "", "--industry", "")
    shown = card(base, "1")
    assert (shown["company"], shown["category"], shown["industry"]) == (None, None, None)
    # the old company no longer finds the client
    assert names(base, "client", "find", "ромашка") == []


def test_edit_renaming_updates_search(base: Cli) -> None:
    base.ok("client", "edit", "1", "--name", "Пётр Иванов", "--company", "ЗАО Василёк")
    assert names(base, "client", "find", "ПЕТР") == ["Пётр Иванов"]
    assert names(base, "client", "find", "василек") == ["Пётр Иванов"]
    assert names(base, "client", "find", "Петров") == []


def test_edit_cannot_clear_the_name(base: Cli, dump: Callable[[], str | None]) -> None:
    before = dump()
    run = base("client", "edit", "1", "--name", "")
    assert (run.exit_code, run.stderr) == (
        2,
        "error: name must not be empty; give a value for name\n",
    )
    assert dump() == before


# -- show ---------------------------------------------------------------------------
def test_show_json_holds_the_whole_card(cli: Cli, db_path: Path) -> None:
    cli.add_client(
        "Иван Петров", "--company", "ООО Ромашка", "--category", "A", "--phone", "+7 900 1"
    )
    cli.ok(
        "client",
        "person",
        "add",
        "1",
        "Пётр Петрович",
        "--role",
        "снабженец",
        "--birthday",
        "1975-04-12",
    )
    cli.ok("client", "fact", "add", "1", "берут позицию №35 по 2,5 т в месяц", "-t", "закупки")
    cli.ok("client", "fact", "add", "1", "любит коньяк «Весенний»", "--on", "2026-02-10")
    cli.open_deal("1", "--stage", "invoice", "--amount", "125000", "--title", "Щебень 40 т")
    execute(
        db_path,
        """INSERT INTO touch (client_id, deal_id, stage_id, at, on_date, kind, channel, outcome,
                              text)
           VALUES (1, 1, 4, '2026-03-01 09:00:00.000000', '2026-03-01', 'closing', 'call',
                   'later', 'перезвонить в среду')""",
    )
    assert card(cli, "Ромашка") == {
        "id": 1,
        "name": "Иван Петров",
        "company": "ООО Ромашка",
        "category": "A",
        "category_source": "manual",
        "industry": None,
        "source": None,
        "phone": "+7 900 1",
        "email": None,
        "address": None,
        "notes": None,
        "status": "active",
        "created_on": "2026-03-02",
        "external_id": None,
        "people": [
            {
                "id": 1,
                "name": "Пётр Петрович",
                "role": "снабженец",
                "phone": None,
                "email": None,
                "birthday": "1975-04-12",
                "main": False,
            }
        ],
        "facts": [
            {"id": 2, "topic": None, "text": "любит коньяк «Весенний»", "noted_on": "2026-02-10"},
            {
                "id": 1,
                "topic": "закупки",
                "text": "берут позицию №35 по 2,5 т в месяц",
                "noted_on": "2026-03-02",
            },
        ],
        "card": {
            "facts": 2,
            "category": "A",
            "norm": 15,
            "missing": 13,
            "complete": False,
            "summary": "2 of 15 talking facts (A norm) — 13 more",
        },
        "deals": [
            {
                "id": 1,
                "funnel": "repeat",
                "stage": "invoice",
                "status": "open",
                "amount": "125000.00",
                "currency": "RUB",
                "title": "Щебень 40 т",
                "opened_on": "2026-03-02",
                "closed_on": None,
            }
        ],
        "last_touch": {
            "id": 1,
            "on_date": "2026-03-01",
            "kind": "closing",
            "channel": "call",
            "outcome": "later",
            "text": "перезвонить в среду",
            "deal_id": 1,
        },
        "referred_by": None,
        "referrals": [],
        "roadmap": {
            "category": "A",
            "done": 0,
            "total": 13,
            "next_step": {"position": 1, "code": "needs-audit", "title": "Аудит потребности"},
            "last_done_on": None,
            "summary": "0 of 13 steps done on roadmap A, next: step 1 «Аудит потребности»",
        },
    }


def test_show_json_keys_in_order(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    assert list(card(cli, "1")) == [
        "id",
        "name",
        "company",
        "category",
        "category_source",
        "industry",
        "source",
        "phone",
        "email",
        "address",
        "notes",
        "status",
        "created_on",
        "external_id",
        "people",
        "facts",
        "card",
        "deals",
        "last_touch",
        "referred_by",
        "referrals",
        "roadmap",
    ]


def test_show_jsonl_is_one_line(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    run = cli.ok("client", "show", "1", "--format", "jsonl")
    assert run.stdout.count("\n") == 1
    assert json.loads(run.stdout)["name"] == "Иван Петров"


def test_show_table_prints_the_card(cli: Cli) -> None:
    cli.add_client("Иван Петров", "--company", "ООО Ромашка", "--phone", "+7 900 123-45-67")
    cli.ok("client", "person", "add", "1", "Пётр Петрович", "--role", "снабженец")
    cli.ok("client", "fact", "add", "1", "любит коньяк «Весенний»", "--topic", "люди")
    cli.open_deal("1", "--amount", "125000")
    run = cli.ok("client", "show", "Петров")
    lines = [line.strip("│ ") for line in run.stdout.splitlines()]
    assert run.stdout.splitlines()[0].startswith("╭─ #1 Иван Петров ─")
    for expected in (
        "Company       ООО Ромашка",
        "Phone         +7 900 123-45-67",
        "Status        active",
        "Client since  2026-03-02",
        "Talking facts (1)",
        "Last touch: none",
    ):
        assert expected in lines
    assert any("Пётр Петрович" in line and "снабженец" in line for line in lines)
    assert any("люди" in line and "любит коньяк «Весенний»" in line for line in lines)
    assert any("repeat" in line and "base" in line and "125 000.00 RUB" in line for line in lines)
    assert run.stderr == ""


def test_show_empty_card_says_none(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    lines = [line.strip("│ ") for line in cli.ok("client", "show", "1").stdout.splitlines()]
    for expected in ("People: none", "Talking facts (0): none", "Last touch: none"):
        assert expected in lines


# -- list ---------------------------------------------------------------------------
def test_list_is_alphabetical_latin_then_cyrillic_with_yo_as_ye(cli: Cli) -> None:
    for name in ("Яков Орлов", "ёлкин семён", "Борис", "Елена", "alpha", "Zeta", "Ежов", "Анна"):
        cli.add_client(name)
    assert names(cli, "client", "list") == [
        "alpha",
        "Zeta",
        "Анна",
        "Борис",
        "Ежов",
        "Елена",
        "ёлкин семён",
        "Яков Орлов",
    ]


def test_list_filters_by_category(base: Cli) -> None:
    assert names(base, "client", "list", "--category", "a") == ["Семён Ёлкин"]
    assert names(base, "client", "list", "-c", "C") == ["Acme Trading"]


def test_list_filters_by_industry_in_any_case(base: Cli) -> None:
    assert names(base, "client", "list", "--industry", "СТРОИТ") == [
        "Анна Сидорова",
        "Иван Петров",
    ]


def test_list_filters_by_source(base: Cli) -> None:
    assert names(base, "client", "list", "--source", "Выставка") == ["Иван Петров"]


def test_list_search_matches_name_or_company(base: Cli) -> None:
    assert names(base, "client", "list", "--search", "РОМАШ") == ["Иван Петров"]
    assert names(base, "client", "list", "-s", "ltd") == ["Acme Trading"]
    assert names(base, "client", "list", "--search", "ов") == ["Анна Сидорова", "Иван Петров"]


def test_list_filters_combine(base: Cli) -> None:
    assert names(base, "client", "list", "--industry", "строительство", "--category", "B") == [
        "Иван Петров"
    ]
    assert names(base, "client", "list", "--industry", "строительство", "--category", "A") == []


def test_list_with_nothing_matching_prints_only_the_header(base: Cli) -> None:
    run = base.ok("client", "list", "--search", "Пупкин", "--format", "csv")
    assert (run.stdout, run.stderr) == (CLIENT_HEADER, "")


def test_search_treats_like_wildcards_literally(cli: Cli) -> None:
    cli.add_client("100% Бетон")
    cli.add_client("Иван_Петров")
    cli.add_client("Анна")
    assert names(cli, "client", "list", "--search", "%") == ["100% Бетон"]
    assert names(cli, "client", "list", "--search", "_") == ["Иван_Петров"]


# -- find ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("иван", ["Иван Петров"]),
        ("ИВАН", ["Иван Петров"]),
        ("иВаН пЕт", ["Иван Петров"]),
        ("ЁЛКИН", ["Семён Ёлкин"]),
        ("елкин", ["Семён Ёлкин"]),
        ("семен", ["Семён Ёлкин"]),
        ("СЕМЁН ЁЛ", ["Семён Ёлкин"]),
        ("acme", ["Acme Trading"]),
        ("TRADING", ["Acme Trading"]),
        ("ромашка", ["Иван Петров"]),
        ("строительство", []),
    ],
)
def test_find_folds_case_and_yo(base: Cli, text: str, expected: list[str]) -> None:
    assert names(base, "client", "find", text) == expected


def test_find_includes_archived_clients_and_says_so(base: Cli) -> None:
    base.ok("client", "archive", "Ёлкин")
    rows = json.loads(base.ok("client", "find", "елкин", "--format", "json").stdout)
    assert [(r["name"], r["status"]) for r in rows] == [("Семён Ёлкин", "archived")]
    assert names(base, "client", "find", "елкин", "--status", "active") == []


def test_find_csv_row(base: Cli) -> None:
    assert base.csv("client", "find", "Иван") == (
        CLIENT_HEADER + "1,Иван Петров,ООО Ромашка,B,Строительство,выставка,active,0,,2026-03-02\n"
    )


# -- archive / restore ----------------------------------------------------------------
def test_archive_hides_from_list_and_restore_brings_back(base: Cli) -> None:
    run = base.ok("client", "archive", "Петров")
    assert (run.stdout, run.stderr) == ("", "client #1 Иван Петров is archived now\n")
    assert "Иван Петров" not in names(base, "client", "list")
    assert names(base, "client", "list", "--status", "archived") == ["Иван Петров"]
    assert len(names(base, "client", "list", "--status", "all")) == 4
    again = base.ok("client", "archive", "1")
    assert again.stderr == "client #1 Иван Петров is archived already\n"
    run = base.ok("client", "restore", "1")
    assert run.stderr == "client #1 Иван Петров is active now\n"
    assert "Иван Петров" in names(base, "client", "list")


def test_an_archived_client_gets_no_new_deal(base: Cli, dump: Callable[[], str | None]) -> None:
    base.ok("client", "archive", "1")
    before = dump()
    run = base("deal", "open", "1")
    assert (run.exit_code, run.stderr) == (
        5,
        "error: client #1 Иван Петров is archived; bring it back first: povtor client restore 1\n",
    )
    assert dump() == before


# -- people -------------------------------------------------------------------------
def test_people_add_and_list(base: Cli) -> None:
    run = base.ok(
        "client",
        "person",
        "add",
        "Ромашка",
        "Пётр Петрович",
        "--role",
        "главный инженер",
        "--phone",
        "+7 900 1",
        "--email",
        "pp@romashka.ru",
        "--birthday",
        "12.04.1975",
    )
    assert (run.stdout, run.stderr) == ("1\n", "added Пётр Петрович to client #1 Иван Петров\n")
    base.ok("client", "person", "add", "1", "Мария")
    base.ok("client", "person", "add", "2", "Ольга")
    assert base.csv("client", "person", "list", "Петров") == (
        "id,name,role,phone,email,birthday,is_main\n"
        "1,Пётр Петрович,главный инженер,+7 900 1,pp@romashka.ru,1975-04-12,False\n"
        "2,Мария,,,,,False\n"
    )


def test_people_list_empty(base: Cli) -> None:
    run = base.ok("client", "person", "list", "1", "--format", "table")
    assert (run.stdout, run.stderr) == ("", "no people recorded\n")


# -- facts --------------------------------------------------------------------------
def test_facts_add_list_remove(base: Cli) -> None:
    run = base.ok("client", "fact", "add", "Петров", "берут позицию №35 по 2,5 т в месяц")
    assert (run.stdout, run.stderr) == ("1\n", "noted fact #1 about #1 Иван Петров\n")
    base.ok("client", "fact", "add", "1", "серый кардинал — Пётр Петрович", "-t", "люди")
    base.ok("client", "fact", "add", "2", "день рождения компании в мае", "--on", "-3")
    base.ok("client", "fact", "add", "1", "сезон с апреля", "--on", "2026-01-10")
    assert base.csv("client", "fact", "list", "1") == (
        "id,topic,text,noted_on\n"
        "4,,сезон с апреля,2026-01-10\n"
        '1,,"берут позицию №35 по 2,5 т в месяц",2026-03-02\n'
        "2,люди,серый кардинал — Пётр Петрович,2026-03-02\n"
    )
    run = base.ok("client", "fact", "remove", "1", "1")
    assert (run.stdout, run.stderr) == ("", "removed fact #1 from #1 Иван Петров\n")
    assert base.csv("client", "fact", "list", "1") == (
        "id,topic,text,noted_on\n"
        "4,,сезон с апреля,2026-01-10\n"
        "2,люди,серый кардинал — Пётр Петрович,2026-03-02\n"
    )
    assert base.csv("client", "fact", "list", "2") == (
        "id,topic,text,noted_on\n3,,день рождения компании в мае,2026-02-27\n"
    )


def test_fact_of_another_client_is_not_removed(base: Cli, dump: Callable[[], str | None]) -> None:
    base.ok("client", "fact", "add", "2", "день рождения компании в мае")
    before = dump()
    run = base("client", "fact", "remove", "1", "1")
    assert (run.exit_code, run.stderr) == (
        3,
        "error: client #1 has no fact #1; see its facts with: povtor client show 1\n",
    )
    assert dump() == before


# -- names that are not one client --------------------------------------------------
def test_ambiguous_name_lists_the_candidates(base: Cli, dump: Callable[[], str | None]) -> None:
    base.add_client("Иван Сидоров")
    before = dump()
    run = base("client", "show", "иван")
    assert (run.exit_code, run.stdout) == (4, "")
    assert run.stderr == (
        "error: 'иван' matches 2 clients: #1 Иван Петров (ООО Ромашка); #5 Иван Сидоров; "
        "name the client by its id\n"
    )
    assert dump() == before


def test_an_exact_name_beats_a_longer_one(base: Cli) -> None:
    base.add_client("Иван Петровский")
    assert card(base, "Иван Петров")["id"] == 1
    assert card(base, "иван петровский")["id"] == 5


def test_an_active_client_beats_an_archived_namesake(base: Cli) -> None:
    base.add_client("Иван Петров")
    base.ok("client", "archive", "1")
    assert card(base, "Иван Петров")["id"] == 5


def test_unknown_client(base: Cli) -> None:
    run = base("client", "show", "Пупкин")
    assert (run.exit_code, run.stdout, run.stderr) == (
        3,
        "",
        "error: no client matches 'Пупкин'; list clients with: povtor client find TEXT\n",
    )
    run = base("client", "show", "#99")
    assert (run.exit_code, run.stderr) == (
        3,
        "error: no client #99; list clients with: povtor client find TEXT\n",
    )

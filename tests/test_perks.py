"""Perks («ништяки», seed 001): the holiday calendar, clients' occasions, the plan's card or
small gift a few days before each, the four-a-year cap and ``stats perks``.

Holiday dates below were checked by hand against a printed calendar.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from povtor.domain import holidays, perks
from povtor.domain.plan_records import ClientState
from povtor.domain.plan_rules import occasions
from povtor.errors import InvalidInput
from support import Cli, Run, query

D = dt.date


# -- the calendar (pure) --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "year", "expected"),
    [
        ("geologist", 2025, D(2025, 4, 6)),  # 1st Sunday of April
        ("geologist", 2026, D(2026, 4, 5)),
        ("geologist", 2027, D(2027, 4, 4)),
        ("builder", 2025, D(2025, 8, 10)),  # 2nd Sunday of August
        ("builder", 2026, D(2026, 8, 9)),
        ("trade", 2025, D(2025, 7, 26)),  # 4th Saturday of July
        ("trade", 2026, D(2026, 7, 25)),
        ("oil_gas", 2025, D(2025, 9, 7)),  # 1st Sunday of September
        ("oil_gas", 2026, D(2026, 9, 6)),
        ("machine_builder", 2025, D(2025, 9, 28)),  # last Sunday of September
        ("machine_builder", 2026, D(2026, 9, 27)),
        ("metallurgist", 2025, D(2025, 7, 20)),  # 3rd Sunday of July
        ("chemist", 2026, D(2026, 5, 31)),  # last Sunday of May, on the 31st
        ("miner", 2025, D(2025, 8, 31)),  # last Sunday of August
        ("medic", 2025, D(2025, 6, 15)),  # 3rd Sunday of June
        ("housing", 2026, D(2026, 3, 15)),  # 3rd Sunday of March (the 1st is a Sunday)
        ("agriculture", 2026, D(2026, 10, 11)),  # 2nd Sunday of October
        ("food_industry", 2026, D(2026, 10, 18)),  # 3rd Sunday of October
        ("motorist", 2026, D(2026, 10, 25)),  # last Sunday of October (the 31st: Saturday)
        ("programmer", 2024, D(2024, 9, 12)),  # 256th day: 12 September in a leap year
        ("programmer", 2026, D(2026, 9, 13)),
        ("accountant", 2026, D(2026, 11, 21)),
        ("power", 2026, D(2026, 12, 22)),
    ],
)
def test_holiday_dates(code: str, year: int, expected: dt.date) -> None:
    assert holidays.holiday_date(code, year) == expected


def test_every_holiday_has_a_date_every_year_and_a_russian_greeting() -> None:
    codes = [h.code for h in holidays.HOLIDAYS]
    assert len(codes) == len(set(codes)) >= 20
    for year in range(2024, 2036):
        days = holidays.holidays_of_year(year)
        assert len(days) == len(codes)
        assert all(day.year == year for day, _ in days)
        assert [d for d, _ in days] == sorted(d for d, _ in days)
    for holiday in holidays.HOLIDAYS:
        assert holiday.greeting_ru.startswith(("Днём ", "Международным днём ", "Всемирным днём "))
    assert holidays.BY_CODE["builder"].rule == "2nd Sunday of August"
    assert holidays.BY_CODE["miner"].rule == "last Sunday of August"
    assert holidays.BY_CODE["accountant"].rule == "21 November"


def test_industries_match_the_beginning_of_a_word_in_any_case() -> None:
    def codes(industry: str | None, links: dict[str, tuple[str, ...]] | None = None) -> set[str]:
        return {h.code for h in holidays.matching_holidays(industry, links)}

    assert codes("Дорожное СТРОИТЕЛЬСТВО") == {"builder", "road_workers"}
    assert codes("нефтегаз") == {"oil_gas"}
    assert codes("Газовая промышленность") == {"oil_gas"}
    assert "oil_gas" not in codes("магазин стройматериалов")  # «газ» inside «магазин»
    assert codes("ЖКХ") == {"housing"}
    assert codes("геология") == {"geologist"}
    assert codes("производство стройматериалов") == {"builder"}
    assert codes("общепит") == {"chef"}
    assert codes("ёлочные игрушки") == set()
    assert codes(None) == set()
    assert codes("фасадные работы", {"builder": ("фасад",)}) == {"builder"}
    assert codes(None, {"supply": ("*",)}) == {"supply"}
    assert holidays.find_holiday("СТРОИТЕЛ").code == "builder"
    assert holidays.find_holiday("oil-gas").code == "oil_gas"


def test_occasion_dates_and_leap_days() -> None:
    today = D(2026, 3, 2)
    assert perks.parse_occasion_date("25.11", once=False, today=today) == (11, 25, None)
    assert perks.parse_occasion_date("11-25", once=False, today=today) == (11, 25, None)
    assert perks.parse_occasion_date("2009-11-25", once=False, today=today) == (11, 25, None)
    assert perks.parse_occasion_date("2026-11-25", once=True, today=today) == (11, 25, 2026)
    assert perks.parse_occasion_date("25.11", once=True, today=today) == (11, 25, 2026)
    assert perks.parse_occasion_date("01.03", once=True, today=today) == (3, 1, 2027)
    assert perks.parse_occasion_date("29.02", once=False, today=today) == (2, 29, None)
    assert perks.parse_occasion_date("29.02", once=True, today=today) == (2, 29, 2028)
    for bad in ("31.02", "30-02", "13-01", "00.05", "завтра", "2026-02-30", "25/11", ""):
        with pytest.raises(InvalidInput):
            perks.parse_occasion_date(bad, once=False, today=today)
    with pytest.raises(InvalidInput, match="in the past"):
        perks.parse_occasion_date("2026-03-01", once=True, today=today)
    # 29 February is kept on the 28th in common years
    assert holidays.on_day(2, 29, 2027) == D(2027, 2, 28)
    assert holidays.on_day(2, 29, 2028) == D(2028, 2, 29)
    assert (2, 29) in perks.days_in_window(D(2027, 2, 25), D(2027, 3, 1))
    assert (2, 29) not in perks.days_in_window(D(2028, 2, 25), D(2028, 2, 28))
    assert perks.year_start(D(2026, 11, 23)) == D(2025, 11, 24)
    assert perks.year_start(D(2028, 2, 29)) == D(2027, 3, 1)


def _state(client_id: int) -> ClientState:
    return ClientState(client_id, f"Клиент {client_id}", None, "B", None, 0, None)


def test_the_rule_on_hand_made_facts() -> None:
    """Holiday cards stop at the cap; birthdays and own dates come anyway."""
    facts = perks.PerkFacts(
        industries={1: "строительство", 2: "строительство"},
        links={},
        birthdays=[perks.Birthday(7, 2, "Смирнов Пётр Петрович", 8, 12)],
        occasions=[perks.Occasion(3, 2, "День рождения компании", 8, 10)],
        touches=[perks.PerkTouch(2, D(2025, 9, 1 + n), f"x{n}") for n in range(4)],
    )
    clients = {1: _state(1), 2: _state(2)}
    found = occasions.perk_candidates(
        facts, D(2026, 8, 5), clients, days_before=7, per_year=4, lang="ru"
    )
    assert [(c.client_id, c.purpose_ref) for c in found] == [
        (1, "holiday:builder:2026"),
        (2, "occasion:3:2026"),
        (2, "birthday:7:2026"),
    ]
    assert found[0].reason == (
        "День строителя on Sun 2026-08-09 (in 4 days): send a card or a small gift "
        "(perks in the last 12 months: 0 of 4)"
    )
    assert {c.rule for c in found} == {"occasion"}
    assert {c.kind for c in found} == {"warming"}
    assert {c.purpose for c in found} == {"perk"}
    assert "с Днём строителя!" in (found[0].script or "")
    assert (found[2].script or "").startswith("Пётр Петрович, добрый день! Поздравляем вас с днём")
    english = occasions.perk_candidates(
        facts, D(2026, 8, 5), clients, days_before=7, per_year=4, lang="en"
    )
    assert "Happy Builder's Day" in (english[0].script or "")
    # a year later the four touches are older than 12 months: client 2 gets the holiday
    later = occasions.perk_candidates(
        facts, D(2027, 8, 2), clients, days_before=7, per_year=4, lang="ru"
    )
    assert ("holiday:builder:2027", 2) in {(c.purpose_ref, c.client_id) for c in later}


# -- the seller's side ------------------------------------------------------------------------
def at(cli: Cli, day: str, *args: str, input: str | None = None) -> Run:
    return cli(*args, env={"POVTOR_TODAY": f"{day}T10:00"}, input=input)


def ok(cli: Cli, day: str, *args: str, input: str | None = None) -> Run:
    run = at(cli, day, *args, input=input)
    assert run.exit_code == 0 and run.exception is None, run.describe()
    return run


def plan(cli: Cli, day: str) -> list[dict[str, Any]]:
    return json.loads(ok(cli, day, "plan", "today", "--format", "json").stdout)


def perk_reasons(cli: Cli, day: str) -> dict[str, list[str]]:
    """Each client's perk reasons on the plan of ``day``."""
    found: dict[str, list[str]] = {}
    for item in plan(cli, day):
        for reason in item["reason"].split("; "):
            if "send a card or a small gift" in reason:
                found.setdefault(item["client"], []).append(reason.split(" on ")[0])
    return found


def test_a_holiday_card_names_the_clients_company(cli: Cli) -> None:
    cli.add_client("Монолит", "--industry", "Строительство", "--company", "ООО «Монолит-Строй»")
    shown = plan(cli, "2026-08-02")
    assert shown[0]["text"].startswith(
        "Добрый день! Поздравляем вас и всю команду ООО «Монолит-Строй»"
    )


def test_a_holiday_card_from_seven_days_before_to_the_day(cli: Cli) -> None:
    cli.add_client("СтройМонолит", "--industry", "Строительство", "--category", "A")
    cli.add_client("Ромашка", "--industry", "торговля")
    # Builder's Day 2026: Sunday 9 August
    assert perk_reasons(cli, "2026-08-01") == {}
    first = plan(cli, "2026-08-02")
    assert [(i["client"], i["kind"]) for i in first] == [("СтройМонолит", "warming")]
    assert first[0]["reason"] == (
        "День строителя on Sun 2026-08-09 (in 7 days): send a card or a small gift "
        "(perks in the last 12 months: 0 of 4)"
    )
    # no person to greet, and a company is never greeted
    assert first[0]["text"].startswith("Добрый день! Поздравляем вас и всю команду СтройМонолит")
    assert perk_reasons(cli, "2026-08-09") == {"СтройМонолит": ["День строителя"]}
    assert perk_reasons(cli, "2026-08-10") == {}
    # the setting moves the start
    ok(cli, "2026-08-02", "plan", "set", "plan.perk_days_before", "3")
    assert perk_reasons(cli, "2026-08-05") == {}
    assert perk_reasons(cli, "2026-08-06") == {"СтройМонолит": ["День строителя"]}


def test_two_perks_for_one_client_on_one_day_are_two_touches(cli: Cli) -> None:
    client = cli.add_client("СтройМонолит", "--industry", "строительство")
    ok(cli, "2026-08-04", "client", "person", "add", str(client), "Пётр Смирнов")
    for key in ("holiday:builder:2026", "birthday:1:2026"):
        ok(cli, "2026-08-04", "nudge", "log", "--client", "СтройМонолит", "--channel", "gift",
           "--purpose", "perk", "--about", key)  # fmt: skip
    # the same one again is the same touch
    again = ok(cli, "2026-08-04", "nudge", "log", "--client", "СтройМонолит", "--channel",
               "gift", "--purpose", "perk", "--about", "holiday:builder:2026")  # fmt: skip
    assert "logged already today" in again.stderr
    assert query(cli.db, "SELECT purpose_ref FROM touch ORDER BY id") == [
        ("holiday:builder:2026",),
        ("birthday:1:2026",),
    ]


def test_the_card_leaves_the_plan_once_logged(cli: Cli) -> None:
    cli.add_client("СтройМонолит", "--industry", "строительство")
    cli.add_client("Дорстрой", "--industry", "строительство")
    cli.add_client("Геопартия", "--industry", "геология")
    ok(cli, "2026-08-04", "nudge", "log", "--client", "СтройМонолит", "--channel", "gift",
       "--purpose", "perk", "--about", "holiday:builder:2026")  # fmt: skip
    # a key without the year counts for the coming holiday too
    ok(cli, "2026-08-04", "nudge", "log", "--client", "Дорстрой", "--purpose", "perk",
       "--about", "builder")  # fmt: skip
    assert perk_reasons(cli, "2026-08-06") == {}
    # the key of last year's holiday does not count for this year's
    ok(cli, "2026-03-30", "nudge", "log", "--client", "Геопартия", "--purpose", "perk",
       "--about", "holiday:geologist:2025")  # fmt: skip
    assert perk_reasons(cli, "2026-04-01") == {"Геопартия": ["День геолога"]}
    # plan run records the purpose and the key of the item
    run = ok(cli, "2026-04-02", "plan", "run", input="y\n")
    assert "why: День геолога on Sun 2026-04-05 (in 3 days)" in run.stdout
    assert query(
        cli.db, "SELECT purpose, purpose_ref, kind FROM touch WHERE on_date = '2026-04-02'"
    ) == [("perk", "holiday:geologist:2026", "warming")]
    assert perk_reasons(cli, "2026-04-03") == {}
    listed = json.loads(
        ok(cli, "2026-04-03", "nudge", "list", "--client", "Геопартия", "-f", "json").stdout
    )
    assert (listed[0]["purpose"], listed[0]["purpose_ref"]) == ("perk", "holiday:geologist:2026")


def test_four_perks_in_twelve_months_stop_holidays_not_birthdays(cli: Cli) -> None:
    client = cli.add_client("Уралгеопоиск", "--industry", "геология", "--category", "A")
    ok(cli, "2026-03-02", "client", "person", "add", str(client), "Волков Артём Анатольевич",
       "--birthday", "1980-04-06")  # fmt: skip
    for day in ("2025-03-20", "2025-06-10", "2025-09-10", "2025-12-10", "2026-02-10"):
        ok(cli, day, "nudge", "log", "--client", str(client), "--channel", "gift",
           "--purpose", "perk", "--about", "holiday:builder:2025")  # fmt: skip
    # 2025-03-20 is more than 12 months before 2026-04-01: four count
    reasons = plan(cli, "2026-04-01")[0]["reason"]
    assert "День геолога" not in reasons
    assert reasons == (
        "birthday of Волков Артём Анатольевич on Mon 2026-04-06 (in 5 days): send a card or a "
        "small gift (perks in the last 12 months: 4)"  # (a birthday comes past the holidays' 4)
    )
    assert plan(cli, "2026-04-01")[0]["text"].startswith("Артём Анатольевич, добрый день!")
    ok(cli, "2026-04-01", "plan", "set", "plan.perks_per_year", "5")
    assert perk_reasons(cli, "2026-04-01") == {
        "Уралгеопоиск": ["День геолога", "birthday of Волков Артём Анатольевич"]
    }


def test_a_birthday_on_29_february(cli: Cli) -> None:
    client = cli.add_client("Високос")
    ok(cli, "2026-03-02", "client", "person", "add", str(client), "Иван Петров",
       "--birthday", "2000-02-29")  # fmt: skip
    assert perk_reasons(cli, "2027-02-20") == {}
    assert perk_reasons(cli, "2027-02-21") == {"Високос": ["birthday of Иван Петров"]}
    assert "on Sun 2027-02-28 (in 7 days)" in plan(cli, "2027-02-21")[0]["reason"]
    assert perk_reasons(cli, "2027-03-01") == {}
    assert "on Tue 2028-02-29 (today)" in plan(cli, "2028-02-29")[0]["reason"]


def test_occasions_add_list_remove(cli: Cli, dump: Callable[[], str | None]) -> None:
    client = cli.add_client("Ромашка", "--company", "ООО «Ромашка»")
    other = cli.add_client("Лютик")
    ok(cli, "2026-03-02", "client", "person", "add", "Ромашка", "Пётр Петрович Смирнов")
    ok(cli, "2026-03-02", "client", "person", "add", "Ромашка", "Пётр Иванович Орлов")
    run = ok(cli, "2026-03-02", "client", "occasion", "add", "ромашка", "День рождения компании",
             "--date", "15.03")  # fmt: skip
    yearly = int(run.stdout)
    assert run.stderr == (
        f"added occasion #{yearly} «День рождения компании» to #{client} Ромашка every year "
        "on 15.03\n"
    )
    once = int(
        ok(
            cli,
            "2026-03-02",
            "client",
            "occasion",
            "add",
            str(client),
            "10 лет в компании",
            "--date",
            "2026-03-05",
            "--once",
            "--person",
            "смирнов",
        ).stdout
    )
    ok(cli, "2026-03-02", "client", "occasion", "add", str(client), "Годовщина", "--date", "02-29")
    listed = json.loads(
        ok(cli, "2026-03-02", "client", "occasion", "list", "Ромашка", "-f", "json").stdout
    )
    assert [(o["title"], o["date"], o["yearly"], o["person"], o["next"]) for o in listed] == [
        ("Годовщина", "29.02", True, None, "2027-02-28"),
        ("10 лет в компании", "2026-03-05", False, "Пётр Петрович Смирнов", "2026-03-05"),
        ("День рождения компании", "15.03", True, None, "2026-03-15"),
    ]
    assert perk_reasons(cli, "2026-03-02") == {
        "Ромашка": ["«10 лет в компании» (Пётр Петрович Смирнов)"]
    }
    assert (
        "Пётр Петрович, добрый день! Поздравляем: «10 лет в компании»!"
        in (plan(cli, "2026-03-02")[0]["text"])
    )

    before = dump()
    for args, code, words in [
        (("add", "Нет такого", "X", "--date", "15.03"), 3, "no client matches"),
        (("add", "Ромашка", "X", "--date", "31.02"), 2, "not a real calendar day"),
        (("add", "Ромашка", "X", "--date", "15/03"), 2, "is not a date"),
        (("add", "Ромашка", "X", "--date", "2026-03-01", "--once"), 2, "is in the past"),
        (("add", "Ромашка", "   ", "--date", "15.03"), 2, "title must not be empty"),
        (("add", "Ромашка", "X", "--date", "15.03", "--person", "Сидоров"), 3, "no person"),
        (("add", "Ромашка", "X", "--date", "15.03", "--person", "Пётр"), 4, "matches 2 people"),
        (("remove", "Ромашка", "999"), 3, "has no occasion #999"),
        (("remove", "Лютик", str(yearly)), 3, f"has no occasion #{yearly}"),
    ]:
        run = at(cli, "2026-03-02", "client", "occasion", *args)
        assert run.exit_code == code, run.describe()
        assert words in run.stderr and run.stderr.count("\n") == 1, run.describe()
        assert run.exception is None
    assert dump() == before
    assert other

    ok(cli, "2026-03-02", "client", "occasion", "remove", "Ромашка", str(once))
    listed = json.loads(
        ok(cli, "2026-03-02", "client", "occasion", "list", "Ромашка", "-f", "json").stdout
    )
    assert [o["id"] for o in listed] == [yearly + 2, yearly]


@pytest.mark.sqlite_only("looks for erased strings in the raw bytes of the SQLite file")
def test_forget_erases_the_occasions(cli: Cli, db_path: Path) -> None:
    client = cli.add_client("Ромашка")
    ok(cli, "2026-03-02", "client", "person", "add", "Ромашка", "Пётр Смирнов")
    ok(cli, "2026-03-02", "client", "occasion", "add", "Ромашка", "Свадьба Петра",
       "--date", "20.06", "--person", "Пётр")  # fmt: skip
    ok(cli, "2026-03-02", "client", "occasion", "add", "Ромашка", "Юбилей", "--date", "01.07")
    run = ok(cli, "2026-03-02", "client", "forget", str(client), "--yes")
    assert "1 person, 0 facts, 2 occasions, the texts of" in run.stderr
    assert query(db_path, "SELECT COUNT(*) FROM occasion") == [(0,)]
    assert b"\xd0\xa1\xd0\xb2\xd0\xb0\xd0\xb4\xd1\x8c\xd0\xb1\xd0\xb0" not in db_path.read_bytes()


def test_stats_perks(cli: Cli) -> None:
    since = ("--created", "2024-01-10")
    a = cli.add_client("Альфа", "--category", "A", "--industry", "строительство", *since)
    b = cli.add_client("Бета", "--category", "B", "--industry", "ЖКХ", *since)
    cli.add_client("Гамма", *since)
    cli.add_client("Дельта", "--created", "2026-01-20")  # not a client yet on 2025-12-31
    for day in ("2025-03-01", "2025-06-01", "2025-09-01", "2025-12-01", "2026-03-01"):
        key = f"holiday:builder:{day[:4]}"
        ok(cli, day, "nudge", "log", "--client", str(a), "--purpose", "perk", "--about", key)
    ok(cli, "2026-01-15", "nudge", "log", "--client", str(b), "--purpose", "perk")
    ok(cli, "2026-01-16", "nudge", "log", "--client", str(b), "--text", "не подарок")

    rows = json.loads(ok(cli, "2026-03-02", "stats", "perks", "--format", "json").stdout)
    assert [
        (r["client"], r["category"], r["holidays"], r["perks"], r["missing"], r["last_perk_on"])
        for r in rows
    ] == [
        ("Альфа", "A", 1, 4, 0, "2026-03-01"),  # 2025-03-01 is more than 12 months back
        ("Бета", "B", 1, 1, 3, "2026-01-15"),
        ("Гамма", None, 0, 0, 4, None),
        ("Дельта", None, 0, 0, 4, None),
    ]
    assert {r["target"] for r in rows} == {4}
    table = ok(cli, "2026-03-02", "stats", "perks", "--format", "table").stdout
    assert "1 of 4 clients at the target: 4 perk touches in 12 months" in table
    assert "2025-03-03 – 2026-03-02" in table
    missing = json.loads(ok(cli, "2026-03-02", "stats", "perks", "--missing", "-f", "json").stdout)
    assert [r["client"] for r in missing] == ["Бета", "Гамма", "Дельта"]
    earlier = json.loads(
        ok(cli, "2026-03-02", "stats", "perks", "--date", "2025-12-31", "-f", "json").stdout
    )
    assert [(r["client"], r["perks"]) for r in earlier] == [("Альфа", 4), ("Бета", 0), ("Гамма", 0)]
    csv_out = ok(cli, "2026-03-02", "stats", "perks", "--category", "B", "-f", "csv").stdout
    assert csv_out.splitlines() == [
        "client_id,client,category,industry,holidays,perks,target,missing,last_perk_on",
        f"{b},Бета,B,ЖКХ,1,1,4,3,2026-01-15",
    ]
    run = at(cli, "2026-03-02", "stats", "perks", "--date", "2026-04-01")
    assert run.exit_code == 2 and "after today" in run.stderr


def test_holidays_links_and_upcoming(cli: Cli, dump: Callable[[], str | None]) -> None:
    rows = json.loads(
        ok(cli, "2026-03-02", "perks", "holidays", "--year", "2027", "-f", "json").stdout
    )
    assert ("2027-04-04", "Sun", "geologist") in {
        (r["date"], r["weekday"], r["code"]) for r in rows
    }
    facade = cli.add_client("Фасад-Инжиниринг", "--industry", "Фасадные работы")
    found = json.loads(
        ok(
            cli, "2026-03-02", "perks", "holidays", "--industry", "фасадные работы", "-f", "json"
        ).stdout
    )
    assert found == []
    run = ok(cli, "2026-03-02", "perks", "link", "строителя", "Фасад")
    assert (
        run.stderr == "linked builder (День строителя) to «фасад»: it now suits 1 active client\n"
    )
    assert "linked to «фасад» already" in ok(cli, "2026-03-02", "perks", "link", "builder",
                                            "ФАСАД").stderr  # fmt: skip
    found = json.loads(
        ok(
            cli, "2026-03-02", "perks", "holidays", "--industry", "фасадные работы", "-f", "json"
        ).stdout
    )
    assert [(r["code"], r["date"], r["links"]) for r in found] == [
        ("builder", "2026-08-09", "фасад")
    ]
    upcoming = json.loads(
        ok(cli, "2026-08-03", "perks", "upcoming", "--days", "10", "-f", "json").stdout
    )
    assert [(u["client_id"], u["key"], u["status"], u["in_days"]) for u in upcoming] == [
        (facade, "holiday:builder:2026", "due", 6)
    ]
    ok(cli, "2026-08-03", "nudge", "log", "--client", str(facade), "--purpose", "perk",
       "--about", "holiday:builder:2026")  # fmt: skip
    upcoming = json.loads(ok(cli, "2026-08-03", "perks", "upcoming", "-f", "json").stdout)
    assert [(u["status"], u["perks"]) for u in upcoming] == [("done", 1)]

    before = dump()
    for args, code, words in [
        (("link", "нет такого", "фасад"), 3, "no holiday matches"),
        (("link", "день работ", "фасад"), 4, "matches"),
        (("link", "builder", "  "), 2, "keyword is empty"),
        (("unlink", "builder", "строит"), 5, "built-in industry"),
        (("unlink", "builder", "кровля"), 3, "not linked"),
        (("holidays", "--year", "99999"), 2, "out of range"),
    ]:
        run = at(cli, "2026-08-03", "perks", *args)
        assert run.exit_code == code and words in run.stderr, run.describe()
    assert dump() == before
    ok(cli, "2026-08-03", "perks", "unlink", "builder", "фасад")
    assert perk_reasons(cli, "2027-08-05") == {}


def test_the_demo_plan_has_perk_items(cli: Cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo.db"
    ok(cli, "2026-11-23", "--db", str(demo), "demo", str(demo), "--force")
    items = json.loads(
        ok(cli, "2026-11-23", "--db", str(demo), "plan", "today", "--all", "-f", "json").stdout
    )
    leading = [i["client"] for i in items if i["reason"].startswith("«")]
    assert "ЛесТрансТорг" in leading
    assert any("birthday of" in i["reason"] for i in items)
    stats = json.loads(
        ok(cli, "2026-11-23", "--db", str(demo), "stats", "perks", "-f", "json").stdout
    )
    spread = {r["perks"] for r in stats}
    assert 0 in spread and len(spread) >= 4
    # built on another day, the story moves: occasions and perk keys move with it
    later = tmp_path / "later.db"
    ok(cli, "2027-01-10", "--db", str(later), "demo", str(later), "--force")
    upcoming = json.loads(
        ok(
            cli, "2027-01-10", "--db", str(later), "perks", "upcoming", "-d", "7", "-f", "json"
        ).stdout
    )
    assert ("ЛесТрансТорг", "2027-01-13", "occasion:1:2027", "due") in {
        (u["client"], u["date"], u["key"], u["status"]) for u in upcoming
    }
    # the Transport Day card of 2026-11-20, moved to 2027-01-07, is for 2026's holiday: it
    # does not dismiss the card of 2027-11-20
    moved = query(
        later,
        "SELECT DISTINCT purpose_ref FROM touch WHERE on_date = '2027-01-07' "
        "AND purpose_ref LIKE 'holiday:%'",
    )
    assert moved == [("holiday:transport:2026",)]


def test_moved_keys() -> None:
    key = perks.moved_key
    assert key("birthday:4:2025", D(2025, 11, 25), D(2026, 1, 12)) == "birthday:4:2026"
    assert key("occasion:1:2026", D(2026, 3, 1), D(2026, 4, 1)) == "occasion:1:2026"
    assert key("holiday:builder:2026", D(2026, 8, 7), D(2026, 8, 7)) == "holiday:builder:2026"
    assert key("holiday:builder:2026", D(2026, 8, 7), D(2026, 9, 24)) == "holiday:builder:2026"
    assert key("holiday:builder:2026", D(2026, 8, 7), D(2027, 8, 2)) == "holiday:builder:2027"
    assert key("holiday:builder:2026", D(2026, 8, 7), D(2026, 2, 1)) == "holiday:builder:2025"
    assert key("holiday:transport:2026", D(2026, 11, 20), D(2027, 1, 7)) == (
        "holiday:transport:2026"
    )
    # not a holiday of the calendar: moves with the story like a birthday
    assert key("holiday:new_year:2026", D(2025, 12, 26), D(2026, 2, 12)) == (
        "holiday:new_year:2027"
    )

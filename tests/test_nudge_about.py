"""``nudge log --purpose P --about TEXT``: the reference is checked before anything is
written, and recorded in the form the plan's rules compare (a perk key in lower case, a
product by its id, a card question's code); a typo is an error, not a touch that
dismisses nothing."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from typing import Any

import pytest

from povtor.domain.cards import QUESTION_CODES
from support import Cli, Run


def at(cli: Cli, day: str, *args: str) -> Run:
    return cli(*args, env={"POVTOR_TODAY": f"{day}T10:00"})


def ok(cli: Cli, day: str, *args: str) -> Run:
    run = at(cli, day, *args)
    assert run.exit_code == 0 and run.exception is None, run.describe()
    return run


def _base(cli: Cli) -> None:
    """Ромашка #1 (person #1, occasion #1) and Лютик #2 (person #2, occasion #2); products
    #1 Щебень гранитный 5-20, #2 Щебень известняковый, #3 Песок карьерный and the backend
    #4 Топливный модуль."""
    cli.add_client("Ромашка", "--industry", "геология")
    cli.add_client("Лютик")
    cli.ok("client", "person", "add", "Ромашка", "Пётр Смирнов", "--birthday", "1980-04-06")
    cli.ok("client", "person", "add", "Лютик", "Иван Орлов")
    cli.ok("client", "occasion", "add", "Ромашка", "День рождения компании", "--date", "15.04")
    cli.ok("client", "occasion", "add", "Лютик", "День рождения компании", "--date", "20.04")
    for name in ("Щебень гранитный 5-20", "Щебень известняковый", "Песок карьерный"):
        cli.ok("product", "add", name)
    cli.ok("product", "add", "Топливный модуль", "--price", "1850000", "--backend")


@pytest.fixture
def base(prepared: Callable[..., Cli]) -> Cli:
    return prepared("nudge-about", _base)


def touches(cli: Cli) -> list[tuple[Any, Any]]:
    listed = json.loads(cli.ok("nudge", "list", "--format", "json").stdout)
    return [(t["purpose"], t["purpose_ref"]) for t in listed]


@pytest.mark.parametrize(
    ("purpose", "about", "stored"),
    [
        ("perk", "Geologist", "holiday:geologist"),
        ("perk", "HOLIDAY:Builder:2026", "holiday:builder:2026"),
        ("perk", "holiday:oil-gas", "holiday:oil_gas"),
        ("perk", "geologist:2026", "holiday:geologist:2026"),
        ("perk", "Birthday:1:2026", "birthday:1:2026"),
        ("perk", "birthday:#1", "birthday:1"),
        ("perk", " occasion:1 ", "occasion:1"),
        ("backend", "модуль", "4"),
        ("backend", "#4", "4"),
        ("cross_sell", "ПЕСОК", "3"),
        ("cross_sell", "1", "1"),
        ("cross_sell", "Топливный модуль", "4"),  # cross-sell: any product
        ("cross-sell", "щебень гранитный", "1"),
        ("card", "NEEDS", "needs"),
        ("card", "news", "news"),
        ("referrals", "Соседи по складу", "Соседи по складу"),  # free text, as typed
    ],
)
def test_a_valid_reference_is_recorded_in_the_rules_form(
    base: Cli, purpose: str, about: str, stored: str
) -> None:
    run = base.ok("nudge", "log", "--client", "Ромашка", "--purpose", purpose, "--about", about)
    assert run.stdout.strip().isdigit()
    assert touches(base) == [(purpose.replace("-", "_"), stored)]


def test_one_product_named_two_ways_is_one_touch(base: Cli) -> None:
    base.ok("nudge", "log", "--client", "Лютик", "--purpose", "backend", "--about", "модуль")
    again = base.ok("nudge", "log", "--client", "Лютик", "--purpose", "backend", "--about", "#4")
    assert "logged already today; nothing added" in again.stderr
    assert touches(base) == [("backend", "4")]


@pytest.mark.parametrize(
    ("purpose", "about", "code", "words"),
    [
        ("perk", "geolgist", 2, "no holiday has the code 'geolgist' (did you mean geologist?)"),
        ("perk", "holiday:nothing:2026", 2, "no holiday has the code 'nothing'"),
        ("perk", "holiday:builder:26", 2, "'holiday:builder:26' is not a perk key"),
        ("perk", "holiday", 2, "'holiday' is not a perk key: write holiday:CODE[:YEAR]"),
        ("perk", "birthday", 2, "write birthday:ID[:YEAR] with the person's id"),
        ("perk", "birthday:Пётр", 2, "write birthday:ID[:YEAR] with the person's id"),
        ("perk", "occasion:1:2026:1", 2, "is not a perk key"),
        ("perk", "birthday:2", 2, "client #1 Ромашка has no person #2"),  # Лютик's
        ("perk", "birthday:99:2026", 2, "client #1 Ромашка has no person #99"),
        ("perk", "occasion:2", 2, "client #1 Ромашка has no occasion #2"),  # Лютик's
        ("backend", "Несуществующий товар", 3, "no product matches 'Несуществующий товар'"),
        ("backend", "#99", 3, "no product #99"),
        ("backend", "щебень", 4, "'щебень' matches 2 products"),
        ("backend", "Песок", 2, "#3 Песок карьерный is not a backend product"),
        ("cross_sell", "99", 3, "no product #99"),
        ("cross_sell", "щебень", 4, "matches 2 products"),
        ("card", "nedds", 2, "'nedds' is not a card question (did you mean needs?)"),
        ("card", "holiday:builder", 2, "is not a card question"),
    ],
)
def test_a_bad_reference_is_one_error_line_and_nothing_changes(
    base: Cli,
    dump: Callable[[], str | None],
    purpose: str,
    about: str,
    code: int,
    words: str,
) -> None:
    before = dump()
    run = base("nudge", "log", "--client", "Ромашка", "--purpose", purpose, "--about", about)
    assert run.exit_code == code and run.exception is None, run.describe()
    assert run.stdout == ""
    [line] = run.stderr_lines
    assert line.startswith("error: --about: ") and words in line, line
    assert dump() == before
    # the hint names a command that exists: run it as the seller would
    if "povtor " in line:
        command = shlex.split(line.rsplit("povtor ", 1)[1])
        shown = base(*command)
        assert shown.exit_code == 0, shown.describe()


def test_the_errors_say_what_is_accepted(base: Cli) -> None:
    run = base("nudge", "log", "--client", "Ромашка", "--purpose", "card", "--about", "x")
    assert run.stderr.rstrip().endswith("use one of: " + ", ".join(QUESTION_CODES))
    perk = base("nudge", "log", "--client", "2", "--purpose", "perk", "--about", "birthday:1")
    assert perk.stderr_lines == [
        "error: --about: client #2 Лютик has no person #1; "
        "see the people: povtor client person list 2"
    ]
    backend = base("nudge", "log", "--client", "2", "--purpose", "backend", "--about", "песок")
    assert "see the backend products: povtor product list --backend" in backend.stderr
    help_text = " ".join(base.ok("nudge", "log", "--help").stdout.split())
    for question in QUESTION_CODES:
        assert question in help_text
    for words in ("holiday:CODE", "birthday:PERSON_ID", "occasion:ID", "backend product"):
        assert words in help_text


def perk_reasons(cli: Cli, day: str) -> list[str]:
    """Ромашка's perk reasons on the plan of ``day``."""
    items = json.loads(ok(cli, day, "plan", "today", "--format", "json").stdout)
    return [
        reason.split(" on ")[0]
        for item in items
        if item["client"] == "Ромашка"
        for reason in item["reason"].split("; ")
        if "send a card or a small gift" in reason
    ]


def test_a_key_typed_in_any_case_takes_the_item_off_the_plan(base: Cli) -> None:
    # День геолога: Sunday 2026-04-05; Пётр Смирнов's birthday: 2026-04-06
    day = "2026-04-01"
    assert perk_reasons(base, day) == ["День геолога", "birthday of Пётр Смирнов"]
    # a typo used to be recorded and dismiss nothing; now it is refused
    typo = at(base, day, "nudge", "log", "--client", "Ромашка", "--purpose", "perk",
              "--about", "geolgist")  # fmt: skip
    assert typo.exit_code == 2 and "did you mean geologist?" in typo.stderr
    ok(base, day, "nudge", "log", "--client", "Ромашка", "--channel", "gift", "--purpose",
       "perk", "--about", "GEOLOGIST")  # fmt: skip
    # (a client touched today is off the day's plan anyway: look the next day)
    assert perk_reasons(base, "2026-04-02") == ["birthday of Пётр Смирнов"]
    ok(base, "2026-04-02", "nudge", "log", "--client", "Ромашка", "--channel", "gift",
       "--purpose", "perk", "--about", "Birthday:1:2026")  # fmt: skip
    assert perk_reasons(base, "2026-04-03") == []
    upcoming = json.loads(
        ok(base, "2026-04-03", "perks", "upcoming", "--client", "1", "-d", "7", "-f", "json").stdout
    )
    assert [(u["key"], u["status"]) for u in upcoming] == [
        ("holiday:geologist:2026", "done"),
        ("birthday:1:2026", "done"),
    ]

"""Service contacts (seed 004) and the refusal funnel with referrals (seed 002).

From the seller's side: per-category service delays, the service answer (ok / problem)
and what an unresolved problem does to the plan, ``plan run`` recording answers and
referrals, ``client referral``, and bad input. Calendar: Mon 2026-03-02, Tue 3, ...
Mon 9, ... Mon 16, ... Mon 23. Other rules of the plan (cards, roadmaps, occasions) may
add their own items: the checks here read a client's own rules via ``plan explain``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from povtor.domain import templates
from povtor.domain.conversation import Said
from povtor.domain.plan_records import (
    Candidate,
    ClientState,
    ClosedDeal,
    PlanInput,
    ServiceProblem,
)
from povtor.domain.plan_rules.service_contact import service_delay
from povtor.domain.planner import client_candidates, priority_terms
from povtor.domain.service import (
    check_service_answer,
    referral_source,
    source_group,
)
from povtor.errors import InvalidInput
from povtor.settings import Settings
from support import Cli, Run, query


class Seller:
    """Runs povtor as of a given day, a minute later with each command."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli
        self.day = "2026-03-02"
        self.minute = 0

    def on(self, day: str) -> Seller:
        if day != self.day:
            self.day, self.minute = day, 0
        return self

    def __call__(self, *args: str, input: str | None = None) -> Run:
        self.minute += 1
        hour, minute = divmod(self.minute, 60)
        env = {"POVTOR_TODAY": f"{self.day}T{9 + hour:02d}:{minute:02d}"}
        return self.cli(*args, env=env, input=input)

    def ok(self, *args: str, input: str | None = None) -> Run:
        run = self(*args, input=input)
        assert run.exit_code == 0 and run.exception is None, run.describe()
        return run

    def fails(self, code: int, *args: str) -> Run:
        run = self(*args)
        assert run.exit_code == code and run.exception is None, run.describe()
        assert len(run.stderr_lines) == 1 and run.stderr.startswith("error: "), run.stderr
        return run

    def add(self, name: str, *options: str) -> int:
        return int(self.ok("client", "add", name, *options).stdout)

    def paid(self, client: str, on: str, amount: str, *options: str) -> int:
        deal = int(
            self.ok(
                "deal", "open", client, "--stage", "invoice", "--amount", amount, "--on", on,
                *options,
            ).stdout
        )  # fmt: skip
        self.ok("deal", "win", str(deal), "--on", on)
        return deal

    def rules(self, client: str) -> dict[str, str]:
        """The client's plan item as {rule: reason}; {} when the client is not in the plan."""
        run = self("plan", "explain", client, "--format", "json")
        if run.exit_code == 3:
            return {}
        assert run.exit_code == 0, run.describe()
        return {
            row["what"].split(": ", 1)[1].split(" (")[0]: row["value"]
            for row in json.loads(run.stdout)
            if row["what"].startswith(("reason: ", "also: "))
        }

    def terms(self, client: str) -> dict[str, str]:
        rows = json.loads(self.ok("plan", "explain", client, "--format", "json").stdout)
        return {
            r["what"].removeprefix("term: "): r["value"]
            for r in rows
            if r["what"].startswith("term: ") or r["what"] == "priority"
        }

    def item(self, client: str) -> dict[str, Any]:
        plan = json.loads(self.ok("plan", "today", "--why", "--format", "json").stdout)
        (row,) = (r for r in plan if r["client"] == client)
        return row

    def touches(self, client: str) -> list[dict[str, Any]]:
        return json.loads(self.ok("nudge", "list", "--client", client, "--format", "json").stdout)

    def card(self, client: str) -> dict[str, Any]:
        return json.loads(self.ok("client", "show", client, "--format", "json").stdout)


@pytest.fixture
def seller(cli: Cli) -> Seller:
    return Seller(cli)


# -- pure rules ----------------------------------------------------------------------------
DEFAULTS = Settings({})


def state(category: str | None = "B", **fields: Any) -> ClientState:
    values: dict[str, Any] = {
        "id": 1,
        "name": "Клиент",
        "company": None,
        "category": category,
        "person": None,
        "open_deals": 0,
        "last_touch_on": None,
    }
    values.update(fields)
    return ClientState(**values)


def paid_on(day: str) -> ClosedDeal:
    return ClosedDeal(
        id=7,
        client_id=1,
        closed_on=dt.date.fromisoformat(day),
        amount_minor=None,
        currency="RUB",
        title=None,
    )


def plan_input(today: str, client: ClientState, paid: tuple[ClosedDeal, ...] = ()) -> PlanInput:
    return PlanInput(
        today=dt.date.fromisoformat(today),
        clients={client.id: client},
        deals=(),
        paid_awaiting_service=paid,
        lost=(),
    )


@pytest.mark.parametrize(
    ("category", "delay", "day_before", "due"),
    [
        ("A", 7, "2026-03-08", "2026-03-09"),
        ("B", 14, "2026-03-15", "2026-03-16"),
        ("C", 21, "2026-03-22", "2026-03-23"),
        (None, 14, "2026-03-15", "2026-03-16"),  # uncategorised: plan.service_days
    ],
)
def test_service_delay_per_category(
    category: str | None, delay: int, day_before: str, due: str
) -> None:
    assert service_delay(category, DEFAULTS) == delay
    client = state(category)
    payment = (paid_on("2026-03-02"),)
    assert client_candidates(plan_input(day_before, client, payment), DEFAULTS) == []
    [found] = client_candidates(plan_input(due, client, payment), DEFAULTS)
    assert (found.rule, found.kind, found.overdue_days) == ("service", "service", 0)
    assert found.reason == (
        f"service contact: deal #7 paid 2026-03-02, {delay} days ago — how is it going?"
    )


def test_service_delay_settings_are_per_category() -> None:
    tuned = Settings({"plan.service_days.C": "3", "plan.service_days": "30"})
    assert [service_delay(c, tuned) for c in ("A", "B", "C", None)] == [7, 14, 3, 30]


def test_an_open_problem_is_an_item_and_raises_every_item() -> None:
    problem = ServiceProblem(dt.date(2026, 3, 2), "не тот фракционный состав", touch_id=5)
    troubled = state("B", open_problem=problem, last_paid_amount=10_000_000)
    [found] = client_candidates(plan_input("2026-03-05", troubled), DEFAULTS)
    assert (found.rule, found.kind, found.template_stage) == ("problem", "service", "problem")
    assert found.reason == ("problem reported 2026-03-02: «не тот фракционный состав»; resolve it")
    assert priority_terms(found, troubled, DEFAULTS) == {
        "category": Decimal(20),
        "money": Decimal("10.02"),  # 5 × log10(1 + 100000 / 1000)
        "closeness": Decimal("0.00"),
        "overdue": Decimal(3),  # days since it was reported
        "rule": Decimal(10),
        "problem": Decimal(15),
    }
    stuck = Candidate(client_id=1, rule="stuck", reason="", kind="closing")
    assert priority_terms(stuck, troubled, DEFAULTS)["problem"] == Decimal(15)
    assert "problem" not in priority_terms(stuck, state("B"), DEFAULTS)
    tuned = Settings({"plan.weight.problem": "40"})
    assert priority_terms(stuck, troubled, tuned)["problem"] == Decimal(40)
    # the client named a date to come back on: nothing before it
    later = Said(dt.date(2026, 3, 3), "2026-03-03 10", "closing", "later", dt.date(2026, 3, 10))
    waiting = state("B", open_problem=problem, said=later)
    assert client_candidates(plan_input("2026-03-05", waiting), DEFAULTS) == []


def test_service_answer_rules() -> None:
    assert check_service_answer(kind="service", answer="ok", problem=None, reason=None) == (
        "ok",
        None,
    )
    assert check_service_answer(
        kind="service", answer=None, problem="мятые мешки", reason=None
    ) == (
        "problem",
        "мятые мешки",
    )
    assert check_service_answer(
        kind="service", answer="problem", problem=None, reason="мятые мешки"
    ) == ("problem", "мятые мешки")
    assert check_service_answer(kind="warming", answer=None, problem=None, reason="x") == (
        None,
        "x",
    )
    for bad in (
        {"kind": "closing", "answer": "ok", "problem": None, "reason": None},
        {"kind": "service", "answer": "problem", "problem": None, "reason": None},
        {"kind": "service", "answer": "fine", "problem": None, "reason": None},
        {"kind": "service", "answer": "ok", "problem": "x", "reason": None},
        {"kind": "service", "answer": None, "problem": "x", "reason": "y"},
    ):
        with pytest.raises(InvalidInput):
            check_service_answer(**bad)  # type: ignore[arg-type]


def test_referral_sources_and_their_group() -> None:
    assert referral_source("Столярный цех «Сосна»") == "referral from Столярный цех «Сосна»"
    long = referral_source("Я" * 300)
    assert len(long) == 200 and long.endswith("…")
    assert source_group("referral from Сосна") == "referral"
    assert source_group("Referral From Сосна") == "referral"
    assert source_group("выставка") == "выставка"


def test_the_seed_scripts_are_the_drafts() -> None:
    user: dict[tuple[str, str, str, str], str] = {}
    revisit = templates.lookup("closing", "refusal", "revisit", "ru", user)
    assert "вопрос «{title}» вас всё ещё интересует?" in revisit  # seed 002
    assert "в вашем окружении есть люди" in templates.lookup(
        "closing", "*", "referrals", "ru", user
    )
    service = templates.lookup("service", "*", "*", "ru", user)
    assert all(q in service for q in ("Как у вас дела", "всё ли в порядке", "пожелания"))
    assert "{problem}" in templates.lookup("service", "*", "problem", "en", user)
    # a step's own draft is never replaced by a user's wider template
    user[("service", "*", "*", "ru")] = "{person}, как дела?"
    assert "{problem}" in templates.lookup("service", "*", "problem", "ru", user)
    assert templates.lookup("service", "*", "*", "ru", user) == "{person}, как дела?"


# -- service contacts on the command line --------------------------------------------------
def test_per_category_delays_on_the_calendar(seller: Seller) -> None:
    seller.add("Альфа", "--category", "A")
    seller.add("Сигма", "--category", "C")
    seller.paid("Альфа", "2026-03-02", "100000", "--title", "Щебень")
    seller.paid("Сигма", "2026-03-02", "20000")
    assert "service" not in seller.on("2026-03-08").rules("Альфа")
    assert seller.on("2026-03-09").rules("Альфа")["service"] == (
        "service contact: deal #1 paid 2026-03-02, 7 days ago — how is it going?"
    )
    assert seller.item("Альфа")["text"] == (
        "Добрый день! Как у вас дела с «Щебень»: всё ли в порядке, может, что-то было "
        "не так? Есть ли пожелания к нам?"  # «Альфа» is no person: nobody is greeted
    )
    assert "service" not in seller.on("2026-03-22").rules("Сигма")
    assert "service" in seller.on("2026-03-23").rules("Сигма")
    seller.ok("plan", "set", "plan.service_days.C", "10")
    assert "service" not in seller.on("2026-03-11").rules("Сигма")
    assert "service" in seller.on("2026-03-12").rules("Сигма")
    # the answer settles it
    seller.ok("nudge", "log", "--client", "Сигма", "--answer", "ok")
    assert "service" not in seller.on("2026-03-13").rules("Сигма")


def test_a_problem_raises_the_client_until_a_later_ok(seller: Seller) -> None:
    seller.add("Дорожник", "--category", "B")
    seller.add("Сосед", "--category", "B")
    seller.paid("Дорожник", "2026-02-20", "100000", "--title", "Щебень 20–40")
    seller.paid("Сосед", "2026-02-20", "100000")
    for client in ("Дорожник", "Сосед"):
        seller.ok("deal", "open", client, "--stage", "request", "--amount", "50000")
    run = seller.ok(
        "nudge", "log", "--client", "Дорожник", "--problem", "не тот фракционный состав"
    )
    touch = int(run.stdout)
    assert run.stderr_lines[0] == (
        f"logged service touch #{touch} with Дорожник: yes, problem: «не тот фракционный состав»"
    )
    assert "until a service contact answers ok" in run.stderr_lines[1]
    [logged] = [t for t in seller.touches("Дорожник") if t["id"] == touch]
    assert (logged["kind"], logged["outcome"], logged["answer"], logged["reason"]) == (
        "service",
        "yes",
        "problem",
        "не тот фракционный состав",
    )
    seller.ok("nudge", "log", "--client", "Сосед", "--answer", "ok")

    # Thu 5th: both request deals are stuck; Дорожник's problem is its own item too
    seller.on("2026-03-05")
    rules = seller.rules("Дорожник")
    assert rules["problem"] == (
        "problem reported 2026-03-02: «не тот фракционный состав»; resolve it"
    )
    assert rules["stuck"].startswith("Запрос: 3 working days in stage (limit 2)")
    # the stuck deal leads (its priority is higher), and carries the problem's 15 points
    assert seller.terms("Дорожник") == {
        "category": "20",
        "money": "8.54",  # 5 × log10(1 + 50000 / 1000)
        "closeness": "8.00",
        "overdue": "1",
        "rule": "12",
        "problem": "15",
        "priority": "64.54",
    }
    assert "problem" not in seller.terms("Сосед")
    row, other = seller.item("Дорожник"), seller.item("Сосед")
    assert (row["w_problem"], other["w_problem"]) == ("15", "0")
    assert Decimal(row["priority"]) - Decimal(other["priority"]) == 15

    # the deal moves on: the problem leads the item, with its own draft
    seller.ok("nudge", "log", "--deal", "Дорожник", "--outcome", "later", "--later", "+14")
    [problem] = [r for r in json.loads(
        seller.on("2026-03-06").ok("plan", "today", "--format", "json").stdout
    ) if r["client"] == "Дорожник"]  # fmt: skip
    assert (problem["kind"], problem["priority"]) == ("service", "59.02")  # 20+10.02+0+4+10+15
    assert problem["text"] == (
        "Добрый день! Возвращаюсь к проблеме, о которой вы говорили: «не тот "
        "фракционный состав». Теперь всё в порядке или что-то ещё не так?"
    )
    en = seller.ok("plan", "today", "--lang", "en", "--format", "json").stdout
    assert "Coming back to the problem you told us about: «не тот фракционный состав»" in en

    # neither an unanswered service call nor an ok dated before the problem resolves it
    seller.ok("nudge", "log", "--client", "Дорожник", "--kind", "service", "-o", "no-answer")
    seller.ok("nudge", "log", "--client", "Дорожник", "--answer", "ok", "--on", "2026-03-01")
    assert "problem" in seller.on("2026-03-09").rules("Дорожник")
    # a later "all well" does
    run = seller.ok("nudge", "log", "--client", "Дорожник", "--answer", "ok")
    assert run.stderr_lines[-1] == (
        "the problem reported 2026-03-02 («не тот фракционный состав») is resolved"
    )
    assert "problem" not in seller.on("2026-03-10").rules("Дорожник")
    # the plan of an earlier day still shows it (reproducible plans)
    earlier = seller.ok("plan", "2026-03-04", "--format", "json").stdout
    assert "problem reported 2026-03-02" in earlier


def test_plan_run_records_service_answers(seller: Seller) -> None:
    for name in ("Альфа", "Бета", "Гамма"):
        seller.add(name, "--category", "A")
        seller.paid(name, "2026-03-02", "100000", "--title", "Щебень")
    seller.on("2026-03-09")
    run = seller.ok("plan", "run", input="y\no\np\n\nмятые мешки\na\n")
    # three service items; the wrong answer "y" is asked again
    assert run.stdout.count("all well? [o]k  [p]roblem  [l]ater  [a] no answer") == 4
    assert "please answer o, p, l, a, s or q" in run.stdout
    assert "please say what is wrong" in run.stdout
    assert "recorded 3 outcome(s)" in run.stderr
    answers = {
        name: [(t["kind"], t["outcome"], t["answer"], t["reason"]) for t in seller.touches(name)]
        for name in ("Альфа", "Бета", "Гамма")
    }
    assert answers == {
        "Альфа": [("service", "yes", "ok", None)],
        "Бета": [("service", "yes", "problem", "мятые мешки")],
        "Гамма": [("service", "no_answer", None, None)],
    }
    # next day: Бета's problem is in the plan; a run answers it ok
    seller.on("2026-03-10")
    assert "problem" in seller.rules("Бета")
    assert "service" not in seller.rules("Гамма")  # any service touch settles the contact
    run = seller.ok("plan", "run", input="o\ns\n")
    assert "#1 Бета [A]" in run.stdout
    assert "Возвращаюсь к проблеме, о которой вы говорили: «мятые мешки»" in run.stdout
    assert "saved touch" in run.stdout and ", ok" in run.stdout
    assert "problem" not in seller.on("2026-03-11").rules("Бета")


# -- referrals -----------------------------------------------------------------------------
def test_client_referral_records_a_client_and_a_first_sale_deal(seller: Seller) -> None:
    sosna = seller.add("Столярный цех «Сосна»", "--category", "C")
    run = seller.ok(
        "client", "referral", "сосна", "Бригада Лосева", "--company", "ИП Лосев И. В.",
        "--phone", "+7 916 555-12-34", "--email", "losev@example.ru",
        "--person", "Игорь Викторович", "--title", "Цемент М500", "--amount", "45 000,50",
    )  # fmt: skip
    new = int(run.stdout)
    assert run.stderr_lines == [
        f"added client #{new} Бригада Лосева (referral from #{sosna} Столярный цех «Сосна») "
        f"with first-sale deal #1, 45 000.50"
    ]
    card = seller.card(str(new))
    assert (card["source"], card["referred_by"]["id"], card["company"], card["phone"]) == (
        "referral from Столярный цех «Сосна»",
        sosna,
        "ИП Лосев И. В.",
        "+7 916 555-12-34",
    )
    assert card["referred_by"] == {"id": sosna, "name": "Столярный цех «Сосна»"}
    assert [p["name"] for p in card["people"]] == ["Игорь Викторович"]
    [deal] = card["deals"]
    assert (deal["funnel"], deal["stage"], deal["status"], deal["amount"], deal["title"]) == (
        "first",
        "lead",
        "open",
        "45000.50",
        "Цемент М500",
    )
    assert deal["opened_on"] == "2026-03-02"
    given = seller.card(str(sosna))["referrals"]
    assert given == [{"id": new, "name": "Бригада Лосева", "created_on": "2026-03-02"}]
    assert re.search(rf"Referred by\s+#{sosna} Столярный цех «Сосна»", seller.ok(
        "client", "show", str(new)).stdout)  # fmt: skip
    assert re.search(rf"Referrals given\s+#{new} Бригада Лосева", seller.ok(
        "client", "show", str(sosna)).stdout)  # fmt: skip
    # the bare minimum: a name
    bare = int(seller.ok("client", "referral", str(sosna), "Петров").stdout)
    assert seller.card(str(bare))["deals"][0]["title"] is None
    assert [r["name"] for r in seller.card(str(sosna))["referrals"]] == [
        "Бригада Лосева",
        "Петров",
    ]


def test_forgetting_the_referrer_clears_its_name_from_the_referrals(seller: Seller) -> None:
    sosna = seller.add("ИП Фомин Алексей", "--source", "сайт")
    referred = seller.ok("client", "referral", str(sosna), "Бригада").stdout.strip()
    seller.ok("client", "forget", str(sosna), "--yes")
    card = seller.card(referred)
    assert card["source"] == f"referral from forgotten client #{sosna}"
    assert card["referred_by"] == {"id": sosna, "name": f"forgotten client #{sosna}"}
    assert seller.card(str(sosna))["source"] == "сайт"  # its own source is a business fact


def test_referrals_are_one_source_in_stats(seller: Seller) -> None:
    seller.add("Сосна", "--source", "сайт")
    seller.add("Гранит", "--source", "выставка")
    seller.ok("client", "referral", "Сосна", "Бригада")
    seller.ok("client", "referral", "Гранит", "Кровельщики")
    seller.paid("Бригада", "2026-03-02", "10000")
    rows = list(
        csv.DictReader(io.StringIO(seller.ok("stats", "sources", "--format", "csv").stdout))
    )
    by_source = {r["source"]: (r["leads"], r["paying"]) for r in rows}
    assert by_source == {"referral": ("2", "1"), "сайт": ("1", "0"), "выставка": ("1", "0")}


def test_the_refusal_path_from_loss_to_referral(seller: Seller) -> None:
    """Lost on 2025-12-03; revisited 90 days on (2026-03-03); "no"; a referral."""
    seller.add("Сокол", "--category", "B")
    seller.ok("client", "person", "add", "Сокол", "Анна")
    deal = seller.ok(
        "deal", "open", "Сокол", "--stage", "proposal", "--amount", "300000",
        "--title", "Арматура", "--on", "2025-12-01",
    ).stdout.strip()  # fmt: skip
    seller.ok(
        "nudge", "log", "--deal", deal, "-o", "no", "--reason", "дорого", "--on", "2025-12-03"
    )
    assert "revisit" not in seller.on("2026-03-02").rules("Сокол")  # 89 days
    seller.on("2026-03-03")
    assert seller.rules("Сокол")["revisit"] == (
        f"refusal revisit: deal #{deal} lost 2025-12-03 (дорого), 90 days ago"
    )
    script = (
        "Анна, добрый день! Некоторое время назад мы с вами обсуждали варианты сотрудничества "
        "по «Арматура», и у нас не получилось найти точки соприкосновения. В мире всё "
        "переменчиво, у нас появились новые возможности, поэтому и пишу. Подскажите, Анна, "
        "вопрос «Арматура» вас всё ещё интересует?"
    )
    assert seller.item("Сокол")["text"] == script
    run = seller.ok(
        "plan",
        "run",
        input="n\nне актуально\nБригада Лосева\nзвоните вечером\n+7 916 000-00-00\n",
    )
    assert f"message: {script}" in " ".join(run.stdout.split())  # (wrapped at the width)
    assert "  the phone: 'звоните вечером' is not a phone number\n" in run.stdout  # asked again
    assert (
        "ask for referrals: Спасибо за ответ! Тогда ещё один вопрос, Анна: может быть, в "
        "вашем окружении есть люди, кому было бы интересно узнать про «Арматура» и получить "
        "от вас специальные условия?"
    ) in run.stdout
    assert "added client #2 Бригада Лосева (referral) with first-sale deal #2" in run.stdout
    [touch] = [t for t in seller.touches("Сокол") if t["on_date"] == "2026-03-03"]
    assert (touch["kind"], touch["outcome"], touch["reason"]) == ("closing", "no", "не актуально")
    assert (touch["purpose"], touch["purpose_ref"]) == ("referrals", "client:2")
    referral = seller.card("Бригада Лосева")
    assert (referral["source"], referral["referred_by"]["id"], referral["phone"]) == (
        "referral from Сокол",
        1,
        "+7 916 000-00-00",
    )
    assert [(d["funnel"], d["stage"]) for d in referral["deals"]] == [("first", "lead")]
    # the revisit is done: the next one comes 90 days after its "no" (2026-06-01); the
    # referral's lead waits its 2 working days
    assert "revisit" not in seller.on("2026-03-04").rules("Сокол")
    assert "revisit" not in seller.on("2026-05-31").rules("Сокол")
    assert seller.on("2026-06-01").rules("Сокол")["revisit"] == (
        f"refusal revisit: deal #{deal} lost 2025-12-03 (дорого), no again on 2026-03-03 "
        "(не актуально), 90 days ago"
    )
    assert (
        seller.on("2026-03-06")
        .rules("Бригада Лосева")["warming"]
        .startswith("Лид: 3 working days in stage (limit 2)")
    )


def test_a_no_to_a_revisit_logged_by_hand_prints_the_referral_ask(seller: Seller) -> None:
    seller.add("Сокол")
    deal = seller.ok("deal", "open", "Сокол", "--title", "Арматура", "--on", "2025-11-01")
    seller.ok("deal", "lose", deal.stdout.strip(), "--reason", "дорого", "--on", "2025-11-02")
    run = seller.ok("nudge", "log", "--client", "Сокол", "--kind", "closing", "-o", "no")
    assert run.stderr_lines[1] == (
        "ask for referrals: Спасибо за ответ! Тогда ещё один вопрос: может быть, в "
        "вашем окружении есть люди, кому было бы интересно узнать про «Арматура» и получить "
        "от вас специальные условия?"
    )
    assert run.stderr_lines[2] == 'record one with: povtor client referral 1 "NAME" [--phone ...]'
    # no hint while a deal is open, nor for a client whose last word was a purchase
    seller.add("Гранит")
    seller.paid("Гранит", "2026-02-02", "10000")
    quiet = seller.ok("nudge", "log", "--client", "Гранит", "-o", "no")
    assert len(quiet.stderr_lines) == 1


# -- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "args", "says"),
    [
        (2, ("nudge", "log", "--client", "1", "--kind", "warming", "--answer", "ok"),
         "--answer goes with a service touch, not a warming one"),
        (2, ("nudge", "log", "--client", "1", "--answer", "problem"),
         "--answer problem needs what is wrong"),
        (2, ("nudge", "log", "--client", "1", "--answer", "fine"),
         "--answer: 'fine' is not one of ok, problem"),
        (2, ("nudge", "log", "--client", "1", "--problem", "  "), "--problem must not be empty"),
        (2, ("nudge", "log", "--client", "1", "--answer", "ok", "--problem", "x"),
         "--problem goes with --answer problem"),
        (3, ("nudge", "log", "--client", "Нету", "--answer", "ok"), "no client matches"),
        (3, ("client", "referral", "Нету", "Бригада"), "no client matches 'Нету'"),
        (2, ("client", "referral", "1", "  "), "NAME must not be empty"),
        (2, ("client", "referral", "1", "Бригада", "--amount", "сорок"), "--amount"),
        (2, ("client", "referral", "1", "Бригада", "--email", "нет"), "is not an e-mail"),
        (2, ("nudge", "template", "set", "closing", "{person}?", "--stage", "problem"),
         "--stage problem is a service draft, not a closing one"),
    ],
)  # fmt: skip
def test_bad_input_changes_nothing(
    seller: Seller, dump: Callable[[], str | None], code: int, args: tuple[str, ...], says: str
) -> None:
    seller.add("Сосна")
    before = dump()
    run = seller.fails(code, *args)
    assert says in run.stderr
    assert dump() == before


def test_a_failed_referral_leaves_no_half(seller: Seller, db_path: Path) -> None:
    seller.add("Сосна")
    # without a first-sale funnel the deal cannot open: nothing of the referral is kept
    from support import execute

    execute(db_path, "UPDATE funnel SET code = 'first-sale' WHERE code = 'first'")
    run = seller.fails(3, "client", "referral", "Сосна", "Бригада")
    assert "no funnel 'first'" in run.stderr
    assert query(db_path, "SELECT COUNT(*) FROM client") == [(1,)]


# -- templates, export and import ------------------------------------------------------------
def test_the_problem_draft_can_be_replaced(seller: Seller) -> None:
    seller.ok("nudge", "template", "set", "service", "{person}, «{problem}» решили?", "--stage",
              "problem")  # fmt: skip
    seller.add("Дорожник")
    seller.ok("nudge", "log", "--client", "Дорожник", "--problem", "мятые мешки")
    # «Дорожник» is no person: the greeting goes, the template stays
    assert seller.on("2026-03-03").item("Дорожник")["text"] == "«мятые мешки» решили?"


def test_service_answers_travel_in_export_and_import(seller: Seller, tmp_path: Path) -> None:
    seller.add("Дорожник")
    seller.ok("nudge", "log", "--client", "1", "--problem", "мятые мешки", "--on", "-2")
    seller.ok("nudge", "log", "--client", "1", "--answer", "ok")
    exported = seller.ok("export", "touches").stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["kind"], r["answer"], r["reason"]) for r in rows] == [
        ("service", "problem", "мятые мешки"),
        ("service", "ok", ""),
    ]
    # an answer on another kind of touch is refused, with its line
    bad = tmp_path / "touches.csv"
    bad.write_text("client_id,on_date,kind,answer\n1,2026-02-20,warming,ok\n", encoding="utf-8")
    run = seller("import", "touches", str(bad))
    assert run.exit_code == 2
    assert "touches.csv:2: answer: only a service touch has an answer (this one is warming)" in (
        run.stderr
    )
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("client_id,on_date,kind,answer\n1,2026-02-20,service,fine\n", "utf-8")
    assert seller("import", "touches", str(wrong)).exit_code == 2


# -- the demo --------------------------------------------------------------------------------
def test_the_demo_shows_a_problem_and_a_referral(cli: Cli, tmp_path: Path) -> None:
    import tomllib

    demo = tmp_path / "demo.db"
    env = {"POVTOR_TODAY": "2026-11-23T09:00"}
    cli.ok("demo", str(demo), env=env)
    story = tomllib.loads(
        (Path(__file__).resolve().parents[1] / "examples" / "demo" / "demo.toml").read_text(
            encoding="utf-8"
        )
    )["scenarios"]
    plan = json.loads(
        cli.ok("--db", str(demo), "plan", "today", "--why", "--format", "json", env=env).stdout
    )
    [troubled] = story["service_problem_clients"]
    name = query(demo, "SELECT name FROM client WHERE id = ?", (troubled,))[0][0]
    [item] = [r for r in plan if r["client"] == name]
    assert item["reason"].startswith("problem reported 2026-11-20: «не тот фракционный состав")
    assert (item["kind"], item["w_problem"], item["w_rule"]) == ("service", "15", "10")
    assert all(r["w_problem"] == "0" for r in plan if r["client"] != name)
    [resolved] = story["service_problem_resolved_clients"]
    answers = query(
        demo, "SELECT answer FROM touch WHERE client_id = ? AND answer IS NOT NULL ORDER BY at",
        (resolved,),
    )  # fmt: skip
    assert ("problem",) in answers and answers[-1] == ("ok",)
    assert query(demo, "SELECT COUNT(*) FROM touch WHERE answer = 'ok'")[0][0] > 100
    [referred] = story["referral_clients"]
    row = query(
        demo,
        "SELECT c.source, r.name FROM client c JOIN client r ON r.id = c.referred_by_id "
        "WHERE c.id = ?",
        (referred,),
    )
    assert row == [("referral from Столярный цех «Сосна»", "Столярный цех «Сосна»")]
    [first] = story["referral_first_sale_deals"]
    owner = query(
        demo,
        "SELECT d.client_id, f.code FROM deal d JOIN funnel f ON f.id = d.funnel_id WHERE d.id = ?",
        (first,),
    )
    assert owner == [(referred, "first")]

"""A seller's March 2026 played through the real CLI, and the exact plan on given days.

Every command runs with POVTOR_TODAY set to the day it happens (and a minute that
moves on with each command, so touches logged the same day keep their order).
Calendar: Mon 2, Tue 3, Wed 4, Thu 5, Fri 6, Sat 7, Sun 8, Mon 9, ... Mon 16, ...
Stage limits of the repeat funnel (working days): base 2, request 2, proposal 3,
invoice 3.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest

from support import Cli, Run, execute, query

NB = "\u00a0"  # the no-break space of drafts: «125 000 ₽», «4 дня»


class Seller:
    """Runs povtor as of a given day: ``seller.on("2026-03-06")("plan", "today")``."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli
        self.day = "2026-03-02"
        self.minute = 0

    def on(self, day: str) -> Seller:
        if day != self.day:
            self.day = day
            self.minute = 0
        return self

    def env(self) -> dict[str, str | None]:
        self.minute += 1
        hour, minute = divmod(self.minute, 60)
        return {"POVTOR_TODAY": f"{self.day}T{9 + hour:02d}:{minute:02d}"}

    def __call__(self, *args: str, input: str | None = None) -> Run:
        return self.cli(*args, env=self.env(), input=input)

    def ok(self, *args: str, input: str | None = None) -> Run:
        run = self(*args, input=input)
        assert run.exit_code == 0 and run.exception is None, run.describe()
        return run

    def fails(self, code: int, *args: str, input: str | None = None) -> Run:
        run = self(*args, input=input)
        assert run.exit_code == code and run.exception is None, run.describe()
        assert "Traceback" not in run.stderr
        return run

    def add(self, name: str, *options: str) -> int:
        return int(self.ok("client", "add", name, *options).stdout)

    def open(self, client: str | int, *options: str) -> int:
        return int(self.ok("deal", "open", str(client), *options).stdout)

    def paid(self, client: str | int, on: str, amount: str, *options: str) -> int:
        """A deal opened and paid on ``on`` (backdated)."""
        deal = self.open(client, "--stage", "invoice", "--amount", amount, "--on", on, *options)
        self.ok("deal", "win", str(deal), "--on", on)
        return deal

    def nudge(self, *args: str) -> int:
        return int(self.ok("nudge", "log", *args).stdout)

    def deal(self, deal: int) -> dict[str, Any]:
        return json.loads(self.ok("deal", "show", str(deal), "--format", "json").stdout)

    def touches(self, *filters: str) -> list[dict[str, Any]]:
        return json.loads(self.ok("nudge", "list", *filters, "--format", "json").stdout)

    def plan(self, *options: str) -> list[dict[str, Any]]:
        return json.loads(self.ok("plan", "today", *options, "--format", "json").stdout)

    def brief(self, *options: str) -> list[tuple[str, str, str]]:
        """(client, touch kind, reason) of each item, in order."""
        return [(r["client"], r["kind"], r["reason"]) for r in self.plan(*options)]

    def clients(self, *options: str) -> list[str]:
        return [r["client"] for r in self.plan(*options)]

    def table(self, *args: str) -> dict[str, Any]:
        """A what/value listing (plan explain) as a dict."""
        rows = json.loads(self.ok(*args, "--format", "json").stdout)
        return {r["what"]: r["value"] for r in rows}

    def target(self, *args: str) -> dict[str, Any]:
        """``plan target``'s json: one object."""
        found = json.loads(self.ok("plan", "target", *args, "--format", "json").stdout)
        assert isinstance(found, dict)
        return found


@pytest.fixture
def seller(cli: Cli) -> Seller:
    return Seller(cli)


# -- a stuck invoice, nudged with each outcome in turn --------------------------------------
def test_stuck_invoice_through_no_answer_later_and_yes(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.add("Ромашка", "--category", "A", "--company", "ООО Ромашка")
    seller.ok("client", "person", "add", "Ромашка", "Пётр Петрович")
    deal = seller.open("Ромашка", "--stage", "invoice", "--amount", "125000", "--title", "Щебень")

    for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"):
        assert seller.on(day).plan() == [], day  # Thu: 3 working days, the limit itself
    assert seller.on("2026-03-06").plan() == [
        {
            "rank": 1,
            "client": "Ромашка",
            "category": "A",
            "deal_id": deal,
            "stage": "repeat/invoice",
            "amount": "125000.00",
            "kind": "closing",
            "reason": "Счёт отправлен: 4 working days in stage (limit 3), no touch since",
            "priority": "69.50",
            "text": f"Добрый день, Пётр Петрович! Счёт на 125{NB}000{NB}₽ ждёт оплаты 4{NB}дня. "
            "Оплата в силе или что-то пошло не по плану?",
            "client_id": 1,
            "rule": "stuck",
            "purpose": None,
            "about": None,
        }
    ]
    # the weekend adds no working day: still one day overdue, same priority
    assert seller.on("2026-03-08").plan()[0]["priority"] == "69.50"
    # Monday 9 March is a day off (8 March fell on a Sunday): nor does it
    assert seller.on("2026-03-09").plan()[0]["priority"] == "69.50"
    assert seller.on("2026-03-10").plan()[0]["priority"] == "70.50"

    # Friday: the nudge goes out, no answer. Touched today: off today's plan.
    seller.on("2026-03-06").nudge("--deal", str(deal), "--outcome", "no-answer")
    assert seller.plan() == []
    after = seller.deal(deal)
    assert (after["status"], after["stage"], after["follow_up_on"]) == ("open", "invoice", None)
    # the clock restarts from the nudge: Mon off, Tue 1, Wed 2, Thu 3 working days, Fri 4
    for day in ("2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12"):
        assert seller.on(day).plan() == [], day
    assert seller.on("2026-03-13").brief() == [
        (
            "Ромашка",
            "closing",
            "Счёт отправлен: 8 working days in stage (limit 3), last nudge 2026-03-06 unanswered",
        )
    ]

    # Friday 13th: "later, on the 20th"
    seller.nudge("--deal", str(deal), "--outcome", "later", "--later", "2026-03-20")
    assert seller.deal(deal)["follow_up_on"] == "2026-03-20"
    for day in ("2026-03-13", "2026-03-16", "2026-03-19"):
        assert seller.on(day).plan() == [], day  # the promised date holds the stage limit
    assert seller.on("2026-03-20").brief() == [
        (
            "Ромашка",
            "closing",
            "follow-up due today: asked to come back on 2026-03-20 (Счёт отправлен)",
        )
    ]
    assert seller.on("2026-03-23").brief()[0][2].startswith("follow-up due 3 days ago")

    # Friday 20th: "yes" on the invoice is the payment
    seller.on("2026-03-20").nudge("--deal", str(deal), "--outcome", "yes")
    won = seller.deal(deal)
    assert (won["status"], won["stage"], won["closed_on"]) == ("won", "paid", "2026-03-20")
    assert [h["event"] for h in won["history"]] == ["open", "win"]
    assert [(t["on_date"], t["outcome"], t["follow_up_on"]) for t in won["touches"]] == [
        ("2026-03-06", "no_answer", None),
        ("2026-03-13", "later", "2026-03-20"),
        ("2026-03-20", "yes", None),
    ]
    assert seller.plan() == []

    # service contact 7 days after an A client's payment (plan.service_days.A): 2026-03-27
    assert seller.on("2026-03-26").plan() == []
    assert seller.on("2026-03-27").brief() == [
        (
            "Ромашка",
            "service",
            f"service contact: deal #{deal} paid 2026-03-20, 7 days ago — how is it going?",
        )
    ]
    assert seller.plan()[0]["text"] == (
        "Добрый день, Пётр Петрович! Как у вас дела с «Щебень»: всё ли в порядке, может, "
        "что-то было не так? Есть ли пожелания к нам?"
    )
    seller.nudge("--client", "Ромашка", "--answer", "ok")
    assert seller.on("2026-04-06").plan() == []


def test_an_item_of_several_deals_names_each_by_its_title(seller: Seller) -> None:
    seller.on("2026-03-02")  # Monday
    seller.add("Ромашка")
    first = seller.open("Ромашка", "--stage", "invoice", "--title", "Щебень")
    second = seller.open("Ромашка", "--stage", "invoice", "--title", "Песок")
    stuck = "Счёт отправлен: 4 working days in stage (limit 3), no touch since"
    [item] = seller.on("2026-03-06").plan()
    assert item["reason"] == f"#{first} «Щебень»: {stuck}; #{second} «Песок»: {stuck}"
    table = seller.ok("plan", "today", "--format", "table").stdout
    assert "«Щебень»" in table and "«Песок»" in table
    # plan explain names them the same, reason by reason
    explained = seller.ok("plan", "explain", "1", "--format", "json").stdout
    reasons = [
        row["value"] for row in json.loads(explained) if row["what"].startswith(("reason", "also"))
    ]
    assert reasons == [f"#{first} «Щебень»: {stuck}", f"#{second} «Песок»: {stuck}"]


def test_the_seller_sets_a_stage_limit_and_the_plan_follows_it(
    seller: Seller, dump: Callable[[], str | None]
) -> None:
    seller.on("2026-03-02")  # Monday
    seller.add("Ромашка")
    seller.open("Ромашка", "--stage", "invoice")
    run = seller.ok("funnel", "limit", "repeat", "Счёт отправлен", "5")
    assert run.stderr == "repeat/invoice: limit 5 working days (was 3 working days)\n"
    assert seller.on("2026-03-09").plan() == []  # Mon 9 March, a day off: 4 working days
    assert seller.on("2026-03-10").plan() == []  # Tue: 5 working days, the new limit
    assert seller.on("2026-03-11").brief() == [
        ("Ромашка", "closing", "Счёт отправлен: 6 working days in stage (limit 5), no touch since")
    ]
    seller.ok("funnel", "limit", "repeat", "invoice", "none")
    assert seller.plan() == []  # no limit: never stuck
    listed = seller.ok("funnel", "list", "--format", "json").stdout
    assert {
        (r["stage"], r["limit_days"]) for r in json.loads(listed) if r["funnel"] == "repeat"
    } >= {
        ("invoice", None),
        ("proposal", 3),
    }
    before = dump()
    for args, code in [
        (("repeat", "paid", "3"), 2),  # the paid stage does not wait
        (("repeat", "invoice", "0"), 2),
        (("repeat", "invoice", "много"), 2),
        (("repeat", "invoice", "366"), 2),
        (("repeat", "nowhere", "3"), 3),
        (("nowhere", "invoice", "3"), 3),
    ]:
        failed = seller.fails(code, "funnel", "limit", *args)
        assert len(failed.stderr.splitlines()) == 1, failed.stderr
    assert dump() == before


def test_a_follow_up_nudged_without_an_answer_returns_to_the_stage_limit(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.add("Берёза", "--category", "B")
    deal = seller.open("Берёза", "--stage", "proposal", "--amount", "80000")
    seller.on("2026-03-03").nudge("--deal", str(deal), "--outcome", "later", "--later", "+7")
    assert seller.on("2026-03-10").brief()[0][2].startswith("follow-up due today")
    seller.nudge("--deal", str(deal), "--outcome", "no-answer")
    # the follow-up was done on the 10th; the proposal's 3 working days count from there
    for day in ("2026-03-11", "2026-03-12", "2026-03-13"):
        assert seller.on(day).plan() == [], day
    assert seller.on("2026-03-16").brief() == [
        (
            "Берёза",
            "closing",
            # from Mon 2: Tue 3 to Fri 6, Tue 10 to Fri 13 (Mon 9 March is a day off), Mon 16
            "КП отправлено: 9 working days in stage (limit 3), last nudge 2026-03-10 unanswered",
        )
    ]


# -- nudge log outcomes ---------------------------------------------------------------------
def test_nudge_outcomes_change_the_deal(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.add("Вектор", "--category", "B")
    request = seller.open("Вектор", "--stage", "request", "--amount", "50000")
    refused = seller.open("Вектор", "--stage", "proposal", "--amount", "70000")
    quiet = seller.open("Вектор", "--stage", "invoice", "--amount", "90000")

    seller.on("2026-03-04")
    seller.nudge("--deal", str(request), "--outcome", "yes")
    moved = seller.deal(request)
    assert (moved["status"], moved["stage"], moved["stage_entered_on"]) == (
        "open",
        "proposal",
        "2026-03-04",
    )
    assert [(h["event"], h["from_stage"], h["to_stage"]) for h in moved["history"]] == [
        ("open", None, "request"),
        ("move", "request", "proposal"),
    ]
    # the same "yes" again that day is taken for a repeat of the first one...
    again = seller.ok("nudge", "log", "--deal", str(request), "--outcome", "yes", "--to", "invoice")
    assert "logged already today" in again.stderr
    assert seller.deal(request)["stage"] == "proposal"
    # ...a second answer of the day says what it was
    seller.nudge("--deal", str(request), "--outcome", "yes", "--to", "invoice", "--text", "счёт")
    assert seller.deal(request)["stage"] == "invoice"

    no_reason = seller.fails(2, "nudge", "log", "--deal", str(refused), "--outcome", "no")
    assert "reason" in no_reason.stderr
    seller.nudge("--deal", str(refused), "--outcome", "no", "--reason", "дорого")
    lost = seller.deal(refused)
    assert (lost["status"], lost["lost_reason"], lost["closed_on"]) == (
        "lost",
        "дорого",
        "2026-03-04",
    )

    seller.fails(2, "nudge", "log", "--deal", str(quiet), "--outcome", "later")
    past = seller.fails(
        2, "nudge", "log", "--deal", str(quiet), "--outcome", "later", "--later", "-1"
    )
    assert "is not after the touch date" in past.stderr
    seller.fails(2, "nudge", "log", "--deal", str(quiet), "--outcome", "maybe")
    seller.nudge("--deal", str(quiet), "--outcome", "no-answer")
    unchanged = seller.deal(quiet)
    assert (unchanged["status"], unchanged["stage"], unchanged["follow_up_on"]) == (
        "open",
        "invoice",
        None,
    )
    assert [t["outcome"] for t in unchanged["touches"]] == ["no_answer"]
    # a closed deal takes no more nudges
    seller.fails(5, "nudge", "log", "--deal", str(refused), "--outcome", "yes")


def test_a_duplicate_nudge_the_same_day_is_recorded_once(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.add("Ромашка")
    deal = seller.open("Ромашка", "--stage", "invoice")
    args = ("--deal", str(deal), "--outcome", "no-answer", "--text", "Счёт в силе?")
    first = seller.nudge(*args)
    again = seller.ok("nudge", "log", *args)
    assert int(again.stdout) == first
    assert "logged already today" in again.stderr
    assert [t["id"] for t in seller.touches("--deal", str(deal))] == [first]
    # another day is another touch
    second = seller.on("2026-03-03").nudge(*args)
    assert second != first
    assert len(seller.touches("--deal", str(deal))) == 2


# -- clients gone silent ----------------------------------------------------------------------
def test_silent_clients_own_cycle_and_category_default(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.ok("plan", "set", "plan.cards_per_day", "0")  # (cards: test_categories_cards.py)
    seller.ok("plan", "set", "plan.roadmap_per_day", "0")  # (roadmaps: test_roadmaps.py)
    seller.add("Вектор", "--category", "C")
    for on, amount in (("2025-12-01", "40000"), ("2025-12-31", "45000"), ("2026-01-30", "50000")):
        seller.paid("Вектор", on, amount)
    seller.add("Гранит", "--category", "A")
    seller.paid("Гранит", "2026-02-01", "200000")
    # both already had their service contact
    seller.nudge(
        "--client", "Вектор", "--kind", "service", "--outcome", "yes", "--on", "2026-02-13"
    )
    seller.nudge(
        "--client", "Гранит", "--kind", "service", "--outcome", "yes", "--on", "2026-02-15"
    )

    assert seller.on("2026-03-03").plan() == []  # Гранит: 30 days = the A default
    assert seller.on("2026-03-04").plan() == [
        {
            "rank": 1,
            "client": "Гранит",
            "category": "A",
            "deal_id": None,
            "stage": None,
            "amount": "200000.00",
            # bought before, never asked since: the yes-or-no question comes first
            "kind": "closing",
            "reason": "silent 31 days since the last purchase on 2026-02-01 (threshold 30: "
            "category A default 30 days); expected reorder 2026-03-03; bought before and not "
            "asked since: ask first, yes or no",
            "priority": "50.52",  # 30 + 5 × log10(201) + 0 + 1 × 1 + 8
            # no person at the client: no one greeted by name (never the company)
            "text": "Добрый день! Давно не виделись — в этом месяце планируете закупку? "
            "Да или нет?",
            "client_id": 2,
            "rule": "silent",
            "purpose": None,
            "about": None,
        }
    ]
    # Вектор buys every 30 days: silent after 45 days from 2026-01-30, i.e. from 2026-03-17
    assert seller.on("2026-03-16").clients() == ["Гранит"]
    assert seller.on("2026-03-17").brief() == [
        (
            "Гранит",
            "closing",
            "silent 44 days since the last purchase on 2026-02-01 (threshold 30: category A "
            "default 30 days); expected reorder 2026-03-03; bought before and not asked "
            "since: ask first, yes or no",
        ),
        (
            "Вектор",
            "closing",
            "silent 46 days since the last purchase on 2026-01-30 (threshold 45: own cycle 30 "
            "days × 1.5); expected reorder 2026-03-01; bought before and not asked since: "
            "ask first, yes or no",
        ),
    ]
    # an open deal takes Гранит out of the silent list
    seller.open("Гранит", "--stage", "request")
    assert seller.clients() == ["Вектор"]


def test_quiet_days_and_the_five_to_one_cadence(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.add("Вектор", "--category", "B")
    seller.paid("Вектор", "2025-11-01", "100000")
    seller.nudge(
        "--client", "Вектор", "--kind", "service", "--outcome", "yes", "--on", "2025-11-20"
    )
    seller.nudge(
        "--client", "Вектор", "--kind", "closing", "--outcome", "no-answer", "--on", "2025-12-01"
    )
    assert seller.brief()[0][2].endswith("warming touch 1 of 5 before the next closing one (5:1)")

    # four warming touches over the week; each keeps Вектор quiet for 3 days
    for n, on in enumerate(("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"), start=1):
        seller.on(on).nudge("--client", "Вектор", "--kind", "warming", "--text", f"полезное {n}")
        assert seller.plan() == []
    assert seller.on("2026-03-07").plan() == []  # 2 days after the last touch
    [item] = seller.on("2026-03-08").plan()  # 3 days: quiet over
    assert item["kind"] == "warming"
    assert item["reason"].endswith("warming touch 5 of 5 before the next closing one (5:1)")

    seller.nudge("--client", "Вектор", "--kind", "warming", "--text", "полезное 5")
    [item] = seller.on("2026-03-11").plan()
    assert item["kind"] == "closing"
    assert item["reason"].endswith(
        "5 warming touches since the last closing one: time to ask (5:1)"
    )
    assert item["text"] == (  # «Вектор» is no person: greeted by nobody
        "Добрый день! Давно не виделись — в этом месяце планируете закупку? Да или нет?"
    )
    # the closing touch starts the count again
    seller.nudge("--client", "Вектор", "--kind", "closing", "--outcome", "no-answer")
    [item] = seller.on("2026-03-14").plan()
    assert item["kind"] == "warming"
    assert item["reason"].endswith("warming touch 1 of 5 before the next closing one (5:1)")


def test_client_later_holds_back_until_the_date(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.add("Гранит", "--category", "A")
    seller.paid("Гранит", "2025-10-01", "100000")
    seller.nudge(
        "--client", "Гранит", "--kind", "service", "--outcome", "yes", "--on", "2025-10-20"
    )
    assert seller.clients() == ["Гранит"]
    seller.nudge("--client", "Гранит", "--outcome", "later", "--later", "2026-03-20")
    for day in ("2026-03-05", "2026-03-10", "2026-03-19"):
        assert seller.on(day).plan() == [], day
    assert seller.on("2026-03-20").brief() == [
        (
            "Гранит",
            "closing",
            "follow-up due today: asked on 2026-03-02 to come back on 2026-03-20",
        )
    ]


# -- service and refusal revisits ------------------------------------------------------------
def test_service_contact_fourteen_days_after_payment(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.add("Ромашка", "--category", "B")
    deal = seller.open("Ромашка", "--stage", "invoice", "--amount", "60000", "--title", "Цемент")
    seller.ok("deal", "win", str(deal))
    assert seller.on("2026-03-15").plan() == []
    [item] = seller.on("2026-03-16").plan()
    assert (item["kind"], item["deal_id"], item["amount"]) == ("service", None, "60000.00")
    assert item["reason"] == (
        f"service contact: deal #{deal} paid 2026-03-02, 14 days ago — how is it going?"
    )
    seller.ok("plan", "set", "plan.service_days.B", "7")
    assert seller.on("2026-03-08").plan() == []
    assert seller.on("2026-03-09").clients() == ["Ромашка"]


def test_refusal_revisit_after_ninety_days(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.add("Сокол", "--category", "B")
    seller.ok("client", "person", "add", "Сокол", "Анна")
    deal = seller.open(
        "Сокол",
        "--stage",
        "proposal",
        "--amount",
        "300000",
        "--title",
        "Арматура",
        "--on",
        "2025-12-01",
    )
    # the refusal came in a nudge: "no, too expensive"
    seller.nudge("--deal", str(deal), "--outcome", "no", "--reason", "дорого", "--on", "2025-12-03")
    assert seller.deal(deal)["status"] == "lost"
    assert seller.on("2026-03-02").plan() == []  # 89 days
    assert seller.on("2026-03-03").plan() == [
        {
            "rank": 1,
            "client": "Сокол",
            "category": "B",
            "deal_id": None,
            "stage": None,
            "amount": "300000.00",
            "kind": "closing",
            "reason": f"refusal revisit: deal #{deal} lost 2025-12-03 (дорого), 90 days ago",
            "priority": "36.39",  # 20 + 5 × log10(301) + 0 + 0 + 4
            "text": "Анна, добрый день! Некоторое время назад мы с вами обсуждали варианты "
            "сотрудничества по «Арматура», и у нас не получилось найти точки соприкосновения. "
            "В мире всё переменчиво, у нас появились новые возможности, поэтому и пишу. "
            "Подскажите, Анна, вопрос «Арматура» вас всё ещё интересует?",
            "client_id": 1,
            "rule": "revisit",
            "purpose": None,
            "about": None,
        }
    ]
    # a new deal with the client: no revisit
    fresh = seller.open("Сокол", "--stage", "request")
    assert seller.plan() == []
    # lost again: the latest refusal is the one revisited, 90 days on (2026-06-01)
    seller.ok("deal", "lose", str(fresh), "--reason", "не сейчас")
    assert seller.on("2026-03-04").plan() == []
    assert seller.on("2026-05-31").plan() == []
    assert seller.on("2026-06-01").brief() == [
        (
            "Сокол",
            "closing",
            f"refusal revisit: deal #{fresh} lost 2026-03-03 (не сейчас), 90 days ago",
        )
    ]
    # a warming touch is not the revisit: it only waits the quiet days
    seller.nudge("--client", "Сокол", "--kind", "warming", "--outcome", "no-answer")
    assert seller.on("2026-06-03").plan() == []
    assert seller.on("2026-06-04").clients() == ["Сокол"]
    # once revisited (a question on or after the due date, no answer) the next revisit
    # comes 90 days later
    seller.nudge("--client", "Сокол", "--kind", "closing", "--outcome", "no-answer")
    assert seller.on("2026-06-20").plan() == []
    assert seller.on("2026-09-01").plan() == []
    assert seller.on("2026-09-02").brief() == [
        (
            "Сокол",
            "closing",
            f"refusal revisit: deal #{fresh} lost 2026-03-03 (не сейчас), 183 days ago; "
            "revisited 2026-06-04, no answer",
        )
    ]


def test_revisit_days_setting(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.add("Сокол")
    deal = seller.open("Сокол", "--on", "2026-02-01")
    seller.ok("deal", "lose", str(deal), "--reason", "ушли к конкуренту", "--on", "2026-02-02")
    assert seller.plan() == []
    seller.ok("plan", "set", "plan.revisit_days", "28")
    assert seller.brief() == [
        (
            "Сокол",
            "closing",
            f"refusal revisit: deal #{deal} lost 2026-02-02 (ушли к конкуренту), 28 days ago",
        )
    ]


# -- the whole plan: merge, order, archive ---------------------------------------------------
def test_a_sellers_month_exact_plans(seller: Seller) -> None:
    seller.on("2026-03-02")
    romashka = seller.add("Ромашка", "--category", "A")
    bereza = seller.add("Берёза", "--category", "B")
    sokol = seller.add("Сокол", "--category", "C")
    archived = seller.add("Старый Клиент", "--category", "A")
    invoice = seller.open(romashka, "--stage", "invoice", "--amount", "500000")
    request = seller.open(romashka, "--stage", "request", "--amount", "20000")
    proposal = seller.open(bereza, "--stage", "proposal", "--amount", "150000")
    base = seller.open(sokol, "--stage", "base")
    old = seller.open(archived, "--stage", "invoice", "--amount", "900000")
    assert seller.plan() == []

    # Wed 4th: the requests and base deals (limit 2) are stuck; invoice/proposal (3) not yet
    assert seller.on("2026-03-04").plan() == []
    assert seller.on("2026-03-05").brief() == [
        ("Ромашка", "closing", "Запрос: 3 working days in stage (limit 2), no touch since"),
        ("Сокол", "closing", "База: 3 working days in stage (limit 2), no touch since"),
    ]

    # Fri 6th: the big invoice of Старый Клиент is stuck too, until the client is archived
    assert seller.on("2026-03-06").clients()[0] == "Старый Клиент"
    seller.ok("client", "archive", str(archived))
    # Ромашка has two stuck deals: one item, the invoice first
    rows = seller.plan()
    assert [(r["rank"], r["client"], r["deal_id"], r["priority"]) for r in rows] == [
        (1, "Ромашка", invoice, "72.50"),  # 30 + 13.50 + 16 + 1 + 12
        (2, "Берёза", proposal, "55.89"),  # 20 + 10.89 + 12 + 1 + 12
        (3, "Сокол", base, "28.00"),  # 10 + 0 + 4 + 1 × 2 + 12
    ]
    assert rows[0]["reason"] == (  # two deals: each reason says which
        f"#{invoice}: Счёт отправлен: 4 working days in stage (limit 3), no touch since; "
        f"#{request}: Запрос: 4 working days in stage (limit 2), no touch since"
    )
    assert old not in [r["deal_id"] for r in rows]

    # the date forms of the same plan
    same = seller.ok("plan", "today", "--format", "json").stdout
    assert seller.on("2026-03-02").ok("plan", "2026-03-06", "--format", "json").stdout == same
    assert seller.ok("plan", "today", "--date", "2026-03-06", "--format", "json").stdout == same
    assert (
        seller.cli.ok("--today", "2026-03-06", "plan", "today", "--format", "json").stdout == same
    )
    assert seller.on("2026-03-05").ok("plan", "tomorrow", "--format", "json").stdout == same

    # filters and csv
    assert seller.on("2026-03-06").clients("--category", "b") == ["Берёза"]
    assert seller.clients("--limit", "2") == ["Ромашка", "Берёза"]
    table = list(csv.reader(io.StringIO(seller.ok("plan", "today", "--format", "csv").stdout)))
    assert table[0] == [
        "rank", "client", "category", "deal_id", "stage", "amount", "kind", "reason",
        "priority", "text", "client_id", "rule", "purpose", "about",
    ]  # fmt: skip
    assert [row[1] for row in table[1:]] == ["Ромашка", "Берёза", "Сокол"]
    why = list(
        csv.reader(io.StringIO(seller.ok("plan", "today", "--why", "--format", "csv").stdout))
    )
    assert why[0][-6:] == [
        "w_category", "w_money", "w_closeness", "w_overdue", "w_rule", "w_problem",
    ]  # fmt: skip
    assert why[1][-6:] == ["30", "13.50", "16.00", "1", "12", "0"]

    # explain: by rank and by client
    explained = seller.table("plan", "explain", "1")
    assert explained == {
        "term: category": "30",
        "term: money": "13.50",
        "term: closeness": "16.00",
        "term: overdue": "1",
        "term: rule": "12",
        "priority": "72.50",
        # (an item about two deals: each reason says which, as plan today's reason does)
        "reason: stuck (closing)": "#1: Счёт отправлен: 4 working days in stage (limit 3), "
        "no touch since",
        "also: stuck (closing)": "#2: Запрос: 4 working days in stage (limit 2), no touch since",
    }
    assert seller.table("plan", "explain", "берёза")["priority"] == "55.89"
    seller.fails(3, "plan", "explain", "99")
    seller.fails(3, "plan", "explain", "Старый")  # archived: not in the plan
    seller.fails(3, "plan", "explain", "Никто")  # no such client: said before the plan is made
    seller.fails(3, "plan", "explain", "0")

    # Ромашка pays the invoice, Берёза asks to come back, Сокол moves on
    seller.nudge("--deal", str(invoice), "--outcome", "yes")
    seller.nudge("--deal", str(proposal), "--outcome", "later", "--later", "2026-03-11")
    seller.nudge("--deal", str(base), "--outcome", "yes")
    assert seller.plan() == []  # everyone was touched today
    assert seller.deal(base)["stage"] == "request"

    # Mon 9th, a day off (8 March fell on a Sunday): the request deal of Ромашка is still
    # stuck, at the 4 working days it had on Friday; Сокол's new request waits
    assert seller.on("2026-03-09").brief() == [
        ("Ромашка", "closing", "Запрос: 4 working days in stage (limit 2), no touch since"),
    ]
    # Wed 11th: Берёза's follow-up; Сокол's request waits (Tue 1, Wed 2)
    assert [(r["client"], r["deal_id"]) for r in seller.on("2026-03-11").plan()] == [
        ("Ромашка", request),
        ("Берёза", proposal),
    ]
    assert seller.brief()[1][2] == (
        "follow-up due today: asked to come back on 2026-03-11 (КП отправлено)"
    )
    # Thu 12th: Сокол's request is stuck (Thu 3)
    assert ("Сокол", base) in [(r["client"], r["deal_id"]) for r in seller.on("2026-03-12").plan()]
    # Fri 20th: Ромашка's service contact merges with its stuck request deal
    [first, *_] = seller.on("2026-03-20").plan()
    assert first["client"] == "Ромашка"
    assert first["deal_id"] == request
    assert first["reason"].endswith(
        f"service contact: deal #{invoice} paid 2026-03-06, 14 days ago — how is it going?"
    )
    assert "Старый Клиент" not in seller.clients()


def test_explain_on_an_empty_plan_is_an_error_not_a_crash(seller: Seller) -> None:
    seller.fails(3, "plan", "explain", "0")
    seller.fails(3, "plan", "explain", "1")


def test_working_days_setting(seller: Seller) -> None:
    seller.on("2026-03-06")  # Friday
    seller.add("Берёза")
    seller.open("Берёза", "--stage", "request")
    assert seller.on("2026-03-09").plan() == []  # Mon 9 March: a day off, 0 working days
    assert seller.on("2026-03-10").plan() == []  # Tue: 1
    assert seller.on("2026-03-11").plan() == []  # Wed: 2
    seller.ok("plan", "set", "plan.working_days", "no")
    assert seller.on("2026-03-08").plan() == []  # Sun: 2 calendar days
    assert seller.on("2026-03-09").brief() == [
        ("Берёза", "closing", "Запрос: 3 days in stage (limit 2), no touch since")
    ]
    seller.ok("plan", "set", "plan.working_days", "default")
    assert seller.on("2026-03-12").brief()[0][2] == (
        "Запрос: 3 working days in stage (limit 2), no touch since"
    )


def test_the_sellers_own_days_off(seller: Seller, dump: Callable[[], str | None]) -> None:
    seller.on("2026-03-06")  # Friday
    seller.add("Берёза")
    seller.open("Берёза", "--stage", "request")  # limit 2 working days
    run = seller.ok("plan", "set", "plan.days_off", "2026-03-16..2026-03-17, 2026-03-12")
    assert run.stderr == "plan.days_off = 2026-03-12,2026-03-16..2026-03-17\n"
    assert seller.on("2026-03-12").plan() == []  # Tue 1, Wed 2, Thu the seller's day off
    assert seller.on("2026-03-13").brief() == [
        ("Берёза", "closing", "Запрос: 3 working days in stage (limit 2), no touch since")
    ]
    assert seller.on("2026-03-18").brief()[0][2].startswith("Запрос: 4 working days")
    # the month's working days left count them off too: Mon 16th, Tue 17th of 12 days
    assert seller.on("2026-03-16").target("--revenue", "100")["working_days_left"] == 10
    before = dump()
    for bad in ("2026-13-01", "16.03.2026", "2026-03-17..2026-03-16", "2026-01-01..2027-06-01"):
        failed = seller.fails(2, "plan", "set", "plan.days_off", bad)
        assert failed.stderr.startswith("error: plan.days_off: "), failed.stderr
        assert len(failed.stderr.splitlines()) == 1
    assert dump() == before
    seller.ok("plan", "set", "plan.days_off", "default")
    assert seller.on("2026-03-12").brief()[0][2].startswith("Запрос: 3 working days")


# -- plan run ----------------------------------------------------------------------------------
RUN_CLIENTS = (("Альфа", "600000"), ("Бета", "500000"), ("Гамма", "400000"))
RUN_CLIENTS += (("Дельта", "300000"), ("Эпсилон", "200000"), ("Зета", "100000"))


def six_stuck_invoices(seller: Seller) -> dict[str, int]:
    seller.on("2026-03-02")
    deals = {}
    for name, amount in RUN_CLIENTS:
        seller.add(name, "--category", "B")
        deals[name] = seller.open(name, "--stage", "invoice", "--amount", amount)
    seller.on("2026-03-06")
    assert seller.clients() == [name for name, _ in RUN_CLIENTS]
    return deals


def test_plan_run_records_each_answer(seller: Seller) -> None:
    deals = six_stuck_invoices(seller)
    run = seller.ok("plan", "run", input="y\nn\nдорого\nl\n+3\na\ns\nq\n")
    assert "#1 Альфа [B]" in run.stdout
    assert "why: Счёт отправлен: 4 working days in stage (limit 3), no touch since" in run.stdout
    assert f"Счёт на 600{NB}000{NB}₽ ждёт оплаты 4{NB}дня." in run.stdout
    assert "#6 Зета" in run.stdout
    assert "recorded 4 outcome(s)" in run.stderr

    won = seller.deal(deals["Альфа"])
    assert (won["status"], won["stage"]) == ("won", "paid")
    lost = seller.deal(deals["Бета"])
    assert (lost["status"], lost["lost_reason"]) == ("lost", "дорого")
    later = seller.deal(deals["Гамма"])
    assert (later["status"], later["follow_up_on"]) == ("open", "2026-03-09")
    silent = seller.deal(deals["Дельта"])
    assert (silent["status"], silent["stage"], silent["follow_up_on"]) == ("open", "invoice", None)
    assert [t["outcome"] for t in silent["touches"]] == ["no_answer"]
    for skipped in ("Эпсилон", "Зета"):
        assert seller.deal(deals[skipped])["touches"] == []
    touches = seller.touches()
    assert sorted((t["client"], t["kind"], t["channel"], t["outcome"]) for t in touches) == [
        ("Альфа", "closing", "messenger", "yes"),
        ("Бета", "closing", "messenger", "no"),
        ("Гамма", "closing", "messenger", "later"),
        ("Дельта", "closing", "messenger", "no_answer"),
    ]
    assert all(t["text"].startswith("Добрый день! Счёт на ") for t in touches)  # no person

    # the touched ones are off today's plan; the skipped ones stay
    assert seller.clients() == ["Эпсилон", "Зета"]
    # Monday: Гамма's follow-up; Дельта was nudged Friday (1 working day); Альфа paid
    assert seller.on("2026-03-09").clients() == ["Гамма", "Эпсилон", "Зета"]


def test_plan_run_repeats_bad_answers_and_dates(seller: Seller) -> None:
    deals = six_stuck_invoices(seller)
    run = seller.ok("plan", "run", "--limit", "1", "--channel", "call", input="x\nl\nзавтра\n+2w\n")
    assert "please answer y, n, l, a, s or q" in run.stdout
    assert "is not a date" in run.stdout
    assert seller.deal(deals["Альфа"])["follow_up_on"] == "2026-03-20"
    assert seller.touches()[0]["channel"] == "call"
    # the next run starts with the next item; quitting at once records nothing
    quit_run = seller.ok("plan", "run", input="q\n")
    assert "#1 Бета" in quit_run.stdout  # Альфа was touched today: off the plan
    assert "recorded 0 outcome(s)" in quit_run.stderr
    assert len(seller.touches()) == 1


def test_plan_run_with_nothing_to_do(seller: Seller) -> None:
    run = seller.ok("plan", "run")
    assert "nothing to nudge today" in run.stderr


def test_plan_run_on_a_silent_client(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.add("Гранит", "--category", "A")
    seller.paid("Гранит", "2025-10-01", "100000")
    seller.nudge(
        "--client", "Гранит", "--kind", "service", "--outcome", "yes", "--on", "2025-10-20"
    )
    # bought before and never asked since: the plan's touch is the question itself
    seller.ok("plan", "run", input="l\n2026-03-20\n")
    [touch] = seller.touches("--client", "Гранит", "--kind", "closing")
    assert (touch["deal_id"], touch["outcome"], touch["follow_up_on"]) == (
        None,
        "later",
        "2026-03-20",
    )
    assert seller.on("2026-03-19").plan() == []
    assert seller.on("2026-03-20").brief()[0][2] == (
        "follow-up due today: asked on 2026-03-02 to come back on 2026-03-20"
    )


# -- plan target ---------------------------------------------------------------------------
def test_plan_target_with_little_history_uses_thirty_percent(seller: Seller) -> None:
    seller.on("2026-03-16")
    seller.add("Ромашка")
    seller.paid("Ромашка", "2025-12-01", "300000")
    seller.paid("Ромашка", "2026-02-10", "200000")
    seller.paid("Ромашка", "2026-03-02", "100000")
    assert seller.target("--revenue", "1000000") == {
        "month": "2026-03",
        "currency": "RUB",
        "target": "1000000.00",
        "paid_so_far": "100000.00",
        "paid_deals_so_far": 1,
        "progress": 0.1,
        "remaining": "900000.00",
        "average_check": "200000.00",  # 600 000 / 3 paid deals in 12 months
        "nudge_to_order": 0.3,
        "conversion_fallback": True,  # no deal was nudged
        "nudged_deals": 0,
        "paid_nudged_deals": 0,
        "paid_deals_needed": 5,  # ceil(900 000 / 200 000)
        "nudges_needed": 17,  # ceil(5 / 0.3)
        "working_days_left": 12,  # Mon 16th .. Tue 31st
        "nudges_per_day": 2,  # ceil(17 / 12)
    }
    april = seller.target("--revenue", "1 000 000", "--month", "2026-04")
    assert april["paid_so_far"] == "0.00"
    assert april["paid_deals_needed"] == 5
    assert april["working_days_left"] == 22
    assert april["nudges_per_day"] == 1
    seller.fails(2, "plan", "target", "--revenue", "много")
    seller.fails(2, "plan", "target", "--revenue", "100", "--month", "2026-13")
    seller.fails(2, "plan", "target", "--revenue", "100", "--month", "март")
    # a month that is over has no working days left to aim at
    over = seller.fails(2, "plan", "target", "--revenue", "100", "--month", "2026-02")
    assert over.stderr == (
        "error: --month 2026-02 is over (today is 2026-03-16); aim at this month or a later "
        "one, e.g. --month 2026-03\n"
    )
    assert seller.target("--revenue", "100", "--month", "2026-03")["working_days_left"] == 12


def test_plan_target_with_measured_conversion(seller: Seller) -> None:
    seller.on("2026-03-16")
    seller.add("Берёза")
    # twelve deals nudged in February: three paid after five nudges each, six open and
    # three lost after one each. Orders per nudged deal: 3 of 12 (per touch it would be
    # 15 of 24).
    days = [f"2026-02-{n:02d}" for n in range(2, 27)]
    plan = [("paid", 5, "400000"), ("paid", 5, "200000"), ("paid", 5, "300000")]
    plan += [("open", 1, None)] * 6 + [("lost", 1, None)] * 3
    for status, count, amount in plan:
        deal = seller.open("Берёза", "--stage", "invoice", "--on", "2026-02-01")
        for n in range(count):
            seller.nudge("--deal", str(deal), "--outcome", "no-answer", "--on", days[n])
        if status == "paid":
            seller.ok("deal", "win", str(deal), "--amount", amount, "--on", "2026-02-27")
        elif status == "lost":
            seller.ok("deal", "lose", str(deal), "--reason", "нет", "--on", "2026-02-27")
    target = seller.target("--revenue", "900000")
    assert (target["nudged_deals"], target["paid_nudged_deals"]) == (12, 3)
    assert (target["nudge_to_order"], target["conversion_fallback"]) == (0.25, False)
    assert target["average_check"] == "300000.00"
    assert target["paid_so_far"] == "0.00"
    assert target["paid_deals_needed"] == 3
    assert target["nudges_needed"] == 12  # 3 / 0.25
    assert target["nudges_per_day"] == 1


def test_plan_target_counts_money_in_its_currency_only(seller: Seller) -> None:
    seller.on("2026-03-16")
    seller.add("Ромашка")
    seller.paid("Ромашка", "2026-02-10", "200000")
    seller.paid("Ромашка", "2026-03-02", "100000")
    seller.paid("Ромашка", "2026-03-05", "5000", "--currency", "USD")
    rub = seller.target("--revenue", "1000000")
    assert (rub["paid_so_far"], rub["paid_deals_so_far"], rub["average_check"]) == (
        "100000.00",
        1,
        "150000.00",  # (200 000 + 100 000) / 2: the dollars are not roubles
    )
    usd = seller.target("--revenue", "20000", "--currency", "usd")
    assert (usd["currency"], usd["paid_so_far"], usd["average_check"]) == (
        "USD",
        "5000.00",
        "5000.00",
    )
    seller.fails(2, "plan", "target", "--revenue", "100", "--currency", "рублей")


def test_a_seller_in_dollars_gets_the_forecast_and_target_in_dollars(seller: Seller) -> None:
    seller.on("2026-03-16")
    seller.add("Acme")
    seller.paid("Acme", "2026-02-10", "4000", "--currency", "USD")
    seller.paid("Acme", "2026-03-02", "2000", "--currency", "USD")
    seller.paid("Acme", "2026-03-03", "90000")  # one deal in roubles: the fewer
    seller.open("Acme", "--stage", "invoice", "--on", "2026-03-02")
    caption = seller.ok("plan", "today", "--format", "table").stdout
    assert "an average check of 3 000.00 USD" in caption
    target = seller.target("--revenue", "10000")
    assert (target["currency"], target["paid_so_far"], target["average_check"]) == (
        "USD",
        "2000.00",
        "3000.00",
    )
    rub = seller.target("--revenue", "10000", "--currency", "RUB")
    assert (rub["paid_so_far"], rub["average_check"]) == ("90000.00", "90000.00")


def test_plan_forecast_is_stats_nudges_over_the_last_12_months(seller: Seller) -> None:
    """The plan's nudge→order conversion is `stats nudges`' nudge_to_order over the 12
    months to the plan's day (one query): of the deals nudged, those paid on or after
    their first nudge in the window."""
    seller.on("2026-03-16")
    seller.add("Берёза")
    days = [f"2026-02-{n:02d}" for n in range(2, 27)]
    for status, count in [("paid", 6)] * 4 + [("paid late", 1)] + [("open", 2)] * 5:
        deal = seller.open("Берёза", "--stage", "invoice", "--on", "2026-02-01")
        if status == "paid late":
            # nudged only after the day the deal turns out to have been paid: not its order
            seller.nudge("--deal", str(deal), "--outcome", "no-answer", "--on", "2026-02-25")
            seller.ok("deal", "win", str(deal), "--amount", "1000", "--on", "2026-02-20")
            continue
        for n in range(count):
            seller.nudge("--deal", str(deal), "--outcome", "no-answer", "--on", days[n])
        if status == "paid":
            seller.ok("deal", "win", str(deal), "--amount", "1000", "--on", "2026-02-20")
    # a deal nudged and paid more than 12 months ago is out of the window
    old = seller.open("Берёза", "--stage", "invoice", "--on", "2025-02-01")
    seller.nudge("--deal", str(old), "--outcome", "no-answer", "--on", "2025-02-10")
    seller.ok("deal", "win", str(old), "--amount", "1000", "--on", "2025-02-20")
    nudges = seller.ok(
        "stats", "nudges", "--from", "2025-03-17", "--to", "2026-03-16", "-f", "json"
    )
    [everything] = [row for row in json.loads(nudges.stdout) if row["by"] == "all"]
    assert (everything["on_deal"], everything["nudged_deals"], everything["paid_deals"]) == (
        35,  # 4 × 6 + 1 + 5 × 2 closing touches on deals
        10,
        4,
    )
    assert everything["nudge_to_order"] == 0.4
    assert seller.target("--revenue", "100")["nudge_to_order"] == 0.4
    caption = seller.ok("plan", "today", "--format", "table").stdout
    assert "40% nudge→order conversion (4 of 10 deals nudged in the last 12 months were" in (
        " ".join(caption.split())
    )


def test_the_average_check_is_rounded_half_up_as_stats_repeat_rounds_it(seller: Seller) -> None:
    """1 000.01 and 1 000.02: 1 000.015, to the kopeck half up, 1 000.02, in the plan's
    forecast and target as in stats repeat."""
    seller.add("Берёза")
    seller.paid("Берёза", "2026-02-10", "1000,01")
    seller.paid("Берёза", "2026-02-20", "1000,02")
    assert seller.target("--revenue", "100000")["average_check"] == "1000.02"
    [everyone] = [
        row
        for row in json.loads(seller.ok("stats", "repeat", "--format", "json").stdout)
        if row["category"] == "all"
    ]
    assert everyone["average_check"] == "1000.02"


def test_the_target_counts_the_deals_paid_as_of_its_day(seller: Seller) -> None:
    """A deal paid on the 5th and reopened on the 10th was paid as of the 7th, and is not
    as of the 16th: the target (and its average check) as of each day says so."""
    seller.on("2026-03-16")
    seller.add("Берёза")
    deal = seller.open("Берёза", "--stage", "invoice", "--amount", "1000", "--on", "2026-03-02")
    seller.ok("deal", "win", str(deal), "--on", "2026-03-05")
    seller.ok("deal", "reopen", str(deal), "--on", "2026-03-10")
    earlier = seller.on("2026-03-07").target("--revenue", "100000")
    assert (earlier["paid_deals_so_far"], earlier["paid_so_far"]) == (1, "1000.00")
    assert earlier["average_check"] == "1000.00"
    now = seller.on("2026-03-16").target("--revenue", "100000")
    assert (now["paid_deals_so_far"], now["paid_so_far"], now["average_check"]) == (
        0,
        "0.00",
        None,  # (no paid deal to average)
    )


def test_the_forecast_is_kept_for_the_day_and_never_outlives_a_write(seller: Seller) -> None:
    """The conversion and the average check are counted once for a day and kept; any
    change to the database (a payment, an undone touch, an edited amount, a row written
    written around povtor) counts them again."""

    def line() -> str:
        caption = seller.ok("plan", "today", "--format", "table").stdout
        return " ".join(caption.split())

    def kept() -> list[tuple[Any, ...]]:
        return query(seller.cli.db, "SELECT value FROM setting WHERE key = 'povtor.plan_figures'")

    seller.on("2026-03-16")
    seller.add("Берёза")
    seller.paid("Берёза", "2026-02-10", "1000")
    deals = [seller.open("Берёза", "--stage", "invoice", "--on", "2026-02-01") for _ in range(11)]
    for deal in deals[:10]:
        seller.nudge("--deal", str(deal), "--outcome", "no-answer", "--on", "2026-02-05")
    for deal in deals[:3]:
        seller.ok("deal", "win", str(deal), "--amount", "2000", "--on", "2026-02-20")
    assert "30% nudge→order conversion (3 of 10 deals" in line()
    assert "an average check of 1 750.00 RUB" in line()  # (1000 + 3 × 2000) / 4
    [first] = kept()
    assert kept() == [first]  # the second plan used the kept figures
    seller.ok("deal", "win", str(deals[3]), "--amount", "5000", "--on", "2026-02-21")
    assert "40% nudge→order conversion (4 of 10 deals" in line()
    assert "an average check of 2 400.00 RUB" in line()
    assert kept() != [first]
    seller.ok("deal", "edit", str(deals[3]), "--amount", "2000")  # no new row: an edit
    assert "an average check of 1 800.00 RUB" in line()
    seller.nudge("--deal", str(deals[10]), "--outcome", "no-answer", "--on", "2026-02-08")
    assert "36% nudge→order conversion (4 of 11 deals" in line()
    seller.ok("nudge", "undo", "--yes")
    assert "40% nudge→order conversion (4 of 10 deals" in line()
    # a nudge written by another program, not through povtor: a new row all the same
    columns = [r[1] for r in query(seller.cli.db, "PRAGMA table_info(touch)") if r[1] != "id"]
    copied = ", ".join("?" if c == "deal_id" else c for c in columns)
    execute(
        seller.cli.db,
        f"INSERT INTO touch ({', '.join(columns)}) SELECT {copied} FROM touch "
        "WHERE deal_id = ? ORDER BY id LIMIT 1",
        (deals[10], deals[0]),
    )
    assert "36% nudge→order conversion (4 of 11 deals" in line()
    # another day: counted for that day (a year on, the February nudges are out of it)
    seller.on("2026-03-17")
    assert "36% nudge→order conversion (4 of 11 deals" in line()
    assert kept()[0][0].startswith("2026-03-17/")
    seller.on("2027-03-10")
    assert "(too little history: 0 deals nudged in the last 12 months" in line()


def test_a_touch_that_changes_no_figure_carries_the_kept_ones(seller: Seller) -> None:
    """A warming touch, or a closing question on no deal, that changes no deal cannot
    change the conversion or the average check: the figures kept for the day stay kept
    past it, and the next plan does not count them again; nor can a client's own details (a
    new client, its people, facts, category), nor a deal opened or moved on unpaid, nor a
    closing touch on a deal nudged already. A deal's first closing touch, a payment, or a
    touch that loses deals, counts them again.
    (The kept figures are changed by hand here, so that ``plan target`` shows which it
    read.)"""

    def nudged() -> int:
        return int(seller.target("--revenue", "100000")["nudged_deals"])

    def pretend(nudged: int) -> None:
        [(value,)] = query(
            seller.cli.db, "SELECT value FROM setting WHERE key = 'povtor.plan_figures'"
        )
        valid_for, _nudged, paid, totals = value.split("|")
        execute(
            seller.cli.db,
            "UPDATE setting SET value = ? WHERE key = 'povtor.plan_figures'",
            ("|".join((valid_for, str(nudged), paid, totals)),),
        )

    seller.on("2026-03-16")
    seller.add("Берёза")
    seller.add("Ольха")
    deals = [seller.open("Берёза", "--stage", "invoice", "--on", "2026-02-01") for _ in range(11)]
    for deal in deals[:10]:
        seller.nudge("--deal", str(deal), "--outcome", "no-answer", "--on", "2026-02-05")
    for deal in deals[:3]:
        seller.ok("deal", "win", str(deal), "--amount", "2000", "--on", "2026-02-20")
    olkha = seller.open("Ольха", "--stage", "invoice", "--on", "2026-03-01")
    assert nudged() == 10
    pretend(nudged=20)
    assert nudged() == 20  # (read as kept)
    # warming touches, on the client and on a deal, that change no deal: carried
    seller.nudge("--client", "Берёза", "--kind", "warming", "--text", "статья про сроки")
    assert nudged() == 20
    seller.nudge("--deal", str(deals[10]), "--kind", "warming")
    assert nudged() == 20
    # and so does a closing question to the client, on no deal, that changes none
    seller.nudge(
        "--client", "Берёза", "--kind", "closing", "--outcome", "later", "--until", "2026-03-20"
    )
    assert nudged() == 20
    # a client's own details: a new client, its people and facts, a new category
    seller.add("Клён")
    seller.ok("client", "person", "add", "Клён", "Анна Сергеевна")
    seller.ok("client", "fact", "add", "Клён", "берёт щебень 5-20 раз в месяц")
    seller.ok("client", "edit", "Клён", "--category", "B")
    seller.ok("client", "archive", "Клён")
    assert nudged() == 20
    # a deal opened, and moved on without being paid
    request = seller.open("Ольха", "--stage", "request")
    seller.ok("deal", "move", str(request), "proposal")
    assert nudged() == 20
    # paid: counted again
    seller.ok("deal", "move", str(request), "paid")
    assert nudged() == 10
    pretend(nudged=20)
    # a closing touch on a deal: counted again
    seller.nudge("--deal", str(deals[10]), "--outcome", "no-answer")
    assert nudged() == 11
    # another one on that deal, nudged already: carried; one dated before the deal's first
    # nudge (its first nudge moves): counted again
    pretend(nudged=20)
    seller.nudge("--deal", str(deals[10]), "--outcome", "no-answer", "--text", "ещё раз")
    assert nudged() == 20
    seller.nudge("--deal", str(deals[10]), "--outcome", "later", "--until", "2026-03-20")
    assert seller.deal(deals[10])["follow_up_on"] == "2026-03-20"
    assert nudged() == 20
    seller.nudge("--deal", str(deals[10]), "--outcome", "no-answer", "--on", "2026-03-10")
    assert nudged() == 11
    # a warming touch whose no loses the client's open deal: counted again
    pretend(nudged=20)
    seller.nudge("--client", "Ольха", "--kind", "warming", "--outcome", "no", "--reason", "нет")
    assert seller.deal(olkha)["status"] == "lost"
    assert nudged() == 11
    # a warming touch taken back: counted again (only logging one carries them)
    pretend(nudged=20)
    seller.nudge("--client", "Берёза", "--kind", "warming")
    seller.ok("nudge", "undo", "--yes")
    assert nudged() == 11


# -- nudge text and templates -----------------------------------------------------------------
def test_nudge_text_and_templates(seller: Seller) -> None:
    seller.on("2026-03-02")
    seller.add("Ромашка", "--company", "ООО Ромашка")
    seller.ok("client", "person", "add", "Ромашка", "Пётр Петрович")
    deal = seller.open(
        "Ромашка", "--stage", "invoice", "--amount", "125000,50", "--title", "Щебень"
    )
    seller.on("2026-03-05")
    assert seller.ok("nudge", "text", str(deal)).stdout == (
        f"Добрый день, Пётр Петрович! Счёт на 125{NB}000,50{NB}₽ ждёт оплаты 3{NB}дня. Оплата "
        "в силе или что-то пошло не по плану?\n"
    )
    english = seller.ok("nudge", "text", str(deal), "--lang", "en").stdout
    assert english.startswith(f"Hello Пётр Петрович! The invoice for 125,000.50{NB}RUB")
    assert english.endswith(
        f"has been waiting 3{NB}days. Is the payment on, or did something change?\n"
    )
    # a warming draft shares useful material: with none, it is refused (see test_drafts)
    seller.fails(5, "nudge", "text", str(deal), "--kind", "warming")

    body = "{person}, счёт «{title}» на {amount} {currency} оплатите? Да/нет"
    seller.ok("nudge", "template", "set", "closing", body, "--stage", "invoice")
    assert seller.ok("nudge", "text", str(deal)).stdout == (
        f"Пётр Петрович, счёт «Щебень» на 125{NB}000,50{NB}₽ оплатите? Да/нет\n"
    )
    # English drafts still come from the defaults
    assert seller.ok("nudge", "text", str(deal), "--lang", "en").stdout == english
    listed = json.loads(seller.ok("nudge", "template", "list", "--format", "json").stdout)
    mine = [t for t in listed if t["source"] == "yours"]
    assert [(t["kind"], t["funnel"], t["stage"], t["lang"]) for t in mine] == [
        ("closing", "*", "invoice", "ru")
    ]
    # the plan's message uses it too
    seller.on("2026-03-06")
    assert (
        seller.plan()[0]["text"]
        == f"Пётр Петрович, счёт «Щебень» на 125{NB}000,50{NB}₽ оплатите? Да/нет"
    )

    unknown = seller.fails(2, "nudge", "template", "set", "closing", "Привет, {имя}!")
    assert "{имя}" in unknown.stderr
    seller.fails(2, "nudge", "template", "set", "closing", "Привет, {person!")
    seller.fails(2, "nudge", "template", "set", "closing", "Привет", "--stage", "nowhere")
    seller.fails(2, "nudge", "template", "set", "closing", "Привет", "--lang", "de")
    seller.fails(3, "nudge", "text", "999")

    seller.ok("plan", "set", "lang", "en")
    assert seller.ok("nudge", "text", str(deal)).stdout == english.replace(
        f"3{NB}days", f"4{NB}days"
    )


# -- plan settings -----------------------------------------------------------------------------
def test_plan_set_validates(seller: Seller) -> None:
    for key, bad in (
        ("plan.service_days", "abc"),
        ("plan.service_days", "-1"),
        ("plan.service_days", "1.5"),
        ("plan.working_days", "maybe"),
        ("plan.cycle_factor", "NaN"),
        ("plan.cycle_factor", "-2"),
        ("plan.weight.money", "много"),
        ("lang", "de"),
    ):
        run = seller.fails(2, "plan", "set", "--", key, bad)
        assert run.stderr.startswith(f"error: {key}:"), run.stderr
    seller.fails(3, "plan", "set", "plan.nope", "3")
    seller.fails(3, "plan", "set", "silent_days", "3")

    seller.ok("plan", "set", "plan.service_days", " 7 ")
    seller.ok("plan", "set", "plan.cycle_factor", "1,75")
    seller.ok("plan", "set", "plan.working_days", "NO")
    current = {
        r["key"]: (r["value"], r["default"])
        for r in json.loads(seller.ok("plan", "settings", "--format", "json").stdout)
    }
    assert current["plan.service_days"] == ("7", "14")
    assert current["plan.cycle_factor"] == ("1.75", "1.5")
    assert current["plan.working_days"] == ("no", "yes")
    assert current["plan.revisit_days"] == ("90", "90")
    seller.ok("plan", "set", "plan.service_days", "default")
    current = {
        r["key"]: r["value"]
        for r in json.loads(seller.ok("plan", "settings", "--format", "json").stdout)
    }
    assert current["plan.service_days"] == "14"


def test_plan_date_errors(seller: Seller) -> None:
    seller.fails(2, "plan", "today", "--date", "2026-02-30")
    seller.fails(2, "plan", "today", "--date", "вчера-позавчера")
    seller.fails(2, "plan", "today", "--category", "D")
    seller.fails(2, "plan", "today", "--limit", "0")

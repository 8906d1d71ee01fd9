"""Roadmaps (seed 001): editing each category's steps, recording clients' progress, and the
plan's "roadmap" rule, from the seller's side, on a fixed calendar; plus the pure rule.

Calendar: Mon 2026-03-02 is the tests' today. Default roadmaps: A 13 steps, B 4
(needs-test, exhibition, joint-project, results-meeting), C 3 (one-off, info-service, promo).
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from povtor.domain.conversation import Conversation, Promise, Refusal
from povtor.domain.plan_records import ClientState
from povtor.domain.plan_rules.roadmap_step import roadmap_candidates
from povtor.domain.roadmaps import (
    RoadmapProgress,
    Step,
    check_code,
    code_from_title,
    find_step,
    reordered,
)
from povtor.errors import InvalidInput
from povtor.settings import Settings
from support import Cli, Run, query

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
B_CODES = ["needs-test", "exhibition", "joint-project", "results-meeting"]


class Seller:
    """Runs povtor as of a given day: ``seller.on("2026-03-06").ok("plan", "today")``."""

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
        env = {"POVTOR_TODAY": f"{self.day}T09:{self.minute:02d}"}
        return self.cli(*args, env=env, input=input)

    def ok(self, *args: str, input: str | None = None) -> Run:
        run = self(*args, input=input)
        assert run.exit_code == 0 and run.exception is None, run.describe()
        return run

    def add(self, name: str, category: str | None, *, paid_on: str | None = None) -> int:
        options = ["--category", category] if category else []
        client = int(self.ok("client", "add", name, "--created", "2025-06-01", *options).stdout)
        if paid_on:
            deal = self.ok(
                "deal", "open", str(client), "--stage", "invoice", "--amount", "100000",
                "--on", paid_on,
            ).stdout  # fmt: skip
            self.ok("deal", "win", deal.strip(), "--on", paid_on)
        return client

    def plan(self) -> list[dict[str, Any]]:
        return json.loads(self.ok("plan", "today", "--format", "json").stdout)

    def roadmap_items(self) -> dict[str, str]:
        """Client -> the reason of each item the roadmap rule leads (not the others')."""
        return {
            r["client"]: r["reason"].split("; ")[0]
            for r in self.plan()
            if r["reason"].startswith("roadmap")
        }

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--format", "json").stdout)


@pytest.fixture
def seller(cli: Cli) -> Seller:
    s = Seller(cli)
    # nobody goes silent in these stories: the roadmap is what they are about
    for category in "ABC":
        s.ok("plan", "set", f"plan.silent_days.{category}", "1000")
    return s


def fails(seller: Seller, dump: Callable[[], str | None], code: int, *args: str) -> str:
    """Run a command that must fail: one error line, the exit code, the database unchanged."""
    before = dump()
    run = seller(*args)
    assert run.exit_code == code and run.exception is None, run.describe()
    assert run.stdout == ""
    assert len(run.stderr_lines) == 1 and run.stderr.startswith("error: "), run.stderr
    assert dump() == before
    return run.stderr


# -- editing roadmaps --------------------------------------------------------------------------
def codes(seller: Seller, category: str) -> list[str]:
    rows = seller.json("roadmap", "list", "--category", category)
    assert [r["position"] for r in rows] == list(range(1, len(rows) + 1))  # 1..n, no gaps
    return [r["code"] for r in rows]


def test_default_roadmaps_have_a_script_per_step(seller: Seller) -> None:
    rows = seller.json("roadmap", "list")
    assert [(r["category"], r["position"]) for r in rows][:3] == [("A", 1), ("A", 2), ("A", 3)]
    by_category = {c: [r for r in rows if r["category"] == c] for c in "ABC"}
    assert [len(by_category[c]) for c in "ABC"] == [13, 4, 3]
    assert [r["code"] for r in by_category["B"]] == B_CODES
    assert [r["code"] for r in by_category["A"]][-2:] == ["year-conference", "year-report"]
    for row in rows:  # what we want + yes or no: every script asks a question
        assert row["script"].startswith("{person}, добрый день!") and row["script"].endswith("?")
        assert row["clients"] == 0


def test_add_edit_move_and_remove_steps(seller: Seller) -> None:
    run = seller.ok(
        "roadmap", "add", "B", "Поход в баню", "--at", "2", "--script", "{person}, в баню?"
    )
    assert run.stdout == "pokhod-v-banyu\n"
    assert run.stderr == "roadmap B: added step 2 of 5 «Поход в баню» (pokhod-v-banyu)\n"
    assert codes(seller, "B") == ["needs-test", "pokhod-v-banyu", *B_CODES[1:]]
    # at the end by default, with its own code
    seller.ok("roadmap", "add", "b", "Отчёт за год", "--code", "Year-Report", "-s", "Обсудим?")
    assert codes(seller, "B")[-1] == "year-report"
    # move down, rename, move to the top
    seller.ok("roadmap", "edit", "B", "2", "--move-to", "5", "--code", "banya")
    assert codes(seller, "B") == [*B_CODES, "banya", "year-report"]
    run = seller.ok("roadmap", "edit", "B", "BANYA", "--move-to", "1", "--title", "Баня")
    assert run.stderr == "roadmap B: step «Баня» (banya): title, moved 5 → 1\n"
    assert codes(seller, "B") == ["banya", *B_CODES, "year-report"]
    step = seller.json("roadmap", "list", "-c", "B")[0]
    assert (step["title"], step["script"]) == ("Баня", "{person}, в баню?")
    # remove: the later steps move up
    seller.ok("roadmap", "remove", "B", "1")
    seller.ok("roadmap", "remove", "B", "year-report")
    assert codes(seller, "B") == B_CODES
    # other categories are untouched
    assert codes(seller, "C") == ["one-off", "info-service", "promo"]


def test_roadmap_edit_errors_change_nothing(seller: Seller, dump: Callable[[], str | None]) -> None:
    assert "is not one of A, B, C" in fails(seller, dump, 2, "roadmap", "list", "-c", "D")
    assert "is not one of A, B, C" in fails(
        seller, dump, 2, "roadmap", "add", "D", "Шаг", "--script", "Да?"
    )
    assert fails(seller, dump, 5, "roadmap", "add", "B", "Шаг", "--code", "exhibition",
                 "--script", "Да?") == (
        "error: roadmap B has a step 'exhibition' already; choose another --code\n"
    )  # fmt: skip
    assert fails(seller, dump, 2, "roadmap", "add", "B", "Шаг", "--at", "6", "--script", "Да?") == (
        "error: --at 6: roadmap B has 4 steps; give a position from 1 to 5\n"
    )
    assert "not a step code" in fails(
        seller, dump, 2, "roadmap", "add", "B", "Шаг", "--code", "12", "--script", "Да?"
    )
    assert "unknown placeholder(s): {клиент}" in fails(
        seller, dump, 2, "roadmap", "add", "B", "Шаг", "--script", "{клиент}, да?"
    )
    assert "must not be empty" in fails(seller, dump, 2, "roadmap", "add", "B", " ", "-s", "Да?")
    assert fails(seller, dump, 3, "roadmap", "edit", "B", "9", "--title", "X") == (
        "error: roadmap B has no step 9 (it has 4); see them: povtor roadmap list --category B\n"
    )
    assert "roadmap C has no step 'exhibition'" in fails(
        seller, dump, 3, "roadmap", "edit", "C", "exhibition", "--title", "X"
    )
    assert "nothing to change" in fails(seller, dump, 2, "roadmap", "edit", "B", "1")
    assert fails(seller, dump, 2, "roadmap", "edit", "B", "1", "--move-to", "5") == (
        "error: --move-to 5: roadmap B has 4 steps; give a position from 1 to 4\n"
    )
    assert "has a step 'promo' already" in fails(
        seller, dump, 5, "roadmap", "edit", "C", "1", "--code", "promo"
    )
    assert "no step 'nope'" in fails(seller, dump, 3, "roadmap", "remove", "A", "nope")


def test_removing_a_step_clients_have_done_needs_force(
    seller: Seller, dump: Callable[[], str | None]
) -> None:
    seller.add("Ромашка", "B", paid_on="2025-11-02")
    seller.ok("client", "step", "done", "Ромашка", "exhibition", "--on", "2026-02-10")
    assert seller.json("roadmap", "list", "-c", "B")[1]["clients"] == 1
    assert fails(seller, dump, 5, "roadmap", "remove", "B", "exhibition") == (
        "error: 1 client(s) have done step 2 «Приглашение на выставку» of roadmap B; to erase "
        "their record of it too, add --force; or keep the step and edit it: povtor roadmap edit\n"
    )
    run = seller.ok("roadmap", "remove", "B", "exhibition", "--force")
    assert "erased it from 1 client(s)' progress" in run.stderr
    assert codes(seller, "B") == ["needs-test", "joint-project", "results-meeting"]
    assert query(seller.cli.db, "SELECT COUNT(*) FROM client_step") == [(0,)]


# -- clients' progress -------------------------------------------------------------------------
def test_step_done_undo_and_the_clients_roadmap(seller: Seller) -> None:
    seller.add("Ромашка", "B", paid_on="2025-11-02")
    seller.ok("client", "person", "add", "Ромашка", "Пётр Петрович")
    run = seller.ok("client", "step", "done", "ромашка", "--on", "2026-02-10", "--note", "ок")
    assert run.stdout == "needs-test\n"  # by default: the next undone step
    assert run.stderr == (
        "#1 Ромашка: step 1 «Звонок с тестированием потребности» done on 2026-02-10 "
        "(1 of 4 on roadmap B); next: step 2 «Приглашение на выставку»\n"
    )
    seller.ok("client", "step", "done", "Ромашка", "3")  # out of order: allowed
    rows = seller.json("client", "roadmap", "Ромашка")
    assert [(r["code"], r["status"], r["done_on"], r["note"]) for r in rows] == [
        ("needs-test", "done", "2026-02-10", "ок"),
        ("exhibition", "next", None, None),
        ("joint-project", "done", "2026-03-02", None),
        ("results-meeting", "", None, None),
    ]
    table = seller.ok("client", "roadmap", "Ромашка", "--format", "table").stdout
    assert "2 of 4 steps done; next: step 2 «Приглашение на выставку» — say: Пётр Петрович, " in (
        " ".join(table.split())
    )
    card = seller.json("client", "show", "Ромашка")["roadmap"]
    assert (
        card["summary"] == "2 of 4 steps done on roadmap B, next: step 2 «Приглашение на выставку»"
    )
    assert (card["done"], card["total"], card["next_step"]["code"]) == (2, 4, "exhibition")
    shown = seller.ok("client", "show", "Ромашка", "--format", "table").stdout
    assert "2 of 4 steps done on roadmap B" in shown
    run = seller.ok("client", "step", "undo", "Ромашка", "joint-project")
    assert run.stderr == (
        "#1 Ромашка: step 3 «Совместный проект» of roadmap B is not done any more "
        "(was done 2026-03-02)\n"
    )
    assert seller.json("client", "show", "Ромашка")["roadmap"]["done"] == 1
    # all done
    for code in B_CODES[1:]:
        seller.ok("client", "step", "done", "Ромашка", code)
    assert seller.json("client", "show", "Ромашка")["roadmap"]["summary"].endswith(", all done")


def test_step_errors_change_nothing(seller: Seller, dump: Callable[[], str | None]) -> None:
    seller.add("Ромашка", "B", paid_on="2025-11-02")
    seller.add("Лютик", "C")
    seller.add("Ершов", None)
    seller.ok("client", "step", "done", "Ромашка", "needs-test", "--on", "2026-02-10")
    assert fails(seller, dump, 3, "client", "step", "done", "Ромашка", "7") == (
        "error: roadmap B has no step 7 (it has 4); see them: povtor roadmap list --category B\n"
    )
    assert fails(seller, dump, 3, "client", "step", "done", "Ромашка", "banya") == (
        "error: roadmap B has no step 'banya'; see them: povtor roadmap list --category B\n"
    )
    assert fails(seller, dump, 5, "client", "step", "done", "Лютик", "exhibition") == (
        "error: step 'exhibition' is on the roadmap of category A, B; Лютик is category C; "
        "name a step of roadmap C (see them: povtor roadmap list --category C), or change the "
        "client's category\n"
    )
    assert fails(seller, dump, 5, "client", "step", "done", "Ромашка", "needs-test") == (
        "error: step 1 «Звонок с тестированием потребности» was done already on 2026-02-10; "
        "to change its date, undo it first: povtor client step undo 1 needs-test\n"
    )
    assert fails(seller, dump, 5, "client", "step", "done", "Ершов") == (
        "error: client #3 Ершов has no category, so no roadmap; set one first: "
        "povtor client edit 3 --category B\n"
    )
    assert "has no category" in fails(seller, dump, 5, "client", "roadmap", "Ершов")
    assert "is in the future" in fails(
        seller, dump, 2, "client", "step", "done", "Ромашка", "2", "--on", "2026-03-03"
    )
    assert "is not a date" in fails(
        seller, dump, 2, "client", "step", "done", "Ромашка", "2", "--on", "вчера"
    )
    assert fails(seller, dump, 5, "client", "step", "undo", "Ромашка", "exhibition") == (
        "error: Ромашка has not done step 2 «Приглашение на выставку»; see the progress: "
        "povtor client roadmap 1\n"
    )
    assert "no client matches" in fails(seller, dump, 3, "client", "step", "done", "Незнакомец")
    for code in B_CODES[1:]:
        seller.ok("client", "step", "done", "Ромашка", code)
    assert "has done all 4 steps of roadmap B" in fails(
        seller, dump, 5, "client", "step", "done", "Ромашка"
    )
    seller.ok("client", "archive", "Лютик")
    assert "is archived" in fails(seller, dump, 5, "client", "step", "done", "Лютик")


def test_forget_erases_the_notes_on_steps_and_keeps_the_progress(seller: Seller) -> None:
    seller.add("Ромашка", "B", paid_on="2025-11-02")
    seller.ok("client", "step", "done", "Ромашка", "--on", "2026-02-10", "--note", "Пётр, +7 900")
    seller.ok("client", "forget", "Ромашка", "--yes")
    assert query(seller.cli.db, "SELECT done_on, note FROM client_step") == [("2026-02-10", None)]


# -- the plan ----------------------------------------------------------------------------------
def test_steps_come_one_after_another_with_the_gap(seller: Seller) -> None:
    seller.add("Ромашка", "B", paid_on="2025-11-02")
    seller.ok("client", "person", "add", "Ромашка", "Пётр Петрович")
    (item,) = seller.plan()
    assert item["reason"].startswith(
        "roadmap B, step 1 of 4: Звонок с тестированием потребности "
        "(no step done yet, first purchase 2025-11-02)"
    )
    assert item["kind"] == "closing"
    assert item["text"] == (
        "Пётр Петрович, добрый день! Хочу свериться по вашей потребности на следующий квартал: "
        "объёмы и сроки. Удобно созвониться на 10 минут завтра?"
    )
    explained = json.loads(seller.ok("plan", "explain", "1", "--format", "json").stdout)
    assert {
        "what": "reason: roadmap (closing)",
        "value": item["reason"].split("; ")[0],
    } in explained

    seller.ok("client", "step", "done", "Ромашка")  # step 1, today
    assert seller.roadmap_items() == {}
    assert seller.on("2026-03-31").roadmap_items() == {}  # 29 days
    assert seller.on("2026-04-01").roadmap_items() == {
        "Ромашка": "roadmap B, step 2 of 4: Приглашение на выставку (step 1 done 2026-03-02)"
    }
    # a yes logged by hand records the step (the next one by default) on the touch's day
    run = seller.ok("nudge", "log", "--client", "Ромашка", "--kind", "closing",
                    "--purpose", "roadmap", "--outcome", "yes")  # fmt: skip
    assert "roadmap step 2 «Приглашение на выставку» done on 2026-04-01" in run.stderr
    assert query(
        seller.cli.db, "SELECT purpose, purpose_ref FROM touch ORDER BY id DESC LIMIT 1"
    ) == [("roadmap", "exhibition")]
    assert seller.on("2026-04-30").roadmap_items() == {}
    assert seller.on("2026-05-01").roadmap_items() == {
        "Ромашка": "roadmap B, step 3 of 4: Совместный проект (step 2 done 2026-04-01)"
    }
    # a "no" holds the step back for the gap from the answer...
    seller.ok("nudge", "log", "--client", "Ромашка", "--purpose", "roadmap", "--about", "3",
              "--outcome", "no", "--reason", "не сейчас")  # fmt: skip
    assert seller.on("2026-05-04").roadmap_items() == {}
    assert seller.on("2026-05-31").roadmap_items() == {
        "Ромашка": "roadmap B, step 3 of 4: Совместный проект (step 2 done 2026-04-01, "
        "asked 2026-05-01: no)"
    }
    # ...no answer only for the quiet days: nudge again
    seller.ok("nudge", "log", "--client", "Ромашка", "--purpose", "roadmap",
              "--outcome", "no-answer")  # fmt: skip
    assert seller.on("2026-06-02").roadmap_items() == {}  # plan.quiet_days 3
    assert seller.on("2026-06-03").roadmap_items() == {
        "Ромашка": "roadmap B, step 3 of 4: Совместный проект (step 2 done 2026-04-01, "
        "asked 2026-05-01: no, asked 2026-05-31: no answer yet)"
    }
    # plan run: a yes records the step in the same go
    run = seller.ok("plan", "run", input="y\n")
    assert "roadmap step 3 «Совместный проект» done on 2026-06-03" in run.stdout
    rows = seller.json("client", "roadmap", "Ромашка")
    assert [r["done_on"] for r in rows] == ["2026-03-02", "2026-04-01", "2026-06-03", None]
    assert seller.on("2026-07-03").roadmap_items() == {
        "Ромашка": "roadmap B, step 4 of 4: Личная встреча по итогам совместного проекта "
        "(step 3 done 2026-06-03)"
    }
    seller.ok("client", "step", "done", "Ромашка")
    assert seller.on("2026-09-01").roadmap_items() == {}  # the roadmap is done


def test_only_when_nothing_more_urgent(seller: Seller) -> None:
    seller.add("Ромашка", "B", paid_on="2025-11-02")
    seller.add("Лютик", "B", paid_on="2025-11-02")
    seller.add("Ершов", None, paid_on="2025-11-02")  # no category: no roadmap
    seller.add("Новичок", "B")  # no purchase yet: the first-sale funnel's job
    deal = seller.ok("deal", "open", "Лютик", "--stage", "invoice", "--on", "2026-02-20").stdout
    assert list(seller.roadmap_items()) == ["Ромашка"]
    items = {r["client"]: r for r in seller.plan()}
    assert items["Лютик"]["deal_id"] == int(deal)  # a deal in motion: no roadmap reason at all
    assert "roadmap" not in items["Лютик"]["reason"]
    # a silent client is brought back first
    seller.ok("plan", "set", "plan.silent_days.B", "45")
    assert "Ромашка" not in seller.roadmap_items()
    seller.ok("plan", "set", "plan.silent_days.B", "1000")
    # touched recently: not for the quiet days
    seller.ok("nudge", "log", "--client", "Ромашка", "--on", "2026-02-28")
    assert seller.roadmap_items() == {}
    assert list(seller.on("2026-03-03").roadmap_items()) == ["Ромашка"]
    # a date the client named holds it back
    seller.ok("nudge", "log", "--client", "Ромашка", "--outcome", "later", "--later", "2026-03-10")
    assert seller.on("2026-03-09").roadmap_items() == {}


def test_a_roadmap_step_rides_along_with_a_more_urgent_item(seller: Seller) -> None:
    # the first purchase long ago (the step is due), the service contact of the second one
    # due on 02-26 (within its window)
    client = seller.add("Ромашка", "B", paid_on="2025-11-02")
    deal = seller.ok("deal", "open", str(client), "--stage", "invoice", "--on", "2026-02-12")
    seller.ok("deal", "win", deal.stdout.strip(), "--on", "2026-02-12")
    (item,) = seller.plan()
    first, *others = item["reason"].split("; ")
    assert item["kind"] == "service" and first.startswith("service contact")
    assert any(r.startswith("roadmap B, step 1 of 4") for r in others)


def test_at_most_roadmap_per_day_a_then_b_then_c_longest_waiting_first(seller: Seller) -> None:
    seller.add("Альфа", "A", paid_on="2025-12-01")
    seller.add("Бета", "B", paid_on="2025-11-20")
    seller.add("Вега", "C", paid_on="2025-11-01")
    seller.add("Гамма", "C", paid_on="2025-10-01")
    seller.ok("plan", "set", "plan.roadmap_per_day", "3")
    assert list(seller.roadmap_items()) == ["Альфа", "Бета", "Гамма"]
    seller.ok("plan", "set", "plan.roadmap_per_day", "default")  # 5
    assert sorted(seller.roadmap_items()) == ["Альфа", "Бета", "Вега", "Гамма"]
    seller.ok("plan", "set", "plan.roadmap_per_day", "0")
    assert seller.roadmap_items() == {}
    seller.ok("plan", "set", "plan.roadmap_per_day", "5")
    seller.ok("plan", "set", "plan.roadmap_gap_days", "150")
    assert list(seller.roadmap_items()) == ["Гамма"]  # 152 days since its purchase; Вега 121


def test_the_day_s_steps_count_against_its_quota(seller: Seller) -> None:
    """Steps asked (or done) today are the day's: a plan made again after them does not
    offer the next clients' steps until tomorrow."""
    seller.add("Альфа", "A", paid_on="2025-12-01")
    seller.add("Бета", "B", paid_on="2025-11-20")
    seller.add("Гамма", "C", paid_on="2025-10-01")
    seller.ok("plan", "set", "plan.roadmap_per_day", "2")
    assert list(seller.roadmap_items()) == ["Альфа", "Бета"]
    seller.ok("nudge", "log", "--client", "Альфа", "--purpose", "roadmap", "--outcome", "yes")
    assert list(seller.roadmap_items()) == ["Бета"]  # not Гамма: one step is left today
    seller.ok("client", "step", "done", "Бета")
    assert list(seller.roadmap_items()) == []
    seller.on("2026-03-03")
    assert list(seller.roadmap_items()) == ["Гамма"]


def test_the_gap_counts_from_the_last_step_done_on_any_roadmap(seller: Seller) -> None:
    """A client that changed category does not start its new roadmap at once: the gap
    counts from the step it did on the old one."""
    seller.add("Дюна", "C", paid_on="2025-11-25")
    seller.ok("plan", "set", "plan.roadmap_gap_days", "14")
    seller.ok("client", "step", "done", "Дюна", "--on", "2026-02-20")
    seller.ok("client", "edit", "Дюна", "--category", "B")
    assert seller.on("2026-03-05").roadmap_items() == {}  # 13 days
    assert seller.on("2026-03-06").roadmap_items() == {
        "Дюна": "roadmap B, step 1 of 4: Звонок с тестированием потребности (step 1 of "
        "roadmap C done 2026-02-20)"
    }


def test_nudge_log_about_a_step_of_another_roadmap_is_refused(
    seller: Seller, dump: Callable[[], str | None]
) -> None:
    seller.add("Лютик", "C", paid_on="2025-11-02")
    seller.add("Ершов", None, paid_on="2025-11-02")
    assert "is on the roadmap of category A, B" in fails(
        seller, dump, 5, "nudge", "log", "--client", "Лютик", "--purpose", "roadmap",
        "--about", "exhibition", "--outcome", "yes",
    )  # fmt: skip
    assert "has no category" in fails(
        seller, dump, 5, "nudge", "log", "--client", "Ершов", "--purpose", "roadmap"
    )
    run = seller.ok("nudge", "log", "--client", "Лютик", "--purpose", "roadmap", "--about", "2",
                    "--outcome", "yes")  # fmt: skip
    assert "roadmap step 2 «Подключение информационного сервиса» done on 2026-03-02" in run.stderr
    rows = seller.json("client", "roadmap", "Лютик")
    assert [r["status"] for r in rows] == ["next", "done", ""]


# -- the demo ----------------------------------------------------------------------------------
def test_the_demo_plan_shows_roadmap_steps(cli: Cli, tmp_path: Path) -> None:
    scenarios = tomllib.loads((DEMO / "demo.toml").read_text(encoding="utf-8"))["scenarios"]
    demo = tmp_path / "demo.db"
    env = {"POVTOR_TODAY": "2026-11-23"}
    assert cli("demo", str(demo), env=env).exit_code == 0
    env["POVTOR_DB"] = str(demo)
    plan = json.loads(cli.ok("plan", "today", "--all", "--format", "json", env=env).stdout)
    names = {
        c["id"]: c["name"]
        for c in json.loads(cli.ok("client", "list", "--format", "json", env=env).stdout)
    }
    items = {r["client"]: r for r in plan}
    due = [names[i] for i in scenarios["roadmap_due_clients"]]
    for name in due:
        assert any(r.startswith("roadmap ") for r in items[name]["reason"].split("; ")), name
    leading = items["Обед-Экспресс"]
    assert leading["reason"].startswith(
        "roadmap B, step 2 of 4: Приглашение на выставку (step 1 done 2026-10-02)"
    )
    assert leading["text"].endswith("Приглашаю вас на наш стенд на выставке: покажем новинки "
                                    "и обсудим ваши задачи. Прислать приглашение?")  # fmt: skip
    roadmap_reasons = [r for i in plan for r in i["reason"].split("; ") if r.startswith("roadmap")]
    assert len(roadmap_reasons) == 5  # plan.roadmap_per_day
    rows = json.loads(
        cli.ok("client", "roadmap", "СтройМонолит", "--format", "json", env=env).stdout
    )
    assert [r["status"] for r in rows[:6]] == ["done"] * 4 + ["next", ""]


# -- the pure rule -----------------------------------------------------------------------------
TODAY = dt.date(2026, 3, 2)
SETTINGS = Settings({"plan.silent_days.B": "1000", "plan.silent_days.C": "1000"})
STEPS = [Step(i, "B", i, code, code, f"{{person}}, {code}?") for i, code in enumerate(B_CODES, 1)]


def state(cid: int, category: str = "B", **fields: Any) -> ClientState:
    defaults: dict[str, Any] = {
        "name": f"Клиент {cid}",
        "company": None,
        "category": category,
        "person": None,
        "open_deals": 0,
        "last_touch_on": None,
        "paid_dates": (dt.date(2025, 11, 2),),
    }
    return ClientState(id=cid, **(defaults | fields))


def progress(cid: int, done: int = 0, **fields: Any) -> RoadmapProgress:
    defaults: dict[str, Any] = {
        "category": "B",
        "total": 4,
        "done": done,
        "next_step": STEPS[done] if done < 4 else None,
    }
    return RoadmapProgress(client_id=cid, **(defaults | fields))


def rule(*pairs: tuple[RoadmapProgress, ClientState], settings: Settings = SETTINGS) -> list[str]:
    clients = {c.id: c for _p, c in pairs}
    found = roadmap_candidates([p for p, _c in pairs], clients, TODAY, settings)
    return [f"{c.client_id}: {c.reason}" for c in found]


def test_rule_gap_counts_from_the_last_step_or_the_first_purchase() -> None:
    on = dt.date(2026, 1, 31)  # 30 days before TODAY
    assert rule((progress(1, 1, last_done_position=1, last_done_on=on), state(1))) == [
        "1: roadmap B, step 2 of 4: exhibition (step 1 done 2026-01-31)"
    ]
    later = on + dt.timedelta(days=1)
    assert rule((progress(1, 1, last_done_position=1, last_done_on=later), state(1))) == []
    first = (dt.date(2026, 1, 31), dt.date(2026, 2, 20))
    assert rule((progress(1), state(1, paid_dates=first))) == [
        "1: roadmap B, step 1 of 4: needs-test (no step done yet, first purchase 2026-01-31)"
    ]
    assert rule((progress(1), state(1, paid_dates=()))) == []  # a lead
    # steps done without purchases still count
    assert rule((progress(1, 1, last_done_position=1, last_done_on=on), state(1, paid_dates=())))
    # a "no" restarts the gap; no answer does not
    assert rule((progress(1, last_declined_on=dt.date(2026, 2, 1)), state(1))) == []
    assert rule(
        (progress(1, last_asked_on=dt.date(2026, 2, 25), last_asked_outcome="no_answer"), state(1))
    ) == [
        "1: roadmap B, step 1 of 4: needs-test (no step done yet, first purchase 2025-11-02, "
        "asked 2026-02-25: no answer yet)"
    ]


def test_rule_skips_busy_quiet_and_finished_clients() -> None:
    assert rule((progress(1, 4), state(1))) == []  # all done
    assert rule((progress(1), state(1, open_deals=1))) == []
    later = Conversation(promise=Promise(dt.date(2026, 2, 20), dt.date(2026, 3, 5)))
    assert rule((progress(1), state(1, talk=later))) == []  # a date the client named
    refused = Refusal(dt.date(2026, 2, 1), "дорого", None, dt.date(2026, 5, 2))
    assert rule((progress(1), state(1, talk=Conversation(refusal=refused)))) == []
    step_later = Conversation(promises=(Promise(TODAY, dt.date(2026, 3, 9), "roadmap", "x"),))
    assert rule((progress(1), state(1, talk=step_later))) == []  # its follow-up carries it
    assert rule((progress(1), state(1, last_touch_on=dt.date(2026, 2, 28)))) == []  # quiet
    assert rule((progress(1), state(1, last_touch_on=dt.date(2026, 2, 27)))) != []
    assert rule((progress(1), state(1, category="C"))) == []  # the category changed
    silent = Settings({"plan.silent_days.B": "45"})
    assert rule((progress(1), state(1)), settings=silent) == []
    candidate = roadmap_candidates([progress(1)], {1: state(1)}, TODAY, SETTINGS)[0]
    assert (candidate.rule, candidate.kind, candidate.purpose, candidate.purpose_ref) == (
        "roadmap", "closing", "roadmap", "needs-test",
    )  # fmt: skip
    assert candidate.script == "{person}, needs-test?"
    assert (candidate.days_waiting, candidate.overdue_days) == (120, 90)


def test_rule_cap_orders_by_category_then_waiting() -> None:
    pairs = [
        (progress(1, category="C", next_step=STEPS[0]), state(1, "C")),
        (progress(2), state(2, paid_dates=(dt.date(2026, 1, 1),))),
        (progress(3), state(3)),
        (progress(4, category="A", next_step=STEPS[0]), state(4, "A")),
    ]
    settings = Settings(
        SETTINGS.values | {"plan.roadmap_per_day": "3", "plan.silent_days.A": "1000"}
    )
    assert [r.split(":")[0] for r in rule(*pairs, settings=settings)] == ["4", "3", "2"]


def test_naming_steps() -> None:
    assert code_from_title("Приглашение на выставку", ()) == "priglashenie-na-vystavku"
    assert code_from_title("Объём, съезд и ёлка!", ()) == "obem-sezd-i-elka"
    assert code_from_title("Шаг", {"shag", "shag-2"}) == "shag-3"
    assert code_from_title("2026", ()) == "step-2026"
    assert code_from_title("«»", ()) == "step"
    assert check_code(" Выставка-2026 ") == "выставка-2026"
    for bad in ("12", "-a", "a b", "", "a" * 51):
        with pytest.raises(InvalidInput):
            check_code(bad)
    assert find_step(STEPS, "2") == STEPS[1]
    assert find_step(STEPS, "EXHIBITION") == STEPS[1]
    assert find_step(STEPS, "5") is None
    assert reordered([1, 2, 3, 4], 4, 1) == [4, 1, 2, 3]
    assert reordered([1, 2, 3, 4], 1, 4) == [2, 3, 4, 1]
    with pytest.raises(InvalidInput):
        reordered([1, 2], 1, 3)

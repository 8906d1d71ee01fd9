"""The plan as a day's work: a capacity with "… and N more", the forecast counted on the
items that can bring an order, and the machine formats a script logs the touches from.

Calendar: Mon 2, ... Fri 6, Sat 7, Sun 8, Mon 9 March 2026 (a day off).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from povtor.domain.forecast import MIN_MEASURED_DEALS, Conversion, can_order
from povtor.domain.plan_records import Candidate, OpenDeal
from support import Cli, Run, where

PLAN_DOC = Path(__file__).resolve().parents[1] / "docs" / "plan.md"
FRIDAY = {"POVTOR_TODAY": "2026-03-06T10:00"}


def on_friday(cli: Cli, *args: str) -> Run:
    return cli.ok(*args, env=FRIDAY)


def plan(cli: Cli, *options: str) -> list[dict[str, Any]]:
    rows = json.loads(on_friday(cli, "plan", "today", *options, "--format", "json").stdout)
    assert isinstance(rows, list)
    return rows


def stuck_invoices(cli: Cli, count: int) -> None:
    """``count`` clients with an invoice sent on Monday: stuck on Friday."""
    for n in range(1, count + 1):
        cli.add_client(f"Клиент {n}", "--category", "B")
        cli.open_deal(f"Клиент {n}", "--stage", "invoice", "--amount", str(1000 * n))


# -- which items can bring an order ---------------------------------------------------------
def candidate(rule: str, kind: str, *, on_deal: bool = False) -> Candidate:
    deal = None
    if on_deal:
        deal = OpenDeal(
            id=1,
            client_id=1,
            funnel="repeat",
            stage="invoice",
            stage_name="Счёт отправлен",
            stage_position=4,
            won_position=5,
            limit_days=3,
            stage_entered_on=dt.date(2026, 3, 2),
            follow_up_on=None,
            amount_minor=None,
            currency="RUB",
            title=None,
            last_touch_on=None,
        )
    return Candidate(client_id=1, rule=rule, reason="", kind=kind, deal=deal)


@pytest.mark.parametrize(
    ("rule", "kind", "on_deal", "orders"),
    [
        ("stuck", "closing", True, True),  # a nudge on a deal
        ("follow_up", "closing", True, True),
        ("follow_up", "closing", False, True),  # "call me on D" about buying again
        ("silent", "closing", False, True),  # the reorder question
        ("revisit", "closing", False, True),  # «вопрос X вас всё ещё интересует?»
        ("backend", "closing", False, True),
        ("cross_sell", "closing", False, True),
        ("warming", "warming", True, False),  # a first-sale deal still being warmed up
        ("silent", "warming", False, False),
        ("service", "service", False, False),
        ("problem", "service", False, False),
        ("occasion", "warming", False, False),
        ("roadmap", "closing", False, False),  # a meeting or an audit, not an order
        ("card", "warming", False, False),
    ],
)
def test_which_items_can_bring_an_order(rule: str, kind: str, on_deal: bool, orders: bool) -> None:
    assert can_order(candidate(rule, kind, on_deal=on_deal)) is orders


def test_the_conversion_is_measured_only_on_enough_deals() -> None:
    assert Conversion(nudged=MIN_MEASURED_DEALS, paid=4).rate == 4 / Decimal(MIN_MEASURED_DEALS)
    assert Conversion(nudged=MIN_MEASURED_DEALS, paid=4).measured
    assert not Conversion(nudged=MIN_MEASURED_DEALS - 1, paid=4).measured
    assert not Conversion(nudged=50, paid=0).measured  # none paid: no evidence either way
    assert str(Conversion(nudged=3, paid=3).rate) == "0.30"


def test_the_forecast_applies_only_to_the_items_that_can_bring_an_order(cli: Cli) -> None:
    cli.add_client("Ромашка", "--category", "B")
    cli.open_deal("Ромашка", "--stage", "invoice", "--amount", "100000")  # stuck on Friday
    cli.add_client("Берёза", "--category", "B")  # paid 14 days ago: a service contact
    paid = cli.open_deal("Берёза", "--stage", "invoice", "--amount", "50000", "--on", "2026-02-20")
    cli.ok("deal", "win", str(paid), "--on", "2026-02-20")
    geo = cli.add_client("Геопартия")  # a birthday on Monday: a card
    cli.ok("client", "person", "add", str(geo), "Иван Петров", "--birthday", "1980-03-09")
    items = {row["client"]: (row["rule"], row["kind"]) for row in plan(cli)}
    assert items == {
        "Ромашка": ("stuck", "closing"),
        "Берёза": ("service", "service"),
        "Геопартия": ("occasion", "warming"),
    }
    text = " ".join(on_friday(cli, "plan", "today", "--format", "table").stdout.split())
    # one item of three can bring an order: 0.3 of it, at the average check of 50 000
    assert (
        "3 of 3 items. 1 of them can bring an order: at 30% nudge→order conversion (too "
        "little history: 0 deals nudged in the last 12 months, 0 paid; the seed's 30 of "
        "100) and an average check of 50 000.00 RUB, ≈0.3 orders, ≈15 000.00 RUB."
    ) in text


# -- a day's work ----------------------------------------------------------------------------
def test_a_days_work_is_the_capacity_and_the_rest_is_a_count(cli: Cli) -> None:
    stuck_invoices(cli, 5)
    assert len(plan(cli)) == 5  # under the default capacity of 30: every item
    cli.ok("plan", "set", "plan.capacity", "3")
    table = on_friday(cli, "plan", "today", "--format", "table").stdout.splitlines()
    assert table[-1] == "… and 2 more: povtor plan today --all"
    assert "\n3 of 5 items. 3 of them can bring an order" in "\n".join(table)
    assert [line[:3] for line in table if re.match(r" ?\d+\. ", line)] == [" 1.", " 2.", " 3."]

    # machine formats cut the same way and say so on stderr
    shown = on_friday(cli, "plan", "today", "--format", "json")
    assert [r["rank"] for r in json.loads(shown.stdout)] == [1, 2, 3]
    assert shown.stderr == "3 of 5 items (plan.capacity 3); every item: --all\n"
    csv_lines = on_friday(cli, "plan", "today", "--format", "csv").stdout.splitlines()
    assert len(csv_lines) == 1 + 3
    every = on_friday(cli, "plan", "today", "--all", "--format", "json")
    assert [r["rank"] for r in json.loads(every.stdout)] == [1, 2, 3, 4, 5]
    assert every.stderr == ""
    limited = on_friday(cli, "plan", "today", "--limit", "4", "--format", "jsonl")
    assert len(limited.stdout.splitlines()) == 4
    assert limited.stderr == "4 of 5 items (--limit 4); every item: --all\n"
    both = cli("plan", "today", "--limit", "2", "--all", env=FRIDAY)
    assert (both.exit_code, both.stderr) == (
        2,
        "error: give either --limit or --all, not both; e.g. --limit 10\n",
    )
    # a date given is kept in the hint
    dated = cli.ok("plan", "today", "--on", "2026-03-06", "--format", "table").stdout
    assert dated.splitlines()[-1] == "… and 2 more: povtor plan today --all --on 2026-03-06"

    # explain works for every rank of the whole plan, not only the shown ones
    fifth = json.loads(on_friday(cli, "plan", "explain", "5", "--format", "json").stdout)
    assert {"what": "reason: stuck (closing)", "value": fifth[-1]["value"]} == fifth[-1]
    beyond = cli("plan", "explain", "6", env=FRIDAY)
    assert (beyond.exit_code, beyond.stderr) == (
        3,
        "error: the plan for 2026-03-06 has no item 6: it has items 1 to 5; see every item: "
        "povtor plan today --all (a client by id: #12)\n",
    )
    by_id = json.loads(on_friday(cli, "plan", "explain", "#1", "--format", "json").stdout)
    assert by_id == fifth  # client #1 (the smallest invoice) is item 5

    cli.ok("plan", "set", "plan.capacity", "0")  # 0: no limit
    assert len(plan(cli)) == 5
    failed = cli("plan", "set", "plan.capacity", "-1")
    assert failed.exit_code == 2


# -- what a script needs -------------------------------------------------------------------
def test_each_item_carries_the_client_rule_purpose_and_about_key(cli: Cli) -> None:
    stuck_invoices(cli, 1)
    geo = cli.add_client("Геопартия")
    added = cli.ok("client", "person", "add", str(geo), "Иван Петров", "--birthday", "1980-03-09")
    person = int(added.stdout)
    rows = {row["client"]: row for row in plan(cli)}
    keys = ("client_id", "deal_id", "rule", "kind", "purpose", "about")
    assert {name: tuple(row[k] for k in keys) for name, row in rows.items()} == {
        "Клиент 1": (1, 1, "stuck", "closing", None, None),
        "Геопартия": (geo, None, "occasion", "warming", "perk", f"birthday:{person}:2026"),
    }
    header = on_friday(cli, "plan", "today", "--why", "--format", "tsv").stdout.splitlines()[0]
    assert header.split("\t")[-10:-6] == ["client_id", "rule", "purpose", "about"]


def docs_pipeline() -> str:
    """The shell example of docs/plan.md that logs a touch for each perk item."""
    text = PLAN_DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    [block] = [b for b in blocks if "povtor nudge log" in b and "plan today" in b and "jq" in b]
    return block


def test_the_docs_pipeline_logs_a_touch_for_each_item(cli: Cli, isolated: Path) -> None:
    """Run the pipeline of docs/plan.md as written (bash and jq, the installed povtor) on a plan
    with a birthday card and a stuck deal: the card is logged with its purpose and key and
    leaves the plan; the deal stays."""
    stuck_invoices(cli, 1)
    geo = cli.add_client("Геопартия")
    cli.ok("client", "person", "add", str(geo), "Иван Петров", "--birthday", "1980-03-09")
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "povtor").exists(), "the povtor executable is not installed"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "POVTOR_DB": where(isolated),
        "POVTOR_TODAY": FRIDAY["POVTOR_TODAY"],
    }
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", docs_pipeline()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    touches = json.loads(
        on_friday(cli, "nudge", "list", "--client", str(geo), "--format", "json").stdout
    )
    assert [(t["kind"], t["purpose"], t["purpose_ref"]) for t in touches] == [
        ("warming", "perk", touches[0]["purpose_ref"])
    ]
    assert touches[0]["purpose_ref"].startswith("birthday:")
    assert [row["client"] for row in plan(cli)] == ["Клиент 1"]


# -- only what is shown is drafted -----------------------------------------------------------
@pytest.fixture
def drafts(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """How many items were given their material, and which were drafted."""
    from povtor.app import plan, warming

    seen: dict[str, list[int]] = {"material": [], "drafted": []}
    pick, text = warming.pick_for_plan, plan.item_text

    def counted_pick(db: Any, chosen: Any, lang: str, user: Any) -> Any:
        seen["material"].append(len(chosen.items))
        return pick(db, chosen, lang, user)

    def counted_text(item: Any, lang: str, user: Any) -> str:
        seen["drafted"].append(item.rank)
        return text(item, lang, user)

    monkeypatch.setattr(warming, "pick_for_plan", counted_pick)
    monkeypatch.setattr(plan, "item_text", counted_text)
    return seen


def test_only_the_items_shown_are_drafted(cli: Cli, drafts: dict[str, list[int]]) -> None:
    stuck_invoices(cli, 5)
    cli.ok("plan", "set", "plan.capacity", "3")

    def seen(*args: str, **options: str) -> dict[str, list[int]]:
        for values in drafts.values():
            values.clear()
        run = cli(*args, env=FRIDAY, **options)
        assert run.exit_code == 0, run.describe()
        return {key: list(values) for key, values in drafts.items()}

    assert seen("plan", "today", "--all", "--format", "json") == {
        "material": [5],
        "drafted": [1, 2, 3, 4, 5],
    }
    assert seen("plan", "today", "--format", "table") == {"material": [3], "drafted": [1, 2, 3]}
    assert seen("plan", "today", "--limit", "2", "--format", "csv") == {
        "material": [2],
        "drafted": [1, 2],
    }
    assert seen("plan", "explain", "5") == {"material": [], "drafted": []}
    assert seen("plan", "run", "--limit", "2", input="s\ns\n") == {
        "material": [2],
        "drafted": [1, 2],
    }
    # the items shown are those of the whole plan, drafted the same
    assert plan(cli) == plan(cli, "--all")[:3]

"""Mistakes can be undone: ``nudge undo|delete|edit``, ``deal edit``, ``client person
edit|remove|main``, and the record of every correction (``db changes``, ``deal show``).

Today is Mon 2026-03-02 (conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support import Cli, execute, query


def deal(cli: Cli, ref: int | str) -> dict[str, Any]:
    return json.loads(cli.ok("deal", "show", str(ref), "--format", "json").stdout)


def state(cli: Cli, ref: int | str) -> tuple[Any, ...]:
    d = deal(cli, ref)
    return (d["stage"], d["status"], d["stage_entered_on"], d["closed_on"], d["follow_up_on"])


def exported(cli: Cli) -> dict[str, str]:
    """The deals and their stage history as povtor exports them (every column)."""
    return {t: cli.ok("export", t).stdout for t in ("deals", "stage-history", "client-steps")}


def changes(cli: Cli, *args: str) -> list[dict[str, Any]]:
    return json.loads(cli.ok("db", "changes", *args, "--format", "json").stdout)


def touch_ids(cli: Cli) -> list[int]:
    return [t["id"] for t in json.loads(cli.ok("nudge", "list", "--format", "json").stdout)]


def log(cli: Cli, *args: str) -> int:
    return int(cli.ok("nudge", "log", *args).stdout)


@pytest.fixture
def shop(cli: Cli) -> Cli:
    """Ромашка (B) with a deal #1 at proposal since 2026-02-25, 100 000 RUB."""
    cli.add_client("Ромашка", "--category", "B")
    cli.open_deal("Ромашка", "--stage", "proposal", "--amount", "100000", "--on", "2026-02-25")
    return cli


# -- undo after each outcome -----------------------------------------------------------------
def test_undo_a_yes_puts_the_deal_back_exactly(shop: Cli) -> None:
    log(shop, "--deal", "1", "--outcome", "later", "--later", "2026-03-05", "--on", "-2")
    before = exported(shop)
    touch = log(shop, "--deal", "1", "--outcome", "yes", "--text", "Счёт ждём")
    assert state(shop, 1) == ("invoice", "open", "2026-03-02", None, None)
    run = shop.ok("nudge", "undo", "--yes")
    assert run.stderr_lines == [
        f"undid touch #{touch} of 2026-03-02: closing by other with #1 Ромашка, deal #1, "
        "outcome yes «Счёт ждём»",
        "  deal #1 as it was before the touch: stage invoice → proposal, follow-up none → "
        "2026-03-05, in its stage since 2026-02-25",
        "  deal #1's stage history loses its move (proposal → invoice) of 2026-03-02",
    ]
    assert run.stdout == ""
    assert exported(shop) == before  # the deal and its history as they were, every column
    assert touch_ids(shop) == [1]


def test_undo_a_yes_that_won_the_deal(shop: Cli) -> None:
    shop.ok("deal", "move", "1", "invoice", "--on", "2026-02-27")
    before = exported(shop)
    log(shop, "--deal", "1", "--outcome", "yes")
    assert state(shop, 1) == ("paid", "won", "2026-03-02", "2026-03-02", None)
    revenue = json.loads(shop.ok("stats", "repeat", "--format", "json").stdout)[0]["revenue"]
    assert revenue == "100000.00"
    shop.ok("nudge", "undo", "--yes")
    assert exported(shop) == before
    assert state(shop, 1) == ("invoice", "open", "2026-02-27", None, None)
    revenue = json.loads(shop.ok("stats", "repeat", "--format", "json").stdout)[0]["revenue"]
    assert revenue == "0.00"


def test_undo_a_no_reopens_the_deal_as_it_was(shop: Cli) -> None:
    log(shop, "--deal", "1", "--outcome", "later", "--later", "+7", "--on", "-1")
    before = exported(shop)
    log(shop, "--deal", "1", "--outcome", "no", "--reason", "дорого")
    assert state(shop, 1) == ("proposal", "lost", "2026-02-25", "2026-03-02", None)
    run = shop.ok("nudge", "undo", "--yes")
    assert (
        "  deal #1 as it was before the touch: lost → open, follow-up none → 2026-03-08"
        in run.stderr_lines
    )
    assert exported(shop) == before
    assert deal(shop, 1)["lost_reason"] is None


def test_undo_a_later_brings_back_the_follow_up_before_it(shop: Cli) -> None:
    log(shop, "--deal", "1", "--outcome", "later", "--later", "2026-03-05", "--on", "-3")
    log(shop, "--deal", "1", "--outcome", "later", "--later", "2026-03-20")
    assert state(shop, 1)[-1] == "2026-03-20"
    shop.ok("nudge", "undo", "--yes")
    assert state(shop, 1)[-1] == "2026-03-05"
    shop.ok("nudge", "undo", "--yes")  # and the first one: no follow-up at all
    assert state(shop, 1) == ("proposal", "open", "2026-02-25", None, None)
    assert touch_ids(shop) == []


def test_undo_twice_takes_back_the_last_two_in_turn(shop: Cli) -> None:
    shop.add_client("Сокол")
    first = log(shop, "--deal", "1", "--outcome", "yes")  # proposal -> invoice
    second = log(shop, "--client", "Сокол", "--text", "С праздником!")
    assert (
        shop.ok("nudge", "undo", "--yes")
        .stderr_lines[0]
        .startswith(f"undid touch #{second} of 2026-03-02: warming by other with #2 Сокол")
    )
    assert state(shop, 1)[0] == "invoice"
    shop.ok("nudge", "undo", "--yes")
    assert state(shop, 1)[0] == "proposal"
    assert [(c["entity_id"], c["action"]) for c in changes(shop)] == [
        (first, "undo"),
        (second, "undo"),
    ]


def test_a_touch_taken_back_leaves_its_id_unused(shop: Cli) -> None:
    """The record of corrections names a touch by its id: no later touch takes it."""
    first = log(shop, "--deal", "1", "--outcome", "pending")
    taken = log(shop, "--deal", "1", "--outcome", "later", "--later", "+3")
    shop.ok("nudge", "undo", "--yes")
    assert log(shop, "--deal", "1", "--outcome", "no-answer") == taken + 1
    assert [c["entity_id"] for c in changes(shop)] == [taken]
    assert sorted(touch_ids(shop)) == [first, taken + 1]
    # an import gives a new touch a new id too
    shop.ok("nudge", "undo", "--yes")
    exported = shop.ok("export", "touches").stdout.splitlines()
    row = exported[1].split(",")
    row[0], row[11] = "", "из файла"  # (no id; its text)
    new_file = shop.db.parent / "touches.csv"
    new_file.write_text("\n".join([exported[0], ",".join(row)]) + "\n", encoding="utf-8")
    shop.ok("import", "touches", str(new_file))
    assert sorted(touch_ids(shop)) == [first, taken + 2]


def test_nothing_to_undo(cli: Cli, dump: Callable[[], str | None]) -> None:
    cli.add_client("Ромашка")
    before = dump()
    run = cli("nudge", "undo", "--yes")
    assert (run.exit_code, run.stderr) == (
        3,
        "error: no touch to undo: none is logged; log one with: povtor nudge log --deal D\n",
    )
    assert dump() == before


def test_undo_asks_first(shop: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    log(shop, "--deal", "1", "--outcome", "yes")
    refused = shop("nudge", "undo")  # no terminal, no --yes
    assert refused.exit_code == 2
    assert refused.stderr == (
        "error: nudge undo asks for confirmation, and there is no terminal to ask on; "
        "add --yes to go ahead without the question\n"
    )
    monkeypatch.setattr("povtor.cli.runtime.stdin_is_terminal", lambda: True)
    kept = shop("nudge", "undo", input="n\n")
    assert kept.exit_code == 0
    assert kept.stderr.startswith("Undo touch #1 of 2026-03-02: closing by other with #1 Ромашка")
    assert "  - deal #1 as it was before the touch: stage invoice → proposal" in kept.stderr
    assert kept.stderr.endswith("nothing was changed\n")
    assert state(shop, 1)[0] == "invoice"
    assert shop("nudge", "undo", input="y\n").exit_code == 0
    assert state(shop, 1)[0] == "proposal"


# -- when later changes depend on the touch --------------------------------------------------
def test_undo_is_refused_when_the_deal_moved_on(shop: Cli, dump: Callable[[], str | None]) -> None:
    touch = log(shop, "--deal", "1", "--outcome", "yes")
    shop.ok("deal", "win", "1")
    before = dump()
    run = shop("nudge", "undo", "--yes")
    assert run.exit_code == 5
    assert run.stderr == (
        f"error: deal #1 changed after touch #{touch} (it is paid, won now), so the touch's "
        "outcome cannot be taken back; put the deal right by hand (povtor deal move 1 STAGE "
        f"--force, povtor deal reopen 1), then: povtor nudge delete {touch} --only-touch\n"
    )
    assert dump() == before
    # the touch alone can go; the deal stays as it is
    gone = shop.ok("nudge", "delete", str(touch), "--only-touch", "--yes")
    assert "  deal #1 stays as it is (--only-touch)" in gone.stderr_lines
    assert touch_ids(shop) == []
    assert state(shop, 1)[:2] == ("paid", "won")


def test_delete_is_refused_while_a_later_touch_is_about_the_deal(
    shop: Cli, dump: Callable[[], str | None]
) -> None:
    moved = log(shop, "--deal", "1", "--outcome", "yes")
    asked = log(shop, "--deal", "1", "--outcome", "pending", "--text", "Счёт получили?")
    before = dump()
    run = shop("nudge", "delete", str(moved), "--yes")
    assert (run.exit_code, run.stderr) == (
        5,
        f"error: touch #{moved} changed deal #1, and touches about the deal were logged after "
        f"it (#{asked}); take those back first, newest first: povtor nudge delete {asked}\n",
    )
    assert dump() == before
    # a touch that changed nothing goes alone, whatever came after it
    shop.ok("nudge", "delete", str(asked), "--yes")
    shop.ok("nudge", "delete", str(moved), "--yes")
    assert state(shop, 1)[0] == "proposal"
    assert [c["action"] for c in changes(shop)] == ["delete", "delete"]


def test_a_touch_without_undo_data_is_not_guessed(shop: Cli, db_path: Path) -> None:
    touch = log(shop, "--deal", "1", "--outcome", "yes")
    execute(db_path, "DELETE FROM touch_effect")  # as an older povtor (or an import) left it
    run = shop("nudge", "undo", "--yes")
    assert run.exit_code == 5
    assert run.stderr.startswith(
        f"error: touch #{touch} (yes) may have changed deal #1, and povtor has no record of "
        "the deal before it"
    )
    assert f"povtor nudge delete {touch} --only-touch" in run.stderr


# -- an answer to the client's own question: the deals its no lost, the deal its yes opened --
def test_undo_a_no_to_the_client_reopens_every_deal_it_lost(shop: Cli) -> None:
    shop.open_deal("Ромашка", "--stage", "invoice", "--amount", "5000", "--on", "2026-02-26")
    log(shop, "--deal", "2", "--outcome", "later", "--later", "2026-03-09", "--on", "-1")
    before = exported(shop)
    run = shop.ok(
        "nudge", "log", "--client", "Ромашка", "--kind", "closing", "--outcome", "no",
        "--reason", "нашли дешевле",
    )  # fmt: skip
    assert run.stderr_lines[-1].endswith(
        "lost deals #1 (proposal), #2 (invoice) with the reason «нашли дешевле»"
    )
    assert [state(shop, d)[1] for d in (1, 2)] == ["lost", "lost"]
    run = shop.ok("nudge", "undo", "--yes")
    assert run.stderr_lines[1:] == [
        "  deal #1 as it was before the touch: lost → open",
        "  deal #1's stage history loses its lose (proposal) of 2026-03-02",
        "  deal #2 as it was before the touch: lost → open, follow-up none → 2026-03-09",
        "  deal #2's stage history loses its lose (invoice) of 2026-03-02",
    ]
    assert exported(shop) == before  # both deals and their history, every column
    assert [deal(shop, d)["lost_reason"] for d in (1, 2)] == [None, None]
    # the plan chases the deals again: the promise on #2 holds, #1 is stuck
    items = json.loads(shop.ok("plan", "2026-03-04", "--format", "json").stdout)
    assert [(i["client"], i["deal_id"], i["rule"]) for i in items] == [("Ромашка", 1, "stuck")]
    [entry] = changes(shop)
    undone = json.loads(entry["before"])
    assert set(undone["deals"]) == set(json.loads(entry["after"])["deals"]) == {"1", "2"}
    assert [h["event"] for h in undone["stage_changes"]] == ["lose", "lose"]


def test_a_no_is_not_taken_back_over_a_deal_that_changed_since(
    shop: Cli, dump: Callable[[], str | None]
) -> None:
    no = log(shop, "--client", "Ромашка", "--kind", "closing", "--outcome", "no", "--reason", "x")
    shop.ok("deal", "reopen", "1")
    before = dump()
    run = shop("nudge", "delete", str(no), "--yes")
    assert run.exit_code == 5
    assert run.stderr.startswith(f"error: deal #1 changed after touch #{no}")
    assert dump() == before


def test_undo_a_yes_that_opened_a_deal_removes_the_deal(shop: Cli) -> None:
    shop.ok("deal", "win", "1")
    before = exported(shop)
    yes = log(shop, "--client", "Ромашка", "--kind", "closing", "--outcome", "yes", "--open")
    assert deal(shop, 2)["stage"] == "request"
    run = shop.ok("nudge", "undo", "--yes")
    assert run.stderr_lines[1:] == ["  deal #2, opened by the yes, removed"]
    assert exported(shop) == before
    assert shop("deal", "show", "2").exit_code == 3
    # a deal with a life of its own stays: the yes is refused, the touch can go alone
    yes = log(shop, "--client", "Ромашка", "--kind", "closing", "--outcome", "yes", "--open")
    opened = json.loads(shop.ok("deal", "list", "--format", "json").stdout)[0]["id"]
    asked = log(shop, "--deal", str(opened), "--outcome", "pending")
    shop.ok("nudge", "delete", str(asked), "--yes")
    shop.ok("deal", "move", str(opened), "proposal")
    run = shop("nudge", "delete", str(yes), "--yes")
    assert run.exit_code == 5
    assert run.stderr.startswith(
        f"error: touch #{yes} opened deal #{opened}, and the deal has 1 stage change of its "
        "own since"
    )
    assert f"povtor nudge delete {yes} --only-touch" in run.stderr
    shop.ok("nudge", "delete", str(yes), "--only-touch", "--yes")
    assert deal(shop, opened)["stage"] == "proposal"


def test_a_no_logged_before_povtor_kept_its_deals_names_them(shop: Cli, db_path: Path) -> None:
    log(shop, "--client", "Ромашка", "--kind", "closing", "--outcome", "no", "--reason", "x")
    execute(db_path, "DELETE FROM touch_deal_effect")  # as an older povtor left it
    run = shop.ok("nudge", "undo", "--yes")
    assert run.stderr_lines[-1] == (
        "  deals lost that day with the same reason stay lost: #1 (reopen one: povtor deal "
        "reopen ID)"
    )
    assert state(shop, 1)[1] == "lost"


@pytest.mark.parametrize(
    ("logged", "edit", "says"),
    [
        (("--outcome", "yes"), ("--outcome", "no", "--reason", "дорого"), "error: outcome no "
         "loses every open deal of the client; it is logged as a new touch, not edited in"),
        (("--outcome", "no", "--reason", "дорого"), ("--outcome", "yes"), "error: touch #1's "
         "outcome no lost deal #1; such an outcome is not edited"),
        (("--outcome", "no-answer"), ("--outcome", "no", "--reason", "дорого"), "error: outcome "
         "no loses every open deal of the client"),
    ],
)  # fmt: skip
def test_an_answer_that_changes_the_client_s_deals_is_not_edited(
    shop: Cli,
    dump: Callable[[], str | None],
    logged: tuple[str, ...],
    edit: tuple[str, ...],
    says: str,
) -> None:
    log(shop, "--client", "Ромашка", "--kind", "closing", *logged)
    before = dump()
    run = shop("nudge", "edit", "1", *edit)
    assert run.exit_code == 5, run.describe()
    assert run.stderr.startswith(says), run.stderr
    assert dump() == before


def test_an_answer_that_changed_no_deal_is_edited(shop: Cli) -> None:
    shop.ok("deal", "win", "1")  # no open deal: a no loses nothing
    log(shop, "--client", "Ромашка", "--kind", "closing", "--outcome", "yes")
    shop.ok("nudge", "edit", "1", "--outcome", "no", "--reason", "передумали")
    [touch] = json.loads(shop.ok("nudge", "list", "--format", "json").stdout)
    assert (touch["outcome"], touch["reason"]) == ("no", "передумали")


# -- what else a touch did: a roadmap step, a referral ---------------------------------------
def test_undo_a_yes_to_a_roadmap_step(shop: Cli) -> None:
    before = exported(shop)
    run = shop.ok("nudge", "log", "--client", "1", "--purpose", "roadmap", "--outcome", "yes")
    assert "roadmap step 1 «Звонок с тестированием потребности» done" in run.stderr
    assert shop.ok("export", "client-steps").stdout != before["client-steps"]
    undone = shop.ok("nudge", "undo", "--yes")
    assert (
        "  roadmap step 1 «Звонок с тестированием потребности» is not done any more"
        in undone.stderr_lines
    )
    assert exported(shop) == before


def test_a_step_done_before_the_touch_stays_done(shop: Cli) -> None:
    shop.ok("client", "step", "done", "1", "needs-test", "--on", "2026-02-20")
    before = exported(shop)
    shop.ok(
        "nudge", "log", "--client", "1", "--purpose", "roadmap", "--about", "needs-test",
        "--outcome", "yes",
    )  # fmt: skip
    shop.ok("nudge", "undo", "--yes")
    assert exported(shop) == before


def _refused_revisit(cli: Cli) -> None:
    """Сокол lost a deal on 2025-12-01; the plan revisits it 90 days on; the answer is no,
    with a referral (plan run)."""
    cli.add_client("Сокол", "--category", "B")
    cli.open_deal("Сокол", "--stage", "proposal", "--title", "Арматура", "--on", "2025-11-28")
    cli.ok("deal", "lose", "1", "--reason", "дорого", "--on", "2025-12-01")
    run = cli("plan", "run", input="n\nне актуально\nБригада Лосева\n\n")
    assert run.exit_code == 0, run.describe()
    assert "added client #2 Бригада Лосева (referral) with first-sale deal #2" in run.stdout


def test_undo_a_refusal_removes_the_referral_it_added(cli: Cli) -> None:
    _refused_revisit(cli)
    run = cli.ok("nudge", "undo", "--yes")
    assert (
        "  client #2 Бригада Лосева, added as the referral, and its deal #2 removed"
        in run.stderr_lines
    )
    assert query(cli.db, "SELECT id, name FROM client") == [(1, "Сокол")]
    assert query(cli.db, "SELECT id FROM deal") == [(1,)]
    [entry] = changes(cli)
    referral = json.loads(entry["before"])["referral"]
    assert (referral["client"]["name"], referral["deal"]["id"]) == ("Бригада Лосева", 2)


def test_a_referral_with_records_of_its_own_stays(cli: Cli) -> None:
    _refused_revisit(cli)
    touch = touch_ids(cli)[0]
    log(cli, "--client", "Бригада", "--text", "Знакомство")
    cli.ok("nudge", "delete", str(touch), "--yes")
    assert query(cli.db, "SELECT id, name FROM client ORDER BY id") == [
        (1, "Сокол"),
        (2, "Бригада Лосева"),
    ]
    [entry] = changes(cli)
    assert entry["entity_id"] == touch and "referral" not in json.loads(entry["before"])


# -- nudge edit -----------------------------------------------------------------------------
def test_edit_text_channel_and_kind(shop: Cli) -> None:
    touch = log(shop, "--deal", "1", "--text", "Счёт отправил")
    run = shop.ok(
        "nudge", "edit", str(touch), "--channel", "call", "--text", "Созвонились", "--kind",
        "warming",
    )  # fmt: skip
    assert run.stderr == (
        f"touch #{touch}: text: «Счёт отправил» → «Созвонились», channel: other → call, "
        "kind: closing → warming\n"
    )
    [row] = json.loads(shop.ok("nudge", "list", "--format", "json").stdout)
    assert (row["text"], row["channel"], row["kind"]) == ("Созвонились", "call", "warming")
    [entry] = changes(shop, "--entity", "touch")
    assert (entry["action"], json.loads(entry["before"]), json.loads(entry["after"])) == (
        "edit",
        {"text": "Счёт отправил", "channel": "other", "kind": "closing"},
        {"text": "Созвонились", "channel": "call", "kind": "warming"},
    )
    # the same values again change nothing and record nothing
    again = shop.ok("nudge", "edit", str(touch), "--channel", "CALL")
    assert again.stderr == f"touch #{touch}: nothing changed\n"
    assert len(changes(shop)) == 1


def test_edit_a_quiet_outcome_and_the_date(shop: Cli) -> None:
    touch = log(shop, "--deal", "1", "--outcome", "pending")
    shop.ok("nudge", "edit", str(touch), "--outcome", "no-answer", "--on", "2026-02-27")
    [row] = json.loads(shop.ok("nudge", "list", "--format", "json").stdout)
    assert (row["outcome"], row["on_date"]) == ("no_answer", "2026-02-27")
    # backdated to noon Moscow time, as nudge log --on does
    assert query(shop.db, "SELECT at FROM touch") == [("2026-02-27 09:00:00.000000",)]


@pytest.mark.parametrize(
    ("logged", "edit", "code", "says"),
    [
        (("--outcome", "yes"), ("--outcome", "pending"), 5,
         "error: touch #1's outcome yes moves deal #1; such an outcome is not edited; take the "
         "touch back with what it did: povtor nudge delete 1, then log the right one"),
        (("--outcome", "pending"), ("--outcome", "yes"), 5,
         "error: outcome yes moves deal #1; it is logged as a new touch, not edited in; log the "
         "answer: povtor nudge log --deal 1 --outcome yes"),
        (("--outcome", "no", "--reason", "дорого"), ("--outcome", "no-answer"), 5,
         "error: touch #1's outcome no loses deal #1; such an outcome is not edited"),
        (("--outcome", "later", "--later", "+3"), ("--on", "-1"), 5,
         "error: touch #1's outcome later took effect on its date, so the date is not edited; "
         "take the touch back: povtor nudge delete 1, then log it again with --on DATE"),
        (("--outcome", "pending"), ("--outcome", "later"), 2,
         "error: outcome later needs its date, so it is logged, not edited in"),
        (("--outcome", "pending"), ("--on", "2026-03-03"), 2,
         "error: --on 2026-03-03 is in the future"),
        (("--outcome", "no", "--reason", "дорого"), ("--reason", ""), 2,
         "error: touch #1 lost deal #1, which needs a reason"),
        ((), (), 2, "error: nothing to change; give at least one option, e.g. --text"),
        ((), ("--channel", "pigeon"), 2, "error: --channel: 'pigeon' is not one of"),
    ],
)  # fmt: skip
def test_edit_refusals_change_nothing(
    shop: Cli,
    dump: Callable[[], str | None],
    logged: tuple[str, ...],
    edit: tuple[str, ...],
    code: int,
    says: str,
) -> None:
    log(shop, "--deal", "1", *logged)
    before = dump()
    run = shop("nudge", "edit", "1", *edit)
    assert run.exit_code == code, run.describe()
    assert run.stderr.startswith(says) and len(run.stderr_lines) == 1, run.stderr
    assert dump() == before


def test_edit_a_service_answer_keeps_it_a_service_touch(shop: Cli) -> None:
    touch = log(shop, "--client", "1", "--answer", "ok")
    run = shop("nudge", "edit", str(touch), "--kind", "warming")
    assert run.exit_code == 2
    assert run.stderr.startswith(
        f"error: touch #{touch} records a service answer (ok), so it stays a service touch"
    )


def test_editing_the_reason_of_a_loss_corrects_the_deal_too(shop: Cli) -> None:
    touch = log(shop, "--deal", "1", "--outcome", "no", "--reason", "дорго")
    run = shop.ok("nudge", "edit", str(touch), "--reason", "дорого")
    assert run.stderr_lines == [
        f"touch #{touch}: reason: «дорго» → «дорого»",
        "deal #1's lost reason is «дорого» too",
    ]
    shown = deal(shop, 1)
    assert shown["lost_reason"] == "дорого"
    assert shown["history"][-1]["reason"] == "дорого"


def test_delete_an_unknown_touch(cli: Cli) -> None:
    run = cli("nudge", "delete", "9", "--yes")
    assert (run.exit_code, run.stderr) == (
        3,
        "error: no touch #9; list touches with: povtor nudge list\n",
    )


# -- deal edit --------------------------------------------------------------------------------
def test_deal_edit_amount_changes_the_figures(shop: Cli) -> None:
    shop.ok("deal", "win", "1", "--on", "2026-02-27")

    def repeat() -> tuple[str, str]:
        row = json.loads(shop.ok("stats", "repeat", "--format", "json").stdout)[0]
        return row["revenue"], row["average_check"]

    assert repeat() == ("100000.00", "100000.00")
    run = shop.ok("deal", "edit", "1", "--amount", "125 000,50", "--title", "Щебень 40 т")
    assert run.stderr == (
        "deal #1 Ромашка: amount: 100 000.00 → 125 000.50, title: none → «Щебень 40 т»\n"
    )
    assert repeat() == ("125000.50", "125000.50")
    shown = deal(shop, 1)
    assert (shown["amount"], shown["title"]) == ("125000.50", "Щебень 40 т")
    [entry] = shown["changes"]
    assert (entry["entity"], entry["action"], entry["before"], entry["after"]) == (
        "deal",
        "edit",
        {"amount_minor": 10_000_000, "title": None},
        {"amount_minor": 12_500_050, "title": "Щебень 40 т"},
    )
    table = shop.ok("deal", "show", "1", "--format", "table").stdout
    assert "Corrections" in table and "amount: 100 000.00 → 125 000.50" in table


def test_deal_edit_expected_currency_and_clearing(shop: Cli) -> None:
    shop.ok("deal", "edit", "1", "--expected", "+10", "--currency", "usd", "--title", "Щебень")
    shown = deal(shop, 1)
    assert (shown["expected_on"], shown["currency"], shown["title"]) == (
        "2026-03-12",
        "USD",
        "Щебень",
    )
    shop.ok("deal", "edit", "1", "--expected", "", "--title", "", "--amount", "")
    shown = deal(shop, 1)
    assert (shown["expected_on"], shown["title"], shown["amount"]) == (None, None, None)
    assert len(changes(shop, "--deal", "1")) == 2


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("deal", "edit", "1"), 2, "error: nothing to change; give at least one option"),
        (("deal", "edit", "1", "--amount", "-5"), 2, "error: --amount: '-5' is negative"),
        (("deal", "edit", "1", "--currency", "рубли"), 2, "error: --currency"),
        (("deal", "edit", "1", "--expected", "31.02.2026"), 2, "error: --expected"),
        (("deal", "edit", "9", "--amount", "5"), 3, "error: no deal #9"),
    ],
)
def test_deal_edit_refusals(
    shop: Cli, dump: Callable[[], str | None], args: tuple[str, ...], code: int, says: str
) -> None:
    before = dump()
    run = shop(*args)
    assert run.exit_code == code, run.describe()
    assert run.stderr.startswith(says) and len(run.stderr_lines) == 1, run.stderr
    assert dump() == before


# -- people: edit, remove, the main contact ---------------------------------------------------
@pytest.fixture
def people(shop: Cli) -> Cli:
    shop.ok("client", "person", "add", "Ромашка", "Иван Петрович", "--role", "директор")
    shop.ok("client", "person", "add", "Ромашка", "Анна", "--role", "снабженец")
    return shop


def greeted(cli: Cli, *options: str) -> str:
    """Whom the draft of ``nudge text`` greets: «Добрый день, Анна! ...» -> «Анна»."""
    text = cli.ok(*options, "nudge", "text", "1").stdout
    return text.removeprefix("Добрый день, ").split("!")[0]


def planned_greeting(cli: Cli) -> str:
    """Whom the plan's draft greets, a week on (deal #1 is stuck at invoice by then)."""
    cli.ok("deal", "move", "1", "invoice", "--on", "2026-02-25")
    plan = json.loads(cli.ok("--today", "2026-03-10", "plan", "today", "--format", "json").stdout)
    [item] = plan
    return str(item["text"]).removeprefix("Добрый день, ").split("!")[0]


def test_the_drafts_greet_the_main_contact(people: Cli) -> None:
    assert greeted(people) == "Иван Петрович"  # none marked: the first person
    run = people.ok("client", "person", "main", "2")
    assert run.stderr == "Анна is the main contact of client #1 Ромашка now\n"
    assert greeted(people) == "Анна"
    roadmap = people.ok("client", "roadmap", "1", "--format", "table").stdout
    assert "say: Анна, добрый день!" in " ".join(roadmap.split())  # the roadmap's script too
    assert planned_greeting(people) == "Анна"  # the plan's drafts too
    listed = json.loads(people.ok("client", "person", "list", "1", "--format", "json").stdout)
    assert [(p["name"], p["is_main"]) for p in listed] == [
        ("Иван Петрович", False),
        ("Анна", True),
    ]
    card = json.loads(people.ok("client", "show", "1", "--format", "json").stdout)
    assert [p["main"] for p in card["people"]] == [False, True]
    assert people.ok("client", "person", "main", "2").stderr.endswith(" already\n")
    [entry] = changes(people, "--entity", "person")
    assert (entry["entity_id"], entry["action"], entry["before"], entry["after"]) == (
        2,
        "main",
        '{"main_person_id": null}',
        '{"main_person_id": 2}',
    )


def test_a_person_added_or_edited_as_main(people: Cli) -> None:
    added = people.ok("client", "person", "add", "1", "Олег", "--main")
    assert added.stderr == "added Олег to client #1 Ромашка as its main contact\n"
    assert greeted(people) == "Олег"
    people.ok("client", "person", "edit", "1", "--main")
    assert greeted(people) == "Иван Петрович"
    assert query(people.db, "SELECT id FROM person WHERE is_main") == [(1,)]


def test_person_edit(people: Cli) -> None:
    run = people.ok(
        "client", "person", "edit", "2", "--name", "Анна Сергеевна", "--phone", "+7 900 1",
        "--birthday", "1990-05-04", "--role", "",
    )  # fmt: skip
    assert run.stderr == (
        "person #2 Анна Сергеевна at #1 Ромашка: name: «Анна» → «Анна Сергеевна», role: "
        "«снабженец» → none, phone: none → +7 900 1, birthday: none → 1990-05-04\n"
    )
    listed = json.loads(people.ok("client", "person", "list", "1", "--format", "json").stdout)
    assert (listed[1]["name"], listed[1]["role"], listed[1]["birthday"]) == (
        "Анна Сергеевна",
        None,
        "1990-05-04",
    )
    [entry] = changes(people)
    assert json.loads(entry["before"]) == {
        "name": "Анна",
        "role": "снабженец",
        "phone": None,
        "birthday": None,
    }


def test_person_remove_with_its_occasions(people: Cli) -> None:
    people.ok("client", "person", "main", "1")
    people.ok("client", "occasion", "add", "1", "Именины", "--date", "07.01", "--person", "1")
    run = people.ok("client", "person", "remove", "1", "--yes")
    assert run.stderr == "removed #1 Иван Петрович from client #1 Ромашка with 1 occasion(s)\n"
    assert query(people.db, "SELECT COUNT(*) FROM occasion") == [(0,)]
    assert greeted(people) == "Анна"  # the main contact gone: the first person
    [entry] = changes(people, "--entity", "person")[:1]
    before = json.loads(entry["before"])
    assert (entry["action"], before["name"], before["is_main"], len(before["occasions"])) == (
        "remove",
        "Иван Петрович",
        1,
        1,
    )


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("client", "person", "edit", "9", "--name", "X"), 3, "error: no person #9"),
        (("client", "person", "edit", "1"), 2, "error: nothing to change"),
        (("client", "person", "edit", "1", "--name", " "), 2, "error: --name must not be empty"),
        (("client", "person", "edit", "1", "--email", "нет"), 2, "error: --email"),
        (("client", "person", "main", "9"), 3, "error: no person #9"),
        (("client", "person", "remove", "9", "--yes"), 3, "error: no person #9"),
        (("client", "person", "remove", "1"), 2, "error: client person remove asks for"),
    ],
)
def test_person_refusals(
    people: Cli, dump: Callable[[], str | None], args: tuple[str, ...], code: int, says: str
) -> None:
    before = dump()
    run = people(*args)
    assert run.exit_code == code, run.describe()
    assert run.stderr.startswith(says) and len(run.stderr_lines) == 1, run.stderr
    assert dump() == before


def test_the_main_contact_survives_export_and_import(people: Cli, tmp_path: Path) -> None:
    people.ok("client", "person", "main", "2")
    folder = tmp_path / "out"
    people.ok("export", "all", str(folder))
    assert (folder / "people.csv").read_text(encoding="utf-8").splitlines() == [
        "id,client_id,name,role,phone,email,birthday,is_main",
        "1,1,Иван Петрович,директор,,,,no",
        "2,1,Анна,снабженец,,,,yes",
    ]
    other = tmp_path / "other.db"
    people.ok("--db", str(other), "import", "all", str(folder))
    assert greeted(people, "--db", str(other)) == "Анна"


# -- the record of corrections -----------------------------------------------------------------
def test_every_correction_is_in_the_record(people: Cli) -> None:
    touch = log(people, "--deal", "1", "--text", "Привет")
    people.ok("nudge", "edit", str(touch), "--text", "Добрый день")
    people.ok("nudge", "undo", "--yes")
    people.ok("deal", "edit", "1", "--amount", "90000")
    people.ok("client", "person", "edit", "2", "--role", "главный снабженец")
    people.ok("client", "person", "main", "2")
    people.ok("client", "person", "remove", "1", "--yes")
    rows = changes(people)
    assert [
        (r["entity"], r["entity_id"], r["action"], r["client"], r["deal_id"]) for r in rows
    ] == [
        ("person", 1, "remove", "Ромашка", None),
        ("person", 2, "main", "Ромашка", None),
        ("person", 2, "edit", "Ромашка", None),
        ("deal", 1, "edit", "Ромашка", 1),
        ("touch", touch, "undo", "Ромашка", 1),
        ("touch", touch, "edit", "Ромашка", 1),
    ]
    assert [r["summary"] for r in rows] == [
        "Иван Петрович removed",
        "main contact: none → #2",
        "role: «снабженец» → «главный снабженец»",
        "amount: 100 000.00 → 90 000.00",
        "closing pending of 2026-03-02",
        "text: «Привет» → «Добрый день»",
    ]
    assert all(r["at"] == "2026-03-02T07:00:00" and r["on_date"] == "2026-03-02" for r in rows)
    # filters, and csv with the records before and after as JSON text
    assert [r["entity"] for r in changes(people, "--deal", "1")] == ["deal", "touch", "touch"]
    assert len(changes(people, "--limit", "2")) == 2
    csv = people.ok("db", "changes", "--entity", "deal", "--format", "csv").stdout
    assert csv.splitlines() == [
        "id,at,on_date,entity,entity_id,action,client_id,client,deal_id,summary,before,after",
        "3,2026-03-02T07:00:00,2026-03-02,deal,1,edit,1,Ромашка,1,amount: 100 000.00 → "
        '90 000.00,"{""amount_minor"": 10000000}","{""amount_minor"": 9000000}"',
    ]
    # deal show lists the corrections of the deal and of its touches, oldest first
    assert [(c["entity"], c["action"]) for c in deal(people, 1)["changes"]] == [
        ("touch", "edit"),
        ("touch", "undo"),
        ("deal", "edit"),
    ]


def test_no_corrections_yet(cli: Cli) -> None:
    run = cli.ok("db", "changes", "--format", "table")
    assert (run.stdout, run.stderr) == ("", "no corrections recorded\n")
    assert cli.ok("db", "changes", "--format", "json").stdout == "[]\n"


@pytest.mark.sqlite_only("looks for erased strings in the raw bytes of the SQLite file")
def test_forgetting_a_client_erases_it_from_the_record(people: Cli) -> None:
    people.ok("client", "person", "edit", "2", "--name", "Анна Сергеевна")
    touch = log(people, "--deal", "1", "--outcome", "no", "--reason", "дорого у вас")
    people.open_deal("1", "--stage", "proposal")
    log(people, "--client", "1", "--kind", "closing", "--outcome", "no", "--reason", "свой склад")
    people.ok("client", "person", "remove", "1", "--yes")
    people.ok("client", "forget", "1", "--yes")
    text = people.db.read_bytes().decode("utf-8", errors="replace")
    for secret in ("Анна", "Иван Петрович", "снабженец", "дорого у вас", "свой склад"):
        assert secret not in text, secret
    entry = changes(people, "--entity", "person")[-1]
    assert json.loads(entry["before"])["name"] is None
    # the undo data lost the reasons too, and the touches can still be taken back
    people.ok("nudge", "undo", "--yes")
    assert deal(people, 2)["status"] == "open"
    people.ok("nudge", "delete", str(touch), "--yes")
    assert deal(people, 1)["status"] == "open"

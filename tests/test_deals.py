"""``povtor deal``: open in a funnel, move forward (back only with --force), win, lose,
reopen; list with days in stage; show with the full, dated history."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from support import Cli, dump_database

DEAL_HEADER = (
    "id,client,funnel,stage,status,amount,currency,days_in_stage,opened_on,expected_on,title\n"
)


@pytest.fixture
def clients(cli: Cli) -> Cli:
    cli.add_client("Иван Петров", "--company", "ООО Ромашка")
    cli.add_client("Семён Ёлкин")
    return cli


def deal(cli: Cli, ref: str | int) -> dict[str, Any]:
    return json.loads(cli.ok("deal", "show", str(ref), "--format", "json").stdout)


def history(cli: Cli, ref: str | int) -> list[tuple[Any, ...]]:
    return [
        (h["event"], h["at"], h["on_date"], h["from_stage"], h["to_stage"], h["reason"])
        for h in deal(cli, ref)["history"]
    ]


def listed(cli: Cli, *args: str) -> list[tuple[Any, ...]]:
    rows = json.loads(cli.ok("deal", "list", *args, "--format", "json").stdout)
    return [(r["id"], r["stage"], r["status"], r["days_in_stage"]) for r in rows]


# -- open ---------------------------------------------------------------------------
def test_open_defaults_to_the_first_stage_of_repeat(clients: Cli) -> None:
    run = clients.ok("deal", "open", "Петров")
    assert (run.stdout, run.stderr) == ("1\n", "opened deal #1 for Иван Петров at repeat/base\n")
    assert clients.csv("deal", "list") == (
        DEAL_HEADER + "1,Иван Петров,repeat,base,open,,RUB,0,2026-03-02,,\n"
    )


def test_open_with_stage_amount_currency_expected_title(clients: Cli) -> None:
    clients.open_deal(
        "Ёлкин",
        "--stage",
        "proposal",
        "--amount",
        "1 234,50",
        "--currency",
        "usd",
        "--expected",
        "20.03.2026",
        "--title",
        "Щебень 40 т",
    )
    assert clients.csv("deal", "list") == (
        DEAL_HEADER + "1,Семён Ёлкин,repeat,proposal,open,1234.50,USD,0,2026-03-02,2026-03-20,"
        "Щебень 40 т\n"
    )
    # the rouble as people write it is RUB, as in imported files
    rouble = clients.open_deal("Ёлкин", "--amount", "100", "--currency", "₽")
    shown = json.loads(clients.ok("deal", "show", str(rouble), "--format", "json").stdout)
    assert shown["currency"] == "RUB"


@pytest.mark.parametrize(
    ("options", "where"),
    [
        (("--funnel", "first"), "first/lead"),
        (("--funnel", "Первая продажа"), "first/lead"),
        (("--funnel", "REFUSAL"), "refusal/revisit"),
        (("--stage", "КП отправлено"), "repeat/proposal"),
        (("--stage", "4"), "repeat/invoice"),
        (("--funnel", "first", "--stage", "meeting"), "first/meeting"),
    ],
)
def test_open_funnel_and_stage_by_code_name_or_number(
    clients: Cli, options: tuple[str, ...], where: str
) -> None:
    run = clients.ok("deal", "open", "1", *options)
    assert run.stderr == f"opened deal #1 for Иван Петров at {where}\n"


def test_open_at_the_paid_stage_is_refused(clients: Cli, dump: Callable[[], str | None]) -> None:
    before = dump()
    run = clients("deal", "open", "1", "--stage", "paid")
    assert (run.exit_code, run.stderr) == (
        2,
        "error: a deal cannot be opened at the paid stage paid; "
        "open it at an earlier stage, then: povtor deal win ID\n",
    )
    assert dump() == before


def test_open_backdated_counts_days_in_stage(clients: Cli) -> None:
    clients.open_deal("1", "--on", "2026-02-20")
    clients.open_deal("2", "--on", "yesterday")
    clients.open_deal("2", "--on", "-3", "--funnel", "first")
    assert listed(clients) == [
        (1, "base", "open", 10),
        (2, "base", "open", 1),
        (3, "lead", "open", 3),
    ]


def test_days_in_stage_follow_povtor_today(clients: Cli) -> None:
    clients.ok("deal", "open", "1", env={"POVTOR_TODAY": "2026-02-16T12:00"})
    assert listed(clients) == [(1, "base", "open", 14)]
    assert listed(clients, "--status", "open") == [(1, "base", "open", 14)]
    week_later = json.loads(
        clients.ok("--today", "2026-03-09", "deal", "list", "--format", "json").stdout
    )
    assert week_later[0]["days_in_stage"] == 21
    assert deal(clients, 1)["days_in_stage"] == 14


def test_open_in_the_future_is_refused(clients: Cli, dump: Callable[[], str | None]) -> None:
    before = dump()
    run = clients("deal", "open", "1", "--on", "tomorrow")
    assert (run.exit_code, run.stderr) == (
        2,
        "error: --on 2026-03-03 is in the future; open deals as of today or earlier\n",
    )
    assert dump() == before


# -- move ---------------------------------------------------------------------------
def test_move_forward_even_over_stages(clients: Cli) -> None:
    clients.open_deal("1")
    run = clients.ok("deal", "move", "1", "proposal")
    assert (run.stdout, run.stderr) == ("", "deal #1 Иван Петров: base → proposal\n")
    clients.ok("deal", "move", "#1", "Счёт отправлен")
    assert listed(clients) == [(1, "invoice", "open", 0)]


def test_move_backwards_is_refused_without_force(
    clients: Cli, dump: Callable[[], str | None]
) -> None:
    clients.open_deal("1", "--stage", "proposal")
    before = dump()
    run = clients("deal", "move", "1", "request")
    assert (run.exit_code, run.stdout, run.stderr) == (
        5,
        "",
        "error: moving deal #1 back from proposal to request; "
        "add --force if the deal really went back\n",
    )
    assert dump() == before
    run = clients.ok("deal", "move", "1", "request", "--force")
    assert run.stderr == "deal #1 Иван Петров: proposal → request\n"
    assert listed(clients) == [(1, "request", "open", 0)]


def test_move_to_the_same_stage_is_refused(clients: Cli, dump: Callable[[], str | None]) -> None:
    clients.open_deal("1")
    before = dump()
    run = clients("deal", "move", "1", "base")
    assert (run.exit_code, run.stderr) == (
        5,
        "error: deal #1 is already at stage base; nothing to do\n",
    )
    assert dump() == before


@pytest.mark.parametrize("close", [("win",), ("lose", "--reason", "дорого")])
def test_a_closed_deal_does_not_move(
    clients: Cli, dump: Callable[[], str | None], close: tuple[str, ...]
) -> None:
    clients.open_deal("1")
    clients.ok("deal", close[0], "1", *close[1:])
    status = "won" if close[0] == "win" else "lost"
    before = dump()
    for command in (("move", "1", "invoice"), ("move", "1", "base", "--force"), ("win", "1")):
        run = clients("deal", *command)
        assert (run.exit_code, run.stderr) == (
            5,
            f"error: deal #1 is {status}; a closed deal does not move; "
            "reopen it first: povtor deal reopen 1\n",
        )
    assert dump() == before


def test_moving_to_paid_wins(clients: Cli) -> None:
    clients.open_deal("1", "--stage", "invoice")
    clients.ok("deal", "move", "1", "paid")
    shown = deal(clients, 1)
    assert (shown["stage"], shown["status"], shown["closed_on"], shown["is_won"]) == (
        "paid",
        "won",
        "2026-03-02",
        True,
    )
    assert history(clients, 1)[-1][0] == "win"


def test_move_in_the_future_or_before_the_last_change_is_refused(
    clients: Cli, dump: Callable[[], str | None]
) -> None:
    clients.open_deal("1", "--on", "2026-02-20")
    before = dump()
    run = clients("deal", "move", "1", "request", "--on", "+1")
    assert (run.exit_code, run.stderr) == (
        2,
        "error: --on 2026-03-03 is in the future (today is 2026-03-02); "
        "log what already happened; plan the future with a follow-up date\n",
    )
    run = clients("deal", "move", "1", "request", "--on", "2026-02-19")
    assert (run.exit_code, run.stderr) == (
        2,
        "error: --on 2026-02-19 is before deal #1's last change (2026-02-20); "
        "give a date on or after 2026-02-20\n",
    )
    assert dump() == before
    clients.ok("deal", "move", "1", "request", "--on", "2026-02-20")


# -- win / lose / reopen --------------------------------------------------------------
def test_win_sets_paid_won_closed_on_and_amount(clients: Cli) -> None:
    clients.open_deal("1", "--stage", "invoice", "--amount", "125000", "--on", "2026-02-25")
    run = clients.ok("deal", "win", "1", "--amount", "130 000,00", "--on", "2026-02-28")
    assert (run.stdout, run.stderr) == ("", "deal #1 Иван Петров: won (paid)\n")
    assert clients.csv("deal", "list") == DEAL_HEADER
    # a listing of closed deals has the day each was paid (or lost) last
    assert clients.csv("deal", "list", "--status", "won") == (
        DEAL_HEADER.replace("\n", ",closed_on\n")
        + "1,Иван Петров,repeat,paid,won,130000.00,RUB,,2026-02-25,,,2026-02-28\n"
    )
    shown = deal(clients, 1)
    assert (shown["status"], shown["stage"], shown["closed_on"], shown["days_in_stage"]) == (
        "won",
        "paid",
        "2026-02-28",
        None,
    )


def test_lose_records_the_reason_and_keeps_the_stage(clients: Cli) -> None:
    clients.open_deal("1", "--stage", "proposal")
    run = clients.ok("deal", "lose", "1", "--reason", "ушли к конкуренту")
    assert (run.stdout, run.stderr) == ("", "deal #1 Иван Петров: lost (ушли к конкуренту)\n")
    shown = deal(clients, 1)
    assert (shown["status"], shown["stage"], shown["closed_on"], shown["lost_reason"]) == (
        "lost",
        "proposal",
        "2026-03-02",
        "ушли к конкуренту",
    )
    assert listed(clients, "--status", "lost") == [(1, "proposal", "lost", None)]


def test_lose_needs_a_non_empty_reason(clients: Cli, dump: Callable[[], str | None]) -> None:
    clients.open_deal("1")
    before = dump()
    run = clients("deal", "lose", "1", "--reason", "  ")
    assert (run.exit_code, run.stderr) == (
        2,
        "error: --reason must not be empty; give a value for --reason\n",
    )
    assert dump() == before


def test_reopen_a_lost_deal_goes_back_where_it_closed(clients: Cli) -> None:
    clients.open_deal("1", "--stage", "proposal", "--on", "2026-02-20")
    clients.ok("deal", "lose", "1", "--reason", "дорого", "--on", "2026-02-24")
    run = clients.ok("deal", "reopen", "1")
    assert (run.stdout, run.stderr) == ("", "deal #1 Иван Петров: reopened at proposal\n")
    shown = deal(clients, 1)
    assert (
        shown["status"],
        shown["stage"],
        shown["closed_on"],
        shown["lost_reason"],
        shown["stage_entered_on"],
        shown["days_in_stage"],
    ) == ("open", "proposal", None, None, "2026-03-02", 0)


def test_reopen_a_won_deal_goes_back_to_the_stage_before_paid(clients: Cli) -> None:
    clients.open_deal("1", "--stage", "invoice")
    clients.ok("deal", "win", "1")
    clients.ok("deal", "reopen", "1")
    assert listed(clients) == [(1, "invoice", "open", 0)]


def test_a_deal_reopened_the_day_it_closed_is_back_as_it_was(clients: Cli) -> None:
    """A win or a loss taken back the same day (a slip of the hand): the deal's time in its
    stage and the date promised in it go on; reopened a later day, it starts afresh."""
    clients.open_deal("1", "--stage", "invoice", "--on", "2026-02-20")
    clients.ok(
        "nudge", "log", "--deal", "1", "--outcome", "later", "--until", "2026-03-10",
        "--on", "2026-02-27",
    )  # fmt: skip

    def kept() -> tuple[Any, ...]:
        shown = deal(clients, 1)
        return (shown["stage"], shown["status"], shown["stage_entered_on"], shown["follow_up_on"])

    assert kept() == ("invoice", "open", "2026-02-20", "2026-03-10")
    clients.ok("deal", "win", "1")
    clients.ok("deal", "reopen", "1")
    assert kept() == ("invoice", "open", "2026-02-20", "2026-03-10")
    plan = json.loads(clients.ok("plan", "2026-03-10", "--format", "json").stdout)
    assert [(i["deal_id"], i["rule"]) for i in plan] == [(1, "follow_up")]
    clients.ok("deal", "lose", "1", "--reason", "дорого")
    clients.ok("deal", "reopen", "1", "--stage", "request")  # another stage: afresh
    assert kept() == ("request", "open", "2026-03-02", None)
    clients.ok("deal", "move", "1", "invoice")
    clients.ok("deal", "lose", "1", "--reason", "дорого", "--on", "2026-03-02")
    clients.ok("deal", "reopen", "1", env={"POVTOR_TODAY": "2026-03-03"})  # a day later
    assert kept() == ("invoice", "open", "2026-03-03", None)


def test_reopen_at_a_named_stage(clients: Cli) -> None:
    clients.open_deal("1", "--stage", "invoice")
    clients.ok("deal", "lose", "1", "-r", "дорого")
    run = clients.ok("deal", "reopen", "1", "--stage", "request")
    assert run.stderr == "deal #1 Иван Петров: reopened at request\n"
    assert listed(clients) == [(1, "request", "open", 0)]


def test_reopen_refusals(clients: Cli, dump: Callable[[], str | None]) -> None:
    clients.open_deal("1", "--on", "2026-02-20")
    before = dump()
    run = clients("deal", "reopen", "1")
    assert (run.exit_code, run.stderr) == (5, "error: deal #1 is open already; nothing to do\n")
    assert dump() == before
    clients.ok("deal", "lose", "1", "--reason", "дорого", "--on", "2026-02-25")
    before = dump()
    run = clients("deal", "reopen", "1", "--on", "2026-02-24")
    assert (run.exit_code, run.stderr) == (
        2,
        "error: --on 2026-02-24 is before deal #1's last change (2026-02-25); "
        "give a date on or after 2026-02-25\n",
    )
    run = clients("deal", "reopen", "1", "--stage", "paid")
    assert (run.exit_code, run.stderr) == (
        2,
        "error: a deal cannot be reopened at the paid stage; name an open stage\n",
    )
    assert dump() == before


# -- history ------------------------------------------------------------------------
def test_show_records_every_change_with_its_time_and_date_in_order(clients: Cli) -> None:
    clients.open_deal("1", "--on", "2026-02-20", "--amount", "125000")
    clients.ok("deal", "move", "1", "proposal", "--on", "2026-02-25")
    clients.ok("deal", "move", "1", "request", "--force", "--on", "2026-02-26")
    clients.ok("deal", "lose", "1", "--reason", "дорого", "--on", "2026-02-27")
    clients.ok("deal", "reopen", "1")
    clients.ok("deal", "move", "1", "invoice")
    clients.ok("deal", "win", "1")
    # backdated events sit at noon Moscow time (09:00 UTC); today's at "now": 10:00 Moscow
    assert history(clients, 1) == [
        ("open", "2026-02-20T09:00:00", "2026-02-20", None, "base", None),
        ("move", "2026-02-25T09:00:00", "2026-02-25", "base", "proposal", None),
        ("move", "2026-02-26T09:00:00", "2026-02-26", "proposal", "request", None),
        ("lose", "2026-02-27T09:00:00", "2026-02-27", "request", None, "дорого"),
        ("reopen", "2026-03-02T07:00:00", "2026-03-02", "request", "request", None),
        ("move", "2026-03-02T07:00:00", "2026-03-02", "request", "invoice", None),
        ("win", "2026-03-02T07:00:00", "2026-03-02", "invoice", "paid", None),
    ]
    assert [h["id"] for h in deal(clients, 1)["history"]] == [1, 2, 3, 4, 5, 6, 7]


def test_show_json_exact(clients: Cli) -> None:
    clients.open_deal(
        "1", "--stage", "request", "--amount", "125000", "--title", "Щебень 40 т", "--on", "-2"
    )
    assert deal(clients, "Щебень") == {
        "id": 1,
        "client_id": 1,
        "client": "Иван Петров",
        "company": "ООО Ромашка",
        "category": None,
        "funnel_id": 1,
        "funnel": "repeat",
        "stage_id": 2,
        "stage": "request",
        "stage_name": "Запрос",
        "stage_position": 2,
        "is_won": False,
        "limit_days": 2,
        "title": "Щебень 40 т",
        "currency": "RUB",
        "status": "open",
        "opened_on": "2026-02-28",
        "stage_entered_on": "2026-02-28",
        "expected_on": None,
        "closed_on": None,
        "lost_reason": None,
        "follow_up_on": None,
        "external_id": None,
        "amount": "125000.00",
        "days_in_stage": 2,
        "history": [
            {
                "id": 1,
                "event": "open",
                "at": "2026-02-28T09:00:00",
                "on_date": "2026-02-28",
                "from_stage": None,
                "to_stage": "request",
                "reason": None,
            }
        ],
        "touches": [],
        "products": [],
        "changes": [],
    }


def test_dates_are_local_while_timestamps_are_utc(clients: Cli) -> None:
    # 01:30 on 2 March in Moscow is still 1 March in UTC
    clients.ok("deal", "open", "1", env={"POVTOR_TODAY": "2026-03-02T01:30"})
    assert history(clients, 1) == [
        ("open", "2026-03-01T22:30:00", "2026-03-02", None, "base", None)
    ]
    assert deal(clients, 1)["opened_on"] == "2026-03-02"


def test_show_table_prints_the_history(clients: Cli) -> None:
    clients.open_deal("1", "--on", "2026-02-20", "--title", "Щебень 40 т", "--amount", "125000")
    clients.ok("deal", "move", "1", "proposal", "--on", "2026-02-25")
    run = clients.ok("deal", "show", "1")
    lines = [line.strip("│ ") for line in run.stdout.splitlines()]
    assert run.stdout.splitlines()[0].startswith("╭─ Deal #1 ─")
    for expected in (
        "Client          #1 Иван Петров",
        "Title           Щебень 40 т",
        "Stage           repeat/proposal (КП отправлено)",
        "Amount          125 000.00 RUB",
        "Days in stage   5",
        "Stage history",
    ):
        assert expected in lines
    rows = [[cell.strip() for cell in line.split("│")] for line in lines if line[:5] == "2026-"]
    assert rows == [  # when (UTC), date, event, from, to (the empty reason is stripped)
        ["2026-02-20T09:00", "2026-02-20", "open", "", "base"],
        ["2026-02-25T09:00", "2026-02-25", "move", "base", "proposal"],
    ]


# -- naming a deal --------------------------------------------------------------------
def test_a_deal_is_found_by_title_or_client_open_first(clients: Cli) -> None:
    clients.open_deal("1", "--title", "Щебень 40 т")
    clients.open_deal("2", "--title", "Песок")
    clients.ok("deal", "lose", "2", "--reason", "дорого")
    clients.open_deal("2", "--title", "Цемент")
    assert deal(clients, "щебень")["id"] == 1
    assert deal(clients, "ЁЛКИН")["id"] == 3  # the open one before the lost one
    assert deal(clients, "песок")["id"] == 2  # a closed deal is still found by its title
    assert deal(clients, "РОМАШ")["id"] == 1  # by its client's company
    assert deal(clients, "40 Т")["id"] == 1  # by a word inside its title
    run = clients("deal", "show", "гравий")
    assert (run.exit_code, run.stderr) == (
        3,
        "error: no deal matches 'гравий'; list deals with: povtor deal list --client NAME\n",
    )


def test_an_ambiguous_deal_lists_candidates(clients: Cli, dump: Callable[[], str | None]) -> None:
    clients.open_deal("1", "--title", "Щебень 40 т")
    clients.open_deal("1")
    before = dump()
    run = clients("deal", "move", "Петров", "invoice")
    assert (run.exit_code, run.stderr) == (
        4,
        "error: 'Петров' matches 2 deals: #1 Иван Петров «Щебень 40 т»; #2 Иван Петров; "
        "name the deal by its id\n",
    )
    assert dump() == before


# -- list filters -------------------------------------------------------------------
@pytest.fixture
def pipeline(prepared: Callable[..., Cli]) -> Cli:
    """Deals across funnels, stages, clients and statuses."""
    return prepared("deals-pipeline", _build_pipeline)


def _build_pipeline(clients: Cli) -> None:
    clients.add_client("Иван Петров", "--company", "ООО Ромашка")
    clients.add_client("Семён Ёлкин")
    clients.add_client("Анна Сидорова")
    clients.open_deal("1", "--stage", "invoice", "--on", "2026-02-26")  # 1
    clients.open_deal("2", "--stage", "proposal", "--on", "2026-02-27")  # 2
    clients.open_deal("3", "--funnel", "first", "--on", "2026-02-10")  # 3
    clients.open_deal("1", "--funnel", "first", "--stage", "invoice")  # 4
    clients.open_deal("2")  # 5 (won below)
    clients.ok("deal", "win", "5")
    clients.open_deal("3", "--stage", "request")  # 6 (lost below)
    clients.ok("deal", "lose", "6", "--reason", "дорого")


def test_list_orders_by_funnel_stage_and_age(pipeline: Cli) -> None:
    assert listed(pipeline) == [
        (2, "proposal", "open", 3),
        (1, "invoice", "open", 4),
        (3, "lead", "open", 20),
        (4, "invoice", "open", 0),
    ]


@pytest.mark.parametrize(
    ("options", "ids"),
    [
        (("--funnel", "first"), [3, 4]),
        (("--funnel", "repeat", "--stage", "invoice"), [1]),
        (("--funnel", "first", "--stage", "invoice"), [4]),
        (("--stage", "lead"), [3]),  # a stage code found in one funnel only
        (("--client", "Петров"), [1, 4]),
        (("--client", "3", "--status", "all"), [6, 3]),
        (("--status", "won"), [5]),
        (("--status", "lost"), [6]),
        (("--status", "closed"), [6, 5]),
        (("--status", "all"), [6, 2, 1, 5, 3, 4]),
        (("--status", "ALL", "--funnel", "repeat", "--stage", "paid"), [5]),
        (("--client", "Ёлкин", "--status", "won"), [5]),
    ],
)
def test_list_filters(pipeline: Cli, options: tuple[str, ...], ids: list[int]) -> None:
    assert [row[0] for row in listed(pipeline, *options)] == ids


def test_list_a_stage_alone_is_that_stage_in_every_funnel_that_has_it(pipeline: Cli) -> None:
    """--stage invoice without --funnel: the invoice deals of repeat and of first."""
    assert [row[0] for row in listed(pipeline, "--stage", "invoice")] == [1, 4]
    assert [row[0] for row in listed(pipeline, "--stage", "INVOICE", "-c", "Петров")] == [1, 4]


def test_list_a_stage_that_means_different_stages_is_ambiguous(pipeline: Cli) -> None:
    """A position names a different stage in each funnel: the error lists them."""
    before = dump_database(pipeline.db)
    run = pipeline("deal", "list", "--stage", "2")
    assert (run.exit_code, run.stdout, run.stderr) == (
        4,
        "",
        "error: stage '2' means different stages in 3 funnels: repeat:request, "
        "first:contact, refusal:interest; name the funnel, e.g. --funnel repeat, "
        "or the stage by its code\n",
    )
    assert dump_database(pipeline.db) == before
    assert [row[0] for row in listed(pipeline, "--stage", "2", "--funnel", "first")] == []


def test_list_unknown_stage_anywhere(pipeline: Cli) -> None:
    run = pipeline("deal", "list", "--stage", "meeting", "--funnel", "repeat")
    assert (run.exit_code, run.stderr) == (
        3,
        "error: no stage 'meeting' in funnel repeat; "
        "its stages are: base, request, proposal, invoice, paid\n",
    )
    run = pipeline("deal", "list", "--stage", "nowhere")
    assert (run.exit_code, run.stderr) == (
        3,
        "error: no stage 'nowhere' in any funnel; see them with: povtor funnel list\n",
    )


def test_list_empty_in_a_table_says_so_on_stderr(clients: Cli) -> None:
    run = clients.ok("deal", "list", "--format", "table")
    assert (run.stdout, run.stderr) == ("", "no deals match\n")

"""One grammar of options (docs/commands.md): -c is the client, -C the category, a day
is --on, a day to come is --until; the earlier spellings keep working, out of the help."""

from __future__ import annotations

import re

import pytest

from support import Cli, dump_database, load_demo, query


def help_of(cli: Cli, *path: str) -> str:
    return cli.ok(*path, "--help").stdout


# -- -c is the client, -C the category ---------------------------------------------------
def test_minus_c_is_the_client_where_a_command_takes_one(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    cli.add_client("Анна Сидорова")
    cli.open_deal("1")
    cli.open_deal("2")
    assert cli.csv("deal", "list", "-c", "Петров").splitlines()[1].startswith("1,Иван Петров,")
    assert len(cli.csv("deal", "list", "-c", "Сидорова").splitlines()) == 2
    cli.ok("nudge", "log", "-c", "Сидорова", "--text", "позвонили")
    assert len(cli.csv("nudge", "list", "-c", "Сидорова").splitlines()) == 2
    assert len(cli.csv("nudge", "list", "-c", "Петров").splitlines()) == 1
    assert "-c, --client" in help_of(cli, "db", "changes")


@pytest.mark.parametrize(
    "path",
    [
        ("client", "add"),
        ("client", "edit"),
        ("client", "list"),
        ("plan", "today"),
        ("roadmap", "list"),
        ("perks", "stats"),
    ],
    ids=" ".join,
)
def test_the_category_is_minus_capital_c_in_help(cli: Cli, path: tuple[str, ...]) -> None:
    shown = help_of(cli, *path)
    assert "-C, --category" in shown
    assert re.search(r"(?<![\w-])-c\b", shown) is None


@pytest.mark.parametrize("short", ["-C", "-c"])
def test_both_category_spellings_set_the_category(cli: Cli, short: str) -> None:
    cli.add_client("Иван Петров", short, "B")
    cli.add_client("Анна Сидорова", "--category", "A")
    rows = cli.csv("client", "list", short, "b").splitlines()
    assert [row.split(",")[1] for row in rows[1:]] == ["Иван Петров"]
    plan = cli.ok("plan", "today", short, "A", "--format", "csv")
    assert "Иван Петров" not in plan.stdout


# -- --on is the day; --until a day to come -----------------------------------------------
@pytest.mark.parametrize("option", ["--on", "--created"])
def test_client_add_on_is_the_day_it_came(cli: Cli, option: str) -> None:
    cli.add_client("Иван Петров", option, "2026-01-15")
    assert query(cli.db, "SELECT created_on FROM client") == [("2026-01-15",)]


def test_client_add_help_shows_on_not_created(cli: Cli) -> None:
    shown = help_of(cli, "client", "add")
    assert "--on" in shown
    assert "--created" not in shown


@pytest.mark.parametrize("option", ["--on", "--date"])
def test_occasion_add_on_is_its_day(cli: Cli, option: str) -> None:
    cli.add_client("Иван Петров")
    cli.ok("client", "occasion", "add", "Петров", "Годовщина", option, "15.03")
    assert query(cli.db, "SELECT month, day, year FROM occasion") == [(3, 15, None)]


@pytest.mark.parametrize("option", ["--until", "--later"])
def test_nudge_log_until_is_the_day_to_come_back(cli: Cli, option: str) -> None:
    cli.add_client("Иван Петров")
    cli.open_deal("1")
    cli.ok("nudge", "log", "--deal", "1", "--outcome", "later", option, "+7")
    assert query(cli.db, "SELECT follow_up_on FROM deal") == [("2026-03-09",)]


def test_until_without_later_is_one_line(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    cli.open_deal("1")
    before = dump_database(cli.db)
    run = cli("nudge", "log", "--deal", "1", "--outcome", "yes", "--until", "+7")
    assert (run.exit_code, run.stdout, run.stderr) == (
        2,
        "",
        "error: --until goes with --outcome later; add --outcome later\n",
    )
    assert dump_database(cli.db) == before


def test_the_plan_of_a_day_three_ways(cli: Cli) -> None:
    """plan DATE is plan today --on DATE; --date is the earlier spelling."""
    load_demo(cli, "demo-plan.db")
    on = cli.ok("plan", "today", "--on", "2026-03-03", "--format", "csv").stdout
    assert on == cli.ok("plan", "2026-03-03", "--format", "csv").stdout
    assert on == cli.ok("plan", "today", "--date", "2026-03-03", "--format", "csv").stdout
    assert on == cli.ok("plan", "+1", "--format", "csv").stdout
    assert on != cli.ok("plan", "today", "--format", "csv").stdout
    yesterday = cli.ok("plan", "today", "--on", "2026-03-01", "--format", "csv").stdout
    assert cli.ok("plan", "-1", "--format", "csv").stdout == yesterday


def test_a_period_on_a_day_both_spellings(cli: Cli) -> None:
    cli.ok("demo", str(cli.db), "--force")
    on = cli.ok("stats", "funnel", "--period", "month", "--on", "2026-02-10", "-f", "json")
    date = cli.ok("stats", "funnel", "--period", "month", "--date", "2026-02-10", "-f", "json")
    assert on.stdout == date.stdout
    run = cli("stats", "funnel", "--on", "2026-02-10")
    assert (run.exit_code, run.stderr) == (
        2,
        "error: --on goes with --period; e.g. --period month --on 2026-10-01\n",
    )


@pytest.mark.parametrize(
    "path",
    [
        ("client", "add"),
        ("client", "occasion", "add"),
        ("client", "categorize"),
        ("nudge", "log"),
        ("plan", "today"),
        ("plan", "explain"),
        ("perks", "stats"),
        ("stats", "funnel"),
        ("spend", "add"),
    ],
    ids=" ".join,
)
def test_help_shows_no_earlier_spelling(cli: Cli, path: tuple[str, ...]) -> None:
    shown = help_of(cli, *path)
    for old in ("--date", "--created", "--later"):
        assert old not in shown, old
    assert "Example: povtor" in shown


# -- perks and spend in one place ----------------------------------------------------------
def test_perks_stats_is_stats_perks(cli: Cli) -> None:
    cli.ok("demo", str(cli.db), "--force")
    new = cli.ok("perks", "stats", "--missing", "-C", "A", "--format", "csv").stdout
    assert new.startswith("client_id,client,category,")
    assert new == cli.ok("stats", "perks", "--missing", "-c", "A", "--format", "csv").stdout
    assert "  stats " in help_of(cli, "perks")
    assert "  perks " not in help_of(cli, "stats")


@pytest.mark.parametrize("group", [("spend",), ("stats", "spend")], ids=" ".join)
def test_spend_at_the_top_and_under_stats(cli: Cli, group: tuple[str, ...]) -> None:
    cli.ok("init")
    added = cli.ok(*group, "add", "выставка", "1000", "--period", "month", "--on", "2026-02-10")
    assert added.stdout == "1\n"
    listed = cli.csv("spend", "list").splitlines()
    assert listed[1].startswith("1,выставка,2026-02-01,2026-02-28,28,")
    assert cli.csv("stats", "spend", "list") == cli.csv("spend", "list")
    cli.ok(*group, "remove", "1")
    assert len(cli.csv("spend", "list").splitlines()) == 1


def test_the_root_help_lists_spend_and_stats_help_does_not(cli: Cli) -> None:
    assert "  spend " in help_of(cli)
    assert "  spend " not in help_of(cli, "stats")


# -- birthdays -----------------------------------------------------------------------------
def test_a_birthday_can_be_a_day_and_month(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    cli.ok("client", "person", "add", "Петров", "Пётр", "--birthday", "12.03")
    cli.ok("client", "person", "add", "Петров", "Анна", "--birthday", "29.02")
    cli.ok("client", "person", "add", "Петров", "Олег", "--birthday", "1975-04-12")
    rows = cli.csv("client", "person", "list", "Петров").splitlines()
    assert [row.split(",")[5] for row in rows[1:]] == ["12.03", "29.02", "1975-04-12"]
    card = cli.ok("client", "show", "Петров", "--format", "json").stdout
    assert '"birthday": "12.03"' in card
    # the perks see it: a card before the day
    upcoming = cli.csv("perks", "upcoming", "--days", "14")
    assert "birthday:1:2026" in upcoming
    cli.ok("client", "person", "edit", "3", "--birthday", "01.12")
    assert cli.csv("client", "person", "list", "Петров").splitlines()[3].split(",")[5] == "01.12"


@pytest.mark.parametrize("command", ["add", "edit"])
def test_a_birthday_after_today_is_one_line(cli: Cli, command: str) -> None:
    cli.add_client("Иван Петров")
    cli.ok("client", "person", "add", "Петров", "Пётр")
    before = dump_database(cli.db)
    args = ("add", "Петров", "Анна") if command == "add" else ("edit", "1")
    run = cli("client", "person", *args, "--birthday", "2030-01-01")
    assert (run.exit_code, run.stdout, run.stderr) == (
        2,
        "",
        "error: --birthday 2030-01-01 is in the future (today is 2026-03-02); give the day "
        "the person was born, or only its day and month (12.03)\n",
    )
    assert dump_database(cli.db) == before


def test_a_day_and_month_that_does_not_exist_is_one_line(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    run = cli("client", "person", "add", "Петров", "Анна", "--birthday", "31.02")
    assert (run.exit_code, run.stderr) == (
        2,
        "error: --birthday: '31.02' is not a real calendar day; check the day and month "
        "(29.02 is allowed: 28.02 in common years)\n",
    )


# -- negative values reach the setting -----------------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("plan.quiet_days", "-1", "a whole number from 0 to 100000"),
        ("plan.weight.category.A", "-5", "a number from 0 to 1000000"),
    ],
)
def test_a_negative_setting_is_refused_by_its_range(
    cli: Cli, key: str, value: str, says: str
) -> None:
    cli.ok("init")
    before = dump_database(cli.db)
    run = cli("plan", "set", key, value)
    assert run.exit_code == 2
    assert run.stderr.startswith(f"error: {key}: '{value}' is out of range: {says}; ")
    assert len(run.stderr_lines) == 1
    assert dump_database(cli.db) == before
    assert cli.ok("plan", "set", "plan.quiet_days", "4").stderr == "plan.quiet_days = 4\n"


# -- an ambiguous name lists ids in order ---------------------------------------------------
def test_an_ambiguous_name_lists_ids_in_numeric_order(cli: Cli) -> None:
    for n in range(12):
        cli.add_client("Ромашка", "--company", f"филиал {n + 1}")
    run = cli("client", "show", "Ромашка")
    assert (run.exit_code, run.stdout) == (4, "")
    assert run.stderr == (
        "error: 'Ромашка' matches 12 clients: #1 Ромашка (филиал 1); #2 Ромашка (филиал 2); "
        "#3 Ромашка (филиал 3); #4 Ромашка (филиал 4); #5 Ромашка (филиал 5) and 7 more; "
        "name the client by its id\n"
    )
    cli.ok("client", "archive", "1")
    cli.ok("client", "archive", "2")
    shown = cli("client", "show", "Ромашка").stderr
    assert shown.startswith("error: 'Ромашка' matches 10 clients: #3 Ромашка (филиал 3); #4 ")

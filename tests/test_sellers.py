"""A team on one database: Анна farms the base, Олег works the refusals.

Sellers are added and listed, clients and deals assigned and handed over (recorded),
each seller sees their own plan, the stats count per seller, and the refusals: a taken
client, a seller who still owns something, a name twice. Today is Mon 2026-03-02.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from support import Cli, dump_database, query, where

ANNA = {"POVTOR_SELLER": "Анна"}
OLEG = {"POVTOR_SELLER": "олег"}  # any case


def listing(cli: Cli, *args: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    return json.loads(cli.ok(*args, "--format", "json", env=env).stdout)


def plan_clients(cli: Cli, *args: str, env: dict[str, str] | None = None) -> list[str]:
    return [i["client"] for i in listing(cli, "plan", "today", "--all", *args, env=env)]


@pytest.fixture
def team(cli: Cli) -> Cli:
    """Анна and Олег; Ромашка and Сосна are Анна's, Берёза is Олег's, Ель is nobody's;
    each client has a deal stuck at the start of the repeat funnel since January."""
    cli.ok("seller", "add", "Анна")
    cli.ok("seller", "add", "Олег")
    for name, env in (("Ромашка", ANNA), ("Сосна", ANNA), ("Берёза", OLEG), ("Ель", None)):
        cli.ok("client", "add", name, "--on", "2026-01-05", env=env)
        cli.open_deal(name, "--amount", "100000", "--on", "2026-01-10")
    return cli


def test_a_seller_of_their_own_sees_everything_as_before(cli: Cli) -> None:
    cli.add_client("Ромашка")
    cli.open_deal("Ромашка", "--on", "2026-01-10")
    before = cli.ok("plan", "today", "--format", "csv").stdout
    assert "Ромашка" in before
    assert cli.ok("seller", "list", "--format", "csv").stdout == (
        "id,name,clients,open_deals,current,created_on\n"
    )
    assert cli.ok("plan", "today", "--format", "csv").stdout == before
    assert query(cli.db, "SELECT seller_id FROM client") == [(None,)]
    assert "seller" not in json.loads(cli.ok("client", "show", "1", "--format", "json").stdout)


def test_sellers_are_listed_with_what_they_own_in_every_format(team: Cli) -> None:
    rows = listing(team, "seller", "list")
    assert [(r["name"], r["clients"], r["open_deals"], r["current"]) for r in rows] == [
        ("Анна", 2, 2, False),
        ("Олег", 1, 1, False),
    ]
    assert team.csv("seller", "list").splitlines()[1] == "1,Анна,2,2,False,2026-03-02"
    assert (
        team.ok("seller", "list", "--format", "tsv")
        .stdout.splitlines()[2]
        .startswith("2\tОлег\t1\t1")
    )
    lines = team.ok("seller", "list", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["Анна", "Олег"]
    table = team.ok("seller", "list", "--format", "table").stdout
    assert "Анна" in table and "Open deals" in table


def test_a_name_is_one_seller_whatever_its_case(team: Cli) -> None:
    run = team("seller", "add", "  АННА ")
    assert run.exit_code == 5
    assert run.stderr_lines == [
        "error: seller 'Анна' exists already; list the team: povtor seller list"
    ]
    assert len(listing(team, "seller", "list")) == 2


def test_the_current_seller_gets_new_clients_and_their_plan(team: Cli) -> None:
    assert plan_clients(team) == plan_clients(team, "--everyone")  # nobody current: all
    assert sorted(plan_clients(team, "--everyone")) == ["Берёза", "Ель", "Ромашка", "Сосна"]
    assert team.ok("seller", "use", "анна").stderr_lines == ["working as Анна"]
    assert sorted(plan_clients(team)) == ["Ромашка", "Сосна"]
    assert [c["name"] for c in listing(team, "client", "list", "--unowned")] == ["Ель"]
    run = team.ok("plan", "today", "--format", "csv")
    assert run.stderr_lines == [
        "1 item of clients nobody owns left out: povtor plan today --everyone; "
        "give them out: povtor client assign CLIENT --to NAME"
    ]
    assert plan_clients(team, env=OLEG) == ["Берёза"]  # the variable comes first
    assert plan_clients(team, "--seller", "ОЛЕГ") == ["Берёза"]
    team.ok("client", "add", "Дуб")
    assert query(
        team.db,
        "SELECT s.name FROM client c JOIN seller s ON s.id = c.seller_id WHERE c.name = 'Дуб'",
    ) == [("Анна",)]
    assert [r["current"] for r in listing(team, "seller", "list")] == [True, False]
    team.ok("seller", "use")
    assert sorted(plan_clients(team)) == ["Берёза", "Ель", "Ромашка", "Сосна"]


def test_assigning_a_client_is_recorded_and_another_sellers_client_is_refused(
    team: Cli,
) -> None:
    before = dump_database(team.db)
    run = team("client", "assign", "Берёза", "--to", "Анна", env=ANNA)
    assert run.exit_code == 5
    assert run.stderr_lines == [
        "error: client #3 Берёза belongs to Олег; Олег can hand it over, or take it with --force"
    ]
    assert dump_database(team.db) == before
    # the owner hands it over himself
    run = team.ok("client", "assign", "Берёза", "--to", "Анна", "--note", "ближе к ней", env=OLEG)
    assert run.stderr_lines == ["client #3 Берёза handed over from Олег to Анна"]
    # nobody's client is taken freely; an owned one with --force
    team.ok("client", "assign", "Ель", "--to", "Олег")
    team.ok("client", "assign", "Ромашка", "--to", "Олег", "--force")
    assert team.ok("client", "assign", "Ель", "--to", "олег").stderr_lines == [
        "client #4 Ель is Олег's already"
    ]
    rows = listing(team, "seller", "handovers")
    assert [(r["client"], r["from_seller"], r["to_seller"], r["note"]) for r in rows] == [
        ("Берёза", "Олег", "Анна", "ближе к ней"),
        ("Ель", "", "Олег", ""),
        ("Ромашка", "Анна", "Олег", ""),
    ]
    assert [r["client"] for r in listing(team, "seller", "handovers", "-c", "Ель")] == ["Ель"]
    card = json.loads(team.ok("client", "show", "Ель", "--format", "json").stdout)
    assert card["seller"] == "Олег"
    assert "│ Seller        Олег" in team.ok("client", "show", "Ель", "--format", "table").stdout
    assert sorted(plan_clients(team, "--seller", "Олег")) == ["Ель", "Ромашка"]
    names = [c["name"] for c in listing(team, "client", "list", "--seller", "олег")]
    assert names == ["Ель", "Ромашка"]
    assert [c["name"] for c in listing(team, "client", "list", "--seller", "Анна")] == [
        "Берёза",
        "Сосна",
    ]
    assert listing(team, "client", "list", "--unowned") == []


def test_several_clients_are_assigned_all_or_none(team: Cli) -> None:
    before = dump_database(team.db)
    run = team("client", "assign", "Ель", "Берёза", "--to", "Анна")
    assert (run.exit_code, run.stderr_lines) == (
        5,
        ["error: client #3 Берёза belongs to Олег; Олег can hand it over, or take it with --force"],
    )
    assert dump_database(team.db) == before
    run = team.ok("client", "assign", "4", "Ромашка", "#4", "--to", "Анна")
    assert run.stderr_lines == [
        "client #4 Ель is Анна's now",
        "client #1 Ромашка is Анна's already",
    ]
    assert [r["clients"] for r in listing(team, "seller", "list")] == [3, 1]


def test_an_unknown_seller_is_one_line_and_changes_nothing(team: Cli) -> None:
    before = dump_database(team.db)
    run = team("client", "assign", "Ель", "--to", "Ира")
    assert (run.exit_code, run.stderr_lines) == (
        3,
        ["error: no seller 'Ира'; list the team with: povtor seller list"],
    )
    run = team("client", "add", "Клён", env={"POVTOR_SELLER": "Ира"})
    assert run.exit_code == 3
    assert run.stderr_lines == [
        "error: POVTOR_SELLER: no seller 'Ира'; add it with: povtor seller add NAME, "
        "or unset POVTOR_SELLER"
    ]
    run = team("plan", "today", "--seller", "Анна", "--everyone")
    assert run.exit_code == 2
    assert team("client", "list", "--seller", "Ира").exit_code == 3
    assert dump_database(team.db) == before


def test_a_refused_deal_handed_to_a_trainee_is_in_the_trainees_plan(team: Cli) -> None:
    team.ok("seller", "add", "Ира")
    team.ok("plan", "set", "plan.revisit_days", "30")
    team.ok("deal", "lose", "2", "--reason", "дорого", "--on", "2026-01-20")
    run = team.ok("deal", "assign", "2", "--to", "Ира", "--note", "прозвонить отказ", env=ANNA)
    assert run.stderr_lines == ["deal #2 of Сосна handed over from Анна to Ира"]
    # the revisit of the refusal (30 days after the no) is hers, not Анна's
    ira = listing(team, "plan", "today", "--all", "--seller", "Ира")
    assert [(i["client"], i["rule"]) for i in ira] == [("Сосна", "revisit")]
    assert "Сосна" not in plan_clients(team, env=ANNA)
    assert [(r["name"], r["clients"]) for r in listing(team, "seller", "list")] == [
        ("Анна", 2),
        ("Ира", 0),
        ("Олег", 1),
    ]
    # Анна cannot take it back by accident; handed back to her it follows the client again
    assert team("deal", "assign", "2", "--to", "Анна", env=OLEG).exit_code == 5
    team.ok("deal", "assign", "2", "--to", "Анна", env={"POVTOR_SELLER": "Ира"})
    assert query(team.db, "SELECT seller_id FROM deal WHERE id = 2") == [(None,)]
    assert [r["entity"] for r in listing(team, "seller", "handovers")] == ["deal", "deal"]


def test_a_seller_who_owns_something_cannot_be_removed(team: Cli) -> None:
    before = dump_database(team.db)
    run = team("seller", "remove", "Олег")
    assert run.exit_code == 5
    assert run.stderr_lines == [
        "error: seller 'Олег' still owns 1 client; hand them over first: "
        "povtor client assign CLIENT --to NAME"
    ]
    assert dump_database(team.db) == before
    team.ok("seller", "use", "Олег")
    team.ok("nudge", "log", "--client", "Берёза", "--kind", "warming", "--on", "-10")  # his
    team.ok("client", "assign", "Берёза", "--to", "Анна")
    assert team.ok("seller", "remove", "олег").stderr_lines == ["removed seller #2 Олег"]
    assert [r["name"] for r in listing(team, "seller", "list")] == ["Анна"]
    # the record of handovers keeps his name; nobody is current any more
    assert listing(team, "seller", "handovers")[0]["from_seller"] == "Олег"
    assert query(team.db, "SELECT seller_id FROM touch") == [(2,)]  # logged by him, still
    assert sorted(plan_clients(team)) == ["Берёза", "Ель", "Ромашка", "Сосна"]


def test_a_removed_seller_keeps_their_history(team: Cli) -> None:
    team.ok("nudge", "log", "--client", "Берёза", "--kind", "warming", env=OLEG)
    team.ok("client", "assign", "Берёза", "--to", "Анна", env=OLEG)
    team.ok("seller", "remove", "Олег")
    # his touch counts for him, not for Анна who owns the client now
    rows = {r["seller"]: r["warming"] for r in listing(team, "stats", "nudges", "--by", "seller")}
    assert rows == {"Анна": 0, "Олег": 1}
    # hidden from the team, shown with --all and the day he left
    assert [r["name"] for r in listing(team, "seller", "list")] == ["Анна"]
    everyone = listing(team, "seller", "list", "--all")
    assert [(r["name"], r["removed_on"]) for r in everyone] == [
        ("Анна", None),
        ("Олег", "2026-03-02"),
    ]
    assert team.ok("seller", "list", "--all", "--format", "csv").stdout.splitlines()[0] == (
        "id,name,clients,open_deals,current,created_on,removed_on"
    )
    # nothing new for him: no clients, no deals, not the current seller
    before = dump_database(team.db)
    for args, env, code in (
        (("client", "assign", "Ель", "--to", "олег"), None, 5),
        (("deal", "assign", "1", "--to", "Олег"), None, 5),
        (("seller", "use", "Олег"), None, 5),
        (("plan", "today", "--seller", "Олег"), None, 5),
        (("client", "add", "Клён"), OLEG, 3),
        (("seller", "remove", "Олег"), None, 5),
    ):
        run = team(*args, env=env)
        assert run.exit_code == code and len(run.stderr_lines) == 1, run.describe()
        assert "Олег" in run.stderr and "removed from the team on 2026-03-02" in run.stderr
    assert dump_database(team.db) == before
    # added again, he is back with his history
    assert team.ok("seller", "add", "ОЛЕГ").stderr_lines == ["seller #2 Олег is back on the team"]
    assert [r["name"] for r in listing(team, "seller", "list")] == ["Анна", "Олег"]
    team.ok("client", "assign", "Ель", "--to", "Олег")


def test_a_removed_seller_keeps_the_deals_they_closed(team: Cli) -> None:
    """Олег wins the deal Анна handed him: once he leaves, the win and its revenue are
    still his; reopened later, the deal goes back to its client's owner."""
    team.ok("deal", "assign", "1", "--to", "Олег", env=ANNA)
    team.ok("deal", "win", "1", "--amount", "80000", env=OLEG)
    team.ok("client", "assign", "Берёза", "--to", "Анна", env=OLEG)
    assert team.ok("seller", "remove", "Олег").stderr_lines == ["removed seller #2 Олег"]
    rows = {
        r["seller"]: (r["won"], r["revenue"])
        for r in listing(team, "stats", "nudges", "--by", "seller")
    }
    assert rows == {"Анна": (0, "0.00"), "Олег": (1, "80000.00")}
    team.ok("deal", "reopen", "1", "--on", "2026-03-02")
    assert query(team.db, "SELECT seller_id FROM deal WHERE id = 1") == [(None,)]
    last = listing(team, "seller", "handovers")[-1]
    assert (last["deal_id"], last["from_seller"], last["to_seller"]) == (1, "Олег", "")
    assert "Ромашка" in plan_clients(team, env=ANNA)


def test_stats_nudges_by_seller(team: Cli) -> None:
    team.ok("nudge", "log", "--deal", "1", "--outcome", "yes", "--on", "2026-03-01")
    team.ok("nudge", "log", "--deal", "3", "--outcome", "later", "--until", "+7", "--on", "-1")
    team.ok("nudge", "log", "--deal", "3", "--outcome", "no-answer", "--on", "-1")
    team.ok("nudge", "log", "--client", "Берёза", "--kind", "warming", "--on", "-1")
    team.ok("deal", "win", "1", "--on", "2026-03-02")
    rows = listing(team, "stats", "nudges", "--by", "seller")
    got = {
        r["seller"]: (
            r["closing"],
            r["yes"],
            r["decision_rate"],
            r["nudged_deals"],
            r["paid_deals"],
            r["warming"],
            r["won"],
            r["revenue"],
        )
        for r in rows
    }
    assert got == {
        "Анна": (1, 1, 1.0, 1, 1, 0, 1, "100000.00"),
        "Олег": (2, 0, 0.5, 1, 0, 1, 0, "0.00"),
    }
    run = team("stats", "nudges", "--by", "client")
    assert run.exit_code == 2
    assert run.stderr_lines == ["error: --by: 'client' is not one of seller; use --by seller"]


def test_a_deal_nudged_then_handed_over_counts_for_who_nudged_it(team: Cli) -> None:
    """Анна's nudges on Ромашка's deal stay hers, with the deal they nudged, when the
    refused deal goes to Олег; the deal's payment goes to its owner."""
    team.ok("nudge", "log", "--deal", "1", "--outcome", "no-answer", "--on", "-1", env=ANNA)
    team.ok("nudge", "log", "--deal", "1", "--outcome", "no", "--reason", "дорого", env=ANNA)
    team.ok("deal", "assign", "1", "--to", "Олег", env=ANNA)
    got = {
        r["seller"]: (r["closing"], r["nudged_deals"], r["paid_deals"])
        for r in listing(team, "stats", "nudges", "--by", "seller")
    }
    assert got == {"Анна": (2, 1, 0), "Олег": (0, 0, 0)}


def test_two_sellers_taking_the_same_client_at_once_cannot_both_win(team: Cli) -> None:
    """The take is a conditional UPDATE in one transaction: whichever comes second sees
    the client taken and is refused."""
    from povtor.app.sellers import Seller, assign_clients
    from povtor.clock import make_clock
    from povtor.errors import Conflict
    from povtor.storage.database import open_database
    from povtor.storage.location import resolve_location

    outcomes: list[str] = []
    start = threading.Barrier(2)

    def take(name: str, seller_id: int) -> None:
        clock = make_clock("2026-03-02T10:00", "Europe/Moscow")
        db = open_database(resolve_location(where(team.db)), now=clock.now)
        try:
            start.wait()
            assign_clients(db, clock, ["Ель"], name, acting=Seller(seller_id, name))
            outcomes.append(f"{name} took it")
        except Conflict as refused:
            outcomes.append(str(refused))
        except sqlite3.OperationalError as busy:  # (the lock wait ran out: not taken either)
            outcomes.append(str(busy))
        finally:
            db.close()

    threads = [threading.Thread(target=take, args=a) for a in (("Анна", 1), ("Олег", 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    taken = [o for o in outcomes if o.endswith("took it")]
    assert len(taken) == 1, outcomes
    winner = taken[0].split()[0]
    assert query(
        team.db,
        "SELECT s.name FROM client c JOIN seller s ON s.id = c.seller_id WHERE c.name = 'Ель'",
    ) == [(winner,)]
    assert len(listing(team, "seller", "handovers")) == 1


def test_the_schema_of_a_team(cli: Cli, db_path: Path) -> None:
    names = {r[0] for r in query(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"seller", "handover"} <= names


def test_seller_names_complete_in_any_case(team: Cli) -> None:
    from test_completion import offered

    db = where(team.db)
    on_file = db == str(team.db)  # on a PostgreSQL server completion offers no names

    def names(*offer: str) -> list[str]:
        return list(offer) if on_file else []

    assert offered("povtor client assign Ель --to о", db) == names("Олег")
    assert offered("povtor plan today --seller ", db) == names("Анна", "Олег")
    assert offered("povtor seller use АН", db) == names("Анна")
    assert offered("povtor stats nudges --to 2026", db) == []  # a day, not a seller


def test_a_referral_is_its_referrers_sellers(team: Cli) -> None:
    team.ok("client", "referral", "Берёза", "Бригада Лосева", env=ANNA)
    rows = query(
        team.db,
        "SELECT s.name FROM client c JOIN seller s ON s.id = c.seller_id "
        "WHERE c.name = 'Бригада Лосева'",
    )
    assert rows == [("Олег",)]
    team.ok("client", "referral", "Ель", "Бригада Котова", env=ANNA)  # Ель is nobody's
    assert query(team.db, "SELECT seller_id FROM client WHERE name = 'Бригада Котова'") == [(None,)]


def test_a_touch_counts_for_the_seller_who_logged_it(team: Cli) -> None:
    """Олег calls Анна's client on its own question: the touch is his; the deal stays
    hers, and so does what it brings."""
    team.ok("nudge", "log", "--client", "Сосна", "--kind", "closing", "--outcome", "later",
            "--until", "+7", env=OLEG)  # fmt: skip
    assert query(team.db, "SELECT s.name FROM touch t JOIN seller s ON s.id = t.seller_id") == [
        ("Олег",)
    ]
    rows = {r["seller"]: r for r in listing(team, "stats", "nudges", "--by", "seller")}
    assert (rows["Олег"]["closing"], rows["Олег"]["later"], rows["Анна"]["closing"]) == (1, 1, 0)
    # a seller on their own (nobody current) logs touches as before: no seller
    team.ok("nudge", "log", "--client", "Ель", "--kind", "warming")
    assert query(team.db, "SELECT COUNT(*) FROM touch WHERE seller_id IS NULL") == [(1,)]


def test_plan_run_goes_through_the_current_sellers_items(team: Cli) -> None:
    run = team("plan", "run", input="q\n", env=OLEG)
    assert run.exit_code == 0, run.describe()
    assert "Берёза" in run.stdout
    assert not any(name in run.stdout for name in ("Ромашка", "Сосна", "Ель"))


def test_stats_funnel_by_seller(team: Cli) -> None:
    """Each seller's stages are those of the deals they own today (a handed-over deal's
    seller, else its client's); together they are the whole funnel's."""
    team.ok("deal", "win", "1", "--on", "2026-03-02")
    team.ok("deal", "assign", "2", "--to", "Олег", env=ANNA)
    period = ("--period", "year", "--on", "2026-01-01")
    rows = listing(team, "stats", "funnel", "--by", "seller", *period)
    first = {r["seller"]: r for r in rows if r["position"] == 1}
    got = {s: (r["entered"], r["reached_paid"], r["to_paid"]) for s, r in first.items()}
    assert got == {"Анна": (1, 1, 1.0), "Олег": (2, 0, 0.0), "(nobody)": (1, 0, 0.0)}
    assert {s: sum(r["now"] or 0 for r in rows if r["seller"] == s) for s in first} == {
        "Анна": 0,
        "Олег": 2,
        "(nobody)": 1,
    }
    whole = listing(team, "stats", "funnel", *period)
    for stage in whole:
        mine = [r for r in rows if r["position"] == stage["position"]]
        assert sum(r["entered"] for r in mine) == stage["entered"]
    csv = team.ok("stats", "funnel", "--by", "seller", "--format", "csv", *period).stdout
    assert csv.splitlines()[0].startswith("seller,position,stage,entered,moved_on,to_next")
    table = team.ok("stats", "funnel", "--by", "seller", "--format", "table", *period).stdout
    assert "Funnel repeat by seller" in table and "Олег" in table
    run = team("stats", "funnel", "--by", "client")
    assert run.exit_code == 2
    assert run.stderr_lines == ["error: --by: 'client' is not one of seller; use --by seller"]


def test_stats_funnel_closed_and_reasons_by_seller(team: Cli) -> None:
    """The deals closed and the loss reasons per seller: each deal for its owner today;
    together they are the whole funnel's."""
    team.ok("deal", "win", "1", "--on", "2026-02-20")  # Ромашка: Анна's
    team.ok("deal", "lose", "3", "--reason", "дорого", "--on", "2026-02-21")  # Берёза: Олег's
    team.ok("deal", "lose", "4", "--reason", "Дорого", "--on", "2026-02-22")  # Ель: nobody's
    team.ok("deal", "lose", "2", "--reason", "сроки", "--on", "2026-02-23")  # Сосна: Анна's
    team.ok("deal", "assign", "2", "--to", "Олег", env=ANNA)  # now Олег's
    period = ("--period", "year", "--on", "2026-01-01", "--part")
    closed = listing(team, "stats", "funnel", "--by", "seller", *period, "closed")
    assert [(r["seller"], r["won"], r["lost"], r["win_rate"]) for r in closed] == [
        ("Анна", 1, 0, 1.0),
        ("Олег", 0, 2, 0.0),
        ("(nobody)", 0, 1, 0.0),
    ]
    assert closed[0]["median_days_to_paid"] == 41  # opened 2026-01-10, paid 2026-02-20
    whole = listing(team, "stats", "funnel", *period, "closed")[0]
    assert (sum(r["won"] for r in closed), sum(r["lost"] for r in closed)) == (
        whole["won"],
        whole["lost"],
    )
    reasons = listing(team, "stats", "funnel", "--by", "seller", *period, "reasons")
    assert [(r["seller"], r["reason"], r["lost"], r["share"]) for r in reasons] == [
        ("Олег", "дорого", 1, 0.5),
        ("Олег", "сроки", 1, 0.5),
        ("(nobody)", "Дорого", 1, 1.0),
    ]
    csv = team.ok("stats", "funnel", "--by", "seller", "--format", "csv", *period, "reasons")
    assert csv.stdout.splitlines() == [
        "seller,reason,lost,share",
        "Олег,дорого,1,0.5",
        "Олег,сроки,1,0.5",
        "(nobody),Дорого,1,1.0",
    ]
    tsv = team.ok("stats", "funnel", "--by", "seller", "--format", "tsv", *period, "closed")
    assert tsv.stdout.splitlines()[0].split("\t") == [
        "seller", "won", "lost", "win_rate", "median_days_to_paid", "mean_days_to_paid"
    ]  # fmt: skip
    jsonl = team.ok("stats", "funnel", "--by", "seller", "--format", "jsonl", *period, "closed")
    assert [json.loads(line)["seller"] for line in jsonl.stdout.splitlines()] == [
        "Анна",
        "Олег",
        "(nobody)",
    ]
    table = team.ok("stats", "funnel", "--by", "seller", "--format", "table", *period[:-1])
    assert "Funnel repeat by seller" in table.stdout
    assert "Deals closed in the period" in table.stdout and "Loss reasons" in table.stdout


def test_owners_go_out_and_come_back_with_the_data(
    team: Cli, tmp_path: Path, migrated_template: Path
) -> None:
    """A database with sellers exports each client's, deal's and touch's seller in an
    ``owner`` column; an import restores them, refusing a seller the team does not know."""
    import shutil

    team.ok("deal", "assign", "4", "--to", "Олег")  # Ель's deal, on its own
    team.ok("nudge", "log", "--client", "Берёза", "--kind", "warming", env=OLEG)
    team.ok("seller", "add", "Ирина")
    team.ok("nudge", "log", "--client", "Ель", "--kind", "warming", env={"POVTOR_SELLER": "Ирина"})
    team.ok("seller", "remove", "Ирина")
    first, second = tmp_path / "first", tmp_path / "second"
    team.ok("export", "all", str(first))
    clients = (first / "clients.csv").read_text(encoding="utf-8").splitlines()
    assert clients[0].endswith(",referred_by,owner")
    assert [line.rsplit(",", 1)[1] for line in clients[1:]] == ["Анна", "Анна", "Олег", ""]
    deals = (first / "deals.csv").read_text(encoding="utf-8").splitlines()
    assert [line.rsplit(",", 1)[1] for line in deals] == ["owner", "", "", "", "Олег"]
    touches = (first / "touches.csv").read_text(encoding="utf-8").splitlines()
    assert [line.rsplit(",", 1)[1] for line in touches] == ["owner", "Олег", "Ирина"]
    target = tmp_path / "target.db"
    shutil.copy2(migrated_template, target)
    # a seller the target's team does not know: a problem of that line, nothing imported
    team.ok("--db", str(target), "seller", "add", "Олег")
    team.ok("--db", str(target), "seller", "add", "Ирина")
    before = dump_database(target)
    run = team("--db", str(target), "import", "all", str(first))
    assert run.exit_code == 2 and "nothing was imported" in run.stderr, run.describe()
    assert run.stderr_lines[:2] == [
        f"clients.csv:{line}: owner: no seller 'Анна' (add them first: povtor seller add NAME)"
        for line in (2, 3)
    ]
    assert dump_database(target) == before
    team.ok("--db", str(target), "seller", "add", "Анна")
    team.ok("--db", str(target), "seller", "remove", "Ирина")
    team.ok("--db", str(target), "import", "all", str(first))
    team.ok("--db", str(target), "export", "all", str(second))
    for name in ("clients.csv", "deals.csv", "touches.csv", "people.csv"):
        assert (second / name).read_bytes() == (first / name).read_bytes(), name
    assert query(
        target, "SELECT c.name, s.name FROM client c JOIN seller s ON s.id = c.seller_id"
    ) == [("Ромашка", "Анна"), ("Сосна", "Анна"), ("Берёза", "Олег")]


def test_an_import_that_only_moves_owners_counts_those_rows_as_updated(
    team: Cli, tmp_path: Path
) -> None:
    """A row whose only change is its owner is an update (listed by --dry-run with the
    change "owner"), not an unchanged row; importing the same file again changes nothing."""
    team.ok("nudge", "log", "--client", "Берёза", "--kind", "warming", env=OLEG)
    folder = tmp_path / "export"
    team.ok("export", "all", str(folder))

    def set_owner(name: str, line: int, owner: str) -> None:
        path = folder / name
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[line] = lines[line].rsplit(",", 1)[0] + "," + owner
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    set_owner("clients.csv", 4, "Олег")  # Ель, nobody's, goes to Олег
    set_owner("deals.csv", 1, "Анна")  # Ромашка's deal, on its own
    set_owner("touches.csv", 1, "Анна")  # logged by Олег
    planned = team.ok("import", "all", str(folder), "--dry-run", "--format", "csv").stdout
    updates = [line for line in planned.splitlines() if ",update," in line]
    assert len(updates) == 3 and all(line.endswith(",owner") for line in updates), planned
    team.ok("import", "all", str(folder))
    assert query(
        team.db,
        "SELECT c.name, s.name FROM client c LEFT JOIN seller s ON s.id = c.seller_id "
        "ORDER BY c.id",
    ) == [("Ромашка", "Анна"), ("Сосна", "Анна"), ("Берёза", "Олег"), ("Ель", "Олег")]
    assert query(team.db, "SELECT s.name FROM deal d JOIN seller s ON s.id = d.seller_id") == [
        ("Анна",)
    ]
    assert query(team.db, "SELECT s.name FROM touch t JOIN seller s ON s.id = t.seller_id") == [
        ("Анна",)
    ]
    again = team.ok("import", "all", str(folder), "--dry-run", "--format", "csv").stdout
    assert ",update," not in again, again

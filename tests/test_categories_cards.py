"""Client categories (by hand and from the ABC split) and client card completeness.

Today is Monday 2026-03-02. ``client categorize`` counts, by default, the deals paid in
the 12 months 2025-03-03 – 2026-03-02; every figure below is worked out by hand next to it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from povtor.domain.cards import (
    NEWS,
    CardFacts,
    below_norm,
    completeness,
    completeness_table,
    next_question,
)
from povtor.domain.categories import ClientOrigin, categorise, summary
from povtor.domain.conversation import QUIET, Conversation, Promise
from povtor.domain.metrics import ClientRevenue, abc_split
from povtor.domain.plan_records import ClientState, ServiceProblem
from povtor.domain.plan_rules.thin_card import card_candidates
from povtor.settings import Settings
from povtor.text import sort_key
from support import Cli, execute, query

TODAY = dt.date(2026, 3, 2)


def paid(cli: Cli, client: str, on: str, amount: str) -> int:
    deal = cli.open_deal(client, "--stage", "invoice", "--amount", amount, "--on", on)
    cli.ok("deal", "win", str(deal), "--on", on)
    return deal


def rows(cli: Cli, *args: str) -> list[dict[str, Any]]:
    return json.loads(cli.ok(*args, "--format", "json").stdout)


def card(cli: Cli, ref: str) -> dict[str, Any]:
    return json.loads(cli.ok("client", "show", ref, "--format", "json").stdout)


def categories(cli: Cli) -> dict[str, tuple[str | None, str | None]]:
    return {
        name: (category, source)
        for name, category, source in query(
            cli.db, "SELECT name, category, category_source FROM client ORDER BY id"
        )
    }


# -- categories by hand ----------------------------------------------------------------------
def test_a_category_set_by_hand_is_recorded_as_manual(cli: Cli) -> None:
    cli.add_client("Ромашка", "--category", "b")
    cli.add_client("Лютик")
    assert categories(cli) == {"Ромашка": ("B", "manual"), "Лютик": (None, None)}
    run = cli.ok("client", "edit", "Лютик", "--category", "A")
    assert run.stderr == "updated client #2 Лютик: category\n"
    execute(cli.db, "UPDATE client SET category_source = 'abc' WHERE id = 1")
    cli.ok("client", "edit", "Ромашка", "--category", "C")  # by hand again: manual again
    assert categories(cli) == {"Ромашка": ("C", "manual"), "Лютик": ("A", "manual")}
    cli.ok("client", "edit", "Ромашка", "--category", "")  # cleared: no category, no source
    assert categories(cli) == {"Ромашка": (None, None), "Лютик": ("A", "manual")}


def test_show_and_list_say_who_set_the_category(cli: Cli) -> None:
    cli.add_client("Ромашка", "--category", "B")
    cli.add_client("Лютик", "--category", "A")
    execute(cli.db, "UPDATE client SET category_source = 'abc' WHERE id = 2")
    assert "Category      B (manual)" in cli.ok("client", "show", "Ромашка").stdout
    assert "Category      A (abc)" in cli.ok("client", "show", "Лютик").stdout
    table = cli.ok("client", "list", "--format", "table").stdout
    assert "│ A (abc) │" in table and "│ B       │" in table
    # machine formats keep the category a plain letter; json also has the source
    assert [r["category"] for r in rows(cli, "client", "list")] == ["A", "B"]
    assert (card(cli, "Лютик")["category"], card(cli, "Лютик")["category_source"]) == ("A", "abc")


def test_a_bad_category_is_one_line_and_changes_nothing(
    cli: Cli, dump: Callable[[], str | None]
) -> None:
    cli.add_client("Ромашка", "--category", "B")
    before = dump()
    for args in (
        ("client", "edit", "Ромашка", "--category", "D"),
        ("client", "add", "Лютик", "--category", "AA"),
        ("client", "list", "--category", "Z"),
    ):
        run = cli(*args)
        assert run.exit_code == 2, run.describe()
        assert run.stderr_lines[0].startswith("error: --category: ")
        assert "is not one of A, B, C" in run.stderr_lines[0]
        assert "Traceback" not in run.stderr
    assert dump() == before


# -- client categorize ----------------------------------------------------------------------
def _build_buyers(cli: Cli) -> None:
    """Revenue in the 12 months to 2026-03-02, total 1 000 000:
    Альфа 700 000 (70%), Бета 200 000 (20%), Гамма 60 000 (6%), Дельта 40 000 (4%),
    Эпсилон nothing in the period (a purchase of 2025-03-01 is before it).
    Ranked: Альфа A (0% before), Бета A (70% before < 80%), Гамма B (90% < 95%),
    Дельта C (96%), Эпсилон C (no revenue)."""
    cli.add_client("Альфа")  # no category: set A
    cli.add_client("Бета", "--category", "C")  # by hand: kept (manual)
    cli.add_client("Гамма", "--category", "B")  # by hand, and ABC agrees: same
    cli.add_client("Дельта")  # A from an earlier categorize (below): set C
    cli.add_client("Эпсилон")  # no category: set C
    paid(cli, "Альфа", "2025-06-10", "500000")
    paid(cli, "Альфа", "2026-02-10", "200000")
    paid(cli, "Бета", "2025-03-03", "200000")  # the first day of the period counts
    paid(cli, "Гамма", "2026-03-02", "60000")  # today counts
    paid(cli, "Дельта", "2025-12-01", "40000")
    paid(cli, "Эпсилон", "2025-03-02", "900000")  # the day before the period
    execute(cli.db, "UPDATE client SET category = 'A', category_source = 'abc' WHERE id = 4")


@pytest.fixture
def buyers(prepared: Callable[..., Cli]) -> Cli:
    return prepared("categories-buyers", _build_buyers)


EXPECTED = [
    # rank, id, client, category, set by, abc, revenue, action
    (1, 1, "Альфа", None, None, "A", "700000.00", "set"),
    (2, 2, "Бета", "C", "manual", "A", "200000.00", "keep (manual)"),
    (3, 3, "Гамма", "B", "manual", "B", "60000.00", "same"),
    (4, 4, "Дельта", "A", "abc", "C", "40000.00", "set"),
    (5, 5, "Эпсилон", None, None, "C", "0.00", "set"),
]


def _listing(run_stdout: str) -> list[tuple[Any, ...]]:
    return [
        (
            r["rank"],
            r["client_id"],
            r["client"],
            r["category"],
            r["category_source"],
            r["abc"],
            r["revenue"],
            r["action"],
        )
        for r in json.loads(run_stdout)
    ]


def test_dry_run_lists_what_would_change_and_changes_nothing(
    buyers: Cli, dump: Callable[[], str | None]
) -> None:
    before = dump()
    run = buyers.ok("client", "categorize", "--dry-run", "--format", "json")
    assert _listing(run.stdout) == EXPECTED
    assert run.stderr == "dry run: 3 to set, 1 kept (manual), 1 unchanged; nothing was changed\n"
    assert dump() == before
    changed = buyers.ok("client", "categorize", "--dry-run", "--changed", "--format", "json")
    assert [r[2] for r in _listing(changed.stdout)] == ["Альфа", "Бета", "Дельта", "Эпсилон"]


def test_categorize_sets_abc_keeps_manual_and_overwrite_replaces(buyers: Cli) -> None:
    run = buyers.ok("client", "categorize", "--format", "json")
    assert _listing(run.stdout) == EXPECTED
    assert run.stderr == "3 set, 1 kept (manual), 1 unchanged\n"
    assert categories(buyers) == {
        "Альфа": ("A", "abc"),
        "Бета": ("C", "manual"),
        "Гамма": ("B", "manual"),
        "Дельта": ("C", "abc"),
        "Эпсилон": ("C", "abc"),
    }
    # a second run has nothing left to set
    again = buyers.ok("client", "categorize", "--format", "csv")
    assert again.stderr == "0 set, 1 kept (manual), 4 unchanged\n"
    # --overwrite replaces the hand-set category too
    forced = buyers.ok("client", "categorize", "--overwrite", "--changed", "--format", "json")
    assert _listing(forced.stdout) == [(2, 2, "Бета", "C", "manual", "A", "200000.00", "set")]
    assert forced.stderr == "1 set, 0 kept (manual), 4 unchanged\n"
    assert categories(buyers)["Бета"] == ("A", "abc")


def test_categorize_takes_the_period_of_stats_abc(buyers: Cli) -> None:
    # calendar 2025 (2025-01-01 – 2025-12-31): Эпсилон 900 000, Альфа 500 000, Бета
    # 200 000, Дельта 40 000 (total 1 640 000); Гамма paid on 2026-03-02, outside
    # Эпсилон A (0%), Альфа A (54.9% before), Бета B (85.4%), Дельта C (97.6%), Гамма C.
    # Every client was added on 2026-03-02, after the period: the four with revenue in it
    # are judged by it; Гамма, with none, had no chance to buy in it and is skipped
    run = buyers.ok(
        "client",
        "categorize",
        "--period",
        "year",
        "--date",
        "2025-06-01",
        "--dry-run",
        "-f",
        "json",
    )
    got = {r["client"]: (r["abc"], r["action"]) for r in json.loads(run.stdout)}
    assert got == {
        "Эпсилон": ("A", "set"),
        "Альфа": ("A", "set"),
        "Бета": ("B", "keep (manual)"),
        "Дельта": ("C", "set"),
        "Гамма": ("C", "skip (new)"),
    }
    assert run.stderr == (
        "dry run: 3 to set, 1 kept (manual), 0 unchanged, 1 skipped (came after the period); "
        "nothing was changed\n"
    )
    # and it is the same split stats abc shows
    abc = rows(buyers, "stats", "abc", "--period", "year", "--date", "2025-06-01")
    assert {r["client"]: r["abc"] for r in abc} == {k: v[0] for k, v in got.items()}


def test_a_client_that_came_after_the_period_is_skipped(buyers: Cli) -> None:
    buyers.add_client("Зета", "--created", "2026-01-15")
    run = buyers.ok(
        "client", "categorize", "--period", "year", "--date", "2025-06-01", "-f", "json"
    )
    zeta = [r for r in json.loads(run.stdout) if r["client"] == "Зета"]
    assert [(r["abc"], r["action"]) for r in zeta] == [("C", "skip (new)")]
    assert run.stderr == "3 set, 1 kept (manual), 0 unchanged, 2 skipped (came after the period)\n"
    assert categories(buyers)["Зета"] == (None, None)
    # in the 12 months to today Зета could have bought and did not: C, like stats abc says
    buyers.ok("client", "categorize")
    assert categories(buyers)["Зета"] == ("C", "abc")


def test_no_revenue_no_change(cli: Cli, dump: Callable[[], str | None]) -> None:
    cli.add_client("Ромашка")
    before = dump()
    run = cli.ok("client", "categorize")
    assert run.stderr == "no paid deals in RUB in the period: no category changed\n"
    assert dump() == before


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (("--period", "decade"), "error: --period: 'decade' is not one of"),
        (("--from", "2026-13-01"), "error: --from: "),
        (("--from", "2026-03-05"), "error: the period starts on 2026-03-05, after the as-of"),
        (("--from", "2026-02-10", "--to", "2026-02-01"), "error: --from 2026-02-10 is after"),
        (("--period", "month", "--from", "2026-01-01"), "error: give either --period or"),
        (("--currency", "рубли"), "error: --currency: 'рубли' is not a currency code"),
    ],
)
def test_bad_period_is_one_line_and_changes_nothing(
    buyers: Cli, dump: Callable[[], str | None], args: tuple[str, ...], start: str
) -> None:
    before = dump()
    run = buyers("client", "categorize", *args)
    assert run.exit_code == 2, run.describe()
    assert run.stderr_lines[0].startswith(start), run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert dump() == before


def test_categorise_rules_pure() -> None:
    ranked = abc_split(
        [
            ClientRevenue(1, "Альфа", None, 700),
            ClientRevenue(2, "Бета", "C", 200),
            ClientRevenue(3, "Гамма", "B", 100),
            ClientRevenue(4, "Дельта", None, 0),
        ]
    )
    origins = {
        1: ClientOrigin(None, dt.date(2025, 1, 1)),
        2: ClientOrigin(None, dt.date(2025, 1, 1)),  # a category of unknown origin: the user's
        3: ClientOrigin("abc", dt.date(2026, 3, 1)),  # added later, but bought in the period
        4: ClientOrigin(None, dt.date(2026, 3, 1)),  # added later, nothing bought: skipped
    }
    done = categorise(ranked, origins, dt.date(2026, 2, 28), overwrite=False)
    assert [(r.row.client.name, r.row.abc, r.label, r.new_category) for r in done] == [
        ("Альфа", "A", "set", "A"),
        ("Бета", "A", "keep (manual)", "C"),
        ("Гамма", "B", "same", "B"),
        ("Дельта", "C", "skip (new)", None),
    ]
    assert summary(done, dry_run=False) == (
        "1 set, 1 kept (manual), 1 unchanged, 1 skipped (came after the period)"
    )
    forced = categorise(ranked, origins, dt.date(2026, 2, 28), overwrite=True)
    assert [r.action for r in forced] == ["set", "set", "same", "skip"]


# -- card completeness ------------------------------------------------------------------------
def facts_csv(*counts: tuple[int, int]) -> str:
    """An import file with ``count`` facts for each client id."""
    lines = ["client_id,topic,text,noted_on"]
    for client_id, count in counts:
        lines += [
            f"{client_id},закупки,факт {n} о клиенте {client_id},2026-02-01" for n in range(count)
        ]
    return "\n".join(lines) + "\n"


def test_show_reports_the_card_against_the_norm(cli: Cli) -> None:
    cli.add_client("Ромашка", "--category", "B")
    cli.add_client("Лютик")
    for text in ("берут щебень 40 т в месяц", "решает главный инженер", "дача под Звенигородом"):
        cli.ok("client", "fact", "add", "Ромашка", text)
    cli.ok("client", "fact", "add", "Ромашка", "любит рыбалку", "--on", "2026-01-10")
    assert (
        "Card          4 of 7 talking facts (B norm) — 3 more"
        in cli.ok("client", "show", "Ромашка").stdout
    )
    assert card(cli, "Ромашка")["card"] == {
        "facts": 4,
        "category": "B",
        "norm": 7,
        "missing": 3,
        "complete": False,
        "summary": "4 of 7 talking facts (B norm) — 3 more",
    }
    # the norm is a setting; at the norm the card is complete
    cli.ok("plan", "set", "card.norm.B", "4")
    assert card(cli, "Ромашка")["card"]["summary"] == "4 of 4 talking facts (B norm) — complete"
    assert card(cli, "Ромашка")["card"]["complete"] is True
    # no category, no norm
    assert card(cli, "Лютик")["card"] == {
        "facts": 0,
        "category": None,
        "norm": None,
        "missing": None,
        "complete": None,
        "summary": "0 talking facts (no category, so no norm)",
    }


def test_stats_cards_by_category(cli: Cli) -> None:
    for name, category in (
        ("А-1", "A"),
        ("А-2", "A"),
        ("Б-1", "B"),
        ("В-1", "C"),
        ("В-2", "C"),
        ("В-3", "C"),
        ("Без категории", None),
        ("Архивный", "A"),
    ):
        cli.add_client(name, *(("--category", category) if category else ()))
    cli.ok("client", "archive", "Архивный")
    run = cli(
        "import",
        "facts",
        "-",
        input=facts_csv((1, 3), (2, 15), (3, 7), (5, 5), (6, 6), (7, 2), (8, 1)),
    )
    assert run.exit_code == 0, run.describe()
    assert rows(cli, "stats", "cards") == [
        # A: 3 and 15 facts, norm 15: 1 of 2; mean 9, median (3 + 15) / 2 = 9
        {"category": "A", "clients": 2, "norm": 15, "at_norm": 1, "share": 0.5,
         "mean_facts": 9, "median_facts": 9},
        {"category": "B", "clients": 1, "norm": 7, "at_norm": 1, "share": 1,
         "mean_facts": 7, "median_facts": 7},
        # C: 0, 5, 6 facts, norm 5: 2 of 3; mean 11 / 3 = 3.7; median 5
        {"category": "C", "clients": 3, "norm": 5, "at_norm": 2, "share": 0.6667,
         "mean_facts": 3.7, "median_facts": 5},
        {"category": "none", "clients": 1, "norm": None, "at_norm": None, "share": None,
         "mean_facts": 2, "median_facts": 2},
        # all 7 active: 0 2 3 5 6 7 15 → mean 38 / 7 = 5.4, median 5; at norm 4 of the 6
        # categorised (the archived one does not count)
        {"category": "all", "clients": 7, "norm": None, "at_norm": 4, "share": 0.6667,
         "mean_facts": 5.4, "median_facts": 5},
    ]  # fmt: skip
    assert rows(cli, "stats", "cards", "--below") == [
        {"client_id": 1, "client": "А-1", "category": "A", "facts": 3, "norm": 15, "missing": 12},
        {"client_id": 4, "client": "В-1", "category": "C", "facts": 0, "norm": 5, "missing": 5},
    ]
    csv_out = cli.ok("stats", "cards", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "category,clients,norm,at_norm,share,mean_facts,median_facts"
    assert csv_out[-1] == "all,7,,4,0.6667,5.4,5"


def test_completeness_pure() -> None:
    s = Settings({})
    assert completeness(16, "A", s).summary() == "16 of 15 talking facts (A norm) — complete"
    assert completeness(1, "C", s).summary() == "1 of 5 talking facts (C norm) — 4 more"
    assert completeness(1, None, s).summary() == "1 talking fact (no category, so no norm)"
    table = completeness_table([("A", 15), ("B", 1), (None, 4)], s)
    assert [(r.category, r.clients, r.at_norm, r.share) for r in table] == [
        ("A", 1, 1, 1),
        ("B", 1, 0, 0),
        ("C", 0, 0, None),
        ("none", 1, None, None),
        ("all", 3, 1, 0.5),
    ]
    assert below_norm([(1, "Б", "B", 1), (2, "А", "A", 14), (3, "?", None, 0)], s) == [
        (2, "А", "A", 14, 15, 1),
        (1, "Б", "B", 1, 7, 6),
    ]


# -- the plan's card item ---------------------------------------------------------------------
def state(
    client_id: int,
    name: str,
    category: str | None,
    *,
    paid_on: tuple[str, ...] = ("2025-12-01", "2026-02-20"),
    last_touch: str | None = "2026-02-27",
    open_deals: int = 0,
    follow_up: str | None = None,
) -> ClientState:
    return ClientState(
        id=client_id,
        name=name,
        company=None,
        category=category,
        person=None,
        open_deals=open_deals,
        last_touch_on=dt.date.fromisoformat(last_touch) if last_touch else None,
        paid_dates=tuple(dt.date.fromisoformat(d) for d in paid_on),
        # "later, on that date", said on the last touch
        talk=Conversation(promise=Promise(TODAY, dt.date.fromisoformat(follow_up)))
        if follow_up
        else QUIET,
    )


def plan_cards(
    clients: list[ClientState],
    facts: dict[int, int] | None = None,
    asked: dict[int, str] | None = None,
    **settings: str,
) -> list[tuple[int, str]]:
    found = card_candidates(
        TODAY,
        {c.id: c for c in clients},
        {k: CardFacts(k, n) for k, n in (facts or {}).items()},
        {k: dt.date.fromisoformat(v) for k, v in (asked or {}).items()},
        Settings({k.replace("__", "."): v for k, v in settings.items()}),
    )
    return [(c.client_id, c.reason) for c in found]


def test_card_items_go_to_quiet_a_and_b_clients_below_the_norm() -> None:
    quiet = [state(1, "Гранит", "A"), state(2, "Вектор", "B"), state(3, "Сокол", "C")]
    assert plan_cards(quiet, {2: 7}) == [
        (1, "card: 0 of 15 talking facts (A norm): learn 15 more — ask about their needs and "
         "volumes"),
    ]  # fmt: skip
    # not for: uncategorised, no purchase yet, an open deal, a date the client named, touched
    # in the last 3 days, silent past its threshold (A: 30 days), the card asked within 30
    # days or a first purchase less than 30 days ago, an unresolved service problem
    busy = [
        state(1, "без категории", None),
        state(2, "без покупок", "A", paid_on=()),
        state(3, "сделка", "A", open_deals=1),
        state(4, "позже", "A", follow_up="2026-03-10"),
        state(5, "вчера", "A", last_touch="2026-03-01"),
        state(6, "молчит", "A", paid_on=("2025-12-01", "2026-01-30")),
        state(7, "спрашивали", "A"),
        state(8, "новый", "A", paid_on=("2026-02-01",)),
    ]
    assert plan_cards(busy, asked={7: "2026-02-01"}) == []
    problem = ServiceProblem(dt.date(2026, 2, 20), "не тот щебень", 1)
    assert plan_cards([dataclasses.replace(state(1, "жалоба", "A"), open_problem=problem)]) == []
    # the boundaries: touched 3 days ago, silent exactly 30 days, asked 30 days ago
    edges = [
        state(5, "три дня", "A", last_touch="2026-02-27"),
        state(6, "30 дней", "A", paid_on=("2025-12-01", "2026-01-31")),
        state(7, "спрашивали", "A"),
    ]
    assert sorted(c for c, _ in plan_cards(edges, asked={7: "2026-01-31"})) == [5, 6, 7]


def test_card_items_are_capped_most_valuable_first() -> None:
    clients = [
        state(1, "Яхонт", "B"),
        state(2, "Альфа", "B"),
        state(3, "Гранит", "A"),
        state(4, "Бетон", "A"),
        state(5, "Вектор", "A"),
    ]
    # A before B; then the thinnest card relative to its norm: Бетон 3/15 = 0.2 before
    # Гранит 9/15 = 0.6 and Вектор 9/15 (then by name); B: Яхонт 1/7 before Альфа 2/7
    facts = {1: 1, 2: 2, 3: 9, 4: 3, 5: 9}
    assert [c for c, _ in plan_cards(clients, facts)] == [4, 5, 3]
    assert [c for c, _ in plan_cards(clients, facts, plan__cards_per_day="5")] == [4, 5, 3, 1, 2]
    assert plan_cards(clients, facts, plan__cards_per_day="0") == []


NAMES = st.sampled_from(["Альфа", "альфа", "Ёлка", "Елка", "Бетон", "Zeta", "Вектор"])


@given(
    cards=st.lists(st.tuples(NAMES, st.sampled_from(["A", "B"]), st.integers(0, 16)), max_size=25),
    per_day=st.integers(0, 8),
)
def test_the_days_card_items_are_the_head_of_the_whole_order(
    cards: list[tuple[str, str, int]], per_day: int
) -> None:
    """However many clients tie, the day's cap picks the first of the whole order: A
    before B, the thinnest card relative to its norm, the name, the id."""
    clients = [state(n, name, category) for n, (name, category, _facts) in enumerate(cards, 1)]
    facts = {n: count for n, (_name, _category, count) in enumerate(cards, 1)}
    norms = {"A": 15, "B": 7}
    thin = [c for c in clients if facts[c.id] < norms[c.category or ""]]
    thin.sort(
        key=lambda c: (
            c.category,
            Fraction(facts[c.id], norms[c.category or ""]),
            sort_key(c.name),
            c.id,
        )
    )
    picked = [c for c, _ in plan_cards(clients, facts, plan__cards_per_day=str(per_day))]
    assert picked == [c.id for c in thin[:per_day]]


def test_the_question_asks_what_the_card_lacks() -> None:
    assert next_question([]).code == "needs"
    assert next_question(["Потребность", None]).code == "decisions"
    assert next_question(["объёмы", "ЛПР", "планы"]).code == "suppliers"
    everything = ["потребность", "решения", "планы", "конкуренты", "люди", "оплата"]
    assert next_question(everything) is NEWS


def _build_granite(cli: Cli) -> None:
    cli.add_client("Гранит", "--category", "A", "--company", "ООО Гранит")
    cli.ok("client", "person", "add", "Гранит", "Пётр Петрович")
    paid(cli, "Гранит", "2025-12-01", "100000")
    paid(cli, "Гранит", "2026-02-20", "100000")
    cli.ok("plan", "set", "plan.roadmap_per_day", "0")  # (roadmap steps: their own tests)


@pytest.fixture
def granite(prepared: Callable[..., Cli]) -> Cli:
    return prepared("cards-granite", _build_granite)


NEEDS = "card: 0 of 15 talking facts (A norm): learn 15 more — ask about their needs and volumes"


def test_the_card_item_leads_only_when_nothing_else_is_due(granite: Cli) -> None:
    # the service contact (7 days after an A payment) is due: it leads, the card follows
    [item] = rows(granite, "plan", "today")
    assert item["kind"] == "service"
    assert item["reason"].startswith("service contact: deal #2 paid 2026-02-20")
    assert item["reason"].endswith("; " + NEEDS)
    # service done on Friday: nothing else is due, the card question leads
    granite.ok(
        "nudge", "log", "--client", "Гранит", "--kind", "service", "--answer", "ok",
        "--on", "2026-02-27",
    )  # fmt: skip
    [item] = rows(granite, "plan", "today")
    assert (item["client"], item["kind"], item["reason"]) == ("Гранит", "warming", NEEDS)
    assert item["text"] == (
        "Пётр Петрович, добрый день! Хочу точнее планировать поставки для вас: какой у вас "
        "объём в месяц и когда пик сезона?"
    )
    # a fact about the needs: the next question is about who decides
    granite.ok("client", "fact", "add", "Гранит", "щебень 40 т в месяц", "--topic", "потребность")
    assert rows(granite, "plan", "today")[0]["reason"] == (
        "card: 1 of 15 talking facts (A norm): learn 14 more — ask about who decides on purchases"
    )
    # at the norm: nothing to fill
    granite.ok("plan", "set", "card.norm.A", "1")
    assert rows(granite, "plan", "today") == []
    granite.ok("plan", "set", "card.norm.A", "default")
    # an open deal is the conversation: no card item
    deal = granite.open_deal("Гранит", "--stage", "request")
    assert rows(granite, "plan", "today") == []
    # a "no": the refusal funnel, nothing but the revisit in 90 days (no card question)
    granite.ok("deal", "lose", str(deal), "--reason", "дорого")
    assert rows(granite, "plan", "today") == []


def test_plan_run_records_the_card_question_and_it_rests(granite: Cli) -> None:
    granite.ok(
        "nudge", "log", "--client", "Гранит", "--kind", "service", "--answer", "ok",
        "--on", "2026-02-27",
    )  # fmt: skip
    run = granite("plan", "run", input="y\n")
    assert run.exit_code == 0, run.describe()
    assert "card: 0 of 15" in run.stdout
    assert query(
        granite.db, "SELECT kind, outcome, purpose, purpose_ref FROM touch ORDER BY id DESC"
    )[0] == ("warming", "yes", "card", "needs")
    # asked today: not again for plan.card_gap_days (30), quiet days or not
    for day in ("2026-03-05", "2026-03-31"):
        env = {"POVTOR_TODAY": f"{day}T10:00"}
        plan = json.loads(granite.ok("plan", "today", "--format", "json", env=env).stdout)
        assert not any("card:" in i["reason"] for i in plan), day
    granite.ok("plan", "set", "plan.card_gap_days", "3")
    env = {"POVTOR_TODAY": "2026-03-05T10:00"}
    plan = json.loads(granite.ok("plan", "today", "--format", "json", env=env).stdout)
    assert [i["reason"] for i in plan] == [NEEDS]


def three_thin_cards(cli: Cli) -> None:
    """Three B clients, each with two purchases and its service contact done, and cards
    of 3, 6 and 1 talking facts of the norm's 7 (no roadmap steps)."""
    for name in ("Альфа", "Бета", "Гамма"):
        cli.add_client(name, "--category", "B")
        paid(cli, name, "2025-12-01", "50000")
        paid(cli, name, "2026-02-10", "50000")
        cli.ok("nudge", "log", "--client", name, "--kind", "service", "--answer", "ok",
               "--on", "2026-02-25")  # fmt: skip
    cli.ok("plan", "set", "plan.roadmap_per_day", "0")
    run = cli("import", "facts", "-", input=facts_csv((1, 3), (2, 6), (3, 1)))
    assert run.exit_code == 0, run.describe()


def test_the_cap_counts_clients_a_day(cli: Cli) -> None:
    three_thin_cards(cli)
    # equal priority: the plan lists them by name
    assert [i["client"] for i in rows(cli, "plan", "today")] == ["Альфа", "Бета", "Гамма"]
    cli.ok("plan", "set", "plan.cards_per_day", "2")  # the thinnest: Гамма 1/7, Альфа 3/7
    assert [i["client"] for i in rows(cli, "plan", "today")] == ["Альфа", "Гамма"]
    # a card question asked today is one of the day's: Бета waits for tomorrow
    cli.ok("nudge", "log", "--client", "Гамма", "--kind", "warming", "--purpose", "card")
    assert [i["client"] for i in rows(cli, "plan", "today")] == ["Альфа"]


def test_a_client_touched_today_takes_none_of_the_days_card_questions(cli: Cli) -> None:
    three_thin_cards(cli)
    cli.ok("plan", "set", "plan.cards_per_day", "1")  # the thinnest: Гамма 1/7
    assert [i["client"] for i in rows(cli, "plan", "today")] == ["Гамма"]
    # with no quiet days, a client touched today could still be asked; but it has no item
    # today, so the day's one question goes to the next thinnest card, Альфа's 3/7
    cli.ok("plan", "set", "plan.quiet_days", "0")
    cli.ok("nudge", "log", "--client", "Гамма", "--kind", "warming", "--outcome", "yes")
    assert [i["client"] for i in rows(cli, "plan", "today")] == ["Альфа"]


@pytest.mark.parametrize(
    ("key", "value"),
    [("card.norm.A", "1.5"), ("card.norm.B", "семь"), ("plan.cards_per_day", "много")],
)
def test_bad_settings_are_refused(
    cli: Cli, dump: Callable[[], str | None], key: str, value: str
) -> None:
    before = dump()
    run = cli("plan", "set", key, value)
    assert run.exit_code == 2, run.describe()
    assert run.stderr_lines[0].startswith(f"error: {key}: {value!r} is not a valid value")
    assert dump() == before

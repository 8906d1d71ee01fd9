"""Products, backend offers and cross-sell (seed 004), from the seller's side and as
pure rules.

Today is Monday 2026-03-02 (conftest). Revenues are hand-made: «Клиент NN» bought once,
on 2026-02-10, for NN × 10 000 roubles, so the ranking by revenue is the ranking by NN.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from povtor.domain.calendar import months_before
from povtor.domain.conversation import Conversation, Promise
from povtor.domain.offers import OfferFacts, Product, script, top_clients_by_revenue
from povtor.domain.plan_records import ClientState
from povtor.domain.plan_rules.backend_offer import backend_offer
from povtor.domain.plan_rules.cross_sell import cross_sell_offer
from povtor.domain.plan_rules.offer_quota import offer_candidates
from povtor.settings import Settings
from support import Cli, Run, query

TODAY = dt.date(2026, 3, 2)
HEADER = "Номер;Дата;Контрагент;Номенклатура;Количество;Цена"


def fails(cli: Cli, code: int, *args: str) -> Run:
    """A command that must fail with ``code`` and one error line, no traceback."""
    run = cli(*args)
    assert run.exit_code == code and run.exception is None, run.describe()
    assert len(run.stderr_lines) == 1 and run.stderr.startswith("error: "), run.describe()
    return run


def orders(cli: Cli, tmp_path: Path, lines: list[str], name: str = "orders.csv") -> None:
    """Import order lines (number;date;client;product;quantity;price) as paid deals."""
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    cli.ok("import", "orders", str(path))


def plan(cli: Cli, *options: str) -> list[dict[str, Any]]:
    return json.loads(cli.ok("plan", "today", *options, "--format", "json").stdout)


def offered(cli: Cli, marker: str, *options: str) -> list[str]:
    """Clients whose plan item has a reason starting with ``marker``, by name."""
    return sorted(
        item["client"]
        for item in plan(cli, *options)
        if any(part.startswith(marker) for part in item["reason"].split("; "))
    )


# -- the catalog ------------------------------------------------------------------------
def _catalog(cli: Cli) -> None:
    cli.ok("product", "add", "Щебень гранитный 5-20", "--price", "2 150")
    cli.ok("product", "add", "Песок карьерный", "--price", "780,50", "--note", "за тонну")
    cli.ok("product", "add", "Ёлочная смесь", "--price", "1350")
    cli.ok("product", "add", "Топливный модуль", "--price", "1850000", "--backend")
    cli.ok("product", "link", "щебень", "песок")


@pytest.fixture
def catalog(prepared: Callable[..., Cli]) -> Cli:
    return prepared("products-catalog", _catalog)


def test_add_prints_the_id_and_list_sorts_and_searches_cyrillic(cli: Cli) -> None:
    run = cli.ok("product", "add", "Щебень гранитный 5-20", "--price", "2 150")
    assert run.stdout == "1\n"
    assert run.stderr == "added product #1 Щебень гранитный 5-20\n"
    backend = cli.ok("product", "add", "Топливный модуль", "--price", "1850000", "--backend")
    assert backend.stdout == "2\n" and "(backend)" in backend.stderr
    cli.ok("product", "add", "Ёлочная смесь")
    cli.ok("product", "add", "арматура А500С")
    assert cli.csv("product", "list").splitlines() == [
        "id,name,price,currency,backend,buyers,related,note",
        "4,арматура А500С,,RUB,False,0,,",
        "3,Ёлочная смесь,,RUB,False,0,,",  # ё sorts with е, before т and щ
        "2,Топливный модуль,1850000.00,RUB,True,0,,",
        "1,Щебень гранитный 5-20,2150.00,RUB,False,0,,",
    ]
    # folded search: any case, ё = е
    assert [
        line.split(",")[1] for line in cli.csv("product", "list", "-s", "ЕЛОЧН").splitlines()[1:]
    ] == ["Ёлочная смесь"]
    assert cli.csv("product", "list", "--backend").splitlines()[1:] == [
        "2,Топливный модуль,1850000.00,RUB,True,0,,"
    ]
    assert cli.csv("product", "list", "--search", "нет такого").splitlines() == [
        "id,name,price,currency,backend,buyers,related,note"
    ]


def test_show_has_related_products_and_buyers(catalog: Cli, tmp_path: Path) -> None:
    orders(
        catalog,
        tmp_path,
        [
            "1;2026-02-10;Ромашка;Щебень гранитный 5-20;10;2150",
            "2;2026-02-12;Ромашка;Щебень гранитный 5-20;5;2150",
            "3;2026-02-15;Лютик;ЩЕБЕНЬ ГРАНИТНЫЙ 5-20;1;2150",
        ],
    )
    card = json.loads(catalog.ok("product", "show", "щебень", "--format", "json").stdout)
    assert card["name"] == "Щебень гранитный 5-20" and card["price"] == "2150.00"
    assert (card["buyers"], card["deals_won"], card["last_sold_on"]) == (2, 3, "2026-02-15")
    assert [r["name"] for r in card["related"]] == ["Песок карьерный"]
    sand = json.loads(catalog.ok("product", "show", "#2", "--format", "json").stdout)
    assert [r["name"] for r in sand["related_from"]] == ["Щебень гранитный 5-20"]
    assert sand["buyers"] == 0 and sand["note"] == "за тонну"
    table = catalog.ok("product", "show", "щебень").stdout
    assert "2 client(s) bought it in 3 paid deal(s), last on 2026-02-15" in table
    assert "#2 Песок карьерный" in table
    listed = catalog.csv("product", "list", "--search", "щебень").splitlines()[1]
    assert listed == "1,Щебень гранитный 5-20,2150.00,RUB,False,2,Песок карьерный,"


def test_edit_link_both_unlink_and_remove(catalog: Cli) -> None:
    run = catalog.ok("product", "edit", "ёлочная", "--name", "Пескосоляная смесь", "--price", "")
    assert run.stderr == "updated product #3 Пескосоляная смесь: name, price\n"
    catalog.ok("product", "edit", "модуль", "--no-backend", "--note", "контейнерная АЗС")
    assert catalog.csv("product", "list", "--backend").splitlines()[1:] == []
    both = catalog.ok("product", "link", "песок", "пескосоляная", "--both")
    assert both.stderr.splitlines() == [
        "linked: #2 Песок карьерный → #3 Пескосоляная смесь",
        "linked: #3 Пескосоляная смесь → #2 Песок карьерный",
    ]
    again = catalog.ok("product", "link", "щебень", "песок")
    assert again.stderr == "already linked: #1 Щебень гранитный 5-20 → #2 Песок карьерный\n"
    assert query(catalog.db, "SELECT product_id, related_id FROM product_link ORDER BY 1, 2") == [
        (1, 2),
        (2, 3),
        (3, 2),
    ]
    catalog.ok("product", "unlink", "песок", "пескосоляная", "--both")
    catalog.ok("product", "remove", "пескосоляная")
    assert query(catalog.db, "SELECT product_id, related_id FROM product_link") == [(1, 2)]
    assert [r[0] for r in query(catalog.db, "SELECT name FROM product ORDER BY id")] == [
        "Щебень гранитный 5-20",
        "Песок карьерный",
        "Топливный модуль",
    ]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("product", "add", "ЩЕБЕНЬ гранитный 5-20"), 5, "exists already (#1)"),
        (("product", "add", "елочная СМЕСЬ"), 5, "«Ёлочная смесь» exists already"),
        (("product", "add", "Гравий", "--price", "-100"), 2, "negative"),
        (("product", "add", "Гравий", "--price", "дорого"), 2, "not an amount"),
        (("product", "add", "Гравий", "--currency", "рубли"), 2, "not a currency code"),
        (("product", "add", "  "), 2, "must not be empty"),
        (("product", "add", "42"), 2, "reads as a product id"),
        (("product", "add", "Щебень; мытый"), 2, "holds ';', which separates the related"),
        (("product", "edit", "песок", "--name", "Песок; речной"), 2, "holds ';'"),
        (("product", "edit", "песок", "--name", "Щебень гранитный 5-20"), 5, "exists already"),
        (("product", "edit", "песок"), 2, "nothing to change"),
        (("product", "show", "гравий"), 3, "no product matches 'гравий'"),
        (("product", "show", "#99"), 3, "no product #99"),
        (("product", "link", "щебень", "щебень"), 2, "cannot be related to itself"),
        (("product", "link", "щебень", "гравий"), 3, "no product matches"),
        (("product", "unlink", "песок", "щебень"), 3, "no link #2 Песок карьерный → #1"),
        (("product", "remove", "гравий"), 3, "no product matches"),
        (("deal", "product", "add", "99", "щебень"), 3, "no deal #99"),
    ],
)
def test_bad_input_is_one_line_an_exit_code_and_no_change(
    catalog: Cli, dump: Callable[[], str | None], args: tuple[str, ...], code: int, words: str
) -> None:
    before = dump()
    run = fails(catalog, code, *args)
    assert words in run.stderr
    assert dump() == before


def test_an_ambiguous_name_lists_the_matches(catalog: Cli) -> None:
    catalog.ok("product", "add", "Песок речной")
    run = fails(catalog, 4, "product", "show", "песок")
    assert "matches 2 products: #2 Песок карьерный; #5 Песок речной" in run.stderr
    # an exact name or a whole-word prefix beats a substring
    assert json.loads(catalog.ok("product", "show", "песок речной", "-f", "json").stdout)["id"] == 5


def test_products_in_deals_and_a_sold_product_cannot_be_removed(
    catalog: Cli, dump: Callable[[], str | None]
) -> None:
    catalog.add_client("Ромашка")
    deal = catalog.open_deal(
        "Ромашка", "--stage", "invoice", "--product", "щебень", "--product", "2", "--product", "1"
    )
    shown = json.loads(catalog.ok("deal", "show", str(deal), "--format", "json").stdout)
    assert shown["products"] == [
        {"id": 2, "name": "Песок карьерный"},
        {"id": 1, "name": "Щебень гранитный 5-20"},
    ]
    assert (
        "Products        #2 Песок карьерный; #1 Щебень гранитный 5-20"
        in catalog.ok("deal", "show", str(deal)).stdout
    )
    run = catalog.ok("deal", "product", "add", str(deal), "модуль")
    assert run.stderr == f"added deal #{deal} Ромашка: #4 Топливный модуль\n"
    assert "already in" in catalog.ok("deal", "product", "add", str(deal), "модуль").stderr
    catalog.ok("deal", "product", "remove", str(deal), "модуль")
    before = dump()
    run = fails(catalog, 3, "deal", "product", "remove", str(deal), "модуль")
    assert f"deal #{deal} has no product #4 Топливный модуль" in run.stderr
    run = fails(catalog, 5, "product", "remove", "щебень")
    assert f"is in 1 deal(s) (#{deal})" in run.stderr
    assert f"povtor deal product remove {deal} 1" in run.stderr
    # an unknown product leaves no deal behind
    fails(catalog, 3, "deal", "open", "Ромашка", "--product", "гравий")
    assert dump() == before


def test_import_orders_puts_catalog_products_in_the_deals(catalog: Cli, tmp_path: Path) -> None:
    path = tmp_path / "заказы.csv"
    path.write_text(
        HEADER + "\n1;2026-02-10;Ромашка;щебень ГРАНИТНЫЙ 5-20;2;2150\n"
        "1;2026-02-10;Ромашка;Цемент М500;1;8900\n",
        encoding="utf-8",
    )
    run = catalog.ok("import", "orders", str(path))
    assert "заказы.csv: products of the catalog in the deals: Щебень гранитный 5-20 (1)" in (
        run.stderr
    )
    assert query(catalog.db, "SELECT deal_id, product_id FROM deal_product") == [(1, 1)]
    catalog.ok("import", "orders", str(path))  # again: the deal is unchanged, nothing doubles
    assert query(catalog.db, "SELECT deal_id, product_id FROM deal_product") == [(1, 1)]


# -- backend offers to the top 10% -----------------------------------------------------------
def _twenty_clients(cli: Cli, tmp_path: Path) -> None:
    """20 clients with revenues 10 000 … 200 000 (Клиент 20 the biggest), a backend product
    and a client without purchases; a service touch for each, so nothing else is due."""
    lines = [f"{n};2026-02-10;Клиент {n:02d};Щебень;1;{n * 10_000}" for n in range(1, 21)]
    orders(cli, tmp_path, lines)
    cli.ok("product", "add", "Комплектация объекта под ключ", "--price", "4800000", "--backend")
    cli.ok("product", "add", "Топливный модуль", "--price", "1850000", "--backend")
    cli.add_client("Без покупок")
    for n in range(1, 21):
        cli.ok(
            "nudge",
            "log",
            "--client",
            f"Клиент {n:02d}",
            "--kind",
            "service",
            "--answer",
            "ok",
            "--on",
            "-10",
        )


@pytest.fixture
def twenty(prepared: Callable[..., Cli], tmp_path: Path) -> Cli:
    return prepared("products-twenty", lambda cli: _twenty_clients(cli, tmp_path))


def test_backend_offers_go_to_exactly_the_top_10_percent(twenty: Cli) -> None:
    # 20 buying clients: ceil(10% × 20) = 2; the client without purchases does not count
    assert offered(twenty, "backend offer") == ["Клиент 19", "Клиент 20"]
    top = twenty.csv("stats", "abc", "--top").splitlines()[1:]
    assert [line.split(",")[2] for line in top] == ["Клиент 20", "Клиент 19"]
    item = next(i for i in plan(twenty) if i["client"] == "Клиент 20")
    assert item["reason"] == (
        "backend offer: Комплектация объекта под ключ (4 800 000.00 RUB); top 10% by revenue "
        "(#1 of 20 buying clients, 200 000.00 RUB in 12 months)"
    )
    assert item["kind"] == "closing" and item["amount"] == "4800000.00"
    assert "«Комплектация объекта под ключ»" in item["text"] and "да или нет" in item["text"]


def test_a_21st_buyer_makes_the_top_10_percent_three(twenty: Cli, tmp_path: Path) -> None:
    orders(twenty, tmp_path, ["21;2026-02-11;Клиент 21;Щебень;1;500"], "more.csv")
    twenty.ok(
        "nudge",
        "log",
        "--client",
        "Клиент 21",
        "--kind",
        "service",
        "--answer",
        "ok",
        "--on",
        "-10",
    )
    # ceil(10% × 21) = 3: the third-biggest joins, the new small buyer does not
    assert offered(twenty, "backend offer") == ["Клиент 18", "Клиент 19", "Клиент 20"]


def test_no_backend_offer_again_within_the_backend_months(twenty: Cli) -> None:
    twenty.ok(
        "nudge", "log", "--client", "Клиент 20", "--kind", "closing", "--outcome", "no",
        "--purpose", "backend", "--about", "1",
    )  # fmt: skip
    assert offered(twenty, "backend offer") == ["Клиент 19"]  # (20 was touched today anyway)
    # plan.backend_months 6: not before 2026-09-02, six months after the offer
    assert offered(twenty, "backend offer", "--date", "2026-09-01") == ["Клиент 19"]
    assert offered(twenty, "backend offer", "--date", "2026-09-02") == ["Клиент 19", "Клиент 20"]
    again = next(i for i in plan(twenty, "--date", "2026-09-02") if i["client"] == "Клиент 20")
    assert "last backend offer 2026-03-02" in again["reason"]
    twenty.ok("plan", "set", "plan.backend_months", "12")
    assert offered(twenty, "backend offer", "--date", "2026-09-02") == ["Клиент 19"]


def test_backend_offer_skips_a_backend_deal_and_offers_the_next_product(twenty: Cli) -> None:
    # an open deal for a backend product: that client is being offered one already
    twenty.open_deal("Клиент 19", "--product", "модуль")
    assert offered(twenty, "backend offer") == ["Клиент 20"]
    # who bought the most expensive backend product is offered the next one
    deal = twenty.open_deal(
        "Клиент 20", "--stage", "invoice", "--product", "комплектация", "--on", "2026-02-18"
    )
    twenty.ok("deal", "win", str(deal), "--on", "2026-02-20")
    item = next(i for i in plan(twenty, "--date", "2026-03-06") if i["client"] == "Клиент 20")
    assert "backend offer: Топливный модуль (1 850 000.00 RUB)" in item["reason"]


def test_offers_are_paced_biggest_clients_first(twenty: Cli) -> None:
    twenty.ok("plan", "set", "plan.offers_per_day", "1")
    assert offered(twenty, "backend offer") == ["Клиент 20"]
    twenty.ok("plan", "set", "plan.offers_per_day", "0")
    assert offered(twenty, "backend offer") == []


def test_no_offer_to_a_client_touched_in_the_quiet_days(twenty: Cli) -> None:
    twenty.ok("nudge", "log", "--client", "Клиент 20", "--kind", "warming", "--on", "-2")
    assert offered(twenty, "backend offer") == ["Клиент 19"]  # plan.quiet_days 3
    assert offered(twenty, "backend offer", "--date", "2026-03-03") == ["Клиент 19", "Клиент 20"]


# -- cross-sell ---------------------------------------------------------------------------
def _bought(cli: Cli, tmp_path: Path) -> None:
    _catalog(cli)
    orders(
        cli,
        tmp_path,
        [
            "1;2026-02-10;Ромашка;Щебень гранитный 5-20;10;2150",
            "2;2026-02-11;Лютик;Щебень гранитный 5-20;10;2150",
            "2;2026-02-11;Лютик;Песок карьерный;10;780,50",
            "3;2026-02-12;Василёк;Щебень гранитный 5-20;10;2150",
        ],
    )
    for name in ("Ромашка", "Лютик", "Василёк"):
        cli.ok(
            "nudge", "log", "--client", name, "--kind", "service", "--answer", "ok", "--on", "-10"
        )
    cli.open_deal("Василёк", "--title", "новый заказ")


@pytest.fixture
def bought(prepared: Callable[..., Cli], tmp_path: Path) -> Cli:
    return prepared("products-bought", lambda cli: _bought(cli, tmp_path))


def test_who_bought_a_product_is_offered_the_related_one(bought: Cli) -> None:
    items = plan(bought)
    # Лютик bought the sand too; Василёк has an open deal (add the sand to it instead)
    cross = [i for i in items if "cross-sell" in i["reason"]]
    assert [(i["client"], i["reason"]) for i in cross] == [
        (
            "Ромашка",
            "cross-sell: bought Щебень гранитный 5-20 on 2026-02-10; related: Песок карьерный",
        )
    ]
    assert cross[0]["text"] == (
        "Добрый день! Вы берёте у нас «Щебень гранитный 5-20», а к нему часто "
        "заказывают «Песок карьерный». Добавить в следующую поставку — да или нет?"
    )
    # --lang en for one run, or the lang setting: the offer's own draft follows both
    english = [i for i in plan(bought, "--lang", "en") if "cross-sell" in i["reason"]]
    assert [i["client"] for i in english] == ["Ромашка"]
    assert english[0]["text"].startswith("Hello! You buy «Щебень гранитный 5-20»")
    assert plan(bought)[0]["text"] == items[0]["text"]  # the setting is still ru
    bought.ok("plan", "set", "lang", "en")
    text = next(i["text"] for i in plan(bought) if i["client"] == "Ромашка")
    assert text.startswith("Hello! You buy «Щебень гранитный 5-20»")


def test_plan_run_records_the_offer_and_it_rests_for_the_cross_sell_days(bought: Cli) -> None:
    # 3 buyers: the top 10% is one, Лютик (the biggest order), offered the backend module
    run = bought("plan", "run", input="a\na\n")
    assert run.exit_code == 0, run.describe()
    assert "#1 Лютик\n  why: backend offer: Топливный модуль" in run.stdout
    assert "#2 Ромашка\n  why: cross-sell: bought Щебень гранитный 5-20" in run.stdout
    assert query(
        bought.db,
        "SELECT client_id, purpose, purpose_ref, on_date FROM touch WHERE purpose IS NOT NULL",
    ) == [(2, "backend", "4", "2026-03-02"), (1, "cross_sell", "2", "2026-03-02")]
    # plan.cross_sell_days 90: suggested again from 2026-05-31 on
    assert offered(bought, "cross-sell", "--date", "2026-05-30") == []
    assert offered(bought, "cross-sell", "--date", "2026-05-31") == ["Ромашка"]


def test_a_touch_logged_by_hand_about_the_product_by_name_counts(bought: Cli) -> None:
    bought.ok(
        "nudge", "log", "--client", "Ромашка", "--purpose", "cross_sell", "--about",
        "ПЕСОК", "--on", "-5",
    )  # fmt: skip
    assert offered(bought, "cross-sell") == []
    # with a shorter rest the sand is due again
    bought.ok("plan", "set", "plan.cross_sell_days", "3")
    assert offered(bought, "cross-sell") == ["Ромашка"]


# -- the demo -------------------------------------------------------------------------------
def test_the_demo_plan_shows_backend_and_cross_sell_items(cli: Cli, tmp_path: Path) -> None:
    import tomllib

    demo = tmp_path / "demo.db"
    env = {"POVTOR_TODAY": "2026-11-23T09:00"}
    cli.ok("demo", str(demo), env=env)
    scenarios = tomllib.loads(
        (Path(__file__).resolve().parents[1] / "examples" / "demo" / "demo.toml").read_text(
            encoding="utf-8"
        )
    )["scenarios"]
    run = cli.ok("--db", str(demo), "plan", "today", "--all", "--format", "json", env=env)
    items = {i["client"]: i for i in json.loads(run.stdout)}
    names = {r[0]: r[1] for r in query(demo, "SELECT id, name FROM client WHERE status = 'active'")}
    backend = {n for n, i in items.items() if "backend offer:" in i["reason"]}
    cross = {n for n, i in items.items() if "cross-sell:" in i["reason"]}
    assert backend == {names[c] for c in scenarios["backend_offer_clients"]}
    assert cross == {names[c] for c in scenarios["cross_sell_clients"]}
    led = [i for i in items.values() if i["reason"].startswith("cross-sell:")]
    assert led, "a cross-sell item leads at least one client's item"


# -- the pure rules ------------------------------------------------------------------------------
DEFAULTS = Settings({})
RUBBLE = Product(1, "Щебень", 215_000, "RUB", False)
SAND = Product(2, "Песок", 78_000, "RUB", False)
SALT = Product(3, "Пескосоль {зимняя}", 135_000, "RUB", False)
MODULE = Product(4, "Топливный модуль", 185_000_000, "RUB", True)
PLANT = Product(5, "Комплектация объекта", 480_000_000, "RUB", True)
FUEL = Product(6, "ДТ", 6_650_000, "RUB", False)
PRODUCTS = {p.id: p for p in (RUBBLE, SAND, SALT, MODULE, PLANT, FUEL)}


def state(id: int, **changes: Any) -> ClientState:
    base = ClientState(
        id=id, name=f"Клиент {id}", company=None, category="B", person=None, open_deals=0,
        last_touch_on=None,
    )  # fmt: skip
    return dataclasses.replace(base, **changes)


def facts(clients: int = 20, **changes: Any) -> OfferFacts:
    """``clients`` clients with revenue id × 10 000.00; each bought rubble on 2026-02-10."""
    base = OfferFacts(
        today=TODAY,
        products=PRODUCTS,
        related={1: (2, 3, 5), 6: (4,)},
        revenues={i: i * 1_000_000 for i in range(1, clients + 1)},
        bought={i: {1: dt.date(2026, 2, 10)} for i in range(1, clients + 1)},
    )
    return dataclasses.replace(base, **changes)


def test_months_before_keeps_the_day_or_takes_the_month_end() -> None:
    assert months_before(dt.date(2026, 11, 23), 6) == dt.date(2026, 5, 23)
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 3, 2), 12) == dt.date(2025, 3, 2)
    assert months_before(dt.date(2026, 1, 15), 1) == dt.date(2025, 12, 15)


def test_top_10_percent_is_ceil_of_buyers_with_ties_to_the_lower_id() -> None:
    revenues = dict.fromkeys(range(11, 0, -1), 100)  # 11 equal buyers, in no particular order
    revenues[50] = 0  # no revenue: not a buyer
    top = top_clients_by_revenue(revenues)
    assert [(t.client_id, t.rank, t.buyers) for t in top] == [(1, 1, 11), (2, 2, 11)]
    assert top_clients_by_revenue({1: 0}) == []
    assert [t.client_id for t in top_clients_by_revenue(facts(9).revenues)] == [9]


def test_backend_offer_prefers_a_product_linked_from_what_was_bought() -> None:
    data = facts(bought={1: {6: TODAY}, 2: {1: TODAY}, 3: {4: TODAY, 5: TODAY}})
    assert backend_offer(1, data) == MODULE  # fuel buyer: the fuel module, though cheaper
    assert backend_offer(2, data) == PLANT  # rubble links to the object supply
    assert backend_offer(3, data) is None  # bought both
    assert backend_offer(1, dataclasses.replace(data, related={})) == PLANT  # the dearest
    assert backend_offer(1, dataclasses.replace(data, in_open_deals={1: frozenset({5})})) is None
    assert backend_offer(1, dataclasses.replace(data, products={1: RUBBLE})) is None


def test_cross_sell_offer_takes_the_freshest_purchase_and_skips_what_is_settled() -> None:
    data = facts(
        related={1: (2, 3, 4), 6: (2,)},
        bought={1: {1: dt.date(2026, 1, 5), 6: dt.date(2026, 2, 1)}, 2: {1: TODAY, 2: TODAY}},
    )
    x, y, on = cross_sell_offer(1, data, 90) or (None, None, None)
    assert (x, y, on) == (FUEL, SAND, dt.date(2026, 2, 1))  # the latest purchase leads
    x, y, _on = cross_sell_offer(2, data, 90) or (None, None, None)
    assert (x, y) == (RUBBLE, SALT)  # sand bought already; the module is backend
    recent = dataclasses.replace(data, last_cross_sell={(2, 3): dt.date(2025, 12, 3)})
    assert cross_sell_offer(2, recent, 90) is None  # 89 days ago
    assert cross_sell_offer(2, recent, 89) is not None
    pending = dataclasses.replace(data, in_open_deals={2: frozenset({3})})
    assert cross_sell_offer(2, pending, 90) is None
    assert cross_sell_offer(99, data, 90) is None


def test_offer_candidates_pace_skip_and_say_why() -> None:
    clients = {i: state(i) for i in range(1, 21)}
    clients[20] = state(20, last_touch_on=TODAY - dt.timedelta(days=2))  # quiet
    clients[19] = state(19, open_deals=1)  # backend still fine; no cross-sell
    # named a later date
    clients[18] = state(18, talk=Conversation(promise=Promise(TODAY, TODAY + dt.timedelta(days=1))))
    found = offer_candidates(facts(), clients, DEFAULTS)
    assert [(c.client_id, c.rule) for c in found] == [
        (19, "backend"),  # top 10% = 20 and 19; 20 rests
        (17, "cross_sell"),
        (16, "cross_sell"),
        (15, "cross_sell"),
        (14, "cross_sell"),
    ]  # plan.offers_per_day 5, the biggest revenue first
    backend = found[0]
    assert (backend.purpose, backend.purpose_ref, backend.kind) == ("backend", "5", "closing")
    assert backend.amount_minor == PLANT.price_minor
    cross = found[1]
    assert cross.reason == "cross-sell: bought Щебень on 2026-02-10; related: Пескосоль {зимняя}"
    assert (cross.purpose, cross.purpose_ref, cross.days_waiting) == ("cross_sell", "3", 20)
    assert "«Пескосоль {{зимняя}}»" in (cross.script or "")  # braces stay literal when filled
    assert offer_candidates(facts(products={}), clients, DEFAULTS) == []
    assert offer_candidates(facts(), clients, Settings({"plan.offers_per_day": "0"})) == []


def test_a_touch_names_its_product_by_id_or_by_a_part_of_the_name() -> None:
    from povtor.storage.offer_queries import product_of_reference

    products = {p.id: p for p in (RUBBLE, SAND, SALT, MODULE)}
    assert product_of_reference("2", products) == 2
    assert product_of_reference("#4", products) == 4
    assert product_of_reference("99", products) is None
    assert product_of_reference("ПЕСОК", products) == 2  # any case
    assert product_of_reference("пескосоль {ЗИМНЯЯ}", products) == 3
    assert product_of_reference("пес", products) is None  # two names start with it
    assert product_of_reference("гравий", products) is None
    assert product_of_reference(" ", products) is None


def test_scripts_ask_yes_or_no_in_both_languages() -> None:
    assert script("backend", "ru", product="Модуль").endswith("да или нет?")
    assert script("backend", "en", product="Module").endswith("yes or no?")
    assert "«Песок»" in script("cross_sell", "en", product="Песок", bought="Щебень")
    assert script("cross_sell", "xx", product="П", bought="Щ").startswith("{person}, добрый день")

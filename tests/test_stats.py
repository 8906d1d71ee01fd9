"""``povtor stats``: every figure against small databases computed by hand.

Three worlds are built through the CLI, as a seller would (today is 2026-03-02):

* **pipeline** — eight deals of the repeat funnel in February 2026, with touches;
  for ``stats funnel`` and ``stats nudges``;
* **buyers** — five clients and their purchases since June 2025, with spend per
  source; for ``stats repeat``, ``cohorts``, ``sources`` and ``abc``;
* **first** — first-sale deals and touches; for ``stats touches``.

Each expected number is worked out in a comment next to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from support import Cli

FEB = ("--from", "2026-02-01", "--to", "2026-02-28")


def stats(cli: Cli, *args: str) -> list[dict[str, Any]]:
    return json.loads(cli.ok("stats", *args, "--format", "json").stdout)


def paid(cli: Cli, client: str, on: str, amount: str, *options: str) -> int:
    deal = cli.open_deal(client, "--stage", "invoice", "--amount", amount, "--on", on, *options)
    cli.ok("deal", "win", str(deal), "--on", on)
    return deal


# -- the pipeline world -----------------------------------------------------------------------
def _build_pipeline(cli: Cli) -> None:
    for name, category in (("Альфа", "A"), ("Бета", "B"), ("Гамма", "C"), ("Дельта", None)):
        cli.add_client(name, *(("--category", category) if category else ()))
    nudge = ("nudge", "log")
    # D1 Альфа: request 02-02, nudged 02-03 (later), proposal and invoice both on 02-05,
    # nudged 02-09 (no answer), paid 02-10
    d1 = cli.open_deal("Альфа", "--stage", "request", "--on", "2026-02-02")
    cli.ok(
        *nudge,
        "--deal",
        str(d1),
        "--channel",
        "messenger",
        "--outcome",
        "later",
        "--later",
        "2026-02-04",
        "--on",
        "2026-02-03",
    )
    cli.ok("deal", "move", str(d1), "proposal", "--on", "2026-02-05")
    cli.ok("deal", "move", str(d1), "invoice", "--on", "2026-02-05")
    cli.ok(
        *nudge,
        "--deal",
        str(d1),
        "--channel",
        "call",
        "--outcome",
        "no-answer",
        "--on",
        "2026-02-09",
    )
    cli.ok("deal", "win", str(d1), "--amount", "100000", "--on", "2026-02-10")
    # D2 Бета: base 02-03, request 02-04, lost 02-06 «Дорого»
    d2 = cli.open_deal("Бета", "--on", "2026-02-03")
    cli.ok("deal", "move", str(d2), "request", "--on", "2026-02-04")
    cli.ok("deal", "lose", str(d2), "--reason", "Дорого", "--on", "2026-02-06")
    # D3 Гамма: request 02-10, a warming touch 02-11, a pending nudge 02-12; still there
    d3 = cli.open_deal("Гамма", "--stage", "request", "--on", "2026-02-10")
    cli.ok(
        *nudge,
        "--deal",
        str(d3),
        "--kind",
        "warming",
        "--channel",
        "messenger",
        "--on",
        "2026-02-11",
    )
    cli.ok(*nudge, "--deal", str(d3), "--channel", "call", "--on", "2026-02-12")
    # D4 Дельта: proposal 01-20, invoice and paid both on 02-01
    d4 = cli.open_deal("Дельта", "--stage", "proposal", "--on", "2026-01-20")
    cli.ok("deal", "move", str(d4), "invoice", "--on", "2026-02-01")
    cli.ok("deal", "win", str(d4), "--amount", "30000", "--on", "2026-02-01")
    # D5 Альфа: opened at invoice 02-15 and paid the same day by a "yes" nudge
    d5 = cli.open_deal("Альфа", "--stage", "invoice", "--amount", "50000", "--on", "2026-02-15")
    cli.ok(*nudge, "--deal", str(d5), "--channel", "call", "--outcome", "yes", "--on", "2026-02-15")
    # D6 Бета: request 02-20, nudged 02-22 (later, by email), lost 02-25 «дорого»
    d6 = cli.open_deal("Бета", "--stage", "request", "--on", "2026-02-20")
    cli.ok(
        *nudge,
        "--deal",
        str(d6),
        "--channel",
        "email",
        "--outcome",
        "later",
        "--later",
        "+3",
        "--on",
        "2026-02-22",
    )
    cli.ok("deal", "lose", str(d6), "--reason", "дорого", "--on", "2026-02-25")
    # D7 Гамма: base 02-26, moved to request by a "yes" nudge 02-27
    d7 = cli.open_deal("Гамма", "--on", "2026-02-26")
    cli.ok(
        *nudge,
        "--deal",
        str(d7),
        "--channel",
        "messenger",
        "--outcome",
        "yes",
        "--on",
        "2026-02-27",
    )
    # D8 Дельта: request 01-10 (nudged 01-12), lost 01-15, reopened at proposal 02-03,
    # invoice 02-09; open since
    d8 = cli.open_deal("Дельта", "--stage", "request", "--on", "2026-01-10")
    cli.ok(
        *nudge,
        "--deal",
        str(d8),
        "--channel",
        "call",
        "--outcome",
        "later",
        "--later",
        "+2",
        "--on",
        "2026-01-12",
    )
    cli.ok("deal", "lose", str(d8), "--reason", "нет бюджета", "--on", "2026-01-15")
    cli.ok("deal", "reopen", str(d8), "--stage", "proposal", "--on", "2026-02-03")
    cli.ok("deal", "move", str(d8), "invoice", "--on", "2026-02-09")
    # client-level touches: a closing "no" (no deal; Бета had none open that day, so it
    # loses none), three warming ones, a service one
    cli.ok(*nudge, "--client", "Бета", "--kind", "closing", "--outcome", "no", "--on", "2026-02-14")
    cli.ok(*nudge, "--client", "Альфа", "--on", "2026-02-04")
    cli.ok(*nudge, "--client", "Альфа", "--channel", "gift", "--on", "2026-02-05")
    cli.ok(*nudge, "--client", "Бета", "--channel", "call", "--on", "2026-02-06")
    cli.ok(*nudge, "--client", "Альфа", "--kind", "service", "--on", "2026-02-20")
    assert (d1, d2, d3, d4, d5, d6, d7, d8) == (1, 2, 3, 4, 5, 6, 7, 8)


@pytest.fixture
def pipeline(prepared: Callable[..., Cli]) -> Cli:
    return prepared("stats-pipeline", _build_pipeline)


def _stage(row: dict[str, Any]) -> tuple[Any, ...]:
    keys = (
        "entered",
        "moved_on",
        "to_next",
        "reached_paid",
        "to_paid",
        "stays",
        "median_days",
        "mean_days",
        "open_stays",
        "now",
    )
    return tuple(row[k] for k in keys)


def test_funnel_stages_in_february(pipeline: Cli) -> None:
    rows = stats(pipeline, "funnel", *FEB)
    assert [r["stage"] for r in rows] == ["base", "request", "proposal", "invoice", "paid"]
    by = {r["stage"]: _stage(r) for r in rows}
    # base: D2 and D7 entered, both moved to request a day later; none sits there now
    assert by["base"] == (2, 2, 1.0, 0, 0.0, 2, 1, 1, 0, 0)
    # request: D1 D2 D3 D6 D7 entered; only D1 moved on (and was paid); finished stays
    # D1 3 days, D2 2 (its loss ends the stay), D6 5: median 3, mean 3.3; D3 and D7
    # are still there (open stays, not in the median) and are the 2 open deals now
    assert by["request"] == (5, 1, 0.2, 1, 0.2, 3, 3, 3.3, 2, 2)
    # proposal: D1 (02-05) and D8 (reopened 02-03) entered, D4's entry was in January;
    # both moved to invoice; D1 was paid; stays 0 (same day) and 6: median 3
    assert by["proposal"] == (2, 2, 1.0, 1, 0.5, 2, 3, 3, 0, 0)
    # invoice: D4 D1 D8 D5; D4 D1 D5 paid; stays D1 5, D4 0, D5 0 -> median 0,
    # mean 5/3 = 1.7; D8 still there
    assert by["invoice"] == (4, 3, 0.75, 3, 0.75, 3, 0, 1.7, 1, 1)
    # paid: D4, D1, D5 were paid in February; the other figures do not apply
    assert by["paid"] == (3, None, None, None, None, None, None, None, None, None)


def test_funnel_closed_deals_and_loss_reasons(pipeline: Cli) -> None:
    # won D1 (8 days from opening), D4 (12), D5 (0: paid the day it opened); lost D2, D6;
    # D8 lost in January and is open again: not closed
    assert stats(pipeline, "funnel", *FEB, "--part", "closed") == [
        {
            "won": 3,
            "lost": 2,
            "win_rate": 0.6,
            "median_days_to_paid": 8,
            "mean_days_to_paid": 6.7,
        }
    ]
    # «Дорого» and «дорого» are one reason
    assert stats(pipeline, "funnel", *FEB, "--part", "reasons") == [
        {"reason": "Дорого", "lost": 2, "share": 1.0}
    ]


def test_funnel_as_of_an_earlier_day_ignores_what_came_after(pipeline: Cli) -> None:
    run = ("funnel", "--from", "2026-02-01", "--to", "2026-02-28")
    rows = json.loads(
        pipeline.ok("--today", "2026-02-05", "stats", *run, "--format", "json").stdout
    )
    by = {r["stage"]: _stage(r) for r in rows}
    # as of 02-05: D2 sits in request (its loss on 02-06 is in the future), D1's payment
    # on 02-10 has not happened, D8 sits in proposal, D1 in invoice
    assert by["base"] == (1, 1, 1.0, 0, 0.0, 1, 1, 1, 0, 0)
    assert by["request"] == (2, 1, 0.5, 0, 0.0, 1, 3, 3, 1, 1)
    assert by["proposal"] == (2, 1, 0.5, 0, 0.0, 1, 0, 0, 1, 1)
    assert by["invoice"] == (2, 1, 0.5, 1, 0.5, 1, 0, 0, 1, 1)
    assert by["paid"][0] == 1
    closed = json.loads(
        pipeline.ok(
            "--today", "2026-02-05", "stats", *run, "--part", "closed", "--format", "json"
        ).stdout
    )
    assert closed == [
        {
            "won": 1,
            "lost": 0,
            "win_rate": 1.0,
            "median_days_to_paid": 12,
            "mean_days_to_paid": 12,
        }
    ]


def test_funnel_in_january_still_shows_the_loss_later_reopened(pipeline: Cli) -> None:
    run = ("stats", "funnel", "--period", "month", "--date", "2026-01-15")
    closed = json.loads(
        pipeline.ok("--today", "2026-01-31", *run, "--part", "closed", "-f", "json").stdout
    )
    assert closed[0]["lost"] == 1 and closed[0]["won"] == 0 and closed[0]["win_rate"] == 0.0
    reasons = json.loads(
        pipeline.ok("--today", "2026-01-31", *run, "--part", "reasons", "-f", "json").stdout
    )
    assert reasons == [{"reason": "нет бюджета", "lost": 1, "share": 1.0}]
    # as of today, D8 is open again: January closed nothing
    today = stats(
        pipeline, "funnel", "--period", "month", "--date", "2026-01-15", "--part", "closed"
    )
    assert today[0]["lost"] == 0 and today[0]["win_rate"] is None


def test_funnel_table_draws_bars_and_all_parts(pipeline: Cli) -> None:
    out = pipeline.ok("stats", "funnel", *FEB, "--format", "table").stdout
    assert "Funnel repeat, 2026-02-01 – 2026-02-28 (as of 2026-03-02)" in out
    assert "█" in out
    assert "Deals closed in the period" in out and "Loss reasons" in out
    assert "Win rate" in out and "60.0%" in out


def test_funnel_csv_is_stable(pipeline: Cli) -> None:
    out = pipeline.csv("stats", "funnel", *FEB)
    lines = out.splitlines()
    assert lines[0] == (
        "position,stage,name,entered,moved_on,to_next,reached_paid,to_paid,stays,"
        "median_days,mean_days,open_stays,now"
    )
    assert lines[2] == "2,request,Запрос,5,1,0.2,1,0.2,3,3,3.3,2,2"
    assert lines[5] == "5,paid,Оплата получена,3,,,,,,,,,"


def test_nudges_by_outcome_channel_and_stage(pipeline: Cli) -> None:
    rows = {(r["by"], r["group"]): r for r in stats(pipeline, "nudges", *FEB)}
    keys = (
        "closing",
        "yes",
        "no",
        "later",
        "no_answer",
        "pending",
        "decision_rate",
        "on_deal",
        "nudged_deals",
        "paid_deals",
        "nudge_to_order",
        "warming",
        "warming_per_closing",
    )

    def figures(by: str, group: str) -> tuple[Any, ...]:
        return tuple(rows[(by, group)][k] for k in keys)

    # closing touches in February: D1 later (messenger) and no answer (call), D3 pending
    # (call), D6 later (email), Бета no (no deal), D7 yes (messenger), D5 yes (call);
    # decided 5 of 7; on a deal 6, on five deals (D1 twice), of which D1 and D5 were paid
    # after their nudges: 2 orders of 5 nudged deals (per touch it would be 3 of 6);
    # warming: Альфа 2, Бета 1, D3 1 -> 4 per 7 closing = 0.57
    assert figures("all", "all") == (7, 2, 1, 2, 1, 1, 0.7143, 6, 5, 2, 0.4, 4, 0.57)
    assert figures("channel", "call") == (3, 1, 0, 0, 1, 1, 0.3333, 3, 3, 2, 0.6667, 1, 0.33)
    assert figures("channel", "email") == (1, 0, 0, 1, 0, 0, 1.0, 1, 1, 0, 0.0, 0, 0)
    assert figures("channel", "messenger") == (2, 1, 0, 1, 0, 0, 1.0, 2, 2, 1, 0.5, 1, 0.5)
    assert figures("channel", "gift") == (0, 0, 0, 0, 0, 0, None, 0, 0, 0, None, 1, None)
    assert figures("channel", "other") == (1, 0, 1, 0, 0, 0, 1.0, 0, 0, 0, None, 1, 1)
    assert figures("stage", "repeat/base") == (1, 1, 0, 0, 0, 0, 1.0, 1, 1, 0, 0.0, 0, 0)
    assert figures("stage", "repeat/request") == (
        3, 0, 0, 2, 0, 1, 0.6667, 3, 3, 1, 0.3333, 1, 0.33,
    )  # fmt: skip
    assert figures("stage", "repeat/invoice") == (2, 1, 0, 0, 1, 0, 0.5, 2, 2, 2, 1.0, 0, 0)
    assert figures("stage", "(no deal)") == (1, 0, 1, 0, 0, 0, 1.0, 0, 0, 0, None, 3, 3)
    assert list(rows) == [
        ("all", "all"),
        ("channel", "call"),
        ("channel", "email"),
        ("channel", "messenger"),
        ("channel", "gift"),
        ("channel", "other"),
        ("stage", "repeat/base"),
        ("stage", "repeat/request"),
        ("stage", "repeat/invoice"),
        ("stage", "(no deal)"),
    ]


def test_nudges_table_compares_with_the_five_to_one_rule(pipeline: Cli) -> None:
    out = pipeline.ok("stats", "nudges", *FEB, "-f", "table").stdout
    assert "Warming:closing 4:7 = 0.57:1, below the rule of 5:1" in out


def test_nudge_conversion_counts_only_payments_by_the_as_of_date(pipeline: Cli) -> None:
    # as of 02-09, D1 is not paid yet: of the 2 closing touches on deals (D1 on 02-03
    # and 02-09), on one deal, none brought an order
    rows = json.loads(
        pipeline.ok(
            "--today", "2026-02-09", "stats", "nudges", "--from", "2026-02-01", "-f", "json"
        ).stdout
    )
    assert (rows[0]["closing"], rows[0]["on_deal"]) == (2, 2)
    assert (rows[0]["nudged_deals"], rows[0]["paid_deals"]) == (1, 0)
    assert rows[0]["nudge_to_order"] == 0.0


# -- the buyers world -------------------------------------------------------------------------
def _build_buyers(cli: Cli) -> None:
    cli.add_client("Альфа", "--category", "A", "--source", "выставка", "--created", "2025-05-01")
    cli.add_client("Бета", "--category", "B", "--source", "Сайт", "--created", "2025-10-01")
    cli.add_client("Гамма", "--category", "C", "--source", "сайт", "--created", "2025-10-05")
    cli.add_client("Дельта", "--created", "2025-11-20")
    cli.add_client("Ёж", "--category", "C", "--source", "выставка", "--created", "2025-11-01")
    paid(cli, "Альфа", "2025-06-01", "200000")
    paid(cli, "Альфа", "2025-07-01", "1000", "--currency", "USD")
    paid(cli, "Альфа", "2025-09-01", "100000")
    paid(cli, "Альфа", "2026-02-10", "100000")
    paid(cli, "Альфа", "2026-02-15", "50000")
    paid(cli, "Бета", "2025-10-15", "80000")
    paid(cli, "Дельта", "2025-12-01", "30000")
    paid(cli, "Дельта", "2026-02-01", "30000")
    paid(cli, "Ёж", "2025-11-10", "10000")
    paid(cli, "Ёж", "2025-11-10", "15000")
    # an open deal and a lost one buy nothing
    cli.open_deal("Гамма", "--amount", "999999", "--on", "2025-12-01")
    lost = cli.open_deal("Бета", "--amount", "70000", "--on", "2026-01-10")
    cli.ok("deal", "lose", str(lost), "--reason", "дорого", "--on", "2026-01-20")
    spend = ("stats", "spend", "add")
    cli.ok(*spend, "Выставка", "90000", "--from", "2025-11-01", "--to", "2025-11-30")
    cli.ok(*spend, "сайт", "30000", "--from", "2025-12-15", "--to", "2026-01-13", "--note", "ads")
    cli.ok(*spend, "сайт", "100", "--from", "2025-10-01", "--to", "2025-10-31", "--currency", "USD")


@pytest.fixture
def buyers(prepared: Callable[..., Cli]) -> Cli:
    return prepared("stats-buyers", _build_buyers)


REPEAT_KEYS = (
    "buyers",
    "repeat_buyers",
    "repeat_rate",
    "purchases",
    "median_days_between",
    "mean_days_between",
    "silent",
    "silent_share",
    "revenue",
    "average_check",
)


def _repeat(rows: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {r["category"]: tuple(r[k] for k in REPEAT_KEYS) for r in rows}


def test_repeat_purchases_as_of_today(buyers: Cli) -> None:
    rows = _repeat(stats(buyers, "repeat"))
    # Альфа 5 purchases (one in USD: counted, but not in RUB money), gaps 30 62 162 5;
    # Бета 1 (silent: 138 days); Дельта 2, gap 62; Ёж 2 on one day: one purchase occasion,
    # so no gap and not a repeat buyer (silent: 112 days); Гамма none. Pooled gaps
    # 5 30 62 62 162: median 62, mean 64.2.
    # Revenue 450 000 + 80 000 + 60 000 + 25 000 = 615 000 over 9 RUB deals: 68 333.33
    assert rows["all"] == (4, 2, 0.5, 10, 62, 64.2, 2, 0.5, "615000.00", "68333.33")
    assert rows["A"] == (1, 1, 1.0, 5, 46, 64.8, 0, 0.0, "450000.00", "112500.00")
    assert rows["B"] == (1, 0, 0.0, 1, None, None, 1, 1.0, "80000.00", "80000.00")
    assert rows["C"] == (1, 0, 0.0, 2, None, None, 1, 1.0, "25000.00", "12500.00")
    assert rows["none"] == (1, 1, 1.0, 2, 62, 62, 0, 0.0, "60000.00", "30000.00")


def test_repeat_silent_days_and_first_purchase_cohort(buyers: Cli) -> None:
    # --silent-days 120: only Бета (138 days) is silent
    assert stats(buyers, "repeat", "--silent-days", "120")[0]["silent"] == 1
    # first purchase in Q4 2025: Бета, Ёж, Дельта (Альфа began in June); only Дельта
    # bought on two days
    rows = _repeat(stats(buyers, "repeat", "--from", "2025-10-01", "--to", "2025-12-31"))
    assert rows["all"][:4] == (3, 1, 0.3333, 5)
    assert rows["A"][0] == 0 and rows["A"][2] is None


def test_repeat_as_of_an_earlier_day(buyers: Cli) -> None:
    rows = json.loads(buyers.ok("--today", "2026-02-12", "stats", "repeat", "-f", "json").stdout)
    # Альфа's 02-15 purchase is in the future: 4 purchases, 9 in all
    assert (rows[0]["purchases"], rows[1]["purchases"]) == (9, 4)
    assert rows[0]["revenue"] == "565000.00"


def test_repeat_money_in_another_currency(buyers: Cli) -> None:
    rows = _repeat(stats(buyers, "repeat", "--currency", "usd"))
    assert rows["all"][8:] == ("1000.00", "1000.00")
    assert rows["all"][3] == 10  # purchases count whatever their currency


def test_cohorts_retention_triangle(buyers: Cli) -> None:
    rows = {r["cohort"]: r for r in stats(buyers, "cohorts")}
    # the 12 months up to March 2026, from the first purchase on record (2025-06)
    assert list(rows) == [
        "2025-06",
        "2025-07",
        "2025-08",
        "2025-09",
        "2025-10",
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    cells = [f"m{k}" for k in range(1, 13)]
    # Альфа: bought in July (m1), September (m3), February (m8); March (m9) runs to
    # today; April on has not begun
    assert [rows["2025-06"][c] for c in cells] == [
        1.0,
        0.0,
        1.0,
        0.0,
        0.0,
        0.0,
        0.0,
        1.0,
        0.0,
        None,
        None,
        None,
    ]
    assert rows["2025-06"]["size"] == 1
    assert rows["2025-07"]["size"] == 0 and rows["2025-07"]["m1"] is None
    # Ёж bought twice in November: the second purchase is in m0, not m1
    assert [rows["2025-11"][c] for c in cells[:5]] == [0.0, 0.0, 0.0, 0.0, None]
    # Дельта: December, then February (m2)
    assert [rows["2025-12"][c] for c in cells[:4]] == [0.0, 1.0, 0.0, None]
    assert rows["2026-03"]["size"] == 0


def test_cohorts_for_a_chosen_year(buyers: Cli) -> None:
    rows = stats(buyers, "cohorts", "--period", "year", "--date", "2025-06-01")
    assert rows[0]["cohort"] == "2025-06" and rows[-1]["cohort"] == "2025-12"
    assert [r["size"] for r in rows] == [1, 0, 0, 0, 1, 1, 1]


def test_sources_with_spend_and_acps(buyers: Cli) -> None:
    rows = stats(buyers, "sources", "--period", "quarter", "--date", "2025-11-15")
    # leads created in Q4 2025: Бета and Гамма («Сайт»/«сайт»: one source), Ёж
    # (выставка), Дельта (no source); spend: выставка 90 000 in November; сайт 30 000
    # over 2025-12-15..2026-01-13 (30 days), 17 of them in the quarter: 17 000;
    # the USD spend is not RUB
    assert rows == [
        {
            "source": "Сайт",
            "leads": 2,
            "paying": 1,
            "conversion": 0.5,
            "spend": "17000.00",
            "acps": "17000.00",
            "paid_deals": 1,
            "average_check": "80000.00",
            "volume": "80000.00",
        },
        {
            "source": "(none)",
            "leads": 1,
            "paying": 1,
            "conversion": 1.0,
            "spend": None,
            "acps": None,
            "paid_deals": 2,
            "average_check": "30000.00",
            "volume": "60000.00",
        },
        {
            "source": "выставка",
            "leads": 1,
            "paying": 1,
            "conversion": 1.0,
            "spend": "90000.00",
            "acps": "90000.00",
            "paid_deals": 2,
            "average_check": "12500.00",
            "volume": "25000.00",
        },
    ]


def test_sources_spend_without_paying_clients_has_no_acps(buyers: Cli) -> None:
    rows = stats(buyers, "sources", "--period", "month", "--date", "2026-01-01")
    # no client came in January; сайт spent 13/30 of 30 000 = 13 000 in January
    assert rows == [
        {
            "source": "сайт",
            "leads": 0,
            "paying": 0,
            "conversion": None,
            "spend": "13000.00",
            "acps": None,
            "paid_deals": 0,
            "average_check": None,
            "volume": "0.00",
        }
    ]


def test_abc_split_and_differences(buyers: Cli) -> None:
    rows = stats(buyers, "abc")
    # trailing 12 months in RUB: Альфа 450 000, Бета 80 000, Дельта 60 000, Ёж 25 000,
    # Гамма 0; total 615 000. Before Бета 73.2% < 80% -> A (though it crosses 80%);
    # before Дельта 86.2% -> B; before Ёж 95.9% -> C; Гамма (no revenue) C
    assert [(r["client"], r["revenue"], r["abc"], r["category"], r["differs"]) for r in rows] == [
        ("Альфа", "450000.00", "A", "A", False),
        ("Бета", "80000.00", "A", "B", True),
        ("Дельта", "60000.00", "B", None, True),
        ("Ёж", "25000.00", "C", "C", False),
        ("Гамма", "0.00", "C", "C", False),
    ]
    assert [r["cumulative_share"] for r in rows] == [0.7317, 0.8618, 0.9593, 1.0, 1.0]
    assert [r["share"] for r in rows][:2] == [0.7317, 0.1301]


def test_abc_top_and_changed(buyers: Cli) -> None:
    # 4 clients bought: the top 10% is ceil(0.4) = 1 client
    assert [r["client"] for r in stats(buyers, "abc", "--top")] == ["Альфа"]
    assert [r["client"] for r in stats(buyers, "abc", "--changed")] == ["Бета", "Дельта"]


def test_abc_window_is_the_trailing_year(buyers: Cli) -> None:
    # as of 2026-06-30 the window starts 2025-07-01: Альфа's June purchase drops out
    rows = json.loads(buyers.ok("--today", "2026-06-30", "stats", "abc", "-f", "json").stdout)
    assert rows[0]["client"] == "Альфа" and rows[0]["revenue"] == "250000.00"


def test_spend_list_and_remove(buyers: Cli) -> None:
    listed = stats(buyers, "spend", "list", "--source", "САЙТ")
    assert [(r["source"], r["days"], r["amount"], r["currency"], r["note"]) for r in listed] == [
        ("сайт", 31, "100.00", "USD", None),
        ("сайт", 30, "30000.00", "RUB", "ads"),
    ]
    run = buyers.ok("stats", "spend", "remove", str(listed[0]["id"]))
    assert "removed spend" in run.stderr
    assert len(stats(buyers, "spend", "list")) == 2
    gone = buyers("stats", "spend", "remove", str(listed[0]["id"]))
    assert gone.exit_code == 3 and "no spend" in gone.stderr


# -- the first-sale world ---------------------------------------------------------------------
def _build_first(cli: Cli) -> None:
    for name in ("Зета", "Тета", "Эта"):
        cli.add_client(name, "--created", "2026-01-01")
    nudge = ("nudge", "log")
    first = ("--funnel", "first")
    # F1 Зета: lead 02-02; warming 02-03, later 02-04, yes x4 (contact, meeting,
    # proposal, invoice), paid 02-12: 6 touches
    f1 = cli.open_deal("Зета", *first, "--on", "2026-02-02")
    cli.ok(*nudge, "--deal", str(f1), "--kind", "warming", "--on", "2026-02-03")
    cli.ok(*nudge, "--deal", str(f1), "--outcome", "later", "--later", "+2", "--on", "2026-02-04")
    for day in ("06", "08", "09", "10"):
        cli.ok(*nudge, "--deal", str(f1), "--outcome", "yes", "--on", f"2026-02-{day}")
    cli.ok("deal", "win", str(f1), "--amount", "20000", "--on", "2026-02-12")
    # F2 Эта: opened at invoice and paid on 02-05: 0 touches
    f2 = cli.open_deal("Эта", *first, "--stage", "invoice", "--on", "2026-02-05")
    cli.ok("deal", "win", str(f2), "--on", "2026-02-05")
    # F3 Эта: lead 01-20, one nudge 01-25, paid 02-20: 1 touch
    f3 = cli.open_deal("Эта", *first, "--on", "2026-01-20")
    cli.ok(*nudge, "--deal", str(f3), "--outcome", "later", "--later", "+3", "--on", "2026-01-25")
    cli.ok("deal", "win", str(f3), "--on", "2026-02-20")
    # F4 paid in January, F5 still open: neither counts
    f4 = cli.open_deal("Тета", *first, "--on", "2026-01-10")
    cli.ok("deal", "win", str(f4), "--on", "2026-01-30")
    cli.open_deal("Тета", *first, "--on", "2026-02-10")
    # a repeat-funnel deal paid in February is not a first sale
    paid(cli, "Тета", "2026-02-11", "5000")
    # client-level touches in February
    for day in ("13", "14", "15", "16"):
        cli.ok(*nudge, "--client", "Зета", "--on", f"2026-02-{day}")
    for day in ("13", "14", "15", "16", "17"):
        cli.ok(*nudge, "--client", "Тета", "--on", f"2026-02-{day}")
    cli.ok(*nudge, "--client", "Тета", "--kind", "closing", "--on", "2026-02-18")
    cli.ok(*nudge, "--client", "Эта", "--on", "2026-02-21")


@pytest.fixture
def first(prepared: Callable[..., Cli]) -> Cli:
    return prepared("stats-first", _build_first)


def test_touches_per_won_first_sale_deal(first: Cli) -> None:
    # F1 6 touches, F2 0 (paid the day it opened), F3 1 (its touch was in January: the
    # count runs from opening to payment): median 1, mean 7/3 = 2.3
    assert stats(first, "touches", *FEB) == [
        {
            "deals": 3,
            "median_touches": 1,
            "mean_touches": 2.3,
            "below_5": 2,
            "below_5_share": 0.6667,
            "from_5_to_12": 1,
            "from_5_to_12_share": 0.3333,
            "above_12": 0,
            "above_12_share": 0.0,
        }
    ]
    assert stats(first, "touches", *FEB, "--part", "distribution") == [
        {"touches": 0, "deals": 1, "share": 0.3333, "band": "below 5"},
        {"touches": 1, "deals": 1, "share": 0.3333, "band": "below 5"},
        {"touches": 6, "deals": 1, "share": 0.3333, "band": "5-12"},
    ]


def test_touches_warming_to_closing_per_client(first: Cli) -> None:
    rows = stats(first, "touches", *FEB, "--part", "clients")
    # Зета: 1 warming on F1 + 4 on the client, 5 closing on F1 (its January-free
    # nudges): 1:1, below 5:1; Тета 5 warming, 1 closing: meets; Эта: warming only
    assert [
        (r["client"], r["warming"], r["closing"], r["warming_per_closing"], r["rule"]) for r in rows
    ] == [
        ("Зета", 5, 5, 1, "below"),
        ("Тета", 5, 1, 5, "meets"),
        ("Эта", 1, 0, None, "no closing"),
    ]


def test_touches_of_another_funnel(first: Cli) -> None:
    summary = stats(first, "touches", *FEB, "--funnel", "repeat")[0]
    assert (summary["deals"], summary["median_touches"]) == (1, 0)


def test_touches_table_shows_summary_and_distribution(first: Cli) -> None:
    out = first.ok("stats", "touches", *FEB, "-f", "table").stdout
    assert "Touches per won first deal" in out and "Distribution" in out
    assert "Median touches" in out and "5-12" in out


# -- empty data, periods and errors -----------------------------------------------------------
def test_every_report_on_an_empty_database_gives_zeros_or_no_data(cli: Cli) -> None:
    stages = stats(cli, "funnel")
    assert [r["entered"] for r in stages] == [0, 0, 0, 0, 0]
    assert stages[0]["to_next"] is None and stages[0]["median_days"] is None
    assert stats(cli, "funnel", "--part", "closed") == [
        {
            "won": 0,
            "lost": 0,
            "win_rate": None,
            "median_days_to_paid": None,
            "mean_days_to_paid": None,
        }
    ]
    assert stats(cli, "funnel", "--part", "reasons") == []
    nudges = stats(cli, "nudges")
    assert nudges == [
        {
            "by": "all",
            "group": "all",
            "closing": 0,
            "yes": 0,
            "no": 0,
            "later": 0,
            "no_answer": 0,
            "pending": 0,
            "decision_rate": None,
            "on_deal": 0,
            "nudged_deals": 0,
            "paid_deals": 0,
            "nudge_to_order": None,
            "warming": 0,
            "warming_per_closing": None,
        }
    ]
    repeat = stats(cli, "repeat")[0]
    assert (repeat["buyers"], repeat["repeat_rate"], repeat["average_check"]) == (0, None, None)
    assert repeat["revenue"] == "0.00"
    assert stats(cli, "cohorts") == []
    assert stats(cli, "sources") == []
    assert stats(cli, "abc") == []
    assert stats(cli, "touches")[0]["median_touches"] is None
    assert stats(cli, "touches", "--part", "clients") == []
    assert stats(cli, "spend", "list") == []
    for report in ("funnel", "nudges", "repeat", "cohorts", "sources", "touches", "abc"):
        run = cli.ok("stats", report, "--format", "table")
        assert "Traceback" not in run.stderr


def test_default_periods_in_titles(cli: Cli) -> None:
    out = cli.ok("stats", "nudges", "-f", "table").stdout
    assert "Nudges, 2026-03-01 – 2026-03-02 (as of 2026-03-02)" in out
    assert "nothing to rank" in cli.ok("stats", "abc", "-f", "table").stderr
    out = cli.ok("stats", "cohorts", "--period", "quarter", "-f", "table").stderr
    assert "no paid deals yet" in out
    out = cli.ok("stats", "sources", "--to", "2026-12-31", "-f", "table").stderr
    assert "no leads" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("funnel", "--period", "month", "--from", "2026-01-01"), "either --period or --from"),
        (("funnel", "--on", "2026-01-01"), "--on goes with --period"),
        (("funnel", "--from", "2026-02-10", "--to", "2026-02-01"), "is after --to"),
        (("nudges", "--period", "week"), "--period: 'week' is not one of"),
        (("repeat", "--from", "2026-04-01"), "after the as-of date 2026-03-02"),
        (("abc", "--period", "month", "--date", "2026-05-01"), "after the as-of date"),
        (("funnel", "--from", "31.02.2026"), "not a real calendar date"),
        (("funnel", "--part", "bars"), "--part: 'bars' is not one of"),
        (("repeat", "--currency", "рубль"), "not a currency code"),
        (("spend", "add", "сайт", "12,3,4", "--period", "month"), "not an amount"),
        (("spend", "add", "сайт", "100"), "say which days"),
        (("spend", "add", "сайт", "100", "--from", "2026-02-02", "--to", "2026-02-01"), "after"),
    ],
)
def test_bad_options_get_one_line_and_exit_2(
    cli: Cli, dump: Callable[[], str | None], args: tuple[str, ...], expected: str
) -> None:
    before = dump()
    run = cli("stats", *args)
    assert run.exit_code == 2, run.describe()
    assert expected in run.stderr and run.stderr.startswith("error: ")
    assert len(run.stderr_lines) == 1 and run.stdout == ""
    assert dump() == before


def test_unknown_funnel_is_not_found(cli: Cli) -> None:
    run = cli("stats", "funnel", "--funnel", "wholesale")
    assert run.exit_code == 3 and "no funnel 'wholesale'" in run.stderr


def test_spend_add_by_period_prints_the_id(cli: Cli) -> None:
    run = cli.ok(
        "stats",
        "spend",
        "add",
        "  Сайт ",
        "1 500,50",
        "--period",
        "month",
        "--date",
        "2026-02-10",
        "--note",
        "контекст",
    )
    assert run.stdout == "1\n"
    assert "recorded spend #1: Сайт 1 500.50 RUB for 2026-02-01 – 2026-02-28" in run.stderr
    assert stats(cli, "spend", "list") == [
        {
            "id": 1,
            "source": "Сайт",
            "period_start": "2026-02-01",
            "period_end": "2026-02-28",
            "days": 28,
            "amount": "1500.50",
            "currency": "RUB",
            "note": "контекст",
        }
    ]


def test_period_to_after_today_is_cut_at_today(pipeline: Cli) -> None:
    out = pipeline.ok(
        "stats", "funnel", "--from", "2026-02-01", "--to", "2026-12-31", "-f", "table"
    ).stdout
    assert "2026-02-01 – 2026-03-02 (as of 2026-03-02)" in out

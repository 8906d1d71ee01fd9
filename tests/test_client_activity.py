"""Each client's activity (``client_activity``, what the plan reads per client) stays equal
to what its touches and deals say after any sequence of writes, and ``db check`` finds a
row that does not (``--repair`` rebuilds it).

Today is Mon 2026-03-02 (conftest.py).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povtor.app.plan import year_figures
from povtor.domain.calendar import trailing_year
from povtor.domain.plan_records import Plan, PlanInput
from povtor.domain.planner import build_plan
from povtor.storage import kept_figures
from povtor.storage.database import open_database
from povtor.storage.location import resolve_location
from povtor.storage.nudge_queries import nudged_deals
from povtor.storage.offer_queries import active_revenues
from povtor.storage.plan_queries import (
    activity_is_current,
    load_plan_facts,
    load_settings,
    paid_totals,
)
from support import TODAY_DATE, Cli, execute, invoke, query, where

MONDAY = dt.date.fromisoformat(TODAY_DATE)


RANKS = {("closing", "yes"): 0, ("closing", "no"): 1, ("closing", "later"): 2}
RANKS |= {("warming", "no"): 3, ("warming", "later"): 4}


def newest(touches: list[dict[str, Any]], rank: Any) -> dict[str, Any]:
    """The newest touch; on a tie of time, the first by (general conversation before the
    referral ask, ``rank``, date, follow-up date with none first, id). None: ``{}``."""
    if not touches:
        return {}
    latest = max(t["at"] for t in touches)
    tied = [t for t in touches if t["at"] == latest]
    return min(
        tied,
        key=lambda t: (
            t["purpose"] is not None,
            rank(t),
            t["on_date"],
            (t["follow_up_on"] is not None, t["follow_up_on"] or ""),
            t["id"],
        ),
    )


def from_history(db: Path) -> dict[int, tuple[Any, ...]]:
    """Each client's activity worked out here, in Python, from its touches and deals."""
    columns = ("id", "client_id", "deal_id", "on_date", "at", "kind", "outcome", "purpose")
    touches: dict[int, list[dict[str, Any]]] = {}
    for row in query(db, f"SELECT {', '.join(columns)}, follow_up_on, reason FROM touch"):
        touch = dict(zip((*columns, "follow_up_on", "reason"), row, strict=True))
        touches.setdefault(touch["client_id"], []).append(touch)
    won: dict[int, str] = {}
    paid: dict[int, list[tuple[str, int, int | None]]] = {}  # (day, deal id, amount)
    for cid, closed_on, deal_id, amount in query(
        db, "SELECT client_id, closed_on, id, amount_minor FROM deal WHERE status = 'won'"
    ):
        won[cid] = max(won.get(cid, closed_on), closed_on)
        paid.setdefault(cid, []).append((closed_on, deal_id, amount))
    found = {}
    for cid in touches.keys() | won.keys():
        own = touches.get(cid, [])
        closings = [(t["on_date"], t["at"]) for t in own if t["kind"] == "closing"]
        closing = max(closings) if closings else None
        warming = sum(
            1
            for t in own
            if t["kind"] == "warming"
            and (closing is None or (t["on_date"] >= closing[0] and t["at"] > closing[1]))
        )
        served = [
            t["on_date"] for t in own if t["kind"] == "service" and t["outcome"] in ("yes", "no")
        ]
        general = [t for t in own if t["deal_id"] is None and t["purpose"] in (None, "referrals")]
        answers = [t for t in general if (t["kind"], t["outcome"]) in RANKS]
        questions = [
            t
            for t in general
            if t["kind"] == "closing" and t["outcome"] in ("no_answer", "pending")
        ]
        found[cid] = (
            max((t["on_date"] for t in own), default=None),
            warming,
            max(served, default=None),
            won.get(cid),
        )
        said = newest(answers, lambda t: RANKS[(t["kind"], t["outcome"])])
        asked = newest(questions, lambda t: t["outcome"] == "pending")
        found[cid] += tuple(
            said.get(name) for name in ("id", "at", "on_date", "kind", "outcome", "follow_up_on")
        )
        found[cid] += (asked.get("at"), asked.get("on_date"))
        deals = sorted(paid.get(cid, []))
        days = ",".join(sorted({day for day, _id, _amount in deals})) or None
        found[cid] += (days, deals[-1][2] if deals else None, said.get("reason"))
    return found


def stored(db: Path) -> dict[int, tuple[Any, ...]]:
    return {
        row[0]: tuple(row[1:])
        for row in query(
            db,
            """SELECT client_id, last_touch_on, warming_since_closing, last_service_on,
                      last_won_on, said_touch_id, said_at, said_on, said_kind, said_outcome,
                      said_follow_up_on, asked_at, asked_on, paid_days, last_paid_amount,
                      said_reason
               FROM client_activity""",
        )
    }


def plan_facts_agree(db: Path, today: dt.date) -> None:
    """The plan's facts read from the activity are those read from the history."""
    database = open_database(resolve_location(where(db)), create=False)
    try:
        since = {"paid_since": today - dt.timedelta(days=90), "lost_since": dt.date(2000, 1, 1)}
        assert activity_is_current(database, today.isoformat())
        quick = load_plan_facts(database, today, **since)
        # (the deals' facts read beside the clients, on a second connection, or after them)
        assert load_plan_facts(database, today, beside=False, **since) == quick
        slow = load_plan_facts(database, today, history=True, **since)
        assert load_plan_facts(database, today, history=True, beside=False, **since) == slow
        plan_settings = load_settings(database)
        # (the revenues the offers rank by: read with the paid deals from the history, by
        # the offer facts otherwise)
        start, end = trailing_year(today)
        revenues = active_revenues(database, start, end)
    finally:
        database.close()
    assert slow.revenues == revenues
    if quick.revenues is None:  # (read only with a product catalog)
        assert not query(db, "SELECT 1 FROM product")
        slow = dataclasses.replace(slow, revenues=None)
    # the clients touched on the day have no item: the activity's facts leave them and
    # their open deals out (their revenue is still counted; but a client made after the
    # day is read, to be left out of that), and the plans are the same
    day = today.isoformat()
    made_later = "SELECT id FROM client WHERE substr(created_on, 1, 10) > ?"
    later = {cid for (cid,) in query(db, made_later, (day,))}
    touched = {
        cid
        for cid, client in slow.clients.items()
        if client.last_touch_on == today and cid not in later
    }
    assert quick == dataclasses.replace(
        slow,
        clients={cid: client for cid, client in slow.clients.items() if cid not in touched},
        deals=tuple(deal for deal in slow.deals if deal.client_id not in touched),
    )
    assert list(quick.clients) == [cid for cid in slow.clients if cid not in touched]
    assert items(build_plan(quick, plan_settings)) == items(build_plan(slow, plan_settings))


def facts_on(db: Path, day: dt.date) -> PlanInput:
    """The plan's facts as of ``day``, from the activity (payments and losses from it)."""
    database = open_database(resolve_location(where(db)), create=False)
    try:
        return load_plan_facts(database, day, paid_since=day, lost_since=day)
    finally:
        database.close()


def items(plan: Plan) -> list[tuple[Any, ...]]:
    return [
        (i.rank, i.client.id, i.priority, *(c.reason for c in (i.primary, *i.others)))
        for i in plan.items
    ]


def kept_figures_hold(db: Path, today: dt.date) -> None:
    """The forecast's figures kept for ``today``, if a write left them valid (carried them
    past itself), are those counted afresh; then they are counted and kept again."""
    database = open_database(resolve_location(where(db)), create=False)
    try:
        kept = kept_figures.kept(database, kept_figures.stamp(database, today))
        if kept is not None:
            start, end = trailing_year(today)
            [everything] = nudged_deals(database, start, end, today)
            counted = kept_figures.YearFigures(
                everything.nudged, everything.paid, paid_totals(database, today)
            )
            assert kept == counted
        year_figures(database, today)  # (kept for the next write)
    finally:
        database.close()


# -- any sequence of writes ---------------------------------------------------------------------
DAYS = st.sampled_from(["", "-1", "-3", "-10"])
OUTCOMES = st.sampled_from(["yes", "no", "later", "no-answer", "pending"])
KINDS = st.sampled_from(["warming", "closing", "service"])


def _on(day: str) -> list[str]:
    return ["--on", day] if day else []


def _outcome(outcome: str) -> list[str]:
    extra = {"no": ["--reason", "дорого"], "later": ["--later", "+5"]}
    return ["--outcome", outcome, *extra.get(outcome, [])]


WRITES = st.one_of(
    st.tuples(st.just("deal touch"), st.integers(1, 4), OUTCOMES, KINDS, DAYS),
    st.tuples(st.just("client touch"), st.integers(1, 2), OUTCOMES, KINDS, DAYS),
    st.tuples(st.just("service"), st.integers(1, 2), st.sampled_from(["ok", "problem"]), DAYS),
    st.tuples(st.just("open"), st.integers(1, 2), st.sampled_from(["request", "proposal"])),
    st.tuples(st.just("move"), st.integers(1, 4), st.sampled_from(["proposal", "invoice", "paid"])),
    st.tuples(st.just("win"), st.integers(1, 4), DAYS),
    st.tuples(st.just("lose"), st.integers(1, 4)),
    st.tuples(st.just("reopen"), st.integers(1, 4)),
    st.tuples(st.just("undo")),
    st.tuples(st.just("delete"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("edit touch"), st.integers(0, 5), KINDS, DAYS),
    st.tuples(st.just("edit deal"), st.integers(1, 4)),
    st.tuples(
        st.just("plan run"),
        st.lists(st.sampled_from(["y", "a", "l\n+3", "n\nдорого", "o", "s"]), max_size=3),
    ),
)


def command(write: tuple[Any, ...], touches: list[int]) -> list[str]:
    what, *rest = write
    if what == "deal touch":
        deal, outcome, kind, day = rest
        return ["nudge", "log", "--deal", str(deal), "--kind", kind, *_outcome(outcome), *_on(day)]
    if what == "client touch":
        client, outcome, kind, day = rest
        args = ["nudge", "log", "--client", str(client), "--kind", kind, *_outcome(outcome)]
        return [*args, *_on(day)]
    if what == "service":
        client, answer, day = rest
        said = ["--answer", "ok"] if answer == "ok" else ["--problem", "не привезли"]
        args = ["nudge", "log", "--client", str(client), "--kind", "service", "--outcome", "yes"]
        return [*args, *said, *_on(day)]
    if what == "open":
        client, stage = rest
        return ["deal", "open", str(client), "--stage", stage, "--on", "-20"]
    if what == "move":
        return ["deal", "move", str(rest[0]), rest[1]]
    if what == "win":
        return ["deal", "win", str(rest[0]), *_on(rest[1])]
    if what == "lose":
        return ["deal", "lose", str(rest[0]), "--reason", "дорого"]
    if what == "reopen":
        return ["deal", "reopen", str(rest[0])]
    if what == "undo":
        return ["nudge", "undo", "--yes"]
    if what == "plan run":  # the answers are typed at its prompts, then it quits
        return ["plan", "run", "--limit", "3"]
    touch = str(touches[rest[0] % len(touches)]) if touches else "1"
    if what == "delete":
        return ["nudge", "delete", touch, "--yes", *(["--only-touch"] if rest[1] else [])]
    if what == "edit touch":
        return ["nudge", "edit", touch, "--kind", rest[1], *_on(rest[2])]
    return ["deal", "edit", str(rest[0]), "--amount", "150000"]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(writes=st.lists(WRITES, min_size=1, max_size=12))
def test_the_activity_and_the_kept_figures_follow_every_write(
    writes: list[tuple[Any, ...]], isolated: Path, migrated_template: Path
) -> None:
    shutil.copy2(migrated_template, isolated)
    cli = Cli(isolated)
    for name in ("Ромашка", "Магистраль"):
        cli.add_client(name)
    for client, stage in ((1, "proposal"), (2, "request"), (1, "invoice"), (2, "proposal")):
        cli.open_deal(str(client), "--stage", stage, "--amount", "100000", "--on", "-30")
    kept_figures_hold(isolated, MONDAY)
    for write in writes:
        touches = [t for (t,) in query(isolated, "SELECT id FROM touch ORDER BY id")]
        typed = "".join(f"{answer}\n" for answer in write[1]) if write[0] == "plan run" else ""
        run = invoke(command(write, touches), input=typed + "q\n" * 3)
        assert run.exception is None, run.describe()  # refused or done, never a traceback
        assert stored(isolated) == from_history(isolated), run.describe()
        kept_figures_hold(isolated, MONDAY)
    assert cli("db", "check").exit_code == 0
    plan_facts_agree(isolated, MONDAY)


# -- the demo, imports, and the plan of a past day ------------------------------------------------
def test_the_demo_and_an_import_fill_the_activity(on_demo: Cli) -> None:
    assert stored(on_demo.db) == from_history(on_demo.db)
    assert len(stored(on_demo.db)) > 10
    plan_facts_agree(on_demo.db, MONDAY)
    lines = "client,kind,on_date,outcome\nБаобаб,warming,2026-03-01,pending\n"
    path = on_demo.db.parent / "touches.csv"
    path.write_text(lines, encoding="utf-8")
    on_demo.ok("client", "add", "Баобаб")
    on_demo.ok("import", "touches", str(path))
    baobab = query(on_demo.db, "SELECT id FROM client WHERE name = 'Баобаб'")[0][0]
    assert stored(on_demo.db)[baobab] == ("2026-03-01", 1, *[None] * 13)
    assert stored(on_demo.db) == from_history(on_demo.db)


def test_an_import_that_wins_a_deal_brings_its_client_up_to_date(on_demo: Cli) -> None:
    deals = list(csv.DictReader(io.StringIO(on_demo.ok("export", "deals").stdout)))
    deal = next(d for d in deals if d["status"] == "open")
    client = int(deal["client_id"])
    before = stored(on_demo.db)
    deal.update(stage="paid", status="won", closed_on=TODAY_DATE, stage_entered_on=TODAY_DATE)
    path = on_demo.db.parent / "deals.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(deal))
        writer.writeheader()
        writer.writerow(deal)
    on_demo.ok("import", "deals", str(path))
    after = stored(on_demo.db)
    assert after[client][3] == TODAY_DATE
    assert {cid: row for cid, row in after.items() if cid != client} == {
        cid: row for cid, row in before.items() if cid != client
    }
    assert after == from_history(on_demo.db)


def test_a_plan_of_a_past_day_reads_the_history(on_demo: Cli) -> None:
    database = open_database(resolve_location(where(on_demo.db)), create=False)
    try:
        newest = max(on for on, *_ in stored(on_demo.db).values() if on)
        assert activity_is_current(database, newest)
        past = dt.date.fromisoformat(newest) - dt.timedelta(days=1)
        assert not activity_is_current(database, past.isoformat())
    finally:
        database.close()
    # the plan of that day is what it was: the same as before the newest touch was logged
    day = past.isoformat()
    shown = on_demo.ok("--today", day, "plan", "today", "--all", "--format", "csv").stdout
    execute(on_demo.db, "DELETE FROM touch WHERE on_date > ?", (day,))
    on_demo.ok("db", "check", "--repair")
    assert on_demo.ok("--today", day, "plan", "today", "--all", "--format", "csv").stdout == shown


def test_a_payment_after_the_plans_day_is_not_one_of_its_paid_days(cli: Cli) -> None:
    # paid on 02-10 and on 02-25; the plan of 02-20 knows only the first payment, though
    # no touch is dated after that day (the client's activity holds both)
    cli.ok("client", "add", "Ромашка")
    for day in ("2026-02-10", "2026-02-25"):
        cli.ok("deal", "open", "Ромашка", "--stage", "invoice", "--amount", "1000", "--on", day)
    cli.ok("deal", "win", "1", "--on", "2026-02-10")
    cli.ok("deal", "edit", "2", "--amount", "2500")
    cli.ok("deal", "win", "2", "--on", "2026-02-25")
    assert stored(cli.db)[1][-3:-1] == ("2026-02-10,2026-02-25", 250000)
    execute(cli.db, "DELETE FROM touch")
    cli.ok("db", "check", "--repair")
    day = dt.date(2026, 2, 20)
    plan_facts_agree(cli.db, day)
    facts = facts_on(cli.db, day)
    assert facts.clients[1].paid_dates == (dt.date(2026, 2, 10),)
    assert facts.clients[1].last_paid_amount == 100000


def test_the_clients_touched_on_the_plans_day_are_left_out_and_their_revenue_counts(
    cli: Cli,
) -> None:
    # a product catalog: the offers rank the buying clients by revenue
    cli.ok("product", "add", "Щебень", "--price", "100000")
    for name in ("Альфа", "Бета", "Гамма"):
        cli.ok("client", "add", name)
        cli.ok("deal", "open", name, "--stage", "invoice", "--amount", "1000", "--on", "-30")
    for deal in ("1", "2", "3"):
        cli.ok("deal", "win", deal, "--on", "-20")
    # Альфа touched on 03-01, Бета today: the plan of 03-01 reads Бета, not Альфа; the plan
    # of today reads Альфа, not Бета. Гамма, made today, is made after the plan of 03-01:
    # read by it (touched on its day or not), to be left out of the revenues
    execute(cli.db, "UPDATE client SET created_on = '2026-03-02' WHERE name = 'Гамма'")
    for name in ("Альфа", "Гамма"):  # (an open deal each: left out with its client, or not)
        cli.ok("deal", "open", name, "--stage", "proposal", "--on", "-25")
    cli.ok("nudge", "log", "--client", "Альфа", "--kind", "warming", "--on", "2026-03-01")
    cli.ok("nudge", "log", "--client", "Гамма", "--kind", "warming", "--on", "2026-03-01")
    plan_facts_agree(cli.db, dt.date(2026, 3, 1))
    cli.ok("nudge", "log", "--client", "Бета", "--kind", "warming")
    plan_facts_agree(cli.db, MONDAY)
    facts = facts_on(cli.db, MONDAY)
    assert sorted(facts.clients) == [1, 3]  # (Бета touched today)
    assert facts.revenues == {1: 100000, 2: 100000, 3: 100000}


# -- db check ----------------------------------------------------------------------------------
def test_db_check_finds_an_activity_row_that_differs_and_repair_rebuilds_it(on_demo: Cli) -> None:
    rows = stored(on_demo.db)
    first, second = sorted(rows)[:2]
    execute(
        on_demo.db,
        "UPDATE client_activity SET warming_since_closing = 40 WHERE client_id = ?",
        (first,),
    )
    execute(on_demo.db, "DELETE FROM client_activity WHERE client_id = ?", (second,))
    checked = on_demo("db", "check", "--format", "json")
    assert checked.exit_code == 6
    found = [f for f in json.loads(checked.stdout) if f["check"] == "activity"]
    assert [(f["status"], f["detail"]) for f in found] == [
        (
            "problem",
            f"client #{first}: warming_since_closing stored 40, from the history {rows[first][1]}",
        ),
        ("problem", f"client #{second}: no row stored"),
    ]
    assert checked.stderr_lines == [
        f"error: {where(on_demo.db)} has 2 problem(s); first: activity: {found[0]['detail']}; "
        "rebuild the activity from the history: povtor db check --repair"
    ]
    assert stored(on_demo.db) != rows  # checking changed nothing
    repaired = on_demo.ok("db", "check", "--repair", "--format", "csv")
    assert "activity,note,rebuilt from the history (2 clients differed)" in repaired.stdout
    assert stored(on_demo.db) == rows
    assert "activity,ok," in on_demo.ok("db", "check", "--format", "csv").stdout


def test_db_check_finds_a_row_for_a_client_with_no_history(cli: Cli) -> None:
    client = cli.add_client("Ромашка")
    execute(
        cli.db,
        "INSERT INTO client_activity (client_id, warming_since_closing) VALUES (?, 0)",
        (client,),
    )
    checked = cli("db", "check", "--format", "csv")
    assert checked.exit_code == 6
    assert (
        f"activity,problem,client #{client}: a row stored for a client with no touch "
        "and no paid deal"
    ) in checked.stdout

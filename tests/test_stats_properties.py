"""Properties of the statistics: rates stay in [0, 1], counts add up, and a report as of
a day never counts anything dated after it (checked on the SQL path, against a
database from which everything after that day was removed)."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povtor.domain import calendar, metrics
from povtor.domain.metrics import Change, Stage
from povtor.storage import stats_queries
from povtor.storage.database import Database, open_database
from povtor.storage.location import resolve_location
from povtor.storage.nudge_queries import nudged_deals

BASE = dt.date(2026, 1, 1)
STAGES = [
    Stage(1, "base", "База", 1, False),
    Stage(2, "request", "Запрос", 2, False),
    Stage(3, "proposal", "КП", 3, False),
    Stage(4, "invoice", "Счёт", 4, False),
    Stage(5, "paid", "Оплата", 5, True),
]
PAID = 5
FAST = settings(max_examples=60, deadline=None)


def in_unit(value: Decimal | None) -> bool:
    return value is None or Decimal(0) <= value <= Decimal(1)


# -- generated deal histories (valid moves, as povtor's commands allow) -----------------------
Event = tuple[str, int | None, int | None, int]  # event, from stage, to stage, day offset


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    stage = draw(st.integers(1, 4))
    day = draw(st.integers(0, 40))
    events: list[Event] = [("open", None, stage, day)]
    status = "open"
    for _ in range(draw(st.integers(0, 6))):
        day += draw(st.sampled_from([0, 0, 1, 2, 5]))  # same-day changes are common
        if status == "open":
            action = draw(st.sampled_from(["move", "move", "win", "lose"]))
            if action == "move":
                target = draw(st.integers(1, 4).filter(lambda p, s=stage: p != s))
                events.append(("move", stage, target, day))
                stage = target
            elif action == "win":
                events.append(("win", stage, PAID, day))
                stage, status = PAID, "won"
            else:
                events.append(("lose", stage, None, day))
                status = "lost"
        else:
            target = draw(st.integers(1, 4))
            events.append(("reopen", stage, target, day))
            stage, status = target, "open"
    return events


def day_of(offset: int) -> dt.date:
    return BASE + dt.timedelta(days=offset)


def changes_of(deals: list[list[Event]], as_of: dt.date) -> list[Change]:
    return [
        Change(deal_id, event, to, day_of(offset))
        for deal_id, history in enumerate(deals, start=1)
        for event, _from, to, offset in history
        if day_of(offset) <= as_of
    ]


# -- domain properties ------------------------------------------------------------------------
@FAST
@given(st.lists(histories(), max_size=8), st.integers(0, 60), st.integers(0, 60))
def test_funnel_flow_counts_add_up_and_rates_are_fractions(
    deals: list[list[Event]], a: int, b: int
) -> None:
    start, end = sorted((day_of(a), day_of(b)))
    changes = changes_of(deals, end)
    open_now = Counter(
        history[-1][2]
        for history in ([e for e in h if day_of(e[3]) <= end] for h in deals)
        if history and history[-1][0] in ("open", "move", "reopen")
    )
    flows = metrics.funnel_flow(STAGES, changes, start, end, open_now)
    for flow in flows:
        assert 0 <= flow.entered <= len(deals)
        assert in_unit(flow.to_next) and in_unit(flow.to_paid)
        if not flow.stage.is_won:
            assert flow.reached_paid is not None and flow.moved_on is not None
            assert 0 <= flow.reached_paid <= flow.moved_on <= flow.entered
            assert all(days >= 0 for days in flow.stays)
            median = flow.median_days
            assert median is None or min(flow.stays) <= median <= max(flow.stays)
    assert sum(f.now or 0 for f in flows) == sum(open_now.values())
    paid_in_period = {c.deal_id for c in changes if c.event == "win" and start <= c.on <= end}
    assert flows[-1].entered == len(paid_in_period)


@FAST
@given(st.lists(st.integers(0, 400), max_size=30))
def test_medians_and_means(values: list[int]) -> None:
    counts = Counter(values)
    assert metrics.median(values) == metrics.median_of_counts(counts)
    assert metrics.mean(values) == metrics.mean_of_counts(counts)
    if values:
        assert min(values) <= metrics.median(values) <= max(values)  # type: ignore[operator]
    else:
        assert metrics.median(values) is None and metrics.mean(values) is None


@FAST
@given(st.integers(0, 10**12), st.integers(0, 10**6))
def test_money_average_is_half_up_to_a_kopeck(total: int, count: int) -> None:
    average = metrics.average_money(total, count)
    if count == 0:
        assert average is None
    else:
        exact = Decimal(total) / count
        assert average == int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


tallies = st.builds(
    metrics.TouchTally,
    kind=st.sampled_from(["warming", "closing"]),
    channel=st.sampled_from(["call", "email", "messenger", "gift"]),
    stage=st.sampled_from([None, "repeat/base", "repeat/invoice", "first/lead"]),
    outcome=st.sampled_from(metrics.OUTCOME_ORDER),
    on_deal=st.booleans(),
    count=st.integers(1, 50),
)


@FAST
@given(st.lists(tallies, max_size=25))
def test_nudge_rows_add_up_across_channels_and_stages(items: list[metrics.TouchTally]) -> None:
    rows = metrics.nudge_table(items, ("call", "email", "messenger", "gift"), ())
    total, rest = rows[0], rows[1:]
    for by in ("channel", "stage"):
        group = [r for r in rest if r.by == by]
        for figure in ("closing", "decided", "on_deal", "warming"):
            assert sum(getattr(r, figure) for r in group) == getattr(total, figure)
        for outcome in metrics.OUTCOME_ORDER:
            assert sum(r.outcomes[outcome] for r in group) == total.outcomes[outcome]
    for row in rows:
        assert in_unit(row.decision_rate) and in_unit(row.conversion)
        assert row.on_deal <= row.closing


purchases = st.lists(
    st.builds(
        metrics.Purchase,
        client_id=st.integers(1, 6),
        paid_on=st.integers(0, 500).map(day_of),
        amount_minor=st.one_of(st.none(), st.integers(0, 10**9)),
    ),
    max_size=30,
)
categories = st.dictionaries(st.integers(1, 6), st.sampled_from(["A", "B", "C", None]))


@FAST
@given(purchases, categories, st.integers(0, 200))
def test_repeat_rows_add_up_over_categories(
    bought: list[metrics.Purchase], cats: dict[int, str | None], silent_days: int
) -> None:
    as_of = day_of(500)
    rows = metrics.repeat_table(bought, cats, as_of=as_of, silent_days=silent_days)
    total, per_category = rows[0], rows[1:]
    for figure in ("buyers", "repeat_buyers", "purchases", "silent", "revenue", "with_amount"):
        assert sum(getattr(r, figure) for r in per_category) == getattr(total, figure)
    assert total.purchases == len(bought)
    assert total.buyers == len({p.client_id for p in bought})
    for row in rows:
        assert in_unit(row.repeat_rate) and in_unit(row.silent_share)
        assert row.repeat_buyers <= row.buyers


@FAST
@given(purchases, st.integers(0, 500))
def test_cohort_cells_are_shares_and_never_look_past_as_of(
    bought: list[metrics.Purchase], as_of_offset: int
) -> None:
    as_of = day_of(as_of_offset)
    known = [p for p in bought if p.paid_on <= as_of]
    rows = metrics.cohort_table(known, 0, calendar.month_index(as_of), as_of)
    assert sum(r.size for r in rows) == len({p.client_id for p in known})
    for row in rows:
        first = dt.date(int(row.month[:4]), int(row.month[5:]), 1)
        for k, cell in enumerate(row.cells, start=1):
            assert in_unit(cell)
            starts = calendar.month_first_day(calendar.month_index(first) + k)
            assert (cell is None) == (starts > as_of or row.size == 0)


@FAST
@given(
    st.lists(
        st.tuples(st.integers(1, 30), st.integers(0, 10**8), st.sampled_from(["A", "B", None])),
        max_size=20,
    )
)
def test_abc_split_follows_the_cumulative_share_rule(
    clients: list[tuple[int, int, str | None]],
) -> None:
    unique = {cid: (revenue, cat) for cid, revenue, cat in clients}
    rows = metrics.abc_split(
        metrics.ClientRevenue(cid, f"c{cid}", cat, revenue)
        for cid, (revenue, cat) in unique.items()
    )
    total = sum(revenue for revenue, _ in unique.values())
    if total == 0:
        assert rows == []
        return
    assert rows[0].abc == "A"
    order = "ABC"
    assert [order.index(r.abc) for r in rows] == sorted(order.index(r.abc) for r in rows)
    before = 0
    for row in rows:
        share_before = Decimal(before) / total
        expected = "A" if share_before < metrics.A_SHARE else "B"
        if share_before >= metrics.B_SHARE:
            expected = "C"
        assert row.abc == expected
        assert in_unit(row.share) and in_unit(row.cumulative)
        before += row.client.revenue
    assert rows[-1].cumulative == 1
    buyers = sum(1 for r in rows if r.client.revenue > 0)
    assert len(metrics.top_clients(rows)) == -(-buyers // 10)


@FAST
@given(st.integers(0, 10**10), st.integers(0, 90), st.integers(0, 60), st.integers(1, 40))
def test_pro_rated_spend_parts_add_up(amount: int, begin: int, length: int, cut: int) -> None:
    start, end = day_of(begin), day_of(begin + length)
    middle = min(end, start + dt.timedelta(days=cut))
    whole = metrics.pro_rate(amount, start, end, start, end)
    first = metrics.pro_rate(amount, start, end, start, middle)
    second = metrics.pro_rate(amount, start, end, middle + dt.timedelta(days=1), end)
    assert whole == amount
    assert 0 <= first <= amount and 0 <= second <= amount
    assert abs(first + second - amount) <= 1


# -- the SQL path: nothing after the as-of date counts ----------------------------------------
@dataclass
class World:
    clients: list[tuple[int, str | None, int, str | None]]  # id, category, created, source
    deals: list[tuple[int, int | None, list[Event]]]  # client, amount, history
    touches: list[tuple[int, int | None, int, str, str, str]]  # client, deal, day, kind...


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n_clients = draw(st.integers(1, 4))
    clients = [
        (
            cid,
            draw(st.sampled_from(["A", "B", "C", None])),
            draw(st.integers(0, 50)),
            draw(st.sampled_from(["сайт", "Сайт", "звонок", None])),
        )
        for cid in range(1, n_clients + 1)
    ]
    deals = [
        (
            draw(st.integers(1, n_clients)),
            draw(st.one_of(st.none(), st.integers(0, 10**7))),
            draw(histories()),
        )
        for _ in range(draw(st.integers(0, 6)))
    ]
    touches = []
    for _ in range(draw(st.integers(0, 10))):
        deal = draw(st.one_of(st.none(), st.integers(1, len(deals)))) if deals else None
        client = deals[deal - 1][0] if deal else draw(st.integers(1, n_clients))
        first_day = deals[deal - 1][2][0][3] if deal else 0
        touches.append(
            (
                client,
                deal,
                draw(st.integers(first_day, first_day + 40)),
                draw(st.sampled_from(["warming", "closing", "service"])),
                draw(st.sampled_from(["call", "email"])),
                draw(st.sampled_from(metrics.OUTCOME_ORDER)),
            )
        )
    return World(clients, deals, touches)


def _stamp(offset: int) -> str:
    return f"{day_of(offset).isoformat()} 09:00:00.000000"


def _fill(db: Database, world: World, until: int | None) -> None:
    """Write the world; with ``until``, only what happened by that day offset, and each
    deal's row as its history up to then leaves it (as povtor's writes would)."""
    with db.transaction():
        for cid, category, created, source in world.clients:
            db.execute(
                "INSERT INTO client (id, name, search_key, category, source, status, created_on)"
                " VALUES (?, ?, ?, ?, ?, 'active', ?)",
                (
                    cid,
                    f"Клиент {cid}",
                    f"клиент {cid}",
                    category,
                    source,
                    day_of(created).isoformat(),
                ),
            )
        for deal_id, (client, amount, history) in enumerate(world.deals, start=1):
            kept = [e for e in history if until is None or e[3] <= until]
            if not kept:
                continue
            row: dict[str, Any] = {"status": "open", "closed_on": None, "reason": None}
            for event, _from, to, offset in kept:
                day = day_of(offset).isoformat()
                if event == "lose":
                    row.update(status="lost", closed_on=day, reason="дорого")
                    continue
                row.update(stage=to, entered=day)
                if event == "win":
                    row.update(status="won", closed_on=day)
                elif event == "reopen":
                    row.update(status="open", closed_on=None, reason=None)
            db.execute(
                "INSERT INTO deal (id, client_id, funnel_id, stage_id, amount_minor, currency,"
                " status, opened_on, stage_entered_on, closed_on, lost_reason)"
                " VALUES (?, ?, 1, ?, ?, 'RUB', ?, ?, ?, ?, ?)",
                (
                    deal_id,
                    client,
                    row["stage"],
                    amount,
                    row["status"],
                    day_of(kept[0][3]).isoformat(),
                    row["entered"],
                    row["closed_on"],
                    row["reason"],
                ),
            )
            for event, source, to, offset in kept:
                db.execute(
                    "INSERT INTO stage_change (deal_id, event, from_stage_id, to_stage_id, at,"
                    " on_date, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        deal_id,
                        event,
                        source,
                        to,
                        _stamp(offset),
                        day_of(offset).isoformat(),
                        "дорого" if event == "lose" else None,
                    ),
                )
        opened = {
            deal_id: history[0][3] for deal_id, (_c, _a, history) in enumerate(world.deals, 1)
        }
        for client, deal, offset, kind, channel, outcome in world.touches:
            if until is not None and (offset > until or (deal and opened[deal] > until)):
                continue
            db.execute(
                "INSERT INTO touch (client_id, deal_id, stage_id, at, on_date, kind, channel,"
                " outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (client, deal, 2 if deal else None, _stamp(offset),
                 day_of(offset).isoformat(), kind, channel, outcome),
            )  # fmt: skip


@contextmanager
def database(template: Path, world: World, until: int | None) -> Iterator[Database]:
    folder = Path(tempfile.mkdtemp(prefix="povtor-stats-"))
    try:
        path = folder / "povtor.db"
        shutil.copy2(template, path)
        db = open_database(resolve_location(str(path)))
        try:
            _fill(db, world, until)
            yield db
        finally:
            db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def everything(db: Database, start: dt.date, as_of: dt.date) -> dict[str, Any]:
    """Every query of every report, as of ``as_of`` over ``start..as_of``."""
    labels, _order = stats_queries.stage_labels(db)
    return {
        "changes": stats_queries.funnel_changes(db, [1, 2, 3, 4, 5], start, as_of, as_of),
        "open": stats_queries.open_at_stages(db, 1, as_of),
        # (key=repr: an amount may be None beside another deal's 0)
        "closed": sorted(stats_queries.closed_deals(db, 1, start, as_of, as_of), key=repr),
        "purchases": sorted(stats_queries.purchases(db, as_of, "RUB"), key=repr),
        "tallies": sorted(stats_queries.touch_tallies(db, start, as_of, as_of, labels), key=repr),
        "touches": stats_queries.touches_per_won_deal(db, 1, start, as_of, as_of),
        "cadence": sorted(tuple(r) for r in stats_queries.cadence_by_client(db, start, as_of)),
        "leads": sorted(stats_queries.lead_tallies(db, start, as_of, as_of, "RUB"), key=repr),
        "revenue": sorted(stats_queries.client_revenues(db, start, as_of, as_of, "RUB"), key=repr),
        "nudged": sorted(nudged_deals(db, start, as_of, as_of, labels), key=repr),
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(worlds(), st.integers(0, 80), st.integers(0, 80))
def test_a_report_as_of_a_day_never_counts_what_came_after(
    migrated_template: Path, world: World, a: int, b: int
) -> None:
    first, last = sorted((a, b))
    start, as_of = day_of(first), day_of(last)
    with database(migrated_template, world, None) as full:
        seen = everything(full, start, as_of)
    with database(migrated_template, world, last) as past:
        expected = everything(past, start, as_of)
    assert seen == expected
    # and, independently of SQL: the deals paid as of the day are those whose last
    # change by then is a win
    paid = sorted(
        (
            metrics.Purchase(client, day_of(kept[-1][3]), amount)
            for client, amount, history in world.deals
            for kept in [[e for e in history if e[3] <= last]]
            if kept and kept[-1][0] == "win"
        ),
        key=repr,
    )
    assert seen["purchases"] == paid
    flows = metrics.funnel_flow(STAGES, seen["changes"], start, as_of, seen["open"])
    direct = metrics.funnel_flow(
        STAGES, changes_of([h for _c, _a, h in world.deals], as_of), start, as_of, seen["open"]
    )
    assert [(f.entered, f.moved_on, f.reached_paid, f.stays) for f in flows] == [
        (f.entered, f.moved_on, f.reached_paid, f.stays) for f in direct
    ]


def test_generated_histories_are_valid_commands() -> None:
    """The generator only makes histories povtor's commands could have made."""

    @settings(max_examples=50, deadline=None)
    @given(histories())
    def check(history: list[Event]) -> None:
        assert history[0][0] == "open"
        for (e1, _f1, t1, d1), (e2, _f2, _t2, d2) in itertools.pairwise(history):
            assert d2 >= d1
            if e1 in ("win", "lose"):
                assert e2 == "reopen"
            else:
                assert e2 != "reopen" and t1 is not None

    check()


@st.composite
def nudged_worlds(draw: st.DrawFn) -> World:
    """A world with deals and closing touches on them (by call or e-mail), many paid."""
    world = draw(worlds().filter(lambda w: bool(w.deals)))
    extra = []
    for _ in range(draw(st.integers(1, 12))):
        deal = draw(st.integers(1, len(world.deals)))
        client, _amount, history = world.deals[deal - 1]
        # on any day, or on the day of a change (the boundary: nudged on the day it was paid)
        day = draw(
            st.integers(history[0][3], history[0][3] + 40)
            | st.sampled_from([e[3] for e in history])
        )
        extra.append(
            (client, deal, day, "closing", draw(st.sampled_from(["call", "email"])), "pending")
        )
    return World(world.clients, world.deals, world.touches + extra)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(nudged_worlds(), st.integers(0, 80), st.integers(0, 80))
def test_nudge_to_order_is_paid_nudged_deals_over_nudged_deals(
    migrated_template: Path, world: World, a: int, b: int
) -> None:
    """The one definition the plan, plan target and stats nudges share: the deals with a
    closing touch in the period, and those of them whose last change by the as-of day is
    a win on or after their first closing touch in the period; per channel the same with
    that channel's touches."""
    first, last = sorted((a, b))
    start, as_of = day_of(first), day_of(last)
    with database(migrated_template, world, None) as db:
        labels, _order = stats_queries.stage_labels(db)
        found = {
            (r.by, r.group): (r.nudged, r.paid)
            for r in nudged_deals(db, start, as_of, as_of, labels)
        }
        [alone] = nudged_deals(db, start, as_of, as_of)
    expected = {}
    for by, channels in (
        ("all", ("call", "email")),
        ("channel", ("call",)),
        ("channel", ("email",)),
    ):
        first_nudge: dict[int, int] = {}
        for _client, deal, offset, kind, channel, _outcome in world.touches:
            if deal and kind == "closing" and channel in channels and first <= offset <= last:
                first_nudge[deal] = min(first_nudge.get(deal, offset), offset)
        orders = 0
        for deal, nudged_on in first_nudge.items():
            kept = [e for e in world.deals[deal - 1][2] if e[3] <= last]
            orders += bool(kept and kept[-1][0] == "win" and kept[-1][3] >= nudged_on)
        if by == "all" or first_nudge:
            expected[(by, None if by == "all" else channels[0])] = (len(first_nudge), orders)
    assert {k: v for k, v in found.items() if k[0] != "stage"} == expected
    assert (alone.by, alone.nudged, alone.paid) == ("all", *expected[("all", None)])

"""The plan's rules on hand-made inputs: no CLI, no database.

Calendar used throughout (March 2026): Mon 2, Tue 3, Wed 4, Thu 5, Fri 6, Sat 7,
Sun 8, Mon 9 (a day off: 8 March fell on a Sunday), Tue 10, Wed 11, Thu 12, Fri 13.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povtor.domain.calendar import PRODUCTION, WorkCalendar, days_between, working_days_between
from povtor.domain.conversation import Asked, Said
from povtor.domain.plan_records import Candidate, ClientState, ClosedDeal, OpenDeal, PlanInput
from povtor.domain.plan_rules.cadence import next_kind
from povtor.domain.plan_rules.gone_silent import purchase_cycle, silence_threshold
from povtor.domain.planner import (
    MAX_OVERDUE_DAYS,
    RULES,
    build_plan,
    client_candidates,
    deal_candidates,
    deal_rules_may_pick,
    priority_terms,
    rank,
)
from povtor.settings import SPECS, Settings, normalise

MON = dt.date(2026, 3, 2)
DEFAULTS = Settings({})


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def client(
    id: int = 1,
    *,
    name: str | None = None,
    category: str | None = "B",
    open_deals: int = 0,
    last_touch_on: dt.date | None = None,
    paid: tuple[str, ...] = (),
    last_paid_amount: int | None = None,
    warming: int = 0,
    follow_up_on: dt.date | None = None,
    said: Said | None = None,
    asked: str | None = None,
) -> ClientState:
    if follow_up_on is not None:  # the client said "later, on that date" ten days before
        made = follow_up_on - dt.timedelta(days=10)
        said = Said(made, made.isoformat(), "closing", "later", follow_up_on)
    return ClientState(
        id=id,
        name=name or f"Клиент {id}",
        company=None,
        category=category,
        person=None,
        open_deals=open_deals,
        last_touch_on=last_touch_on,
        paid_dates=tuple(day(p) for p in paid),
        last_paid_amount=last_paid_amount,
        warming_since_closing=warming,
        said=said,
        asked=Asked(day(asked), asked) if asked else None,
    )


# (code, name, position) of the default funnels; paid is at position 5 (repeat) / 6 (first)
REPEAT = {
    "base": ("База", 1, 2),
    "request": ("Запрос", 2, 2),
    "proposal": ("КП отправлено", 3, 3),
    "invoice": ("Счёт отправлен", 4, 3),
}


def deal(
    id: int = 1,
    *,
    client_id: int = 1,
    funnel: str = "repeat",
    stage: str = "invoice",
    entered: dt.date = MON,
    limit: int | str | None = "default",
    follow_up_on: dt.date | None = None,
    amount_minor: int | None = None,
    last_touch_on: dt.date | None = None,
    position: int | None = None,
    won_position: int | None = None,
) -> OpenDeal:
    name, default_position, default_limit = REPEAT.get(stage, (stage.capitalize(), 2, 3))
    return OpenDeal(
        id=id,
        client_id=client_id,
        funnel=funnel,
        stage=stage,
        stage_name=name,
        stage_position=position if position is not None else default_position,
        won_position=won_position if won_position is not None else (6 if funnel == "first" else 5),
        limit_days=default_limit if limit == "default" else limit,  # type: ignore[arg-type]
        stage_entered_on=entered,
        follow_up_on=follow_up_on,
        amount_minor=amount_minor,
        currency="RUB",
        title=None,
        last_touch_on=last_touch_on,
    )


def closed(
    id: int = 10, *, client_id: int = 1, on: str = "2026-03-02", amount_minor: int | None = None
) -> ClosedDeal:
    return ClosedDeal(
        id=id,
        client_id=client_id,
        closed_on=day(on),
        amount_minor=amount_minor,
        currency="RUB",
        title=None,
        reason="дорого",
    )


def data(
    today: dt.date | str,
    clients: list[ClientState] | ClientState,
    deals: tuple[OpenDeal, ...] | list[OpenDeal] = (),
    paid: tuple[ClosedDeal, ...] | list[ClosedDeal] = (),
    lost: tuple[ClosedDeal, ...] | list[ClosedDeal] = (),
) -> PlanInput:
    when = day(today) if isinstance(today, str) else today
    many = [clients] if isinstance(clients, ClientState) else clients
    return PlanInput(
        today=when,
        clients={c.id: c for c in many},
        deals=tuple(deals),
        paid_awaiting_service=tuple(paid),
        lost=tuple(lost),
    )


def with_settings(**values: str) -> Settings:
    return Settings({k.replace("__", "."): v for k, v in values.items()})


def rules_of(candidates: list[Candidate]) -> list[tuple[int, str]]:
    return [(c.client_id, c.rule) for c in candidates]


# -- working days ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-03-02", "2026-03-02", 0),  # the same day
        ("2026-03-05", "2026-03-02", 0),  # end before start
        ("2026-03-02", "2026-03-03", 1),  # Mon → Tue
        ("2026-03-02", "2026-03-05", 3),  # Mon → Thu
        ("2026-03-02", "2026-03-06", 4),  # Mon → Fri
        ("2026-03-02", "2026-03-07", 4),  # Mon → Sat
        ("2026-03-02", "2026-03-08", 4),  # Mon → Sun
        ("2026-03-16", "2026-03-23", 5),  # Mon → next Mon (the docstring's example)
        ("2026-03-13", "2026-03-14", 0),  # Fri → Sat
        ("2026-03-13", "2026-03-15", 0),  # Fri → Sun
        ("2026-03-13", "2026-03-16", 1),  # Fri → Mon (the docstring's example)
        ("2026-03-13", "2026-03-18", 3),  # Fri → Wed
        ("2026-03-14", "2026-03-16", 1),  # Sat → Mon
        ("2026-03-16", "2026-03-30", 10),  # two weeks
        # the Russian production calendar: public holidays and moved days off
        ("2026-03-02", "2026-03-09", 4),  # Monday 9 March 2026 is a day off (8 March, Sunday)
        ("2026-03-06", "2026-03-09", 0),  # Fri → the Monday off
        ("2026-03-06", "2026-03-10", 1),  # Fri → Tue
        ("2026-03-02", "2026-03-31", 20),  # the rest of March 2026: 21 working days in all
        ("2025-12-31", "2026-01-12", 1),  # the New Year holidays, 1-11 January 2026
        ("2024-12-27", "2024-12-28", 1),  # Saturday 28 December 2024 was a working day
        ("2026-04-30", "2026-05-12", 6),  # May: 1 and 11 May off, 9 May a Saturday
    ],
)
def test_working_days_between(start: str, end: str, expected: int) -> None:
    assert working_days_between(day(start), day(end)) == expected


def test_the_sellers_own_days_off_are_not_working_days() -> None:
    own = WorkCalendar(frozenset({day("2026-03-17"), day("2026-03-21")}))  # Tue; a Saturday
    assert own.between(day("2026-03-16"), day("2026-03-23")) == 4
    assert own.count(day("2026-03-01"), day("2026-03-31")) == 20
    assert not own.is_working(day("2026-03-17")) and own.is_working(day("2026-03-18"))


def test_days_between_calendar_or_working() -> None:
    assert days_between(day("2026-03-13"), day("2026-03-16"), working=False) == 3
    assert days_between(day("2026-03-13"), day("2026-03-16"), working=True) == 1
    assert days_between(day("2026-03-16"), day("2026-03-13"), working=False) == 0
    assert days_between(day("2026-03-16"), day("2026-03-13"), working=True) == 0


@given(
    start=st.dates(min_value=dt.date(1998, 1, 1), max_value=dt.date(2100, 1, 1)),
    span=st.integers(min_value=-10, max_value=400),
    own=st.frozensets(
        st.dates(min_value=dt.date(1998, 1, 1), max_value=dt.date(2101, 3, 1)), max_size=20
    ),
)
def test_working_days_between_counts_the_working_days_after_start(
    start: dt.date, span: int, own: frozenset[dt.date]
) -> None:
    """The fast count (weeks, then the table's exceptions by bisection) is the day-by-day
    count of ``is_working``: with and without the seller's own days off, inside the
    table's years and outside them (Monday to Friday)."""
    end = start + dt.timedelta(days=span)
    days = [start + dt.timedelta(days=n) for n in range(1, span + 1)]
    assert working_days_between(start, end) == sum(PRODUCTION.is_working(d) for d in days)
    sellers = WorkCalendar(own)
    assert sellers.between(start, end) == sum(sellers.is_working(d) for d in days)
    assert days_between(start, end, working=False) == max(0, span)


def test_is_working_follows_the_table_and_weekdays_outside_it() -> None:
    assert not PRODUCTION.is_working(day("2026-03-09"))  # Monday, a day off
    assert PRODUCTION.is_working(day("2024-12-28"))  # Saturday, a working day
    assert not PRODUCTION.is_working(day("2026-03-07"))  # an ordinary Saturday
    assert PRODUCTION.is_working(day("2035-01-01"))  # a Monday beyond the table: Mon-Fri
    assert not PRODUCTION.is_working(day("2035-01-06"))  # a Saturday beyond it


# -- stuck deals -------------------------------------------------------------------------
def stuck_on(today: str, the_deal: OpenDeal, s: Settings = DEFAULTS) -> list[Candidate]:
    return deal_candidates(data(today, client(open_deals=1), [the_deal]), s)


@settings(max_examples=500, deadline=None)
@given(
    entered=st.dates(dt.date(2025, 12, 1), dt.date(2026, 6, 1)),
    touched=st.none() | st.integers(-10, 20),
    promised=st.none() | st.integers(-5, 20),
    limit=st.none() | st.integers(0, 10),
    waited=st.integers(-3, 25),
    funnel=st.sampled_from(["repeat", "first"]),
    working=st.sampled_from(["true", "false"]),
)
def test_a_deal_no_deal_rule_may_pick_is_picked_by_none(
    entered: dt.date,
    touched: int | None,
    promised: int | None,
    limit: int | None,
    waited: int,
    funnel: str,
    working: str,
) -> None:
    """What a loader may leave out of the plan's deals (deal_rules_may_pick false) is
    never a follow-up or a stuck deal, in working days or calendar days. (Days are drawn
    near the day the deal entered its stage, where the limits are.)"""
    today = entered + dt.timedelta(days=waited)
    touched_on = None if touched is None else entered + dt.timedelta(days=touched)
    promised_on = None if promised is None else entered + dt.timedelta(days=promised)
    the_deal = deal(
        funnel=funnel,
        entered=entered,
        last_touch_on=touched_on,
        follow_up_on=promised_on,
        limit=limit,
    )
    picked = deal_candidates(
        data(today, client(open_deals=1), [the_deal]), with_settings(plan__working_days=working)
    )
    if not deal_rules_may_pick(today, entered, touched_on, promised_on, limit):
        assert picked == []


def test_stuck_limit_three_working_days_entered_monday() -> None:
    invoice = deal(stage="invoice", entered=day("2026-03-02"), amount_minor=12_500_000)
    assert stuck_on("2026-03-02", invoice) == []
    assert stuck_on("2026-03-05", invoice) == []  # Thu: 3 working days, at the limit
    [found] = stuck_on("2026-03-06", invoice)  # Fri: 4 working days, past it
    assert found.rule == "stuck"
    assert found.kind == "closing"
    assert found.overdue_days == 1
    assert found.reason == "Счёт отправлен: 4 working days in stage (limit 3), no touch since"
    assert found.deal is invoice
    assert found.amount_minor == 12_500_000
    assert found.closeness == Decimal(4) / Decimal(5)
    assert (found.template_funnel, found.template_stage) == ("repeat", "invoice")
    assert found.days_waiting == 4


def test_stuck_over_the_weekend_does_not_grow() -> None:
    invoice = deal(stage="invoice", entered=day("2026-03-02"))
    for weekend_day in ("2026-03-07", "2026-03-08"):
        [found] = stuck_on(weekend_day, invoice)
        assert found.overdue_days == 1  # Sat and Sun add no working day
        assert "4 working days in stage" in found.reason
    [monday] = stuck_on("2026-03-09", invoice)
    assert monday.overdue_days == 1  # Monday 9 March is a day off as well
    [tuesday] = stuck_on("2026-03-10", invoice)
    assert tuesday.overdue_days == 2
    assert tuesday.days_waiting == 8  # calendar days, for the {days} placeholder


def test_stuck_limit_three_working_days_entered_friday() -> None:
    proposal = deal(stage="proposal", entered=day("2026-03-06"))
    for not_yet in ("2026-03-07", "2026-03-08", "2026-03-09", "2026-03-10", "2026-03-11"):
        assert stuck_on(not_yet, proposal) == [], not_yet  # Mon off; Tue 1, Wed 2
    assert stuck_on("2026-03-12", proposal) == []  # Thu 3: at the limit
    [found] = stuck_on("2026-03-13", proposal)  # Fri: 4 working days
    assert found.reason == "КП отправлено: 4 working days in stage (limit 3), no touch since"
    assert found.overdue_days == 1


def test_stuck_limit_in_calendar_days_when_working_days_off() -> None:
    calendar = with_settings(plan__working_days="no")
    request = deal(stage="request", entered=day("2026-03-06"))  # Fri, limit 2
    assert stuck_on("2026-03-08", request, calendar) == []  # Sun: 2 days
    [found] = stuck_on("2026-03-09", request, calendar)  # Mon: 3 days
    assert found.reason == "Запрос: 3 days in stage (limit 2), no touch since"
    assert found.overdue_days == 1
    # the same deal in working days: Mon off, Tue 1, Wed 2, Thu 3
    assert stuck_on("2026-03-11", request) == []
    [working] = stuck_on("2026-03-12", request)
    assert working.reason == "Запрос: 3 working days in stage (limit 2), no touch since"


def test_a_nudge_since_stage_entry_resets_the_clock() -> None:
    nudged = deal(stage="invoice", entered=day("2026-03-02"), last_touch_on=day("2026-03-05"))
    assert stuck_on("2026-03-06", nudged) == []  # 1 working day since the nudge
    assert stuck_on("2026-03-11", nudged) == []  # Fri, (Mon off), Tue, Wed: 3
    [found] = stuck_on("2026-03-12", nudged)  # 4 working days since the nudge
    assert found.overdue_days == 1
    assert found.reason == (
        "Счёт отправлен: 7 working days in stage (limit 3), last nudge 2026-03-05 unanswered"
    )


def test_a_nudge_on_the_entry_day_counts_as_a_nudge() -> None:
    same_day = deal(stage="invoice", entered=day("2026-03-02"), last_touch_on=day("2026-03-02"))
    [found] = stuck_on("2026-03-06", same_day)
    assert found.reason.endswith("last nudge 2026-03-02 unanswered")
    assert found.overdue_days == 1


def test_a_touch_before_stage_entry_does_not_reset_the_clock() -> None:
    old_touch = deal(stage="invoice", entered=day("2026-03-02"), last_touch_on=day("2026-02-27"))
    [found] = stuck_on("2026-03-06", old_touch)
    assert found.reason.endswith("no touch since")
    assert found.overdue_days == 1


def test_a_stage_without_a_limit_never_sticks() -> None:
    assert stuck_on("2026-12-31", deal(stage="invoice", limit=None)) == []


def test_limit_zero_sticks_on_the_next_working_day() -> None:
    zero = deal(stage="invoice", limit=0, entered=day("2026-03-06"))
    assert stuck_on("2026-03-06", zero) == []
    assert stuck_on("2026-03-08", zero) == []
    assert stuck_on("2026-03-09", zero) == []  # Monday 9 March is a day off
    [found] = stuck_on("2026-03-10", zero)
    assert found.overdue_days == 1


# -- follow-ups --------------------------------------------------------------------------
def test_follow_up_due_today() -> None:
    later = deal(stage="proposal", entered=day("2026-03-02"), follow_up_on=day("2026-03-10"))
    [found] = stuck_on("2026-03-10", later)
    assert found.rule == "follow_up"
    assert found.kind == "closing"
    assert found.overdue_days == 0
    assert found.reason == "follow-up due today: asked to come back on 2026-03-10 (КП отправлено)"


def test_follow_up_due_days_ago() -> None:
    later = deal(stage="proposal", entered=day("2026-03-02"), follow_up_on=day("2026-03-10"))
    [found] = stuck_on("2026-03-12", later)
    assert found.rule == "follow_up"
    assert found.overdue_days == 2
    assert found.reason.startswith("follow-up due 2 days ago: asked to come back on 2026-03-10")


def test_a_follow_up_not_yet_due_suppresses_the_stuck_rule() -> None:
    # in the stage for weeks, far past its limit, but the client named a date
    later = deal(stage="invoice", entered=day("2026-02-02"), follow_up_on=day("2026-03-20"))
    assert stuck_on("2026-03-19", later) == []
    [found] = stuck_on("2026-03-20", later)
    assert found.rule == "follow_up"


def test_a_follow_up_done_without_an_answer_goes_back_to_the_stage_limit() -> None:
    # the follow-up came on Tue 10th, the seller nudged that day, no answer: the
    # follow-up is done; the stage limit counts again from that nudge
    later = deal(
        stage="invoice",
        entered=day("2026-03-02"),
        follow_up_on=day("2026-03-10"),
        last_touch_on=day("2026-03-10"),
    )
    assert stuck_on("2026-03-11", later) == []
    assert stuck_on("2026-03-13", later) == []  # Wed, Thu, Fri: 3 working days
    [found] = stuck_on("2026-03-16", later)
    assert found.rule == "stuck"
    assert found.reason.endswith("last nudge 2026-03-10 unanswered")


def test_client_follow_up_due_and_not_due() -> None:
    waiting = client(follow_up_on=day("2026-03-10"), last_touch_on=day("2026-02-20"))
    assert client_candidates(data("2026-03-09", waiting), DEFAULTS) == []
    [found] = client_candidates(data("2026-03-10", waiting), DEFAULTS)
    assert found.rule == "follow_up"
    assert found.kind == "closing"
    assert found.reason == "follow-up due today: asked on 2026-02-28 to come back on 2026-03-10"
    # a client who never bought gets the first-sale question, one who did the reorder one
    assert (found.template_funnel, found.template_stage) == ("first", "*")
    [late] = client_candidates(data("2026-03-13", waiting), DEFAULTS)
    assert late.overdue_days == 3
    buyer = client(follow_up_on=day("2026-03-10"), paid=("2026-02-01",), last_paid_amount=4_000_000)
    [again] = client_candidates(data("2026-03-10", buyer), DEFAULTS)
    assert (again.template_funnel, again.template_stage) == ("repeat", "base")
    assert again.amount_minor == 4_000_000
    # kept by a question asked on or after the date; a question before it keeps nothing
    kept = dataclasses.replace(buyer, asked=Asked(day("2026-03-10"), "2026-03-10 12"))
    assert client_candidates(data("2026-03-12", kept), DEFAULTS) == []
    early = dataclasses.replace(buyer, asked=Asked(day("2026-03-05"), "2026-03-05 12"))
    assert rules_of(client_candidates(data("2026-03-12", early), DEFAULTS)) == [(1, "follow_up")]


def test_a_pending_client_follow_up_holds_back_the_silent_rule() -> None:
    # the client said "later, on the 20th": not silent before that date even if long silent
    waiting = client(
        category="A",
        paid=("2025-12-01",),
        follow_up_on=day("2026-03-20"),
        last_touch_on=day("2026-02-20"),
    )
    assert client_candidates(data("2026-03-10", waiting), DEFAULTS) == []
    [found] = client_candidates(data("2026-03-20", waiting), DEFAULTS)
    assert found.rule == "follow_up"


# -- gone silent -------------------------------------------------------------------------
@pytest.mark.parametrize(("category", "threshold"), [("A", 30), ("B", 45), ("C", 60), (None, 60)])
def test_silence_threshold_by_category(category: str | None, threshold: int) -> None:
    one_purchase = client(category=category, paid=("2026-01-01",))
    assert silence_threshold(one_purchase, DEFAULTS) == (threshold, None)


def test_silence_threshold_category_override() -> None:
    s = with_settings(plan__silent_days__B="20")
    assert silence_threshold(client(category="B"), s) == (20, None)


def test_purchase_cycle_needs_three_purchases() -> None:
    assert purchase_cycle((), 3) is None
    assert purchase_cycle((day("2026-01-01"),), 3) is None
    assert purchase_cycle((day("2026-01-01"), day("2026-01-11")), 3) is None
    assert purchase_cycle((day("2026-01-01"), day("2026-01-11")), 2) == 10
    assert purchase_cycle((day("2026-01-01"), day("2026-01-11"), day("2026-01-21")), 3) == 10
    # median of the gaps, not the mean: gaps 10, 40, 20 → 20
    four = (day("2026-01-01"), day("2026-01-11"), day("2026-02-20"), day("2026-03-12"))
    assert purchase_cycle(four, 3) == 20


def test_two_purchases_use_the_category_default() -> None:
    two = client(category="A", paid=("2026-01-01", "2026-01-11"))
    assert silence_threshold(two, DEFAULTS) == (30, None)


@pytest.mark.parametrize(
    ("paid", "threshold", "cycle"),
    [
        (("2025-12-01", "2025-12-31", "2026-01-30"), 45, 30),  # 1.5 × 30
        (("2026-01-01", "2026-01-26", "2026-02-20"), 38, 25),  # ceil(1.5 × 25 = 37.5)
        (("2026-01-01", "2026-01-11", "2026-02-20", "2026-03-12"), 30, 20),  # median gap 20
        # gaps 20 and 21: median 20.5, threshold ceil(1.5 × 20.5 = 30.75) = 31
        # (the cycle shown and used for the expected date is the median rounded half up)
        (("2026-01-01", "2026-01-21", "2026-02-11"), 31, 21),
    ],
)
def test_silence_threshold_own_cycle(paid: tuple[str, ...], threshold: int, cycle: int) -> None:
    regular = client(category="C", paid=paid)
    assert silence_threshold(regular, DEFAULTS) == (threshold, cycle)


def test_silence_threshold_follows_cycle_settings() -> None:
    s = with_settings(plan__cycle_factor="2", plan__cycle_min_purchases="2")
    two = client(category="A", paid=("2026-01-01", "2026-01-11"))
    assert silence_threshold(two, s) == (20, 10)


def test_silent_with_own_cycle_boundary_and_expected_date() -> None:
    regular = client(
        category="C", paid=("2025-12-01", "2025-12-31", "2026-01-30"), last_paid_amount=5_000_000
    )
    # threshold 45 days after 2026-01-30: 2026-03-16 is day 45, 2026-03-17 day 46
    assert client_candidates(data("2026-03-16", regular), DEFAULTS) == []
    [found] = client_candidates(data("2026-03-17", regular), DEFAULTS)
    assert found.rule == "silent"
    assert found.kind == "closing"  # bought before, never asked since: the question first
    assert found.overdue_days == 1
    assert found.days_waiting == 46
    assert found.expected_on == day("2026-03-01")  # last purchase + own cycle
    assert found.amount_minor == 5_000_000
    assert (found.template_funnel, found.template_stage) == ("repeat", "base")
    assert found.reason == (
        "silent 46 days since the last purchase on 2026-01-30 (threshold 45: own cycle 30 days"
        " × 1.5); expected reorder 2026-03-01; bought before and not asked since: ask first,"
        " yes or no"
    )


def test_silent_reason_shows_the_exact_median_cycle() -> None:
    # gaps 20 and 21 days: median 20.5, threshold 31, expected reorder after 21 days
    regular = client(category="C", paid=("2026-01-01", "2026-01-21", "2026-02-11"))
    assert client_candidates(data("2026-03-14", regular), DEFAULTS) == []  # 31 days
    [found] = client_candidates(data("2026-03-15", regular), DEFAULTS)
    assert "(threshold 31: own cycle 20.5 days × 1.5); expected reorder 2026-03-04" in found.reason


def test_silent_with_category_default_boundary() -> None:
    once = client(category="A", paid=("2026-02-01",))
    assert client_candidates(data("2026-03-03", once), DEFAULTS) == []  # 30 days
    [found] = client_candidates(data("2026-03-04", once), DEFAULTS)  # 31 days
    assert found.rule == "silent"
    assert found.overdue_days == 1
    assert found.expected_on == day("2026-03-03")  # last purchase + the category's days
    assert "(threshold 30: category A default 30 days)" in found.reason
    uncategorised = client(category=None, paid=("2026-01-01",))
    [found] = client_candidates(data("2026-03-03", uncategorised), DEFAULTS)  # 61 days
    # (C's days, but the reason does not call the client a C one)
    assert "(threshold 60: no category: the default 60 days)" in found.reason


def test_silent_needs_a_purchase() -> None:
    assert client_candidates(data("2026-12-31", client(category="A")), DEFAULTS) == []


def test_an_open_deal_suppresses_silent() -> None:
    busy = client(category="A", paid=("2025-06-01",), open_deals=1)
    assert client_candidates(data("2026-03-02", busy), DEFAULTS) == []


def test_quiet_days_suppress_silent() -> None:
    def touched(on: str) -> ClientState:
        return client(category="A", paid=("2025-06-01",), last_touch_on=day(on))

    assert client_candidates(data("2026-03-10", touched("2026-03-08")), DEFAULTS) == []
    assert client_candidates(data("2026-03-10", touched("2026-03-09")), DEFAULTS) == []
    [found] = client_candidates(data("2026-03-10", touched("2026-03-07")), DEFAULTS)  # 3 days
    assert found.rule == "silent"
    no_quiet = with_settings(plan__quiet_days="0")
    assert rules_of(client_candidates(data("2026-03-10", touched("2026-03-09")), no_quiet)) == [
        (1, "silent")
    ]


# -- the 5:1 cadence ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("warming", "kind"),
    [(0, "warming"), (1, "warming"), (4, "warming"), (5, "closing"), (9, "closing")],
)
def test_next_kind_five_to_one(warming: int, kind: str) -> None:
    assert next_kind(client(warming=warming), DEFAULTS) == kind


def test_next_kind_follows_the_setting() -> None:
    s = with_settings(plan__warming_per_closing="2")
    assert next_kind(client(warming=1), s) == "warming"
    assert next_kind(client(warming=2), s) == "closing"
    assert next_kind(client(warming=0), with_settings(plan__warming_per_closing="0")) == "closing"


def test_silent_client_cadence_in_kind_and_reason() -> None:
    # the question was asked after the last purchase, with no answer: 5:1 follows
    def silent(warming: int, asked: str | None = "2025-09-01") -> Candidate:
        [found] = client_candidates(
            data(
                "2026-03-10",
                client(category="A", paid=("2025-06-01",), warming=warming, asked=asked),
            ),
            DEFAULTS,
        )
        return found

    # never asked since the purchase (a fresh database): the question first, whatever 5:1
    for never in (silent(0, None), silent(3, "2025-05-01")):
        assert never.kind == "closing"
        assert never.reason.endswith("bought before and not asked since: ask first, yes or no")
    assert silent(0).kind == "warming"
    assert silent(0).reason.endswith("warming touch 1 of 5 before the next closing one (5:1)")

    assert silent(4).kind == "warming"
    assert silent(4).reason.endswith("warming touch 5 of 5 before the next closing one (5:1)")
    assert silent(5).kind == "closing"
    assert silent(5).rule == "silent"
    assert silent(5).reason.endswith(
        "5 warming touches since the last closing one: time to ask (5:1)"
    )
    assert silent(8).reason.endswith(
        "5 warming touches since the last closing one: time to ask (5:1)"
    )


def test_first_sale_deal_follows_the_cadence() -> None:
    lead = deal(funnel="first", stage="contact", position=2, limit=5, entered=day("2026-03-02"))

    def found(warming: int) -> Candidate:
        [candidate] = deal_candidates(
            data("2026-03-11", client(open_deals=1, warming=warming), [lead]), DEFAULTS
        )
        return candidate

    warm = found(2)
    assert (warm.rule, warm.kind) == ("warming", "warming")
    assert warm.reason == (
        "Contact: 6 working days in stage (limit 5), no touch since; "
        "warming touch 3 of 5 before the next closing one (5:1)"
    )
    close = found(5)
    assert (close.rule, close.kind) == ("stuck", "closing")
    assert close.reason.endswith("time to ask (5:1)")
    assert close.closeness == Decimal(2) / Decimal(6)


def test_repeat_deals_always_get_a_closing_nudge() -> None:
    invoice = deal(stage="invoice", entered=day("2026-03-02"))
    [found] = deal_candidates(
        data("2026-03-10", client(open_deals=1, warming=0), [invoice]), DEFAULTS
    )
    assert found.kind == "closing"


# -- service contacts --------------------------------------------------------------------
def test_service_contact_boundary() -> None:
    paid = closed(7, on="2026-03-02", amount_minor=12_500_000)
    buyer = client(paid=("2026-03-02",))
    assert client_candidates(data("2026-03-15", buyer, paid=[paid]), DEFAULTS) == []  # 13 days
    [found] = client_candidates(data("2026-03-16", buyer, paid=[paid]), DEFAULTS)  # 14 days
    assert found.rule == "service"
    assert found.kind == "service"
    assert found.overdue_days == 0
    assert found.about is paid
    assert found.amount_minor == 12_500_000
    assert found.reason == (
        "service contact: deal #7 paid 2026-03-02, 14 days ago — how is it going?"
    )
    [late] = client_candidates(data("2026-03-18", buyer, paid=[paid]), DEFAULTS)
    assert late.overdue_days == 2


def test_service_contact_setting_and_touches() -> None:
    paid = closed(7, on="2026-03-02")
    s = with_settings(plan__service_days__B="7")  # a B client's own delay
    assert rules_of(client_candidates(data("2026-03-09", client(), paid=[paid]), s)) == [
        (1, "service")
    ]
    # only a service touch answered settles it (the query then leaves the paid deal out);
    # another touch after the due date, e.g. a nudge on another deal, does not: the contact
    # waits the quiet days after it, then comes
    other = client(last_touch_on=day("2026-03-16"))
    assert client_candidates(data("2026-03-18", other, paid=[paid]), DEFAULTS) == []
    assert rules_of(client_candidates(data("2026-03-19", other, paid=[paid]), DEFAULTS)) == [
        (1, "service")
    ]
    assert client_candidates(data("2026-03-18", other, paid=[]), DEFAULTS) == []


# -- refusal revisits --------------------------------------------------------------------
def test_refusal_revisit_boundary() -> None:
    refusal = closed(5, on="2025-12-03", amount_minor=30_000_000)
    refused = client()
    # 90 days after 2025-12-03 is 2026-03-03
    assert client_candidates(data("2026-03-02", refused, lost=[refusal]), DEFAULTS) == []
    [found] = client_candidates(data("2026-03-03", refused, lost=[refusal]), DEFAULTS)
    assert found.rule == "revisit"
    assert found.kind == "closing"
    assert found.overdue_days == 0
    assert found.about is refusal
    assert (found.template_funnel, found.template_stage) == ("refusal", "revisit")
    assert found.reason == "refusal revisit: deal #5 lost 2025-12-03 (дорого), 90 days ago"


def test_refusal_revisit_not_with_an_open_deal() -> None:
    refusal = closed(5, on="2025-12-03")
    busy = client(open_deals=1)
    assert client_candidates(data("2026-03-10", busy, lost=[refusal]), DEFAULTS) == []


def test_refusal_revisit_after_the_no_nudge_of_that_day() -> None:
    # the refusal was heard in a nudge logged the day the deal was lost: still revisited
    refusal = closed(5, on="2025-12-03")
    refused = client(last_touch_on=day("2025-12-03"))
    assert rules_of(client_candidates(data("2026-03-03", refused, lost=[refusal]), DEFAULTS)) == [
        (1, "revisit")
    ]


def test_refusal_revisit_done_or_quiet() -> None:
    refusal = closed(5, on="2025-12-03")
    # the revisit made on the due date with no answer: the next one 90 days later
    revisited = client(last_touch_on=day("2026-03-03"), asked="2026-03-03")
    assert client_candidates(data("2026-03-20", revisited, lost=[refusal]), DEFAULTS) == []
    [again] = client_candidates(data("2026-06-01", revisited, lost=[refusal]), DEFAULTS)
    assert again.reason == (
        "refusal revisit: deal #5 lost 2025-12-03 (дорого), 180 days ago; "
        "revisited 2026-03-03, no answer"
    )
    # any other touch on the due date (a card, a service call) only waits the quiet days
    carded = client(last_touch_on=day("2026-03-03"))
    assert client_candidates(data("2026-03-05", carded, lost=[refusal]), DEFAULTS) == []
    assert rules_of(client_candidates(data("2026-03-06", carded, lost=[refusal]), DEFAULTS)) == [
        (1, "revisit")
    ]
    s = with_settings(plan__revisit_days="30")  # due 2026-01-02
    recent = client(last_touch_on=day("2025-12-31"))  # before due, but within quiet days
    assert client_candidates(data("2026-01-02", recent, lost=[refusal]), s) == []
    assert rules_of(client_candidates(data("2026-01-03", recent, lost=[refusal]), s)) == [
        (1, "revisit")
    ]


# -- priority ----------------------------------------------------------------------------
def candidate(**fields: object) -> Candidate:
    base: dict[str, object] = {"client_id": 1, "rule": "stuck", "reason": "", "kind": "closing"}
    base.update(fields)
    return Candidate(**base)  # type: ignore[arg-type]


def test_priority_terms_exact_values() -> None:
    terms = priority_terms(
        candidate(overdue_days=5, amount_minor=12_500_000, closeness=Decimal(4) / Decimal(5)),
        client(category="A"),
        DEFAULTS,
    )
    assert terms == {
        "category": Decimal(30),
        "money": Decimal("10.50"),  # 5 × log10(1 + 125000 / 1000) = 10.5022
        "closeness": Decimal("16.00"),  # 20 × 4/5
        "overdue": Decimal(5),  # 1 × 5
        "rule": Decimal(12),
    }
    assert str(terms["money"]) == "10.50"
    assert sum(terms.values()) == Decimal("73.50")


@pytest.mark.parametrize(
    ("category", "points"), [("A", 30), ("B", 20), ("C", 10), (None, 5), ("Z", 5)]
)
def test_priority_category_weight(category: str | None, points: int) -> None:
    assert priority_terms(candidate(), client(category=category), DEFAULTS)["category"] == points


@pytest.mark.parametrize(
    ("amount_minor", "money"),
    [
        (None, "0.00"),
        (0, "0.00"),
        (100_000, "1.51"),  # 1 000 RUB: 5 × log10(2) = 1.505
        (99_900_000, "15.00"),  # 999 000 RUB: 5 × log10(1000)
        (1_000_000_000, "20.00"),  # 10 000 000 RUB: 5 × log10(10001) = 20.0002
        (4_900, "0.10"),  # 49 RUB: 5 × log10(1.049) = 0.1039
    ],
)
def test_priority_money_term(amount_minor: int | None, money: str) -> None:
    terms = priority_terms(candidate(amount_minor=amount_minor), client(), DEFAULTS)
    assert str(terms["money"]) == money
    amount = (amount_minor or 0) / 100
    assert terms["money"] == Decimal(str(round(5 * math.log10(1 + amount / 1000), 2))).quantize(
        Decimal("0.01")
    )


@pytest.mark.parametrize(
    ("position", "won", "closeness"),
    [(1, 5, "4.00"), (2, 5, "8.00"), (3, 5, "12.00"), (4, 5, "16.00"), (4, 6, "13.33")],
)
def test_priority_closeness_term(position: int, won: int, closeness: str) -> None:
    c = candidate(closeness=Decimal(position) / Decimal(won))
    assert str(priority_terms(c, client(), DEFAULTS)["closeness"]) == closeness


@pytest.mark.parametrize(
    ("overdue", "points"), [(0, 0), (1, 1), (13, 13), (14, 14), (15, 14), (400, 14)]
)
def test_priority_overdue_capped_at_14_days(overdue: int, points: int) -> None:
    assert MAX_OVERDUE_DAYS == 14
    terms = priority_terms(candidate(overdue_days=overdue), client(), DEFAULTS)
    assert terms["overdue"] == points


@pytest.mark.parametrize(
    ("rule", "points"),
    [
        ("follow_up", 15),
        ("stuck", 12),
        ("silent", 8),
        ("service", 6),
        ("revisit", 4),
        ("warming", 3),
    ],
)
def test_priority_rule_weight(rule: str, points: int) -> None:
    assert rule in RULES
    assert priority_terms(candidate(rule=rule), client(), DEFAULTS)["rule"] == points


def test_priority_weights_follow_settings() -> None:
    s = with_settings(
        plan__weight__category__B="7",
        plan__weight__money="10",
        plan__weight__closeness="0",
        plan__weight__overdue="1.5",
        plan__weight__rule__stuck="100",
    )
    terms = priority_terms(
        candidate(overdue_days=3, amount_minor=99_900_000, closeness=Decimal(1)),
        client(category="B"),
        s,
    )
    assert terms == {
        "category": Decimal(7),
        "money": Decimal("30.00"),
        "closeness": Decimal("0.00"),
        "overdue": Decimal("4.5"),
        "rule": Decimal(100),
    }


# -- the plan: merge, order, touched today -------------------------------------------------
def test_one_item_per_client_primary_is_the_highest_priority() -> None:
    today = "2026-03-16"
    buyer = client(category="B", open_deals=2, last_touch_on=day("2026-02-01"))
    small = deal(1, stage="request", entered=day("2026-03-02"), amount_minor=1_000_000)
    big = deal(2, stage="invoice", entered=day("2026-03-02"), amount_minor=50_000_000)
    paid = closed(9, on="2026-03-02", amount_minor=2_000_000)
    plan = build_plan(data(today, buyer, [small, big], paid=[paid]), DEFAULTS)
    [item] = plan.items
    assert item.rank == 1
    assert item.client is buyer
    assert (item.primary.rule, item.primary.deal) == ("stuck", big)
    assert [(c.rule, c.deal.id if c.deal else None) for c in item.others] == [
        ("stuck", 1),
        ("service", None),
    ]
    # two deals in one item: each reason says which deal it is
    assert item.reasons == [
        "#2: Счёт отправлен: 9 working days in stage (limit 3), no touch since",  # 9 March off
        "#1: Запрос: 9 working days in stage (limit 2), no touch since",
        "service contact: deal #9 paid 2026-03-02, 14 days ago — how is it going?",
    ]
    assert item.terms == priority_terms(item.primary, buyer, DEFAULTS)
    assert item.priority == sum(item.terms.values())
    for other in item.others:
        assert sum(priority_terms(other, buyer, DEFAULTS).values()) <= item.priority


def test_merge_ties_go_by_rule_order_then_deal() -> None:
    s = with_settings(
        plan__weight__rule__stuck="0", plan__weight__rule__service="0", plan__weight__overdue="0"
    )
    buyer = client(category="B", open_deals=2)
    second = deal(2, stage="invoice", entered=day("2026-03-02"), position=0)
    first = deal(1, stage="invoice", entered=day("2026-03-02"), position=0)
    paid = closed(9, on="2026-03-02")
    [item] = build_plan(data("2026-03-16", buyer, [second, first], paid=[paid]), s).items
    assert [(c.rule, c.deal.id if c.deal else None) for c in (item.primary, *item.others)] == [
        ("stuck", 1),
        ("stuck", 2),
        ("service", None),
    ]


def test_touched_today_drops_off() -> None:
    stuck = deal(stage="invoice", entered=day("2026-03-02"))
    today = day("2026-03-16")
    fresh = client(open_deals=1, last_touch_on=today)
    assert build_plan(data(today, fresh, [stuck]), DEFAULTS).items == []
    yesterday = client(open_deals=1, last_touch_on=today - dt.timedelta(days=1))
    assert len(build_plan(data(today, yesterday, [stuck]), DEFAULTS).items) == 1


def test_plan_order_by_priority_then_name() -> None:
    today = "2026-03-16"
    clients = [
        client(1, name="Сокол", category="C", open_deals=1),
        client(2, name="астра", category="A", open_deals=1),
        client(3, name="Берёза", category="B", open_deals=1),
        client(4, name="Вектор", category="B", open_deals=1),
        client(5, name="Атлант", category="A", paid=("2025-06-01",)),  # silent
    ]
    deals = [deal(n, client_id=n, stage="request", entered=day("2026-03-12")) for n in (1, 2, 3, 4)]
    plan = build_plan(data(today, clients, deals), DEFAULTS)
    # requests since Thu 12th, limit 2: on Mon 16th 2 working days, not stuck yet
    assert [(i.client.name, i.primary.rule) for i in plan.items] == [("Атлант", "silent")]
    plan = build_plan(data("2026-03-17", clients, deals), DEFAULTS)
    names = [(i.rank, i.client.name, i.primary.rule, str(i.priority)) for i in plan.items]
    assert names == [
        (1, "Атлант", "silent", "52.00"),  # 30 + 0 + 0 + 1 × 14 (capped) + 8
        (2, "астра", "stuck", "51.00"),  # 30 + 0 + 8 + 1 + 12
        (3, "Берёза", "stuck", "41.00"),  # tie with Вектор: by name
        (4, "Вектор", "stuck", "41.00"),
        (5, "Сокол", "stuck", "31.00"),
    ]


def test_the_items_shown_are_those_of_the_whole_plan() -> None:
    """A day's work, a category's items, one rank or one client are cut from the ranking
    without building the rest: each is exactly what the whole plan has there."""
    names = ["Сокол", "астра", "Берёза", "Вектор", "Атлант", "Сокол", "Вектор"]
    categories = ["A", "B", "C", None]
    clients, deals = [], []
    for n in range(1, 43):
        # three clients of every name: ties in priority are broken by name, then by id
        clients.append(
            client(
                n,
                name=names[n % len(names)],
                category=categories[n % 4],
                open_deals=0 if n % 5 == 0 else 1,
                paid=("2025-06-01",) if n % 5 == 0 else (),
            )
        )
        if n % 5:
            deals.append(
                deal(
                    n,
                    client_id=n,
                    stage=("request", "invoice")[n % 2],
                    entered=day("2026-03-02") + dt.timedelta(days=n % 4),
                    amount_minor=(n % 3) * 5_000_000 or None,
                )
            )
    facts = data("2026-03-17", clients, deals)
    whole = build_plan(facts, DEFAULTS).items
    ranking = rank(facts, DEFAULTS)
    assert len(ranking) == len(whole) == 42
    assert len({i.priority for i in whole}) < len(whole)  # (ties to break)
    for first in (1, 7, 30, 42, 100, None):
        assert ranking.items(first) == whole[:first]
    for category in ("A", "B", "C"):
        mine = [i for i in whole if i.client.category == category]
        assert ranking.count(category) == len(mine)
        assert ranking.items(3, category=category) == mine[:3]
        assert ranking.items(category=category) == mine
    assert [ranking.at(r) for r in range(1, 43)] == whole
    assert ranking.at(0) is None and ranking.at(43) is None
    assert [ranking.of_client(i.client.id) for i in whole] == whole
    assert ranking.of_client(99) is None


def test_only_loaded_clients_appear() -> None:
    present = client(1, open_deals=1)
    orphan_deal = deal(2, client_id=2, stage="invoice", entered=day("2026-03-02"))
    orphan_paid = closed(3, client_id=2, on="2026-03-02")
    orphan_lost = closed(4, client_id=2, on="2025-01-02")
    plan = build_plan(
        data("2026-03-20", present, [orphan_deal], paid=[orphan_paid], lost=[orphan_lost]),
        DEFAULTS,
    )
    assert plan.items == []


def test_build_plan_is_deterministic() -> None:
    clients = [
        client(n, name=f"Клиент {n % 3}", category="ABC"[n % 3], open_deals=1) for n in range(1, 8)
    ]
    deals = [deal(n, client_id=n, stage="invoice", entered=day("2026-03-02")) for n in range(1, 8)]
    forward = build_plan(data("2026-03-16", clients, deals), DEFAULTS)
    backward = build_plan(data("2026-03-16", clients[::-1], deals[::-1]), DEFAULTS)
    assert forward == build_plan(data("2026-03-16", clients, deals), DEFAULTS)
    assert [(i.rank, i.client.id) for i in forward.items] == [
        (i.rank, i.client.id) for i in backward.items
    ]
    assert [i.client.id for i in forward.items] == [3, 6, 1, 4, 7, 2, 5]


def test_every_setting_has_a_valid_default() -> None:
    for spec in SPECS:
        assert DEFAULTS.str(spec.key) == spec.default
        assert normalise(spec.key, spec.default) == spec.default


# -- properties --------------------------------------------------------------------------
TODAY = dt.date(2026, 3, 16)
near = st.dates(min_value=TODAY - dt.timedelta(days=400), max_value=TODAY)
maybe_near = st.none() | near


@st.composite
def said_answers(draw: st.DrawFn) -> Said:
    """An answer on the general conversation: yes, no, or later on a date near today."""
    on = draw(near)
    outcome = draw(st.sampled_from(["yes", "no", "later"]))
    later = on + dt.timedelta(days=draw(st.integers(1, 40))) if outcome == "later" else None
    kind = draw(st.sampled_from(["closing", "warming"])) if outcome != "yes" else "closing"
    return Said(on, on.isoformat(), kind, outcome, later, "дорого" if outcome == "no" else None)


@st.composite
def plan_inputs(draw: st.DrawFn) -> PlanInput:
    ids = draw(st.lists(st.integers(1, 12), unique=True, max_size=8))
    clients = {}
    for cid in ids:
        paid = tuple(sorted(draw(st.lists(near, max_size=5))))
        clients[cid] = ClientState(
            id=cid,
            name=draw(st.sampled_from(["Ромашка", "ромашка", "Берёза", "Astra", "Ёлка"])),
            company=None,
            category=draw(st.sampled_from(["A", "B", "C", None])),
            person=None,
            open_deals=draw(st.integers(0, 2)),
            last_touch_on=draw(maybe_near),
            paid_dates=paid,
            last_paid_amount=draw(st.none() | st.integers(0, 10**10)),
            warming_since_closing=draw(st.integers(0, 7)),
            said=draw(st.none() | said_answers()),
            asked=draw(st.none() | st.builds(lambda on: Asked(on, on.isoformat() + " 12"), near)),
        )
    everyone = st.integers(1, 14)  # ids 13 and 14 are never loaded: archived clients
    deals = []
    for n in range(draw(st.integers(0, 10))):
        won = draw(st.integers(2, 6))
        deals.append(
            OpenDeal(
                id=n + 1,
                client_id=draw(everyone),
                funnel=draw(st.sampled_from(["repeat", "first", "refusal"])),
                stage="s",
                stage_name="Стадия",
                stage_position=draw(st.integers(1, won - 1)),
                won_position=won,
                limit_days=draw(st.none() | st.integers(0, 10)),
                stage_entered_on=draw(near),
                follow_up_on=draw(
                    st.none()
                    | st.dates(TODAY - dt.timedelta(days=30), TODAY + dt.timedelta(days=30))
                ),
                amount_minor=draw(st.none() | st.integers(0, 10**10)),
                currency="RUB",
                title=None,
                last_touch_on=draw(maybe_near),
            )
        )

    def closed_deals(first_id: int) -> tuple[ClosedDeal, ...]:
        return tuple(
            ClosedDeal(
                id=first_id + n,
                client_id=draw(everyone),
                closed_on=draw(near),
                amount_minor=draw(st.none() | st.integers(0, 10**9)),
                currency="RUB",
                title=None,
            )
            for n in range(draw(st.integers(0, 4)))
        )

    return PlanInput(
        today=TODAY,
        clients=clients,
        deals=tuple(deals),
        paid_awaiting_service=closed_deals(100),
        lost=closed_deals(200),
    )


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(plan_inputs())
def test_plan_invariants(data_: PlanInput) -> None:
    plan = build_plan(data_, DEFAULTS)
    ids = [item.client.id for item in plan.items]
    assert len(ids) == len(set(ids))  # at most one item per client
    assert set(ids) <= set(data_.clients)  # only clients that were loaded
    assert [item.rank for item in plan.items] == list(range(1, len(plan.items) + 1))
    priorities = [item.priority for item in plan.items]
    assert priorities == sorted(priorities, reverse=True)
    for item in plan.items:
        assert item.client is data_.clients[item.client.id]
        assert item.client.last_touch_on != data_.today  # touched today drops off
        for c in (item.primary, *item.others):
            assert c.client_id == item.client.id
            assert sum(priority_terms(c, item.client, DEFAULTS).values()) <= item.priority
            assert c.kind in ("warming", "closing", "service")
            assert c.rule in RULES
    # nothing is lost in the merge: every candidate of a client not touched today is shown
    candidates = deal_candidates(data_, DEFAULTS) + client_candidates(data_, DEFAULTS)
    kept = [c for c in candidates if data_.clients[c.client_id].last_touch_on != data_.today]
    assert len(kept) == sum(1 + len(item.others) for item in plan.items)


@PROPERTY
@given(plan_inputs())
def test_plan_is_deterministic_and_order_free(data_: PlanInput) -> None:
    first = build_plan(data_, DEFAULTS)
    assert first == build_plan(data_, DEFAULTS)
    shuffled = dataclasses.replace(
        data_,
        clients=dict(reversed(list(data_.clients.items()))),
        deals=data_.deals[::-1],
    )
    again = build_plan(shuffled, DEFAULTS)
    assert [(i.rank, i.client.id, i.primary, i.others, i.terms) for i in first.items] == [
        (i.rank, i.client.id, i.primary, i.others, i.terms) for i in again.items
    ]


@PROPERTY
@given(plan_inputs())
def test_no_item_for_a_client_touched_today(data_: PlanInput) -> None:
    touched = {
        cid: dataclasses.replace(c, last_touch_on=data_.today) for cid, c in data_.clients.items()
    }
    assert build_plan(dataclasses.replace(data_, clients=touched), DEFAULTS).items == []

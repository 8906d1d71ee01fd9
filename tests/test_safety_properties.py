"""Property-based safety checks that tests/test_parsing.py and tests/test_planner_rules.py
do not make: dates read back whatever their form, refused amounts stay refused, the
plan read from a real (generated) database keeps its promises, CSV cells survive an
import and an export, and no exported cell can run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from povtor.errors import InvalidInput
from povtor.parsing import FIRST_DAY, LAST_DAY, parse_amount, parse_date
from povtor.text import clean_text
from support import TODAY, TODAY_DATE, invoke

MONDAY = dt.date.fromisoformat(TODAY_DATE)
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# -- dates ------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_any_real_date_reads_back_in_both_forms(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.day:02d}.{day.month:02d}.{day.year:04d}") == day
    assert parse_date(f"{day.day}.{day.month}.{day.year}") == day
    assert parse_date(f"  {day.isoformat()}\u00a0", today=MONDAY) == day


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1900, 2200),
    st.integers(0, 99),
    st.integers(0, 99),
    st.sampled_from(["{y:04d}-{m:02d}-{d:02d}", "{d:02d}.{m:02d}.{y:04d}"]),
)
def test_an_impossible_date_is_refused_and_a_possible_one_read(
    year: int, month: int, day: int, form: str
) -> None:
    text = form.format(y=year, m=month, d=day)
    try:
        real = dt.date(year, month, day)
    except ValueError:
        with pytest.raises(InvalidInput, match="is not a real calendar date"):
            parse_date(text, field="--on")
    else:
        assert parse_date(text, field="--on") == real


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 9999), st.sampled_from(["+", "-"]), st.sampled_from(["", "d", "w"]))
def test_relative_dates_count_from_today(count: int, sign: str, unit: str) -> None:
    days = count * (7 if unit == "w" else 1) * (1 if sign == "+" else -1)
    expected = MONDAY + dt.timedelta(days=days)
    if FIRST_DAY <= expected <= LAST_DAY:
        assert parse_date(f"{sign}{count}{unit}", today=MONDAY) == expected
    else:  # e.g. -9999w: before 1900
        with pytest.raises(InvalidInput, match="is not within the dates povtor keeps"):
            parse_date(f"{sign}{count}{unit}", today=MONDAY)


@settings(max_examples=100, deadline=None)
@given(st.dates(), st.integers(-99_999, 99_999))
def test_no_date_outside_the_range_gets_in_and_none_overflows(today: dt.date, days: int) -> None:
    text = f"{days:+d}"
    inside = FIRST_DAY <= today <= LAST_DAY
    try:
        expected: dt.date | None = today + dt.timedelta(days=days)
    except OverflowError:
        expected = None
    for form in (today.isoformat(), f"{today.day:02d}.{today.month:02d}.{today.year:04d}"):
        if inside:
            assert parse_date(form) == today
        else:
            with pytest.raises(InvalidInput, match="is not within the dates povtor keeps"):
                parse_date(form)
    if abs(days) > 9999:
        return  # more than four digits is not an offset
    if expected is not None and FIRST_DAY <= expected <= LAST_DAY:
        assert parse_date(text, today=today) == expected
    else:
        with pytest.raises(InvalidInput, match="is not within the dates povtor keeps"):
            parse_date(text, today=today)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
@example("2026-02-30")
@example("+99999")
@example("٢٠٢٦-٠٣-٠٢")  # Arabic-Indic digits
@example("2026-03-02\x00")
def test_parse_date_returns_a_date_or_refuses_clearly(text: str) -> None:
    try:
        parsed = parse_date(text, field="--on", today=MONDAY)
    except InvalidInput as error:
        assert error.message.startswith(f"--on: {text!r} is not ")
        assert error.hint
    else:
        assert isinstance(parsed, dt.date)


# -- amounts ----------------------------------------------------------------------------
digits = st.text(alphabet="0123456789", min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        digits.map(lambda d: "-" + d),
        st.tuples(digits, st.integers(-400, 400)).map(lambda t: f"{t[0]}e{t[1]}"),
        st.sampled_from(["NaN", "nan", "inf", "-inf", "Infinity", "∞", "1_000", "0x10"]),
        st.tuples(digits, digits, digits).map(lambda t: f"{t[0]},{t[1][:1]},{t[2]}"),
        st.tuples(digits, st.text(alphabet="0123456789", min_size=3, max_size=6)).map(
            lambda t: f"{t[0]}.{t[1]}" if len(t[1].rstrip("0")) > 2 else "1.001"
        ),
    )
)
def test_refused_amount_forms_are_always_refused(text: str) -> None:
    assume(not (text.startswith("-") and text.strip("-0") == ""))  # "-0" is zero, not negative
    with pytest.raises(InvalidInput):
        parse_amount(text, field="--amount")


# -- the plan, read from a generated database -----------------------------------------------
# stage ids of the default funnels (0001_initial seeds them): funnel -> open stages, paid
STAGES = {1: ((1, 2, 3, 4), 5), 2: ((6, 7, 8, 9, 10), 11), 3: ((12, 13, 14, 15), 16)}
near = st.dates(MONDAY - dt.timedelta(days=500), MONDAY)


@st.composite
def small_databases(draw: st.DrawFn) -> dict[str, list[tuple[object, ...]]]:
    clients = [
        (
            cid,
            f"Клиент {cid}",
            draw(st.sampled_from(["A", "B", "C", None])),
            draw(st.sampled_from(["active", "active", "archived"])),
            draw(near).isoformat(),
        )
        for cid in range(1, draw(st.integers(1, 7)) + 1)
    ]
    deals = []
    for did in range(1, draw(st.integers(1, 10)) + 1):
        funnel = draw(st.sampled_from([1, 2, 3]))
        open_stages, paid = STAGES[funnel]
        status = draw(st.sampled_from(["open", "open", "won", "lost"]))
        entered = draw(near)
        stage = paid if status == "won" else draw(st.sampled_from(open_stages))
        closed = entered.isoformat() if status != "open" else None
        follow = draw(
            st.none() | st.dates(MONDAY - dt.timedelta(days=20), MONDAY + dt.timedelta(20))
        )
        deals.append(
            (
                did,
                draw(st.integers(1, len(clients))),
                funnel,
                stage,
                draw(st.none() | st.integers(0, 10**9)),
                status,
                entered.isoformat(),
                entered.isoformat(),
                closed,
                follow.isoformat() if follow and status == "open" else None,
            )
        )
    touches = []
    for tid in range(1, draw(st.integers(0, 12)) + 1):
        on = draw(st.sampled_from([MONDAY]) | near)
        deal = draw(st.none() | st.sampled_from(deals)) if deals else None
        client = deal[1] if deal else draw(st.integers(1, len(clients)))
        outcome = draw(st.sampled_from(["pending", "yes", "no", "later", "no_answer"]))
        later = (on + dt.timedelta(days=draw(st.integers(1, 30)))).isoformat()
        touches.append(
            (
                tid,
                client,
                deal[0] if deal else None,
                f"{on.isoformat()} 09:00:00.000000",
                on.isoformat(),
                draw(st.sampled_from(["warming", "closing", "service"])),
                outcome,
                later if outcome == "later" else None,
            )
        )
    return {"client": clients, "deal": deals, "touch": touches}


INSERTS = {
    "client": "INSERT INTO client (id, name, search_key, category, status, created_on) "
    "VALUES (?, ?, lower(?2), ?, ?, ?)",
    "deal": "INSERT INTO deal (id, client_id, funnel_id, stage_id, amount_minor, status, "
    "opened_on, stage_entered_on, closed_on, follow_up_on, currency) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'RUB')",
    "touch": "INSERT INTO touch (id, client_id, deal_id, at, on_date, kind, channel, outcome, "
    "follow_up_on) VALUES (?, ?, ?, ?, ?, ?, 'call', ?, ?)",
}


def _plan(path: Path) -> list[dict[str, object]]:
    run = invoke(["--db", str(path), "--today", TODAY, "plan", "today", "--format", "json"])
    assert run.exit_code == 0 and run.exception is None, run.describe()
    return json.loads(run.stdout)


def _refresh_activity(path: Path) -> None:
    from povtor.storage.activity import refresh_activity
    from povtor.storage.database import open_database
    from povtor.storage.location import resolve_location

    database = open_database(resolve_location(str(path)), create=False)
    try:
        with database.transaction():
            refresh_activity(database, None)
    finally:
        database.close()


@PROPERTY
@given(small_databases())
def test_the_plan_from_a_database_keeps_its_promises(
    migrated_template: Path, data: dict[str, list[tuple[object, ...]]]
) -> None:
    import sqlite3

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "povtor.db"
        shutil.copy(migrated_template, path)
        connection = sqlite3.connect(path)
        with connection:
            for table, rows in data.items():
                connection.executemany(INSERTS[table], rows)
        connection.close()
        _refresh_activity(path)  # as povtor's own writes leave it
        plan = _plan(path)
        assert _plan(path) == plan  # the same database and day: the same plan, to the byte
    names = {c[0]: c[1] for c in data["client"]}
    archived = {c[1] for c in data["client"] if c[3] == "archived"}
    closed = {d[0] for d in data["deal"] if d[5] != "open"}
    client_of_deal = {d[0]: names[d[1]] for d in data["deal"]}
    touched_today = {names[t[1]] for t in data["touch"] if t[4] == TODAY_DATE}
    listed = [item["client"] for item in plan]
    assert len(listed) == len(set(listed))  # at most one item per client
    assert not set(listed) & archived  # never an archived client
    assert not set(listed) & touched_today  # nobody touched today
    for item in plan:
        assert item["deal_id"] not in closed  # never a closed deal
        if item["deal_id"] is not None:
            assert client_of_deal[item["deal_id"]] == item["client"]
    assert [item["rank"] for item in plan] == list(range(1, len(plan) + 1))
    event(f"plan items: {min(len(plan), 3)}+")


# -- CSV rows: a cell survives import and export; no cell runs as a formula ------------------
cell_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")),
    min_size=1,
    max_size=40,
).filter(lambda t: _clean(t) is not None)
formula_text = st.tuples(st.sampled_from("=+-@"), cell_text).map("".join)


def _clean(text: str) -> str | None:
    try:
        return clean_text(text, field="name")
    except InvalidInput:
        return None


@PROPERTY
@given(
    st.lists(st.one_of(cell_text, formula_text), min_size=1, max_size=5, unique_by=_clean),
    st.lists(st.one_of(cell_text, formula_text, st.just('Иван, "Петров"\nвторая строка'))),
)
# semicolons in a name beside a quoted cell that holds commas and a line break: the file
# is still comma-separated
@example(names=[";;"], notes=['Иван, "Петров"\nвторая строка'])
def test_csv_cells_survive_import_and_export(
    migrated_template: Path, names: list[str], notes: list[str]
) -> None:
    rows = [(name, notes[i] if i < len(notes) else "") for i, name in enumerate(names)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "povtor.db"
        shutil.copy(migrated_template, path)
        source = Path(folder) / "clients.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["name", "notes"])
            writer.writerows(rows)
        imported = invoke(["--db", str(path), "import", "clients", str(source)])
        assert imported.exit_code == 0, imported.describe()
        exported = invoke(["--db", str(path), "export", "clients", "--format", "csv"])
        assert exported.exit_code == 0, exported.describe()
        back = list(csv.DictReader(io.StringIO(exported.stdout)))
        excel = invoke(["--db", str(path), "export", "clients", "--excel"])
        assert excel.exit_code == 0, excel.describe()
    expected = sorted((_clean(n), (_clean_notes(t) or "")) for n, t in rows)
    assert sorted((r["name"], r["notes"]) for r in back) == expected
    cells = list(csv.reader(io.StringIO(excel.stdout.lstrip("\ufeff")), delimiter=";"))
    for row in cells[1:]:
        for cell in row:
            # a spreadsheet would run a cell that starts with one of these: never exported so
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


def _clean_notes(text: str) -> str | None:
    return clean_text(text, field="--notes", max_len=10_000, multiline=True)

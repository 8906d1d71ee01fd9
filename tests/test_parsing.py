"""The pure parsers and text rules: dates, money, clean text, folding and sorting."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from povtor.clock import make_clock
from povtor.errors import InvalidInput
from povtor.parsing import MAX_AMOUNT_MINOR, format_money, money, parse_amount, parse_date
from povtor.text import address_name, clean_text, fold, sort_key

MONDAY = dt.date(2026, 3, 2)


# -- parse_date ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02", dt.date(2026, 3, 2)),
        ("2026-3-2", dt.date(2026, 3, 2)),
        ("  2026-12-31 ", dt.date(2026, 12, 31)),
        ("02.03.2026", dt.date(2026, 3, 2)),
        ("2.3.2026", dt.date(2026, 3, 2)),
        ("29.02.2028", dt.date(2028, 2, 29)),
    ],
)
def test_parse_date_formats(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", dt.date(2026, 3, 2)),
        ("TODAY", dt.date(2026, 3, 2)),
        ("tomorrow", dt.date(2026, 3, 3)),
        ("yesterday", dt.date(2026, 3, 1)),
        ("+3", dt.date(2026, 3, 5)),
        ("-2", dt.date(2026, 2, 28)),
        ("+2w", dt.date(2026, 3, 16)),
        ("-1w", dt.date(2026, 2, 23)),
        ("+0", dt.date(2026, 3, 2)),
        ("2026-01-15", dt.date(2026, 1, 15)),
    ],
)
def test_parse_date_relative_to_today(text: str, expected: dt.date) -> None:
    assert parse_date(text, today=MONDAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "when: '2026-02-30' is not a real calendar date"),
        ("2026-02-29", "when: '2026-02-29' is not a real calendar date"),
        ("2026-13-01", "when: '2026-13-01' is not a real calendar date"),
        ("0000-01-01", "when: '0000-01-01' is not a real calendar date"),
        ("31/12/2026", "when: '31/12/2026' is not a date"),
        ("завтра", "when: 'завтра' is not a date"),
        ("today", "when: 'today' is not a date"),  # only with a today to count from
        ("+3", "when: '+3' is not a date"),
        ("", "when: '' is not a date"),
        ("2026-03-02T10:00", "when: '2026-03-02T10:00' is not a date"),
        ("20260302", "when: '20260302' is not a date"),
    ],
)
def test_parse_date_refuses(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date(text, field="when")
    assert caught.value.message == message
    assert caught.value.hint


def test_parse_date_hints() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date("31/12/2026")
    assert caught.value.hint == "write it as YYYY-MM-DD (e.g. 2026-03-31) or DD.MM.YYYY"
    with pytest.raises(InvalidInput) as caught:
        parse_date("2026-02-30")
    assert caught.value.hint == "check the day and month (e.g. February has 28 or 29 days)"


# -- parse_amount / format_money ----------------------------------------------------
@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("0", 0),
        ("1234", 123400),
        ("1234.5", 123450),
        ("1234,5", 123450),
        ("1234.50", 123450),
        ("1 234,50", 123450),
        ("1\u00a0234,50", 123450),  # no-break space, as spreadsheets write it
        ("1\u202f234,50", 123450),  # narrow no-break space
        ("1'234.50", 123450),
        ("1,234.50", 123450),
        ("1.234,50", 123450),
        ("1,234", 123400),
        ("1,234,567", 123456700),
        ("1.234.567", 123456700),
        ("12 500", 1250000),
        ("0,05", 5),
        (",5", 50),
        ("5.", 500),
        ("+5", 500),
        ("007", 700),
        ("  125000  ", 12500000),
        ("9 999 999 999 999,99", MAX_AMOUNT_MINOR - 1),
        ("0" * 5000 + "1", 100),  # leading zeros are only zeros, however many
    ],
)
def test_parse_amount_accepts(text: str, minor: int) -> None:
    assert parse_amount(text) == minor


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12,3,4", "sum: '12,3,4' is not an amount of money"),
        ("1,2.3", "sum: '1,2.3' is not an amount of money"),
        ("1.2,3", "sum: '1.2,3' is not an amount of money"),
        ("0,001,000", "sum: '0,001,000' is not an amount of money"),
        ("-5", "sum: '-5' is negative; amounts must be zero or more"),
        ("- 5", "sum: '- 5' is negative; amounts must be zero or more"),
        ("1e400", "sum: '1e400' is not an amount of money"),
        ("NaN", "sum: 'NaN' is not an amount of money"),
        ("Infinity", "sum: 'Infinity' is not an amount of money"),
        ("abc", "sum: 'abc' is not an amount of money"),
        ("", "sum: '' is not an amount of money"),
        ("   ", "sum: '   ' is not an amount of money"),
        ("+", "sum: '+' is not an amount of money"),
        ("١٢٣", "sum: '١٢٣' is not an amount of money"),
        ("１２３", "sum: '１２３' is not an amount of money"),
        ("12 руб.", "sum: '12 руб.' is not an amount of money"),
        ("$12", "sum: '$12' is not an amount of money"),
        ("1.555", "sum: '1.555' has more than two decimal places"),
        ("1.234", "sum: '1.234' has more than two decimal places"),
        ("0,001", "sum: '0,001' has more than two decimal places"),
        ("10000000000000", "sum: '10000000000000' is too large"),
        ("1" * 5000, f"sum: {'1' * 5000!r} is too large"),
    ],
)
def test_parse_amount_refuses(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_amount(text, field="sum")
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("minor", "machine", "people"),
    [
        (None, "", ""),
        (0, "0.00", "0.00"),
        (5, "0.05", "0.05"),
        (12345050, "123450.50", "123 450.50"),
        (MAX_AMOUNT_MINOR - 1, "9999999999999.99", "9 999 999 999 999.99"),
        (-150, "-1.50", "-1.50"),  # a difference can be negative: not -2 + 0.50
        (-123456700, "-1234567.00", "-1 234 567.00"),
    ],
)
def test_format_money(minor: int | None, machine: str, people: str) -> None:
    assert format_money(minor) == machine
    assert format_money(minor, grouped=True) == people
    assert str(money(minor)) == (machine or "None")


amounts = st.integers(min_value=0, max_value=MAX_AMOUNT_MINOR - 1)


@settings(max_examples=300, deadline=None)
@given(amounts)
@example(0)
@example(MAX_AMOUNT_MINOR - 1)
@example(100_000)
def test_amount_round_trips(minor: int) -> None:
    assert parse_amount(format_money(minor)) == minor
    assert parse_amount(format_money(minor, grouped=True)) == minor
    assert parse_amount(format_money(minor).replace(".", ",")) == minor


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789.,+- '\u00a0eE")))
@example("1" * 5000)
@example("9" * 4301 + ".99")
@example("1,000,000,000,000,000,000,000")
def test_parse_amount_raises_only_invalid_input(text: str) -> None:
    try:
        minor = parse_amount(text)
    except InvalidInput as error:
        assert error.message.startswith(f"amount: {text!r} ")
    else:
        assert 0 <= minor < MAX_AMOUNT_MINOR


# -- clean_text ---------------------------------------------------------------------
def test_clean_text_normalises_and_strips() -> None:
    assert clean_text("  Семе\u0308н  ", field="name") == "Семён"  # NFC: one ё
    assert clean_text("Ромашка", field="name") == "Ромашка"
    assert clean_text(None, field="name") is None
    assert clean_text("   ", field="name") is None
    assert clean_text("a\nb\tc", field="--notes", multiline=True) == "a\nb\tc"
    assert clean_text("я" * 200, field="name") == "я" * 200


@pytest.mark.parametrize(
    ("value", "options", "message"),
    [
        (None, {"required": True}, "name is required"),
        ("  ", {"required": True}, "name must not be empty"),
        ("я" * 201, {}, "name is 201 characters long; at most 200 are allowed"),
        ("я" * 11, {"max_len": 10}, "name is 11 characters long; at most 10 are allowed"),
        ("a\nb", {}, "name contains a control character (U+000A) at character 2"),
        ("a\tb", {}, "name contains a control character (U+0009) at character 2"),
        ("a\rb", {"multiline": True}, "name contains a control character (U+000D) at character 2"),
        ("a\x00b", {}, "name contains a control character (U+0000) at character 2"),
        ("ab\x7f", {}, "name contains a control character (U+007F) at character 3"),
        ("a\u202eb", {}, "name contains an invisible direction mark (U+202E) at character 2"),
        ("\u200eab", {}, "name contains an invisible direction mark (U+200E) at character 1"),
        ("ab\u2066", {}, "name contains an invisible direction mark (U+2066) at character 3"),
        ("a\u061cb", {}, "name contains an invisible direction mark (U+061C) at character 2"),
    ],
)
def test_clean_text_refuses(value: str | None, options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_text(value, field="name", **options)  # type: ignore[arg-type]
    assert caught.value.message == message


# -- fold and sort_key --------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "folded"),
    [
        ("Семён ПЕТРОВ", "семен петров"),
        ("ЁЛКИН", "елкин"),
        ("Ёлкин", "елкин"),
        ("Е\u0308лкин", "елкин"),  # decomposed Ё
        ("ООО «Ромашка»", "ооо «ромашка»"),
        ("Straße", "strasse"),
        ("ﬁrma", "firma"),  # NFKC: the ligature is two letters
        ("ACME Ltd", "acme ltd"),
        ("ё\u0308", "е"),
    ],
)
def test_fold(value: str, folded: str) -> None:
    assert fold(value) == folded


@settings(max_examples=500, deadline=None)
@given(st.text())
@example("ё\u0308")
@example("е\u0323\u0308")
@example("ΐ")
@example("\u0345")
def test_fold_is_idempotent(value: str) -> None:
    assert fold(fold(value)) == fold(value)


def _settled_fold(value: str) -> str:
    """fold's definition: NFKC, casefold, NFKC, ё -> е, again until nothing changes."""
    folded = value
    while True:
        again = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", folded).casefold())
        again = again.replace("ё", "е")
        if again == folded:
            return folded
        folded = again


@settings(max_examples=1000, deadline=None)
@given(st.text())
@example("İstanbul")
@example("ΣΑΣ")
@example("Ⅻ")
@example("е\u0308")
def test_fold_is_its_definition_on_any_text(value: str) -> None:
    """(fold takes a shortcut for normalised text; it must land where the rounds do)"""
    assert fold(value) == _settled_fold(value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ "))
def test_fold_of_russian_is_lowercase_without_yo(value: str) -> None:
    folded = fold(value)
    assert folded == value.lower().replace("ё", "е")


def test_sort_key_orders_russian_alphabetically_with_yo_as_ye() -> None:
    names = ["Яков", "ёлкин", "Борис", "Елена", "alpha", "Zeta", "Ежов", "Анна", None, "ЁЖИК"]
    assert sorted(names, key=sort_key) == [
        "alpha",
        "Zeta",
        "Анна",
        "Борис",
        "ЁЖИК",
        "Ежов",
        "Елена",
        "ёлкин",
        "Яков",
        None,
    ]


# -- the clock ----------------------------------------------------------------------
def test_clock_fixed_today_and_time_zone() -> None:
    clock = make_clock("2026-03-02T01:30", "Europe/Moscow")
    assert clock.today == dt.date(2026, 3, 2)
    assert clock.utc_now() == dt.datetime(2026, 3, 1, 22, 30)
    assert clock.at_date(dt.date(2026, 3, 2)) == dt.datetime(2026, 3, 1, 22, 30)
    assert clock.at_date(dt.date(2026, 2, 20)) == dt.datetime(2026, 2, 20, 9, 0)
    assert clock.local_date(dt.datetime(2026, 3, 1, 22, 30)) == dt.date(2026, 3, 2)
    assert make_clock("2026-03-02", "UTC").today == dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("today", "tz", "message"),
    [
        ("2026-02-30", "UTC", "--today: '2026-02-30' is not a real calendar date"),
        ("2026-03-02T24:00", "UTC", "--today: '2026-03-02T24:00' has an impossible time"),
        ("понедельник", "UTC", "--today: 'понедельник' is not a date"),
        ("2026-03-02", "Europe/Moskva", "time zone 'Europe/Moskva' is unknown"),
        ("2026-03-02", "/etc/localtime", "time zone '/etc/localtime' is unknown"),
    ],
)
def test_clock_refuses(today: str, tz: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        make_clock(today, tz)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("full", "greeting"),
    [
        ("Волков Артём Анатольевич", "Артём Анатольевич"),
        ("Пётр Петрович Смирнов", "Пётр Петрович"),
        ("Марина Сергеевна", "Марина Сергеевна"),
        ("Иван Петров", "Иван"),
        ("John Smith", "John"),
        ("Гранит", "Гранит"),
        ("Анна Мария Луиза", "Анна Мария Луиза"),
    ],
)
def test_address_name(full: str, greeting: str) -> None:
    assert address_name(full) == greeting

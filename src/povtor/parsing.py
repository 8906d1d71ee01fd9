"""Parsers for what users type: dates and money. Errors say what, where and how to fix."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from povtor import i18n
from povtor.errors import InvalidInput
from povtor.i18n import _

MINOR_UNITS = 100  # every currency is kept in hundredths (kopecks, cents)
MAX_AMOUNT_MINOR = 10**15  # ten trillion in major units: beyond any real deal

# The dates povtor keeps: wide enough for any birthday and any plan, and far enough from
# the ends of the calendar (years 1 and 9999) that counting days, weeks, months or years
# from one of them never leaves it. A date outside is refused where it enters.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
DATE_RANGE = f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_RU_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_RELATIVE = re.compile(r"([+-])(\d{1,4})([dw]?)")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"[ \u00a0\u202f\u2009']")
# the common case, parsed at once: digits, and a decimal point or comma with 1-2 decimals
_PLAIN_AMOUNT = re.compile(r"([0-9]{1,13})(?:[.,]([0-9]{1,2}))?")


def parse_date(text: str, *, field: str = "date", today: date | None = None) -> date:
    """Parse ``YYYY-MM-DD`` or ``DD.MM.YYYY``; with ``today`` also ``today``,
    ``tomorrow``, ``yesterday`` and offsets such as ``+3`` (days) or ``+2w`` (weeks)."""
    raw = text.strip()
    low = raw.lower()
    if today is not None:
        named = {"today": 0, "tomorrow": 1, "yesterday": -1}
        if low in named:
            return in_range(today + timedelta(days=named[low]), field=field, text=text)
        rel = _RELATIVE.fullmatch(low)
        if rel:
            sign, count, unit = rel.groups()
            days = int(count) * (7 if unit == "w" else 1)
            try:
                moved = today + timedelta(days=days if sign == "+" else -days)
            except OverflowError:
                raise out_of_range(field, text) from None
            return in_range(moved, field=field, text=text)
    match = _ISO_DATE.fullmatch(raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _RU_DATE.fullmatch(raw)
        if not match:
            raise InvalidInput(
                _("{field}: {text} is not a date").format(field=field, text=repr(text)),
                hint=_("write it as YYYY-MM-DD (e.g. 2026-03-31) or DD.MM.YYYY"),
            )
        day, month, year = (int(g) for g in match.groups())
    try:
        day_value = date(year, month, day)
    except ValueError:
        raise InvalidInput(
            _("{field}: {text} is not a real calendar date").format(field=field, text=repr(text)),
            hint=_("check the day and month (e.g. February has 28 or 29 days)"),
        ) from None
    return in_range(day_value, field=field, text=text)


def in_range(day: date, *, field: str, text: str | None = None) -> date:
    """``day`` if povtor keeps it (:data:`FIRST_DAY` to :data:`LAST_DAY`), else an error."""
    if FIRST_DAY <= day <= LAST_DAY:
        return day
    raise out_of_range(field, day.isoformat() if text is None else text)


def out_of_range(field: str, text: str) -> InvalidInput:
    return InvalidInput(
        _("{field}: {text} is not within the dates povtor keeps ({range})").format(
            field=field, text=repr(text), range=DATE_RANGE
        ),
        hint=_("give a date from {range}").format(range=DATE_RANGE),
    )


def not_in_future(day: date, today: date, *, option: str, hint: str) -> date:
    """``day`` if it is today or earlier: a birthday, the day a client came."""
    if day > today:
        raise InvalidInput(
            _("{option} {day} is in the future (today is {today})").format(
                option=option, day=day.isoformat(), today=today.isoformat()
            ),
            hint=hint,
        )
    return day


def parse_amount(text: str, *, field: str = "amount") -> int:
    """Parse a money amount into minor units (hundredths), exactly.

    Accepts ``1234``, ``1234.5``, ``1 234,50``, ``1,234.50``, ``1.234,50``. Refuses
    negatives, exponents, NaN/infinity, more than two decimals and misplaced
    separators such as ``12,3,4``.
    """
    plain = _PLAIN_AMOUNT.fullmatch(text)
    if plain:
        whole, fraction = plain.groups()
        return int(whole) * MINOR_UNITS + (int(fraction.ljust(2, "0")) if fraction else 0)
    raw = _SPACES.sub("", text.strip())
    bad = InvalidInput(
        _("{field}: {text} is not an amount of money").format(field=field, text=repr(text)),
        hint=_("write digits with at most two decimals, e.g. 12500 or 12 500,50"),
    )
    if not raw:
        raise bad
    if raw.startswith("-"):
        raise InvalidInput(
            _("{field}: {text} is negative; amounts must be zero or more").format(
                field=field, text=repr(text)
            ),
            hint=_("write the amount without a minus sign"),
        )
    if raw.startswith("+"):
        raw = raw[1:]
    if not raw or any(c not in "0123456789.," for c in raw):
        raise bad
    last_dot, last_comma = raw.rfind("."), raw.rfind(",")
    decimal_at = max(last_dot, last_comma)
    whole, fraction = raw, ""
    if decimal_at >= 0:
        sep = raw[decimal_at]
        other = "," if sep == "." else "."
        tail = raw[decimal_at + 1 :]
        head = raw[:decimal_at]
        grouped_only = raw.count(sep) > 1 or (
            # 1,234 is a thousand and more; 0,001 is a decimal fraction (refused below)
            other not in raw and len(tail) == 3 and sep == "," and not head.startswith("0")
        )
        if grouped_only:
            # every separator is a thousands separator: 1,234,567 or 1.234.567
            whole, fraction = raw, ""
            _check_grouping(raw.split(sep), bad)
            whole = raw.replace(sep, "")
        else:
            if sep in head:
                raise bad
            if other in head:
                _check_grouping(head.split(other), bad)
                head = head.replace(other, "")
            whole, fraction = head, tail
            if len(fraction) > 2:
                raise InvalidInput(
                    _("{field}: {text} has more than two decimal places").format(
                        field=field, text=repr(text)
                    ),
                    hint=_("round it to kopecks/cents, e.g. 12.50"),
                )
    whole = whole.lstrip("0") or "0"
    if not _DIGITS.fullmatch(whole) or (fraction and not _DIGITS.fullmatch(fraction)):
        raise bad
    too_large = InvalidInput(
        _("{field}: {text} is too large").format(field=field, text=repr(text)),
        hint=_("amounts up to 9 999 999 999 999.99 are kept"),
    )
    if len(whole) > len(str(MAX_AMOUNT_MINOR)):
        raise too_large  # before int(): Python refuses to convert very long digit strings
    minor = int(whole) * MINOR_UNITS + int((fraction + "00")[:2])
    if minor >= MAX_AMOUNT_MINOR:
        raise too_large
    return minor


def _check_grouping(groups: list[str], bad: InvalidInput) -> None:
    leading = groups[0]
    if not leading or len(leading) > 3 or leading.startswith("0"):
        raise bad
    if any(len(g) != 3 for g in groups[1:]):
        raise bad


def money(minor: int | None) -> Decimal | None:
    """Minor units as an exact Decimal with two places."""
    if minor is None:
        return None
    return (Decimal(minor) / MINOR_UNITS).quantize(Decimal("0.01"))


def format_money(minor: int | None, *, grouped: bool = False, short: bool = False) -> str:
    """``1234550`` -> ``12345.50`` (machine) or ``12 345.50`` (people; in a Russian
    interface ``12 345,50``); ``short`` drops ``.00`` (for message drafts: «125 000»)."""
    if minor is None:
        return ""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), MINOR_UNITS)
    if short and not cents:
        return sign + f"{whole:,}".replace(",", " ")
    if grouped:
        point = "," if i18n.current() == "ru" else "."
        return sign + f"{whole:,}".replace(",", " ") + f"{point}{cents:02d}"
    return f"{sign}{whole}.{cents:02d}"


def format_amount(minor: int, currency: str) -> str:
    """An amount with its currency, for people: ``1 465 618.20 RUB``; in a Russian
    interface ``1 465 618,20 ₽`` (another currency keeps its code: ``1 200,50 USD``)."""
    code = currency.upper()
    if i18n.current() == "ru" and code == "RUB":
        code = "₽"
    return f"{format_money(minor, grouped=True)} {code}"


OUTCOME_WORDS = {
    "yes": "yes",
    "no": "no",
    "later": "later",
    "no-answer": "no_answer",
    "no_answer": "no_answer",
    "pending": "pending",
}


def parse_outcome(value: str) -> str:
    """A touch's outcome as typed (``no-answer`` or ``no_answer``, any case)."""
    outcome = OUTCOME_WORDS.get(value.strip().lower())
    if outcome is None:
        from povtor.errors import InvalidInput

        raise InvalidInput(
            _("--outcome: {value} is not an outcome").format(value=repr(value)),
            hint=_("use yes, no, later, no-answer or pending"),
        )
    return outcome

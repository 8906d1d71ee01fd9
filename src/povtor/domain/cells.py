"""Parsing the cells of an imported file: dates with or without a time, quantities,
signed line sums, ids and fixed words. Every error names the column and the value."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.parsing import MINOR_UNITS, in_range, parse_amount

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?Z?"
)
_RU = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ID = re.compile(r"#?(\d{1,18})")
MINUS = ("-", "\u2212", "\u2013")
_PLAIN_SIGNED = re.compile(r"(-?)([0-9]{1,13})(?:[.,]([0-9]{1,2}))?")


def parse_when(
    text: str, *, field: str, date_format: str | None = None
) -> tuple[dt.date, dt.time | None]:
    """A date with an optional time: ``2024-12-31``, ``2024-12-31 14:05``,
    ``2024-12-31T14:05:09.5``, ``31.12.2024``, ``31.12.2024 14:05``; or the map's format."""
    raw = text.strip()
    if date_format:
        try:
            moment = dt.datetime.strptime(raw, date_format)
        except ValueError:
            raise InvalidInput(
                _("{field}: {text} is not a date in the format {date_format}").format(
                    field=field, text=repr(text), date_format=date_format
                ),
                hint=_("fix the cell, or date_format in the --map file"),
            ) from None
        has_time = any(code in date_format for code in ("%H", "%I", "%M"))
        return in_range(moment.date(), field=field, text=text), moment.time() if has_time else None
    match = _ISO.fullmatch(raw)
    if match:
        year, month, day, hour, minute, second, fraction = match.groups()
    else:
        match = _RU.fullmatch(raw)
        if not match:
            raise InvalidInput(
                _("{field}: {text} is not a date").format(field=field, text=repr(text)),
                hint=_(
                    "write YYYY-MM-DD or DD.MM.YYYY (with HH:MM if needed), or set "
                    "date_format in a --map file"
                ),
            )
        day, month, year, hour, minute, second = match.groups()
        fraction = None
    try:
        day_value = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidInput(
            _("{field}: {text} is not a real date and time").format(field=field, text=repr(text)),
            hint=_("check the day, the month and the hour"),
        ) from None
    in_range(day_value, field=field, text=text)
    try:
        if hour is None:
            return day_value, None
        micro = int((fraction or "0").ljust(6, "0"))
        return day_value, dt.time(int(hour), int(minute), int(second or 0), micro)
    except ValueError:
        raise InvalidInput(
            _("{field}: {text} is not a real date and time").format(field=field, text=repr(text)),
            hint=_("check the day, the month and the hour"),
        ) from None


def split_sign(text: str) -> tuple[bool, str]:
    """(negative, the rest): ``-5``, ``−5``, ``5-`` and ``(5)`` are negative."""
    raw = _SPACES.sub("", text)
    if raw.startswith(MINUS):
        return True, raw[1:]
    if raw.endswith(MINUS):
        return True, raw[:-1]
    if raw.startswith("(") and raw.endswith(")"):
        return True, raw[1:-1]
    return False, raw.removeprefix("+")


def parse_decimal(text: str, *, field: str, decimal: str | None = None) -> Decimal:
    """A quantity or price, exactly, possibly negative. A lone ``,`` is a decimal comma
    (``2,125`` is two and an eighth), unless the map says ``decimal = "."``."""
    negative, raw = split_sign(text)
    if not raw:
        raise _not_a_number(text, field)
    commas, dots = raw.count(","), raw.count(".")
    if decimal is not None:
        point, group = decimal, "." if decimal == "," else ","
    elif commas and dots:
        point = "," if raw.rfind(",") > raw.rfind(".") else "."
        group = "." if point == "," else ","
    elif commas:
        point, group = (",", ".") if commas == 1 else ("", ",")
    else:
        point, group = (".", ",") if dots <= 1 else ("", ".")
    plain = raw.replace(group, "") if group else raw
    if point and point != ".":
        plain = plain.replace(point, ".")
    if not _NUMBER.fullmatch(plain):
        raise _not_a_number(text, field)
    value = Decimal(plain)
    return -value if negative else value


def _not_a_number(text: str, field: str) -> InvalidInput:
    return InvalidInput(
        _("{field}: {text} is not a number").format(field=field, text=repr(text)),
        hint=_("write digits, e.g. 12,5 or 1 234.50"),
    )


def plain_minor(text: str) -> int | None:
    """A plain sum in minor units: [-]digits, and a decimal point or comma with 1-2
    decimals (None: not so plain; :func:`parse_signed_minor` reads the rest)."""
    plain = _PLAIN_SIGNED.fullmatch(text)
    if plain is None:
        return None
    sign, whole, fraction = plain.groups()
    minor = int(whole) * MINOR_UNITS + (int(fraction.ljust(2, "0")) if fraction else 0)
    return -minor if sign else minor


def parse_signed_minor(text: str, *, field: str) -> int:
    """Money that may be negative (a return line): minor units, povtor's money rules."""
    minor = plain_minor(text)
    if minor is not None:  # the common case
        return minor
    negative, raw = split_sign(text)
    minor = parse_amount(raw or text, field=field)
    return -minor if negative else minor


def minor_of(quantity: Decimal, price: Decimal, *, field: str) -> int:
    """quantity × price in minor units, rounded half up to a kopeck."""
    try:
        exact = quantity * price * MINOR_UNITS
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise InvalidInput(
            _("{field}: the line sum is too large").format(field=field), hint=_("check the row")
        ) from None


def parse_id(text: str, *, field: str) -> int:
    match = _ID.fullmatch(text.strip())
    if not match or int(match.group(1)) == 0:
        raise InvalidInput(
            _("{field}: {text} is not an id").format(field=field, text=repr(text)),
            hint=_("ids are whole numbers from 1, e.g. 12"),
        )
    return int(match.group(1))


def parse_word(
    text: str, allowed: tuple[str, ...], *, field: str, aliases: dict[str, str] | None = None
) -> str:
    """One of a fixed set of words, in any letter case (``Won`` -> ``won``)."""
    key = text.strip().casefold().replace("-", "_").replace(" ", "_")
    if aliases and key in aliases:
        return aliases[key]
    for word in allowed:
        if key == word.casefold():
            return word
    raise InvalidInput(
        _("{field}: {text} is not one of {join}").format(
            field=field, text=repr(text), join=", ".join(allowed)
        ),
        hint=_("write one of them, or map yours in [values.{split}] of a --map file").format(
            split=field.split(" ")[0]
        ),
    )


def parse_currency(text: str, *, field: str) -> str:
    code = text.strip().upper()
    aliases = {"РУБ": "RUB", "РУБ.": "RUB", "Р": "RUB", "₽": "RUB", "RUR": "RUB", "$": "USD"}
    code = aliases.get(code, code)
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise InvalidInput(
            _("{field}: {text} is not a currency code").format(field=field, text=repr(text)),
            hint=_("use a three-letter code such as RUB, USD, EUR"),
        )
    return code

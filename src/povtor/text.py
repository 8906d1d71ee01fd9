"""Text rules shared by every command: validation, Cyrillic-aware folding and sorting.

SQLite's own ``LOWER``/``LIKE`` fold ASCII only, so povtor stores a folded copy of
searchable names and compares folded strings. Folding is Unicode case folding
plus ``ё`` -> ``е`` (Russians write both), after NFKC normalisation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from povtor.errors import InvalidInput

# Marks that reorder or hide text: accepted nowhere, they make names unreadable.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Characters that show nothing: spaces, zero-width and other format characters (U+200B,
# U+2060, U+FEFF...) and the "filler" letters some fonts draw blank. Text made only of
# them is empty.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
NAME_MAX = 200
TEXT_MAX = 10_000


def fold(value: str) -> str:
    """The search key of a string: «Семён ПЕТРОВ» -> «семен петров».

    Idempotent: folding a folded string changes nothing (a stray combining
    diaeresis after ``е`` would otherwise compose into a new ``ё``).
    """
    if unicodedata.is_normalized("NFKC", value):
        # the common case (a name, a word): one casefold settles it when the result is
        # normalised and folds to itself, which is what the rounds below would reach
        quick = value.casefold().replace("ё", "е")
        if unicodedata.is_normalized("NFKC", quick) and quick.casefold() == quick:
            return quick
    folded = value
    for _ in range(16):  # settles after one or two rounds; the bound only rules out a loop
        again = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", folded).casefold())
        again = again.replace("ё", "е")
        if again == folded:
            break
        folded = again
    return folded


def sort_key(value: str | None) -> tuple[str, str]:
    """Alphabetical order for Russian and Latin text (ё sorts with е)."""
    if value is None:
        return ("\uffff", "")
    return (fold(value), value)


def check_email(value: str | None, *, field: str = "--email") -> str | None:
    """An e-mail address already cleaned by :func:`clean_text`: it must have an @."""
    if value and "@" not in value:
        raise InvalidInput(
            f"{field}: {value!r} is not an e-mail address", hint="write it as name@example.ru"
        )
    return value


# A phone number: digits with spaces, + ( ) - . between them, and an extension at the end
# (``доб. 123``, ``ext 12``, ``x12``, ``#12``).
_PHONE = re.compile(
    r"\+?[0-9 ().\-\u00a0]*[0-9][0-9 ().\-\u00a0]*"
    r"(?:[ ,;]*(?:доб\.?|ext\.?|x|#)[ .]*[0-9]{1,6})?",
    re.IGNORECASE,
)
PHONE_DIGITS = (3, 20)  # digits in the number itself, not counting an extension


def check_phone(value: str | None, *, field: str = "--phone") -> str | None:
    """A phone number already cleaned by :func:`clean_text`: digits, spaces, ``+ ( ) - .``
    and an optional extension; refuses words (``call me maybe``)."""
    if not value:
        return value
    match = _PHONE.fullmatch(value)
    number = re.split(r"(?i)доб|ext|x|#", value, maxsplit=1)[0]
    digits = sum(char.isdigit() for char in number)
    if match is None or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        raise InvalidInput(
            f"{field}: {value!r} is not a phone number",
            hint="write digits with spaces and + ( ) - . if you like, and an extension "
            "after доб. or ext, e.g. +7 495 123-45-67 доб. 123",
        )
    return value


def clean_text(
    value: str | None,
    *,
    field: str,
    max_len: int = NAME_MAX,
    required: bool = False,
    multiline: bool = False,
) -> str | None:
    """Validate free text typed by the user and return it normalised (NFC, stripped).

    Empty text becomes ``None`` (or an error when ``required``). Control characters
    and right-to-left/bidi marks are refused: they make names unreadable and
    unsearchable.
    """
    if value is None:
        if required:
            raise InvalidInput(f"{field} is required", hint=f"give a value for {field}")
        return None
    text = unicodedata.normalize("NFC", value).strip()
    if not text or all(_invisible(char) for char in text):
        if required:
            shown = " (it holds only invisible characters)" if text else ""
            raise InvalidInput(
                f"{field} must not be empty{shown}", hint=f"give a value for {field}"
            )
        return None
    for position, char in enumerate(text, start=1):
        if char in _BIDI_CONTROLS:
            raise InvalidInput(
                f"{field} contains an invisible direction mark (U+{ord(char):04X}) "
                f"at character {position}",
                hint="retype the text without it",
            )
        if unicodedata.category(char) == "Cc" and not (multiline and char in "\n\t"):
            raise InvalidInput(
                f"{field} contains a control character (U+{ord(char):04X}) at character {position}",
                hint="remove it; only plain text is accepted",
            )
    if len(text) > max_len:
        raise InvalidInput(
            f"{field} is {len(text)} characters long; at most {max_len} are allowed",
            hint="shorten it",
        )
    return text


def _invisible(char: str) -> bool:
    """A character that shows nothing (direction marks are refused on their own)."""
    if char in _BIDI_CONTROLS:
        return False
    return char.isspace() or char in _BLANK_LETTERS or unicodedata.category(char) == "Cf"


_PATRONYMIC_ENDINGS = ("вич", "вна", "чна", "ична", "оглы", "кызы")


def address_name(full_name: str) -> str:
    """How a message greets a person: «Волков Артём Анатольевич» -> «Артём Анатольевич»,
    «Иван Петров» -> «Иван»; anything else as written."""
    words = full_name.split()
    for index, word in enumerate(words):
        if index >= 1 and fold(word).endswith(_PATRONYMIC_ENDINGS):
            return f"{words[index - 1]} {word}"
    if len(words) == 2:
        return words[0]
    return full_name


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ " (did you mean X?)" for the choice closest to a mistyped ``word``, else ""."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]}?)" if close else ""

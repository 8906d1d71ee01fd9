"""Text rules shared by every command: validation, Cyrillic-aware folding and sorting.

SQLite's own ``LOWER``/``LIKE`` fold ASCII only, so povtor stores a folded copy of
searchable names and compares folded strings. Folding is Unicode case folding
plus ``ё`` -> ``е`` (Russians write both), after NFKC normalisation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from povtor.errors import InvalidInput

# Marks that reorder or hide text: accepted nowhere, they make names unreadable.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
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
    if not text:
        if required:
            raise InvalidInput(f"{field} must not be empty", hint=f"give a value for {field}")
        return None
    # printable text has neither control characters nor direction marks (both are
    # "not printable"): the common case skips the character-by-character check
    for position, char in enumerate(() if text.isprintable() else text, start=1):
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

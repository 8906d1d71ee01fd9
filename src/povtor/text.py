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
from povtor.i18n import _

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
    for _round in range(16):  # settles after one or two rounds; the bound only rules out a loop
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
            _("{field}: {value} is not an e-mail address").format(field=field, value=repr(value)),
            hint=_("write it as name@example.ru"),
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
            _("{field}: {value} is not a phone number").format(field=field, value=repr(value)),
            hint=_(
                "write digits with spaces and + ( ) - . if you like, and an extension "
                "after доб. or ext, e.g. +7 495 123-45-67 доб. 123"
            ),
        )
    return value


def is_clean(value: str, max_len: int) -> bool:
    """Whether :func:`clean_text` gives ``value`` back as it is: a non-empty text of at
    most ``max_len`` characters, printable (no control characters, direction marks or
    blanks but " "), with no space around it, in NFC and starting with a letter or digit
    that shows (or plain ASCII). A quick test: a text that fails it may still be clean."""
    return (
        value.isprintable()
        and value[:1] not in ("", " ")
        and value[-1] != " "
        and len(value) <= max_len
        and (
            value.isascii()
            or (
                value[0].isalnum()
                and value[0] not in _BLANK_LETTERS
                and unicodedata.is_normalized("NFC", value)
            )
        )
    )


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
            raise InvalidInput(
                _("{field} is required").format(field=field),
                hint=_("give a value for {field}").format(field=field),
            )
        return None
    if is_clean(value, max_len):
        return value  # the common case: clean already (what the checks below would give)
    text = unicodedata.normalize("NFC", value).strip()
    # a text that starts with a letter or digit (not a blank one) shows something
    shows = text and text[0].isalnum() and text[0] not in _BLANK_LETTERS
    if not shows and (not text or all(_invisible(char) for char in text)):
        if required:
            shown = " (it holds only invisible characters)" if text else ""
            raise InvalidInput(
                _("{field} must not be empty{shown}").format(field=field, shown=shown),
                hint=_("give a value for {field}").format(field=field),
            )
        return None
    # printable text has neither control characters nor direction marks (both are
    # "not printable"): the common case skips the character-by-character check
    for position, char in enumerate(() if text.isprintable() else text, start=1):
        if char in _BIDI_CONTROLS:
            raise InvalidInput(
                _(
                    "{field} contains an invisible direction mark (U+{char:04X}) at "
                    "character {position}"
                ).format(field=field, char=ord(char), position=position),
                hint=_("retype the text without it"),
            )
        if unicodedata.category(char) == "Cc" and not (multiline and char in "\n\t"):
            raise InvalidInput(
                _(
                    "{field} contains a control character (U+{char:04X}) at character {position}"
                ).format(field=field, char=ord(char), position=position),
                hint=_("remove it; only plain text is accepted"),
            )
    if len(text) > max_len:
        raise InvalidInput(
            _("{field} is {n} characters long; at most {max_len} are allowed").format(
                field=field, n=len(text), max_len=max_len
            ),
            hint=_("shorten it"),
        )
    return text


def _invisible(char: str) -> bool:
    """A character that shows nothing (direction marks are refused on their own)."""
    if char in _BIDI_CONTROLS:
        return False
    return char.isspace() or char in _BLANK_LETTERS or unicodedata.category(char) == "Cf"


# A greeting names the person by first name (and patronymic when there is one), never by
# the surname, and never greets a company.
_PATRONYMIC_ENDINGS = ("вич", "вна", "чна", "ична", "оглы", "кызы")
# the old patronymics in -ич without -вич (their female forms end in -ична)
_PATRONYMICS_IN_ICH = frozenset(("ильич", "кузьмич", "лукич", "фомич", "никитич", "саввич"))
_SURNAME_ENDINGS = (
    "ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ской", "ова", "ева", "ёва", "ина", "ына",
    "ская", "цкая", "ых", "их", "енко", "ук", "юк",
)  # fmt: skip
# common first names: a word here is a first name even with a surname's ending (Марина)
_FIRST_NAMES_TEXT = """
    александр алексей анатолий андрей антон аркадий арсений артём артур богдан борис
    вадим валентин валерий василий виктор виталий владимир владислав всеволод вячеслав
    геннадий георгий герман глеб григорий давид даниил данил денис дмитрий евгений егор
    иван игорь илья кирилл константин лев леонид максим марат марк матвей михаил никита
    николай олег павел пётр роман руслан рустам святослав семён сергей станислав
    степан тимофей тимур фёдор филипп эдуард юрий яков ярослав
    александра алина алла алёна анастасия анна антонина валентина валерия вера
    вероника виктория галина дарья диана евгения екатерина елена елизавета жанна зинаида
    зоя инна ирина карина кристина ксения лариса лидия любовь людмила маргарита марина
    мария надежда наталья наталия нина оксана олеся ольга полина раиса светлана софья
    софия тамара татьяна ульяна юлия яна
"""
_FIRST_NAMES = frozenset(fold(name) for name in _FIRST_NAMES_TEXT.split())
_LEGAL_FORMS = frozenset(
    ("ооо", "ао", "пао", "зао", "оао", "нко", "ано", "тсж", "гк", "пк", "ип", "кфх", "llc", "ltd")
)


def _word(word: str) -> str:
    return fold(word.strip(".,;:!?()«»\"'"))


def is_patronymic(word: str) -> bool:
    """«Петрович», «Марьевна», «Ильич», «Кузьминична», «Мамед оглы»'s «оглы»."""
    key = _word(word)
    return key.endswith(_PATRONYMIC_ENDINGS) or key in _PATRONYMICS_IN_ICH


def is_first_name(word: str) -> bool:
    return _word(word) in _FIRST_NAMES


def looks_like_surname(word: str) -> bool:
    """A word with a Russian surname's ending (-ов, -ева, -ин, -ский...) that is not a
    common first name (Марина, Ирина end in -ина too)."""
    key = _word(word)
    return not is_first_name(word) and len(key) > 3 and key.endswith(_SURNAME_ENDINGS)


def address_name(full_name: str) -> str:
    """How a message greets a person: «Волков Артём Анатольевич» -> «Артём Анатольевич»,
    «Иван Петров» and «Орлов Сергей» -> «Иван», «Сергей», «Ленин Владимир Ильич» ->
    «Владимир Ильич»; anything else as written."""
    words = full_name.split()
    for index, word in enumerate(words):
        if index >= 1 and is_patronymic(word):
            return f"{words[index - 1]} {word}"
    if len(words) == 2:
        first, second = words
        if (is_first_name(second) and not is_first_name(first)) or looks_like_surname(first):
            return second
        return first
    return full_name


def person_in_name(name: str | None) -> str | None:
    """The person a client's name or company names, if it names one («ИП Рахимов Тимур
    Рашидович», «Иван Петров», «Орлов Сергей»), as a greeting names them; None for a
    company («ООО «Новострой»», «Бригада Котова») or a word that is no known first name."""
    if not name:
        return None
    words = name.split()
    while words and _word(words[0]) in (*_LEGAL_FORMS, "глава"):
        words = words[1:]  # «ИП глава КФХ Миронов Виктор Степанович»
    if not 1 <= len(words) <= 3 or any(not w.replace("-", "").isalpha() for w in words):
        return None
    if not any(is_first_name(w) for w in words) and not any(is_patronymic(w) for w in words[1:]):
        return None
    return address_name(" ".join(words))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ " (did you mean X?)" for the choice closest to a mistyped ``word``, else ""."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return _(" (did you mean {word}?)").format(word=close[0]) if close else ""

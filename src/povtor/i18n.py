"""The interface's language: English (the source text) or Russian (a gettext catalog).

Every sentence povtor shows a person is written in English in the code and marked:
``_("…")`` translates it where it is used, ``ngettext(one, many, n)`` picks the form
that agrees with a number (Russian has three: 1 касание, 2 касания, 5 касаний), and
``N_("…")`` only marks a text kept in a constant (a table's header, a command's help),
translated with ``_()`` when it is shown. The Russian catalog is
``povtor/locale/ru/LC_MESSAGES/povtor.mo``, compiled from the ``.po`` beside it by
``scripts/compile_catalog.py``.

The language of a run, first found: ``POVTOR_LANG`` (ru or en); the database's ``lang``
setting, when the user set it (``povtor plan set lang ru``); a Russian locale
(``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` or ``LANG``, as gettext reads them); else
English. The CLI chooses it once, at the start of a run (:func:`set_language`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

LANGUAGES = ("en", "ru")
ENV_LANG = "POVTOR_LANG"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order
DOMAIN = "povtor"
LOCALE_DIR = Path(__file__).parent / "locale"


class _Catalog(Protocol):
    def gettext(self, message: str, /) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


_language = "en"
_catalogs: dict[str, _Catalog] = {}


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _catalog(lang: str) -> _Catalog | None:
    if lang == "en":
        return None
    found = _catalogs.get(lang)
    if found is None:
        import gettext  # (only for a translated run: English needs no catalog)

        path = catalog_path(lang)
        try:
            with path.open("rb") as file:
                found = _catalogs[lang] = gettext.GNUTranslations(file)
        except OSError:
            return None  # no catalog installed: the English source text
    return found


def known(value: str | None) -> str | None:
    """``value`` as a language povtor speaks (``RU``, `` ru `` -> ``ru``), else None."""
    if value is None:
        return None
    lang = value.strip().lower()
    return lang if lang in LANGUAGES else None


def locale_language(environ: Mapping[str, str] | None = None) -> str:
    """``ru`` when the locale is Russian (``ru_RU.UTF-8``, ``ru``), else ``en``."""
    env = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        value = env.get(name)
        if value:
            first = value.split(":", 1)[0]
            return "ru" if first.lower().startswith("ru") else "en"
    return "en"


def choose_language(stored: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language of a run: ``POVTOR_LANG``, else the ``stored`` setting, else the
    locale's, else English."""
    env = os.environ if environ is None else environ
    return known(env.get(ENV_LANG)) or known(stored) or locale_language(env)


def set_language(lang: str) -> None:
    global _language
    _language = known(lang) or "en"


def current() -> str:
    """The language of this run: ``en`` or ``ru``."""
    return _language


def _(message: str) -> str:
    """``message`` in the language of this run."""
    if _language == "en":
        return message
    catalog = _catalog(_language)
    return message if catalog is None else catalog.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is kept; ``_()`` translates it when shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message that agrees with ``n``, in the language of this run."""
    if _language != "en":
        catalog = _catalog(_language)
        if catalog is not None:
            return catalog.ngettext(singular, plural, n)
    return singular if n == 1 else plural

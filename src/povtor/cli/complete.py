"""Completion of option values in the shell (``povtor --install-completion``): client
names, funnels and stages from the database, and the fixed words (outcomes, channels,
categories) from the vocabulary.

Which parameters complete what is decided here, by the parameter's name, for every
command at once (:func:`attach`): an option or argument called ``client`` completes
client names wherever it is. A completion reads the database file directly
(:mod:`povtor.storage.completion`), so it stays as quick as the shell needs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from povtor.domain.vocabulary import CATEGORIES, CHANNELS

OUTCOME_WORDS = ("yes", "no", "later", "no-answer", "pending")


def _database(ctx: Any) -> Path | None:
    """The database file the command line names (--db, POVTOR_DB, or the default)."""
    from povtor.errors import PovtorError
    from povtor.storage.location import resolve_location

    try:
        return resolve_location(ctx.find_root().params.get("db")).path
    except PovtorError:
        return None


def _starting(words: tuple[str, ...] | list[str], typed: str) -> list[str]:
    key = typed.casefold()
    return [word for word in words if word.casefold().startswith(key)]


def clients(ctx: Any, _param: Any, typed: str) -> list[str]:
    from povtor.storage.completion import client_names

    path = _database(ctx)
    return client_names(path, typed) if path is not None else []


def funnels(ctx: Any, _param: Any, typed: str) -> list[str]:
    from povtor.storage.completion import funnel_codes

    path = _database(ctx)
    return _starting(funnel_codes(path), typed) if path is not None else []


def stages(ctx: Any, _param: Any, typed: str) -> list[str]:
    """The stages of the funnel given before (--funnel, a FUNNEL argument, or the funnel
    of a DEAL given by id before a STAGE argument: deal move 7 <TAB>), else of every
    funnel. (Before an option's value the shell's arguments are not parsed yet, so
    deal reopen 7 --stage <TAB> offers every funnel's stages.)"""
    from povtor.storage.completion import stage_codes

    path = _database(ctx)
    if path is None:
        return []
    funnel = ctx.params.get("funnel") or ctx.params.get("funnel_ref")
    deal = str(ctx.params.get("deal") or "").strip().removeprefix("#")
    deal_id = int(deal) if deal.isascii() and deal.isdigit() and len(deal) < 19 else None
    named = funnel if isinstance(funnel, str) else None
    return _starting(stage_codes(path, named, deal_id), typed)


def sellers(ctx: Any, _param: Any, typed: str) -> list[str]:
    from povtor.storage.completion import seller_names
    from povtor.text import fold

    path = _database(ctx)
    key = fold(typed)
    names = seller_names(path) if path is not None else []
    return [name for name in names if fold(name).startswith(key)]


def outcomes(_ctx: Any, _param: Any, typed: str) -> list[str]:
    return _starting(OUTCOME_WORDS, typed)


def channels(_ctx: Any, _param: Any, typed: str) -> list[str]:
    return _starting(CHANNELS, typed)


def categories(_ctx: Any, _param: Any, typed: str) -> list[str]:
    return _starting(CATEGORIES, typed)


# a parameter's name (as the command's function has it) -> what completes its value
BY_NAME: dict[str, Callable[[Any, Any, str], list[str]]] = {
    "client": clients,
    "referrer": clients,
    "funnel": funnels,
    "funnel_ref": funnels,
    "stage": stages,
    "outcome": outcomes,
    "channel": channels,
    "category": categories,
    "seller": sellers,  # plan today --seller
    "seller_name": sellers,  # seller use|remove NAME
    "to_seller": sellers,  # client|deal assign --to
}


def attach(param: Any) -> None:
    """Give ``param`` its completion, if its name has one and it has none of its own."""
    completer = BY_NAME.get(param.name or "")
    if completer is not None and getattr(param, "_custom_shell_complete", None) is None:
        param._custom_shell_complete = completer

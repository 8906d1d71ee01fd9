"""A thin card (filler, seed 001): an A or B client with purchases whose card holds fewer
talking facts than its category's norm gets one useful question about what the card
lacks.

Only when nothing is in motion with the client (:func:`~.quiet_days.settled`) and it is
not silent past its threshold (that is its own item); at most once in
``plan.card_gap_days`` per client (counted from the last card question, else from the
first purchase), and at most ``plan.cards_per_day`` clients a day: A before B, then the
thinnest card relative to its norm, then the name. ``card`` is a filler rule: it leads a
client's item only when nothing else is due for the client.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Mapping
from fractions import Fraction

from povtor.domain.cards import (
    PLAN_CATEGORIES,
    CardFacts,
    CardPlanFacts,
    Completeness,
    completeness,
    next_question,
)
from povtor.domain.conversation import allows
from povtor.domain.plan_records import Candidate, ClientState
from povtor.domain.plan_rules.gone_silent import is_silent
from povtor.domain.plan_rules.quiet_days import settled_for
from povtor.i18n import _
from povtor.settings import Settings
from povtor.text import sort_key

RULE = "card"


def is_on(settings: Settings) -> bool:
    """Whether the rule asks anything at all (``plan.cards_per_day`` above 0)."""
    return settings.int("plan.cards_per_day") > 0


def quiet_client(client: ClientState, today: dt.date, quiet: int) -> bool:
    """Nothing in motion with the client (:func:`~.quiet_days.settled`, ``quiet``: the
    ``plan.quiet_days``) and nothing the conversation holds card questions back for. (Nor
    may it be silent past its threshold, its own item: :func:`card_candidates` asks that
    last, of the clients with a thin card only.)"""
    return settled_for(client, today, quiet) and allows(client, RULE, today)


def thin_cards(
    facts: CardPlanFacts | None,
    clients: Mapping[int, ClientState],
    today: dt.date,
    settings: Settings,
) -> list[Candidate]:
    """The plan's card items for ``today`` (none without the facts: the rule is off)."""
    if facts is None or not is_on(settings):
        return []
    return card_candidates(today, clients, facts.cards, facts.last_asked, settings)


def card_candidates(
    today: dt.date,
    clients: Mapping[int, ClientState],
    cards: Mapping[int, CardFacts],
    last_asked: Mapping[int, dt.date],
    settings: Settings,
) -> list[Candidate]:
    """ "Fill the card" items for quiet A and B clients who have bought and whose card is
    below the norm, asked at most once in ``plan.card_gap_days`` (counted from the last
    card question, ``last_asked``, or else from the first purchase); the first
    ``plan.cards_per_day`` of them by value: A before B, then the thinnest card relative
    to its norm, then the name (the clients asked a card question that day count against
    it)."""
    gap = settings.int("plan.card_gap_days")
    lang = settings.str("lang")
    quiet = settings.int("plan.quiet_days")
    asked_today = sum(1 for day in last_asked.values() if day == today)
    per_day = max(0, settings.int("plan.cards_per_day") - asked_today)
    # (a prospect's card fills in the first-sale talks: only the clients that bought; the
    # B clients' cards are looked at only when the A clients' do not fill the day)
    by_category: dict[str | None, list[ClientState]] = {c: [] for c in PLAN_CATEGORIES}
    for client in clients.values():
        if client.category in by_category and client.paid_dates:
            by_category[client.category].append(client)
    thin: list[tuple[ClientState, Completeness]] = []
    for category in PLAN_CATEGORIES:
        if len(thin) >= per_day:
            break
        for client in by_category[category]:
            since = last_asked.get(client.id, client.paid_dates[0])
            if (today - since).days < gap or not quiet_client(client, today, quiet):
                continue
            card = cards.get(client.id)
            state = completeness(card.facts if card else 0, client.category, settings)
            if state.norm and state.missing and not is_silent(client, today, settings):
                thin.append((client, state))
    found = []
    for client, state in _thinnest(thin, per_day):
        card = cards.get(client.id)
        question = next_question(card.topics if card else ())
        found.append(
            Candidate(
                client_id=client.id,
                rule=RULE,
                reason=_(
                    "card: {facts} of {norm} talking facts ({category} norm): "
                    "learn {missing} more — ask about {about}"
                ).format(
                    facts=state.facts,
                    norm=state.norm,
                    category=state.category,
                    missing=state.missing,
                    about=_(question.about),
                ),
                kind="warming",
                script=question.en if lang == "en" else question.ru,
                purpose="card",
                purpose_ref=question.code,
            )
        )
    return found


def _thinnest(
    thin: list[tuple[ClientState, Completeness]], count: int
) -> list[tuple[ClientState, Completeness]]:
    """The first ``count`` of ``thin``: A before B, then the thinnest card relative to its
    norm, then the name (and id). Each client's place by category and share is an
    integer (the distinct shares ranked once); names are compared only among the clients
    that can still be among the first."""
    pairs = {(state.facts, state.norm or 1) for _client, state in thin}
    shares = sorted({Fraction(*pair) for pair in pairs})
    rank = {share: place for place, share in enumerate(shares)}
    place_of = {pair: rank[Fraction(*pair)] for pair in pairs}
    places = [
        (PLAN_CATEGORIES.index(client.category or ""), place_of[state.facts, state.norm or 1])
        for client, state in thin
    ]
    if count < len(thin):
        last = heapq.nsmallest(count, places)[-1] if count > 0 else (-1, -1)
        thin = [pair for pair, place in zip(thin, places, strict=True) if place <= last]
        places = [place for place in places if place <= last]
    ordered = sorted(
        zip(places, thin, strict=True),
        key=lambda item: (item[0], sort_key(item[1][0].name), item[1][0].id),
    )
    return [pair for _place, pair in ordered[:count]]

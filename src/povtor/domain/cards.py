"""Client card completeness (seed 001) and the plan's "fill the card" items.

A card must hold "talking" facts about the client's business and people, beyond
phone, e-mail and address: the rows of the ``fact`` table. Each category has a norm
(settings ``card.norm.A|B|C``: 15, 7, 5). The plan asks about one more fact at A and B
clients below their norm, when nothing else is due for them (``card`` is a filler
rule) and nothing is in motion with them, at most once in ``plan.card_gap_days`` per
client and at most ``plan.cards_per_day`` clients a day, the most valuable first.
Nothing here touches a database: :mod:`povtor.storage.card_queries` loads the counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from povtor.domain.planner import Candidate, ClientState, is_silent, settled
from povtor.errors import InvalidInput
from povtor.settings import Settings
from povtor.text import did_you_mean, fold, sort_key

NORM_CATEGORIES = ("A", "B", "C")
PLAN_CATEGORIES = ("A", "B")  # the plan asks to fill the cards of these only


def card_norm(category: str | None, settings: Settings) -> int | None:
    """Talking facts a card of ``category`` should hold (``None``: no category, no norm)."""
    if category not in NORM_CATEGORIES:
        return None
    return settings.int(f"card.norm.{category}")


@dataclass(frozen=True)
class Completeness:
    """A card's talking facts against its category's norm."""

    facts: int
    category: str | None
    norm: int | None

    @property
    def missing(self) -> int | None:
        """Facts still to learn to reach the norm (0 at or above it; ``None``: no norm)."""
        return None if self.norm is None else max(0, self.norm - self.facts)

    @property
    def complete(self) -> bool | None:
        return None if self.norm is None else self.facts >= self.norm

    def summary(self) -> str:
        """«4 of 7 talking facts (B norm) — 3 more», as ``client show`` prints it."""
        noun = "talking fact" if (self.norm or self.facts) == 1 else "talking facts"
        if self.norm is None:
            return f"{self.facts} {noun} (no category, so no norm)"
        head = f"{self.facts} of {self.norm} {noun} ({self.category} norm)"
        return head + (f" — {self.missing} more" if self.missing else " — complete")

    def as_dict(self) -> dict[str, object]:
        return {
            "facts": self.facts,
            "category": self.category,
            "norm": self.norm,
            "missing": self.missing,
            "complete": self.complete,
            "summary": self.summary(),
        }


def completeness(facts: int, category: str | None, settings: Settings) -> Completeness:
    return Completeness(facts=facts, category=category, norm=card_norm(category, settings))


# -- what to ask ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """A useful question for a thin card, and the fact topics that already answer it."""

    code: str  # recorded as the touch's purpose_ref
    about: str  # for the plan's reason: "ask about <about>"
    stems: tuple[str, ...]  # folded parts of a fact's topic that mean it is known
    ru: str
    en: str


QUESTIONS: tuple[Question, ...] = (
    Question(
        "needs",
        "their needs and volumes",
        ("потреб", "объем", "закуп", "расход", "сезон", "need", "volume", "demand", "season"),
        "{person}, добрый день! Хочу точнее планировать поставки для вас: какой у вас объём "
        "в месяц и когда пик сезона?",
        "Hello {person}! I'd like to plan your deliveries better: how much do you need a "
        "month, and when is your peak season?",
    ),
    Question(
        "decisions",
        "who decides on purchases",
        ("решен", "лпр", "соглас", "decision", "decide", "approv"),
        "{person}, добрый день! Подскажите, как у вас принимают решение о закупке: кто "
        "согласует и что для него важнее всего?",
        "Hello {person}! How are purchases decided at {company}: who approves them, and what "
        "matters most to them?",
    ),
    Question(
        "plans",
        "their plans for next year",
        ("план", "развит", "проект", "объект", "plan", "project", "growth"),
        "{person}, добрый день! Какие планы у {company} на следующий год: новые объекты, "
        "направления, объёмы? Хотим подготовиться заранее.",
        "Hello {person}! What are {company}'s plans for next year: new sites, new lines, "
        "volumes? We would like to be ready in time.",
    ),
    Question(
        "suppliers",
        "their other suppliers",
        ("конкур", "поставщ", "competit", "supplier", "vendor"),
        "{person}, добрый день! Что вы сейчас берёте у других поставщиков и чем они вам "
        "удобны? Хочу понять, где мы можем быть полезнее.",
        "Hello {person}! What do you buy from other suppliers now, and what do you like about "
        "them? I'd like to see where we could help more.",
    ),
    Question(
        "people",
        "the people who work with us",
        ("люд", "персон", "сотрудн", "хобби", "people", "person", "staff", "hobb"),
        "{person}, добрый день! Кто ещё у вас работает с нашими поставками? Хочу "
        "познакомиться, чтобы быстрее решать вопросы.",
        "Hello {person}! Who else at {company} works with our deliveries? I'd like to meet "
        "them, so that we solve things faster.",
    ),
    Question(
        "terms",
        "payment and delivery terms",
        ("оплат", "достав", "логист", "приемк", "payment", "deliver", "logistic"),
        "{person}, добрый день! Удобно ли вам, как мы сейчас работаем с оплатой и доставкой? "
        "Что бы вы поменяли?",
        "Hello {person}! Are our payment and delivery terms convenient for you? What would "
        "you change?",
    ),
)
NEWS = Question(
    "news",
    "what is new at the client",
    (),
    "{person}, добрый день! Как у вас дела, что нового в компании? Хочу понимать, чем мы "
    "можем быть полезны.",
    "Hello {person}! How are things at {company}, anything new? I'd like to know how we "
    "can be useful.",
)


QUESTION_CODES: tuple[str, ...] = (*(q.code for q in QUESTIONS), NEWS.code)


def question_code(text: str, *, field: str = "--about") -> str:
    """The card question a touch with purpose ``card`` was about: one of
    :data:`QUESTION_CODES`, in any case (``nudge log --purpose card --about needs``)."""
    code = text.strip().lower()
    if code not in QUESTION_CODES:
        raise InvalidInput(
            f"{field}: {text.strip()!r} is not a card question"
            + did_you_mean(code, QUESTION_CODES),
            hint="use one of: " + ", ".join(QUESTION_CODES),
        )
    return code


def covers(question: Question, topic: str | None) -> bool:
    """Whether a fact with ``topic`` already answers ``question`` (case and ё/е aside)."""
    if not topic:
        return False
    folded = fold(topic)
    return any(stem in folded for stem in question.stems)


def next_question(topics: Iterable[str | None]) -> Question:
    """The first question whose topic the card lacks (all known: what is new)."""
    known = [t for t in topics if t]
    for question in QUESTIONS:
        if not any(covers(question, topic) for topic in known):
            return question
    return NEWS


# -- the plan's rule -----------------------------------------------------------------------
@dataclass(slots=True)  # built for every quiet client of a plan: see planner.ClientState
class CardFacts:
    """A client's talking facts as of the plan's day: how many, and their topics."""

    client_id: int
    facts: int
    topics: tuple[str, ...] = ()


def quiet_client(client: ClientState, today: dt.date, settings: Settings) -> bool:
    """Nothing in motion with the client (:func:`planner.settled`) and not silent past its
    threshold (that is its own item)."""
    return settled(client, today, settings) and not is_silent(client, today, settings)


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
    to its norm, then the name."""
    gap = settings.int("plan.card_gap_days")
    lang = settings.str("lang")
    thin: list[tuple[ClientState, Completeness]] = []
    for client in clients.values():
        if client.category not in PLAN_CATEGORIES or not client.paid_dates:
            continue  # (a prospect's card fills in the first-sale talks)
        since = last_asked.get(client.id, client.paid_dates[0])
        if (today - since).days < gap or not quiet_client(client, today, settings):
            continue
        card = cards.get(client.id)
        state = completeness(card.facts if card else 0, client.category, settings)
        if state.norm and state.missing:
            thin.append((client, state))
    thin.sort(
        key=lambda pair: (
            PLAN_CATEGORIES.index(pair[0].category or ""),
            Fraction(pair[1].facts, pair[1].norm or 1),
            sort_key(pair[0].name),
            pair[0].id,
        )
    )
    found = []
    for client, state in thin[: settings.int("plan.cards_per_day")]:
        card = cards.get(client.id)
        question = next_question(card.topics if card else ())
        found.append(
            Candidate(
                client_id=client.id,
                rule="card",
                reason=f"card: {state.facts} of {state.norm} talking facts "
                f"({state.category} norm): learn {state.missing} more — ask about "
                f"{question.about}",
                kind="warming",
                script=question.en if lang == "en" else question.ru,
                purpose="card",
                purpose_ref=question.code,
            )
        )
    return found


# -- the base's completeness (stats cards) -------------------------------------------------
@dataclass(frozen=True)
class CardRow:
    """One row of ``stats cards``: the clients of a category (``none``, or ``all``)."""

    category: str
    clients: int
    norm: int | None
    at_norm: int | None  # clients whose card holds at least the norm
    judged: int  # clients that have a norm (for the share)
    mean_facts: Decimal | None
    median_facts: Decimal | None

    @property
    def share(self) -> Decimal | None:
        from povtor.domain.metrics import rate  # (reports only: kept off the plan's path)

        return None if self.at_norm is None else rate(self.at_norm, self.judged)


def completeness_table(
    cards: Iterable[tuple[str | None, int]], settings: Settings
) -> list[CardRow]:
    """Per category A, B, C and ``none`` (uncategorised), then ``all``: from each active
    client's (category, talking facts). The ``all`` row's share is of the categorised
    clients: an uncategorised card has no norm to meet."""
    from povtor.domain.metrics import mean, median  # (reports only: off the plan's path)

    by_category: dict[str, list[int]] = {c: [] for c in (*NORM_CATEGORIES, "none")}
    for category, facts in cards:
        by_category[category if category in NORM_CATEGORIES else "none"].append(facts)
    rows = []
    everyone: list[int] = []
    at_norm_total = judged_total = 0
    for category, counts in by_category.items():
        norm = card_norm(category, settings)
        at_norm = None if norm is None else sum(1 for n in counts if n >= norm)
        judged = 0 if norm is None else len(counts)
        rows.append(
            CardRow(category, len(counts), norm, at_norm, judged, mean(counts), median(counts))
        )
        everyone += counts
        at_norm_total += at_norm or 0
        judged_total += judged
    rows.append(
        CardRow(
            "all",
            len(everyone),
            None,
            at_norm_total,
            judged_total,
            mean(everyone),
            median(everyone),
        )
    )
    return rows


def below_norm(
    cards: Iterable[tuple[int, str, str | None, int]], settings: Settings
) -> list[tuple[int, str, str, int, int, int]]:
    """(client id, name, category, facts, norm, missing) of every categorised client below
    its norm: A, then B, then C; the thinnest card relative to its norm first, then name."""
    found = []
    for client_id, name, category, facts in cards:
        norm = card_norm(category, settings)
        if category is None or norm is None or facts >= norm:
            continue
        found.append((client_id, name, category, facts, norm, norm - facts))
    found.sort(
        key=lambda r: (NORM_CATEGORIES.index(r[2]), Fraction(r[3], r[4]), sort_key(r[1]), r[0])
    )
    return found

"""Client card completeness (seed 001): talking facts against the category's norm, and
the questions that fill a thin card.

A card must hold "talking" facts about the client's business and people, beyond
phone, e-mail and address: the rows of the ``fact`` table. Each category has a norm
(settings ``card.norm.A|B|C``: 15, 7, 5). The plan's rule that asks about one more fact
is :mod:`povtor.domain.plan_rules.thin_card`. Nothing here touches a database:
:mod:`povtor.storage.card_queries` loads the counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from povtor.errors import InvalidInput
from povtor.i18n import N_, _, ngettext
from povtor.records import record
from povtor.settings import Settings
from povtor.text import did_you_mean, fold, sort_key

NORM_CATEGORIES = ("A", "B", "C")
PLAN_CATEGORIES = ("A", "B")  # the plan asks to fill the cards of these only


def card_norm(category: str | None, settings: Settings) -> int | None:
    """Talking facts a card of ``category`` should hold (``None``: no category, no norm)."""
    if category not in NORM_CATEGORIES:
        return None
    return settings.int(f"card.norm.{category}")


@record(frozen=True)
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
        if self.norm is None:
            return ngettext(
                "{facts} talking fact (no category, so no norm)",
                "{facts} talking facts (no category, so no norm)",
                self.facts,
            ).format(facts=self.facts)
        head = ngettext(
            "{facts} of {norm} talking fact ({category} norm)",
            "{facts} of {norm} talking facts ({category} norm)",
            self.norm or self.facts,
        ).format(facts=self.facts, norm=self.norm, category=self.category)
        tail = _(" — {n} more").format(n=self.missing) if self.missing else _(" — complete")
        return head + tail

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
@record(frozen=True)
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
        N_("their needs and volumes"),
        ("потреб", "объем", "закуп", "расход", "сезон", "need", "volume", "demand", "season"),
        "{person}, добрый день! Хочу точнее планировать поставки для вас: какой у вас объём "
        "в месяц и когда пик сезона?",
        "Hello {person}! I'd like to plan your deliveries better: how much do you need a "
        "month, and when is your peak season?",
    ),
    Question(
        "decisions",
        N_("who decides on purchases"),
        ("решен", "лпр", "соглас", "decision", "decide", "approv"),
        "{person}, добрый день! Подскажите, как у вас принимают решение о закупке: кто "
        "согласует и что для него важнее всего?",
        "Hello {person}! How are purchases decided at {company}: who approves them, and what "
        "matters most to them?",
    ),
    Question(
        "plans",
        N_("their plans for next year"),
        ("план", "развит", "проект", "объект", "plan", "project", "growth"),
        "{person}, добрый день! Какие планы у {company} на следующий год: новые объекты, "
        "направления, объёмы? Хотим подготовиться заранее.",
        "Hello {person}! What are {company}'s plans for next year: new sites, new lines, "
        "volumes? We would like to be ready in time.",
    ),
    Question(
        "suppliers",
        N_("their other suppliers"),
        ("конкур", "поставщ", "competit", "supplier", "vendor"),
        "{person}, добрый день! Что вы сейчас берёте у других поставщиков и чем они вам "
        "удобны? Хочу понять, где мы можем быть полезнее.",
        "Hello {person}! What do you buy from other suppliers now, and what do you like about "
        "them? I'd like to see where we could help more.",
    ),
    Question(
        "people",
        N_("the people who work with us"),
        ("люд", "персон", "сотрудн", "хобби", "people", "person", "staff", "hobb"),
        "{person}, добрый день! Кто ещё у вас работает с нашими поставками? Хочу "
        "познакомиться, чтобы быстрее решать вопросы.",
        "Hello {person}! Who else at {company} works with our deliveries? I'd like to meet "
        "them, so that we solve things faster.",
    ),
    Question(
        "terms",
        N_("payment and delivery terms"),
        ("оплат", "достав", "логист", "приемк", "payment", "deliver", "logistic"),
        "{person}, добрый день! Удобно ли вам, как мы сейчас работаем с оплатой и доставкой? "
        "Что бы вы поменяли?",
        "Hello {person}! Are our payment and delivery terms convenient for you? What would "
        "you change?",
    ),
)
NEWS = Question(
    "news",
    N_("what is new at the client"),
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
            _("{field}: {text} is not a card question").format(field=field, text=repr(text.strip()))
            + did_you_mean(code, QUESTION_CODES),
            hint=_("use one of: {codes}").format(codes=", ".join(QUESTION_CODES)),
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


# -- the plan's facts ----------------------------------------------------------------------
@record(slots=True)  # built for every quiet client of a plan: see plan_records.ClientState
class CardFacts:
    """A client's talking facts as of the plan's day: how many, and their topics."""

    client_id: int
    facts: int
    topics: tuple[str, ...] = ()


@record(frozen=True)
class CardPlanFacts:
    """What the plan's card rule looks at, as of the plan's day: the talking facts of the
    clients it may ask about, and the day of each client's last card question."""

    cards: Mapping[int, CardFacts]
    last_asked: Mapping[int, dt.date]


# -- the base's completeness (stats cards) -------------------------------------------------
@record(frozen=True)
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

"""Message drafts: "what we want + yes or no", per touch kind, funnel and stage.

A template is looked up by (kind, funnel, stage) with ``*`` as a wildcard, most
specific first; user templates (the ``template`` table) come before these
defaults. Placeholders: {person} {client} {company} {amount} {currency} {days}
{date} {stage} {title} {problem}.

Two drafts are for a step rather than a funnel stage (pseudo-stages, any funnel): the
service follow-up of a reported problem (``service``/``problem``, seed 004) and the
referral ask after a "no" to a refusal revisit (``closing``/``referrals``, seed 002).
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from povtor.errors import InvalidInput

PLACEHOLDERS = (
    "person",
    "client",
    "company",
    "amount",
    "currency",
    "days",
    "date",
    "stage",
    "title",
    "problem",  # the problem a client reported on a service contact
)
# steps with their own draft, not funnel stages: (kind, stage)
PSEUDO_STAGES = {"problem": "service", "referrals": "closing"}

# (kind, funnel, stage, lang) -> body
DEFAULTS: dict[tuple[str, str, str, str], str] = {
    (
        "closing",
        "*",
        "*",
        "ru",
    ): "Добрый день, {person}! Вопрос «{title}» в силе или что-то пошло не по плану?",
    ("closing", "*", "*", "en"): "Hello {person}! Is «{title}» still on, or did something change?",
    ("closing", "repeat", "base", "ru"): (
        "Добрый день, {person}! Давно не виделись — в этом месяце планируете закупку? Да или нет?"
    ),
    ("closing", "repeat", "base", "en"): (
        "Hello {person}! It has been a while: are you planning an order this month? Yes or no?"
    ),
    ("closing", "*", "request", "ru"): (
        "Добрый день, {person}! Вы запрашивали расчёт {days} дн. назад. Заказ в силе или что-то пошло не по плану?"
    ),
    ("closing", "*", "request", "en"): (
        "Hello {person}! You asked for a quote {days} days ago. Is the order still on, or did plans change?"
    ),
    ("closing", "*", "proposal", "ru"): (
        "Добрый день, {person}! Отправлял вам КП «{title}». Берёте в работу или пока не актуально?"
    ),
    ("closing", "*", "proposal", "en"): (
        "Hello {person}! I sent you the proposal «{title}». Shall we go ahead, or is it not for now?"
    ),
    ("closing", "*", "invoice", "ru"): (
        "Добрый день, {person}! Счёт на {amount} {currency} ждёт оплаты {days} дн. Оплата в силе или что-то пошло не по плану?"
    ),
    ("closing", "*", "invoice", "en"): (
        "Hello {person}! The invoice for {amount} {currency} has been waiting {days} days. Is the payment on, or did something change?"
    ),
    ("closing", "first", "*", "ru"): (
        "Добрый день, {person}! Предлагаю встретиться на этой неделе и обсудить закупки — удобно или не сейчас?"
    ),
    ("closing", "first", "*", "en"): (
        "Hello {person}! Shall we meet this week to talk about your purchasing, yes or not now?"
    ),
    # the refusal funnel's script (seed 002, 1.6.5)
    ("closing", "refusal", "*", "ru"): (
        "{person}, добрый день! Некоторое время назад мы с вами обсуждали «{title}», и у нас "
        "не получилось найти точки соприкосновения. В мире всё переменчиво, у нас появились "
        "новые возможности, поэтому и пишу. Подскажите, {person}, вопрос «{title}» вас всё ещё "
        "интересует?"
    ),
    ("closing", "refusal", "*", "en"): (
        "Hello {person}! A while ago we discussed «{title}» and could not find common ground. "
        "Things change, and we have new possibilities, which is why I am writing. Tell me, "
        "{person}: is «{title}» still of interest to you?"
    ),
    # after a "no" to the revisit: ask for referrals (seed 002, variant 2)
    ("closing", "*", "referrals", "ru"): (
        "Спасибо, вас понял! Тогда ещё один вопрос, {person}: может быть, в вашем окружении есть "
        "люди, кому было бы интересно узнать про «{title}» и получить от вас специальные условия?"
    ),
    ("closing", "*", "referrals", "en"): (
        "Thank you, understood! One more question, {person}: maybe someone you know would like "
        "to hear about «{title}» and get special terms from you?"
    ),
    ("warming", "*", "*", "ru"): (
        "Добрый день, {person}! Делюсь полезным для {company}: … Если будут вопросы — я на связи."
    ),
    ("warming", "*", "*", "en"): (
        "Hello {person}! Something useful for {company}: … Happy to help if you have questions."
    ),
    # the service contact (seed 004): how is it going, anything wrong, wishes
    ("service", "*", "*", "ru"): (
        "Добрый день, {person}! Как у вас дела с «{title}»: всё ли в порядке, может, что-то "
        "было не так? Есть ли пожелания к нам?"
    ),
    ("service", "*", "*", "en"): (
        "Hello {person}! How is it going with «{title}»: is everything all right, was anything "
        "wrong? Any wishes for us?"
    ),
    # back to a problem the client reported, until they say all is well
    ("service", "*", "problem", "ru"): (
        "Добрый день, {person}! Возвращаюсь к проблеме, о которой вы говорили: «{problem}». "
        "Теперь всё в порядке или что-то ещё не так?"
    ),
    ("service", "*", "problem", "en"): (
        "Hello {person}! Coming back to the problem you told us about: «{problem}». Is "
        "everything all right now, or is something still wrong?"
    ),
}


def lookup(
    kind: str, funnel: str, stage: str, lang: str, user: Mapping[tuple[str, str, str, str], str]
) -> str:
    """The most specific template: user ones first, then the defaults. A pseudo-stage
    (``problem``, ``referrals``) has only its own draft, never a wider one."""
    if stage in PSEUDO_STAGES:
        own = (kind, "*", stage, lang)
        return user.get(own) or DEFAULTS.get(own) or DEFAULTS[(kind, "*", stage, "ru")]
    for source in (user, DEFAULTS):
        for key in (
            (kind, funnel, stage, lang),
            (kind, "*", stage, lang),
            (kind, funnel, "*", lang),
            (kind, "*", "*", lang),
        ):
            if key in source:
                return source[key]
    return DEFAULTS[(kind, "*", "*", "ru")]


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def fill(body: str, values: Mapping[str, object]) -> str:
    """Fill the placeholders; an unknown value is left empty."""
    return body.format_map(_Blank({k: "" if v is None else str(v) for k, v in values.items()}))


def check(body: str) -> str:
    """Refuse a template with an unknown or malformed placeholder."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(body) if f is not None]
    except ValueError as exc:
        raise InvalidInput(
            f"template is malformed: {exc}",
            hint="write placeholders as {person}; a literal brace as {{",
        ) from None
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        raise InvalidInput(
            f"template uses unknown placeholder(s): {', '.join('{' + u + '}' for u in unknown)}",
            hint="allowed: " + " ".join("{" + p + "}" for p in PLACEHOLDERS),
        )
    return body


def values_for(
    *,
    client: str,
    company: str | None,
    person: str | None,
    days: int | None = None,
    date: str = "",
    amount_minor: int | None = None,
    currency: str = "RUB",
    stage: str = "",
    title: str | None = None,
    problem: str | None = None,
) -> dict[str, object]:
    """The values a template's placeholders are filled with (money «125 000», greeting
    by name and patronymic)."""
    from povtor.parsing import format_money
    from povtor.text import address_name

    return {
        "person": address_name(person) if person else client,
        "client": client,
        "company": company or client,
        "days": days,
        "date": date,
        "amount": format_money(amount_minor, grouped=True, short=True) if amount_minor else "",
        "currency": currency,
        "stage": stage,
        "title": title or stage,
        "problem": problem or "",
    }

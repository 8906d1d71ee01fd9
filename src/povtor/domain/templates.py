"""Message drafts: "what we want + yes or no", per touch kind, funnel and stage.

A template is looked up by (kind, funnel, stage) with ``*`` as a wildcard, most
specific first; user templates (the ``template`` table) come before these
defaults. Placeholders: {person} {client} {company} {amount} {currency} {days}
{days_text} {date} {stage} {title} {problem} {content}.

Two drafts are for a step rather than a funnel stage (pseudo-stages, any funnel): the
service follow-up of a reported problem (``service``/``problem``, seed 004) and the
referral ask after a "no" to a refusal revisit (``closing``/``referrals``, seed 002).

A draft is sendable as it is: with no person to greet, «Добрый день, {person}!» becomes
«Добрый день!» (a company is never greeted); with no title, «Заказ «{title}» в силе?»
becomes «Заказ в силе?»; with no amount, «Счёт на {amount} {currency} ждёт оплаты»
becomes «Счёт ждёт оплаты». Money and days are written the language's way
(:mod:`povtor.domain.wording`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from povtor.errors import InvalidInput
from povtor.i18n import _

PLACEHOLDERS = (
    "person",
    "client",
    "company",
    "amount",
    "currency",
    "days",
    "days_text",  # the days with their noun: «6 дней», "6 days"
    "date",
    "stage",
    "title",
    "problem",  # the problem a client reported on a service contact
    "content",  # the useful material a warming touch shares (povtor nudge content add)
)
# steps with their own draft, not funnel stages: (kind, stage)
PSEUDO_STAGES = {"problem": "service", "referrals": "closing"}
# the stages where the client holds what the seller sent (the quote, the invoice): a
# nudge there asks them to decide on it, which makes no sense on the day it was sent
WAITING_STAGES = frozenset(("proposal", "invoice"))

# (kind, funnel, stage, lang) -> body
DEFAULTS: dict[tuple[str, str, str, str], str] = {
    ("closing", "*", "*", "ru"): (
        "Добрый день, {person}! Заказ «{title}» в силе или что-то пошло не по плану?"
    ),
    ("closing", "*", "*", "en"): (
        "Hello {person}! Is your order «{title}» still on, or did something change?"
    ),
    ("closing", "repeat", "base", "ru"): (
        "Добрый день, {person}! Давно не виделись — в этом месяце планируете закупку? Да или нет?"
    ),
    ("closing", "repeat", "base", "en"): (
        "Hello {person}! It has been a while: are you planning an order this month? Yes or no?"
    ),
    # at the request the seller owes the quote: clarify it, do not ask for a decision
    ("closing", "*", "request", "ru"): (
        "Добрый день, {person}! Готовлю для вас расчёт по «{title}». Уточните, пожалуйста: "
        "объём и сроки те же, что вы называли?"
    ),
    ("closing", "*", "request", "en"): (
        "Hello {person}! I am preparing your quote for «{title}». Just to be sure: are the "
        "volume and dates the ones you gave me?"
    ),
    ("closing", "*", "proposal", "ru"): (
        "Добрый день, {person}! По нашему КП «{title}»: берёте в работу или пока не актуально?"
    ),
    ("closing", "*", "proposal", "en"): (
        "Hello {person}! About our proposal «{title}»: shall we go ahead, or is it not for now?"
    ),
    ("closing", "*", "invoice", "ru"): (
        "Добрый день, {person}! Счёт на {amount} {currency} ждёт оплаты {days_text}. Оплата в "
        "силе или что-то пошло не по плану?"
    ),
    ("closing", "*", "invoice", "en"): (
        "Hello {person}! The invoice for {amount} {currency} has been waiting {days_text}. Is "
        "the payment on, or did something change?"
    ),
    ("closing", "first", "*", "ru"): (
        "Добрый день, {person}! Предлагаю встретиться на этой неделе и обсудить закупки — "
        "удобно или не сейчас?"
    ),
    ("closing", "first", "*", "en"): (
        "Hello {person}! Shall we meet this week to talk about your purchasing, yes or not now?"
    ),
    # after the meeting the seller owes the proposal: offer it, yes or no
    ("closing", "first", "meeting", "ru"): (
        "Добрый день, {person}! По итогам нашего разговора готовлю для вас предложение — "
        "прислать его на этой неделе?"
    ),
    ("closing", "first", "meeting", "en"): (
        "Hello {person}! Following our conversation, I am preparing a proposal for you: "
        "shall I send it this week?"
    ),
    # the refusal funnel's script (seed 002, 1.6.5)
    ("closing", "refusal", "*", "ru"): (
        "{person}, добрый день! Некоторое время назад мы с вами обсуждали варианты "
        "сотрудничества по «{title}», и у нас не получилось найти точки соприкосновения. В мире "
        "всё переменчиво, у нас появились новые возможности, поэтому и пишу. Подскажите, "
        "{person}, вопрос «{title}» вас всё ещё интересует?"
    ),
    ("closing", "refusal", "*", "en"): (
        "Hello {person}! A while ago we discussed working together on «{title}» and could not "
        "find common ground. Things change, and we have new possibilities, which is why I am "
        "writing. Tell me, {person}: is the question of «{title}» still of interest to you?"
    ),
    # the interest came back: the seller owes an updated proposal
    ("closing", "refusal", "interest", "ru"): (
        "Добрый день, {person}! Вопрос «{title}» снова актуален для вас — готовлю обновлённое "
        "предложение. Прислать его на этой неделе?"
    ),
    ("closing", "refusal", "interest", "en"): (
        "Hello {person}! Glad the question of «{title}» is open again: I am preparing an "
        "updated proposal. Shall I send it this week?"
    ),
    # after a "no" to the revisit: ask for referrals (seed 002, variant 2)
    ("closing", "*", "referrals", "ru"): (
        "Спасибо за ответ! Тогда ещё один вопрос, {person}: может быть, в вашем окружении есть "
        "люди, кому было бы интересно узнать про «{title}» и получить от вас специальные условия?"
    ),
    ("closing", "*", "referrals", "en"): (
        "Thank you, understood! One more question, {person}: maybe someone you know would like "
        "to hear about «{title}» and get special terms from you?"
    ),
    # a warming touch shares the seller's own useful material (povtor nudge content add)
    ("warming", "*", "*", "ru"): (
        "Добрый день, {person}! Делюсь полезным. {content} Если будут вопросы — я на связи."
    ),
    ("warming", "*", "*", "en"): (
        "Hello {person}! Something useful for you. {content} Happy to help if you have questions."
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


# Marks for a value that is missing: the words around it go with it. Control characters
# never reach a value (every text povtor stores is checked for them).
_NO_PERSON, _NO_TITLE, _NO_MONEY = "\x01", "\x02", "\x03"
_MONEY = "{amount} {currency}"
_NO_PERSON_RULES = (
    # «{person}, добрый день!» -> «Добрый день!»
    (re.compile(r"^\s*\x01\s*[,:]?\s*"), ""),
    # «Добрый день, {person}!», «Подскажите, {person}, вопрос…», «вопрос, {person}: …»
    (re.compile(r"\s*,\s*\x01(?=\s*(?:[!?.:;,]|$))"), ""),
    # «Hello {person}!»
    (re.compile(r"\s+\x01(?=\s*[!?.:;,])"), ""),
)
# «по «{title}»», «with «{title}»», ««{title}»»: the words that only name the title
_NO_TITLE_RULE = re.compile(
    r"(?:\s+(?:по|для|с|со|о|об|про|на|with|for|about|on|of))?\s*[«\"]?\x02[»\"]?", re.I
)
# «вопрос «{title}»», "the question of «{title}»": the question stays, about our offer
_NO_TITLE_QUESTION = (
    (re.compile(r"вопрос\s*«\x02»"), "наше предложение"),
    (re.compile(r"the question of\s*«\x02»", re.I), "our offer"),
)
_NO_MONEY_RULE = re.compile(r"(?:\s+(?:на|for|of))?\s*\x03", re.I)


def fill(body: str, values: Mapping[str, object]) -> str:
    """Fill the placeholders; an unknown value is left empty, and a missing person, title
    or amount takes the words that only introduce it along («Добрый день, {person}!» ->
    «Добрый день!»)."""
    filled = {k: "" if v is None else str(v) for k, v in values.items()}
    if not filled.get("person"):
        filled["person"] = _NO_PERSON
    if not filled.get("title"):
        filled["title"] = _NO_TITLE
    money = filled.get("money", "")
    if _MONEY in body:  # the amount and its currency, tied by a no-break space
        body = body.replace(_MONEY, "{money}")
        filled["money"] = money or _NO_MONEY
    elif not filled.get("amount"):
        filled["amount"] = _NO_MONEY
    text = body.format_map(_Blank(filled))
    if _NO_PERSON in text:
        for rule, replacement in _NO_PERSON_RULES:
            text = rule.sub(replacement, text)
        text = text.replace(_NO_PERSON, "")
        text = text[:1].upper() + text[1:]
    if _NO_TITLE in text:
        for rule, replacement in _NO_TITLE_QUESTION:
            text = rule.sub(replacement, text)
        text = _NO_TITLE_RULE.sub("", text)
    if _NO_MONEY in text:
        text = _NO_MONEY_RULE.sub("", text)
    return re.sub(r"[ ]{2,}", " ", text).strip()


def check(body: str) -> str:
    """Refuse a template with an unknown or malformed placeholder."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(body) if f is not None]
    except ValueError as exc:
        raise InvalidInput(
            _("template is malformed: {exc}").format(exc=exc),
            hint=_("write placeholders as {person}; a literal brace as {{"),
        ) from None
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        raise InvalidInput(
            _("template uses unknown placeholder(s): {join}").format(
                join=", ".join("{" + u + "}" for u in unknown)
            ),
            hint="allowed: " + " ".join("{" + p + "}" for p in PLACEHOLDERS),
        )
    return body


def values_for(
    *,
    client: str,
    company: str | None,
    person: str | None,
    lang: str = "ru",
    days: int | None = None,
    date: str = "",
    amount_minor: int | None = None,
    currency: str = "RUB",
    stage: str = "",
    title: str | None = None,
    problem: str | None = None,
    content: str | None = None,
) -> dict[str, object]:
    """The values a template's placeholders are filled with: the greeting by first name
    and patronymic (the client's own name when it names a person, else nobody: never a
    company), money and days the language's way («125 000 ₽», «6 дней»)."""
    from povtor.domain.wording import amount_text, currency_text, days_text, money_text
    from povtor.text import address_name, person_in_name

    greeting = address_name(person) if person else person_in_name(client)
    if greeting is None and not person:
        greeting = person_in_name(company)
    amount = amount_minor or 0
    return {
        "person": greeting or "",
        "client": client,
        "company": company or client,
        "days": days,
        "days_text": days_text(days, lang) if days is not None else "",
        "date": date,
        "amount": amount_text(amount, lang) if amount else "",
        "currency": currency_text(currency, lang),
        "money": money_text(amount, currency, lang) if amount else "",  # {amount} {currency}
        "stage": stage,
        "title": title or "",
        "problem": problem or "",
        "content": sentence(content) if content else "",
    }


def sentence(text: str) -> str:
    """Text that ends a sentence: a full stop added unless it ends with one (or a link)."""
    text = text.strip()
    if not text or text[-1] in '.!?…»)"' or text.split()[-1].startswith(("http://", "https://")):
        return text
    return text + "."


def uses(body: str, placeholder: str) -> bool:
    """Whether a template uses ``{placeholder}``."""
    try:
        return any(f == placeholder for _, f, _, _ in string.Formatter().parse(body))
    except ValueError:
        return False

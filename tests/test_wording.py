"""Drafts read as a person wrote them: greetings, Russian number agreement, money, and
every default template filled with and without a person, a title and an amount."""

from __future__ import annotations

import re

import pytest

from povtor.domain import templates
from povtor.domain.wording import amount_text, currency_text, days_text, money_text, plural_ru
from povtor.text import address_name, person_in_name

NB = "\u00a0"


# -- number agreement ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "word"),
    [
        (0, "дней"),
        (1, "день"),
        (2, "дня"),
        (4, "дня"),
        (5, "дней"),
        (11, "дней"),
        (12, "дней"),
        (14, "дней"),
        (21, "день"),
        (22, "дня"),
        (25, "дней"),
        (101, "день"),
        (111, "дней"),
        (112, "дней"),
        (1_001, "день"),
        (-2, "дня"),
    ],
)
def test_plural_ru(n: int, word: str) -> None:
    assert plural_ru(n, "день", "дня", "дней") == word


@pytest.mark.parametrize(
    ("n", "lang", "text"),
    [
        (1, "ru", f"1{NB}день"),
        (2, "ru", f"2{NB}дня"),
        (6, "ru", f"6{NB}дней"),
        (21, "ru", f"21{NB}день"),
        (1, "en", f"1{NB}day"),
        (6, "en", f"6{NB}days"),
        (0, "en", f"0{NB}days"),
    ],
)
def test_days_text(n: int, lang: str, text: str) -> None:
    assert days_text(n, lang) == text


# -- money -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("minor", "currency", "lang", "text"),
    [
        (146_561_820, "RUB", "ru", f"1{NB}465{NB}618,20{NB}₽"),
        (12_500_000, "RUB", "ru", f"125{NB}000{NB}₽"),  # a whole amount: no kopecks
        (12_500_050, "RUB", "ru", f"125{NB}000,50{NB}₽"),
        (120_050, "USD", "ru", f"1{NB}200,50{NB}USD"),  # not the rouble: the ISO code
        (99, "RUB", "ru", f"0,99{NB}₽"),
        (-150_000, "RUB", "ru", f"-1{NB}500{NB}₽"),
        (146_561_820, "RUB", "en", f"1,465,618.20{NB}RUB"),
        (12_500_000, "EUR", "en", f"125,000{NB}EUR"),
    ],
)
def test_money_text(minor: int, currency: str, lang: str, text: str) -> None:
    assert money_text(minor, currency, lang) == text
    amount, code = text.rsplit(NB, 1)
    assert (amount_text(minor, lang), currency_text(currency, lang)) == (amount, code)


# -- greetings -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("full", "greeting"),
    [
        ("Иванов Иван Иванович", "Иван Иванович"),
        ("Ульянов Владимир Ильич", "Владимир Ильич"),  # patronymics in -ич
        ("Кузьма Кузьмич", "Кузьма Кузьмич"),
        ("Пётр Лукич Смирнов", "Пётр Лукич"),
        ("Фома Фомич", "Фома Фомич"),
        ("Сидоров Павел Никитич", "Павел Никитич"),
        ("Анна Ильинична", "Анна Ильинична"),
        ("Мамедов Эльчин Рашид оглы", "Рашид оглы"),
        ("Орлов Сергей", "Сергей"),  # surname first: never greet the surname
        ("Сергей Орлов", "Сергей"),
        ("Петрова Марина", "Марина"),  # Марина ends like a surname, but is a first name
        ("Марина Петрова", "Марина"),
        ("Кузнецова Злата", "Злата"),  # an unknown first name after a surname
        ("Шостакович Дмитрий", "Дмитрий"),
        ("Сергей Бабич", "Сергей"),  # -ич, but no patronymic
        ("John Smith", "John"),
        ("Гранит", "Гранит"),
    ],
)
def test_address_name(full: str, greeting: str) -> None:
    assert address_name(full) == greeting


@pytest.mark.parametrize(
    ("name", "person"),
    [
        ("ИП Рахимов Тимур Рашидович", "Тимур Рашидович"),
        ("ИП глава КФХ Миронов Виктор Степанович", "Виктор Степанович"),
        ("Иван Петров", "Иван"),
        ("Орлов Сергей", "Сергей"),
        ("ООО «Новострой»", None),  # a company is never greeted
        ("ИП Сидоров", None),
        ("Бригада Котова", None),
        ("Ромашка", None),
        ("Дом-Мастер", None),
        ("", None),
        (None, None),
    ],
)
def test_person_in_name(name: str | None, person: str | None) -> None:
    assert person_in_name(name) == person


def test_the_greeting_never_names_a_company() -> None:
    def greet(**kw: object) -> str:
        values = templates.values_for(**kw)  # type: ignore[arg-type]
        return templates.fill("Добрый день, {person}! Как дела?", values)

    assert greet(client="Новострой", company="ООО «Новострой»", person=None) == (
        "Добрый день! Как дела?"
    )
    assert greet(client="Новострой", company="ООО «Новострой»", person="Орлов Сергей") == (
        "Добрый день, Сергей! Как дела?"
    )
    assert greet(client="Рахимов", company="ИП Рахимов Тимур Рашидович", person=None) == (
        "Добрый день, Тимур Рашидович! Как дела?"
    )


# -- filling: what goes when a value is missing ------------------------------------------------
@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("Добрый день, {person}! Заказ «{title}» в силе?", "Добрый день! Заказ в силе?"),
        ("{person}, добрый день! Вопрос «{title}» вас интересует?", "Добрый день! Вопрос вас "
         "интересует?"),
        ("Подскажите, {person}, как дела с «{title}»?", "Подскажите, как дела?"),
        ("Ещё вопрос, {person}: кто решает?", "Ещё вопрос: кто решает?"),
        ("Hello {person}! How is it going with «{title}»?", "Hello! How is it going?"),
        ("Счёт на {amount} {currency} ждёт оплаты.", "Счёт ждёт оплаты."),
        ("The invoice for {amount} {currency} is due.", "The invoice is due."),
        ("{person}, «{problem}» решили?", "«мокро» решили?"),
    ],
)  # fmt: skip
def test_missing_values_take_their_words_along(body: str, text: str) -> None:
    values = templates.values_for(client="Ромашка", company=None, person=None, problem="мокро")
    assert templates.fill(body, values) == text


def test_a_value_with_braces_is_not_a_placeholder() -> None:
    values = templates.values_for(client="x", company=None, person="Анна", title="{person}")
    assert templates.fill("{person}: «{title}»", values) == "Анна: «{person}»"


# -- every default draft, both languages -------------------------------------------------------
def _filled(key: tuple[str, str, str, str], **values: object) -> str:
    lang = key[3]
    base: dict[str, object] = {
        "client": "Новострой",
        "company": "ООО «Новострой»",
        "person": "Орлов Сергей",
        "lang": lang,
        "days": 6,
        "amount_minor": 146_561_820,
        "title": "Щебень 40 т",
        "problem": "мокрый песок",
        "content": "Памятка по приёмке щебня: https://example.ru/p",
    }
    base.update(values)
    return templates.fill(templates.DEFAULTS[key], templates.values_for(**base))  # type: ignore[arg-type]


@pytest.mark.parametrize("key", sorted(templates.DEFAULTS), ids=lambda k: "/".join(k))
@pytest.mark.parametrize(
    "missing",
    [{}, {"person": None}, {"title": None, "amount_minor": None}],
    ids=["all", "no-person", "no-title"],
)
def test_every_default_draft_is_sendable(
    key: tuple[str, str, str, str], missing: dict[str, object]
) -> None:
    text = _filled(key, **missing)
    assert text == text.strip() and "  " not in text
    assert not re.search(r"[{}…\x00-\x1f]", text), text  # no placeholder, filler or mark
    for wrong in ("Новострой", "Орлов", " дн.", "«»", ", !", " !", ", ?", " ,"):
        assert wrong not in text, (wrong, text)
    assert text[0].isupper() or text[0] == "«", text
    if key[3] == "ru":
        assert not re.search(r"\b(?:Hello|Is|the|RUB)\b", text), text
        if "{amount}" in templates.DEFAULTS[key] and "amount_minor" not in missing:
            assert f"1{NB}465{NB}618,20{NB}₽" in text
        if "{days_text}" in templates.DEFAULTS[key]:
            assert f"6{NB}дней" in text
    else:
        assert not re.search(r"[а-яё]{3,} [а-яё]{3,} [а-яё]{3,}", text), text  # no Russian
        if "{amount}" in templates.DEFAULTS[key] and "amount_minor" not in missing:
            assert f"1,465,618.20{NB}RUB" in text
    if "person" not in missing and "{person}" in templates.DEFAULTS[key]:
        assert "Сергей" in text


def test_every_default_draft_has_both_languages() -> None:
    keys = {k[:3] for k in templates.DEFAULTS}
    for kind, funnel, stage in keys:
        assert (kind, funnel, stage, "ru") in templates.DEFAULTS
        assert (kind, funnel, stage, "en") in templates.DEFAULTS


def test_the_request_draft_asks_no_decision_on_a_quote_not_sent() -> None:
    ru = _filled(("closing", "*", "request", "ru"))
    assert ru == (
        "Добрый день, Сергей! Готовлю для вас расчёт по «Щебень 40 т». Уточните, пожалуйста: "
        "объём и сроки те же, что вы называли?"
    )
    for wrong in ("в силе", "назад", "Берёте"):
        assert wrong not in ru
    en = _filled(("closing", "*", "request", "en"))
    assert "still on" not in en and "ago" not in en


def test_a_revisit_with_no_title_asks_about_our_offer() -> None:
    """A refusal said on no deal has no title: the question stays whole, about our offer."""
    for lang, asks in (
        ("ru", "Подскажите, Сергей, наше предложение вас всё ещё интересует?"),
        ("en", "Tell me, Сергей: is our offer still of interest to you?"),
    ):
        body = templates.DEFAULTS[("closing", "refusal", "*", lang)]
        text = templates.fill(
            body, templates.values_for(client="X", company=None, person="Сергей", title=None)
        )
        assert text.endswith(asks), text

"""Drafts as the seller gets them: ``nudge text`` on open, won, lost and fresh deals, the
warming content library (``nudge content``) and the plan's warming drafts made of it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from support import Cli, Run

NB = "\u00a0"


class Seller:
    """povtor as of a day (the day moves with ``on``)."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli
        self.day = "2026-03-02"

    def on(self, day: str) -> Seller:
        self.day = day
        return self

    def __call__(self, *args: str, input: str | None = None) -> Run:
        return self.cli(*args, env={"POVTOR_TODAY": self.day}, input=input)

    def ok(self, *args: str, input: str | None = None) -> Run:
        run = self(*args, input=input)
        assert run.exit_code == 0 and run.exception is None, run.describe()
        return run

    def fails(self, code: int, *args: str) -> Run:
        run = self(*args)
        assert run.exit_code == code and run.exception is None, run.describe()
        assert "Traceback" not in run.stderr and run.stdout == ""
        return run

    def text(self, *args: str) -> str:
        return self.ok("nudge", "text", *args).stdout.removesuffix("\n")

    def plan(self, *options: str) -> list[dict[str, Any]]:
        return json.loads(self.ok("plan", "today", *options, "--format", "json").stdout)

    def item(self, client: str) -> dict[str, Any]:
        [found] = [i for i in self.plan() if i["client"] == client]
        return found

    def content(self) -> list[dict[str, Any]]:
        return json.loads(self.ok("nudge", "content", "list", "--format", "json").stdout)


@pytest.fixture
def seller(cli: Cli) -> Seller:
    seller = Seller(cli)
    seller.ok("client", "add", "Ромашка", "--company", "ООО Ромашка", "--industry", "Строительство")
    seller.ok("client", "person", "add", "Ромашка", "Орлов Сергей")
    return seller


def deal(seller: Seller, *options: str) -> str:
    return seller.ok("deal", "open", "Ромашка", "--title", "Щебень 40 т", *options).stdout.strip()


# -- nudge text: the draft that fits the deal ----------------------------------------------------
def test_a_won_deal_gets_the_service_draft_never_a_closing_nudge(seller: Seller) -> None:
    won = deal(seller, "--stage", "invoice", "--amount", "125000", "--on", "2026-02-20")
    seller.ok("deal", "win", won, "--on", "2026-02-25")
    run = seller.ok("nudge", "text", won)
    assert run.stdout == (
        "Добрый день, Сергей! Как у вас дела с «Щебень 40 т»: всё ли в порядке, может, что-то "
        "было не так? Есть ли пожелания к нам?\n"
    )
    assert run.stderr == f"deal #{won} is won: the service draft (how is it going?)\n"
    assert seller.text(won, "--kind", "service") == run.stdout.strip()
    refused = seller.fails(5, "nudge", "text", won, "--kind", "closing")
    assert refused.stderr == (
        f"error: deal #{won} is won: a closing nudge has nothing left to ask; ask how it is "
        f"going: povtor nudge text {won} --kind service; a new order: povtor deal open 1 "
        "--stage request\n"
    )


def test_a_lost_deal_gets_the_refusal_revisit(seller: Seller) -> None:
    lost = deal(seller, "--stage", "proposal", "--on", "2025-11-01")
    seller.ok("deal", "lose", lost, "--reason", "дорого", "--on", "2025-11-05")
    run = seller.ok("nudge", "text", lost)
    assert run.stdout == (
        "Сергей, добрый день! Некоторое время назад мы с вами обсуждали варианты сотрудничества "
        "по «Щебень 40 т», и у нас не получилось найти точки соприкосновения. В мире всё "
        "переменчиво, у нас появились новые возможности, поэтому и пишу. Подскажите, Сергей, "
        "вопрос «Щебень 40 т» вас всё ещё интересует?\n"
    )
    assert run.stderr == f"deal #{lost} is lost: the refusal revisit draft\n"
    for wrong in ("в силе", "Берёте", "КП"):
        assert wrong not in run.stdout
    assert seller.text(lost, "--kind", "closing") == run.stdout.strip()
    assert seller.text(lost, "--lang", "en").startswith("Hello Сергей! A while ago we discussed")
    refused = seller.fails(5, "nudge", "text", lost, "--kind", "service")
    assert refused.stderr == (
        f"error: deal #{lost} is lost: nothing was bought to ask how it is going; the refusal "
        f"revisit draft: povtor nudge text {lost}\n"
    )
    # lost yesterday: the draft, and when the revisit is due (plan.revisit_days: 90)
    fresh = deal(seller, "--stage", "proposal", "--on", "2026-02-20")
    seller.ok("deal", "lose", fresh, "--reason", "дорого", "--on", "2026-03-01")
    assert seller.ok("nudge", "text", fresh).stderr == (
        f"deal #{fresh} is lost: the refusal revisit draft (due on 2026-05-30, 90 days after "
        "the loss)\n"
    )


@pytest.mark.parametrize("stage", ["proposal", "invoice"])
def test_no_nudge_on_the_day_the_client_got_the_quote_or_invoice(
    seller: Seller, stage: str
) -> None:
    sent = deal(seller, "--stage", stage, "--amount", "125000")
    refused = seller.fails(5, "nudge", "text", sent)
    name = {"proposal": "КП отправлено", "invoice": "Счёт отправлен"}[stage]
    assert refused.stderr == (
        f"error: deal #{sent} reached «{name}» today: too early to ask the client to decide on "
        "it; nudge from tomorrow on (povtor plan today brings the deal up once it has waited "
        "past its stage's limit)\n"
    )
    # a draft that asks no decision is there on the day
    assert seller.text(sent, "--kind", "service").startswith("Добрый день, Сергей! Как у вас")
    # the next day, the nudge
    text = seller.on("2026-03-03").text(sent)
    assert text.startswith("Добрый день, Сергей! ")
    assert f"1{NB}день" in text if stage == "invoice" else "По нашему КП «Щебень 40 т»" in text


def test_a_request_opened_today_gets_the_quote_question(seller: Seller) -> None:
    request = deal(seller, "--stage", "request")
    assert seller.text(request) == (
        "Добрый день, Сергей! Готовлю для вас расчёт по «Щебень 40 т». Уточните, пожалуйста: "
        "объём и сроки те же, что вы называли?"
    )
    assert seller.text(request, "--lang", "en") == (
        "Hello Сергей! I am preparing your quote for «Щебень 40 т». Just to be sure: are the "
        "volume and dates the ones you gave me?"
    )


def test_money_and_days_the_russian_way(seller: Seller) -> None:
    invoice = deal(seller, "--stage", "invoice", "--amount", "1465618,20", "--on", "2026-02-24")
    assert seller.text(invoice) == (
        f"Добрый день, Сергей! Счёт на 1{NB}465{NB}618,20{NB}₽ ждёт оплаты 6{NB}дней. Оплата в "
        "силе или что-то пошло не по плану?"
    )
    assert seller.on("2026-02-25").text(invoice).count(f"1{NB}день") == 1
    assert seller.on("2026-02-26").text(invoice).count(f"2{NB}дня") == 1
    assert seller.on("2026-03-02").text(invoice, "--lang", "en") == (
        f"Hello Сергей! The invoice for 1,465,618.20{NB}RUB has been waiting 6{NB}days. Is the "
        "payment on, or did something change?"
    )
    dollars = seller.ok(
        "deal", "open", "Ромашка", "--stage", "invoice", "--amount", "1200", "--currency", "USD",
        "--on", "2026-02-27",
    ).stdout.strip()  # fmt: skip
    assert f"Счёт на 1{NB}200{NB}USD ждёт оплаты 3{NB}дня." in seller.text(dollars)


def test_no_person_no_company_greeting(cli: Cli) -> None:
    seller = Seller(cli)
    seller.ok("client", "add", "Новострой", "--company", "ООО «Новострой»")
    seller.ok("deal", "open", "Новострой", "--stage", "proposal", "--on", "2026-02-20")
    assert seller.text("Новострой") == (
        "Добрый день! По нашему КП: берёте в работу или пока не актуально?"
    )
    seller.ok("client", "add", "ИП Рахимов Тимур Рашидович")
    seller.ok("deal", "open", "Рахимов", "--stage", "proposal", "--title", "Песок",
              "--on", "2026-02-20")  # fmt: skip
    assert seller.text("Рахимов").startswith("Добрый день, Тимур Рашидович! По нашему КП «Песок»")


# -- the warming content library ---------------------------------------------------------------
def test_content_add_list_remove(seller: Seller) -> None:
    add = seller.ok("nudge", "content", "add", "Памятка по приёмке щебня: https://example.ru/p",
                    "--industry", "строительство", "--tag", "логистика")  # fmt: skip
    assert (add.stdout, add.stderr) == ("1\n", "added warming content #1 for строительство\n")
    seller.ok("nudge", "content", "add", "How to store cement in winter", "--lang", "en")
    assert seller.content() == [
        {
            "id": 1,
            "industry": "строительство",
            "tag": "логистика",
            "lang": "ru",
            "clients": 0,
            "added_on": "2026-03-02",
            "text": "Памятка по приёмке щебня: https://example.ru/p",
        },
        {
            "id": 2,
            "industry": None,
            "tag": None,
            "lang": "en",
            "clients": 0,
            "added_on": "2026-03-02",
            "text": "How to store cement in winter",
        },
    ]
    listed = seller.ok("nudge", "content", "list", "--industry", "общепит", "--format", "csv")
    assert [line.split(",")[0] for line in listed.stdout.splitlines()] == ["id", "2"]
    removed = seller.ok("nudge", "content", "remove", "#2")
    assert removed.stderr == "removed warming content #2: How to store cement in winter\n"
    # ids are never reused: a new item is #3
    assert seller.ok("nudge", "content", "add", "Новое").stdout == "3\n"
    assert [c["id"] for c in seller.content()] == [1, 3]


def test_content_errors_change_nothing(seller: Seller) -> None:
    seller.fails(2, "nudge", "content", "add", "  ")
    seller.fails(2, "nudge", "content", "add", "Текст", "--lang", "de")
    seller.fails(2, "nudge", "content", "add", "Текст\x07")
    missing = seller.fails(3, "nudge", "content", "remove", "7")
    assert missing.stderr == "error: no warming content #7; see: povtor nudge content list\n"
    seller.fails(3, "nudge", "content", "remove", "abc")
    assert seller.content() == []


def test_nudge_text_warming_shares_content_the_client_has_not_had(seller: Seller) -> None:
    open_deal = deal(seller, "--stage", "request")
    refused = seller.fails(5, "nudge", "text", open_deal, "--kind", "warming")
    assert refused.stderr == (
        "error: nothing to share with #1 Ромашка on a warming touch: no useful material to "
        'share yet; add some: povtor nudge content add "TEXT" --industry Строительство\n'
    )
    seller.ok("nudge", "content", "add", "Обзор цен на щебень на весну")
    seller.ok("nudge", "content", "add", "Памятка по приёмке щебня", "--industry", "СТРОИТЕЛЬСТВО")
    seller.ok("nudge", "content", "add", "Как хранить муку", "--industry", "общепит")
    # the client's industry first (any case)
    assert seller.text(open_deal, "--kind", "warming") == (
        "Добрый день, Сергей! Делюсь полезным. Памятка по приёмке щебня. Если будут вопросы — я "
        "на связи."
    )
    seller.ok("nudge", "log", "--client", "Ромашка", "--kind", "warming", "--purpose", "content",
              "--about", "2")  # fmt: skip
    assert [t["purpose_ref"] for t in json.loads(
        seller.ok("nudge", "list", "--format", "json").stdout
    )] == ["content:2"]  # fmt: skip
    assert "Обзор цен на щебень на весну." in seller.text(open_deal, "--kind", "warming")
    seller.ok("nudge", "log", "--client", "Ромашка", "--kind", "warming", "--purpose", "content",
              "--about", "content:1")  # fmt: skip
    had_all = seller.fails(5, "nudge", "text", open_deal, "--kind", "warming")
    assert "the client has had all your useful material" in had_all.stderr
    seller.fails(3, "nudge", "log", "--client", "Ромашка", "--purpose", "content", "--about", "9")
    assert [c["clients"] for c in seller.content()] == [1, 1, 0]


# -- the plan's warming items ------------------------------------------------------------------
@pytest.fixture
def silent(cli: Cli) -> Seller:
    """Гранит (строительство) and Вектор (общепит, a fact on «логистика») are silent and
    were asked the reorder question with no answer: each at warming touch 1 of 5."""
    seller = Seller(cli)
    for name, industry in (("Гранит", "строительство"), ("Вектор", "общепит")):
        seller.ok("client", "add", name, "--category", "B", "--industry", industry)
        paid = seller.ok("deal", "open", name, "--stage", "invoice", "--amount", "100000",
                         "--on", "2025-11-01").stdout.strip()  # fmt: skip
        seller.ok("deal", "win", paid, "--on", "2025-11-01")
        seller.ok("nudge", "log", "--client", name, "--kind", "service", "--outcome", "yes",
                  "--on", "2025-11-20")  # fmt: skip
        seller.ok("nudge", "log", "--client", name, "--kind", "closing", "--outcome",
                  "no-answer", "--on", "2026-02-16")  # fmt: skip
    seller.ok("client", "person", "add", "Гранит", "Иванов Иван Иванович")
    seller.ok("client", "fact", "add", "Вектор", "Разгрузка только с 8 до 17", "--topic",
              "Логистика")  # fmt: skip
    assert [(i["client"], i["kind"]) for i in seller.plan()] == [
        ("Вектор", "warming"),
        ("Гранит", "warming"),
    ]
    return seller


def test_a_warming_item_with_nothing_to_share_has_no_draft(silent: Seller) -> None:
    item = silent.item("Гранит")
    assert item["text"] == (
        "(no draft: no useful material to share with this client yet; add some: povtor nudge "
        'content add "TEXT" --industry строительство)'
    )
    assert "no draft" not in item["reason"]
    table = silent.ok("plan", "today", "--format", "table").stdout
    assert "no draft" in table and "Делюсь полезным" not in table
    # plan run records no text for it
    silent.ok("plan", "run", input="s\na\n")
    [touch] = json.loads(silent.ok("nudge", "list", "--kind", "warming", "-f", "json").stdout)
    assert (touch["client"], touch["text"], touch["purpose"]) == ("Гранит", "", None)


def test_warming_items_share_content_by_industry_then_tag_and_never_twice(
    silent: Seller,
) -> None:
    silent.ok("nudge", "content", "add", "Обзор рынка на весну")  # for anyone
    silent.ok("nudge", "content", "add", "Памятка по приёмке щебня: https://example.ru/p",
              "--industry", "строительство")  # fmt: skip
    silent.ok("nudge", "content", "add", "Как разгрузиться быстрее", "--tag", "логистика")
    silent.ok("nudge", "content", "add", "Warming in English", "--lang", "en")
    plan = {i["client"]: i for i in silent.plan()}
    assert plan["Гранит"]["text"] == (
        "Добрый день, Иван Иванович! Делюсь полезным. Памятка по приёмке щебня: "
        "https://example.ru/p Если будут вопросы — я на связи."
    )
    # Вектор: nothing for общепит, so the item tagged with a topic of its facts
    assert plan["Вектор"]["text"] == (
        "Добрый день! Делюсь полезным. Как разгрузиться быстрее. Если будут вопросы — я на связи."
    )
    english = {i["client"]: i["text"] for i in silent.plan("--lang", "en")}
    assert english["Гранит"] == (
        "Hello Иван Иванович! Something useful for you. Warming in English. Happy to help if "
        "you have questions."
    )
    # plan run records what was shared; the next warming touch shares the next item
    silent.ok("plan", "run", input="a\na\n")
    touches = json.loads(silent.ok("nudge", "list", "--kind", "warming", "-f", "json").stdout)
    assert sorted((t["client"], t["purpose"], t["purpose_ref"]) for t in touches) == [
        ("Вектор", "content", "content:3"),
        ("Гранит", "content", "content:2"),
    ]
    later = {i["client"]: i["text"] for i in silent.on("2026-03-05").plan()}
    assert "Обзор рынка на весну." in later["Гранит"]
    assert "Обзор рынка на весну." in later["Вектор"]
    silent.ok("plan", "run", input="a\na\n")
    last = {i["client"]: i["text"] for i in silent.on("2026-03-08").plan()}
    assert last["Вектор"].startswith("(no draft: ")  # has had both items that fit it
    assert "Как разгрузиться быстрее." in last["Гранит"]  # a tag prefers, never excludes


def test_a_warming_item_shares_the_same_material_whatever_is_shown(silent: Seller) -> None:
    """Only the items shown get their material picked; each gets what it would in the
    whole plan."""
    silent.ok("nudge", "content", "add", "Памятка по приёмке щебня", "--industry",
              "строительство")  # fmt: skip
    silent.ok("nudge", "content", "add", "Как разгрузиться быстрее", "--tag", "логистика")
    every = silent.plan("--all")
    assert [(i["client"], i["about"]) for i in every] == [
        ("Вектор", "content:2"),
        ("Гранит", "content:1"),
    ]
    assert silent.plan("--limit", "1") == every[:1]
    assert silent.plan("--category", "B", "--limit", "2") == every


def test_a_warming_template_of_your_own_needs_no_content(silent: Seller) -> None:
    silent.ok("nudge", "template", "set", "warming", "{person}, с наступающим!")
    assert silent.item("Гранит")["text"] == "Иван Иванович, с наступающим!"
    silent.ok("plan", "run", input="a\na\n")
    touches = json.loads(silent.ok("nudge", "list", "--kind", "warming", "-f", "json").stdout)
    assert {t["purpose"] for t in touches} == {None}

"""Build the bundled demo data: ``examples/demo/*.csv`` and ``examples/demo/demo.toml``.

Run it from anywhere with ``python examples/make_demo.py``. It uses the standard library
only and one ``random.Random(2026)``, so every run writes byte-identical files.

The story: a year in the life of a Russian B2B seller of building materials, fuel and
food supplies, ending on Monday ``ANCHOR``. ``povtor demo`` (``src/povtor/app/demo.py``)
moves every date so that the anchor becomes today. On the anchor date the data makes
every rule of the daily plan fire; ``demo.toml`` lists the ids involved under
``[scenarios]``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ANCHOR = dt.date(2026, 11, 23)  # a Monday: "today" of the story
START = ANCHOR - dt.timedelta(days=364)  # a year of history
OUT = Path(__file__).resolve().parent / "demo"
RNG = random.Random(2026)

STAGES = {
    "repeat": ("base", "request", "proposal", "invoice", "paid"),
    "first": ("lead", "contact", "meeting", "proposal", "invoice", "paid"),
    "refusal": ("revisit", "interest", "proposal", "invoice", "paid"),
}
LIMITS = {
    "repeat": {"base": 2, "request": 2, "proposal": 3, "invoice": 3},
    "first": {"lead": 2, "contact": 5, "meeting": 5, "proposal": 3, "invoice": 3},
    "refusal": {"revisit": 3, "interest": 3, "proposal": 3, "invoice": 3},
}
# Russian non-working days of the story's year (besides weekends).
HOLIDAYS = {
    dt.date(2025, 12, 31),
    *(dt.date(2026, 1, d) for d in range(1, 12)),
    dt.date(2026, 2, 23),
    dt.date(2026, 3, 9),
    dt.date(2026, 5, 1),
    dt.date(2026, 5, 11),
    dt.date(2026, 6, 12),
    dt.date(2026, 11, 4),
}
# Professional holidays by industry: the seller's "perks" calendar.
INDUSTRY_DAYS = {
    "строительство": (dt.date(2026, 8, 9), "Днём строителя"),
    "дорожное строительство": (dt.date(2026, 8, 9), "Днём строителя"),
    "производство стройматериалов": (dt.date(2026, 8, 9), "Днём строителя"),
    "нефтегаз": (dt.date(2026, 9, 6), "Днём работников нефтяной и газовой промышленности"),
    "геология": (dt.date(2026, 4, 5), "Днём геолога"),
    "инженерные изыскания": (dt.date(2026, 4, 5), "Днём геолога"),
    "торговля": (dt.date(2026, 7, 25), "Днём работников торговли"),
    "общепит": (dt.date(2026, 10, 20), "Международным днём повара"),
    "логистика": (dt.date(2026, 11, 20), "Днём работника транспорта"),
    "сельское хозяйство": (dt.date(2026, 10, 11), "Днём работника сельского хозяйства"),
    "лесозаготовка": (dt.date(2026, 9, 20), "Днём работников леса"),
}
# ...and their codes in povtor's calendar (src/povtor/domain/holidays.py): a greeting is a
# perk touch with the key holiday:<code>:<year>.
HOLIDAY_CODES = {
    "Днём строителя": "builder",
    "Днём работников нефтяной и газовой промышленности": "oil_gas",
    "Днём геолога": "geologist",
    "Днём работников торговли": "trade",
    "Международным днём повара": "chef",
    "Днём работника транспорта": "transport",
    "Днём работника сельского хозяйства": "agriculture",
    "Днём работников леса": "forest",
}
LOST_WINDOW = (60, 200)  # refusals closed this many days before the anchor are due a revisit


def ago(days: int) -> dt.date:
    return ANCHOR - dt.timedelta(days=days)


def plus(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


FIXED_HOLIDAYS = {(1, d) for d in range(1, 9)} | {(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)}


def workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5 or day in HOLIDAYS or (day.month, day.day) in FIXED_HOLIDAYS:
        day = plus(day, 1)
    return day


def pick(weights: dict[str, int]) -> str:
    keys = [k for k, w in weights.items() if w > 0]
    return RNG.choices(keys, weights=[weights[k] for k in keys])[0]


def words(text: str) -> list[str]:
    return text.split()


def rub(kopecks: int) -> str:
    return f"{kopecks // 100:,}".replace(",", " ") + " ₽"


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Item:
    name: str
    unit: str
    price: int  # roubles per unit at the start of the story
    step: int  # quantity step in tenths of a unit


BUILD = {
    "щебень": Item("Щебень гранитный фр. 20–40", "т", 2150, 10),
    "песок": Item("Песок карьерный мытый", "т", 780, 10),
    "цемент": Item("Цемент М500 Д0, мешки 50 кг", "т", 8900, 5),
    "арматура": Item("Арматура А500С ⌀12", "т", 61000, 1),
    "бетон": Item("Бетон В25 П4", "м³", 6100, 5),
    "плиты": Item("Плиты перекрытия ПК 60-15", "шт", 15800, 10),
    "кирпич": Item("Кирпич облицовочный М150", "тыс. шт", 31000, 5),
    "пескосоль": Item("Пескосоляная смесь", "т", 1350, 10),
}
FUEL = {
    "дт": Item("ДТ ЕВРО-5", "т", 66500, 5),
    "бензин": Item("Бензин АИ-92", "т", 64200, 5),
    "масло": Item("Масло моторное 10W-40, бочка 216,5 л", "шт", 54500, 10),
}
FOOD = {
    "мука": Item("Мука пшеничная в/с, мешки 50 кг", "т", 31500, 1),
    "подсолнечное": Item("Масло подсолнечное рафинированное", "л", 128, 100),
    "сахар": Item("Сахар-песок", "т", 72000, 1),
    "говядина": Item("Говядина, лопатка охл.", "кг", 590, 50),
    "бакалея": Item("Бакалея (крупы, макароны)", "кг", 96, 100),
    "овощи": Item("Овощи: картофель, лук, морковь", "кг", 42, 100),
}
CATALOGUE = {**BUILD, **FUEL, **FOOD}
BOUNDS = {"A": (400_000, 2_500_000), "B": (100_000, 700_000), "C": (15_000, 160_000)}


# --------------------------------------------------------------------------- people

MALE = words(
    "Пётр Иван Сергей Алексей Николай Андрей Дмитрий Михаил Владимир Олег Игорь Виктор "
    "Павел Константин Роман Евгений Юрий Артём Максим Геннадий Валерий Степан Антон Вадим"
)
FEMALE = words(
    "Ольга Елена Наталья Татьяна Ирина Марина Светлана Анна Юлия Людмила Галина Екатерина "
    "Вера Надежда Оксана Алина"
)
PATRONYMICS = words(
    "Петрович Сергеевич Николаевич Александрович Викторович Владимирович Андреевич Иванович "
    "Юрьевич Михайлович Олегович Геннадьевич Анатольевич Дмитриевич Васильевич Борисович "
    "Григорьевич Степанович Павлович Евгеньевич"
)
SURNAMES = words(
    "Смирнов Кузнецов Попов Васильев Соколов Михайлов Новиков Фёдоров Волков Алексеев "
    "Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Зайцев "
    "Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Дмитриев "
    "Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Белов Медведев Антонов "
    "Тарасов Жуков Баранов Филиппов Комаров Давыдов Герасимов Богданов Осипов Сидоров "
    "Матвеев Марков Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков "
    "Афанасьев Данилов Савельев Тимофеев Чернов Абрамов Мартынов Ефимов"
)
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"),
        strict=True,
    )
)


def translit(text: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) for ch in text.lower()).replace("_", "")


def patronymic(female: bool) -> str:
    male = RNG.choice(PATRONYMICS)
    return male[:-2] + "на" if female else male


@dataclass
class Person:
    surname: str
    first: str
    middle: str
    female: bool
    role: str
    phone: str = ""
    email: str = ""
    birthday: dt.date | None = None

    @property
    def full(self) -> str:
        return f"{self.surname} {self.first} {self.middle}"

    @property
    def polite(self) -> str:
        return f"{self.first} {self.middle}"

    @property
    def address(self) -> str:
        """How a message greets them: name and patronymic, or the first name if young."""
        young = self.birthday is not None and self.birthday.year >= 1988
        return self.first if young else self.polite


USED_NAMES: set[tuple[str, str]] = set()


def phone_number(code: str = "") -> str:
    code = code or RNG.choice(("903", "905", "909", "915", "916", "926", "977", "985", "999"))
    return f"+7 ({code}) {RNG.randint(200, 989)}-{RNG.randint(10, 99)}-{RNG.randint(10, 99)}"


def new_person(role: str, female: bool | None = None) -> Person:
    female = RNG.random() < 0.35 if female is None else female
    while True:
        surname = RNG.choice(SURNAMES)
        first = RNG.choice(FEMALE if female else MALE)
        if (surname, first) not in USED_NAMES:
            break
    USED_NAMES.add((surname, first))
    return Person(
        surname + ("а" if female else ""),
        first,
        patronymic(female),
        female,
        role,
    )


# --------------------------------------------------------------------------- the model


@dataclass
class Touch:
    client: Client
    deal: Deal | None
    stage: str
    day: dt.date
    kind: str
    channel: str
    outcome: str
    text: str
    reason: str = ""
    follow_up_on: dt.date | None = None
    at: dt.datetime | None = None
    perk: tuple[str, Any, int] | None = None  # a card or gift: (kind, holiday or person, year)
    id: int = 0
    answer: str = ""  # a service contact's answer: ok or problem (then reason says what)
    late: bool = False  # told after the rest of the story: its id comes after all others


@dataclass
class Change:
    deal: Deal
    event: str
    from_stage: str
    to_stage: str
    day: dt.date
    reason: str = ""
    at: dt.datetime | None = None


@dataclass
class Client:
    key: str
    category: str
    name: str
    company: str
    industry: str
    source: str
    city: str
    slug: str
    goods: tuple[str, ...]
    target: int  # a typical order, roubles
    role: str
    owner: str = ""  # "Фамилия Имя Отчество" of an individual entrepreneur
    notes: str = ""
    status: str = "active"
    created_on: dt.date = START
    gap: int = 30  # the personal purchase cycle, days
    quiet_from: dt.date = ANCHOR  # no generated touches on or after this day
    phone: str = ""
    email: str = ""
    address: str = ""
    people: list[Person] = field(default_factory=list)
    facts: list[tuple[str, str, dt.date]] = field(default_factory=list)
    touches: list[Touch] = field(default_factory=list)  # not about one deal
    id: int = 0
    referred_by: Client | None = None  # the client who gave the referral

    @property
    def contact(self) -> Person:
        return self.people[0]


class Deal:
    """A deal built event by event; its row is whatever its history says."""

    def __init__(self, client: Client, funnel: str, stage: str, day: dt.date, *, trial: bool):
        self.client = client
        self.funnel = funnel
        self.title, self.amount = order(client, day, trial=trial)
        self.opened_on = day
        self.expected_on: dt.date | None = None
        if RNG.random() < 0.8:
            self.expected_on = plus(
                day, RNG.randint(25, 40) if funnel == "first" else RNG.randint(5, 12)
            )
        self.stage = stage
        self.status = "open"
        self.stage_entered_on = day
        self.closed_on: dt.date | None = None
        self.lost_reason = ""
        self.follow_up_on: dt.date | None = None
        self.timeline: list[Change | Touch] = []
        self.id = 0
        self._add(Change(self, "open", "", stage, day))

    def _add(self, item: Change | Touch) -> None:
        if self.timeline and item.day < self.timeline[-1].day:
            raise AssertionError(f"{self.client.key}: {item} before {self.timeline[-1].day}")
        self.timeline.append(item)

    @property
    def last_day(self) -> dt.date:
        return self.timeline[-1].day

    @property
    def next_stage(self) -> str:
        stages = STAGES[self.funnel]
        return stages[stages.index(self.stage) + 1]

    def touch(
        self,
        day: dt.date,
        kind: str,
        channel: str,
        outcome: str,
        text: str,
        *,
        reason: str = "",
        follow_up: dt.date | None = None,
    ) -> None:
        self._add(
            Touch(
                self.client, self, self.stage, day, kind, channel, outcome, text, reason, follow_up
            )
        )
        if kind == "closing":
            self.follow_up_on = follow_up if outcome == "later" else None

    def move(self, to: str, day: dt.date) -> None:
        self._add(Change(self, "win" if to == "paid" else "move", self.stage, to, day))
        self.stage, self.stage_entered_on, self.follow_up_on = to, day, None
        if to == "paid":
            self.status, self.closed_on = "won", day

    def lose(self, day: dt.date, reason: str) -> None:
        self._add(Change(self, "lose", self.stage, "", day, reason))
        self.status, self.closed_on, self.lost_reason, self.follow_up_on = "lost", day, reason, None

    def reopen(self, day: dt.date, to: str, reason: str) -> None:
        self._add(Change(self, "reopen", self.stage, to, day, reason))
        self.status, self.stage, self.stage_entered_on = "open", to, day
        self.closed_on, self.lost_reason = None, ""


CLIENTS: list[Client] = []
DEALS: list[Deal] = []


def order(client: Client, day: dt.date, *, trial: bool) -> tuple[str, int]:
    """A title and an amount (kopecks) for one order of this client's usual goods."""
    good = client.goods[0] if RNG.random() < 0.7 or len(client.goods) == 1 else None
    item = CATALOGUE[good or RNG.choice(client.goods[1:])]
    name = item.name
    if name.startswith("ДТ"):
        name += " зимнее" if day.month in (11, 12, 1, 2, 3) else " летнее"
    months = (day - START).days / 30.4
    price = item.price * (1 + 0.005 * months) * RNG.uniform(0.985, 1.015)
    price_kop = round(price * 2) * 50  # whole 50 kopecks
    low, high = BOUNDS[client.category or "C"]
    target = client.target * RNG.uniform(0.8, 1.2) * (0.5 if trial else 1)
    tenths = max(item.step, round(target / price * 10 / item.step) * item.step)
    while tenths * price_kop // 10 > high * 100 and tenths > item.step:
        tenths -= item.step
    while tenths * price_kop // 10 < max(15_000, low // (2 if trial else 1)) * 100:
        tenths += item.step
    whole, frac = divmod(tenths, 10)
    qty = f"{whole:,}".replace(",", " ") + (f",{frac}" if frac else "")
    title = f"{name} — {qty} {item.unit}"
    return ("Пробная партия: " + title if trial else title), tenths * price_kop // 10


# --------------------------------------------------------------------------- texts

CLOSING = {
    "base": (
        "Добрый день, {n}! По нашему графику у вас скоро закончится запас ({p}). "
        "Готовим поставку на прежний объём — да или нет?",
        "{n}, здравствуйте! С прошлой поставки прошёл почти месяц. Присылать КП на обычный объём?",
        "Добрый день, {n}! Планируете закупку в ближайшие дни? Если да — сразу пришлю КП.",
    ),
    "request": (
        "{n}, добрый день! Уточните, пожалуйста: объём и адрес доставки прежние? Да — и через "
        "час пришлю КП.",
        "Добрый день, {n}! По запросу ({p}): доставка на тот же объект?",
    ),
    "proposal": (
        "Добрый день, {n}! КП ({p}) актуально до пятницы. Выставляем счёт или что-то смущает?",
        "{n}, КП посмотрели? Берём в работу — да или нет?",
        "Добрый день, {n}! Заказ в силе или что-то пошло не по плану?",
    ),
    "invoice": (
        "{n}, добрый день! Счёт на {a} в силе или что-то пошло не по плану?",
        "Добрый день, {n}! Оплату ждать на этой неделе — да или нет?",
        "{n}, машина под вашу поставку забронирована. Оплата будет до среды?",
        "Добрый день, {n}! Заказ в силе или что-то пошло не по плану?",
    ),
    "lead": (
        "Добрый день, {n}! Вы оставляли заявку. Удобно созвониться сегодня в 15:00 и обсудить "
        "потребность?",
        "{n}, здравствуйте! Можно задать пару вопросов о ваших закупках — да или нет?",
    ),
    "contact": (
        "{n}, предлагаю встретиться у вас на объекте в четверг и показать образцы — удобно?",
        "Добрый день, {n}! Давайте обсудим пробную поставку на встрече — когда вам удобно?",
    ),
    "meeting": (
        "{n}, спасибо за встречу! Готовить КП на пробную партию — да или нет?",
        "Встреча у клиента: обсудили объёмы и логистику, договорились о КП на пробную партию.",
    ),
    "revisit": (
        "{n}, добрый день! Тогда вы отказались — вопрос поставок ({p}) вас всё ещё интересует?",
    ),
    "interest": ("Отлично, {n}! Пришлю обновлённое КП — удобно обсудить сегодня?",),
}
LATER_REASONS = (
    "ждут поступления денег в начале месяца",
    "директор в командировке, решит после возвращения",
    "объект сдвинули на неделю",
    "согласуют с бухгалтерией",
    "попросили вернуться после планёрки",
    "ждут ответа своего заказчика",
)
NO_REASONS = ("дорого", "нет бюджета", "заказ отменён их заказчиком", "объект заморожен")
SERVICE_OK = (
    "Сервисный звонок: поставка пришла вовремя, претензий нет.",
    "Сервисный звонок: всё хорошо, просят в следующий раз привозить до 10 утра.",
    "Спросили, как поставка: одна паллета с надорванными мешками — заменили без вопросов.",
    "Сервисный звонок: довольны, спрашивали про отсрочку платежа на следующий заказ.",
    "Как прошла поставка? Ответили: всё в порядке, водитель помог с разгрузкой.",
    "Сервисный звонок: документы получили, качество устраивает.",
)
SERVICE_SILENT = "Как прошла поставка? Всё ли в порядке? (не дозвонились, написали в мессенджер)"
WARM_PERSONAL = (
    ("email", "Отправили памятку: приёмка и хранение {g} зимой"),
    ("email", "Поделились новостью: с 1 числа меняются тарифы на перевозку"),
    ("email", "Отправили сертификаты качества на новую партию ({g})"),
    ("messenger", "Отправили фото и видео с погрузки на нашем складе"),
    ("messenger", "Поделились статьёй о рынке ({g}): прогноз цен на квартал"),
    ("messenger", "Поздравили с успешной сдачей объекта"),
    ("email", "Пригласили на день открытых дверей склада"),
    ("email", "Пригласили на выставку — дали бесплатный билет"),
    ("meeting", "Заехали в офис с календарями и образцами, поговорили о планах"),
    ("gift", "Передали фирменные перчатки и каски для бригады"),
    ("messenger", "Напомнили о бонусной программе: накоплено на поездку на выставку"),
    ("email", "Отправили обзор: как сэкономить на доставке, объединяя заказы"),
)
WARM_FIRST = (
    ("email", "Отправили каталог и прайс"),
    ("email", "Отправили отзывы клиентов из той же отрасли"),
    ("messenger", "Поделились кейсом: как клиент сэкономил 8% на доставке"),
    ("email", "Отправили сертификаты качества"),
    ("messenger", "Отправили видео с погрузки на складе"),
    ("email", "Пригласили на день открытых дверей склада"),
    ("gift", "Передали образцы и фирменный блокнот"),
)
GOODS_WORD = {
    "щебень": "щебня",
    "песок": "песка",
    "цемент": "цемента",
    "арматура": "арматуры",
    "бетон": "бетона",
    "плиты": "плит",
    "кирпич": "кирпича",
    "пескосоль": "пескосоли",
    "дт": "дизельного топлива",
    "бензин": "бензина",
    "масло": "масел",
    "мука": "муки",
    "подсолнечное": "масла",
    "сахар": "сахара",
    "говядина": "мяса",
    "бакалея": "бакалеи",
    "овощи": "овощей",
}


def short(deal: Deal) -> str:
    return deal.title.split(" — ")[0].removeprefix("Пробная партия: ")


def closing_text(deal: Deal) -> str:
    template = RNG.choice(CLOSING[deal.stage])
    return template.format(n=deal.client.contact.address, p=short(deal), a=rub(deal.amount))


def channel(kind: str = "closing") -> str:
    if kind == "service":
        return pick({"call": 6, "messenger": 4})
    return pick({"messenger": 45, "call": 35, "email": 20})


# --------------------------------------------------------------------------- playing deals


def nudge_until_answer(deal: Deal, day: dt.date, *, lose_ok: bool) -> dt.date | None:
    """Closing nudges from ``day`` until the client answers: the day to move on, or None."""
    tries = 0
    while True:
        tries += 1
        weights = {
            "yes": 55,
            "no_answer": 25 if tries < 3 else 5,
            "later": 15 if tries < 3 else 0,
            "no": 4 if lose_ok else 0,
        }
        outcome = pick(weights)
        text = closing_text(deal)
        if outcome == "yes":
            deal.touch(day, "closing", channel(), "yes", text)
            return day
        if outcome == "no_answer":
            deal.touch(day, "closing", channel(), "no_answer", text)
            day = workday(plus(day, RNG.choice((1, 2, 2, 3))))
        elif outcome == "later":
            follow = workday(plus(day, RNG.randint(2, 6)))
            reason = RNG.choice(LATER_REASONS)
            deal.touch(day, "closing", channel(), "later", text, reason=reason, follow_up=follow)
            day = follow
        else:
            reason = RNG.choice(NO_REASONS)
            deal.touch(day, "closing", channel(), "no", text, reason=reason)
            deal.lose(day, reason)
            return None


def play(deal: Deal, *, lose_ok: bool, over: float = 0.3) -> None:
    """Run a deal to paid (or lost): dwell in each stage, nudge when it waits too long."""
    while deal.status == "open":
        stage, entered = deal.stage, deal.stage_entered_on
        limit = LIMITS[deal.funnel][stage]
        day: dt.date | None
        if stage in ("base", "lead", "revisit"):  # the seller starts with a question
            day = nudge_until_answer(deal, entered, lose_ok=False)
        elif deal.funnel == "first" and stage in ("contact", "meeting"):
            day = entered
            for _ in range(RNG.randint(1, 3)):
                kind_channel, text = RNG.choice(WARM_FIRST)
                day = workday(plus(day, RNG.randint(1, 3)))
                deal.touch(day, "warming", kind_channel, pick({"yes": 4, "no_answer": 6}), text)
            day = nudge_until_answer(deal, workday(plus(day, 1)), lose_ok=lose_ok)
        elif RNG.random() < over:
            day = nudge_until_answer(deal, workday(plus(entered, limit + 1)), lose_ok=lose_ok)
        else:
            day = workday(plus(entered, RNG.randint(0, limit)))
            if RNG.random() < 0.12 and (day - entered).days >= 1:
                kind_channel, text = RNG.choice(WARM_FIRST[:5])
                deal.touch(plus(entered, 1), "warming", kind_channel, "yes", text)
            if stage in ("proposal", "invoice") and RNG.random() < 0.35:
                deal.touch(day, "closing", channel(), "yes", closing_text(deal))
        if day is None:
            return
        nxt = deal.next_stage
        if nxt == "paid":
            day = workday(plus(day, RNG.choice((0, 0, 1, 2))))
        deal.move(nxt, day)


def in_lost_window(deal: Deal) -> bool:
    if deal.status != "lost" or deal.closed_on is None:
        return False
    return ago(LOST_WINDOW[1]) <= deal.closed_on <= ago(LOST_WINDOW[0])


def register(deal: Deal) -> Deal:
    DEALS.append(deal)
    if deal.status == "won":
        service(deal)
    return deal


def service(deal: Deal) -> None:
    """A service contact a few days after payment (always, for the last 80 days)."""
    assert deal.closed_on is not None
    day = workday(plus(deal.closed_on, RNG.randint(3, 7)))
    if day >= min(deal.client.quiet_from, ANCHOR):
        return
    if deal.closed_on < ago(80) and RNG.random() < 0.2:
        return
    if RNG.random() < 0.85:
        deal.touch(day, "service", channel("service"), "yes", RNG.choice(SERVICE_OK))
    else:
        deal.touch(day, "service", "messenger", "no_answer", SERVICE_SILENT)


def repeat_deal(client: Client, day: dt.date, deadline: dt.date, *, lose_ok: bool) -> Deal:
    """One played repeat-funnel deal that opens on ``day`` and is closed by ``deadline``."""
    for _ in range(20):
        start = "base" if RNG.random() < 0.35 else "request"
        deal = Deal(client, "repeat", start, day, trial=False)
        play(deal, lose_ok=lose_ok)
        if deal.last_day <= deadline and not in_lost_window(deal):
            return register(deal)
    deal = Deal(client, "repeat", "request", day, trial=False)
    for nxt in ("proposal", "invoice", "paid"):
        deal.move(nxt, workday(plus(deal.stage_entered_on, 1)))
    return register(deal)


def chain(client: Client, first: dt.date, last_open: dt.date, deadline: dt.date) -> None:
    """Repeat purchases every ``client.gap`` days or so, the last one opening near
    ``last_open`` and closed by ``deadline``; none opens before ``first``."""
    opens: list[dt.date] = []
    day = last_open
    while day >= first:
        opens.append(workday(day))
        day = plus(day, -round(client.gap * RNG.uniform(0.85, 1.15)))
    opens.reverse()
    for i, day in enumerate(opens):
        end = plus(opens[i + 1], -2) if i + 1 < len(opens) else deadline
        repeat_deal(client, day, end, lose_ok=client.role not in ("silent", "lost_competitor"))


def first_sale(
    client: Client, day: dt.date, *, lose_at: str = "", reason: str = "", deadline: dt.date
) -> Deal:
    """A new client's first deal, from lead to paid (or lost at ``lose_at``)."""
    for _ in range(30):
        deal = Deal(client, "first", "lead", day, trial=True)
        if lose_at:
            while deal.stage != lose_at:
                play_step(deal)
            when = workday(plus(deal.stage_entered_on, RNG.randint(2, 5)))
            deal.touch(when, "closing", channel(), "no", closing_text(deal), reason=reason)
            deal.lose(when, reason)
        else:
            play(deal, lose_ok=False, over=0.4)
        if deal.status != "open" and deal.last_day <= deadline:
            return register(deal)
    raise AssertionError(f"no first sale for {client.key} by {deadline}")


def play_step(deal: Deal) -> None:
    """Move a deal on by one stage, the way ``play`` does (without losing it)."""
    stage, entered = deal.stage, deal.stage_entered_on
    day: dt.date | None = entered
    if deal.funnel == "first" and stage in ("contact", "meeting"):
        assert day is not None
        for _ in range(RNG.randint(1, 3)):
            kind_channel, text = RNG.choice(WARM_FIRST)
            day = workday(plus(day, RNG.randint(1, 3)))
            deal.touch(day, "warming", kind_channel, pick({"yes": 4, "no_answer": 6}), text)
        day = nudge_until_answer(deal, workday(plus(day, 1)), lose_ok=False)
    elif stage in ("lead", "base", "revisit"):
        day = nudge_until_answer(deal, entered, lose_ok=False)
    else:
        day = workday(plus(entered, RNG.randint(0, LIMITS[deal.funnel][stage])))
    assert day is not None
    deal.move(deal.next_stage, day)


# --------------------------------------------------------------------------- scripted deals

Step = tuple[Any, ...]  # (days before the anchor, action, *arguments)


def scripted(client: Client, funnel: str, steps: list[Step], *, trial: bool = False) -> Deal:
    """A deal told step by step; days are counted back from the anchor."""
    first_day, action, stage = steps[0][:3]
    assert action == "open"
    deal = Deal(client, funnel, stage, ago(first_day), trial=trial)
    for days, action, *args in steps[1:]:
        day = ago(days)
        if action == "move":
            deal.move(args[0], day)
        elif action == "nudge":
            outcome = args[0]
            text = args[2] if len(args) > 2 and args[2] else closing_text(deal)
            chan = args[3] if len(args) > 3 else channel()
            if outcome == "later":
                reason = args[1] or RNG.choice(LATER_REASONS)
                deal.touch(
                    day, "closing", chan, outcome, text, reason=reason, follow_up=ago(args[4])
                )
            else:
                deal.touch(day, "closing", chan, outcome, text, reason=args[1])
        elif action == "warm":
            deal.touch(day, "warming", args[0], args[1], args[2])
        elif action == "lose":
            deal.lose(day, args[0])
        elif action == "reopen":
            deal.reopen(day, args[0], args[1])
        else:
            raise AssertionError(action)
    return register(deal)


def nudge(days: int, outcome: str, reason: str = "", text: str = "", chan: str = "") -> Step:
    return (days, "nudge", outcome, reason, text, chan or channel())


def later(days: int, follow_up: int, reason: str, chan: str = "messenger") -> Step:
    return (days, "nudge", "later", reason, "", chan, follow_up)


# --------------------------------------------------------------------------- the clients

# key, category, name, company, industry, source, city, slug, goods, typical order, role
SPECS: list[tuple[str, str, str, str, str, str, str, str, str, int, str]] = [
    ("A1", "A", "СтройМонолит", "ООО «СтройМонолит»", "строительство", "выставка", "Москва",
     "stroymonolit", "бетон арматура", 1_650_000, "stuck_invoice"),
    ("A2", "A", "СеверНефтеСервис", "АО «СеверНефтеСервис»", "нефтегаз", "тендер", "Сургут",
     "sevneftservis", "дт масло", 2_000_000, "later"),
    ("A3", "A", "ГлавДорСтрой", "ООО «ГлавДорСтрой»", "дорожное строительство", "рекомендация",
     "Тверь", "glavdorstroy", "щебень песок", 950_000, "stuck_proposal"),
    ("A4", "A", "ТрансЛогистик", "ООО «ТК «ТрансЛогистик»»", "логистика", "холодный звонок",
     "Подольск", "translogistik", "дт", 1_200_000, "paid_no_service"),
    ("A5", "A", "Уралгеопоиск", "АО «Уралгеопоиск»", "геология", "выставка", "Екатеринбург",
     "uralgeopoisk", "дт масло", 780_000, "silent"),
    ("A6", "A", "РГ «Самовар»", "ООО «Ресторанная группа «Самовар»»", "общепит",
     "рекомендация", "Москва", "samovar-rg", "говядина мука подсолнечное", 620_000, "fresh"),
    ("A7", "A", "Агрохолдинг «Заречье»", "ООО «Агрохолдинг «Заречье»»", "сельское хозяйство",
     "тендер", "Рязань", "zarechye-agro", "дт бензин", 1_400_000, "stuck_nudged"),
    ("A8", "A", "ЖБИ-Комплект", "ООО «ЖБИ-Комплект»", "производство стройматериалов", "сайт",
     "Калуга", "zhbi-komplekt", "цемент щебень арматура", 880_000, "touched_today"),
    ("B9", "B", "Кровля-Профи", "ООО «Кровля-Профи»", "строительство", "сайт", "Химки",
     "krovlya-profi", "цемент песок", 240_000, "stuck_request"),
    ("B10", "B", "Хлеб-Соль", "ООО «Комбинат питания «Хлеб-Соль»»", "общепит", "сайт", "Тула",
     "khleb-sol", "мука подсолнечное", 185_000, "stuck_request"),
    ("B11", "B", "НефтеТрансСнаб", "ООО «НефтеТрансСнаб»", "нефтегаз", "холодный звонок",
     "Самара", "ntsnab", "дт", 410_000, "stuck_proposal"),
    ("B12", "B", "Дом-Мастер", "ООО «Дом-Мастер»", "торговля", "выставка", "Ярославль",
     "dom-master", "цемент кирпич", 320_000, "stuck_invoice"),
    ("B13", "B", "Геоизыскания-Центр", "ООО «Геоизыскания-Центр»", "геология", "тендер",
     "Москва", "geoiz-center", "дт масло", 290_000, "later"),
    ("B14", "B", "Колосок", "ООО «Сеть пекарен «Колосок»»", "общепит", "выставка", "Владимир",
     "kolosok", "мука сахар подсолнечное", 230_000, "later"),
    ("B15", "B", "Автобаза №7", "ООО «Автобаза №7»", "логистика", "холодный звонок", "Мытищи",
     "avtobaza7", "дт", 480_000, "silent"),
    ("B16", "B", "РемСтройСервис", "ООО «РемСтройСервис»", "строительство", "рекомендация",
     "Коломна", "remstroyservis", "цемент песок", 160_000, "silent"),
    ("B17", "B", "ТД «Продсервис»", "ООО «Торговый дом «Продсервис»»", "торговля", "выставка",
     "Иваново", "prodservis", "сахар бакалея мука", 420_000, "silent"),
    ("B18", "B", "БК «Недра»", "ООО «Буровая компания «Недра»»", "нефтегаз", "тендер",
     "Оренбург", "bk-nedra", "дт масло", 560_000, "silent"),
    ("B19", "B", "Фасад-Инжиниринг", "ООО «Фасад-Инжиниринг»", "строительство", "сайт",
     "Санкт-Петербург", "fasad-eng", "кирпич цемент", 350_000, "paid_no_service"),
    ("B20", "B", "Вкусные истории", "ООО «Кейтеринг «Вкусные истории»»", "общепит", "сайт",
     "Москва", "vkusnye-istorii", "говядина овощи подсолнечное", 210_000, "fresh"),
    ("B21", "B", "Дорожник-М", "ООО «Дорожник-М»", "дорожное строительство",
     "холодный звонок", "Серпухов", "dorozhnik-m", "щебень песок", 380_000, "recent_ok"),
    ("B22", "B", "ЛесТрансТорг", "ООО «ЛесТрансТорг»", "лесозаготовка", "выставка", "Кострома",
     "lestranstorg", "дт масло", 330_000, "recent_ok"),
    ("B23", "B", "Обед-Экспресс", "ООО «Комбинат питания «Обед-Экспресс»»", "общепит", "сайт",
     "Подольск", "obed-express", "говядина бакалея овощи", 260_000, "recent_ok"),
    ("B24", "B", "СтройИнвестГрупп", "ООО «СтройИнвестГрупп»", "строительство", "выставка",
     "Москва", "stroyinvestgroup", "бетон", 450_000, "archived"),
    ("C25", "C", "Кафе «Уют»", "ИП Сафонов Андрей Викторович", "общепит", "рекомендация",
     "Тверь", "cafe-uyut", "мука подсолнечное бакалея", 48_000, "stuck_request"),
    ("C26", "C", "Стройдвор", "ИП Гусейнов Рустам Алиевич", "торговля", "холодный звонок",
     "Клин", "stroydvor", "цемент", 68_000, "stuck_invoice"),
    ("C27", "C", "Пекарня «Булошная»", "ИП Ковалёва Марина Сергеевна", "общепит", "сайт",
     "Сергиев Посад", "buloshnaya", "мука сахар", 36_000, "fresh"),
    ("C28", "C", "Бригада Котова", "ИП Котов Денис Игоревич", "строительство", "сайт",
     "Дмитров", "kotov-remont", "цемент песок", 55_000, "later"),
    ("C29", "C", "КФХ Миронова", "ИП глава КФХ Миронов Виктор Степанович", "сельское хозяйство",
     "выставка", "Зарайск", "kfh-mironov", "дт", 120_000, "paid_no_service"),
    ("C30", "C", "Кафе «Трасса»", "ИП Беляев Олег Николаевич", "общепит", "холодный звонок",
     "Солнечногорск", "cafe-trassa", "говядина овощи", 42_000, "silent"),
    ("C31", "C", "Дерево и камень", "ИП Лаптев Игорь Валентинович", "строительство", "выставка",
     "Звенигород", "derevo-kamen", "щебень цемент", 64_000, "one_old"),
    ("C32", "C", "ТСЖ «Солнечный»", "ТСЖ «Солнечный»", "ЖКХ", "холодный звонок", "Балашиха",
     "tszh-solnechny", "песок", 38_000, "one_old"),
    ("C33", "C", "Кофейня «Зерно»", "ИП Титова Анна Павловна", "общепит", "сайт", "Москва",
     "zerno-coffee", "сахар мука", 24_000, "recent_ok"),
    ("C34", "C", "Грузоперевозки 24", "ООО «Грузоперевозки 24»", "логистика", "холодный звонок",
     "Люберцы", "gruz24", "дт", 140_000, "recent_ok"),
    ("C35", "C", "Никитин — ремонт", "ИП Никитин Сергей Юрьевич", "строительство",
     "рекомендация", "Королёв", "nikitin-remont", "цемент песок", 32_000, "recent_ok"),
    ("C36", "C", "Геопартия-12", "ООО «Геологическая партия №12»", "геология", "тендер", "Ухта",
     "geopartiya12", "дт", 150_000, "recent_ok"),
    ("C37", "C", "Магазин «Стройка»", "ИП Захарова Ирина Олеговна", "торговля", "выставка",
     "Ногинск", "stroyka-shop", "цемент песок", 58_000, "lost_competitor"),
    ("C38", "C", "Суши-бар «Васаби»", "ООО «Васаби»", "общепит", "сайт", "Москва",
     "wasabi-bar", "подсолнечное бакалея", 45_000, "prospect_lost"),
    ("C39", "C", "Тёплый дом", "ООО «Тёплый дом»", "строительство", "выставка", "Истра",
     "teply-dom", "бетон арматура", 150_000, "prospect_lost"),
    ("C40", "C", "Автосервис «Гараж»", "ИП Морозов Павел Андреевич", "логистика", "сайт",
     "Пушкино", "garage-service", "масло", 60_000, "prospect_lost"),
    ("C41", "C", "Бистро «Полдень»", "ООО «Полдень»", "общепит", "сайт", "Москва",
     "bistro-polden", "бакалея подсолнечное", 40_000, "lead"),
    ("C42", "C", "ГеоСтройПроект", "ООО «ГеоСтройПроект»", "инженерные изыскания", "выставка",
     "Обнинск", "geostroyproekt", "дт", 130_000, "lead"),
    ("C43", "", "КФХ Ершова", "ИП глава КФХ Ершов Николай Петрович", "сельское хозяйство",
     "холодный звонок", "Луховицы", "kfh-ershov", "дт", 90_000, "lead"),
    ("C44", "C", "Столярный цех «Сосна»", "ИП Фомин Алексей Геннадьевич", "деревообработка",
     "сайт", "Электросталь", "stolyar-sosna", "цемент", 30_000, "refusal_lost"),
    ("C45", "C", "Бригада Рахимова", "ИП Рахимов Тимур Рашидович", "строительство",
     "рекомендация", "Красногорск", "rakhimov-stroy", "цемент песок", 47_000, "recent_lost"),
    ("C46", "C", "Пельменная №1", "ИП Соколова Елена Викторовна", "общепит", "рекомендация",
     "Тула", "pelmennaya1", "мука говядина", 52_000, "recent_ok"),
    ("C47", "C", "Спецтехника-Аренда", "ООО «Спецтехника-Аренда»", "логистика",
     "холодный звонок", "Домодедово", "spectekh-arenda", "дт", 135_000, "recent_ok"),
    ("C48", "C", "Хозтовары", "ИП Дьячков Борис Ильич", "торговля", "выставка", "Егорьевск",
     "hoztovary", "цемент песок", 28_000, "archived"),
]  # fmt: skip

# Clients who came during the story: the day the lead came in (days before the anchor).
LEAD_DAYS = {
    "B10": 300, "B23": 322, "C27": 178, "C28": 236, "C29": 96, "C31": 188, "C45": 212,
    "C38": 150, "C39": 205, "C40": 135, "C44": 322, "C41": 20, "C42": 35, "C43": 60,
}  # fmt: skip
NOTES = {
    "A1": "Ключевой клиент по бетону; три объекта в работе одновременно.",
    "A2": "Годовой рамочный договор, поставки на месторождения вахтовым транспортом.",
    "A5": "Полевой сезон с мая по октябрь; зимой закупают меньше.",
    "A7": "Пик потребности в топливе — посевная и уборочная.",
    "B17": "Перепродают бакалею в розничные магазины области.",
    "B24": "Свернули строительное направление весной 2026 — клиент в архиве.",
    "C43": "Лид с холодного звонка: нужно топливо на весеннюю посевную.",
    "C48": "ИП закрыто в июне 2026 — клиент в архиве.",
}
AREA_CODES = {
    "Москва": "495", "Санкт-Петербург": "812", "Тверь": "4822", "Сургут": "3462",
    "Екатеринбург": "343", "Рязань": "4912", "Калуга": "4842", "Тула": "4872",
    "Самара": "846", "Ярославль": "4852", "Владимир": "4922", "Иваново": "4932",
    "Оренбург": "3532", "Кострома": "4942", "Ухта": "8216",
}  # fmt: skip
STREETS = (
    "ул. Промышленная", "ул. Заводская", "ул. Ленина", "ул. Центральная", "Складской пр-д",
    "ул. Строителей", "ш. Энтузиастов", "ул. Транспортная", "ул. Садовая", "ул. Мира",
    "ул. Индустриальная", "ул. Победы",
)  # fmt: skip
ROLES = {
    "build": ("Начальник отдела снабжения", "Генеральный директор", "Главный инженер", "Прораб"),
    "fuel": ("Начальник отдела МТС", "Директор", "Главный механик", "Главный бухгалтер"),
    "food": ("Закупщик", "Управляющий", "Шеф-повар", "Главный бухгалтер"),
}


def line_of(client: Client) -> str:
    good = client.goods[0]
    return "build" if good in BUILD else "fuel" if good in FUEL else "food"


def make_clients() -> None:
    for key, cat, name, company, industry, source, city, slug, goods, target, role in SPECS:
        client = Client(
            key,
            cat,
            name,
            company,
            industry,
            source,
            city,
            slug,
            tuple(goods.split()),
            target,
            role,
        )
        if company.startswith("ИП "):
            client.owner = company.removeprefix("ИП ").removeprefix("глава КФХ ")
        client.notes = NOTES.get(key, "")
        if role == "archived":
            client.status = "archived"
        if key in LEAD_DAYS:
            client.created_on = workday(ago(LEAD_DAYS[key]))
        else:
            oldest = {"A": 2019, "B": 2020, "C": 2022}[cat or "C"]
            first = dt.date(oldest, 1, 15)
            span = (dt.date(2025, 10, 31) - first).days
            client.created_on = workday(plus(first, RNG.randint(0, span)))
        client.gap = {
            "A": RNG.randint(30, 42),
            "B": RNG.randint(40, 58),
            "C": RNG.randint(38, 60),
        }[cat or "C"]
        code = AREA_CODES.get(city, "496")
        client.phone = phone_number(code) if len(code) == 3 else phone_number_long(code)
        client.email = f"{RNG.choice(('info', 'zakaz', 'office', 'snab'))}@{slug}.example"
        client.address = f"г. {city}, {RNG.choice(STREETS)}, д. {RNG.randint(1, 120)}"
        make_people(client)
        CLIENTS.append(client)


def phone_number_long(code: str) -> str:
    return f"+7 ({code}) {RNG.randint(20, 79)}-{RNG.randint(10, 99)}-{RNG.randint(10, 99)}"


# Contacts whose birthday falls in the fortnight after the anchor (client key, month, day).
UPCOMING_BIRTHDAYS = {"A1": (11, 25), "B9": (11, 28), "A7": (12, 2), "B21": (12, 5)}


def make_people(client: Client) -> None:
    roles = ROLES[line_of(client)]
    if client.owner:
        surname, first, middle = client.owner.split()
        female = middle.endswith("на")
        USED_NAMES.add((surname.removesuffix("а") if female else surname, first))
        owner = Person(surname, first, middle, female, "Владелец")
        count = 1 + (RNG.random() < 0.3)
        people = [owner] + [new_person(roles[0]) for _ in range(count - 1)]
    else:
        count = {"A": RNG.randint(2, 3), "B": RNG.randint(1, 3)}.get(client.category, 1)
        people = [new_person(roles[i]) for i in range(count)]
        if client.industry == "ЖКХ":
            people[0].role = "Председатель правления ТСЖ"
    for person in people:
        person.phone = phone_number()
        if RNG.random() < 0.8:
            person.email = f"{translit(person.surname)}@{client.slug}.example"
        if RNG.random() < 0.85:
            year = RNG.randint(1962, 1996)
            person.birthday = dt.date(year, RNG.randint(1, 12), RNG.randint(1, 28))
    if client.key in UPCOMING_BIRTHDAYS:
        month, day = UPCOMING_BIRTHDAYS[client.key]
        born = people[0].birthday or dt.date(1979, 1, 1)
        people[0].birthday = dt.date(born.year, month, day)
    client.people = people


# --------------------------------------------------------------------------- histories


def history_until(client: Client, last_open: dt.date, deadline: dt.date) -> None:
    """The client's purchases up to a deal opening near ``last_open``: the first sale if
    they came this year, then the repeat chain."""
    first = START
    if client.key in LEAD_DAYS:
        deal = first_sale(client, client.created_on, deadline=plus(client.created_on, 50))
        assert deal.closed_on is not None
        first = plus(deal.closed_on, client.gap)
    if first <= last_open:
        chain(client, first, last_open, deadline)


def tail_open(client: Client, steps: list[Step], *, funnel: str = "repeat") -> None:
    """History, then one open deal told by ``steps`` (nothing else happens after it opens)."""
    open_day = ago(steps[0][0])
    client.quiet_from = open_day
    last = plus(open_day, -round(client.gap * RNG.uniform(0.9, 1.05)))
    history_until(client, last, plus(open_day, -2))
    scripted(client, funnel, steps)


def recent_last_open(client: Client) -> dt.date:
    return ago(round(client.gap * RNG.uniform(0.3, 0.55)) + 10)


def build_histories() -> None:
    by_key = {c.key: c for c in CLIENTS}
    a8 = by_key["A8"].contact.address
    scripts: dict[str, list[Step]] = {
        # 1. stuck past the stage limit, no touch since the stage began
        "A1": [(13, "open", "base"), nudge(13, "yes"), (13, "move", "request"),
               (11, "move", "proposal"), nudge(7, "yes"), (6, "move", "invoice")],
        "A3": [(11, "open", "request"), (6, "move", "proposal")],
        "B9": [(5, "open", "request")],
        "B10": [(6, "open", "request")],
        "B11": [(12, "open", "request"), (10, "move", "proposal")],
        "B12": [(13, "open", "request"), (12, "move", "proposal"), nudge(10, "yes"),
                (7, "move", "invoice")],
        "C25": [(7, "open", "request")],
        "C26": [(10, "open", "request"), (7, "move", "proposal"), (6, "move", "invoice")],
        # ... and one that was nudged yesterday and did not answer
        "A7": [(12, "open", "request"), (11, "move", "proposal"), nudge(7, "yes"),
               (7, "move", "invoice"), nudge(4, "no_answer", chan="call"),
               nudge(1, "no_answer", chan="messenger")],
        # 2. "later, on date D": D is today or just past
        "A2": [(17, "open", "request"), (13, "move", "proposal"), nudge(10, "no_answer"),
               later(7, 0, "ждут утверждения бюджета на декабрь")],
        "B13": [(17, "open", "request"), (14, "move", "proposal"), (11, "move", "invoice"),
                later(7, 3, "бухгалтерия платит по пятницам", "call")],
        "B14": [(14, "open", "base"), nudge(14, "yes"), (14, "move", "request"),
                (12, "move", "proposal"), nudge(10, "no_answer"),
                later(7, 1, "управляющий вернётся из отпуска в воскресенье")],
        "C28": [(12, "open", "request"), (11, "move", "proposal"), (10, "move", "invoice"),
                later(5, 2, "получит аванс от своего заказчика в субботу", "call")],
        # fresh: entered their stage today or yesterday
        "A6": [(0, "open", "request")],
        "B20": [(5, "open", "request"), (4, "move", "proposal"), (0, "move", "invoice")],
        "C27": [(1, "open", "request")],
        # 7. touched this morning: the nudge is out, the answer is pending
        "A8": [(10, "open", "request"), (6, "move", "proposal"),
               nudge(0, "pending", "", f"Добрый день, {a8}! КП на плиты и цемент актуально до "
                     "пятницы. Заказ в силе или что-то пошло не по плану?", "messenger")],
    }  # fmt: skip
    for key, steps in scripts.items():
        tail_open(by_key[key], steps)

    # 3. gone silent: a regular cycle, then nothing for well over 1.5 cycles
    for key in ("A5", "B15", "B16", "B17", "B18", "C30"):
        client = by_key[key]
        last_open = ago(round(client.gap * RNG.uniform(2.1, 2.5)) + 8)
        history_until(client, last_open, plus(last_open, 14))

    # 5. paid 10-20 days ago, and nobody called to ask how it went
    paid_scripts: dict[str, list[Step]] = {
        "A4": [(25, "open", "base"), nudge(25, "yes"), (25, "move", "request"),
               (24, "move", "proposal"), (21, "move", "invoice"), (17, "move", "paid")],
        "B19": [(21, "open", "request"), (20, "move", "proposal"), (17, "move", "invoice"),
                (14, "move", "paid")],
        "C29": [(25, "open", "request"), (24, "move", "proposal"), (21, "move", "invoice"),
                (18, "move", "paid")],
    }  # fmt: skip
    for key, steps in paid_scripts.items():
        client = by_key[key]
        if key == "C29":
            client.gap = 45
        tail_open(client, steps)
        client.quiet_from = ago(steps[-1][0])

    # regular clients, all well: last purchase within their cycle, service done
    for key in ("C33", "C34", "C35", "C36", "C46", "C47"):
        client = by_key[key]
        history_until(client, recent_last_open(client), ago(10))
    b21 = by_key["B21"]  # lost one order on price in the spring, kept buying
    history_until(b21, ago(235 + b21.gap), ago(243))
    scripted(b21, "repeat", [(241, "open", "request"), (238, "move", "proposal"),
                             nudge(236, "no_answer"), nudge(234, "no", "дорого"),
                             (234, "lose", "дорого")])  # fmt: skip
    chain(b21, ago(234 - b21.gap // 2), recent_last_open(b21), ago(10))
    b22 = by_key["B22"]  # lost in winter, won back through the refusal funnel in spring
    history_until(b22, ago(280 + b22.gap), ago(282))
    scripted(b22, "repeat", [(280, "open", "request"), (278, "move", "proposal"),
                             nudge(276, "no", "дорого, нашли топливо дешевле"),
                             (276, "lose", "дорого, нашли топливо дешевле")])  # fmt: skip
    scripted(b22, "refusal", [
        (209, "open", "revisit"),
        nudge(209, "yes", "", f"{b22.contact.address}, добрый день! Зимой вы отказались из-за "
              "цены. Вопрос поставок топлива вас всё ещё интересует?", "call"),
        (209, "move", "interest"), (207, "move", "proposal"), nudge(203, "yes"),
        (202, "move", "invoice"), (200, "move", "paid"),
    ])  # fmt: skip
    chain(b22, ago(200 - b22.gap), recent_last_open(b22), ago(10))
    b23 = by_key["B23"]  # an order frozen by their customer, then reopened and paid
    history_until(b23, ago(160 + b23.gap), ago(162))
    scripted(b23, "repeat", [(160, "open", "request"), (158, "move", "proposal"),
                             nudge(154, "no", "объект заморожен"),
                             (154, "lose", "объект заморожен"),
                             (147, "reopen", "proposal", "заказчик разморозил объект"),
                             nudge(147, "yes"), (146, "move", "invoice"),
                             (143, "move", "paid")])  # fmt: skip
    chain(b23, ago(143 - b23.gap), recent_last_open(b23), ago(10))

    # 3b. small clients with a single purchase long ago
    c31 = by_key["C31"]
    first_sale(c31, c31.created_on, deadline=plus(c31.created_on, 45))
    c32 = by_key["C32"]
    repeat_deal(c32, workday(ago(196)), ago(185), lose_ok=False)

    # 4. new leads in the first-sale funnel: 0, 3 and 6 warming touches since the last closing
    lead_scripts: dict[str, list[Step]] = {
        "C41": [(20, "open", "lead"), nudge(20, "yes", "", "", "call"), (18, "move", "contact"),
                (17, "warm", "email", "yes", "Отправили каталог и прайс"),
                (14, "warm", "messenger", "no_answer", "Поделились кейсом: поставки для кафе"),
                nudge(10, "no_answer", "", "", "call")],
        "C42": [(35, "open", "lead"), nudge(35, "yes", "", "", "call"),
                (34, "move", "contact"), nudge(31, "yes", "", "", "call"),
                (27, "move", "meeting"),
                nudge(27, "yes", "", "Встреча в офисе: обсудили топливо для буровых на весну",
                      "meeting"),
                (25, "warm", "email", "yes", "Отправили отзывы клиентов-геологов"),
                (20, "warm", "messenger", "no_answer", "Поделились статьёй о зимнем ДТ"),
                (13, "warm", "email", "no_answer", "Пригласили на день открытых дверей склада")],
        "C43": [(60, "open", "lead"), nudge(60, "yes", "", "", "call"), (59, "move", "contact"),
                nudge(52, "yes", "", "Интересно, но решение по топливу — к весне. Держите в "
                      "курсе.", "call"),
                (46, "warm", "email", "no_answer", "Отправили каталог и прайс"),
                (39, "warm", "messenger", "yes", "Поделились прогнозом цен на ДТ к весне"),
                (32, "warm", "email", "no_answer", "Отправили отзывы фермерских хозяйств"),
                (25, "warm", "gift", "yes", "Передали календарь и образцы присадок"),
                (18, "warm", "messenger", "no_answer", "Отправили обзор господдержки аграриев "
                 "на 2027 год"),
                (11, "warm", "email", "no_answer", "Отправили памятку по хранению топлива")],
    }  # fmt: skip
    for key, steps in lead_scripts.items():
        client = by_key[key]
        client.quiet_from = client.created_on  # only what the script tells
        scripted(client, "first", steps, trial=True)

    # 6. refusals: prospects who said no, and clients who left
    for key, stage, reason in (
        ("C38", "proposal", "нет бюджета"),
        ("C39", "proposal", "дорого"),
        ("C40", "meeting", "берут масло у дилера со скидкой"),
    ):
        client = by_key[key]
        client.quiet_from = client.created_on
        first_sale(client, client.created_on, lose_at=stage, reason=reason, deadline=ANCHOR)
    c37 = by_key["C37"]
    c37.gap = 90
    history_until(c37, ago(220), ago(200))
    scripted(c37, "repeat", [(147, "open", "base"), nudge(147, "yes"), (147, "move", "request"),
                             (145, "move", "proposal"), nudge(143, "no_answer"),
                             nudge(140, "no", "ушли к конкуренту"),
                             (140, "lose", "ушли к конкуренту")])  # fmt: skip
    c44 = by_key["C44"]
    c44.quiet_from = c44.created_on
    first_sale(c44, c44.created_on, lose_at="proposal", reason="нет бюджета", deadline=ago(280))
    ask = "Понял, спасибо! Может, подскажете коллег, кому это актуально? — дали контакт бригады"
    scripted(c44, "refusal", [(217, "open", "revisit"), nudge(217, "no_answer"),
                              nudge(215, "no", "нет потребности: перешли на готовый погонаж"),
                              nudge(215, "yes", "", ask, "call"),
                              (215, "lose", "нет потребности")])  # fmt: skip
    c45 = by_key["C45"]
    deal = first_sale(c45, c45.created_on, deadline=plus(c45.created_on, 45))
    assert deal.closed_on is not None
    repeat_deal(c45, workday(plus(deal.closed_on, 55)), ago(45), lose_ok=False)
    scripted(c45, "repeat", [(38, "open", "request"), (35, "move", "proposal"),
                             nudge(32, "no_answer"), nudge(31, "no", "перенесли объект на весну"),
                             (31, "lose", "перенесли объект на весну")])  # fmt: skip

    # archived clients: only closed deals
    b24 = by_key["B24"]
    b24.quiet_from = ago(214)
    closing_down = "компания сворачивает строительное направление"
    history_until(b24, ago(270), ago(250))
    scripted(b24, "repeat", [(227, "open", "request"), (224, "move", "proposal"),
                             nudge(220, "no_answer"), nudge(217, "no", closing_down),
                             (217, "lose", closing_down)])  # fmt: skip
    c48 = by_key["C48"]
    c48.quiet_from = ago(170)
    repeat_deal(c48, workday(ago(300)), ago(280), lose_ok=False)


# --------------------------------------------------------------------------- warming, facts


def warm(
    client: Client,
    day: dt.date,
    chan: str,
    outcome: str,
    text: str,
    perk: tuple[str, Any, int] | None = None,
) -> None:
    if max(client.created_on, START) <= day < min(client.quiet_from, ANCHOR):
        client.touches.append(
            Touch(client, None, "", day, "warming", chan, outcome, text, perk=perk)
        )


def friday_before(day: dt.date) -> dt.date:
    while day.weekday() != 4 or day in HOLIDAYS:
        day = plus(day, -1)
    return day


def build_warming() -> None:
    months = [dt.date(2025, 12, 1)] + [dt.date(2026, m, 1) for m in range(1, 12)]
    newsletter_days = []
    for first in months:
        day = first
        while day.weekday() != 1 or day in HOLIDAYS:  # the first working Tuesday
            day = plus(day, 1)
        newsletter_days.append(day)
    for client in CLIENTS:
        if client.role in ("lead", "prospect_lost", "refusal_lost"):
            continue
        cat = client.category or "C"
        goods = GOODS_WORD[client.goods[0]]
        if RNG.random() < {"A": 1.0, "B": 0.9, "C": 0.6}[cat]:
            for day in newsletter_days:
                month = day.strftime("%m.%Y")
                outcome = "yes" if RNG.random() < 0.15 else "no_answer"
                warm(client, day, "email", outcome, f"Рассылка: прайс и наличие на {month}")
        new_year = dt.date(2025, 12, 26)
        # a card or gift for everyone: a perk touch (it counts in the perks of the year) that
        # names no occasion of the calendar
        new_year_perk = ("", None, new_year.year + 1)
        if cat == "A":
            warm(client, new_year, "gift", "yes", "Новогодний подарок: корзина с мёдом и календарь",
                 new_year_perk)  # fmt: skip
        else:
            warm(client, new_year, "email", "yes", "Новогодняя открытка от нашей команды",
                 new_year_perk)  # fmt: skip
        for person in client.people if cat in ("A", "B") else []:
            if person.female:
                chan = "gift" if cat == "A" else "messenger"
                flowers = ", цветы" if chan == "gift" else ""
                warm(client, dt.date(2026, 3, 6), chan, "yes",
                     f"Поздравление с 8 Марта — {person.polite}{flowers}")  # fmt: skip
            else:
                warm(client, dt.date(2026, 2, 20), "messenger", "yes",
                     f"Поздравление с 23 Февраля — {person.polite}")  # fmt: skip
        holiday = INDUSTRY_DAYS.get(client.industry)
        if holiday:
            day, name = holiday
            chan = "gift" if cat == "A" else "messenger"
            extra = ", передали торт" if chan == "gift" else ""
            warm(client, friday_before(day), chan, "yes", f"Поздравили с {name}{extra}",
                 ("holiday", HOLIDAY_CODES[name], day.year))  # fmt: skip
        for person in client.people:
            if person.birthday is None or RNG.random() > {"A": 1.0, "B": 0.8, "C": 0.4}[cat]:
                continue
            for year in (2025, 2026):
                day = dt.date(year, person.birthday.month, person.birthday.day)
                if cat == "A" and RNG.random() < 0.5:
                    gift = RNG.choice(("коньяк", "книга о рыбалке", "набор чая", "мёд"))
                    text = f"Поздравление с днём рождения — {person.polite}, подарок: {gift}"
                    warm(client, day, "gift", "yes", text, ("birthday", person, year))
                else:
                    warm(client, day, "messenger", "yes",
                         f"Поздравление с днём рождения — {person.polite}",
                         ("birthday", person, year))  # fmt: skip
        start = max(client.created_on, START)
        end = min(client.quiet_from, ANCHOR)
        if end <= start:
            continue
        count = {"A": RNG.randint(14, 22), "B": RNG.randint(6, 12)}.get(cat, RNG.randint(1, 4))
        for _ in range(count):
            day = workday(plus(start, RNG.randint(0, (end - start).days)))
            chan, text = RNG.choice(WARM_PERSONAL)
            warm(client, day, chan, pick({"yes": 5, "no_answer": 5}), text.format(g=goods))


FACTS_BY_LINE = {
    "build": (
        ("потребность", "Потребность в щебне фр. 20–40 — около {n} т в месяц, пик с апреля по "
         "октябрь"),
        ("потребность", "Позиция №35 (цемент М500 Д0) — стабильно {m} т в месяц"),
        ("объекты", "Строят жилой комплекс в г. {city}, сдача — III квартал 2027"),
        ("логистика", "Разгрузка только манипулятором, въезд на объект с 8:00 до 17:00"),
        ("оплата", "Платят с отсрочкой 14 дней, счета согласует финансовый директор"),
        ("конкуренты", "Бетон частично берут у местного РБУ — мы дороже на 3–4%, но надёжнее"),
        ("планы", "В 2027 году хотят выйти на дорожные подряды — интерес к асфальтобетону"),
        ("склад", "Своего склада нет, всё возят «с колёс» на объект"),
        ("тендеры", "Часть объектов — по 44-ФЗ, нужен полный пакет документов на партию"),
        ("качество", "Требуют паспорт качества на каждую партию; в 2024 была претензия по "
         "фракции"),
        ("сезонность", "Зимой объёмы падают вдвое, с марта заказывают еженедельно"),
        ("техника", "Свой автопарк: {k} самосвалов, часть доставок забирают сами"),
    ),
    "fuel": (
        ("потребность", "Расход ДТ — около {m} т в месяц, зимой до {n} т"),
        ("потребность", "С ноября переходят на зимнее ДТ, просят паспорт с температурой "
         "фильтруемости"),
        ("логистика", "Своя ёмкость 50 м³ на базе, бензовоз принимают только до 15:00"),
        ("техника", "Парк: {k} единиц техники, в основном КамАЗы и погрузчики"),
        ("оплата", "Платят только по факту поставки, срок оплаты — 5 банковских дней"),
        ("конкуренты", "Часть объёмов заправляют по топливным картам; для них важна доставка, "
         "а не цена"),
        ("сезонность", "Пик потребления — с мая по октябрь, зимой объёмы втрое меньше"),
        ("планы", "Открывают новый участок — потребность вырастет примерно на треть"),
        ("документы", "Нужны ТТН и паспорт качества в оригинале, сканы бухгалтерия не "
         "принимает"),
        ("масла", "Позиция №35 (масло 10W-40) — 2–3 бочки в квартал, берут вместе с топливом"),
    ),
    "food": (
        ("потребность", "Мука в/с — около {m} мешков в неделю, масло подсолнечное — {n} л в "
         "месяц"),
        ("потребность", "Позиция №35 (сахар-песок) — 2,5 т в месяц"),
        ("логистика", "Приёмка на кухне с 7:00 до 10:00, после обеда не принимают"),
        ("качество", "Шеф требует муку одного мельзавода, на замену не соглашается"),
        ("оплата", "Платят раз в неделю, по вторникам"),
        ("планы", "Открывают вторую точку в г. {city} к весне — объёмы вырастут"),
        ("конкуренты", "Овощи иногда берут на рынке сами, у нас — бакалею и масло"),
        ("меню", "Меню меняют в марте и сентябре — в эти месяцы пробуют новые позиции"),
        ("сезонность", "Летом работает веранда — оборот растёт на 40%"),
        ("сертификаты", "Для проверок Роспотребнадзора просят декларации на каждую партию"),
    ),
}  # fmt: skip
FACTS_ABOUT_PEOPLE = (
    "{p} любит крабовый салат и коньяк «Весенний»",
    "{p} — заядлый рыбак, каждый август уезжает на Ахтубу",
    "{p} болеет за «Спартак», ходит на домашние матчи",
    "{p} не пьёт алкоголь — дарить лучше чай, мёд или книги",
    "{p}: двое детей, старший в этом году поступает в институт",
    "{p} — «серый кардинал»: без его слова закупки не согласуют",
    "{p} предпочитает мессенджер, звонков до 10 утра не любит",
    "{p} коллекционирует марки, ценит подарки с историей",
    "{p} в прошлом прораб, в технике разбирается лучше наших менеджеров",
    "{p} бегает марафоны, в сентябре бежал Московский марафон",
    "{p} родом из Вологды, любит всё, что связано с русским Севером",
    "{p} выходит на пенсию в 2027 году — пора знакомиться с преемником",
    "{p}: дача под Звенигородом, летом по пятницам после обеда недоступен",
    "{p} ценит пунктуальность: опоздание на встречу — минус доверие",
)
FACTS_GENERAL = (
    ("история", "Работают с нами с {year} года, пришли через {source}"),
    ("решения", "Решение о закупке принимают на планёрке по понедельникам"),
    ("решения", "Закупки свыше 500 тыс. ₽ собственник согласует лично"),
    ("бонусы", "Участвуют в бонусной программе, копят на поездку на выставку"),
    ("праздники", "Свой профессиональный праздник отмечают корпоративом — дарили торт"),
    ("планы", "Собираются расширять склад в 2027 году"),
    ("конкуренты", "Запрашивают КП ещё у двух поставщиков, решают цена и срок доставки"),
    ("сервис", "Ценят, что мы предупреждаем о поставке за день"),
    ("претензии", "В мае была задержка поставки на 2 дня — отношения восстановили скидкой 3%"),
    ("документы", "Работают через ЭДО (Диадок), бумажные документы не нужны"),
)
SOURCE_WORD = {
    "выставка": "выставку",
    "сайт": "сайт",
    "рекомендация": "рекомендацию",
    "холодный звонок": "холодный звонок",
    "тендер": "тендер",
}
# How many facts: A from thin (8) to complete (18), B 3-9, C 0-5.
FACT_COUNTS = {"A1": 17, "A2": 18, "A3": 9, "A4": 12, "A5": 16, "A6": 8, "A7": 15, "A8": 10}


def build_facts() -> None:
    for client in CLIENTS:
        cat = client.category or "C"
        count = FACT_COUNTS.get(client.key) or {"B": RNG.randint(3, 9)}.get(cat, RNG.randint(0, 5))
        if client.role in ("lead", "prospect_lost", "refusal_lost"):
            count = min(count, 2)
        numbers = {
            "n": RNG.choice((120, 180, 250, 300, 450)),
            "m": RNG.choice((2.5, 4, 6, 8, 12)),
            "k": RNG.randint(4, 18),
            "city": client.city,
            "year": client.created_on.year,
            "source": SOURCE_WORD[client.source],
        }
        numbers["m"] = str(numbers["m"]).replace(".", ",")
        pool = [(topic, text.format(**numbers)) for topic, text in FACTS_BY_LINE[line_of(client)]]
        pool += [(topic, text.format(**numbers)) for topic, text in FACTS_GENERAL]
        about = list(FACTS_ABOUT_PEOPLE)
        RNG.shuffle(about)
        people_facts = [
            ("люди", f"{person.role}: " + about.pop().format(p=person.polite))
            for person in client.people
            for _ in range(2 if cat == "A" else 1)
        ]
        RNG.shuffle(pool)
        chosen = people_facts[: max(1, count // 3)] + pool
        start = max(client.created_on, plus(START, -200))
        for topic, text in chosen[:count]:
            noted = workday(plus(start, RNG.randint(0, max(0, (ago(3) - start).days))))
            noted = min(noted, ago(3))
            client.facts.append((topic, text, noted))


# --------------------------------------------------------------------------- service, referrals

LATE_KEYS: set[str] = set()  # clients told after the rest of the story (their ids come last)
REFERRAL_PREFIX = "referral from "  # the source of a referred client (povtor's own words)
PROBLEM_CLIENT = "B21"  # a problem reported 3 days before the anchor, not resolved yet
PROBLEM = "не тот фракционный состав: много отсева, 5–20 вместо 20–40"
RESOLVED_CLIENT = "B23"  # a problem reported in the spring; the next service call was ok


def stamp_deal(deal: Deal) -> None:
    """Times of day for the events and touches of a deal told late (as stamp_times does)."""
    by_day: dict[dt.date, list[Change | Touch]] = {}
    for item in deal.timeline:
        by_day.setdefault(item.day, []).append(item)
    for day, items in by_day.items():
        minutes = sorted(RNG.sample(range(360, 900), len(items)))
        for item, minute in zip(items, minutes, strict=True):
            moment = dt.time(minute // 60, minute % 60, RNG.randint(0, 59))
            item.at = dt.datetime.combine(day, moment)


def tell_referral() -> None:
    """The refusal funnel to its end (seed 002): in April Сосна said no to the revisit and
    gave the contact of a crew; the crew became a client. Told after the rest of the story
    (its random numbers come last), so every other row stays as it was."""
    by_key = {c.key: c for c in CLIENTS}
    referrer = by_key["C44"]
    (refused,) = (d for d in DEALS if d.client is referrer and d.funnel == "refusal")
    assert refused.closed_on is not None
    for item in refused.timeline:
        if isinstance(item, Touch) and item.text.startswith("Понял, спасибо!"):
            item.text = item.text.replace(
                "дали контакт бригады", "дали контакт: «Бригада Лосева», Игорь Викторович"
            )
    client = Client("R1", "C", "Бригада Лосева", "ИП Лосев Игорь Викторович", "строительство",
                    REFERRAL_PREFIX + referrer.name, "Электросталь", "losev-brigada",
                    ("цемент", "песок"), 45_000, "referral")  # fmt: skip
    client.owner = "Лосев Игорь Викторович"
    client.referred_by = referrer
    client.created_on = refused.closed_on
    client.notes = "Контакт дал Алексей Геннадьевич («Сосна»), когда отказался сам."
    client.gap = 42
    client.phone = phone_number()
    client.email = f"losev@{client.slug}.example"
    client.address = f"г. {client.city}, ул. Строителей, д. 14"
    make_people(client)
    CLIENTS.append(client)
    LATE_KEYS.add(client.key)
    first = first_sale(client, client.created_on, deadline=plus(client.created_on, 50))
    assert first.closed_on is not None
    chain(client, plus(first.closed_on, client.gap), recent_last_open(client), ago(10))
    for deal in DEALS:
        if deal.client is client:
            stamp_deal(deal)


def tell_service_answers() -> None:
    """Every service call the client answered is "all well", but two: one problem in the
    spring, resolved (the next call was ok), and one three days before the anchor, open."""
    by_key = {c.key: c for c in CLIENTS}
    for deal in DEALS:
        for item in deal.timeline:
            if isinstance(item, Touch) and item.kind == "service" and item.outcome == "yes":
                item.answer = "ok"
    resolved = by_key[RESOLVED_CLIENT]
    calls = sorted(
        (t for d in DEALS if d.client is resolved for t in d.timeline
         if isinstance(t, Touch) and t.answer == "ok"),
        key=lambda t: t.at or dt.datetime.min,
    )  # fmt: skip
    spring = next(t for t in calls if t.day >= dt.date(2026, 4, 1))
    assert calls[-1] is not spring
    spring.answer = "problem"
    spring.reason = "говядина пришла с нарушением температурного режима"
    spring.text = "Сервисный звонок: часть говядины пришла тёплой — составили акт, заменим"
    client = by_key[PROBLEM_CLIENT]
    last = max((d for d in DEALS if d.client is client and d.status == "won"),
               key=lambda d: d.closed_on or START)  # fmt: skip
    day = ago(3)
    text = f"Дозвонились по поставке ({short(last)}): {PROBLEM}"
    last.touch(day, "service", "call", "yes", text, reason=PROBLEM)
    touch = last.timeline[-1]
    assert isinstance(touch, Touch)
    touch.answer, touch.late = "problem", True
    touch.at = dt.datetime.combine(day, dt.time(8, 20, 14))


# --------------------------------------------------------------------------- output


def stamp_times() -> None:
    """Give every event and touch a time of day: working hours in UTC, in story order."""
    for deal in DEALS:
        by_day: dict[dt.date, list[Change | Touch]] = {}
        for item in deal.timeline:
            by_day.setdefault(item.day, []).append(item)
        for day, items in by_day.items():
            window = range(360, 420) if day == ANCHOR else range(360, 900)
            minutes = sorted(RNG.sample(window, len(items)))
            for item, minute in zip(items, minutes, strict=True):
                moment = dt.time(minute // 60, minute % 60, RNG.randint(0, 59))
                item.at = dt.datetime.combine(day, moment)
    for client in CLIENTS:
        for touch in client.touches:
            if touch.text.startswith("Рассылка"):
                moment = dt.time(7, 0, RNG.randint(0, 59))
            else:
                minute = RNG.randrange(360, 900)
                moment = dt.time(minute // 60, minute % 60, RNG.randint(0, 59))
            touch.at = dt.datetime.combine(touch.day, moment)


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


HEADERS = {
    "clients": "id,name,company,category,industry,source,phone,email,address,notes,status,"
    "created_on,category_source,referred_by",
    "people": "id,client_id,name,role,phone,email,birthday",
    "facts": "id,client_id,topic,text,noted_on",
    "deals": "id,client_id,funnel,stage,title,amount,currency,status,opened_on,stage_entered_on,"
    "expected_on,closed_on,lost_reason,follow_up_on",
    "stage_history": "id,deal_id,event,from_stage,to_stage,at,on_date,reason",
    "touches": "id,client_id,deal_id,stage,at,on_date,kind,channel,outcome,reason,follow_up_on,"
    "text,answer,purpose,purpose_ref",
}


# Categories an earlier `povtor client categorize` set (the rest were set by hand): their
# revenue has moved since, so `client categorize --dry-run` would change them.
CATEGORIES_BY_ABC = frozenset({"B10", "B11"})


def category_source(client: Client) -> str:
    if not client.category:
        return ""
    return "abc" if client.key in CATEGORIES_BY_ABC else "manual"


def write(name: str, rows: list[list[object]]) -> None:
    """One CSV file: the loader's header, then the rows (csv module quoting, UTF-8)."""
    with (OUT / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADERS[name].split(","))
        writer.writerows(rows)


def assign_ids_and_write() -> dict[str, int]:
    # (clients, deals and touches told after the rest of the story take the last ids, so
    # that adding them keeps every other id)
    clients = sorted(
        CLIENTS, key=lambda c: (c.key in LATE_KEYS, c.created_on, SPECS_ORDER.get(c.key, 0))
    )
    for number, client in enumerate(clients, start=1):
        client.id = number
    write(
        "clients",
        [
            [c.id, c.name, c.company, c.category, c.industry, c.source, c.phone, c.email,
             c.address, c.notes, c.status, iso(c.created_on), category_source(c),
             c.referred_by.id if c.referred_by else ""]
            for c in clients
        ],
    )  # fmt: skip
    people = [(c, p) for c in clients for p in c.people]
    person_ids = {id(p): i for i, (_c, p) in enumerate(people, start=1)}
    write(
        "people",
        [
            [i, c.id, p.full, p.role, p.phone, p.email, iso(p.birthday)]
            for i, (c, p) in enumerate(people, start=1)
        ],
    )
    facts = sorted(((f[2], c.id, f) for c in clients for f in c.facts), key=lambda x: x[:2])
    write(
        "facts",
        [[i, cid, f[0], f[1], iso(day)] for i, (day, cid, f) in enumerate(facts, start=1)],
    )
    deals = sorted(
        DEALS,
        key=lambda d: (d.client.key in LATE_KEYS, d.timeline[0].at or dt.datetime.min, d.client.id),
    )
    for number, deal in enumerate(deals, start=1):
        deal.id = number
    write(
        "deals",
        [
            [d.id, d.client.id, d.funnel, d.stage, d.title, f"{d.amount / 100:.2f}", "RUB",
             d.status, iso(d.opened_on), iso(d.stage_entered_on), iso(d.expected_on),
             iso(d.closed_on), d.lost_reason, iso(d.follow_up_on)]
            for d in deals
        ],
    )  # fmt: skip
    changes = [item for d in deals for item in d.timeline if isinstance(item, Change)]
    changes.sort(
        key=lambda ch: (ch.deal.client.key in LATE_KEYS, ch.at or dt.datetime.min, ch.deal.id)
    )
    write(
        "stage_history",
        [
            [i, ch.deal.id, ch.event, ch.from_stage, ch.to_stage,
             (ch.at or dt.datetime.min).isoformat(), iso(ch.day), ch.reason]
            for i, ch in enumerate(changes, start=1)
        ],
    )  # fmt: skip
    touches = [item for d in deals for item in d.timeline if isinstance(item, Touch)]
    touches += [t for c in clients for t in c.touches]
    touches.sort(
        key=lambda t: (
            t.late or t.client.key in LATE_KEYS,
            t.at or dt.datetime.min,
            t.client.id,
            t.deal.id if t.deal else 0,
        )
    )
    for number, touch in enumerate(touches, start=1):
        touch.id = number
    write(
        "touches",
        [
            [i, t.client.id, t.deal.id if t.deal else "", t.stage,
             (t.at or dt.datetime.min).isoformat(), iso(t.day), t.kind, t.channel, t.outcome,
             t.reason, iso(t.follow_up_on), t.text, t.answer, "perk" if t.perk else "",
             perk_ref(t, person_ids)]
            for i, t in enumerate(touches, start=1)
        ],
    )  # fmt: skip
    return {
        "clients": len(clients),
        "people": len(people),
        "facts": len(facts),
        "deals": len(deals),
        "stage_history": len(changes),
        "touches": len(touches),
    }


SPECS_ORDER = {spec[0]: i for i, spec in enumerate(SPECS)}


# --------------------------------------------------------------------------- products

# The catalog (seed 004): the goods the deals are about, plus two backend products for the
# top 10% of clients. (key in CATALOGUE or None, name, price in roubles, backend, note,
# keys of the related products: "who bought this may want those"; in products.csv their
# names separated by "; ", as povtor export products writes them).
PRODUCTS: list[tuple[str | None, str, int, bool, str, tuple[str, ...]]] = [
    ("щебень", BUILD["щебень"].name, 2150, False, "за тонну", ("песок", "пескосоль")),
    ("песок", BUILD["песок"].name, 780, False, "за тонну", ("цемент",)),
    ("цемент", BUILD["цемент"].name, 8900, False, "за тонну", ()),
    ("бетон", BUILD["бетон"].name, 6100, False, "за м³, с доставкой миксером",
     ("арматура", "комплектация")),
    ("арматура", BUILD["арматура"].name, 61000, False, "за тонну", ("бетон", "комплектация")),
    ("пескосоль", BUILD["пескосоль"].name, 1350, False, "за тонну, сезон с ноября по март", ()),
    ("дт", FUEL["дт"].name, 66500, False, "за тонну, зимнее с ноября", ("масло", "модуль")),
    ("масло", FUEL["масло"].name, 54500, False, "за бочку", ("дт",)),
    ("модуль", "Топливный модуль 10 м³ с установкой", 1_850_000, True,
     "контейнерная АЗС на базе клиента: монтаж, учёт, сервис на год", ()),
    ("комплектация", "Комплектация объекта под ключ", 4_800_000, True,
     "годовой договор: все материалы на объект по графику, резерв на нашем складе", ()),
]  # fmt: skip
HEADERS["products"] = "id,name,price,currency,is_backend,note,related"
HEADERS["deal_products"] = "deal_id,product_id"


def product_of(deal: Deal) -> str | None:
    """The catalog key of the goods a deal is about (from its title), if in the catalog."""
    name = short(deal)
    for key, product, *_ in PRODUCTS:
        if key in CATALOGUE and name.startswith(product):
            return key
    return None


def write_products() -> dict[str, int]:
    """products.csv and deal_products.csv: every deal about a catalog product holds it.
    (No random numbers: the rest of the story stays as it is.)"""
    ids = {key: number for number, (key, *_) in enumerate(PRODUCTS, start=1)}
    names = {key: name for key, name, *_ in PRODUCTS}
    write(
        "products",
        [
            [ids[key], name, f"{price}.00", "RUB", "yes" if backend else "no", note,
             "; ".join(names[r] for r in related)]
            for key, name, price, backend, note, related in PRODUCTS
        ],
    )  # fmt: skip
    held = sorted((d.id, ids[key]) for d in DEALS if (key := product_of(d)) is not None)
    write("deal_products", [list(pair) for pair in held])
    return {"products": len(PRODUCTS), "deal_products": len(held)}


# --------------------------------------------------------------------------- perks

# Clients' own dates for a card or a gift (client key, title, month, day, year or None for
# every year, index of the person it belongs to or None). On the anchor the first two fall
# in the plan's 7 days; the others show in client occasion list and perks upcoming.
OCCASIONS: list[tuple[str, str, int, int, int | None, int | None]] = [
    ("B22", "День рождения компании", 11, 26, None, None),
    ("A6", "10 лет в компании", 11, 27, 2026, 1),
    ("C33", "Годовщина открытия кофейни", 12, 12, None, None),
    ("A1", "День рождения компании", 5, 14, None, None),
]
HEADERS["occasions"] = "id,client_id,person_id,title,month,day,year"


def perk_ref(touch: Touch, person_ids: dict[int, int]) -> str:
    """The key of a card or gift (a touch of purpose perk): ``birthday:<person id>:<year>``
    or ``holiday:<code>:<year>``; empty for any other touch, and for a perk about no
    occasion of the calendar (the New Year gift)."""
    if touch.perk is None:
        return ""
    kind, what, year = touch.perk
    if not kind:
        return ""
    ident = person_ids[id(what)] if kind == "birthday" else what
    return f"{kind}:{ident}:{year}"


def write_perks() -> dict[str, int]:
    """occasions.csv (the perk touches are in touches.csv: purpose perk, purpose_ref their
    key). No random numbers: the rest of the story stays as it is."""
    by_key = {c.key: c for c in CLIENTS}
    people = [p for c in sorted(CLIENTS, key=lambda c: c.id) for p in c.people]
    person_ids = {id(p): number for number, p in enumerate(people, start=1)}
    rows = []
    for number, (key, title, month, day, year, person) in enumerate(OCCASIONS, start=1):
        client = by_key[key]
        pid = person_ids[id(client.people[person])] if person is not None else ""
        rows.append([number, client.id, pid, title, month, day, year or ""])
    write("occasions", rows)
    perks = sum(1 for c in CLIENTS for t in c.touches if t.perk is not None)
    return {"occasions": len(rows), "perk touches": perks}


# --------------------------------------------------------------------------- roadmaps

# Clients' progress along their category's roadmap (seed 001): (client key, step code, day
# done, note). On the anchor B23 is due its step 2 (30 days after step 1), B22 its step 3
# (beside its occasion), A4 its step 3 (beside its service contact); B21 and C36 did a step
# less than 30 days ago; A1 (a deal in motion) shows its progress in client roadmap.
# Clients with no step done are due their step 1 from 30 days after their first purchase;
# at most 5 roadmap steps a day.
ROADMAP_PROGRESS: list[tuple[str, str, dt.date, str]] = [
    ("A1", "needs-audit", dt.date(2026, 2, 10), "аудит: можно сэкономить 4% на доставке бетона"),
    ("A1", "site-visit", dt.date(2026, 4, 15), "были на объекте на Мира, 71"),
    ("A1", "test-batch", dt.date(2026, 6, 3), "тестовая партия бетона В30 — приняли"),
    ("A1", "service-level-1", dt.date(2026, 9, 1), "персональный менеджер, отгрузка в день заказа"),
    ("A4", "needs-audit", dt.date(2026, 3, 12), ""),
    ("A4", "site-visit", dt.date(2026, 7, 8), "смотрели топливный склад в Подольске"),
    ("B21", "needs-test", dt.date(2026, 11, 2), "потребность на I квартал: около 600 т щебня"),
    ("B22", "needs-test", dt.date(2026, 5, 20), ""),
    ("B22", "exhibition", dt.date(2026, 9, 15), "были на стенде, интересовались пескосолью"),
    ("B23", "needs-test", dt.date(2026, 10, 2), "обеды на 2 новых цеха с января: +40%"),
    ("C33", "one-off", dt.date(2026, 6, 10), "взяли на пробу сироп к кофе"),
    ("C36", "one-off", dt.date(2026, 4, 1), ""),
    ("C36", "info-service", dt.date(2026, 10, 28), "подписали на рассылку прайса"),
]  # fmt: skip
HEADERS["client_steps"] = "client_id,category,step,done_on,note"


def write_roadmaps() -> dict[str, int]:
    """client_steps.csv: the roadmap steps clients have done (the steps themselves are the
    defaults every database starts with). No random numbers: the story stays as it is."""
    by_key = {c.key: c for c in CLIENTS}
    rows = [
        [by_key[key].id, by_key[key].category, code, iso(day), note]
        for key, code, day, note in ROADMAP_PROGRESS
    ]
    write("client_steps", rows)
    return {"client steps": len(rows)}


def soon(birthday: dt.date, days: int = 14) -> bool:
    """Whether a birthday comes within ``days`` after the anchor."""
    for year in (ANCHOR.year, ANCHOR.year + 1):
        if 0 <= (dt.date(year, birthday.month, birthday.day) - ANCHOR).days <= days:
            return True
    return False


def scenarios() -> dict[str, list[int]]:
    """The ids that make each rule of the daily plan fire on the anchor date."""
    by_key = {c.key: c for c in CLIENTS}

    def open_deal(key: str) -> int:
        (deal,) = (d for d in DEALS if d.client.key == key and d.status == "open")
        return deal.id

    def last_paid(key: str) -> int:
        won = [d for d in DEALS if d.client.key == key and d.status == "won"]
        return max(won, key=lambda d: d.closed_on or START).id

    lost = [d for d in DEALS if in_lost_window(d)]
    return {
        "stuck_deals": [open_deal(k) for k in ("A1", "A3", "B9", "B10", "B11", "B12", "C25",
                                               "C26")],
        "stuck_nudged_yesterday_deal": [open_deal("A7")],
        "fresh_deals": [open_deal(k) for k in ("A6", "B20", "C27")],
        "follow_up_due_deals": [open_deal(k) for k in ("A2", "B13", "B14", "C28")],
        "silent_clients": [by_key[k].id for k in ("A5", "B15", "B16", "B17", "B18", "C30")],
        "single_old_purchase_clients": [by_key[k].id for k in ("C31", "C32")],
        "first_sale_deals": [open_deal(k) for k in ("C41", "C42", "C43")],
        "service_due_deals": [last_paid(k) for k in ("A4", "B19", "C29")],
        "refusal_revisit_deals": sorted(d.id for d in lost),
        "touched_today_client": [by_key["A8"].id],
        "touched_today_deal": [open_deal("A8")],
        "archived_clients": [by_key[k].id for k in ("B24", "C48")],
        "upcoming_birthday_clients": sorted({c.id for c in CLIENTS for p in c.people
                                             if p.birthday and soon(p.birthday)}),
        "perk_occasion_clients": [by_key[k].id for k in ("B22", "A6")],
        "service_problem_clients": [by_key[PROBLEM_CLIENT].id],
        "service_problem_resolved_clients": [by_key[RESOLVED_CLIENT].id],
        "referral_clients": [by_key[k].id for k in LATE_KEYS],
        "referral_first_sale_deals": [d.id for d in DEALS
                                      if d.client.key in LATE_KEYS and d.funnel == "first"],
        "roadmap_due_clients": [by_key[k].id for k in ("B23", "B22", "A4")],
        "roadmap_progress_clients": sorted({by_key[k].id for k, *_ in ROADMAP_PROGRESS}),
        # the top 10% by revenue, less A7 (nudged yesterday: resting); fuel and concrete
        # buyers, each offered its backend product
        "backend_offer_clients": [by_key[k].id for k in ("A1", "A2", "A4")],
        # diesel buyers who never took the motor oil, paced (plan.offers_per_day 5) by
        # revenue after the backend offers; for C34 the offer is the item's only reason
        "cross_sell_clients": [by_key[k].id for k in ("B15", "C34")],
    }  # fmt: skip


def write_manifest(counts: dict[str, int], story: dict[str, list[int]]) -> None:
    lines = [
        "# Written by examples/make_demo.py: edit the script and rerun it, not this file.",
        f'anchor = "{ANCHOR.isoformat()}"',
        'description = """',
        "A year of a Russian B2B seller of building materials, fuel and food supplies: "
        f"{counts['clients']} clients (A/B/C, two archived), {counts['deals']} deals in the "
        "repeat, first-sale and refusal funnels with their stage history, "
        f"{counts['touches']} warming, closing and service touches. The story ends on the "
        "anchor date (a Monday); povtor demo moves every date so that it ends today.",
        '"""',
        "",
        "# Ids (as in the CSV files) that make each rule of the daily plan fire on the anchor.",
        "[scenarios]",
    ]
    lines += [f"{name} = {sorted(ids)}" for name, ids in story.items()]
    (OUT / "demo.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    RNG.seed(2026)
    CLIENTS.clear()
    DEALS.clear()
    USED_NAMES.clear()
    make_clients()
    build_histories()
    build_warming()
    build_facts()
    stamp_times()
    tell_referral()
    tell_service_answers()
    OUT.mkdir(exist_ok=True)
    counts = assign_ids_and_write()
    counts.update(write_products())
    counts.update(write_perks())
    counts.update(write_roadmaps())
    write_manifest(counts, scenarios())
    print(", ".join(f"{n} {table}" for table, n in counts.items()))


if __name__ == "__main__":
    main()

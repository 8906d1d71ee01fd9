"""Build a large, realistic povtor database for benchmarks: deterministic for a seed.

    python benchmarks/generate.py OUT.db --clients 10000 --deals 50000 --touches 300000
    python benchmarks/generate.py OUT.db --size 8800          # the "real pipeline" size

The database is created and migrated by povtor itself, then filled in one transaction
with ``executemany`` in the formats povtor writes (see ``povtor/app/demo.py``): dates as
ISO ``YYYY-MM-DD``, timestamps as naive UTC via ``db_datetime``, money as integer minor
units. Deals follow the default funnels with a consistent ``stage_change`` history
(open, moves, then win or lose); touches obey the rules of ``povtor nudge log`` (a yes
moves the deal, a no loses it, a later sets its follow-up date).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import math
import random
import sys
import time
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any

from povtor.storage.activity import refresh_activity
from povtor.storage.database import Database, db_datetime, open_database
from povtor.storage.location import resolve_location
from povtor.storage.queries import search_key

# (name, price in kopecks, backend): the catalog of a building-materials and fuel seller
CATALOG: tuple[tuple[str, int, bool], ...] = (
    ("Щебень гранитный 20-40", 210_000, False),
    ("Песок карьерный мытый", 95_000, False),
    ("Цемент М500 Д0", 720_000, False),
    ("Арматура А500С", 6_400_000, False),
    ("Бетон В25 П4", 580_000, False),
    ("ДТ ЕВРО-5", 6_850_000, False),
    ("Масло моторное 10W-40", 3_200_000, False),
    ("Кирпич облицовочный", 2_400, False),
    ("Газобетон D500", 590_000, False),
    ("Доставка самосвалом", 1_200_000, False),
    ("Топливный модуль 10 м³", 185_000_000, True),
    ("Комплектация объекта под ключ", 480_000_000, True),
)
# who bought the first may want the second
PRODUCT_LINKS: tuple[tuple[int, int], ...] = (
    (1, 2), (2, 1), (3, 5), (5, 3), (4, 3), (6, 7), (6, 11), (8, 9), (9, 8), (1, 10), (4, 12),
)  # fmt: skip


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# name: (clients, deals, touches)
PRESETS: dict[str, tuple[int, int, int]] = {
    "large": (10_000, 50_000, 300_000),
    "real": (2_000, 8_800, 50_000),
    "huge": (100_000, 500_000, 3_000_000),
}
PRESET_ALIASES = {
    "large": "large",
    "50000": "large",
    "real": "real",
    "8800": "real",
    "huge": "huge",
    "500000": "huge",
}
DEFAULT_TODAY = "2026-11-23"
HISTORY_DAYS = 730  # deals are spread over two years before today

CATEGORY_WEIGHTS = {"A": 10, "B": 30, "C": 60}
DEALS_PER_CLIENT_WEIGHT = {"A": 6.0, "B": 2.0, "C": 1.0}  # A clients buy more often
FUNNEL_WEIGHTS = {"repeat": 75, "first": 15, "refusal": 10}
STATUS_WEIGHTS = {"open": 15, "won": 65, "lost": 20}
FUNNEL_CODES, FUNNEL_CUM = tuple(FUNNEL_WEIGHTS), tuple(accumulate(FUNNEL_WEIGHTS.values()))
STATUS_CODES, STATUS_CUM = tuple(STATUS_WEIGHTS), tuple(accumulate(STATUS_WEIGHTS.values()))
DEAL_TOUCH_SHARE = 0.55  # of all touches; the rest are client-level

CHANNELS = ("call", "email", "messenger", "meeting", "gift", "other")
CHANNEL_CUM = tuple(accumulate((40, 20, 25, 8, 2, 5)))  # cumulative weights: faster choices

MALE_FIRST = words(
    "Александр Алексей Андрей Антон Артём Борис Вадим Валерий Виктор Виталий Владимир "
    "Дмитрий Евгений Егор Иван Игорь Кирилл Константин Максим Михаил Никита Николай Олег "
    "Павел Роман Сергей Станислав Тимур Фёдор Юрий"
)
FEMALE_FIRST = words(
    "Алина Анастасия Анна Валентина Валерия Вера Дарья Евгения Екатерина Елена Ирина "
    "Ксения Лариса Любовь Марина Мария Надежда Наталья Ольга Полина Светлана Софья "
    "Татьяна Юлия"
)
PATRONYMIC_ROOTS = words(
    "Александров Алексеев Андреев Борисов Викторов Владимиров Дмитриев Евгеньев Иванов "
    "Игорев Михайлов Николаев Олегов Павлов Петров Сергеев Юрьев"
)
SURNAMES = words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров "
    "Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев "
    "Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев "
    "Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв "
    "Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов "
    "Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров"
)
COMPANY_WORDS_A = words(
    "Север Юг Восток Запад Альфа Бета Гамма Дельта Омега Вектор Гранит Кедр Сокол Орион "
    "Меридиан Импульс Прогресс Стандарт Профи Техно Агро Строй Торг Лес Металл Пласт "
    "Энерго Транс Хим Полимер Электро Термо Гидро Мега Нова Ресурс Регион Сибирь Волга "
    "Урал Байкал Ладога Амур Нева Кама Дон Ока"
)
COMPANY_WORDS_B = words(
    "снаб сервис пром маш комплект трейд групп лайн системс холдинг инвест логистик "
    "монтаж проект техника деталь опт маркет"
)
LEGAL_FORMS = ("ООО", "ООО", "ООО", "АО", "ИП", "ЗАО")
INDUSTRIES = (
    "Строительство",
    "Производство",
    "Оптовая торговля",
    "Розничная торговля",
    "Логистика",
    "Общепит",
    "Медицина",
    "Образование",
    "Сельское хозяйство",
    "IT",
    "Гостиницы",
    "Автосервис",
)
SOURCES = ("рекомендация", "сайт", "выставка", "холодный звонок", "тендер", "соцсети")
CITIES = (
    "Москва",
    "Санкт-Петербург",
    "Новосибирск",
    "Екатеринбург",
    "Казань",
    "Нижний Новгород",
    "Самара",
    "Ростов-на-Дону",
    "Уфа",
    "Красноярск",
    "Пермь",
    "Воронеж",
)
STREETS = ("ул. Ленина", "пр. Мира", "ул. Садовая", "ул. Заводская", "ул. Победы", "наб. Речная")
ROLES = (
    "директор",
    "закупщик",
    "главный инженер",
    "бухгалтер",
    "менеджер по закупкам",
    "владелец",
    "завхоз",
    "руководитель отдела снабжения",
)
PRODUCTS = (
    "Бумага офисная",
    "Картриджи",
    "Спецодежда",
    "Крепёж",
    "Кабель",
    "Лакокрасочные материалы",
    "Упаковка",
    "Инструмент",
    "Бытовая химия",
    "Светильники",
    "Трубы ПНД",
    "Подшипники",
    "Фильтры",
    "Запчасти",
    "Канцтовары",
    "Мебель офисная",
)
LOST_REASONS = (
    "дорого",
    "выбрали конкурента",
    "нет бюджета",
    "сроки не подошли",
    "отложили закупку",
    "не устроило качество",
    "сменился закупщик",
    "не выходят на связь",
)
FACT_TOPICS = ("бизнес", "семья", "хобби", "планы", "праздник")
FACT_TEXTS = (
    "Открывают второй склад весной",
    "Сын поступил в университет",
    "Увлекается рыбалкой",
    "Планируют расширять производство",
    "День рождения компании в июне",
    "Любит хоккей, болеет за СКА",
    "Переезжают в новый офис",
    "Ищут поставщика упаковки",
)
WARMING_TEXTS = (
    "Поздравил с праздником",
    "Отправил статью про новинки",
    "Спросил, как дела на объекте",
    "Поделился полезным контактом",
    "Пригласил на выставку",
    None,
    None,
)
CLOSING_TEXTS = (
    "Заказ в силе?",
    "Счёт актуален?",
    "Готовы двигаться дальше?",
    "КП посмотрели? Да или нет?",
    None,
)
SERVICE_TEXTS = ("Как доставка, всё в порядке?", "Всё ли подошло по заказу?", None)
# what a client says when asked how it is going: all well, or a problem (seed 004)
PROBLEMS = ("Пришла не та комплектация", "Задержали доставку на неделю", "Часть партии с браком")
PROBLEM_SHARE = 0.08


@dataclass
class Stage:
    id: int
    funnel_id: int
    code: str
    position: int
    is_won: bool
    limit_days: int | None


@dataclass
class Funnel:
    id: int
    code: str
    open_stages: list[Stage]
    won: Stage


@dataclass
class DealPlan:
    """One deal as generated: its timeline is a list of (entered ordinal, stage)."""

    client: int
    funnel: Funnel
    status: str
    timeline: list[tuple[int, Stage]]
    closed_on: int | None  # ordinal
    amount_minor: int | None
    title: str
    lost_reason: str | None = None
    expected_on: int | None = None
    follow_up_on: int | None = None
    id: int = 0
    entered: list[int] = field(default_factory=list)  # timeline dates, for bisect


@dataclass
class Counts:
    clients: int
    deals: int
    touches: int


class Dates:
    """ISO text for day ordinals, cached: the generator formats each day many times."""

    def __init__(self) -> None:
        self._iso: dict[int, str] = {}
        self._noon: dict[int, dt.datetime] = {}

    def iso(self, day: int) -> str:
        text = self._iso.get(day)
        if text is None:
            text = self._iso[day] = dt.date.fromordinal(day).isoformat()
        return text

    def at(self, day: int, rng: random.Random) -> str:
        """A naive UTC timestamp on ``day`` during Moscow working hours (06:00-16:00 UTC)."""
        base = self._noon.get(day)
        if base is None:
            base = self._noon[day] = dt.datetime.combine(dt.date.fromordinal(day), dt.time(6, 0))
        return db_datetime(base + dt.timedelta(seconds=rng.randrange(10 * 3600)))


def load_funnels(db: Database) -> dict[str, Funnel]:
    stages: dict[int, list[Stage]] = {}
    codes: dict[int, str] = {}
    for r in db.rows(
        "SELECT s.id, s.funnel_id, f.code AS funnel, s.code, s.position, s.is_won, s.limit_days "
        "FROM stage s JOIN funnel f ON f.id = s.funnel_id ORDER BY s.funnel_id, s.position"
    ):
        codes[r["funnel_id"]] = r["funnel"]
        stages.setdefault(r["funnel_id"], []).append(
            Stage(
                r["id"],
                r["funnel_id"],
                r["code"],
                r["position"],
                bool(r["is_won"]),
                r["limit_days"],
            )
        )
    funnels = {}
    for funnel_id, listed in stages.items():
        won = [s for s in listed if s.is_won]
        funnels[codes[funnel_id]] = Funnel(
            funnel_id, codes[funnel_id], [s for s in listed if not s.is_won], won[0]
        )
    missing = set(FUNNEL_WEIGHTS) - set(funnels)
    if missing:
        raise SystemExit(f"the database lacks the default funnels {sorted(missing)}")
    return funnels


def person_name(rng: random.Random) -> str:
    female = rng.random() < 0.45
    first = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
    surname = rng.choice(SURNAMES)
    patronymic = rng.choice(PATRONYMIC_ROOTS)
    if female:
        return f"{first} {patronymic}на {surname}а"
    return f"{first} {patronymic}ич {surname}"


def company_name(rng: random.Random) -> tuple[str, str]:
    """(the client's short name, its legal name)."""
    form = rng.choice(LEGAL_FORMS)
    if form == "ИП":
        name = person_name(rng)
        first, patronymic, surname = name.split()
        return name, f"ИП {surname} {first[0]}. {patronymic[0]}."
    short = rng.choice(COMPANY_WORDS_A) + rng.choice(COMPANY_WORDS_B)
    if rng.random() < 0.3:
        short = f"{short}-{rng.choice(CITIES).split('-')[0]}"
    return short, f"{form} «{short}»"


def phone(rng: random.Random) -> str:
    n = rng.randrange(10**9)
    return f"+7 9{n // 10**7:02d} {n // 10**4 % 1000:03d}-{n // 100 % 100:02d}-{n % 100:02d}"


def amount(rng: random.Random, category: str) -> int | None:
    if rng.random() < 0.05:
        return None
    scale = {"A": 4.0, "B": 1.8, "C": 1.0}[category]
    rubles = math.exp(rng.uniform(math.log(5_000), math.log(600_000))) * scale
    return round(rubles, -2) * 100


def stage_days(rng: random.Random, stage: Stage) -> int:
    """How long a deal sat in a stage before moving on."""
    mean = (stage.limit_days or 3) * 1.6
    return min(int(rng.expovariate(1 / mean)), 60)


def open_age(rng: random.Random) -> int:
    """Days an open deal has sat in its current stage: mostly fresh, some long stuck."""
    bucket = rng.random()
    if bucket < 0.40:
        return rng.randint(0, 3)
    if bucket < 0.70:
        return rng.randint(4, 14)
    if bucket < 0.90:
        return rng.randint(15, 60)
    return rng.randint(61, 300)


def plan_deal(
    rng: random.Random, client: int, category: str, funnels: dict[str, Funnel], today: int
) -> DealPlan:
    funnel = funnels[rng.choices(FUNNEL_CODES, cum_weights=FUNNEL_CUM)[0]]
    status = rng.choices(STATUS_CODES, cum_weights=STATUS_CUM)[0]
    stages = funnel.open_stages
    start = 1 if funnel.code == "repeat" and rng.random() < 0.3 else 0
    if status == "won":
        path = [
            s for i, s in enumerate(stages) if i >= start and (i == start or rng.random() > 0.1)
        ]
    elif status == "lost":
        # most refusals come early in the funnel
        last = start + min(int(rng.expovariate(0.9)), len(stages) - 1 - start)
        path = stages[start : last + 1]
    else:
        last = rng.randint(start, len(stages) - 1)
        path = stages[start : last + 1]
    held = [stage_days(rng, s) for s in path]
    if status == "open":
        end = today - open_age(rng)  # when the current stage was entered
        held[-1] = 0
    else:
        end = today - 1 - int(rng.random() ** 1.25 * (HISTORY_DAYS - 1))  # the closing day
    timeline = []
    day = end - sum(held)
    for stage, days in zip(path, held, strict=True):
        timeline.append((day, stage))
        day += days
    title = rng.choice(PRODUCTS)
    if rng.random() < 0.4:
        title = f"{title}, {rng.choice(('партия', 'заказ', 'поставка'))} {rng.randint(1, 12)}"
    deal = DealPlan(
        client=client,
        funnel=funnel,
        status=status,
        timeline=timeline,
        closed_on=None if status == "open" else end,
        amount_minor=amount(rng, category),
        title=title,
    )
    if status == "won":
        deal.timeline.append((end, funnel.won))
    elif status == "lost":
        deal.lost_reason = rng.choice(LOST_REASONS)
    elif rng.random() < 0.5:
        deal.expected_on = end + rng.randint(3, 45)
    deal.entered = [d for d, _ in deal.timeline]
    return deal


def weighted_picker(rng: random.Random, weights: list[float]) -> Any:
    cum = list(accumulate(weights))
    total = cum[-1]
    hi = len(cum) - 1

    def pick() -> int:
        return bisect.bisect_right(cum, rng.random() * total, 0, hi)

    return pick


def generate(
    out: Path, *, clients: int, deals: int, touches: int, seed: int, today: dt.date
) -> dict[str, int]:
    """Create ``out`` (a new file) and fill it; returns rows per table."""
    rng = random.Random(seed)
    db = open_database(resolve_location(str(out)))
    try:
        return _fill(db, rng, Counts(clients, deals, touches), today)
    finally:
        db.close()


def _fill(db: Database, rng: random.Random, n: Counts, today_date: dt.date) -> dict[str, int]:
    today = today_date.toordinal()
    dates = Dates()
    funnels = load_funnels(db)

    # -- clients -------------------------------------------------------------------
    categories = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()), k=n.clients)
    created = [today - rng.randint(30, HISTORY_DAYS + 90) for _ in range(n.clients)]
    pick_client = weighted_picker(rng, [DEALS_PER_CLIENT_WEIGHT[c] for c in categories])

    # -- deals ---------------------------------------------------------------------
    plans = []
    for _ in range(n.deals):
        cid = pick_client()
        plans.append(plan_deal(rng, cid + 1, categories[cid], funnels, today))
    plans.sort(key=lambda d: d.entered[0])
    has_open = [False] * n.clients
    for i, deal in enumerate(plans, start=1):
        deal.id = i
        index = deal.client - 1
        created[index] = min(created[index], deal.entered[0])
        has_open[index] = has_open[index] or deal.status == "open"
    archived = {i for i in range(n.clients) if not has_open[i] and rng.random() < 0.03}

    # -- touches on deals: the ones the history implies, then the in-between ones ---
    touch_rows: list[tuple[Any, ...]] = []
    deal_budget = int(n.touches * DEAL_TOUCH_SHARE) if plans else 0

    def add_touch(
        cid: int,
        deal_id: int | None,
        stage_id: int | None,
        day: int,
        kind: str,
        outcome: str,
        reason: str | None = None,
        follow: int | None = None,
        answer: str | None = None,
    ) -> None:
        texts = (
            WARMING_TEXTS
            if kind == "warming"
            else SERVICE_TEXTS
            if kind == "service"
            else CLOSING_TEXTS
        )
        channel = rng.choices(CHANNELS, cum_weights=CHANNEL_CUM)[0]
        touch_rows.append(
            (
                dates.at(day, rng),
                cid,
                deal_id,
                stage_id,
                dates.iso(day),
                kind,
                channel,
                outcome,
                reason,
                None if follow is None else dates.iso(follow),
                rng.choice(texts),
                answer,
            )
        )

    for deal in plans:
        if len(touch_rows) >= deal_budget:
            break
        steps = deal.timeline
        for (_day, stage), (next_day, _next) in pairwise(steps):
            if rng.random() < 0.6:  # the client said yes, and the deal moved on
                add_touch(deal.client, deal.id, stage.id, next_day, "closing", "yes")
        if deal.status == "lost" and rng.random() < 0.7:
            stage = steps[-1][1]
            add_touch(
                deal.client, deal.id, stage.id, deal.closed_on, "closing", "no", deal.lost_reason
            )
        if deal.status == "open" and rng.random() < 0.25:
            entered, stage = steps[-1]
            on = rng.randint(entered, today)
            deal.follow_up_on = on + rng.randint(1, 21)
            add_touch(
                deal.client, deal.id, stage.id, on, "closing", "later", None, deal.follow_up_on
            )
    while len(touch_rows) < deal_budget:
        deal = plans[rng.randrange(len(plans))]
        end = deal.closed_on if deal.closed_on is not None else today
        on = rng.randint(deal.entered[0], end)
        at = bisect.bisect_right(deal.entered, on) - 1
        stage = deal.timeline[at][1]
        if stage.is_won:  # paid that day: the touch was still on the stage before
            stage = deal.timeline[at - 1][1]
        current = deal.status == "open" and at == len(deal.timeline) - 1
        kind = "warming" if deal.funnel.code == "first" and rng.random() < 0.5 else "closing"
        roll = rng.random()
        if kind == "closing" and not current and roll < 0.15 and on < end:
            follow = on + rng.randint(2, 14)
            add_touch(deal.client, deal.id, stage.id, on, kind, "later", None, follow)
        else:
            outcome = "no_answer" if roll < 0.55 else "pending"
            add_touch(deal.client, deal.id, stage.id, on, kind, outcome)
    deal_touches = len(touch_rows)

    # -- client-level touches: warming, service after payment, reorder asks ---------
    won = [d for d in plans if d.status == "won"]
    while len(touch_rows) < n.touches:
        roll = rng.random()
        if roll < 0.15 and won:
            deal = won[rng.randrange(len(won))]
            on = min(deal.closed_on + rng.randint(3, 40), today)  # type: ignore[operator]
            outcome = rng.choice(("yes", "pending"))
            answer = reason = None
            if outcome == "yes":  # the client answered: all well, or a problem
                problem = rng.random() < PROBLEM_SHARE
                answer = "problem" if problem else "ok"
                reason = rng.choice(PROBLEMS) if problem else None
            add_touch(deal.client, None, None, on, "service", outcome, reason, None, answer)
            continue
        cid = pick_client() + 1
        on = rng.randint(created[cid - 1], today)
        if roll < 0.80:
            add_touch(cid, None, None, on, "warming", "pending" if rng.random() < 0.6 else "yes")
            continue
        outcome = rng.choices(("no_answer", "later", "no", "yes"), (40, 20, 15, 25))[0]
        follow = on + rng.randint(3, 30) if outcome == "later" else None
        add_touch(cid, None, None, on, "closing", outcome, None, follow)

    # -- rows ----------------------------------------------------------------------
    client_rows = []
    person_rows = []
    fact_rows = []
    for i in range(n.clients):
        cid = i + 1
        short, legal = company_name(rng)
        city = rng.choice(CITIES)
        client_rows.append(
            (
                cid,
                short,
                search_key(short, legal),
                legal,
                categories[i],
                rng.choice(INDUSTRIES),
                rng.choice(SOURCES),
                phone(rng),
                f"info{cid}@example.ru" if rng.random() < 0.8 else None,
                f"г. {city}, {rng.choice(STREETS)}, д. {rng.randint(1, 120)}",
                "Платят с задержкой" if rng.random() < 0.05 else None,
                "archived" if i in archived else "active",
                dates.iso(created[i]),
            )
        )
        people = rng.choices((0, 1, 2), (20, 50, 30))[0]
        for _ in range(people):
            birthday = None
            if rng.random() < 0.4:
                birthday = dt.date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
            person_rows.append(
                (
                    cid,
                    person_name(rng),
                    rng.choice(ROLES),
                    phone(rng),
                    None if birthday is None else birthday.isoformat(),
                )
            )
        if rng.random() < 0.3:
            noted = rng.randint(created[i], today)
            fact_rows.append(
                (cid, rng.choice(FACT_TOPICS), rng.choice(FACT_TEXTS), dates.iso(noted))
            )

    deal_rows = []
    change_rows: list[tuple[Any, ...]] = []
    for deal in plans:
        first_day, first_stage = deal.timeline[0]
        last_day, last_stage = deal.timeline[-1]
        deal_rows.append(
            (
                deal.id,
                deal.client,
                deal.funnel.id,
                last_stage.id,
                deal.title,
                deal.amount_minor,
                "RUB",
                deal.status,
                dates.iso(first_day),
                dates.iso(last_day),
                None if deal.expected_on is None else dates.iso(deal.expected_on),
                None if deal.closed_on is None else dates.iso(deal.closed_on),
                deal.lost_reason,
                None if deal.follow_up_on is None else dates.iso(deal.follow_up_on),
            )
        )
        change_rows.append(
            (
                dates.at(first_day, rng),
                deal.id,
                "open",
                None,
                first_stage.id,
                dates.iso(first_day),
                None,
            )
        )
        for (_day, stage), (day, to) in pairwise(deal.timeline):
            event = "win" if to.is_won else "move"
            change_rows.append(
                (dates.at(day, rng), deal.id, event, stage.id, to.id, dates.iso(day), None)
            )
        if deal.status == "lost":
            day = deal.closed_on
            change_rows.append(
                (
                    dates.at(day, rng),  # type: ignore[arg-type]
                    deal.id,
                    "lose",
                    last_stage.id,
                    None,
                    dates.iso(day),  # type: ignore[arg-type]
                    deal.lost_reason,
                )
            )
    # a small catalog (two backend products), related products, and the products of each
    # paid deal; from their own random stream, so the rest of the data does not change
    catalog_rng = random.Random(rng.random())
    product_rows = [
        (pid, name, name.casefold(), price, "RUB", int(backend))
        for pid, (name, price, backend) in enumerate(CATALOG, start=1)
    ]
    sellable = [row[0] for row in product_rows if not row[5]]
    link_rows = [(a, b) for a, b in PRODUCT_LINKS]
    deal_product_rows = sorted(
        {
            (row[0], catalog_rng.choice(sellable))
            for row in deal_rows
            if row[7] == "won"
            for _ in range(catalog_rng.randint(1, 2))
        }
    )
    # ids follow time, as if the history had been typed in day by day
    change_rows.sort(key=lambda r: r[0])
    touch_rows.sort(key=lambda r: r[0])

    # Rows are consistent by construction: skip the per-row foreign key lookups (checked
    # once at the end instead) and give SQLite room to keep the indexes in memory. The
    # secondary indexes are dropped and made again after the rows are in (one sorted
    # build each, instead of millions of inserts at random places), and the new file is
    # written without a journal: a generator that fails leaves a file to delete anyway.
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB
    indexes = db.rows(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('client', 'person', 'fact', 'deal', 'stage_change', 'touch', "
        "'product', 'product_link', 'deal_product')"
    )
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    for index in indexes:
        db.execute(f'DROP INDEX "{index["name"]}"')
    with db.transaction():
        db.executemany(
            "INSERT INTO client (id, name, search_key, company, category, industry, source, phone, "
            "email, address, notes, status, created_on) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            client_rows,
        )
        db.executemany(
            "INSERT INTO person (client_id, name, role, phone, birthday) VALUES (?,?,?,?,?)",
            person_rows,
        )
        db.executemany(
            "INSERT INTO fact (client_id, topic, text, noted_on) VALUES (?,?,?,?)", fact_rows
        )
        db.executemany(
            "INSERT INTO deal (id, client_id, funnel_id, stage_id, title, amount_minor, currency, "
            "status, opened_on, stage_entered_on, expected_on, closed_on, lost_reason, "
            "follow_up_on) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            deal_rows,
        )
        db.executemany(
            "INSERT INTO stage_change (at, deal_id, event, from_stage_id, to_stage_id, on_date, "
            "reason) VALUES (?,?,?,?,?,?,?)",
            change_rows,
        )
        db.executemany(
            "INSERT INTO touch (at, client_id, deal_id, stage_id, on_date, kind, channel, "
            "outcome, reason, follow_up_on, text, answer) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            touch_rows,
        )
        db.executemany(
            "INSERT INTO product (id, name, search_key, price_minor, currency, is_backend) "
            "VALUES (?,?,?,?,?,?)",
            product_rows,
        )
        db.executemany("INSERT INTO product_link (product_id, related_id) VALUES (?,?)", link_rows)
        db.executemany(
            "INSERT INTO deal_product (deal_id, product_id) VALUES (?,?)", deal_product_rows
        )
    for index in indexes:
        db.execute(index["sql"])
    with db.transaction():
        refresh_activity(db, None)  # every client's activity, as povtor's writes keep it
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    broken = db.rows("PRAGMA foreign_key_check")
    if broken:
        raise RuntimeError(f"generated rows break foreign keys: {[tuple(r) for r in broken[:5]]}")
    # no ANALYZE: povtor never runs it, so users' databases have no sqlite_stat1 either
    return {
        "clients": len(client_rows),
        "people": len(person_rows),
        "facts": len(fact_rows),
        "deals": len(deal_rows),
        "stage changes": len(change_rows),
        "touches": len(touch_rows),
        "touches on deals": deal_touches,
        "products": len(product_rows),
        "deal products": len(deal_product_rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the database file to create")
    parser.add_argument(
        "--size",
        choices=sorted(PRESET_ALIASES),
        help="a preset: large (10,000/50,000/300,000) or real = 8800 (2,000/8,800/50,000)",
    )
    parser.add_argument("--clients", type=int, help="number of clients")
    parser.add_argument("--deals", type=int, help="number of deals")
    parser.add_argument("--touches", type=int, help="number of touches")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--today", default=DEFAULT_TODAY, help=f"default {DEFAULT_TODAY}")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args(argv)
    preset = PRESETS[PRESET_ALIASES[args.size or "large"]]
    clients = args.clients or preset[0]
    deals = args.deals if args.deals is not None else preset[1]
    touches = args.touches if args.touches is not None else preset[2]
    if clients < 1 or deals < 0 or touches < 0:
        parser.error("need at least one client, and no negative counts")
    out: Path = args.out
    if out.exists():
        if not args.force:
            parser.error(f"{out} exists (use --force to replace it)")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{out}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    counts = generate(
        out,
        clients=clients,
        deals=deals,
        touches=touches,
        seed=args.seed,
        today=dt.date.fromisoformat(args.today),
    )
    took = time.perf_counter() - started
    listed = ", ".join(f"{v:,} {k}" for k, v in counts.items())
    print(f"{out}: {listed} in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

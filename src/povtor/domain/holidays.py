"""Russian professional holidays: a perks calendar for a B2B seller (seed 001).

Seed 001's simplest perk: pick four holidays a year tied to the client's industry
(Geologist's Day, Buyer's Day...) and send a card or a small gift each quarter. Each
holiday here is a rule (a fixed date, the Nth or last weekday of a month, or a day of
the year), so its date is computed for any year, with industry keywords that match a
client's industry.

Matching: the client's industry and the keyword are folded (:func:`povtor.text.fold`:
any case, ё = е), and the keyword must start a word of the industry: «строит» matches
«дорожное строительство», «газов» matches «газовая промышленность» but not «магазин».
The keyword ``*`` matches every client. Users add their own links (the
``holiday_industry`` table: ``povtor perks link``); a link adds to the built-in
keywords, it never removes one.

Dates follow the decrees and the tradition of each holiday; the unofficial but widely
kept ones (Accountant's Day, Supply Day, Insurer's Day...) are marked so in ``note``.
Nothing here touches a database or the clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from povtor.errors import Ambiguous, InvalidInput, NotFound
from povtor.i18n import _
from povtor.records import record
from povtor.text import fold

EVERY_INDUSTRY = "*"  # a keyword that matches every client, with or without an industry
WEEKDAYS_RU = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS_EN = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}
MONTHS_EN = tuple(calendar.month_name)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@record(frozen=True)
class Holiday:
    """One professional holiday and the rule that gives its date in any year."""

    code: str
    name_ru: str
    name_en: str
    month: int = 1
    day: int | None = None  # a fixed date: ``month``/``day``
    weekday: int | None = None  # or the ``nth`` ``weekday`` (0 = Monday) of ``month``
    nth: int | None = None  # 1..4, or -1 for the last one
    day_of_year: int | None = None  # or the Nth day of the year (Programmer's Day: 256)
    keywords: tuple[str, ...] = ()  # folded word beginnings of the industries it suits
    note: str = ""

    def date_in(self, year: int) -> dt.date:
        """The holiday's date in ``year``."""
        if self.day_of_year is not None:
            return dt.date(year, 1, 1) + dt.timedelta(days=self.day_of_year - 1)
        if self.day is not None:
            return dt.date(year, self.month, self.day)
        assert self.weekday is not None and self.nth is not None
        return nth_weekday(year, self.month, self.weekday, self.nth)

    @property
    def rule(self) -> str:
        """The rule in words: «2nd Sunday of August», «21 November», «256th day of the year»."""
        if self.day_of_year is not None:
            return f"{self.day_of_year}th day of the year"
        if self.day is not None:
            return f"{self.day} {MONTHS_EN[self.month]}"
        assert self.weekday is not None and self.nth is not None
        return f"{ORDINALS_EN[self.nth]} {WEEKDAYS_EN[self.weekday]} of {MONTHS_EN[self.month]}"

    @property
    def greeting_ru(self) -> str:
        """The name after «поздравляем с»: «День строителя» -> «Днём строителя»."""
        return congratulation_form(self.name_ru)


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The ``nth`` ``weekday`` (0 = Monday) of a month; ``nth = -1``: the last one."""
    if nth == -1:
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
    if not 1 <= nth <= 5:
        raise ValueError(f"nth must be 1..5 or -1, not {nth}")
    first = dt.date(year, month, 1)
    found = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    if found.month != month:
        raise ValueError(f"{year}-{month:02d} has no {ORDINALS_EN[nth]} {WEEKDAYS_EN[weekday]}")
    return found


def congratulation_form(name: str) -> str:
    """«День X» -> «Днём X», «Международный день X» -> «Международным днём X»."""
    for plain, instrumental in (
        ("Международный день ", "Международным днём "),
        ("Всемирный день ", "Всемирным днём "),
        ("День ", "Днём "),
    ):
        if name.startswith(plain):
            return instrumental + name[len(plain) :]
    return name


def _fixed(code: str, ru: str, en: str, month: int, day: int, *kw: str, note: str = "") -> Holiday:
    return Holiday(code, ru, en, month=month, day=day, keywords=kw, note=note)


def _nth(code: str, ru: str, en: str, nth: int, weekday: int, month: int, *kw: str) -> Holiday:
    return Holiday(code, ru, en, month=month, weekday=weekday, nth=nth, keywords=kw)


UNOFFICIAL = "not set by decree, but widely kept"

# In calendar order. Keywords are folded (ё -> е) word beginnings.
HOLIDAYS: tuple[Holiday, ...] = (
    _fixed("press", "День российской печати", "Russian Press Day", 1, 13,
           "полиграф", "типограф", "издат", "печатн", "сми"),
    _fixed("science", "День российской науки", "Russian Science Day", 2, 8,
           "наук", "научн", "нии", "исследоват"),
    _fixed("civil_aviation", "День работника гражданской авиации", "Civil Aviation Day", 2, 9,
           "авиа", "аэропорт"),
    _nth("geodesy", "День работников геодезии и картографии", "Geodesy and Cartography Day",
         2, SUN, 3, "геодез", "картограф", "кадастр", "изыскан"),
    _nth("housing", "День работников бытового обслуживания населения и жилищно-коммунального "
         "хозяйства", "Housing and Utilities Workers' Day", 3, SUN, 3,
         "жкх", "жилищ", "коммунальн", "тсж", "управляющая компания", "бытов"),
    _fixed("culture", "День работника культуры", "Culture Workers' Day", 3, 25,
           "культур", "музе", "театр", "библиотек"),
    _nth("geologist", "День геолога", "Geologist's Day", 1, SUN, 4,
         "геолог", "изыскан", "недропольз", "буров"),
    _fixed("radio", "День радио", "Radio Day (communications workers)", 5, 7,
           "связь", "связи", "телеком", "радио", "интернет-провайдер"),
    _fixed("entrepreneur", "День российского предпринимательства",
           "Russian Entrepreneurship Day", 5, 26),
    _nth("chemist", "День химика", "Chemist's Day", -1, SUN, 5,
         "хими", "нефтехим", "лакокрас", "пластмасс", "полимер"),
    _nth("light_industry", "День работников текстильной и лёгкой промышленности",
         "Textile and Light Industry Day", 2, SUN, 6,
         "текстил", "легкая промышленность", "швейн", "обувн", "одежд"),
    _nth("medic", "День медицинского работника", "Medical Workers' Day", 3, SUN, 6,
         "медиц", "клиник", "больниц", "поликлиник", "стоматолог", "здравоохран"),
    _nth("fleet", "День работников морского и речного флота", "Sea and River Fleet Day",
         1, SUN, 7, "морск", "речн", "судоход", "портов", "флот"),
    _nth("fishery", "День работников рыбного хозяйства", "Fishery Workers' Day", 2, SUN, 7,
         "рыб"),
    _nth("metallurgist", "День металлурга", "Metallurgist's Day", 3, SUN, 7,
         "металл"),
    _nth("trade", "День работников торговли", "Trade Workers' Day", 4, SAT, 7,
         "торгов", "ритейл", "розниц", "оптов", "магазин", "дистрибуц"),
    _nth("railway", "День железнодорожника", "Railway Workers' Day", 1, SUN, 8,
         "железнодорож", "ржд", "вагон"),
    _nth("builder", "День строителя", "Builder's Day", 2, SUN, 8,
         "строит", "стройматериал", "девелоп", "жби", "кровел", "отделочн"),
    _nth("air_fleet", "День Воздушного флота России", "Russian Air Fleet Day", 3, SUN, 8,
         "авиа"),
    _nth("miner", "День шахтёра", "Miner's Day", -1, SUN, 8,
         "шахт", "уголь", "угольн", "горнодобыв", "горноруд", "рудник"),
    _nth("oil_gas", "День работников нефтяной и газовой промышленности", "Oil and Gas Workers' Day",
         1, SUN, 9, "нефт", "газов", "газодобы", "газоснаб", "газотранспорт", "азс", "топлив"),
    _fixed("finance", "День финансиста", "Financier's Day", 9, 8,
           "финанс", "банк", "инвест", "лизинг", "микрофинанс"),
    Holiday("programmer", "День программиста", "Programmer's Day", day_of_year=256,
            keywords=("програм", "it", "ит-", "айти", "софт", "информационн")),
    _nth("forest", "День работников леса и лесоперерабатывающей промышленности",
         "Forestry Workers' Day", 3, SUN, 9,
         "лесн", "лесозагот", "лесопил", "лесопром", "лесоперераб", "деревообраб", "пиломатериал",
         "целлюлоз"),
    _fixed("tourism", "Всемирный день туризма", "World Tourism Day", 9, 27,
           "туризм", "туроператор", "турагент", "гостиниц", "отел"),
    _fixed("nuclear", "День работника атомной промышленности", "Nuclear Industry Day", 9, 28,
           "атомн", "ядерн"),
    _nth("machine_builder", "День машиностроителя", "Machine Builder's Day", -1, SUN, 9,
         "машиностро", "станк", "приборостро", "металлообраб"),
    _fixed("teacher", "День учителя", "Teacher's Day", 10, 5,
           "образован", "школ", "учебн", "обучен", "колледж", "гимнази", "детский сад"),
    _fixed("insurer", "День страховщика", "Insurer's Day", 10, 6, "страхов", note=UNOFFICIAL),
    _nth("agriculture", "День работника сельского хозяйства и перерабатывающей промышленности",
         "Agriculture Workers' Day", 2, SUN, 10,
         "сельск", "агро", "аграр", "кфх", "фермер", "животновод", "растениевод", "птицевод",
         "зерн", "тепличн"),
    _nth("food_industry", "День работников пищевой промышленности", "Food Industry Day",
         3, SUN, 10, "пищев", "хлебозавод", "хлебопек", "пекар", "молочн", "мясн", "мясоперераб",
         "кондитер", "консерв", "пивовар"),
    _fixed("chef", "Международный день повара", "International Chefs Day", 10, 20,
           "общепит", "общественное питание", "ресторан", "кафе", "кейтеринг", "столов", "кофейн",
           "пиццер", "бистро"),
    _fixed("advertising", "День работников рекламы", "Advertising Workers' Day", 10, 23,
           "реклам", "маркетинг", note=UNOFFICIAL),
    _fixed("customs", "День таможенника", "Customs Officer's Day", 10, 25, "таможен", "вэд"),
    _nth("road_workers", "День работников дорожного хозяйства", "Road Workers' Day", -1, SUN, 10,
         "дорожн", "дорог"),
    _nth("motorist", "День автомобилиста", "Motorist's Day (road transport workers)", -1, SUN, 10,
         "автотранспорт", "автомобил", "автобаз", "автопарк", "автоколонн", "автосервис",
         "грузоперевоз", "такси", "автодилер", "автосалон", "автозапчаст"),
    _fixed("transport", "День работника транспорта", "Transport Workers' Day", 11, 20,
           "транспорт", "логист", "перевоз", "грузоперевоз", "экспедир", "склад"),
    _fixed("accountant", "День бухгалтера", "Accountant's Day", 11, 21,
           "бухгалтер", "аудит", "налог", note=UNOFFICIAL),
    _fixed("lawyer", "День юриста", "Lawyer's Day", 12, 3,
           "юрид", "юрист", "правов", "адвокат", "нотари"),
    _fixed("supply", "День снабженца", "Supply Day (buyers and procurement)", 12, 19,
           "снабжен", "закуп", note=UNOFFICIAL),
    _fixed("power", "День энергетика", "Power Engineer's Day", 12, 22,
           "энерг", "электр", "тэц", "гэс"),
)  # fmt: skip
BY_CODE: dict[str, Holiday] = {h.code: h for h in HOLIDAYS}


# -- dates -----------------------------------------------------------------------------
def holiday_date(holiday: Holiday | str, year: int) -> dt.date:
    """The date of a holiday (or of its code) in ``year``."""
    found = BY_CODE[holiday] if isinstance(holiday, str) else holiday
    return found.date_in(year)


def holidays_of_year(year: int) -> list[tuple[dt.date, Holiday]]:
    """Every holiday of ``year`` with its date, in date order."""
    return sorted(((h.date_in(year), h) for h in HOLIDAYS), key=lambda p: (p[0], p[1].code))


def holidays_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, Holiday]]:
    """The holidays dated from ``start`` to ``end`` (both included), in date order."""
    found = [
        (day, holiday)
        for year in range(start.year, end.year + 1)
        for day, holiday in holidays_of_year(year)
        if start <= day <= end
    ]
    return found


def on_day(month: int, day: int, year: int) -> dt.date:
    """A yearly date in ``year``; 29 February is kept on 28 February in other years."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return dt.date(year, month, day)


# -- industries ------------------------------------------------------------------------
_SPACES = re.compile(r"\s+")


def normalise_keyword(text: str) -> str:
    """A keyword as stored: folded, single spaces; ``*`` stays ``*``."""
    keyword = _SPACES.sub(" ", fold(text)).strip()
    if not keyword:
        raise InvalidInput(
            _("the industry keyword is empty"), hint=_("give the beginning of a word, e.g. строит")
        )
    return keyword


@lru_cache(maxsize=4096)
def _pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(keyword))


def keyword_matches(keyword: str, industry: str | None) -> bool:
    """Whether a folded keyword starts a word of the industry (``*``: every client)."""
    if keyword == EVERY_INDUSTRY:
        return True
    if not industry:
        return False
    return _pattern(keyword).search(fold(industry)) is not None


def keywords_of(holiday: Holiday, links: Mapping[str, Iterable[str]]) -> tuple[str, ...]:
    """The built-in keywords of a holiday, then the user's own links (``links[code]``)."""
    own = [k for k in links.get(holiday.code, ()) if k not in holiday.keywords]
    return (*holiday.keywords, *sorted(set(own)))


def matching_holidays(
    industry: str | None,
    links: Mapping[str, Iterable[str]] | None = None,
    among: Iterable[Holiday] = HOLIDAYS,
) -> list[Holiday]:
    """The holidays (of ``among``) whose keywords or the user's links match an industry."""
    links = links or {}
    return [h for h in among if any(keyword_matches(k, industry) for k in keywords_of(h, links))]


def find_holiday(ref: str) -> Holiday:
    """A holiday by its code (``geologist``) or part of its Russian or English name."""
    raw = ref.strip()
    how = "list them with: povtor perks holidays"
    code = raw.lower().replace("-", "_")
    if code in BY_CODE:
        return BY_CODE[code]
    key = fold(raw)
    if not key:
        raise NotFound(_("empty holiday name"), hint=how)
    found = [h for h in HOLIDAYS if key in fold(h.name_ru) or key in fold(h.name_en)]
    # a word's beginning before a part of a word: «строител» is builder, not machine_builder
    starting = [
        h for h in found if keyword_matches(key, h.name_ru) or keyword_matches(key, h.name_en)
    ]
    found = starting or found
    if not found:
        raise NotFound(_("no holiday matches {ref}").format(ref=repr(ref)), hint=how)
    if len(found) > 1:
        shown = "; ".join(f"{h.code} ({h.name_ru})" for h in found[:5])
        raise Ambiguous(
            _("{ref} matches {n} holidays: {shown}").format(
                ref=repr(ref), n=len(found), shown=shown
            ),
            hint=_("name the holiday by its code"),
        )
    return found[0]

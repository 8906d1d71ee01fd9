"""How a message draft writes numbers: money, days and Russian number agreement.

Russian drafts write money the Russian way, «1 465 618,20 ₽» (digits grouped by a
no-break space, a decimal comma, the rouble sign; another currency keeps its ISO code:
«1 200,50 USD») and days with the noun agreeing with the number: «1 день», «2 дня»,
«6 дней». English drafts: «1,465,618.20 RUB», «1 day», «6 days». A whole amount drops
its kopecks: «125 000 ₽», «125,000 RUB». A no-break space (U+00A0) groups the digits and
ties every number to its unit, in both languages.
"""

from __future__ import annotations

NBSP = "\u00a0"  # groups digits and ties a number to its unit: never split over two lines
MINOR_UNITS = 100


def counted(n: int, one: str, many: str) -> str:
    """A number with its English noun: "1 deal", "2 deals", "0 deals"."""
    return f"{n} {one if n == 1 else many}"


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian form of a noun after the number ``n``: 1 день, 2 дня, 5 дней, 11 дней,
    21 день, 22 дня, 111 дней."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def days_text(n: int, lang: str) -> str:
    """«6 дней», «1 день» (ru); "6 days", "1 day" (en)."""
    if lang == "en":
        return f"{n}{NBSP}day" if abs(n) == 1 else f"{n}{NBSP}days"
    return f"{n}{NBSP}{plural_ru(n, 'день', 'дня', 'дней')}"


def amount_text(minor: int, lang: str) -> str:
    """An amount in minor units as a draft writes it: «1 465 618,20» (ru), «1,465,618.20»
    (en); a whole amount without its kopecks: «125 000», «125,000»."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), MINOR_UNITS)
    grouped = f"{whole:,}"
    if lang == "en":
        return sign + grouped + (f".{cents:02d}" if cents else "")
    return sign + grouped.replace(",", NBSP) + (f",{cents:02d}" if cents else "")


def currency_text(code: str, lang: str) -> str:
    """The rouble as Russians write it (₽) in a Russian draft; any other currency, and
    every currency in an English draft, by its ISO code."""
    return "₽" if lang != "en" and code.upper() == "RUB" else code.upper()


def money_text(minor: int, currency: str, lang: str) -> str:
    """«1 465 618,20 ₽», «1 200 USD» (ru); «1,465,618.20 RUB» (en)."""
    return f"{amount_text(minor, lang)}{NBSP}{currency_text(currency, lang)}"

"""Write src/povtor/domain/production_calendar.py from the `holidays` package.

    pip install holidays && python scripts/make_production_calendar.py

The Russian production calendar: the weekdays that are days off (public holidays and the
days off moved onto weekdays) and the weekend days that are working days (the moved
working Saturdays). povtor reads the generated table, so the package is needed only to
make it again (each year, when the government publishes the next year's transfers).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import holidays
from holidays.countries.russia import Russia

FIRST, LAST = 2000, 2030
TARGET = Path(__file__).resolve().parents[1] / "src/povtor/domain/production_calendar.py"


def _lines(days: list[dt.date]) -> str:
    by_year: dict[int, list[str]] = {}
    for day in days:
        by_year.setdefault(day.year, []).append(f'"{day.isoformat()}"')
    return "".join(f"    {', '.join(items)},\n" for _year, items in sorted(by_year.items()))


def main() -> None:
    russia = Russia(years=range(FIRST, LAST + 1))
    off = sorted(d for d in russia if d.weekday() < 5 and FIRST <= d.year <= LAST)
    working = sorted(d for d in russia.weekend_workdays if FIRST <= d.year <= LAST)
    TARGET.write_text(
        f'"""The Russian production calendar, {FIRST}-{LAST}: made by '
        "scripts/make_production_calendar.py\n"
        f"from the holidays package {holidays.__version__}; do not edit by hand.\n\n"
        "DAYS_OFF: weekdays that are days off (public holidays, and days off moved onto a\n"
        "weekday). WORKING_WEEKENDS: Saturdays and Sundays that are working days.\n"
        '"""\n\n'
        f"FIRST_YEAR = {FIRST}\nLAST_YEAR = {LAST}\n\n"
        f"DAYS_OFF = (\n{_lines(off)})\n\nWORKING_WEEKENDS = (\n{_lines(working)})\n",
        encoding="utf-8",
    )
    print(f"{TARGET}: {len(off)} weekdays off, {len(working)} working weekend days")


if __name__ == "__main__":
    main()

"""``povtor report``: one HTML page whose every figure is the one ``povtor stats`` (or
``plan``) prints for the same period, checked in the HTML and in a real browser."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import htmlcheck
import pngcheck
from chromium import Chromium, find_chromium
from support import TODAY, TZ, Cli, invoke

ENV = {"POVTOR_TODAY": TODAY, "POVTOR_TZ": TZ}  # today: Monday 2026-03-02
MONTH = "2026-02"  # the demo's last whole month
TARGET = "12000000"
MiB = 1 << 20


def povtor(db: Path, *args: str) -> str:
    run = invoke(["--db", str(db), *args], env=ENV)
    assert run.exit_code == 0 and run.exception is None, run.describe()
    return run.stdout


def povtor_on(day: dt.date, db: Path, *args: str) -> str:
    """povtor as of ``day`` (the time of the tests' today)."""
    run = invoke(["--db", str(db), *args], env={**ENV, "POVTOR_TODAY": f"{day}{TODAY[10:]}"})
    assert run.exit_code == 0 and run.exception is None, run.describe()
    return run.stdout


def records(db: Path, *args: str) -> list[dict[str, Any]]:
    return json.loads(povtor(db, *args, "--format", "json"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, its story ending on the tests' today."""
    path = tmp_path_factory.mktemp("report") / "demo.db"
    povtor(path, "demo", str(path))
    return path


@pytest.fixture(scope="module")
def page(demo: Path) -> Path:
    """The demo's report for February, with a target."""
    path = demo.with_name("february.html")
    printed = povtor(
        demo, "report", "--month", MONTH, "--target", TARGET, "--lang", "ru", "-o", str(path)
    )
    assert printed == f"{path}\n"
    return path


# -- reading the figures back --------------------------------------------------------------
class _Figures(HTMLParser):
    """Every element with data-k: its key, data-v and text, as a browser's DOM has them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self._open: list[list[str] | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in htmlcheck.VOID:
            return
        key = values.get("data-k")
        self._open.append([key, values.get("data-v") or "", ""] if key is not None else None)

    def handle_data(self, data: str) -> None:
        for item in self._open:
            if item is not None:
                item[2] += data

    def handle_endtag(self, tag: str) -> None:
        item = self._open.pop()
        if item is not None:
            self.found.append((item[0], item[1], item[2]))


def figures_in_html(html: str) -> list[tuple[str, str, str]]:
    parser = _Figures()
    parser.feed(html)
    return parser.found


RATES = re.compile(
    r"/(to_next|to_paid|win_rate|share|decision_rate|nudge_to_order|repeat_rate|silent_share"
    r"|conversion|cumulative_share|m\d+|progress)$"
)
MONEY = re.compile(r"/(revenue|average_check|spend|acps|volume|paid|target|paid_so_far|remaining)$")


def _number(text: str, lang: str) -> Decimal:
    """A number as the page writes it: 1\u00a0234,5 (ru), 1,234.5 (en)."""
    cleaned = text.replace("%", "").strip()
    if lang == "ru":
        assert re.fullmatch(r"-?\d{1,3}(\u00a0\d{3})*(,\d+)?", cleaned), text
        return Decimal(cleaned.replace("\u00a0", "").replace(",", "."))
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*(\.\d+)?", cleaned), text
    return Decimal(cleaned.replace(",", ""))


def shows(key: str, expected: Any, text: str, lang: str) -> bool:
    """Whether ``text`` on the page shows ``expected`` (a json value) as people read it:
    rates as per cent to one decimal (cohort cells: whole per cent), money in whole
    units, counts and days as they are."""
    text = text.strip()
    if expected is None or expected == "":
        return text == "—"
    if isinstance(expected, bool) or (isinstance(expected, str) and not MONEY.search(key)):
        if RATES.search(key):  # plan target's "41.5%" and "90.8% (fallback)"
            first = expected.split("%")[0]
            return abs(_number(text.split("%")[0], lang) - Decimal(first)) <= Decimal("0.05")
        return text == str(expected)
    if MONEY.search(key):
        whole = Decimal(str(expected)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return _number(text, lang) == whole
    if RATES.search(key):
        shown = _number(text, lang)
        per_cent = Decimal(str(expected)) * 100
        cell = re.search(r"/m\d+$", key) is not None
        return abs(shown - per_cent) <= (Decimal("0.51") if cell else Decimal("0.051"))
    return _number(text, lang) == Decimal(str(expected))


# -- what the commands print ---------------------------------------------------------------
def weeks(month: str, as_of: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """Monday-to-Sunday weeks of the month, cut to it and to the as-of date."""
    day = dt.date.fromisoformat(f"{month}-01")
    last = min((day.replace(day=28) + dt.timedelta(days=4)).replace(day=1), as_of + dt.timedelta(1))
    while day < last:
        end = min(day + dt.timedelta(days=6 - day.weekday()), last - dt.timedelta(days=1))
        yield day, end
        day = end + dt.timedelta(days=1)


NUDGE_KEYS = ("closing", "yes", "no", "later", "no_answer", "pending")
NUDGE_KEYS += ("decision_rate", "nudge_to_order")


def expected_figures(db: Path, month: str, target: str | None) -> dict[str, Any]:
    """Every figure the report shows, keyed as on the page, as the stats command named
    under its part prints it in json."""
    as_of = dt.date.fromisoformat(TODAY[:10])
    date = f"{month}-01"
    period = ("--period", "month", "--date", date)
    found: dict[str, Any] = {}
    for row in records(db, "stats", "funnel", *period):
        for column in ("entered", "moved_on", "to_next", "to_paid", "median_days"):
            found[f"funnel/stages/{row['stage']}/{column}"] = row[column]
        for column in ("mean_days", "now"):
            found[f"funnel/stages/{row['stage']}/{column}"] = row[column]
    (closed,) = records(db, "stats", "funnel", *period, "--part", "closed")
    found |= {f"funnel/closed/{k}": v for k, v in closed.items()}
    for row in records(db, "stats", "funnel", *period, "--part", "reasons"):
        found[f"funnel/reasons/{row['reason']}/lost"] = row["lost"]
        found[f"funnel/reasons/{row['reason']}/share"] = row["share"]
    total = records(db, "stats", "nudges", *period)[0]
    assert total["by"] == "all"
    found |= {f"nudges/all/{k}": total[k] for k in NUDGE_KEYS}
    for start, end in weeks(month, as_of):
        week = records(db, "stats", "nudges", "--from", str(start), "--to", str(end))[0]
        found |= {f"nudges/week/{start}/{k}": week[k] for k in NUDGE_KEYS}
    # plan target as of the month's last day (a month that is over is refused: its
    # payments are all in by then; what is left to do is not shown for it)
    last = (dt.date.fromisoformat(date).replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last -= dt.timedelta(days=1)
    over = last < as_of
    figures = json.loads(
        povtor_on(
            min(last, as_of),
            db,
            "plan",
            "target",
            "--revenue",
            target or "1",
            "--month",
            month,
            "--format",
            "json",
        )
    )
    if over:
        achieved = ("target", "paid_so_far", "paid_deals_so_far", "progress", "remaining")
        figures = {k: v for k, v in figures.items() if k in achieved}
    found["revenue/month/paid"] = figures["paid_so_far"]  # (what plan target counts as paid)
    found["revenue/month/deals"] = figures["paid_deals_so_far"]
    if target is not None:
        found |= {
            f"target/{k}": v
            for k, v in figures.items()
            if k not in ("month", "currency", "conversion_fallback")
        }
    for row in records(db, "stats", "repeat"):
        for column, value in row.items():
            if column not in ("category", "purchases", "mean_days_between"):
                found[f"repeat/{row['category']}/{column}"] = value
    first = dt.date.fromisoformat(date)
    cohort_from = dt.date(first.year - (first.month <= 11), (first.month - 12) % 12 + 1, 1)
    month_end = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    month_end -= dt.timedelta(days=1)
    for row in records(db, "stats", "cohorts", "--from", str(cohort_from), "--to", str(month_end)):
        for column, value in row.items():
            if column != "cohort" and value is not None:  # (None: the month has not come)
                found[f"cohorts/{row['cohort']}/{column}"] = value
    for row in records(db, "stats", "abc", "--top"):
        for column, value in row.items():
            if column not in ("client_id", "differs"):
                found[f"abc/{row['rank']}/{column}"] = value
    for row in records(db, "stats", "cards"):
        for column, value in row.items():
            if column != "category":
                found[f"cards/{row['category']}/{column}"] = value
    perks: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in records(db, "stats", "perks"):
        for group in (row["category"] or "none", "all"):
            perks[group]["clients"] += 1
            perks[group]["at_target"] += row["missing"] == 0
            perks[group]["perks"] += row["perks"]
            perks[group]["missing"] += row["missing"]
    for group, sums in perks.items():
        found |= {f"perks/{group}/{k}": v for k, v in sums.items()}
    for row in records(db, "stats", "sources", *period):
        for column, value in row.items():
            if column not in ("source", "paid_deals"):
                found[f"sources/{row['source']}/{column}"] = value
    return found


def check_figures(
    shown: list[tuple[str, str, str]], db: Path, month: str, target: str | None, lang: str = "ru"
) -> int:
    """Every figure the commands print is on the page with the same value, read as the
    page shows it; every figure on the page is one of them (or what is due, or a week's
    revenue, checked on their own). Returns how many figures were compared."""
    expected = expected_figures(db, month, target)
    on_page: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for key, value, text in shown:
        on_page[key].append((json.loads(value), text))
    missing = sorted(set(expected) - set(on_page))
    assert not missing, f"not on the page: {missing[:10]}"
    wrong = [
        (key, value, text, expected[key])
        for key, seen in on_page.items()
        if key in expected
        for value, text in seen
        if value != expected[key] or not shows(key, expected[key], text, lang)
    ]
    assert not wrong, f"differ from the commands (key, data-v, text, expected): {wrong[:10]}"
    extra = sorted(
        k for k in set(on_page) - set(expected) if not k.startswith(("due/", "revenue/week/"))
    )
    assert not extra, f"on the page but not checked: {extra}"
    weekly = [
        v
        for k, seen in on_page.items()
        if re.fullmatch(r"revenue/week/.*/paid", k)
        for v, _ in seen
    ]
    if weekly and "revenue/month/paid" in expected:
        total = sum(Decimal(v) for v in weekly)
        assert total == Decimal(expected["revenue/month/paid"])
    check_due(shown, db)
    return sum(len(seen) for seen in on_page.values())


def check_due(shown: list[tuple[str, str, str]], db: Path) -> None:
    """The stuck deals and follow-ups listed are those of today's plan, every one."""
    rows: dict[str, dict[str, Any]] = defaultdict(dict)
    for key, value, _text in shown:
        if key.startswith("due/"):
            _due, rule, number, column = key.split("/")
            rows[f"{rule}/{number}"][column] = json.loads(value)
    plan = records(db, "plan", "today", "--all")
    for row in rows.values():
        assert any(
            item["client"] == row["client"] and row["reason"] in item["reason"] for item in plan
        ), row
    in_plan = sum(
        item["reason"].count("in stage (limit") + item["reason"].count("follow-up due")
        for item in plan
    )
    assert len(rows) == in_plan


# -- the page ------------------------------------------------------------------------------
def test_the_page_stands_alone_and_is_valid(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert htmlcheck.problems(html) == []
    assert len(html.encode()) < MiB
    assert "<script" not in html.lower()
    assert not re.search(r"\b(src|href)\s*=|url\(|@import|@font-face", html, re.IGNORECASE)
    links = set(re.findall(r"https?://[^\s\"'<>]+", html))
    assert links == {"http://www.w3.org/2000/svg"}  # the SVG namespace, never fetched
    assert "default-src 'none'" in html
    assert '<html lang="ru">' in html
    assert "<title>Отчёт за февраль 2026</title>" in html
    # every command named under a part prints its figures: plan target aims at this
    # month or a later one, so February's target names none
    assert "povtor plan target" not in html and "povtor stats funnel" in html


def test_every_figure_is_the_one_stats_prints(page: Path, demo: Path) -> None:
    count = check_figures(figures_in_html(page.read_text("utf-8")), demo, MONTH, TARGET)
    assert count > 300


def test_month_to_date_in_english_without_a_target(demo: Path) -> None:
    path = demo.with_name("march.html")
    povtor(demo, "report", "--lang", "en", "-o", str(path))
    html = path.read_text(encoding="utf-8")
    assert htmlcheck.problems(html) == []
    assert '<html lang="en">' in html and "<title>Report for March 2026</title>" in html
    assert "2026-03-01 – 2026-03-02, as of 2026-03-02" in html
    assert "No target for the month" in html and "target/" not in html
    check_figures(figures_in_html(html), demo, "2026-03", None, "en")


def test_the_page_speaks_the_language_of_the_run(cli: Cli, tmp_path: Path) -> None:
    """As every screen does: POVTOR_LANG, else the lang setting, else the locale; --lang
    for this page alone."""
    cli.add_client("Иван Петров")
    page = tmp_path / "r.html"

    def language(*args: str, env: dict[str, str] | None = None) -> str:
        cli.ok("report", *args, "-o", str(page), env=env)
        return page.read_text(encoding="utf-8").split('<html lang="')[1][:2]

    assert language(env={"LANG": "C"}) == "en"  # (no setting: the locale's)
    assert language(env={"LANG": "ru_RU.UTF-8"}) == "ru"
    assert language(env={"POVTOR_LANG": "en", "LANG": "ru_RU.UTF-8"}) == "en"
    cli.ok("plan", "set", "lang", "ru")
    assert language(env={"LANG": "C"}) == "ru"
    assert language(env={"POVTOR_LANG": "en"}) == "en"
    assert language("--lang", "EN", env={"POVTOR_LANG": "ru"}) == "en"
    assert page.stat().st_mode & 0o777 == 0o600  # (a new file: its owner's alone)


def test_a_page_that_cannot_be_written_is_one_line(cli: Cli, tmp_path: Path) -> None:
    cli.add_client("Иван Петров")
    for target, code, line in [
        (tmp_path / "nowhere" / "r.html", 2, "error: -o "),
        (tmp_path, 2, f"error: -o {tmp_path} is a directory"),
    ]:
        run = cli("report", "-o", str(target))
        assert (run.exit_code, run.stdout, run.exception) == (code, "", None), run.describe()
        assert run.stderr.startswith(line) and len(run.stderr_lines) == 1, run.stderr


def test_an_empty_database_gives_a_page_saying_there_is_nothing_yet(
    blank_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = blank_cli.ok("report", "--lang", "ru")
    assert run.stdout == "povtor-report-2026-03.html\n"
    assert run.stderr == "report for 2026-03 written to povtor-report-2026-03.html (no data yet)\n"
    html = (tmp_path / "povtor-report-2026-03.html").read_text(encoding="utf-8")
    assert htmlcheck.problems(html) == []
    assert "<h1>Отчёт: пока пусто</h1>" in html
    assert "В базе ещё нет ни одного клиента" in html
    assert "data-k" not in html


def test_to_standard_output_and_errors(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    run = cli.ok("report", "-o", "-", "--lang", "en")
    assert run.stdout.startswith("<!DOCTYPE html>") and run.stderr == ""
    for args, line in [
        (("--month", "2026-13"), "error: --month: '2026-13-01' is not a real calendar date"),
        (("--month", "03.2026"), "error: --month: '03.2026' is not a month"),
        (("--month", ""), "error: --month: '' is not a month"),
        (("--month", "2026-04"), "error: the period starts on 2026-04-01, after the as-of"),
        (("--target", "much"), "error: --target: 'much' is not an amount of money"),
        (("--lang", "de"), "error: --lang: 'de' is not one of ru, en"),
        (("--funnel", "nope"), "error: no funnel 'nope'"),
    ]:
        run = cli("report", "-o", "-", *args)
        assert run.exit_code != 0 and run.stdout == "", run.describe()
        assert run.stderr.startswith(line), run.describe()


# -- in a browser --------------------------------------------------------------------------
def _chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (CI must run the browser test: see .ci/run)")
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    return found


FIGURES_JS = """Array.from(document.querySelectorAll('[data-k]'),
  e => [e.getAttribute('data-k'), e.getAttribute('data-v'), e.textContent])"""


def test_the_page_in_chromium(page: Path, demo: Path, tmp_path: Path) -> None:
    """Opened in headless Chromium: nothing fetched, no console errors, a picture that is
    not blank with the charts drawn, the figures in the DOM equal to the commands', and
    a PDF printed."""
    with Chromium(_chromium(), width=1100, height=900) as browser:
        log = browser.load(page.as_uri())
        assert log.requests == [page.as_uri()], log.requests
        assert log.errors == [], log.messages
        assert browser.evaluate("document.title") == "Отчёт за февраль 2026"
        assert browser.evaluate("document.querySelectorAll('svg.chart').length") == 6
        assert browser.evaluate("document.scripts.length") == 0
        check_figures(browser.evaluate(FIGURES_JS), demo, MONTH, TARGET)
        # the page as a picture: laid out, charts drawn
        height = browser.evaluate("document.documentElement.scrollHeight")
        assert 3000 < height < 12000
        browser.screenshot(tmp_path / "report.png")  # (kept for a look when it fails)
        small = browser.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": 1100, "height": height, "scale": 0.25},
            },
        )
        import base64

        colours = pngcheck.colours(base64.b64decode(small["data"]))
        pdf = browser.pdf()
        assert not browser.page_log().errors
    total = sum(colours.values())
    _background, most = colours.most_common(1)[0]
    assert len(colours) > 50 and most / total < 0.9, colours.most_common(5)

    def share(near: tuple[int, int, int]) -> float:
        close = sum(
            n
            for c, n in colours.items()
            if sum(abs(a - b) for a, b in zip(c, near, strict=True)) < 40
        )
        return close / total

    assert share((0x2C, 0x6F, 0xB7)) > 0.002  # the blue of the bars
    assert share((0x2F, 0x85, 0x5A)) > 0.002  # the green of "yes" and of the paid stage
    assert pdf.startswith(b"%PDF-")
    assert 3 <= len(re.findall(rb"/Type\s*/Page\b", pdf)) <= 12  # A4 pages, not one per line

"""The report's SVG charts and words: well-formed, escaped, to scale."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from povtor.report import svg
from povtor.report.figures import Style, whole_units
from povtor.report.words import WORDS

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(text: str) -> ET.Element:
    root = ET.fromstring(text)  # well-formed XML, or this raises
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.find("s:title", NS) is not None
    return root


def rects(root: ET.Element) -> list[dict[str, str]]:
    return [dict(r.attrib) for r in root.iter("{http://www.w3.org/2000/svg}rect")]


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize(
    ("top", "step"),
    [(0, 1), (7, 2), (10, 5), (37, 10), (120, 50), (4_980_858, 2_000_000), (0.3, 0.1)],
)
def test_nice_steps(top: float, step: float) -> None:
    assert svg.nice_step(top) == pytest.approx(step)


def test_bars_are_to_scale_and_text_is_escaped() -> None:
    root = parse(
        svg.hbars(
            [
                svg.Bar("A & <B>", 10, "10"),
                svg.Bar("C", 5, "5", note="→ 50%"),
                svg.Bar("D", 0, "0"),
            ],
            title='stages "entered"',
        )
    )
    widths = [float(r["width"]) for r in rects(root)]
    assert widths[0] == pytest.approx(2 * widths[1]) and widths[2] == 0
    assert "A & <B>" in texts(root) and "→ 50%" in texts(root)
    assert root.find("s:title", NS).text == 'stages "entered"'  # type: ignore[union-attr]


def test_a_tiny_value_still_shows_and_all_zero_draws_nothing_wide() -> None:
    root = parse(svg.hbars([svg.Bar("big", 1000, ""), svg.Bar("tiny", 1, "")], title="t"))
    assert float(rects(root)[1]["width"]) >= 2
    root = parse(svg.hbars([svg.Bar("a", 0, "0"), svg.Bar("b", 0, "0")], title="t"))
    assert all(float(r["width"]) == 0 for r in rects(root))
    parse(svg.hbars([], title="empty"))


def test_columns_stack_and_draw_the_line_and_the_level() -> None:
    chart = svg.Columns(
        labels=["w1", "w2"],
        series=[svg.Series("yes", "#00aa00", [3, 1]), svg.Series("no", "#aa0000", [1, 0])],
        line=svg.Series("total", "#0000aa", [4, 5]),
        level=svg.Level(8, "target 8"),
        tops=["75%", ""],
        title="t",
    )
    root = parse(svg.columns(chart))
    bars = [r for r in rects(root) if float(r["height"]) > 10]  # (not the legend's squares)
    assert [r["fill"] for r in bars] == ["#00aa00", "#aa0000", "#00aa00"]
    heights = [float(r["height"]) for r in bars]
    assert heights[0] == pytest.approx(3 * heights[1]) and heights[2] == pytest.approx(heights[1])
    # the stack: "no" sits on "yes"
    assert float(bars[1]["y"]) + heights[1] == pytest.approx(float(bars[0]["y"]))
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) == 2
    assert len(root.findall("s:polyline", NS)) == 1
    assert "target 8" in texts(root) and "75%" in texts(root)
    assert {"yes", "no", "total"} <= set(texts(root))  # the legend
    # the scale reaches the level (8): a grid line at 8 or above
    ticks = [float(x) for x in texts(root) if x.replace(".", "").isdigit()]
    assert max(ticks) >= 8


def test_columns_with_nothing_to_show() -> None:
    chart = svg.Columns(labels=["w1"], series=[svg.Series("yes", "#0a0", [0])], title="t")
    root = parse(svg.columns(chart))
    assert all(float(r["height"]) <= 10 for r in rects(root))


def test_split_bars_fill_the_row_and_label_wide_parts() -> None:
    root = parse(
        svg.split_bars(
            [
                ("clients", [svg.Part(1, "#111111", "A 1"), svg.Part(3, "#222222", "B 3")]),
                ("none", [svg.Part(0, "#111111", "A 0")]),
            ],
            title="t",
            legend=[("A", "#111111"), ("B", "#222222")],
        )
    )
    parts = [r for r in rects(root) if r["fill"] in ("#111111", "#222222")]
    parts = [r for r in parts if float(r["width"]) > 10]
    assert float(parts[1]["width"]) == pytest.approx(3 * float(parts[0]["width"]))
    assert "B 3" in texts(root)
    assert any(r["fill"] == svg.GRID for r in rects(root))  # an empty row is drawn grey


@pytest.mark.parametrize(
    ("value", "colour"), [(0, "#f0f5fb"), (1, "#0b4f9c"), (-1, "#f0f5fb"), (2, "#0b4f9c")]
)
def test_shades_run_from_pale_to_deep_blue(value: float, colour: str) -> None:
    assert svg.shade(value) == colour


def test_the_heat_map_leaves_months_not_come_empty_and_keeps_attributes() -> None:
    root = parse(
        svg.heat_map(
            ["2026-01", "2026-02"],
            ["m1", "m2"],
            [
                [svg.Cell(0.5, "50%", {"data-k": "c/2026-01/m1"}), svg.Cell(None)],
                [svg.Cell(None), svg.Cell(None)],
            ],
            counts=[svg.Cell(None, "2", {"data-k": "c/2026-01/size"}), svg.Cell(None, "0")],
            count_label="clients",
            title="t",
        )
    )
    assert len(rects(root)) == 1
    keys = [t.get("data-k") for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "c/2026-01/m1" in keys and "c/2026-01/size" in keys


def test_clipped_labels() -> None:
    assert svg.clip("short", 10) == "short"
    assert svg.clip("a rather long stage name", 10) == "a rather…"


# -- words and numbers ---------------------------------------------------------------------
def test_both_languages_have_every_word() -> None:
    assert set(WORDS["ru"]) == set(WORDS["en"])
    for lang, words in WORDS.items():
        for key, text in words.items():
            assert text.strip(), (lang, key)


def test_numbers_money_and_dates_in_each_language() -> None:
    ru, en = Style("ru"), Style("en")
    assert ru.count(1234567) == "1\u00a0234\u00a0567" and en.count(1234567) == "1,234,567"
    assert ru.number(45.7) == "45,7" and en.number(Decimal("12.5")) == "12.5"
    assert ru.number(44) == "44" and en.number(None) == "—"
    assert ru.rate(Decimal("0.8571")) == "85,7\u00a0%" and en.rate(Decimal(1)) == "100.0%"
    assert ru.money(12_345_678_50) == "12\u00a0345\u00a0679" and en.money(50) == "1"
    assert ru.percent(Decimal("0.5333")) == "53%" and ru.percent(Decimal("0.125")) == "13%"
    assert ru.short_money(12_000_000) == "12 млн" and en.short_money(2_500_000) == "2.5M"
    assert en.short_money(800_000) == "800K" and ru.short_money(0) == "0"
    day = dt.date(2026, 2, 1)
    assert ru.date(day) == "01.02.2026" and en.date(day) == "2026-02-01"
    assert ru.month(day) == "февраль 2026" and en.month(day) == "February 2026"
    assert ru.days(day, dt.date(2026, 2, 8)) == "1–8 фев" and en.days(day, day) == "Feb 1"
    assert ru.category("none") == "без категории" and en.category("A") == "A"
    assert whole_units(-150) == -2 and whole_units(149) == 1


def test_a_figure_keeps_its_json_value_beside_its_text() -> None:
    ru = Style("ru")
    figure = ru.fig("repeat/all/revenue", "money", 12_412_793_675)
    assert (figure.text, figure.value) == ("124\u00a0127\u00a0937", '"124127936.75"')
    assert ru.fig("x", "rate", Decimal(6) / 7).value == "0.8571"
    assert ru.fig("x", "rate", None).value == "null" and ru.fig("x", "int", None).text == "—"
    assert ru.fig(None, "int", 3).value is None
    assert ru.fig("x", "text", "«Заречье»").value == '"«Заречье»"'

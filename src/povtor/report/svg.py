"""Small SVG charts, drawn as text: horizontal bars, columns (stacked, with a line and a
reference level), split bars (shares of a whole) and a heat map.

No charting library: the report needs five kinds of picture, each a few dozen lines
here, and the output must be plain inline SVG (no script, no fonts, no network) that
prints crisply. Every chart scales to its container (``viewBox``, width 100 %) and
carries a ``<title>`` for screen readers. Text is escaped here; callers pass plain text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from html import escape

from povtor.records import record

WIDTH = 900  # about the page's text width in CSS pixels: 12 units are 12 px
FONT = 13
CHAR = 7.6  # the width of an average glyph at FONT, for laying out text
INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
BLUE = "#2c6fb7"


def _attrs(values: Mapping[str, str | float | int]) -> str:
    return "".join(f' {name}="{escape(str(value), quote=True)}"' for name, value in values.items())


def _num(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg(width: float, height: float, title: str, body: list[str], css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class, quote=True)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="100%" role="img" '
        f'font-size="{FONT}" fill="{INK}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", **extra: str | float | int
) -> str:
    attrs = {"x": _num(x), "y": _num(y)}
    if anchor != "start":
        attrs["text-anchor"] = anchor
    return f"<text{_attrs(attrs | extra)}>{escape(text)}</text>"


def _rect(x: float, y: float, w: float, h: float, colour: str, **extra: str | float | int) -> str:
    attrs = {"x": _num(x), "y": _num(y), "width": _num(max(w, 0)), "height": _num(max(h, 0))}
    return f'<rect{_attrs(attrs | extra)} fill="{colour}"/>'


def text_width(text: str) -> float:
    """About how wide ``text`` is at the chart's font size (an average glyph)."""
    return CHAR * len(text)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def nice_step(top: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` grid lines up
    to ``top``."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover (the loop always returns)


def _legend(keys: Sequence[tuple[str, str]], x: float = 0.0) -> list[str]:
    """A row of coloured squares with their names, at the top of a chart (16 units high)."""
    body = []
    for name, colour in keys:
        body.append(_rect(x, 4, 10, 10, colour, rx=2))
        body.append(_text(x + 14, 13, name))
        x += 14 + text_width(name) + 18
    return body


# -- horizontal bars -----------------------------------------------------------------------
@record(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # shown after the bar
    colour: str = BLUE
    note: str = ""  # shown at the right edge (e.g. the conversion to the next stage)


def hbars(bars: Sequence[Bar], *, title: str, label_width: int = 150, row: int = 26) -> str:
    """One bar per row, the longest = the largest value."""
    note_width = max((text_width(b.note) for b in bars), default=0)
    value_width = max((text_width(b.text) for b in bars), default=0)
    room = WIDTH - label_width - note_width - value_width - 24
    top = max((b.value for b in bars), default=0) or 1
    body = []
    for i, bar in enumerate(bars):
        y = i * row
        length = room * bar.value / top
        if bar.value > 0:
            length = max(length, 2)
        body.append(_text(0, y + row / 2 + 4, clip(bar.label, label_width // 7)))
        body.append(_rect(label_width, y + 4, length, row - 8, bar.colour, rx=2))
        body.append(_text(label_width + length + 6, y + row / 2 + 4, bar.text))
        if bar.note:
            body.append(_text(WIDTH, y + row / 2 + 4, bar.note, anchor="end", fill=MUTED))
    return _svg(WIDTH, max(len(bars), 1) * row, title, body, "chart hbars")


# -- columns -------------------------------------------------------------------------------
@record(frozen=True)
class Series:
    name: str
    colour: str
    values: Sequence[float]


@record(frozen=True)
class Level:
    """A horizontal reference line (a target)."""

    value: float
    label: str
    colour: str = "#c05621"


@record(frozen=True)
class Columns:
    labels: Sequence[str]  # one per column group
    series: Sequence[Series]  # stacked, bottom first
    title: str
    axis: Callable[[float], str] = field(default=lambda v: f"{v:g}")  # tick labels
    tops: Sequence[str] = ()  # a label above each column (e.g. a rate)
    line: Series | None = None  # drawn over the columns, a point per column
    level: Level | None = None
    height: int = 220


def columns(chart: Columns) -> str:
    """Stacked columns with a legend, an optional line and reference level."""
    left, bottom, legend = 64, 22, 36  # (legend: its row, and room for the top label)
    plot_h = chart.height - bottom - legend
    count = max(len(chart.labels), 1)
    stack = [sum(s.values[i] for s in chart.series) for i in range(len(chart.labels))]
    peak = max([*stack, *(chart.line.values if chart.line else ()), 0.0])
    if chart.level is not None:
        peak = max(peak, chart.level.value)
    if chart.tops:
        peak *= 1.15  # room for the labels above the columns
    step = nice_step(peak)
    top = step * max(1, math.ceil(peak / step)) if peak else step
    scale = plot_h / top

    def y_of(value: float) -> float:
        return legend + plot_h - value * scale

    body = _legend([(s.name, s.colour) for s in (*chart.series, *filter(None, [chart.line]))])
    tick = 0.0
    while tick <= top + step / 2:
        y = y_of(tick)
        body.append(
            f'<line x1="{left}" x2="{WIDTH}" y1="{_num(y)}" y2="{_num(y)}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, chart.axis(tick), anchor="end", fill=MUTED))
        tick += step
    slot = (WIDTH - left) / count
    width = min(slot * 0.6, 70)
    centres = []
    for i, label in enumerate(chart.labels):
        centre = left + slot * (i + 0.5)
        centres.append(centre)
        base = 0.0
        for s in chart.series:
            value = s.values[i]
            if value > 0:
                body.append(
                    _rect(centre - width / 2, y_of(base + value), width, value * scale, s.colour)
                )
            base += value
        body.append(_text(centre, chart.height - 6, label, anchor="middle"))
        if i < len(chart.tops) and chart.tops[i]:
            body.append(_text(centre, y_of(base) - 5, chart.tops[i], anchor="middle"))
    if chart.level is not None:
        y = y_of(chart.level.value)
        colour = chart.level.colour
        body.append(
            f'<line x1="{left}" x2="{WIDTH}" y1="{_num(y)}" y2="{_num(y)}" stroke="{colour}" '
            'stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        body.append(_text(WIDTH - 2, y - 5, chart.level.label, anchor="end", fill=colour))
    if chart.line is not None and chart.line.values:
        points = " ".join(
            f"{_num(c)},{_num(y_of(v))}" for c, v in zip(centres, chart.line.values, strict=True)
        )
        colour = chart.line.colour
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for c, v in zip(centres, chart.line.values, strict=True):
            body.append(f'<circle cx="{_num(c)}" cy="{_num(y_of(v))}" r="3" fill="{colour}"/>')
    return _svg(WIDTH, chart.height, chart.title, body, "chart columns")


# -- split bars ----------------------------------------------------------------------------
@record(frozen=True)
class Part:
    value: float
    colour: str
    text: str  # shown inside the part when it is wide enough


def split_bars(
    rows: Sequence[tuple[str, Sequence[Part]]],
    *,
    title: str,
    legend: Sequence[tuple[str, str]] = (),
    label_width: int = 150,
) -> str:
    """One bar per row split into its parts, each row as wide as the chart (100 %); a
    legend of (name, colour) above them."""
    row = 30
    room = WIDTH - label_width
    head = 22 if legend else 0
    body = _legend(legend, label_width) if legend else []
    for i, (label, parts) in enumerate(rows):
        y = head + i * row
        body.append(_text(0, y + row / 2 + 4, clip(label, label_width // 7)))
        total = sum(p.value for p in parts)
        x = float(label_width)
        for part in parts:
            if total <= 0 or part.value <= 0:
                continue
            w = room * part.value / total
            body.append(_rect(x, y + 3, w, row - 6, part.colour))
            if w >= text_width(part.text) + 8:
                body.append(
                    _text(x + w / 2, y + row / 2 + 4, part.text, anchor="middle", fill="#ffffff")
                )
            x += w
        if total <= 0:
            body.append(_rect(label_width, y + 3, room, row - 6, GRID))
    return _svg(WIDTH, head + max(len(rows), 1) * row, title, body, "chart split")


# -- heat map ------------------------------------------------------------------------------
@record(frozen=True)
class Cell:
    value: float | None  # 0..1: the colour; None: no cell (not reached yet)
    text: str = ""
    attrs: Mapping[str, str] = field(default_factory=dict)  # added to the cell's <text>


def shade(value: float) -> str:
    """White-blue for 0, deep blue for 1."""
    value = min(max(value, 0.0), 1.0)
    low, high = (0xF0, 0xF5, 0xFB), (0x0B, 0x4F, 0x9C)
    channels = (round(a + (b - a) * value) for a, b in zip(low, high, strict=True))
    return "#" + "".join(f"{c:02x}" for c in channels)


def heat_map(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    cells: Sequence[Sequence[Cell]],
    *,
    title: str,
    counts: Sequence[Cell] = (),
    count_label: str = "",
    label_width: int = 80,
) -> str:
    """A grid of shaded cells, a row per label and a column per label; ``counts`` (a
    figure per row, e.g. a cohort's size) in a column of their own after the labels."""
    head, row = 20, 22
    count_w = 60 if counts else 0
    left = label_width + count_w
    columns_ = max(len(column_labels), 1)
    cell_w = (WIDTH - left) / columns_
    body = [
        _text(left + cell_w * (j + 0.5), 14, label, anchor="middle", fill=MUTED)
        for j, label in enumerate(column_labels)
    ]
    if counts and count_label:
        body.append(_text(left - 10, 14, count_label, anchor="end", fill=MUTED))
    for i, (label, line) in enumerate(zip(row_labels, cells, strict=True)):
        y = head + i * row
        body.append(_text(0, y + row / 2 + 4, clip(label, label_width // 7)))
        if i < len(counts):
            body.append(
                _text(left - 10, y + row / 2 + 4, counts[i].text, anchor="end", **counts[i].attrs)
            )
        for j, cell in enumerate(line):
            if cell.value is None:
                continue
            x = left + j * cell_w
            body.append(_rect(x + 1, y + 1, cell_w - 2, row - 2, shade(cell.value)))
            ink = "#ffffff" if cell.value > 0.5 else INK
            centre = x + cell_w / 2
            body.append(
                _text(centre, y + row / 2 + 4, cell.text, anchor="middle", fill=ink, **cell.attrs)
            )
    return _svg(WIDTH, head + max(len(row_labels), 1) * row, title, body, "chart heat")

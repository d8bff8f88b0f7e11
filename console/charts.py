"""Charts drawn on the server as inline SVG: no chart script, nothing fetched from elsewhere,
and they print and screenshot the same everywhere (the WeCom/DingTalk built-in browsers too)."""
from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from markupsafe import Markup, escape

from scoring.card import pts
from worktime.period import Period

__all__ = ["BAND_COLOURS", "band_colour", "bar_chart", "histogram", "line_chart"]

# Best band first: 优秀 green, 良好 blue, 一般 amber, 较差 red; then grey for anything further.
BAND_COLOURS = ("#2e7d32", "#1565c0", "#ef8f00", "#c62828", "#6d4c41", "#546e7a")
NO_BAND = "#9e9e9e"


def band_colour(band: str | None, bands: Sequence[str]) -> str:
    if band is None or band not in bands:
        return NO_BAND
    return BAND_COLOURS[min(list(bands).index(band), len(BAND_COLOURS) - 1)]


def _num(v: Decimal | float | int | None) -> float:
    return float(v) if v is not None else 0.0


def bar_chart(rows: Sequence[tuple[str, Decimal | None, str, str]], top: Decimal | float,
              label_width: int = 130) -> Markup:
    """Horizontal bars, one per (unit, total, colour, link), longest = `top` points. Each bar
    carries data-unit and data-total, so a test (or a screen reader) can read the figures."""
    row_h, width = 26, 600
    bar_w = width - label_width - 60
    top_f = max(_num(top), 1.0)
    height = row_h * len(rows) + 30
    out = [f'<svg class="chart bars" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="总分条形图" xmlns="http://www.w3.org/2000/svg">']
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = label_width + bar_w * tick
        out.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 22}" class="grid"/>'
                   f'<text x="{x:.1f}" y="{height - 6}" class="tick">{top_f * tick:g}</text>')
    for n, (unit, total, colour, href) in enumerate(rows):
        y = 6 + n * row_h
        w = max(bar_w * _num(total) / top_f, 0.0)
        name = escape(unit)
        out.append(
            f'<a href="{escape(href)}"><text x="{label_width - 8}" y="{y + 15}" class="label">{name}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{row_h - 8}" rx="2" '
            f'fill="{colour}" data-unit="{name}" data-total="{pts(total) if total is not None else ""}">'
            f'<title>{name}：{pts(total)} 分</title></rect>'
            f'<text x="{label_width + w + 6:.1f}" y="{y + 15}" class="value">{pts(total)}</text></a>')
    out.append("</svg>")
    return Markup("".join(out))


def histogram(bins: Sequence[tuple[Decimal, Decimal, int, str]], title: str = "总分分布") -> Markup:
    """How many units' totals fall in each range [low, high), one column per (low, high, count,
    colour): the shape of the office at a glance, which the ranking table does not show. Each
    column carries data-low, data-high and data-count."""
    width, height, left, bottom, topm = 640, 220, 36, 34, 16
    plot_w, plot_h = width - left - 10, height - topm - bottom
    most = max((n for _, _, n, _ in bins), default=0) or 1
    step = plot_w / max(len(bins), 1)
    out = [f'<svg class="chart hist" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    for tick in (0, 0.5, 1):
        y = topm + plot_h * (1 - tick)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" class="tick end">{most * tick:g}</text>')
    for n, (low, high, count, colour) in enumerate(bins):
        x = left + step * n
        h = plot_h * count / most
        y = topm + plot_h - h
        out.append(f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{max(step - 4, 1):.1f}" height="{h:.1f}" '
                   f'fill="{colour}" data-low="{low:g}" data-high="{high:g}" data-count="{count}">'
                   f'<title>{low:g}–{high:g} 分：{count} 个单位</title></rect>')
        if count:
            out.append(f'<text x="{x + step / 2:.1f}" y="{y - 4:.1f}" class="value mid">{count}</text>')
        out.append(f'<text x="{x + step / 2:.1f}" y="{height - 18}" class="tick">{low:g}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 2}" class="tick">总分（分）</text>')
    out.append("</svg>")
    return Markup("".join(out))


def line_chart(labels: Sequence[str], values: Sequence[Decimal | None], top: Decimal | float,
               title: str = "月度总分") -> Markup:
    """A unit's total month by month; a month with no total leaves a gap."""
    width, height, left, right, bottom, topm = 640, 240, 44, 16, 30, 14
    top_f = max(_num(top), 1.0)
    plot_w, plot_h = width - left - right, height - topm - bottom
    step = plot_w / max(len(labels) - 1, 1)
    out = [f'<svg class="chart line" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">']
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = topm + plot_h * (1 - tick)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" class="tick end">{top_f * tick:g}</text>')
    points: list[tuple[float, float, str, Decimal]] = []
    for n, (label, v) in enumerate(zip(labels, values)):
        x = left + step * n if len(labels) > 1 else left + plot_w / 2
        out.append(f'<text x="{x:.1f}" y="{height - 10}" class="tick">{Period.from_label(label).short_label}</text>')
        if v is not None:
            points.append((x, topm + plot_h * (1 - _num(v) / top_f), label, v))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        out.append(f'<polyline points="{path}" class="trend"/>')
    for x, y, label, v in points:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="dot" data-month="{label}" '
                   f'data-total="{pts(v)}"><title>{label}：{pts(v)} 分</title></circle>')
    if points:
        x, y, _, v = points[-1]
        out.append(f'<text x="{x:.1f}" y="{y - 9:.1f}" class="value mid">{pts(v)}</text>')
    out.append("</svg>")
    return Markup("".join(out))

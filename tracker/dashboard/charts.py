"""Server-side SVG charts for the dashboard: no JavaScript, readable in greyscale print.

Pure: plain data in, an SVG string out. Each series has a fill pattern as well as a colour,
every bar segment and point carries its number as text, and every chart has a <title> and
<desc> it is labelled by, so screen readers and black-and-white printers both get the figures.
Several charts share one HTML page, so every id inside a chart starts with its ``id_prefix``.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

SVG_NS = "http://www.w3.org/2000/svg"
FONT = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif'


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    #: solid | dots | horizontal | diagonal: what tells the series apart without colour
    pattern: str


#: The dashboard's four statuses, in stacking order.
STATUS_SERIES = (
    Series("completed", "已办结", "#198754", "solid"),
    Series("on_track", "正常推进", "#9ec5fe", "dots"),
    Series("due_soon", "临期", "#ffc107", "horizontal"),
    Series("overdue", "逾期", "#dc3545", "diagonal"),
)


@dataclass(frozen=True)
class BarRow:
    label: str
    #: series key -> value
    values: Mapping[str, int]
    #: series key -> URL the segment links to (optional)
    links: Mapping[str, str] = field(default_factory=dict)


def text_width(text: str, size: float) -> float:
    """Estimate the rendered width of text: full-width (CJK) characters are one em, others about 0.6."""
    return sum(size if unicodedata.east_asian_width(ch) in ("W", "F") else 0.6 * size for ch in text)


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Return round axis ticks from 0 covering maximum (steps of 1, 2 or 5 times a power of ten)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1)
    top = math.ceil(maximum / step) * step
    return [i * step for i in range(int(round(top / step)) + 1)]


def _pattern_defs(prefix: str, series: Sequence[Series]) -> str:
    out = []
    for s in series:
        pid = f"{prefix}-pat-{s.key}"
        if s.pattern == "dots":
            marks = '<circle cx="3" cy="3" r="1.3" fill="#1f3b63"/>'
        elif s.pattern == "horizontal":
            marks = '<path d="M0 3H6" stroke="#5c4400" stroke-width="1.2"/>'
        elif s.pattern == "diagonal":
            marks = '<path d="M-1 1L1 -1M0 6L6 0M5 7L7 5" stroke="#fff" stroke-width="1.6"/>'
        else:
            marks = ""
        out.append(
            f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{s.colour}"/>{marks}</pattern>'
        )
    return "<defs>" + "".join(out) + "</defs>"


def _fill(prefix: str, s: Series) -> str:
    # The colour after the url() is the fallback where patterns are not rendered.
    return f"url(#{prefix}-pat-{s.key}) {s.colour}"


def _open(prefix: str, width: float, height: float, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="{SVG_NS}" class="chart" id={quoteattr(prefix)} width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family={quoteattr(FONT)} style="max-width:100%;height:auto">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>',
    ]


def _label(x: float, y: float, text: str, *, size: float = 12, anchor: str = "start", cls: str = "",
           weight: str | None = None, halo: bool = False) -> str:
    extra = f' class="{cls}"' if cls else ""
    if weight:
        extra += f' font-weight="{weight}"'
    if halo:
        # A white outline keeps numbers legible on any fill, colour or pattern.
        extra += ' paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round"'
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'dominant-baseline="middle" fill="#212529"{extra}>{escape(text)}</text>')


def _legend(prefix: str, series: Sequence[Series], x: float, y: float, size: float) -> tuple[str, float]:
    parts = ['<g class="legend">']
    for s in series:
        parts.append(f'<rect class="legend-swatch" x="{x:.1f}" y="{y - 7:.1f}" width="14" height="14" '
                     f'fill="{_fill(prefix, s)}" stroke="#495057" stroke-width="0.5"/>')
        parts.append(_label(x + 18, y, s.label, size=size, cls="legend-label"))
        x += 18 + text_width(s.label, size) + 16
    parts.append("</g>")
    return "".join(parts), x


def stacked_bar_chart(rows: Sequence[BarRow], *, title: str, id_prefix: str,
                      series: Sequence[Series] = STATUS_SERIES, width: float = 760,
                      bar_height: float = 22, gap: float = 8, font_size: float = 13,
                      empty_text: str = "暂无数据") -> str:
    """Draw one horizontal stacked bar per row, labels in full on the left, counts in the segments."""
    label_w = max([text_width(r.label, font_size) for r in rows] + [60]) + 12
    total_w = text_width("共00000", font_size - 1) + 8
    # Names are never cut: a long name widens the chart instead (it scales down to fit the page).
    width = max(width, label_w + 240 + total_w)
    plot_x = label_w
    plot_w = width - label_w - total_w - 8
    top = 58
    height = top + max(len(rows), 1) * (bar_height + gap) + 8
    totals = [sum(r.values.get(s.key, 0) for s in series) for r in rows]
    peak = max(totals + [1])
    desc = "；".join(
        f"{r.label}：" + "，".join(f"{s.label}{r.values.get(s.key, 0)}" for s in series) for r in rows
    ) or empty_text

    out = _open(id_prefix, width, height, title, desc)
    out.append(_pattern_defs(id_prefix, series))
    out.append(_label(8, 16, title, size=font_size + 2, weight="600", cls="chart-title"))
    legend, _ = _legend(id_prefix, series, 8, 40, font_size - 1)
    out.append(legend)
    if not rows:
        out.append(_label(8, top + bar_height / 2, empty_text, size=font_size, cls="empty"))
    for i, (row, total) in enumerate(zip(rows, totals)):
        y = top + i * (bar_height + gap)
        mid = y + bar_height / 2
        out.append('<g class="bar-row">')
        out.append(_label(plot_x - 8, mid, row.label, size=font_size, anchor="end", cls="row-label"))
        x = plot_x
        for s in series:
            value = row.values.get(s.key, 0)
            if value <= 0:
                continue
            w = plot_w * value / peak
            rect = (f'<rect class="seg seg-{s.key}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_height}" '
                    f'fill="{_fill(id_prefix, s)}" stroke="#fff" stroke-width="0.5">'
                    f'<title>{escape(f"{row.label}：{s.label} {value}")}</title></rect>')
            text = str(value)
            text_w = text_width(text, font_size - 1)
            if w >= text_w + 6:
                # The number sits on a solid white plate: readable on the red hatching and in greyscale print.
                plate_w, plate_h = text_w + 6, font_size + 3
                rect += (f'<rect class="seg-value-bg" x="{x + w / 2 - plate_w / 2:.1f}" y="{mid - plate_h / 2:.1f}" '
                         f'width="{plate_w:.1f}" height="{plate_h}" rx="3" fill="#fff"/>')
                rect += _label(x + w / 2, mid, text, size=font_size - 1, anchor="middle", cls="seg-value")
            link = row.links.get(s.key)
            if link:
                rect = f'<a href={quoteattr(link)}>{rect}</a>'
            out.append(rect)
            x += w
        out.append(_label(x + 6, mid, f"共{total}", size=font_size - 1, cls="row-total"))
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def line_chart(points: Sequence[tuple[str, int]], *, title: str, id_prefix: str, series_label: str,
               colour: str = "#b02a37", width: float = 760, height: float = 280, font_size: float = 12,
               empty_text: str = "暂无数据") -> str:
    """Draw one series as a line with a marker and its value at every point (thinned when crowded)."""
    left, right, top, bottom = 52, 24, 58, 40
    plot_w = width - left - right
    plot_h = height - top - bottom
    values = [v for _, v in points]
    ticks = nice_ticks(max(values + [0]))
    y_max = ticks[-1] or 1
    desc = "；".join(f"{label}：{v}" for label, v in points) or empty_text

    out = _open(id_prefix, width, height, title, f"{series_label}。{desc}")
    out.append(_label(8, 16, title, size=font_size + 3, weight="600", cls="chart-title"))
    out.append(f'<g class="legend"><path d="M8 40H30" stroke="{colour}" stroke-width="2.5"/>'
               f'<circle cx="19" cy="40" r="3.5" fill="{colour}"/></g>')
    out.append(_label(36, 40, series_label, size=font_size, cls="legend-label"))
    for t in ticks:
        y = top + plot_h - plot_h * t / y_max
        out.append(f'<path class="grid" d="M{left} {y:.1f}H{left + plot_w}" stroke="#dee2e6" stroke-width="1"/>')
        out.append(_label(left - 6, y, f"{t:g}", size=font_size - 1, anchor="end", cls="y-tick"))
    out.append(f'<path class="axis" d="M{left} {top}V{top + plot_h}H{left + plot_w}" stroke="#6c757d" fill="none"/>')
    if not points:
        out.append(_label(left + 10, top + plot_h / 2, empty_text, size=font_size, cls="empty"))
        out.append("</svg>")
        return "".join(out)

    n = len(points)
    step = plot_w / (n - 1) if n > 1 else 0
    xs = [left + (i * step if n > 1 else plot_w / 2) for i in range(n)]
    ys = [top + plot_h - plot_h * v / y_max for v in values]
    # Label every k-th point so labels do not collide; always the last one and the highest one.
    label_w = max(text_width(label, font_size - 1) for label, _ in points) + 6
    every = max(1, math.ceil(label_w / step)) if step else 1
    peak_index = max(range(n), key=lambda i: (values[i], i))
    shown = {i for i in range(n) if i % every == 0}
    if (n - 1) % every:
        # The last point is always labelled; drop the regular label that would collide with it.
        shown.discard((n - 1) // every * every)
        shown.add(n - 1)
    if n > 1:
        out.append(f'<polyline class="line" fill="none" stroke="{colour}" stroke-width="2.5" '
                   f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))}"/>')
    for i, ((label, v), x, y) in enumerate(zip(points, xs, ys)):
        out.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                   f'<title>{escape(f"{label}：{series_label} {v}")}</title></circle>')
        if i in shown or i == peak_index:
            out.append(_label(x, y - 11, str(v), size=font_size - 1, anchor="middle", cls="point-value", halo=True))
        if i in shown:
            out.append(_label(x, top + plot_h + 16, label, size=font_size - 1, anchor="middle", cls="x-tick"))
    out.append("</svg>")
    return "".join(out)

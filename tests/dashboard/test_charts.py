from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tracker.dashboard import charts
from tracker.dashboard.charts import BarRow

NS = {"s": charts.SVG_NS}
LONG = "运城市行政审批服务管理局（运城市政务服务中心）"

pytestmark = pytest.mark.no_db


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{{{charts.SVG_NS}}}svg"
    return root


def texts(root: ET.Element, cls: str) -> list[str]:
    return [t.text for t in root.iterfind(".//s:text", NS) if t.get("class") == cls]


def rows() -> list[BarRow]:
    return [
        BarRow(LONG, {"completed": 5, "on_track": 3, "due_soon": 0, "overdue": 12},
               {"overdue": "/dashboard/assignments?unit=1&status=overdue&plan=1"}),
        BarRow("市财政局", {"completed": 1, "overdue": 1}),
        BarRow("A&B <局>", {"on_track": 2}),
    ]


def test_stacked_bars_have_one_segment_per_nonzero_value():
    root = parse(charts.stacked_bar_chart(rows(), title="各单位承办状态", id_prefix="u"))
    segs = [r for r in root.iterfind(".//s:rect", NS) if "seg" in (r.get("class") or "").split()]
    assert len(segs) == 3 + 2 + 1
    assert [s.get("class") for s in segs[:3]] == ["seg seg-completed", "seg seg-on_track", "seg seg-overdue"]
    assert len(root.findall(".//s:g[@class='bar-row']", NS)) == 3


def test_segment_widths_are_proportional():
    root = parse(charts.stacked_bar_chart(rows(), title="t", id_prefix="u"))
    segs = [r for r in root.iterfind(".//s:rect", NS) if "seg" in (r.get("class") or "").split()]
    widths = [float(s.get("width")) for s in segs]
    # Row 1: 5 + 3 + 12 = 20 (the longest bar); row 2: 1 + 1.
    assert widths[0] / widths[2] == pytest.approx(5 / 12, rel=0.01)
    assert widths[3] / sum(widths[:3]) == pytest.approx(1 / 20, rel=0.01)


def test_labels_are_whole_and_escaped():
    svg = charts.stacked_bar_chart(rows(), title="各单位承办状态", id_prefix="u")
    root = parse(svg)
    assert texts(root, "row-label") == [LONG, "市财政局", "A&B <局>"]
    assert texts(root, "row-total") == ["共20", "共2", "共2"]
    # The label column is wide enough for the longest name: it ends where the bars begin.
    first_seg = next(r for r in root.iterfind(".//s:rect", NS) if "seg" in (r.get("class") or ""))
    assert float(first_seg.get("x")) >= charts.text_width(LONG, 13)


def test_each_series_has_pattern_legend_and_direct_labels():
    root = parse(charts.stacked_bar_chart(rows(), title="t", id_prefix="u"))
    patterns = {p.get("id") for p in root.iterfind(".//s:defs/s:pattern", NS)}
    assert patterns == {f"u-pat-{s.key}" for s in charts.STATUS_SERIES}
    assert texts(root, "legend-label") == ["已办结", "正常推进", "临期", "逾期"]
    assert "12" in texts(root, "seg-value") and "5" in texts(root, "seg-value")
    overdue = next(r for r in root.iterfind(".//s:rect", NS) if r.get("class") == "seg seg-overdue")
    assert overdue.get("fill").startswith("url(#u-pat-overdue)")
    assert overdue.find("s:title", NS).text == f"{LONG}：逾期 12"


def test_accessible_name_and_links():
    root = parse(charts.stacked_bar_chart(rows(), title="各单位承办状态", id_prefix="u"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "u-title u-desc"
    assert root.find("s:title", NS).text == "各单位承办状态"
    assert "市财政局：已办结1，正常推进0，临期0，逾期1" in root.find("s:desc", NS).text
    links = root.findall(".//s:a", NS)
    assert [a.get("href") for a in links] == ["/dashboard/assignments?unit=1&status=overdue&plan=1"]


def test_empty_bar_chart_says_so():
    root = parse(charts.stacked_bar_chart([], title="t", id_prefix="e"))
    assert texts(root, "empty") == ["暂无数据"]


def test_line_chart_points_and_labels():
    points = [(f"{m}/1", v) for m, v in zip(range(1, 7), [0, 2, 5, 3, 3, 4])]
    root = parse(charts.line_chart(points, title="逾期趋势", id_prefix="t", series_label="逾期承办数"))
    circles = root.findall(".//s:circle[@class='point']", NS)
    assert len(circles) == 6
    assert circles[2].find("s:title", NS).text == "3/1：逾期承办数 5"
    ys = [float(c.get("cy")) for c in circles]
    assert ys[0] > ys[1] > ys[2] and ys[3] == ys[4]  # higher value, higher on the chart
    assert texts(root, "point-value") == ["0", "2", "5", "3", "3", "4"]
    assert texts(root, "x-tick") == [label for label, _ in points]
    assert len(root.findall(".//s:polyline", NS)) == 1


def test_crowded_line_chart_thins_labels_but_keeps_last_and_peak():
    points = [(f"第{i}周", i % 7) for i in range(40)]
    root = parse(charts.line_chart(points, title="t", id_prefix="t", series_label="逾期", width=500))
    ticks = texts(root, "x-tick")
    assert 3 <= len(ticks) < 40 and ticks[-1] == "第39周"
    assert len(root.findall(".//s:circle[@class='point']", NS)) == 40
    # x labels never overlap
    xs = [float(t.get("x")) for t in root.iterfind(".//s:text", NS) if t.get("class") == "x-tick"]
    assert all(b - a >= charts.text_width("第39周", 11) for a, b in zip(xs, xs[1:]))


def test_nice_ticks():
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(3) == [0, 1, 2, 3]
    assert charts.nice_ticks(7) == [0, 2, 4, 6, 8]
    assert charts.nice_ticks(230) == [0, 50, 100, 150, 200, 250]


def test_text_width_counts_cjk_as_full_width():
    assert charts.text_width("财政局", 10) == 30
    assert charts.text_width("ab", 10) == pytest.approx(12)


def test_segment_numbers_sit_on_a_solid_plate():
    """Issue 21: numbers on the red-hatched bars were hard to read; each one now has a white plate under it."""
    from tests.contrast import contrast, parse_colour

    root = parse(charts.stacked_bar_chart(rows(), title="t", id_prefix="u"))
    plates = [r for r in root.iterfind(".//s:rect", NS) if r.get("class") == "seg-value-bg"]
    labels = [t for t in root.iterfind(".//s:text", NS) if t.get("class") == "seg-value"]
    assert len(plates) == len(labels) == 6  # 5, 3, 12 | 1, 1 | 2: every segment is wide enough for its number
    for plate, label in zip(plates, labels):
        assert plate.get("fill") == "#fff"
        x, y, w, h = (float(plate.get(k)) for k in ("x", "y", "width", "height"))
        tx, ty = float(label.get("x")), float(label.get("y"))
        assert x < tx < x + w and y < ty < y + h
        assert w >= charts.text_width(label.text, 12)
        # Dark text on white: far above WCAG AA's 4.5:1 (the red #dc3545 hatching was 4.5 at best).
        assert contrast(parse_colour(label.get("fill")), parse_colour("#fff")) > 12

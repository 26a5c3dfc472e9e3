"""The streaming writer, read back with openpyxl: text stays text, dates are dates, the sheet looks finished."""
from __future__ import annotations

import zipfile
from datetime import date, datetime, timezone
from decimal import Decimal

import openpyxl
import pytest

from tracker.exports.xlsx import CELL_TEXT_LIMIT, Column, XlsxBuilder, display_width

pytestmark = pytest.mark.no_db

COLUMNS = [Column("单位"), Column("说明", "wrap", width=40), Column("时限", "date"), Column("时间", "datetime"),
           Column("件数", "int"), Column("分值", "number")]


def build(tmp_path, rows, columns=COLUMNS, **kw):
    path = tmp_path / "out.xlsx"
    with XlsxBuilder() as book:
        sheet = book.sheet("明细", "《测试》工作台账（截至2021年11月15日）", columns, **kw)
        sheet.extend(rows)
        book.save(str(path))
    return openpyxl.load_workbook(path), path


@pytest.mark.parametrize("text", ["=1+1", "+8613800000000", "-5", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\",\"点\")"])
def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path, text):
    wb, _ = build(tmp_path, [[text, text, None, None, None, None]])
    ws = wb["明细"]
    for ref in ("A3", "B3"):
        assert ws[ref].value == text
        assert ws[ref].data_type == "s", f"{ref} was read back as {ws[ref].data_type}"
        # quotePrefix: retyping or editing the cell in Excel or LibreOffice keeps it text
        assert ws[ref].quotePrefix, ref
    assert not ws["A2"].quotePrefix


def test_plain_text_has_no_quote_prefix_and_empty_cells_keep_borders(tmp_path):
    wb, _ = build(tmp_path, [["运城市", "1=1", None, None, None, None]])
    ws = wb["明细"]
    assert not ws["A3"].quotePrefix and not ws["B3"].quotePrefix
    assert ws["C3"].value is None and ws["C3"].border.left.style == "thin"


def test_paper_fits_the_columns_at_ninety_percent():
    from tracker.exports.xlsx import paper_for

    # 140 character units: 140 × 7 + 5 px each; A4 landscape prints 1046 px at 100 % (worked out by hand)
    assert paper_for([140])[0] == "9"
    # 160 units: 1125 px, 93 % on A4
    assert paper_for([160]) == ("9", pytest.approx(1046 / 1125, abs=0.01))
    # 180 units: 1265 px, 83 % on A4 is too small: A3 at 100 %
    assert paper_for([180]) == ("8", 1.0)


def test_values_keep_their_types_and_formats(tmp_path):
    rows = [["运城市财政局", "a < b & c", date(2021, 12, 31), datetime(2021, 11, 15, 9, 30), 3, Decimal("96.25")],
            [" 前后空格 ", "第一行\n第二行", None, None, 0, Decimal("-1.3")]]
    wb, _ = build(tmp_path, rows)
    ws = wb["明细"]
    assert ws["C3"].value == datetime(2021, 12, 31) and ws["C3"].number_format == "yyyy-mm-dd"
    assert ws["D3"].value == datetime(2021, 11, 15, 9, 30) and ws["D3"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["E3"].value == 3 and ws["E3"].number_format == "0"
    assert ws["F3"].value == 96.25 and ws["F3"].number_format == "0.00"
    assert ws["B3"].value == "a < b & c"
    assert ws["A4"].value == " 前后空格 "
    assert ws["B4"].value == "第一行\n第二行" and ws["B4"].alignment.wrap_text
    assert ws["C4"].value is None
    assert ws["F4"].value == -1.3
    assert ws.max_row == 4


def test_sheet_looks_finished(tmp_path):
    wb, path = build(tmp_path, [["运城市财政局", "说明", date(2021, 1, 1), None, 1, Decimal(1)]] * 3)
    ws = wb["明细"]
    assert ws["A1"].value == "《测试》工作台账（截至2021年11月15日）" and ws["A1"].font.b
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:F1"]
    assert [c.value for c in ws[2]] == ["单位", "说明", "时限", "时间", "件数", "分值"]
    assert all(c.font.b for c in ws[2]) and ws["A2"].fill.fgColor.rgb.endswith("D9E1F2")
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:F5"
    assert ws.print_title_rows == "$1:$2"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width == 40
    # 运城市财政局: six wide characters count 12, plus a margin of 2
    assert ws.column_dimensions["A"].width == 14
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None


def test_width_counts_wide_characters_twice():
    assert display_width("运城a") == 5
    assert display_width("ab\n运城市") == 6
    assert display_width("") == 0


def test_empty_sheet_has_the_note(tmp_path):
    wb, _ = build(tmp_path, [], empty_note="该工作要点暂无任务。")
    ws = wb["明细"]
    assert ws["A3"].value == "该工作要点暂无任务。"
    assert ws.max_row == 3 and ws.auto_filter.ref == "A2:F3"


def test_control_characters_are_dropped_and_long_text_is_cut(tmp_path):
    long = "长" * (CELL_TEXT_LIMIT + 10)
    wb, _ = build(tmp_path, [["单\x00位\x07", long, None, None, None, None]])
    ws = wb["明细"]
    assert ws["A3"].value == "单位"
    assert len(ws["B3"].value) == CELL_TEXT_LIMIT and ws["B3"].value.endswith("…")


def test_sheet_names_are_cleaned_and_unique(tmp_path):
    path = tmp_path / "names.xlsx"
    with XlsxBuilder() as book:
        for _ in range(2):
            book.sheet("A类/县级:政府?", "标题", [Column("a")]).append(["x"])
        book.save(str(path))
    assert openpyxl.load_workbook(path).sheetnames == ["A类县级政府", "A类县级政府(2)"]


def test_a_column_kind_must_be_known():
    with pytest.raises(ValueError):
        Column("x", "percent")


def test_odd_values_are_written_as_text(tmp_path):
    wb, _ = build(tmp_path, [[True, float("nan"), None, None, float("inf"), Decimal("NaN")]])
    ws = wb["明细"]
    assert (ws["A3"].value, ws["B3"].value, ws["E3"].value, ws["F3"].value) == ("是", "nan", "inf", "NaN")
    with pytest.raises(ValueError, match="naive"):
        build(tmp_path, [[None, None, None, datetime(2021, 1, 1, tzinfo=timezone.utc),
                          None, None]])

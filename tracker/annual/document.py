"""A report as a Word document with the national template's headings and tables as they print.

Pure apart from python-docx. Page and fonts follow GB/T 9704-2012 (A4, 版心 156 × 225 mm, title
in 2号小标宋, body in 3号仿宋, 一、 headings in 黑体); tables repeat their header rows on each page and
keep each row on one page. Reading the output back with `reader.read_file` gives the same tables.
"""
from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from . import formats as F
from .reader import ReportData

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
SIZE_BODY = Pt(16)  # 3号
SIZE_TITLE = Pt(22)  # 2号
SIZE_TABLE = Pt(10.5)  # 5号
SIZE_TABLE_SMALL = Pt(9)  # 小5号, for the 15 columns of section 四
MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _font(run, name: str, size, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(document, text: str, *, font=BODY_FONT, size=SIZE_BODY, bold=False, center=False, indent=True,
               keep_with_next=False):
    p = document.add_paragraph()
    p.paragraph_format.keep_with_next = keep_with_next
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        p.paragraph_format.first_line_indent = Pt(size.pt * 2)
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(28)
    _font(p.add_run(text), font, size, bold=bold)
    return p


def _set(cell, text: str, size=SIZE_TABLE, *, bold: bool = False, center: bool = True) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)
    _font(p.add_run(text), BODY_FONT, size, bold=bold)


def _table(document, rows: int, cols: int, header_rows: int, widths: list[float] | None = None):
    """Add a grid table; `widths` in mm (set before any merge, so every cell gets its column's width)."""
    table = document.add_table(rows=rows, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths:
        table.autofit = False
        for c, width in enumerate(widths):
            table.columns[c].width = Mm(width)
            for cell in table.columns[c].cells:
                cell.width = Mm(width)
    for index, row in enumerate(table.rows):
        props = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        props.append(cant_split)
        if index < header_rows:
            header = OxmlElement("w:tblHeader")
            props.append(header)
    return table


def _merge(table, r1: int, c1: int, r2: int, c2: int, text: str, size=SIZE_TABLE, bold: bool = False):
    cell = table.cell(r1, c1).merge(table.cell(r2, c2)) if (r1, c1) != (r2, c2) else table.cell(r1, c1)
    _set(cell, text, size, bold=bold)
    return cell


def _section2(document, report: ReportData) -> None:
    fmt = F.get_format(report.format)
    for item in fmt.items:
        cols = len(item.columns) + 1
        table = _table(document, 2 + len(item.rows), cols, header_rows=2,
                       widths=[48] + [108 / len(item.columns)] * len(item.columns))
        _merge(table, 0, 0, 0, cols - 1, item.heading, bold=True)
        _set(table.cell(1, 0), "信息内容", bold=True)
        for c, (_, label, _) in enumerate(item.columns, 1):
            _set(table.cell(1, c), label, bold=True)
        for r, (key, label) in enumerate(item.rows, 2):
            _set(table.cell(r, 0), label)
            values = report.section2.get(item.key, {}).get(key, {})
            for c, (col, _, _) in enumerate(item.columns, 1):
                _set(table.cell(r, c), str(values.get(col, 0)))
        document.add_paragraph()


def _section3(document, report: ReportData) -> None:
    rows = F.s3_rows(report.split_other)
    header = 3
    cols = 3 + len(F.S3_COLUMNS)
    # 版心 156 mm: three label columns (group heading, group, row) and seven narrow number columns.
    widths = [9, 15, 48] + [12] * len(F.S3_COLUMNS)
    table = _table(document, header + len(rows), cols, header_rows=header, widths=widths)
    _merge(table, 0, 0, 2, 2, F.S3_RULE_NOTE)
    _merge(table, 0, 3, 0, cols - 2, "申请人情况", bold=True)
    _merge(table, 0, cols - 1, 2, cols - 1, "总计", bold=True)
    _merge(table, 1, 3, 2, 3, "自然人", bold=True)
    _merge(table, 1, 4, 1, cols - 2, "法人或其他组织", bold=True)
    for c, (_, label, _) in enumerate(F.APPLICANT_COLUMNS[1:], 4):
        _set(table.cell(2, c), label, bold=True)
    results = [i for i, row in enumerate(rows) if row.is_result or row.key == "results_total"]
    _merge(table, header + results[0], 0, header + results[-1], 0, F.RESULTS_HEADING)
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        r = header + i
        if row.group:
            groups.setdefault(row.group, []).append(r)
            _set(table.cell(r, 2), row.label, center=False)
        elif i in results:
            _merge(table, r, 1, r, 2, row.label)
        else:
            _merge(table, r, 0, r, 2, row.label)
        for c, col in enumerate(F.S3_COLUMN_KEYS, 3):
            _set(table.cell(r, c), str(report.section3[row.key][col]))
    for group, group_rows in groups.items():
        _merge(table, group_rows[0], 1, group_rows[-1], 1, group)


def _section4(document, report: ReportData) -> None:
    parts = len(F.S4_COLUMNS)
    table = _table(document, 4, parts * 3, header_rows=3, widths=[156 / (parts * 3)] * (parts * 3))
    size = SIZE_TABLE_SMALL
    _merge(table, 0, 0, 1, parts - 1, "行政复议", size, bold=True)
    _merge(table, 0, parts, 0, parts * 3 - 1, "行政诉讼", size, bold=True)
    _merge(table, 1, parts, 1, parts * 2 - 1, "未经复议直接起诉", size, bold=True)
    _merge(table, 1, parts * 2, 1, parts * 3 - 1, "复议后起诉", size, bold=True)
    c = 0
    for block, _ in F.S4_BLOCKS:
        for col, label in F.S4_COLUMNS:
            _set(table.cell(2, c), label, size, bold=True)
            _set(table.cell(3, c), str(report.section4[block][col]), size)
            c += 1


def _prose(document, text: str) -> None:
    paragraphs = [p for p in (text or "").split("\n") if p.strip()]
    for p in paragraphs or ["无。"]:
        _paragraph(document, p.strip())


def title_of(unit_name: str, year: int) -> str:
    return f"{unit_name}{year}年政府信息公开工作年度报告"


def render(report: ReportData, unit_name: str, year: int) -> bytes:
    """Return the report as .docx bytes: title, the six sections in order, the three table sections."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = SIZE_BODY
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    _paragraph(document, title_of(unit_name, year), font=TITLE_FONT, size=SIZE_TITLE, center=True)
    document.add_paragraph()
    for key, heading in F.SECTIONS:
        _paragraph(document, heading, font=HEADING_FONT, keep_with_next=True)
        if key in F.TEXT_SECTIONS:
            _prose(document, report.texts.get(key, ""))
        elif key == "s2":
            _section2(document, report)
        elif key == "s3":
            _section3(document, report)
        else:
            _section4(document, report)
    out = BytesIO()
    document.save(out)
    return out.getvalue()

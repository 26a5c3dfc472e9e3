"""Notices as Word documents in the official layout (GB/T 9704): office, 文号, title, 主送, items table, signature.

Pure apart from python-docx: callers pass a NoticeDoc built from the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .rules import cn_date

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
#: 三号 and 二号 in points
SIZE_BODY = Pt(16)
SIZE_TITLE = Pt(22)
SIZE_TABLE = Pt(12)
RED = RGBColor(0xC0, 0x00, 0x00)

ITEM_COLUMNS = ("序号", "任务", "条款", "原定时限", "状态", "逾期工作日")


@dataclass(frozen=True)
class DocItem:
    task: str
    clause: str
    original_due: date | None
    status: str
    #: working days overdue on the notice's date; None when it does not apply
    workdays_overdue: int | None = None


@dataclass
class NoticeDoc:
    #: 发文机关, e.g. 运城市人民政府办公室
    issuer: str
    title: str
    #: 主送, the unit addressed
    recipient: str
    issued_on: date
    doc_number: str | None = None
    #: paragraphs before the table
    intro: list[str] = field(default_factory=list)
    items: list[DocItem] = field(default_factory=list)
    #: 整改时限 / 办理时限, stated after the table
    deadline: date | None = None
    deadline_text: str = "请于{date}前将整改情况及佐证材料报送，逐项说明整改措施和完成情况。"
    #: paragraphs after the table
    closing: list[str] = field(default_factory=list)
    #: a table other than items (the circular's named units): (header, rows)
    table: tuple[tuple[str, ...], list[tuple[str, ...]]] | None = None
    landscape: bool = False


def _font(run, name: str, size, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    # Word picks Chinese glyphs from w:eastAsia, not from the Latin font name.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text: str, *, font: str = BODY_FONT, size=SIZE_BODY, bold: bool = False,
               align=None, indent: bool = False, color: RGBColor | None = None, space_after=Pt(0)):
    p = document.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_after = space_after
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 三号
    _font(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _cell(cell, text: str, *, header: bool = False, center: bool = False) -> None:
    p = cell.paragraphs[0]  # a new cell holds one empty paragraph
    if header or center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(text), HEADING_FONT if header else BODY_FONT, SIZE_TABLE)


def _table(document, header: tuple[str, ...], rows: list[tuple[str, ...]], center_cols: set[int]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, name in enumerate(header):
        _cell(table.rows[0].cells[i], name, header=True)
    for values in rows:
        cells = table.add_row().cells
        for i, value in enumerate(values):
            _cell(cells[i], value, center=i in center_cols)


def item_rows(items: list[DocItem]) -> list[tuple[str, ...]]:
    """Return the table rows of the items, as the .docx shows them."""
    return [
        (str(i), it.task, it.clause, cn_date(it.original_due) if it.original_due else "—", it.status,
         "—" if it.workdays_overdue is None else str(it.workdays_overdue))
        for i, it in enumerate(items, 1)
    ]


def render(doc: NoticeDoc) -> bytes:
    """Return the notice as .docx bytes."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if doc.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, SIZE_BODY
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    _paragraph(document, doc.issuer, font=TITLE_FONT, size=Pt(26), align=WD_ALIGN_PARAGRAPH.CENTER,
               color=RED, space_after=Pt(6))
    if doc.doc_number:
        _paragraph(document, doc.doc_number, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=Pt(6))
    _paragraph(document, "—" * 22, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED, space_after=Pt(12))
    _paragraph(document, doc.title, font=TITLE_FONT, size=SIZE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER,
               space_after=Pt(12))
    _paragraph(document, f"{doc.recipient}：")
    for text in doc.intro:
        _paragraph(document, text, indent=True)
    if doc.items:
        _table(document, ITEM_COLUMNS, item_rows(doc.items), center_cols={0, 3, 4, 5})
    if doc.table:
        header, rows = doc.table
        _table(document, header, rows, center_cols={0, len(header) - 1})
    if doc.deadline:
        _paragraph(document, doc.deadline_text.format(date=cn_date(doc.deadline)), indent=True)
    for text in doc.closing:
        _paragraph(document, text, indent=True)
    _paragraph(document, "")
    _paragraph(document, doc.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, cn_date(doc.issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = BytesIO()
    document.save(out)
    return out.getvalue()

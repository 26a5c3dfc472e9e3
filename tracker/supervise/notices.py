"""Official documents as Word files laid out to GB/T 9704-2012 (党政机关公文格式).

One builder, ``render(NoticeDoc)``, lays out every document the tracker sends: 催办提醒, 督办通知,
整改通知 and 通报. Pure apart from python-docx: callers pass a NoticeDoc built from the database.

What the layout follows (numbers from the standard):

- A4, 版心 156 mm × 225 mm: top margin 37 mm, left 28 mm, right 26 mm, bottom 35 mm; a document
  grid of 22 lines × 28 characters for 3号 (16 pt) body text.
- 文件格式: 发文机关标志 in red 小标宋 centred, 发文字号 two lines below it, a red rule 4 mm under the
  发文字号 drawn as a paragraph border across the whole text block. 信函格式 (``letter=True``): the
  标志 and a red double rule (thick over thin, 170 mm) in the first page's header, a thin-over-thick
  double rule 20 mm above the page bottom in the first page's footer, 发文字号 flush right one
  character in, no page number on the first page, a 版记 without rules or 印发 line.
- 标题 in 2号小标宋, broken only between words (``title_lines``) into lines no longer than the block.
- 正文 3号仿宋, first lines indented two characters; "一、" headings in 黑体, "（一）" in 楷体.
- 附件说明 one line under the body; 署名 centred over 成文日期, the date four characters from the right
  (room for the seal), the last body paragraph, the 附件说明 and both kept on one page.
- 附件 each on a new page: "附件1" in 3号黑体 top left, its title centred.
- 版记 on the last page, after the last content and kept with it: 抄送 and 印发机关/印发日期 between a
  thick, a thin and a thick rule (a letter: 抄送 alone, no rules). It follows the text rather than
  sitting on the page's last line: LibreOffice does not anchor a floating table to the page bottom.
- Page numbers "— 1 —" in 4号宋体, 7 mm under the block, odd pages right and even pages left.
- Tables: column widths from the content, the header row repeated, rows never split.

Fonts are named as government offices have them: 仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312 and
宋体, each also set as the East Asian font of every run. Where a computer lacks one, the font table
names the fallback Word uses instead (``w:altName``): 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体,
方正小标宋简体 → 宋体. LibreOffice falls back through fontconfig (Noto Serif/Sans CJK here).
"""
from __future__ import annotations

import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .rules import cn_date

#: (font name, the fallback Word uses where it is missing)
FANGSONG = ("仿宋_GB2312", "仿宋")
XIAOBIAOSONG = ("方正小标宋简体", "宋体")
HEITI = ("黑体", "SimHei")
KAITI = ("楷体_GB2312", "楷体")
SONGTI = ("宋体", "SimSun")
BODY_FONT, TITLE_FONT, HEADING_FONT, KAI_FONT, SONG_FONT = (f[0] for f in (FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI))

#: 三号, 二号, 四号 and the table text (四号 reads well in a 156 mm table)
SIZE_BODY = Pt(16)
SIZE_TITLE = Pt(22)
SIZE_PAGE_NUMBER = Pt(14)
SIZE_TABLE = Pt(12)
RED = RGBColor(0xE6, 0x00, 0x12)
RED_HEX = "E60012"

PAGE_W, PAGE_H = Mm(210), Mm(297)
TOP, LEFT, BLOCK_W, BLOCK_H = 37, 28, 156, 225
#: a 22-line page: 225 mm / 22 ≈ 28.95 pt, 579 twips
LINE_PITCH_TWIPS = 579
LINE = Pt(LINE_PITCH_TWIPS / 20)
#: 28 characters across 156 mm: 15.79 pt each
CHAR_PT = BLOCK_W / 25.4 * 72 / 28
#: characters of 二号 on a title line
TITLE_CHARS = int(BLOCK_W / 25.4 * 72 // 22)

ITEM_COLUMNS = ("序号", "任务", "条款", "原定时限", "状态", "逾期工作日")


@dataclass(frozen=True)
class DocItem:
    task: str
    clause: str
    original_due: date | None
    status: str
    #: working days overdue on the notice's date; None when it does not apply
    workdays_overdue: int | None = None
    #: the deadline as the plan writes it, shown when there is no date
    deadline_text: str = ""


@dataclass
class DocTable:
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    #: columns centred (numbers, dates)
    center: frozenset[int] = frozenset()
    #: columns left blank for the unit to fill in: their width comes from this many characters
    blank_widths: dict[int, int] = field(default_factory=dict)
    #: a row height in lines for every data row, or per row index (a form to fill in by hand)
    row_lines: int | dict[int, int] = 1
    #: the last row is a 合计 row, set in 黑体
    total_row: bool = False
    #: text size; 五号 suits a table of many columns
    size: object = SIZE_TABLE


@dataclass
class Attachment:
    #: 附件说明's name of it, also its title on its page
    title: str
    #: on landscape pages (a wide form to fill in)
    landscape: bool = False
    before: list[str] = field(default_factory=list)
    table: DocTable | None = None
    after: list[str] = field(default_factory=list)
    #: a file sent with the document (a scan, the information provided): named in the 附件说明 only,
    #: no page of its own
    note_only: bool = False


@dataclass
class NoticeDoc:
    #: 发文机关, e.g. 运城市人民政府办公室
    issuer: str
    title: str
    #: 主送, the unit addressed
    recipient: str
    issued_on: date | None
    doc_number: str | None = None
    #: a draft prints 草稿 where the number goes and no date
    is_draft: bool = False
    #: 信函格式 rather than 文件格式
    letter: bool = False
    #: paragraphs before the table
    intro: list[str] = field(default_factory=list)
    items: list[DocItem] = field(default_factory=list)
    #: 整改时限 / 办理时限, stated after the table
    deadline: date | None = None
    deadline_text: str = "请于{date}前将整改情况及佐证材料报送，逐项说明整改措施和完成情况。"
    #: paragraphs after the table
    closing: list[str] = field(default_factory=list)
    #: a table in the body other than items: after the paragraph index given, else after the intro
    table: DocTable | None = None
    table_after: int | None = None
    #: a second body table (e.g. the circular's overall figures), after the paragraph index given
    figures: DocTable | None = None
    figures_after: int | None = None
    attachments: list[Attachment] = field(default_factory=list)
    #: 联系人 and 电话, printed in brackets under the date
    contact: str | None = None
    #: 抄送
    cc: list[str] = field(default_factory=list)
    #: 印发机关; the issuer when None
    printed_by: str | None = None

    def __post_init__(self) -> None:
        # a table may also come as (header, rows), as the 依申请公开 documents pass it
        for name in ("table", "figures"):
            value = getattr(self, name)
            if isinstance(value, tuple):
                header, rows = value
                setattr(self, name, DocTable(tuple(header), [tuple(r) for r in rows]))


# --- text measures ---------------------------------------------------------------------------------------


def text_width(text: str) -> float:
    """Return the width of text in full-width characters (Latin letters and digits count half)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)


_OPEN, _CLOSE = "《“（(〔【", "》”）)〕】"
#: words a title may break before inside a 《》 too long for one line
_INNER_BREAK_BEFORE = ("全面", "推进", "进一步", "做好", "加强", "深化", "规范化", "标准化", "政务公开", "工作要点",
                       "实施方案", "工作实施方案", "年政务公开", "基层")
#: words a title may break before
_BREAK_BEFORE = ("的通知", "的通报", "的报告", "的意见", "的函", "落实情况", "发现问题", "逾期未办结", "整改通知",
                 "督办通知", "催办提醒", "工作要点", "实施方案", "情况的", "较好单位", "事项的", "单位的")


def _inner_points(title: str, width: float) -> set[int]:
    """Return break points inside bracket blocks wider than a line: before a few words plans' titles use."""
    points: set[int] = set()
    for m in re.finditer(r"《[^》]*》", title):
        if text_width(m.group()) <= width:
            continue
        for word in _INNER_BREAK_BEFORE:
            for w in re.finditer(re.escape(word), m.group()):
                if w.start() > 1:
                    points.add(m.start() + w.start())
    return points


def _break_points(title: str) -> set[int]:
    """Return the positions a title may break at: outside brackets, around them, and before listed words."""
    points: set[int] = set()
    depth = 0
    for i, ch in enumerate(title):
        if ch in _OPEN:
            if depth == 0 and i > 0:
                points.add(i)
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
            if depth == 0:
                points.add(i + 1)
        elif depth == 0 and ch == "的":
            points.add(i + 1)
    for word in _BREAK_BEFORE:
        for m in re.finditer(re.escape(word), title):
            if _depth_at(title, m.start()) == 0:
                points.add(m.start())
    if title.startswith("关于"):
        points.add(2)
    return {p for p in points if 0 < p < len(title)}


def _depth_at(text: str, pos: int) -> int:
    depth = 0
    for ch in text[:pos]:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
    return depth


def title_lines(title: str, width: float = TITLE_CHARS) -> list[str]:
    """Break a title into lines no wider than `width`, only between words, longest line first where possible.

    Breaks fall around 《》“” blocks, after 的, after a leading 关于 and before a few stock words; the
    lines are as even as they can be (a trapezoid). Only when no such break fits does a line break
    elsewhere, and then never inside a pair of brackets if that can be avoided.
    """
    if text_width(title) <= width:
        return [title]
    best: list[str] | None = None
    n_min = math.ceil(text_width(title) / width)
    for points in (sorted(_break_points(title)), sorted(_break_points(title) | _inner_points(title, width))):
        for n in range(n_min, n_min + 3):
            best = _best_split(title, points, n, width)
            if best:
                break
        if best:
            break
    if best is None:
        # No word boundary fits: fill lines greedily, still keeping bracket pairs where possible.
        lines, line = [], ""
        for ch in title:
            if text_width(line + ch) > width:
                lines.append(line)
                line = ""
            line += ch
        return lines + [line]
    return best


def _best_split(title: str, points: list[int], n: int, width: float) -> list[str] | None:
    """Return the split into n lines at the break points with the most even widths (wider lines on top)."""
    from itertools import combinations, pairwise

    best, best_cost = None, None
    for cuts in combinations(points, n - 1):
        bounds = (0, *cuts, len(title))
        lines = [title[a:b] for a, b in pairwise(bounds)]
        widths = [text_width(line) for line in lines]
        if max(widths) > width:
            continue
        mean = sum(widths) / n
        cost = sum((w - mean) ** 2 for w in widths)
        # a trapezoid: a line wider than the one above it costs a little
        cost += sum(0.5 for a, b in pairwise(widths) if b > a)
        if best_cost is None or cost < best_cost:
            best, best_cost = lines, cost
    return best


# --- low-level XML helpers -------------------------------------------------------------------------------


def _set_fonts(rpr, name: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _run(p, text: str, font: str = BODY_FONT, size=SIZE_BODY, *, bold: bool = False, color: RGBColor | None = None):
    run = p.add_run(text)
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    # Word picks Chinese glyphs from w:eastAsia, not from the Latin font name.
    rpr = run._element.get_or_add_rPr()
    _set_fonts(rpr, font)
    if size == SIZE_BODY:
        # 28 characters of 三号 across 156 mm: 15.79 pt each
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(round((CHAR_PT - 16) * 20)))
        sz = rpr.find(qn("w:sz"))  # schema order: w:spacing comes before w:sz
        sz.addprevious(spacing) if sz is not None else rpr.append(spacing)
    return run


def _border(p, edge: str, *, val: str = "single", size_eighths: int = 8, space_pt: int = 0,
            color: str = RED_HEX) -> None:
    """Draw a paragraph border: a rule as wide as the paragraph (the text block, or wider with negative indents)."""
    ppr = p._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        # w:pBdr must come before w:spacing/w:ind/w:jc in pPr
        anchor = next((ppr.find(qn(t)) for t in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
                       if ppr.find(qn(t)) is not None), None)
        if anchor is not None:
            anchor.addprevious(bdr)
        else:
            ppr.append(bdr)
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), val)
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), str(space_pt))
    line.set(qn("w:color"), color)
    bdr.append(line)


def _chars_indent(p, *, first: int = 0, left: int = 0, right: int = 0) -> None:
    """Indent in characters of the grid (w:*Chars), with the same in points for readers that ignore them."""
    fmt = p.paragraph_format
    if first:
        fmt.first_line_indent = Pt(CHAR_PT * first)
    if left:
        fmt.left_indent = Pt(CHAR_PT * left)
    if right:
        fmt.right_indent = Pt(CHAR_PT * right)
    ind = p._p.get_or_add_pPr().get_or_add_ind()
    if first:
        ind.set(qn("w:firstLineChars"), str(first * 100))
    if left:
        ind.set(qn("w:leftChars"), str(left * 100))
    if right:
        ind.set(qn("w:rightChars"), str(right * 100))


def _field(p, instruction: str, placeholder: str, font: str, size) -> None:
    """Insert a field (PAGE) as begin/instr/separate/result/end runs, which Word and LibreOffice both update."""
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = _run(p, placeholder if kind == "text" else "", font, size)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        elif kind != "text":
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)


def _row_props(row, *, header: bool = False) -> None:
    trpr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _cell_margins(table, mm: float = 1.5) -> None:
    tblpr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(round(mm / 25.4 * 1440)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tblpr.append(mar)


def _off_grid(p) -> None:
    """Let a paragraph (in a table, a header or footer) ignore the document grid, which is set for 3号 body text."""
    ppr = p._p.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert(0, snap) if ppr.find(qn("w:pStyle")) is None else ppr.find(qn("w:pStyle")).addnext(snap)


def _font_table(document) -> None:
    """Name each Chinese font's fallback in the font table (w:altName), for computers that lack it."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = document.part.part_related_by(RT.FONT_TABLE)
    root = part.element if hasattr(part, "element") else None
    if root is None:
        from docx.oxml import parse_xml

        root = parse_xml(part.blob)
    for name, alt in (FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI):
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        alt_el = OxmlElement("w:altName")
        alt_el.set(qn("w:val"), alt)
        font.append(alt_el)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")  # GB2312
        font.append(charset)
        root.append(font)
    if not hasattr(part, "element"):
        from lxml import etree

        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- the builder ---------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, doc: NoticeDoc) -> None:
        self.doc = doc
        self.document = Document()
        self.block_w = BLOCK_W
        self.landscape = False
        self._page_setup()

    # -- page ---------------------------------------------------------------------------------------------

    def _page_setup(self) -> None:
        d = self.document
        section = d.sections[0]
        section.page_width, section.page_height = PAGE_W, PAGE_H
        section.top_margin, section.left_margin = Mm(TOP), Mm(LEFT)
        section.right_margin = Mm(210 - LEFT - BLOCK_W)
        section.bottom_margin = Mm(297 - TOP - BLOCK_H)
        section.header_distance = Mm(30 if self.doc.letter else 15)
        # The page number's top edge sits 7 mm under the block: its 4号 line ends ~12 mm under it.
        section.footer_distance = Mm(297 - TOP - BLOCK_H - 7 - 6)
        sectpr = section._sectPr
        grid = sectpr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sectpr.append(grid)
        # Lines only: a character grid makes LibreOffice space CJK text and digits unevenly; 28
        # characters a line come from condensing 3号 runs by 0.2 pt instead (see _run).
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        grid.attrib.pop(qn("w:charSpace"), None)
        normal = d.styles["Normal"]
        normal.font.name, normal.font.size = BODY_FONT, SIZE_BODY
        _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
        normal.paragraph_format.space_before = Pt(0)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.line_spacing = LINE
        normal.paragraph_format.widow_control = True
        _font_table(d)
        self._page_numbers(section)

    def _page_numbers(self, section) -> None:
        """Footers: "— N —" right on odd pages and left on even ones, one character in."""
        self.document.settings.odd_and_even_pages_header_footer = True
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.alignment = align
            p.paragraph_format.line_spacing = 1.0
            _chars_indent(p, **({"right": 1} if align == WD_ALIGN_PARAGRAPH.RIGHT else {"left": 1}))
            _run(p, "— ", SONG_FONT, SIZE_PAGE_NUMBER)
            _field(p, "PAGE", "1", SONG_FONT, SIZE_PAGE_NUMBER)
            _run(p, " —", SONG_FONT, SIZE_PAGE_NUMBER)
        if self.doc.letter:
            self._letterhead(section)

    def _letterhead(self, section) -> None:
        """信函格式: the 标志 and a thick-over-thin red rule on the first page, thin-over-thick near its bottom."""
        section.different_first_page_header_footer = True
        header = section.first_page_header
        p = header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing = 1.0
        _run(p, self.doc.issuer, TITLE_FONT, self._mark_size(), color=RED)
        rule = header.add_paragraph()
        rule.paragraph_format.line_spacing = Pt(4)
        # 170 mm: 7 mm beyond the block on each side
        rule.paragraph_format.left_indent = rule.paragraph_format.right_indent = Mm(-7)
        _border(rule, "bottom", val="thickThinSmallGap", size_eighths=18, space_pt=1)
        footer = section.first_page_footer
        p = footer.paragraphs[0]
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Mm(-7)
        p.paragraph_format.line_spacing = Pt(4)
        _border(p, "top", val="thinThickSmallGap", size_eighths=18)
        section.footer_distance = Mm(20)

    def _mark_size(self):
        """发文机关标志: as large as fits the block, at most 小初 scaled up (42 pt)."""
        return Pt(min(42, int(BLOCK_W / 25.4 * 72 * 0.95 / max(1.0, text_width(self.doc.issuer)))))

    # -- paragraphs ---------------------------------------------------------------------------------------

    def para(self, text: str = "", *, font: str = BODY_FONT, size=SIZE_BODY, align=None, indent: bool = False,
             color: RGBColor | None = None, bold: bool = False, keep_next: bool = False):
        p = self.document.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            _chars_indent(p, first=2)
        if text:
            _run(p, text, font, size, bold=bold, color=color)
        if keep_next:
            p.paragraph_format.keep_with_next = True
        return p

    def body(self, text: str):
        """A body paragraph: 一、 headings in 黑体, （一） in 楷体, the rest in 仿宋."""
        font, heading = BODY_FONT, False
        if re.match(r"^[一二三四五六七八九十]+、", text) and len(text) <= 30:
            font, heading = HEADING_FONT, True
        elif re.match(r"^（[一二三四五六七八九十]+）", text) and len(text) <= 30:
            font, heading = KAI_FONT, True
        # a heading, or a paragraph that introduces a table, stays with what follows
        return self.para(text, font=font, indent=True, keep_next=heading or text.endswith("："))

    def blank(self, *, keep_next: bool = False):
        return self.para(keep_next=keep_next)

    # -- parts ----------------------------------------------------------------------------------------

    def head(self) -> None:
        doc = self.doc
        number = "草稿" if doc.is_draft else (doc.doc_number or "")
        if doc.letter:
            p = self.para(number, align=WD_ALIGN_PARAGRAPH.RIGHT)
            _chars_indent(p, right=1)
            self.blank()
        else:
            self.para(doc.issuer, font=TITLE_FONT, size=self._mark_size(), align=WD_ALIGN_PARAGRAPH.CENTER,
                      color=RED).paragraph_format.line_spacing = 1.0
            self.blank()
            self.blank()
            p = self.para(number, align=WD_ALIGN_PARAGRAPH.CENTER)
            # the red rule 4 mm under the 发文字号, across the whole 156 mm block
            _border(p, "bottom", size_eighths=8, space_pt=11)
            self.blank()
            self.blank()
        p = self.document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing = Pt(36)
        p.paragraph_format.keep_with_next = True
        for i, line in enumerate(title_lines(doc.title)):
            if i:
                p.runs[-1].add_break(WD_BREAK.LINE)
            _run(p, line, TITLE_FONT, SIZE_TITLE)
        self.blank()
        self.para(f"{doc.recipient}：")

    def table(self, t: DocTable) -> None:
        size = t.size
        widths = column_widths(t, size, self.block_w)
        ncols = len(t.header) or len(t.rows[0])
        table = self.document.add_table(rows=1 if t.header else 0, cols=ncols)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _cell_margins(table)
        for col, w in zip(table.columns, widths):
            col.width = w
        if t.header:
            _row_props(table.rows[0], header=True)
            for i, name in enumerate(t.header):
                self._cell(table.rows[0].cells[i], name, widths[i], header=True, size=size)
        last = len(t.rows) - 1
        for r, values in enumerate(t.rows):
            row = table.add_row()
            _row_props(row)
            lines = t.row_lines.get(r, 1) if isinstance(t.row_lines, dict) else t.row_lines
            if lines > 1:
                row.height = Pt(LINE.pt * lines)
            for i, value in enumerate(values):
                self._cell(row.cells[i], value, widths[i], center=i in t.center, size=size,
                           bold_font=t.total_row and r == last)

    def _cell(self, cell, text: str, width, *, header: bool = False, center: bool = False, size=SIZE_TABLE,
              bold_font: bool = False) -> None:
        cell.width = width
        p = cell.paragraphs[0]  # a new cell holds one empty paragraph
        _off_grid(p)
        p.paragraph_format.line_spacing = 1.15
        if header or center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        tcpr = cell._tc.get_or_add_tcPr()
        valign = OxmlElement("w:vAlign")
        valign.set(qn("w:val"), "center")
        tcpr.append(valign)
        lines = text.split("\n")
        for i, line in enumerate(lines):
            run = _run(p, line, HEADING_FONT if header or bold_font else BODY_FONT, size)
            if i < len(lines) - 1:
                run.add_break(WD_BREAK.LINE)

    def attachment_note(self) -> list:
        """附件说明: "附件：1.……", later items aligned under the first title."""
        out = []
        many = len(self.doc.attachments) > 1
        for i, att in enumerate(self.doc.attachments, 1):
            label = f"{i}．{att.title}" if many else att.title
            if i == 1:
                p = self.para(f"附件：{label}", indent=True, keep_next=True)
            else:
                p = self.para(label, keep_next=True)
                _chars_indent(p, left=5)
            out.append(p)
        return out

    def signature(self) -> None:
        """署名 centred over the date, the date four characters from the right, room above for the seal."""
        doc = self.doc
        day = "　　年　　月　　日" if doc.is_draft or doc.issued_on is None else cn_date(doc.issued_on)
        date_w = text_width(day)
        # Two blank lines: the seal's top edge falls within one line of the body.
        self.blank(keep_next=True)
        self.blank(keep_next=True)
        name = self.para(doc.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, keep_next=True)
        shift = max(0.0, 4 + (date_w - text_width(doc.issuer)) / 2)
        name.paragraph_format.right_indent = Pt(CHAR_PT * shift)
        p = self.para(day, align=WD_ALIGN_PARAGRAPH.RIGHT)
        _chars_indent(p, right=4)
        if doc.contact:
            p.paragraph_format.keep_with_next = True
            self.para(f"（{doc.contact}）", indent=True)

    def _new_section(self, landscape: bool) -> None:
        """Start a new page in a new section, landscape (the block turned: 225 mm wide) or portrait."""
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = PAGE_H, PAGE_W
            section.top_margin, section.bottom_margin = Mm(LEFT), Mm(210 - LEFT - BLOCK_W)
            section.left_margin, section.right_margin = Mm(TOP), Mm(297 - TOP - BLOCK_H)
            section.footer_distance = Mm(8)
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = PAGE_W, PAGE_H
            section.top_margin, section.left_margin = Mm(TOP), Mm(LEFT)
            section.right_margin = Mm(210 - LEFT - BLOCK_W)
            section.bottom_margin = Mm(297 - TOP - BLOCK_H)
            section.footer_distance = Mm(297 - TOP - BLOCK_H - 7 - 6)
        section.different_first_page_header_footer = False
        self.block_w = BLOCK_H if landscape else BLOCK_W
        self.landscape = landscape

    def attachments(self) -> None:
        for i, att in enumerate(self.doc.attachments, 1):
            if att.note_only:
                continue
            if att.landscape != self.landscape:
                self._new_section(att.landscape)
                p = self.para(f"附件{i}" if len(self.doc.attachments) > 1 else "附件", font=HEADING_FONT)
            else:
                p = self.para(f"附件{i}" if len(self.doc.attachments) > 1 else "附件", font=HEADING_FONT)
                p.paragraph_format.page_break_before = True
            self.blank()
            t = self.document.add_paragraph()
            t.alignment = WD_ALIGN_PARAGRAPH.CENTER
            t.paragraph_format.line_spacing = Pt(36)
            for j, line in enumerate(title_lines(att.title)):
                if j:
                    t.runs[-1].add_break(WD_BREAK.LINE)
                _run(t, line, TITLE_FONT, SIZE_TITLE)
            self.blank()
            for text in att.before:
                self.body(text)
            if att.table:
                self.table(att.table)
            for text in att.after:
                self.body(text)

    def imprint(self) -> None:
        """版记 at the foot of the last page: 抄送 and 印发机关/印发日期 between full-width rules (a letter:
        抄送 only, no rules), its last rule on the bottom edge of the block (GB/T 9704-2012, 10.1).

        It is a table positioned on the page (w:tblpPr): across from the page's left edge, down from
        the top of the block, so that its bottom is the block's. It is anchored to an empty paragraph
        kept with the last line of the document, so it falls on the last page whatever the length.
        Word and LibreOffice both place it. LibreOffice (writerfilter) floats a table only when text
        could run beside it, judged against the page's width when the horizontal position is relative
        to the page (against the block's otherwise, where a full-width 版记 would stay inline), and
        keeps inline a table positioned from the page's corner into its lower left quarter: hence
        page across, block down.
        """
        doc = self.doc
        if doc.letter and not doc.cc:
            return
        if doc.letter:
            rows = [("抄送：" + "，".join(doc.cc) + "。", None)]
        else:
            printed = "　　年　　月　　日印发" if doc.is_draft or doc.issued_on is None else f"{cn_date(doc.issued_on)}印发"
            rows = [("抄送：" + "，".join(doc.cc) + "。", None)] if doc.cc else []
            rows.append((doc.printed_by or doc.issuer, printed))
        # the anchor: an empty line kept with what precedes it
        self.document.paragraphs[-1].paragraph_format.keep_with_next = True
        table = self.document.add_table(rows=0, cols=2)
        table.autofit = False
        _cell_margins(table, mm=0)
        half = Mm(self.block_w / 2)
        # 4号 text, a character in from each side
        per_line = max(1, int((self.block_w / 25.4 * 72 - 2 * CHAR_PT) / SIZE_PAGE_NUMBER.pt))
        height_pt = 0.0
        for r, (left, right) in enumerate(rows):
            row = table.add_row()
            _row_props(row)
            lines = max(1, math.ceil(text_width(left) / per_line)) if right is None else 1
            row.height = Pt(LINE.pt * lines)
            row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
            height_pt += LINE.pt * lines
            first, last = r == 0, r == len(rows) - 1
            for c, (text, align) in enumerate(((left, WD_ALIGN_PARAGRAPH.LEFT), (right, WD_ALIGN_PARAGRAPH.RIGHT))):
                cell = row.cells[c]
                cell.width = half
                p = cell.paragraphs[0]
                _off_grid(p)
                p.alignment = align
                p.paragraph_format.line_spacing = 1.0
                if c == 0:
                    _chars_indent(p, left=1)
                else:
                    _chars_indent(p, right=1)
                if text:
                    _run(p, text, BODY_FONT, SIZE_PAGE_NUMBER)
                if not doc.letter:
                    _cell_border(cell, "top", 8 if first else 6)
                    if last:
                        _cell_border(cell, "bottom", 8)
                tcpr = cell._tc.get_or_add_tcPr()
                valign = OxmlElement("w:vAlign")
                valign.set(qn("w:val"), "center")
                tcpr.append(valign)
            if right is None:
                # 抄送 runs across both columns
                row.cells[0].merge(row.cells[1])
        left_mm, block_h = (TOP, BLOCK_W) if self.landscape else (LEFT, BLOCK_H)
        _float(table, x_mm=left_mm, y_mm=block_h - height_pt / 72 * 25.4)
        anchor = self.document.add_paragraph()
        _off_grid(anchor)
        anchor.paragraph_format.line_spacing = Pt(1)
        anchor.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        _run(anchor, "", BODY_FONT, Pt(1))
        self.imprint_table = table

    def build(self) -> bytes:
        doc = self.doc
        self.head()
        paragraphs = list(doc.intro)
        body_tables = {}
        if doc.figures is not None:
            body_tables.setdefault(doc.figures_after if doc.figures_after is not None else len(paragraphs) - 1,
                                   []).append(doc.figures)
        if doc.table is not None:
            body_tables.setdefault(doc.table_after if doc.table_after is not None else len(paragraphs) - 1,
                                   []).append(doc.table)
        if doc.items:
            body_tables.setdefault(len(paragraphs) - 1, []).append(
                DocTable(ITEM_COLUMNS, item_rows(doc.items), center=frozenset({0, 2, 3, 4, 5})))
        for i, text in enumerate(paragraphs):
            self.body(text)
            for t in body_tables.pop(i, []):
                self.table(t)
        for tables in body_tables.values():
            for t in tables:
                self.table(t)
        tail = []
        if doc.deadline:
            tail.append(doc.deadline_text.format(date=cn_date(doc.deadline)))
        tail += doc.closing
        last = None
        for text in tail:
            last = self.body(text)
        if last is None:
            last = self.document.paragraphs[-1]
        # the last paragraph, the 附件说明 and the signature stay on one page
        last.paragraph_format.keep_with_next = True
        last.paragraph_format.keep_together = True
        if doc.attachments:
            self.blank(keep_next=True)
            self.attachment_note()
        self.signature()
        self.attachments()
        self.imprint()
        out = BytesIO()
        self.document.save(out)
        return out.getvalue()


def _float(table, *, x_mm: float, y_mm: float) -> None:
    """Position a table: its left edge x_mm from the page's, its top y_mm under the block's; nothing runs beside it."""
    tblpr = table._tbl.tblPr
    pos = OxmlElement("w:tblpPr")
    for key, value in (("leftFromText", "0"), ("rightFromText", "0"), ("topFromText", "0"), ("bottomFromText", "0"),
                       ("vertAnchor", "margin"), ("horzAnchor", "page"),
                       ("tblpX", str(round(x_mm / 25.4 * 1440))), ("tblpY", str(round(y_mm / 25.4 * 1440)))):
        pos.set(qn(f"w:{key}"), value)
    # w:tblpPr and w:tblOverlap come first in w:tblPr, after w:tblStyle
    style = tblpr.find(qn("w:tblStyle"))
    if style is not None:
        style.addnext(pos)
    else:
        tblpr.insert(0, pos)
    overlap = OxmlElement("w:tblOverlap")
    overlap.set(qn("w:val"), "never")
    pos.addnext(overlap)


def _cell_border(cell, edge: str, size_eighths: int) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = tcpr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tcpr.append(borders)
    el = OxmlElement(f"w:{edge}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), "0")
    el.set(qn("w:color"), "000000")
    borders.append(el)


def column_widths(t: DocTable, size=SIZE_TABLE, block_w: float = BLOCK_W) -> list:
    """Return each column's width: short columns as wide as their longest entry, the text column the rest.

    The widest column (the task text) takes what the others leave. When that is under 30 % of the
    block, columns longer than 6 characters wrap onto two lines; still under 30 %, the others shrink in
    proportion. So a task name wraps at the width of the table, not every 5 characters.
    """
    # a little over the nominal em: fallback fonts run wider, and a cell has borders too
    char_mm = size.pt / 72 * 25.4 * 1.1
    pad = 4.0  # cell margins, mm
    longest, heads = [], []
    for i, head in enumerate(t.header or ("",) * len(t.rows[0])):
        values = [r[i] for r in t.rows if i < len(r)]
        n = max([text_width(line) for v in values for line in v.split("\n")] or [0])
        longest.append(max(n, t.blank_widths.get(i, 0)))
        heads.append(max([text_width(line) for line in head.split("\n")] or [0]))
    if len(longest) == 1:
        return [Mm(block_w)]
    main = max(range(len(longest)), key=lambda i: longest[i])
    mm = [max(n, h) * char_mm + pad for n, h in zip(longest, heads)]
    others = [i for i in range(len(mm)) if i != main]

    def rest() -> float:
        return block_w - sum(mm[i] for i in others)

    if rest() < 0.3 * block_w:
        for i in others:
            if longest[i] > 6:
                mm[i] = max(heads[i], math.ceil(longest[i] / 2)) * char_mm + pad
    if rest() < 0.3 * block_w:
        scale = 0.7 * block_w / sum(mm[i] for i in others)
        for i in others:
            mm[i] *= scale
    # the text column takes the room left (a short table: it stretches to the block)
    mm[main] = rest()
    return [Mm(w) for w in mm]


def item_rows(items: list[DocItem]) -> list[tuple[str, ...]]:
    """Return the table rows of the items, as the .docx shows them."""
    return [
        (str(i), it.task, it.clause,
         cn_date(it.original_due) if it.original_due else (it.deadline_text or "—"), it.status,
         "—" if it.workdays_overdue is None else str(it.workdays_overdue))
        for i, it in enumerate(items, 1)
    ]


def render(doc: NoticeDoc) -> bytes:
    """Return the document as .docx bytes: the same bytes whenever it is rendered (the web download and
    `flask documents render` compare equal), its zip entries dated the document's date, not the clock."""
    return _stable(_Builder(doc).build(), doc.issued_on)


def _stable(data: bytes, day: date | None) -> bytes:
    stamp = (day.year, day.month, day.day, 0, 0, 0) if day and day.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()

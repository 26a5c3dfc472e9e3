"""Read a published annual report (extracted text or .docx) into its tables, as data.

Pure: bytes in, a `ReportData` out, or a `ReportReadError` whose Chinese message names what was
expected. Published reports come from PDF or web pages: tables arrive as tab-separated lines with
label cells split over cells ("本年 度办 理结 果"), group labels in cells of their own, stray spaces,
empty cells meaning 0 and amounts with units ("38.41 万").
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from . import formats as F

EXPECTED = "请提供政府信息公开工作年度报告的文本（.txt，表格为制表符分隔的行）或 .docx 文件"


class ReportReadError(ValueError):
    """The file is not a readable annual report; the message (Chinese) says what was expected."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ReportData:
    """One report's content: format, unit and year as printed, prose sections and the tables."""

    format: str
    unit_name: str | None = None
    year: int | None = None
    #: s1, s5, s6 → paragraphs joined by newlines
    texts: dict[str, str] = field(default_factory=dict)
    #: item key → row key → column key → int, or a decimal string for amounts (万元)
    section2: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    #: row key → column key → int
    section3: dict[str, dict[str, int]] = field(default_factory=dict)
    #: True when （六）其他处理 is printed as three rows
    split_other: bool = False
    #: block key → column key → int
    section4: dict[str, dict[str, int]] = field(default_factory=dict)
    #: prose sections (s1, s5, s6) a person edited in the web: a rebuild keeps them
    edited: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "format": self.format, "format_label": F.FORMAT_LABELS[self.format],
            "unit_name": self.unit_name, "year": self.year, "texts": dict(self.texts),
            "section2": self.section2, "section3": self.section3, "split_other": self.split_other,
            "section4": self.section4, "edited": list(self.edited),
        }

    @classmethod
    def from_dict(cls, data: dict) -> ReportData:
        return cls(format=data["format"], unit_name=data.get("unit_name"), year=data.get("year"),
                   texts=dict(data.get("texts") or {}), section2=data.get("section2") or {},
                   section3=data["section3"], split_other=bool(data.get("split_other")),
                   section4=data["section4"], edited=list(data.get("edited") or []))

    def s3_rows(self) -> tuple[F.Row, ...]:
        return F.s3_rows(self.split_other)


# ---------------------------------------------------------------- text helpers

_WIDE = str.maketrans({"(": "（", ")": "）", "．": ".", "、": "、", "，": "，"})
_DIGITS = str.maketrans("０１２３４５６７８９－＋．，", "0123456789-+.,")
_SPACE_RE = re.compile(r"[\s\u3000\u00a0]+")


def compact(text: str) -> str:
    """Drop every space and make brackets full-width, so split and spaced labels compare equal."""
    return _SPACE_RE.sub("", text).translate(_WIDE)


_NUMBER_RE = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(万元|万|元|件|个|项|条|次)?$")


def _parse_number(cell: str) -> tuple[Decimal, str] | None:
    """Return (value, unit) for a cell that holds a number, else None."""
    text = _SPACE_RE.sub("", cell).translate(_DIGITS).replace(",", "")
    match = _NUMBER_RE.match(text)
    if not match:
        return None
    sign, digits, unit = match.groups()
    try:
        value = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return None
    return (-value if sign == "-" else value), unit or ""


def _is_number(cell: str) -> bool:
    return _parse_number(cell) is not None


def _trim(cells: list[str]) -> list[str]:
    """Strip each cell and drop empty cells at both ends."""
    cells = [c.strip() for c in cells]
    while cells and not cells[0]:
        cells.pop(0)
    while cells and not cells[-1]:
        cells.pop()
    return cells


# ---------------------------------------------------------------- sections

_HEADINGS = (
    ("s1", "一、总体情况"),
    ("s2", "二、主动公开政府信息情况"),
    ("s3", "三、收到和处理政府信息公开申请情况"),
    ("s4", "四、政府信息公开行政复议"),
    ("s5", "五、存在的主要问题"),
    ("s6", "六、其他需要报告的事项"),
)
_TITLE_RE = re.compile(r"^(.*?)(\d{4})年(?:度)?政府信息公开(?:工作)?年度报告$")


def _split_sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Return the lines before the first heading and each section's lines, found by heading in order."""
    found: dict[str, int] = {}
    position = 0
    for key, heading in _HEADINGS:
        for index in range(position, len(lines)):
            line = lines[index]
            if "\t" not in line.strip() and compact(line).startswith(heading):
                found[key] = index
                position = index + 1
                break
    starts = sorted(found.items(), key=lambda kv: kv[1])
    sections: dict[str, list[str]] = {}
    for n, (key, start) in enumerate(starts):
        end = starts[n + 1][1] if n + 1 < len(starts) else len(lines)
        sections[key] = lines[start + 1:end]
    head = lines[: starts[0][1]] if starts else lines
    return head, sections


def _paragraphs(lines: list[str]) -> str:
    return "\n".join(line.strip() for line in lines if line.strip())


# ---------------------------------------------------------------- section 三

#: (row key, test on the compact label); the most specific first.
_S3_MATCHERS: tuple[tuple[str, object], ...] = (
    ("withheld_secret", "国家秘密"), ("withheld_law", "禁止公开"), ("withheld_safety", "三安全一稳定"),
    ("withheld_third_party", "第三方合法权益"), ("withheld_internal", "内部事务"),
    ("withheld_process", "过程性信息"), ("withheld_enforcement", "执法案卷"),
    ("withheld_query", "查询事项"), ("unable_not_held", "不掌握"), ("unable_needs_making", "另行制作"),
    ("unable_unclear", "仍不明确"), ("refused_petition", "信访举报"), ("refused_repeat", "重复申请"),
    ("refused_publication", "公开出版物"), ("refused_mass", "大量反复"), ("refused_confirm", "重新出具"),
    ("other_no_correction", "逾期不补正"), ("other_no_fee", "缴纳费用"),
    ("other_other", re.compile(r"3\.?其他$")), ("other_handling", "其他处理"),
    ("disclosed", "予以公开"), ("partly", "部分公开"), ("new", "本年新收"), ("carried_in", "上年结转"),
    ("carried_out", "结转下年度"), ("results_total", "总计"),
)


def _match_s3(label: str) -> tuple[str, object] | None:
    for key, test in _S3_MATCHERS:
        if (test.search(label) if isinstance(test, re.Pattern) else test in label):
            return key, test
    return None


def _label_end(cells: list[str], test) -> int:
    """Return the index of the cell where the row's label ends (the keyword may span cells)."""
    joined = ""
    for index, cell in enumerate(cells):
        joined += compact(cell)
        if (test.search(joined) if isinstance(test, re.Pattern) else test in joined):
            return index
    return len(cells) - 1  # pragma: no cover - the keyword was found in the joined label


def _count(cell: str, where: str, problems: list[str]) -> int:
    """Parse a count cell (empty is 0); a non-number or a fraction is a problem naming `where`."""
    if not cell.strip():
        return 0
    parsed = _parse_number(cell)
    if parsed is None or parsed[1] not in ("", "件", "个", "项", "条", "次"):
        problems.append(f"{where}的“{cell.strip()}”不是数字，应填写非负整数")
        return 0
    value = parsed[0]
    if value != value.to_integral_value() or value < 0:
        problems.append(f"{where}的“{cell.strip()}”不是非负整数")
        return 0
    return int(value)


def _read_section3(lines: list[str], problems: list[str]) -> tuple[dict[str, dict[str, int]], bool]:
    """Return section 三's rows and whether （六） is split; raise when no row of the table is there."""
    table: dict[str, dict[str, int]] = {}
    seen = 0
    width = len(F.S3_COLUMNS)
    for line in lines:
        cells = line.split("\t")
        if not any(_is_number(c) for c in cells):
            continue
        label = "".join(compact(c) for c in cells if c.strip() and not _is_number(c))
        matched = _match_s3(label)
        if matched is None:
            continue
        key, test = matched
        seen += 1
        name = F.s3_row_label(key)
        if key in table:
            problems.append(f"第三部分表格中「{name}」行出现了两次")
            continue
        values = _trim(cells[_label_end(cells, test) + 1:])
        if len(values) != width:
            problems.append(
                f"第三部分表格「{name}」行有 {len(values)} 列数字，应有 {width} 列"
                f"（{'、'.join(label for _, label, _ in F.S3_COLUMNS)}），请检查是否缺列"
            )
            continue
        table[key] = {
            col: _count(cell, f"第三部分表格「{name}」行「{F.S3_COLUMN_LABELS[col]}」列", problems)
            for (col, _, _), cell in zip(F.S3_COLUMNS, values)
        }
    if not seen:
        raise ReportReadError("未找到第三部分“收到和处理政府信息公开申请情况”的表格：应有"
                              "“一、本年新收政府信息公开申请数量”等各行，每行 7 列数字（自然人至总计）")
    split_other = any(row.key in table for row in F.OTHER_SPLIT)
    for row in F.s3_rows(split_other):
        if row.key not in table:
            problems.append(f"第三部分表格缺少「{F.s3_row_label(row.key)}」行")
    return table, split_other


# ---------------------------------------------------------------- section 四

def _read_section4(lines: list[str], problems: list[str]) -> dict[str, dict[str, int]]:
    values: list[str] = []
    for line in lines:
        cells = line.split("\t")
        if any(_is_number(c) for c in cells):
            values.extend(_trim(cells))
    names = [(block, col) for block, _ in F.S4_BLOCKS for col, _ in F.S4_COLUMNS]
    if len(values) != len(names):
        problems.append(
            f"第四部分表格应有 {len(names)} 个数字（行政复议，行政诉讼中未经复议直接起诉、复议后起诉，"
            f"各为结果维持、结果纠正、其他结果、尚未审结、总计），实际读到 {len(values)} 个，请检查是否缺列"
        )
        return {}
    table: dict[str, dict[str, int]] = {block: {} for block, _ in F.S4_BLOCKS}
    for (block, col), cell in zip(names, values):
        where = f"第四部分表格「{F.S4_BLOCK_LABELS[block]}」「{F.S4_COLUMN_LABELS[col]}」列"
        table[block][col] = _count(cell, where, problems)
    return table


# ---------------------------------------------------------------- section 二

_S2_2019_MARKS = ("本年新制作数量", "本年新公开数量", "上一年项目数量", "采购项目数量", "政府集中采购", "其他对外管理服务事项")
_S2_2021_MARKS = ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额")


def _detect_format(s2_lines: list[str], split_other: bool, year: int | None) -> str:
    text = compact("".join(s2_lines))
    if any(mark in text for mark in _S2_2021_MARKS):
        return F.FORMAT_2021
    if any(mark in text for mark in _S2_2019_MARKS):
        return F.FORMAT_2019
    if split_other:
        return F.FORMAT_2021
    return F.format_for_year(year) if year else F.FORMAT_2019


def _row_of(fmt: F.Format, label: str) -> tuple[F.Item, str] | None:
    for item in fmt.items:
        for key, row_label in item.rows:
            if label == compact(row_label) or (key == "normative" and label.endswith("规范性文件")):
                return item, key
    return None


def _value(cell: str, kind: str, where: str, problems: list[str]) -> object:
    if kind == "count":
        return _count(cell, where, problems)
    if not cell.strip():
        return 0 if kind == "delta" else "0"
    parsed = _parse_number(cell)
    if parsed is None:
        problems.append(f"{where}的“{cell.strip()}”不是数字")
        return 0
    value, unit = parsed
    if kind == "delta":
        if value != value.to_integral_value():
            problems.append(f"{where}的“{cell.strip()}”不是整数")
            return 0
        return int(value)
    if unit == "元":
        value = value / Decimal(10000)
    return format(value.normalize(), "f") if value != 0 else "0"


def _read_section2(fmt: F.Format, lines: list[str], problems: list[str]) -> dict:
    table: dict[str, dict[str, dict[str, object]]] = {item.key: {} for item in fmt.items}
    for line in lines:
        cells = line.split("\t")
        if not cells[0].strip():
            continue
        found = _row_of(fmt, compact(cells[0]))
        if found is None:
            continue
        item, key = found
        row_label = dict(item.rows)[key]
        values = [c.strip() for c in cells[1:]]
        while values and not values[-1]:
            values.pop()
        if len(values) != len(item.columns):
            problems.append(
                f"第二部分{item.heading}「{row_label}」行有 {len(values)} 列，应有 {len(item.columns)} 列"
                f"（{'、'.join(label for _, label, _ in item.columns)}）"
            )
            continue
        table[item.key][key] = {
            col: _value(cell, kind, f"第二部分{item.heading}「{row_label}」行「{label}」列", problems)
            for (col, label, kind), cell in zip(item.columns, values)
        }
    for item in fmt.items:
        for key, row_label in item.rows:
            if key not in table[item.key]:
                problems.append(f"第二部分缺少{item.heading}「{row_label}」行")
    return table


# ---------------------------------------------------------------- entry points

def read_text(text: str) -> ReportData:
    """Read a report from its text; raise ReportReadError naming every problem found."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    head, sections = _split_sections(lines)
    missing = [F.SECTION_TITLES[key] for key in ("s3", "s4") if key not in sections]
    if missing:
        raise ReportReadError(
            "未找到年度报告的表格：应有“" + "”和“".join(missing) + "”部分（按国家年度报告格式的标题），"
            "请确认文件是政府信息公开工作年度报告"
        )
    unit_name = year = None
    for line in head:
        match = _TITLE_RE.match(compact(line))
        if match:
            unit_name = match.group(1) or None
            year = int(match.group(2))
            break
    problems: list[str] = []
    section3, split_other = _read_section3(sections["s3"], problems)
    section4 = _read_section4(sections["s4"], problems)
    fmt = F.get_format(_detect_format(sections.get("s2", []), split_other, year))
    section2 = _read_section2(fmt, sections["s2"], problems) if "s2" in sections else {}
    if "s2" not in sections:
        problems.append(f"未找到“{F.SECTION_TITLES['s2']}”部分")
    if problems:
        raise ReportReadError("年度报告读取失败：" + "；".join(problems) + "。")
    texts = {key: _paragraphs(sections[key]) for key in F.TEXT_SECTIONS if key in sections}
    return ReportData(format=fmt.key, unit_name=unit_name, year=year, texts=texts, section2=section2,
                      section3=section3, split_other=split_other, section4=section4)


def docx_lines(data: bytes) -> list[str]:
    """Return a .docx body as lines in order: each paragraph, and each table row as tab-separated cells.

    A merged cell keeps its text in its first row and column only, as extracted text prints it.
    """
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - python-docx raises many unrelated types on a damaged package
        raise ReportReadError(f"文件不是有效的 .docx 文档。{EXPECTED}") from None
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            above: list = []
            for row in Table(child, document).rows:
                cells = list(row.cells)
                out = []
                for index, cell in enumerate(cells):
                    repeated = (index > 0 and cells[index - 1]._tc is cell._tc) or (
                        index < len(above) and above[index]._tc is cell._tc)
                    out.append("" if repeated else cell.text.replace("\n", ""))
                lines.append("\t".join(out))
                above = cells
    return lines


def read_file(data: bytes, filename: str = "") -> ReportData:
    """Read a report file: .docx by its signature, otherwise text in UTF-8 or GBK."""
    if not data.strip():
        raise ReportReadError(f"文件是空的。{EXPECTED}")
    if data[:2] == b"PK":
        if not _is_docx(data):
            raise ReportReadError(f"文件是压缩包或其他 Office 文件，不是 .docx 文档。{EXPECTED}")
        return read_text("\n".join(docx_lines(data)))
    if data[:4] == b"%PDF":
        raise ReportReadError(f"不能直接读取 PDF 文件，请先提取为文本。{EXPECTED}")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ReportReadError(f"无法识别文件编码。{EXPECTED}")
    if "\x00" in text:
        raise ReportReadError(f"文件不是文本文件。{EXPECTED}")
    return read_text(text)


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False

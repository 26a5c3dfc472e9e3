"""What a unit types into its report in the web: section 二's figures, and the prose of 一, 五 and 六.

Section 二 is checked cell by cell (counts are non-negative integers, 本年增/减 an integer, 万元 amounts
non-negative with at most four decimals); on any bad cell nothing is stored and every bad cell is
named by its item, row and column. Prose a person edited is marked in the report's content
(`edited`), so rebuilding the report from the register keeps it; "重新生成草稿" drafts 五 anew.
Services flush, views commit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from . import formats as F
from . import services
from .models import AnnualReport
from .reader import ReportData

#: the prose sections a person may edit, with their headings
TEXT_KEYS = F.TEXT_SECTIONS
MAX_TEXT = 20000
MAX_COUNT = 10**9
AMOUNT_PLACES = 4
_INT_RE = re.compile(r"^[+-]?\d+$")
_AMOUNT_RE = re.compile(r"^\d+(\.\d+)?$")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９－＋．，", "0123456789-+.,")


def field_name(item: str, row: str, column: str) -> str:
    """The form field of one section 二 cell."""
    return f"s2-{item}-{row}-{column}"


def require_editable(report: AnnualReport) -> None:
    if report.is_published:
        raise ServiceError(f"{report.unit.name} {report.year} 年度报告已发布，不能修改；如需更正，请先撤回发布。",
                           status=409)


@dataclass(frozen=True)
class Cell:
    item: F.Item
    row: str
    row_label: str
    column: str
    column_label: str
    kind: str
    name: str
    value: object
    #: last year's figure for this cell ("" when there is none), and the column it comes from when named otherwise
    last_year: object
    last_year_note: str


def cells(report: AnnualReport, last_year: ReportData | None) -> list[list[Cell]]:
    """Return section 二's cells, item by item, each with its value now and last year's beside it."""
    data = ReportData.from_dict(report.content)
    fmt = F.get_format(data.format)
    out = []
    for item in fmt.items:
        rows = []
        for row_key, row_label in item.rows:
            for col, col_label, kind in item.columns:
                value = data.section2.get(item.key, {}).get(row_key, {}).get(col, "")
                prev, note = "", ""
                if last_year is not None:
                    where = F.previous_cell(fmt.key, last_year.format, item.key, col)
                    if where is not None:
                        prev = last_year.section2.get(where[0], {}).get(row_key, {}).get(where[1], "")
                        if where[1] != col:
                            note = F.column_label(last_year.format, *where)
                rows.append(Cell(item, row_key, row_label, col, col_label, kind, field_name(item.key, row_key, col),
                                 value, prev, note))
        out.append(rows)
    return out


def _clean(raw: object) -> str:
    return re.sub(r"[\s\u3000]+", "", str(raw or "")).translate(_WIDE_DIGITS).replace(",", "")


def parse_cell(raw: object, kind: str, where: str) -> tuple[object, str | None]:
    """Return (value, None) or (None, a Chinese message naming the cell)."""
    text = _clean(raw)
    if text == "":
        return None, f"{where}未填写，请填写数字（没有请填 0）。"
    shown = str(raw).strip()
    if kind in ("count", "delta"):
        if not _INT_RE.match(text):
            return None, f"{where}应为整数，填写的是“{shown}”。"
        value = int(text)
        if kind == "count" and value < 0:
            return None, f"{where}应为不小于 0 的整数，填写的是“{shown}”。"
        if abs(value) > MAX_COUNT:
            return None, f"{where}的数字过大（“{shown}”），请核对。"
        return value, None
    if not _AMOUNT_RE.match(text.lstrip("+")) or text.startswith("-"):
        return None, f"{where}应为不小于 0 的金额（万元，可有小数），填写的是“{shown}”。"
    try:
        amount = Decimal(text.lstrip("+"))
    except InvalidOperation:  # pragma: no cover - the pattern lets only digits through
        return None, f"{where}应为金额，填写的是“{shown}”。"
    if amount != amount.quantize(Decimal(1).scaleb(-AMOUNT_PLACES)):
        return None, f"{where}最多保留 {AMOUNT_PLACES} 位小数（万元），填写的是“{shown}”。"
    if amount > MAX_COUNT:
        return None, f"{where}的金额过大（“{shown}”），请核对。"
    return (format(amount.normalize(), "f") if amount else "0"), None


def where_of(item: F.Item, row_label: str, column_label: str) -> str:
    return f"第二部分{item.heading}「{row_label}」行「{column_label}」列"


def save_section2(actor, report: AnnualReport, posted) -> AnnualReport:
    """Store section 二 from posted form values (a mapping field name → text); all cells or none."""
    require_editable(report)
    data = ReportData.from_dict(report.content)
    fmt = F.get_format(data.format)
    table: dict = {}
    errors: list[str] = []
    for item in fmt.items:
        table[item.key] = {}
        for row_key, row_label in item.rows:
            table[item.key][row_key] = {}
            for col, col_label, kind in item.columns:
                value, error = parse_cell(posted.get(field_name(item.key, row_key, col)), kind,
                                          where_of(item, row_label, col_label))
                if error:
                    errors.append(error)
                table[item.key][row_key][col] = value
    if errors:
        raise ServiceError("未保存：" + "；".join(errors[:10]) + (f"；另有 {len(errors) - 10} 处。" if len(errors) > 10 else ""))
    before = data.section2
    data.section2 = table
    report.content = data.to_dict()
    db.session.flush()
    record(actor, "annual_report.section2", "annual_report", report.id, before={"section2": before},
           after={"section2": table})
    return report


def save_texts(actor, report: AnnualReport, texts: dict[str, str | None]) -> AnnualReport:
    """Store the prose sections given (一, 五, 六); a section whose text changed is marked as edited."""
    require_editable(report)
    data = ReportData.from_dict(report.content)
    changed: dict[str, str] = {}
    for key in TEXT_KEYS:
        if key not in texts:
            continue
        text = "\n".join(line.rstrip() for line in (texts[key] or "").replace("\r\n", "\n").split("\n")).strip()
        title = F.SECTION_TITLES[key]
        if len(text) > MAX_TEXT:
            raise ServiceError(f"未保存：“{title}”超过 {MAX_TEXT} 字（{len(text)} 字），请精简。")
        if key == "s5" and not text:
            raise ServiceError(f"未保存：“{title}”不能为空；如需重新起草，请使用“重新生成草稿”。")
        if text != (data.texts.get(key) or ""):
            changed[key] = text
    if not changed:
        return report
    before = {key: data.texts.get(key, "") for key in changed}
    data.texts.update(changed)
    data.edited = sorted(set(data.edited) | set(changed))
    report.content = data.to_dict()
    db.session.flush()
    record(actor, "annual_report.texts", "annual_report", report.id, before=before, after=changed)
    return report


def redraft_problems(actor, report: AnnualReport) -> AnnualReport:
    """Draft section 五 again from the unit's overdue work and rectification items; the edit is replaced."""
    from .build import problems_drafts

    require_editable(report)
    data = ReportData.from_dict(report.content)
    text = problems_drafts([report.unit_id], report.year)[report.unit_id]
    before = data.texts.get("s5", "")
    data.texts["s5"] = text
    data.edited = [key for key in data.edited if key != "s5"]
    report.content = data.to_dict()
    db.session.flush()
    record(actor, "annual_report.redraft", "annual_report", report.id, before={"s5": before}, after={"s5": text})
    return report


def last_year_of(report: AnnualReport) -> ReportData | None:
    return services.last_year_data(report.unit_id, report.year)

"""The register as a workbook: export in the project's workbook style, import an office's own Excel register.

Import reads the header by its words (登记编号, 收到日期, 申请人…), wherever in the first rows it
stands, checks every row and imports all of them or none, naming each bad row by its number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import IO

from ..calendar import WorkCalendar, overdue_workdays
from ..errors import ServiceError
from ..exports.xlsx import Column, XlsxBuilder
from ..extensions import db
from ..timeutil import cn_date
from ..units.models import Unit
from . import categories as cat
from . import queries, services

#: field -> the words a header cell may use for it; the first field whose word the cell contains wins
HEADER_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("serial", ("登记编号", "申请编号", "编号")),
    ("applicant_type", ("申请人类型", "申请人类别", "申请主体类型", "申请人性质")),
    ("contact", ("联系方式", "联系电话", "通讯地址", "电话")),
    ("applicant_name", ("申请人姓名", "申请人名称", "申请人")),
    ("confirmed_on", ("确认日期", "双方确认")),
    ("received_on", ("收到日期", "收到申请日期", "受理日期", "登记日期", "申请日期")),
    ("channel", ("收到方式", "申请方式", "提交方式", "申请渠道")),
    ("content", ("申请内容", "申请公开的内容", "所需信息", "信息内容")),
    ("answered_on", ("答复日期", "办结日期")),
    ("answer", ("答复类型", "处理结果", "答复结果", "办理结果")),
]
REQUIRED = ("received_on", "channel", "applicant_type", "applicant_name", "content")
LABELS = {"serial": "登记编号", "applicant_type": "申请人类型", "contact": "联系方式", "applicant_name": "申请人",
          "confirmed_on": "确认日期", "received_on": "收到日期", "channel": "收到方式", "content": "申请内容",
          "answered_on": "答复日期", "answer": "答复类型"}
HEADER_SCAN_ROWS = 5
MAX_ROWS = 5000


class RegisterImportError(ServiceError):
    """The workbook has errors; nothing was imported."""

    def __init__(self, errors: list[str]):
        super().__init__("登记台账有错误，未导入任何数据：\n" + "\n".join(errors))
        self.errors = errors


@dataclass
class Row:
    number: int
    values: dict


def _norm(text) -> str:
    return re.sub(r"\s+", "", str(text or ""))


def field_of(header: str) -> str | None:
    clean = _norm(header)
    if not clean:
        return None
    for name, words in HEADER_WORDS:
        if any(w in clean for w in words):
            return name
    return None


def parse_cell_date(value) -> date | None:
    """Read a date cell: a real date, 2021-03-01, 2021/3/1, 2021.3.1 or 2021年3月1日; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", str(value).strip())
    if not m:
        raise ValueError(f"日期“{value}”无法识别")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"日期“{value}”不存在") from None


def read_register(data: bytes) -> list[Row]:
    """Read the rows of a register workbook; raise RegisterImportError for a file or header that cannot be read."""
    from openpyxl import load_workbook

    if not data:
        raise RegisterImportError(["文件为空。"])
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise RegisterImportError(["无法读取该文件，请上传 Excel 2007 及以上版本的 .xlsx 文件。"]) from None
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    for index, header in enumerate(rows[:HEADER_SCAN_ROWS]):
        fields = [field_of(c) for c in header]
        if sum(f in REQUIRED for f in set(fields)) >= 3:
            break
    else:
        raise RegisterImportError([f"前{HEADER_SCAN_ROWS}行中找不到表头，表头应包含“收到日期”“收到方式”“申请人类型”“申请人”“申请内容”等列。"])
    missing = [LABELS[f] for f in REQUIRED if f not in fields]
    if missing:
        raise RegisterImportError([f"第{index + 1}行表头缺少“{'”“'.join(missing)}”列。"])
    out = []
    for number, values in enumerate(rows[index + 1:], start=index + 2):
        if all(v in (None, "") for v in values):
            continue
        item = {}
        for f, v in zip(fields, values):
            if f and f not in item:
                item[f] = v
        out.append(Row(number, item))
    if len(out) > MAX_ROWS:
        raise RegisterImportError([f"一次最多导入{MAX_ROWS}行，该文件有{len(out)}行，请拆分后导入。"])
    if not out:
        raise RegisterImportError(["表头下没有数据行。"])
    return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_rows(actor, unit: Unit, rows: list[Row], *, as_of: date,
                calendar: WorkCalendar | None = None) -> list:
    """Register every row through the services, or none: raise RegisterImportError naming each bad row."""
    errors: list[str] = []
    created = []
    savepoint = db.session.begin_nested()
    for row in rows:
        v = row.values
        try:
            try:
                received = parse_cell_date(v.get("received_on"))
                confirmed = parse_cell_date(v.get("confirmed_on"))
                answered = parse_cell_date(v.get("answered_on"))
            except ValueError as exc:
                raise ServiceError(f"{exc}。") from None
            if received is None:
                raise ServiceError("收到日期不能为空。")
            channel = cat.code_for(cat.CHANNELS, _text(v.get("channel")))
            if channel is None:
                raise ServiceError(f"收到方式“{_text(v.get('channel'))}”不是：{'、'.join(cat.CHANNELS.values())}。")
            applicant_type = cat.code_for(cat.APPLICANT_TYPES, _text(v.get("applicant_type")).split("-")[-1]
                                          .replace(cat.APPLICANT_GROUP, ""))
            if applicant_type is None:
                raise ServiceError(f"申请人类型“{_text(v.get('applicant_type'))}”不在年度报告表格的列中"
                                   f"（{'、'.join(cat.APPLICANT_TYPES.values())}）。")
            req = services.register_request(
                actor, unit=unit, channel=channel, received_on=received, confirmed_on=confirmed,
                applicant_type=applicant_type, applicant_name=_text(v.get("applicant_name")),
                applicant_contact=_text(v.get("contact")), content=_text(v.get("content")),
                serial=_text(v.get("serial")) or None, as_of=as_of, calendar=calendar)
            label = _text(v.get("answer"))
            if label or answered:
                category = cat.answer_from_label(label)
                if category is None:
                    raise ServiceError(f"答复类型“{label}”不是年度报告表格中的具体情形。")
                if answered is None:
                    raise ServiceError("填写了答复类型，但没有答复日期。")
                services.answer(actor, req, category=category, on=answered, text="", as_of=as_of, calendar=calendar)
            created.append(req)
        except ServiceError as exc:
            errors.append(f"第{row.number}行：{exc.message}")
    if errors:
        savepoint.rollback()
        raise RegisterImportError(errors)
    savepoint.commit()
    return created


REGISTER_COLUMNS = [
    Column("登记编号", width=11),
    Column("承办单位", "wrap", width=18),
    Column("收到方式", width=9),
    Column("收到日期", "date", width=11),
    Column("确认日期", "date", width=11),
    Column("申请人类型", width=12),
    Column("申请人", width=12),
    Column("联系方式", width=14),
    Column("申请内容", "wrap", width=36),
    Column("状态", width=8),
    Column("答复期限", "date", width=11),
    Column("延长工作日", "int", width=8),
    Column("答复日期", "date", width=11),
    Column("答复类型", "wrap", width=22),
    Column("按期答复", width=8),
    Column("逾期工作日", "int", width=8),
    Column("信息处理费（元）", "number", width=10),
    Column("行政复议、诉讼", "wrap", width=16),
]


def register_rows(user, *, unit_id: int | None, year: int | None, as_of: date, with_applicant: bool,
                  calendar: WorkCalendar | None = None):
    """Yield the export's rows; the applicant's name and contact masked unless with_applicant."""
    from sqlalchemy.orm import selectinload

    cal = services._calendar(calendar)
    stmt = queries.register(user, unit_id=unit_id, year=year).options(
        selectinload(services.DisclosureRequest.appeals), selectinload(services.DisclosureRequest.unit))
    for req in db.session.scalars(stmt.execution_options(yield_per=500)):
        done = req.answered_on
        late_on = done or as_of
        on_time = "" if done is None and as_of <= req.due_on else ("是" if done and done <= req.due_on else "否")
        name = req.applicant_name if with_applicant else queries.mask_name(req.applicant_name)
        contact = req.applicant_contact if with_applicant else queries.mask_contact(req.applicant_contact)
        appeals = "；".join(f"{a.kind_label}：{a.result_label}" for a in req.appeals)
        yield (req.serial, req.unit.name, req.channel_label, req.received_on, req.confirmed_on,
               req.applicant_type_label, name, contact, req.content, req.state_label, req.due_on,
               req.extension_days or None, done, cat.answer_label(req.answer_category), on_time,
               overdue_workdays(cal, req.due_on, late_on) or None, req.fee_amount, appeals)


def write_register(out: IO[bytes], user, *, unit_id: int | None, year: int | None, as_of: date,
                   with_applicant: bool) -> int:
    """Write the 依申请公开登记台账 workbook; return the number of requests written."""
    unit = db.session.get(Unit, unit_id) if unit_id else None
    scope = unit.name if unit else "本辖区"
    title = f"{scope}依申请公开登记台账（{f'{year}年' if year else '全部'}，截至{cn_date(as_of)}）"
    with XlsxBuilder() as book:
        sheet = book.sheet("登记台账", title, REGISTER_COLUMNS, empty_note="暂无登记的申请。")
        sheet.extend(register_rows(user, unit_id=unit_id, year=year, as_of=as_of, with_applicant=with_applicant))
        book.save(out)
        return sheet.rows


__all__ = ["RegisterImportError", "import_rows", "read_register", "write_register"]

"""The audit log as a print-ready workbook (Chinese headers, A4 landscape like the other workbooks)."""
from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ..exports.workbooks import footer
from ..timeutil import cn_date
from ..exports.xlsx import Column, XlsxBuilder
from .present import Row, change_text

COLUMNS = (
    Column("序号", "int", width=6),
    Column("时间", "datetime", width=17),
    Column("操作人", "text", max_width=16),
    Column("所在单位", "text", max_width=24),
    Column("操作", "text", max_width=18),
    Column("对象", "text", max_width=18),
    Column("变更内容", "wrap", width=60),
    Column("地址", "text", max_width=16),
)


def audit_workbook(out: Any, rows: list[Row], *, zone: ZoneInfo, made_on: date, made_by: str = "") -> dict[str, int]:
    with XlsxBuilder() as book:
        sheet = book.sheet("操作日志", f"操作日志（{cn_date(made_on)}导出）", COLUMNS, empty_note="没有符合条件的记录。")
        for n, r in enumerate(rows, 1):
            sheet.append([n, r.when.astimezone(zone).replace(tzinfo=None), r.actor, r.actor_unit, r.action, r.target,
                          "\n".join(change_text(c) for c in r.changes), r.address])
        sheet.footer = footer(made_by, made_on)
        book.save(out)
    return {"rows": len(rows)}

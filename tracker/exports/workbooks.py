"""The workbooks leaders and assessors read: 工作台账, 逾期清单, 考核结果 and a unit's own assignments.

Pure: the rows come in as plain tuples (see the *Row types), built by ``tracker.exports.queries``;
each function writes one finished workbook with ``tracker.exports.xlsx``.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, NamedTuple

from ..timeutil import cn_date
from .xlsx import Column, XlsxBuilder

__all__ = [
    "AssignmentRow",
    "OverdueRow",
    "ScoreBlock",
    "ScoreItemRow",
    "TaskRow",
    "UnitStatus",
    "assessment_workbook",
    "cn_date",
    "ledger_workbook",
    "overdue_workbook",
    "unit_workbook",
]

Out = str | IO[bytes]


class UnitStatus(NamedTuple):
    """One unit's share of a task: who, in which role, how it stands."""

    unit: str
    role: str
    status: str
    progress: int


class TaskRow(NamedTuple):
    """One task of the decomposition layout, with how its units stand."""

    ref: str
    #: 公开任务 (the table's column, else the top-level section)
    public_task: str
    #: 公开内容 (the table's column, else the task's title)
    content: str
    #: 具体要求 (the table's column, else the task's text)
    requirement: str
    leads: str
    responsibles: str
    #: 时限要求 as written
    deadline_text: str
    deadline: date | None
    #: "市财政局：已办结；市审计局：逾期（进度60%）…"
    unit_status: str
    total: int
    completed: int
    overdue: int
    plan: str = ""
    units: tuple[UnitStatus, ...] = ()


class AssignmentRow(NamedTuple):
    """One unit's share of one task, as it stood on the export date."""

    plan: str
    ref: str
    section: str
    task: str
    unit: str
    role: str
    due_on: date | None
    original_due_on: date | None
    status: str
    progress: int
    last_report_on: date | None
    last_report: str
    evidence: int
    days_overdue: int | None
    requirement: str = ""


class OverdueRow(NamedTuple):
    """An assignment past its due date and not completed on the export date."""

    plan: str
    unit: str
    role: str
    ref: str
    task: str
    requirement: str
    due_on: date | None
    original_due_on: date | None
    days_overdue: int
    progress: int
    reminders: int
    last_report_on: date | None
    last_report: str


@dataclass
class ScoreBlock:
    """One category's ranking: the units' results as stored (scoring's UnitScore.to_dict())."""

    name: str
    units: list[dict]
    ranked: bool = True


class ScoreItemRow(NamedTuple):
    category: str
    unit: str
    indicator: str
    rule: str
    points: Decimal
    explanation: str
    occurred_on: date | None
    item_id: str


@dataclass
class AssessmentData:
    """A stored result, flattened for the workbook."""

    title: str
    as_of: date
    version_label: str
    weight_percent: str
    full_score: Decimal
    indicators: list[tuple[str, str, Decimal]]
    blocks: list[ScoreBlock]
    items: list[ScoreItemRow] = field(default_factory=list)


def footer(made_by: str, made_on: date) -> list[str]:
    """The lines under every table: who made it, when, and who checked it (signed by hand)."""
    return [f"制表单位：{made_by or '　' * 6}　　　　制表日期：{cn_date(made_on)}　　　　审核人：　　　　　　"]


#: how an assessment line item's source reads (its id is rule:source type:source id)
SOURCE_LABELS = {
    "report": "进展报送", "assignment": "承办事项", "circular": "通报", "bonus": "加分事项",
    "rectification_item": "整改事项", "escalation_notice": "督办通知", "reminder": "催办提醒",
    "objection": "异议", "task": "任务", "unit": "单位", "plan": "工作要点", "periodic_check": "定期报送检查",
}


def source_text(item_id: str) -> str:
    """Return what a line item rests on, in Chinese: report_returned:report:456 → 进展报送第456号."""
    parts = item_id.split(":")
    if len(parts) >= 3 and parts[2].isdigit():
        label = SOURCE_LABELS.get(parts[1], "记录")
        return f"{label}第{parts[2]}号" + (f"（{parts[3]}）" if len(parts) > 3 and parts[3] else "")
    return "—"


def _with_plan(columns: list[Column], rows: Iterable[Sequence], show_plan: bool, plan_index: int = 0):
    """Drop the plan column when the workbook covers a single plan."""
    if show_plan:
        return columns, rows
    kept = [c for i, c in enumerate(columns) if i != plan_index]
    return kept, (tuple(v for i, v in enumerate(r) if i != plan_index) for r in rows)


# --- 工作台账 ---------------------------------------------------------------------------------------

TASK_COLUMNS = [
    Column("工作要点", "wrap", width=16),
    Column("序号", "int", width=5),
    Column("任务编号", "wrap", width=8),
    Column("公开任务", "wrap", width=12),
    Column("公开内容", "wrap", width=16),
    Column("具体要求", "wrap", width=36),
    Column("时限要求", "wrap", width=12),
    Column("完成时限", "date", width=11),
    Column("承办单位", "wrap", width=18),
    Column("角色", "wrap", width=9),
    Column("落实情况", "wrap", width=10),
    Column("进度（%）", "int", width=7),
]
ASSIGNMENT_COLUMNS = [
    Column("工作要点", "wrap", width=16),
    Column("序号", "int", width=5),
    Column("任务编号", "wrap", width=8),
    Column("所属部分", "wrap", width=12),
    Column("任务", "wrap", width=24),
    Column("承办单位", "wrap", width=16),
    Column("角色", "wrap", width=9),
    Column("完成时限", "date", width=11),
    Column("原定时限", "date", width=11),
    Column("状态", "wrap", width=9),
    Column("进度（%）", "int", width=6),
    Column("最近报送日期", "date", width=11),
    Column("最近报送内容（摘要）", "wrap", width=20),
    Column("佐证材料数", "int", width=6),
    Column("逾期工作日", "int", width=6),
]


def ledger_workbook(out: Out, *, title: str, as_of: date, tasks: Iterable[TaskRow],
                    assignments: Iterable[AssignmentRow], show_plan: bool = False,
                    empty_note: str = "该工作要点暂无任务。", made_by: str = "",
                    made_on: date | None = None) -> dict[str, int]:
    """Write the 工作台账: each task with one row per unit (task cells merged), then one row per assignment."""
    heading = f"{title}工作台账（截至{cn_date(as_of)}）"
    lines = footer(made_by, made_on or as_of)
    with XlsxBuilder() as book:
        columns = TASK_COLUMNS if show_plan else TASK_COLUMNS[1:]
        first = book.sheet("任务分解及落实情况", heading, columns, empty_note=empty_note)
        offset = 1 if show_plan else 0
        n_tasks = n_units = n_done = n_late = 0
        for t in tasks:
            n_tasks += 1
            start = first.rows
            head = [t.plan] if show_plan else []
            head += [n_tasks, t.ref, t.public_task, t.content, t.requirement, t.deadline_text, t.deadline]
            units = t.units or (UnitStatus("（未分解到单位）", "", "", None),)
            # the task's merged cells need so many lines, spread over its unit rows
            spread = math.ceil(first.lines(head) / len(units))
            for k, u in enumerate(units):
                first.append([*(head if k == 0 else [None] * len(head)), u.unit, u.role, u.status, u.progress],
                             skip=range(len(head)), min_lines=spread)
            for column in range(len(head)):
                first.merge_rows(start, first.rows - 1, column)
            n_units += t.total
            n_done += t.completed
            n_late += t.overdue
        if n_tasks:
            total = [None] * len(columns)
            total[offset] = "合计"
            total[offset + 4] = f"任务{n_tasks}项，承办单位{n_units}家次，已办结{n_done}项，逾期{n_late}项"
            first.append(total, bold=True)
            first.merge_rows(first.rows - 1, first.rows - 1, 0)
            first.total_rows = 1
        first.footer = lines

        columns, rows = _with_plan(ASSIGNMENT_COLUMNS, (
            (a.plan, None, a.ref, a.section, a.task, a.unit, a.role, a.due_on,
             a.original_due_on if a.original_due_on != a.due_on else None, a.status, a.progress,
             a.last_report_on, a.last_report, a.evidence, a.days_overdue) for a in assignments), show_plan)
        second = book.sheet("承办明细", f"{title}承办明细（截至{cn_date(as_of)}）", columns, empty_note=empty_note)
        number = columns.index(next(c for c in columns if c.header == "序号"))
        done = late = 0
        for values in rows:
            values = list(values)
            values[number] = second.rows + 1
            done += values[number + 8] == "已办结"
            late += bool(values[-1])
            second.append(values)
        if second.rows:
            total = [None] * len(columns)
            total[number] = "合计"
            total[number + 3] = f"{second.rows}项（已办结{done}项，逾期{late}项）"
            second.append(total, bold=True)
            second.total_rows = 1
        second.footer = lines
        book.save(out)
        return {"tasks": n_tasks, "assignments": second.rows - second.total_rows}


# --- 逾期清单 ---------------------------------------------------------------------------------------

OVERDUE_COLUMNS = [
    Column("工作要点", "wrap", width=16),
    Column("序号", "int", width=5),
    Column("承办单位", "wrap", width=16),
    Column("角色", "wrap", width=9),
    Column("任务编号", "wrap", width=8),
    Column("任务", "wrap", width=22),
    Column("条款内容", "wrap", width=25),
    Column("完成时限", "date", width=11),
    Column("原定时限", "date", width=11),
    Column("逾期工作日", "int", width=6),
    Column("进度（%）", "int", width=6),
    Column("催办次数", "int", width=6),
    Column("最近报送日期", "date", width=11),
    Column("最近报送内容（摘要）", "wrap", width=20),
]


def overdue_workbook(out: Out, *, title: str, as_of: date, rows: Iterable[OverdueRow],
                     show_plan: bool = False, made_by: str = "", made_on: date | None = None) -> dict[str, int]:
    """Write the 逾期清单 at as_of: every assignment past due and not completed, unit by unit with subtotals."""
    with XlsxBuilder() as book:
        columns = OVERDUE_COLUMNS if show_plan else OVERDUE_COLUMNS[1:]
        offset = 1 if show_plan else 0
        sheet = book.sheet("逾期清单", f"{title}逾期未办结事项清单（截至{cn_date(as_of)}）", columns,
                           empty_note=f"截至{cn_date(as_of)}没有逾期未办结的事项。")
        n = 0
        current, count = None, 0

        def subtotal() -> None:
            values = [None] * len(columns)
            values[offset + 1] = f"{current}小计"
            values[offset + 4] = f"{count}项"
            sheet.append(values, bold=True)

        for r in rows:
            if r.unit != current:
                if current is not None:
                    subtotal()
                current, count = r.unit, 0
            n += 1
            count += 1
            values = [r.plan] if show_plan else []
            values += [n, r.unit, r.role, r.ref, r.task, r.requirement, r.due_on,
                       r.original_due_on if r.original_due_on != r.due_on else None, r.days_overdue, r.progress,
                       r.reminders, r.last_report_on, r.last_report]
            sheet.append(values)
        if current is not None:
            subtotal()
            total = [None] * len(columns)
            total[offset] = "合计"
            total[offset + 4] = f"{n}项"
            sheet.append(total, bold=True)
        sheet.footer = footer(made_by, made_on or as_of)
        book.save(out)
        return {"overdue": n}


# --- 考核结果 ---------------------------------------------------------------------------------------


def _num(value) -> Decimal:
    return Decimal(str(value))


def assessment_workbook(out: Out, data: AssessmentData, *, made_by: str = "",
                        made_on: date | None = None) -> dict[str, int]:
    """Write the 考核结果: one ranking sheet per category, then every line item."""
    counts: dict[str, int] = {}
    heading = f"{data.title}考核结果　{data.version_label}　考核日期{cn_date(data.as_of)}"
    lines = footer(made_by, made_on or data.as_of)
    with XlsxBuilder() as book:
        for block in data.blocks:
            columns = [Column("排名", "int", width=6), Column("单位", "wrap", width=22)]
            columns += [Column(f"{name}（{weight.normalize():f}分）", "number", width=max(10, len(name) * 2 + 8))
                        for _code, name, weight in data.indicators]
            columns += [Column("加分", "number", width=8), Column("扣分", "number", width=8),
                        Column(f"总分（满分{data.full_score.normalize():f}）", "number", width=12),
                        Column(f"折算分（×{data.weight_percent}）", "number", width=14),
                        Column("扣分加分事项数", "int", width=10)]
            sheet = book.sheet(block.name, f"{data.title}考核结果　{block.name}　{data.version_label}　"
                               f"考核日期{cn_date(data.as_of)}", columns, empty_note="该类别没有单位。")
            sheet.footer = lines
            for u in block.units:
                sheet.append([u["rank"] if block.ranked else None, u["unit"],
                              *[_num(u["indicators"].get(code, 0)) for code, _n, _w in data.indicators],
                              _num(u["bonus"]), _num(u["deductions"]), _num(u["total"]), _num(u["converted"]),
                              len(u["items"])])
            counts[block.name] = sheet.rows
        items = book.sheet("扣分加分明细", f"{heading}　扣分加分明细", [
            Column("序号", "int", width=5), Column("类别", "wrap", width=20), Column("单位", "wrap", width=20),
            Column("指标", "wrap", width=12), Column("规则", "wrap", width=16), Column("分值", "number", width=7),
            Column("说明", "wrap", width=36), Column("日期", "date", width=11), Column("依据", "wrap", width=14),
        ], empty_note="没有扣分或加分事项。")
        points = Decimal(0)
        for n, r in enumerate(data.items, 1):
            items.append((n, r.category, r.unit, r.indicator, r.rule, r.points, r.explanation, r.occurred_on,
                          source_text(r.item_id)))
            points += r.points
        if data.items:
            items.append((None, "合计", f"{len(data.items)}项", None, None, points), bold=True)
            items.total_rows = 1
        items.footer = lines
        counts["items"] = len(data.items)
        book.save(out)
    return counts


# --- a unit's own assignments -----------------------------------------------------------------------

UNIT_COLUMNS = [
    Column("序号", "int", width=5),
    Column("工作要点", "wrap", width=12),
    Column("任务编号", "wrap", width=8),
    Column("任务", "wrap", width=20),
    Column("具体要求", "wrap", width=23),
    Column("角色", "wrap", width=9),
    Column("完成时限", "date", width=11),
    Column("原定时限", "date", width=11),
    Column("状态", "wrap", width=9),
    Column("进度（%）", "int", width=6),
    Column("最近报送日期", "date", width=11),
    Column("最近报送内容（摘要）", "wrap", width=18),
    Column("佐证材料数", "int", width=6),
    Column("逾期工作日", "int", width=6),
]


def unit_workbook(out: Out, *, unit: str, as_of: date, rows: Iterable[AssignmentRow],
                  made_on: date | None = None) -> dict[str, int]:
    """Write a unit's own assignments (what a reporter exports), across plans."""
    with XlsxBuilder() as book:
        sheet = book.sheet("本单位承办事项", f"{unit}承办事项（截至{cn_date(as_of)}）", UNIT_COLUMNS,
                           empty_note="本单位暂无承办事项。")
        done = late = 0
        for n, a in enumerate(rows, 1):
            sheet.append((n, a.plan, a.ref, a.task, a.requirement, a.role, a.due_on,
                          a.original_due_on if a.original_due_on != a.due_on else None, a.status, a.progress,
                          a.last_report_on, a.last_report, a.evidence, a.days_overdue))
            done += a.status == "已办结"
            late += bool(a.days_overdue)
        count = sheet.rows
        if count:
            sheet.append((None, "合计", None, f"{count}项（已办结{done}项，逾期{late}项）"), bold=True)
            sheet.total_rows = 1
        sheet.footer = footer(unit, made_on or as_of)
        book.save(out)
        return {"assignments": count}

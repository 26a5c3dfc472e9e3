"""The workbooks leaders and assessors read: 工作台账, 逾期清单, 考核结果 and a unit's own assignments.

Pure: the rows come in as plain tuples (see the *Row types), built by ``tracker.exports.queries``;
each function writes one finished workbook with ``tracker.exports.xlsx``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, NamedTuple

from ..timeutil import cn_date
from .xlsx import Column, XlsxBuilder

__all__ = [
    "TaskRow",
    "AssignmentRow",
    "OverdueRow",
    "ScoreBlock",
    "ScoreItemRow",
    "ledger_workbook",
    "overdue_workbook",
    "assessment_workbook",
    "unit_workbook",
    "cn_date",
]

Out = str | IO[bytes]


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


def _with_plan(columns: list[Column], rows: Iterable[Sequence], show_plan: bool, plan_index: int = 0):
    """Drop the plan column when the workbook covers a single plan."""
    if show_plan:
        return columns, rows
    kept = [c for i, c in enumerate(columns) if i != plan_index]
    return kept, (tuple(v for i, v in enumerate(r) if i != plan_index) for r in rows)


# --- 工作台账 ---------------------------------------------------------------------------------------

TASK_COLUMNS = [
    Column("工作要点", "wrap", width=24),
    Column("序号", width=8),
    Column("公开任务", "wrap", width=18),
    Column("公开内容", "wrap", width=22),
    Column("具体要求", "wrap", width=46),
    Column("牵头单位", "wrap", width=18),
    Column("责任单位", "wrap", width=24),
    Column("时限要求", "wrap", width=14),
    Column("完成时限", "date", width=12),
    Column("承办单位数", "int", width=8),
    Column("已办结", "int", width=8),
    Column("逾期", "int", width=8),
    Column("各单位落实情况", "wrap", width=50),
]

ASSIGNMENT_COLUMNS = [
    Column("工作要点", "wrap", width=24),
    Column("序号", width=8),
    Column("所属部分", "wrap", width=18),
    Column("任务", "wrap", width=36),
    Column("承办单位", max_width=30),
    Column("角色", width=10),
    Column("完成时限", "date", width=12),
    Column("原定时限", "date", width=12),
    Column("状态", width=10),
    Column("进度（%）", "int", width=9),
    Column("最近报送日期", "date", width=13),
    Column("最近报送内容（摘要）", "wrap", width=40),
    Column("佐证材料数", "int", width=10),
    Column("逾期工作日", "int", width=10),
]


def ledger_workbook(out: Out, *, title: str, as_of: date, tasks: Iterable[TaskRow],
                    assignments: Iterable[AssignmentRow], show_plan: bool = False,
                    empty_note: str = "该工作要点暂无任务。") -> dict[str, int]:
    """Write the 工作台账: the decomposition layout with each unit's status, then one row per assignment."""
    heading = f"{title}工作台账（截至{cn_date(as_of)}）"
    with XlsxBuilder() as book:
        columns, rows = _with_plan(TASK_COLUMNS, (
            (t.plan, t.ref, t.public_task, t.content, t.requirement, t.leads, t.responsibles, t.deadline_text,
             t.deadline, t.total, t.completed, t.overdue, t.unit_status) for t in tasks), show_plan)
        first = book.sheet("任务分解及落实情况", heading, columns, empty_note=empty_note)
        first.extend(rows)
        columns, rows = _with_plan(ASSIGNMENT_COLUMNS, (
            (a.plan, a.ref, a.section, a.task, a.unit, a.role, a.due_on,
             a.original_due_on if a.original_due_on != a.due_on else None, a.status, a.progress,
             a.last_report_on, a.last_report, a.evidence, a.days_overdue) for a in assignments), show_plan)
        second = book.sheet("承办明细", f"{title}承办明细（截至{cn_date(as_of)}）", columns, empty_note=empty_note)
        second.extend(rows)
        book.save(out)
        return {"tasks": first.rows, "assignments": second.rows}


# --- 逾期清单 ---------------------------------------------------------------------------------------

OVERDUE_COLUMNS = [
    Column("工作要点", "wrap", width=24),
    Column("承办单位", max_width=30),
    Column("角色", width=10),
    Column("序号", width=8),
    Column("任务", "wrap", width=30),
    Column("条款内容", "wrap", width=40),
    Column("完成时限", "date", width=12),
    Column("原定时限", "date", width=12),
    Column("逾期工作日", "int", width=10),
    Column("进度（%）", "int", width=9),
    Column("催办次数", "int", width=9),
    Column("最近报送日期", "date", width=13),
    Column("最近报送内容（摘要）", "wrap", width=36),
]


def overdue_workbook(out: Out, *, title: str, as_of: date, rows: Iterable[OverdueRow],
                     show_plan: bool = False) -> dict[str, int]:
    """Write the 逾期清单 at as_of: every assignment past due and not completed, unit by unit."""
    with XlsxBuilder() as book:
        columns, values = _with_plan(OVERDUE_COLUMNS, (
            (r.plan, r.unit, r.role, r.ref, r.task, r.requirement, r.due_on,
             r.original_due_on if r.original_due_on != r.due_on else None, r.days_overdue, r.progress, r.reminders,
             r.last_report_on, r.last_report) for r in rows), show_plan)
        sheet = book.sheet("逾期清单", f"{title}逾期未办结事项清单（截至{cn_date(as_of)}）", columns,
                           empty_note=f"截至{cn_date(as_of)}没有逾期未办结的事项。")
        sheet.extend(values)
        book.save(out)
        return {"overdue": sheet.rows}


# --- 考核结果 ---------------------------------------------------------------------------------------


def _num(value) -> Decimal:
    return Decimal(str(value))


def assessment_workbook(out: Out, data: AssessmentData) -> dict[str, int]:
    """Write the 考核结果: one ranking sheet per category, then every line item."""
    counts: dict[str, int] = {}
    heading = f"{data.title}考核结果（{data.version_label}，考核日期{cn_date(data.as_of)}）"
    with XlsxBuilder() as book:
        for block in data.blocks:
            columns = [Column("排名", "int", width=6), Column("单位", max_width=34)]
            columns += [Column(f"{name}（{weight.normalize():f}分）", "number", width=max(10, len(name) * 2 + 8))
                        for _code, name, weight in data.indicators]
            columns += [Column("加分", "number", width=8), Column("扣分", "number", width=8),
                        Column(f"总分（满分{data.full_score.normalize():f}）", "number", width=12),
                        Column(f"折算分（×{data.weight_percent}）", "number", width=14),
                        Column("扣分加分事项数", "int", width=10)]
            sheet = book.sheet(block.name, f"{heading}·{block.name}", columns, empty_note="该类别没有单位。")
            for u in block.units:
                sheet.append([u["rank"] if block.ranked else None, u["unit"],
                              *[_num(u["indicators"].get(code, 0)) for code, _n, _w in data.indicators],
                              _num(u["bonus"]), _num(u["deductions"]), _num(u["total"]), _num(u["converted"]),
                              len(u["items"])])
            counts[block.name] = sheet.rows
        items = book.sheet("扣分加分明细", f"{heading}·扣分加分明细", [
            Column("类别", width=14), Column("单位", max_width=30), Column("指标", width=12),
            Column("规则", width=20), Column("分值", "number", width=8), Column("说明", "wrap", width=70),
            Column("日期", "date", width=12), Column("事项编号", max_width=40),
        ], empty_note="没有扣分或加分事项。")
        items.extend((r.category, r.unit, r.indicator, r.rule, r.points, r.explanation, r.occurred_on, r.item_id)
                     for r in data.items)
        counts["items"] = items.rows
        book.save(out)
    return counts


# --- a unit's own assignments -----------------------------------------------------------------------

UNIT_COLUMNS = [
    Column("工作要点", "wrap", width=24),
    Column("序号", width=8),
    Column("任务", "wrap", width=30),
    Column("具体要求", "wrap", width=44),
    Column("角色", width=10),
    Column("完成时限", "date", width=12),
    Column("原定时限", "date", width=12),
    Column("状态", width=10),
    Column("进度（%）", "int", width=9),
    Column("最近报送日期", "date", width=13),
    Column("最近报送内容（摘要）", "wrap", width=36),
    Column("佐证材料数", "int", width=10),
    Column("逾期工作日", "int", width=10),
]


def unit_workbook(out: Out, *, unit: str, as_of: date, rows: Iterable[AssignmentRow]) -> dict[str, int]:
    """Write a unit's own assignments (what a reporter exports), across plans."""
    with XlsxBuilder() as book:
        sheet = book.sheet("本单位承办事项", f"{unit}承办事项（截至{cn_date(as_of)}）", UNIT_COLUMNS,
                           empty_note="本单位暂无承办事项。")
        sheet.extend((a.plan, a.ref, a.task, a.requirement, a.role, a.due_on,
                      a.original_due_on if a.original_due_on != a.due_on else None, a.status, a.progress,
                      a.last_report_on, a.last_report, a.evidence, a.days_overdue) for a in rows)
        book.save(out)
        return {"assignments": sheet.rows}

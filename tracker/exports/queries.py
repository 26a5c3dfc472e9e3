"""Rows for the workbooks, streamed from the database in batches: a few set-based queries per workbook.

Statuses, overdue working days and reminders issued are those of ``tracker.plans.status`` (the one
definition every view asks), counted with the database calendar (official holidays plus the admin's
overrides), so an export behind a dashboard number lists exactly the rows counted there.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..calendar import WorkCalendar, overdue_workdays
from ..dashboard.queries import NO_SECTION, STATUS_LABELS, StatusRules
from ..extensions import db
from ..plans.models import DEADLINE_KIND_LABELS, ROLE_LABELS, Assignment, Plan, Task
from ..plans.status import reminders_count_sql
from ..reports.models import Evidence, ProgressReport
from ..scope import under
from ..units.models import Unit, official_order
from .workbooks import (
    AssessmentData,
    AssignmentRow,
    OverdueRow,
    ScoreBlock,
    ScoreItemRow,
    TaskRow,
    UnitStatus,
)

#: rows fetched per round trip while streaming
BATCH = 2000
#: characters of a report's text shown in the excerpt columns
EXCERPT = 100
#: characters of a task's requirement text in the overdue list
REQUIREMENT = 300
ROLE_ORDER = sa.case((Assignment.role == "lead", 0), (Assignment.role == "responsible", 1), else_=2)


@dataclass(frozen=True)
class Selection:
    """Which assignments a workbook covers: some plans at a date, narrowed like the dashboard's lists."""

    plans: tuple[Plan, ...]
    as_of: date
    #: the viewer's subtree; None sees everything (admin, CLI)
    scope_path: str | None = None
    unit_id: int | None = None
    #: a Task.section value, or NO_SECTION for tasks without one
    section: str | None = None
    #: A or B
    category: str | None = None
    #: one of the dashboard's statuses
    status: str | None = None
    #: the zone that decides which day a report was sent on
    tz: str = "Asia/Shanghai"

    @property
    def plan_ids(self) -> list[int]:
        return [p.id for p in self.plans]

    @property
    def is_narrowed(self) -> bool:
        """Tell whether the reader chose a filter (the viewer's own scope is not one)."""
        return any(v is not None for v in (self.unit_id, self.section, self.category, self.status))

    @property
    def title(self) -> str:
        if len(self.plans) == 1:
            return f"《{self.plans[0].title}》"
        return f"{len(self.plans)}个工作要点"

    def conditions(self, rules: StatusRules) -> list[sa.ColumnElement[bool]]:
        """Return WHERE conditions over Assignment joined to Task and Unit."""
        # read on the connection (_stream), where the ORM's 不再承办 filter does not apply
        out: list[sa.ColumnElement[bool]] = [Assignment.plan_id.in_(self.plan_ids), Assignment.withdrawn_at.is_(None)]
        if self.scope_path is not None:
            out.append(under(Unit.path, self.scope_path))
        if self.unit_id is not None:
            out.append(Assignment.unit_id == self.unit_id)
        if self.section is not None:
            out.append(Task.section.is_(None) if self.section == NO_SECTION else Task.section == self.section)
        if self.category is not None:
            out.append(Unit.category == self.category)
        if self.status is not None:
            out.append(rules.case() == self.status)
        return out


class _OverdueDays:
    """``overdue_workdays`` from a due date to as_of, computed once per distinct due date."""

    def __init__(self, calendar: WorkCalendar, as_of: date):
        self.calendar, self.as_of, self.cache = calendar, as_of, {}

    def __call__(self, due: date | None) -> int:
        days = self.cache.get(due)
        if days is None:
            days = self.cache[due] = overdue_workdays(self.calendar, due, self.as_of)
        return days


def _stream(stmt: sa.Select):
    """Iterate a big read in batches, on the session's connection without ORM row processing."""
    return db.session.connection().execute(stmt.execution_options(stream_results=True, yield_per=BATCH))


def _excerpt(text: str | None, length: int | None) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text + "…" if length and length > EXCERPT else text


def _last_reports(rules: StatusRules):
    """Return correlated subqueries on Assignment: its newest report sent by the end of as_of, and the
    evidence files sent with its reports by then.

    Per-row lookups through the (assignment_id, id) index: they cost the same as grouping every
    report of the plans for a whole ledger, and far less for a filtered list.
    """
    sent = (ProgressReport.assignment_id == Assignment.id, ProgressReport.status != "draft",
            ProgressReport.submitted_at < rules.day_end)
    newest = sa.select(sa.func.max(ProgressReport.id)).where(*sent).correlate(Assignment).scalar_subquery()
    files = (
        sa.select(sa.func.count(Evidence.id)).join(ProgressReport, Evidence.report_id == ProgressReport.id)
        .where(*sent).correlate(Assignment).scalar_subquery()
    )
    return newest, files


def assignment_rows(sel: Selection, rules: StatusRules, calendar: WorkCalendar, *,
                    with_requirement: bool = False) -> Iterator[AssignmentRow]:
    """Yield one row per assignment in plan and document order, leads first."""
    newest, files = _last_reports(rules)
    report = aliased(ProgressReport)
    status = rules.case()
    columns = [
        Plan.title, Task.ref, Task.section, Task.title, Unit.name, Assignment.role, Assignment.due_on,
        Assignment.original_due_on, status, Assignment.progress, report.submitted_at,
        sa.func.substr(report.text, 1, EXCERPT), sa.func.length(report.text), files,
    ]
    if with_requirement:
        columns.append(sa.func.substr(Task.text, 1, REQUIREMENT))
    stmt = (
        sa.select(*columns)
        .select_from(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Assignment.plan_id == Plan.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .outerjoin(report, report.id == newest)
        .where(*sel.conditions(rules))
        .order_by(Plan.year.desc(), Plan.id, Task.position, Task.id, ROLE_ORDER, *official_order(), Assignment.id)
    )
    overdue = _OverdueDays(calendar, sel.as_of)
    zone = ZoneInfo(sel.tz)
    for row in _stream(stmt):
        (plan, ref, section, title, unit, role, due, original, st, progress, sent_at, text, length, n) = row[:14]
        yield AssignmentRow(
            plan=plan, ref=ref, section=section or "", task=title, unit=unit, role=ROLE_LABELS.get(role, role),
            due_on=due, original_due_on=original, status=STATUS_LABELS.get(st, st),
            progress=100 if st == "completed" else progress,
            last_report_on=_local_day(sent_at, zone), last_report=_excerpt(text, length), evidence=n or 0,
            days_overdue=overdue(due) if st == "overdue" else None,
            requirement=(row[14] or "") if with_requirement else "",
        )


def _local_day(value: datetime | None, zone: ZoneInfo) -> date | None:
    return value.astimezone(zone).date() if value is not None else None


def task_rows(sel: Selection, rules: StatusRules) -> Iterator[TaskRow]:
    """Yield the plans' tasks in document order with their units and how each stands.

    Unnarrowed, every leaf task appears, even one without units; narrowed (a unit, a status …),
    only tasks with a matching assignment.
    """
    per_task: dict[int, dict] = defaultdict(lambda: {"lead": [], "responsible": [], "status": [], "units": [],
                                                     "total": 0, "completed": 0, "overdue": 0})
    status = rules.case()
    stmt = (
        sa.select(Assignment.task_id, sa.func.coalesce(Unit.short_name, Unit.name), Assignment.role, status,
                  Assignment.progress)
        .select_from(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(*sel.conditions(rules))
        .order_by(Assignment.task_id, ROLE_ORDER, *official_order(), Assignment.id)
    )
    for task_id, unit, role, st, progress in _stream(stmt):
        entry = per_task[task_id]
        if role in ("lead", "responsible"):
            entry[role].append(unit)
        label = STATUS_LABELS.get(st, st)
        entry["units"].append(UnitStatus(unit, ROLE_LABELS.get(role, role), label, progress))
        if st == "completed":
            entry["completed"] += 1
            entry["status"].append(f"{unit}：{label}")
        else:
            entry["status"].append(f"{unit}：{label}（进度{progress}%）")
            entry["overdue"] += st == "overdue"
        entry["total"] += 1
    tasks = (
        sa.select(Task.id, Plan.title, Task.ref, Task.section, Task.title, Task.text, Task.columns,
                  Task.deadline_text, Task.deadline_kind, Task.deadline)
        .join(Plan, Task.plan_id == Plan.id)
        .where(Task.plan_id.in_(sel.plan_ids),
               sa.or_(Task.is_leaf, sa.exists().where(Assignment.task_id == Task.id)))
        .order_by(Plan.year.desc(), Plan.id, Task.position, Task.id)
    )
    for task_id, plan, ref, section, title, text, written, deadline_text, kind, deadline in _stream(tasks):
        entry = per_task.pop(task_id, None)
        if entry is None and sel.is_narrowed:
            continue
        entry = entry or per_task.default_factory()
        written = written or {}
        yield TaskRow(
            ref=ref, public_task=written.get("公开任务") or section or "",
            content=written.get("公开内容") or title, requirement=written.get("具体要求") or text or "",
            leads="、".join(entry["lead"]), responsibles="、".join(entry["responsible"]),
            deadline_text=written.get("时限要求") or deadline_text or DEADLINE_KIND_LABELS.get(kind, ""),
            deadline=deadline, unit_status="；".join(entry["status"]), total=entry["total"],
            completed=entry["completed"], overdue=entry["overdue"], plan=plan, units=tuple(entry["units"]),
        )


def overdue_rows(sel: Selection, rules: StatusRules, calendar: WorkCalendar) -> Iterator[OverdueRow]:
    """Yield the assignments overdue at as_of, unit by unit, oldest due date first."""
    newest, _files = _last_reports(rules)
    report = aliased(ProgressReport)
    reminders = reminders_count_sql(sel.as_of)
    stmt = (
        sa.select(Plan.title, Unit.name, Assignment.role, Task.ref, Task.title, sa.func.substr(Task.text, 1, REQUIREMENT),
                  Assignment.due_on, Assignment.original_due_on, Assignment.progress, reminders,
                  report.submitted_at, sa.func.substr(report.text, 1, EXCERPT), sa.func.length(report.text))
        .select_from(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Assignment.plan_id == Plan.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .outerjoin(report, report.id == newest)
        .where(*sel.conditions(rules), rules.overdue())
        .order_by(*official_order(), Unit.id, Assignment.due_on, Plan.id, Task.position, Assignment.id)
    )
    overdue = _OverdueDays(calendar, sel.as_of)
    zone = ZoneInfo(sel.tz)
    for plan, unit, role, ref, title, text, due, original, progress, n, sent_at, excerpt, length in _stream(stmt):
        yield OverdueRow(
            plan=plan, unit=unit, role=ROLE_LABELS.get(role, role), ref=ref, task=title,
            requirement=" ".join((text or "").split()), due_on=due, original_due_on=original,
            days_overdue=overdue(due), progress=progress, reminders=n or 0,
            last_report_on=_local_day(sent_at, zone), last_report=_excerpt(excerpt, length),
        )


def unit_plans(unit_id: int, plan_id: int | None = None) -> tuple[Plan, ...]:
    """Return the plans giving the unit an assignment (one when plan_id is given), newest first."""
    stmt = sa.select(Plan).where(sa.exists().where(Assignment.plan_id == Plan.id, Assignment.unit_id == unit_id))
    if plan_id is not None:
        stmt = stmt.where(Plan.id == plan_id)
    return tuple(db.session.scalars(stmt.order_by(Plan.year.desc(), Plan.id)))


# --- 考核结果 ---------------------------------------------------------------------------------------


def assessment_data(version) -> AssessmentData:
    """Flatten a stored assessment version for the workbook."""
    from ..assessment.queries import ScoreSheet

    sheet = ScoreSheet.of(version)
    rubric = sheet.rubric
    names = {b.code: b.name for b in sheet.categories}
    items: list[ScoreItemRow] = []
    for block in sheet.categories:
        for unit in block.units:
            for item in unit["items"]:
                items.append(ScoreItemRow(
                    category=names[block.code], unit=unit["unit"], indicator=sheet.indicator_name(item["indicator"]),
                    rule=sheet.rule_name(item["rule"]), points=Decimal(str(item["points"])),
                    explanation=item["explanation"],
                    occurred_on=date.fromisoformat(item["date"]) if item.get("date") else None, item_id=item["id"],
                ))
    return AssessmentData(
        title=f"《{version.plan.title}》",
        as_of=sheet.as_of,
        version_label=f"第{version.number}版，{'已发布' if version.is_frozen else '未发布'}",
        weight_percent=f"{rubric.assessment_weight_percent:f}%",
        full_score=rubric.full_score,
        indicators=[(i.code, i.name, i.weight) for i in rubric.indicators],
        blocks=[ScoreBlock(b.name, b.units, ranked=b.code is not None) for b in sheet.categories],
        items=items,
    )


def plan_choices(plans: Sequence[Plan]) -> list[tuple[int, str]]:
    return [(p.id, f"{p.year}年 {p.title}") for p in plans]

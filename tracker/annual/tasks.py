"""The annual report as a task: one assignment per unit with its statutory deadline (条例 第四十九、五十条).

Departments submit their report to the government's 政务公开 office by 31 January; governments
publish theirs by 31 March, both of the year after the report's year. The assignments are ordinary
plan assignments, so the sweep, reminders and scoring treat them like any other.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from ..plans.models import Assignment, Plan, Task
from ..scope import under
from ..timeutil import utcnow
from ..units.models import Unit, official_order
from .services import GOVERNMENT_KINDS, check_year, reporting_units_condition


def statutory_due(unit_kind: str, year: int) -> date:
    """Return when the report for `year` is due from a unit of this kind."""
    return date(year + 1, 3, 31) if unit_kind in GOVERNMENT_KINDS else date(year + 1, 1, 31)


def plan_title(year: int) -> str:
    return f"{year}年度政府信息公开工作年度报告"


def create_report_tasks(actor, jurisdiction: Unit, year: int) -> tuple[Plan, int]:
    """Create (or complete) the year's report plan for the jurisdiction; return it and the assignments added.

    Running it again adds only the units that have appeared since, so it is safe to repeat.
    """
    check_year(year)
    if not jurisdiction.is_active:
        raise ServiceError(f"单位“{jurisdiction.name}”已停用。")
    plan = db.session.scalar(sa.select(Plan).where(Plan.unit_id == jurisdiction.id, Plan.year == year + 1,
                                                   Plan.title == plan_title(year)))
    if plan is None:
        plan = Plan(unit_id=jurisdiction.id, title=plan_title(year), year=year + 1, issuer=jurisdiction.name,
                    created_by_id=getattr(actor, "id", None))
        db.session.add(plan)
        db.session.flush()
        task = Task(plan_id=plan.id, ref="1", position=1, level=1,
                    title=f"编制并公开{year}年度政府信息公开工作年度报告",
                    text=("按国家年度报告格式编制本单位政府信息公开工作年度报告。政府部门于次年1月31日前"
                          "向本级政府信息公开工作主管部门报送；各级人民政府于次年3月31日前向社会公布"
                          "（《中华人民共和国政府信息公开条例》第四十九条、第五十条）。"),
                    deadline=date(year + 1, 3, 31), deadline_kind="date",
                    deadline_text="部门次年1月31日前报送，政府次年3月31日前公布")
        db.session.add(task)
        db.session.flush()
    else:
        task = db.session.scalar(sa.select(Task).where(Task.plan_id == plan.id, Task.ref == "1"))
    have = set(db.session.scalars(sa.select(Assignment.unit_id).where(Assignment.task_id == task.id)))
    units = db.session.scalars(sa.select(Unit).where(Unit.is_active, under(Unit.path, jurisdiction.path),
                                                     reporting_units_condition(Unit.kind)).order_by(*official_order()))
    now = utcnow()
    added = 0
    for unit in units:
        if unit.id in have:
            continue
        due = statutory_due(unit.kind, year)
        db.session.add(Assignment(plan_id=plan.id, task_id=task.id, unit_id=unit.id, role="responsible",
                                  due_on=due, original_due_on=due, deadline_kind="date", status="pending",
                                  progress=0, created_at=now, updated_at=now))
        added += 1
    db.session.flush()
    record(actor, "annual_report.tasks", "plan", plan.id, after={"year": year, "assignments_added": added})
    return plan, added


# --- the report completes its assignment ----------------------------------------------------------------

#: the supervisor's remark when the report a supervisor imported or marked final is approved at once
SUPERVISOR_APPROVAL = "督查人员导入或定稿本单位年度报告，视同审核通过。"


def report_assignment(unit_id: int, year: int) -> Assignment | None:
    """Return the unit's assignment to write the year's report, when the report tasks were created."""
    return db.session.scalar(
        sa.select(Assignment).join(Task, Assignment.task_id == Task.id).join(Plan, Task.plan_id == Plan.id)
        .where(Assignment.unit_id == unit_id, Plan.year == year + 1, Plan.title == plan_title(year), Task.ref == "1")
        .order_by(Assignment.id).limit(1))


def submit_report(actor, report, how: str):
    """Report on the unit's report assignment with the report .docx as evidence, through the normal flow.

    A reporter's report is submitted as a close request (申请办结) and waits for the supervisor's review
    like any other. A supervisor's import or final mark is approved at once (the supervisor is the
    reviewer and has just checked the report), which completes the assignment. A run without a user
    (the command line) submits and leaves the review to a supervisor. Returns the progress report, or
    None when there is no open assignment (no report tasks for the year, already completed, or a close
    request already waiting).
    """
    from io import BytesIO

    from ..reports import services as reports
    from . import document
    from . import formats as F
    from .reader import ReportData

    assignment = report_assignment(report.unit_id, report.year)
    if assignment is None or assignment.status == "completed" or reports.has_pending_close_request(assignment):
        return None
    unit = report.unit
    name = document.title_of(unit.name, report.year) + ".docx"
    body = document.render(ReportData.from_dict(report.content), unit.name, report.year)
    state = "勾稽关系一致" if report.is_consistent else f"勾稽关系不一致 {len(report.failures or [])} 项（已确认）"
    text = (f"已{how}{report.year}年度政府信息公开工作年度报告（{F.FORMAT_LABELS[report.format]}，{state}），"
            f"报告全文见附件。")
    files = [(name, BytesIO(body))]
    if getattr(actor, "role", None) == "reporter":
        return reports.save_report(actor, assignment, text=text, progress=100, is_close_request=True, submit=True,
                                   files=files)
    progress = reports.submit_close_request_for(actor, assignment, text=text, files=files)
    if actor is not None:  # a supervisor: the reviewer has just checked the report
        reports.review_report(actor, progress, approve=True, reason=SUPERVISOR_APPROVAL, now=progress.submitted_at)
    return progress


def finalize(actor, report):
    """Mark a built report final: it becomes the unit's report on its report assignment."""
    if report.source != "build":
        raise ServiceError("导入的年度报告在导入时已作为任务报告提交，无需定稿。")
    if report.is_published:
        raise ServiceError("该年度报告已发布。")
    assignment = report_assignment(report.unit_id, report.year)
    if assignment is None:
        raise ServiceError(f"{report.year}年度报告任务尚未创建，无法作为任务报告提交；请督查人员先创建年度报告任务。")
    if assignment.status == "completed":
        raise ServiceError("本单位年度报告任务已办结。", status=409)
    progress = submit_report(actor, report, "定稿")
    if progress is None:
        raise ServiceError("本单位年度报告已提交办结申请，正在等待审核。", status=409)
    record(actor, "annual_report.finalize", "annual_report", report.id,
           after={"progress_report": progress.id, "status": progress.status})
    return progress


# --- the yearly job ---------------------------------------------------------------------------------------


def jurisdictions() -> list[Unit]:
    """The top governments: active units with no parent, which owe reports with their units below."""
    return list(db.session.scalars(sa.select(Unit).where(Unit.is_active, Unit.parent_id.is_(None))
                                    .order_by(*official_order())))


def create_all(as_of: date) -> dict:
    """The yearly job's work: the report assignments for the year before `as_of`, in every jurisdiction."""
    year = as_of.year - 1
    counts = {"year": year, "jurisdictions": 0, "plans_created": 0, "assignments_created": 0}
    for jurisdiction in jurisdictions():
        had = db.session.scalar(sa.select(sa.func.count()).select_from(Plan).where(
            Plan.unit_id == jurisdiction.id, Plan.year == year + 1, Plan.title == plan_title(year)))
        _, added = create_report_tasks(None, jurisdiction, year)
        counts["jurisdictions"] += 1
        counts["plans_created"] += 0 if had else 1
        counts["assignments_created"] += added
    return counts

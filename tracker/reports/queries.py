"""Reads for 我的任务, the assignment page and the review queues, scoped to what a user may see.

Scoping rule added here: a reporter sees its own unit's reports (drafts included) and, where its
unit leads a task, the submitted reports of the other units on that task. Staff see the non-draft
reports of their subtree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from ..calendar import WorkCalendar
from ..extensions import db
from ..plans.models import Assignment, Plan, Task
from ..plans.status import StatusRules
from ..units.models import Unit
from ..scope import contains, under
from .models import Evidence, ExtensionRequest, ProgressReport

#: the task and plan columns list pages show; the long texts (task text, plan source) stay unread
TASK_LIST_COLUMNS = (Task.id, Task.plan_id, Task.ref, Task.title, Task.section, Task.position)
PLAN_LIST_COLUMNS = (Plan.id, Plan.title, Plan.doc_number, Plan.year)
#: derived filters offered on 我的任务 next to the stored statuses
MY_FILTERS = {
    "pending": "未开始",
    "in_progress": "推进中",
    "completed": "已办结",
    "overdue": "已逾期",
    "due_soon": "临期",
    "returned": "报告被退回",
}


def _latest_is_returned():
    """A condition on ProgressReport: returned, and the unit has sent nothing newer on that assignment since."""
    newer = aliased(ProgressReport)
    return sa.and_(
        ProgressReport.status == "returned",
        ~sa.exists().where(newer.assignment_id == ProgressReport.assignment_id, newer.id > ProgressReport.id,
                           newer.status.in_(("submitted", "approved"))),
    )


def report_scope(user, stmt: sa.Select) -> sa.Select:
    """Restrict a select over ProgressReport (already joined to its Assignment) to the user's scope."""
    if user.role == "reporter":
        lead = aliased(Assignment)
        return stmt.where(sa.or_(
            ProgressReport.unit_id == user.unit_id,
            sa.and_(
                ProgressReport.status != "draft",
                sa.exists().where(lead.task_id == Assignment.task_id, lead.unit_id == user.unit_id,
                                  lead.role == "lead"),
            ),
        ))
    stmt = stmt.where(ProgressReport.status != "draft")
    if user.role == "admin":
        return stmt
    scope = aliased(Unit)
    return stmt.join(scope, ProgressReport.unit_id == scope.id).where(under(scope.path, user.unit.path))


def get_report_for(user, report_id: int) -> ProgressReport:
    """Return a report the user may see, or 404."""
    stmt = sa.select(ProgressReport).join(Assignment, ProgressReport.assignment_id == Assignment.id)
    report = db.session.scalar(report_scope(user, stmt).where(ProgressReport.id == report_id))
    if report is None:
        abort(404)
    return report


def get_evidence_for(user, report_id: int, evidence_id: int) -> Evidence:
    """Return an evidence file of a report the user may see, or 404."""
    report = get_report_for(user, report_id)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.report_id != report.id:
        abort(404)
    return evidence


def get_extension_for(user, request_id: int) -> ExtensionRequest:
    """Return an extension request on an assignment in the staff user's subtree, or 404."""
    stmt = (
        sa.select(ExtensionRequest).join(Assignment, ExtensionRequest.assignment_id == Assignment.id)
        .join(Unit, Assignment.unit_id == Unit.id).where(ExtensionRequest.id == request_id)
    )
    if user.role != "admin":
        stmt = stmt.where(under(Unit.path, user.unit.path))
    request = db.session.scalar(stmt)
    if request is None:
        abort(404)
    return request


def assignment_reports(assignment: Assignment) -> sa.Select:
    """Select an assignment's sent reports (no drafts), newest first, with files and people loaded."""
    return (
        sa.select(ProgressReport)
        .where(ProgressReport.assignment_id == assignment.id, ProgressReport.status != "draft")
        .options(selectinload(ProgressReport.evidence), joinedload(ProgressReport.author),
                 joinedload(ProgressReport.reviewer))
        .order_by(ProgressReport.id.desc())
    )


def is_lead_for(user, assignment: Assignment) -> bool:
    """Tell whether the user is a reporter of the lead unit holding this assignment."""
    return user.role == "reporter" and assignment.unit_id == user.unit_id and assignment.role == "lead"


def peer_assignments(assignment: Assignment) -> sa.Select:
    """Select the other units' assignments on the same task, leads first."""
    return (
        sa.select(Assignment).where(Assignment.task_id == assignment.task_id, Assignment.id != assignment.id)
        .options(joinedload(Assignment.unit))
        .order_by(sa.case((Assignment.role == "lead", 0), (Assignment.role == "responsible", 1), else_=2),
                  Assignment.id)
    )


def latest_reports(assignment_ids: list[int], *, include_drafts: bool = True) -> dict[int, ProgressReport]:
    """Return the newest report per assignment, with its files, in two queries."""
    if not assignment_ids:
        return {}
    newest = sa.select(sa.func.max(ProgressReport.id)).where(ProgressReport.assignment_id.in_(assignment_ids))
    if not include_drafts:
        newest = newest.where(ProgressReport.status != "draft")
    newest = newest.group_by(ProgressReport.assignment_id)
    reports = db.session.scalars(
        sa.select(ProgressReport).where(ProgressReport.id.in_(newest))
        .options(selectinload(ProgressReport.evidence), joinedload(ProgressReport.reviewer))
    ).all()
    return {r.assignment_id: r for r in reports}


# --- 我的任务 -----------------------------------------------------------------------------------------

def _my_filters(stmt: sa.Select, unit_id: int, *, as_of: date, calendar: WorkCalendar, plan_id: int | None,
                status: str, term: str) -> sa.Select:
    """Add 我的任务's filters to a select over Assignment (joined to Task when `term` is given)."""
    stmt = stmt.where(Assignment.unit_id == unit_id)
    if plan_id:
        stmt = stmt.where(Assignment.plan_id == plan_id)
    if status in ("pending", "in_progress", "completed"):
        stmt = stmt.where(Assignment.status == status)
    elif status in ("overdue", "due_soon"):
        stmt = stmt.where(StatusRules.at(as_of, calendar=calendar).condition(status))
    elif status == "returned":
        # Start from the unit's few returned reports rather than test every assignment of the unit.
        returned = sa.select(ProgressReport.assignment_id).where(ProgressReport.unit_id == unit_id,
                                                                 _latest_is_returned())
        stmt = stmt.where(Assignment.status != "completed", Assignment.id.in_(returned))
    if term:
        like = f"%{term}%"
        stmt = stmt.where(sa.or_(Task.title.ilike(like), Task.text.ilike(like), Task.ref.ilike(like)))
    return stmt


def my_tasks(unit_id: int, *, as_of: date, calendar: WorkCalendar, plan_id: int | None = None,
             status: str = "", term: str = "") -> sa.Select:
    """Select a unit's assignments with their task and plan, grouped by plan then document order."""
    stmt = (
        sa.select(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Assignment.plan_id == Plan.id)
        .options(contains_eager(Assignment.task).load_only(*TASK_LIST_COLUMNS),
                 contains_eager(Assignment.plan).load_only(*PLAN_LIST_COLUMNS))
        .order_by(Plan.year.desc(), Plan.id.desc(), Task.position, Assignment.id)
    )
    return _my_filters(stmt, unit_id, as_of=as_of, calendar=calendar, plan_id=plan_id, status=status, term=term)


def my_tasks_count(unit_id: int, *, as_of: date, calendar: WorkCalendar, plan_id: int | None = None,
                   status: str = "", term: str = "") -> int:
    """Count my_tasks without the joins only the listing needs."""
    stmt = sa.select(sa.func.count(Assignment.id))
    if term:
        stmt = stmt.join(Task, Assignment.task_id == Task.id)
    stmt = _my_filters(stmt, unit_id, as_of=as_of, calendar=calendar, plan_id=plan_id, status=status, term=term)
    return db.session.scalar(stmt) or 0


def my_plans(unit_id: int) -> list[tuple[int, str]]:
    """Return (id, title) of the plans that give the unit at least one assignment, newest first."""
    return [tuple(row) for row in db.session.execute(
        sa.select(Plan.id, Plan.title)
        .where(sa.exists().where(Assignment.plan_id == Plan.id, Assignment.unit_id == unit_id))
        .order_by(Plan.year.desc(), Plan.id.desc())
    )]


@dataclass
class ActionBlock:
    """What a unit should deal with first: returned reports, overdue and due-soon assignments."""

    returned: list[ProgressReport]
    returned_total: int
    overdue: list[Assignment]
    overdue_total: int
    due_soon: list[Assignment]
    due_soon_total: int

    @property
    def is_empty(self) -> bool:
        return not (self.returned_total or self.overdue_total or self.due_soon_total)


def _count(stmt: sa.Select, column) -> int:
    return db.session.scalar(stmt.with_only_columns(sa.func.count(column)).order_by(None)) or 0


def action_block(unit_id: int, *, as_of: date, calendar: WorkCalendar, limit: int = 10) -> ActionBlock:
    """Return the unit's items that need action first, each list capped at `limit` with its full count."""
    returned = (
        sa.select(ProgressReport)
        .join(Assignment, ProgressReport.assignment_id == Assignment.id)
        .where(ProgressReport.unit_id == unit_id, Assignment.status != "completed", _latest_is_returned())
        .options(contains_eager(ProgressReport.assignment).joinedload(Assignment.task).load_only(*TASK_LIST_COLUMNS),
                 joinedload(ProgressReport.reviewer))
        .order_by(ProgressReport.reviewed_at.desc(), ProgressReport.id.desc())
    )
    rules = StatusRules.at(as_of, calendar=calendar)
    mine = sa.select(Assignment).where(Assignment.unit_id == unit_id)
    overdue = mine.where(rules.overdue()).order_by(Assignment.due_on, Assignment.id)
    due_soon = mine.where(rules.due_soon()).order_by(Assignment.due_on, Assignment.id)
    load = joinedload(Assignment.task).load_only(*TASK_LIST_COLUMNS)
    return ActionBlock(
        returned=list(db.session.scalars(returned.limit(limit))),
        returned_total=_count(returned, ProgressReport.id),
        overdue=list(db.session.scalars(overdue.options(load).limit(limit))),
        overdue_total=_count(overdue, Assignment.id),
        due_soon=list(db.session.scalars(due_soon.options(load).limit(limit))),
        due_soon_total=_count(due_soon, Assignment.id),
    )


# --- review queues ------------------------------------------------------------------------------------

def _queue_filters(stmt: sa.Select, user, plan_id: int | None, unit_id: int | None, section: str | None,
                   *, joined: bool, term: str | None = None) -> sa.Select:
    """Add scope and filters to a select over submitted reports; join only what the filters need unless joined."""
    if (user.role != "admin" or term) and not joined:
        stmt = stmt.join(Unit, ProgressReport.unit_id == Unit.id)
    if user.role != "admin":
        stmt = stmt.where(under(Unit.path, user.unit.path))
    if (plan_id or section or term) and not joined:
        stmt = stmt.join(Assignment, ProgressReport.assignment_id == Assignment.id)
    if plan_id:
        stmt = stmt.where(Assignment.plan_id == plan_id)
    if unit_id:
        stmt = stmt.where(ProgressReport.unit_id == unit_id)
    if (section or term) and not joined:
        stmt = stmt.join(Task, Assignment.task_id == Task.id)
    if section:
        stmt = stmt.where(Task.section == section)
    if term:
        stmt = stmt.where(queue_term(term))
    return stmt


def queue_term(term: str) -> sa.ColumnElement[bool]:
    """The review queue's keyword search: task title, text or number, unit name, or report text (any case)."""
    return sa.or_(contains(Task.title, term), contains(Task.text, term), contains(Task.ref, term),
                  contains(Unit.name, term), contains(Unit.short_name, term), contains(ProgressReport.text, term))


def review_queue(user, *, plan_id: int | None = None, unit_id: int | None = None,
                 section: str | None = None, term: str | None = None) -> sa.Select:
    """Select the submitted reports in the supervisor's subtree, oldest first."""
    stmt = (
        sa.select(ProgressReport)
        .join(Assignment, ProgressReport.assignment_id == Assignment.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Unit, ProgressReport.unit_id == Unit.id)
        .where(ProgressReport.status == "submitted")
        .options(contains_eager(ProgressReport.assignment).contains_eager(Assignment.task)
                 .load_only(*TASK_LIST_COLUMNS),
                 contains_eager(ProgressReport.unit), selectinload(ProgressReport.evidence),
                 joinedload(ProgressReport.author))
        .order_by(ProgressReport.submitted_at, ProgressReport.id)
    )
    return _queue_filters(stmt, user, plan_id, unit_id, section, joined=True, term=term)


def review_queue_count(user, *, plan_id: int | None = None, unit_id: int | None = None,
                       section: str | None = None, term: str | None = None) -> int:
    """Count the review queue with only the joins its filters need (the page's own select joins four tables)."""
    stmt = sa.select(sa.func.count(ProgressReport.id)).where(ProgressReport.status == "submitted")
    return db.session.scalar(_queue_filters(stmt, user, plan_id, unit_id, section, joined=False, term=term)) or 0


def queue_units(user, *, limit: int = 200, include: int | None = None) -> list[tuple[int, str, int]]:
    """Return (unit id, name, pending count) for the units in scope with most reports waiting.

    A province has too many units for one drop-down: only the `limit` busiest are listed, plus
    `include` (the unit currently filtered on) wherever it ranks.
    """
    waiting = (
        sa.select(ProgressReport.unit_id, sa.func.count().label("n"))
        .where(ProgressReport.status == "submitted").group_by(ProgressReport.unit_id).subquery()
    )
    stmt = (
        sa.select(Unit.id, sa.func.coalesce(Unit.short_name, Unit.name), waiting.c.n)
        .join(waiting, waiting.c.unit_id == Unit.id)
        .order_by(waiting.c.n.desc(), Unit.name)
    )
    if user.role != "admin":
        stmt = stmt.where(under(Unit.path, user.unit.path))
    rows = [tuple(row) for row in db.session.execute(stmt.limit(limit))]
    if include and all(row[0] != include for row in rows):
        rows += [tuple(row) for row in db.session.execute(stmt.where(Unit.id == include))]
    return rows


def plan_sections(plan_id: int) -> list[str]:
    """Return a plan's distinct sections in document order."""
    rows = db.session.execute(
        sa.select(Task.section, sa.func.min(Task.position).label("first"))
        .where(Task.plan_id == plan_id, Task.section.is_not(None))
        .group_by(Task.section).order_by("first")
    )
    return [section for section, _ in rows]


def extension_queue(user, *, status: str = "open") -> sa.Select:
    """Select extension requests in the staff user's subtree: open ones oldest first, decided ones newest first."""
    stmt = (
        sa.select(ExtensionRequest)
        .join(Assignment, ExtensionRequest.assignment_id == Assignment.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .options(contains_eager(ExtensionRequest.assignment).contains_eager(Assignment.unit),
                 contains_eager(ExtensionRequest.assignment).joinedload(Assignment.task),
                 contains_eager(ExtensionRequest.assignment).joinedload(Assignment.plan).load_only(*PLAN_LIST_COLUMNS),
                 joinedload(ExtensionRequest.requested_by), joinedload(ExtensionRequest.decided_by))
    )
    if user.role != "admin":
        stmt = stmt.where(under(Unit.path, user.unit.path))
    if status == "open":
        return stmt.where(ExtensionRequest.status == "open").order_by(ExtensionRequest.created_at, ExtensionRequest.id)
    return stmt.where(ExtensionRequest.status != "open").order_by(ExtensionRequest.decided_at.desc(),
                                                                  ExtensionRequest.id.desc())

"""Reads shared by plan pages, my-tasks, dashboards and exports, scoped to what a user may see."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from ..extensions import db
from ..units.models import Unit
from ..scope import under
from .models import Assignment, Plan, Task

#: the unit that owns a plan / holds an assignment, joined to test the viewer's subtree. Made
#: once: building an alias on every request costs more than the query it is for.
_owner = aliased(Unit, name="owner")
_scope = aliased(Unit, name="scope")


def visible_plans(user) -> sa.Select:
    """Plans the user may open: admin all; staff their subtree's plans; reporters plans naming their unit."""
    stmt = sa.select(Plan)
    if user.role == "admin":
        return stmt
    if user.role == "reporter":
        return stmt.where(
            sa.exists().where(Assignment.plan_id == Plan.id, Assignment.unit_id == user.unit_id)
        )
    return stmt.join(_owner, Plan.unit_id == _owner.id).where(under(_owner.path, user.unit.path))


def scoped_assignments(user, stmt: sa.Select | None = None) -> sa.Select:
    """Restrict a select over Assignment to the user's scope."""
    stmt = stmt if stmt is not None else sa.select(Assignment)
    if user.role == "admin":
        return stmt
    if user.role == "reporter":
        return stmt.where(Assignment.unit_id == user.unit_id)
    return stmt.join(_scope, Assignment.unit_id == _scope.id).where(under(_scope.path, user.unit.path))


def get_plan_for(user, plan_id: int) -> Plan:
    """Return a plan the user may see, or 404."""
    plan = db.session.scalar(visible_plans(user).where(Plan.id == plan_id))
    if plan is None:
        abort(404)
    return plan


def get_assignment_for(user, assignment_id: int) -> Assignment:
    """Return an assignment the user may see, or 404 (never reveal another unit's data)."""
    a = db.session.scalar(scoped_assignments(user).where(Assignment.id == assignment_id))
    if a is None:
        abort(404)
    return a


def plan_counts(plan_ids: list[int]) -> dict[int, dict]:
    """Return task and assignment counts per plan in two grouped queries."""
    out = {pid: {"tasks": 0, "unassigned": 0, "assignments": 0, "completed": 0} for pid in plan_ids}
    if not plan_ids:
        return out
    assigned = sa.exists().where(Assignment.task_id == Task.id)
    for pid, n, unassigned in db.session.execute(
        sa.select(Task.plan_id, sa.func.count(), sa.func.sum(sa.case((~assigned, 1), else_=0)))
        .where(Task.plan_id.in_(plan_ids), Task.is_leaf).group_by(Task.plan_id)
    ):
        out[pid]["tasks"] = n
        out[pid]["unassigned"] = int(unassigned or 0)
    for pid, n, done in db.session.execute(
        sa.select(
            Assignment.plan_id,
            sa.func.count(),
            sa.func.sum(sa.case((Assignment.status == "completed", 1), else_=0)),
        ).where(Assignment.plan_id.in_(plan_ids)).group_by(Assignment.plan_id)
    ):
        out[pid]["assignments"] = n
        out[pid]["completed"] = int(done or 0)
    return out


def unassigned_tasks(plan_id: int, section: str | None = None, no_section: bool = False) -> int:
    """Count the plan's tasks (leaves) that no unit has been assigned: the dashboard's task count
    leaves them out, and says how many."""
    stmt = sa.select(sa.func.count()).select_from(Task).where(
        Task.plan_id == plan_id, Task.is_leaf, ~sa.exists().where(Assignment.task_id == Task.id))
    if no_section:
        stmt = stmt.where(Task.section.is_(None))
    elif section is not None:
        stmt = stmt.where(Task.section == section)
    return db.session.scalar(stmt) or 0


def task_status_counts(user, task_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return {task_id: {status: count, "total": n}} for the user's scope, in one grouped query."""
    out = {tid: {"total": 0, "pending": 0, "in_progress": 0, "completed": 0} for tid in task_ids}
    if not task_ids:
        return out
    stmt = scoped_assignments(user, sa.select(Assignment.task_id, Assignment.status, sa.func.count()))
    for tid, status, n in db.session.execute(
        stmt.where(Assignment.task_id.in_(task_ids)).group_by(Assignment.task_id, Assignment.status)
    ):
        out[tid][status] = n
        out[tid]["total"] += n
    return out


def task_lead_units(user, task_ids: list[int]) -> dict[int, list[str]]:
    """Return the lead units' display names per task (plain tuples: pages list many tasks)."""
    out: dict[int, list[str]] = {tid: [] for tid in task_ids}
    if not task_ids:
        return out
    stmt = sa.select(Assignment.task_id, sa.func.coalesce(Unit.short_name, Unit.name)).join(
        Unit, Assignment.unit_id == Unit.id)
    stmt = scoped_assignments(user, stmt).where(Assignment.task_id.in_(task_ids), Assignment.role == "lead")
    for tid, name in db.session.execute(stmt.order_by(Assignment.id)):
        out[tid].append(name)
    return out

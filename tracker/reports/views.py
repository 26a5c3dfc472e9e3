"""A reporter's own assignments (我的任务) and an assignment's page."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..access import ROLES, roles
from ..extensions import db
from ..pagination import paginate
from ..plans import queries
from ..plans.models import STATUS_LABELS, Assignment, Plan, Task

bp = Blueprint("reports", __name__)


@bp.route("/my/tasks")
@roles("reporter")
def my_tasks():
    stmt = (
        sa.select(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .where(Assignment.unit_id == current_user.unit_id)
        .options(joinedload(Assignment.task), joinedload(Assignment.plan))
        .order_by(sa.case((Assignment.status == "completed", 1), else_=0), Assignment.due_on, Task.position)
    )
    plan_id = request.args.get("plan", type=int)
    status = request.args.get("status", "")
    term = request.args.get("q", "").strip()
    if plan_id:
        stmt = stmt.where(Assignment.plan_id == plan_id)
    if status in STATUS_LABELS:
        stmt = stmt.where(Assignment.status == status)
    if term:
        stmt = stmt.where(sa.or_(Task.title.ilike(f"%{term}%"), Task.text.ilike(f"%{term}%")))
    page = paginate(stmt, per_page=current_app.config["PAGE_SIZE"])
    plans = db.session.execute(
        sa.select(Plan.id, Plan.title).where(
            sa.exists().where(Assignment.plan_id == Plan.id, Assignment.unit_id == current_user.unit_id)
        ).order_by(Plan.year.desc())
    ).all()
    return render_template("reports/my_tasks.html", page=page, plans=plans, plan_id=plan_id, status=status,
                           term=term, STATUS_LABELS=STATUS_LABELS)


@bp.route("/assignments/<int:assignment_id>")
@roles(*ROLES)
def assignment(assignment_id: int):
    a = queries.get_assignment_for(current_user, assignment_id)
    return render_template("reports/assignment.html", a=a)

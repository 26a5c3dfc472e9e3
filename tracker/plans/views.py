"""Plan list and a plan's task list."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..access import STAFF, roles
from ..extensions import db
from ..pagination import paginate
from ..units.models import Unit
from . import queries
from .models import STATUS_LABELS, Assignment, Plan, Task

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.route("/")
@roles(*STAFF)
def index():
    stmt = queries.visible_plans(current_user).order_by(Plan.year.desc(), Plan.id.desc())
    page = paginate(stmt, per_page=current_app.config["PAGE_SIZE"])
    counts = queries.plan_counts([p.id for p in page.items])
    return render_template("plans/index.html", page=page, counts=counts)


@bp.route("/<int:plan_id>")
@roles(*STAFF)
def detail(plan_id: int):
    plan = queries.get_plan_for(current_user, plan_id)
    term = request.args.get("q", "").strip()
    stmt = sa.select(Task).where(Task.plan_id == plan.id, Task.is_leaf).order_by(Task.position)
    if term:
        stmt = stmt.where(sa.or_(Task.title.ilike(f"%{term}%"), Task.text.ilike(f"%{term}%")))
    page = paginate(stmt.options(selectinload(Task.assignments).joinedload(Assignment.unit)),
                    per_page=current_app.config["PAGE_SIZE"])
    counts = queries.plan_counts([plan.id])[plan.id]
    return render_template("plans/detail.html", plan=plan, page=page, term=term, counts=counts,
                           STATUS_LABELS=STATUS_LABELS)

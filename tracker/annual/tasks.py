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

"""Issue 16: a supervisor moves 1,000 assignments to another unit in one bulk action (转办)."""
from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.plans import assign
from tracker.plans.models import Assignment, Plan, Task
from tracker.timeutil import utcnow
from tracker.units.models import Unit
from tracker.units import services as unit_services

from ..registry import scenario
from ..runner import Context, ScenarioFailed

#: assignments moved in the one action (fewer at the small scales: one per task of the jurisdiction)
BULK_MOVE = 1000


@scenario("bulk move of 1,000 assignments to another unit")
def bulk_move(ctx: Context) -> int:
    with ctx.app.app_context():
        try:
            # the jurisdiction with the most plans (the capital), and a new unit of it as the target,
            # so none of the moved tasks is already the target's (set up outside the timed block)
            capital_id = db.session.scalar(sa.select(Plan.unit_id).group_by(Plan.unit_id)
                                           .order_by(sa.func.count().desc(), Plan.unit_id).limit(1))
            capital = db.session.get(Plan, db.session.scalar(sa.select(Plan.id).where(Plan.unit_id == capital_id)
                                                             .limit(1))).unit
            target = unit_services.create_unit(None, name="基准测试：机构改革后新设单位", kind="city_dept",
                                               parent=capital)
            # one assignment per task (a unit holds a task once), open ones of the capital's plans
            ids = db.session.scalars(
                sa.select(sa.func.min(Assignment.id)).join(Plan, Plan.id == Assignment.plan_id)
                .where(Plan.unit_id == capital_id, Assignment.status != "completed")
                .group_by(Assignment.task_id).order_by(Assignment.task_id).limit(BULK_MOVE)).all()
            if len(ids) < BULK_MOVE:
                ids += _extra_assignments(capital, BULK_MOVE - len(ids))
            db.session.flush()
            with ctx.timed():
                chosen = list(db.session.scalars(sa.select(Assignment).where(Assignment.id.in_(ids))))
                assign.move_assignments(None, chosen, target, reason="基准测试")
                db.session.flush()
            moved = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                      .where(Assignment.unit_id == target.id))
            if moved != len(ids):
                raise ScenarioFailed(f"moved {moved} of {len(ids)}")
            return moved
        finally:
            db.session.rollback()


def _extra_assignments(capital, n: int) -> list[int]:
    """Add a plan of n one-unit tasks to the capital (the small scales have fewer tasks than the action moves)."""
    from datetime import date

    plan = Plan(unit_id=capital.id, title="基准测试：转办用工作要点", year=2021, issued_on=date(2021, 3, 1))
    db.session.add(plan)
    db.session.flush()
    unit_id = db.session.scalar(sa.select(Unit.id).where(Unit.parent_id == capital.id, Unit.is_active)
                                .order_by(Unit.id).limit(1))
    now = utcnow()
    db.session.execute(sa.insert(Task.__table__), [
        dict(plan_id=plan.id, ref=str(i + 1), position=i, level=1, title=f"第{i + 1}项任务", text="", section="一、",
             path=["一、"], is_leaf=True, deadline=date(2021, 12, 31), deadline_kind="year_end", deadline_detail={},
             targets=[], unit_phrases=[], columns={}, created_at=now) for i in range(n)])
    task_ids = db.session.scalars(sa.select(Task.id).where(Task.plan_id == plan.id).order_by(Task.id)).all()
    db.session.execute(sa.insert(Assignment.__table__), [
        dict(plan_id=plan.id, task_id=t, unit_id=unit_id, role="lead", due_on=date(2021, 12, 31),
             original_due_on=date(2021, 12, 31), deadline_kind="year_end", status="pending", progress=0, instance=1,
             created_at=now, updated_at=now) for t in task_ids])
    return list(db.session.scalars(sa.select(Assignment.id).where(Assignment.plan_id == plan.id)))

"""A plan's data version is renewed by every write that could change the figures cached for it."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.factories import AssignmentFactory, PlanFactory, TaskFactory
from tracker.extensions import db
from tracker.inbox.models import Notification
from tracker.plans.models import Assignment, Plan


def version(plan: Plan) -> str:
    return db.session.scalar(sa.select(Plan.data_version).where(Plan.id == plan.id))


def test_a_new_assignment_renews_its_plan_only(world):
    other = PlanFactory(unit=world.city, title="另一份要点")
    db.session.flush()
    before, other_before = version(world.plan), version(other)
    task = TaskFactory(plan=world.plan)
    AssignmentFactory(task=task, unit=world.finance)
    db.session.flush()
    after = version(world.plan)
    assert after != before and len(after) == 32
    assert version(other) == other_before


def test_each_change_gives_a_token_never_seen_before(world):
    task = TaskFactory(plan=world.plan)
    a = AssignmentFactory(task=task, unit=world.finance)
    db.session.flush()
    seen = {version(world.plan)}
    for status in ("in_progress", "completed", "pending"):
        a.status = status
        db.session.flush()
        token = version(world.plan)
        assert token not in seen
        seen.add(token)
    a.due_on = date(2021, 12, 31)
    db.session.flush()
    assert version(world.plan) not in seen
    db.session.delete(a)
    db.session.flush()
    assert version(world.plan) not in seen


def test_a_task_change_renews_its_plan(world):
    task = TaskFactory(plan=world.plan, section="一、旧标题")
    db.session.flush()
    before = version(world.plan)
    task.section = "一、新标题"
    db.session.flush()
    assert version(world.plan) != before


def test_a_unit_change_renews_every_plan(world):
    other = PlanFactory(unit=world.city, title="另一份要点")
    db.session.flush()
    before = {version(world.plan), version(other)}
    world.finance.category = "B" if world.finance.category != "B" else "A"
    db.session.flush()
    assert not ({version(world.plan), version(other)} & before)


def test_a_bulk_update_of_assignments_renews_every_plan(world):
    other = PlanFactory(unit=world.city, title="另一份要点")
    db.session.flush()
    before = {version(world.plan), version(other)}
    db.session.execute(sa.update(Assignment).where(Assignment.id == -1).values(progress=0))
    assert not ({version(world.plan), version(other)} & before)


def test_unrelated_writes_leave_it_alone(world):
    db.session.flush()
    before = version(world.plan)
    db.session.add(Notification(user_id=world.leader.id, kind="info", title="通知", body=""))
    db.session.flush()
    db.session.execute(sa.update(Notification).where(Notification.id == -1).values(title="x"))
    assert version(world.plan) == before

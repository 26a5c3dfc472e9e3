"""A plan with assignments in every status on 2021-09-15, on top of the shared world."""
from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from tests.factories import AssignmentFactory, TaskFactory, UnitFactory
from tracker.extensions import db

#: the scene's "today": a Wednesday; three working days later is Saturday 09-18 (a make-up workday)
AS_OF = date(2021, 9, 15)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def build_scene(world) -> SimpleNamespace:
    """Add to world.plan: tasks in two sections and one without, assignments in every status.

    Status on AS_OF for the city's staff (scope: the city subtree):
      completed a2 a3 a6 · overdue a1 (11 working days) a8 (3) · due soon a4 · on track a5 a7 a_fin a_aud
    Outside the city subtree: a_out (overdue, 33 working days), seen by the admin only.
    """
    w = world
    county_fin = UnitFactory(name="测试县财政局", short_name="县财政局", parent=w.county, category="B")
    t1 = TaskFactory(plan=w.plan, ref="2", title="公开预决算信息", section="一、扩大公开范围",
                     deadline=date(2021, 8, 31), deadline_kind="date", deadline_text="8月底前")
    t2 = TaskFactory(plan=w.plan, ref="3", title="做好政策解读", section="二、强化政策解读",
                     deadline=date(2021, 9, 30), deadline_kind="date", deadline_text="9月底前")
    t3 = TaskFactory(plan=w.plan, ref="4", title="持续推进公开平台建设", section=None, path=[],
                     deadline=None, deadline_kind="continuous", deadline_text="持续推进")
    a1 = AssignmentFactory(task=t1, unit=w.finance, role="lead")
    a2 = AssignmentFactory(task=t1, unit=w.audit, status="completed", progress=100,
                           completed_at=utc(2021, 8, 20, 2, 0))
    a3 = AssignmentFactory(task=t1, unit=w.county, status="completed", progress=100,
                           completed_at=utc(2021, 9, 10, 3, 0))
    a4 = AssignmentFactory(task=t2, unit=w.finance, due_on=date(2021, 9, 16))
    a5 = AssignmentFactory(task=t2, unit=w.audit, status="in_progress", progress=40)
    a6 = AssignmentFactory(task=t2, unit=w.county, due_on=date(2021, 9, 1), status="completed", progress=100,
                           completed_at=None)
    a7 = AssignmentFactory(task=t3, unit=county_fin, due_on=None)
    a8 = AssignmentFactory(task=t3, unit=w.county, due_on=date(2021, 9, 10))
    a_out = AssignmentFactory(task=t1, unit=w.other_dept, due_on=date(2021, 8, 1))
    db.session.flush()
    return SimpleNamespace(**{k: v for k, v in locals().items() if k not in ("w", "world")}, world=w)


@pytest.fixture
def scene(world):
    return build_scene(world)

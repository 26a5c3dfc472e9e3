"""A province with four cities and their 2021 plans, each assignment placed on a boundary (issue 15).

On AS_OF (Monday 2021-11-15, Asia/Shanghai), worked out by hand:

甲市 (two plans): x1 due 11-12 done 11-12 23:59:59 local (on time) · x2 due 11-12 done 11-13 00:00
local (late) · x3 due 11-12 open (overdue) · x4 due 11-15 open (due soon: not due yet) · x5 due
11-30 done 11-01 (on time) · x6 due 11-10 done 11-16, after AS_OF (open, overdue) · x7 withdrawn
(不再承办: counted nowhere) · y1 in the second plan, no due date, done 10-01 (on time).
  plans 2, tasks 4 (t4 holds only x7), assignments 7, completed 4, overdue 2, on time 3: 3/6 = 50.0%
乙市: z1 due 11-01 done 10-30 (on time) · z2 due 11-01 open (overdue): 1/2 = 50.0%
  and a 2020 plan (u1, open, due 2020-12-31) that only the year 2020 shows.
丙市: v1 due 12-31 open: nothing due, no rate, no rank.
丁市: w1 due 11-01 done 10-20: 1/1 = 100.0%.

Ranking: 丁市 1; 甲市 and 乙市 tie on 50.0% and share rank 2, 甲市 first by the official order (its
sort_order is lower although 乙 sorts before 甲 by name and 乙市 was created first); 丙市 unranked.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

from tests.factories import AssignmentFactory, PlanFactory, TaskFactory, UnitFactory, UserFactory
from tracker.extensions import db

AS_OF = date(2021, 11, 15)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def _task(plan, ref: str, due: date | None):
    return TaskFactory(plan=plan, ref=ref, title=f"任务{ref}", deadline=due,
                       deadline_kind="date" if due else "continuous")


def build_province() -> SimpleNamespace:
    p = UnitFactory(name="某省人民政府", short_name="省政府", kind="other", category=None, sort_order=0)
    yi = UnitFactory(name="乙市人民政府", kind="city_gov", category=None, parent=p, sort_order=20)
    jia = UnitFactory(name="甲市人民政府", kind="city_gov", category=None, parent=p, sort_order=10)
    bing = UnitFactory(name="丙市人民政府", kind="city_gov", category=None, parent=p, sort_order=30)
    ding = UnitFactory(name="丁市人民政府", kind="city_gov", category=None, parent=p, sort_order=40)
    jia1 = UnitFactory(name="甲市财政局", parent=jia)
    jia2 = UnitFactory(name="甲市审计局", parent=jia)
    yi1 = UnitFactory(name="乙市财政局", parent=yi)
    bing1 = UnitFactory(name="丙市财政局", parent=bing)
    ding1 = UnitFactory(name="丁市财政局", parent=ding)

    plan_a = PlanFactory(unit=jia, title="甲市2021年政务公开工作要点")
    plan_a2 = PlanFactory(unit=jia, title="甲市2021年政务公开专项工作要点")
    plan_b = PlanFactory(unit=yi, title="乙市2021年政务公开工作要点")
    plan_b_old = PlanFactory(unit=yi, title="乙市2020年政务公开工作要点", year=2020, issued_on=date(2020, 3, 1))
    plan_c = PlanFactory(unit=bing, title="丙市2021年政务公开工作要点")
    plan_d = PlanFactory(unit=ding, title="丁市2021年政务公开工作要点")

    d12, d10, d30 = date(2021, 11, 12), date(2021, 11, 10), date(2021, 11, 30)
    t1, t2, t3, t4 = (_task(plan_a, "1", d12), _task(plan_a, "2", d30), _task(plan_a, "3", d10),
                      _task(plan_a, "4", date(2021, 11, 1)))
    x = SimpleNamespace(
        x1=AssignmentFactory(task=t1, unit=jia1, status="completed", completed_at=utc(2021, 11, 12, 15, 59, 59)),
        x2=AssignmentFactory(task=t1, unit=jia2, status="completed", completed_at=utc(2021, 11, 12, 16, 0, 0)),
        x3=AssignmentFactory(task=t1, unit=jia, role="lead"),
        x4=AssignmentFactory(task=t2, unit=jia1, due_on=AS_OF, original_due_on=AS_OF),
        x5=AssignmentFactory(task=t2, unit=jia2, status="completed", completed_at=utc(2021, 11, 1, 2, 0)),
        x6=AssignmentFactory(task=t3, unit=jia1, status="completed", completed_at=utc(2021, 11, 16, 2, 0)),
        x7=AssignmentFactory(task=t4, unit=jia2, withdrawn_at=utc(2021, 11, 2, 2, 0), withdrawn_reason="职责调整"),
    )
    x.y1 = AssignmentFactory(task=_task(plan_a2, "1", None), unit=jia1, status="completed",
                             completed_at=utc(2021, 10, 1, 2, 0))
    tb = _task(plan_b, "1", date(2021, 11, 1))
    x.z1 = AssignmentFactory(task=tb, unit=yi1, status="completed", completed_at=utc(2021, 10, 30, 2, 0))
    x.z2 = AssignmentFactory(task=tb, unit=yi, role="lead")
    x.u1 = AssignmentFactory(task=_task(plan_b_old, "1", date(2020, 12, 31)), unit=yi1)
    x.v1 = AssignmentFactory(task=_task(plan_c, "1", date(2021, 12, 31)), unit=bing1)
    x.w1 = AssignmentFactory(task=_task(plan_d, "1", date(2021, 11, 1)), unit=ding1, status="completed",
                             completed_at=utc(2021, 10, 20, 2, 0))
    users = SimpleNamespace(
        supervisor=UserFactory(username="prov-super", role="supervisor", unit=p, display_name="省督查员"),
        leader=UserFactory(username="prov-leader", role="leader", unit=p, display_name="省领导"),
        city_supervisor=UserFactory(username="jia-super", role="supervisor", unit=jia, display_name="甲市督查员"),
        reporter=UserFactory(username="jia-rep", role="reporter", unit=jia1, display_name="甲市填报员"),
    )
    db.session.flush()
    return SimpleNamespace(province=p, jia=jia, yi=yi, bing=bing, ding=ding, users=users, a=x,
                           plans={"jia": [plan_a, plan_a2], "yi": [plan_b], "bing": [plan_c], "ding": [plan_d],
                                  "yi_2020": [plan_b_old]})

"""The assessment job: every plan scored at the end of the month (or year) just past, stored only when changed.

A database of the test's own (the runner commits and records its runs).
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.factories import AssignmentFactory, TaskFactory, build_world
from tracker.assessment import jobs as assessment_jobs
from tracker.assessment import services
from tracker.assessment.models import AssessmentVersion
from tracker.calendar import default_calendar
from tracker.extensions import db
from tracker.inbox.models import Notification
from tracker.jobs import runner
from tracker.jobs.models import JobSchedule
from tracker.plans.models import Plan, Task

SEED_RUBRIC = Path(__file__).resolve().parents[2] / "seeds" / "rubric.yaml"
SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.no_db


@pytest.fixture
def ctx(fresh_app):
    with fresh_app.app_context():
        world = build_world()
        services.save_rubric(None, SEED_RUBRIC.read_text(encoding="utf-8"), year=2021)
        # 市审计局 has an item due 2021-10-29 still open: it is scored as overdue at every month end after.
        task = TaskFactory(plan=world.plan, title="公开审计结果", ref="3", deadline=date(2021, 10, 29), deadline_kind="date")
        AssignmentFactory(task=task, unit=world.audit, role="responsible", status="in_progress", progress=40)
        db.session.commit()
        yield fresh_app, world


def _versions(plan_id: int) -> list[AssessmentVersion]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AssessmentVersion).where(AssessmentVersion.plan_id == plan_id)
                                   .order_by(AssessmentVersion.number)))


def _hand_computed(plan: Plan, as_of: date) -> dict:
    """The figures the 考核 page's 计算 button gives for the same plan and date (computed, then thrown away)."""
    with db.session.begin_nested() as nested:
        result = services.compute_version(None, plan, as_of).result
        nested.rollback()
    return result


def test_a_month_end_run_stores_each_plan_once_and_a_rerun_stores_nothing(ctx):
    app, world = ctx
    plans = db.session.scalar(sa.select(sa.func.count()).select_from(Plan).where(Plan.year == 2021))
    assert plans == 2
    # Run on 2021-12-01, the first working day of December: November's figures, as of 2021-11-30.
    first = runner.run("assessment", date(2021, 12, 1), trigger="cli")
    assert first.outcome == "ok"
    assert first.counts == {"periods": "2021-11-30", "plans": 2, "versions_created": 2, "unchanged": 0, "no_rubric": 0,
                            "leaders_notified": 1}
    [stored] = _versions(world.plan.id)
    assert (stored.number, stored.as_of, stored.is_frozen, stored.computed_by_id) == (1, date(2021, 11, 30), False, None)
    assert stored.result["as_of"] == "2021-11-30"
    assert any(i["id"].startswith("overdue_at_assessment:") for u in stored.result["categories"]["B"]
               for i in u["items"])
    assert stored.result == _hand_computed(db.session.get(Plan, world.plan.id), date(2021, 11, 30))
    # The city's leader is told the November ranking is ready (the other city has no leader).
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == world.leader.id))
    assert "11月考核排名已生成" in note.title and note.link == f"/assessment/versions/{stored.id}"

    again = runner.run("assessment", date(2021, 12, 1), trigger="cli")
    assert again.counts == {"periods": "2021-11-30", "plans": 2, "versions_created": 0, "unchanged": 2,
                            "no_rubric": 0, "leaders_notified": 0}
    assert len(_versions(world.plan.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == world.leader.id)) == 1

    # Figures change (the overdue item is finished): the next run stores a new, unpublished version.
    db.session.execute(sa.update(AssessmentVersion).values(is_frozen=True))  # the first was published meanwhile
    task = db.session.scalar(sa.select(Task).where(Task.title == "公开审计结果"))
    for a in task.assignments:
        a.status = "completed"
        a.completed_at = datetime(2021, 11, 10, 2, tzinfo=SHANGHAI)
    db.session.commit()
    changed = runner.run("assessment", date(2021, 12, 1), trigger="cli")
    assert changed.counts["versions_created"] == 1 and changed.counts["unchanged"] == 1
    numbers = [(v.number, v.as_of, v.is_frozen) for v in _versions(world.plan.id)]
    assert numbers == [(1, date(2021, 11, 30), True), (2, date(2021, 11, 30), False)]


def test_a_year_end_run_scores_last_year_as_of_31_december(ctx):
    app, world = ctx
    # Only the yearly computation: 15 January scores the year before.
    db.session.add(JobSchedule(job_id="assessment", settings={"monthly_workday": 0, "yearly_date": "01-15"}))
    db.session.commit()
    assert assessment_jobs.periods(date(2022, 1, 14), assessment_jobs.schedule()) == []
    outcome = runner.run("assessment", date(2022, 1, 15), trigger="cli")
    assert outcome.counts == {"periods": "2021-12-31", "plans": 2, "versions_created": 2, "unchanged": 0,
                              "no_rubric": 0, "leaders_notified": 0}
    [stored] = _versions(world.plan.id)
    assert (stored.as_of, stored.is_frozen) == (date(2021, 12, 31), False)
    assert stored.result == _hand_computed(db.session.get(Plan, world.plan.id), date(2021, 12, 31))
    rerun = runner.run("assessment", date(2022, 1, 15), trigger="cli")
    assert (rerun.counts["versions_created"], rerun.counts["unchanged"]) == (0, 2)
    assert len(_versions(world.plan.id)) == 1


def test_plans_of_a_year_without_rubric_are_counted_not_failed(ctx):
    app, world = ctx
    outcome = runner.run("assessment", date(2023, 3, 1), trigger="cli")
    assert outcome.outcome == "ok"
    assert (outcome.counts["periods"], outcome.counts["plans"], outcome.counts["versions_created"]) == ("2023-02-28", 0, 0)


def test_periods_of_a_run_day():
    default = assessment_jobs.Schedule()
    assert assessment_jobs.periods(date(2021, 12, 1), default) == [("month", date(2021, 11, 30))]
    # In January the month before is the year's end: one computation, announced as a monthly ranking.
    assert assessment_jobs.periods(date(2022, 1, 15), default) == [("month", date(2021, 12, 31))]
    assert assessment_jobs.periods(date(2024, 3, 1), default) == [("month", date(2024, 2, 29))]
    off = assessment_jobs.Schedule(0, "")
    assert assessment_jobs.periods(date(2022, 1, 15), off) == []


def test_the_trigger_fires_on_the_first_working_day_and_on_15_january():
    cal = default_calendar()
    trigger = assessment_jobs.AssessmentTrigger(assessment_jobs.Schedule(), 8, 0, cal.is_workday, SHANGHAI)

    def after(*args):
        return trigger.get_next_fire_time(None, datetime(*args, tzinfo=SHANGHAI))

    # October 2021: National Day holiday 1–7 October, so the first working day is Friday 8 October.
    assert after(2021, 9, 30, 10, 0) == datetime(2021, 10, 8, 8, 0, tzinfo=SHANGHAI)
    # The fire time itself still counts; a minute later the next one is due.
    assert after(2021, 10, 8, 8, 0) == datetime(2021, 10, 8, 8, 0, tzinfo=SHANGHAI)
    assert after(2021, 10, 8, 8, 1) == datetime(2021, 11, 1, 8, 0, tzinfo=SHANGHAI)
    # New Year 2022: 1–3 January off, first working day Tuesday 4 January; then 15 January for the year.
    assert after(2022, 1, 1, 0, 0) == datetime(2022, 1, 4, 8, 0, tzinfo=SHANGHAI)
    assert after(2022, 1, 4, 9, 0) == datetime(2022, 1, 15, 8, 0, tzinfo=SHANGHAI)
    # Spring Festival 2022: 31 January – 6 February off, so February's first working day is the 7th.
    assert after(2022, 1, 15, 9, 0) == datetime(2022, 2, 7, 8, 0, tzinfo=SHANGHAI)
    second = assessment_jobs.AssessmentTrigger(assessment_jobs.Schedule(2, ""), 8, 0, cal.is_workday, SHANGHAI)
    assert second.get_next_fire_time(None, datetime(2021, 9, 30, 10, 0, tzinfo=SHANGHAI)) == datetime(
        2021, 10, 9, 8, 0, tzinfo=SHANGHAI)  # Saturday 9 October 2021 was a working day (调休)


def test_the_admin_sets_the_schedule_with_checked_input(ctx):
    app, world = ctx
    client = app.test_client()
    assert client.post("/login", data={"username": "admin1", "password": PASSWORD}).status_code == 302
    page = client.get("/supervise/jobs").get_data(as_text=True)
    assert "考核计算" in page and "每月第1个工作日计算上月；每年1月15日计算上一年度" in page
    for monthly, yearly, message in (("11", "01-15", "每月第几个工作日应为0到10的整数"),
                                     ("1", "02-30", "年度计算日期应为“月-日”"),
                                     ("x", "01-15", "每月第几个工作日应为0到10的整数")):
        resp = client.post("/supervise/jobs/assessment-schedule",
                           data={"monthly_workday": monthly, "yearly_date": yearly}, follow_redirects=True)
        assert message in resp.get_data(as_text=True)
        db.session.rollback()
        assert db.session.get(JobSchedule, "assessment") is None
    resp = client.post("/supervise/jobs/assessment-schedule", data={"monthly_workday": "2", "yearly_date": "1-20"},
                       follow_redirects=True)
    assert "考核计算时间已保存：每月第2个工作日计算上月；每年1月20日计算上一年度" in resp.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(JobSchedule, "assessment").settings == {"monthly_workday": 2, "yearly_date": "01-20"}
    client.post("/logout")
    assert client.post("/login", data={"username": "super1", "password": PASSWORD}).status_code == 302
    assert client.post("/supervise/jobs/assessment-schedule",
                       data={"monthly_workday": "3", "yearly_date": ""}).status_code == 403

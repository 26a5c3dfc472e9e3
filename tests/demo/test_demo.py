from __future__ import annotations

import sqlalchemy as sa

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.plans.models import Assignment, Plan, Task
from tracker.public.views import page_cache
from tracker.reports.models import ProgressReport
from tracker.units.models import Unit


def test_demo_load_is_complete_and_idempotent(runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "demo-2021" in first.output
    for login in ("admin", "duban", "lingdao", "caizheng"):
        assert login in first.output
    counties = db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.kind == "county_gov"))
    assert counties == 13
    assert {u.role for u in db.session.scalars(sa.select(User))} == {"admin", "supervisor", "leader", "reporter"}
    plan = db.session.scalar(sa.select(Plan).where(Plan.doc_number == "运政办发〔2021〕31号"))
    assert plan is not None and plan.is_published
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(Task).where(Task.is_leaf, Task.plan_id == plan.id)) == 37
    snapshot = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Unit, User, Plan, Assignment)]
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Unit, User, Plan, Assignment)] == snapshot


def test_demo_reporter_sees_its_tasks(runner, client, auth):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert auth.login("caizheng", "demo-2021").status_code == 302
    page = client.get("/my/tasks").get_data(as_text=True)
    assert "财政信息公开" in page or "预决算" in page


def test_demo_public_page_shows_some_approved_report_texts(app, runner, client):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    page_cache(app).clear()  # ids repeat between rolled-back tests: a page another test cached is not this one
    plan = db.session.scalar(sa.select(Plan).where(Plan.doc_number == "运政办发〔2021〕31号"))
    public = db.session.scalars(sa.select(ProgressReport).where(ProgressReport.is_public)).all()
    assert public and {r.status for r in public} == {"approved"}
    html = client.get(f"/public/plans/{plan.id}").get_data(as_text=True)
    assert any(r.text.strip() in html for r in public if r.plan_id == plan.id)


def test_demo_events_are_dated_in_the_demo_story(runner):
    from datetime import date, datetime, timezone

    from tracker.inbox.models import Notification
    from tracker.supervise.models import Reminder

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    # The start message counts the plan's tasks in plain words, not "（共1个工作要点）".
    assert "共37项任务" in result.output and "个工作要点）" not in result.output
    plan = db.session.scalar(sa.select(Plan).where(Plan.doc_number == "运政办发〔2021〕31号"))
    # Imported at 09:30 Beijing time on 2021-07-15, the day after the plan was issued (01:30 UTC).
    assert plan.created_at == datetime(2021, 7, 15, 1, 30, tzinfo=timezone.utc)
    stamps = db.session.execute(sa.select(sa.func.min(Assignment.created_at), sa.func.max(Assignment.created_at))
                                .where(Assignment.plan_id == plan.id)).one()
    assert stamps == (datetime(2021, 7, 15, 1, 30, tzinfo=timezone.utc),) * 2
    # The sweep of the demo date ran at 08:00 Beijing time; no message is later than the demo date's end.
    assert {r.created_at for r in db.session.scalars(sa.select(Reminder))} == {
        datetime(2021, 11, 15, 0, 0, tzinfo=timezone.utc)}
    newest = db.session.scalar(sa.select(sa.func.max(Notification.created_at)))
    assert newest < datetime(2021, 11, 15, 16, 0, tzinfo=timezone.utc)
    # The 定时任务 page lists that sweep as the scheduler's run of the demo date; loading again adds none.
    from tracker.supervise.models import JobRun

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    runs = db.session.execute(sa.select(JobRun.job_id, JobRun.trigger, JobRun.as_of, JobRun.started_at)).all()
    assert [tuple(r) for r in runs] == [("sweep", "scheduler", date(2021, 11, 15),
                                         datetime(2021, 11, 15, 0, 0, tzinfo=timezone.utc))]

"""Jobs under a lock with a JobRun record, the scheduler's job list, and the CLI.

Jobs write their JobRun and lock in transactions of their own, so these tests run against a
fresh database of their own (SQLite file, or a temporary PostgreSQL database when
TRACKER_TEST_DATABASE_URL is set) instead of the rolled-back transaction of the other tests.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.pg import PG_URL
from tests.factories import AssignmentFactory, TaskFactory, UnitFactory
from tracker.config import ConfigError
from tracker.extensions import db
from tracker.inbox.models import Notification
from tracker.plans.models import Assignment, Plan
from tracker.jobs import scheduler
from tracker.supervise import jobs
from tracker.supervise.models import EscalationNotice, JobLock, JobRun, Reminder
from tracker.units.models import Unit


ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.no_db


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _install_fault(dialect: str) -> None:
    if dialect == "postgresql":
        db.session.execute(sa.text(
            "CREATE FUNCTION tracker_fault() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '模拟故障：磁盘已满'; END $$ "
            "LANGUAGE plpgsql"))
        db.session.execute(sa.text("CREATE TRIGGER tracker_fault BEFORE INSERT ON escalation_notices "
                                   "FOR EACH ROW EXECUTE FUNCTION tracker_fault()"))
    else:
        db.session.execute(sa.text("CREATE TRIGGER tracker_fault BEFORE INSERT ON escalation_notices "
                                   "BEGIN SELECT RAISE(ABORT, '模拟故障：磁盘已满'); END"))
    db.session.commit()


def _remove_fault(dialect: str) -> None:
    on_table = " ON escalation_notices" if dialect == "postgresql" else ""
    db.session.execute(sa.text(f"DROP TRIGGER tracker_fault{on_table}"))
    db.session.commit()


def test_sweep_job_records_a_run(world_app):
    with world_app.app_context():
        outcome = jobs.sweep_job(date(2021, 10, 14), trigger="cli")
        assert outcome.outcome == "ok"
        run = db.session.get(JobRun, outcome.run_id)
        assert (run.job_id, run.trigger, run.as_of, run.outcome) == ("sweep", "cli", date(2021, 10, 14), "ok")
        assert run.counts["escalations_created"] == 1 and run.counts["overdue"] == 1
        assert run.finished_at >= run.started_at


def test_failing_sweep_rolls_back_and_the_next_run_completes(world_app):
    with world_app.app_context():
        dialect = db.engine.dialect.name
        _install_fault(dialect)
        failed = jobs.sweep_job(date(2021, 10, 14), trigger="cli")
        assert failed.outcome == "failed" and "模拟故障：磁盘已满" in failed.error
        db.session.expire_all()
        run = db.session.get(JobRun, failed.run_id)
        assert run.outcome == "failed" and "模拟故障：磁盘已满" in run.error and run.finished_at is not None
        # The flags and reminders written before the fault were rolled back with it.
        assert db.session.scalar(sa.select(sa.func.count()).where(Assignment.alert.is_not(None))) == 0
        assert (_count(Reminder), _count(EscalationNotice), _count(Notification)) == (0, 0, 0)

        _remove_fault(dialect)
        done = jobs.sweep_job(date(2021, 10, 14), trigger="cli")
        assert done.outcome == "ok" and done.counts["escalations_created"] == 1
        assert (_count(Reminder), _count(EscalationNotice)) == (1, 1)
        assert [r.outcome for r in db.session.scalars(sa.select(JobRun).order_by(JobRun.id))] == ["failed", "ok"]


def test_a_held_lock_makes_the_second_run_skip(world_app):
    holding, release, got = threading.Event(), threading.Event(), []

    def hold():
        with world_app.app_context():
            with jobs.job_lock("sweep") as acquired:
                got.append(acquired)
                holding.set()
                release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(30) and got == [True]
        with world_app.app_context():
            skipped = jobs.sweep_job(date(2021, 10, 14), trigger="cli")
            assert skipped.outcome == "skipped" and "另一个进程正在运行" in skipped.error
            assert _count(Reminder) == 0
    finally:
        release.set()
        holder.join(30)
    with world_app.app_context():
        assert jobs.sweep_job(date(2021, 10, 14), trigger="cli").outcome == "ok"
        assert [r.outcome for r in db.session.scalars(sa.select(JobRun).order_by(JobRun.id))] == ["skipped", "ok"]


def test_a_lock_row_is_taken_over_when_expired_or_its_holder_is_dead(world_app):
    """The lock-row mechanism (databases without advisory or file locks)."""
    import socket

    from tracker.jobs import runner

    with world_app.app_context():
        past = datetime.now(timezone.utc) - timedelta(minutes=1)
        future = datetime.now(timezone.utc) + timedelta(hours=1)
        db.session.add(JobLock(name="sweep", holder="crashed-host:1:dead:tok", expires_at=past))
        db.session.commit()
        assert runner._row_lock_acquire(db.engine, "sweep", "me:1:1:a", timedelta(hours=2))
        # Not expired, held by a live process of this host (this one): refused.
        live = runner.this_process() + ":tok"
        db.session.execute(sa.update(JobLock).values(holder=live, expires_at=future))
        db.session.commit()
        assert not runner._row_lock_acquire(db.engine, "sweep", "me:1:1:b", timedelta(hours=2))
        # Not expired, but its process on this host is gone (a pid that cannot exist): taken over.
        dead = f"{socket.gethostname()}:4194304999:12345:tok"
        db.session.execute(sa.update(JobLock).values(holder=dead, expires_at=future))
        db.session.commit()
        assert runner._row_lock_acquire(db.engine, "sweep", "me:1:1:c", timedelta(hours=2))
        db.session.expire_all()
        assert db.session.get(JobLock, "sweep").holder == "me:1:1:c"
        # Not expired, on another host: cannot be checked, so it stands until it expires.
        db.session.execute(sa.update(JobLock).values(holder="elsewhere:99:1:tok", expires_at=future))
        db.session.commit()
        assert not runner._row_lock_acquire(db.engine, "sweep", "me:1:1:d", timedelta(hours=2))


def _invoke(app, *args):
    # `flask` pushes an app context for every command; the test runner outside one does not.
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def test_cli_sweep_prints_the_documented_json(world_app):
    result = _invoke(world_app, "supervise", "sweep", "--as-of", "2021-10-14", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "as_of": "2021-10-14", "overdue": 1, "newly_overdue": 1, "due_soon": 0, "reminders_created": 1,
        "escalations_created": 1, "rectifications_overdue": 0, "calendar_warning": None,
        # the same daily job sweeps the 依申请公开 register; this world has no requests
        "requests_overdue": 0, "requests_due_soon": 0, "requests_reminded": 0, "requests_escalated": 0,
        "requests_notifications": 0,
    }
    again = _invoke(world_app, "supervise", "sweep", "--as-of", "2021-10-14", "--json")
    assert json.loads(again.output)["reminders_created"] == 0


def test_cli_sweep_in_a_year_without_calendar_data(world_app):
    result = _invoke(world_app, "supervise", "sweep", "--as-of", "2031-03-02")
    assert result.exit_code == 0, result.output
    assert "注意：2031年的节假日安排尚未录入" in result.output


def test_run_sweep_button_records_a_web_run(world_app):
    client = world_app.test_client()
    with world_app.app_context():
        admin_name = "admin1"
    assert client.post("/login", data={"username": admin_name, "password": "password123"}).status_code == 302
    world_app.config["TODAY"] = date(2021, 10, 14)  # the web sweeps today only
    resp = client.post("/supervise/jobs/sweep", data={"as_of": "2021-10-14"}, follow_redirects=True)
    assert "巡查完成（2021-10-14）" in resp.get_data(as_text=True)
    page = client.get("/supervise/jobs").get_data(as_text=True)
    assert "页面" in page and "新发督办通知1" in page and "escalations_created" not in page
    with world_app.app_context():
        run = db.session.scalar(sa.select(JobRun))
        assert (run.trigger, run.outcome, run.triggered_by_id is not None) == ("web", "ok", True)
    bad = client.post("/supervise/jobs/sweep", data={"as_of": "2021/10/14"}, follow_redirects=True)
    assert "日期格式不正确" in bad.get_data(as_text=True)


def test_build_scheduler_has_the_fixed_jobs(fresh_app):
    sched = scheduler.build_scheduler(fresh_app)
    found = {job.id: job for job in sched.get_jobs()}
    assert set(found) == {"sweep", "lookback", "assessment", "annual_report_tasks"}
    for job in found.values():
        assert job.coalesce is True and job.max_instances == 1
    assert str(sched.timezone) == "Asia/Shanghai"
    now = datetime(2022, 1, 14, 9, 0, tzinfo=sched.timezone)
    runs = {job_id: when for job_id, _, when in scheduler.next_runs(fresh_app, now)}
    assert runs["sweep"].strftime("%Y-%m-%d %H:%M") == "2022-01-15 08:00"
    assert runs["lookback"].strftime("%Y-%m-%d %H:%M") == "2022-01-15 08:00"
    assert runs["assessment"].strftime("%Y-%m-%d %H:%M") == "2022-01-15 08:00"


def test_scheduler_settings_are_checked(fresh_app):
    fresh_app.config["TRACKER_SWEEP_TIME"] = "7:30"
    fresh_app.config["TRACKER_LOOKBACK_DATE"] = "02-01"
    now = datetime(2022, 1, 14, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    runs = {job_id: when for job_id, _, when in scheduler.next_runs(fresh_app, now)}
    assert runs["sweep"].strftime("%m-%d %H:%M") == "01-15 07:30"
    assert runs["lookback"].strftime("%m-%d %H:%M") == "02-01 07:30"
    fresh_app.config["TRACKER_SWEEP_TIME"] = "25:00"
    with pytest.raises(ConfigError, match="TRACKER_SWEEP_TIME"):
        scheduler.build_scheduler(fresh_app)
    fresh_app.config["TRACKER_SWEEP_TIME"] = "08:00"
    fresh_app.config["TRACKER_LOOKBACK_DATE"] = "02-30"
    result = _invoke(fresh_app, "scheduler", "jobs")
    assert result.exit_code != 0 and "TRACKER_LOOKBACK_DATE" in result.output


def test_lookback_job_reviews_last_years_plans(world_app):
    with world_app.app_context():
        outcome = jobs.lookback_job(date(2022, 1, 15), trigger="cli")
        assert outcome.outcome == "ok"
        assert outcome.counts == {"plans": 2, "notices": 3, "items": 4, "units": 3}


@pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_DATABASE_URL is not set: the two-process scheduler test "
                                      "needs PostgreSQL (it creates and drops a temporary database)")
def test_scheduler_started_twice_at_once_on_postgresql(world_app):
    with world_app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
        # Enough overdue work that the two sweeps overlap: 60 more units with 20 overdue items each.
        city = db.session.scalar(sa.select(Unit).where(Unit.name == "测试市人民政府"))
        plan = db.session.scalar(sa.select(Plan).where(Plan.unit_id == city.id))
        tasks = [TaskFactory(plan=plan, deadline=date(2021, 9, 1)) for _ in range(20)]
        for i in range(60):
            unit = UnitFactory(name=f"并发测试单位{i}", parent=city)
            for task in tasks:
                AssignmentFactory(task=task, unit=unit, due_on=date(2021, 9, 1), original_due_on=date(2021, 9, 1))
        db.session.commit()
        # Escalated on 2021-10-14: due before 2021-10-08, five working days earlier.
        units_overdue = db.session.scalar(
            sa.select(sa.func.count(sa.distinct(Assignment.unit_id)))
            .where(Assignment.due_on < date(2021, 10, 8), Assignment.status != "completed"))

    env = {**os.environ, "DATABASE_URL": url}
    env.pop("TRACKER_TEST_DATABASE_URL", None)
    command = [sys.executable, "-m", "flask", "--app", "wsgi:app", "scheduler", "run-job", "sweep",
               "--as-of", "2021-10-14", "--json"]

    def start():
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    # While this process holds the lock, another process skips and changes nothing.
    with world_app.app_context():
        with jobs.job_lock("sweep") as acquired:
            assert acquired
            out, err = start().communicate(timeout=120)
            assert json.loads(out.strip().splitlines()[-1])["outcome"] == "skipped", err
            assert _count(Reminder) == 0

    # Two schedulers started at once: one set of notices, no failure.
    procs = [start(), start()]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    outcomes = sorted(json.loads(out.strip().splitlines()[-1])["outcome"] for out, _ in results)
    assert outcomes in (["ok", "ok"], ["ok", "skipped"]), results
    with world_app.app_context():
        assert _count(EscalationNotice) == units_overdue
        assert db.session.scalar(sa.select(sa.func.count(sa.distinct(EscalationNotice.unit_id)))) == units_overdue
        twice = db.session.execute(
            sa.select(Reminder.assignment_id, Reminder.stage).group_by(Reminder.assignment_id, Reminder.stage)
            .having(sa.func.count() > 1)).all()
        assert twice == []
        last_lines = [json.loads(out.strip().splitlines()[-1]) for out, _ in results]
        created = [line["counts"].get("escalations_created", 0) for line in last_lines]
        assert sum(created) == units_overdue

"""The scheduler process: its heartbeat row, what the 定时任务 page promises, and missed runs caught up once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tracker.extensions import db
from tracker.jobs import scheduler
from tracker.jobs.models import SchedulerBeat
from tracker.supervise.models import JobRun

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.no_db


def _page(app) -> str:
    client = app.test_client()
    assert client.post("/login", data={"username": "admin1", "password": PASSWORD}).status_code == 302
    html = client.get("/supervise/jobs").get_data(as_text=True)
    db.session.rollback()  # the requests ran in this app context's session: end its transaction
    return html


def test_last_fire_time_and_missed_runs_coalesce(world_app):
    with world_app.app_context():
        trigger = scheduler.triggers(world_app)["sweep"]
        since = datetime(2021, 11, 14, 20, 0, tzinfo=SHANGHAI)
        now = datetime(2021, 11, 16, 10, 0, tzinfo=SHANGHAI)
        assert scheduler.last_fire_time(trigger, since, now) == datetime(2021, 11, 16, 8, 0, tzinfo=SHANGHAI)
        # The fire time itself counts; one microsecond before it does not.
        at_eight = datetime(2021, 11, 15, 8, 0, tzinfo=SHANGHAI)
        assert scheduler.last_fire_time(trigger, since, at_eight) == at_eight
        assert scheduler.last_fire_time(trigger, since, at_eight - timedelta(microseconds=1)) is None
        # Two mornings missed, one run owed; the look-back (15 January) was not due.
        assert scheduler.missed_jobs(world_app, since, now) == [("sweep", datetime(2021, 11, 16, 8, 0, tzinfo=SHANGHAI))]


def test_a_scheduler_coming_back_runs_a_missed_job_once(world_app):
    world_app.config["TODAY"] = date(2021, 10, 14)
    try:
        with world_app.app_context():
            now = datetime.now(timezone.utc)
            # The previous scheduler's last beat was two days ago: this morning's sweep was missed.
            db.session.add(SchedulerBeat(host="old", pid=1, holder="old:1:1", started_at=now - timedelta(days=3),
                                         beat_at=now - timedelta(days=2)))
            db.session.commit()
            first = scheduler.catch_up(world_app)
            assert [(o.job_id, o.outcome) for o in first] == [("sweep", "ok")]
            assert first[0].counts["escalations_created"] == 1
            # Started again at once: the missed run is done, nothing more to catch up.
            assert scheduler.catch_up(world_app) == []
            runs = db.session.execute(sa.select(JobRun.job_id, JobRun.trigger, JobRun.as_of)).all()
            assert [tuple(r) for r in runs] == [("sweep", "catch_up", date(2021, 10, 14))]
            assert "补运行" in _page(world_app)
    finally:
        world_app.config["TODAY"] = None


def test_a_fresh_install_has_nothing_to_catch_up(world_app):
    with world_app.app_context():
        assert scheduler.catch_up(world_app) == []


def test_the_page_promises_a_next_run_only_while_a_scheduler_is_alive(world_app):
    with world_app.app_context():
        page = _page(world_app)
        assert "未运行" in page and "定时任务进程未运行" in page
        assert "每日逾期巡查" in page and "每天 08:00" in page and "下次运行" in page
        assert scheduler.scheduler_state().label == "从未启动"
        beat = scheduler.Heartbeat(world_app)
        beat.start()
        try:
            db.session.rollback()  # the beat was written by a session of its own
            assert scheduler.scheduler_state().alive
            page = _page(world_app)
            assert "运行中" in page and "定时任务进程未运行" not in page
            tomorrow_or_today = {(datetime.now(SHANGHAI) + timedelta(days=d)).strftime("%Y-%m-%d 08:00") for d in (0, 1)}
            assert any(when in page for when in tomorrow_or_today)
        finally:
            beat.stop()
        db.session.rollback()
        state = scheduler.scheduler_state()
        assert (state.alive, state.label) == (False, "已停止")
        # A beat that stopped without a clean stop: the process died.
        db.session.execute(sa.update(SchedulerBeat).values(stopped_at=None,
                                                            beat_at=datetime.now(timezone.utc) - timedelta(minutes=5)))
        db.session.commit()
        state = scheduler.scheduler_state()
        assert (state.alive, state.label) == (False, "已中断（心跳停止）")
        page = _page(world_app)
        assert "已中断（心跳停止）" in page and "定时任务进程未运行" in page


def test_the_scheduler_process_beats_and_stops_on_ctrl_c(world_app):
    with world_app.app_context():
        env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": db.engine.url.render_as_string(hide_password=False)}
        env.pop("TRACKER_TEST_DATABASE_URL", None)
        proc = subprocess.Popen([sys.executable, "-m", "flask", "scheduler", "run"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = []
        try:
            for line in proc.stdout:  # wait until it says it runs, as a person at the terminal would
                started.append(line)
                if "定时任务已启动" in line:
                    break
            db.session.rollback()
            state = scheduler.scheduler_state()
            assert state.alive and state.beat.pid == proc.pid
        finally:
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)
        out = "".join(started) + out
        assert proc.returncode == 0, err
        assert "定时任务已启动" in out and "定时任务已停止" in out and "每日逾期巡查" in out
        db.session.rollback()
        state = scheduler.scheduler_state()
        assert not state.alive and state.beat.stopped_at is not None

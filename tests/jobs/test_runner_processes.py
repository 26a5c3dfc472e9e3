"""The job runner with real processes on the real database (SQLite file, or PostgreSQL when configured).

Two processes running the same job at once: one ok, one skipped, one set of results. A process
killed with SIGKILL mid-run leaves nothing half-written; the next run succeeds and shows the killed
run as interrupted (中断), also on the 定时任务 page.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.jobs import slow_job
from tracker.extensions import db
from tracker.jobs import runner
from tracker.supervise.models import EscalationNotice, JobRun, Reminder
from tracker.units.models import Unit

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.no_db


def _url() -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _env() -> dict:
    env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": _url()}
    env.pop("TRACKER_TEST_DATABASE_URL", None)
    return env


def _slow(seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.jobs.slow_job", _url(), str(seconds)], cwd=ROOT,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_working(proc: subprocess.Popen) -> None:
    line = proc.stdout.readline()
    assert line.strip() == "working", (line, proc.stderr.read() if proc.poll() is not None else "")


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def _units() -> int:
    db.session.rollback()  # end this session's read snapshot: the processes wrote since
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.name == slow_job.UNIT_NAME))


@pytest.fixture
def slow_registered():
    slow_job.register(0)
    yield
    runner._REGISTRY.pop(slow_job.JOB_ID, None)


def test_two_processes_run_the_same_job_at_once(world_app, slow_registered):
    with world_app.app_context():
        first = _slow(15)
        _wait_working(first)  # the first holds the lock and is inside its work
        second = _slow(0)
        out2, err2 = second.communicate(timeout=120)
        out1, err1 = first.communicate(timeout=120)
        assert (first.returncode, second.returncode) == (0, 0), (err1, err2)
        one, two = _last_json(out1), _last_json(out2)
        assert (one["outcome"], one["counts"]) == ("ok", {"units_created": 1})
        assert (two["outcome"], two["counts"]) == ("skipped", {})
        assert _units() == 1
        runs = db.session.execute(sa.select(JobRun.id, JobRun.outcome).order_by(JobRun.id)).all()
        assert sorted(o for _, o in runs) == ["ok", "skipped"]
        assert {one["run_id"], two["run_id"]} == {i for i, _ in runs}


def test_a_job_killed_mid_run_is_marked_interrupted_and_the_next_run_succeeds(world_app, slow_registered):
    with world_app.app_context():
        victim = _slow(120)
        _wait_working(victim)
        killed_run = db.session.scalar(sa.select(JobRun).where(JobRun.outcome == "running"))
        assert killed_run is not None and killed_run.holder.split(":")[1] == str(victim.pid)
        os.kill(victim.pid, signal.SIGKILL)
        victim.communicate(timeout=60)
        db.session.rollback()
        killed_run = db.session.get(JobRun, killed_run.id)
        # Before anyone takes over, the page can already tell its process is gone.
        assert killed_run.outcome == "running" and runner.run_is_dead(killed_run)

        after = _slow(0)
        out, err = after.communicate(timeout=120)
        assert after.returncode == 0, err
        result = _last_json(out)
        # The killed run's unit was rolled back with it: the next run creates it, once.
        assert (result["outcome"], result["counts"]) == ("ok", {"units_created": 1})
        assert _units() == 1
        db.session.rollback()
        killed_run = db.session.get(JobRun, killed_run.id)
        assert killed_run.outcome == "interrupted" and killed_run.finished_at is not None
        assert "已中断" in killed_run.error and str(victim.pid) in killed_run.error

        client = world_app.test_client()
        assert client.post("/login", data={"username": "admin1", "password": PASSWORD}).status_code == 302
        page = client.get("/supervise/jobs").get_data(as_text=True)
        assert "测试任务" in page and "中断" in page and "已中断" in page and "interrupted" not in page


def test_run_job_cli_skips_beside_a_holder_and_a_rerun_creates_nothing(world_app):
    command = [sys.executable, "-m", "flask", "scheduler", "run-job", "sweep", "--as-of", "2021-10-14", "--json"]
    with world_app.app_context():
        with runner.job_lock("sweep") as acquired:
            assert acquired
            held = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
        assert held.returncode == 0, held.stderr
        skipped = _last_json(held.stdout)
        assert set(skipped) == {"job", "outcome", "counts", "run_id"}
        assert (skipped["job"], skipped["outcome"], skipped["counts"]) == ("sweep", "skipped", {})
        assert "另一个进程正在运行该任务" in held.stderr

        done = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
        first = _last_json(done.stdout)
        assert first["outcome"] == "ok" and first["counts"]["reminders_created"] == 1
        assert first["counts"]["escalations_created"] == 1
        again = _last_json(subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True,
                                          timeout=120).stdout)
        assert again["outcome"] == "ok"
        assert (again["counts"]["reminders_created"], again["counts"]["escalations_created"]) == (0, 0)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EscalationNotice)) == 1
        assert [r.outcome for r in db.session.scalars(sa.select(JobRun).order_by(JobRun.id))] == ["skipped", "ok", "ok"]
        assert date(2021, 10, 14) in set(db.session.scalars(sa.select(JobRun.as_of)))

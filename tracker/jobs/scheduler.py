"""The scheduler process: the registered jobs on their schedules, a heartbeat row, and missed runs caught up.

`flask scheduler run` is one process per deployment (`make run` starts it beside the web server).
It writes a SchedulerBeat row and renews it every BEAT_EVERY, so the 定时任务 page can say
whether a scheduler is alive and only then promise a next run. When it starts, a job whose last
scheduled time passed while no scheduler ran (the machine was off at 08:00) runs once now: missed
runs are coalesced into one.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask

from ..extensions import db
from ..supervise.models import JobRun
from ..timeutil import utcnow
from . import runner
from .models import SchedulerBeat

log = logging.getLogger(__name__)

#: how often a live scheduler renews its heartbeat
BEAT_EVERY = timedelta(seconds=30)
#: a scheduler whose heartbeat is older than this is not alive
ALIVE_WITHIN = timedelta(seconds=90)
#: how far back missed runs are looked for
CATCH_UP_WITHIN = timedelta(days=400)


def zone(app: Flask) -> ZoneInfo:
    return ZoneInfo(app.config.get("TIMEZONE") or "Asia/Shanghai")


def _run_in_app(app: Flask, job_id: str) -> None:
    with app.app_context():
        try:
            runner.run(job_id, trigger="scheduler")
        finally:
            db.session.remove()


def triggers(app: Flask) -> dict[str, object]:
    """Return job id → its APScheduler trigger, for every scheduled job (settings are checked here)."""
    with app.app_context():
        return {job_id: spec.schedule(app) for job_id, spec in runner.registry().items() if spec.schedule}


def build_scheduler(app: Flask):
    """Return a BlockingScheduler with every scheduled job; the caller starts it."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    found = triggers(app)
    scheduler = BlockingScheduler(
        timezone=zone(app),
        # One worker: the jobs run one after the other, never side by side on the same tables.
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    specs = runner.registry()
    # Stated on each job as well, so they hold before the scheduler applies its defaults at start.
    options = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600, "replace_existing": True}
    for job_id, trigger in found.items():
        scheduler.add_job(_run_in_app, trigger, args=(app, job_id), id=job_id, name=specs[job_id].label, **options)
    return scheduler


def next_runs(app: Flask, now: datetime | None = None) -> list[tuple[str, str, datetime]]:
    """Return (job id, label, next fire time) for every scheduled job, without starting anything."""
    now = now or datetime.now(zone(app))
    specs = runner.registry()
    return [(job_id, specs[job_id].label, trigger.get_next_fire_time(None, now))
            for job_id, trigger in triggers(app).items()]


def last_fire_time(trigger, since: datetime, now: datetime) -> datetime | None:
    """Return the trigger's latest fire time in (since, now], or None."""
    last, when = None, trigger.get_next_fire_time(None, since + timedelta(microseconds=1))
    for _ in range(5000):
        if when is None or when > now:
            break
        last = when
        when = trigger.get_next_fire_time(when, when + timedelta(seconds=1))
    return last


def missed_jobs(app: Flask, since: datetime, now: datetime) -> list[tuple[str, datetime]]:
    """Return (job id, missed fire time) for each job that should have fired in (since, now] and has no run since."""
    out = []
    for job_id, trigger in triggers(app).items():
        fire = last_fire_time(trigger, max(since, now - CATCH_UP_WITHIN), now)
        if fire is None:
            continue
        ran = db.session.scalar(sa.select(sa.exists().where(
            JobRun.job_id == job_id, JobRun.started_at >= fire, JobRun.outcome.in_(("ok", "failed", "running")))))
        if not ran:
            out.append((job_id, fire))
    return out


def catch_up(app: Flask, *, now: datetime | None = None, exclude_beat: int | None = None) -> list[runner.JobOutcome]:
    """Run once each job missed while no scheduler was alive (since the previous scheduler's last beat)."""
    with app.app_context():
        stmt = sa.select(sa.func.max(SchedulerBeat.beat_at))
        if exclude_beat is not None:
            stmt = stmt.where(SchedulerBeat.id != exclude_beat)
        since = db.session.scalar(stmt)
        if since is None:  # no scheduler ever ran here: nothing was promised, nothing was missed
            return []
        now = now or utcnow()
        missed = missed_jobs(app, since, now)
        db.session.commit()
    outcomes = []
    for job_id, fire in missed:
        log.info("job %s missed its run at %s: running it now", job_id, fire)
        with app.app_context():
            try:
                outcomes.append(runner.run(job_id, trigger="catch_up"))
            finally:
                db.session.remove()
    return outcomes


# --- the heartbeat ----------------------------------------------------------------------------------


class Heartbeat:
    """This scheduler's SchedulerBeat row, renewed from a thread of its own."""

    def __init__(self, app: Flask):
        self.app, self.done, self.beat_id = app, threading.Event(), None
        self.thread = threading.Thread(target=self._loop, daemon=True, name="scheduler-heartbeat")

    def start(self) -> int:
        with self.app.app_context():
            now = utcnow()
            row = SchedulerBeat(host=socket.gethostname(), pid=os.getpid(), holder=runner.this_process(),
                                started_at=now, beat_at=now)
            db.session.add(row)
            db.session.commit()
            self.beat_id = row.id
            db.session.remove()
        self.thread.start()
        return self.beat_id

    def _loop(self) -> None:
        while not self.done.wait(BEAT_EVERY.total_seconds()):
            self._write(beat_at=utcnow())

    def _write(self, **values) -> None:
        try:
            with self.app.app_context():
                with db.engine.begin() as conn:
                    conn.execute(sa.update(SchedulerBeat).where(SchedulerBeat.id == self.beat_id).values(**values))
        except Exception:  # SQLite busy behind a long job: the next beat will do
            log.exception("scheduler heartbeat failed")

    def stop(self) -> None:
        self.done.set()
        self.thread.join(5)
        now = utcnow()
        self._write(beat_at=now, stopped_at=now)


@dataclass
class SchedulerState:
    alive: bool
    beat: SchedulerBeat | None

    @property
    def label(self) -> str:
        if self.alive:
            return "运行中"
        if self.beat is None:
            return "从未启动"
        return "已停止" if self.beat.stopped_at else "已中断（心跳停止）"


def scheduler_state(now: datetime | None = None) -> SchedulerState:
    """Return whether a scheduler process is alive now, from the newest heartbeat row."""
    now = now or utcnow()
    beat = db.session.scalar(sa.select(SchedulerBeat).order_by(SchedulerBeat.beat_at.desc(), SchedulerBeat.id.desc())
                             .limit(1))
    if beat is None or beat.stopped_at is not None or now - beat.beat_at > ALIVE_WITHIN:
        return SchedulerState(False, beat)
    return SchedulerState(runner.holder_alive(beat.holder) is not False, beat)

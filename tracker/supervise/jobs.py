"""Scheduled jobs: a fixed list with stable ids, each run under a lock and recorded as a JobRun.

The scheduler is its own process (`flask scheduler run`), never started by create_app. A run
takes a lock first — `pg_try_advisory_lock` on PostgreSQL, a row in `job_locks` with an expiry
on SQLite — and is skipped when another process holds it. The JobRun is written in its own
transactions, so a job that fails and rolls back still leaves a record of why.
"""
from __future__ import annotations

import logging
import os
import re
import socket
import traceback
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..config import ConfigError, setting
from ..extensions import db
from ..plans.models import Plan
from ..timeutil import app_today, utcnow
from . import services
from .models import JobLock, JobRun

log = logging.getLogger(__name__)

#: job id → label; the ids are stable: the scheduler, the locks and the JobRun rows use them
JOBS = {"sweep": "每日逾期巡查", "lookback": "年度回头看"}
#: a lock row older than this is taken to belong to a crashed process
LOCK_TTL = timedelta(hours=2)


@dataclass
class JobOutcome:
    run_id: int
    job_id: str
    outcome: str
    counts: dict = field(default_factory=dict)
    error: str | None = None


# --- settings ---------------------------------------------------------------------------------------


def sweep_time() -> tuple[int, int]:
    """Return (hour, minute) of the daily sweep from TRACKER_SWEEP_TIME (default 08:00)."""
    raw = services.setting("TRACKER_SWEEP_TIME", "08:00")
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", raw or "")
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ConfigError(f"TRACKER_SWEEP_TIME 应为“时:分”，例如 08:00，实际为 {raw!r}")
    return int(m.group(1)), int(m.group(2))


def lookback_date() -> tuple[int, int]:
    """Return (month, day) of the yearly look-back from TRACKER_LOOKBACK_DATE (default 01-15)."""
    raw = services.setting("TRACKER_LOOKBACK_DATE", "01-15")
    m = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", raw or "")
    try:
        if not m:
            raise ValueError
        date(2021, int(m.group(1)), int(m.group(2)))  # 2021: not a leap year, so 02-29 is refused
    except ValueError:
        raise ConfigError(f"TRACKER_LOOKBACK_DATE 应为“月-日”，例如 01-15，实际为 {raw!r}") from None
    return int(m.group(1)), int(m.group(2))


def today() -> date:
    return app_today()


# --- locks ------------------------------------------------------------------------------------------


def advisory_key(name: str) -> int:
    """Return a stable 31-bit key for pg_try_advisory_lock from a job id."""
    return zlib.crc32(f"tracker:{name}".encode()) & 0x7FFFFFFF


@contextmanager
def job_lock(name: str, *, ttl: timedelta = LOCK_TTL) -> Iterator[bool]:
    """Hold the job's lock for the block if no other process does; yield whether it was acquired."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine, name) as acquired:
            yield acquired
        return
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    acquired = _row_lock_acquire(engine, name, holder, ttl)
    try:
        yield acquired
    finally:
        if acquired:
            with engine.begin() as conn:
                conn.execute(sa.update(JobLock).where(JobLock.name == name, JobLock.holder == holder)
                             .values(holder=None, expires_at=None))


@contextmanager
def _pg_lock(engine: sa.Engine, name: str) -> Iterator[bool]:
    # A session-level advisory lock lives as long as this connection, so it is held apart from the job's own.
    conn = engine.connect()
    try:
        acquired = bool(conn.scalar(sa.select(sa.func.pg_try_advisory_lock(advisory_key(name)))))
        conn.commit()
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    conn.scalar(sa.select(sa.func.pg_advisory_unlock(advisory_key(name))))
                    conn.commit()
                except Exception:
                    conn.invalidate()  # closing the connection frees the lock
                    raise
    finally:
        conn.close()


def _row_lock_acquire(engine: sa.Engine, name: str, holder: str, ttl: timedelta) -> bool:
    """Take the lock row in its own short transaction: a conditional UPDATE, else the first INSERT."""
    now = utcnow()
    with engine.begin() as conn:
        taken = conn.execute(
            sa.update(JobLock)
            .where(JobLock.name == name, sa.or_(JobLock.holder.is_(None), JobLock.expires_at < now))
            .values(holder=holder, expires_at=now + ttl)
        ).rowcount
        if taken:
            return True
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(JobLock).values(name=name, holder=holder, expires_at=now + ttl))
        return True
    except IntegrityError:
        return False


# --- runs -------------------------------------------------------------------------------------------


def _start_run(job_id: str, trigger: str, as_of: date | None, user_id: int | None) -> int:
    with Session(db.engine) as s:
        run = JobRun(job_id=job_id, trigger=trigger, as_of=as_of, started_at=utcnow(), outcome="running",
                     triggered_by_id=user_id, counts={})
        s.add(run)
        s.commit()
        return run.id


def _finish_run(run_id: int, outcome: str, counts: dict | None = None, error: str | None = None) -> None:
    with Session(db.engine) as s:
        run = s.get(JobRun, run_id)
        run.outcome, run.finished_at, run.counts, run.error = outcome, utcnow(), counts or {}, error
        s.commit()


def _short_error(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:2000]


def run_job(job_id: str, work: Callable[[], dict], *, as_of: date | None = None, trigger: str = "scheduler",
            user_id: int | None = None) -> JobOutcome:
    """Run `work` under the job's lock in one transaction and record the run; never raises for a job failure."""
    if job_id not in JOBS:
        raise ValueError(f"unknown job {job_id!r}")
    # End whatever the caller's session has open, so the job starts a transaction of its own.
    db.session.commit()
    run_id = _start_run(job_id, trigger, as_of, user_id)
    with job_lock(job_id) as acquired:
        if not acquired:
            message = "另一个进程正在运行该任务，本次跳过。"
            _finish_run(run_id, "skipped", error=message)
            log.info("job %s skipped: lock held", job_id)
            return JobOutcome(run_id, job_id, "skipped", error=message)
        try:
            counts = work()
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            error = _short_error(exc)
            log.error("job %s failed: %s\n%s", job_id, error, traceback.format_exc())
            _finish_run(run_id, "failed", error=error)
            return JobOutcome(run_id, job_id, "failed", error=error)
    _finish_run(run_id, "ok", counts)
    log.info("job %s ok: %s", job_id, counts)
    return JobOutcome(run_id, job_id, "ok", counts=counts)


def sweep_job(as_of: date | None = None, *, trigger: str = "scheduler", user_id: int | None = None,
              scope: str | None = None) -> JobOutcome:
    """Run the sweep for as_of (default: today) as a locked, recorded job; `scope` limits it to a subtree."""
    as_of = as_of or today()
    # The due-soon window and the escalation bound are the settings in config.py (DUE_SOON_WORKDAYS,
    # ESCALATE_AFTER_WORKDAYS), which the sweep reads itself.

    def work() -> dict:
        counts = services.sweep(as_of, scope=scope).to_json()
        if scope is not None:
            # A supervisor's sweep of their jurisdiction; the register is swept by the daily job.
            return counts
        # The register's requests are swept by the same daily job, with the same settings.
        from ..disclosure.sweep import sweep_requests

        requests = sweep_requests(as_of, soon_days=setting("DUE_SOON_WORKDAYS", 3),
                                  escalate_after=setting("ESCALATE_AFTER_WORKDAYS", 5))
        return counts | requests.to_json()

    return run_job("sweep", work, as_of=as_of, trigger=trigger, user_id=user_id)


def lookback_plans(year: int) -> list[Plan]:
    return list(db.session.scalars(sa.select(Plan).where(Plan.year == year).order_by(Plan.id)))


def lookback_job(as_of: date | None = None, *, trigger: str = "scheduler", user_id: int | None = None) -> JobOutcome:
    """Look back at every plan of the previous year as a locked, recorded job."""
    as_of = as_of or today()

    def work() -> dict:
        totals = {"plans": 0, "notices": 0, "items": 0, "units": 0}
        for plan in lookback_plans(as_of.year - 1):
            r = services.lookback(plan, as_of)
            totals["plans"] += 1
            for key, value in r.to_json().items():
                totals[key] += value
        return totals

    return run_job("lookback", work, as_of=as_of, trigger=trigger, user_id=user_id)


JOB_FUNCTIONS: dict[str, Callable[..., JobOutcome]] = {"sweep": sweep_job, "lookback": lookback_job}


# --- the scheduler ----------------------------------------------------------------------------------


def _run_in_app(app: Flask, job_id: str) -> None:
    with app.app_context():
        try:
            JOB_FUNCTIONS[job_id]()
        finally:
            db.session.remove()


def build_scheduler(app: Flask):
    """Return a BlockingScheduler with the fixed job list; the caller starts it."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    with app.app_context():
        hour, minute = sweep_time()
        month, day = lookback_date()
        zone = ZoneInfo(app.config.get("TIMEZONE") or "Asia/Shanghai")
    scheduler = BlockingScheduler(
        timezone=zone,
        # One worker: the jobs run one after the other, never side by side on the same tables.
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    # Stated on each job as well, so they hold before the scheduler applies its defaults at start.
    options = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600, "replace_existing": True}
    scheduler.add_job(_run_in_app, CronTrigger(hour=hour, minute=minute, timezone=zone), args=(app, "sweep"),
                      id="sweep", name=JOBS["sweep"], **options)
    scheduler.add_job(_run_in_app, CronTrigger(month=month, day=day, hour=hour, minute=minute, timezone=zone),
                      args=(app, "lookback"), id="lookback", name=JOBS["lookback"], **options)
    return scheduler


def next_runs(app: Flask, now: datetime | None = None) -> list[tuple[str, str, datetime]]:
    """Return (job id, label, next fire time) for every job, without starting anything."""
    scheduler = build_scheduler(app)
    now = now or datetime.now(scheduler.timezone)
    out = []
    for job in scheduler.get_jobs():
        out.append((job.id, job.name, job.trigger.get_next_fire_time(None, now)))
    return out

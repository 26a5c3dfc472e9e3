"""One runner for every job: a lock per job, a run record with counts, a failure rolled back and recorded.

`run(job_id, as_of)` is what the scheduler, `flask scheduler run-job` and the pages call:

1. Take the job's lock — `pg_try_advisory_lock` on PostgreSQL (held by a connection of its own,
   so it dies with the process), a row in `job_locks` on SQLite. A SQLite lock row whose holder
   is dead (same host, process gone) or whose time ran out is taken over. When another live
   process holds the lock the run is recorded as skipped: not an error.
2. Runs of this job still marked running belong to dead processes (a live one would hold the
   lock): they are marked interrupted (中断), with who ran them.
3. The run record is written in its own transaction; the job's work runs in the session's
   transaction and is committed once, or rolled back and the error recorded.

A job is idempotent per date: a rerun for the same date creates nothing (its counts of created
rows are 0); the jobs themselves guarantee that with their unique keys.
"""
from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
import traceback
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import import_module

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..errors import ServiceError
from ..extensions import db
from ..supervise.models import JobLock, JobRun
from ..timeutil import app_today, utcnow

log = logging.getLogger(__name__)

#: a lock row (SQLite) is taken over after this long even if its holder cannot be checked (another host)
LOCK_TTL = timedelta(hours=2)
#: a running job renews its run's heartbeat this often (PostgreSQL; SQLite has one writer at a time)
HEARTBEAT_EVERY = timedelta(seconds=15)
#: a run on another host whose heartbeat is older than this is taken for dead
HEARTBEAT_STALE = timedelta(minutes=5)

#: how long a skipped run waits on SQLite to write its record while the running one holds the write lock
SKIP_RECORD_WAIT = timedelta(seconds=30)

SKIPPED_MESSAGE = "另一个进程正在运行该任务，本次跳过。"


@dataclass(frozen=True)
class JobSpec:
    """A job: a stable id, a Chinese name, the work, and the Chinese names of its counts."""

    id: str
    label: str
    #: work(as_of) -> counts (a JSON-able dict); runs inside the session's transaction, flushes, never commits
    work: Callable[[date], dict]
    #: count key -> Chinese label, in display order; keys not listed are not shown
    count_labels: dict[str, str] = field(default_factory=dict)
    #: keys of counts that are rows created (0 on a rerun for the same date)
    created: tuple[str, ...] = ()
    #: schedule(app) -> an APScheduler trigger; None: run by hand only
    schedule: Callable | None = None
    #: a sentence for the 定时任务 page: when it runs
    describe: Callable[[], str] | None = None


@dataclass
class JobOutcome:
    run_id: int | None
    job_id: str
    outcome: str
    counts: dict = field(default_factory=dict)
    error: str | None = None

    def to_json(self) -> dict:
        return {"job": self.job_id, "outcome": self.outcome, "counts": self.counts, "run_id": self.run_id,
                "error": self.error}


# --- the registry -----------------------------------------------------------------------------------

#: modules that register jobs when imported, in the order the jobs are listed
JOB_MODULES = ("tracker.supervise.jobs", "tracker.assessment.jobs", "tracker.annual.jobs")
_REGISTRY: dict[str, JobSpec] = {}


def register(spec: JobSpec) -> JobSpec:
    _REGISTRY[spec.id] = spec
    return spec


def registry() -> dict[str, JobSpec]:
    """Return every job, id → spec, loading the job modules on first use."""
    for name in JOB_MODULES:
        import_module(name)
    return dict(_REGISTRY)


def get(job_id: str) -> JobSpec:
    jobs = registry()
    if job_id not in jobs:
        raise KeyError(f"没有名为 {job_id} 的定时任务；可用的任务：" + "、".join(jobs))
    return jobs[job_id]


def label_counts(job_id: str, counts: dict | None) -> list[tuple[str, object]]:
    """Return the run's counts as (Chinese label, value) pairs, in the job's order; unknown keys are left out."""
    spec = _REGISTRY.get(job_id) or registry().get(job_id)
    if spec is None or not counts:
        return []
    return [(label, counts[key]) for key, label in spec.count_labels.items() if counts.get(key) is not None]


# --- processes --------------------------------------------------------------------------------------


def _process_start(pid: int) -> str | None:
    """Return the process's start time in clock ticks since boot (Linux), or None when unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    # The command name (field 2) may contain spaces; fields after the closing parenthesis are plain.
    return stat.rsplit(")", 1)[1].split()[19]


def this_process() -> str:
    """Return host:pid:start, naming this process so that a reused pid is not taken for it."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid) or '?'}"


def holder_alive(holder: str | None) -> bool | None:
    """Return whether the process named by holder still runs: True/False on this host, None on another."""
    if not holder:
        return False
    parts = holder.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    host, pid, start = parts[0], int(parts[1]), parts[2]
    if host != socket.gethostname():
        return None
    if start != "?" and os.path.exists("/proc"):
        return _process_start(pid) == start
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_is_dead(run: JobRun, now: datetime | None = None) -> bool:
    """Return whether a run recorded as running has lost its process (for showing it before it is marked)."""
    if run.outcome != "running":
        return False
    alive = holder_alive(run.holder)
    if alive is not None:
        return not alive
    beat = run.heartbeat_at or run.started_at
    return beat is not None and (now or utcnow()) - beat > HEARTBEAT_STALE


# --- locks ------------------------------------------------------------------------------------------


def advisory_key(name: str) -> int:
    """Return a stable 31-bit key for pg_try_advisory_lock from a job id."""
    return zlib.crc32(f"tracker:{name}".encode()) & 0x7FFFFFFF


@contextmanager
def job_lock(name: str, *, ttl: timedelta = LOCK_TTL) -> Iterator[bool]:
    """Hold the job's lock for the block if no live process does; yield whether it was acquired.

    PostgreSQL: a session advisory lock. SQLite file: an OS file lock beside the database file —
    a lock row could not even be taken while another job holds SQLite's one write lock, and the
    OS frees a file lock the moment its process dies. Other databases: a lock row with an expiry,
    taken over when its holder on this host is dead.
    """
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine, name) as acquired:
            yield acquired
        return
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if path and path != ":memory:" and not path.startswith("file:"):
        with _file_lock(f"{path}.job-{name}.lock") as acquired:
            yield acquired
        return
    holder = this_process() + f":{os.urandom(3).hex()}"
    acquired = _row_lock_acquire(engine, name, holder, ttl)
    try:
        yield acquired
    finally:
        if acquired:
            with engine.begin() as conn:
                conn.execute(sa.update(JobLock).where(JobLock.name == name, JobLock.holder == holder)
                             .values(holder=None, expires_at=None))


@contextmanager
def _file_lock(path: str) -> Iterator[bool]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        os.ftruncate(fd, 0)
        os.write(fd, this_process().encode())
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _pg_lock(engine: sa.Engine, name: str) -> Iterator[bool]:
    # A session-level advisory lock lives as long as this connection, so it is held apart from the job's
    # own and is freed by the server when the process dies.
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
    """Take the lock row in short transactions: free or expired, else its holder dead, else the first INSERT."""
    now = utcnow()
    with engine.begin() as conn:
        if conn.execute(
            sa.update(JobLock)
            .where(JobLock.name == name, sa.or_(JobLock.holder.is_(None), JobLock.expires_at < now))
            .values(holder=holder, expires_at=now + ttl)
        ).rowcount:
            return True
        current = conn.scalar(sa.select(JobLock.holder).where(JobLock.name == name))
        if current is not None and holder_alive(current.rsplit(":", 1)[0]) is False:
            log.warning("job lock %s: holder %s is gone, taking it over", name, current)
            if conn.execute(sa.update(JobLock).where(JobLock.name == name, JobLock.holder == current)
                            .values(holder=holder, expires_at=now + ttl)).rowcount:
                return True
    if current is not None:
        return False
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(JobLock).values(name=name, holder=holder, expires_at=now + ttl))
        return True
    except IntegrityError:
        return False


# --- runs -------------------------------------------------------------------------------------------


def _record(**values) -> int:
    with Session(db.engine) as s:
        run = JobRun(**values)
        s.add(run)
        s.commit()
        return run.id


def _record_skipped(**values) -> int | None:
    """Record a skipped run; on SQLite the running job holds the one write lock, so wait for it a while."""
    if db.engine.dialect.name != "sqlite":
        return _record(**values)
    with Session(db.engine) as s:
        s.connection().exec_driver_sql(f"PRAGMA busy_timeout={int(SKIP_RECORD_WAIT.total_seconds() * 1000)}")
        try:
            run = JobRun(**values)
            s.add(run)
            s.commit()
            return run.id
        except OperationalError:
            s.rollback()
            log.warning("job %s skipped; its record could not be written while the other run writes", values["job_id"])
            return None
        finally:
            s.connection().exec_driver_sql("PRAGMA busy_timeout=5000")


def _finish_run(run_id: int, outcome: str, counts: dict | None = None, error: str | None = None) -> None:
    # One UPDATE, no read first: on SQLite a transaction that read before writing cannot wait for the
    # write lock (it fails at once when another writer committed meanwhile); a plain write waits.
    with db.engine.begin() as conn:
        conn.execute(sa.update(JobRun).where(JobRun.id == run_id)
                     .values(outcome=outcome, finished_at=utcnow(), counts=counts or {}, error=error))


def _mark_interrupted(job_id: str, taken_over_by: str) -> int:
    """Mark this job's runs still 'running' as interrupted; called while holding the job's lock."""
    with db.engine.connect() as conn:
        stale = conn.execute(sa.select(JobRun.id, JobRun.holder)
                             .where(JobRun.job_id == job_id, JobRun.outcome == "running")).all()
    for run_id, holder in stale:
        who = f"（进程 {holder.rsplit(':', 1)[0]}）" if holder else ""
        with db.engine.begin() as conn:
            conn.execute(sa.update(JobRun).where(JobRun.id == run_id, JobRun.outcome == "running").values(
                outcome="interrupted", finished_at=utcnow(),
                error=f"运行该任务的进程{who}已中断，未完成的修改已回滚；下一次运行已接替。"))
        log.warning("job %s run #%s was left running by a dead process: marked interrupted", job_id, run_id)
    return len(stale)


class _Heartbeat(threading.Thread):
    """Renew the run's heartbeat from a connection of its own while the job runs (PostgreSQL only)."""

    def __init__(self, engine: sa.Engine, run_id: int):
        super().__init__(daemon=True, name=f"job-heartbeat-{run_id}")
        self.engine, self.run_id, self.done = engine, run_id, threading.Event()

    def run(self) -> None:
        while not self.done.wait(HEARTBEAT_EVERY.total_seconds()):
            try:
                with self.engine.begin() as conn:
                    conn.execute(sa.update(JobRun).where(JobRun.id == self.run_id).values(heartbeat_at=utcnow()))
            except Exception:  # a missed beat is not the job's failure
                log.exception("job heartbeat failed")


def _short_error(exc: BaseException) -> str:
    if isinstance(exc, ServiceError):  # a refusal in Chinese, meant for the user as it is
        return exc.message
    text = str(getattr(exc, "orig", None) or exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:2000]


def run(job_id: str, as_of: date | None = None, *, trigger: str = "scheduler", user_id: int | None = None,
        work: Callable[[date], dict] | None = None) -> JobOutcome:
    """Run the job for as_of (default: the app's today) under its lock and record the run; never raises for a
    job's failure. `work` replaces the job's own work (a narrower run of the same job, e.g. one plan's look-back)."""
    spec = get(job_id)
    as_of = as_of or app_today()
    work = work or spec.work
    # End whatever the caller's session has open, so the job starts a transaction of its own.
    db.session.commit()
    me = this_process()
    with job_lock(job_id) as acquired:
        if not acquired:
            run_id = _record_skipped(job_id=job_id, trigger=trigger, as_of=as_of, started_at=utcnow(), finished_at=utcnow(),
                             outcome="skipped", counts={}, error=SKIPPED_MESSAGE, triggered_by_id=user_id, holder=me)
            log.info("job %s skipped: lock held", job_id)
            return JobOutcome(run_id, job_id, "skipped", error=SKIPPED_MESSAGE)
        _mark_interrupted(job_id, me)
        now = utcnow()
        run_id = _record(job_id=job_id, trigger=trigger, as_of=as_of, started_at=now, outcome="running", counts={},
                         triggered_by_id=user_id, holder=me, heartbeat_at=now)
        beat = _Heartbeat(db.engine, run_id) if db.engine.dialect.name == "postgresql" else None
        if beat:
            beat.start()
        try:
            counts = work(as_of)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            error = _short_error(exc)
            log.error("job %s failed: %s\n%s", job_id, error, traceback.format_exc())
            _finish_run(run_id, "failed", error=error)
            return JobOutcome(run_id, job_id, "failed", error=error)
        finally:
            if beat:
                beat.done.set()
                beat.join(5)
        _finish_run(run_id, "ok", counts)
    log.info("job %s ok: %s", job_id, counts)
    return JobOutcome(run_id, job_id, "ok", counts=counts)

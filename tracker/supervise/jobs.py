"""The supervision jobs — the daily sweep and the yearly look-back — and their schedules.

Both run through `tracker.jobs.runner` (lock, run record, dead-holder takeover); a hand-started
look-back of one plan (page or CLI) runs as the same job, so it never overlaps the scheduled one.
"""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from flask import Flask

from ..config import ConfigError, setting
from ..extensions import db
from ..jobs import runner
from ..jobs.runner import JobOutcome, JobSpec, job_lock  # noqa: F401  (job_lock: for callers holding a job's lock)
from ..plans.models import Plan
from ..timeutil import app_today
from . import services

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


# --- the sweep --------------------------------------------------------------------------------------


def _sweep(as_of: date, *, scope: str | None = None) -> dict:
    """The daily sweep: assignments, and the register's requests, with the settings in config.py
    (DUE_SOON_WORKDAYS, ESCALATE_AFTER_WORKDAYS). With scope, a supervisor's sweep of their subtree only."""
    counts = services.sweep(as_of, scope=scope).to_json()
    if scope is not None:
        # A supervisor's sweep of their jurisdiction; the register is swept by the daily job.
        return counts
    from ..disclosure.sweep import sweep_requests

    requests = sweep_requests(as_of, soon_days=setting("DUE_SOON_WORKDAYS", 3),
                              escalate_after=setting("ESCALATE_AFTER_WORKDAYS", 5))
    return counts | requests.to_json()


def _sweep_trigger(app: Flask):
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = sweep_time()
    return CronTrigger(hour=hour, minute=minute, timezone=app.config.get("TIMEZONE") or "Asia/Shanghai")


def _sweep_describe() -> str:
    hour, minute = sweep_time()
    return f"每天 {hour:02d}:{minute:02d}"


SWEEP = runner.register(JobSpec(
    id="sweep", label="每日逾期巡查", work=_sweep, schedule=_sweep_trigger, describe=_sweep_describe,
    count_labels={"overdue": "逾期", "newly_overdue": "新增逾期", "due_soon": "临期", "reminders_created": "新发催办",
                  "escalations_created": "新发督办通知", "rectifications_overdue": "整改逾期",
                  "requests_overdue": "依申请公开逾期", "requests_due_soon": "依申请公开临期",
                  "requests_reminded": "依申请公开催办", "requests_escalated": "依申请公开督办",
                  "requests_notifications": "依申请公开消息", "calendar_warning": "日历提示"},
    created=("reminders_created", "escalations_created", "requests_reminded", "requests_escalated"),
))


def sweep_job(as_of: date | None = None, *, trigger: str = "scheduler", user_id: int | None = None,
              scope: str | None = None) -> JobOutcome:
    """Run the sweep for as_of (default: today) as a locked, recorded job; `scope` limits it to a subtree."""
    work = None if scope is None else (lambda day: _sweep(day, scope=scope))
    return runner.run("sweep", as_of, trigger=trigger, user_id=user_id, work=work)


# --- the look-back ----------------------------------------------------------------------------------


def lookback_plans(year: int) -> list[Plan]:
    return list(db.session.scalars(sa.select(Plan).where(Plan.year == year).order_by(Plan.id)))


def _lookback_all(as_of: date) -> dict:
    """Look back at every plan of the year before as_of."""
    totals = {"plans": 0, "notices": 0, "items": 0, "units": 0}
    for plan in lookback_plans(as_of.year - 1):
        r = services.lookback(plan, as_of)
        totals["plans"] += 1
        for key, value in r.to_json().items():
            totals[key] += value
    return totals


def _lookback_trigger(app: Flask):
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = sweep_time()
    month, day = lookback_date()
    return CronTrigger(month=month, day=day, hour=hour, minute=minute,
                       timezone=app.config.get("TIMEZONE") or "Asia/Shanghai")


def _lookback_describe() -> str:
    hour, minute = sweep_time()
    month, day = lookback_date()
    return f"每年{month}月{day}日 {hour:02d}:{minute:02d}，回头看上一年度的工作要点"


LOOKBACK = runner.register(JobSpec(
    id="lookback", label="年度回头看", work=_lookback_all, schedule=_lookback_trigger, describe=_lookback_describe,
    count_labels={"plans": "工作要点", "notices": "新发整改通知", "items": "新增整改事项", "units": "涉及单位"},
    created=("notices", "items"),
))


def lookback_job(as_of: date | None = None, *, trigger: str = "scheduler", user_id: int | None = None) -> JobOutcome:
    """Look back at every plan of the previous year as a locked, recorded job."""
    return runner.run("lookback", as_of, trigger=trigger, user_id=user_id)


def lookback_plan_job(plan: Plan, as_of: date, *, actor=None, trigger: str, deadline_workdays: int = 15,
                      prefix: str | None = None) -> tuple[JobOutcome, services.LookbackResult | None]:
    """Look back at one plan by hand, as the look-back job (same lock: never beside another look-back)."""
    found: list[services.LookbackResult] = []

    def work(day: date) -> dict:
        result = services.lookback(db.session.get(Plan, plan.id), day, actor=actor,
                                   deadline_workdays=deadline_workdays, prefix=prefix)
        found.append(result)
        return {"plans": 1, **result.to_json()}

    outcome = runner.run("lookback", as_of, trigger=trigger, user_id=getattr(actor, "id", None), work=work)
    return outcome, (found[0] if found and outcome.outcome == "ok" else None)

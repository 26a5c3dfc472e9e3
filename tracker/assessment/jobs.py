"""The assessment job: every plan's scores computed at the end of the month (and the year) just past.

Scheduled by the admin on the 定时任务 page (default: the first working day of each month, for the
month before; 15 January, for the year before). Each plan is scored as of the period's last day
and stored as a new unpublished version only when its figures changed since the newest version
for that day; publishing stays a person's decision. When a monthly ranking is new, the plan's
leaders get a message in their inbox.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from apscheduler.triggers.base import BaseTrigger
from flask import Flask

from ..errors import ServiceError
from ..extensions import db
from ..inbox.services import notify_users, staff_ids_over
from ..jobs import runner
from ..jobs.models import JobSchedule
from ..jobs.runner import JobSpec
from ..plans.models import Plan
from ..supervise.calendar_db import current_calendar
from ..supervise.jobs import sweep_time
from ..timeutil import utcnow
from . import services

JOB_ID = "assessment"


@dataclass(frozen=True)
class Schedule:
    """When the job runs: the Nth working day of each month (0: never), and a yearly day ("" : never)."""

    monthly_workday: int = 1
    yearly_date: str = "01-15"

    @property
    def yearly(self) -> tuple[int, int] | None:
        if not self.yearly_date:
            return None
        month, day = self.yearly_date.split("-")
        return int(month), int(day)

    def describe(self) -> str:
        parts = []
        if self.monthly_workday:
            parts.append(f"每月第{self.monthly_workday}个工作日计算上月")
        if self.yearly:
            parts.append(f"每年{self.yearly[0]}月{self.yearly[1]}日计算上一年度")
        return "；".join(parts) or "已停用（仅手动运行）"


def parse_schedule(monthly_workday: str | int | None, yearly_date: str | None) -> Schedule:
    """Check the admin's schedule; raise ServiceError in Chinese for anything out of range."""
    try:
        nth = int(str(monthly_workday).strip() or 0) if monthly_workday is not None else 0
    except ValueError:
        raise ServiceError("每月第几个工作日应为0到10的整数（0表示不按月计算）。") from None
    if not 0 <= nth <= 10:
        raise ServiceError("每月第几个工作日应为0到10的整数（0表示不按月计算）。")
    raw = (yearly_date or "").strip()
    if raw:
        m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", raw)
        try:
            if not m:
                raise ValueError
            date(2021, int(m.group(1)), int(m.group(2)))  # 2021 is not a leap year: 02-29 is refused
        except ValueError:
            raise ServiceError(f"年度计算日期应为“月-日”，例如 01-15，实际为“{raw}”。") from None
        raw = f"{int(m.group(1)):02d}-{int(m.group(2)):02d}"
    return Schedule(nth, raw)


def schedule() -> Schedule:
    row = db.session.get(JobSchedule, JOB_ID)
    if row is None:
        return Schedule()
    return Schedule(int(row.settings.get("monthly_workday", 1)), str(row.settings.get("yearly_date", "01-15")))


def set_schedule(actor, new: Schedule) -> None:
    """Store the admin's schedule (flushes; the caller commits); the scheduler reads it when it starts."""
    from ..audit.services import record

    row = db.session.get(JobSchedule, JOB_ID)
    before = schedule()
    if row is None:
        row = JobSchedule(job_id=JOB_ID, settings={})
        db.session.add(row)
    row.settings = {"monthly_workday": new.monthly_workday, "yearly_date": new.yearly_date}
    row.updated_by_id = getattr(actor, "id", None)
    row.updated_at = utcnow()
    db.session.flush()
    record(actor, "job.schedule", "job_schedule", None,
           before={"monthly_workday": before.monthly_workday, "yearly_date": before.yearly_date},
           after={"job": JOB_ID, **row.settings})


# --- which periods a run covers ---------------------------------------------------------------------


def nth_workday(year: int, month: int, n: int, is_workday) -> date:
    d, seen = date(year, month, 1), 0
    while True:
        if is_workday(d):
            seen += 1
            if seen == n:
                return d
        d += timedelta(days=1)


def month_end_before(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


def periods(run_day: date, sched: Schedule) -> list[tuple[str, date]]:
    """Return (kind, period end) computed by a run on run_day: the month before, and in the yearly day's
    month from that day on, the year before. kind is "month" or "year"; one end is listed once."""
    out: dict[date, str] = {}
    if sched.monthly_workday:
        out[month_end_before(run_day)] = "month"
    if sched.yearly and run_day.month == sched.yearly[0] and run_day.day >= sched.yearly[1]:
        out.setdefault(date(run_day.year - 1, 12, 31), "year")  # in January the month before is December
    return [(kind, end) for end, kind in sorted(out.items())]


# --- the work ---------------------------------------------------------------------------------------


def _notify_leaders(plan: Plan, version, end: date) -> int:
    leaders = staff_ids_over(plan.unit) if plan.unit is not None else []
    return notify_users(
        leaders, kind="info", title=f"{plan.title}{end.month}月考核排名已生成（第{version.number}版，未发布）",
        body=f"已按截至{end.year}年{end.month}月{end.day}日的情况计算各单位考核得分和排名，供审阅；发布由考核人员决定。",
        link=f"/assessment/versions/{version.id}", object_type="assessment_version", object_id=version.id,
        dedupe_key=f"assessment-ready:{plan.id}:{end.isoformat()}:{version.number}",
    )


def compute_all(run_day: date) -> dict:
    """Score every plan of each period's year as of the period's end; store only what changed."""
    counts = {"periods": [], "plans": 0, "versions_created": 0, "unchanged": 0, "no_rubric": 0,
              "leaders_notified": 0}
    for kind, end in periods(run_day, schedule()):
        counts["periods"].append(end.isoformat())
        plans = db.session.scalars(sa.select(Plan).where(Plan.year == end.year).order_by(Plan.id)).all()
        for plan in plans:
            try:
                version = services.compute_version(None, plan, end, only_if_changed=True)
            except ServiceError:  # no rubric for the year (or a broken one): nothing to score with
                counts["no_rubric"] += 1
                continue
            counts["plans"] += 1
            if version is None:
                counts["unchanged"] += 1
                continue
            counts["versions_created"] += 1
            if kind == "month":
                counts["leaders_notified"] += _notify_leaders(plan, version, end)
    counts["periods"] = "、".join(counts["periods"]) or "无"
    return counts


# --- the schedule -----------------------------------------------------------------------------------


class AssessmentTrigger(BaseTrigger):
    """An APScheduler trigger: the sweep's hour on the Nth working day of each month and on the yearly day."""

    def __init__(self, sched: Schedule, hour: int, minute: int, is_workday, zone):
        self.sched, self.hour, self.minute, self.is_workday, self.zone = sched, hour, minute, is_workday, zone

    def _fires_on(self, d: date) -> bool:
        if self.sched.monthly_workday and d == nth_workday(d.year, d.month, self.sched.monthly_workday, self.is_workday):
            return True
        return self.sched.yearly is not None and (d.month, d.day) == self.sched.yearly

    def get_next_fire_time(self, previous_fire_time, now: datetime):
        local = now.astimezone(self.zone)
        d = local.date()
        for _ in range(800):
            at = datetime(d.year, d.month, d.day, self.hour, self.minute, tzinfo=self.zone)
            if at >= local and self._fires_on(d):
                return at
            d += timedelta(days=1)
        return None

    def __str__(self) -> str:
        return f"assessment[{self.sched.describe()}]"


def _trigger(app: Flask):
    from zoneinfo import ZoneInfo

    hour, minute = sweep_time()
    cal = current_calendar()
    return AssessmentTrigger(schedule(), hour, minute, cal.is_workday, ZoneInfo(app.config.get("TIMEZONE") or "Asia/Shanghai"))


def _describe() -> str:
    hour, minute = sweep_time()
    return f"{schedule().describe()}（{hour:02d}:{minute:02d}）"


ASSESSMENT = runner.register(JobSpec(
    id=JOB_ID, label="考核计算", work=compute_all, schedule=_trigger, describe=_describe,
    count_labels={"periods": "考核截至", "plans": "计算工作要点", "versions_created": "新版本",
                  "unchanged": "结果未变", "no_rubric": "缺少考核细则", "leaders_notified": "通知领导"},
    created=("versions_created", "leaders_notified"),
))

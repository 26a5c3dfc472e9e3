"""What the 定时任务 page shows: is a scheduler alive, each job's schedule, last run and (only then) next run."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import Flask

from ..extensions import db
from ..supervise.models import JobRun
from . import runner, scheduler

TRIGGER_LABELS = {"scheduler": "定时", "cli": "命令行", "web": "页面", "catch_up": "补运行"}


@dataclass
class JobRow:
    id: str
    label: str
    rule: str
    last: JobRun | None
    next_run: datetime | None


def jobs_page(app: Flask) -> dict:
    """Return the template context of the 定时任务 page."""
    state = scheduler.scheduler_state()
    specs = runner.registry()
    schedule_error = None
    try:
        upcoming = {job_id: when for job_id, _, when in scheduler.next_runs(app)}
        rules = {job_id: (spec.describe() if spec.describe else "仅手动运行") for job_id, spec in specs.items()}
    except Exception as exc:  # a bad TRACKER_SWEEP_TIME must not hide the run history
        upcoming, rules, schedule_error = {}, {}, str(exc)
    newest = sa.select(JobRun.job_id, sa.func.max(JobRun.id).label("id")).where(
        JobRun.outcome != "skipped").group_by(JobRun.job_id).subquery()
    last = {r.job_id: r for r in db.session.scalars(sa.select(JobRun).join(newest, JobRun.id == newest.c.id))}
    rows = [JobRow(job_id, spec.label, rules.get(job_id, ""), last.get(job_id),
                   upcoming.get(job_id) if state.alive else None) for job_id, spec in specs.items()]
    return {"scheduler": state, "job_rows": rows, "schedule_error": schedule_error, "job_labels":
            {job_id: spec.label for job_id, spec in specs.items()}, "trigger_labels": TRIGGER_LABELS,
            "label_counts": runner.label_counts, "run_is_dead": runner.run_is_dead}


def schedule_form():
    """The admin's assessment schedule form, filled with the schedule in force."""
    from ..assessment import jobs as assessment_jobs
    from .forms import AssessmentScheduleForm

    current = assessment_jobs.schedule()
    form = AssessmentScheduleForm()
    form.monthly_workday.data = str(current.monthly_workday)
    form.yearly_date.data = current.yearly_date
    return form

"""The yearly job that creates the annual report assignments (条例 第四十九、五十条).

Runs on 2 January at the sweep's hour: for the year just ended, every jurisdiction gets its report
plan and one assignment per unit that owes a report (departments due 31 January, governments
31 March). A rerun adds only units that appeared since, so its created counts are 0.
"""
from __future__ import annotations

from flask import Flask

from ..jobs import runner
from ..jobs.runner import JobSpec
from ..supervise.jobs import sweep_time
from .tasks import create_all

JOB_ID = "annual_report_tasks"
#: (month, day) the job runs each year
RUN_ON = (1, 2)


def _trigger(app: Flask):
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = sweep_time()
    return CronTrigger(month=RUN_ON[0], day=RUN_ON[1], hour=hour, minute=minute,
                       timezone=app.config.get("TIMEZONE") or "Asia/Shanghai")


def _describe() -> str:
    hour, minute = sweep_time()
    return f"每年{RUN_ON[0]}月{RUN_ON[1]}日 {hour:02d}:{minute:02d} 为上一年度创建年度报告任务"


ANNUAL_TASKS = runner.register(JobSpec(
    id=JOB_ID, label="年度报告任务", work=create_all, schedule=_trigger, describe=_describe,
    count_labels={"year": "报告年度", "jurisdictions": "辖区", "plans_created": "新建任务清单",
                  "assignments_created": "新增承办"},
    created=("plans_created", "assignments_created"),
))

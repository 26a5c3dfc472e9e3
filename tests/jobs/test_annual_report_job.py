"""The yearly job that creates the annual report assignments: through the runner, with counts; a rerun adds nothing.

A database of the test's own (the runner commits and records its runs).
"""
from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.factories import UnitFactory, build_world
from tracker.extensions import db
from tracker.jobs import runner
from tracker.plans.models import Assignment, Plan

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.no_db


@pytest.fixture
def ctx(fresh_app):
    with fresh_app.app_context():
        world = build_world()
        db.session.commit()
        yield fresh_app, world


def _due_dates() -> dict[str, date]:
    db.session.rollback()
    rows = db.session.execute(sa.select(Plan.title, Assignment.due_on, Assignment.unit_id)
                              .join(Assignment, Assignment.plan_id == Plan.id))
    from tracker.units.models import Unit

    names = dict(db.session.execute(sa.select(Unit.id, Unit.name)).all())
    return {names[unit_id]: due for title, due, unit_id in rows if title == "2021年度政府信息公开工作年度报告"}


def test_run_job_json_creates_the_years_assignments_and_a_rerun_creates_nothing(ctx):
    app, _ = ctx
    cli = app.test_cli_runner()
    first = cli.invoke(args=["scheduler", "run-job", "annual_report_tasks", "--as-of", "2022-01-02", "--json"])
    assert first.exit_code == 0, first.output
    out = json.loads(first.output)
    # Two jurisdictions (测试市: itself, 财政局, 审计局, 测试县; 别市: itself, 财政局) → 2 plans, 6 assignments.
    assert out["job"] == "annual_report_tasks" and out["outcome"] == "ok"
    assert out["counts"] == {"year": 2021, "jurisdictions": 2, "plans_created": 2, "assignments_created": 6}
    assert _due_dates() == {"测试市人民政府": date(2022, 3, 31), "测试市财政局": date(2022, 1, 31),
                            "测试市审计局": date(2022, 1, 31), "测试县人民政府": date(2022, 3, 31),
                            "别市人民政府": date(2022, 3, 31), "别市财政局": date(2022, 1, 31)}
    again = json.loads(cli.invoke(args=["scheduler", "run-job", "annual_report_tasks", "--as-of", "2022-01-02",
                                        "--json"]).output)
    assert again["outcome"] == "ok"
    assert again["counts"] == {"year": 2021, "jurisdictions": 2, "plans_created": 0, "assignments_created": 0}


def test_a_unit_added_since_gets_its_assignment_on_the_next_run(ctx):
    app, world = ctx
    first = runner.run("annual_report_tasks", date(2022, 1, 2), trigger="cli")
    assert first.counts["assignments_created"] == 6
    UnitFactory(name="测试市统计局", parent=world.city)
    UnitFactory(name="测试市统计局办公室", kind="office", parent=world.city)  # a 科室 owes no report
    db.session.commit()
    later = runner.run("annual_report_tasks", date(2022, 1, 20), trigger="cli")
    assert later.outcome == "ok"
    assert later.counts == {"year": 2021, "jurisdictions": 2, "plans_created": 0, "assignments_created": 1}
    assert _due_dates()["测试市统计局"] == date(2022, 1, 31)


def test_the_job_is_listed_with_its_yearly_schedule(ctx):
    app, _ = ctx
    listed = app.test_cli_runner().invoke(args=["scheduler", "jobs"])
    assert listed.exit_code == 0, listed.output
    assert "年度报告任务" in listed.output and "每年1月2日" in listed.output
    from tracker.annual import jobs as annual_jobs

    trigger = annual_jobs._trigger(app)
    fire = trigger.get_next_fire_time(None, datetime(2022, 1, 2, 23, 0, tzinfo=SHANGHAI))
    assert fire.date() == date(2023, 1, 2)
    fire = trigger.get_next_fire_time(None, datetime(2021, 12, 31, 12, 0, tzinfo=SHANGHAI))
    assert fire.date() == date(2022, 1, 2)

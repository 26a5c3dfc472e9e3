"""The annual report as a task: an assignment per unit with the statutory deadline, created once."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tracker.annual.tasks import create_report_tasks, statutory_due
from tracker.extensions import db
from tracker.plans.models import Assignment


def test_statutory_deadlines_by_kind():
    # 条例 第四十九、五十条: departments by 31 January, governments by 31 March of the next year.
    assert statutory_due("city_dept", 2021) == date(2022, 1, 31)
    assert statutory_due("zone", 2021) == date(2022, 1, 31)
    assert statutory_due("county_gov", 2021) == date(2022, 3, 31)
    assert statutory_due("city_gov", 2020) == date(2021, 3, 31)
    assert statutory_due("town", 2020) == date(2021, 3, 31)


def test_each_unit_of_the_jurisdiction_gets_one_assignment_once(world):
    from tests.factories import UnitFactory

    UnitFactory(name="测试市财政局办公室", kind="office", parent=world.finance)  # a 科室 writes no report
    plan, added = create_report_tasks(world.supervisor, world.city, 2020)
    assert plan.title == "2020年度政府信息公开工作年度报告" and plan.year == 2021
    due = {a.unit.name: a.due_on for a in db.session.scalars(sa.select(Assignment).where(Assignment.plan_id == plan.id))}
    assert due == {"测试市人民政府": date(2021, 3, 31), "测试市财政局": date(2021, 1, 31),
                   "测试市审计局": date(2021, 1, 31), "测试县人民政府": date(2021, 3, 31)}
    assert added == 4
    again, added_again = create_report_tasks(world.supervisor, world.city, 2020)
    assert again.id == plan.id and added_again == 0


def test_cli_tasks(runner, world):
    db.session.commit()
    result = runner.invoke(args=["annual-report", "tasks", "--jurisdiction", "测试市人民政府", "--year", "2020"])
    assert result.exit_code == 0, result.output
    assert "《2020年度政府信息公开工作年度报告》：新增承办 4 项" in result.output
    bad = runner.invoke(args=["annual-report", "tasks", "--jurisdiction", "测试市人民政府", "--year", "1999"])
    assert bad.exit_code != 0 and "年度应在 2019 至 2100 之间" in bad.output

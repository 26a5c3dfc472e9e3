"""`flask demo load` imports seed 002 as 运城市人民政府办公室's 2020 report, published, and builds its 2021
report from the demo register, once."""
from __future__ import annotations

import sqlalchemy as sa

from tracker.annual.models import AnnualReport
from tracker.extensions import db


def test_demo_load_imports_and_publishes_seed_002_once(runner, client):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    report, built = db.session.scalars(sa.select(AnnualReport).order_by(AnnualReport.year))
    assert (built.unit_id, built.year, built.format, built.source) == (report.unit_id, 2021, "2021", "build")
    # the register's request of 2020-12-24 (自然人) is seed 002's 1 carried over, so the carry-over check passes
    assert built.content["section3"]["carried_in"]["natural"] == 1
    assert built.is_consistent and built.status == "draft"
    assert (report.unit.name, report.year, report.format) == ("运城市人民政府办公室", 2020, "2019")
    assert report.is_consistent and report.is_published
    assert report.content["section3"]["carried_out"]["natural"] == 1
    page = client.get(f"/public/annual-reports/{report.id}").get_data(as_text=True)
    assert "运城市人民政府办公室2020年政府信息公开工作年度报告" in page
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "年度报告：已存在，跳过" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnnualReport)) == 2


def test_demo_shows_section_two_with_last_year_beside_and_an_edited_section_five(runner, client, auth):
    from tracker.accounts.models import User
    from tracker.annual.reader import ReportData

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    _, built = db.session.scalars(sa.select(AnnualReport).order_by(AnnualReport.year))
    data = ReportData.from_dict(built.content)
    assert data.section2["i1"]["normative"] == {"issued": 12, "repealed": 3, "in_force": 23}
    assert data.edited == ["s1", "s5"]
    assert data.texts["s5"].startswith("存在的主要问题：截至2021年12月31日")  # the draft's findings are kept
    assert "建立政策解读台账" in data.texts["s5"] and "请补充具体改进措施" not in data.texts["s5"]
    duban = db.session.scalar(sa.select(User).where(User.username == "duban"))
    from tracker.demo.services import DEMO_PASSWORD

    auth.login(duban, DEMO_PASSWORD)
    form = client.get(f"/annual-reports/{built.id}/section2").get_data(as_text=True)
    # Seed 002 (the 2020 report, 2019 format): 规范性文件 14 made, 14 in total.
    assert 'value="12"' in form and "上年：14（本年新制作数量）" in form and "上年：14（对外公开总数量）" in form
    detail = client.get(f"/annual-reports/{built.id}").get_data(as_text=True)
    assert "已人工编辑：一、总体情况、五、存在的主要问题及改进情况" in detail and "建立政策解读台账" in detail


# --- the report is a task in the demo ---------------------------------------------------------------------

#: Worked out by hand from seeds/yuncheng/units.yaml: 32 units, of which 运城市人民政府办公室信息科 (a 科室)
#: writes no report of its own. Governments (条例 第五十条, by 31 March of the next year): 运城市人民政府,
#: 运城市人民政府办公室 (kind city_gov) and the 13 county-level governments = 15. Everyone else (条例 第四十九条,
#: departments by 31 January): 14 city departments, 运城经济技术开发区管理委员会, 市委网信办 = 16.
DUE_2022_03_31 = 15
DUE_2022_01_31 = 16


def _report_assignments():
    from tracker.plans.models import Assignment, Plan
    from tracker.units.models import Unit

    plan = db.session.scalar(sa.select(Plan).join(Unit, Plan.unit_id == Unit.id).where(
        Plan.title == "2021年度政府信息公开工作年度报告", Unit.name == "运城市人民政府"))
    assert plan is not None and plan.year == 2022
    return plan, {a.unit.name: a for a in db.session.scalars(sa.select(Assignment).where(Assignment.plan_id == plan.id))}


def test_demo_has_the_2021_report_tasks_with_their_statutory_deadlines(runner):
    from datetime import date

    from tracker.annual.tasks import create_all
    from tracker.plans.status import StatusRules

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    plan, by_unit = _report_assignments()
    assert len(by_unit) == DUE_2022_03_31 + DUE_2022_01_31 == 31
    dues = [a.due_on for a in by_unit.values()]
    assert dues.count(date(2022, 3, 31)) == DUE_2022_03_31 and dues.count(date(2022, 1, 31)) == DUE_2022_01_31
    assert by_unit["运城市财政局"].due_on == date(2022, 1, 31)              # a department
    assert by_unit["运城经济技术开发区管理委员会"].due_on == date(2022, 1, 31)  # not a government
    assert by_unit["运城市盐湖区人民政府"].due_on == date(2022, 3, 31)       # a county government
    assert by_unit["运城市人民政府办公室"].due_on == date(2022, 3, 31)       # kind city_gov
    assert "运城市人民政府办公室信息科" not in by_unit
    # On the demo date (2021-11-15) every one is open and none overdue; the built 2021 report is still a draft.
    rules = StatusRules.at(date(2021, 11, 15))
    assert {a.status for a in by_unit.values()} == {"pending"}
    assert not any(rules.state(a).status == "overdue" for a in by_unit.values())
    # A second demo load adds none.
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert len(_report_assignments()[1]) == 31
    # The yearly job of 2022-01-02 finds 运城's and adds none there; it creates the other jurisdiction's,
    # 孝义 (seeds/xiaoyi/units.yaml: 41 units, none a 科室), which the demo leaves to the job.
    assert create_all(date(2022, 1, 2)) == {"year": 2021, "jurisdictions": 2, "plans_created": 1,
                                            "assignments_created": 41}
    assert len(_report_assignments()[1]) == 31


def test_finalising_the_demos_built_report_completes_its_assignment(runner, client, auth):
    from tracker.accounts.models import User
    from tracker.annual.tasks import report_assignment
    from tracker.demo.services import DEMO_PASSWORD
    from tracker.reports.models import ProgressReport

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    _, built = db.session.scalars(sa.select(AnnualReport).order_by(AnnualReport.year))
    assignment = report_assignment(built.unit_id, 2021)
    assert assignment.unit.name == "运城市人民政府办公室" and assignment.status == "pending"
    auth.login(db.session.scalar(sa.select(User).where(User.username == "duban")), DEMO_PASSWORD)
    page = client.get(f"/annual-reports/{built.id}").get_data(as_text=True)
    assert "定稿并提交任务" in page and "截止 2022年3月31日" in page
    resp = client.post(f"/annual-reports/{built.id}/finalize", follow_redirects=True)
    assert "审核通过，任务已办结" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert report_assignment(built.unit_id, 2021).status == "completed"
    (progress,) = db.session.scalars(sa.select(ProgressReport).where(ProgressReport.assignment_id == assignment.id))
    assert progress.status == "approved" and len(progress.evidence) == 1


def test_a_demo_reporter_builds_and_finalises_its_report_into_review(runner, client, auth):
    from tracker.accounts.models import User
    from tracker.annual.tasks import report_assignment
    from tracker.demo.services import DEMO_PASSWORD
    from tracker.reports.models import ProgressReport

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    caizheng = db.session.scalar(sa.select(User).where(User.username == "caizheng"))
    auth.login(caizheng, DEMO_PASSWORD)
    resp = client.post("/annual-reports/build", data={"unit_id": caizheng.unit_id, "year": 2021})
    assert resp.status_code == 302
    report = db.session.scalar(sa.select(AnnualReport).where(AnnualReport.unit_id == caizheng.unit_id,
                                                             AnnualReport.year == 2021))
    page = client.get(f"/annual-reports/{report.id}").get_data(as_text=True)
    assert "截止 2022年1月31日" in page  # 市财政局 is a department
    resp = client.post(f"/annual-reports/{report.id}/finalize", follow_redirects=True)
    assert "等待审核" in resp.get_data(as_text=True)
    assignment = report_assignment(caizheng.unit_id, 2021)
    (progress,) = db.session.scalars(sa.select(ProgressReport).where(ProgressReport.assignment_id == assignment.id))
    assert progress.status == "submitted" and progress.is_close_request

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

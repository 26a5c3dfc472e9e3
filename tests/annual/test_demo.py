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

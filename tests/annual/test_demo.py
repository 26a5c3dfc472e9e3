"""`flask demo load` imports seed 002 as 运城市人民政府办公室's 2020 report, published, once."""
from __future__ import annotations

import sqlalchemy as sa

from tracker.annual.models import AnnualReport
from tracker.extensions import db


def test_demo_load_imports_and_publishes_seed_002_once(runner, client):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    (report,) = db.session.scalars(sa.select(AnnualReport))
    assert (report.unit.name, report.year, report.format) == ("运城市人民政府办公室", 2020, "2019")
    assert report.is_consistent and report.is_published
    assert report.content["section3"]["carried_out"]["natural"] == 1
    page = client.get(f"/public/annual-reports/{report.id}").get_data(as_text=True)
    assert "运城市人民政府办公室2020年政府信息公开工作年度报告" in page
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "年度报告：已存在，跳过" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnnualReport)) == 1

"""Issue 20: the annual reports of every unit built from the 依申请公开 register, and the summary.

At the province scale: 2,000 units and 100,000 requests (the disclosure generator's register).
Every unit's sections 三 and 四 are counted by the register's own query (one pass for all units), 五 and
六 drafted; then the
jurisdiction's summary is summed and checked. Nothing is stored, so every run does the same work.
"""
from __future__ import annotations

import sqlalchemy as sa

from tracker.annual import checks
from tracker.annual.build import build_many
from tracker.annual.rollup import sum_reports
from tracker.extensions import db
from tracker.units.models import Unit

from ..registry import scenario
from ..runner import Context, ScenarioFailed


@scenario("annual reports: build every unit's report from the register and the summary")
def build_all(ctx: Context) -> int:
    if not ctx.ds.extra.get("disclosure"):
        raise ScenarioFailed("the dataset has no disclosure requests (rebuild it)")
    year = ctx.ds.as_of.year
    with ctx.app.app_context():
        units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(ctx.ds.unit_ids))))
        with ctx.timed():
            reports = build_many(units, year)
            summary = checks.summary(sum_reports(reports, year=year))
        db.session.rollback()
    inconsistent = [r.unit_name for r in reports if not checks.summary(r)["consistent"]]
    if inconsistent or not summary["consistent"]:
        raise ScenarioFailed(f"built reports do not add up: {inconsistent[:3]}")
    received = summary["section3"]["new"]["total"] + summary["section3"]["carried_in"]["total"]
    if received != ctx.ds.extra["disclosure"]["total"]:
        raise ScenarioFailed(f"the summary counts {received} requests, the register has {ctx.ds.extra['disclosure']['total']}")
    return len(reports)

"""The demo register: three units, 60 requests, every event the issue names, the same every time."""
from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa

from tracker.disclosure.annual import figures
from tracker.disclosure.models import (
    DisclosureAppeal,
    DisclosurePause,
    DisclosureRequest,
)
from tracker.extensions import db
from tracker.units.models import Unit


def test_demo_register(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "依申请公开登记台账：3个单位，60件申请（含2020年结转1件）" in result.output
    reqs = list(db.session.scalars(sa.select(DisclosureRequest)))
    by_unit = Counter(r.unit.name for r in reqs)
    assert by_unit == {"运城市人民政府办公室": 29, "运城市财政局": 18, "运城市行政审批服务管理局": 13}
    assert sum(r.correction_notice_on is not None for r in reqs) == 4
    assert sum(r.corrected_on is not None for r in reqs) == 3
    assert sum(bool(r.extension_days) and bool(r.extension_approver) for r in reqs) == 1
    assert sum(r.fee_amount is not None for r in reqs) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DisclosurePause).where(
        DisclosurePause.kind == "third_party")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DisclosureAppeal)) == 1
    assert len({r.answer_category for r in reqs if r.answer_category}) >= 10
    assert {r.channel for r in reqs} >= {"online", "post", "in_person"}
    assert all(r.received_on <= date(2021, 11, 15) for r in reqs)
    office = db.session.scalar(sa.select(Unit).where(Unit.name == "运城市人民政府办公室"))
    assert figures(office.id, 2021).row("carried").total == 1
    # Loading again changes nothing.
    again = runner.invoke(args=["demo", "load"])
    assert "依申请公开登记台账：已存在，跳过" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DisclosureRequest)) == 60

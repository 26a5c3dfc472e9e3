"""Units change through the admin pages (issue 16): rename keeps history, merge, retire."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from tracker.extensions import db
from tracker.plans.assign import name_on
from tracker.plans.models import Assignment
from tracker.units.models import Unit, UnitName


def test_renaming_in_the_edit_form_keeps_the_old_name(client, auth, world):
    auth.login(world.admin)
    client.post(f"/admin/units/{world.audit.id}", data={
        "name": "测试市审计和统计局", "short_name": "市审计局", "aliases": "", "kind": "city_dept",
        "parent_id": world.city.id, "category": "B"})
    db.session.expire_all()
    assert world.audit.name == "测试市审计和统计局"
    assert db.session.scalars(sa.select(UnitName.name).where(UnitName.unit_id == world.audit.id)).all() == ["测试市审计局"]
    assert name_on(world.audit, datetime(2021, 7, 1, tzinfo=timezone.utc)) == "测试市审计局"


def test_retiring_a_unit_with_open_work_is_refused(client, auth, world):
    auth.login(world.admin)
    resp = client.post(f"/admin/units/{world.audit.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "还有1项未办结的任务，请先转办或并入其他单位后再撤销" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert world.audit.is_active


def test_merging_through_the_page(client, auth, world):
    auth.login(world.admin)
    page = client.get(f"/admin/units/{world.audit.id}").get_data(as_text=True)
    assert 'data-confirm="确定将“测试市审计局”并入所选单位？此操作将撤销本单位。"' in page
    resp = client.post(f"/admin/units/{world.audit.id}/merge", data={"into_id": world.audit.id}, follow_redirects=True)
    assert "不能把单位并入它自己" in resp.get_data(as_text=True)
    resp = client.post(f"/admin/units/{world.audit.id}/merge", data={"into_id": world.county.id}, follow_redirects=True)
    assert "“测试市审计局”已并入“测试县人民政府”：转入在办任务1项" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Assignment, world.a_aud.id).unit_id == world.county.id
    assert db.session.get(Unit, world.audit.id).is_active is False

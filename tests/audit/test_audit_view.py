from __future__ import annotations

from tracker.audit.services import record
from tracker.extensions import db


def test_audit_viewer_filters(client, auth, world):
    record(world.supervisor, "plan.import", "plan", world.plan.id, after={"title": "运城"})
    record(world.admin, "unit.create", "unit", world.finance.id, after={"name": "测试市财政局"})
    db.session.flush()
    auth.login(world.admin)
    page = client.get("/admin/audit/?who=super1").get_data(as_text=True)
    assert "<td>plan.import</td>" in page and "<td>unit.create</td>" not in page
    page = client.get("/admin/audit/?action=unit").get_data(as_text=True)
    assert "<td>unit.create</td>" in page and "<td>plan.import</td>" not in page
    assert "测试市财政局" in page  # JSON shown with Chinese as written, not escaped
    assert client.get("/admin/audit/?from=2021-13-01").status_code == 400
    page = client.get("/admin/audit/?from=2000-01-01&to=2000-01-02").get_data(as_text=True)
    assert "没有符合条件的记录" in page

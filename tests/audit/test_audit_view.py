"""The audit log in Chinese: labels, changes as 字段：旧值 → 新值, filters, pages, the xlsx export."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from openpyxl import load_workbook

from tracker.audit.models import AuditEvent
from tracker.audit.services import record
from tracker.extensions import db


def _events(world):
    record(world.supervisor, "plan.import", "plan", world.plan.id, after={"title": "运城", "tasks": 3})
    record(world.admin, "unit.update", "unit", world.finance.id,
           before={"name": "测试市财政局", "kind": "city_gov", "parent_id": None, "is_active": True},
           after={"name": "测试市财政局", "kind": "city_dept", "parent_id": world.city.id, "is_active": True})
    record(world.supervisor, "report.approve", "report", 7, before={"status": "submitted"}, after={"status": "approved"})
    record(world.admin, "user.update", "user", world.reporter.id, before={"role": "reporter"}, after={"role": "leader"})
    record(world.supervisor, "rectification.close", "rectification_item", 150, before={"status": "answered"},
           after={"status": "closed"})
    db.session.flush()


def test_log_reads_in_chinese(client, auth, world):
    _events(world)
    auth.login(world.admin)
    page = client.get("/admin/audit/").get_data(as_text=True).split("<tbody>")[1]
    assert "通过进展报告" in page and "进展报告 #7" in page and "状态：待审核 → 已通过" in page
    assert "整改事项 #150" in page and "状态：待核实 → 已销号" in page
    # units by name, kinds and roles by label; unchanged fields are not listed
    assert "类型：市政府/办公室 → 政府部门" in page and "上级单位：（空） → 测试市人民政府" in page
    assert "名称：测试市财政局 →" not in page
    assert "角色：单位填报员 → 分管领导" in page
    # a new record lists its fields
    assert "导入工作要点" in page and "标题：运城" in page and "任务数：3" in page
    for code in ("report.approve", "rectification_item", "city_dept", "submitted", "{&#34;", '{"'):
        assert code not in page


def test_filters(client, auth, world):
    _events(world)
    auth.login(world.admin)
    page = client.get(f"/admin/audit/?who={world.supervisor.id}").get_data(as_text=True)
    assert "导入工作要点" in page and "修改单位" not in page.split("<tbody>")[1]
    page = client.get("/admin/audit/?action=unit.update").get_data(as_text=True)
    body = page.split("<tbody>")[1]
    assert "修改单位" in body and "导入工作要点" not in body
    page = client.get("/admin/audit/?object_type=report").get_data(as_text=True).split("<tbody>")[1]
    assert "通过进展报告" in page and "修改单位" not in page
    # by unit: what its people did and what was done to it
    body = client.get(f"/admin/audit/?unit={world.finance.id}").get_data(as_text=True).split("<tbody>")[1]
    assert "修改单位" in body and "通过进展报告" not in body
    # the action drop-down is in Chinese
    assert '<option value="report.approve">通过进展报告</option>' in client.get("/admin/audit/").get_data(as_text=True)
    # dates: the local day, boundaries included
    e = db.session.query(AuditEvent).filter_by(action="plan.import").one()
    e.created_at = datetime(2021, 3, 1, 15, 59, tzinfo=timezone.utc)  # 23:59 on 1 March in Beijing
    db.session.flush()
    body = client.get("/admin/audit/?from=2021-03-01&to=2021-03-01").get_data(as_text=True).split("<tbody>")[1]
    assert "导入工作要点" in body and "修改单位" not in body
    assert "导入工作要点" not in client.get("/admin/audit/?from=2021-03-02&to=2021-03-02").get_data(
        as_text=True).split("<tbody>")[1]
    # bad filters: a Chinese message, never a 500
    for bad in ("from=2021-13-01", "action=nonsense", "object_type=x", "who=abc", "from=2021-03-02&to=2021-03-01"):
        resp = client.get(f"/admin/audit/?{bad}")
        assert resp.status_code == 400, bad


def test_pages(client, auth, world, app):
    for n in range(app.config["PAGE_SIZE"] + 3):
        record(world.admin, "unit.update", "unit", world.finance.id, before={"name": f"旧{n}"}, after={"name": f"新{n}"})
    db.session.flush()
    auth.login(world.admin)
    first = client.get("/admin/audit/").get_data(as_text=True)
    assert "下一页" in first and f"名称：旧{app.config['PAGE_SIZE'] + 2} → 新" in first
    second = client.get("/admin/audit/?page=2").get_data(as_text=True)
    assert "名称：旧0 → 新0" in second


def test_export_is_a_chinese_workbook(client, auth, world):
    _events(world)
    auth.login(world.admin)
    resp = client.get("/admin/audit/export?object_type=report")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    ws = wb.active
    assert ws.title == "操作日志"
    assert [c.value for c in ws[2]] == ["序号", "时间", "操作人", "所在单位", "操作", "对象", "变更内容", "地址"]
    assert ws["E3"].value == "通过进展报告" and ws["F3"].value == "进展报告 #7" and ws["G3"].value == "状态：待审核 → 已通过"
    assert ws.max_row >= 3 and ws["E4"].value != "修改单位"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$2"
    auth.logout()
    auth.login(world.supervisor)
    assert client.get("/admin/audit/export").status_code == 403

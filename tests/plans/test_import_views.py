"""The supervisor's import flow through the web UI."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa

from tracker.extensions import db
from tracker.plans.models import Plan, PlanImport, Task
from tests.factories import UserFactory
from tests.plans.test_import_service import YUNCHENG, load_units, unit_named


def _login_supervisor(auth, root):
    user = UserFactory(username="duban-test", role="supervisor", unit=root)
    auth.login(user)
    return user


def test_upload_preview_fix_name_confirm(client, auth):
    root = load_units("yuncheng")
    _login_supervisor(auth, root)
    page = client.get("/plans/import").get_data(as_text=True)
    assert "运城市人民政府" in page
    resp = client.post("/plans/import", data={"unit_id": root.id, "file": (io.BytesIO(YUNCHENG.read_bytes()), "运城.txt"),
                                               "text": "", "year": ""}, content_type="multipart/form-data")
    assert resp.status_code == 302
    imp = db.session.scalar(sa.select(PlanImport).order_by(PlanImport.id.desc()))
    page = client.get(f"/plans/import/{imp.id}").get_data(as_text=True)
    assert "运政办发〔2021〕31号" in page and "各县（市、区）人民政府" in page
    open_names = re.findall(r'<tr class="table-danger">\s*<td>([^<]+)</td>', page)
    # Nothing is saved before confirmation.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 0
    for name in open_names:
        client.post(f"/plans/import/{imp.id}/names", data={"name": name, "action": "map",
                                                           "unit_id": unit_named("市政府办公室").id})
    resp = client.post(f"/plans/import/{imp.id}/confirm", data={"mode": "new"})
    assert resp.status_code == 302
    plan = db.session.scalar(sa.select(Plan))
    assert resp.headers["Location"].endswith(f"/plans/{plan.id}")
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "任务 37 项" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.plan_id == plan.id, Task.is_leaf)) == 37


def _draft_with_first_lead(client, auth, name: str) -> PlanImport:
    """Import the 运城 plan as a supervisor and make `name` the first task's lead unit in the draft."""
    root = load_units("yuncheng")
    _login_supervisor(auth, root)
    client.post("/plans/import", data={"unit_id": root.id, "text": YUNCHENG.read_text(encoding="utf-8")})
    imp = db.session.scalar(sa.select(PlanImport))
    draft = dict(imp.draft)
    draft["tasks"] = [dict(draft["tasks"][0], lead_units=[name]), *draft["tasks"][1:]]
    imp.draft = draft
    db.session.flush()
    return imp


def test_confirm_with_open_names_is_refused(client, auth):
    imp = _draft_with_first_lead(client, auth, "某某不存在的局")
    resp = client.post(f"/plans/import/{imp.id}/confirm", data={"mode": "new"}, follow_redirects=True)
    assert "某某不存在的局" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 0


def test_bad_upload_shows_chinese_message(client, auth):
    root = load_units("yuncheng")
    _login_supervisor(auth, root)
    resp = client.post("/plans/import", data={"unit_id": root.id, "file": (io.BytesIO(b""), "empty.txt"), "text": ""},
                       content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "请上传文件或粘贴" in resp.get_data(as_text=True) or "空" in resp.get_data(as_text=True)
    resp = client.post("/plans/import", data={"unit_id": root.id, "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00" * 50), "p.txt")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanImport)) == 0


def test_edit_task_and_discard(client, auth):
    root = load_units("yuncheng")
    _login_supervisor(auth, root)
    client.post("/plans/import", data={"unit_id": root.id, "text": YUNCHENG.read_text(encoding="utf-8")})
    imp = db.session.scalar(sa.select(PlanImport))
    assert "编辑任务" in client.get(f"/plans/import/{imp.id}/tasks/0").get_data(as_text=True)
    resp = client.post(f"/plans/import/{imp.id}/tasks/0", data={
        "title": "新标题", "text": "新内容", "deadline_kind": "date", "deadline": "2021-10-31", "deadline_text": "10月底前",
        "lead": "市财政局", "responsible": "", "cooperating": ""})
    assert resp.status_code == 302
    assert imp.draft["tasks"][0]["title"] == "新标题"
    resp = client.post(f"/plans/import/{imp.id}/tasks/0", data={
        "title": "新标题", "deadline_kind": "date", "deadline": "31/10/2021", "lead": "", "responsible": "", "cooperating": ""})
    assert "日期格式不正确" in resp.get_data(as_text=True)
    assert client.get(f"/plans/import/{imp.id}/tasks/999").status_code == 404
    client.post(f"/plans/import/{imp.id}/discard")
    assert imp.status == "discarded"
    resp = client.post(f"/plans/import/{imp.id}/confirm", data={"mode": "new"}, follow_redirects=True)
    assert "已确认或已放弃" in resp.get_data(as_text=True)


def test_other_jurisdiction_import_is_404(client, auth):
    root = load_units("yuncheng")
    other = load_units("sanmenxia")
    _login_supervisor(auth, root)
    client.post("/plans/import", data={"unit_id": root.id, "text": YUNCHENG.read_text(encoding="utf-8")})
    imp = db.session.scalar(sa.select(PlanImport))
    stranger = UserFactory(username="sm-duban", role="supervisor", unit=other)
    auth.logout()
    auth.login(stranger)
    assert client.get(f"/plans/import/{imp.id}").status_code == 404
    assert client.post(f"/plans/import/{imp.id}/confirm").status_code == 404
    # Choosing a jurisdiction outside one's own subtree is refused too.
    resp = client.post("/plans/import", data={"unit_id": root.id, "text": "一、测试"})
    assert resp.status_code in (200, 404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanImport)) == 1


def test_a_unit_name_with_script_stays_text_in_the_preview(client, auth):
    """A name read from a document goes into a data attribute, escaped; no inline handler can run it."""
    imp = _draft_with_first_lead(client, auth, "某局');alert(1);('\"><script>alert(2)</script>")
    resp = client.get(f"/plans/import/{imp.id}")
    page = resp.get_data(as_text=True)
    assert "<script>alert(2)" not in page
    assert "data-confirm=\"确定删除“某局&#39;);alert(1);(&#39;&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;”" in page
    assert re.search(r"\son\w+=", page) is None
    policy = resp.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]

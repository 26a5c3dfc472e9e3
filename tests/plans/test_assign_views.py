"""Assigning after import through the pages (issue 16): forms, refusals, figures before and after."""
from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import sqlalchemy as sa

from tests.factories import ReportFactory
from tracker.extensions import db
from tracker.plans.models import Assignment, Task
from tracker.reports.models import ProgressReport
from tracker.supervise.models import Reminder


def _task_url(world) -> str:
    return f"/plans/{world.plan.id}/tasks/{world.task.id}"


def _workbook_values(client, url) -> set:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    wb = openpyxl.load_workbook(io.BytesIO(resp.data))
    return {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None}


def test_the_task_page_offers_the_forms_to_the_supervisor_only(client, auth, world):
    auth.login(world.supervisor)
    html = client.get(_task_url(world)).get_data(as_text=True)
    for action in ("role", "move", "remove", "withdraw"):
        assert f"/plans/assignments/{world.a_aud.id}/{action}" in html
    assert 'name="csrf_token"' in html
    assert 'data-confirm="确定取消“测试市审计局”的承办任务？"' in html
    assert "onclick" not in html and "<script>" not in html
    assert "批量处理所选承办事项" in html
    client.post("/logout")
    auth.login(world.leader)
    html = client.get(_task_url(world)).get_data(as_text=True)
    assert "/move" not in html and "批量处理" not in html


def test_the_forms_refuse_a_post_without_the_csrf_token(client, auth, world, app):
    auth.login(world.supervisor)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = client.post(f"/plans/assignments/{world.a_aud.id}/remove", data={"reason": "调整"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert resp.status_code == 400
    assert db.session.get(Assignment, world.a_aud.id) is not None


def test_moving_through_the_page_moves_the_figures_on_the_dashboard_and_in_the_workbook(client, auth, world):
    ReportFactory(assignment=world.a_aud)
    auth.login(world.supervisor)
    as_of = "2022-01-10"  # both assignments (due 2021-12-31) are overdue then
    dash = f"/dashboard/?plan={world.plan.id}&as_of={as_of}"
    ledger = f"/exports/ledger?plan={world.plan.id}&as_of={as_of}"
    before = client.get(dash).get_data(as_text=True)
    assert "测试市审计局" in before and "测试县人民政府" not in before
    values = _workbook_values(client, ledger)
    assert "测试市审计局" in values and "测试县人民政府" not in values

    resp = client.post(f"/plans/assignments/{world.a_aud.id}/move", data={"unit_id": world.county.id},
                       follow_redirects=True)
    assert "已转办，报送记录随任务转给新单位。" in resp.get_data(as_text=True)
    after = client.get(dash).get_data(as_text=True)
    assert "测试县人民政府" in after and "测试市审计局" not in after
    values = _workbook_values(client, ledger)
    assert "测试县人民政府" in values and "测试市审计局" not in values
    assert db.session.scalar(sa.select(ProgressReport.unit_id)) == world.county.id


def test_a_move_outside_the_jurisdiction_is_refused_in_chinese(client, auth, world):
    auth.login(world.supervisor)
    resp = client.post(f"/plans/assignments/{world.a_aud.id}/move", data={"unit_id": world.other_dept.id},
                       follow_redirects=True)
    assert "“别市财政局”不在测试市人民政府的管辖范围内" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Assignment, world.a_aud.id).unit_id == world.audit.id


def test_another_jurisdictions_supervisor_cannot_touch_the_plan(client, auth, world):
    auth.login(world.other_supervisor)
    assert client.post(f"/plans/assignments/{world.a_aud.id}/remove", data={"reason": "x"}).status_code == 404
    assert client.post(f"/plans/{world.plan.id}/tasks/{world.task.id}/edit",
                       data={"title": "x", "deadline": "年底前"}).status_code == 404
    assert db.session.get(Assignment, world.a_aud.id) is not None


def test_remove_and_withdraw_through_the_page(client, auth, world):
    auth.login(world.supervisor)
    resp = client.post(f"/plans/assignments/{world.a_fin.id}/remove", data={"reason": "调整"}, follow_redirects=True)
    assert "唯一的牵头单位" in resp.get_data(as_text=True)
    ReportFactory(assignment=world.a_aud)
    resp = client.post(f"/plans/assignments/{world.a_aud.id}/remove", data={"reason": "调整"}, follow_redirects=True)
    assert "已报送过进展，不能删除" in resp.get_data(as_text=True)
    resp = client.post(f"/plans/assignments/{world.a_aud.id}/withdraw", data={"reason": "职责调整"},
                       follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "不再承办（保留报送记录，不计入统计）" in html and "职责调整" in html


def test_edit_the_task_and_add_units(client, auth, world):
    auth.login(world.supervisor)
    resp = client.post(f"/plans/{world.plan.id}/tasks/{world.task.id}/edit",
                       data={"title": "做好财政预决算公开", "text": "细化到项目。", "deadline": "2021-06-01"},
                       follow_redirects=True)
    assert "早于文件印发日期2021-07-01" in resp.get_data(as_text=True)
    client.post(f"/plans/{world.plan.id}/tasks/{world.task.id}/edit",
                data={"title": "做好财政预决算公开", "text": "细化到项目。", "deadline": "10月底前"})
    db.session.expire_all()
    assert (world.task.title, world.task.deadline) == ("做好财政预决算公开", date(2021, 10, 31))
    client.post(f"/plans/{world.plan.id}/tasks/{world.task.id}/units", data={"unit_id": world.county.id,
                                                                           "role": "cooperating"})
    db.session.expire_all()
    roles = {a.unit_id: (a.role, a.due_on) for a in world.task.assignments}
    assert roles[world.county.id] == ("cooperating", date(2021, 10, 31))


def test_add_a_task_through_the_page(client, auth, world):
    auth.login(world.supervisor)
    assert "新增任务" in client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    resp = client.post(f"/plans/{world.plan.id}/tasks/new", data={
        "title": "公开政府采购意向", "deadline": "年底前", "lead": [str(world.finance.id)]})
    assert resp.status_code == 302
    task = db.session.scalar(sa.select(Task).where(Task.title == "公开政府采购意向"))
    assert [(a.unit_id, a.role) for a in task.assignments] == [(world.finance.id, "lead")]
    resp = client.post(f"/plans/{world.plan.id}/tasks/new", data={"title": "无单位", "deadline": "年底前"})
    assert resp.status_code == 400 and "请至少指定一个承办单位" in resp.get_data(as_text=True)


def test_bulk_remind_extend_and_move(client, auth, world, app):
    app.config["TRACKER_TODAY"] = "2022-01-04"
    auth.login(world.supervisor)
    ids = [str(world.a_fin.id), str(world.a_aud.id)]
    url = f"/plans/{world.plan.id}/bulk"
    client.post(url, data={"action": "remind", "ids": ids})
    client.post(url, data={"action": "remind", "ids": ids})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 2
    resp = client.post(url, data={"action": "extend", "ids": ids, "due_on": "2022-02-28"}, follow_redirects=True)
    assert "请填写原因" in resp.get_data(as_text=True)
    client.post(url, data={"action": "extend", "ids": ids, "due_on": "2022-02-28", "reason": "等待省级平台上线"})
    db.session.expire_all()
    assert {a.due_on for a in world.task.assignments} == {date(2022, 2, 28)}
    resp = client.post(url, data={"action": "move", "ids": [str(world.a_aud.id)], "unit_id": world.county.id},
                       follow_redirects=True)
    assert "已转办1项。" in resp.get_data(as_text=True)
    app.config.pop("TRACKER_TODAY", None)


def test_open_an_item_with_a_scan_and_list_it_by_campaign(client, auth, world):
    auth.login(world.supervisor)
    scan = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    resp = client.post("/plans/items", data={
        "source": "会议议定事项", "doc_number": "市政府常务会议纪要〔2021〕12号", "source_date": "2021-09-01",
        "title": "公开老旧小区改造计划", "text": "会议议定：9月底前公开。", "lead": [str(world.finance.id)],
        "responsible": [str(world.county.id)], "due_on": "2021-09-30", "campaign": "城建领域专项督办",
        "scan": (io.BytesIO(scan), "纪要.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 302
    task = db.session.scalar(sa.select(Task).where(Task.title == "公开老旧小区改造计划"))
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "会议议定事项" in page and "市政府常务会议纪要〔2021〕12号" in page and "纪要.pdf" in page
    assert client.get(f"/plans/items/{task.id}/scan").data == scan
    listing = client.get("/plans/items?campaign=城建领域专项督办").get_data(as_text=True)
    assert "公开老旧小区改造计划" in listing
    assert "公开老旧小区改造计划" not in client.get("/plans/items?campaign=别的专项").get_data(as_text=True)
    bad = client.post("/plans/items", data={"source": "领导批示", "title": "无单位", "due_on": "2021-09-30"},
                      follow_redirects=True)
    assert "请至少指定一个牵头单位或责任单位" in bad.get_data(as_text=True)
    client.post("/logout")
    auth.login(world.leader)
    assert client.post("/plans/items", data={"source": "其他", "title": "x"}).status_code == 403
    assert re.search("公开老旧小区改造计划", client.get("/plans/items").get_data(as_text=True))


def test_the_items_督办单_prints_as_a_word_document(client, auth, world, tmp_path):
    from docx import Document

    from tracker.plans import assign

    task = assign.create_item(world.supervisor, world.city, assign.ItemInput(
        source="领导批示", title="公开停车收费标准", text="请于9月10日前公开城区停车收费标准。", due=date(2021, 9, 10),
        lead=[world.finance], responsible=[world.audit], doc_number="领导批示〔2021〕7号",
        source_date=date(2021, 9, 1), campaign="停车收费专项督办"))
    db.session.flush()
    auth.login(world.supervisor)
    assert f"/plans/items/{task.id}/docx" in client.get(f"/plans/{task.plan_id}/tasks/{task.id}").get_data(as_text=True)
    resp = client.get(f"/plans/items/{task.id}/docx")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    doc = Document(io.BytesIO(resp.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "关于公开停车收费标准的督办单" in text.replace("\n", "")
    assert "根据领导批示（领导批示〔2021〕7号）（2021年9月1日）" in text
    assert "请于2021年9月10日前办结" in text and "“停车收费专项督办”" in text
    cells = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
    assert ["1", "测试市财政局", "牵头单位", "2021年9月10日", ""] in cells
    assert ["2", "测试市审计局", "责任单位", "2021年9月10日", ""] in cells
    (tmp_path / "督办单.docx").write_bytes(resp.data)
    client.post("/logout")
    auth.login(world.other_supervisor)
    assert client.get(f"/plans/items/{task.id}/docx").status_code == 404


def test_the_dashboard_filters_items_by_campaign(client, auth, world):
    from tracker.plans import assign

    def item(title, unit, campaign):
        return assign.create_item(world.supervisor, world.city, assign.ItemInput(
            source="群众反映", title=title, text="", due=date(2021, 9, 10), lead=[unit], campaign=campaign))

    first = item("公开停车收费标准", world.finance, "停车收费专项督办")
    item("答复群众来信", world.county, "")
    db.session.flush()
    auth.login(world.supervisor)
    base = f"/dashboard/?plan={first.plan_id}&as_of=2021-09-13"

    def rows(html: str, attr: str) -> set[int]:
        return {int(u) for u in re.findall(rf'<tr\b[^>]*\bdata-{attr}="(\d+)"', html)}

    whole = client.get(base).get_data(as_text=True)
    assert rows(whole, "unit") == {world.finance.id, world.county.id}
    assert "专项督办：停车收费专项督办" in whole  # a row of the 部分 breakdown, which drills down
    listed = client.get(f"/dashboard/assignments?plan={first.plan_id}&as_of=2021-09-13"
                        "&section=专项督办：停车收费专项督办").get_data(as_text=True)
    assert rows(listed, "assignment") == {a.id for a in first.assignments}


def test_the_items_list_pages_newest_first_and_names_every_unit(client, auth, world, monkeypatch):
    """Issue 15: the 交办件 list is paged (its units loaded with it); the campaign filter lists every campaign."""
    from tracker.plans import assign

    for n, campaign in ((1, "甲专项"), (2, ""), (3, "乙专项")):
        assign.create_item(world.supervisor, world.city, assign.ItemInput(
            source="领导批示", title=f"交办事项{n}", text="", due=date(2021, 10, n), lead=[world.finance],
            responsible=[world.audit, world.county], campaign=campaign))
    db.session.commit()
    monkeypatch.setitem(client.application.config, "PAGE_SIZE", 2)  # the app is shared by the session
    auth.login(world.supervisor)
    first = client.get("/plans/items").get_data(as_text=True)
    second = client.get("/plans/items?page=2").get_data(as_text=True)
    assert re.findall(r"交办事项\d", first) == ["交办事项3", "交办事项2"]
    assert re.findall(r"交办事项\d", second) == ["交办事项1"]
    assert "第 1 / 2 页，共 3 条" in first and "第 2 / 2 页，共 3 条" in second
    assert all(name in second for name in ("测试市财政局（牵头单位）", "测试市审计局（责任单位）", f"{world.county.name}（责任单位）"))
    assert '<option value="甲专项">甲专项</option>' in second and '<option value="乙专项">乙专项</option>' in second
    only = client.get("/plans/items?campaign=乙专项").get_data(as_text=True)
    assert re.findall(r"交办事项\d", only) == ["交办事项3"] and "共 1 条" in only

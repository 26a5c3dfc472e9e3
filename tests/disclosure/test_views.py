"""The register pages: who sees what, personal data audited, bad input refused with nothing saved."""
from __future__ import annotations

import re

from datetime import date, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook

from tracker.audit.models import AuditEvent
from tracker.disclosure.models import DisclosureRequest, DisclosureStep
from tracker.extensions import db
from tracker.timeutil import local_today

from .conftest import register

D = date


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _views(req) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "disclosure.view_applicant", AuditEvent.object_id == req.id))


def test_reporter_sees_only_its_unit(client, auth, world):
    mine = register(world, name="张三")
    theirs = register(world, unit=world.audit, actor=world.reporter2, name="王五", content="审计报告")
    auth.login(world.reporter)
    page = client.get("/disclosure/").get_data(as_text=True)
    assert mine.serial in page and "审计报告" not in page
    assert client.get(f"/disclosure/{theirs.id}").status_code == 404
    assert client.post(f"/disclosure/{theirs.id}/act/answer", data={"an-category": "open", "an-on": "2021-10-20"}).status_code == 404
    assert theirs.state == "open"


def test_supervisor_sees_the_jurisdiction_not_another(client, auth, world):
    req = register(world)
    auth.login(world.supervisor)
    assert client.get(f"/disclosure/{req.id}").status_code == 200
    auth.logout()
    auth.login(world.other_supervisor)
    assert client.get(f"/disclosure/{req.id}").status_code == 404


def test_applicant_data_masked_on_pages_and_each_view_audited(client, auth, world):
    req = register(world, name="张三丰", contact="13800001234")
    auth.login(world.reporter)
    page = client.get(f"/disclosure/{req.id}").get_data(as_text=True)
    assert "张三丰" not in page and "13800001234" not in page and "张**" in page
    assert _views(req) == 0
    shown = client.get(f"/disclosure/{req.id}/applicant").get_data(as_text=True)
    assert "张三丰" in shown and "13800001234" in shown
    client.get(f"/disclosure/{req.id}/applicant")
    assert _views(req) == 2


def test_leader_cannot_open_applicant_data(client, auth, world):
    req = register(world)
    auth.login(world.leader)
    assert client.get(f"/disclosure/{req.id}").status_code == 200
    assert client.get(f"/disclosure/{req.id}/applicant").status_code == 403
    assert client.get(f"/disclosure/{req.id}/edit").status_code == 403


def test_public_page_never_shows_applicants(client, world):
    register(world, name="张三丰")
    assert "张三丰" not in client.get("/").get_data(as_text=True)


def test_leader_export_is_masked(client, auth, world):
    register(world, name="张三丰", contact="13800001234")
    auth.login(world.leader)
    resp = client.get("/disclosure/export.xlsx?applicant=1")
    ws = load_workbook(BytesIO(resp.data)).worksheets[0]
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "张**" in cells and "*******1234" in cells
    assert "张三丰" not in cells and "13800001234" not in cells


def test_reporter_export_with_applicants_is_audited(client, auth, world):
    register(world, name="张三丰")
    auth.login(world.reporter)
    resp = client.get("/disclosure/export.xlsx?applicant=1")
    ws = load_workbook(BytesIO(resp.data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:3] == ("登记编号", "承办单位", "收到方式")
    assert rows[2][6] == "张三丰"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "disclosure.export_applicants")) == 1


def test_intake_form(client, auth, world):
    auth.login(world.reporter)
    resp = client.post("/disclosure/new", data={
        "unit_id": str(world.finance.id), "channel": "post", "received_on": "2021-09-28", "confirmed_on": "",
        "applicant_type": "business", "applicant_name": "运城某商贸有限公司", "applicant_contact": "0359-1234567",
        "content": "申请公开某项目招标文件"}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "已登记，登记编号 2021-0001，答复期限 2021-11-01" in page
    req = db.session.scalar(sa.select(DisclosureRequest))
    assert (req.channel, req.applicant_type, req.unit_id) == ("post", "business", world.finance.id)


@pytest.mark.parametrize("changes,message", [
    ({"received_on": (local_today() + timedelta(days=1)).isoformat()}, "晚于今天"),
    ({"applicant_type": "individual_business"}, "申请人类型只能是"),
    ({"channel": "carrier-pigeon"}, "收到方式只能是"),
    ({"received_on": "2021-02-30"}, "日期格式不正确"),
    ({"unit_id": "999999"}, "请选择本单位或辖区内的承办单位"),
])
def test_intake_bad_input_saves_nothing(client, auth, world, changes, message):
    auth.login(world.reporter)
    data = {"unit_id": str(world.finance.id), "channel": "post", "received_on": "2021-09-28",
            "applicant_type": "natural", "applicant_name": "张三", "content": "内容"} | changes
    page = client.post("/disclosure/new", data=data).get_data(as_text=True)
    assert message in page
    assert _count(DisclosureRequest) == 0


def test_reporter_cannot_register_for_another_unit(client, auth, world):
    auth.login(world.reporter)
    page = client.post("/disclosure/new", data={
        "unit_id": str(world.audit.id), "channel": "post", "received_on": "2021-09-28", "applicant_type": "natural",
        "applicant_name": "张三", "content": "内容"}).get_data(as_text=True)
    assert "请选择本单位或辖区内的承办单位" in page and _count(DisclosureRequest) == 0


@pytest.mark.parametrize("action,data,message", [
    ("answer", {"an-category": "deny", "an-on": "2021-10-20"}, "不是年度报告表格中的具体情形"),
    ("answer", {"an-category": "不予公开", "an-on": "2021-10-20"}, "下还有具体情形"),
    ("extend", {"ex-days": "10", "ex-approver": "", "ex-approved_at": "2021-10-20T10:00", "ex-reason": "档案多"},
     "请填写审批人"),
    ("extend", {"ex-days": "21", "ex-approver": "李主任", "ex-approved_at": "2021-10-20T10:00", "ex-reason": "档案多"},
     "延长工作日数应为1到20之间的整数"),
    ("fee", {"fe-method": "by_hour", "fe-quantity": "50", "fe-on": "2021-10-08"}, "只能是按件计收或按量计收"),
    ("pause", {"pa-kind": "third_party", "pa-start_on": "2021-10-08", "pa-party": ""}, "请填写征求意见对象"),
])
def test_bad_actions_save_nothing(client, auth, world, action, data, message):
    req = register(world)
    steps = _count(DisclosureStep)
    db.session.commit()
    auth.login(world.reporter)
    page = client.post(f"/disclosure/{req.id}/act/{action}", data=data, follow_redirects=True).get_data(as_text=True)
    assert message in page
    db.session.expire_all()
    assert (req.state, req.extension_days, req.fee_method, len(req.pauses)) == ("open", 0, None, 0)
    assert _count(DisclosureStep) == steps


def test_correction_after_answer_via_the_page(client, auth, world):
    req = register(world)
    auth.login(world.reporter)
    client.post(f"/disclosure/{req.id}/act/correction_notice", data={"cn-on": "2021-09-30", "cn-reason": "请明确年度"})
    client.post(f"/disclosure/{req.id}/act/answer", data={"an-category": "other.no_correction", "an-on": "2021-10-29"})
    page = client.post(f"/disclosure/{req.id}/act/corrected", data={"co-on": "2021-11-02"},
                       follow_redirects=True).get_data(as_text=True)
    assert "不能再登记补正" in page
    db.session.expire_all()
    assert req.corrected_on is None and req.state == "answered"


def test_register_list_is_paginated(client, auth, world, app):
    for i in range(7):
        register(world, received=D(2021, 9, 1) + timedelta(days=i))
    app.config["PAGE_SIZE"] = 5
    try:
        auth.login(world.reporter)
        first = client.get("/disclosure/").get_data(as_text=True)
        second = client.get("/disclosure/?page=2").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 50
    assert "第 1 / 2 页，共 7 条" in first
    assert "2021-0007" in first and "2021-0001" not in first
    assert "2021-0001" in second and "2021-0007" not in second


def test_attach_and_download_a_document(client, auth, world):
    req = register(world)
    auth.login(world.reporter)
    pdf = b"%PDF-1.4\n% test\n"
    client.post(f"/disclosure/{req.id}/documents", data={"up-files": (BytesIO(pdf), "申请书.pdf")},
                content_type="multipart/form-data")
    db.session.expire_all()
    assert [d.original_name for d in req.documents] == ["申请书.pdf"]
    resp = client.get(f"/disclosure/{req.id}/documents/{req.documents[0].id}")
    assert resp.data == pdf


def test_answer_docx_cites_the_article(client, auth, world):
    req = register(world, name="张三丰")
    auth.login(world.reporter)
    client.post(f"/disclosure/{req.id}/act/answer", data={"an-category": "deny.third_party", "an-on": "2021-10-20"})
    resp = client.get(f"/disclosure/{req.id}/docx/answer")
    assert resp.status_code == 200
    text = "\n".join(p.text for p in Document(BytesIO(resp.data)).paragraphs)
    assert "政府信息公开申请答复书" in text and "张三丰：" in text
    assert "《中华人民共和国政府信息公开条例》第十五条" in text
    assert _views(req) == 1


def test_dashboard_shows_the_request_figures(client, auth, world):
    # Three 2021 requests: one answered on time, one answered late, one open past its due date.
    from tracker.disclosure import services

    on_time = register(world, received=D(2021, 9, 28))              # due 11-01
    services.answer(world.reporter, on_time, category="open", on=D(2021, 11, 1), text="", as_of=D(2022, 3, 1))
    late = register(world, received=D(2021, 9, 28))
    services.answer(world.reporter, late, category="open", on=D(2021, 11, 2), text="", as_of=D(2022, 3, 1))
    register(world, received=D(2021, 9, 28))
    auth.login(world.supervisor)
    page = client.get(f"/dashboard/?plan={world.plan.id}&as_of=2021-11-15").get_data(as_text=True)
    assert "依申请公开办理情况（2021年）" in page
    section = page[page.index("依申请公开办理情况"):]
    numbers = re.findall(r'class="num">(?:<a[^>]*>)?([\d.%]+)', section)
    # received, answered on time, open past its due date, on-time rate (1 of 2 answered)
    assert numbers == ["3", "1", "1", "50.0%"]
    assert "另有逾期答复1件" in section


def test_a_new_request_changes_the_dashboard_card_while_the_plan_figures_come_from_the_cache(client, auth, world):
    # The request figures are read live (a covering index keeps them cheap), never kept with the
    # plan's cached figures: a request registered between two views shows on the second.
    def received(page: str) -> str:
        section = page[page.index("依申请公开办理情况"):]
        return re.findall(r'class="num">(?:<a[^>]*>)?([\d.%]+)', section)[0]

    register(world, received=D(2021, 9, 28))
    auth.login(world.supervisor)
    url = f"/dashboard/?plan={world.plan.id}&as_of=2021-11-15"
    first = client.get(url)
    assert received(first.get_data(as_text=True)) == "1"
    register(world, received=D(2021, 10, 8))
    second = client.get(url)
    assert second.headers["X-Cache"] == "hit"
    assert received(second.get_data(as_text=True)) == "2"

"""Pages and uploads through HTTP, for each role, with every bad input of the issue."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.calendar import default_calendar
from tracker.extensions import db
from tracker.reports import services
from tracker.reports.models import Evidence, ExtensionRequest, ProgressReport
from tracker.timeutil import local_today
from tests.factories import AssignmentFactory, PlanFactory, ReportFactory, TaskFactory
from tests.reports.conftest import EXE, PDF, PNG, state, stored_files


@pytest.fixture
def w(world, uploads):
    """The world with due dates around today and one target on the shared task."""
    today = local_today()
    world.today = today
    world.task.targets = [{"metric": "政策解读率", "op": ">=", "value": 90, "unit": "%"}]
    for a in (world.a_fin, world.a_aud):
        a.due_on = a.original_due_on = today + timedelta(days=60)
    db.session.flush()
    return world


def report_form(**overrides):
    data = {"text": "已发布政策解读12篇。", "progress": "60", "target-0": "92", "links": "https://www.example.gov.cn/a",
            "submit": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_report(client, a, files=(), **overrides):
    data = report_form(**overrides)
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/assignments/{a.id}/reports", data=data, content_type="multipart/form-data")


def text_of(resp) -> str:
    return resp.get_data(as_text=True)


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


# --- 我的任务 -----------------------------------------------------------------------------------------

def test_my_tasks_groups_by_plan_and_section_and_shows_what_needs_action(client, auth, w):
    today, cal = w.today, default_calendar()
    late = AssignmentFactory(task=TaskFactory(plan=w.plan, title="逾期的任务", section="二、强化政策解读"),
                             unit=w.finance)
    late.due_on = today - timedelta(days=10)
    soon_task = TaskFactory(plan=w.plan, title="临期的任务", section="二、强化政策解读")
    soon = AssignmentFactory(task=soon_task, unit=w.finance)
    soon.due_on = cal.add_workdays(today, 2)
    returned_a = AssignmentFactory(task=TaskFactory(plan=w.plan, title="被退回的任务"), unit=w.finance)
    ReportFactory(assignment=returned_a, status="returned", review_comment="请补充发布链接")
    second_plan = PlanFactory(unit=w.city, year=2020, title="测试市2020年政务公开工作要点")
    last_year = AssignmentFactory(task=TaskFactory(plan=second_plan, title="去年的任务"), unit=w.finance)
    returned_a.due_on = last_year.due_on = today + timedelta(days=90)
    db.session.flush()
    auth.login(w.reporter)
    page = text_of(client.get("/my/tasks"))
    action = page[page.index("需要优先处理"):page.index("<table")]
    assert "被退回的报告（1）" in action and "退回原因：请补充发布链接" in action
    assert "已逾期（1）" in action and "逾期的任务" in action
    assert f"逾期{cal.workdays_between(late.due_on, today)}个工作日" in action
    assert "临期（3个工作日内到期，1）" in action and "剩2个工作日" in action
    table = page[page.index("<table"):]
    # Plans newest first, each followed by its sections in document order.
    order = [table.index(s) for s in (w.plan.title, "一、扩大公开范围", "二、强化政策解读", second_plan.title, "去年的任务")]
    assert order == sorted(order)
    assert table.count("二、强化政策解读") == 1
    assert "做好财政信息公开" in table and w.other_task.title not in page
    assert "审计" not in table


def test_my_tasks_filters(client, auth, w):
    late = AssignmentFactory(task=TaskFactory(plan=w.plan, title="逾期的任务"), unit=w.finance)
    late.due_on = w.today - timedelta(days=3)
    done = AssignmentFactory(task=TaskFactory(plan=w.plan, title="办完的任务"), unit=w.finance, status="completed")
    other_plan = PlanFactory(unit=w.city, title="另一份要点")
    other = AssignmentFactory(task=TaskFactory(plan=other_plan, title="另一份要点的任务"), unit=w.finance)
    other.due_on = w.today + timedelta(days=90)
    db.session.flush()
    auth.login(w.reporter)

    def titles(**args) -> set[str]:
        body = text_of(client.get("/my/tasks", query_string=args))
        body = body[body.index("<table"):]
        return {t for t in ("逾期的任务", "办完的任务", "另一份要点的任务", "做好财政信息公开") if t in body}

    assert titles(status="overdue") == {"逾期的任务"}
    assert titles(status="completed") == {"办完的任务"}
    assert titles(plan=other_plan.id) == {"另一份要点的任务"}
    assert titles(q="财政") == {"做好财政信息公开"}
    assert titles(status="nonsense") == {"逾期的任务", "办完的任务", "另一份要点的任务", "做好财政信息公开"}
    assert done.status == "completed"


def test_my_tasks_paginates(app, client, auth, w):
    for i in range(5):
        AssignmentFactory(task=TaskFactory(plan=w.plan, title=f"批量任务{i}"), unit=w.finance)
    db.session.flush()
    app.config["PAGE_SIZE"], old = 2, app.config["PAGE_SIZE"]
    try:
        auth.login(w.reporter)
        body = text_of(client.get("/my/tasks?page=2"))
    finally:
        app.config["PAGE_SIZE"] = old
    assert "第 2 / 3 页，共 6 条" in body


# --- the assignment page ------------------------------------------------------------------------------

def test_assignment_page_for_each_role(client, auth, w):
    ReportFactory(assignment=w.a_aud, text="审计局的进展")
    ReportFactory(assignment=w.a_fin, text="财政局的草稿", status="draft", submitted_at=None)
    db.session.flush()
    auth.login(w.reporter)
    page = text_of(client.get(f"/assignments/{w.a_fin.id}"))
    assert "继续填写草稿" in page and 'name="target-0"' in page and "政策解读率（实际值）" in page
    assert re.search(r'<textarea[^>]*name="text"[^>]*>\s*财政局的草稿</textarea>', page)
    assert "其他承办单位的进展（本单位为牵头单位）" in page and "审计局的进展" in page
    assert "提交延期申请" in page and "办理过程" in page
    assert page.count("<h1") == 1
    assert client.get(f"/assignments/{w.a_other.id}").status_code == 404
    auth.logout()

    auth.login(w.reporter2)  # a responsible unit sees neither the lead's page nor its reports
    assert client.get(f"/assignments/{w.a_fin.id}").status_code == 404
    page = text_of(client.get(f"/assignments/{w.a_aud.id}"))
    assert "其他承办单位" not in page and "财政局的草稿" not in page
    auth.logout()

    auth.login(w.supervisor)
    page = text_of(client.get(f"/assignments/{w.a_aud.id}"))
    assert "审计局的进展" in page and 'value="approve"' in page
    assert 'id="report-form"' not in page and "提交延期申请" not in page
    assert "财政局的草稿" not in text_of(client.get(f"/assignments/{w.a_fin.id}"))
    assert client.get(f"/assignments/{w.a_other.id}").status_code == 404
    auth.logout()

    auth.login(w.leader)
    page = text_of(client.get(f"/assignments/{w.a_aud.id}"))
    assert "审计局的进展" in page and 'value="approve"' not in page and "<form method=\"post\" action=\"/assignments" not in page


def test_submit_with_files_then_download(client, auth, w, uploads):
    auth.login(w.reporter)
    resp = post_report(client, w.a_fin, files=[("2021年度报告.pdf", PDF), ("网站截图.png", PNG)])
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/assignments/{w.a_fin.id}#reports")
    r = db.session.scalar(sa.select(ProgressReport))
    assert (r.status, r.progress, r.target_values, r.links) == (
        "submitted", 60, {"政策解读率": 92}, ["https://www.example.gov.cn/a"])
    assert [e.original_name for e in r.evidence] == ["2021年度报告.pdf", "网站截图.png"]
    assert len(stored_files(uploads)) == 2
    assert "报告已提交，等待督查人员审核" in text_of(client.get(f"/assignments/{w.a_fin.id}"))

    pdf, png = r.evidence
    resp = client.get(f"/reports/{r.id}/evidence/{pdf.id}")
    assert resp.status_code == 200 and resp.data == PDF
    assert resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"] == (
        "attachment; filename=\"2021.pdf\"; filename*=UTF-8''" + quote("2021年度报告.pdf", safe=".") )
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    resp = client.get(f"/reports/{r.id}/evidence/{png.id}")
    assert resp.headers["Content-Disposition"].startswith("inline; ") and resp.mimetype == "image/png"
    assert client.get(f"/reports/{r.id}/evidence/999999").status_code == 404
    auth.logout()

    auth.login(w.reporter2)  # not the lead: the lead's evidence stays hidden
    assert client.get(f"/reports/{r.id}/evidence/{pdf.id}").status_code == 404
    auth.logout()
    auth.login(w.other_supervisor)
    assert client.get(f"/reports/{r.id}/evidence/{pdf.id}").status_code == 404
    auth.logout()
    auth.login(w.leader)
    assert client.get(f"/reports/{r.id}/evidence/{pdf.id}").status_code == 200


def test_the_lead_unit_downloads_the_other_units_evidence(client, auth, w):
    auth.login(w.reporter2)
    post_report(client, w.a_aud, files=[("审计材料.pdf", PDF)])
    r = db.session.scalar(sa.select(ProgressReport))
    auth.logout()
    auth.login(w.reporter)
    assert client.get(f"/reports/{r.id}/evidence/{r.evidence[0].id}").status_code == 200


def test_save_a_draft_and_remove_one_of_its_files(client, auth, w, uploads):
    auth.login(w.reporter)
    resp = post_report(client, w.a_fin, files=[("a.pdf", PDF), ("b.png", PNG)], submit=None, save="1")
    assert resp.status_code == 302
    draft = db.session.scalar(sa.select(ProgressReport))
    assert draft.status == "draft"
    page = text_of(client.get(f"/assignments/{w.a_fin.id}"))
    assert "草稿已保存，尚未提交" in page and "草稿中已有的材料" in page and "确定从草稿中删除这个文件吗" in page
    png = draft.evidence[1]
    assert client.post(f"/reports/{draft.id}/evidence/{png.id}/remove").status_code == 302
    assert [p.name for p in stored_files(uploads)] == [draft.evidence[0].sha256]
    assert [e.original_name for e in fresh(draft).evidence] == ["a.pdf"]


@pytest.mark.parametrize("overrides, files, message", [
    ({"progress": "-5"}, [], "完成进度应在0到100之间，您填写的是-5"),
    ({"progress": "150"}, [], "完成进度应在0到100之间，您填写的是150"),
    ({"target-0": "九成以上"}, [], "指标“政策解读率”的实际值“九成以上”不是数字"),
    ({"links": "javascript:alert(1)"}, [], "不是有效的网址"),
    ({}, [("通知.pdf", EXE)], "文件“通知.pdf”是可执行程序"),
    ({}, [("好的.pdf", PDF), ("空文件.pdf", b"")], "文件“空文件.pdf”是空文件"),
])
def test_bad_report_input_shows_the_message_and_changes_nothing(client, auth, w, uploads, overrides, files, message):
    auth.login(w.reporter)
    before = state(uploads)
    resp = post_report(client, w.a_fin, files=files, **overrides)
    assert resp.status_code == 400
    body = text_of(resp)
    assert message in body
    assert "已发布政策解读12篇。" in body  # what the user typed is still in the form
    assert state(uploads) == before


def test_a_file_over_the_per_file_limit_gets_the_chinese_413_page(client, auth, w, uploads, limits):
    limits(file=1024)
    auth.login(w.reporter)
    before = state(uploads)
    resp = post_report(client, w.a_fin, files=[("小的.png", PNG), ("大的.pdf", PDF + b"0" * 4096)])
    assert resp.status_code == 413
    body = text_of(resp)
    assert "文件过大" in body and "文件“大的.pdf”超过单个文件大小限制（1.0 KB）" in body
    assert state(uploads) == before


def test_a_request_over_the_total_limit_gets_the_chinese_413_page(client, auth, w, uploads, limits):
    auth.login(w.reporter)
    limits(request=4096)
    before = state(uploads)
    resp = post_report(client, w.a_fin, files=[("大的.pdf", PDF + b"0" * 8192)])
    assert resp.status_code == 413 and "文件过大" in text_of(resp)
    assert state(uploads) == before


@pytest.mark.parametrize("raw, shown", [
    ("../../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
    ("报告\x01\x1f\x7f.pdf", "报告.pdf"),
    ("长" * 300 + ".pdf", "长" * 196 + ".pdf"),
])
def test_file_names_are_cleaned_and_never_used_as_paths(client, auth, w, uploads, raw, shown):
    auth.login(w.reporter)
    assert post_report(client, w.a_fin, files=[(raw, PDF)]).status_code == 302
    ev = db.session.scalar(sa.select(Evidence))
    assert ev.original_name == shown
    assert [p.relative_to(uploads).as_posix() for p in stored_files(uploads)] == [
        f"{ev.sha256[:2]}/{ev.sha256[2:4]}/{ev.sha256}"]
    assert not (uploads.parent / "etc").exists()


def test_report_on_another_units_assignment_is_a_404(client, auth, w, uploads):
    auth.login(w.reporter)
    before = state(uploads)
    for a in (w.a_aud, w.a_other):
        assert post_report(client, a, files=[("a.pdf", PDF)]).status_code == 404
    assert state(uploads) == before


@pytest.mark.parametrize("hook", ["_attach_evidence", "_audit_report"])
def test_a_submission_killed_between_file_write_and_commit_leaves_nothing(app, client, auth, w, uploads,
                                                                          monkeypatch, hook):
    """_attach_evidence runs after the files are on disk; _audit_report after the rows are flushed."""
    def boom(*args, **kwargs):
        assert len(stored_files(uploads)) == 2  # the files really were written
        raise RuntimeError("killed")

    monkeypatch.setattr(services, hook, boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    auth.login(w.reporter)
    before = state(uploads)
    resp = post_report(client, w.a_fin, files=[("一.pdf", PDF), ("二.png", PNG)])
    assert resp.status_code == 500 and "系统错误" in text_of(resp)
    assert state(uploads) == before
    assert fresh(w.a_fin).status == "pending"


def test_csrf_is_required(client, auth, w, uploads, csrf_enabled):
    auth_resp = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text_of(auth_resp)).group(1)
    client.post("/login", data={"username": w.reporter.username, "password": "password123", "csrf_token": token})
    before = state(uploads)
    resp = post_report(client, w.a_fin, files=[("a.pdf", PDF)])
    assert resp.status_code == 400 and "CSRF" in text_of(resp)
    assert state(uploads) == before


# --- review -------------------------------------------------------------------------------------------

def test_review_queue_oldest_first_in_scope_with_filters(client, auth, w):
    t0 = services.utcnow() - timedelta(days=3)
    newer = ReportFactory(assignment=w.a_fin, text="较新的报告", submitted_at=t0 + timedelta(hours=5))
    older = ReportFactory(assignment=w.a_aud, text="较早的报告", submitted_at=t0)
    ReportFactory(assignment=w.a_other, text="别市的报告")
    ReportFactory(assignment=w.a_fin, text="已通过的报告", status="approved")
    section_task = TaskFactory(plan=w.plan, title="解读任务", section="二、强化政策解读")
    ReportFactory(assignment=AssignmentFactory(task=section_task, unit=w.county), text="县里的报告",
                  submitted_at=t0 + timedelta(hours=1))
    db.session.flush()
    auth.login(w.supervisor)
    body = text_of(client.get("/review"))
    assert body.index("较早的报告") < body.index("县里的报告") < body.index("较新的报告")
    assert "别市的报告" not in body and "已通过的报告" not in body
    assert "确定批量通过所选的" in body

    def shown(**args):
        page = text_of(client.get("/review", query_string=args))
        return {t for t in ("较早的报告", "县里的报告", "较新的报告") if t in page}

    assert shown(unit=w.audit.id) == {"较早的报告"}
    assert shown(plan=w.plan.id, section="二、强化政策解读") == {"县里的报告"}
    assert shown(plan=w.other_plan.id) == set()
    assert '<option value="二、强化政策解读"' in text_of(client.get("/review", query_string={"plan": w.plan.id}))
    assert newer.id and older.id


def test_reporters_cannot_review(client, auth, w):
    r = ReportFactory(assignment=w.a_fin)
    db.session.flush()
    auth.login(w.reporter)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert client.get("/review").status_code == 403
    assert client.post(f"/review/{r.id}", data={"decision": "approve"}).status_code == 403
    assert client.post("/review/bulk", data={"report_ids": [r.id]}).status_code == 403
    assert fresh(r).status == "submitted"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


def test_approve_twice_is_harmless(client, auth, w):
    r = ReportFactory(assignment=w.a_fin, is_close_request=True, progress=100)
    db.session.flush()
    auth.login(w.supervisor)
    assert client.post(f"/review/{r.id}", data={"decision": "approve"}).status_code == 302
    assert "已审核通过。该承办已办结。" in text_of(client.get("/review"))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    resp = client.post(f"/review/{r.id}", data={"decision": "approve"}, follow_redirects=True)
    assert "该报告已是“已通过”状态，无需重复操作" in text_of(resp)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == count
    a = fresh(w.a_fin)
    assert a.status == "completed" and a.completed_at is not None


def test_return_without_reason_is_refused_then_works(client, auth, w):
    r = ReportFactory(assignment=w.a_fin)
    db.session.flush()
    auth.login(w.supervisor)
    resp = client.post(f"/review/{r.id}", data={"decision": "return", "reason": ""}, follow_redirects=True)
    assert "请填写退回原因" in text_of(resp) and fresh(r).status == "submitted"
    resp = client.post(f"/review/{r.id}", data={"decision": "return", "reason": "缺少链接",
                                                 "next": f"/assignments/{w.a_fin.id}"})
    assert resp.headers["Location"].endswith(f"/assignments/{w.a_fin.id}")
    assert fresh(r).status == "returned"
    resp = client.post(f"/review/{r.id}", data={"decision": "approve", "next": "https://evil.example/"})
    assert resp.headers["Location"].endswith("/review")
    auth.logout()
    auth.login(w.reporter)
    assert "退回原因：缺少链接" in text_of(client.get("/my/tasks"))


def test_bulk_approve_from_the_queue(client, auth, w):
    reports = [ReportFactory(assignment=w.a_fin), ReportFactory(assignment=w.a_aud), ReportFactory(assignment=w.a_other)]
    db.session.flush()
    auth.login(w.supervisor)
    resp = client.post("/review/bulk", data={"report_ids": [str(r.id) for r in reports]}, follow_redirects=True)
    assert "已批量通过2份报告。另有1份未处理" in text_of(resp)
    assert [fresh(r).status for r in reports] == ["approved", "approved", "submitted"]
    resp = client.post("/review/bulk", data={}, follow_redirects=True)
    assert "请先勾选要通过的报告" in text_of(resp)


def test_supervisor_marks_an_approved_report_public(client, auth, w):
    r = ReportFactory(assignment=w.a_fin, status="approved")
    pending = ReportFactory(assignment=w.a_fin)
    db.session.flush()
    auth.login(w.supervisor)
    assert client.post(f"/reports/{r.id}/public", data={"public": "1"}).status_code == 302
    assert fresh(r).is_public is True
    resp = client.post(f"/reports/{pending.id}/public", data={"public": "1"}, follow_redirects=True)
    assert "只有审核通过的报告才能公开" in text_of(resp) and fresh(pending).is_public is False
    assert "取消公开" in text_of(client.get(f"/assignments/{w.a_fin.id}"))


# --- extensions ---------------------------------------------------------------------------------------

def ask(client, a, due, reason="需等待年度统计数据"):
    return client.post(f"/assignments/{a.id}/extensions", data={"requested_due_on": due, "reason": reason, "send": "1"})


def test_extension_request_then_approval(client, auth, w):
    auth.login(w.reporter)
    new_due = (w.a_fin.due_on + timedelta(days=30)).isoformat()
    assert ask(client, w.a_fin, new_due).status_code == 302
    page = text_of(client.get(f"/assignments/{w.a_fin.id}"))
    assert f"申请延期至 <strong>{new_due}</strong>，待审批" in page and "提交延期申请</button>" not in page
    auth.logout()
    auth.login(w.supervisor)
    body = text_of(client.get("/extensions"))
    assert new_due in body and "需等待年度统计数据" in body
    assert "<th>工作要点</th>" in body  # the plan column (issue 21)
    row = body[body.index("需等待年度统计数据") - 2000:body.index("需等待年度统计数据")]
    assert w.plan.title in row and "测政办发〔2021〕1号" in row
    req = db.session.scalar(sa.select(ExtensionRequest))
    resp = client.post(f"/extensions/{req.id}/decide", data={"decision": "approve"}, follow_redirects=True)
    assert f"已批准延期，新的完成时限为{new_due}" in text_of(resp)
    a = fresh(w.a_fin)
    assert a.due_on.isoformat() == new_due and a.original_due_on == w.today + timedelta(days=60)
    assert "已批准" in text_of(client.get("/extensions?status=decided"))
    resp = client.post(f"/extensions/{req.id}/decide", data={"decision": "reject", "reason": "x"},
                       follow_redirects=True)
    assert "不能更改" in text_of(resp)
    auth.logout()
    auth.login(w.reporter)
    assert client.post(f"/extensions/{req.id}/decide", data={"decision": "approve"}).status_code == 403


@pytest.mark.parametrize("due, message", [
    ("yesterday", "不能早于今天"),
    ("before-due", "应晚于当前完成时限"),
    ("2021/13/40", "日期格式不正确"),
    ("", "请填写申请延期到的日期"),
])
def test_bad_extension_dates_change_nothing(client, auth, w, uploads, due, message):
    dates = {"yesterday": (w.today - timedelta(days=1)).isoformat(),
             "before-due": (w.a_fin.due_on - timedelta(days=1)).isoformat()}
    auth.login(w.reporter)
    before = state(uploads)
    resp = ask(client, w.a_fin, dates.get(due, due))
    assert resp.status_code == 400 and message in text_of(resp)
    assert state(uploads) == before


def test_second_open_extension_request_is_refused(client, auth, w, uploads):
    auth.login(w.reporter)
    ask(client, w.a_fin, (w.a_fin.due_on + timedelta(days=30)).isoformat())
    before = state(uploads)
    resp = ask(client, w.a_fin, (w.a_fin.due_on + timedelta(days=60)).isoformat())
    assert resp.status_code == 409 and "该任务已有一份待审批的延期申请" in text_of(resp)
    assert state(uploads) == before


def test_extension_for_another_unit_is_a_404(client, auth, w, uploads):
    auth.login(w.reporter)
    before = state(uploads)
    assert ask(client, w.a_aud, (w.a_aud.due_on + timedelta(days=30)).isoformat()).status_code == 404
    assert state(uploads) == before


def test_reject_needs_a_reason(client, auth, w):
    req = services.request_extension(w.reporter, w.a_fin, w.a_fin.due_on + timedelta(days=9), "理由", as_of=w.today)
    db.session.flush()
    auth.login(w.supervisor)
    resp = client.post(f"/extensions/{req.id}/decide", data={"decision": "reject", "reason": " "},
                       follow_redirects=True)
    assert "请填写不予延期的理由" in text_of(resp)
    assert fresh(req).status == "open"
    auth.logout()
    auth.login(w.other_supervisor)
    assert client.post(f"/extensions/{req.id}/decide", data={"decision": "approve"}).status_code == 404


def test_after_a_return_the_form_starts_from_the_returned_report(client, auth, w):
    ReportFactory(assignment=w.a_fin, status="returned", review_comment="请补充链接", text="上次写的内容", progress=70,
                  target_values={"政策解读率": 88})
    db.session.flush()
    auth.login(w.reporter)
    page = text_of(client.get(f"/assignments/{w.a_fin.id}"))
    assert re.search(r'<textarea[^>]*name="text"[^>]*>\s*上次写的内容</textarea>', page)
    assert 'name="progress" type="text" value="70"' in page and 'name="target-0" value="88"' in page
    assert "退回原因：请补充链接" in page


def test_past_the_due_date_no_extension_form(client, auth, w):
    w.a_fin.due_on = w.today - timedelta(days=1)
    db.session.flush()
    auth.login(w.reporter)
    page = text_of(client.get(f"/assignments/{w.a_fin.id}"))
    assert "已超过完成时限，不能再在线申请延期" in page and "提交延期申请</button>" not in page
    assert 'class="status-overdue">逾期' in page


def test_reports_on_the_assignment_page_are_paginated(app, client, auth, w):
    for i in range(3):
        ReportFactory(assignment=w.a_fin, text=f"第{i}份报告", status="approved")
    db.session.flush()
    app.config["PAGE_SIZE"], old = 2, app.config["PAGE_SIZE"]
    try:
        auth.login(w.supervisor)
        first = text_of(client.get(f"/assignments/{w.a_fin.id}"))
        second = text_of(client.get(f"/assignments/{w.a_fin.id}?rpage=2"))
    finally:
        app.config["PAGE_SIZE"] = old
    def listed(page: str) -> str:
        return page[page.index('id="reports"'):page.index('id="extension"')]

    assert "第2份报告" in listed(first) and "第1份报告" in listed(first) and "第0份报告" not in listed(first)
    assert "第0份报告" in listed(second) and "进展报告（3）" in second


def test_my_tasks_can_be_replayed_at_a_past_date(client, auth, w):
    w.a_fin.due_on = date(2021, 11, 19)
    db.session.flush()
    auth.login(w.reporter)
    page = text_of(client.get("/my/tasks?as_of=2021-11-15"))
    assert "按2021年11月15日的情况查看" in page and "剩4个工作日" in page
    assert f'/assignments/{w.a_fin.id}?as_of=2021-11-15' in page
    assert 'name="as_of" value="2021-11-15"' in page
    assert "逾期" in text_of(client.get("/my/tasks?as_of=not-a-date"))  # a bad date shows today instead
    detail = text_of(client.get(f"/assignments/{w.a_fin.id}?as_of=2021-11-15"))
    assert "剩4个工作日" in detail and "提交延期申请</button>" not in detail  # extensions go by the real today


# --- answering a returned report (issue 21) ---------------------------------------------------------

def _returned_report(w):
    r = ReportFactory(assignment=w.a_fin, status="returned", text="已发布政策解读12篇。", progress=60,
                      links=["https://www.example.gov.cn/a"], review_comment="请补充解读材料的发布链接",
                      reviewer=w.supervisor, reviewed_at=datetime.now(timezone.utc))
    db.session.commit()
    return r


def test_the_form_shows_what_the_reviewer_asked_for(client, auth, w):
    _returned_report(w)
    auth.login(w.reporter)
    page = text_of(client.get(f"/assignments/{w.a_fin.id}"))
    block = page[page.index('id="return-request"'):page.index("</div>", page.index('id="return-request"'))]
    assert "退回原因：请补充解读材料的发布链接" in block
    assert w.supervisor.display_name in block
    assert page.index('id="return-request"') < page.index('name="submit"')


def test_an_unchanged_resubmission_is_refused_and_a_changed_one_accepted(client, auth, w):
    _returned_report(w)
    auth.login(w.reporter)
    resp = post_report(client, w.a_fin)  # the pre-filled form sent back as it was
    assert resp.status_code == 409
    assert "与被退回的报告完全相同" in text_of(resp)
    assert db.session.scalar(sa.select(sa.func.count()).where(ProgressReport.status == "submitted")) == 0
    resp = post_report(client, w.a_fin, text="已发布政策解读12篇，已补充发布链接。")
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).where(ProgressReport.status == "submitted")) == 1


def test_a_new_evidence_file_alone_is_a_change(client, auth, w):
    _returned_report(w)
    auth.login(w.reporter)
    resp = post_report(client, w.a_fin, files=[("解读截图.png", PNG)])
    assert resp.status_code == 302
    sent = db.session.scalar(sa.select(ProgressReport).where(ProgressReport.status == "submitted"))
    assert [e.original_name for e in sent.evidence] == ["解读截图.png"]


def test_review_queue_search_is_kept_across_pages_and_bulk_approval(app, client, auth, w):
    for i in range(3):
        ReportFactory(assignment=w.a_fin, text=f"预算公开第{i}批")
    ReportFactory(assignment=w.a_aud, text="审计公告")
    db.session.flush()
    auth.login(w.supervisor)
    app.config["PAGE_SIZE"], old = 2, app.config["PAGE_SIZE"]
    try:
        page = text_of(client.get("/review", query_string={"q": "预算"}))
        assert "审计公告" not in page and "第 1 / 2 页，共 3 条" in page
        assert 'value="预算"' in page
        assert "q=%E9%A2%84%E7%AE%97" in page and "page=2" in page  # the next-page link keeps the search
        assert 'data-check-all="input[form=bulk-form][name=report_ids]"' in page and "全选" in page
        next_field = re.search(r'name="next" value="([^"]+)"', page).group(1)
        assert "q=%E9%A2%84%E7%AE%97" in next_field
        ids = [str(r) for r in db.session.scalars(sa.select(ProgressReport.id).where(ProgressReport.text.like("预算%")))]
        resp = client.post("/review/bulk", data={"report_ids": ids[:2], "next": next_field.replace("&amp;", "&")})
        assert "q=%E9%A2%84%E7%AE%97" in resp.headers["Location"]
        page = text_of(client.get(resp.headers["Location"]))
        assert "共 1 条" in page and "审计公告" not in page
    finally:
        app.config["PAGE_SIZE"] = old


# --- print views (issue 21) --------------------------------------------------------------------------

def test_my_tasks_prints_every_row_at_the_date_asked(app, client, auth, w):
    from tracker.timeutil import cn_date

    late = AssignmentFactory(task=TaskFactory(plan=w.plan, title="逾期的任务", ref="9"), unit=w.finance)
    late.due_on = late.original_due_on = w.today - timedelta(days=30)
    db.session.flush()
    auth.login(w.reporter)
    app.config["PAGE_SIZE"], old = 1, app.config["PAGE_SIZE"]
    try:
        screen = text_of(client.get("/my/tasks"))
        assert 'href="/my/tasks/print"' in screen
        html = text_of(client.get("/my/tasks/print"))
    finally:
        app.config["PAGE_SIZE"] = old
    assert "<nav" not in html and "data-print>打印</button>" in html
    assert "<h1>测试市财政局承办任务清单</h1>" in html and "制表单位：测试市财政局" in html
    assert f"统计截至：{cn_date(w.today)}" in html
    assert set(re.findall(r'<tr data-assignment="(\d+)"', html)) == {str(w.a_fin.id), str(late.id)}  # not paged
    # as_of: the same list replayed on an earlier day, with the state of that day
    earlier = w.today - timedelta(days=40)
    html = text_of(client.get(f"/my/tasks/print?as_of={earlier.isoformat()}&status=overdue"))
    assert f"统计截至：{cn_date(earlier)}" in html and "共 <strong data-total=\"0\">0</strong> 项" in html
    html = text_of(client.get("/my/tasks/print?status=overdue"))
    assert re.findall(r'<tr data-assignment="(\d+)" data-status="(\w+)"', html) == [(str(late.id), "overdue")]
    auth.logout()
    auth.login(w.supervisor)
    assert client.get("/my/tasks/print").status_code == 403


def test_review_queue_prints_with_its_filters(client, auth, w):
    ReportFactory(assignment=w.a_fin, text="预算公开进展")
    ReportFactory(assignment=w.a_aud, text="审计公告进展")
    ReportFactory(assignment=w.a_other, text="别市的报告")
    db.session.flush()
    auth.login(w.supervisor)
    screen = text_of(client.get("/review?q=预算"))
    assert 'href="/review/print?q=%E9%A2%84%E7%AE%97"' in screen
    html = text_of(client.get("/review/print?q=预算"))
    assert "<nav" not in html and "data-print>打印</button>" in html
    assert "<h1>待审核进展报告清单</h1>" in html and "制表单位：测试市人民政府" in html
    assert "筛选条件：关键词“预算”" in html
    assert "预算公开进展" in html and "审计公告进展" not in html and "别市的报告" not in html
    html = text_of(client.get("/review/print"))
    assert "预算公开进展" in html and "审计公告进展" in html and "别市的报告" not in html
    assert 'name="decision"' not in html  # a printout, not a form
    auth.logout()
    auth.login(w.reporter)
    assert client.get("/review/print").status_code == 403

"""The main paths, clicked through in Chromium as each kind of user would."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.e2e.helpers import check_a11y, login, logout

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PLAN_FILE = SEEDS / "yuncheng" / "2021_work_plan.txt"


def _plan_id(live_app) -> int | None:
    from tracker.extensions import db
    from tracker.plans.models import Plan

    with live_app.app_context():
        return db.session.scalar(sa.select(Plan.id).where(Plan.doc_number == "运政办发〔2021〕31号"))


def test_supervisor_imports_the_plan_and_fixes_a_unit(server, live_app, page):
    login(page, server, "duban")
    page.get_by_role("link", name="导入文件").click()
    check_a11y(page)
    page.get_by_label("文件（.txt / .docx / .xlsx）").set_input_files(str(PLAN_FILE))
    page.get_by_role("button", name="解析并预览").click()
    page.wait_for_url("**/plans/import/*")
    check_a11y(page)
    assert "运政办发〔2021〕31号" in page.content()
    # The one name the directory lacks is flagged; the supervisor creates the unit.
    row = page.locator("tr.table-danger")
    assert row.count() == 1 and "市委网信办" in row.inner_text()
    row.locator("select[name=kind]").select_option(label="其他")
    row.get_by_role("button", name="新建单位").click()
    page.wait_for_load_state()
    assert "将新建单位" in page.content()
    assert page.locator("tr.table-danger").count() == 0
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/plans/*")
    check_a11y(page)
    assert "任务 37 项" in page.content()
    assert _plan_id(live_app) is not None


def test_reporter_cannot_open_another_units_assignment(server, live_app, page):
    from tracker.extensions import db
    from tracker.plans.models import Assignment
    from tracker.units.models import Unit

    with live_app.app_context():
        other = db.session.scalar(
            sa.select(Assignment.id).join(Unit, Assignment.unit_id == Unit.id).where(Unit.name == "运城市教育局")
        )
    assert other is not None
    login(page, server, "caizheng")
    page.get_by_role("link", name="我的任务").click()
    check_a11y(page)
    assert "运城市教育局" not in page.content()
    resp = page.goto(f"{server}/assignments/{other}")
    assert resp.status == 404
    assert "页面不存在" in page.content()
    check_a11y(page)


def _finance_assignment(live_app, title_part: str) -> int:
    from tracker.extensions import db
    from tracker.plans.models import Assignment, Task
    from tracker.units.models import Unit

    with live_app.app_context():
        return db.session.scalar(
            sa.select(Assignment.id).join(Task, Assignment.task_id == Task.id).join(Unit, Assignment.unit_id == Unit.id)
            .where(Unit.name == "运城市财政局", Task.text.contains(title_part)).order_by(Assignment.id)
        )


def _evidence_files(tmp_path):
    from tracker.reports.demo import pdf_bytes, png_bytes

    pdf = tmp_path / "预决算公开截图说明.pdf"
    png = tmp_path / "网站栏目截图.png"
    pdf.write_bytes(pdf_bytes(["Budget disclosure evidence", "2021"]))
    png.write_bytes(png_bytes(64, 48, 80))
    return pdf, png


def _report(page, text: str, files=(), close: bool = False) -> None:
    page.get_by_label("进展情况").fill(text)
    page.get_by_label("完成进度（%）").fill("100")
    if files:
        page.get_by_label("佐证材料").set_input_files([str(f) for f in files])
    if close:
        page.get_by_label("申请办结").check()
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()


def test_reporter_reports_with_evidence_and_the_supervisor_returns_then_approves(server, live_app, page, tmp_path):
    assignment = _finance_assignment(live_app, "预算、决算")
    assert assignment, "the finance bureau's budget task"
    pdf, png = _evidence_files(tmp_path)
    login(page, server, "caizheng")
    page.get_by_role("link", name="我的任务").click()
    page.goto(f"{server}/assignments/{assignment}")
    check_a11y(page)
    _report(page, "已在政府网站公开2021年部门预算。", files=(pdf, png), close=True)
    content = page.content()
    assert "预决算公开截图说明.pdf" in content and "网站栏目截图.png" in content
    logout(page)

    login(page, server, "duban")
    page.get_by_role("link", name="审核").click()
    check_a11y(page)
    row = page.locator("tr", has_text="已在政府网站公开2021年部门预算")
    row.get_by_label("审核意见（退回时必填）").fill("请补充决算公开的链接。")
    row.get_by_role("button", name="退回").click()
    page.wait_for_load_state()
    logout(page)

    login(page, server, "caizheng")
    page.get_by_role("link", name="我的任务").click()
    assert "退回原因：请补充决算公开的链接。" in page.content()
    page.goto(f"{server}/assignments/{assignment}")
    _report(page, "已补充：决算公开于政府网站财政专栏。", files=(pdf,), close=True)
    logout(page)

    login(page, server, "duban")
    page.get_by_role("link", name="审核").click()
    row = page.locator("tr", has_text="已补充：决算公开")
    row.get_by_role("button", name="通过").click()
    page.wait_for_load_state()
    page.goto(f"{server}/assignments/{assignment}")
    check_a11y(page)
    assert "已办结" in page.locator("dl").inner_text()


def test_extension_request_is_approved_and_moves_the_due_date(server, live_app, page):
    from datetime import timedelta

    from tracker.extensions import db
    from tracker.plans.models import Assignment
    from tracker.timeutil import local_today

    assignment = _finance_assignment(live_app, "权责清单")
    due = local_today() + timedelta(days=20)
    wanted = due + timedelta(days=30)
    with live_app.app_context():
        a = db.session.get(Assignment, assignment)
        a.due_on = a.original_due_on = due
        db.session.commit()
    login(page, server, "caizheng")
    page.goto(f"{server}/assignments/{assignment}")
    page.get_by_label("申请延期至").fill(wanted.isoformat())
    page.get_by_label("延期理由").fill("需等待省级平台升级后再公开。")
    page.get_by_role("button", name="提交延期申请").click()
    page.wait_for_load_state()
    assert "待审批" in page.content() or "已提交" in page.content()
    logout(page)

    login(page, server, "duban")
    page.get_by_role("link", name="延期审批").click()
    check_a11y(page)
    page.get_by_role("button", name="批准").first.click()
    page.wait_for_load_state()
    page.goto(f"{server}/assignments/{assignment}")
    assert wanted.isoformat() in page.locator("dl").inner_text()
    with live_app.app_context():
        a = db.session.get(Assignment, assignment)
        assert a.due_on == wanted and a.original_due_on == due

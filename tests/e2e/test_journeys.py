"""The main paths, clicked through in Chromium as each kind of user would."""
from __future__ import annotations

import io

from pathlib import Path

import sqlalchemy as sa

from tests.e2e.helpers import check_a11y, login, logout

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PLAN_FILE = SEEDS / "yuncheng" / "2021_work_plan.txt"


#: The 文号 of the copy imported for a journey run without the import journey before it.
OWN_COPY_NUMBER = "运政办发〔2021〕99号"


def _plan_id(live_app) -> int:
    """Return the 运城 plan the journeys work on, importing a copy of it when none is there yet.

    The import journey brings the plan in through the browser; a journey run on its own (or before
    it) gets its own copy, with another 文号 and title so the browser import is not taken for a re-import.
    """
    from tracker.extensions import db
    from tracker.plans import services as plans
    from tracker.plans.models import Plan
    from tracker.units.models import Unit

    with live_app.app_context():
        numbers = ("运政办发〔2021〕31号", OWN_COPY_NUMBER)
        found = db.session.scalar(sa.select(Plan.id).where(Plan.doc_number.in_(numbers)).order_by(Plan.id))
        if found is not None:
            return found
        root = db.session.scalar(sa.select(Unit).where(Unit.name == "运城市人民政府"))
        text = PLAN_FILE.read_text(encoding="utf-8").replace("运政办发〔2021〕31号", OWN_COPY_NUMBER, 1)
        imp = plans.start_import(None, root, text=text)
        # Another title too: a plan with the same title and year would be taken for the same document.
        draft = dict(imp.draft)
        draft["plan"] = {**draft["plan"], "title": "运城市2021年政务公开工作要点（端到端副本）"}
        imp.draft = draft
        for name, state in plans.name_states(imp).items():
            if state.is_open:  # the unit the directory lacks: the browser journey creates it, not this copy
                plans.set_choice(None, imp, name, "drop")
        plan = plans.confirm(None, imp)
        db.session.commit()
        return plan.id


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
    from tracker.extensions import db
    from tracker.plans.models import Plan

    with live_app.app_context():
        assert db.session.scalar(sa.select(Plan.id).where(Plan.doc_number == "运政办发〔2021〕31号")) is not None


def test_reporter_cannot_open_another_units_assignment(server, live_app, page):
    _plan_id(live_app)
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
    plan_id = _plan_id(live_app)
    from tracker.extensions import db
    from tracker.plans.models import Assignment, Task
    from tracker.units.models import Unit

    with live_app.app_context():
        return db.session.scalar(
            sa.select(Assignment.id).join(Task, Assignment.task_id == Task.id).join(Unit, Assignment.unit_id == Unit.id)
            .where(Unit.name == "运城市财政局", Task.text.contains(title_part), Assignment.plan_id == plan_id)
            .order_by(Assignment.id)
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


def _flask(live_app, *args: str) -> str:
    """Run a flask CLI command against the journeys' database, as an operator would."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, DATABASE_URL=live_app.config["E2E_DATABASE_URL"], FLASK_APP="wsgi.py",
               TRACKER_UPLOAD_DIR=live_app.config["UPLOAD_DIR"])
    env.pop("TRACKER_TEST_DATABASE_URL", None)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _download(page, click) -> Path:
    with page.expect_download() as info:
        click()
    return Path(info.value.path())


def test_sweep_reminds_the_unit_and_the_leader_takes_the_workbooks(server, live_app, page):
    import json

    from openpyxl import load_workbook

    plan_id = _plan_id(live_app)
    out = json.loads(_flask(live_app, "supervise", "sweep", "--as-of", "2022-01-10", "--json"))
    assert out["as_of"] == "2022-01-10" and out["overdue"] > 0 and out["reminders_created"] > 0

    login(page, server, "caizheng")
    page.get_by_role("link", name="消息").click()
    check_a11y(page)
    assert "催办" in page.content()
    logout(page)

    _flask(live_app, "rubric", "load", str(SEEDS / "rubric.yaml"))
    login(page, server, "duban")
    page.goto(f"{server}/assessment/plans/{plan_id}")
    check_a11y(page)
    page.get_by_label("考核日期").fill("2022-01-10")
    page.get_by_role("button", name="计算新版本").click()
    page.wait_for_load_state()
    logout(page)

    login(page, server, "lingdao")
    page.goto(f"{server}/dashboard/overdue?plan={plan_id}&as_of=2022-01-10&category=B")
    check_a11y(page)
    assert "运城市财政局" in page.content()
    page.get_by_role("link", name="导出").first.click()
    check_a11y(page)
    page.get_by_label("统计日期").fill("2022-01-10")
    page.locator("select#plan").select_option(str(plan_id))  # the journeys' plan, whichever others exist
    ledger = _download(page, lambda: page.get_by_role("button", name="工作台账").click())
    book = load_workbook(io.BytesIO(ledger.read_bytes()))
    assert len(book.sheetnames) >= 2 and book.worksheets[1].max_row > 100
    assessment = _download(page, lambda: page.get_by_role("button", name="考核结果（最新版本）").click())
    book = load_workbook(io.BytesIO(assessment.read_bytes()))
    assert any("类" in name or "明细" in name for name in book.sheetnames), book.sheetnames


def test_lookback_notice_is_answered_closed_and_downloaded(server, live_app, page):
    import json

    from docx import Document

    plan_id = _plan_id(live_app)
    out = json.loads(_flask(live_app, "supervise", "lookback", "--plan", str(plan_id), "--as-of", "2022-01-20", "--json"))
    assert out["notices"] > 0 and out["items"] > 0

    login(page, server, "caizheng")
    page.goto(f"{server}/supervise/notices")
    check_a11y(page)
    page.locator("a[href*='/supervise/notices/']").first.click()
    page.wait_for_load_state()
    notice_url = page.url
    page.get_by_role("link", name="报送整改情况").first.click()
    check_a11y(page)
    page.get_by_label("整改情况").fill("已完成整改，相关信息已在政府网站公开。")
    page.get_by_label("完成进度（%，填100表示已整改到位并申请销号）").fill("100")
    page.get_by_role("button", name="报送整改情况").click()
    page.wait_for_load_state()
    logout(page)

    login(page, server, "duban")
    page.goto(notice_url)
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="核实销号").first.click()
    page.wait_for_load_state()
    assert "核实销号。" in page.content()
    check_a11y(page)
    docx_path = _download(page, lambda: page.locator("a[href$='.docx']").first.click())
    doc = Document(str(docx_path))
    assert doc.tables and len(doc.tables[0].rows) >= 2


def test_anonymous_visitor_sees_the_public_page_without_internal_data(server, live_app, page):
    from tracker.accounts.models import User
    from tracker.extensions import db
    from tracker.plans.models import Plan

    plan_id = _plan_id(live_app)
    with live_app.app_context():
        db.session.get(Plan, plan_id).is_published = True
        db.session.commit()
        names = [u.display_name for u in db.session.scalars(sa.select(User))]
    resp = page.goto(f"{server}/public/plans/{plan_id}")
    assert resp.status == 200
    check_a11y(page)
    html = page.content()
    assert "运城市2021年政务公开工作要点" in html
    assert "请补充决算公开的链接" not in html  # a returned report's comment
    assert ".pdf" not in html and ".png" not in html  # evidence files
    assert not [n for n in names if n in html]
    assert page.get_by_role("button", name="退出登录").count() == 0

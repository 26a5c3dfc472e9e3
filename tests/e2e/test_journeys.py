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

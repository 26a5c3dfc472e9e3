"""A 领导批示 item, clicked through in Chromium (issue 16): the supervisor opens it for two units,
one reports and is approved, the other is overdue at a later date, and merging that unit into
another moves the open item. The journey makes its own units and reporter, so the shared demo
data other journeys use is not changed."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.e2e.helpers import check_a11y, login, logout

UNIT_A = "运城市交办测试甲局"
UNIT_B = "运城市交办测试乙局"
UNIT_C = "运城市交办测试丙局"
REPORTER = "jiaoban_a"
TITLE = "落实市长批示：公开城区停车收费标准"


def _setup(live_app) -> dict[str, int]:
    from tracker.accounts import services as accounts
    from tracker.extensions import db
    from tracker.units import services as units
    from tracker.units.models import Unit

    with live_app.app_context():
        city = db.session.scalar(sa.select(Unit).where(Unit.name == "运城市人民政府"))
        ids = {}
        for name in (UNIT_A, UNIT_B, UNIT_C):
            ids[name] = units.create_unit(None, name=name, kind="city_dept", parent=city, category="B").id
        accounts.create_user(None, username=REPORTER, display_name="甲局填报员", role="reporter",
                             password="demo-2021", unit=db.session.get(Unit, ids[UNIT_A]))
        db.session.commit()
    return ids


def _assignments(live_app) -> dict[str, int]:
    from tracker.extensions import db
    from tracker.plans.models import Assignment, Task
    from tracker.units.models import Unit

    with live_app.app_context():
        rows = db.session.execute(
            sa.select(Unit.name, Assignment.id).join(Unit, Unit.id == Assignment.unit_id)
            .join(Task, Task.id == Assignment.task_id).where(Task.title == TITLE)).all()
        return dict(rows)


def test_a_leaders_instruction_item_from_opening_to_merge(server, live_app, page):
    ids = _setup(live_app)
    today = date.today()
    due = today + timedelta(days=7)
    later = (due + timedelta(days=10)).isoformat()

    login(page, server, "duban")
    page.get_by_role("link", name="交办件").click()
    check_a11y(page)
    page.get_by_label("来源", exact=True).select_option("领导批示")
    page.get_by_label("来源文件编号").fill("运领批〔2021〕15号")
    page.get_by_label("交办事项").fill(TITLE)
    page.get_by_label("批示或议定内容").fill("请甲局牵头、乙局配合，一周内公开城区停车收费标准。")
    page.get_by_label("牵头单位（可多选）").select_option(label=UNIT_A)
    page.get_by_label("责任单位（可多选）").select_option(label=UNIT_B)
    page.get_by_label("办理时限").fill(due.isoformat())
    page.get_by_label("专项督办名称（可空）").fill("停车收费专项督办")
    page.get_by_role("button", name="新建交办件").click()
    page.wait_for_load_state()
    check_a11y(page)
    content = page.content()
    assert "已新建交办件并通知承办单位。" in content and "运领批〔2021〕15号" in content
    assert UNIT_A in content and UNIT_B in content
    item_url = page.url
    plan_id = int(item_url.split("/plans/")[1].split("/")[0])
    logout(page)

    assignment = _assignments(live_app)[UNIT_A]
    login(page, server, REPORTER)
    page.get_by_role("link", name="我的任务").click()
    assert TITLE in page.content()
    page.goto(f"{server}/assignments/{assignment}")
    page.get_by_label("进展情况").fill("已在政府网站公开城区停车收费标准。")
    page.get_by_label("完成进度（%）").fill("100")
    page.get_by_label("申请办结").check()
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    logout(page)

    login(page, server, "duban")
    page.get_by_role("link", name="审核").click()
    page.locator("tr", has_text="已在政府网站公开城区停车收费标准").get_by_role("button", name="通过").click()
    page.wait_for_load_state()
    # due date not reached: nothing overdue; ten days after it, only the unit that did not report
    page.goto(f"{server}/dashboard/overdue?plan={plan_id}&as_of={today.isoformat()}")
    assert UNIT_B not in page.content()
    page.goto(f"{server}/dashboard/overdue?plan={plan_id}&as_of={later}")
    check_a11y(page)
    content = page.content()
    assert UNIT_B in content and UNIT_A not in content
    logout(page)

    login(page, server, "admin")
    page.goto(f"{server}/admin/units/{ids[UNIT_B]}")
    check_a11y(page)
    page.get_by_label("并入单位").select_option(label=UNIT_C)
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="并入", exact=True).click()
    page.wait_for_load_state()
    assert f"“{UNIT_B}”已并入“{UNIT_C}”：转入在办任务1项" in page.content()
    logout(page)

    login(page, server, "duban")
    page.goto(item_url)
    content = page.content()
    assert UNIT_C in content and UNIT_B not in content
    page.goto(f"{server}/dashboard/overdue?plan={plan_id}&as_of={later}")
    content = page.content()
    assert UNIT_C in content and UNIT_B not in content

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.dashboard.conftest import AS_OF, utc
from tests.dashboard.helpers import drill_links, list_total, mismatches
from tests.factories import PlanFactory
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.inbox.services import notify_unit

Q = f"as_of={AS_OF.isoformat()}"


def page(client, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.status_code)
    return resp.get_data(as_text=True)


def test_dashboard_per_role(client, auth, scene, world):
    url = f"/dashboard/?plan={world.plan.id}&{Q}"
    for user in (world.leader, world.supervisor, world.admin):
        auth.login(user)
        html = page(client, url)
        assert "督办总览" in html and world.plan.title in html
        assert "各单位承办状态" in html and "<svg" in html
        assert ("起草通报" in html) == (user.role == "supervisor")
        assert ("发布到公开页面" in html) == (user.role == "supervisor")
        auth.logout()
    auth.login(world.reporter)
    assert client.get(url).status_code == 403
    auth.logout()
    assert "/login" in client.get(url).headers["Location"]


def test_glance_numbers(client, auth, scene, world):
    auth.login(world.leader)
    html = page(client, f"/dashboard/?plan={world.plan.id}&{Q}")
    counts = {href.split("status=")[1].split("&")[0]: n for n, href in drill_links(html)[:5] if "status=" in href}
    assert counts == {"completed": 3, "on_track": 4, "due_soon": 1, "overdue": 2}
    assert "30.0%" in html
    # The admin also sees the unit outside the city's subtree.
    auth.logout()
    auth.login(world.admin)
    html = page(client, f"/dashboard/?plan={world.plan.id}&{Q}")
    assert "别市财政局" in html


def test_every_dashboard_number_equals_its_list(client, auth, scene, world):
    auth.login(world.leader)
    for extra in ("", "&category=A", "&category=B"):
        html = page(client, f"/dashboard/?plan={world.plan.id}&{Q}{extra}")
        checked, bad = mismatches(client, html)
        assert bad == [] and checked >= 20, (extra, checked, bad)


def test_every_number_equals_its_list_for_the_admin_on_another_date(client, auth, scene, world):
    auth.login(world.admin)
    html = page(client, f"/dashboard/?plan={world.plan.id}&as_of=2021-09-05")
    checked, bad = mismatches(client, html)
    assert bad == [] and checked >= 20


def test_default_plan_and_today(client, auth, scene, world):
    auth.login(world.leader)
    html = page(client, "/dashboard/")
    assert world.plan.title in html  # the only plan in the leader's subtree


def test_bad_input(client, auth, scene, world):
    auth.login(world.leader)
    html = page(client, f"/dashboard/?plan={world.plan.id}&as_of=2021-13-45", 400)
    assert "日期格式不正确" in html
    assert "日期格式不正确" in page(client, f"/dashboard/assignments?plan={world.plan.id}&as_of=yesterday", 400)
    page(client, "/dashboard/?plan=999999", 404)
    page(client, f"/dashboard/?plan={world.other_plan.id}", 404)  # another city's plan
    page(client, f"/dashboard/assignments?plan={world.other_plan.id}", 404)
    page(client, f"/dashboard/assignments?plan={world.plan.id}&unit={world.other_dept.id}", 404)
    assert "考核类别" in page(client, f"/dashboard/?plan={world.plan.id}&category=C", 400)
    assert "状态只能是" in page(client, f"/dashboard/assignments?plan={world.plan.id}&status=late", 400)
    assert "编号不正确" in page(client, "/dashboard/?plan=abc", 400)
    page(client, "/dashboard/?plan=99999999999999999999999", 400)  # beyond any id: refused before the view
    assert "统计日期应在" in page(client, f"/dashboard/?plan={world.plan.id}&as_of=9999-12-31", 400)
    # The other city's supervisor does not see this city's plan.
    auth.logout()
    auth.login(world.other_supervisor)
    page(client, f"/dashboard/?plan={world.plan.id}", 404)


def test_plan_without_tasks_shows_a_message(client, auth, world):
    empty = PlanFactory(unit=world.city)
    auth.login(world.leader)
    html = page(client, f"/dashboard/?plan={empty.id}")
    assert "尚无任务或承办单位" in html and "<svg" not in html


def test_no_plan_at_all(client, auth, world):
    auth.login(world.other_supervisor)
    db.session.delete(world.a_other)
    db.session.delete(world.other_plan)
    db.session.flush()
    assert "暂无可查看的工作要点" in page(client, "/dashboard/")


def test_ranking_sort_is_server_side(client, auth, scene, world):
    auth.login(world.leader)
    base = f"/dashboard/?plan={world.plan.id}&{Q}"

    def order(html: str) -> list[str]:
        names = ["测试市财政局", "测试市审计局", "测试县人民政府", "测试县财政局"]
        table = html[html.index("各单位落实情况"):html.index("各部分任务落实情况")]
        return sorted(names, key=table.index)

    assert order(page(client, base)) == ["测试市财政局", "测试县人民政府", "测试县财政局", "测试市审计局"]
    assert order(page(client, base + "&sort=rate&order=desc"))[0] == "测试县人民政府"
    assert order(page(client, base + "&sort=name&order=desc")) == ["测试市财政局", "测试市审计局", "测试县财政局", "测试县人民政府"]
    assert 'aria-sort="descending"' in page(client, base + "&sort=days")
    page(client, base + "&sort=nonsense")  # an unknown key falls back to the default


def test_category_filter(client, auth, scene, world):
    auth.login(world.leader)
    html = page(client, f"/dashboard/?plan={world.plan.id}&{Q}&category=A")
    table = html[html.index("各单位落实情况"):html.index("各部分任务落实情况")]
    assert "测试县人民政府" in table and "测试市财政局" not in table


def test_assignment_list_shows_status_and_working_days(app, client, auth, scene, world):
    auth.login(world.supervisor)
    html = page(client, f"/dashboard/assignments?plan={world.plan.id}&{Q}&status=overdue")
    assert 'data-total="2"' in html
    assert "公开预决算信息" in html and "持续推进公开平台建设" in html
    assert ">11<" in html and ">3<" in html  # working days overdue of a1 and a8
    if "exports.ledger" in app.view_functions:
        href = f"/exports/ledger?as_of={AS_OF.isoformat()}&amp;plan={world.plan.id}&amp;status=overdue"
        assert f'href="{href}">导出台账' in html
        resp = client.get(href.replace("&amp;", "&"))
        assert resp.status_code == 200 and "spreadsheetml" in resp.headers["Content-Type"]
    else:
        assert "导出台账" not in html
    assert list_total(client, f"/dashboard/assignments?plan={world.plan.id}&{Q}&unit={world.county.id}") == 3


def test_overdue_summary(client, auth, scene, world):
    from tracker.supervise.models import Reminder

    # Only the sweep's rows count as issued; an inbox message about the assignment is not a reminder.
    notify_unit(world.finance.id, kind="reminder", title="催办：公开预决算信息", object_type="assignment",
                object_id=scene.a1.id, dedupe_key=f"remind:{scene.a1.id}")
    db.session.add(Reminder(assignment_id=scene.a1.id, unit_id=world.finance.id, stage="overdue",
                            due_on=scene.a1.due_on, sweep_on=AS_OF))
    db.session.add(Reminder(assignment_id=scene.a1.id, unit_id=world.finance.id, stage="due_soon",
                            due_on=scene.a1.due_on, sweep_on=AS_OF + timedelta(days=1)))  # after the date asked
    db.session.flush()
    auth.login(world.leader)
    html = page(client, f"/dashboard/overdue?plan={world.plan.id}&{Q}")
    fin, county = html.index("1. 测试市财政局"), html.index("2. 测试县人民政府")
    assert fin < county  # worst first
    assert "累计逾期 11 个工作日" in html and "催办 1 次" in html and "未报送" in html
    assert "据此起草通报" not in html  # the draft is the supervisor's
    auth.logout()
    auth.login(world.supervisor)
    assert "据此起草通报" in page(client, f"/dashboard/overdue?plan={world.plan.id}&{Q}")
    auth.logout()
    auth.login(world.reporter)
    assert client.get(f"/dashboard/overdue?plan={world.plan.id}").status_code == 403


def test_circular_draft(client, auth, scene, world):
    auth.login(world.supervisor)
    html = page(client, f"/dashboard/circular?plan={world.plan.id}&{Q}")
    assert "草稿" in html and "2021年9月15日" in html
    assert "1. 测试市财政局：承办3项，已办结0项，逾期1项，累计逾期11个工作日。" in html
    assert "逾期未办结2个，涉及2个单位" in html
    auth.logout()
    auth.login(world.leader)
    assert client.get(f"/dashboard/circular?plan={world.plan.id}").status_code == 403


def test_publish_and_unpublish_are_audited(client, auth, world):
    auth.login(world.supervisor)
    resp = client.post(f"/dashboard/plans/{world.plan.id}/publish", data={"published": "1"})
    assert resp.status_code == 302
    assert world.plan.is_published is True
    assert client.get(f"/public/plans/{world.plan.id}").status_code == 200
    assert "已公开" in page(client, f"/dashboard/?plan={world.plan.id}")
    # Publishing twice is refused with a message.
    assert "已公开" in client.post(f"/dashboard/plans/{world.plan.id}/publish",
                                 data={"published": "1"}).get_data(as_text=True)
    assert client.post(f"/dashboard/plans/{world.plan.id}/publish", data={"published": "0"}).status_code == 302
    assert world.plan.is_published is False
    actions = list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "plan", AuditEvent.object_id == world.plan.id)
        .order_by(AuditEvent.id)))
    assert actions == ["plan.publish", "plan.unpublish"]
    assert client.get(f"/public/plans/{world.plan.id}").status_code == 404
    assert client.post(f"/dashboard/plans/{world.other_plan.id}/publish", data={"published": "1"}).status_code == 404
    assert client.post(f"/dashboard/plans/{world.plan.id}/publish", data={}).status_code == 400
    assert client.post("/dashboard/plans/99999999999999999999999/publish", data={"published": "1"}).status_code == 404


def test_publish_form_carries_csrf_and_a_confirmation(app, client, auth, world):
    auth.login(world.supervisor)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        url = f"/dashboard/plans/{world.plan.id}/publish"
        assert client.post(url, data={"published": "1"}).status_code == 400
        assert world.plan.is_published is False
        html = page(client, f"/dashboard/?plan={world.plan.id}")
        form = html[html.index(f'action="{url}"'):]
        form = form[:form.index("</form>")]
        assert "data-confirm=\"" in form and "onsubmit" not in form
        token = form.split('name="csrf_token" value="')[1].split('"')[0]
        assert client.post(url, data={"published": "1", "csrf_token": token}).status_code == 302
        assert world.plan.is_published is True
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_leader_cannot_publish(client, auth, world):
    auth.login(world.leader)
    assert client.post(f"/dashboard/plans/{world.plan.id}/publish", data={"published": "1"}).status_code == 403
    assert world.plan.is_published is False


PAGES = {
    # page -> roles allowed (everyone else gets 403; anonymous goes to the login page)
    "/dashboard/?plan={plan}": {"admin", "supervisor", "leader"},
    "/dashboard/assignments?plan={plan}&status=overdue": {"admin", "supervisor", "leader"},
    "/dashboard/overdue?plan={plan}": {"admin", "supervisor", "leader"},
    "/dashboard/circular?plan={plan}": {"supervisor"},
}


@pytest.mark.parametrize("role", ["admin", "supervisor", "leader", "reporter"])
def test_pages_per_role(client, auth, scene, world, role):
    user = {"admin": world.admin, "supervisor": world.supervisor, "leader": world.leader,
            "reporter": world.reporter}[role]
    auth.login(user)
    for url, allowed in PAGES.items():
        resp = client.get(url.format(plan=world.plan.id) + f"&{Q}")
        assert resp.status_code == (200 if role in allowed else 403), (role, url)
        if resp.status_code == 200:
            html = resp.get_data(as_text=True)
            assert html.count("<h1") == 1 and "<title>" in html


def test_overdue_summary_shows_the_last_report(client, auth, scene, world):
    from tracker.reports.models import ProgressReport

    db.session.add(ProgressReport(assignment_id=scene.a1.id, unit_id=world.finance.id, status="returned",
                                  text="进展", submitted_at=utc(2021, 9, 8, 2, 0)))
    db.session.flush()
    auth.login(world.leader)
    html = page(client, f"/dashboard/overdue?plan={world.plan.id}&{Q}")
    section = html[html.index("1. 测试市财政局"):html.index("2. 测试县人民政府")]
    assert "2021-09-08" in section and "已退回" in section


def test_due_soon_window_is_configurable(app, client, auth, scene, world):
    auth.login(world.leader)
    before = app.config["DUE_SOON_WORKDAYS"]
    app.config["DUE_SOON_WORKDAYS"] = 0
    try:
        # With no look-ahead only items due on as_of itself are due soon; a4 is due the next day.
        assert list_total(client, f"/dashboard/assignments?plan={world.plan.id}&{Q}&status=due_soon") == 0
    finally:
        app.config["DUE_SOON_WORKDAYS"] = before
    assert list_total(client, f"/dashboard/assignments?plan={world.plan.id}&{Q}&status=due_soon") == 1


def test_score_column_from_the_latest_assessment_version(client, auth, scene, world):
    from tracker.assessment import services as assessment
    from tracker.assessment.queries import ScoreSheet
    from tracker.config import PROJECT_ROOT

    auth.login(world.leader)
    url = f"/dashboard/?plan={world.plan.id}&{Q}"
    html = page(client, url)
    assert "尚未计算考核结果" in html and "考核得分</a>" not in html
    assessment.save_rubric(None, (PROJECT_ROOT / "seeds" / "rubric.yaml").read_text(encoding="utf-8"), year=2021)
    version = assessment.compute_version(None, world.plan, AS_OF)
    db.session.flush()
    sheet = ScoreSheet.of(version)
    html = page(client, url + "&sort=score")
    assert f"第{version.number}版考核结果" in html and 'aria-sort="ascending"' in html
    finance = sheet.unit(world.finance.id)
    assert finance is not None
    # The link keeps the date the dashboard was asked for.
    link = f'/assessment/versions/{version.id}/units/{world.finance.id}?as_of={AS_OF.isoformat()}">{finance["total"]}</a>'
    assert link in html

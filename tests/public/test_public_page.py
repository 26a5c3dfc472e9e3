from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.dashboard.conftest import build_scene, utc
from tests.factories import AssignmentFactory, TaskFactory, UnitFactory
from tracker.accounts.models import User
from tracker.extensions import db
from tracker.public.views import page_cache
from tracker.reports.models import Evidence, ProgressReport

FUTURE = date(2099, 12, 31)


@pytest.fixture(autouse=True)
def fresh_cache(app):
    # Ids repeat between rolled-back tests, so a page cached by one test must not reach the next.
    page_cache(app).clear()
    yield
    page_cache(app).clear()


@pytest.fixture
def published(world):
    """The scene's plan, published, with one task per public status and reports of every kind."""
    scene = build_scene(world)
    plan = world.plan
    plan.is_published = True
    for a in (world.a_fin, world.a_aud):
        a.due_on = FUTURE  # the first task is simply in progress, whatever today is
    done = TaskFactory(plan=plan, ref="5", title="编制政务公开年度报告", section="二、强化政策解读",
                       deadline=date(2021, 1, 31))
    AssignmentFactory(task=done, unit=world.county, status="completed", progress=100,
                      completed_at=utc(2021, 1, 20, 2, 0))
    grouped = TaskFactory(plan=plan, ref="6", title="公开重大建设项目信息", deadline=FUTURE)
    for name in ("甲县人民政府", "乙县人民政府"):
        AssignmentFactory(task=grouped, unit=UnitFactory(name=name, parent=world.city, kind="county_gov"),
                          source_phrase="各县（市、区）人民政府")
    internal = ProgressReport(
        assignment_id=scene.a1.id, unit_id=scene.a1.unit_id, author_id=world.reporter.id,
        text="内部进展：预算公开材料尚在审核ZQX", status="approved", is_public=False,
        submitted_at=utc(2021, 9, 1, 2, 0), reviewed_at=utc(2021, 9, 2, 2, 0), reviewer_id=world.supervisor.id,
        review_comment="督查意见：佐证不足KJW", target_values={"公开率": 88.0}, links=["https://intranet.example/x"],
    )
    returned = ProgressReport(
        assignment_id=scene.a4.id, unit_id=scene.a4.unit_id, author_id=world.reporter.id,
        text="被退回的报告文本RTN", status="returned", is_public=True,
        submitted_at=utc(2021, 9, 3, 2, 0), review_comment="请补充RTC",
    )
    public = ProgressReport(
        assignment_id=world.a_aud.id, unit_id=world.a_aud.unit_id, author_id=world.reporter2.id,
        text="已在门户网站开设财政信息专栏PUB", status="approved", is_public=True,
        submitted_at=utc(2021, 9, 4, 2, 0), reviewer_id=world.supervisor.id, review_comment="同意公开CMT",
    )
    db.session.add_all([internal, returned, public])
    db.session.flush()
    db.session.add(Evidence(report_id=internal.id, sha256="a" * 64, size=10, original_name="内部佐证材料EVD.pdf",
                            content_type="application/pdf"))
    db.session.flush()
    return scene


def get(client, plan_id: int):
    return client.get(f"/public/plans/{plan_id}")


def test_public_page_shows_tasks_units_deadlines_and_status(client, world, published):
    resp = get(client, world.plan.id)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert world.plan.title in html and "测政办发〔2021〕1号" in html
    for title in ("做好财政信息公开", "公开预决算信息", "编制政务公开年度报告", "持续推进公开平台建设"):
        assert title in html
    assert "牵头：测试市财政局" in html and "测试市审计局" in html
    # A group phrase is shown as the document wrote it, not as its member list.
    assert "责任：各县（市、区）人民政府" in html and "甲县人民政府" not in html
    assert "2021年8月31日" in html and "8月底前" in html
    assert '<span class="pub-status in_progress">推进中</span>' in html
    assert '<span class="pub-status completed">已完成</span>' in html
    assert '<span class="pub-status overdue">已逾期</span>' in html
    # 最近更新 is the newest public report's time (2021-09-04 10:00 Beijing), never the render time.
    assert "最近更新：" in html and "2021-09-04 10:00" in html and "一、扩大公开范围" in html
    rows = html[html.index("<tbody>"):]
    assert rows.count('class="text-nowrap last-update">2021年9月4日<') == 1  # only the task with the public report
    assert "已在门户网站开设财政信息专栏PUB" in html  # approved and marked public
    assert html.count("<h1") == 1 and f"<title>{world.plan.title}" in html


def test_public_deadline_never_reads_a_date_beside_no_deadline(client, world, published):
    from tests.factories import TaskFactory

    TaskFactory(plan=world.plan, title="文件未写时限的任务", deadline=date(2021, 12, 31), deadline_kind="default",
                deadline_text=None)
    db.session.flush()
    from tracker.public.views import invalidate

    invalidate(world.plan.id)
    html = get(client, world.plan.id).get_data(as_text=True)
    row = html[html.index("文件未写时限的任务"):]
    row = row[:row.index("</tr>")]
    assert "2021年12月31日" in row and "文件未明确时限，按年底计" in row and "未明确时限<" not in row


def test_public_page_leaks_no_internal_fields_and_no_names(client, world, published):
    html = get(client, world.plan.id).get_data(as_text=True)
    for secret in ("ZQX", "KJW", "RTN", "RTC", "CMT", "EVD", "intranet.example", "88.0", "内部佐证"):
        assert secret not in html, secret
    people = db.session.scalars(sa.select(User)).all()
    assert len(people) >= 6
    for user in people:
        assert user.display_name not in html, user.display_name
        assert f">{user.username}<" not in html
    assert "退出登录" not in html and "csrf_token" not in html


def test_logged_in_visitor_gets_the_same_anonymous_page(client, auth, world, published):
    auth.login(world.supervisor)
    html = get(client, world.plan.id).get_data(as_text=True)
    assert world.supervisor.display_name not in html and "退出登录" not in html


def test_unpublished_or_unknown_plan_is_404(client, world, published):
    assert get(client, world.other_plan.id).status_code == 404
    assert get(client, 999999).status_code == 404
    assert client.get("/public/plans/abc").status_code == 404
    assert client.get("/public/plans/99999999999999999999999").status_code == 404


def test_page_is_cached_and_shows_when_it_was_rendered(app, client, world, published):
    first = get(client, world.plan.id)
    assert first.headers["X-Cache"] == "miss"
    second = get(client, world.plan.id)
    assert second.headers["X-Cache"] == "hit"
    assert second.get_data(as_text=True) == first.get_data(as_text=True)
    # A change to the plan's tasks gives it a new data version: the next reader gets a fresh page.
    published.t1.title = "改过的标题"
    db.session.flush()
    third = get(client, world.plan.id)
    assert third.headers["X-Cache"] == "miss" and "改过的标题" in third.get_data(as_text=True)


def test_ttl_comes_from_the_settings(app, client, world, published):
    app.config["PUBLIC_CACHE_SECONDS"] = 0
    try:
        assert get(client, world.plan.id).headers["X-Cache"] == "miss"
        assert get(client, world.plan.id).headers["X-Cache"] == "miss"
    finally:
        app.config.pop("PUBLIC_CACHE_SECONDS")


def test_unpublishing_hides_a_cached_page_at_once(client, auth, world, published):
    assert get(client, world.plan.id).status_code == 200
    # Another worker unpublished it: this process still holds the page, but must not serve it.
    world.plan.is_published = False
    db.session.flush()
    assert get(client, world.plan.id).status_code == 404


def test_publishing_through_the_dashboard_invalidates_the_cache(client, auth, world, published):
    assert get(client, world.plan.id).headers["X-Cache"] == "miss"
    assert get(client, world.plan.id).headers["X-Cache"] == "hit"
    auth.login(world.supervisor)
    assert client.post(f"/dashboard/plans/{world.plan.id}/publish", data={"published": "0"}).status_code == 302
    assert client.post(f"/dashboard/plans/{world.plan.id}/publish", data={"published": "1"}).status_code == 302
    assert get(client, world.plan.id).headers["X-Cache"] == "miss"


def test_public_index_lists_published_plans_only(client, world, published):
    html = client.get("/public/plans").get_data(as_text=True)
    assert world.plan.title in html and world.other_plan.title not in html


def test_a_public_report_shows_on_its_own_plans_page_only(client, world, published):
    """Reports carry their assignment's plan; the page reads that plan's public reports only."""
    other = ProgressReport(
        assignment_id=world.a_other.id, unit_id=world.a_other.unit_id, text="别市的公开进展OTH",
        status="approved", is_public=True, submitted_at=utc(2021, 9, 5, 2, 0),
    )
    db.session.add(other)
    db.session.flush()
    assert other.plan_id == world.other_plan.id
    world.other_plan.is_published = True
    db.session.flush()
    assert "别市的公开进展OTH" not in get(client, world.plan.id).get_data(as_text=True)
    assert "别市的公开进展OTH" in get(client, world.other_plan.id).get_data(as_text=True)


def test_withdrawing_a_report_shows_at_once_on_another_worker(app, client, auth, world, published):
    """Two workers, each with its own page cache: the one that did not withdraw must not serve the text."""
    from tracker import create_app

    other_worker = create_app({**app.config})
    assert "已在门户网站开设财政信息专栏PUB" in get(client, world.plan.id).get_data(as_text=True)
    assert get(client, world.plan.id).headers["X-Cache"] == "hit"
    report = db.session.scalar(sa.select(ProgressReport).where(ProgressReport.text.contains("PUB")))
    worker = other_worker.test_client()
    assert worker.post("/login", data={"username": world.supervisor.username, "password": "password123"}).status_code == 302
    assert worker.post(f"/reports/{report.id}/public", data={"public": "0"}).status_code == 302
    db.session.refresh(report)  # written through the other worker's session
    assert report.is_public is False
    resp = get(client, world.plan.id)
    assert resp.headers["X-Cache"] == "miss"
    assert "PUB" not in resp.get_data(as_text=True)
    assert get(client, world.plan.id).headers["X-Cache"] == "hit"  # cached again, under the new version

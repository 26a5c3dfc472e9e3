"""The look-back (回头看): numbered notices per unit, idempotency, answers, close-out and return."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa

from tests.factories import PlanFactory, TaskFactory
from tracker.errors import ServiceError
from tracker.extensions import db
from tracker.reports.models import ProgressReport
from tracker.supervise import services
from tracker.supervise.models import RectificationItem, RectificationNotice

from .conftest import count, inbox, make_assignment, settle

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def reviewed(world):
    """The world's plan with a mix of finished, unfinished, cooperating and default-deadline assignments."""
    t1 = TaskFactory(plan=world.plan, deadline=date(2021, 6, 30), deadline_kind="date", title="公开预算执行情况", ref="2")
    make_assignment(world, world.finance, date(2021, 6, 30), task=t1, role="lead")
    make_assignment(world, world.audit, date(2021, 6, 30), task=t1, status="completed")
    make_assignment(world, world.county, date(2021, 6, 30), task=t1, role="cooperating")
    make_assignment(world, world.finance, date(2021, 12, 31), kind="default", deadline_text=None)
    t3 = TaskFactory(plan=world.plan, deadline=date(2021, 12, 31), deadline_kind="year_end", ref="3")
    make_assignment(world, world.audit, date(2021, 12, 31), task=t3, status="in_progress")
    t4 = TaskFactory(plan=world.plan, deadline=None, deadline_kind="continuous", ref="4")
    make_assignment(world, world.county, None, kind="continuous", task=t4)
    t5 = TaskFactory(plan=world.plan, deadline=date(2021, 1, 31), deadline_kind="recurring",
                     deadline_detail={"recurrence": "yearly"}, ref="5")
    later = make_assignment(world, world.finance, date(2023, 1, 31), kind="recurring", task=t5)
    later.instance = 2  # next year's instance: not due at the look-back
    db.session.flush()
    return world


def _notices(plan_id):
    return db.session.scalars(sa.select(RectificationNotice).where(RectificationNotice.plan_id == plan_id)
                              .order_by(RectificationNotice.number)).all()


def test_lookback_lists_unfinished_items_per_unit(reviewed):
    w = reviewed
    result = services.lookback(w.plan, date(2022, 1, 20), actor=w.supervisor)

    assert result.to_json() == {"notices": 3, "items": 5, "units": 3}
    assert result.due_on == date(2022, 2, 15)  # 15 working days across the Spring Festival
    notices = _notices(w.plan.id)
    assert [(n.unit_id, n.doc_number, n.due_on) for n in notices] == [
        (w.finance.id, "测政办整改〔2022〕1号", date(2022, 2, 15)),
        (w.audit.id, "测政办整改〔2022〕2号", date(2022, 2, 15)),
        (w.county.id, "测政办整改〔2022〕3号", date(2022, 2, 15)),
    ]
    refs = {n.unit_id: sorted(i.assignment.task.ref for i in n.items) for n in notices}
    assert refs == {w.finance.id: ["1", "2"], w.audit.id: ["1", "3"], w.county.id: ["4"]}
    assert [n.title for n in inbox(w.reporter)] == ["整改通知 测政办整改〔2022〕1号：请逐项整改并报送整改情况"]


def test_lookback_twice_creates_nothing(reviewed):
    w = reviewed
    services.lookback(w.plan, date(2022, 1, 20))
    before = (count(RectificationNotice), count(RectificationItem), len(inbox(w.reporter)))
    again = services.lookback(w.plan, date(2022, 1, 21))
    assert again.to_json() == {"notices": 0, "items": 0, "units": 0}
    assert "均已列入整改通知" in again.message
    assert (count(RectificationNotice), count(RectificationItem), len(inbox(w.reporter))) == before


def test_item_that_becomes_unfinished_joins_the_existing_notice(reviewed):
    w = reviewed
    w.a_other.status = "completed"
    services.lookback(w.plan, date(2022, 1, 20))
    late = make_assignment(w, w.finance, date(2021, 11, 30), ref="6")
    result = services.lookback(w.plan, date(2022, 1, 25))
    assert result.to_json() == {"notices": 0, "items": 1, "units": 1}
    notice = db.session.scalar(sa.select(RectificationItem).where(RectificationItem.assignment_id == late.id)).notice
    assert notice.doc_number == "测政办整改〔2022〕1号"


def test_plan_with_nothing_unfinished_says_so(world):
    settle(world)
    result = services.lookback(world.plan, date(2022, 1, 20))
    assert result.to_json() == {"notices": 0, "items": 0, "units": 0}
    assert result.message.startswith(f"《{world.plan.title}》没有逾期未完成的事项")
    assert count(RectificationNotice) == 0


def test_numbers_are_never_reused(reviewed, app):
    w = reviewed
    services.lookback(w.plan, date(2022, 1, 20))
    db.session.delete(_notices(w.plan.id)[-1])
    db.session.flush()
    other = PlanFactory(unit=w.city, doc_number="测政办发〔2021〕9号")
    make_assignment(w, w.finance, date(2021, 5, 1), plan=other)
    services.lookback(other, date(2022, 3, 1))
    assert [n.doc_number for n in _notices(other.id)] == ["测政办整改〔2022〕4号"]


def test_prefix_from_config_and_argument(reviewed, app):
    w = reviewed
    app.config["TRACKER_NOTICE_PREFIX"] = "测督整改"
    try:
        result = services.lookback(w.plan, date(2022, 1, 20))
    finally:
        del app.config["TRACKER_NOTICE_PREFIX"]
    assert result.prefix == "测督整改"
    assert _notices(w.plan.id)[0].doc_number == "测督整改〔2022〕1号"
    with pytest.raises(ServiceError, match="文号前缀"):
        services.lookback(w.plan, date(2022, 1, 20), prefix="坏〔前缀〕")


def test_rectifications_past_their_deadline_are_overdue_in_the_sweep(reviewed):
    w = reviewed
    services.lookback(w.plan, date(2022, 1, 20))
    assert services.sweep(date(2022, 2, 15)).rectifications_overdue == 0
    result = services.sweep(date(2022, 2, 16))
    assert result.rectifications_overdue == 5
    item = db.session.scalar(sa.select(RectificationItem).order_by(RectificationItem.id))
    assert item.overdue_since == date(2022, 2, 16)
    assert [n.title for n in inbox(w.reporter) if n.title.startswith("整改逾期")] == ["整改逾期：测政办整改〔2022〕1号 的整改时限已过"]
    assert services.sweep(date(2022, 2, 16)).rectifications_overdue == 5


def _finance_item(w) -> RectificationItem:
    return db.session.scalar(sa.select(RectificationItem).where(RectificationItem.unit_id == w.finance.id)
                             .order_by(RectificationItem.id))


def test_answer_close_and_return(reviewed, app):
    w = reviewed
    services.lookback(w.plan, date(2022, 1, 20))
    item = _finance_item(w)

    with pytest.raises(ServiceError) as refused:
        services.answer_item(w.reporter2, item, text="不是本单位的")
    assert refused.value.status == 404
    with pytest.raises(ServiceError, match="尚未报送"):
        services.close_item(w.supervisor, item)

    with app.test_request_context():
        report = services.answer_item(w.reporter, item, text="已在门户网站公开。", links="https://example.gov.cn/a",
                                      files=[("证明.png", BytesIO(PNG))])
    assert (item.status, item.report_id, report.status, report.is_close_request) == ("answered", report.id,
                                                                                    "submitted", True)
    assert [e.original_name for e in report.evidence] == ["证明.png"]
    assert [n.title for n in inbox(w.supervisor)] == [f"整改情况待核实：测政办整改〔2022〕1号（{w.finance.name}）"]
    with pytest.raises(ServiceError, match="不能重复报送"):
        services.answer_item(w.reporter, item, text="再报一次")

    with app.test_request_context():
        services.return_item(w.supervisor, item, reason="缺少公开链接截图")
    assert (item.status, item.return_reason, report.status) == ("returned", "缺少公开链接截图", "returned")

    with app.test_request_context():
        second = services.answer_item(w.reporter, item, text="已补充截图。", files=[("截图.png", BytesIO(PNG))])
        services.close_item(w.supervisor, item, comment="核实无误")
    assert (item.status, item.closed_by_id, item.report_id) == ("closed", w.supervisor.id, second.id)
    assert item.closed_at is not None
    assert (item.assignment.status, item.assignment.progress) == ("completed", 100)
    assert db.session.get(ProgressReport, second.id).status == "approved"
    with pytest.raises(ServiceError, match="已销号"):
        services.close_item(w.supervisor, item)


def test_partial_answer_closes_item_but_leaves_assignment_open(reviewed, app):
    w = reviewed
    services.lookback(w.plan, date(2022, 1, 20))
    item = _finance_item(w)
    with app.test_request_context():
        services.answer_item(w.reporter, item, text="正在推进。", progress="60")
        services.close_item(w.supervisor, item)
    assert item.status == "closed"
    assert item.assignment.status == "in_progress"


def test_item_whose_assignment_was_completed_meanwhile_can_be_closed(reviewed):
    w = reviewed
    services.lookback(w.plan, date(2022, 1, 20))
    item = _finance_item(w)
    item.assignment.status = "completed"
    db.session.flush()
    with pytest.raises(ServiceError) as refused:
        services.close_item(w.other_supervisor, item)
    assert refused.value.status == 403
    services.close_item(w.supervisor, item)
    assert item.status == "closed" and item.report_id is None

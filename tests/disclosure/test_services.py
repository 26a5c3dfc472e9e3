"""The register's writes: every event a dated step, the stored due date the clock's, refusals in Chinese."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.disclosure import services
from tracker.disclosure.models import DisclosureRequest
from tracker.errors import ServiceError
from tracker.extensions import db

from .conftest import AS_OF, register

D = date


def _actions(req):
    return [e.action for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "disclosure_request", AuditEvent.object_id == req.id).order_by(AuditEvent.id))]


def test_register_stores_the_clock_and_a_step(world, cal):
    req = register(world, cal=cal)
    # Received 2021-09-28: notice by 10-13, due 11-01 (counted in tests/disclosure/test_clock.py).
    assert (req.serial, req.state, req.due_on, req.correction_notice_by) == ("2021-0001", "open", D(2021, 11, 1), D(2021, 10, 13))
    assert [(s.kind, s.on, s.recorded_by_id) for s in req.steps] == [("received", D(2021, 9, 28), world.reporter.id)]
    assert _actions(req) == ["disclosure.register"]
    # The audit event does not carry the applicant's personal data.
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_id == req.id))
    assert "张三" not in str(event.after) and "13800001234" not in str(event.after)
    assert register(world, cal=cal, received=D(2021, 10, 8)).serial == "2021-0002"


def test_online_request_counts_from_the_confirmation_day(world, cal):
    # Sent online Thu 2021-09-23, confirmed by both sides Tue 2021-09-28: counted from 9-28, due 11-01.
    req = register(world, cal=cal, channel="online", received=D(2021, 9, 23), confirmed=D(2021, 9, 28))
    assert req.receipt_on == D(2021, 9, 28) and req.due_on == D(2021, 11, 1)


def test_correction_restarts_the_clock(world, cal):
    req = register(world, cal=cal)
    services.send_correction_notice(world.reporter, req, on=D(2021, 9, 30), reason="请明确所需信息的年度", as_of=AS_OF, calendar=cal)
    assert req.state == "correction"
    services.record_correction(world.reporter, req, on=D(2021, 10, 11), as_of=AS_OF, calendar=cal)
    # Counting restarts after 10-11: due 11-08 (hand count in test_clock.py, "correction").
    assert (req.state, req.due_on) == ("open", D(2021, 11, 8))
    assert [s.kind for s in req.steps] == ["received", "correction_notice", "corrected"]
    with pytest.raises(ServiceError, match="一次性告知"):
        services.send_correction_notice(world.reporter, req, on=D(2021, 10, 12), reason="再补", as_of=AS_OF, calendar=cal)


def test_consultation_pause_and_extension(world, cal):
    req = register(world, cal=cal, received=D(2021, 3, 1))
    services.start_pause(world.reporter, req, kind="third_party", start_on=D(2021, 3, 8), party="某某公司", as_of=D(2021, 3, 10), calendar=cal)
    # Open on 3-10: 3-8..3-10 do not count -> due 2021-04-01 (test_clock.py, open pause).
    assert req.due_on == D(2021, 4, 1)
    services.end_pause(world.reporter, req, end_on=D(2021, 3, 12), as_of=D(2021, 3, 12), calendar=cal)
    # 3-8..3-12 paused (5 days): 3-2..3-5 (1..4), 3-15..3-19 (5..9), 3-22..3-26 (10..14), 3-29..4-2 (15..19), 4-6 (20).
    assert req.due_on == D(2021, 4, 6)
    approved = datetime(2021, 3, 31, 7, 30, tzinfo=UTC)
    services.extend(world.reporter, req, days=3, approver="李主任", approved_at=approved, reason="涉及多个年度档案",
                    as_of=D(2021, 4, 1), calendar=cal)
    # 3 more counting days after 4-6: 4-7, 4-8, 4-9.
    assert (req.due_on, req.extension_approver, req.extension_approved_at) == (D(2021, 4, 9), "李主任", approved)
    with pytest.raises(ServiceError, match="只能批准一次"):
        services.extend(world.reporter, req, days=1, approver="李主任", approved_at=approved, reason="x", as_of=D(2021, 4, 1), calendar=cal)


def test_extension_after_the_deadline_is_refused(world, cal):
    req = register(world, cal=cal)  # due 2021-11-01
    late = datetime(2021, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai on 11-02
    with pytest.raises(ServiceError, match="期满后延长"):
        services.extend(world.reporter, req, days=5, approver="李主任", approved_at=late, reason="x", as_of=AS_OF, calendar=cal)
    on_time = datetime(2021, 11, 1, 8, 0, tzinfo=UTC)  # the due date itself is still in time
    services.extend(world.reporter, req, days=5, approver="李主任", approved_at=on_time, reason="x", as_of=AS_OF, calendar=cal)
    # 11-2..11-5 (21..24), 11-8 (25).
    assert req.due_on == D(2021, 11, 8)


def test_delayed_deadline(world, cal):
    req = register(world, cal=cal)
    with pytest.raises(ServiceError, match="应晚于法定答复期限"):
        services.set_delayed_deadline(world.reporter, req, due_on=D(2021, 11, 1), reason="数量巨大", as_of=AS_OF, calendar=cal)
    services.set_delayed_deadline(world.reporter, req, due_on=D(2021, 12, 31), reason="一个月内申请120件", as_of=AS_OF, calendar=cal)
    assert req.due_on == D(2021, 12, 31)


def test_fee_by_count_counts_the_applicants_month(world, cal):
    reqs = [register(world, cal=cal, received=D(2021, 9, 1 + i)) for i in range(11)]
    eleventh = reqs[-1]
    assert services.earlier_this_month(eleventh) == 10
    amount = services.send_fee_notice(world.reporter, eleventh, method="by_count", quantity=1, on=D(2021, 9, 13),
                                      as_of=AS_OF, calendar=cal)
    assert amount == Decimal(100) and eleventh.fee_amount == Decimal(100)
    # Another applicant's 1st application in the month is free: refused as needing no fee.
    other = register(world, cal=cal, name="李四", received=D(2021, 9, 13))
    with pytest.raises(ServiceError, match="不需收费"):
        services.send_fee_notice(world.reporter, other, method="by_count", quantity=1, on=D(2021, 9, 14), as_of=AS_OF, calendar=cal)


def test_fee_waiting_is_not_counted(world, cal):
    req = register(world, cal=cal, received=D(2021, 3, 1))
    services.send_fee_notice(world.reporter, req, method="by_volume", quantity=31, on=D(2021, 3, 8), as_of=D(2021, 3, 8), calendar=cal)
    assert req.fee_amount == Decimal(10)
    services.record_fee_paid(world.reporter, req, on=D(2021, 3, 12), as_of=D(2021, 3, 12), calendar=cal)
    # Waiting 3-8..3-12 does not count: due 2021-04-06 as with the 5-day consultation above.
    assert req.due_on == D(2021, 4, 6)


def test_answer_and_appeal(world, cal):
    req = register(world, cal=cal)
    services.answer(world.reporter, req, category="deny.third_party", on=D(2021, 11, 1), text="", as_of=AS_OF, calendar=cal)
    assert (req.state, req.answer_label) == ("answered", "（三）不予公开 · 4.保护第三方合法权益")
    appeal = services.add_appeal(world.reporter, req, kind="review", filed_on=D(2021, 11, 20), as_of=AS_OF)
    services.decide_appeal(world.reporter, appeal, result="upheld", decided_on=D(2022, 1, 10), as_of=AS_OF)
    assert appeal.result == "upheld"
    assert _actions(req)[-3:] == ["disclosure.answer", "disclosure.appeal", "disclosure.appeal_result"]


# --- the bad inputs the issue lists, each refused in Chinese ------------------------------------------


def test_received_in_the_future(world, cal):
    with pytest.raises(ServiceError, match="晚于今天"):
        register(world, cal=cal, received=D(2022, 3, 2))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DisclosureRequest)) == 0


def test_correction_after_the_answer(world, cal):
    req = register(world, cal=cal)
    services.send_correction_notice(world.reporter, req, on=D(2021, 9, 30), reason="不明确", as_of=AS_OF, calendar=cal)
    services.answer(world.reporter, req, category="other.no_correction", on=D(2021, 10, 29), text="", as_of=AS_OF, calendar=cal)
    with pytest.raises(ServiceError, match="已于2021-10-29答复，不能再登记补正"):
        services.record_correction(world.reporter, req, on=D(2021, 11, 2), as_of=AS_OF, calendar=cal)
    assert req.corrected_on is None


def test_extension_without_approver(world, cal):
    req = register(world, cal=cal)
    with pytest.raises(ServiceError, match="请填写审批人"):
        services.extend(world.reporter, req, days=5, approver="  ", approved_at=datetime(2021, 10, 20, tzinfo=UTC),
                        reason="x", as_of=AS_OF, calendar=cal)
    assert req.extension_days == 0


@pytest.mark.parametrize("category,message", [("不予公开", "下还有具体情形"), ("（三）不予公开", "下还有具体情形"),
                                              ("deny", "不是年度报告表格中的具体情形"), ("", "不是年度报告表格中的具体情形")])
def test_answer_category_not_a_leaf(world, cal, category, message):
    req = register(world, cal=cal)
    with pytest.raises(ServiceError, match=message):
        services.answer(world.reporter, req, category=category, on=D(2021, 10, 20), text="", as_of=AS_OF, calendar=cal)
    assert req.state == "open"


def test_applicant_type_outside_the_columns(world, cal):
    with pytest.raises(ServiceError, match="申请人类型只能是：自然人、商业企业"):
        register(world, cal=cal, applicant_type="个体工商户")


def test_fee_under_the_wrong_method(world, cal):
    req = register(world, cal=cal, received=D(2021, 3, 1))
    with pytest.raises(ServiceError, match="只能是按件计收或按量计收"):
        services.send_fee_notice(world.reporter, req, method="按时计收", quantity=40, on=D(2021, 3, 8), as_of=AS_OF, calendar=cal)
    services.send_fee_notice(world.reporter, req, method="by_volume", quantity=40, on=D(2021, 3, 8), as_of=AS_OF, calendar=cal)
    with pytest.raises(ServiceError, match="只能按一种标准计收"):
        services.send_fee_notice(world.reporter, req, method="by_count", quantity=12, on=D(2021, 3, 9), as_of=AS_OF, calendar=cal)
    assert (req.fee_method, req.fee_amount) == ("by_volume", Decimal(100))

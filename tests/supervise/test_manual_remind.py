"""Manual 催办 (issue 21): one reminder like the sweep's, counted once a day, refused where it makes no sense.

Dates: Thursday 14 October 2021 is "today"; an assignment due 30 September is overdue, one due
Monday 18 October is due soon (2 working days ahead, window 3), one due 20 October is on track.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.errors import ServiceError
from tracker.extensions import db
from tracker.plans.status import issued_events, reminders_issued
from tracker.supervise import queries, services
from tracker.supervise.models import Reminder
from tracker.supervise.remind import send_reminders

from .conftest import count, inbox, make_assignment, settle

D = date(2021, 10, 14)
D1 = date(2021, 10, 15)


@pytest.fixture
def items(world):
    settle(world)
    return {
        "late": make_assignment(world, world.finance, date(2021, 9, 30), title="逾期的任务"),
        "soon": make_assignment(world, world.finance, date(2021, 10, 18), title="临期的任务"),
        "later": make_assignment(world, world.audit, date(2021, 10, 20), title="尚早的任务"),
    }


def remind(world, *assignments, on=D, single=False):
    return send_reminders(world.supervisor, [a.id for a in assignments], today=on, single=single,
                          now=datetime(2021, 10, 14, 3, tzinfo=timezone.utc))


def rows():
    return sorted(tuple(r) for r in db.session.execute(sa.select(Reminder.assignment_id, Reminder.stage, Reminder.due_on,
                                               Reminder.sweep_on, Reminder.is_repeat)).all())


def test_a_manual_reminder_is_the_sweeps_row_with_who_sent_it(world, items):
    result = remind(world, items["late"], items["soon"])
    assert [r.assignment_id for r in result.sent] == [items["late"].id, items["soon"].id]
    assert rows() == [(items["late"].id, "overdue", date(2021, 9, 30), D, False),
                      (items["soon"].id, "due_soon", date(2021, 10, 18), D, False)]
    assert {r.sent_by_id for r in result.sent} == {world.supervisor.id}
    # the unit's 催办清单 (and its .docx) of that day lists both
    assert [r.assignment_id for r in queries.reminders_of(world.finance.id, D)] == [items["late"].id, items["soon"].id]
    # one message to the unit, with its counts; audited once per assignment
    titles = [n.title for n in inbox(world.reporter)]
    assert titles == ["催办：您单位有1项任务逾期、1项即将到期"]
    assert inbox(world.reporter2) == []
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "reminder.send")).all()
    assert sorted(e.object_id for e in audit) == [items["late"].id, items["soon"].id]
    assert "已向1个单位催办2项任务" in result.message()


def test_one_assignment_tells_its_task_in_the_message(world, items):
    remind(world, items["late"], single=True)
    assert [n.title for n in inbox(world.reporter)] == ["催办：逾期的任务已逾期（完成时限2021-09-30）"]
    assert inbox(world.reporter)[0].link == f"/assignments/{items['late'].id}"


def test_manual_then_sweep_on_the_same_day_is_one_reminder(world, items):
    remind(world, items["late"])
    result = services.sweep(D)
    assert result.reminders_created == 1  # the due-soon one only: the overdue one was reminded by hand
    assert count(Reminder, Reminder.assignment_id == items["late"].id) == 1
    assert reminders_issued([items["late"].id], D)[items["late"].id].reminders == 1


def test_sweep_then_manual_on_the_same_day_adds_nothing(world, items):
    services.sweep(D)
    before = rows()
    result = remind(world, items["late"], items["soon"])
    assert result.sent == [] and [why for _, _, why in result.skipped] == [
        "今天已催办过（含每日巡查的催办），同一天只计一次"] * 2
    assert rows() == before
    with pytest.raises(ServiceError, match="今天已催办过") as exc:
        remind(world, items["late"], single=True)
    assert exc.value.status == 409
    assert reminders_issued([items["late"].id], D)[items["late"].id].reminders == 1


def test_a_later_day_is_a_second_reminder_and_the_sweep_then_adds_none(world, items):
    services.sweep(D)
    result = remind(world, items["late"], on=D1)
    assert [r.is_repeat for r in result.sent] == [True]
    services.sweep(D1)  # reminds "later", now due soon; nothing more about "late"
    assert count(Reminder, Reminder.assignment_id == items["late"].id) == 2
    # the figure as of each day: the boundary day counts its own reminder
    assert reminders_issued([items["late"].id], D)[items["late"].id].reminders == 1
    issued = reminders_issued([items["late"].id], D1)[items["late"].id]
    assert (issued.reminders, issued.last_reminder_on) == (2, D1)
    assert [e.title for e in issued_events(items["late"].id) if e.kind == "reminder"] == [
        "催办（逾期，完成时限2021-09-30）", "督查人员催办（逾期，完成时限2021-09-30）"]
    # and a second click that day is still one
    assert remind(world, items["late"], on=D1).sent == []
    assert count(Reminder, Reminder.assignment_id == items["late"].id) == 2


@pytest.mark.parametrize("case, message", [
    ("completed", "该任务已办结，无需催办。"),
    ("withdrawn", "该承办已撤销（不再承办），不能催办。"),
    ("later", "尚未临期（完成时限2021-10-20），暂不需催办。"),
    ("continuous", "持续推进的任务没有具体完成时限"),
])
def test_refused_where_a_reminder_makes_no_sense(world, items, case, message):
    if case == "completed":
        a = make_assignment(world, world.finance, date(2021, 9, 30), status="completed")
    elif case == "withdrawn":
        a = make_assignment(world, world.finance, date(2021, 9, 30))
        a.withdrawn_at = datetime(2021, 10, 1, tzinfo=timezone.utc)
        db.session.flush()
    elif case == "continuous":
        a = make_assignment(world, world.finance, None, kind="continuous")
    else:
        a = items["later"]
    with pytest.raises(ServiceError, match=message):
        remind(world, a, single=True)
    assert rows() == [] and inbox(world.reporter) == []
    # in a selection it is skipped and named; the others are sent
    result = remind(world, a, items["late"])
    assert [r.assignment_id for r in result.sent] == [items["late"].id]
    assert result.skipped[0][0] == a.id and message.rstrip("。") in result.skipped[0][2]


def test_only_a_supervisor_over_the_unit_reminds(world, items):
    with pytest.raises(ServiceError) as exc:
        send_reminders(world.reporter, [items["late"].id], today=D)
    assert exc.value.status == 403
    with pytest.raises(ServiceError) as exc:
        send_reminders(world.other_supervisor, [items["late"].id], today=D, single=True)
    assert exc.value.status == 404
    result = send_reminders(world.other_supervisor, [items["late"].id], today=D)
    assert result.sent == [] and result.skipped == [(items["late"].id, "", "不存在")]
    with pytest.raises(ServiceError, match="请先勾选要催办的任务"):
        send_reminders(world.supervisor, [], today=D)
    with pytest.raises(ServiceError, match="编号有误"):
        send_reminders(world.supervisor, ["x"], today=D)
    assert rows() == []


def test_the_plan_pages_bulk_remind_uses_the_same_rule(world, items):
    from tracker.plans import assign

    assert assign.remind_assignments(world.supervisor, [items["late"], items["soon"]], D) == 2
    assert assign.remind_assignments(world.supervisor, [items["late"], items["soon"]], D) == 0

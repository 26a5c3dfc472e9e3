"""The daily sweep at chosen dates: exact counts, working days across holidays, idempotency."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.factories import PlanFactory, TaskFactory, UserFactory
from tracker.calendar import WorkCalendar, default_calendar
from tracker.extensions import db
from tracker.plans.models import Assignment
from tracker.supervise import services
from tracker.supervise.models import EscalationItem, EscalationNotice, PeriodicCheck, Reminder
from tracker.calendar import overdue_workdays

from .conftest import add_report, count, inbox, make_assignment, settle, utc

KEYS = {"as_of", "overdue", "newly_overdue", "due_soon", "reminders_created", "escalations_created",
        "rectifications_overdue", "calendar_warning"}


def test_national_day_counts_make_up_workday(world):
    cal = default_calendar()
    # Inclusive of the as-of date: 8, 9 (a make-up workday), 11, 12, 13 and 14 October.
    assert overdue_workdays(cal, date(2021, 9, 30), date(2021, 10, 14)) == 6
    assert overdue_workdays(cal, date(2021, 10, 8), date(2021, 10, 14)) == 5
    a_late = make_assignment(world, world.finance, date(2021, 9, 30))
    a_recent = make_assignment(world, world.finance, date(2021, 10, 8))
    a_county = make_assignment(world, world.county, date(2021, 9, 30))
    a_soon = make_assignment(world, world.audit, date(2021, 10, 18))  # 2 working days ahead
    make_assignment(world, world.audit, date(2021, 10, 20))  # 4 working days ahead: not yet
    make_assignment(world, world.audit, date(2021, 9, 1), status="completed")
    make_assignment(world, world.finance, None, kind="relative")

    result = services.sweep(date(2021, 10, 14))

    assert set(result.to_json()) == KEYS
    assert result.to_json() == {
        "as_of": "2021-10-14", "overdue": 3, "newly_overdue": 3, "due_soon": 1, "reminders_created": 4,
        "escalations_created": 2, "rectifications_overdue": 0, "calendar_warning": None,
    }
    assert (a_late.alert, a_late.overdue_since) == ("overdue", date(2021, 10, 1))
    assert (a_recent.alert, a_recent.overdue_since) == ("overdue", date(2021, 10, 9))
    assert a_soon.alert == "due_soon" and a_soon.overdue_since is None
    notices = db.session.scalars(sa.select(EscalationNotice).order_by(EscalationNotice.number)).all()
    assert [(n.unit_id, n.doc_number) for n in notices] == [
        (world.finance.id, "测政办督〔2021〕1号"), (world.county.id, "测政办督〔2021〕2号"),
    ]
    # Only the item 5 working days overdue is escalated; the one 4 days overdue waits.
    assert [i.assignment_id for i in notices[0].items] == [a_late.id]
    assert [i.assignment_id for i in notices[1].items] == [a_county.id]


def test_second_run_creates_nothing(world):
    make_assignment(world, world.finance, date(2021, 9, 30))
    make_assignment(world, world.audit, date(2021, 10, 18))
    first = services.sweep(date(2021, 10, 14))
    assert (first.reminders_created, first.escalations_created) == (2, 1)
    rows = [count(m) for m in (Reminder, EscalationNotice, EscalationItem)]
    notes = len(inbox(world.reporter)) + len(inbox(world.leader))

    second = services.sweep(date(2021, 10, 14))

    assert second.to_json() == {**first.to_json(), "newly_overdue": 0, "reminders_created": 0,
                                "escalations_created": 0}
    assert [count(m) for m in (Reminder, EscalationNotice, EscalationItem)] == rows
    assert len(inbox(world.reporter)) + len(inbox(world.leader)) == notes


def test_inbox_one_message_per_unit_and_leader_summary(world):
    for due in (date(2021, 9, 30), date(2021, 9, 29), date(2021, 10, 18)):
        make_assignment(world, world.finance, due)
    make_assignment(world, world.county, date(2021, 9, 30))

    services.sweep(date(2021, 10, 14))

    reminders = [n for n in inbox(world.reporter) if n.kind == "reminder"]
    assert [n.title for n in reminders] == ["催办：您单位有2项任务逾期、1项即将到期"]
    assert reminders[0].link == "/supervise/reminders?on=2021-10-14"
    escalation = [n for n in inbox(world.reporter) if n.kind == "escalation"]
    assert [n.title for n in escalation] == ["督办通知 测政办督〔2021〕1号：您单位2项任务逾期未办结"]
    # The leader of the city sees one summary for both units; the other city's staff nothing.
    assert [n.title for n in inbox(world.leader)] == ["督办：2021-10-14 向2个单位发出督办通知"]
    assert inbox(world.reporter2) == []


def test_extension_clears_the_flag_and_earns_a_fresh_reminder(world):
    a = make_assignment(world, world.finance, date(2021, 9, 30))
    services.sweep(date(2021, 10, 14))
    assert a.alert == "overdue"
    a.due_on = date(2021, 10, 29)  # an approved extension
    db.session.flush()

    later = services.sweep(date(2021, 10, 15))
    assert (a.alert, a.overdue_since) == (None, None)
    assert later.overdue == 0

    services.sweep(date(2021, 11, 2))
    assert (a.alert, a.overdue_since) == ("overdue", date(2021, 10, 30))
    stages = db.session.execute(sa.select(Reminder.stage, Reminder.due_on).where(Reminder.assignment_id == a.id)
                                .order_by(Reminder.id)).all()
    assert stages == [("overdue", date(2021, 9, 30)), ("overdue", date(2021, 10, 29))]


def test_completion_clears_the_flag(world):
    a = make_assignment(world, world.finance, date(2021, 9, 30))
    services.sweep(date(2021, 10, 14))
    a.status = "completed"
    db.session.flush()
    result = services.sweep(date(2021, 10, 15))
    assert a.alert is None and result.overdue == 0


def test_spring_festival_2022(world):
    cal = default_calendar()
    # 29 and 30 January are make-up workdays; 31 January to 6 February the holiday.
    assert overdue_workdays(cal, date(2022, 1, 28), date(2022, 2, 9)) == 5
    settle(world)
    make_assignment(world, world.finance, date(2022, 1, 28))
    assert services.sweep(date(2022, 2, 9), escalate_after=5).escalations_created == 0
    assert services.sweep(date(2022, 2, 9), escalate_after=4).escalations_created == 1


def test_year_without_calendar_data_warns(world):
    settle(world)
    make_assignment(world, world.finance, date(2030, 1, 4))
    result = services.sweep(date(2030, 1, 10))
    assert result.calendar_warning is not None and "2030年" in result.calendar_warning
    assert result.overdue == 1
    # An admin override for the year makes it known: no warning any more.
    assert services.sweep(date(2030, 1, 10), calendar=WorkCalendar({date(2030, 1, 1): False})).calendar_warning is None


def _continuous(world, unit):
    plan = PlanFactory(unit=world.city, year=2021, issued_on=date(2021, 7, 14))
    task = TaskFactory(plan=plan, deadline=None, deadline_kind="continuous", deadline_text="持续推进")
    return make_assignment(world, unit, None, kind="continuous", task=task)


def test_continuous_task_without_a_quarterly_report_is_overdue(world):
    silent = _continuous(world, world.finance)
    reported = _continuous(world, world.audit)
    late = _continuous(world, world.county)
    add_report(reported, utc(2021, 8, 20))
    add_report(late, utc(2021, 10, 20))  # after the quarter: the miss stays, the overdue state ends

    result = services.sweep(date(2021, 11, 15))

    # Q1 and Q2 ended before the plan was issued; only Q3 is checked.
    checks = db.session.execute(sa.select(PeriodicCheck.assignment_id, PeriodicCheck.period_end,
                                          PeriodicCheck.is_missed).order_by(PeriodicCheck.assignment_id)).all()
    assert checks == [(silent.id, date(2021, 9, 30), True), (reported.id, date(2021, 9, 30), False),
                      (late.id, date(2021, 9, 30), True)]
    assert (silent.alert, silent.overdue_since) == ("overdue", date(2021, 10, 1))
    assert reported.alert is None and late.alert is None
    assert (result.overdue, result.escalations_created) == (1, 1)
    item = db.session.scalar(sa.select(EscalationItem))
    assert (item.assignment_id, item.due_on) == (silent.id, date(2021, 9, 30))
    assert services.sweep(date(2021, 11, 15)).to_json()["reminders_created"] == 0
    assert count(PeriodicCheck) == 3


def test_continuous_task_due_soon_at_quarter_end(world):
    settle(world)
    a = _continuous(world, world.finance)
    add_report(a, utc(2021, 9, 1))
    result = services.sweep(date(2021, 12, 28))  # Q4 ends in 3 working days, nothing reported in Q4
    assert a.alert == "due_soon" and result.due_soon == 1
    reminder = db.session.scalar(sa.select(Reminder))
    assert (reminder.stage, reminder.due_on) == ("due_soon", date(2021, 12, 31))


def test_recurring_task_gets_next_years_instance_once(world):
    task = TaskFactory(plan=world.plan, deadline=date(2021, 1, 31), deadline_kind="recurring",
                       deadline_detail={"recurrence": "yearly"}, deadline_text="每年1月底前")
    first = make_assignment(world, world.finance, date(2021, 1, 31), kind="recurring", task=task)

    result = services.sweep(date(2021, 2, 1))
    assert result.instances_created == 1
    nxt = db.session.scalar(sa.select(Assignment).where(Assignment.task_id == task.id, Assignment.instance == 2))
    assert (nxt.unit_id, nxt.role, nxt.due_on, nxt.status) == (world.finance.id, "responsible", date(2022, 1, 31),
                                                              "pending")
    assert first.alert == "overdue" and nxt.alert is None
    assert services.sweep(date(2021, 2, 1)).instances_created == 0

    # Catching up two years later creates every missing year at once, and no more on a rerun.
    assert services.sweep(date(2023, 3, 1)).instances_created == 2
    dues = db.session.scalars(sa.select(Assignment.due_on).where(Assignment.task_id == task.id)
                              .order_by(Assignment.instance)).all()
    assert dues == [date(2021, 1, 31), date(2022, 1, 31), date(2023, 1, 31), date(2024, 1, 31)]
    assert services.sweep(date(2023, 3, 1)).instances_created == 0


def test_recurring_completed_early_gets_next_instance(world):
    task = TaskFactory(plan=world.plan, deadline=date(2021, 12, 31), deadline_kind="recurring",
                       deadline_detail={"recurrence": "yearly"})
    make_assignment(world, world.finance, date(2021, 12, 31), kind="recurring", task=task, status="completed")
    monthly = TaskFactory(plan=world.plan, deadline=date(2021, 12, 31), deadline_kind="recurring",
                          deadline_detail={"recurrence": "monthly"})
    make_assignment(world, world.finance, date(2021, 12, 31), kind="recurring", task=monthly, status="completed")
    assert services.sweep(date(2021, 6, 1)).instances_created == 1


def test_other_leaders_are_not_told(world):
    other_leader = UserFactory(username="leader2", role="leader", unit=world.other_city)
    make_assignment(world, world.finance, date(2021, 9, 1))
    services.sweep(date(2021, 10, 14))
    assert inbox(other_leader) == []


def test_each_closed_period_of_the_year_is_checked_on_its_own(world):
    plan = PlanFactory(unit=world.city, year=2021, issued_on=date(2021, 1, 5))
    task = TaskFactory(plan=plan, deadline=None, deadline_kind="continuous")
    a = make_assignment(world, world.finance, None, kind="continuous", task=task)
    add_report(a, utc(2021, 5, 10))
    add_report(a, utc(2021, 3, 31, 17), status="returned")  # returned: does not count
    add_report(a, utc(2021, 6, 30, 17))  # 1 July, 01:00 in Beijing: counts for Q3
    services.sweep(date(2021, 11, 15))
    checks = db.session.execute(sa.select(PeriodicCheck.period_end, PeriodicCheck.is_missed)
                                .order_by(PeriodicCheck.period_end)).all()
    assert checks == [(date(2021, 3, 31), True), (date(2021, 6, 30), False), (date(2021, 9, 30), False)]
    assert a.alert is None

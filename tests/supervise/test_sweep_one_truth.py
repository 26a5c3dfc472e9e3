"""The sweep asks the status module: boundaries, idempotent inserts, and a supervisor's web sweep
limited to their jurisdiction and to today (issue 13; issue 14 finding 3; issue 15 item 4)."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import UserFactory
from tracker.calendar import default_calendar
from tracker.extensions import db
from tracker.plans.models import Assignment
from tracker.supervise import services
from tracker.plans.models import Plan
from tracker.supervise.models import EscalationItem, JobRun, Reminder
from tracker.supervise.rules import escalation_bound
from tracker.calendar import overdue_workdays

from .conftest import count, make_assignment, settle

MON = date(2021, 11, 15)  # a Monday; the 3-working-day window ends Thursday 18 November


def test_due_on_the_sweep_date_is_due_soon_not_overdue(world):
    settle(world)
    today = make_assignment(world, world.finance, MON)
    last_day = make_assignment(world, world.finance, date(2021, 11, 18))
    beyond = make_assignment(world, world.finance, date(2021, 11, 19))
    friday = make_assignment(world, world.audit, date(2021, 11, 12))
    result = services.sweep(MON)
    assert (today.alert, last_day.alert, beyond.alert, friday.alert) == ("due_soon", "due_soon", None, "overdue")
    assert (result.overdue, result.due_soon) == (1, 2)
    assert friday.overdue_since == date(2021, 11, 13)


def test_a_rerun_for_the_same_date_creates_nothing_and_counts_exactly(world):
    settle(world)
    make_assignment(world, world.finance, date(2021, 9, 30))
    make_assignment(world, world.audit, date(2021, 10, 18))
    first = services.sweep(date(2021, 10, 14))
    assert (first.reminders_created, first.escalations_created) == (2, 1)
    rows = (count(Reminder), count(EscalationItem))
    again = services.sweep(date(2021, 10, 14))
    assert (again.reminders_created, again.escalations_created, again.newly_overdue) == (0, 0, 0)
    assert (count(Reminder), count(EscalationItem)) == rows


def test_escalation_bound_is_more_than_n_overdue_workdays():
    cal = default_calendar()
    for as_of in (date(2021, 10, 9), date(2021, 10, 10), date(2021, 10, 14), date(2022, 2, 9)):
        bound = escalation_bound(cal, as_of, 5)
        for offset in range(1, 40):
            due = date.fromordinal(as_of.toordinal() - offset)
            assert (due < bound) == (overdue_workdays(cal, due, as_of) > 5), (as_of, due)


def test_sweep_scope_touches_only_the_subtree(world):
    settle(world)
    county = make_assignment(world, world.county, date(2021, 9, 30))
    city = make_assignment(world, world.finance, date(2021, 9, 30))
    result = services.sweep(date(2021, 10, 14), scope=world.county.path)
    assert (county.alert, city.alert) == ("overdue", None)
    assert result.overdue == 1 and result.reminders_created == 1
    assert count(Reminder, Reminder.unit_id == world.finance.id) == 0


@pytest.mark.no_db
def test_a_county_supervisors_web_sweep_cannot_touch_city_units_or_the_future(world_app):
    # world_app: a committed world (its own database) with a city item due 2021-09-30.
    with world_app.app_context():
        from tracker.units.models import Unit

        county_unit = db.session.scalar(sa.select(Unit).where(Unit.name == "测试县人民政府"))
        UserFactory(username="super3", role="supervisor", unit=county_unit, display_name="县督查员")
        world = type("W", (), {"plan": db.session.scalar(sa.select(Plan).order_by(Plan.id))})
        county = make_assignment(world, county_unit, date(2021, 9, 30)).id
        db.session.commit()
    world_app.config["TODAY"] = date(2021, 10, 14)
    client = world_app.test_client()
    assert client.post("/login", data={"username": "super3", "password": "password123"}).status_code == 302
    future = client.post("/supervise/jobs/sweep", data={"as_of": "2021-10-15"}, follow_redirects=True)
    assert "巡查日期不能晚于今天" in future.get_data(as_text=True)
    other_year = client.post("/supervise/jobs/sweep", data={"as_of": "2020-12-31"}, follow_redirects=True)
    assert "只能回放2021年内的日期" in other_year.get_data(as_text=True)
    replay = client.post("/supervise/jobs/sweep", data={"as_of": "2021-10-13"}, follow_redirects=True)
    html = replay.get_data(as_text=True)
    assert "回放2021年10月13日" in html and "不写入任何记录" in html
    with world_app.app_context():
        assert count(Reminder) == 0 and count(JobRun) == 0
    resp = client.post("/supervise/jobs/sweep", data={"as_of": "2021-10-14"}, follow_redirects=True)
    assert "巡查完成（2021-10-14）" in resp.get_data(as_text=True)
    with world_app.app_context():
        alerts = dict(db.session.execute(sa.select(Assignment.id, Assignment.alert).where(Assignment.alert.is_not(None))).all())
        assert alerts == {county: "overdue"}  # the city item, overdue too, is outside 测试县's jurisdiction
        assert [r.assignment_id for r in db.session.scalars(sa.select(Reminder))] == [county]

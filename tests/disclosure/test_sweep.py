"""The sweep's request part: due soon, overdue, escalation, on the day boundaries, once per due date."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.disclosure import services
from tracker.disclosure.sweep import sweep_requests
from tracker.extensions import db
from tracker.inbox.models import Notification

from .conftest import AS_OF, register

D = date


def _notes(user):
    return [n.title for n in db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                               .order_by(Notification.id))]


def _request(world, cal):
    # Received Mon 2021-03-01: due Mon 2021-03-29 (hand count in test_clock.py, "no-pause").
    req = register(world, cal=cal, received=D(2021, 3, 1))
    assert req.due_on == D(2021, 3, 29)
    return req


def test_due_soon_from_three_working_days_before(world, cal):
    req = _request(world, cal)
    # On Tue 3-23 the window is 3-24, 3-25, 3-26: the 29th is outside.
    assert sweep_requests(D(2021, 3, 23), calendar=cal, soon_days=3).due_soon == 0
    # On Wed 3-24 the window is 3-25, 3-26, 3-29.
    result = sweep_requests(D(2021, 3, 24), calendar=cal, soon_days=3)
    db.session.refresh(req)
    assert (result.due_soon, result.overdue, req.alert) == (1, 0, "due_soon")
    assert _notes(world.reporter) == ["催办：您单位有0件政府信息公开申请已超过答复期限、1件即将到期"]
    # The supervisor over the unit hears of it before it is late; the other city's supervisor does not.
    assert _notes(world.supervisor) == ["依申请公开临期：辖区内有1件申请将在3个工作日内到期"]
    assert _notes(world.other_supervisor) == []


def test_the_due_date_is_not_overdue_the_next_day_is(world, cal):
    req = _request(world, cal)
    assert sweep_requests(D(2021, 3, 29), calendar=cal).overdue == 0
    result = sweep_requests(D(2021, 3, 30), calendar=cal)
    db.session.refresh(req)
    assert (result.overdue, req.alert) == (1, "overdue")


def test_escalation_after_more_than_five_working_days(world, cal):
    _request(world, cal)
    # Escalated once more than 5 working days overdue. On Tue 4-06: 3-30, 3-31, 4-1, 4-2, 4-6 = 5
    # (4-5 is Qingming): not more than 5.
    assert sweep_requests(D(2021, 4, 6), calendar=cal, escalate_after=5).escalated == 0
    # On Wed 4-07: 6.
    assert sweep_requests(D(2021, 4, 7), calendar=cal, escalate_after=5).escalated == 1
    assert "督办：辖区内有1件政府信息公开申请逾期超过5个工作日未答复" in _notes(world.supervisor)
    assert "督办：辖区内有1件政府信息公开申请逾期超过5个工作日未答复" in _notes(world.leader)
    # A rerun sends nothing twice.
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    again = sweep_requests(D(2021, 4, 7), calendar=cal, escalate_after=5)
    assert (again.escalated, again.reminded, again.notifications) == (0, 0, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == before


def test_stopped_clocks_and_answers_are_not_flagged(world, cal):
    waiting = register(world, cal=cal, received=D(2021, 3, 1))
    services.send_correction_notice(world.reporter, waiting, on=D(2021, 3, 3), reason="不明确", as_of=AS_OF, calendar=cal)
    paused = register(world, cal=cal, received=D(2021, 3, 1))
    services.start_pause(world.reporter, paused, kind="agency", start_on=D(2021, 3, 2), party="市自然资源局",
                         as_of=D(2021, 3, 2), calendar=cal)
    answered = register(world, cal=cal, received=D(2021, 3, 1))
    flagged = sweep_requests(D(2021, 3, 30), calendar=cal)
    assert flagged.overdue == 1  # only `answered`, still open here
    services.answer(world.reporter, answered, category="open", on=D(2021, 3, 31), text="", as_of=AS_OF, calendar=cal)
    result = sweep_requests(D(2021, 4, 1), calendar=cal)
    db.session.refresh(answered)
    assert (result.overdue, result.due_soon, answered.alert) == (0, 0, None)


def test_cli(runner, world):
    _request(world, None)
    result = runner.invoke(args=["requests", "sweep", "--as-of", "2021-03-30", "--json"])
    assert result.exit_code == 0, result.output
    assert '"requests_overdue": 1' in result.output
    bad = runner.invoke(args=["requests", "sweep", "--as-of", "3月30日"])
    assert bad.exit_code != 0 and "无法识别" in bad.output


@pytest.mark.no_db
def test_the_daily_sweep_job_sweeps_requests(tmp_path):
    """The scheduler's sweep job (its own committed database, as in tests/supervise/test_jobs.py)."""
    from contextlib import ExitStack

    from tests.factories import build_world
    from tests.pg import PG_URL, temporary_database
    from tracker import create_app
    from tracker.disclosure.models import DisclosureRequest
    from tracker.supervise.jobs import sweep_job

    with ExitStack() as stack:
        url = (stack.enter_context(temporary_database("tracker_requests_job")) if PG_URL
               else f"sqlite:///{tmp_path / 'jobs.db'}")
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test",
                          "UPLOAD_DIR": str(tmp_path / "uploads")})
        with app.app_context():
            db.create_all()
            world = build_world()
            _request(world, None)
            db.session.commit()
            outcome = sweep_job(D(2021, 3, 30), trigger="cli")
            assert outcome.outcome == "ok", outcome.error
            assert db.session.scalar(sa.select(DisclosureRequest.alert)) == "overdue"
            db.session.remove()
            db.engine.dispose()

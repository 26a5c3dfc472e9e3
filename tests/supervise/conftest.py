"""Helpers for the supervision tests: assignments with chosen due dates, reports at chosen times."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from contextlib import ExitStack
from pathlib import Path

from tests.factories import AssignmentFactory, TaskFactory, UserFactory, build_world
from tests.pg import PG_URL, temporary_database
from tracker import create_app
from tracker.extensions import db
from tracker.inbox.models import Notification
from tracker.reports.models import ProgressReport


def make_assignment(world, unit, due: date | None, *, kind: str = "date", status: str = "pending",
                    role: str = "responsible", task=None, plan=None, **task_kw):
    """Add an assignment of a new task (or the given one) with its own due date."""
    if task is None:
        task = TaskFactory(plan=plan or world.plan, deadline=due, deadline_kind=kind, **task_kw)
    return AssignmentFactory(task=task, unit=unit, due_on=due, original_due_on=due, deadline_kind=kind,
                             status=status, role=role)


def add_report(assignment, submitted: datetime, status: str = "submitted"):
    report = ProgressReport(assignment_id=assignment.id, unit_id=assignment.unit_id, text="进展", status=status,
                            submitted_at=submitted)
    db.session.add(report)
    db.session.flush()
    return report


def utc(y, m, d, h=2) -> datetime:
    return datetime(y, m, d, h, tzinfo=timezone.utc)


def inbox(user) -> list[Notification]:
    stmt = sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    return list(db.session.scalars(stmt))


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def county_reporter(world):
    return UserFactory(username="rep3", role="reporter", unit=world.county, display_name="县填报员")


def settle(world) -> None:
    """Complete the world's own assignments (due 2021-12-31) so later dates count only the test's own."""
    for a in (world.a_fin, world.a_aud, world.a_other):
        a.status = "completed"
    db.session.flush()


# --- a database of the test's own, committed (jobs write their lock and run records in transactions of
# their own, which the rolled-back transaction of the other tests cannot hold) ----------------------------


def _app(url: str, tmp_path: Path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def fresh_app(tmp_path):
    with ExitStack() as stack:
        url = (stack.enter_context(temporary_database("tracker_jobs")) if PG_URL
               else f"sqlite:///{tmp_path / 'jobs.db'}")
        app = _app(url, tmp_path)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def world_app(fresh_app):
    """A committed world with one item 5 working days overdue on 2021-10-14."""
    with fresh_app.app_context():
        w = build_world()
        make_assignment(w, w.finance, date(2021, 9, 30))
        db.session.commit()
    return fresh_app

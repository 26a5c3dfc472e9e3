"""Helpers for the supervision tests: assignments with chosen due dates, reports at chosen times."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from tests.factories import AssignmentFactory, TaskFactory, UserFactory
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

"""Fixtures for the assessment tests: the seed rubric stored for 2021 and a scored scenario on the world."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.factories import (
    AssignmentFactory,
    CircularFactory,
    PeriodicCheckFactory,
    RectificationItemFactory,
    RectificationNoticeFactory,
    ReportFactory,
    TaskFactory,
)
from tracker.assessment import services
from tracker.extensions import db

SEED_RUBRIC = Path(__file__).resolve().parents[2] / "seeds" / "rubric.yaml"
AS_OF = date(2021, 11, 15)


@pytest.fixture
def rubric_text() -> str:
    return SEED_RUBRIC.read_text(encoding="utf-8")


@pytest.fixture
def rubric(world, rubric_text):
    doc = services.save_rubric(world.admin, rubric_text)
    db.session.flush()
    return doc


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def scenario(world, rubric):
    """Events on the world's plan whose scores are worked out by hand in the tests.

    市财政局 (B): completed 4 working days late (-1.3), a report returned (-0.5), a rectification
    item 10 working days overdue (-2.0), a cooperating assignment overdue and a report returned on
    it (not scored), a draft circular naming it (not scored).
    市审计局 (B): an assignment 11 working days overdue (-3.1), a missed periodic report (-1),
    a published circular of criticism (-5).
    """
    w = world
    early = TaskFactory(plan=w.plan, title="公开财政预决算", ref="2", deadline=date(2021, 9, 30), deadline_kind="date",
                        deadline_text="9月底前")
    # Completed 01:30 local on 12 October: the local date decides, not the UTC one (11 October).
    late = AssignmentFactory(task=early, unit=w.finance, role="lead", status="completed", progress=100,
                             completed_at=utc(2021, 10, 11, 17, 30))
    october = TaskFactory(plan=w.plan, title="公开审计结果", ref="3", deadline=date(2021, 10, 29), deadline_kind="date")
    overdue = AssignmentFactory(task=october, unit=w.audit, role="responsible", status="in_progress", progress=40)
    helper = AssignmentFactory(task=october, unit=w.finance, role="cooperating")
    ongoing = TaskFactory(plan=w.plan, title="持续做好政策解读", ref="4", deadline=None, deadline_kind="continuous")
    continuous = AssignmentFactory(task=ongoing, unit=w.audit, role="responsible", due_on=None, original_due_on=None)
    returned = ReportFactory(assignment=late, status="returned", reviewed_at=utc(2021, 10, 20, 3))
    returned_helper = ReportFactory(assignment=helper, status="returned", reviewed_at=utc(2021, 10, 21, 3))
    missed = PeriodicCheckFactory(assignment=continuous)
    notice = RectificationNoticeFactory(plan=w.plan, unit=w.finance)
    item = RectificationItemFactory(notice=notice, assignment=w.a_fin)
    criticism = CircularFactory(plan=w.plan, names=[w.audit])
    draft = CircularFactory(plan=w.plan, status="draft", issued_on=None, names=[w.finance])
    db.session.flush()
    return SimpleNamespace(**locals())

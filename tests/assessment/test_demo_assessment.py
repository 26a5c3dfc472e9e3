"""The demo's assessment: rubric, bonuses, a published version and the 市财政局 reporter's objection."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tracker.accounts.models import User
from tracker.assessment.models import AssessmentVersion, Bonus, Objection, RubricDocument
from tracker.extensions import db


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_has_a_published_assessment_with_bonuses_and_an_objection(runner, client, auth):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "考核演示" in first.output
    assert db.session.scalar(sa.select(RubricDocument.year)) == 2021
    version = db.session.scalar(sa.select(AssessmentVersion))
    assert (version.number, version.as_of, version.is_frozen) == (1, date(2021, 11, 15), True)
    assert set(version.result["categories"]) == {"A", "B"}
    assert len(version.result["categories"]["A"]) >= 13  # the counties and the zone
    assert count(Bonus) == 2
    objection = db.session.scalar(sa.select(Objection))
    reporter = db.session.scalar(sa.select(User).where(User.username == "caizheng"))
    assert objection.filed_by_id == reporter.id and objection.unit_id == reporter.unit_id
    assert objection.status == "open" and objection.item_points < 0
    snapshot = [count(m) for m in (RubricDocument, AssessmentVersion, Bonus, Objection)]
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert [count(m) for m in (RubricDocument, AssessmentVersion, Bonus, Objection)] == snapshot
    # the reporter sees the unit's score and its objection
    assert auth.login("caizheng", "demo-2021").status_code == 302
    page = client.get(f"/assessment/versions/{version.id}/units/{reporter.unit_id}").get_data(as_text=True)
    assert "待处理" in page and "网站栏目调整" in page

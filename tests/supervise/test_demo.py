"""The supervision part of the demo: 孝义's look-back notices and the sweep on the demo date."""
from __future__ import annotations

import sqlalchemy as sa

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.inbox.models import Notification
from tracker.plans.models import Assignment, Plan
from tracker.supervise.models import EscalationNotice, RectificationItem, RectificationNotice, Reminder


def _counts():
    models = (Plan, Assignment, RectificationNotice, RectificationItem, Reminder, EscalationNotice, Notification)
    return [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models]


def test_demo_has_lookback_notices_and_a_sweep(runner, client):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "xiaoyi" in first.output and "xiaoyiban" in first.output
    plan = db.session.scalar(sa.select(Plan).where(Plan.doc_number == "孝政办发〔2020〕35号"))
    notices = db.session.scalars(sa.select(RectificationNotice).where(RectificationNotice.plan_id == plan.id)
                                 .order_by(RectificationNotice.number)).all()
    assert notices and notices[0].doc_number == "孝政办整改〔2021〕1号"
    assert {n.issued_on.isoformat() for n in notices} == {"2021-01-20"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) > 0
    office = db.session.scalar(sa.select(User).where(User.username == "xiaoyiban"))
    kinds = set(db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == office.id)))
    # 孝义市人民政府办公室 issues the notices: none is addressed to it
    assert "rectification" not in kinds
    assert office.unit_id not in {n.unit_id for n in notices}
    reporter = db.session.scalar(sa.select(User).where(User.username == "xiaoyifgj"))
    kinds = set(db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == reporter.id)))
    assert "rectification" in kinds

    snapshot = _counts()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert _counts() == snapshot

    assert client.post("/login", data={"username": "xiaoyifgj", "password": "demo-2021"}).status_code == 302
    page = client.get("/supervise/notices").get_data(as_text=True)
    mine = [n for n in notices if n.unit_id == reporter.unit_id]
    assert mine and mine[0].doc_number in page

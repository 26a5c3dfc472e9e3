from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.inbox import services
from tracker.inbox.models import Notification
from tests.factories import UserFactory


def test_notify_unit_reaches_its_reporters_only(world):
    extra = UserFactory(role="reporter", unit=world.finance)
    n = services.notify_unit(world.finance.id, kind="info", title="请报送进展")
    assert n == 2
    got = set(db.session.scalars(sa.select(Notification.user_id)))
    assert got == {world.reporter.id, extra.id}


def test_dedupe_key_makes_reruns_create_nothing(world):
    assert services.notify_unit(world.finance.id, kind="reminder", title="催办", dedupe_key="remind:1") == 1
    assert services.notify_unit(world.finance.id, kind="reminder", title="催办", dedupe_key="remind:1") == 0


def test_staff_over_a_unit(world):
    assert services.staff_ids_over(world.finance) == [world.leader.id]
    assert set(services.staff_ids_over(world.finance, ("leader", "supervisor"))) == {world.leader.id, world.supervisor.id}


def test_inbox_page_unread_badge_and_mark_read(client, auth, world):
    services.notify_users([world.reporter.id], kind="report_returned", title="您的报告被退回", body="请补充佐证材料",
                          link="/my/tasks")
    services.notify_users([world.reporter2.id], kind="info", title="别人的消息")
    db.session.flush()
    auth.login(world.reporter)
    page = client.get("/inbox/").get_data(as_text=True)
    assert "您的报告被退回" in page and "别人的消息" not in page
    assert 'aria-label="未读消息数">1<' in page
    mine = db.session.scalar(sa.select(Notification).where(Notification.user_id == world.reporter.id))
    other = db.session.scalar(sa.select(Notification).where(Notification.user_id == world.reporter2.id))
    assert client.post(f"/inbox/{other.id}/open").status_code == 404
    resp = client.post(f"/inbox/{mine.id}/open")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/my/tasks")
    assert mine.read_at is not None
    assert "未读消息数" not in client.get("/inbox/").get_data(as_text=True)

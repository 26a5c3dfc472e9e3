"""Twenty reporters' browsers posting at once, on real threads against a database of their own.

Each post is a real request with its own connection: on SQLite the writers queue (WAL, the write
lock taken at BEGIN, a busy timeout); on both databases the partial unique indexes leave one draft
and one pending close request per assignment, and the losers get a Chinese 409, never a 500.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tests.pg import PG_URL, temporary_database

pytestmark = pytest.mark.no_db

POSTS = 20


@contextmanager
def _own_app(tmp_path):
    from tracker import create_app
    from tracker.extensions import db

    def run(url):
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t" * 32,
                          "WTF_CSRF_ENABLED": False, "UPLOAD_DIR": str(tmp_path / "uploads")})
        with app.app_context():
            db.create_all()
            from tests.factories import build_world

            world = build_world()
            db.session.commit()
            ids = world.reporter.username, world.a_fin.id
            db.session.remove()
        try:
            yield app, ids
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

    if PG_URL:
        with temporary_database("tracker_race") as url:
            yield from run(url)
    else:
        yield from run(f"sqlite:///{tmp_path / 'race.db'}")



def _post_at_once(app, username, url, data) -> list[tuple[int, str]]:
    clients = [app.test_client() for _ in range(POSTS)]
    for c in clients:
        assert c.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    start = threading.Barrier(POSTS)
    answers: list[tuple[int, str]] = [None] * POSTS  # type: ignore[list-item]

    def post(i):
        start.wait()
        resp = clients[i].post(url, data=data)
        answers[i] = (resp.status_code, resp.get_data(as_text=True))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(POSTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def _reports(app, assignment_id):
    from tracker.extensions import db
    from tracker.reports.models import ProgressReport

    with app.app_context():
        return db.session.execute(sa.select(ProgressReport.status, ProgressReport.is_close_request)
                                  .where(ProgressReport.assignment_id == assignment_id)).all()


def test_twenty_close_requests_at_once_leave_one_pending(tmp_path):
    with _own_app(tmp_path) as (app, (username, assignment_id)):
        answers = _post_at_once(app, username, f"/assignments/{assignment_id}/reports",
                                {"text": "全部完成。", "progress": "100", "is_close_request": "y", "submit": "提交审核"})
        codes = sorted(code for code, _ in answers)
        assert 500 not in codes and all(c in (302, 409) for c in codes), codes
        assert codes.count(302) == 1
        assert all(("办结申请" in body) for code, body in answers if code == 409)
        assert _reports(app, assignment_id) == [("submitted", True)]


def test_twenty_drafts_at_once_leave_one_draft(tmp_path):
    with _own_app(tmp_path) as (app, (username, assignment_id)):
        answers = _post_at_once(app, username, f"/assignments/{assignment_id}/reports",
                                {"text": "草稿内容。", "progress": "30", "save": "保存草稿"})
        codes = [code for code, _ in answers]
        assert 500 not in codes and set(codes) <= {302, 409}, codes
        assert _reports(app, assignment_id) == [("draft", False)]


def test_twenty_identical_reports_at_once_enter_the_queue_once(tmp_path):
    # issue 21: a duplicate never enters the review queue, even from twenty clicks at once
    with _own_app(tmp_path) as (app, (username, assignment_id)):
        answers = _post_at_once(app, username, f"/assignments/{assignment_id}/reports",
                                {"text": "已发布政策解读12篇。", "progress": "60", "submit": "提交审核"})
        codes = sorted(code for code, _ in answers)
        assert 500 not in codes and codes.count(302) == 1 and codes.count(409) == POSTS - 1, codes
        assert all("与正在审核中的报告完全相同" in body for code, body in answers if code == 409)
        assert _reports(app, assignment_id) == [("submitted", False)]

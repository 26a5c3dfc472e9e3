from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.units.models import Unit


def test_404_page_is_chinese(client):
    resp = client.get("/no/such/page")
    assert resp.status_code == 404
    assert "页面不存在" in resp.get_data(as_text=True)


def test_405_page(client):
    resp = client.get("/logout")
    assert resp.status_code == 405
    assert "请求方式不允许" in resp.get_data(as_text=True)


def test_413_page_is_chinese(app, client):
    old = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 10
    try:
        resp = client.post("/login", data={"username": "x" * 100, "password": "y"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = old
    assert resp.status_code == 413
    assert "文件过大" in resp.get_data(as_text=True)


@pytest.mark.no_db
def test_500_rolls_back_and_shows_chinese_page(tmp_path):
    from tracker import create_app
    from tracker.access import public

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e.db'}",
                      "PROPAGATE_EXCEPTIONS": False})

    @public
    def boom():
        db.session.add(Unit(name="半途单位", kind="other", path="/"))
        db.session.flush()
        raise RuntimeError("boom")

    app.add_url_rule("/__boom", "boom", boom)
    with app.app_context():
        db.create_all()
    resp = app.test_client().get("/__boom")
    assert resp.status_code == 500
    assert "系统错误" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Unit).where(Unit.name == "半途单位")) is None
        db.engine.dispose()


def test_security_headers(client):
    resp = client.get("/login")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_bootstrap_is_served_locally(client):
    page = client.get("/login").get_data(as_text=True)
    assert "cdn" not in page.lower()
    css = [part.split('"')[0] for part in page.split('href="')[1:] if ".css" in part.split('"')[0]]
    assert css and client.get(css[0]).status_code == 200

"""App built once per test session; every test runs inside a transaction that is rolled back."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import orm

from tracker import create_app
from tracker.extensions import db

TEST_DB_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
PASSWORD = "password123"
#: Skip reasons that mean a tool the CI installs is missing (other helpers' tests may name them too).
TOOL_WORDS = ("chromium", "playwright", "libreoffice", "soffice")


def _needs_a_ci_tool(item, reason: str) -> bool:
    return ("e2e" in item.keywords or "office" in item.keywords
            or any(word in reason.lower() for word in TOOL_WORDS))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI (CI=true), a browser or LibreOffice test that is skipped fails: the install broke."""
    outcome = yield
    rep = outcome.get_result()
    if not rep.skipped or os.environ.get("CI", "").lower() not in ("true", "1"):
        return
    reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
    if _needs_a_ci_tool(item, reason):
        rep.outcome = "failed"
        rep.longrepr = f"CI: {item.nodeid} was skipped ({reason}); under CI every browser and LibreOffice test must run"


def _database_url(tmp: Path) -> str:
    if TEST_DB_URL:
        url = TEST_DB_URL
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{tmp / 'test.db'}"


@pytest.fixture(scope="session")
def app():
    tmp = Path(tempfile.mkdtemp(prefix="tracker-test-"))
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_DIR": str(tmp / "uploads"),
        "SERVER_NAME": None,
    })
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Bind the session to one outer transaction per test; commits inside become savepoints."""
    if "no_db" in request.keywords:
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain Session: Flask-SQLAlchemy's own picks the engine per mapper and would bypass `bind`.
        factory = orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = orm.scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user_or_name, password: str = PASSWORD):
        username = getattr(user_or_name, "username", user_or_name)
        return self._client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def world():
    """A small jurisdiction with one user per role; see tests/factories.build_world."""
    from tests.factories import build_world

    return build_world()

"""End-to-end tests: Debian's Chromium driven by Playwright against a real WSGI server.

The server runs in a thread with its own database (a SQLite file, or a temporary PostgreSQL
database when TRACKER_TEST_DATABASE_URL is set), migrated with Alembic and loaded with the
运城 unit directory and the demo accounts, exactly as `make run` prepares it.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.pg import PG_URL, temporary_database

CHROMIUM = os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
#: The unit the journeys' directory lacks; the supervisor creates it during the import.
MISSING_UNIT = "市委网信办"

E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    # The live server has its own database: keep the per-test transaction fixture out of it.
    for item in items:
        if Path(str(item.fspath)).resolve().parent == E2E_DIR:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.no_db)
    reason = None
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium); .ci/run installs it"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e .[dev])"
    if reason:
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory):
    if not PG_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"
        return
    with temporary_database("tracker_e2e") as url:
        yield url


@pytest.fixture(scope="session")
def live_app(e2e_database, tmp_path_factory):
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.demo.services import DEMO_USERS, DEMO_PASSWORD, SEEDS, _find_unit
    from tracker.accounts import services as accounts
    from tracker.extensions import db
    from tracker.units import services as units

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": e2e_database,
        "SECRET_KEY": "e2e-secret",
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        "LOGIN_MAX_FAILURES": 50,
    })
    with app.app_context():
        upgrade()
        path = SEEDS / "yuncheng" / "units.yaml"
        directory = units.parse_directory(path.name, path.read_bytes())
        # Leave one unit the plan names out of the directory, so the import has a name to fix.
        directory["units"] = [u for u in directory["units"] if u.get("short_name") != MISSING_UNIT]
        units.import_directory(None, directory)
        for username, name, role, unit_name in DEMO_USERS:
            accounts.create_user(None, username=username, display_name=name, role=role, password=DEMO_PASSWORD,
                                 unit=_find_unit(unit_name))
        db.session.commit()
    app.config["E2E_DATABASE_URL"] = e2e_database
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def server(live_app):
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True,
                                  viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
        if failed:
            (ARTIFACTS / f"{name}.html").write_text(pg.content(), encoding="utf-8")
    finally:
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        item.rep_call = rep


DEMO_ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: The demo as `make run` starts it: migrated, loaded and served by real processes with TRACKER_TODAY=2021-11-15.
@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo-clock")
    with ExitStack() as stack:
        url = stack.enter_context(temporary_database("tracker_demo")) if PG_URL else f"sqlite:///{tmp / 'demo.db'}"
        env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": url, "TRACKER_TODAY": "2021-11-15",
               "TRACKER_UPLOAD_DIR": str(tmp / "uploads"), "TRACKER_SECRET_KEY": "demo-clock-secret"}
        env.pop("TRACKER_TEST_DATABASE_URL", None)
        for step in (["db", "upgrade"], ["demo", "load"]):
            done = subprocess.run(FLASK + step, cwd=DEMO_ROOT, env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
        port = _free_port()
        proc = subprocess.Popen(FLASK + ["run", "--host", "127.0.0.1", "--port", str(port)], cwd=DEMO_ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(proc.wait, 10)
        stack.callback(proc.terminate)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the demo server did not start")
        yield base

"""The demo as `make run` starts it: migrated, loaded and served by real processes with TRACKER_TODAY=2021-11-15.

Opened without any `as_of`, it shows the 2021-11-15 world: a banner names the fixed date, a few
items are overdue (not the hundreds the real clock would make of it), timelines read in order,
and a replay date given in the address survives every menu link.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.e2e.helpers import check_a11y, login
from tests.pg import PG_URL, temporary_database

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo-clock")
    with ExitStack() as stack:
        url = stack.enter_context(temporary_database("tracker_demo")) if PG_URL else f"sqlite:///{tmp / 'demo.db'}"
        env = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": url, "TRACKER_TODAY": "2021-11-15",
               "TRACKER_UPLOAD_DIR": str(tmp / "uploads"), "TRACKER_SECRET_KEY": "demo-clock-secret"}
        env.pop("TRACKER_TEST_DATABASE_URL", None)
        for step in (["db", "upgrade"], ["demo", "load"]):
            done = subprocess.run(FLASK + step, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
        port = _free_port()
        proc = subprocess.Popen(FLASK + ["run", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
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


def test_the_fresh_demo_lives_on_its_fixed_date(demo_server, page):
    login(page, demo_server, "duban")
    page.goto(f"{demo_server}/dashboard/")
    check_a11y(page)
    assert page.locator("#fixed-today").inner_text().startswith("演示日期固定为2021年11月15日")
    assert "统计截至 2021年11月15日" in page.inner_text("main")
    # 运城's 2021 plan on 2021-11-15: eight county items due 2021-10-31 are open; never hundreds.
    overdue = int(page.locator(".glance .overdue .num").first.inner_text().strip())
    assert 0 < overdue < 20, overdue

    # A timeline reads in story order: the assignment came with the import of 2021-07-15.
    page.goto(f"{demo_server}/supervise/overdue")
    page.locator("table a[href*='/assignments/']").first.click()
    page.wait_for_load_state()
    stamps = re.findall(r"(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}", page.inner_text("main"))
    assert stamps and stamps[0] == "2021-07-15", stamps
    assert all(s <= "2021-11-15" for s in stamps), stamps


def test_a_replay_date_is_kept_by_every_menu_link(demo_server, page):
    login(page, demo_server, "duban")
    page.goto(f"{demo_server}/supervise/overdue?as_of=2021-12-20")
    assert "按2021年12月20日计算" in page.inner_text("main")
    for label in ("督办总览", "工作要点", "考核"):
        href = page.locator("nav.navbar").get_by_role("link", name=label, exact=True).get_attribute("href")
        assert "as_of=2021-12-20" in href, (label, href)
    page.locator("nav.navbar").get_by_role("link", name="督办总览", exact=True).click()
    page.wait_for_load_state()
    assert "as_of=2021-12-20" in page.url
    assert "统计截至 2021年12月20日" in page.inner_text("main")


def test_the_reporter_sees_the_demo_date_as_today(demo_server, page):
    login(page, demo_server, "caizheng")
    page.goto(f"{demo_server}/my/tasks")
    text = page.inner_text("main")
    assert "今天是2021年11月15日" in text
    assert "演示日期固定为2021年11月15日" in page.inner_text("body")

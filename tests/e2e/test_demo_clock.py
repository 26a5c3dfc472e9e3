"""The demo as `make run` starts it: migrated, loaded and served by real processes with TRACKER_TODAY=2021-11-15.

Opened without any `as_of`, it shows the 2021-11-15 world: a banner names the fixed date, a few
items are overdue (not the hundreds the real clock would make of it), timelines read in order,
and a replay date given in the address survives every menu link.
"""
from __future__ import annotations

import re

from tests.e2e.helpers import check_a11y, login

# The demo_server fixture (the demo as `make run` starts it) is in tests/e2e/conftest.py.


def test_the_fresh_demo_lives_on_its_fixed_date(demo_server, page):
    login(page, demo_server, "duban")
    page.goto(f"{demo_server}/dashboard/")
    check_a11y(page)
    assert page.locator("#fixed-today").inner_text().startswith("演示日期固定为2021年11月15日")
    assert "统计截至 2021年11月15日" in page.inner_text("main")
    # 运城's 2021 plan on 2021-11-15: eight county items due 2021-10-31 are open; never hundreds.
    overdue = int(page.locator("section.glance[aria-label='总体情况'] .overdue .num").inner_text().strip())
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


def test_the_demos_built_annual_report_completes_its_task(demo_server, page):
    """The demo's 2021 report tasks exist on 2021-11-15 (created ahead of the job of 2022-01-02): 运城市人民政府办公室
    is a government, due 2022-03-31; the supervisor's 定稿并提交任务 approves its report at once."""
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm question
    login(page, demo_server, "duban")
    page.goto(f"{demo_server}/annual-reports?year=2021")
    page.get_by_role("link", name="运城市人民政府办公室", exact=True).click()
    page.wait_for_load_state()
    check_a11y(page)
    main = page.inner_text("main")
    assert "年度报告任务：" in main and "（截止 2022年3月31日）" in main
    page.get_by_role("button", name="定稿并提交任务").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "审核通过，任务已办结" in page.inner_text("body")
    assert "年度报告任务：已办结" in main and page.get_by_role("button", name="定稿并提交任务").count() == 0

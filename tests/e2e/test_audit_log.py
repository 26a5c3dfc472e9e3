"""In Chromium: the 操作日志 reads in Chinese, filters by a Chinese drop-down, and names never break per character."""
from __future__ import annotations

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import check_a11y, login

LINES_OF_FIRST_ACTOR = """
() => {
  const td = document.querySelector('table.audit-log tbody tr td:nth-child(2)');
  const range = document.createRange();
  range.selectNodeContents(td.firstChild);
  return [td.firstChild.textContent.trim(), range.getClientRects().length];
}
"""


def test_audit_log_in_chinese_with_names_on_one_line(server, page):
    login(page, server, "admin")
    page.goto(f"{server}/admin/audit/")
    check_a11y(page)
    body = page.locator("table.audit-log tbody").inner_text()
    assert "登录" in body and "用户 #" in body and "user.login" not in body
    page.get_by_label("操作", exact=True).select_option(label="新建单位")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    body = page.locator("table.audit-log tbody").inner_text()
    assert "新建单位" in body and "登录" not in body and "名称：" in body and "类型：" in body
    assert "county_gov" not in body and "city_dept" not in body
    page.goto(f"{server}/admin/audit/?action=user.login")
    name, lines = page.evaluate(LINES_OF_FIRST_ACTOR)
    assert name == "系统管理员" and lines == 1
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.startswith("操作日志-")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    name, lines = page.evaluate(LINES_OF_FIRST_ACTOR)
    assert lines == 1, name
    page.screenshot(path=str(ARTIFACTS / "audit_log_390.png"), full_page=False)

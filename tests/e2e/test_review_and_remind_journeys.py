"""Issue 21's reporter and supervisor flows in Chromium, on the demo as `make run` starts it (2021-11-15).

A supervisor finds a report by keyword and returns it; the unit sees the request beside the form,
cannot send the same report again and answers with a change; the supervisor approves with 全选,
sends a 催办 (once a day), and prints the 逾期情况汇总 (checked as an A4 PDF); the unit prints its
task list. Screenshots at desktop width and at 390 px go to test-artifacts/e2e/.
"""
from __future__ import annotations

import re
import subprocess
from urllib.parse import parse_qs, urlsplit

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import check_a11y, login, logout

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}
#: a report of 运城市财政局 waiting for review in the demo (task 1.8)
TASK = "严控依申请公开"


def shot(page, name: str) -> None:
    """Save the page at desktop width and at 390 px."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(ARTIFACTS / f"issue21_{name}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(ARTIFACTS / f"issue21_{name}_390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def flash(page) -> str:
    return " ".join(page.locator("main .alert").all_inner_texts())


def test_a_returned_report_is_answered_by_a_change_and_approved_with_select_all(demo_server, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))

    # The supervisor finds the report by a word of its task and returns it.
    login(page, demo_server, "duban")
    page.goto(f"{demo_server}/review")
    page.get_by_label("关键词").fill(TASK)
    page.locator("#unit").select_option(page.locator("#unit option", has_text="市财政局").first.get_attribute("value"))
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    check_a11y(page)
    rows = page.locator("tbody tr:has(input[name=report_ids])")
    assert rows.count() == 1 and TASK in rows.first.inner_text()
    shot(page, "review_search")
    rows.first.get_by_label("审核意见（退回时必填）").fill("请补充在政府网站发布的链接和已公开的信息条数。")
    rows.first.get_by_role("button", name="退回").click()
    page.wait_for_load_state()
    assert "已退回" in flash(page)
    assert parse_qs(urlsplit(page.url).query).get("q") == [TASK]  # the search is kept
    logout(page)

    # The unit sees what was asked beside the form; the same report again is refused.
    login(page, demo_server, "caizheng")
    page.goto(f"{demo_server}/my/tasks?status=returned")
    page.get_by_role("link", name=re.compile(TASK)).first.click()
    page.wait_for_load_state()
    check_a11y(page)
    request_box = page.locator("#return-request")
    assert "退回原因：请补充在政府网站发布的链接和已公开的信息条数。" in request_box.inner_text()
    assert "张督办" in request_box.inner_text()
    shot(page, "return_request")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert "与被退回的报告完全相同" in flash(page)
    text = page.get_by_label("进展情况")
    text.fill(text.input_value() + "\n已在政府网站“依申请公开”栏目发布12条，链接见下。")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert "报告已提交" in flash(page)
    logout(page)

    # The supervisor ticks 全选 for the unit's reports and approves them; the search stays.
    login(page, demo_server, "duban")
    page.goto(f"{demo_server}/review?q=市财政局")
    boxes = page.locator("input[form=bulk-form][name=report_ids]")
    n = boxes.count()
    assert n >= 2
    page.get_by_label("全选").check()
    assert all(boxes.nth(i).is_checked() for i in range(n))
    boxes.first.uncheck()
    assert page.locator("#pick-all").evaluate("el => el.indeterminate")
    page.get_by_label("全选").check()
    shot(page, "review_select_all")
    page.get_by_role("button", name="批量通过所选报告").click()
    page.wait_for_load_state()
    assert dialogs and f"确定批量通过所选的 {n} 份报告吗" in dialogs[-1]
    assert f"已批量通过{n}份报告" in flash(page)
    assert parse_qs(urlsplit(page.url).query).get("q") == ["市财政局"]

    # The extension queue names each request's plan.
    page.goto(f"{demo_server}/extensions")
    assert page.locator("thead th", has_text="工作要点").count() == 1


def test_a_supervisor_reminds_and_prints_the_overdue_summary(demo_server, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    login(page, demo_server, "duban")

    # 催办 a selection from 逾期与临期, after a confirmation.
    page.goto(f"{demo_server}/supervise/overdue?alert=overdue")
    check_a11y(page)
    boxes = page.locator("input[form=remind-form][name=assignment_ids]")
    n = boxes.count()
    assert n > 0
    page.get_by_label("全选").check()
    shot(page, "remind_selection")
    page.get_by_role("button", name="催办所选任务").click()
    page.wait_for_load_state()
    assert dialogs and f"确定向所选 {n} 项任务的承办单位发出催办吗" in dialogs[-1]
    message = flash(page)
    assert "已向" in message or "今天已催办过" in message, message

    # From one assignment's page: reminded today already, so it is counted once and said so.
    page.locator("table a[href*='/assignments/']").first.click()
    page.wait_for_load_state()
    page.locator("#remind-one").get_by_role("button", name="催办").click()
    page.wait_for_load_state()
    assert "今天已催办过" in flash(page)
    assert "2021-11-15" in page.locator("#timeline").inner_text()

    # The 逾期情况汇总 in print: no navigation, titled with the 制表单位 and the date, an A4 PDF.
    page.goto(f"{demo_server}/dashboard/overdue")
    page.get_by_role("link", name="打印版").click()
    page.wait_for_load_state()
    assert page.locator("nav").count() == 0
    head = page.locator(".print-head").inner_text()
    assert "逾期情况汇总" in head and "制表单位：运城市人民政府" in head and "统计截至：2021年11月15日" in head
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.__printed === true")
    shot(page, "overdue_print")
    pdf = ARTIFACTS / "issue21_overdue_print.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "逾期情况汇总" in text and "制表单位" in text and "打印" not in text.split("逾期情况汇总")[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:.*\(A4\)", info), info


def test_a_unit_prints_its_task_list(demo_server, page):
    login(page, demo_server, "caizheng")
    page.goto(f"{demo_server}/my/tasks")
    page.get_by_role("link", name="打印版").click()
    page.wait_for_load_state()
    assert page.locator("nav").count() == 0
    head = page.locator(".print-head").inner_text()
    assert "运城市财政局承办任务清单" in head and "制表日期：2021年11月15日" in head
    assert page.locator("tr[data-assignment]").count() > 0
    shot(page, "my_tasks_print")

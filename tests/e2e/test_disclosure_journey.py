"""依申请公开 in Chromium: intake, correction, extension, answer, and the answer .docx downloaded."""
from __future__ import annotations

from pathlib import Path

from docx import Document

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import check_a11y, login, logout


def _open(page, summary: str) -> None:
    page.locator("summary", has_text=summary).click()


def test_request_from_intake_to_answer(server, live_app, page):
    login(page, server, "caizheng")
    page.get_by_role("link", name="依申请公开").first.click()
    page.get_by_role("link", name="登记新申请").click()
    check_a11y(page)
    page.get_by_label("收到方式").select_option(label="邮寄")
    page.get_by_label("收到申请日期").fill("2021-09-28")
    page.get_by_label("申请人类型").select_option(label="自然人")
    page.get_by_label("申请人姓名或名称").fill("薛明亮")
    page.get_by_label("联系方式").fill("13903590001")
    page.get_by_label("申请公开的政府信息内容").fill("申请公开2020年市本级一般公共预算执行情况")
    page.get_by_role("button", name="登记").click()
    # Received Tue 2021-09-28: due Mon 2021-11-01 (20 working days over National Day).
    assert "答复期限 2021-11-01" in page.content()
    check_a11y(page)
    assert "薛明亮" not in page.content()  # masked on the page

    _open(page, "补正告知（条例第三十条）")
    page.get_by_label("补正告知日期").fill("2021-09-30")
    page.get_by_label("需要补正的事项").fill("请说明所需信息的具体年度。")
    page.get_by_role("button", name="登记补正告知").click()
    assert "已登记补正告知" in page.content()

    page.get_by_label("收到补正后申请日期").fill("2021-10-11")
    page.get_by_role("button", name="登记补正", exact=True).click()
    # Counting restarts after Mon 10-11: due Mon 2021-11-08.
    assert "2021年11月8日" in page.content()

    _open(page, "延长答复期限（条例第三十三条）")
    page.get_by_label("延长工作日数（最多20）").fill("10")
    page.get_by_label("审批人（政府信息公开工作机构负责人）").fill("王建华")
    page.get_by_label("审批时间").fill("2021-11-05T10:00")
    page.get_by_label("延长理由").fill("需要调取多个年度的档案")
    page.get_by_role("button", name="登记延期").click()
    # Ten more working days after 11-08: 11-09..11-12, 11-15..11-19, 11-22.
    assert "已登记延长答复期限" in page.content() and "2021年11月22日" in page.content()

    _open(page, "作出答复")
    page.get_by_label("答复类型（年度报告表格中的具体情形）").select_option(label="予以公开")
    page.get_by_label("答复日期").fill("2021-11-19")
    page.get_by_role("button", name="登记答复").click()
    assert "已登记答复" in page.content() and "按期答复" in page.content()
    check_a11y(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="政府信息公开申请答复书").click()
    path = Path(info.value.path())
    assert info.value.suggested_filename.startswith("政府信息公开申请答复书-")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "薛明亮：" in text and "第三十六条第（二）项" in text

    # The history lists every step with who recorded it.
    steps = page.locator("table").first.inner_text()
    for label in ("登记收到申请", "发出补正告知", "收到补正后申请", "延长答复期限", "作出答复"):
        assert label in steps
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "disclosure_request_answered.png"), full_page=True)
    logout(page)

"""Browser journey: the supervisor builds a unit's 2021 report, fills in section 二 with last year's figures
beside (a bad cell is named and nothing saved), edits section 五, and draws the draft again after confirming."""
from __future__ import annotations

from .helpers import check_a11y, login
from .test_annual import SEED, _import

UNIT = "运城市人民政府办公室"


def test_section_two_and_five_are_edited_in_the_browser(server, page):
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    login(page, server, "duban")
    _import(page, server, UNIT, SEED)  # the 2020 report: last year's figures for the 2021 form
    assert "勾稽关系一致" in page.content()

    page.goto(f"{server}/annual-reports?year=2021")
    page.locator("tr", has_text=UNIT).get_by_role("button", name="由登记台账生成").click()
    page.wait_for_load_state()
    assert "年度报告草稿" in page.content()

    page.get_by_role("link", name="填报第二部分（主动公开）").click()
    check_a11y(page)
    html = page.content()
    assert "上年：14（本年新制作数量）" in html and "上年：2（对外公开总数量）" in html
    cell = page.get_by_label("行政规范性文件 本年制发件数")
    cell.fill("十二")
    page.get_by_role("button", name="保存第二部分").click()
    page.wait_for_load_state()
    assert "第二部分第二十条第（一）项「行政规范性文件」行「本年制发件数」列应为整数，填写的是“十二”" in page.content()
    check_a11y(page)
    page.get_by_label("行政规范性文件 本年制发件数").fill("12")
    page.get_by_label("行政事业性收费 本年收费金额（单位：万元）").fill("0.35")
    page.get_by_role("button", name="保存第二部分").click()
    page.wait_for_load_state()
    assert "第二部分（主动公开政府信息情况）已保存" in page.content()
    table = page.locator("table", has_text="第二十条第（一）项")
    assert "12" in table.locator("tr", has_text="行政规范性文件").inner_text()

    page.get_by_role("link", name="编辑第一、五、六部分").click()
    check_a11y(page)
    draft = page.get_by_label("五、存在的主要问题及改进情况").input_value()
    assert draft.startswith("存在的主要问题：截至2021年12月31日")
    page.get_by_label("五、存在的主要问题及改进情况").fill("存在的主要问题：政策解读不够及时。\n改进情况：建立解读台账。")
    page.get_by_role("button", name="保存文字部分").click()
    page.wait_for_load_state()
    assert "政策解读不够及时" in page.content() and "已人工编辑：五、存在的主要问题及改进情况" in page.content()

    page.get_by_role("link", name="编辑第一、五、六部分").click()
    page.get_by_role("button", name="重新生成草稿（第五部分）").click()  # confirmed by the dialog handler
    page.wait_for_load_state()
    assert "已按本年度逾期任务和整改事项重新生成第五部分草稿" in page.content()
    assert page.get_by_label("五、存在的主要问题及改进情况").input_value() == draft

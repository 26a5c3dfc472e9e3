"""Browser journey: the supervisor imports an annual report that does not add up, confirms it, sees it red
in the year's roll-up, imports a consistent one and publishes it; a visitor reads it on the public site."""
from __future__ import annotations

from pathlib import Path

from .helpers import check_a11y, login, logout

SEED = Path(__file__).resolve().parents[2] / "seeds" / "yuncheng" / "2020_annual_report.txt"


def _import(page, server: str, unit: str, path: Path) -> None:
    page.goto(f"{server}/annual-reports/import")
    check_a11y(page)
    page.get_by_label("单位").select_option(label=unit)
    page.get_by_label("报告年度").fill("2020")
    page.get_by_label("年度报告文件（.txt 文本或 .docx）").set_input_files(str(path))
    page.get_by_role("button", name="读取并校验").click()
    page.wait_for_load_state()


def test_annual_report_is_checked_confirmed_rolled_up_and_published(server, page, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    bad = tmp_path / "市司法局2020年报.txt"
    bad.write_text(SEED.read_text(encoding="utf-8").replace(
        "\t(七) 总计\t\t13\t0\t0\t0\t0\t0\t13", "\t(七) 总计\t\t12\t0\t0\t0\t0\t0\t12"), encoding="utf-8")
    login(page, server, "duban")
    page.get_by_role("link", name="年度报告").click()
    check_a11y(page)

    _import(page, server, "运城市司法局", bad)
    assert "勾稽关系不一致：40 项校验中 4 项未通过" in page.content()
    assert "第三部分「（七）总计」行「自然人」列为 12，不等于（一）至（六）各办理结果之和 13" in page.content()
    check_a11y(page)
    page.get_by_role("button", name="已核对，确认导入").click()
    page.wait_for_load_state()
    assert "导入时勾稽关系不一致 4 项，已确认导入" in page.content()
    assert page.locator("td.table-danger").count() >= 4

    _import(page, server, "运城市财政局", SEED)
    assert "勾稽关系一致：40 项校验全部通过" in page.content()
    page.get_by_role("button", name="发布到公开页面").click()
    page.wait_for_load_state()
    assert "年度报告已发布到公开页面" in page.content()

    page.goto(f"{server}/annual-reports?year=2020")
    check_a11y(page)
    row = page.locator("tr", has_text="运城市司法局")
    assert "table-danger" in (row.get_attribute("class") or "") and "4 项不一致" in row.inner_text()
    assert "一致" in page.locator("tr", has_text="运城市财政局").inner_text()
    assert "辖区汇总" in page.content()
    logout(page)

    page.goto(f"{server}/public/annual-reports")
    check_a11y(page)
    page.get_by_role("link", name="运城市财政局2020年政府信息公开工作年度报告").click()
    html = page.content()
    assert "三、收到和处理政府信息公开申请情况" in html and "运城市司法局" not in html
    assert "勾稽关系" not in html.replace("（本列数据的勾稽关系为", "")  # no internal checks on the public page

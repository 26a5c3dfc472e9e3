"""In Chromium: the 考核细则 form shows each rule's own settings, Enter saves, and removing a rule asks first."""
from __future__ import annotations

import sqlalchemy as sa

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import check_a11y, login

YEAR = 2030  # a year no other journey uses


def test_admin_edits_the_rubric_as_a_form(server, live_app, page):
    from tracker.assessment.models import RubricDocument
    from tracker.assessment.rubric import load_rubric
    from tracker.extensions import db

    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, server, "admin")
    page.goto(f"{server}/assessment/rubrics/edit?year={YEAR}")
    check_a11y(page)
    late = page.locator(".rubric-rule").nth(0)
    returned = page.locator(".rubric-rule").nth(2)
    assert late.get_by_label("规则类型").input_value() == "late_completion"
    # a day setting shows for a day rule only; the due-date settings for due-date rules only
    assert late.get_by_label("每个工作日加扣").is_visible()
    assert not returned.get_by_label("每个工作日加扣").is_visible()
    assert not returned.get_by_label("延期后按新期限计算").is_visible()
    returned.get_by_label("规则类型").select_option(label="逾期完成")
    assert returned.get_by_label("每个工作日加扣").is_visible()
    returned.get_by_label("规则类型").select_option(label="进展报告被退回")
    assert not returned.get_by_label("每个工作日加扣").is_visible()
    # a bonus rule counts against no indicator
    bonus = page.locator(".rubric-rule").last
    assert not bonus.get_by_label("计入指标").is_visible() and bonus.get_by_label("单项上限").is_visible()
    page.screenshot(path=str(ARTIFACTS / "rubric_form_desktop.png"), full_page=False)

    # removing a rule asks first; dismissed, nothing changes
    page.once("dialog", lambda d: d.dismiss())
    returned.get_by_role("button", name="删除规则").click()
    page.wait_for_timeout(300)
    count = page.locator(".rubric-rule").count()
    assert page.get_by_label("第3条规则名称").input_value() == "进展报告被退回"
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        returned.get_by_role("button", name="删除规则").click()
    assert page.locator(".rubric-rule").count() == count - 1
    assert page.get_by_label("第3条规则名称").input_value() != "进展报告被退回"

    # a bad value is named in Chinese and what was typed stays
    page.get_by_label("第1项指标名称").fill("按时办结")
    page.locator("#ind-0-weight").fill("-1")
    with page.expect_navigation():
        page.get_by_role("button", name="校验并保存").click()
    assert "第1项指标“按时办结”的权重（分）不能为负数（-1）" in page.locator("#rubric-errors").inner_text()
    assert page.locator("#ind-0-weight").input_value() == "-1"

    # Enter in a field saves (it must not press the first 删除 button)
    page.locator("#ind-0-weight").fill("40")
    with page.expect_navigation():
        page.get_by_label("细则名称").press("Enter")
    assert f"{YEAR}年度考核细则已保存" in page.content()
    assert "每个工作日加扣" in page.locator("#rubric-rules").inner_text()
    check_a11y(page)
    with live_app.app_context():
        doc = db.session.scalar(sa.select(RubricDocument).where(RubricDocument.year == YEAR))
        rubric = load_rubric(doc.yaml_text)
        assert rubric.indicators[0].name == "按时办结"
        assert "进展报告被退回" not in [r.name for r in rubric.rules]
    assert not [e for e in errors if "Content Security Policy" in e], errors

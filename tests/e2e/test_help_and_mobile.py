"""Issue 21 in the browser: 使用说明 per role, the phone width, the blue bar, and the README's screenshots.

Runs against the demo as `make run` starts it (fixture demo_server). Every journey saves its
screenshots under test-artifacts/e2e/screens; with TRACKER_SCREENSHOTS=docs the same pictures are
written to docs/screenshots/ (the README and the help pages show them), made smaller first:

    TRACKER_SCREENSHOTS=docs python -m pytest tests/e2e/test_help_and_mobile.py -k screenshots
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.contrast import contrast, parse_colour
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import check_a11y, login, logout
from tracker.help.content import HELP

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "screenshots"
SCREENS = ARTIFACTS / "screens"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
#: one demo account per role
ACCOUNTS = {"admin": "admin", "supervisor": "duban", "leader": "lingdao", "reporter": "caizheng"}
#: the largest a committed screenshot may be
MAX_BYTES = 300 * 1024


def _context(browser, viewport, scale: float = 1):
    return browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport,
                               device_scale_factor=scale, accept_downloads=True)


def _scroll_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def save_shot(page, name: str) -> Path:
    """Screenshot the viewport into the artifacts and, when asked, into docs/screenshots (palette PNG)."""
    from PIL import Image

    SCREENS.mkdir(parents=True, exist_ok=True)
    raw = SCREENS / name
    page.screenshot(path=str(raw))
    if os.environ.get("TRACKER_SCREENSHOTS") != "docs":
        return raw
    DOCS.mkdir(parents=True, exist_ok=True)
    target = DOCS / name
    with Image.open(raw) as im:
        # 256 colours are plenty for a flat UI; the file shrinks four- to fivefold.
        im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            target, optimize=True)
    assert target.stat().st_size < MAX_BYTES, (name, target.stat().st_size)
    return target


# -- the blue bar -------------------------------------------------------------------------------------------

NAV_COLOURS = """
() => {
  const bar = document.querySelector('nav.navbar');
  const links = [...bar.querySelectorAll('.navbar-brand, .nav-link, .navbar-text')].filter(e => e.offsetParent);
  return {bg: getComputedStyle(bar).backgroundColor,
          links: links.map(e => [e.innerText.trim(), getComputedStyle(e).color]),
          height: bar.getBoundingClientRect().height,
          tops: [...bar.querySelectorAll('.navbar-nav > .nav-item')].map(e => Math.round(e.getBoundingClientRect().top))};
}
"""


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_the_menu_is_readable_and_on_one_line_at_1280(demo_server, browser, role):
    context = _context(browser, DESKTOP)
    page = context.new_page()
    try:
        login(page, demo_server, ACCOUNTS[role])
        page.goto(f"{demo_server}/help/")
        found = page.evaluate(NAV_COLOURS)
        bg = parse_colour(found["bg"])
        assert found["links"], "no visible menu entries"
        for text, colour in found["links"]:
            ratio = contrast(parse_colour(colour, background=bg), bg)
            # WCAG 2.1 AA for normal-size text
            assert ratio >= 4.5, (role, text, colour, found["bg"], round(ratio, 2))
        # One line: every entry on the same row, the bar as tall as one entry, nothing sticking out on the right.
        assert len(set(found["tops"])) == 1, found["tops"]
        assert found["height"] < 70, found["height"]
        assert _scroll_width(page) <= DESKTOP["width"]
        # the favicon is our own file
        href = page.locator("link[rel=icon]").get_attribute("href")
        resp = page.request.get(f"{demo_server}{href}")
        assert resp.ok and resp.headers["content-type"].startswith("image/svg+xml")
    finally:
        context.close()


def test_public_header_contrast(demo_server, browser):
    context = _context(browser, DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{demo_server}/public/plans")
        bg, fg = page.evaluate("() => { const h = document.querySelector('header'); const s = getComputedStyle(h);"
                               " return [s.backgroundColor, s.color]; }")
        assert contrast(parse_colour(fg), parse_colour(bg)) >= 4.5
    finally:
        context.close()


def test_admin_pages_sit_under_one_menu(demo_server, browser):
    context = _context(browser, DESKTOP)
    page = context.new_page()
    try:
        login(page, demo_server, "admin")
        nav = page.locator("nav.navbar")
        nav.get_by_role("button", name="系统管理").click()
        nav.get_by_role("link", name="单位管理").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "单位管理"
        check_a11y(page)
        # 单位管理: 编辑 and 停用 stay on one line, side by side, in every row
        rows = page.evaluate("""() => [...document.querySelectorAll('td.row-actions')].map(td =>
            [...td.querySelectorAll('.btn')].map(b => { const r = b.getBoundingClientRect(); return [r.top, r.height]; }))""")
        assert len(rows) > 5
        # and no button on the page breaks its words over two lines (the toolbar's 筛选 and 导入名录 did)
        heights = page.evaluate("() => [...document.querySelectorAll('main .btn')].map(b => [b.innerText, b.getBoundingClientRect().height])")
        assert heights and all(h < 40 for _, h in heights), [x for x in heights if x[1] >= 40]
        for buttons in rows:
            assert len(buttons) == 2
            assert len({round(top) for top, _ in buttons}) == 1, buttons
            assert all(h < 40 for _, h in buttons), buttons
    finally:
        context.close()


# -- 使用说明 ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_each_role_finds_its_help_in_the_menu(demo_server, browser, role):
    context = _context(browser, DESKTOP)
    page = context.new_page()
    try:
        login(page, demo_server, ACCOUNTS[role])
        page.locator("nav.navbar").get_by_role("link", name="使用说明").click()
        page.wait_for_load_state()
        check_a11y(page)
        assert page.locator("h1").inner_text() == HELP[role].title
        text = page.inner_text("main")
        for section in HELP[role].sections:
            assert section.title in text
        images = page.locator("main img.help-shot")
        expected = sum(len(s.shots) for s in HELP[role].sections)
        assert images.count() == expected
        for i in range(expected):
            img = images.nth(i)
            img.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
        page.screenshot(path=str(ARTIFACTS / f"help-{role}.png"), full_page=True)
        # another role's help is one click away
        other = next(r for r in ACCOUNTS if r != role)
        page.get_by_role("navigation", name="其他角色的使用说明").get_by_role("link", name=HELP[other].title[:-4]).click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == HELP[other].title
    finally:
        context.close()


# -- 390 px ----------------------------------------------------------------------------------------------------

def test_the_public_pages_fit_a_phone(demo_server, browser):
    context = _context(browser, PHONE)
    page = context.new_page()
    try:
        page.goto(f"{demo_server}/login")
        assert _scroll_width(page) <= PHONE["width"]
        page.get_by_role("link", name="查看公开的重点工作进展").click()
        page.wait_for_load_state()
        assert page.url.endswith("/public/plans")
        assert _scroll_width(page) <= PHONE["width"]
        page.locator("#public-help summary").click()
        assert "使用说明" in page.inner_text("#public-help") and page.locator("#public-help li").count() >= 2
        page.locator("main a[href*='/public/plans/']").first.click()
        page.wait_for_load_state()
        check_a11y(page)
        assert _scroll_width(page) <= PHONE["width"]
        assert_cards(page)
        page.screenshot(path=str(ARTIFACTS / "public-plan-390.png"), full_page=True)
        cell = page.locator("table.table-cards td[data-label='完成时限']").first
        label = page.evaluate("el => getComputedStyle(el, '::before').content", cell.element_handle())
        assert "完成时限" in label
    finally:
        context.close()


def assert_cards(page) -> None:
    """The wide table shows as cards: header hidden, each row a block the width of the screen."""
    table = page.locator("table.table-cards")
    assert table.count() == 1
    assert page.evaluate("() => getComputedStyle(document.querySelector('table.table-cards tbody tr')).display") == "block"
    head = page.locator("table.table-cards thead").bounding_box()
    assert head is None or head["height"] <= 1
    widths = page.evaluate("() => [...document.querySelectorAll('table.table-cards tbody tr')].slice(0, 10)"
                           ".map(r => r.getBoundingClientRect().right)")
    assert widths and max(widths) <= PHONE["width"]


def test_my_tasks_fit_a_phone_and_the_menu_folds(demo_server, browser):
    context = _context(browser, PHONE)
    page = context.new_page()
    try:
        login(page, demo_server, "caizheng")
        page.goto(f"{demo_server}/my/tasks")
        check_a11y(page)
        assert _scroll_width(page) <= PHONE["width"]
        assert_cards(page)
        # the menu is folded behind one button; opened, its entries are there and still fit
        menu = page.locator("#main-nav")
        assert not menu.is_visible()
        page.get_by_role("button", name="展开或收起菜单").click()
        menu.get_by_role("link", name="我的任务").wait_for(state="visible")
        assert menu.get_by_role("link", name="使用说明").is_visible()
        assert _scroll_width(page) <= PHONE["width"]
        menu.get_by_role("link", name="使用说明").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == HELP["reporter"].title
        assert _scroll_width(page) <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS / "help-reporter-390.png"), full_page=True)
    finally:
        context.close()


# -- the README's and the help pages' screenshots ----------------------------------------------------------

def _shoot(page, base: str, path: str, name: str, heading: str, must_show: str) -> None:
    resp = page.goto(f"{base}{path}")
    assert resp.status == 200, (path, resp.status)
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == heading
    assert must_show in page.inner_text("main"), (path, must_show)
    save_shot(page, name)


def test_screenshots(demo_server, browser):
    """Take every picture the README and the 使用说明 pages show, at 1280 px and at 390 px."""
    desktop = _context(browser, DESKTOP)
    page = desktop.new_page()
    try:
        login(page, demo_server, "lingdao")
        _shoot(page, demo_server, "/dashboard/", "dashboard.png", "督办总览", "各单位承办状态")
        page.get_by_role("link", name="逾期情况汇总").first.click()
        page.wait_for_load_state("networkidle")
        save_shot(page, "overdue-summary.png")
        logout(page)

        login(page, demo_server, "duban")
        _shoot(page, demo_server, "/review", "review-queue.png", "审核进展报告", "运城市")
        _shoot(page, demo_server, "/plans/import", "import.png", "导入工作要点", "上传")
        _shoot(page, demo_server, "/exports/", "exports.png", "导出报表", "工作台账")
        page.goto(f"{demo_server}/plans/")
        page.locator("main a[href^='/plans/']", has_text="运城市2021年").first.click()
        page.wait_for_load_state("networkidle")
        save_shot(page, "plan.png")
        logout(page)

        login(page, demo_server, "admin")
        _shoot(page, demo_server, "/admin/units/", "units.png", "单位管理", "运城市人民政府")
        logout(page)

        login(page, demo_server, "caizheng")
        _shoot(page, demo_server, "/my/tasks", "my-tasks.png", "我的任务", "需要优先处理")
        page.locator("table.table-cards a[href*='/assignments/']").first.click()
        page.wait_for_load_state("networkidle")
        save_shot(page, "assignment.png")
        logout(page)

        page.goto(f"{demo_server}/public/plans")
        page.locator("main a[href*='/public/plans/']").first.click()
        page.wait_for_load_state("networkidle")
        assert "进展状态" in page.inner_text("main")
        save_shot(page, "public-page.png")
    finally:
        desktop.close()

    phone = _context(browser, PHONE, scale=2)
    page = phone.new_page()
    try:
        page.goto(f"{demo_server}/public/plans")
        page.locator("main a[href*='/public/plans/']").first.click()
        page.wait_for_load_state("networkidle")
        save_shot(page, "public-page-mobile.png")
        login(page, demo_server, "caizheng")
        page.goto(f"{demo_server}/my/tasks")
        save_shot(page, "my-tasks-mobile.png")
    finally:
        phone.close()
    # every picture the help pages name was taken here
    named = {shot.file for h in HELP.values() for s in h.sections for shot in s.shots}
    assert named <= {p.name for p in SCREENS.glob("*.png")}

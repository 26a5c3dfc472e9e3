"""Shared steps for the browser journeys."""
from __future__ import annotations

A11Y_SCRIPT = """
() => {
  const problems = [];
  if (!document.title.trim()) problems.push('page has no title');
  const h1 = document.querySelectorAll('h1');
  if (h1.length !== 1) problems.push(`page has ${h1.length} h1 elements`);
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button'].includes(el.type)) continue;
    const id = el.id;
    const labelled = (id && document.querySelector(`label[for="${CSS.escape(id)}"]`)) || el.closest('label')
      || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title');
    if (!labelled) problems.push(`field without label: ${el.name || el.id || el.outerHTML.slice(0, 60)}`);
  }
  for (const b of document.querySelectorAll('button, input[type=submit]')) {
    const text = (b.innerText || b.value || b.getAttribute('aria-label') || '').trim();
    if (!text) problems.push(`button without text: ${b.outerHTML.slice(0, 80)}`);
  }
  return problems;
}
"""


def check_a11y(page) -> None:
    """Assert the accessibility basics on the current page (once it has loaded: a click that navigates
    returns before the new page is there, and a loaded machine shows the blank page in between)."""
    page.wait_for_load_state()
    problems = page.evaluate(A11Y_SCRIPT)
    assert problems == [], f"{page.url}: {problems}"


def login(page, base: str, username: str, password: str = "demo-2021") -> None:
    page.goto(f"{base}/login")
    check_a11y(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]


def logout(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()

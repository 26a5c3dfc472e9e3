"""Print views (issue 21): A4 pages without navigation, titled with the 制表单位 and date, as_of honoured."""
from __future__ import annotations

import re

from tests.dashboard.conftest import AS_OF
from tracker.extensions import db
from tracker.timeutil import app_today, cn_date

Q = f"as_of={AS_OF.isoformat()}"


def page(client, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.status_code)
    return resp.get_data(as_text=True)


def is_print_page(html: str) -> None:
    assert "<nav" not in html and "navbar" not in html  # no navigation
    assert 'href="/static/print.css"' in html and "<button type=\"button\" class=\"print-button\" data-print>打印</button>" in html
    assert '<script src="/static/tracker.js"></script>' in html and "onclick" not in html
    assert f"制表日期：{cn_date(app_today())}" in html


def test_overdue_summary_prints_every_unit_at_the_date_asked(client, auth, scene, world):
    auth.login(world.leader)
    screen = page(client, f"/dashboard/overdue?plan={world.plan.id}&{Q}")
    assert f'href="/dashboard/overdue/print?as_of={AS_OF.isoformat()}&amp;plan={world.plan.id}"' in screen
    html = page(client, f"/dashboard/overdue/print?plan={world.plan.id}&{Q}")
    is_print_page(html)
    assert f"<h1>{world.plan.title}逾期情况汇总</h1>" in html
    assert "制表单位：测试市人民政府" in html  # the leader's unit
    assert f"统计截至：{cn_date(AS_OF)}" in html
    # the same figures as the screen page (tests/dashboard/test_views.py: finance 11 days, then the county)
    assert html.index("1. 测试市财政局") < html.index("2. 测试县人民政府")
    assert "累计逾期 11 个工作日" in html
    screen_rows = re.findall(r'<tr data-assignment="(\d+)" data-days="(\d+)"', screen)
    assert re.findall(r'<tr data-assignment="(\d+)" data-days="(\d+)"', html) == screen_rows and screen_rows
    auth.logout()
    auth.login(world.admin)  # no unit of their own: the plan's issuing unit makes the table
    assert f"制表单位：{world.plan.unit.name}" in page(client, f"/dashboard/overdue/print?plan={world.plan.id}&{Q}")
    auth.logout()
    auth.login(world.reporter)
    assert client.get(f"/dashboard/overdue/print?plan={world.plan.id}").status_code == 403


def test_a_units_assignments_print(client, auth, scene, world):
    auth.login(world.supervisor)
    url = f"/dashboard/assignments/print?plan={world.plan.id}&unit={world.finance.id}&{Q}"
    html = page(client, url)
    is_print_page(html)
    assert "<h1>测试市财政局承办事项清单</h1>" in html and "制表单位：测试市人民政府" in html
    screen = page(client, f"/dashboard/assignments?plan={world.plan.id}&unit={world.finance.id}&{Q}")
    rows = re.findall(r'<tr data-assignment="(\d+)" data-status="(\w+)" data-days="(\d+)"', screen)
    assert re.findall(r'<tr data-assignment="(\d+)" data-status="(\w+)" data-days="(\d+)"', html) == rows and rows
    other = f"/dashboard/assignments/print?plan={world.plan.id}&unit={world.other_dept.id}&{Q}"
    assert client.get(other).status_code == 404
    db.session.rollback()

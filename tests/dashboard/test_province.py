"""The province overview (issue 15): every city's plans of a year, figures and ranking worked out by hand."""
from __future__ import annotations

import re

import pytest

from tests.dashboard.province_world import AS_OF, build_province
from tracker.dashboard.province import CityRow, ranked

URL = "/dashboard/province"


def rows(html: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'data-([a-z]+)="([^"]*)"', tr)) for tr in re.findall(r"<tr data-city[^>]*>", html)]


def table(html: str, world) -> list[tuple]:
    names = {str(u.id): u.name[:2] for u in (world.jia, world.yi, world.bing, world.ding)}
    return [(names[r["city"]], r["rank"], int(r["plans"]), int(r["tasks"]), int(r["assignments"]),
             int(r["completed"]), int(r["overdue"]), int(r["ontime"])) for r in rows(html)]


@pytest.fixture
def province():
    return build_province()


def test_every_city_of_the_year_with_its_figures_and_rank(client, auth, province):
    auth.login(province.users.supervisor)
    resp = client.get(f"{URL}?year=2021&as_of={AS_OF.isoformat()}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    # city, rank, plans, tasks, assignments, completed, overdue, on time (see province_world)
    assert table(html, province) == [
        ("丁市", "1", 1, 1, 1, 1, 0, 1),
        ("甲市", "2", 2, 4, 7, 4, 2, 3),
        ("乙市", "2", 1, 1, 2, 1, 1, 1),
        ("丙市", "", 1, 1, 1, 0, 0, 0),
    ]
    assert "100.0%" in html and "50.0%" in html
    assert "各市工作要点落实总览" in html and "按时办结率" in html and "统计截至 2021年11月15日" in html
    # 合计: 5 plans, 7 tasks, 11 assignments, 6 completed, 3 overdue, 5 on time: 5/9 = 55.6%
    assert "55.6%" in html


def test_as_of_is_honoured(client, auth, province):
    # On Friday 11-12: x1 (done 23:59:59 local) is completed, x2 (done 00:00 on the 13th) is still
    # open and due that day, so not overdue; x3 is due that day too; x6 (due 11-10) is overdue.
    auth.login(province.users.leader)
    html = client.get(f"{URL}?year=2021&as_of=2021-11-12").get_data(as_text=True)
    jia = next(r for r in rows(html) if r["city"] == str(province.jia.id))
    assert (jia["completed"], jia["overdue"], jia["ontime"]) == ("3", "1", "3")
    assert "75.0%" in html


def test_the_year_selector(client, auth, province):
    auth.login(province.users.supervisor)
    html = client.get(f"{URL}?year=2020&as_of={AS_OF.isoformat()}").get_data(as_text=True)
    assert table(html, province) == [("乙市", "1", 1, 1, 1, 0, 1, 0)]
    assert '<option value="2020" selected>2020年</option>' in html and '<option value="2021">2021年</option>' in html
    # Without a year: the as-of date's year.
    html = client.get(f"{URL}?as_of={AS_OF.isoformat()}").get_data(as_text=True)
    assert len(rows(html)) == 4


def test_a_city_supervisor_sees_only_the_own_city(client, auth, province):
    auth.login(province.users.city_supervisor)
    html = client.get(f"{URL}?year=2021&as_of={AS_OF.isoformat()}").get_data(as_text=True)
    assert [r["city"] for r in rows(html)] == [str(province.jia.id)]


def test_a_year_without_plans(client, auth, province):
    auth.login(province.users.supervisor)
    html = client.get(f"{URL}?year=2019&as_of={AS_OF.isoformat()}").get_data(as_text=True)
    assert "2019年暂无可查看的工作要点" in html and not rows(html)


@pytest.mark.parametrize("query, message", [
    ("year=abc", "年度应为2000至2100之间的整数"),
    ("year=1999", "年度应为2000至2100之间的整数"),
    ("year=2021&as_of=2021-13-01", "日期格式不正确"),
    ("year=2021&as_of=1899-12-31", "日期超出范围"),
])
def test_bad_input_is_a_clear_400(client, auth, province, query, message):
    auth.login(province.users.supervisor)
    resp = client.get(f"{URL}?{query}")
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)


def test_reporters_may_not_open_it(client, auth, province):
    auth.login(province.users.reporter)
    assert client.get(URL).status_code == 403


def test_ranking_ties_share_a_rank_in_official_order():
    def row(uid, name, order, on_time, due):
        return CityRow(unit_id=uid, name=name, sort_order=order, completed=due, on_time=on_time)

    # 2/3 and 4/6 are the same rate; 1/3 below; nothing due: unranked, last, in official order.
    got = ranked([row(1, "乙", 2, 2, 3), row(2, "甲", 1, 4, 6), row(3, "丙", 3, 1, 3), row(4, "丁", 4, 0, 0),
                  row(5, "戊", 0, 0, 0), row(6, "己", 5, 3, 3)])
    assert [(r.name, r.rank) for r in got] == [("己", 1), ("甲", 2), ("乙", 2), ("丙", 4), ("戊", None), ("丁", None)]

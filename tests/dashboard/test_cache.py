"""The dashboard's figure cache: pure LRU behaviour, and through the view, never a stale number."""
from __future__ import annotations

import threading

import pytest

from tests.dashboard.conftest import AS_OF, utc
from tests.dashboard.helpers import drill_links
from tracker.dashboard.cache import FigureCache
from tracker.dashboard.views import figure_cache
from tracker.extensions import db


@pytest.mark.no_db
def test_hit_after_miss_and_least_recently_used_goes_first():
    cache: FigureCache[int] = FigureCache(max_entries=2)
    calls = []

    def compute(v):
        def f():
            calls.append(v)
            return v
        return f

    assert cache.get_or_compute("a", compute(1)) == (1, False)
    assert cache.get_or_compute("a", compute(99)) == (1, True)
    cache.get_or_compute("b", compute(2))
    cache.get_or_compute("a", compute(99))  # a is now the most recently used
    cache.get_or_compute("c", compute(3))  # evicts b
    assert len(cache) == 2
    assert cache.get_or_compute("b", compute(4)) == (4, False)
    assert cache.get_or_compute("c", compute(99)) == (3, True)
    assert calls == [1, 2, 3, 4]
    assert (cache.hits, cache.misses) == (3, 4)
    cache.clear()
    assert len(cache) == 0


@pytest.mark.no_db
def test_a_failed_computation_stores_nothing():
    cache: FigureCache[int] = FigureCache()

    def boom():
        raise RuntimeError("db down")

    with pytest.raises(RuntimeError):
        cache.get_or_compute("k", boom)
    assert len(cache) == 0
    assert cache.get_or_compute("k", lambda: 5) == (5, False)


@pytest.mark.no_db
def test_threads_share_one_cache():
    cache: FigureCache[int] = FigureCache(max_entries=8)
    results = []

    def worker(i):
        for k in range(20):
            results.append(cache.get_or_compute(k % 10, lambda k=k: k % 10)[0])

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(0 <= r < 10 for r in results)
    assert len(cache) <= 8


@pytest.mark.no_db
def test_at_least_one_entry():
    with pytest.raises(ValueError):
        FigureCache(max_entries=0)


def glance(client, url):
    resp = client.get(url)
    assert resp.status_code == 200
    counts = {href.split("status=")[1].split("&")[0]: n
              for n, href in drill_links(resp.get_data(as_text=True))[:5] if "status=" in href}
    return resp.headers["X-Cache"], counts


def test_repeat_view_is_served_from_the_cache_until_the_plan_changes(app, client, auth, scene, world):
    figure_cache(app).clear()
    auth.login(world.leader)
    url = f"/dashboard/?plan={world.plan.id}&as_of={AS_OF.isoformat()}"
    assert glance(client, url) == ("miss", {"completed": 3, "on_track": 4, "due_soon": 1, "overdue": 2})
    assert glance(client, url) == ("hit", {"completed": 3, "on_track": 4, "due_soon": 1, "overdue": 2})
    # Another date or filter is another entry.
    assert glance(client, url + "&category=A")[0] == "miss"
    # A completed assignment moves from overdue to completed at once.
    scene.a1.status, scene.a1.completed_at = "completed", utc(2021, 9, 14, 2, 0)
    db.session.flush()
    assert glance(client, url) == ("miss", {"completed": 4, "on_track": 4, "due_soon": 1, "overdue": 1})
    # An extension moves the due-soon one out to on track.
    from datetime import date
    scene.a4.due_on = date(2021, 10, 29)
    db.session.flush()
    assert glance(client, url) == ("miss", {"completed": 4, "on_track": 5, "due_soon": 0, "overdue": 1})
    assert glance(client, url)[0] == "hit"


def test_renaming_a_unit_shows_at_once(app, client, auth, scene, world):
    auth.login(world.leader)
    url = f"/dashboard/?plan={world.plan.id}&as_of={AS_OF.isoformat()}"
    client.get(url)
    world.finance.name = "测试市财政局（更名）"
    db.session.flush()
    resp = client.get(url)
    assert resp.headers["X-Cache"] == "miss"
    assert "测试市财政局（更名）" in resp.get_data(as_text=True)


def test_a_calendar_override_changes_the_figures(app, client, auth, scene, world):
    """Working days overdue follow the admin's calendar, as the sweep does."""
    from datetime import date

    from tracker.supervise.calendar_db import set_override

    auth.login(world.leader)
    url = f"/dashboard/?plan={world.plan.id}&as_of={AS_OF.isoformat()}&sort=days"
    before = client.get(url).get_data(as_text=True)
    set_override(world.admin, date(2021, 9, 14), False, "测试停工")
    db.session.flush()
    resp = client.get(url)
    assert resp.headers["X-Cache"] == "miss"
    assert resp.get_data(as_text=True) != before


@pytest.mark.no_db
@pytest.mark.parametrize("base", [
    dict(),
    dict(category="A"),
    dict(unit_id=7, section="一、扩大公开范围"),
    dict(section="a&b=c d"),
])
def test_list_links_equal_a_full_encoding(base):
    """The prefix shortcut builds exactly the URL urlencode would, whatever is added or changed."""
    from datetime import date
    from urllib.parse import urlencode

    from tracker.dashboard.queries import Filters, StatusRules
    from tracker.dashboard.views import Selection

    sel = Selection(plans=[], plan=None, as_of=date(2021, 9, 15), rules=StatusRules.at(date(2021, 9, 15)),
                    flt=Filters(plan_id=3, **base), list_path="/dashboard/assignments")
    for changes in ({}, {"status": "overdue"}, {"unit": 12}, {"unit": 12, "status": "completed"},
                    {"section": "二、强化政策解读", "status": "due_soon"}, {"section": "-"},
                    {"category": "B"}, {"plan": 4}, {"status": None}, {"unit": None, "section": "x y"}):
        assert sel.list_url(**changes) == f"/dashboard/assignments?{urlencode(sel.args(**changes))}", changes
    links = sel.unit_links(12)
    assert links.pop("all") == sel.list_url(unit=12)
    assert links == {s: sel.list_url(unit=12, status=s) for s in ("completed", "on_track", "due_soon", "overdue")}

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tracker.public.cache import PageCache

pytestmark = pytest.mark.no_db
AT = datetime(2021, 9, 15, 2, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_entry_lives_for_its_ttl():
    clock = Clock()
    cache = PageCache(clock)
    cache.put(1, "<p>一</p>", AT, ttl=300)
    clock.now += 299
    assert cache.get(1).html == "<p>一</p>" and cache.get(1).rendered_at == AT
    clock.now += 1
    assert cache.get(1) is None and len(cache) == 0


def test_invalidate_and_zero_ttl():
    cache = PageCache(Clock())
    cache.put(1, "a", AT, ttl=300)
    cache.put(2, "b", AT, ttl=300)
    cache.invalidate(1)
    assert cache.get(1) is None and cache.get(2).html == "b"
    cache.put(3, "c", AT, ttl=0)
    assert cache.get(3) is None


def test_full_cache_evicts_the_entry_closest_to_expiry():
    clock = Clock()
    cache = PageCache(clock, max_entries=2)
    cache.put(1, "a", AT, ttl=100)
    cache.put(2, "b", AT, ttl=50)
    cache.put(3, "c", AT, ttl=100)
    assert cache.get(2) is None and cache.get(1).html == "a" and cache.get(3).html == "c"


def test_an_entry_serves_only_the_data_version_it_was_rendered_from():
    cache = PageCache(Clock())
    cache.put(1, "<p>旧</p>", AT, ttl=300, version="v1")
    assert cache.get(1, "v1").html == "<p>旧</p>"
    assert cache.get(1, "v2") is None  # the data changed: a miss, and the old page is dropped
    assert cache.get(1, "v1") is None and len(cache) == 0

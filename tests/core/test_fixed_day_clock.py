"""With TRACKER_TODAY (the demo's clock) a request's writes are dated on that day, at the real time of day, so a
review approved in the demo counts as done on the demo's today; without it, and outside requests, the real clock."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from tracker.timeutil import clock_at, local_instant, utcnow

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _now_in_request(app):
    with app.test_request_context("/login"):
        app.preprocess_request()
        try:
            return utcnow()
        finally:
            app.do_teardown_request()


def test_a_request_under_the_demo_clock_is_dated_on_the_demo_day(app):
    app.config["TODAY"] = date(2021, 11, 15)
    try:
        before = datetime.now(SHANGHAI)
        stamped = _now_in_request(app).astimezone(SHANGHAI)
        after = datetime.now(SHANGHAI)
        assert stamped.date() == date(2021, 11, 15)
        if before.date() == after.date():  # not across midnight: the real time of day
            assert before.time() <= stamped.time() <= after.time()
        # after the request the real clock is back
        assert abs((utcnow() - datetime.now(timezone.utc)).total_seconds()) < 60
    finally:
        app.config["TODAY"] = None


def test_without_the_demo_clock_a_request_uses_the_real_clock(app):
    app.config["TODAY"] = None
    assert abs((_now_in_request(app) - datetime.now(timezone.utc)).total_seconds()) < 60


def test_the_loaders_clock_wins_inside_a_request(app):
    app.config["TODAY"] = date(2021, 11, 15)
    try:
        with clock_at(local_instant(date(2021, 7, 15), 9, 30)):
            assert _now_in_request(app) == local_instant(date(2021, 7, 15), 9, 30)
    finally:
        app.config["TODAY"] = None

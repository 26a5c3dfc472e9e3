"""Time helpers: store UTC, show the configured local zone (Asia/Shanghai)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


#: an instant utcnow() answers while set (the demo loader dates its story's events with it)
_clock: ContextVar[datetime | None] = ContextVar("tracker_clock", default=None)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (the instant set by `clock_at` inside one)."""
    fixed = _clock.get()
    return fixed if fixed is not None else datetime.now(timezone.utc)


@contextmanager
def clock_at(instant: datetime) -> Iterator[None]:
    """Make utcnow() answer `instant` inside the block: records created there carry that time.

    For loading a story whose events happened on known days (the demo), not for requests.
    """
    if instant.tzinfo is None:
        raise ValueError("clock_at needs an aware datetime")
    token = _clock.set(instant.astimezone(timezone.utc))
    try:
        yield
    finally:
        _clock.reset(token)


def fixed_day_clock(app) -> None:
    """With `TRACKER_TODAY` set (the demo's clock), date what a request writes on that day, at the real time of day.

    Without it, a review approved in the demo would be stamped with the real date, after the demo's today,
    and every page counting as of the demo's today would still show the assignment open. Requests only:
    the scheduler and the command line keep the real clock (or the loader's `clock_at`).
    """
    from flask import g

    def start() -> None:
        fixed = app.config.get("TODAY")
        if fixed and _clock.get() is None:
            zone = local_zone(app.config.get("TIMEZONE") or "Asia/Shanghai")
            instant = datetime.combine(fixed, datetime.now(zone).time(), tzinfo=zone)
            g.tracker_clock_token = _clock.set(instant.astimezone(timezone.utc))

    def stop(_exc=None) -> None:
        token = g.pop("tracker_clock_token", None)
        if token is not None:
            _clock.reset(token)

    app.before_request(start)
    app.teardown_request(stop)


def local_instant(day: date, hour: int = 9, minute: int = 0, name: str = "Asia/Shanghai") -> datetime:
    """Return day at hour:minute local time as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=local_zone(name)).astimezone(timezone.utc)


def local_zone(name: str = "Asia/Shanghai") -> ZoneInfo:
    """Return the zone used to show times and decide what 'today' is."""
    return ZoneInfo(name)


def local_today(name: str = "Asia/Shanghai") -> date:
    """Return today's date in the local zone."""
    return datetime.now(local_zone(name)).date()


def app_today() -> date:
    """Return the app's today: the fixed date `TRACKER_TODAY` when set (the demo's clock), else today in the configured zone.

    Every rule that depends on today still takes `as_of`; this only supplies the default.
    """
    from flask import current_app, has_app_context

    if not has_app_context():
        return local_today()
    fixed = current_app.config.get("TODAY")
    if fixed:
        return fixed
    return local_today(current_app.config.get("TIMEZONE") or "Asia/Shanghai")


def local_start(day: date, name: str | None = None) -> datetime:
    """Return the UTC instant at which the local calendar day begins (in the app's zone)."""
    if name is None:
        from .config import setting

        name = setting("TIMEZONE", "Asia/Shanghai")
    return datetime.combine(day, time(0), tzinfo=local_zone(name)).astimezone(timezone.utc)


def cn_date(d: date | None) -> str:
    """Return a date as official Chinese text: 2021年11月15日 (empty for None)."""
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def to_local(value: datetime | None, name: str = "Asia/Shanghai") -> datetime | None:
    """Convert a stored UTC datetime to local time."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(local_zone(name))


#: the plausible range of every date the app reads (plans, deadlines, as_of, extensions, calendars)
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def parse_iso_date(raw: str | None) -> date | None:
    """Parse YYYY-MM-DD or return None; raise ValueError with a Chinese message if malformed or implausible."""
    if raw in (None, ""):
        return None
    text = raw.strip()
    try:
        if not (len(text) == 10 and text.isascii()):
            raise ValueError(text)
        value = date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"日期格式不正确：“{text[:20]}”，应为 YYYY-MM-DD，例如 2021-10-31") from exc
    check_date_range(value)
    return value


def check_date_range(value: date, what: str = "日期") -> date:
    """Return the date if it lies in the plausible range, else raise ValueError in Chinese."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"{what}超出范围：{value.isoformat()}，应在{EARLIEST_DATE.isoformat()}至{LATEST_DATE.isoformat()}之间")
    return value


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores it naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

"""Time helpers: store UTC, show the configured local zone (Asia/Shanghai)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


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


def parse_iso_date(raw: str | None) -> date | None:
    """Parse YYYY-MM-DD or return None; raise ValueError with a Chinese message if malformed."""
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ValueError(f"日期格式不正确：{raw!r}，应为 YYYY-MM-DD，例如 2021-10-31") from exc


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

"""The working-day calendar with the admin's overrides from the database, cached per database.

The cache key is a cheap fingerprint of the overrides table (row count and latest change), so an
edit made in one web worker is seen by the others and by the scheduler on their next call.
"""
from __future__ import annotations

import threading
from datetime import date

import sqlalchemy as sa

from ..audit.services import record
from ..calendar import WorkCalendar, default_calendar
from ..errors import ServiceError
from ..extensions import database_key, db
from .models import CalendarOverride

_lock = threading.Lock()
#: database URL → (fingerprint, calendar)
_cache: dict[str, tuple[tuple, WorkCalendar]] = {}


def _fingerprint() -> tuple:
    count, latest, top = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(CalendarOverride.updated_at), sa.func.max(CalendarOverride.id))
    ).one()
    return (count, str(latest), top)


def current_calendar() -> WorkCalendar:
    """Return the official calendar with the admin's overrides applied."""
    key = database_key()
    fingerprint = _fingerprint()
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == fingerprint:
            return cached[1]
    if fingerprint[0] == 0:
        calendar = default_calendar()
    else:
        rows = db.session.execute(sa.select(CalendarOverride.day, CalendarOverride.is_workday)).all()
        calendar = WorkCalendar({day: bool(workday) for day, workday in rows})
    with _lock:
        _cache[key] = (fingerprint, calendar)
    return calendar


def invalidate() -> None:
    """Forget every cached calendar (after an edit; others notice through the fingerprint)."""
    with _lock:
        _cache.clear()


def set_override(actor, day: date, is_workday: bool, note: str = "") -> CalendarOverride:
    """Declare a day a workday or a holiday, replacing any earlier override of that day."""
    note = (note or "").strip()
    if len(note) > 100:
        raise ServiceError("说明最多100字。")
    override = db.session.scalar(sa.select(CalendarOverride).where(CalendarOverride.day == day))
    before = None
    if override is None:
        override = CalendarOverride(day=day, is_workday=is_workday, note=note, created_by_id=getattr(actor, "id", None))
        db.session.add(override)
    else:
        before = {"is_workday": override.is_workday, "note": override.note}
        override.is_workday, override.note = is_workday, note
    db.session.flush()
    record(actor, "calendar.override", "calendar_override", override.id, before=before,
           after={"day": day, "is_workday": is_workday, "note": note})
    invalidate()
    return override


def delete_override(actor, override: CalendarOverride) -> None:
    """Remove an override; the day falls back to the official calendar."""
    record(actor, "calendar.override_delete", "calendar_override", override.id,
           before={"day": override.day, "is_workday": override.is_workday, "note": override.note})
    db.session.delete(override)
    db.session.flush()
    invalidate()

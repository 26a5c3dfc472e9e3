"""Send notifications to users, to every reporter of a unit, or to the staff above a unit."""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ..accounts.models import User
from ..extensions import db
from ..timeutil import utcnow
from ..units.models import Unit
from .models import Notification


def notify_users(user_ids: Iterable[int], *, kind: str, title: str, body: str = "", link: str | None = None,
                 object_type: str | None = None, object_id: int | None = None,
                 dedupe_key: str | None = None) -> int:
    """Add one notification per user; with dedupe_key, users who already have it are skipped."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    if dedupe_key:
        keys = {uid: f"{dedupe_key}:u{uid}" for uid in ids}
        taken = set(db.session.scalars(sa.select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys.values()))))
        ids = [uid for uid in ids if keys[uid] not in taken]
    for uid in ids:
        db.session.add(Notification(
            user_id=uid, kind=kind, title=title, body=body, link=link, object_type=object_type,
            object_id=object_id, dedupe_key=f"{dedupe_key}:u{uid}" if dedupe_key else None,
        ))
    return len(ids)


def unit_reporter_ids(unit_id: int) -> list[int]:
    """Return the active reporters of a unit."""
    return list(db.session.scalars(
        sa.select(User.id).where(User.unit_id == unit_id, User.role == "reporter", User.is_active_account)
    ))


def reporters_by_unit(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """Return the active reporters of many units at once: unit id → user ids (one query per 500 units)."""
    ids = sorted(set(unit_ids))
    out: dict[int, list[int]] = {uid: [] for uid in ids}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for unit_id, user_id in db.session.execute(
                sa.select(User.unit_id, User.id).where(User.unit_id.in_(chunk), User.role == "reporter",
                                                       User.is_active_account).order_by(User.id)):
            out[unit_id].append(user_id)
    return out


def staff_ids_over(unit: Unit, roles: tuple[str, ...] = ("leader",)) -> list[int]:
    """Return active users of the given roles whose scope (own unit's subtree) covers the unit."""
    ancestors = [int(x) for x in unit.path.strip("/").split("/") if x]
    return list(db.session.scalars(
        sa.select(User.id).where(User.role.in_(roles), User.is_active_account, User.unit_id.in_(ancestors))
    ))


def notify_unit(unit_id: int, **kwargs) -> int:
    """Notify every reporter of a unit."""
    return notify_users(unit_reporter_ids(unit_id), **kwargs)


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ) or 0


def mark_read(user_id: int, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a user's notifications read; return how many changed."""
    stmt = sa.update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(list(notification_ids)))
    return db.session.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount

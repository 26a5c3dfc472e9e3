"""Accounts: login with throttling, and user administration."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from ..access import ROLES
from ..audit.services import record, snapshot
from ..errors import ServiceError
from ..extensions import db
from ..timeutil import utcnow
from ..units.models import Unit
from .models import LoginAttempt, User, password_hash_for_timing

USER_FIELDS = ("username", "display_name", "role", "unit_id", "is_active_account")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
MIN_PASSWORD = 8


def failures_since(username: str, remote_addr: str, since: datetime) -> tuple[int, int]:
    """Count failed logins since a time for the account and for the address."""
    q = sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.is_success.is_(False), LoginAttempt.created_at >= since
    )
    by_user = db.session.scalar(q.where(LoginAttempt.username == username))
    by_addr = db.session.scalar(q.where(LoginAttempt.remote_addr == remote_addr))
    return by_user or 0, by_addr or 0


def authenticate(username: str, password: str, remote_addr: str, *, max_failures: int = 5,
                 window_minutes: int = 15, now: datetime | None = None) -> User:
    """Return the user for valid credentials, or raise ServiceError; every try is recorded."""
    now = now or utcnow()
    username = (username or "").strip()
    remote_addr = remote_addr or "unknown"
    by_user, by_addr = failures_since(username, remote_addr, now - timedelta(minutes=window_minutes))
    if by_user >= max_failures or by_addr >= max_failures:
        raise ServiceError(f"登录失败次数过多，已暂时锁定，请{window_minutes}分钟后再试。", status=429)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        # Hash anyway, so a missing account answers as slowly as a wrong password for a real one.
        check_password_hash(password_hash_for_timing(), password or "")
    ok = user is not None and user.check_password(password or "")
    db.session.add(LoginAttempt(username=username, remote_addr=remote_addr, is_success=ok, created_at=now))
    if not ok:
        db.session.flush()
        raise ServiceError("用户名或密码错误。", status=401)
    if not user.is_active_account:
        raise ServiceError("该账号已停用，请联系系统管理员。", status=403)
    user.last_login_at = now
    record(user, "user.login", "user", user.id)
    return user


def _check_fields(username: str, display_name: str, role: str, unit: Unit | None) -> None:
    if not USERNAME_RE.match(username or ""):
        raise ServiceError("用户名应为2-64位字母、数字、下划线、点或短横线。")
    if not (display_name or "").strip():
        raise ServiceError("请填写姓名。")
    if role not in ROLES:
        raise ServiceError(f"未知角色：{role}")
    if role == "reporter" and unit is None:
        raise ServiceError("单位填报员必须属于一个单位。")
    if role in ("supervisor", "leader") and unit is None:
        raise ServiceError("督查人员和分管领导必须指定所属单位（决定可查看的范围）。")


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ServiceError(f"密码至少{MIN_PASSWORD}位。")


def create_user(actor, *, username: str, display_name: str, role: str, password: str,
                unit: Unit | None = None) -> User:
    """Create an account."""
    username = (username or "").strip()
    _check_fields(username, display_name, role, unit)
    _check_password(password)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise ServiceError(f"用户名“{username}”已存在。")
    user = User(username=username, display_name=display_name.strip(), role=role, unit=unit)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", "user", user.id, after=snapshot(user, USER_FIELDS))
    return user


def update_user(actor, user: User, *, display_name: str, role: str, unit: Unit | None) -> User:
    """Change a user's name, role or unit."""
    _check_fields(user.username, display_name, role, unit)
    before = snapshot(user, USER_FIELDS)
    user.display_name, user.role, user.unit = display_name.strip(), role, unit
    db.session.flush()
    record(actor, "user.update", "user", user.id, before=before, after=snapshot(user, USER_FIELDS))
    return user


def reset_password(actor, user: User, password: str) -> None:
    """Set a new password for a user."""
    _check_password(password)
    user.set_password(password)
    record(actor, "user.reset_password", "user", user.id)


def set_active(actor, user: User, active: bool) -> None:
    """Deactivate or reactivate an account."""
    if actor is not None and actor.id == user.id and not active:
        raise ServiceError("不能停用自己的账号。")
    before = snapshot(user, USER_FIELDS)
    user.is_active_account = active
    record(actor, "user.activate" if active else "user.deactivate", "user", user.id,
           before=before, after=snapshot(user, USER_FIELDS))

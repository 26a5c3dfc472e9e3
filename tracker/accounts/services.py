"""Accounts: login with throttling, and user administration."""
from __future__ import annotations

import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Throttle:
    """How many failed logins within the window lock an account, and an address.

    The address limit is far higher: behind a proxy or a shared office NAT many users share one
    address, and one person's typos must not lock the whole office out.
    """

    per_account: int = 5
    per_address: int = 100
    window_minutes: int = 15

    @classmethod
    def from_config(cls, config) -> "Throttle":
        return cls(config["LOGIN_MAX_FAILURES"], config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
                   config["LOGIN_WINDOW_MINUTES"])


def authenticate(username: str, password: str, remote_addr: str, *, throttle: Throttle = Throttle(),
                 now: datetime | None = None) -> User:
    """Return the user for valid credentials, or raise ServiceError; every try is recorded.

    A failure is also written to the audit log, with the account it named.
    """
    now = now or utcnow()
    username = (username or "").strip()
    remote_addr = remote_addr or "unknown"
    by_user, by_addr = failures_since(username, remote_addr, now - timedelta(minutes=throttle.window_minutes))
    if by_user >= throttle.per_account:
        raise ServiceError(f"该账号登录失败次数过多，已暂时锁定，请{throttle.window_minutes}分钟后再试，"
                           "或请系统管理员解除锁定。", status=429)
    if by_addr >= throttle.per_address:
        raise ServiceError(f"本机所在网络地址登录失败次数过多，已暂时锁定，请{throttle.window_minutes}分钟后再试，"
                           "或请系统管理员解除锁定。", status=429)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        # Hash anyway, so a missing account answers as slowly as a wrong password for a real one.
        check_password_hash(password_hash_for_timing(), password or "")
    ok = user is not None and user.check_password(password or "")
    db.session.add(LoginAttempt(username=username, remote_addr=remote_addr, is_success=ok, created_at=now))
    if not ok:
        record(None, "user.login_failed", "user", user.id if user else None,
               after={"username": username, "remote_addr": remote_addr, "account_exists": user is not None})
        db.session.flush()
        raise ServiceError("用户名或密码错误。", status=401)
    if not user.is_active_account:
        raise ServiceError("该账号已停用，请联系系统管理员。", status=403)
    user.last_login_at = now
    record(user, "user.login", "user", user.id)
    return user


@dataclass(frozen=True)
class Lock:
    """An account or an address currently refused for too many failed logins."""

    kind: str  # "account" | "address"
    key: str
    failures: int
    last_at: datetime


def current_locks(throttle: Throttle, now: datetime | None = None) -> list[Lock]:
    """Return the accounts and addresses whose failures within the window reach their limit."""
    since = (now or utcnow()) - timedelta(minutes=throttle.window_minutes)
    locks = []
    for kind, column, limit in (("account", LoginAttempt.username, throttle.per_account),
                                ("address", LoginAttempt.remote_addr, throttle.per_address)):
        rows = db.session.execute(
            sa.select(column, sa.func.count(), sa.func.max(LoginAttempt.created_at))
            .where(LoginAttempt.is_success.is_(False), LoginAttempt.created_at >= since)
            .group_by(column).having(sa.func.count() >= limit).order_by(column)
        ).all()
        locks.extend(Lock(kind, key, n, last) for key, n, last in rows)
    return locks


def unlock(actor, kind: str, key: str, throttle: Throttle, now: datetime | None = None) -> int:
    """Clear the recent failed logins of an account or an address, so it may try again at once."""
    if kind not in ("account", "address"):
        raise ServiceError("未知的锁定类型。")
    column = LoginAttempt.username if kind == "account" else LoginAttempt.remote_addr
    since = (now or utcnow()) - timedelta(minutes=throttle.window_minutes)
    cleared = db.session.execute(
        sa.delete(LoginAttempt).where(column == key, LoginAttempt.is_success.is_(False),
                                      LoginAttempt.created_at >= since)
    ).rowcount
    if not cleared:
        raise ServiceError(f"{'账号' if kind == 'account' else '地址'}“{key}”当前没有被锁定。", status=404)
    user_id = db.session.scalar(sa.select(User.id).where(User.username == key)) if kind == "account" else None
    record(actor, "user.unlock", "user", user_id, after={"kind": kind, "key": key, "cleared_failures": cleared})
    return cleared


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
    """Set a new password for a user; whoever was signed in with the old one is signed out."""
    _check_password(password)
    user.set_password(password)
    user.end_sessions()
    record(actor, "user.reset_password", "user", user.id)


def end_sessions(actor, user: User, action: str = "user.end_sessions") -> None:
    """Invalidate every session of a user (logout ends them all, on every device)."""
    user.end_sessions()
    record(actor, action, "user", user.id)


def set_active(actor, user: User, active: bool) -> None:
    """Deactivate or reactivate an account."""
    if actor is not None and actor.id == user.id and not active:
        raise ServiceError("不能停用自己的账号。")
    before = snapshot(user, USER_FIELDS)
    user.is_active_account = active
    if not active:
        user.end_sessions()
    record(actor, "user.activate" if active else "user.deactivate", "user", user.id,
           before=before, after=snapshot(user, USER_FIELDS))

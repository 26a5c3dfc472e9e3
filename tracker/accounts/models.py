"""Users and login attempts."""
from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..access import ROLE_LABELS
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from ..units.models import Unit


PASSWORD_METHOD = "scrypt"


@cache
def password_hash_for_timing() -> str:
    """A hash of a random password, checked when no account matches so both answers take as long."""
    return generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(64))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: admin | supervisor | leader | reporter
    role: Mapped[str] = mapped_column(sa.String(20))
    #: the unit whose data the user sees (its subtree for staff; exactly it for reporters)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column("is_active", default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: part of every session cookie; raising it (logout, password reset, deactivation) ends all sessions
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'supervisor', 'leader', 'reporter')", name="role"),
        sa.CheckConstraint("role <> 'reporter' OR unit_id IS NOT NULL", name="reporter_has_unit"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: the user and the session version it was signed for."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Make every session and remember cookie issued so far invalid on its next request."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginAttempt(db.Model):
    """One login try, kept in the database so throttling holds across several workers."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), index=True)
    is_success: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

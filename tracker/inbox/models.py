"""In-app notifications: what concerns each user (new assignment, returned report, reminders …)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

KIND_LABELS = {
    "assignment": "新任务",
    "report_returned": "报告退回",
    "report_approved": "报告通过",
    "extension": "延期审批",
    "reminder": "催办",
    "escalation": "督办",
    "rectification": "整改通知",
    "circular": "通报",
    "objection": "申诉",
    "info": "通知",
}


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: one of KIND_LABELS
    kind: Mapped[str] = mapped_column(sa.String(30))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: where the notification leads (a path inside the app)
    link: Mapped[str | None] = mapped_column(sa.String(300))
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None] = mapped_column()
    #: set for notifications a job creates, so a rerun creates none twice
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

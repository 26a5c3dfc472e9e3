"""The scheduler's heartbeat and the admin's job schedules."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class SchedulerBeat(db.Model):
    """One scheduler process: it renews `beat_at` while alive and sets `stopped_at` when it stops cleanly."""

    __tablename__ = "scheduler_beats"

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(sa.String(120))
    pid: Mapped[int] = mapped_column()
    #: host:pid:process start, as for job runs
    holder: Mapped[str] = mapped_column(sa.String(120))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_scheduler_beats_beat", "beat_at"),)


class JobSchedule(db.Model):
    """A schedule the admin set for a job (absent: the job's default)."""

    __tablename__ = "job_schedules"

    job_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    #: the job's own settings, e.g. {"monthly_workday": 1, "yearly_date": "01-15"}
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

"""Supervision: reminders (催办), escalation notices (督办), look-back rectification notices (整改通知),
circulars (通报), the admin's calendar overrides, and the scheduler's job runs and locks."""
from __future__ import annotations

import re
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..plans.models import Assignment, Plan
from ..reports.models import ProgressReport
from ..timeutil import UTCDateTime, utcnow
from ..units.models import Unit, name_on

STAGE_LABELS = {"due_soon": "临期", "overdue": "逾期"}
ITEM_STATUS_LABELS = {"open": "待整改", "answered": "待核实", "returned": "已退回", "closed": "已销号"}
CIRCULAR_KIND_LABELS = {"criticism": "通报批评", "praise": "通报表扬"}
CIRCULAR_STATUS_LABELS = {"draft": "草稿", "published": "已发布"}
OUTCOME_LABELS = {"running": "运行中", "ok": "成功", "skipped": "已跳过", "failed": "失败", "interrupted": "中断"}


class CalendarOverride(db.Model):
    """One day the admin declares a workday or a holiday, for years the official data lacks or gets wrong."""

    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    is_workday: Mapped[bool] = mapped_column()
    #: e.g. 国庆节 or 国庆调休上班, from the year's holiday notice
    note: Mapped[str] = mapped_column(sa.String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Reminder(db.Model):
    """A reminder (催办) about one assignment at one stage of one due date, from the sweep or a supervisor.

    The first reminder of a stage and due date takes that slot (sweep or manual, whichever comes
    first; the other then adds nothing). A supervisor may remind again on a later day: such a row
    is a repeat, at most one per assignment and day. No assignment is reminded twice on one day.
    """

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"))
    #: copied from the assignment so the per-unit lists need no join
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    #: due_soon | overdue
    stage: Mapped[str] = mapped_column(sa.String(20))
    #: the due date the reminder is about (a continuous task: the end of the period without a report)
    due_on: Mapped[date] = mapped_column(sa.Date)
    #: the sweep date that sent it (a manual reminder: the local day it was sent)
    sweep_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the supervisor who sent it by hand (手动催办); None: the sweep
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: a manual reminder after the stage and due date were already reminded on an earlier day
    is_repeat: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    assignment: Mapped[Assignment] = relationship()
    unit: Mapped[Unit] = relationship()
    sent_by: Mapped[User | None] = relationship()

    __table_args__ = (
        # One per stage and due date: an approved extension or a new period earns a fresh reminder.
        sa.Index("uq_reminders_first", "assignment_id", "stage", "due_on", unique=True,
                 sqlite_where=sa.text("is_repeat = 0"), postgresql_where=sa.text("NOT is_repeat")),
        # A repeat at most once a day (the service also checks the day's first reminders).
        sa.Index("uq_reminders_repeat_day", "assignment_id", "sweep_on", unique=True,
                 sqlite_where=sa.text("is_repeat = 1"), postgresql_where=sa.text("is_repeat")),
        sa.Index("ix_reminders_sweep_unit", "sweep_on", "unit_id"),
        sa.CheckConstraint("stage IN ('due_soon', 'overdue')", name="stage"),
    )

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)


class PeriodicCheck(db.Model):
    """The check of one reporting period of a continuous task (持续推进): did the unit report in it?"""

    __tablename__ = "periodic_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    #: no submitted or approved report was submitted within the period
    is_missed: Mapped[bool] = mapped_column(default=False)
    checked_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped[Assignment] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "period_end"),
        sa.Index("ix_periodic_checks_period_missed", "period_end", "is_missed"),
    )


class NoticeCounter(db.Model):
    """The last number issued per 文号 prefix and year; numbers only go up, so none is reused."""

    __tablename__ = "notice_counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(sa.String(40))
    year: Mapped[int] = mapped_column()
    last_number: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.UniqueConstraint("prefix", "year"),)


class EscalationNotice(db.Model):
    """A 督办 notice: one per unit per sweep date, listing every item escalated that day."""

    __tablename__ = "escalation_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    #: the sweep date
    issued_on: Mapped[date] = mapped_column(sa.Date)
    prefix: Mapped[str] = mapped_column(sa.String(40))
    number: Mapped[int] = mapped_column()
    #: 文号, e.g. 督办〔2021〕7号
    doc_number: Mapped[str] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    items: Mapped[list["EscalationItem"]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="EscalationItem.id"
    )

    __table_args__ = (sa.UniqueConstraint("unit_id", "issued_on"),)

    @property
    def addressee(self) -> str:
        """The unit's name when the notice was issued (a later rename does not reach it)."""
        return name_on(self.unit, self.created_at)


class EscalationItem(db.Model):
    __tablename__ = "escalation_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("escalation_notices.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"))
    #: the due date that was missed (a continuous task: the end of the period without a report)
    due_on: Mapped[date] = mapped_column(sa.Date)

    notice: Mapped[EscalationNotice] = relationship(back_populates="items")
    assignment: Mapped[Assignment] = relationship()

    # An assignment is escalated once per missed due date.
    __table_args__ = (sa.UniqueConstraint("assignment_id", "due_on"),)


class RectificationNotice(db.Model):
    """A numbered 整改通知 from a look-back: one per plan and unit, listing the unit's unfinished items."""

    __tablename__ = "rectification_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    prefix: Mapped[str] = mapped_column(sa.String(40))
    year: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    #: 文号, e.g. 运政办整改〔2022〕3号
    doc_number: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    #: the rectification deadline (整改时限)
    due_on: Mapped[date] = mapped_column(sa.Date)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
    unit: Mapped[Unit] = relationship()
    items: Mapped[list["RectificationItem"]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="RectificationItem.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("plan_id", "unit_id"),
        sa.UniqueConstraint("prefix", "year", "number"),
        sa.Index("ix_rectification_notices_unit", "unit_id"),
    )

    @property
    def addressee(self) -> str:
        """The unit's name when the notice was issued (a later rename does not reach it)."""
        return name_on(self.unit, self.created_at)


class RectificationItem(db.Model):
    """One unfinished assignment in a rectification notice, answered by the unit and closed (销号) by the supervisor."""

    __tablename__ = "rectification_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("rectification_notices.id", ondelete="CASCADE"))
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"))
    #: copied from the notice so per-unit counts need no join
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    #: the assignment's due date when the look-back found it unfinished
    original_due_on: Mapped[date | None] = mapped_column(sa.Date)
    #: open | answered | returned | closed
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    #: the unit's latest answer, a progress report on the assignment
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_reports.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: the first day the item counted as overdue (set by the sweep once the notice's deadline passed)
    overdue_since: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    notice: Mapped[RectificationNotice] = relationship(back_populates="items")
    assignment: Mapped[Assignment] = relationship()
    report: Mapped[ProgressReport | None] = relationship()
    closed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("notice_id", "assignment_id"),
        sa.Index("ix_rectification_items_unit_status", "unit_id", "status"),
        # Deleting an assignment checks this foreign key once per row: without it, a scan each time.
        sa.Index("ix_rectification_items_assignment", "assignment_id"),
        sa.CheckConstraint("status IN ('open', 'answered', 'returned', 'closed')", name="status"),
    )

    @property
    def status_label(self) -> str:
        return ITEM_STATUS_LABELS.get(self.status, self.status)


class Circular(db.Model):
    """A 通报 naming units (praise or criticism), drafted from the figures and published to every unit."""

    __tablename__ = "circulars"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    #: criticism | praise
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: the date of the figures it was drafted from
    as_of: Mapped[date] = mapped_column(sa.Date)
    #: draft | published
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the local date of publication, what the assessment counts
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    #: 文号, given when it is published (a draft has none)
    prefix: Mapped[str | None] = mapped_column(sa.String(40))
    number: Mapped[int | None] = mapped_column()
    doc_number: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
    units: Mapped[list["CircularUnit"]] = relationship(
        back_populates="circular", cascade="all, delete-orphan", order_by="CircularUnit.position"
    )

    __table_args__ = (
        sa.CheckConstraint("kind IN ('criticism', 'praise')", name="kind"),
        sa.CheckConstraint("status IN ('draft', 'published')", name="status"),
    )

    @property
    def kind_label(self) -> str:
        return CIRCULAR_KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return CIRCULAR_STATUS_LABELS.get(self.status, self.status)


class CircularUnit(db.Model):
    """A unit a circular names, with the figure it was named for."""

    __tablename__ = "circular_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    circular_id: Mapped[int] = mapped_column(sa.ForeignKey("circulars.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: overdue items at drafting (criticism) or completed items (praise)
    count: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)

    circular: Mapped[Circular] = relationship(back_populates="units")
    unit: Mapped[Unit] = relationship()

    __table_args__ = (sa.UniqueConstraint("circular_id", "unit_id"),)

    @property
    def unit_name(self) -> str:
        """The unit's name when the circular was published (a draft shows the current name)."""
        return name_on(self.unit, self.circular.published_at)


class JobRun(db.Model):
    """One run of a scheduled (or hand-started) job: when, how it ended, what it did or why it failed."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the scheduler's stable job id: sweep | lookback
    job_id: Mapped[str] = mapped_column(sa.String(40))
    #: scheduler | cli | web
    trigger: Mapped[str] = mapped_column(sa.String(20), default="scheduler")
    #: the date the job ran for
    as_of: Mapped[date | None] = mapped_column(sa.Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: running | ok | skipped | failed | interrupted (its process died; marked by the run that took over)
    outcome: Mapped[str] = mapped_column(sa.String(20), default="running")
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    error: Mapped[str | None] = mapped_column(sa.Text)
    triggered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: the process running it: host:pid:process start (see tracker.jobs.runner.this_process)
    holder: Mapped[str | None] = mapped_column(sa.String(120))
    #: renewed while it runs (PostgreSQL); a running run whose beat stopped belongs to a dead process
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.Index("ix_job_runs_job_started", "job_id", "started_at"),
        sa.CheckConstraint("outcome IN ('running', 'ok', 'skipped', 'failed', 'interrupted')", name="outcome"),
    )

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


class JobLock(db.Model):
    """A job's lock row where the database has no advisory locks (SQLite); it expires so a crash frees it."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    #: who holds it (host, pid and a random token); empty when free
    holder: Mapped[str | None] = mapped_column(sa.String(120))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IssuingOffice(db.Model):
    """An office that sends documents: its 文号 code (运政办) and how its documents look, set by the admin."""

    __tablename__ = "issuing_offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 发文机关 as printed, e.g. 运城市人民政府办公室 (the plans' issuer)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    #: the stem of its 文号: 运政办 gives 运政办督〔2021〕3号 and 运政办整改〔2021〕3号
    code: Mapped[str] = mapped_column(sa.String(30))
    #: 催办, 督办 and 整改 notices in 信函格式
    letter_format: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: 联系人 and 电话 printed under the date, e.g. 联系人：王敏，联系电话：0359-2022345
    contact: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    #: 抄送, comma separated
    cc: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def cc_list(self) -> list[str]:
        return [p.strip() for p in re.split(r"[，,、;；\n]", self.cc or "") if p.strip()]

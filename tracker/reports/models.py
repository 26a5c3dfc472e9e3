"""Progress reports (进展反馈), their evidence files (佐证材料) and extension requests (延期申请)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..plans.models import Assignment
from ..timeutil import UTCDateTime, utcnow
from ..units.models import Unit

REPORT_STATUS_LABELS = {"draft": "草稿", "submitted": "待审核", "approved": "已通过", "returned": "已退回"}
EXTENSION_STATUS_LABELS = {"open": "待审批", "approved": "已批准", "rejected": "未批准"}


class ProgressReport(db.Model):
    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"))
    #: copied from the assignment so scoping and the review queue need no join
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    #: copied from the assignment (filled in on insert) so a plan's public reports are one index range
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    #: the reporter who wrote it; empty for generated (demo, bulk) rows
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    #: percent complete as the unit states it, 0–100
    progress: Mapped[int] = mapped_column(default=0)
    #: measured value per target metric of the task, e.g. {"政策解读率": 92.0}
    target_values: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: http(s) URLs of the published items
    links: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: draft | submitted | approved | returned
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    #: the unit asks to close the assignment (申请办结)
    is_close_request: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: the reason given when returning, or the reviewer's remark when approving
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    #: the supervisor allows the text on the public progress page
    is_public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship()
    unit: Mapped[Unit] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    evidence: Mapped[list["Evidence"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="Evidence.id"
    )

    __table_args__ = (
        sa.Index("ix_progress_reports_status_submitted", "status", "submitted_at"),
        sa.Index("ix_progress_reports_assignment", "assignment_id", "id"),
        # Covers the queue count and per-unit tally, and serves the queue filtered by unit in order.
        sa.Index("ix_progress_reports_status_unit", "status", "unit_id", "submitted_at"),
        # The few reports marked public, for the public page: it reads a plan's and never scans the rest.
        sa.Index(
            "ix_progress_reports_public", "plan_id", "submitted_at",
            sqlite_where=sa.text("is_public = 1"), postgresql_where=sa.text("is_public"),
        ),
        # The returned reports the assessment scores (a tenth of a province's 600,000): read from the
        # index alone, never from the table. Status leads, although the index holds only one: SQLite,
        # with no statistics, takes an index for "status = 'returned'" only when its first column is it.
        sa.Index(
            "ix_progress_reports_returned", "status", "assignment_id", "id", "unit_id", "reviewed_at", "updated_at",
            sqlite_where=sa.text("status = 'returned'"), postgresql_where=sa.text("status = 'returned'"),
        ),
        # One draft per assignment, and one close request awaiting review: two posts at once cannot both win.
        sa.Index(
            "uq_progress_reports_one_draft", "assignment_id", unique=True,
            sqlite_where=sa.text("status = 'draft'"), postgresql_where=sa.text("status = 'draft'"),
        ),
        sa.Index(
            "uq_progress_reports_one_pending_close", "assignment_id", unique=True,
            sqlite_where=sa.text("status = 'submitted' AND is_close_request = 1"),
            postgresql_where=sa.text("status = 'submitted' AND is_close_request"),
        ),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'returned')", name="status"),
    )

    @property
    def status_label(self) -> str:
        return REPORT_STATUS_LABELS.get(self.status, self.status)

    def __repr__(self) -> str:
        return f"<ProgressReport {self.id} a={self.assignment_id} {self.status}>"


@sa.event.listens_for(ProgressReport, "before_insert")
def _copy_plan_id(mapper, connection, target: ProgressReport) -> None:
    """Fill in the report's plan from its assignment (an assignment never changes plan)."""
    if target.plan_id is not None:
        return
    assignment = target.__dict__.get("assignment")
    target.plan_id = assignment.plan_id if assignment is not None else connection.scalar(
        sa.select(Assignment.plan_id).where(Assignment.id == target.assignment_id))


class Evidence(db.Model):
    """One file attached to a report; the bytes live on disk under their sha256, shared between reports."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True)
    #: hex sha256 of the content; also the file's name on disk
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    #: the uploader's file name, cleaned for display (never used as a path)
    original_name: Mapped[str] = mapped_column(sa.String(200))
    #: decided from the content, not from the name
    content_type: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[ProgressReport] = relationship(back_populates="evidence")

    @property
    def is_image(self) -> bool:
        return self.content_type in ("image/png", "image/jpeg")

    def __repr__(self) -> str:
        return f"<Evidence {self.id} {self.original_name}>"


class ExtensionRequest(db.Model):
    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_due_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text)
    #: open | approved | rejected
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: the assignment's due date when the request was decided (approved: the date it replaced)
    previous_due_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped[Assignment] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        # At most one open request per assignment; partial unique indexes exist on SQLite and PostgreSQL.
        sa.Index(
            "uq_extension_requests_one_open", "assignment_id", unique=True,
            sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"),
        ),
        sa.Index("ix_extension_requests_status_created", "status", "created_at"),
        sa.CheckConstraint("status IN ('open', 'approved', 'rejected')", name="status"),
    )

    @property
    def status_label(self) -> str:
        return EXTENSION_STATUS_LABELS.get(self.status, self.status)

    def __repr__(self) -> str:
        return f"<ExtensionRequest {self.id} a={self.assignment_id} {self.status}>"

"""A unit's 政府信息公开工作年度报告 for one year: its tables as read, its checks, draft or published."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

STATUS_LABELS = {"draft": "草稿", "published": "已发布"}
SOURCE_LABELS = {"import": "导入", "build": "生成"}


class AnnualReport(db.Model):
    __tablename__ = "annual_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: the year the report is about (the 2020 report is published early in 2021)
    year: Mapped[int] = mapped_column(sa.Integer)
    #: "2019" or "2021": the national format it is in (tracker.annual.formats)
    format: Mapped[str] = mapped_column(sa.String(4))
    #: the tables and prose as ReportData.to_dict() gives them
    content: Mapped[dict] = mapped_column(sa.JSON)
    #: the failed checks at import, as the importer saw and confirmed them
    failures: Mapped[list] = mapped_column(sa.JSON, default=list)
    is_consistent: Mapped[bool] = mapped_column(default=True)
    #: imported with failures, after the importer confirmed them
    is_forced: Mapped[bool] = mapped_column(default=False)
    #: "import" (read from a file) or "build"
    source: Mapped[str] = mapped_column(sa.String(10), default="import")
    source_name: Mapped[str | None] = mapped_column(sa.String(255))
    source_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    unit = relationship("Unit")

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "year"),
        sa.CheckConstraint("status IN ('draft', 'published')", name="status"),
        sa.CheckConstraint("source IN ('import', 'build')", name="source"),
        sa.CheckConstraint("format IN ('2019', '2021')", name="format"),
        sa.Index("ix_annual_reports_year_status", "year", "status"),
    )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def __repr__(self) -> str:
        return f"<AnnualReport {self.id} unit={self.unit_id} {self.year}>"

"""Assessment tables: the rubric per year, computed versions, bonus entries and objections (申诉)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..plans.models import Plan
from ..timeutil import UTCDateTime, utcnow
from ..units.models import Unit

OBJECTION_STATUS_LABELS = {"open": "待处理", "accepted": "已采纳", "rejected": "未采纳"}


class RubricDocument(db.Model):
    """The rubric (考核细则) of one year as the admin wrote it; validated before it is saved."""

    __tablename__ = "rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    #: the rubric's own name, copied from the YAML for lists
    name: Mapped[str] = mapped_column(sa.String(200))
    #: the YAML text exactly as loaded, comments included
    yaml_text: Mapped[str] = mapped_column(sa.Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    loaded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<RubricDocument {self.year}>"


class AssessmentVersion(db.Model):
    """One computation of a plan's scores; its result never changes, freezing publishes it."""

    __tablename__ = "assessment_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    #: 1, 2, 3 … per plan, in the order computed
    number: Mapped[int] = mapped_column()
    #: the assessment date the scores were computed for
    as_of: Mapped[date] = mapped_column(sa.Date)
    rubric_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rubrics.id", ondelete="SET NULL"))
    #: Rubric.to_dict() as it was when computed, so a later edit of the rubric cannot change this version
    rubric_snapshot: Mapped[dict] = mapped_column(sa.JSON)
    #: scoring.Result.to_dict()
    result: Mapped[dict] = mapped_column(sa.JSON)
    #: how many units were scored, for lists
    unit_count: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: published to the units; objections run from frozen_at
    is_frozen: Mapped[bool] = mapped_column(default=False)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    frozen_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    plan: Mapped[Plan] = relationship()
    rubric: Mapped[RubricDocument | None] = relationship()
    computed_by: Mapped[User | None] = relationship(foreign_keys=[computed_by_id])
    frozen_by: Mapped[User | None] = relationship(foreign_keys=[frozen_by_id])

    __table_args__ = (
        sa.UniqueConstraint("plan_id", "number"),
        sa.Index("ix_assessment_versions_plan_frozen", "plan_id", "is_frozen"),
    )

    @property
    def state_label(self) -> str:
        return "已发布" if self.is_frozen else "未发布"

    def __repr__(self) -> str:
        return f"<AssessmentVersion plan={self.plan_id} v{self.number}>"


class Bonus(db.Model):
    """Bonus points (加分) the supervisor entered for a unit, with the reason and its evidence."""

    __tablename__ = "bonuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: the plan it counts for; empty means every plan of the year
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column()
    #: code of the rubric's bonus rule (interpretation_adopted, praised …)
    rule: Mapped[str] = mapped_column(sa.String(40))
    points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    reason: Mapped[str] = mapped_column(sa.Text)
    #: the evidence: document number, link or file name
    evidence: Mapped[str] = mapped_column(sa.String(500), default="")
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    plan: Mapped[Plan | None] = relationship()
    entered_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.CheckConstraint("points > 0", name="points_positive"),)

    def __repr__(self) -> str:
        return f"<Bonus {self.id} unit={self.unit_id} {self.points}>"


class Objection(db.Model):
    """A unit's objection (申诉) to one line item of a published version, decided by the supervisor."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_versions.id", ondelete="CASCADE"))
    #: copied from the version so a plan's accepted objections need no join
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    #: the line item's stable id, e.g. late_completion:assignment:17
    item_id: Mapped[str] = mapped_column(sa.String(160))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    #: the points and explanation the item had, kept for the lists
    item_points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    item_explanation: Mapped[str] = mapped_column(sa.Text, default="")
    filed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.Text)
    #: open | accepted | rejected
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[AssessmentVersion] = relationship()
    unit: Mapped[Unit] = relationship()
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        # One objection per line item and version: a rejected one is not filed again.
        sa.UniqueConstraint("version_id", "item_id"),
        sa.Index("ix_objections_plan_status", "plan_id", "status"),
        sa.Index("ix_objections_unit", "unit_id"),
        sa.CheckConstraint("status IN ('open', 'accepted', 'rejected')", name="status"),
    )

    @property
    def status_label(self) -> str:
        return OBJECTION_STATUS_LABELS.get(self.status, self.status)

    def __repr__(self) -> str:
        return f"<Objection {self.id} {self.item_id} {self.status}>"

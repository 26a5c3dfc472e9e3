"""Plans (工作要点/实施方案), their tasks, and each unit's share of a task (承办)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship, with_loader_criteria

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from ..units.models import Unit

ROLE_LABELS = {"lead": "牵头单位", "responsible": "责任单位", "cooperating": "配合单位"}
PLAN_KINDS = {"plan": "工作要点", "adhoc": "交办件"}
ITEM_SOURCES = ("领导批示", "会议议定事项", "上级交办", "评估发现问题", "群众反映", "其他")
STATUS_LABELS = {"pending": "未开始", "in_progress": "推进中", "completed": "已办结"}
DEADLINE_KIND_LABELS = {
    "date": "限期",
    "year_end": "年底前",
    "recurring": "每年定期",
    "relative": "相对时限",
    "window": "时间窗口",
    "continuous": "持续推进",
    "default": "未写明（默认年底）",
}


class Plan(db.Model):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the jurisdiction whose subtree the plan assigns into (e.g. 运城市人民政府)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    #: 文号, e.g. 运政办发〔2021〕31号
    doc_number: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    #: the issuing office as written
    issuer: Mapped[str | None] = mapped_column(sa.String(120))
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    year: Mapped[int] = mapped_column(index=True)
    source_filename: Mapped[str | None] = mapped_column(sa.String(255))
    #: the whole document (tens of kilobytes): loaded only when read, not with every plan list
    source_text: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    #: sha256 of the normalised source text, to detect a re-import of the same document
    content_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    #: shown on the public progress page when set
    is_published: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: a new random token whenever the plan's tasks or assignments (or any unit) change, so figures
    #: cached under the old token are never used again (see tracker.plans.data_version)
    data_version: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    #: set when a supervisor archives the plan (a plan units have reported on is never deleted);
    #: who archived it is in the audit log
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: plan (an imported 工作要点) | adhoc (the container of one jurisdiction's 交办件 for one year)
    kind: Mapped[str] = mapped_column(sa.String(20), default="plan", server_default="plan")

    unit: Mapped[Unit] = relationship()
    tasks: Mapped[list["Task"]] = relationship(
        back_populates="plan", order_by="Task.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Plan {self.id} {self.title}>"


class Task(db.Model):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    #: clause reference, e.g. "一.（三）.2" or the decomposition table's "1.3"
    ref: Mapped[str] = mapped_column(sa.String(60))
    #: document order within the plan
    position: Mapped[int] = mapped_column(default=0)
    #: outline depth: 1 = 一、, 2 = （一）, 3 = 1., 4 = （1）
    level: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(500))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    #: the top-level group (一、… or the table's 公开任务) for breakdowns
    section: Mapped[str | None] = mapped_column(sa.String(200))
    #: group titles from the top down to the parent
    path: Mapped[list] = mapped_column(sa.JSON, default=list)
    is_leaf: Mapped[bool] = mapped_column(default=True)
    deadline: Mapped[date | None] = mapped_column(sa.Date)
    #: date | year_end | recurring | relative | window | continuous | default
    deadline_kind: Mapped[str] = mapped_column(sa.String(20), default="default")
    #: the deadline words as written in the document
    deadline_text: Mapped[str | None] = mapped_column(sa.String(200))
    #: start, recurrence and relative rule of the deadline
    deadline_detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: [{"metric","op","value","unit","year"}]
    targets: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: unit phrases as written, before splitting
    unit_phrases: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: decomposition-table columns as written (公开任务, 公开内容, 具体要求, 时限要求 …)
    columns: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: an ad-hoc item's (交办件) source: one of ITEM_SOURCES; empty for a plan's own tasks
    source: Mapped[str | None] = mapped_column(sa.String(20))
    #: the source document's 文号 and date (领导批示 number, 会议纪要 number …)
    source_doc_number: Mapped[str | None] = mapped_column(sa.String(80))
    source_date: Mapped[date | None] = mapped_column(sa.Date)
    #: the 专项督办 campaign the item belongs to, if any
    campaign: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    #: the attached scan of the source document, in the evidence store (sha256 and name as uploaded)
    scan_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    scan_name: Mapped[str | None] = mapped_column(sa.String(255))

    plan: Mapped[Plan] = relationship(back_populates="tasks")
    parent: Mapped["Task | None"] = relationship(remote_side=[id])
    assignments: Mapped[list["Assignment"]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="Assignment.id"
    )

    @property
    def is_default_deadline(self) -> bool:
        return self.deadline_kind == "default"

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.ref}>"


class Assignment(db.Model):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: copied from the task so plan-wide counts need no join
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    #: lead | responsible | cooperating
    role: Mapped[str] = mapped_column(sa.String(20), default="responsible")
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    #: the due date before any approved extension, kept for scoring
    original_due_on: Mapped[date | None] = mapped_column(sa.Date)
    #: the date first assigned, before a supervisor changed the task's deadline (empty when never
    #: changed); scoring uses it only when the rubric keeps the original date (deadline_change)
    assigned_due_on: Mapped[date | None] = mapped_column(sa.Date)
    deadline_kind: Mapped[str] = mapped_column(sa.String(20), default="default")
    #: pending | in_progress | completed
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    progress: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the group phrase the unit came from (各县（市、区）人民政府), empty when named directly
    source_phrase: Mapped[str | None] = mapped_column(sa.String(200))
    #: due_soon | overdue, set by the daily sweep; empty when neither
    alert: Mapped[str | None] = mapped_column(sa.String(20))
    #: the first day the assignment counted as overdue (the day after the due date it missed)
    overdue_since: Mapped[date | None] = mapped_column(sa.Date)
    #: 1 for the plan's own assignment; a recurring task's later years are new rows numbered 2, 3 …
    instance: Mapped[int] = mapped_column(default=1, server_default="1")
    #: closed as 不再承办 (the unit reported on it, so it stays in its history, out of every figure)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    task: Mapped[Task] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()
    plan: Mapped[Plan] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("task_id", "unit_id", "role", "instance"),
        # Every column the dashboard counts, so its scans of a plan read the index alone; withdrawn_at
        # too, which every ORM read of assignments tests (without it each row is read from the table).
        sa.Index("ix_assignments_plan_dashboard", "plan_id", "unit_id", "task_id", "status", "due_on", "completed_at",
                 "withdrawn_at"),
        #: the sweep's flagged rows (escalation, reminders) read from the index alone
        sa.Index("ix_assignments_alert", "alert", "unit_id", "deadline_kind", "due_on", "plan_id"),
        #: the continuous assignments of a plan (the sweep's periodic checks)
        sa.Index("ix_assignments_continuous", "deadline_kind", "plan_id", "status", "withdrawn_at", "unit_id"),
        sa.Index("ix_assignments_unit_status", "unit_id", "status"),
        #: a unit's plans (my-tasks filter) without scanning each plan's assignments
        sa.Index("ix_assignments_unit_plan", "unit_id", "plan_id"),
        #: 督办 → 逾期与临期: due-date order, and its status counts from the index alone
        sa.Index("ix_assignments_alerting", "due_on", "status", "completed_at", "unit_id", "withdrawn_at"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        sa.CheckConstraint("role IN ('lead', 'responsible', 'cooperating')", name="role"),
        sa.CheckConstraint("status IN ('pending', 'in_progress', 'completed')", name="status"),
        sa.CheckConstraint("alert IN ('due_soon', 'overdue') OR alert IS NULL", name="alert"),
    )

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def __repr__(self) -> str:
        return f"<Assignment {self.id} task={self.task_id} unit={self.unit_id} {self.role}>"


class PlanImport(db.Model):
    """A parsed document waiting in preview: the supervisor checks and edits it, then confirms."""

    __tablename__ = "plan_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the jurisdiction the plan will belong to; names resolve against its subtree
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    content_hash: Mapped[str | None] = mapped_column(sa.String(64))
    source_text: Mapped[str | None] = mapped_column(sa.Text)
    #: PlanDraft.to_json(), edited in the preview
    draft: Mapped[dict] = mapped_column(sa.JSON)
    #: written unit name → {"action": "map"|"create"|"drop", "unit_id": int, "kind": str}
    mapping: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: draft | confirmed | discarded | withdrawn (its plan was withdrawn after confirmation)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    plan: Mapped[Plan | None] = relationship()


# --- withdrawn assignments (不再承办) are out of every ORM query ---------------------------------


@event.listens_for(Session, "do_orm_execute")
def _hide_withdrawn(state: ORMExecuteState) -> None:
    """Leave assignments closed as 不再承办 out of every ORM read (figures, lists, sweeps, exports).

    A read that must see them (the task's history) passes the execution option
    ``with_withdrawn=True``. Core reads of ``Assignment.__table__`` add ``counted()`` themselves.
    """
    if (state.is_select and not state.is_column_load and not state.is_relationship_load
            and not state.execution_options.get("with_withdrawn", False)):
        state.statement = state.statement.options(
            with_loader_criteria(Assignment, lambda cls: cls.withdrawn_at.is_(None), include_aliases=True))


def counted(table=None) -> sa.ColumnElement[bool]:
    """Return the condition 'not closed as 不再承办', for Core reads of the assignments table."""
    column = (table.c.withdrawn_at if table is not None else Assignment.__table__.c.withdrawn_at)
    return column.is_(None)

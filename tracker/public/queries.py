"""What the public progress page of a plan shows: tasks, responsible units, deadlines, public status.

Only these columns are ever read: unit names, task text and dates, assignment status and
dates, and the text of reports the supervisor approved and marked public. No user, comment,
evidence or returned report is selected, so none can leak into the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from ..dashboard.queries import StatusRules
from ..extensions import db
from ..plans.models import Assignment, Plan, Task
from ..reports.models import ProgressReport
from ..timeutil import to_local
from ..units.models import Unit

PUBLIC_STATUS_LABELS = {"completed": "已完成", "in_progress": "推进中", "overdue": "已逾期"}
ROLE_ORDER = {"lead": 0, "responsible": 1, "cooperating": 2}
ROLE_SHORT = {"lead": "牵头", "responsible": "责任", "cooperating": "配合"}
#: public report texts shown per task at most
REPORTS_PER_TASK = 3


@dataclass
class PublicReport:
    unit: str
    on: date | None
    text: str


@dataclass
class PublicTask:
    id: int
    ref: str
    title: str
    section: str | None
    deadline: date | None
    deadline_text: str
    status: str
    #: the newest public report's day (None: nothing public yet)
    last_update: date | None
    #: role -> unit names and group phrases, in document order
    units: dict[str, list[str]] = field(default_factory=dict)
    reports: list[PublicReport] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return PUBLIC_STATUS_LABELS[self.status]

    @property
    def unit_lines(self) -> list[str]:
        return [f"{ROLE_SHORT[role]}：{'、'.join(names)}"
                for role, names in sorted(self.units.items(), key=lambda kv: ROLE_ORDER.get(kv[0], 9))]


def published_plan(plan_id: int) -> Plan | None:
    """Return the plan if it exists and is published."""
    return db.session.scalar(sa.select(Plan).where(Plan.id == plan_id, Plan.is_published))


def is_published(plan_id: int) -> bool:
    return published_version(plan_id) is not None


def published_version(plan_id: int) -> str | None:
    """Return a published plan's data version (the key its cached page is valid under), or None."""
    row = db.session.execute(sa.select(Plan.is_published, Plan.data_version).where(Plan.id == plan_id)).first()
    return (row.data_version or "") if row is not None and row.is_published else None


def public_status(total: int, completed: int, overdue: int) -> str:
    """Fold a task's assignments into one public status."""
    if total and completed == total:
        return "completed"
    return "overdue" if overdue else "in_progress"


def _local_date(value: datetime | None, tz: str) -> date | None:
    local = to_local(value, tz)
    return local.date() if local else None


def plan_progress(plan_id: int, rules: StatusRules, tz: str = "Asia/Shanghai") -> list[PublicTask]:
    """Return the plan's leaf tasks with public status, units and public reports (four queries)."""
    tasks = db.session.execute(
        sa.select(Task.id, Task.ref, Task.title, Task.section, Task.deadline, Task.deadline_text, Task.deadline_kind)
        .where(Task.plan_id == plan_id, Task.is_leaf).order_by(Task.position, Task.id)
    ).all()
    stats = {
        r.task_id: r for r in db.session.execute(
            sa.select(
                Assignment.task_id,
                sa.func.count().label("total"),
                sa.func.sum(sa.case((rules.completed(), 1), else_=0)).label("completed"),
                sa.func.sum(sa.case((rules.overdue(), 1), else_=0)).label("overdue"),
            ).where(Assignment.plan_id == plan_id).group_by(Assignment.task_id)
        )
    }
    # One row per unit named in the document, and one per group phrase standing for its members
    # (各县（市、区）人民政府), in document order within each role.
    role_rank = sa.case(*((Assignment.role == r, i) for r, i in ROLE_ORDER.items()), else_=9)
    label = sa.func.coalesce(Assignment.source_phrase, Unit.name)
    named = db.session.execute(
        sa.select(Assignment.task_id, Assignment.role, label)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.plan_id == plan_id)
        .group_by(Assignment.task_id, Assignment.role, label)
        .order_by(Assignment.task_id, sa.func.min(role_rank), sa.func.min(Assignment.id))
    ).all()
    # A range of the partial index of public reports (the plan's few), never the rest of the table.
    reports = db.session.execute(
        sa.select(Assignment.task_id, Unit.name, ProgressReport.submitted_at, ProgressReport.text)
        .select_from(ProgressReport)
        .join(Assignment, ProgressReport.assignment_id == Assignment.id)
        .join(Unit, ProgressReport.unit_id == Unit.id)
        .where(ProgressReport.plan_id == plan_id, ProgressReport.is_public, ProgressReport.status == "approved")
        .order_by(ProgressReport.submitted_at.desc(), ProgressReport.id.desc())
    ).all()

    units: dict[int, dict[str, list[str]]] = {}
    for task_id, role, name in named:
        units.setdefault(task_id, {}).setdefault(role, []).append(name)
    public_reports: dict[int, list[PublicReport]] = {}
    newest: dict[int, datetime] = {}
    for task_id, unit, at, text in reports:
        if at is not None and task_id not in newest:
            newest[task_id] = at  # newest first
        shown = public_reports.setdefault(task_id, [])
        if len(shown) < REPORTS_PER_TASK and text and text.strip():
            shown.append(PublicReport(unit=unit, on=_local_date(at, tz), text=text.strip()))

    out = []
    for t in tasks:
        s = stats.get(t.id)
        total, done, late = (int(s.total), int(s.completed or 0), int(s.overdue or 0)) if s else (0, 0, 0)
        out.append(PublicTask(
            id=t.id, ref=t.ref, title=t.title, section=t.section, deadline=t.deadline,
            deadline_text=_deadline_note(t.deadline, t.deadline_text, t.deadline_kind),
            status=public_status(total, done, late),
            last_update=_local_date(newest.get(t.id), tz),
            units=units.get(t.id, {}), reports=public_reports.get(t.id, []),
        ))
    return out


def _deadline_note(deadline: date | None, text: str | None, kind: str) -> str:
    """Return the line shown under the due date: the document's wording, or why there is a date at all.

    A task whose document states no deadline is due at the year's end; the page says that rather
    than printing a date beside "未明确时限".
    """
    if kind == "default":
        return "文件未明确时限，按年底计" if deadline else "未明确时限"
    if text and deadline and text.strip() in (f"{deadline.year}年{deadline.month}月{deadline.day}日", deadline.isoformat()):
        return ""
    return text or ""


def newest_public_report(plan_id: int) -> datetime | None:
    """Return when the plan's newest public report was sent (the page's 最近更新)."""
    return db.session.scalar(
        sa.select(sa.func.max(ProgressReport.submitted_at))
        .where(ProgressReport.plan_id == plan_id, ProgressReport.is_public, ProgressReport.status == "approved")
    )


def published_plans() -> sa.Select:
    """Return the published plans, newest first."""
    return sa.select(Plan).where(Plan.is_published).order_by(Plan.year.desc(), Plan.id.desc())

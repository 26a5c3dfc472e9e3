"""Reads for the supervision pages and documents, scoped to what a user may see."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from docx.shared import Pt
from flask import abort
from sqlalchemy.orm import aliased, joinedload

from ..calendar import WorkCalendar, overdue_workdays
from ..extensions import db
from ..plans.models import Assignment, Plan, Task
from ..plans.status import StatusRules
from ..scope import in_scope, under
from ..timeutil import cn_date
from ..units.models import Unit, name_on, official_order
from .models import (
    Circular,
    EscalationItem,
    EscalationNotice,
    JobRun,
    RectificationItem,
    RectificationNotice,
    Reminder,
)
from .notices import Attachment, DocItem, DocTable, NoticeDoc
from .numbering import office_named


def units_in_scope(user) -> list[tuple[int, str]]:
    """Return (id, name) of the units the user may filter by, in directory order."""
    stmt = sa.select(Unit.id, Unit.name).where(Unit.is_active, in_scope(user, Unit.id)).order_by(*official_order())
    return [tuple(r) for r in db.session.execute(stmt)]


def _get(user, model, object_id: int, unit_column):
    obj = db.session.scalar(sa.select(model).where(model.id == object_id, in_scope(user, unit_column)))
    if obj is None:
        abort(404)
    return obj


def get_escalation_for(user, escalation_id: int) -> EscalationNotice:
    return _get(user, EscalationNotice, escalation_id, EscalationNotice.unit_id)


def get_notice_for(user, notice_id: int) -> RectificationNotice:
    return _get(user, RectificationNotice, notice_id, RectificationNotice.unit_id)


def get_item_for(user, item_id: int) -> RectificationItem:
    return _get(user, RectificationItem, item_id, RectificationItem.unit_id)


def visible_circulars(user) -> sa.Select:
    """Circulars the user may read: staff those of plans in their subtree; reporters published ones over their unit."""
    owner = aliased(Unit)
    stmt = sa.select(Circular).join(Plan, Plan.id == Circular.plan_id).join(owner, owner.id == Plan.unit_id)
    if user.role == "admin":
        return stmt
    if user.role == "reporter":
        unit_path = user.unit.path if user.unit else "/-/"
        return stmt.where(Circular.status == "published", under(sa.literal(unit_path), owner.path))
    if user.unit is None:
        return stmt.where(sa.false())
    return stmt.where(under(owner.path, user.unit.path))


def get_circular_for(user, circular_id: int) -> Circular:
    circular = db.session.scalar(visible_circulars(user).where(Circular.id == circular_id))
    if circular is None:
        abort(404)
    return circular


# --- lists --------------------------------------------------------------------------------------------


def _alerting(user, rules: StatusRules, unit_id: int | None, plan_id: int | None) -> list[sa.ColumnElement]:
    # Staff scope is "unit in a subtree": written on unit_id + 0 so that the planner reads the
    # due-date index (ix_assignments_alerting, which holds every column these filters test) instead
    # of probing the unit index once per unit of the subtree and fetching every row of each.
    # A reporter's one unit keeps the plain column and its index.
    unit_column = Assignment.unit_id if user.role == "reporter" or unit_id else Assignment.unit_id + 0
    out = [sa.or_(rules.overdue(), rules.due_soon()), in_scope(user, unit_column)]
    if unit_id:
        out.append(Assignment.unit_id == unit_id)
    if plan_id:
        out.append(Assignment.plan_id == plan_id)
    return out


def alerting_assignments(user, rules: StatusRules, *, alert: str | None = None, unit_id: int | None = None,
                         plan_id: int | None = None) -> sa.Select:
    """Assignments overdue or due soon on rules.as_of (overdue first, oldest due date first), in the user's scope.

    Computed as of the date asked with the status module, like the dashboard, not read from the
    flags of whichever sweep ran last.
    """
    status = rules.case().label("status")
    # Overdue means due before as_of and due soon due on or after it, so "overdue first, oldest due date
    # first" is the due date order itself: an index on due_on serves it without sorting every row.
    stmt = (
        sa.select(Assignment, status)
        .where(*_alerting(user, rules, unit_id, plan_id))
        .options(joinedload(Assignment.task), joinedload(Assignment.unit), joinedload(Assignment.plan))
        .order_by(Assignment.due_on, Assignment.id)
    )
    if alert in ("overdue", "due_soon"):
        stmt = stmt.where(rules.condition(alert))
    return stmt


def alert_counts(user, rules: StatusRules, *, unit_id: int | None = None, plan_id: int | None = None
                 ) -> dict[str, int]:
    """Count what alerting_assignments lists, per status."""
    status = rules.case()
    rows = db.session.execute(
        sa.select(status, sa.func.count()).where(*_alerting(user, rules, unit_id, plan_id)).group_by(status)
    )
    return {s: n for s, n in rows}


def reminder_days(user, *, on: date | None = None, unit_id: int | None = None) -> sa.Select:
    """One row per sweep date and unit with its reminder counts."""
    stmt = (
        sa.select(
            Reminder.sweep_on, Reminder.unit_id, Unit.name,
            sa.func.sum(sa.case((Reminder.stage == "overdue", 1), else_=0)).label("overdue"),
            sa.func.sum(sa.case((Reminder.stage == "due_soon", 1), else_=0)).label("due_soon"),
        )
        .join(Unit, Unit.id == Reminder.unit_id)
        .where(in_scope(user, Reminder.unit_id))
        .group_by(Reminder.sweep_on, Reminder.unit_id, Unit.name, Unit.sort_order)
        .order_by(Reminder.sweep_on.desc(), *official_order())
    )
    if on:
        stmt = stmt.where(Reminder.sweep_on == on)
    if unit_id:
        stmt = stmt.where(Reminder.unit_id == unit_id)
    return stmt


def reminders_of(unit_id: int, on: date) -> list[Reminder]:
    return list(db.session.scalars(
        sa.select(Reminder).where(Reminder.unit_id == unit_id, Reminder.sweep_on == on)
        .options(joinedload(Reminder.assignment).joinedload(Assignment.task))
        .order_by(sa.case((Reminder.stage == "overdue", 0), else_=1), Reminder.due_on, Reminder.id)
    ))


def escalations(user, *, on: date | None = None) -> sa.Select:
    counts = (sa.select(EscalationItem.notice_id, sa.func.count().label("n"))
              .group_by(EscalationItem.notice_id).subquery())
    stmt = (
        sa.select(EscalationNotice, Unit.name, sa.func.coalesce(counts.c.n, 0))
        .join(Unit, Unit.id == EscalationNotice.unit_id)
        .outerjoin(counts, counts.c.notice_id == EscalationNotice.id)
        .where(in_scope(user, EscalationNotice.unit_id))
        .order_by(EscalationNotice.issued_on.desc(), EscalationNotice.number.desc())
    )
    if on:
        stmt = stmt.where(EscalationNotice.issued_on == on)
    return stmt


def rectification_notices(user, *, plan_id: int | None = None, open_only: bool = False) -> sa.Select:
    """Notices with their item counts: total, closed, and open past the deadline."""
    counts = (
        sa.select(
            RectificationItem.notice_id,
            sa.func.count().label("total"),
            sa.func.sum(sa.case((RectificationItem.status == "closed", 1), else_=0)).label("closed"),
            sa.func.sum(sa.case((RectificationItem.status == "answered", 1), else_=0)).label("answered"),
        )
        .group_by(RectificationItem.notice_id).subquery()
    )
    stmt = (
        sa.select(RectificationNotice, Unit.name, counts.c.total, counts.c.closed, counts.c.answered)
        .join(Unit, Unit.id == RectificationNotice.unit_id)
        .outerjoin(counts, counts.c.notice_id == RectificationNotice.id)
        .where(in_scope(user, RectificationNotice.unit_id))
        .options(joinedload(RectificationNotice.plan))
        .order_by(RectificationNotice.issued_on.desc(), RectificationNotice.number)
    )
    if plan_id:
        stmt = stmt.where(RectificationNotice.plan_id == plan_id)
    if open_only:
        stmt = stmt.where(sa.func.coalesce(counts.c.total, 0) > sa.func.coalesce(counts.c.closed, 0))
    return stmt


def notice_items(notice: RectificationNotice) -> list[RectificationItem]:
    return list(db.session.scalars(
        sa.select(RectificationItem).where(RectificationItem.notice_id == notice.id)
        .options(joinedload(RectificationItem.assignment).joinedload(Assignment.task),
                 joinedload(RectificationItem.report), joinedload(RectificationItem.closed_by))
        .order_by(RectificationItem.id)
    ))


def escalation_items(notice: EscalationNotice) -> list[EscalationItem]:
    return list(db.session.scalars(
        sa.select(EscalationItem).where(EscalationItem.notice_id == notice.id)
        .options(joinedload(EscalationItem.assignment).joinedload(Assignment.task),
                 joinedload(EscalationItem.assignment).joinedload(Assignment.plan))
        .order_by(EscalationItem.due_on, EscalationItem.id)
    ))


def job_runs() -> sa.Select:
    return sa.select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())


def plan_choices(user) -> list[tuple[int, str]]:
    from ..plans.queries import visible_plans

    plans = db.session.scalars(visible_plans(user).order_by(Plan.year.desc(), Plan.id.desc())).all()
    return [(p.id, f"{p.year}年 {p.title}" + (f"（{p.doc_number}）" if p.doc_number else "")) for p in plans]


# --- documents ----------------------------------------------------------------------------------------


def issuer_for(unit: Unit, plans: list[Plan] = (), when=None) -> str:
    """Return the issuing office: the plans' issuer when they agree, else the jurisdiction's office
    (named as it was at ``when``, a document's issue instant; None is now)."""
    issuers = Counter(p.issuer for p in plans if p.issuer)
    if issuers:
        return issuers.most_common(1)[0][0]
    root_id = int(unit.path.strip("/").split("/")[0]) if unit.path.strip("/") else unit.id
    root = db.session.get(Unit, root_id) or unit
    name = name_on(root, when)
    return f"{name}办公室" if name.endswith("人民政府") else name


def clause_label(ref: str | None) -> str:
    """Return a clause number as documents write it: 二.（三）.7 → 二（三）7 (a table's 1.3 stays)."""
    return re.sub(r"\.?(（[^）]*）)\.?", r"\1", ref or "")


def task_text(task: Task) -> str:
    """The task as the plan words it, in full (never cut)."""
    return (task.text or "").strip() or task.title


def written_deadline(task: Task, due: date | None) -> str:
    """The deadline as the plan writes it (文件印发后24小时内), else the date."""
    text = (task.deadline_text or "").strip()
    if text:
        return text
    return cn_date(due) if due else "—"


@dataclass(frozen=True)
class Letterhead:
    """What the issuing office's documents carry besides their text: format, contact line, 抄送."""

    issuer: str
    letter: bool = True
    contact: str = "联系人：　　　　　　；联系电话：　　　　　　　"
    cc: tuple[str, ...] = ()


def letterhead(issuer: str) -> Letterhead:
    """Return how the office's documents look, as the admin set it (a plain letter until then)."""
    office = office_named(issuer)
    if office is None:
        return Letterhead(issuer=issuer)
    return Letterhead(issuer=issuer, letter=office.letter_format,
                      contact=office.contact.strip() or Letterhead.contact, cc=tuple(office.cc_list))


def reminder_doc(unit: Unit, on: date, reminders: list[Reminder], cal: WorkCalendar) -> NoticeDoc:
    items = [
        DocItem(task=task_text(r.assignment.task), clause=clause_label(r.assignment.task.ref), original_due=r.due_on,
                status=("逾期" if r.stage == "overdue" else "临期")
                + ("（已办结）" if r.assignment.status == "completed" else ""),
                workdays_overdue=overdue_workdays(cal, r.due_on, on) if r.stage == "overdue" else None)
        for r in reminders
    ]
    overdue = sum(1 for r in reminders if r.stage == "overdue")
    sent = min((r.created_at for r in reminders), default=None)
    head = letterhead(issuer_for(unit, [r.assignment.plan for r in reminders], sent))
    return NoticeDoc(
        issuer=head.issuer, title="催办提醒", recipient=name_on(unit, sent), issued_on=on, letter=head.letter,
        intro=[f"经{cn_date(on)}巡查，你单位承办的以下任务中，逾期未办结{overdue}项、即将到期{len(reminders) - overdue}项。"
               "请对照清单抓紧办理，及时报送进展和佐证材料；已完成的请提交办结申请。"],
        items=items, closing=["特此提醒。"], contact=head.contact, cc=list(head.cc),
    )


def escalation_doc(notice: EscalationNotice, items: list[EscalationItem], cal: WorkCalendar) -> NoticeDoc:
    head = letterhead(issuer_for(notice.unit, [i.assignment.plan for i in items], notice.created_at))
    rows = [
        (str(n), clause_label(i.assignment.task.ref), task_text(i.assignment.task), cn_date(i.due_on),
         str(overdue_workdays(cal, i.due_on, notice.issued_on)), "")
        for n, i in enumerate(items, 1)
    ]
    sheet = DocTable(("序号", "条款", "督办事项", "原定时限", "逾期工作日", "办理情况"), rows,
                     center=frozenset({0, 1, 3, 4}), blank_widths={5: 6}, size=Pt(10.5))
    return NoticeDoc(
        issuer=head.issuer, doc_number=notice.doc_number, letter=head.letter,
        title="督办通知", recipient=notice.addressee, issued_on=notice.issued_on,
        intro=[f"截至{cn_date(notice.issued_on)}，你单位承办的{len(rows)}项任务逾期未办结，且已超过规定的督办期限"
               "（具体事项见附件督办单）。现予督办，请主要负责同志亲自过问，立即组织办理。"],
        closing=["请于收到本通知后3个工作日内，在督办单中逐项填写办理情况，说明逾期原因和下一步措施，加盖单位公章后报送。"],
        attachments=[Attachment("督办单", landscape=True, before=[f"督办单位：{head.issuer}　　承办单位：{notice.addressee}"],
                                table=sheet)],
        contact=head.contact, cc=list(head.cc),
    )


def rectification_doc(notice: RectificationNotice, items: list[RectificationItem], cal: WorkCalendar) -> NoticeDoc:
    plan = notice.plan
    head = letterhead(plan.issuer or issuer_for(notice.unit, when=notice.created_at))
    due = cn_date(notice.due_on)
    rows = [
        (str(n), clause_label(i.assignment.task.ref), task_text(i.assignment.task),
         written_deadline(i.assignment.task, i.original_due_on), "", "", due)
        for n, i in enumerate(items, 1)
    ]
    source = f"《{plan.title}》" + (f"（{plan.doc_number}）" if plan.doc_number else "")
    listing = DocTable(("序号", "条款", "任务内容", "原定时限", "整改措施", "责任人", "整改时限"), rows,
                       center=frozenset({0, 1, 3, 6}), blank_widths={4: 6, 5: 3}, size=Pt(10.5))
    receipt = DocTable((), [("单位（盖章）", ""), ("负责人", ""), ("联系人", ""), ("联系电话", ""),
                            ("整改完成情况", ""), ("日期", "　　　　年　　月　　日")],
                       blank_widths={1: 24}, row_lines={0: 2, 1: 2, 2: 2, 3: 2, 4: 5, 5: 2})
    return NoticeDoc(
        issuer=head.issuer, doc_number=notice.doc_number, title=notice.title, letter=head.letter,
        recipient=notice.addressee, issued_on=notice.issued_on,
        intro=[f"根据工作安排，对{source}落实情况开展了“回头看”。经逐项核查，你单位有{len(rows)}项"
               "明确了责任单位和完成时限的任务尚未完成（见附件1），现通知如下，请逐项整改落实。"],
        deadline=notice.due_on,
        deadline_text=("请于{date}前完成整改，在附件1中逐项填写整改措施和责任人，将整改情况及佐证材料连同附件2回执"
                       "（加盖单位公章）报送" + head.issuer + "。"),
        closing=["整改完成一项、销号一项；逾期未完成整改的，将在年度考核中予以扣分并视情通报。"],
        attachments=[Attachment("整改事项清单", landscape=True, table=listing), Attachment("整改情况回执", table=receipt)],
        contact=head.contact, cc=list(head.cc),
    )


def circular_overview(circular: Circular) -> DocTable:
    """The circular's overall figures: 承办, 办结, 逾期, 办结率 for counties, departments and all."""
    from ..dashboard.queries import Counts, Filters, unit_rows
    from .calendar_db import current_calendar

    cal = current_calendar()
    rows = unit_rows(Filters(plan_id=circular.plan_id), StatusRules.at(circular.as_of, calendar=cal), cal)
    groups = {"A": Counts(), "B": Counts(), None: Counts()}
    total = Counts()
    for r in rows:
        groups[r.category if r.category in ("A", "B") else None].fill(r.assignments, r.completed, r.overdue, r.due_soon)
        total.fill(r.assignments, r.completed, r.overdue, r.due_soon)
    labels = {"A": "县（市、区）、开发区", "B": "政府部门", None: "其他单位"}

    def line(label: str, c: Counts) -> tuple[str, ...]:
        rate = "—" if c.rate is None else f"{c.rate:.1f}%"
        return (label, str(c.assignments), str(c.completed), str(c.overdue), rate)

    body = [line(labels[k], c) for k, c in groups.items() if c.assignments]
    return DocTable(("类别", "承办事项", "已办结", "逾期未办结", "办结率"), [*body, line("合计", total)],
                    center=frozenset({1, 2, 3, 4}), total_row=True)


def circular_doc(circular: Circular) -> NoticeDoc:
    plan = circular.plan
    issuer = plan.issuer or issuer_for(plan.unit, when=circular.published_at)
    head = letterhead(issuer)
    figure = "逾期未办结事项" if circular.kind == "criticism" else "已办结事项"
    rows = [(str(i), cu.unit_name, str(cu.count)) for i, cu in enumerate(circular.units, 1)]
    paragraphs = [line.strip() for line in circular.body.splitlines() if line.strip()]
    first_heading = next((i for i, t in enumerate(paragraphs) if t.startswith("一、")), None)
    list_at = next((i for i, t in enumerate(paragraphs) if t.endswith("：") and (first_heading is None or i > first_heading + 1)),
                   None)
    draft = circular.status != "published"
    return NoticeDoc(
        issuer=issuer, title=circular.title, recipient="各有关单位",
        doc_number=None if draft else circular.doc_number, is_draft=draft, letter=False,
        issued_on=None if draft else circular.issued_on, intro=paragraphs,
        figures=circular_overview(circular), figures_after=first_heading if first_heading is not None else 0,
        table=DocTable(("序号", "单位", figure), rows, center=frozenset({0, 2})) if rows else None,
        table_after=list_at, contact=head.contact, cc=list(head.cc),
    )



def last_sweep():
    """Return when the last sweep ran (UTC) and for which date, or None; pages that show what a
    sweep sent name this time."""
    from ..audit.models import AuditEvent

    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "supervise.sweep")
                              .order_by(AuditEvent.id.desc()).limit(1))
    if event is None:
        return None
    return event.created_at

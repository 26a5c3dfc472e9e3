"""Supervisors assign after import: change tasks and assignments, open ad-hoc 督办 items (交办件),
rename, merge and retire units, and act on several assignments at once.

Every function checks its input first and raises ``ServiceError`` (a Chinese message) before it
changes anything; it writes the audit log, notifies the units concerned and flushes. The plan's
data version is renewed by the session listener in ``tracker.plans.data_version`` on every write to
tasks and assignments. An assignment closed as 不再承办 keeps its row and reports (``withdrawn_at``)
and drops out of every figure (see ``tracker.plans.models._hide_withdrawn``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.services import record, snapshot
from ..errors import ServiceError
from ..extensions import db
from ..inbox.services import notify_unit, notify_users, reporters_by_unit
from ..timeutil import utcnow
from ..scope import under
from ..units.models import Unit, UnitName
from ..units.models import name_on as _name_on
from .deadlines import parse_deadline
from .models import ITEM_SOURCES, ROLE_LABELS, Assignment, Plan, Task

ROLES = tuple(ROLE_LABELS)
#: deadline kinds whose date is the assignment's due date (the others: no due date)
DATED = ("date", "year_end", "window", "recurring", "default")
ASSIGNMENT_FIELDS = ("unit_id", "role", "due_on", "original_due_on", "assigned_due_on", "status", "withdrawn_at", "withdrawn_reason")
TASK_FIELDS = ("title", "text", "deadline", "deadline_kind", "deadline_text")


# --- helpers ------------------------------------------------------------------------------------


def _all_assignments(task: Task) -> list[Assignment]:
    """Return the task's assignments, those closed as 不再承办 included."""
    return list(db.session.scalars(
        sa.select(Assignment).where(Assignment.task_id == task.id).order_by(Assignment.id)
        .execution_options(with_withdrawn=True)))


def _counted(task: Task) -> list[Assignment]:
    return [a for a in _all_assignments(task) if a.withdrawn_at is None]


def _report_count(assignment: Assignment) -> int:
    from ..reports.models import ProgressReport

    return db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)
                             .where(ProgressReport.assignment_id == assignment.id)) or 0


def _check_unit(plan: Plan, unit: Unit | None) -> Unit:
    if unit is None:
        raise ServiceError("请选择承办单位。")
    if not unit.is_within(plan.unit):
        raise ServiceError(f"“{unit.name}”不在{plan.unit.name}的管辖范围内，不能承办该任务。")
    if not unit.is_active:
        raise ServiceError(f"“{unit.name}”已撤销，不能再承办任务。")
    return unit


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ServiceError(f"未知的承办角色：{role}")
    return role


def _check_not_last_lead(assignment: Assignment, *, new_role: str | None = None) -> None:
    """Refuse a change that would leave the task without a lead unit (when it had one)."""
    if assignment.role != "lead" or new_role == "lead":
        return
    others = [a for a in _counted(assignment.task) if a.role == "lead" and a.id != assignment.id]
    if not others:
        raise ServiceError(f"“{assignment.unit.name}”是该任务唯一的牵头单位，不能取消；请先指定其他牵头单位。")


@dataclass(frozen=True)
class DeadlineReading:
    kind: str
    due: date | None
    text: str


def read_deadline(plan: Plan, text: str) -> DeadlineReading:
    """Read a deadline typed by the supervisor with the plan documents' grammar (年底前, 9月底前,
    2021年10月15日前, 持续推进 …); a bare date YYYY-MM-DD is read as a fixed date."""
    text = (text or "").strip()
    if not text:
        raise ServiceError("请填写完成时限，例如“9月底前”“2021-10-15”或“持续推进”。")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        found = parse_deadline(text, plan.year)
        if found is None:
            raise ServiceError(f"无法识别完成时限“{text}”，请写成“9月底前”“年底前”“2021-10-15”或“持续推进”。") from None
        kind, day = found.kind, found.date if found.kind in DATED else None
    else:
        kind = "date"
    if day is not None and plan.issued_on is not None and day < plan.issued_on:
        raise ServiceError(f"完成时限{day.isoformat()}早于文件印发日期{plan.issued_on.isoformat()}，请核对。")
    return DeadlineReading(kind=kind, due=day, text=text)


def _notify(unit_ids: Iterable[int], title: str, plan: Plan, task: Task | None = None, *,
            reporters: dict[int, list[int]] | None = None) -> None:
    """Notify the reporters of the units (read in one query, or given: a bulk 转办 reaches hundreds)."""
    link = f"/plans/{plan.id}/tasks/{task.id}" if task is not None else f"/plans/{plan.id}"
    unit_ids = set(unit_ids)
    if reporters is None or not unit_ids <= reporters.keys():
        reporters = reporters_by_unit(unit_ids)
    for unit_id in sorted(unit_ids):
        notify_users(reporters[unit_id], kind="assignment", title=title, link=link, object_type="task" if task else "plan",
                     object_id=task.id if task else plan.id)


def _new_assignment(task: Task, unit: Unit, role: str, *, source_phrase: str | None = None) -> Assignment:
    due = task.deadline if task.deadline_kind in DATED else None
    a = Assignment(plan_id=task.plan_id, task=task, unit=unit, role=role, due_on=due, original_due_on=due,
                   deadline_kind=task.deadline_kind, source_phrase=source_phrase, status="pending", progress=0)
    db.session.add(a)
    return a


# --- tasks --------------------------------------------------------------------------------------


def add_task(actor, plan: Plan, *, title: str, text: str = "", deadline: str,
             units: dict[str, list[Unit]], section: str | None = None) -> Task:
    """Add a task the document left out, with its units by role (lead/responsible/cooperating)."""
    title = (title or "").strip()
    if not title:
        raise ServiceError("任务标题不能为空。")
    reading = read_deadline(plan, deadline)
    chosen = _chosen_units(plan, units)
    if not chosen:
        raise ServiceError("请至少指定一个承办单位。")
    position = (db.session.scalar(sa.select(sa.func.max(Task.position)).where(Task.plan_id == plan.id)) or 0) + 1
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.plan_id == plan.id)) or 0
    section = (section or "").strip() or "补充任务"
    task = Task(plan_id=plan.id, ref=f"补{count + 1}", position=position, level=1, title=title[:500],
                text=(text or "").strip(), section=section[:200], path=[section], is_leaf=True,
                deadline=reading.due, deadline_kind=reading.kind, deadline_text=reading.text[:200])
    db.session.add(task)
    db.session.flush()
    for unit, role in chosen:
        _new_assignment(task, unit, role)
    db.session.flush()
    record(actor, "task.add", "task", task.id, after={
        **snapshot(task, TASK_FIELDS), "plan_id": plan.id,
        "units": [{"unit": u.name, "role": r} for u, r in chosen]})
    _notify([u.id for u, _ in chosen], f"新增任务：《{plan.title}》{task.title}", plan, task)
    return task


def _chosen_units(plan: Plan, units: dict[str, list[Unit]]) -> list[tuple[Unit, str]]:
    out: dict[int, tuple[Unit, str]] = {}
    for role in ROLES:  # the strongest role wins when a unit is named twice
        for unit in units.get(role) or []:
            _check_unit(plan, unit)
            out.setdefault(unit.id, (unit, role))
    return list(out.values())


def update_task(actor, task: Task, *, title: str, text: str, deadline: str) -> Task:
    """Change a task's words or deadline. A new deadline is a correction, not an extension: it
    becomes every open assignment's due date (an approved extension later than it stays). The date
    first assigned is kept (assigned_due_on) for a rubric that scores against it (deadline_change)."""
    title = (title or "").strip()
    if not title:
        raise ServiceError("任务标题不能为空。")
    plan = task.plan
    reading = read_deadline(plan, deadline) if (deadline or "").strip() != (task.deadline_text or "") else None
    before = snapshot(task, TASK_FIELDS)
    task.title, task.text = title[:500], (text or "").strip()
    changed_due: list[Assignment] = []
    if reading is not None:
        task.deadline, task.deadline_kind, task.deadline_text = reading.due, reading.kind, reading.text[:200]
        for a in _counted(task):
            if a.status == "completed":
                continue
            extended = a.due_on is not None and a.original_due_on is not None and a.due_on > a.original_due_on
            if a.assigned_due_on is None and (a.original_due_on or a.due_on) != reading.due:
                a.assigned_due_on = a.original_due_on or a.due_on
            a.original_due_on = reading.due
            if not (extended and reading.due is not None and a.due_on > reading.due):
                a.due_on = reading.due
            a.deadline_kind = reading.kind
            changed_due.append(a)
    db.session.flush()
    record(actor, "task.update", "task", task.id, before=before, after=snapshot(task, TASK_FIELDS))
    if before != snapshot(task, TASK_FIELDS):
        what = f"完成时限改为“{task.deadline_text}”" if reading is not None else "任务内容有调整"
        _notify([a.unit_id for a in _counted(task)], f"任务调整：{task.title}，{what}", plan, task)
    return task


# --- assignments --------------------------------------------------------------------------------


def resolve_phrase(plan: Plan, phrase: str) -> tuple[list[Unit], str | None]:
    """Return the units a written name or group phrase (各县（市、区）人民政府) stands for within the
    plan's jurisdiction, and the phrase when it was a group."""
    from .services import build_directory

    phrase = (phrase or "").strip()
    if not phrase:
        raise ServiceError("请填写单位名称或单位组（如“各县（市、区）人民政府”）。")
    found = build_directory(plan.unit).resolve(phrase)
    if found.status not in ("unit", "group") or not found.unit_ids:
        raise ServiceError(f"在{plan.unit.name}的单位名录中找不到“{phrase}”，请核对名称。")
    units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(found.unit_ids))))
    return units, (phrase if found.status == "group" else None)


def add_units(actor, task: Task, units: list[Unit], role: str, *, source_phrase: str | None = None) -> list[Assignment]:
    """Give a task to more units in one role; units that already have it keep their assignment."""
    _check_role(role)
    if not units:
        raise ServiceError("请选择承办单位。")
    for unit in units:
        _check_unit(task.plan, unit)
    taken = {a.unit_id for a in _counted(task)}
    added = [_new_assignment(task, u, role, source_phrase=source_phrase) for u in units if u.id not in taken]
    if not added:
        raise ServiceError("所选单位均已承办该任务。")
    db.session.flush()
    record(actor, "assignment.add", "task", task.id,
           after={"role": role, "units": [a.unit.name for a in added], "phrase": source_phrase})
    _notify([a.unit_id for a in added], f"新任务：{task.title}（{ROLE_LABELS[role]}）", task.plan, task)
    return added


def set_role(actor, assignment: Assignment, role: str) -> Assignment:
    """Change an assignment's role (牵头/责任/配合)."""
    _check_role(role)
    if role == assignment.role:
        return assignment
    _check_not_last_lead(assignment, new_role=role)
    before = snapshot(assignment, ASSIGNMENT_FIELDS)
    assignment.role = role
    db.session.flush()
    record(actor, "assignment.role", "assignment", assignment.id, before=before,
           after=snapshot(assignment, ASSIGNMENT_FIELDS))
    _notify([assignment.unit_id], f"承办角色调整：{assignment.task.title}，改为{ROLE_LABELS[role]}",
            assignment.plan, assignment.task)
    return assignment


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("请填写原因。")
    return reason[:500]


def remove_assignment(actor, assignment: Assignment, reason: str) -> None:
    """Take a unit off a task it has not reported on."""
    reason = _reason(reason)
    if _report_count(assignment):
        raise ServiceError(f"“{assignment.unit.name}”已报送过进展，不能删除；请改为“不再承办”，报送记录将保留。")
    _check_not_last_lead(assignment)
    task, plan, unit_id = assignment.task, assignment.plan, assignment.unit_id
    before = snapshot(assignment, ASSIGNMENT_FIELDS) | {"unit": assignment.unit.name, "task_id": task.id}
    db.session.delete(assignment)
    db.session.flush()
    record(actor, "assignment.remove", "assignment", assignment.id, before=before, after={"reason": reason})
    _notify([unit_id], f"任务取消：{task.title}（原因：{reason}）", plan, task)


def withdraw_assignment(actor, assignment: Assignment, reason: str) -> Assignment:
    """Close an assignment as 不再承办: its reports stay in the history; it leaves every figure."""
    reason = _reason(reason)
    if assignment.withdrawn_at is not None:
        raise ServiceError("该承办事项已是“不再承办”。")
    _check_not_last_lead(assignment)
    before = snapshot(assignment, ASSIGNMENT_FIELDS)
    assignment.withdrawn_at, assignment.withdrawn_reason, assignment.alert = utcnow(), reason, None
    db.session.flush()
    record(actor, "assignment.withdraw", "assignment", assignment.id, before=before,
           after=snapshot(assignment, ASSIGNMENT_FIELDS))
    _notify([assignment.unit_id], f"不再承办：{assignment.task.title}（原因：{reason}）",
            assignment.plan, assignment.task)
    return assignment


def _move_rows(assignments: list[Assignment], unit: Unit) -> None:
    """Move assignments and their progress reports to another unit (the new unit sees the history).
    Reminders, escalations and notices stay with the unit they were sent to: they are its documents."""
    from ..reports.models import ProgressReport

    ids = [a.id for a in assignments]
    db.session.flush()
    now = utcnow()
    # One UPDATE per 500 rows rather than one per assignment (a bulk 转办 moves a thousand); the
    # session listener renews the plans' data version for a bulk write.
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        db.session.execute(sa.update(Assignment).where(Assignment.id.in_(chunk))
                           .values(unit_id=unit.id, updated_at=now).execution_options(synchronize_session=False))
        db.session.execute(sa.update(ProgressReport).where(ProgressReport.assignment_id.in_(chunk))
                           .values(unit_id=unit.id).execution_options(synchronize_session=False))
    for a in assignments:
        set_committed_value(a, "unit_id", unit.id)
        set_committed_value(a, "updated_at", now)
        set_committed_value(a, "unit", unit)


def _check_move(assignment: Assignment, unit: Unit, taken: set[tuple[int, int, int]]) -> None:
    _check_unit(assignment.plan, unit)
    if unit.id == assignment.unit_id:
        raise ServiceError(f"“{assignment.task.title}”已由“{unit.name}”承办。")
    if (assignment.task_id, unit.id, assignment.instance) in taken:
        raise ServiceError(f"“{unit.name}”已承办任务“{assignment.task.title}”，不能重复转办。")


def move_assignments(actor, assignments: list[Assignment], unit: Unit, *, reason: str = "") -> list[Assignment]:
    """Move assignments to another unit (转办): their reports, reminders and history go with them,
    so the new unit sees what was done. All or nothing: one refused move changes nothing."""
    if not assignments:
        raise ServiceError("请先勾选要转办的承办事项。")
    task_ids = sorted({a.task_id for a in assignments})
    taken: set[tuple[int, int, int]] = set()
    # only what the target unit already holds can refuse a move (not every unit's row of the tasks)
    for chunk in (task_ids[i:i + 500] for i in range(0, len(task_ids), 500)):
        taken.update(tuple(r) for r in db.session.execute(
            sa.select(Assignment.task_id, Assignment.unit_id, Assignment.instance)
            .where(Assignment.task_id.in_(chunk), Assignment.unit_id == unit.id)
            .execution_options(with_withdrawn=True)))
    for a in assignments:
        _check_move(a, unit, taken)
        taken.add((a.task_id, unit.id, a.instance))
    old = {a.id: a.unit_id for a in assignments}
    _move_rows(assignments, unit)
    db.session.flush()
    record(actor, "assignment.move", "unit", unit.id, after={
        "to": unit.name, "reason": (reason or "").strip(),
        "moved": [{"assignment_id": a.id, "from_unit_id": old[a.id]} for a in assignments]})
    plans = {a.plan_id: a.plan for a in assignments}
    reporters = reporters_by_unit({unit.id, *old.values()})
    for plan in plans.values():
        n = sum(1 for a in assignments if a.plan_id == plan.id)
        _notify([unit.id], f"转办任务：《{plan.title}》{n}项转由您单位承办", plan, reporters=reporters)
        _notify({old[a.id] for a in assignments if a.plan_id == plan.id},
                f"任务转办：《{plan.title}》中您单位的{n}项已转由“{unit.name}”承办", plan, reporters=reporters)
    return assignments


def move_assignment(actor, assignment: Assignment, unit: Unit, *, reason: str = "") -> Assignment:
    move_assignments(actor, [assignment], unit, reason=reason)
    return assignment


def extend_assignments(actor, assignments: list[Assignment], due: date, reason: str) -> list[Assignment]:
    """Extend open assignments to a later due date (延期): the date before stays for scoring."""
    reason = _reason(reason)
    if not assignments:
        raise ServiceError("请先勾选要延期的承办事项。")
    for a in assignments:
        if a.status == "completed":
            raise ServiceError(f"“{a.unit.name}”承办的“{a.task.title}”已办结，不能延期。")
        if a.due_on is None:
            raise ServiceError(f"“{a.task.title}”没有完成时限（持续推进），不能延期。")
        if due <= a.due_on:
            raise ServiceError(f"新的完成时限{due.isoformat()}不晚于“{a.unit.name}”现在的时限{a.due_on.isoformat()}。")
    for a in assignments:
        a.original_due_on = a.original_due_on or a.due_on
        a.due_on = due
        if a.alert == "overdue" or a.alert == "due_soon":
            a.alert, a.overdue_since = None, None
    db.session.flush()
    record(actor, "assignment.extend", "assignment", None, after={
        "due_on": due, "reason": reason, "assignment_ids": [a.id for a in assignments]})
    for a in assignments:
        _notify([a.unit_id], f"延期：{a.task.title}，完成时限延至{due.isoformat()}（{reason}）", a.plan, a.task)
    return assignments


def remind_assignments(actor, assignments: list[Assignment], as_of: date) -> int:
    """Send a 催办 about open assignments now, as the sweep does (tracker.supervise.remind: counted once a
    day — a second click, or the sweep on the same day, adds nothing); return how many were sent."""
    from ..supervise.remind import send_reminders

    if not assignments:
        raise ServiceError("请先勾选要催办的承办事项。")
    open_ = [a for a in assignments if a.status != "completed" and a.due_on is not None]
    if not open_:
        raise ServiceError("所选事项均已办结或没有完成时限，无需催办。")
    return len(send_reminders(actor, [a.id for a in open_], today=as_of).sent)


# --- ad-hoc items (交办件) ------------------------------------------------------------------------


def adhoc_container(jurisdiction: Unit, year: int) -> Plan:
    """Return (creating it) the plan that holds one jurisdiction's 交办件 of one year."""
    plan = db.session.scalar(sa.select(Plan).where(Plan.unit_id == jurisdiction.id, Plan.kind == "adhoc",
                                                   Plan.year == year))
    if plan is None:
        plan = Plan(unit_id=jurisdiction.id, unit=jurisdiction, kind="adhoc", year=year,
                    title=f"{jurisdiction.name}{year}年交办件")
        db.session.add(plan)
        db.session.flush()
    return plan


@dataclass
class ItemInput:
    source: str
    title: str
    text: str
    due: date | None
    lead: list[Unit] = field(default_factory=list)
    responsible: list[Unit] = field(default_factory=list)
    doc_number: str = ""
    source_date: date | None = None
    campaign: str = ""


def create_item(actor, jurisdiction: Unit, item: ItemInput, *, scan: BinaryIO | None = None,
                scan_name: str | None = None, max_bytes: int = 20 * 1024 * 1024) -> Task:
    """Open an ad-hoc 督办 item: a task of the jurisdiction's 交办件 container, assigned like plan work."""
    if item.source not in ITEM_SOURCES:
        raise ServiceError(f"请选择交办件来源（{'、'.join(ITEM_SOURCES)}）。")
    title = (item.title or "").strip()
    if not title:
        raise ServiceError("请填写交办事项名称。")
    if not item.lead and not item.responsible:
        raise ServiceError("请至少指定一个牵头单位或责任单位。")
    if item.due is None:
        raise ServiceError("请填写办理时限。")
    if item.source_date is not None and item.due < item.source_date:
        raise ServiceError(f"办理时限{item.due.isoformat()}早于来源文件日期{item.source_date.isoformat()}，请核对。")
    for unit in [*item.lead, *item.responsible]:
        if not unit.is_within(jurisdiction):
            raise ServiceError(f"“{unit.name}”不在{jurisdiction.name}的管辖范围内，不能承办该事项。")
        if not unit.is_active:
            raise ServiceError(f"“{unit.name}”已撤销，不能再承办任务。")
    stored = None
    if scan is not None and scan_name:
        from ..reports.storage import store

        stored = store(scan, scan_name, max_bytes=max_bytes)
    plan = adhoc_container(jurisdiction, (item.source_date or item.due).year)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.plan_id == plan.id)) or 0
    campaign = (item.campaign or "").strip()[:100] or None
    # The section groups the items on the dashboard (its 部分 filter): the campaign, else the source.
    section = f"专项督办：{campaign}" if campaign else item.source
    task = Task(plan_id=plan.id, ref=f"交{count + 1}", position=count + 1, level=1, title=title[:500],
                text=(item.text or "").strip(), section=section[:200], path=[section], is_leaf=True,
                deadline=item.due, deadline_kind="date", deadline_text=f"{item.due.isoformat()}前",
                source=item.source, source_doc_number=(item.doc_number or "").strip()[:80] or None,
                source_date=item.source_date, campaign=campaign,
                scan_sha256=stored.sha256 if stored else None, scan_name=stored.original_name if stored else None)
    db.session.add(task)
    db.session.flush()
    chosen = _chosen_units(plan, {"lead": item.lead, "responsible": item.responsible})
    for unit, role in chosen:
        _new_assignment(task, unit, role)
    db.session.flush()
    record(actor, "item.create", "task", task.id, after={
        **snapshot(task, TASK_FIELDS + ("source", "source_doc_number", "source_date", "campaign")),
        "units": [{"unit": u.name, "role": r} for u, r in chosen]})
    _notify([u.id for u, _ in chosen], f"交办件：{title}（{item.source}，{item.due.isoformat()}前办结）", plan, task)
    return task


def _adhoc_tasks(stmt: sa.Select, jurisdiction: Unit | None) -> sa.Select:
    stmt = stmt.join(Plan, Plan.id == Task.plan_id).where(Plan.kind == "adhoc")
    if jurisdiction is not None:
        stmt = stmt.join(Unit, Unit.id == Plan.unit_id).where(under(Unit.path, jurisdiction.path))
    return stmt


def items_query(jurisdiction: Unit | None = None, *, campaign: str | None = None) -> sa.Select:
    """Select the ad-hoc items (newest first), of one jurisdiction's subtree and campaign if given,
    with their assignments and units loaded in two queries (the list names every unit)."""
    stmt = _adhoc_tasks(sa.select(Task), jurisdiction)
    if campaign:
        stmt = stmt.where(Task.campaign == campaign)
    return (stmt.options(selectinload(Task.assignments).joinedload(Assignment.unit))
            .order_by(Task.created_at.desc(), Task.id.desc()))


def items(jurisdiction: Unit | None = None, *, campaign: str | None = None) -> list[Task]:
    """Return the ad-hoc items (newest first), of one jurisdiction's subtree and campaign if given."""
    return list(db.session.scalars(items_query(jurisdiction, campaign=campaign)))


def item_campaigns(jurisdiction: Unit | None = None) -> list[str]:
    """Return the campaign names of the jurisdiction's ad-hoc items, sorted."""
    stmt = _adhoc_tasks(sa.select(Task.campaign).distinct(), jurisdiction).where(Task.campaign.is_not(None))
    return sorted(c for c in db.session.scalars(stmt) if c)


def item_json(task: Task) -> dict:
    return {
        "id": task.id, "ref": task.ref, "title": task.title, "text": task.text, "source": task.source,
        "doc_number": task.source_doc_number, "source_date": task.source_date.isoformat() if task.source_date else None,
        "campaign": task.campaign, "due": task.deadline.isoformat() if task.deadline else None,
        "jurisdiction": task.plan.unit.name, "plan_id": task.plan_id, "scan": task.scan_name,
        "assignments": [{"id": a.id, "unit": a.unit.name, "role": ROLE_LABELS[a.role], "due": a.due_on.isoformat()
                         if a.due_on else None, "status": a.status_label} for a in task.assignments],
    }


# --- units change (机构改革) ----------------------------------------------------------------------


def rename_unit(actor, unit: Unit, name: str) -> Unit:
    """Rename a unit; the old name is kept with the instant it ended, for documents issued before."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("单位名称不能为空。")
    if name == unit.name:
        raise ServiceError("新名称与现名称相同。")
    if db.session.scalar(sa.select(Unit.id).where(Unit.name == name, Unit.id != unit.id)):
        raise ServiceError(f"单位“{name}”已存在。")
    old = unit.name
    db.session.add(UnitName(unit_id=unit.id, name=old, until=utcnow()))
    unit.name = name
    aliases = [x for x in (unit.aliases or []) if x != name]
    unit.aliases = aliases + [old] if old not in aliases else aliases
    db.session.flush()
    record(actor, "unit.rename", "unit", unit.id, before={"name": old}, after={"name": name})
    return unit


def name_on(unit: Unit, when) -> str:
    """Return the unit's name at an instant (a document's issue time): the name it had then."""
    return _name_on(unit, when)


def _open_assignments(unit: Unit) -> list[Assignment]:
    return list(db.session.scalars(sa.select(Assignment).where(
        Assignment.unit_id == unit.id, Assignment.status != "completed").order_by(Assignment.id)))


@dataclass
class MergeResult:
    source: str
    target: str
    moved: list[dict] = field(default_factory=list)
    #: open assignments the survivor already had on the same task: closed (不再承办) or removed
    folded: list[dict] = field(default_factory=list)
    kept: int = 0

    def to_json(self) -> dict:
        return {"from": self.source, "into": self.target, "moved": self.moved, "folded": self.folded,
                "closed_kept": self.kept}


def merge_units(actor, source: Unit, target: Unit) -> MergeResult:
    """Merge a unit into another: its open assignments move to the survivor (with their reports),
    completed ones stay with it as history; the merged unit is retired."""
    if source.id == target.id:
        raise ServiceError("不能把单位并入它自己。")
    if not target.is_active:
        raise ServiceError(f"“{target.name}”已撤销，不能作为并入单位。")
    if target.is_within(source):
        raise ServiceError(f"“{target.name}”是“{source.name}”的下级单位，不能并入。")
    result = MergeResult(source.name, target.name)
    open_ = _open_assignments(source)
    held = {(a.task_id, a.instance) for a in db.session.scalars(
        sa.select(Assignment).where(Assignment.unit_id == target.id).execution_options(with_withdrawn=True))}
    to_move = []
    for a in open_:
        row = {"assignment_id": a.id, "task": a.task.title, "plan": a.plan.title, "role": ROLE_LABELS[a.role]}
        if (a.task_id, a.instance) in held:
            # The survivor already does this task: keep its own assignment and fold this one in.
            if _report_count(a):
                a.withdrawn_at, a.withdrawn_reason = utcnow(), f"并入{target.name}，由其承办"
            else:
                db.session.delete(a)
            result.folded.append(row)
        else:
            held.add((a.task_id, a.instance))
            to_move.append(a)
            result.moved.append(row)
    if to_move:
        _move_rows(to_move, target)
    result.kept = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
        Assignment.unit_id == source.id, Assignment.status == "completed")) or 0
    source.is_active = False
    source.merged_into_id = target.id
    db.session.flush()
    record(actor, "unit.merge", "unit", source.id, before={"name": source.name},
           after={"into": target.name, "into_id": target.id, "moved": len(result.moved), "folded": len(result.folded)})
    if result.moved:
        notify_unit(target.id, kind="assignment", title=f"机构调整：“{source.name}”的{len(result.moved)}项在办任务转由您单位承办",
                    link="/my/tasks", object_type="unit", object_id=target.id)
    return result


def retire_unit(actor, unit: Unit) -> Unit:
    """Retire (撤销) a unit that has no open work left."""
    from ..units.services import set_unit_active

    if not unit.is_active:
        raise ServiceError(f"“{unit.name}”已撤销。")
    set_unit_active(actor, unit, False)
    db.session.flush()
    return unit

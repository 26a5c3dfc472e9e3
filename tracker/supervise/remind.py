"""Manual reminders (手动催办): a supervisor reminds a unit of one assignment or a selection, now.

A manual reminder is the sweep's ``Reminder`` row (same table, same 催办清单 and document, same
已催办 figure), written with who sent it. It is counted once a day: the sweep and a supervisor on
the same day, or two clicks, make one reminder. The first reminder of a stage and due date takes
the sweep's slot, so the sweep adds none for it later; a supervisor may remind again on a later
day (a repeat row).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from ..inbox.services import notify_unit
from ..plans.models import Assignment
from ..plans.status import StatusRules
from ..timeutil import utcnow
from .calendar_db import current_calendar
from .models import Reminder

#: the most assignments one 催办 may cover
MAX_REMIND = 500


@dataclass
class RemindResult:
    sent: list[Reminder] = field(default_factory=list)
    #: (assignment id, the task's 序号 and title or "", why no reminder was sent)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)

    def message(self) -> str:
        """Return what happened, in words, for the flash message."""
        parts = []
        if self.sent:
            units = len({r.unit_id for r in self.sent})
            parts.append(f"已向{units}个单位催办{len(self.sent)}项任务，并通知了各单位的填报人员。")
        if self.skipped:
            listed = "；".join(f"{what or '编号' + str(aid)}：{why}" for aid, what, why in self.skipped[:10])
            more = f"等{len(self.skipped)}项" if len(self.skipped) > 10 else ""
            parts.append(f"未催办{len(self.skipped)}项（{listed}{more}）。")
        return "".join(parts)


def _why_not(a: Assignment, status: str) -> str | None:
    """Return why an assignment cannot be reminded today, or None."""
    if a.withdrawn_at is not None:
        return "该承办已撤销（不再承办），不能催办"
    if a.status == "completed" or status == "completed":
        return "该任务已办结，无需催办"
    if a.deadline_kind == "continuous" or a.due_on is None:
        return "持续推进的任务没有具体完成时限，由每日巡查按报送周期催办"
    if status not in ("overdue", "due_soon"):
        return f"尚未临期（完成时限{a.due_on.isoformat()}），暂不需催办"
    return None


def _label(a: Assignment) -> str:
    return f"{a.task.ref or ''} {a.task.title}".strip()


def _ids(values: Iterable) -> list[int]:
    try:
        ids = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise ServiceError("所选任务编号有误，请刷新页面后重试。") from None
    if not ids:
        raise ServiceError("请先勾选要催办的任务。")
    if len(ids) > MAX_REMIND:
        raise ServiceError(f"一次最多催办{MAX_REMIND}项任务。")
    return ids


def send_reminders(actor, assignment_ids: Iterable[int | str], *, today: date, now: datetime | None = None,
                   single: bool = False) -> RemindResult:
    """Remind the units of the chosen assignments as of `today` (the app's today; never a replayed day).

    Assignments outside the supervisor's subtree are "不存在". With `single`, anything that cannot
    be reminded is an error (nothing written); otherwise it is skipped and named in the result.
    """
    now = now or utcnow()
    if actor is None or actor.role != "supervisor":
        raise ServiceError("只有督查人员可以催办。", status=403)
    ids = _ids(assignment_ids)
    found = {a.id: a for a in db.session.scalars(
        sa.select(Assignment).where(Assignment.id.in_(ids))
        .options(joinedload(Assignment.task), joinedload(Assignment.unit))
        .execution_options(with_withdrawn=True)
    )}
    rules = StatusRules.at(today, calendar=current_calendar())
    reminded_today = set(db.session.scalars(
        sa.select(Reminder.assignment_id).where(Reminder.assignment_id.in_(ids), Reminder.sweep_on == today)))
    slots = set(tuple(row) for row in db.session.execute(
        sa.select(Reminder.assignment_id, Reminder.stage, Reminder.due_on)
        .where(Reminder.assignment_id.in_(ids), Reminder.is_repeat == sa.false())).all())
    result = RemindResult()
    for aid in ids:
        a = found.get(aid)
        if a is None or actor.unit is None or not a.unit.is_within(actor.unit):
            if single:
                raise ServiceError("任务不存在，或不在您的督办范围内。", status=404)
            result.skipped.append((aid, "", "不存在"))
            continue
        status = rules.status_of(a)
        why = _why_not(a, status)
        if why is None and aid in reminded_today:
            why = "今天已催办过（含每日巡查的催办），同一天只计一次"
        if why is not None:
            if single:
                raise ServiceError(why + "。", status=409)
            result.skipped.append((aid, _label(a), why))
            continue
        row = Reminder(assignment_id=a.id, unit_id=a.unit_id, stage=status, due_on=a.due_on, sweep_on=today,
                       created_at=now, sent_by_id=actor.id, is_repeat=(a.id, status, a.due_on) in slots)
        try:
            # The unique indexes settle a sweep or another click that wrote the same reminder meanwhile.
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            if single:
                raise ServiceError("今天已催办过（含每日巡查的催办），同一天只计一次。", status=409) from None
            result.skipped.append((aid, _label(a), "今天已催办过（含每日巡查的催办），同一天只计一次"))
            continue
        result.sent.append(row)
        record(actor, "reminder.send", "assignment", a.id, after={
            "reminder_id": row.id, "stage": status, "due_on": a.due_on, "on": today, "repeat": row.is_repeat})
    _notify(actor, result.sent, found, today)
    return result


def _notify(actor, sent: list[Reminder], found: dict[int, Assignment], today: date) -> None:
    """One message to each reminded unit's reporters: the task itself, or the count and the day's list."""
    by_unit: dict[int, list[Reminder]] = {}
    for r in sent:
        by_unit.setdefault(r.unit_id, []).append(r)
    who = actor.display_name or "督查人员"
    for unit_id, rows in by_unit.items():
        if len(rows) == 1:
            r = rows[0]
            a = found[r.assignment_id]
            word = "已逾期" if r.stage == "overdue" else "即将到期"
            title = f"催办：{a.task.title}{word}（完成时限{r.due_on.isoformat()}）"
            link = f"/assignments/{a.id}"
        else:
            overdue = sum(r.stage == "overdue" for r in rows)
            title = f"催办：您单位有{overdue}项任务逾期、{len(rows) - overdue}项即将到期"
            link = f"/supervise/reminders?on={today.isoformat()}"
        notify_unit(unit_id, kind="reminder", title=title, link=link, object_type="unit", object_id=unit_id,
                    body=f"{who}于{today.isoformat()}催办，请抓紧办理；已完成的请及时提交进展和办结申请。")



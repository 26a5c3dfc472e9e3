"""The daily sweep's request part: flag requests due soon and overdue, remind the unit, tell the supervisors.

Called by the daily sweep job (a hook in ``tracker.supervise.jobs.sweep_job``) and by
``flask requests sweep``. The same rules as for assignments: due soon within `soon_days` working
days, overdue from the day after the due date, escalation to the supervisors once the request is
more than `escalate_after` working days overdue (``tracker.calendar.overdue_workdays``). A
supervisor is told on the first due-soon day too, so
no request is answered late without the supervisor having been told.

Only requests whose clock runs are flagged: not those waiting for the applicant's correction or
inside a consultation or fee pause. Idempotent: a rerun for the same day sends nothing twice
(one reminder per request, stage and due date).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..accounts.models import User
from ..audit.services import record
from ..calendar import WorkCalendar
from ..extensions import db
from ..inbox.models import Notification
from ..supervise.rules import escalation_bound
from ..timeutil import utcnow
from ..units.models import Unit
from .models import DisclosurePause, DisclosureRequest

R = DisclosureRequest


@dataclass
class RequestSweep:
    as_of: date
    overdue: int = 0
    due_soon: int = 0
    reminded: int = 0
    escalated: int = 0
    notifications: int = 0

    def to_json(self) -> dict:
        return {"requests_overdue": self.overdue, "requests_due_soon": self.due_soon,
                "requests_reminded": self.reminded, "requests_escalated": self.escalated,
                "requests_notifications": self.notifications}


def _running():
    """Requests whose clock runs: open, not waiting for a correction, no pause going on."""
    paused = sa.exists().where(DisclosurePause.request_id == R.id, DisclosurePause.end_on.is_(None))
    return sa.and_(R.state == "open", ~paused)


def _add_notifications(notes: list[dict]) -> int:
    """Add the notifications whose dedupe key is new; return how many."""
    if not notes:
        return 0
    taken = set()
    keys = [n["dedupe_key"] for n in notes]
    for i in range(0, len(keys), 1000):
        taken |= set(db.session.scalars(sa.select(Notification.dedupe_key).where(
            Notification.dedupe_key.in_(keys[i:i + 1000]))))
    now = utcnow()
    new = [{**n, "created_at": now, "read_at": None} for n in notes if n["dedupe_key"] not in taken]
    if new:
        db.session.execute(sa.insert(Notification), new)
    return len(new)


def sweep_requests(as_of: date, *, soon_days: int | None = None, escalate_after: int | None = None,
                   calendar: WorkCalendar | None = None) -> RequestSweep:
    """Flag, remind and escalate on as_of; flush, never commit. The windows default to the assignments' settings."""
    from ..config import setting
    from ..plans.status import due_soon_workdays
    from .services import _calendar

    soon_days = due_soon_workdays() if soon_days is None else soon_days
    escalate_after = int(setting("ESCALATE_AFTER_WORKDAYS", 5)) if escalate_after is None else escalate_after
    cal = _calendar(calendar)
    soon = cal.add_workdays(as_of, soon_days)
    escalate_before = escalation_bound(cal, as_of, escalate_after)
    out = RequestSweep(as_of=as_of)
    running = _running()
    overdue = sa.and_(running, R.due_on < as_of)
    due_soon = sa.and_(running, R.due_on >= as_of, R.due_on <= soon)
    # Clear stale flags (answered, paused, or a deadline moved), then set today's.
    db.session.execute(sa.update(R).where(R.alert.is_not(None), ~overdue, ~due_soon).values(alert=None)
                       .execution_options(synchronize_session=False))
    for alert, condition in (("overdue", overdue), ("due_soon", due_soon)):
        db.session.execute(sa.update(R).where(condition, sa.or_(R.alert.is_(None), R.alert != alert))
                           .values(alert=alert).execution_options(synchronize_session=False))
    out.overdue = db.session.scalar(sa.select(sa.func.count()).select_from(R).where(R.alert == "overdue")) or 0
    out.due_soon = db.session.scalar(sa.select(sa.func.count()).select_from(R).where(R.alert == "due_soon")) or 0

    # Reminders: each request once per stage and due date; the unit's reporters get one digest a day.
    stale_soon = sa.and_(R.alert == "due_soon", sa.or_(R.reminded_soon_for.is_(None), R.reminded_soon_for != R.due_on))
    stale_over = sa.and_(R.alert == "overdue",
                         sa.or_(R.reminded_overdue_for.is_(None), R.reminded_overdue_for != R.due_on))
    fresh = list(db.session.execute(sa.select(R.unit_id, R.alert).where(sa.or_(stale_soon, stale_over))))
    db.session.execute(sa.update(R).where(stale_soon).values(reminded_soon_for=R.due_on)
                       .execution_options(synchronize_session=False))
    db.session.execute(sa.update(R).where(stale_over).values(reminded_overdue_for=R.due_on)
                       .execution_options(synchronize_session=False))
    out.reminded = len(fresh)
    per_unit: dict[int, Counter] = {}
    for unit_id, alert in fresh:
        per_unit.setdefault(unit_id, Counter())[alert] += 1
    notes = []
    reporters = db.session.execute(sa.select(User.id, User.unit_id).where(
        User.unit_id.in_(per_unit), User.role == "reporter", User.is_active_account))
    for user_id, unit_id in reporters:
        counts = per_unit[unit_id]
        notes.append({
            "user_id": user_id, "kind": "reminder",
            "title": f"催办：您单位有{counts['overdue']}件政府信息公开申请已超过答复期限、{counts['due_soon']}件即将到期",
            "body": "请在“依申请公开”登记台账中查看并按期答复；已答复的请及时登记。",
            "link": f"/disclosure/?unit={unit_id}", "object_type": "unit", "object_id": unit_id,
            "dedupe_key": f"disclosure-reminder:{as_of.isoformat()}:unit{unit_id}:u{user_id}"})

    # Supervisors hear of every request in their jurisdiction on its first due-soon day (before it is
    # late), and supervisors and leaders once it is more than escalate_after working days overdue.
    escalate = sa.and_(R.alert == "overdue", R.due_on < escalate_before,
                       sa.or_(R.escalated_for.is_(None), R.escalated_for != R.due_on))
    soon_units = Counter(u for u, alert in fresh if alert == "due_soon")
    late_units = Counter(u for (u,) in db.session.execute(sa.select(R.unit_id).where(escalate)))
    db.session.execute(sa.update(R).where(escalate).values(escalated_for=R.due_on)
                       .execution_options(synchronize_session=False))
    out.escalated = sum(late_units.values())
    if soon_units or late_units:
        paths = {uid: path for uid, path in db.session.execute(
            sa.select(Unit.id, Unit.path).where(Unit.id.in_(set(soon_units) | set(late_units))))}
        staff = db.session.execute(sa.select(User.id, User.role, Unit.path).join(Unit, User.unit_id == Unit.id).where(
            User.role.in_(("supervisor", "leader")), User.is_active_account))
        for user_id, role, path in staff:
            soon_n = 0 if role != "supervisor" else sum(n for u, n in soon_units.items() if paths[u].startswith(path))
            late_n = sum(n for u, n in late_units.items() if paths[u].startswith(path))
            if soon_n:
                notes.append({
                    "user_id": user_id, "kind": "reminder", "title": f"依申请公开临期：辖区内有{soon_n}件申请将在{soon_days}个工作日内到期",
                    "body": "请督促承办单位按期答复。", "link": "/disclosure/?state=open", "object_type": None, "object_id": None,
                    "dedupe_key": f"disclosure-soon:{as_of.isoformat()}:u{user_id}"})
            if late_n:
                notes.append({
                    "user_id": user_id, "kind": "escalation",
                    "title": f"督办：辖区内有{late_n}件政府信息公开申请逾期超过{escalate_after}个工作日未答复",
                    "body": "请督促承办单位立即答复。", "link": "/disclosure/?overdue=1", "object_type": None, "object_id": None,
                    "dedupe_key": f"disclosure-escalation:{as_of.isoformat()}:u{user_id}"})
    out.notifications = _add_notifications(notes)
    record(None, "disclosure.sweep", "sweep", None, after={**out.to_json(), "as_of": as_of.isoformat()})
    db.session.flush()
    db.session.expire_all()
    return out

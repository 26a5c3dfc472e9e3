"""Supervision writes: the daily sweep, the look-back, rectification answers and close-outs, circulars.

The sweep and the look-back are set-based: a fixed handful of UPDATE … WHERE and INSERT … SELECT
statements whatever the number of assignments, with every working-day question answered once in
Python as a date bound that SQL then compares against. Both are idempotent: every row the sweep
creates is inserted with INSERT … ON CONFLICT DO NOTHING against its table's unique constraint, so a
rerun for the same date creates nothing and the counts reported are the rows actually created.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..audit.services import record
from ..calendar import WorkCalendar
from ..config import setting
from ..errors import ServiceError
from ..extensions import db
from ..inbox.models import Notification
from ..inbox.services import notify_unit, notify_users, staff_ids_over
from ..plans.models import Assignment, Plan, Task
from ..plans.status import StatusRules, due_soon_workdays
from ..reports import services as reports
from ..reports.inputs import InputError, clean_text, require_reason
from ..reports.models import ProgressReport
from ..timeutil import UTCDateTime, app_today, utcnow
from ..scope import under, units_under
from ..units.models import Unit, official_order
from .calendar_db import current_calendar
from .models import (
    Circular,
    CircularUnit,
    EscalationItem,
    EscalationNotice,
    NoticeCounter,
    PeriodicCheck,
    RectificationItem,
    RectificationNotice,
    Reminder,
)
from .numbering import prefix_for, take_numbers
from .rules import (
    PERIOD_MONTHS,
    NamedUnit,
    circular_text,
    closed_periods,
    escalation_bound,
    named_lines,
    period_bounds,
)
from .sql import day_after, year_later

A = Assignment.__table__
T = Task.__table__
PL = Plan.__table__
U = User.__table__
N = Notification.__table__
PR = ProgressReport.__table__
PC = PeriodicCheck.__table__
R = Reminder.__table__
EN = EscalationNotice.__table__
EI = EscalationItem.__table__
RN = RectificationNotice.__table__
RI = RectificationItem.__table__
NC = NoticeCounter.__table__

REPORTED = ("submitted", "approved")
#: the columns an INSERT … SELECT into notifications fills, in this order
NOTIFY_COLUMNS = ["user_id", "kind", "title", "body", "link", "object_type", "object_id", "dedupe_key", "created_at"]
#: a recurring task's later instances are created at most this many years ahead in one sweep
MAX_CATCH_UP_YEARS = 50


def _zone() -> ZoneInfo:
    return ZoneInfo(setting("TIMEZONE") or "Asia/Shanghai")


def local_midnight(d: date) -> datetime:
    """Return the UTC instant at which the local day d begins."""
    return datetime.combine(d, time(0), tzinfo=_zone()).astimezone(timezone.utc)


def _lit(value, type_=None):
    return sa.literal(value, type_) if type_ is not None else sa.literal(value)


def _text(*parts) -> sa.ColumnElement:
    """Concatenate literals and columns into one SQL string (|| on both databases)."""
    out = None
    for part in parts:
        if isinstance(part, str):
            piece = sa.literal(part, sa.String)
        else:
            piece = sa.cast(part, sa.String)
        out = piece if out is None else out + piece
    return out


def _rows(stmt) -> int:
    """Execute a write and return how many rows it touched (INSERT … SELECT included, on every driver)."""
    return db.session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount


def _reporter() -> sa.ColumnElement:
    """Active reporter accounts, the ones a unit's messages go to."""
    return sa.and_(U.c.role == "reporter", U.c.is_active == sa.true())


def _insert_new(table: sa.Table, columns: list[str], select: sa.Select) -> int:
    """INSERT … SELECT … ON CONFLICT DO NOTHING; return how many rows were created.

    The table's unique constraint, not a NOT EXISTS guard, keeps a rerun from duplicating a row,
    and the count is exactly the rows this statement created.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # SQLite parses an upsert after INSERT … SELECT only when the SELECT has a WHERE clause.
    return _rows(insert(table).from_select(columns, select.where(sa.true())).on_conflict_do_nothing())


def _refresh_statistics(table: sa.Table, created: int) -> None:
    """On PostgreSQL, ANALYZE a table the sweep just filled when its statistics miss most of it.

    A table emptied and vacuumed (a new server, or one cleared) has statistics saying "empty";
    the sweep's next statements join against the rows it has just created there, and a plan
    made for an empty table (a nested loop rescanning it per row) takes seconds on thousands of
    rows. ANALYZE inside the transaction counts the rows it inserted, and is cheap next to that;
    on a server whose statistics already know the table it is skipped.
    """
    if created <= 0 or db.session.get_bind().dialect.name != "postgresql":
        return
    known = db.session.scalar(sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                              {"t": table.name})
    if known is None or known < created:
        db.session.execute(sa.text(f'ANALYZE "{table.name}"'))


def _insert_notifications(select: sa.Select) -> int:
    """INSERT … SELECT into notifications, once per dedupe key; the select yields NOTIFY_COLUMNS in order."""
    return _insert_new(N, NOTIFY_COLUMNS, select)


# --- the sweep --------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    as_of: date
    overdue: int = 0
    newly_overdue: int = 0
    due_soon: int = 0
    reminders_created: int = 0
    escalations_created: int = 0
    rectifications_overdue: int = 0
    calendar_warning: str | None = None
    #: not part of the JSON output: what else the sweep did
    instances_created: int = 0
    periods_checked: int = 0
    notifications: int = 0

    def to_json(self) -> dict:
        """Return the documented JSON output, exactly these keys."""
        return {
            "as_of": self.as_of.isoformat(),
            "overdue": self.overdue,
            "newly_overdue": self.newly_overdue,
            "due_soon": self.due_soon,
            "reminders_created": self.reminders_created,
            "escalations_created": self.escalations_created,
            "rectifications_overdue": self.rectifications_overdue,
            "calendar_warning": self.calendar_warning,
        }


@dataclass(frozen=True)
class _Bounds:
    """Every date the sweep compares against, computed once."""

    as_of: date
    soon: date
    escalate: date
    last_start: date
    last_end: date
    current_start: date
    current_end: date
    periods: tuple[tuple[date, date], ...]
    #: the subtree swept (a unit's path); None sweeps every unit
    scope: str | None = None

    def within(self, unit_column) -> sa.ColumnElement:
        """Condition: the unit column lies in the swept subtree."""
        return sa.true() if self.scope is None else unit_column.in_(units_under(self.scope))


def _reported(start: date, end: date | None = None) -> sa.ColumnElement:
    """A submitted or approved report on the assignment row, submitted from local day start (to end, inclusive)."""
    cond = [PR.c.status.in_(REPORTED), PR.c.submitted_at >= local_midnight(start)]
    if end is not None:
        cond.append(PR.c.submitted_at < local_midnight(end + timedelta(days=1)))
    # An uncorrelated IN: the period's reports are read once, not once per assignment (a correlated
    # EXISTS lets SQLite pick the status/submitted_at index and rescan the period for every row).
    return A.c.id.in_(sa.select(PR.c.assignment_id).where(*cond))


def _plan_covers(period_end: date) -> sa.ColumnElement:
    """The assignment's plan is of the period's year and was issued by the period's end."""
    return sa.exists().where(
        PL.c.id == A.c.plan_id, PL.c.year == period_end.year,
        sa.or_(PL.c.issued_on.is_(None), PL.c.issued_on <= period_end),
    )


def _conditions(b: _Bounds) -> dict[str, sa.ColumnElement]:
    """Return the overdue and due-soon conditions over the assignments table."""
    # an assignment closed as 不再承办 is out of every figure (tracker.plans.models.counted)
    open_ = sa.and_(A.c.status != "completed", A.c.withdrawn_at.is_(None), b.within(A.c.unit_id))
    dated = sa.and_(A.c.deadline_kind != "continuous", A.c.due_on.is_not(None), open_)
    continuous = sa.and_(A.c.deadline_kind == "continuous", open_)
    missed_last = sa.exists().where(
        PC.c.assignment_id == A.c.id, PC.c.period_end == b.last_end, PC.c.is_missed == sa.true()
    )
    c = {
        "dated_overdue": sa.and_(dated, A.c.due_on < b.as_of),
        "dated_soon": sa.and_(dated, A.c.due_on >= b.as_of, A.c.due_on <= b.soon),
        # A late report after the missed period ends the overdue state (the miss stays on record).
        "cont_overdue": sa.and_(continuous, missed_last, ~_reported(b.last_end + timedelta(days=1))),
        "cont_soon": (
            sa.and_(continuous, _plan_covers(b.current_end), ~_reported(b.current_start))
            if b.current_end <= b.soon else sa.false()
        ),
    }
    c["overdue"] = sa.or_(c["dated_overdue"], c["cont_overdue"])
    c["soon"] = sa.and_(sa.or_(c["dated_soon"], c["cont_soon"]), ~c["overdue"])
    return c


def _update_assignments(*where, **values) -> int:
    return _rows(sa.update(A).where(*where).values(**values))


def _next_instances(b: _Bounds, now: datetime) -> int:
    """Create next year's instance of every yearly recurring assignment whose due date passed (or that is done)."""
    base_due = sa.func.coalesce(A.c.original_due_on, A.c.due_on)
    select = (
        sa.select(
            A.c.plan_id, A.c.task_id, A.c.unit_id, A.c.role, year_later(base_due), year_later(base_due),
            A.c.deadline_kind, _lit("pending"), _lit(0), A.c.source_phrase, A.c.instance + 1,
            _lit(now, UTCDateTime()), _lit(now, UTCDateTime()),
        )
        .select_from(A.join(T, T.c.id == A.c.task_id))
        .where(
            T.c.deadline_kind == "recurring",
            T.c.deadline_detail["recurrence"].as_string() == "yearly",
            base_due.is_not(None),
            sa.or_(A.c.due_on < b.as_of, A.c.status == "completed"), b.within(A.c.unit_id),
            A.c.withdrawn_at.is_(None),
        )
    )
    columns = ["plan_id", "task_id", "unit_id", "role", "due_on", "original_due_on", "deadline_kind", "status",
               "progress", "source_phrase", "instance", "created_at", "updated_at"]
    total = 0
    # A new instance may itself be past due when the sweep catches up on several years.
    for _ in range(MAX_CATCH_UP_YEARS):
        n = _insert_new(A, columns, select)
        total += n
        if not n:
            break
    return total


def _check_periods(b: _Bounds, now: datetime) -> int:
    """Record, once per closed period, whether each continuous assignment reported in it.

    One INSERT … SELECT … ON CONFLICT DO NOTHING per closed period (at most eleven). The unique
    constraint keeps a rerun from duplicating a row; the uncorrelated ``NOT IN`` of the period's
    recorded assignments only spares the work of deciding "missed" (a scan of the period's
    reports) for rows already recorded, which on every sweep after the first are all of them.
    It is a hashed list on PostgreSQL and a one-off list on SQLite, never a per-row anti-join, so
    a just-emptied table's statistics cannot turn it into a nested loop.
    """
    total = 0
    columns = ["assignment_id", "unit_id", "period_start", "period_end", "is_missed", "checked_on", "created_at"]
    for start, end in b.periods:
        recorded = sa.select(PC.c.assignment_id).where(PC.c.period_end == end)
        select = (
            sa.select(
                A.c.id, A.c.unit_id, _lit(start, sa.Date()), _lit(end, sa.Date()),
                (~_reported(start, end)).label("is_missed"), _lit(b.as_of, sa.Date()), _lit(now, UTCDateTime()),
            )
            .select_from(A.join(PL, PL.c.id == A.c.plan_id))
            .where(
                A.c.deadline_kind == "continuous", A.c.status != "completed", A.c.withdrawn_at.is_(None),
                b.within(A.c.unit_id),
                # A plan covers the periods of its own year that end after it was issued.
                PL.c.year == end.year,
                sa.or_(PL.c.issued_on.is_(None), PL.c.issued_on <= end),
                A.c.id.not_in(recorded),
            )
        )
        total += _insert_new(PC, columns, select)
    _refresh_statistics(PC, total)
    return total


def _flag(b: _Bounds, c: dict) -> int:
    """Set alert and overdue_since from the conditions; return how many became overdue."""
    not_yet = sa.or_(A.c.alert.is_(None), A.c.alert != "overdue")
    newly = _update_assignments(c["dated_overdue"], not_yet, alert="overdue", overdue_since=day_after(A.c.due_on))
    newly += _update_assignments(c["cont_overdue"], not_yet, alert="overdue",
                                 overdue_since=b.last_end + timedelta(days=1))
    _update_assignments(c["soon"], sa.or_(A.c.alert.is_(None), A.c.alert != "due_soon"),
                        alert="due_soon", overdue_since=None)
    # What was flagged and no longer is (completed, extended, reported, or a replayed earlier date).
    _update_assignments(A.c.alert.is_not(None), b.within(A.c.unit_id), ~c["overdue"], ~c["soon"],
                        alert=None, overdue_since=None)
    return newly


def _remind(b: _Bounds, now: datetime) -> int:
    """Insert one reminder per assignment, stage and due date not reminded yet."""
    total = 0
    dated, continuous = A.c.deadline_kind != "continuous", A.c.deadline_kind == "continuous"
    for stage, due, kind in (
        ("overdue", A.c.due_on, dated),
        ("overdue", _lit(b.last_end, sa.Date()), continuous),
        ("due_soon", A.c.due_on, dated),
        ("due_soon", _lit(b.current_end, sa.Date()), continuous),
    ):
        select = sa.select(
            A.c.id, A.c.unit_id, _lit(stage), due, _lit(b.as_of, sa.Date()), _lit(now, UTCDateTime()),
        ).where(A.c.alert == stage, kind, b.within(A.c.unit_id))
        total += _insert_new(R, ["assignment_id", "unit_id", "stage", "due_on", "sweep_on", "created_at"], select)
    _refresh_statistics(R, total)
    return total


def _notify_reminders(as_of: date, now: datetime) -> int:
    """One inbox message per reporter of each unit reminded on as_of, with the unit's counts."""
    per_unit = (
        sa.select(
            R.c.unit_id,
            sa.func.sum(sa.case((R.c.stage == "overdue", 1), else_=0)).label("overdue"),
            sa.func.sum(sa.case((R.c.stage == "due_soon", 1), else_=0)).label("soon"),
        )
        .where(R.c.sweep_on == as_of).group_by(R.c.unit_id).subquery()
    )
    key = _text(f"reminder:{as_of.isoformat()}:u", U.c.id)
    select = (
        sa.select(
            U.c.id, _lit("reminder"),
            _text("催办：您单位有", per_unit.c.overdue, "项任务逾期、", per_unit.c.soon, "项即将到期"),
            _lit("请在“催办提醒”中查看清单并抓紧办理；已完成的请及时提交进展和办结申请。"),
            _lit(f"/supervise/reminders?on={as_of.isoformat()}"), _lit("unit"), per_unit.c.unit_id, key,
            _lit(now, UTCDateTime()),
        )
        .select_from(U.join(per_unit, U.c.unit_id == per_unit.c.unit_id))
        .where(_reporter())
    )
    return _insert_notifications(select)


def reserve_numbers(prefix: str, year: int, count: int) -> int:
    """Reserve `count` consecutive numbers for a prefix and year; return the first. Numbers are never reused."""
    if count <= 0:
        return 0
    where = (NC.c.prefix == prefix, NC.c.year == year)
    bump = sa.update(NC).where(*where).values(last_number=NC.c.last_number + count)
    if not _rows(bump):
        try:
            with db.session.begin_nested():
                db.session.execute(sa.insert(NC).values(prefix=prefix, year=year, last_number=count))
        except IntegrityError:
            db.session.execute(bump)  # another transaction created the counter meanwhile
    return db.session.scalar(sa.select(NC.c.last_number).where(*where)) - count + 1


def _escalate(b: _Bounds, now: datetime) -> tuple[int, int]:
    """Issue one escalation notice per unit with newly escalated items; return (notices, items) created."""
    # What both kinds share stays outside their OR: written inside each branch, the two bound
    # "alert = ?" terms are not seen as one, and SQLite scans every assignment instead of the alert index.
    flagged = sa.and_(A.c.alert == "overdue", b.within(A.c.unit_id))
    dated = sa.and_(A.c.deadline_kind != "continuous", A.c.due_on < b.escalate)
    continuous = A.c.deadline_kind == "continuous" if b.last_end < b.escalate else sa.false()
    # Which units get a new notice: those with an item not in any notice yet. A read, so the
    # NOT EXISTS here is safe; the inserts below leave duplicates to the unique constraint
    # instead (a NOT EXISTS against the very table an INSERT fills rescans its new rows per row).
    not_escalated = sa.or_(
        sa.and_(dated, ~sa.exists().where(EI.c.assignment_id == A.c.id, EI.c.due_on == A.c.due_on)),
        sa.and_(continuous, ~sa.exists().where(EI.c.assignment_id == A.c.id, EI.c.due_on == b.last_end)),
    )
    pairs = db.session.execute(
        sa.select(A.c.unit_id, PL.c.issuer).distinct()
        .select_from(A.join(PL, PL.c.id == A.c.plan_id))
        .where(flagged, not_escalated)
        .where(~sa.exists().where(EN.c.unit_id == A.c.unit_id, EN.c.issued_on == b.as_of))
    ).all()
    units = _escalation_issuers(pairs)
    if units:
        fixed = setting("TRACKER_ESCALATION_PREFIX")
        rows = []
        # each issuing office numbers its own notices, in the official order of the units it sends to
        for issuer, unit_ids in units.items():
            numbers = take_numbers("escalation", issuer, b.as_of.year, len(unit_ids), prefix=fixed)
            rows += [{"unit_id": uid, "issued_on": b.as_of, "prefix": prefix, "number": n, "doc_number": number,
                      "created_at": now} for uid, (prefix, n, number) in zip(unit_ids, numbers)]
        db.session.execute(sa.insert(EN), rows)
        _refresh_statistics(EN, len(rows))
    joined = A.join(EN, sa.and_(EN.c.unit_id == A.c.unit_id, EN.c.issued_on == b.as_of))
    items = 0
    for due, cond in ((A.c.due_on, dated), (_lit(b.last_end, sa.Date()), continuous)):
        items += _insert_new(EI, ["notice_id", "assignment_id", "due_on"],
                             sa.select(EN.c.id, A.c.id, due).select_from(joined).where(flagged, cond))
    _refresh_statistics(EI, items)
    return sum(len(v) for v in units.values()), items


def _escalation_issuers(pairs) -> dict[str, list[int]]:
    """Group the units to escalate by the office that sends their notice, each group in official order."""
    from .queries import issuer_for

    plans_of: dict[int, list] = {}
    for unit_id, issuer in pairs:
        plans_of.setdefault(unit_id, []).append(issuer)
    if not plans_of:
        return {}
    found = db.session.scalars(sa.select(Unit).where(Unit.id.in_(list(plans_of))).order_by(*official_order()))
    out: dict[str, list[int]] = {}
    for unit in found:
        issuer = issuer_for(unit, [_Issued(i) for i in plans_of[unit.id]])
        out.setdefault(issuer, []).append(unit.id)
    return out


@dataclass(frozen=True)
class _Issued:
    """A plan's issuer alone, what issuer_for reads of a plan."""

    issuer: str | None


def _notify_escalations(as_of: date, now: datetime) -> int:
    """Tell each escalated unit's reporters about its notice, and each leader over them once per day."""
    counts = sa.select(EI.c.notice_id, sa.func.count().label("n")).group_by(EI.c.notice_id).subquery()
    key = _text("escalation:", EN.c.id, ":u", U.c.id)
    to_units = (
        sa.select(
            U.c.id, _lit("escalation"), _text("督办通知 ", EN.c.doc_number, "：您单位", counts.c.n, "项任务逾期未办结"),
            _lit("请按督办通知要求立即办理，并及时报送进展和佐证材料。"),
            _text("/supervise/escalations/", EN.c.id), _lit("escalation_notice"), EN.c.id, key,
            _lit(now, UTCDateTime()),
        )
        .select_from(U.join(EN, EN.c.unit_id == U.c.unit_id).join(counts, counts.c.notice_id == EN.c.id))
        .where(EN.c.issued_on == as_of, _reporter())
    )
    sent = _insert_notifications(to_units)
    own, target = aliased(Unit.__table__), aliased(Unit.__table__)
    key = _text(f"escalation-day:{as_of.isoformat()}:u", U.c.id)
    to_leaders = (
        sa.select(
            U.c.id, _lit("escalation"), _text("督办：", as_of.isoformat(), " 向", sa.func.count(EN.c.id), "个单位发出督办通知"),
            _lit("逾期超过规定工作日的事项已逐单位发出督办通知，可查看清单并下载通知。"),
            _lit(f"/supervise/escalations?on={as_of.isoformat()}"), _lit("sweep"), sa.null(), key,
            _lit(now, UTCDateTime()),
        )
        .select_from(
            U.join(own, own.c.id == U.c.unit_id)
            .join(EN, EN.c.issued_on == as_of)
            .join(target, sa.and_(target.c.id == EN.c.unit_id, under(target.c.path, own.c.path)))
        )
        .where(U.c.role == "leader", U.c.is_active == sa.true())
        .group_by(U.c.id)
    )
    return sent + _insert_notifications(to_leaders)


def _rectifications(b: _Bounds, now: datetime) -> int:
    """Mark open rectification items past their notice's deadline; notify the unit once per notice."""
    as_of = b.as_of
    due = sa.select(day_after(RN.c.due_on)).where(RN.c.id == RI.c.notice_id).scalar_subquery()
    late_notices = sa.select(RN.c.id).where(RN.c.due_on < as_of)
    newly = _rows(
        sa.update(RI)
        .where(RI.c.status != "closed", RI.c.overdue_since.is_(None), RI.c.notice_id.in_(late_notices),
               b.within(RI.c.unit_id))
        .values(overdue_since=due)
    )
    if newly:
        # Only a sweep that marked items has anybody new to tell.
        open_late = sa.and_(RI.c.notice_id == RN.c.id, RI.c.status != "closed", RN.c.due_on < as_of)
        key = _text("rectification-overdue:", RN.c.id, ":u", U.c.id)
        _insert_notifications(
            sa.select(
                U.c.id, _lit("rectification"), _text("整改逾期：", RN.c.doc_number, " 的整改时限已过"),
                _lit("请尽快报送整改情况和佐证材料，逾期未整改将影响考核。"),
                _text("/supervise/notices/", RN.c.id), _lit("rectification_notice"), RN.c.id, key,
                _lit(now, UTCDateTime()),
            )
            .select_from(U.join(RN, RN.c.unit_id == U.c.unit_id))
            .where(RN.c.due_on < as_of, sa.exists().where(open_late), _reporter())
        )
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(RI.join(RN, RN.c.id == RI.c.notice_id))
        .where(RI.c.status != "closed", RN.c.due_on < as_of, b.within(RI.c.unit_id))
    ) or 0


def sweep(as_of: date, *, soon_days: int | None = None, escalate_after: int | None = None,
          period: str = "quarter", calendar: WorkCalendar | None = None, scope: str | None = None) -> SweepResult:
    """Flag what is due soon or overdue on as_of, remind, escalate, check continuous and recurring tasks.

    Overdue and due soon are those of ``tracker.plans.status`` (the due-soon window is its one
    setting unless given). `scope`, a unit's path, limits every read and write to that subtree
    (a supervisor's sweep from the web). Flushes, never commits. Running it twice for the same date creates
    nothing the second time.
    """
    soon_days = due_soon_workdays() if soon_days is None else soon_days
    escalate_after = int(setting("ESCALATE_AFTER_WORKDAYS", 5)) if escalate_after is None else escalate_after
    if soon_days < 0 or escalate_after < 1:
        raise ServiceError("临期天数不能为负数，督办所需逾期工作日至少为1天。")
    if period not in PERIOD_MONTHS:
        raise ServiceError(f"报告周期应为 {'、'.join(PERIOD_MONTHS)} 之一。")
    cal = calendar or current_calendar()
    now = utcnow()
    periods = closed_periods(as_of, period)
    current_start, current_end = period_bounds(as_of, period)
    b = _Bounds(
        as_of=as_of, soon=cal.add_workdays(as_of, soon_days), escalate=escalation_bound(cal, as_of, escalate_after),
        last_start=periods[-1][0], last_end=periods[-1][1], current_start=current_start, current_end=current_end,
        periods=tuple(periods), scope=scope,
    )
    result = SweepResult(as_of=as_of, calendar_warning=cal.warning(min(b.escalate, as_of), b.soon))
    db.session.flush()
    result.instances_created = _next_instances(b, now)
    result.periods_checked = _check_periods(b, now)
    c = _conditions(b)
    result.newly_overdue = _flag(b, c)
    result.reminders_created = _remind(b, now)
    # Messages go out with the rows that cause them, so a rerun that created nothing skips them.
    if result.reminders_created:
        result.notifications = _notify_reminders(as_of, now)
    result.escalations_created, escalated = _escalate(b, now)
    if escalated:
        result.notifications += _notify_escalations(as_of, now)
    result.rectifications_overdue = _rectifications(b, now)
    for alert, n in db.session.execute(
        sa.select(A.c.alert, sa.func.count()).where(A.c.alert.is_not(None), b.within(A.c.unit_id)).group_by(A.c.alert)
    ):
        if alert == "overdue":
            result.overdue = n
        elif alert == "due_soon":
            result.due_soon = n
    record(None, "supervise.sweep", "sweep", None, after={
        **result.to_json(), "instances_created": result.instances_created, "periods_checked": result.periods_checked,
        "soon_days": soon_days, "escalate_after": escalate_after, "period": period, "scope": scope,
    })
    db.session.flush()
    # The Core statements bypassed the identity map: loaded objects must not keep stale values.
    db.session.expire_all()
    return result


# --- the look-back ----------------------------------------------------------------------------------


@dataclass
class LookbackResult:
    plan_id: int
    as_of: date
    due_on: date
    prefix: str
    notices: int = 0
    items: int = 0
    units: int = 0
    #: what to tell the user when nothing was created
    message: str = ""
    calendar_warning: str | None = None
    notice_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict:
        """Return the documented JSON output, exactly these keys."""
        return {"notices": self.notices, "items": self.items, "units": self.units}


def _lookback_candidates(plan_id: int, as_of: date) -> sa.ColumnElement:
    """Assignments of the plan a look-back lists: a named responsible unit, a stated deadline, unfinished."""
    already = sa.exists().where(RI.c.assignment_id == A.c.id, RI.c.notice_id == RN.c.id, RN.c.plan_id == plan_id)
    # the issuing office never sends a notice to itself
    issuer = sa.select(PL.c.issuer).where(PL.c.id == plan_id).scalar_subquery()
    not_issuer = ~A.c.unit_id.in_(sa.select(Unit.id).where(Unit.name == issuer))
    return sa.and_(
        A.c.plan_id == plan_id,
        not_issuer,
        A.c.role.in_(("lead", "responsible")),
        A.c.status != "completed",
        A.c.withdrawn_at.is_(None),
        A.c.deadline_kind != "default",
        T.c.deadline_kind != "default",
        # A later year's instance of a recurring task that is not due yet is not unfinished.
        sa.or_(A.c.due_on.is_(None), A.c.due_on < as_of),
        ~already,
    )


def lookback(plan: Plan, as_of: date, *, actor=None, deadline_workdays: int = 15, prefix: str | None = None,
             calendar: WorkCalendar | None = None) -> LookbackResult:
    """Review a plan: list every unfinished item with a stated deadline in one numbered notice per unit.

    Flushes, never commits. A second run creates no duplicate notice or item; items that became
    unfinished since are added to the unit's existing notice.
    """
    if deadline_workdays < 1 or deadline_workdays > 250:
        raise ServiceError("整改时限应为1到250个工作日。")
    cal = calendar or current_calendar()
    prefix = (prefix or setting("TRACKER_NOTICE_PREFIX")
              or prefix_for("rectification", plan.issuer, plan.doc_number)).strip()
    if not prefix or len(prefix) > 40 or any(ch in prefix for ch in "〔〕[]"):
        raise ServiceError("文号前缀应为1到40个字，且不含〔〕，例如“运政办整改”。")
    result = LookbackResult(plan_id=plan.id, as_of=as_of, due_on=cal.add_workdays(as_of, deadline_workdays),
                            prefix=prefix)
    result.calendar_warning = cal.warning(as_of, result.due_on)
    now = utcnow()
    db.session.flush()
    cand = _lookback_candidates(plan.id, as_of)
    per_unit = dict(db.session.execute(
        sa.select(A.c.unit_id, sa.func.count()).select_from(A.join(T, T.c.id == A.c.task_id))
        .where(cand).group_by(A.c.unit_id)
    ).all())
    if not per_unit:
        listed = db.session.scalar(sa.select(sa.func.count()).select_from(RN).where(RN.c.plan_id == plan.id))
        result.message = (
            f"《{plan.title}》的未完成事项均已列入整改通知（共{listed}份），未重复生成。" if listed
            else f"《{plan.title}》没有逾期未完成的事项（有明确责任单位和时限的任务均已办结），未生成整改通知。"
        )
        return result
    existing = set(db.session.scalars(sa.select(RN.c.unit_id).where(RN.c.plan_id == plan.id)))
    new_units = list(db.session.scalars(
        sa.select(Unit.id).where(Unit.id.in_([u for u in per_unit if u not in existing])).order_by(*official_order())
    ))
    if new_units:
        numbers = take_numbers("rectification", plan.issuer, as_of.year, len(new_units), prefix=prefix)
        title = f"关于《{plan.title}》落实情况“回头看”发现问题的整改通知"[:300]
        db.session.execute(sa.insert(RN), [
            {"plan_id": plan.id, "unit_id": uid, "prefix": prefix, "year": as_of.year, "number": n,
             "doc_number": number, "title": title, "issued_on": as_of,
             "due_on": result.due_on, "issued_by_id": getattr(actor, "id", None), "created_at": now}
            for uid, (_p, n, number) in zip(new_units, numbers)
        ])
    select = (
        sa.select(RN.c.id, A.c.id, A.c.unit_id, A.c.due_on, _lit("open"), _lit(now, UTCDateTime()))
        .select_from(A.join(T, T.c.id == A.c.task_id).join(
            RN, sa.and_(RN.c.plan_id == plan.id, RN.c.unit_id == A.c.unit_id)))
        .where(cand)
    )
    result.items = _rows(sa.insert(RI).from_select(
        ["notice_id", "assignment_id", "unit_id", "original_due_on", "status", "created_at"], select,
    ))
    result.notices = len(new_units)
    result.units = len(per_unit)
    result.notice_ids = list(db.session.scalars(
        sa.select(RN.c.id).where(RN.c.plan_id == plan.id, RN.c.unit_id.in_(list(per_unit))).order_by(RN.c.number)
    ))
    key = _text("rectification:", RN.c.id, ":u", U.c.id)
    _insert_notifications(
        sa.select(
            U.c.id, _lit("rectification"), _text("整改通知 ", RN.c.doc_number, "：请逐项整改并报送整改情况"),
            _text("整改时限：", RN.c.due_on, "。"),
            _text("/supervise/notices/", RN.c.id), _lit("rectification_notice"), RN.c.id, key, _lit(now, UTCDateTime()),
        )
        .select_from(U.join(RN, RN.c.unit_id == U.c.unit_id))
        .where(RN.c.plan_id == plan.id, _reporter())
    )
    record(actor, "supervise.lookback", "plan", plan.id, after={
        "as_of": as_of, "due_on": result.due_on, "prefix": prefix, **result.to_json(),
    })
    db.session.flush()
    db.session.expire_all()
    return result


# --- answering and closing rectification items ------------------------------------------------------


def _item_link(item: RectificationItem) -> str:
    return f"/supervise/notices/{item.notice_id}#item-{item.id}"


def answer_item(actor, item: RectificationItem, *, text: str | None, links: str | Iterable[str] | None = None,
                progress: int | str = 100, files: Sequence[reports.FileUpload] = ()) -> ProgressReport:
    """Record the unit's answer to an item as a submitted progress report (a close request at 100%)."""
    if actor is None or actor.role != "reporter" or actor.unit_id != item.unit_id:
        raise ServiceError("整改事项不存在，或不属于本单位。", status=404)
    if item.status in ("answered", "closed"):
        raise ServiceError("该事项已报送整改情况，等待核实或已销号，不能重复报送。", status=409)
    if not (text or "").strip():
        raise ServiceError("请填写整改情况。")
    try:
        percent = int(str(progress).strip().rstrip("%％"))
    except ValueError:
        percent = -1
    report = reports.save_report(actor, item.assignment, text=text, progress=progress, links=links,
                                 is_close_request=percent == 100, submit=True, files=files)
    before = {"status": item.status}
    item.report, item.status, item.answered_at = report, "answered", report.submitted_at
    db.session.flush()
    supervisors = staff_ids_over(item.assignment.unit, ("supervisor",))
    notify_users(supervisors, kind="rectification",
                 title=f"整改情况待核实：{item.notice.doc_number}（{item.assignment.unit.name}）",
                 body=item.assignment.task.title, link=_item_link(item), object_type="rectification_item",
                 object_id=item.id)
    record(actor, "rectification.answer", "rectification_item", item.id, before=before,
           after={"status": item.status, "report_id": report.id})
    return report


def close_item(actor, item: RectificationItem, *, comment: str | None = None) -> None:
    """Verify the unit's answer and close the item out (销号); a close request also completes the assignment."""
    if item.status == "closed":
        raise ServiceError("该事项已销号。", status=409)
    if item.status == "answered" and item.report is not None:
        reports.review_report(actor, item.report, approve=True, reason=comment)
    elif item.assignment.status == "completed":
        # Completed through the ordinary reporting flow since the look-back: nothing left to verify here.
        allowed = actor is not None and actor.role == "supervisor" and actor.unit is not None
        if not allowed or not item.assignment.unit.is_within(actor.unit):
            raise ServiceError("只有该单位所属辖区的督查人员可以销号。", status=403)
    else:
        raise ServiceError("单位尚未报送整改情况，不能销号。", status=409)
    before = {"status": item.status}
    item.status, item.closed_at, item.closed_by_id = "closed", utcnow(), actor.id
    db.session.flush()
    notify_unit(item.unit_id, kind="rectification", title=f"整改事项已销号：{item.assignment.task.title}",
                body=comment or "", link=_item_link(item), object_type="rectification_item", object_id=item.id)
    record(actor, "rectification.close", "rectification_item", item.id, before=before,
           after={"status": "closed", "comment": comment})


def return_item(actor, item: RectificationItem, *, reason: str | None) -> None:
    """Send the unit's answer back with a reason; the unit answers again."""
    try:
        reason = require_reason(reason, what="退回原因")
    except InputError as exc:
        raise ServiceError(str(exc)) from None
    if item.status != "answered" or item.report is None:
        raise ServiceError("只有待核实的整改情况可以退回。", status=409)
    reports.review_report(actor, item.report, approve=False, reason=reason)
    before = {"status": item.status}
    item.status, item.returned_at, item.return_reason = "returned", utcnow(), reason
    db.session.flush()
    record(actor, "rectification.return", "rectification_item", item.id, before=before,
           after={"status": "returned", "reason": reason})


# --- circulars (通报) --------------------------------------------------------------------------------


def circular_figures(plan: Plan, as_of: date, kind: str, *, limit: int = 10) -> list[tuple[int, NamedUnit]]:
    """Return (unit id, figures) for the units a circular would name: most overdue, or best without any overdue.

    Overdue and completed are those of the status module on as_of, as on the dashboard that day.
    """
    rules = StatusRules.at(as_of, calendar=current_calendar())
    n_overdue = sa.func.sum(sa.case((rules.overdue(), 1), else_=0))
    n_done = sa.func.sum(sa.case((rules.completed(), 1), else_=0))
    stmt = (
        sa.select(A.c.unit_id, Unit.name, sa.func.count(), n_overdue, n_done)
        .select_from(A.join(Unit.__table__, Unit.id == A.c.unit_id))
        .where(A.c.plan_id == plan.id, A.c.role.in_(("lead", "responsible")), A.c.withdrawn_at.is_(None))
        .group_by(A.c.unit_id, Unit.name)
    )
    if kind == "praise":
        stmt = stmt.having(n_overdue == 0, n_done > 0).order_by(n_done.desc(), Unit.name)
    else:
        stmt = stmt.having(n_overdue > 0).order_by(n_overdue.desc(), Unit.name)
    out = []
    for uid, name, total, late, done in db.session.execute(stmt.limit(limit)):
        count = int(done or 0) if kind == "praise" else int(late or 0)
        out.append((uid, NamedUnit(name=name, count=count, total=int(total))))
    return out


def named_units(plan: Plan, as_of: date, kind: str, *, limit: int = 10) -> list[tuple[int, NamedUnit]]:
    """Return the units a circular names: the first `limit` by the figures, and every unit tied with the last.

    The issuing office is never named; ties are listed in the official order of units.
    """
    figures = [(uid, f) for uid, f in circular_figures(plan, as_of, kind, limit=100_000) if f.name != plan.issuer]
    order = {uid: key for uid, *key in db.session.execute(
        sa.select(Unit.id, *official_order()).where(Unit.id.in_([uid for uid, _ in figures])))}
    figures.sort(key=lambda pair: (-pair[1].count, order.get(pair[0], (0, pair[1].name))))
    if len(figures) <= limit:
        return figures
    last = figures[limit - 1][1].count
    return [pair for i, pair in enumerate(figures) if i < limit or pair[1].count == last]


def draft_circular(actor, plan: Plan, *, kind: str, as_of: date | None = None, limit: int = 10) -> Circular:
    """Create a draft circular from the plan's current figures."""
    if kind not in ("criticism", "praise"):
        raise ServiceError("通报类型应为“通报批评”或“通报表扬”。")
    if not 1 <= limit <= 100:
        raise ServiceError("点名单位数应在1到100之间。")
    as_of = as_of or app_today()
    figures = named_units(plan, as_of, kind, limit=limit)
    title, body = circular_text(kind, plan_title=plan.title, plan_doc_number=plan.doc_number, as_of=as_of,
                                units=[f for _, f in figures], issuer=plan.issuer)
    circular = Circular(plan_id=plan.id, kind=kind, title=title[:300], body=body, as_of=as_of,
                        created_by_id=getattr(actor, "id", None))
    circular.units = [CircularUnit(unit_id=uid, count=f.count, position=i) for i, (uid, f) in enumerate(figures)]
    db.session.add(circular)
    db.session.flush()
    record(actor, "circular.draft", "circular", circular.id,
           after={"plan_id": plan.id, "kind": kind, "units": [uid for uid, _ in figures]})
    return circular


def update_circular(actor, circular: Circular, *, title: str | None, body: str | None,
                    unit_ids: Iterable[int] | None = None) -> None:
    """Edit a draft's text and which of its units it names (only drop, never add unchecked ones)."""
    if circular.status != "draft":
        raise ServiceError("通报已发布，不能再修改。", status=409)
    try:
        title = clean_text(title, limit=300, what="标题")
        body = clean_text(body, limit=20_000, what="正文")
    except InputError as exc:
        raise ServiceError(str(exc)) from None
    if not title or not body:
        raise ServiceError("标题和正文都不能为空。")
    before = {"title": circular.title, "units": [cu.unit_id for cu in circular.units]}
    circular.title, circular.body = title, body
    if unit_ids is not None:
        keep = {int(u) for u in unit_ids}
        circular.units = [cu for cu in circular.units if cu.unit_id in keep]
    db.session.flush()
    record(actor, "circular.update", "circular", circular.id, before=before,
           after={"title": title, "units": [cu.unit_id for cu in circular.units]})


def publish_circular(actor, circular: Circular) -> int:
    """Publish to the inbox of every reporter and leader in the plan's jurisdiction; return how many were told."""
    if circular.status == "published":
        raise ServiceError("该通报已发布。", status=409)
    now = utcnow()
    circular.status, circular.published_at, circular.published_by_id = "published", now, getattr(actor, "id", None)
    circular.issued_on = app_today()
    from .queries import issuer_for

    [(circular.prefix, circular.number, circular.doc_number)] = take_numbers(
        "circular", circular.plan.issuer or issuer_for(circular.plan.unit), circular.issued_on.year,
        plan_doc_number=circular.plan.doc_number)
    db.session.flush()
    jurisdiction = db.session.get(Unit, circular.plan.unit_id)
    where = aliased(Unit.__table__)
    key = _text(f"circular:{circular.id}:u", U.c.id)
    sent = _insert_notifications(
        sa.select(
            U.c.id, _lit("circular"), _lit(f"{circular.kind_label}：{circular.title}"[:300]),
            _lit("\n".join([circular.body, *named_lines(circular.kind, [(cu.unit.name, cu.count) for cu in circular.units])])[:2000]), _lit(f"/supervise/circulars/{circular.id}"), _lit("circular"),
            _lit(circular.id), key, _lit(now, UTCDateTime()),
        )
        .select_from(U.join(where, where.c.id == U.c.unit_id))
        .where(U.c.role.in_(("reporter", "leader")), U.c.is_active == sa.true(),
               under(where.c.path, jurisdiction.path))
    )
    record(actor, "circular.publish", "circular", circular.id,
           after={"recipients": sent, "units": [cu.unit_id for cu in circular.units], "kind": circular.kind})
    return sent


def delete_circular(actor, circular: Circular) -> None:
    """Delete a draft circular."""
    if circular.status != "draft":
        raise ServiceError("已发布的通报不能删除。", status=409)
    record(actor, "circular.delete", "circular", circular.id, before={"title": circular.title})
    db.session.delete(circular)
    db.session.flush()

"""An assignment's state as of a date: the one definition every page, document, workbook, the public
page, the assessment and the sweep ask.

Every rule has a Python form (for one loaded assignment) and a SQL form (a condition on
``Assignment``, for counts and lists), written side by side in ``StatusRules`` so the two cannot
drift apart. The words below are also in the README's glossary (术语).

Definitions, for a local calendar date ``as_of`` (any past date can be replayed):

- **effective due date** (完成时限): ``Assignment.due_on``; an approved extension moves it.
  ``Assignment.original_due_on`` keeps the due date before any extension, for scoring.
- **completed** (已办结): ``status == 'completed'`` and completed before the end of the local day
  ``as_of`` (completed later: still open on ``as_of``; no ``completed_at`` recorded: completed all
  along, as imported data may lack it).
- **completed on time** (按时办结): completed (as above) and before the end of the local day of
  its effective due date, or with no due date or no ``completed_at`` (nothing shows it late).
  The province overview's **on-time rate** (按时办结率) is those over the items that had to be
  finished by ``as_of``: completed plus overdue (``StatusRules.completed_on_time``).
- **overdue** (逾期): not completed and the effective due date is before ``as_of``.
- **overdue working days** (逾期工作日): the China working days after the effective due date up to
  and including ``as_of`` (``tracker.calendar.overdue_workdays``): due on a Friday and still open
  on Monday is 1 working day overdue.
- **due soon** (临期): not completed and ``as_of <= due <= add_workdays(as_of, N)``, where N is the
  one setting ``DUE_SOON_WORKDAYS`` (``TRACKER_DUE_SOON_WORKDAYS``, default 3 working days). An
  item due on ``as_of`` itself is due soon, not overdue.
- **on track** (正常推进): not completed and neither of the above (due later, or no due date:
  a continuous task (持续推进) has none).
- **reminders issued so far** (已催办/督办): the ``Reminder`` rows (催办: the sweep's, and a supervisor's
  manual ones, at most one per assignment and day — ``tracker.supervise.remind``) dated on or before
  ``as_of`` and the sweep's ``EscalationItem`` rows (督办) in notices issued on or before ``as_of``
  (``reminders_issued``). Nothing else counts.

The sweep flags what it finds in ``Assignment.alert`` with these same rules (plus the missed
reporting periods of continuous tasks, which it records as ``PeriodicCheck`` rows); pages that
show the flags name the sweep's time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..calendar import WorkCalendar, default_calendar, overdue_workdays
from ..extensions import db
from .models import Assignment

STATUSES = ("completed", "on_track", "due_soon", "overdue")
STATUS_LABELS = {"completed": "已办结", "on_track": "正常推进", "due_soon": "临期", "overdue": "逾期"}
#: the default of the due-soon window, in working days from as_of (as_of itself included)
DEFAULT_DUE_SOON_WORKDAYS = 3


def due_soon_workdays() -> int:
    """Return the due-soon window (the setting DUE_SOON_WORKDAYS, read through the app's config)."""
    from ..config import setting

    return int(setting("DUE_SOON_WORKDAYS", DEFAULT_DUE_SOON_WORKDAYS))


def local_day_end(day: date, tz: str = "Asia/Shanghai") -> datetime:
    """Return the UTC instant at which the local calendar day ends."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def completed_by(instant: datetime) -> sa.ColumnElement[bool]:
    """Return the condition 'completed before this instant' (never NULL, so NOT works)."""
    return sa.and_(
        Assignment.status == "completed",
        sa.or_(Assignment.completed_at.is_(None), Assignment.completed_at < instant),
    )


class _local_day_end_of(FunctionElement):
    """The UTC instant at which the local day of a date column ends, given the zone's name and its
    UTC offset in seconds (a Python int, written into the SQL).

    PostgreSQL converts with the zone itself. SQLite, which stores UTC instants as naive text and
    knows no zones, shifts by the offset (the zone's offset on the as-of date); for a zone east of
    UTC the day ends on the date itself, so the instant is the date's text and a clock time.
    """

    type = sa.DateTime()
    inherit_cache = True
    name = "local_day_end_of"

    def __init__(self, day, zone: str, offset: int):
        # The offset as SQL text: part of the statement (and its cache key), not a parameter.
        super().__init__(day, sa.literal(zone, sa.String()), sa.literal_column(str(int(offset)), sa.Integer()))


@compiles(_local_day_end_of)
def _local_day_end_of_pg(element, compiler, **kw):
    day, zone, _offset = element.clauses
    return "timezone(%s, CAST(%s AS TIMESTAMP) + INTERVAL '1 day')" % (
        compiler.process(zone, **kw), compiler.process(day, **kw))


@compiles(_local_day_end_of, "sqlite")
def _local_day_end_of_sqlite(element, compiler, **kw):
    # The stored text is 'YYYY-MM-DD HH:MM:SS.ffffff', which sorts after 'YYYY-MM-DD HH:MM:SS' of
    # the same second: an item completed at the very instant the day ends is late, as in Python.
    day_column, _zone, offset = element.clauses
    day = compiler.process(day_column, **kw)
    seconds = 86400 - int(offset.name)  # from the start of the date to the end of its local day
    days, rest = divmod(seconds, 86400)
    clock = f" {rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    start = day if days == 0 else f"date({day}, '{days:+d} day')"
    return f"({start} || '{clock}')"


def zone_offset_seconds(day: date, tz: str) -> int:
    """Return the zone's UTC offset at noon of the day, in seconds."""
    return int(datetime.combine(day, time(12), tzinfo=ZoneInfo(tz)).utcoffset().total_seconds())


@dataclass(frozen=True)
class State:
    """One assignment's state on one date, as every view shows it."""

    status: str
    #: the effective due date (with approved extensions)
    due_on: date | None
    #: the due date before any extension (for scoring)
    original_due_on: date | None
    #: working days overdue (0 unless overdue)
    overdue_workdays: int
    #: working days left until the due date (0 on the due date; None when overdue or without one)
    workdays_left: int | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class StatusRules:
    """The four statuses on one date, each as SQL (``overdue()``) and Python (``status_of(a)``)."""

    as_of: date
    #: last due date that still counts as due soon
    soon_until: date
    #: the instant the local day as_of ends, in UTC (completed_at is stored in UTC)
    day_end: datetime
    #: "due soon" means due within this many working days
    soon_workdays: int = DEFAULT_DUE_SOON_WORKDAYS
    #: the calendar the working days are counted with (None: the official one)
    calendar: WorkCalendar | None = field(default=None, compare=False, hash=False)

    @classmethod
    def at(cls, as_of: date, *, tz: str | None = None, calendar: WorkCalendar | None = None,
           soon_workdays: int | None = None) -> "StatusRules":
        from ..config import setting

        calendar = calendar or default_calendar()
        soon_workdays = due_soon_workdays() if soon_workdays is None else soon_workdays
        tz = tz or setting("TIMEZONE", "Asia/Shanghai")
        return cls(as_of=as_of, soon_until=calendar.add_workdays(as_of, soon_workdays),
                   day_end=local_day_end(as_of, tz), soon_workdays=soon_workdays, calendar=calendar)

    # --- SQL forms -------------------------------------------------------------------------------

    def completed(self) -> sa.ColumnElement[bool]:
        return completed_by(self.day_end)

    def open(self) -> sa.ColumnElement[bool]:
        return sa.not_(self.completed())

    def overdue(self) -> sa.ColumnElement[bool]:
        return sa.and_(self.open(), Assignment.due_on < self.as_of)

    def due_soon(self) -> sa.ColumnElement[bool]:
        return sa.and_(self.open(), Assignment.due_on >= self.as_of, Assignment.due_on <= self.soon_until)

    def on_track(self) -> sa.ColumnElement[bool]:
        return sa.and_(self.open(), sa.or_(Assignment.due_on.is_(None), Assignment.due_on > self.soon_until))

    def completed_on_time(self, tz: str = "Asia/Shanghai", offset: int | None = None) -> sa.ColumnElement[bool]:
        """Completed by as_of and before the end of the local due date (no due date or no
        completion time: on time). See ``is_completed_on_time``.

        offset: the zone's UTC offset in seconds, which SQLite needs (default: on as_of; give it
        when as_of is a bound parameter).
        """
        if offset is None:
            offset = zone_offset_seconds(self.as_of, tz)
        due_end = _local_day_end_of(Assignment.due_on, tz, offset)
        return sa.and_(self.completed(), sa.or_(
            Assignment.due_on.is_(None), Assignment.completed_at.is_(None),
            Assignment.completed_at < due_end))

    def condition(self, status: str) -> sa.ColumnElement[bool]:
        """Return the condition for one of STATUSES."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        return getattr(self, status)()

    def case(self) -> sa.Case:
        """Return a CASE naming each row's status, the same partition as the four conditions.

        Each branch is reached only when the earlier ones failed, so it tests just what is left;
        a NULL due date fails both comparisons and lands on on_track.
        """
        return sa.case(
            (self.completed(), "completed"),
            (Assignment.due_on < self.as_of, "overdue"),
            (Assignment.due_on <= self.soon_until, "due_soon"),
            else_="on_track",
        )

    # --- Python forms ----------------------------------------------------------------------------

    def is_completed(self, a) -> bool:
        return a.status == "completed" and (a.completed_at is None or _aware(a.completed_at) < self.day_end)

    def is_completed_on_time(self, a, tz: str = "Asia/Shanghai") -> bool:
        """Tell whether one assignment was completed by as_of and on or before its local due date."""
        if not self.is_completed(a):
            return False
        if a.due_on is None or a.completed_at is None:
            return True
        return _aware(a.completed_at) < local_day_end(a.due_on, tz)

    def status_of(self, a) -> str:
        """Return the status of one assignment (anything with status, completed_at and due_on)."""
        if self.is_completed(a):
            return "completed"
        if a.due_on is None:
            return "on_track"
        if a.due_on < self.as_of:
            return "overdue"
        if a.due_on <= self.soon_until:
            return "due_soon"
        return "on_track"

    def overdue_workdays(self, a) -> int:
        """Return the working days one assignment is overdue on as_of (0 when it is not overdue)."""
        if self.status_of(a) != "overdue":
            return 0
        return overdue_workdays(self._calendar(), a.due_on, self.as_of)

    def state(self, a) -> State:
        status = self.status_of(a)
        days = overdue_workdays(self._calendar(), a.due_on, self.as_of) if status == "overdue" else 0
        left = None
        if status in ("due_soon", "on_track") and a.due_on is not None:
            left = max(0, self._calendar().workdays_between(self.as_of, a.due_on))
        return State(status=status, due_on=a.due_on, original_due_on=getattr(a, "original_due_on", None) or a.due_on,
                     overdue_workdays=days, workdays_left=left)

    def _calendar(self) -> WorkCalendar:
        return self.calendar or default_calendar()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


# --- reminders issued so far -------------------------------------------------------------------------


@dataclass
class Issued:
    """Reminders (催办) and escalations (督办) issued about one assignment up to a date."""

    reminders: int = 0
    last_reminder_on: date | None = None
    escalations: int = 0
    last_escalation_on: date | None = None
    #: the 文号 of the escalation notices that list it, oldest first
    doc_numbers: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.reminders or self.escalations)

    @property
    def text(self) -> str:
        """Return the figure in words: 催办2次；督办1次（督办〔2021〕3号）, or 无."""
        parts = []
        if self.reminders:
            parts.append(f"催办{self.reminders}次")
        if self.escalations:
            parts.append(f"督办{self.escalations}次（{'、'.join(self.doc_numbers)}）")
        return "；".join(parts) or "无"


def reminders_issued(assignment_ids, as_of: date) -> dict[int, Issued]:
    """Return assignment id -> reminders and escalations issued about it on or before as_of.

    The one query behind every 已催办/督办 figure (the 逾期情况汇总, the timeline, the workbook).
    """
    from ..supervise.models import EscalationItem, EscalationNotice, Reminder

    ids = list(assignment_ids)
    out: dict[int, Issued] = {}
    if not ids:
        return out
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for aid, n, last in db.session.execute(
            sa.select(Reminder.assignment_id, sa.func.count(), sa.func.max(Reminder.sweep_on))
            .where(Reminder.assignment_id.in_(chunk), Reminder.sweep_on <= as_of)
            .group_by(Reminder.assignment_id)
        ):
            issued = out.setdefault(aid, Issued())
            issued.reminders, issued.last_reminder_on = n, last
        for aid, on, number in db.session.execute(
            sa.select(EscalationItem.assignment_id, EscalationNotice.issued_on, EscalationNotice.doc_number)
            .join(EscalationNotice, EscalationNotice.id == EscalationItem.notice_id)
            .where(EscalationItem.assignment_id.in_(chunk), EscalationNotice.issued_on <= as_of)
            .order_by(EscalationNotice.issued_on, EscalationNotice.id)
        ):
            issued = out.setdefault(aid, Issued())
            issued.escalations += 1
            issued.last_escalation_on = on
            issued.doc_numbers.append(number)
    return out


def reminders_count_sql(as_of) -> sa.ScalarSelect:
    """Return the SQL form of ``Issued.reminders``: a scalar subquery correlated to Assignment."""
    from ..supervise.models import Reminder

    return (sa.select(sa.func.count(Reminder.id))
            .where(Reminder.assignment_id == Assignment.id, Reminder.sweep_on <= as_of)
            .correlate(Assignment).scalar_subquery())


def escalations_count_sql(as_of) -> sa.ScalarSelect:
    """Return the SQL form of ``Issued.escalations``: a scalar subquery correlated to Assignment."""
    from ..supervise.models import EscalationItem, EscalationNotice

    return (sa.select(sa.func.count(EscalationItem.id))
            .join(EscalationNotice, EscalationNotice.id == EscalationItem.notice_id)
            .where(EscalationItem.assignment_id == Assignment.id, EscalationNotice.issued_on <= as_of)
            .correlate(Assignment).scalar_subquery())


@dataclass(frozen=True)
class IssuedEvent:
    """One reminder or escalation about an assignment, for its timeline."""

    on: date
    #: reminder | escalation
    kind: str
    title: str


def issued_events(assignment_id: int, as_of: date | None = None) -> list[IssuedEvent]:
    """Return the reminders and escalations about one assignment, oldest first: the rows
    ``reminders_issued`` counts (as many as it counts for the same as_of)."""
    from ..supervise.models import STAGE_LABELS, EscalationItem, EscalationNotice, Reminder

    reminders = sa.select(Reminder.sweep_on, Reminder.stage, Reminder.due_on, Reminder.sent_by_id).where(
        Reminder.assignment_id == assignment_id)
    escalations = (sa.select(EscalationNotice.issued_on, EscalationNotice.doc_number, EscalationItem.due_on)
                   .join(EscalationNotice, EscalationNotice.id == EscalationItem.notice_id)
                   .where(EscalationItem.assignment_id == assignment_id))
    if as_of is not None:
        reminders = reminders.where(Reminder.sweep_on <= as_of)
        escalations = escalations.where(EscalationNotice.issued_on <= as_of)
    out = [IssuedEvent(on, "reminder", f"{'督查人员' if by else ''}催办（{STAGE_LABELS.get(stage, stage)}，"
                                       f"完成时限{due.isoformat()}）")
           for on, stage, due, by in db.session.execute(reminders)]
    out += [IssuedEvent(on, "escalation", f"督办通知 {number}（完成时限{due.isoformat()}）")
            for on, number, due in db.session.execute(escalations)]
    return sorted(out, key=lambda e: (e.on, e.kind != "reminder"))

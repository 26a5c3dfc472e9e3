"""Aggregate reads behind the leaders' dashboard and its drill-down lists.

Every number on the dashboard and every drill-down list is built from the same two pieces:
``Filters.conditions`` (which assignments are in view) and ``StatusRules`` (which of the four
statuses an assignment has on a given date). Both are plain SQL expressions, so a count on the
dashboard and the row count of the list behind it cannot disagree.

The statuses on a date, and the overdue working days, are those of ``tracker.plans.status``
(the one definition every view asks).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from ..calendar import WorkCalendar, default_calendar, overdue_workdays
from ..extensions import db
from ..plans.models import Assignment, Plan, Task
from ..plans.status import (  # noqa: F401  (the status rules, re-exported for the dashboard's callers)
    DEFAULT_DUE_SOON_WORKDAYS as DUE_SOON_WORKDAYS,
    STATUS_LABELS,
    STATUSES,
    Issued,
    StatusRules,
    completed_by,
    local_day_end,
    reminders_issued,
)
from ..reports.models import ProgressReport
from ..units.models import Unit
from ..scope import prefix_pattern, scope_path_of, under  # noqa: F401  (scope_path_of: for the views)

#: the section filter value that stands for tasks without a top-level group
NO_SECTION = "-"
NO_SECTION_LABEL = "（未分组）"
#: at most this many weekly points in the trend (a year and a day)
MAX_TREND_POINTS = 54


@dataclass(frozen=True)
class Filters:
    """Which assignments are in view: one plan, within a scope, optionally one unit, section or category."""

    plan_id: int
    #: materialised path of the viewer's unit; None sees everything (admin)
    scope_path: str | None = None
    unit_id: int | None = None
    #: a Task.section value, or NO_SECTION for tasks without one
    section: str | None = None
    #: A or B
    category: str | None = None

    def conditions(self, *, unit_joined: bool = False) -> list[sa.ColumnElement[bool]]:
        """Return WHERE conditions on Assignment; they join nothing, so any select can take them.

        With unit_joined, the statement joins Unit on the assignment's unit itself, and scope and
        category are tested on that row instead of through a subquery.
        """
        out: list[sa.ColumnElement[bool]] = [Assignment.plan_id == self.plan_id]
        if self.unit_id is not None:
            out.append(Assignment.unit_id == self.unit_id)
        unit_conditions = []
        if self.scope_path is not None:
            unit_conditions.append(under(Unit.path, self.scope_path))
        if self.category is not None:
            unit_conditions.append(Unit.category == self.category)
        if unit_joined:
            out.extend(unit_conditions)
        elif unit_conditions:
            out.append(Assignment.unit_id.in_(sa.select(Unit.id).where(*unit_conditions)))
        if self.section is not None:
            tasks = sa.select(Task.id).where(Task.plan_id == self.plan_id)
            tasks = tasks.where(Task.section.is_(None) if self.section == NO_SECTION else Task.section == self.section)
            out.append(Assignment.task_id.in_(tasks))
        return out

    def args(self) -> dict:
        """Return the filters as query arguments for links (plan, unit, section, category)."""
        out: dict = {"plan": self.plan_id}
        if self.unit_id is not None:
            out["unit"] = self.unit_id
        if self.section is not None:
            out["section"] = self.section
        if self.category is not None:
            out["category"] = self.category
        return out


# --- counts -------------------------------------------------------------------------------


@dataclass
class Counts:
    assignments: int = 0
    completed: int = 0
    on_track: int = 0
    due_soon: int = 0
    overdue: int = 0

    @property
    def rate(self) -> float | None:
        """Return the completion rate in percent, or None with nothing to complete."""
        return 100.0 * self.completed / self.assignments if self.assignments else None

    def get(self, status: str) -> int:
        return getattr(self, status)

    def add(self, status: str, n: int) -> None:
        setattr(self, status, getattr(self, status) + n)
        self.assignments += n

    def fill(self, n: int, completed: int, overdue: int, due_soon: int) -> "Counts":
        """Add a group of n assignments of which so many are completed, overdue and due soon."""
        self.assignments += n
        self.completed += completed
        self.overdue += overdue
        self.due_soon += due_soon
        self.on_track += n - completed - overdue - due_soon
        return self


def status_sums(rules: StatusRules) -> list[sa.ColumnElement]:
    """Return count(*) and the number completed, overdue and due soon, as conditional sums.

    One row per key carries all four counts, so the per-task and per-unit groupings can share a
    statement (GROUPING SETS on PostgreSQL). The three conditions are those of `StatusRules`, so
    on track is what is left and the split equals `StatusRules.case()`.
    """
    def n_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    return [sa.func.count(), n_where(rules.completed()), n_where(rules.overdue()), n_where(rules.due_soon())]


# --- statements built once per shape -------------------------------------------------------
#
# The dashboard's statements have a hundred-odd expression nodes; building them costs about as
# much as running them. So each is built once per *shape* (which filters are set, how many trend
# days) with bound parameters in place of values, and every request only supplies the values.


@dataclass(frozen=True)
class _Shape:
    scope: bool
    category: bool
    unit: bool
    #: None, NO_SECTION, or "value"
    section: str | None


def _shape(flt: Filters) -> _Shape:
    section = None if flt.section is None else (NO_SECTION if flt.section == NO_SECTION else "value")
    return _Shape(scope=flt.scope_path is not None, category=flt.category is not None,
                  unit=flt.unit_id is not None, section=section)


def _symbolic(shape: _Shape) -> tuple[Filters, StatusRules]:
    """Return Filters and StatusRules whose values are bound parameters, for building statements."""
    p = sa.bindparam
    flt = Filters(
        plan_id=p("dash_plan"), scope_path=p("dash_scope") if shape.scope else None,
        unit_id=p("dash_unit") if shape.unit else None,
        section=(NO_SECTION if shape.section == NO_SECTION else p("dash_section")) if shape.section else None,
        category=p("dash_category") if shape.category else None,
    )
    rules = StatusRules(as_of=p("dash_as_of"), soon_until=p("dash_soon_until"), day_end=p("dash_day_end"))
    return flt, rules


def _values(flt: Filters, rules: StatusRules | None = None) -> dict:
    """Return the parameter values for a statement built by _symbolic(_shape(flt))."""
    out: dict = {"dash_plan": flt.plan_id}
    if flt.scope_path is not None:
        out["dash_scope"] = prefix_pattern(flt.scope_path)
    if flt.unit_id is not None:
        out["dash_unit"] = flt.unit_id
    if flt.section is not None and flt.section != NO_SECTION:
        out["dash_section"] = flt.section
    if flt.category is not None:
        out["dash_category"] = flt.category
    if rules is not None:
        out.update(dash_as_of=rules.as_of, dash_soon_until=rules.soon_until, dash_day_end=rules.day_end)
    return out


@functools.lru_cache(maxsize=64)
def _task_statement(shape: _Shape) -> sa.Select:
    flt, rules = _symbolic(shape)
    return sa.select(Assignment.task_id, *status_sums(rules)).where(*flt.conditions()).group_by(Assignment.task_id)


@functools.lru_cache(maxsize=64)
def _unit_statement(shape: _Shape) -> sa.Select:
    flt, rules = _symbolic(shape)
    od = _overdue_since(rules)
    # Grouped by the unit's primary key, so its other columns may be selected (SQL:1999 functional
    # dependence, which PostgreSQL and SQLite both accept).
    return (sa.select(Unit.id, Unit.name, Unit.short_name, Unit.category, od, *status_sums(rules))
            .select_from(Assignment).join(Unit, Assignment.unit_id == Unit.id)
            .where(*flt.conditions(unit_joined=True)).group_by(Unit.id, od))


def _done_by(n_days: int) -> sa.Label:
    """Return the index of the first trend day by whose end an assignment was completed (see overdue_trend)."""
    ends = [sa.bindparam(f"dash_end_{k}") for k in range(n_days)]
    return sa.case(
        (Assignment.status != "completed", n_days),
        (Assignment.completed_at.is_(None), -1),
        else_=_first_end_after(Assignment.completed_at, ends, 0, n_days),
    ).label("done_by")


def _trend_values(days: list[date], tz: str) -> dict:
    return {f"dash_end_{k}": local_day_end(d, tz) for k, d in enumerate(days)} | {"dash_last_day": days[-1]}


@functools.lru_cache(maxsize=64)
def _trend_statement(shape: _Shape, n_days: int) -> sa.Select:
    flt, _ = _symbolic(shape)
    done_by = _done_by(n_days)
    return (sa.select(Assignment.due_on, done_by, sa.func.count())
            .where(*flt.conditions(), Assignment.due_on < sa.bindparam("dash_last_day"))
            .group_by(Assignment.due_on, done_by))


def status_counts(flt: Filters, rules: StatusRules) -> dict[int, Counts]:
    """Count assignments in view per task and status, in one scan."""
    rows = db.session.execute(_task_statement(_shape(flt)), _values(flt, rules))
    return {task_id: Counts().fill(n, completed, overdue, due_soon) for task_id, n, completed, overdue, due_soon in rows}


@dataclass
class Overview(Counts):
    tasks: int = 0


def overview(flt: Filters, rules: StatusRules) -> Overview:
    """Count tasks, assignments and each status."""
    return _overview(status_counts(flt, rules))


def _overview(by_task: dict[int, Counts]) -> Overview:
    out = Overview(tasks=len(by_task))
    for counts in by_task.values():
        for s in STATUSES:
            out.add(s, counts.get(s))
    return out


@dataclass
class UnitRow(Counts):
    unit_id: int = 0
    name: str = ""
    short_name: str | None = None
    category: str | None = None
    #: working days overdue summed over the unit's overdue assignments
    days_overdue: int = 0
    #: total score in the plan's latest assessment version, when there is one
    score: float | None = None


def _overdue_since(rules: StatusRules) -> sa.ColumnElement:
    """Return the due date of an overdue assignment, NULL for any other."""
    return sa.case((rules.overdue(), Assignment.due_on), else_=sa.null())


def _unit_groups(flt: Filters, rules: StatusRules) -> list:
    """Return (unit id, name, short name, category, due date if overdue, n, completed, overdue,
    due soon) groups in one scan.

    Overdue assignments are split by due date, which lets the working days overdue be counted
    once per distinct date (a plan has few) rather than once per assignment.
    """
    return db.session.execute(_unit_statement(_shape(flt)), _values(flt, rules)).all()


def unit_rows(flt: Filters, rules: StatusRules, calendar: WorkCalendar | None = None) -> list[UnitRow]:
    """Return one row per unit holding assignments in view, ordered by name (one query)."""
    return _unit_rows(_unit_groups(flt, rules), rules, calendar)


def _unit_rows(groups, rules: StatusRules, calendar: WorkCalendar | None = None) -> list[UnitRow]:
    """Fold (unit id, name, short name, category, due date if overdue, n, completed, overdue, due
    soon) groups into one row per unit, ordered by name."""
    calendar = calendar or rules.calendar or default_calendar()
    rows: dict[int, UnitRow] = {}
    lateness: dict[date, int] = {}
    for unit_id, name, short_name, category, due_on, n, completed, overdue, due_soon in groups:
        row = rows.get(unit_id)
        if row is None:
            row = rows[unit_id] = UnitRow(unit_id=unit_id, name=name, short_name=short_name, category=category)
        row.fill(n, completed, overdue, due_soon)
        if due_on is not None:
            if due_on not in lateness:
                lateness[due_on] = overdue_workdays(calendar, due_on, rules.as_of)
            row.days_overdue += n * lateness[due_on]
    return sorted(rows.values(), key=lambda row: row.name)


#: sort key -> (value of a row, descending by default)
SORTS = {
    "name": (lambda r: r.name, False),
    "assignments": (lambda r: r.assignments, True),
    "completed": (lambda r: r.completed, True),
    "due_soon": (lambda r: r.due_soon, True),
    "overdue": (lambda r: (r.overdue, r.days_overdue), True),
    "days": (lambda r: (r.days_overdue, r.overdue), True),
    "rate": (lambda r: -1.0 if r.rate is None else r.rate, False),
    "score": (lambda r: float("-inf") if r.score is None else r.score, False),
}
DEFAULT_SORT = "overdue"


def sort_units(rows: list[UnitRow], key: str = DEFAULT_SORT, descending: bool | None = None) -> list[UnitRow]:
    """Sort unit rows by a SORTS key; ties stay in name order."""
    value, default_desc = SORTS[key]
    desc = default_desc if descending is None else descending
    return sorted(sorted(rows, key=lambda r: r.name), key=value, reverse=desc)


@dataclass
class SectionRow(Counts):
    #: the filter value: the section title, or NO_SECTION
    key: str = ""
    label: str = ""


def section_rows(flt: Filters, rules: StatusRules) -> list[SectionRow]:
    """Return status counts per top-level section, in document order."""
    return _sections(status_counts(flt, rules), flt.plan_id)


def _sections(by_task: dict[int, Counts], plan_id: int) -> list[SectionRow]:
    """Fold per-task counts into sections, reading only the plan's task list (a few hundred rows)."""
    if not by_task:
        return []
    tasks = db.session.execute(
        sa.select(Task.id, Task.section).where(Task.plan_id == plan_id).order_by(Task.position, Task.id)
    ).all()
    out: dict[str | None, SectionRow] = {}
    for task_id, section in tasks:
        if task_id not in by_task:
            continue
        row = out.get(section)
        if row is None:
            row = out[section] = SectionRow(key=section if section is not None else NO_SECTION,
                                            label=section if section is not None else NO_SECTION_LABEL)
        for s in STATUSES:
            row.add(s, by_task[task_id].get(s))
    return list(out.values())


# --- trend --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    day: date
    overdue: int


def trend_days(start: date | None, as_of: date, limit: int = MAX_TREND_POINTS) -> list[date]:
    """Return the week ends (Sundays) from start's week up to as_of, then as_of itself, at most `limit`."""
    if start is None or start > as_of:
        return [as_of]
    first_sunday = start + timedelta(days=6 - start.weekday())
    days = []
    d = first_sunday
    while d < as_of:
        days.append(d)
        d += timedelta(days=7)
    days.append(as_of)
    return days[-limit:]


def _first_end_after(column: sa.ColumnElement, ends: list[datetime], lo: int, hi: int) -> sa.ColumnElement:
    """Return SQL for the first k in [lo, hi) with column < ends[k], else hi (ends ascending).

    A binary search written as nested CASEs: about log2(len(ends)) comparisons per row instead
    of one per week.
    """
    if lo == hi:
        return sa.literal(hi)
    mid = (lo + hi) // 2
    return sa.case((column < ends[mid], _first_end_after(column, ends, lo, mid)),
                   else_=_first_end_after(column, ends, mid + 1, hi))


def overdue_trend(flt: Filters, days: list[date], tz: str = "Asia/Shanghai") -> list[TrendPoint]:
    """Count assignments overdue at the end of each day in `days` (ascending), in one grouped query.

    Each assignment due before the last day gets the index of the first day by whose end it was
    completed (-1: completed with no time recorded, so always; len(days): never within the range);
    it is overdue on day k when it is due before that day and its index is greater than k.
    """
    if not days:
        return []
    return _trend_points(_trend_groups(flt, days, tz), days)


def _trend_groups(flt: Filters, days: list[date], tz: str) -> list:
    """Return (due date, done-by index, n) groups of the assignments due before the last day."""
    return db.session.execute(_trend_statement(_shape(flt), len(days)), _values(flt) | _trend_values(days, tz)).all()


def _trend_points(rows, days: list[date]) -> list[TrendPoint]:
    """Fold (due date, done-by index, n) groups into the overdue count at the end of each day."""
    return [
        TrendPoint(day=d, overdue=sum(n for due_on, b, n in rows if due_on is not None and due_on < d and b > k))
        for k, d in enumerate(days)
    ]


# --- lists --------------------------------------------------------------------------------


def assignment_list(flt: Filters, rules: StatusRules, status: str | None = None) -> sa.Select:
    """Return the drill-down select: (Assignment, status name), worst first; same conditions as the counts."""
    stmt = (
        sa.select(Assignment, rules.case().label("dash_status"))
        .join(Task, Assignment.task_id == Task.id)
        .where(*flt.conditions())
    )
    if status is not None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        # The very CASE the counts group by, so a list has exactly as many rows as its number.
        stmt = stmt.where(rules.case() == status)
    return (stmt.order_by(Assignment.due_on.is_(None), Assignment.due_on, Task.position, Assignment.id)
            .options(contains_eager(Assignment.task), joinedload(Assignment.unit)))


def overdue_items(flt: Filters, rules: StatusRules, unit_ids: list[int]) -> list[Assignment]:
    """Return the overdue assignments of some units, oldest due date first."""
    if not unit_ids:
        return []
    stmt = (
        sa.select(Assignment).join(Task, Assignment.task_id == Task.id)
        .where(*flt.conditions(), rules.overdue(), Assignment.unit_id.in_(unit_ids))
        .order_by(Assignment.unit_id, Assignment.due_on, Task.position)
        .options(joinedload(Assignment.task))
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class LastReport:
    submitted_at: datetime
    status: str


def last_reports(assignment_ids: list[int]) -> dict[int, LastReport]:
    """Return assignment id -> its latest submitted report (drafts are not reports yet)."""
    if not assignment_ids:
        return {}
    latest = (
        sa.select(ProgressReport.assignment_id, sa.func.max(ProgressReport.submitted_at).label("at"))
        .where(ProgressReport.assignment_id.in_(assignment_ids), ProgressReport.submitted_at.is_not(None),
               ProgressReport.status != "draft")
        .group_by(ProgressReport.assignment_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ProgressReport.assignment_id, ProgressReport.submitted_at, ProgressReport.status)
        .join(latest, sa.and_(ProgressReport.assignment_id == latest.c.assignment_id,
                              ProgressReport.submitted_at == latest.c.at))
        .where(ProgressReport.status != "draft")
        .order_by(ProgressReport.id)
    ).all()
    return {aid: LastReport(at, status) for aid, at, status in rows}


def unit_in_scope(unit_id: int, scope_path: str | None) -> Unit | None:
    """Return the unit if the scope covers it."""
    stmt = sa.select(Unit).where(Unit.id == unit_id)
    if scope_path is not None:
        stmt = stmt.where(under(Unit.path, scope_path))
    return db.session.scalar(stmt)


def default_plan(plans: list[Plan], year: int, own_unit_id: int | None) -> Plan | None:
    """Pick the plan to show first: this year's (the viewer's own jurisdiction's first), else the newest."""
    if not plans:
        return None

    def newest(p: Plan):
        return (p.issued_on or date.min, p.id)

    this_year = [p for p in plans if p.year == year]
    if this_year:
        own = [p for p in this_year if p.unit_id == own_unit_id]
        return max(own or this_year, key=newest)
    return max(plans, key=lambda p: (p.year, *newest(p)))


@dataclass
class Dashboard:
    """Everything the dashboard page shows, computed from one Filters and one date."""

    overview: Overview
    units: list[UnitRow] = field(default_factory=list)
    sections: list[SectionRow] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)


@functools.lru_cache(maxsize=64)
def _one_scan_statement(shape: _Shape, n_days: int) -> sa.Select:
    """Return the task counts, unit groups and trend groups of _task/_unit/_trend_statement as one
    statement with GROUPING SETS: one scan instead of three, where the database has them."""
    flt, rules = _symbolic(shape)
    od = _overdue_since(rules)
    done_by = _done_by(n_days)
    unit = (Unit.id, Unit.name, Unit.short_name, Unit.category)
    return (
        sa.select(sa.func.grouping(Assignment.task_id), sa.func.grouping(Unit.id), Assignment.task_id, *unit, od,
                  Assignment.due_on, done_by, *status_sums(rules))
        .select_from(Assignment).join(Unit, Assignment.unit_id == Unit.id)
        .where(*flt.conditions(unit_joined=True))
        .group_by(sa.func.grouping_sets(sa.tuple_(Assignment.task_id), sa.tuple_(*unit, od),
                                        sa.tuple_(Assignment.due_on, done_by)))
    )


def _one_scan(flt: Filters, rules: StatusRules, days: list[date], tz: str):
    """Return (per-task counts, unit groups, trend groups) from one GROUPING SETS statement."""
    by_task: dict[int, Counts] = {}
    units, trend = [], []
    rows = db.session.execute(_one_scan_statement(_shape(flt), len(days)),
                              _values(flt, rules) | _trend_values(days, tz))
    for (not_task, not_unit, task_id, unit_id, name, short_name, category, od, due_on, done_by,
         n, completed, overdue, due_soon) in rows:
        if not not_task:
            by_task[task_id] = Counts().fill(n, completed, overdue, due_soon)
        elif not not_unit:
            units.append((unit_id, name, short_name, category, od, n, completed, overdue, due_soon))
        elif due_on is not None and due_on < days[-1]:
            trend.append((due_on, done_by, n))
    return by_task, units, trend


def dashboard(flt: Filters, rules: StatusRules, *, issued_on: date | None, tz: str = "Asia/Shanghai",
              calendar: WorkCalendar | None = None) -> Dashboard:
    """Compute the dashboard's figures from grouped scans of the plan's assignments, whatever its size.

    On PostgreSQL one GROUPING SETS statement; elsewhere (SQLite has no grouping sets) three
    statements. Both fold the same groups, so the figures are the same.
    """
    days = trend_days(issued_on, rules.as_of)
    one_scan = db.session.get_bind().dialect.name == "postgresql"
    if one_scan:
        by_task, units, trend = _one_scan(flt, rules, days, tz)
    else:
        by_task = status_counts(flt, rules)
    ov = _overview(by_task)
    if not ov.assignments:
        return Dashboard(overview=ov)
    if not one_scan:
        units, trend = _unit_groups(flt, rules), _trend_groups(flt, days, tz)
    return Dashboard(overview=ov, units=_unit_rows(units, rules, calendar),
                     sections=_sections(by_task, flt.plan_id), trend=_trend_points(trend, days))

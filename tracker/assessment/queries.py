"""Reads for the assessment: the facts of a plan in a few set-based queries, versions, bonuses, objections.

Which rows become facts of a plan:

- assignments: the plan's lead and responsible assignments (cooperating ones are never scored,
  and reports or periodic checks on them are left out with them);
- returned reports and missed periodic reports on those assignments;
- rectification items of the plan's own look-back, and of look-backs of the same jurisdiction's
  earlier plans issued during the plan's year (last year's 回头看 is this year's work);
- published circulars of the plan naming the unit;
- bonuses entered for the plan, and year-wide bonuses of units in the plan's jurisdiction.

The units assessed are the units of any of these facts except bonuses.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased, defer, joinedload, load_only

from ..disclosure.queries import appeal_facts, assessment_fact_reads, request_facts
from ..extensions import db
from ..gcpause import gc_paused
from ..timeutil import UTCDateTime
from ..plans.models import Assignment, Plan, Task
from ..reports.models import ProgressReport
from ..supervise.models import (
    Circular,
    CircularUnit,
    PeriodicCheck,
    RectificationItem,
    RectificationNotice,
)
from ..units.models import Unit, official_order
from ..scope import units_under
from .facts import (
    AssignmentFact,
    BonusFact,
    CircularFact,
    Facts,
    MissedReportFact,
    RectificationFact,
    ReturnedReportFact,
    UnitFact,
)
from .models import AssessmentVersion, Bonus, Objection, RubricDocument
from .rubric import Rubric, load_rubric

COUNTED_ROLES = ("lead", "responsible")


# --- facts ------------------------------------------------------------------------------------------


class _LocalDates:
    """Turn stored UTC instants into local dates with one zone lookup per UTC day.

    A province has hundreds of thousands of completion times but only a few thousand distinct
    days; a day whose UTC offset changes (a DST switch) is converted instant by instant.
    """

    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self.offsets: dict[date, timedelta | None] = {}
        #: UTC day as text -> what from_text needs to place an instant of that day, None for a DST day
        self.text_days: dict[str, tuple[date, str, date] | None] = {}

    def __call__(self, value: datetime | None) -> date | None:
        if value is None:
            return None
        # Naive values are UTC: SQLite hands them back so when the column type is bypassed.
        if value.tzinfo is not None and value.utcoffset():
            return value.astimezone(self.zone).date()
        day = value.date()
        offset = self.offsets.get(day, False)
        if offset is False:
            first = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
            begins = first.astimezone(self.zone).utcoffset()
            ends = (first + timedelta(days=1, microseconds=-1)).astimezone(self.zone).utcoffset()
            offset = self.offsets[day] = begins if begins == ends else None
        if offset is None:
            return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(self.zone).date()
        return (value + offset).date()

    def from_text(self, text: str | None) -> date | None:
        """Return the local date of a UTC instant SQLite keeps as text ('2021-05-12 03:04:05.000000').

        Rather than parsing each instant, a day with one UTC offset is read as the UTC day and
        the time of day at which local time passes midnight, and the time part of the text
        (fixed width, so compared as text) says on which side the instant lies. Any other form
        is parsed and converted as above.
        """
        if text is None:
            return None
        if len(text) not in (19, 26) or text[10] != " ":
            return self(datetime.fromisoformat(text))
        rule = self.text_days.get(text[:10], False)
        if rule is False:
            rule = self.text_days[text[:10]] = self._day_rule(date.fromisoformat(text[:10]))
        if rule is None:
            return self(datetime.fromisoformat(text))
        before, turn, after = rule
        return after if text[11:] >= turn else before

    def _day_rule(self, day: date) -> tuple[date, str, date] | None:
        """Return, for a UTC day, (local date before, time of day as text at which local midnight
        passes, local date after), or None when the day's offset changes."""
        self(datetime(day.year, day.month, day.day))  # fills self.offsets for the day
        offset = self.offsets[day]
        if offset is None:
            return None
        if offset >= timedelta(0):
            before, after, turn = day, day + timedelta(days=1), timedelta(days=1) - offset
        else:
            before, after, turn = day - timedelta(days=1), day, -offset
        if turn >= timedelta(days=1):  # UTC itself: never passes
            return day, "~", day
        seconds, micro = int(turn.total_seconds()), turn.microseconds
        text = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        return before, (f"{text}.{micro:06d}" if micro else text), after


@lru_cache(maxsize=8)
def _local_dates(tz: str) -> _LocalDates:
    """Return the zone's converter, shared by every computation: what it learns of a day never changes."""
    return _LocalDates(ZoneInfo(tz))


class _Dates(dict):
    """Stored dates by their stored form, each converted once (a province repeats a few hundred dates)."""

    def __init__(self, convert):
        super().__init__({None: None})
        self.convert = convert

    def __missing__(self, value):
        result = self[value] = self.convert(value)
        return result


def _readers(local_date: _LocalDates):
    """Return (read a date, read a UTC instant as a local date, how to select such a column) for the session's database.

    The fact queries read a province's dates by the hundred thousand. SQLite keeps them as ISO
    text, which SQLAlchemy's types parse row by row with a regular expression; reading the text
    and parsing it with ``fromisoformat`` costs a tenth. PostgreSQL turns an instant into the
    local date itself (``timezone(zone, instant)::date``, from the same IANA zone database), so
    the driver hands back plain dates and no instant is converted in Python.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        as_text = lambda column: sa.type_coerce(column, sa.String())  # noqa: E731
        return _Dates(date.fromisoformat).__getitem__, local_date.from_text, as_text
    zone = local_date.zone.key

    def as_read(column):
        return sa.cast(sa.func.timezone(zone, column), sa.Date) if _is_instant(column) else column

    return _same, _same, as_read


def _same(value):
    return value


def _is_instant(column) -> bool:
    return isinstance(column.type, (sa.DateTime, UTCDateTime))


@lru_cache(maxsize=1)
def _pipeline_supported() -> bool:
    """Tell whether psycopg's libpq can pipeline (libpq 14 and later; psycopg[binary] brings one)."""
    try:
        import psycopg
    except ImportError:
        return False
    return psycopg.Pipeline.is_supported()


class _Reads:
    """Independent reads on the session's connection, each answered in the order it was sent.

    No ORM row processing: the fact queries are big. On PostgreSQL a read goes out as soon as it
    is sent, in psycopg's pipeline mode, on the session's own connection and so in its
    transaction: the server works on the next reads while Python turns the rows of the last one
    into facts. The statements are compiled by SQLAlchemy and their columns need no conversion by
    it (plain numbers, strings and dates; instants are turned into local dates by the server).
    Elsewhere a read runs when its rows are asked for.
    """

    def __init__(self):
        self.connection = db.session.connection()
        self.pipelined = self.connection.dialect.name == "postgresql" and _pipeline_supported()
        self.pending: deque = deque()
        self.pipeline = None

    def __enter__(self) -> _Reads:
        if self.pipelined:
            self.driver = self.connection.connection.driver_connection
            self.pipeline = self.driver.pipeline()
            self.pipeline.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.pipeline is not None:
            self.pipeline.__exit__(*exc)  # ends the pipeline even when turning rows into facts failed

    def send(self, *stmts: sa.Select) -> None:
        for stmt in stmts:
            if not self.pipelined:
                self.pending.append(stmt)
                continue
            compiled = stmt.compile(dialect=self.connection.dialect, compile_kwargs={"render_postcompile": True})
            cursor = self.driver.cursor()
            cursor.execute(str(compiled), compiled.params)
            self.pending.append(cursor)

    def rows(self) -> list[tuple]:
        """Return the rows of the earliest read not yet answered."""
        pending = self.pending.popleft()
        return pending.fetchall() if self.pipelined else self.connection.execute(pending).all()


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _may_score(as_of: date, zone: ZoneInfo, keep_original: bool = False) -> sa.ColumnElement[bool]:
    """Condition on Assignment: it can give a line item at as_of.

    Only a superset is needed; scoring decides. Open at as_of (or completed after it) with a due
    date before as_of; or completed on or after its earliest due date (compared at UTC midnight,
    which is early enough in any zone). Returned reports and missed periods name their task
    themselves, so the assignments they are about need not be read for it.
    """
    day_end = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), tzinfo=zone).astimezone(timezone.utc)
    earliest = sa.case(
        (Assignment.due_on.is_(None), Assignment.original_due_on),
        (Assignment.original_due_on.is_(None), Assignment.due_on),
        (Assignment.original_due_on < Assignment.due_on, Assignment.original_due_on),
        else_=Assignment.due_on,
    )
    if keep_original:  # the date first assigned, when a supervisor changed it, may be earlier still
        earliest = sa.case((sa.and_(Assignment.assigned_due_on.is_not(None), sa.or_(
            earliest.is_(None), Assignment.assigned_due_on < earliest)), Assignment.assigned_due_on), else_=earliest)
    done = sa.and_(Assignment.status == "completed", Assignment.completed_at.is_not(None),
                   Assignment.completed_at < day_end)
    return sa.or_(
        sa.and_(sa.not_(done), earliest < as_of),
        sa.and_(done, Assignment.completed_at >= earliest),
    )


@gc_paused()
def collect_facts(plans: Sequence[Plan], *, as_of: date | None = None, tz: str = "Asia/Shanghai",
                  keep_original: bool = False) -> Facts:
    """Collect what scoring needs about the given plans, one query per kind of fact.

    With keep_original (the rubric's deadline_change is keep_original), an assignment whose task
    deadline a supervisor changed after import is scored against the date first assigned: it is
    the original date, and the due date too unless an extension was approved after the change.

    With as_of, assignments that cannot give a line item on that date are left out, which keeps
    a province's facts small; the result of scoring at as_of is the same.
    """
    if not plans:
        return Facts()
    local_date = _local_dates(tz)
    plan_ids = [p.id for p in plans]

    read_date, read_local_date, as_read = _readers(local_date)
    wanted = sa.select(
        Assignment.id, Assignment.unit_id, Assignment.task_id, Assignment.role, as_read(Assignment.due_on),
        as_read(Assignment.original_due_on), Assignment.status, as_read(Assignment.completed_at),
        Assignment.deadline_kind, as_read(Assignment.assigned_due_on),
    ).where(Assignment.plan_id.in_(plan_ids), Assignment.role.in_(COUNTED_ROLES),
            Assignment.withdrawn_at.is_(None))  # read on the connection: the ORM filter does not apply
    if as_of is not None:
        wanted = wanted.where(_may_score(as_of, local_date.zone, keep_original))

    # A returned report is joined to its own assignment, which says whether it counts (one of the
    # plans', lead or responsible) and names its task: the assignment itself is among the facts
    # only when it can give a line item of its own. Both databases start from the returned
    # reports' covering index (status first) and look each assignment up by its key. A withdrawn
    # assignment is never among the facts, and its task is not named (None).
    counted = sa.and_(Assignment.plan_id.in_(plan_ids), Assignment.role.in_(COUNTED_ROLES))
    named_task = sa.case((Assignment.withdrawn_at.is_(None), Assignment.task_id), else_=sa.null())
    # Missed periods have no index led by what selects them, so a join would let SQLite start from
    # the plans' assignments (66 ms at 200,000 with no missed period at all): each missed period
    # asks about its own assignment instead, row by row.
    checked = aliased(Assignment)


    # Built before the reads start: building them may load the plans' units through the session,
    # which cannot run a statement of its own while the connection is pipelined. The units come
    # first: the requests' reads ask for theirs, and go out behind the others.
    fact_reads = (
        sa.select(Unit.id, Unit.name, Unit.kind, Unit.category).where(_unit_sources(plans))
        .order_by(*official_order()),
        sa.select(Task.id, Task.ref, Task.title).where(Task.plan_id.in_(plan_ids)),
        wanted,
        sa.select(ProgressReport.id, ProgressReport.unit_id, ProgressReport.assignment_id,
                  as_read(sa.func.coalesce(ProgressReport.reviewed_at, ProgressReport.updated_at)), named_task)
        .join(Assignment, Assignment.id == ProgressReport.assignment_id)
        .where(ProgressReport.status == "returned", counted),
        sa.select(PeriodicCheck.unit_id, PeriodicCheck.assignment_id, PeriodicCheck.period_end,
                  sa.select(named_task).where(Assignment.id == PeriodicCheck.assignment_id).scalar_subquery())
        .where(PeriodicCheck.is_missed, sa.exists().where(
            checked.id == PeriodicCheck.assignment_id, checked.plan_id.in_(plan_ids),
            checked.role.in_(COUNTED_ROLES))),
        sa.select(RectificationItem.id, RectificationItem.unit_id, RectificationNotice.doc_number,
                  RectificationNotice.due_on, RectificationItem.status, RectificationItem.closed_at)
        .join(RectificationNotice, RectificationItem.notice_id == RectificationNotice.id)
        .where(_rectification_scope(plans)),
        sa.select(Circular.id, CircularUnit.unit_id, Circular.issued_on, Circular.kind, Circular.title)
        .join(CircularUnit, CircularUnit.circular_id == Circular.id)
        .where(Circular.plan_id.in_(plan_ids), Circular.status == "published", Circular.issued_on.is_not(None)),
        sa.select(Bonus.id, Bonus.unit_id, Bonus.points, Bonus.reason, Bonus.evidence, Bonus.rule)
        .where(_bonus_scope(plans)).order_by(Bonus.id),
    )
    with _Reads() as reads:
        reads.send(*fact_reads)
        units = [
            UnitFact(id=uid, name=name, kind=kind, category=category)
            for uid, name, kind, category in reads.rows()
        ]
        reads.send(*assessment_fact_reads([u.id for u in units], sorted({p.year for p in plans}), as_of=as_of))
        tasks = {tid: (ref, title) for tid, ref, title in reads.rows()}
        assignments = []
        no_task = ("", "")
        new = tuple.__new__  # new(Fact, (values…)): the named tuple without its Python-level __new__
        for aid, unit_id, task_id, role, due, original, status, done, kind, assigned in reads.rows():
            due, original = read_date(due), read_date(original)
            if keep_original and assigned is not None:
                assigned = read_date(assigned)
                due = assigned if due is None or original is None or due <= original else due
                original = assigned
            ref, title = tasks.get(task_id, no_task)
            assignments.append(new(AssignmentFact, (
                aid, unit_id, task_id, role, due, original,
                read_local_date(done) if status == "completed" else None, kind, ref, title,
            )))

        unnamed = (None, "")
        returned = [
            new(ReturnedReportFact, (rid, unit_id, aid, read_local_date(at),
                                     *(unnamed if task_id is None else tasks.get(task_id, no_task))))
            for rid, unit_id, aid, at, task_id in reads.rows()
            if at is not None
        ]
        missed = [
            MissedReportFact(unit_id, aid, end, *(unnamed if task_id is None else tasks.get(task_id, no_task)))
            for unit_id, aid, end, task_id in reads.rows()
        ]
        rectifications = [
            RectificationFact(id=iid, unit_id=unit_id, notice_number=number, due_on=due,
                              closed_on=local_date(closed) if status == "closed" else None)
            for iid, unit_id, number, due, status, closed in reads.rows()
        ]
        circulars = [
            CircularFact(id=cid, unit_id=unit_id, issued_on=issued, kind=kind, title=title or "")
            for cid, unit_id, issued, kind, title in reads.rows()
        ]
        bonuses = [
            BonusFact(id=bid, unit_id=unit_id, points=Decimal(points), reason=reason, evidence=evidence or "",
                      rule=rule or "")
            for bid, unit_id, points, reason, evidence, rule in reads.rows()
        ]
        requests = request_facts(reads.rows())
        appeals = appeal_facts(reads.rows())
    return Facts(
        requests=requests,
        appeals=appeals,
        units=tuple(units),
        assignments=tuple(assignments),
        returned_reports=tuple(returned),
        missed_reports=tuple(missed),
        rectifications=tuple(rectifications),
        circulars=tuple(circulars),
        bonuses=tuple(bonuses),
    )


def _rectification_scope(plans: Sequence[Plan]) -> sa.ColumnElement[bool]:
    """Condition on RectificationNotice: the plans' own look-backs and earlier plans' ones issued in their year."""
    earlier = aliased(Plan)
    conditions: list[sa.ColumnElement[bool]] = [RectificationNotice.plan_id.in_([p.id for p in plans])]
    for unit_id, year in sorted({(p.unit_id, p.year) for p in plans}):
        first, last = _year_bounds(year)
        conditions.append(sa.and_(
            RectificationNotice.issued_on.between(first, last),
            RectificationNotice.plan_id.in_(
                sa.select(earlier.id).where(earlier.unit_id == unit_id, earlier.year < year)
            ),
        ))
    return sa.or_(*conditions)


def _bonus_scope(plans: Sequence[Plan]) -> sa.ColumnElement[bool]:
    """Condition on Bonus: entered for one of the plans, or for the whole year within a plan's jurisdiction."""
    conditions: list[sa.ColumnElement[bool]] = [Bonus.plan_id.in_([p.id for p in plans])]
    for path, year in sorted({(p.unit.path, p.year) for p in plans}):
        conditions.append(sa.and_(
            Bonus.plan_id.is_(None), Bonus.year == year,
            Bonus.unit_id.in_(units_under(path)),
        ))
    return sa.or_(*conditions)


def _unit_sources(plans: Sequence[Plan]) -> sa.ColumnElement[bool]:
    """Condition on Unit: it holds a counted assignment, a rectification item or a published criticism.

    The assignment part is asked unit by unit (an index on the unit's assignments answers it at
    the first counted one) rather than as the set of units of every assignment of the plans,
    which a database builds from all of a province's 200,000 rows. It is a scalar subquery with
    LIMIT 1, not EXISTS: PostgreSQL hashes an EXISTS under OR, which reads every assignment
    (49 ms at 200,000 rows; unit by unit, 10 ms).
    """
    plan_ids = [p.id for p in plans]
    return sa.or_(
        sa.select(Assignment.id).where(Assignment.unit_id == Unit.id, Assignment.plan_id.in_(plan_ids),
                                       Assignment.role.in_(COUNTED_ROLES)).limit(1).scalar_subquery().is_not(None),
        Unit.id.in_(
            sa.select(RectificationItem.unit_id)
            .join(RectificationNotice, RectificationItem.notice_id == RectificationNotice.id)
            .where(_rectification_scope(plans))
        ),
        Unit.id.in_(
            sa.select(CircularUnit.unit_id).join(Circular, CircularUnit.circular_id == Circular.id)
            .where(Circular.plan_id.in_(plan_ids), Circular.kind == "criticism", Circular.status == "published",
                   Circular.issued_on.is_not(None))
        ),
    )


# --- rubrics ----------------------------------------------------------------------------------------


def rubric_for_year(year: int) -> RubricDocument | None:
    return db.session.scalar(sa.select(RubricDocument).where(RubricDocument.year == year))


def present_unit_kinds() -> list[str] | None:
    """Return the kinds of the active units, or None when there are no units yet to check against."""
    kinds = list(db.session.scalars(sa.select(Unit.kind).where(Unit.is_active).distinct()))
    return kinds or None


# --- versions ---------------------------------------------------------------------------------------


def plan_versions(plan_id: int) -> sa.Select:
    """Select a plan's versions, newest first."""
    return (
        sa.select(AssessmentVersion).where(AssessmentVersion.plan_id == plan_id)
        .options(joinedload(AssessmentVersion.computed_by), joinedload(AssessmentVersion.frozen_by))
        .order_by(AssessmentVersion.number.desc())
    )


def latest_version(plan_id: int, *, frozen_only: bool = False, with_result: bool = True) -> AssessmentVersion | None:
    stmt = sa.select(AssessmentVersion).where(AssessmentVersion.plan_id == plan_id)
    if frozen_only:
        stmt = stmt.where(AssessmentVersion.is_frozen)
    if not with_result:
        stmt = stmt.options(defer(AssessmentVersion.result), defer(AssessmentVersion.rubric_snapshot))
    return db.session.scalar(stmt.order_by(AssessmentVersion.number.desc()).limit(1))


def unit_totals(version: AssessmentVersion) -> dict[int, object]:
    """Return each unit's total in a stored version.

    A version's result is written once and never changed (a new computation is a new
    version), so the parsed totals are kept per process, keyed by id and computation time.
    """
    return _unit_totals(version.id, version.computed_at.isoformat())


@lru_cache(maxsize=64)
def _unit_totals(version_id: int, computed_at: str) -> dict[int, object]:
    sheet = ScoreSheet.of(db.session.get(AssessmentVersion, version_id))
    return {unit_id: unit["total"] for unit_id, (_, unit) in sheet._units.items()}


def get_version_for(user, version_id: int) -> AssessmentVersion:
    """Return a version of a plan the user may see, or 404; reporters see published versions only."""
    from ..plans.queries import get_plan_for

    version = db.session.get(AssessmentVersion, version_id)
    if version is None:
        abort(404)
    get_plan_for(user, version.plan_id)
    if user.role == "reporter" and not version.is_frozen:
        abort(404)
    return version


def latest_versions(plan_ids: list[int], *, frozen_only: bool = False) -> dict[int, AssessmentVersion]:
    """Return the newest (published) version of each plan in one query."""
    if not plan_ids:
        return {}
    newest = sa.select(sa.func.max(AssessmentVersion.id)).where(AssessmentVersion.plan_id.in_(plan_ids))
    if frozen_only:
        newest = newest.where(AssessmentVersion.is_frozen)
    newest = newest.group_by(AssessmentVersion.plan_id)
    # Only the small columns: the result JSON of a province can run to megabytes.
    rows = db.session.scalars(
        sa.select(AssessmentVersion).where(AssessmentVersion.id.in_(newest))
        .options(load_only(AssessmentVersion.id, AssessmentVersion.plan_id, AssessmentVersion.number,
                                  AssessmentVersion.as_of, AssessmentVersion.is_frozen, AssessmentVersion.unit_count))
    )
    return {v.plan_id: v for v in rows}


def accepted_item_ids(plan_id: int) -> frozenset[str]:
    """Return the line items that accepted objections removed from the plan's later versions."""
    return frozenset(db.session.scalars(
        sa.select(Objection.item_id).where(Objection.plan_id == plan_id, Objection.status == "accepted")
    ))


@dataclass
class CategoryBlock:
    code: str | None
    name: str
    units: list[dict]


@dataclass
class ScoreSheet:
    """A stored version's result, read back for pages and workbooks."""

    rubric: Rubric
    as_of: date
    categories: list[CategoryBlock]
    excluded: list[str] = field(default_factory=list)
    #: unit id → (category code, unit result dict)
    _units: dict[int, tuple[str | None, dict]] = field(default_factory=dict)

    @classmethod
    def of(cls, version: AssessmentVersion) -> "ScoreSheet":
        rubric = load_rubric(version.rubric_snapshot)
        data = version.result
        blocks = [CategoryBlock(c.code, c.name, list(data.get("categories", {}).get(c.code, [])))
                  for c in rubric.categories]
        unranked = list(data.get("unranked", []))
        if unranked:
            blocks.append(CategoryBlock(None, "未分类单位（不参加排名）", unranked))
        sheet = cls(rubric=rubric, as_of=date.fromisoformat(data["as_of"]), categories=blocks,
                    excluded=list(data.get("excluded", [])))
        for block in blocks:
            for unit in block.units:
                sheet._units[unit["unit_id"]] = (block.code, unit)
        return sheet

    @property
    def unit_count(self) -> int:
        return len(self._units)

    def block(self, code: str | None) -> CategoryBlock | None:
        for b in self.categories:
            if b.code == code:
                return b
        return None

    def unit(self, unit_id: int) -> dict | None:
        found = self._units.get(unit_id)
        return found[1] if found else None

    def category_of(self, unit_id: int) -> str | None:
        found = self._units.get(unit_id)
        return found[0] if found else None

    def item(self, item_id: str) -> tuple[dict, dict] | None:
        """Return (unit result, line item) for a line item id, or None."""
        for _code, unit in self._units.values():
            for item in unit["items"]:
                if item["id"] == item_id:
                    return unit, item
        return None

    def rule_name(self, code: str) -> str:
        try:
            return self.rubric.rule(code).name
        except KeyError:
            return code

    def indicator_name(self, code: str | None) -> str:
        if code is None:
            return self.rubric.bonus.name
        try:
            return self.rubric.indicator(code).name
        except KeyError:
            return code


def item_links(items: list[dict]) -> dict[str, tuple[str, dict[str, Any], str]]:
    """Map line item ids to (endpoint, url arguments, anchor) of the record that caused them.

    Reports, rectification items and circulars are looked up in one query per kind.
    """
    by_type: dict[str, set[int]] = {}
    for item in items:
        by_type.setdefault(item["source_type"], set()).add(item["source_id"])
    report_assignment: dict[int, int] = {}
    if by_type.get("report"):
        report_assignment = dict(db.session.execute(
            sa.select(ProgressReport.id, ProgressReport.assignment_id).where(ProgressReport.id.in_(by_type["report"]))
        ).all())
    item_notice: dict[int, int] = {}
    if by_type.get("rectification"):
        item_notice = dict(db.session.execute(
            sa.select(RectificationItem.id, RectificationItem.notice_id)
            .where(RectificationItem.id.in_(by_type["rectification"]))
        ).all())
    appeal_request: dict[int, int] = {}
    if by_type.get("disclosure_appeal"):
        from ..disclosure.models import DisclosureAppeal

        appeal_request = dict(db.session.execute(
            sa.select(DisclosureAppeal.id, DisclosureAppeal.request_id)
            .where(DisclosureAppeal.id.in_(by_type["disclosure_appeal"]))
        ).all())
    out: dict[str, tuple[str, dict[str, Any], str]] = {}
    for item in items:
        kind, sid = item["source_type"], item["source_id"]
        if kind == "assignment":
            out[item["id"]] = ("reports.assignment", {"assignment_id": sid}, "")
        elif kind == "report" and sid in report_assignment:
            out[item["id"]] = ("reports.assignment", {"assignment_id": report_assignment[sid]}, "reports")
        elif kind == "rectification" and sid in item_notice:
            out[item["id"]] = ("supervise.notice", {"notice_id": item_notice[sid]}, f"item-{sid}")
        elif kind == "circular":
            out[item["id"]] = ("supervise.circular", {"circular_id": sid}, "")
        elif kind == "disclosure_request":
            out[item["id"]] = ("disclosure.detail", {"request_id": sid}, "")
        elif kind == "disclosure_appeal" and sid in appeal_request:
            out[item["id"]] = ("disclosure.detail", {"request_id": appeal_request[sid]}, "")
    return out


# --- bonuses and objections -------------------------------------------------------------------------


def plan_bonuses(plan: Plan) -> sa.Select:
    """Select the bonuses that count for a plan (its own and the year-wide ones), newest first."""
    return (
        sa.select(Bonus).where(_bonus_scope([plan]))
        .options(joinedload(Bonus.unit), joinedload(Bonus.entered_by))
        .order_by(Bonus.id.desc())
    )


def plan_units(plan: Plan) -> list[tuple[int, str]]:
    """Return (id, name) of the units holding a lead or responsible assignment in the plan, by name."""
    return [tuple(r) for r in db.session.execute(
        sa.select(Unit.id, Unit.name).where(Unit.id.in_(
            sa.select(Assignment.unit_id).where(Assignment.plan_id == plan.id, Assignment.role.in_(COUNTED_ROLES))
        )).order_by(*official_order())
    )]


def objections_for(user, *, plan_id: int | None = None, status: str | None = None,
                   unit_id: int | None = None) -> sa.Select:
    """Select objections on plans the user may see, open ones first, oldest first."""
    from ..plans.queries import visible_plans

    stmt = (
        sa.select(Objection)
        .where(Objection.plan_id.in_(visible_plans(user).with_only_columns(Plan.id)))
        .options(joinedload(Objection.unit), joinedload(Objection.filed_by), joinedload(Objection.decided_by),
                 joinedload(Objection.version).load_only(AssessmentVersion.id, AssessmentVersion.number,
                                                         AssessmentVersion.plan_id))
        .order_by(sa.case((Objection.status == "open", 0), else_=1), Objection.created_at, Objection.id)
    )
    if user.role == "reporter":
        stmt = stmt.where(Objection.unit_id == user.unit_id)
    if plan_id:
        stmt = stmt.where(Objection.plan_id == plan_id)
    if status:
        stmt = stmt.where(Objection.status == status)
    if unit_id:
        stmt = stmt.where(Objection.unit_id == unit_id)
    return stmt


def get_objection_for(user, objection_id: int) -> Objection:
    objection = db.session.scalar(objections_for(user).where(Objection.id == objection_id))
    if objection is None:
        abort(404)
    return objection


def version_objections(version_id: int, unit_id: int | None = None) -> dict[str, Objection]:
    """Return the objections filed on a version (one unit's when given), by line item id."""
    stmt = sa.select(Objection).where(Objection.version_id == version_id)
    if unit_id is not None:
        stmt = stmt.where(Objection.unit_id == unit_id)
    return {o.item_id: o for o in db.session.scalars(stmt.options(joinedload(Objection.decided_by)))}


def open_objection_counts(plan_ids: list[int]) -> dict[int, int]:
    if not plan_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Objection.plan_id, sa.func.count()).where(Objection.plan_id.in_(plan_ids), Objection.status == "open")
        .group_by(Objection.plan_id)
    ).all())

"""The facts scoring works on: plain, frozen records of what happened, one type per kind of event.

The database layer builds them; ``tracker.assessment.scoring`` reads nothing else. Ids are the
database ids of the rows the facts come from, so every line item can point back to its source.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple
from datetime import date
from decimal import Decimal

__all__ = [
    "AssignmentFact",
    "ReturnedReportFact",
    "MissedReportFact",
    "RectificationFact",
    "CircularFact",
    "BonusFact",
    "RequestFact",
    "AppealFact",
    "UnitFact",
    "Facts",
]


@dataclass(frozen=True)
class UnitFact:
    """A unit that is assessed."""

    id: int
    name: str
    #: Unit.kind: county_gov, city_dept, zone, town …
    kind: str
    #: the category stored on the unit (A, B); when the rubric knows it, it wins over the kind rule
    category: str | None = None


class AssignmentFact(NamedTuple):
    """One unit's share of one task, with its dates as they stand.

    A named tuple rather than a frozen dataclass, as immutable: a province's facts hold tens of
    thousands and a tuple is made several times faster.
    """

    id: int
    unit_id: int
    task_id: int
    #: lead | responsible | cooperating; cooperating assignments are never scored
    role: str
    #: the due date after any approved extension
    due_on: date | None
    #: the due date before any extension; None means it never moved
    original_due_on: date | None
    #: the local date the assignment was completed, None while open
    completed_at_date: date | None
    #: date | year_end | recurring | relative | window | continuous | default
    deadline_kind: str = "date"
    #: the task's clause reference, e.g. 一.（三）.2
    ref: str = ""
    title: str = ""


class ReturnedReportFact(NamedTuple):
    """A progress report the supervisor returned (退回); a named tuple, as a province has tens of thousands."""

    id: int
    unit_id: int
    assignment_id: int
    returned_on: date
    #: the clause reference and title of the assignment's task, which name it when the assignment
    #: itself is not among the facts; None when unknown (the assignment is then named by its id)
    task_ref: str | None = None
    task_title: str = ""


class MissedReportFact(NamedTuple):
    """A reporting period of a continuous task that closed without a report from the unit."""

    unit_id: int
    assignment_id: int
    #: last day of the period the report was due for
    period_end: date
    #: as for ReturnedReportFact
    task_ref: str | None = None
    task_title: str = ""


@dataclass(frozen=True)
class RectificationFact:
    """One item of a rectification notice (整改通知) addressed to a unit."""

    id: int
    unit_id: int
    #: the notice's number as issued, e.g. 整改〔2021〕3号
    notice_number: str
    due_on: date
    #: the date the supervisor closed the item out (销号), None while open
    closed_on: date | None = None


@dataclass(frozen=True)
class CircularFact:
    """A circular (通报) naming the unit."""

    id: int
    unit_id: int
    issued_on: date
    #: criticism | praise; only criticism is scored, praise earns points through a bonus entry
    kind: str
    title: str = ""


@dataclass(frozen=True)
class BonusFact:
    """Bonus points the supervisor entered for a unit, with the reason and its evidence."""

    id: int
    unit_id: int
    points: Decimal
    reason: str
    #: a reference to the evidence: document number, link or file name
    evidence: str = ""
    #: code of the rubric's bonus rule it falls under; empty means the rubric's first bonus rule
    rule: str = ""


class RequestFact(NamedTuple):
    """A request for government information (依申请公开) the unit handles, with its answer deadline."""

    id: int
    unit_id: int
    #: 登记编号
    serial: str
    #: the statutory clock's deadline after pauses, extension or an Art. 35 deadline
    due_on: date
    answered_on: date | None = None


@dataclass(frozen=True)
class AppealFact:
    """A 行政复议 or 行政诉讼 on one of the unit's answers, with its result."""

    id: int
    unit_id: int
    serial: str
    #: review | suit_direct | suit_after_review
    kind: str
    #: upheld | corrected | other | pending
    result: str
    decided_on: date | None = None


@dataclass(frozen=True)
class Facts:
    """Everything scoring needs to know about one assessment period."""

    units: tuple[UnitFact, ...] = ()
    assignments: tuple[AssignmentFact, ...] = ()
    returned_reports: tuple[ReturnedReportFact, ...] = ()
    missed_reports: tuple[MissedReportFact, ...] = ()
    rectifications: tuple[RectificationFact, ...] = ()
    circulars: tuple[CircularFact, ...] = ()
    bonuses: tuple[BonusFact, ...] = ()
    requests: tuple[RequestFact, ...] = ()
    appeals: tuple[AppealFact, ...] = ()

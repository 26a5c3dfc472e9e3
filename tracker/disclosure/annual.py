"""The annual report's sections 三 and 四 for one unit and year, counted straight from the register.

Section 三 (rows × applicant columns): 一 received this year; 二 carried over (received earlier,
unanswered on 1 January); 三 this year's answers by leaf; 四 carried forward (unanswered on
31 December). In every column 一 + 二 = （七）总计 + 四 holds by construction, and 二 of one year
equals 四 of the year before. Section 四: the reviews and lawsuits filed in the year, with the result
as it stood on 31 December (尚未审结 when decided later or not yet).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from . import categories as cat
from .models import DisclosureAppeal, DisclosureRequest

COLUMNS = tuple(cat.APPLICANT_TYPES)


@dataclass(frozen=True)
class GridRow:
    #: new | carried | <answer code> | group:<label> | total | forward
    key: str
    label: str
    #: 0 for the numbered rows, 1 for result groups, 2 for leaves under a group
    level: int
    #: applicant type -> count; None for a group heading without figures of its own
    counts: dict[str, int] | None

    @property
    def total(self) -> int | None:
        return None if self.counts is None else sum(self.counts.values())


@dataclass
class Figures:
    unit_id: int
    year: int
    rows: list[GridRow] = field(default_factory=list)
    #: appeal kind -> result -> count (section 四)
    appeals: dict[str, dict[str, int]] = field(default_factory=dict)

    def row(self, key: str) -> GridRow:
        return next(r for r in self.rows if r.key == key)

    def appeal_total(self, kind: str) -> int:
        return sum(self.appeals[kind].values())


def _counts(counter: Counter, key) -> dict[str, int]:
    return {c: counter[(key, c)] for c in COLUMNS}


def _grid(tally: Counter) -> list[GridRow]:
    rows = [GridRow("new", "一、本年新收政府信息公开申请数量", 0, _counts(tally, "new")),
            GridRow("carried", "二、上年结转政府信息公开申请数量", 0, _counts(tally, "carried"))]
    rows.append(GridRow("results", "三、本年度办理结果", 0, None))
    seen_groups: set[str] = set()
    for code, (group, leaf, _) in cat.ANSWERS.items():
        single = group.endswith(leaf) or leaf.startswith("部分公开")
        if single:
            rows.append(GridRow(code, group if group.endswith(leaf) else f"{group}", 1, _counts(tally, code)))
            continue
        if group not in seen_groups:
            seen_groups.add(group)
            rows.append(GridRow(f"group:{group}", group, 1, None))
        rows.append(GridRow(code, leaf, 2, _counts(tally, code)))
    rows.append(GridRow("total", "（七）总计", 1, _counts(tally, "total")))
    rows.append(GridRow("forward", "四、结转下年度继续办理", 0, _counts(tally, "forward")))
    return rows


#: the outcome bucket of a request still open on 31 December (its answer category otherwise)
_FORWARD = "~forward"


def tallies_three(unit_ids: list[int], year: int) -> dict[int, Counter]:
    """Return each unit's section 三 counts as (row, applicant type) → count, from one grouped query.

    Rows are new | carried | <answer code> | total | forward. The database counts (unit, applicant type,
    received this year or before, answer or still open) and sends a few counts per unit instead of
    every request.
    """
    first, last = date(year, 1, 1), date(year, 12, 31)
    r = DisclosureRequest
    received = sa.case((r.received_on >= first, "new"), else_="carried")
    outcome = sa.case((sa.and_(r.answered_on.is_not(None), r.answered_on <= last), r.answer_category),
                      else_=_FORWARD)
    stmt = (sa.select(r.unit_id, r.applicant_type, received, outcome, sa.func.count())
            .where(r.unit_id.in_(unit_ids), r.received_on <= last,
                   sa.or_(r.answered_on.is_(None), r.answered_on >= first))
            .group_by(r.unit_id, r.applicant_type, received, outcome))
    tallies: dict[int, Counter] = {unit_id: Counter() for unit_id in unit_ids}
    for unit_id, applicant_type, when, category, n in db.session.connection().execute(stmt):
        tally = tallies[unit_id]
        tally[(when, applicant_type)] += n
        if category == _FORWARD:
            tally[("forward", applicant_type)] += n
        else:
            tally[(category, applicant_type)] += n
            tally[("total", applicant_type)] += n
    return tallies


def sections_three(unit_ids: list[int], year: int) -> dict[int, list[GridRow]]:
    """Return section 三 of each unit, from one grouped query over the requests of all of them."""
    return {unit_id: _grid(tally) for unit_id, tally in tallies_three(unit_ids, year).items()}


def section_three(unit_id: int, year: int) -> list[GridRow]:
    return sections_three([unit_id], year)[unit_id]


def sections_four(unit_ids: list[int], year: int) -> dict[int, dict[str, dict[str, int]]]:
    """Return section 四 of each unit: the appeals filed in the year, as they stood on 31 December."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    a = DisclosureAppeal
    stmt = sa.select(DisclosureRequest.unit_id, a.kind, a.result, a.decided_on).join(DisclosureRequest).where(
        DisclosureRequest.unit_id.in_(unit_ids), a.filed_on >= first, a.filed_on <= last)
    out = {unit_id: {kind: {result: 0 for result in cat.APPEAL_RESULTS} for kind in cat.APPEAL_KINDS}
           for unit_id in unit_ids}
    for unit_id, kind, result, decided_on in db.session.connection().execute(stmt):
        if result != "pending" and (decided_on is None or decided_on > last):
            result = "pending"
        out[unit_id][kind][result] += 1
    return out


def section_four(unit_id: int, year: int) -> dict[str, dict[str, int]]:
    return sections_four([unit_id], year)[unit_id]


def figures_of(unit_ids: list[int], year: int) -> dict[int, Figures]:
    """Return sections 三 and 四 of many units' reports for a year, in two queries."""
    three, four = sections_three(unit_ids, year), sections_four(unit_ids, year)
    return {unit_id: Figures(unit_id=unit_id, year=year, rows=three[unit_id], appeals=four[unit_id])
            for unit_id in unit_ids}


def figures(unit_id: int, year: int) -> Figures:
    """Return sections 三 and 四 of a unit's annual report for a year."""
    return figures_of([unit_id], year)[unit_id]

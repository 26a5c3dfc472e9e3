"""Reads on annual reports shared by the views: scope, the year's roll-up, the public list."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort

from ..extensions import db
from ..supervise.queries import in_scope
from ..units.models import Unit, official_order
from . import checks, rollup, services
from .models import AnnualReport
from .reader import ReportData


def get_for(user, report_id: int) -> AnnualReport:
    """Return a report the user may see, or 404."""
    report = db.session.scalar(sa.select(AnnualReport).where(AnnualReport.id == report_id,
                                                             in_scope(user, AnnualReport.unit_id)))
    if report is None:
        abort(404)
    return report


def years_in_scope(user) -> list[int]:
    stmt = sa.select(AnnualReport.year).where(in_scope(user, AnnualReport.unit_id)).distinct()
    return sorted(db.session.scalars(stmt), reverse=True)


@dataclass
class RollupRow:
    unit: Unit
    report: AnnualReport | None
    #: checks.summary of the report now, with last year's report when stored
    result: dict | None


@dataclass
class Rollup:
    year: int
    rows: list[RollupRow]
    #: the summary table (sum of the reports) with its own checks, or None without reports
    summary: dict | None

    @property
    def reported(self) -> int:
        return sum(1 for r in self.rows if r.report is not None)

    @property
    def inconsistent(self) -> int:
        return sum(1 for r in self.rows if r.result is not None and not r.result["consistent"])


def rollup_for(user, year: int) -> Rollup:
    """Return every unit in the user's scope that owes a report, with its report for the year, checked, and the summary."""
    units = list(db.session.scalars(sa.select(Unit).where(Unit.is_active, in_scope(user, Unit.id),
                                                          services.reporting_units_condition(Unit.kind))
                                    .order_by(*official_order())))
    stored = db.session.scalars(sa.select(AnnualReport).where(AnnualReport.year.in_((year, year - 1)),
                                                              in_scope(user, AnnualReport.unit_id)))
    by_key = {(r.unit_id, r.year): r for r in stored}
    rows: list[RollupRow] = []
    datas: list[ReportData] = []
    for unit in units:
        report = by_key.get((unit.id, year))
        result = None
        if report is not None:
            data = ReportData.from_dict(report.content)
            previous = by_key.get((unit.id, year - 1))
            result = checks.summary(data, ReportData.from_dict(previous.content) if previous else None)
            datas.append(data)
        rows.append(RollupRow(unit, report, result))
    total = rollup.sum_reports(datas, year=year, name="辖区汇总")
    return Rollup(year, rows, checks.summary(total) if total else None)


def published(year: int | None = None) -> list[AnnualReport]:
    """Return the published reports (of one year, or all), newest year first, units in directory order."""
    stmt = (sa.select(AnnualReport).join(Unit, Unit.id == AnnualReport.unit_id)
            .where(AnnualReport.status == "published").order_by(AnnualReport.year.desc(), *official_order()))
    if year is not None:
        stmt = stmt.where(AnnualReport.year == year)
    return list(db.session.scalars(stmt))


def get_published(report_id: int) -> AnnualReport:
    report = db.session.get(AnnualReport, report_id)
    if report is None or not report.is_published:
        abort(404)
    return report

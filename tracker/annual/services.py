"""Writes on annual reports: import a checked report, publish and withdraw. Services flush, views commit."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import sqlalchemy as sa

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from ..reports import storage
from ..timeutil import utcnow
from ..units.models import Unit
from . import checks, reader
from .models import AnnualReport

#: Reports are for years the 条例 (2019 revision) template covers, up to a sane bound.
FIRST_YEAR, LAST_YEAR = 2019, 2100
MAX_BYTES = 20 * 1024 * 1024
#: Unit kinds that are governments (publish by 31 March, 条例 第五十条); every other kind is a department.
GOVERNMENT_KINDS = frozenset({"city_gov", "county_gov", "town"})
#: Kinds that write no report of their own (a 科室 reports through its unit).
EXEMPT_KINDS = frozenset({"office"})


def reporting_units_condition(unit_kind_column) -> sa.ColumnElement[bool]:
    """Condition on a unit kind column: the units that owe a report of their own."""
    return unit_kind_column.not_in(EXEMPT_KINDS)


class InconsistentReport(ServiceError):
    """The report reads but breaks rules; it can be imported only once the failures are confirmed."""

    def __init__(self, result: dict, sha256: str):
        super().__init__(f"报告有 {len(result['failures'])} 项勾稽关系不一致，确认后方可导入。")
        self.result = result
        self.sha256 = sha256


def _source_root() -> Path:
    return storage.upload_root() / "annual"


def keep_source(data: bytes) -> str:
    """Store an uploaded report file under its sha256 (once per content) and return the digest."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = storage.path_for(sha256, _source_root())
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".part")
        temp.write_bytes(data)
        os.replace(temp, path)
    return sha256


def source_bytes(sha256: str) -> bytes:
    """Return a stored report file; refuse an unknown digest."""
    try:
        return storage.path_for(sha256, _source_root()).read_bytes()
    except (ValueError, OSError):
        raise ServiceError("待确认的报告文件已失效，请重新上传。") from None


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ServiceError(f"年度应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间，收到的是 {year}。")
    return year


def report_for(unit_id: int, year: int) -> AnnualReport | None:
    return db.session.scalar(sa.select(AnnualReport).where(AnnualReport.unit_id == unit_id,
                                                           AnnualReport.year == year))


def last_year_data(unit_id: int, year: int) -> reader.ReportData | None:
    """Return the unit's stored report of the year before, as data, when there is one."""
    previous = report_for(unit_id, year - 1)
    return reader.ReportData.from_dict(previous.content) if previous else None


def check_stored(report: AnnualReport) -> dict:
    """Return a stored report's checks now (with last year's report if it has since been stored)."""
    return checks.summary(reader.ReportData.from_dict(report.content), last_year_data(report.unit_id, report.year))


def read_upload(data: bytes, filename: str) -> reader.ReportData:
    if len(data) > MAX_BYTES:
        raise ServiceError(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请确认上传的是年度报告。")
    try:
        return reader.read_file(data, filename)
    except reader.ReportReadError as exc:
        raise ServiceError(exc.message) from None


def import_report(actor, unit: Unit, year: int, data: bytes, filename: str, *, confirm: bool = False) -> AnnualReport:
    """Store a report file as the unit's report for the year; one with failed checks needs `confirm`.

    A stored draft for the same unit and year is replaced; a published one is refused. When the year's
    report assignments exist, the report is reported on the unit's assignment (tasks.submit_report).
    """
    check_year(year)
    report_data = read_upload(data, filename)
    if report_data.year is not None and report_data.year != year:
        raise ServiceError(f"报告标题中的年度是 {report_data.year} 年，与所选的 {year} 年不一致，请核对。")
    result = checks.summary(report_data, last_year_data(unit.id, year))
    sha256 = keep_source(data)
    if not result["consistent"] and not confirm:
        raise InconsistentReport(result, sha256)
    existing = report_for(unit.id, year)
    if existing is not None and existing.is_published:
        raise ServiceError(f"{unit.name} {year} 年度报告已发布，不能覆盖；如需更正，请先撤回发布。")
    before = snapshot(existing) if existing else None
    report = existing or AnnualReport(unit_id=unit.id, year=year)
    report.format = report_data.format
    report.content = report_data.to_dict()
    report.failures = result["failures"]
    report.is_consistent = result["consistent"]
    report.is_forced = not result["consistent"]
    report.source = "import"
    report.source_name = storage.sanitize_filename(filename)[:255] if filename else None
    report.source_sha256 = sha256
    report.status = "draft"
    report.created_by_id = getattr(actor, "id", None)
    if existing is None:
        db.session.add(report)
    db.session.flush()
    record(actor, "annual_report.import", "annual_report", report.id, before=before, after=snapshot(report))
    from .tasks import submit_report  # the report is the evidence on the unit's report assignment

    submit_report(actor, report, "导入")
    return report


def snapshot(report: AnnualReport) -> dict:
    return {"unit_id": report.unit_id, "year": report.year, "format": report.format, "status": report.status,
            "is_consistent": report.is_consistent, "is_forced": report.is_forced,
            "failures": len(report.failures or []), "source_name": report.source_name}


def publish(actor, report: AnnualReport) -> AnnualReport:
    """Publish a report on the public site."""
    if report.is_published:
        raise ServiceError("该年度报告已发布。")
    report.status = "published"
    report.published_at = utcnow()
    report.published_by_id = actor.id
    db.session.flush()
    record(actor, "annual_report.publish", "annual_report", report.id, before={"status": "draft"},
           after={"status": "published"})
    return report


def withdraw(actor, report: AnnualReport) -> AnnualReport:
    """Take a published report off the public site (back to draft)."""
    if not report.is_published:
        raise ServiceError("该年度报告尚未发布。")
    report.status = "draft"
    report.published_at = None
    report.published_by_id = None
    db.session.flush()
    record(actor, "annual_report.withdraw", "annual_report", report.id, before={"status": "published"},
           after={"status": "draft"})
    return report


def find_unit(name: str) -> Unit:
    """Return the unit with this full name, short name or alias; refuse an unknown or ambiguous name."""
    name = name.strip()
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == name))
    if unit is not None:
        return unit
    matches = [u for u in db.session.scalars(sa.select(Unit).where(Unit.is_active))
               if name == u.short_name or name in (u.aliases or [])]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ServiceError(f"“{name}”对应多个单位（{'、'.join(u.name for u in matches)}），请写全称。")
    raise ServiceError(f"未找到单位“{name}”，请填写单位全称。")

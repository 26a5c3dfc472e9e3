"""Build a unit's annual report from the tracker: sections 三 and 四 from the 依申请公开 register,
the carry-over checked against last year's stored report, 五 drafted from the year's overdue work and
rectifications, 六 with the fees collected. Section 二 and the prose stay as the unit last entered them.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from ..audit.services import record
from ..disclosure import annual as register
from ..disclosure.models import DisclosureRequest
from ..errors import ServiceError
from ..extensions import db
from ..plans.models import Assignment, Task
from ..plans.status import StatusRules
from ..supervise.models import RectificationItem
from ..units.models import Unit
from . import checks, services
from . import formats as F
from .models import AnnualReport
from .reader import ReportData

#: the register's applicant types → the report's columns
COLUMN_OF = {"natural": "natural", "business": "business", "research": "research",
             "public_interest": "nonprofit", "legal_service": "legal", "other_org": "other"}
#: the register's rows (its answer codes and its four numbered rows) → the report's rows
ROW_OF = {
    "new": "new", "carried": "carried_in", "total": "results_total", "forward": "carried_out",
    "open": "disclosed", "partial": "partly",
    "deny.secret": "withheld_secret", "deny.law": "withheld_law", "deny.safety": "withheld_safety",
    "deny.third_party": "withheld_third_party", "deny.internal": "withheld_internal",
    "deny.process": "withheld_process", "deny.enforcement": "withheld_enforcement", "deny.inquiry": "withheld_query",
    "none.not_held": "unable_not_held", "none.needs_making": "unable_needs_making", "none.unclear": "unable_unclear",
    "reject.petition": "refused_petition", "reject.repeat": "refused_repeat",
    "reject.publication": "refused_publication", "reject.mass": "refused_mass", "reject.confirm": "refused_confirm",
    "other.no_correction": "other_no_correction", "other.no_fee": "other_no_fee", "other.other": "other_other",
}
#: the register's appeal kinds → the report's section 四 blocks (results share their keys)
BLOCK_OF = {"review": "review", "suit_direct": "direct_suit", "suit_after_review": "suit_after_review"}


def _section4(appeals: dict) -> dict:
    section4 = {}
    for kind, block in BLOCK_OF.items():
        results = appeals.get(kind, {})
        parts = {col: results.get(col, 0) for col, _ in F.S4_PARTS}
        section4[block] = {**parts, "total": sum(parts.values())}
    return section4


def _section3_of(tally, fmt: F.Format) -> dict:
    """Return section 三 in the format's rows from the register's tally of one unit (tallies_three).

    Each count goes to its cell and to its row's 总计 at once, so no row is summed afterwards.
    """
    section3 = {row.key: dict.fromkeys(F.S3_COLUMN_KEYS, 0) for row in fmt.rows}
    for (code, applicant), count in tally.items():
        key = ROW_OF.get(code)
        if key is None or not count:
            continue
        if key not in section3:  # the 2019 format prints （六）其他处理 as one row
            key = "other_handling"
        cells = section3[key]
        cells[COLUMN_OF[applicant]] += count
        cells["total"] += count
    return section3


def fees_collected(unit_ids: list[int], year: int) -> dict[int, Decimal]:
    """Return the 信息处理费 each unit collected in the year (paid within it), in 元."""
    r = DisclosureRequest
    stmt = (sa.select(r.unit_id, sa.func.sum(r.fee_amount))
            .where(r.unit_id.in_(unit_ids), r.fee_paid_on >= date(year, 1, 1), r.fee_paid_on <= date(year, 12, 31))
            .group_by(r.unit_id))
    paid = {unit_id: Decimal(total or 0) for unit_id, total in db.session.execute(stmt)}
    return {unit_id: paid.get(unit_id, Decimal(0)) for unit_id in unit_ids}


def fees_text(amount: Decimal) -> str:
    if not amount:
        return "本年度未收取信息处理费。"
    return f"本年度依据《政府信息公开信息处理费管理办法》收取信息处理费 {amount.quantize(Decimal('0.01'))} 元。"


def problems_drafts(unit_ids: list[int], year: int) -> dict[int, str]:
    """Draft each unit's section 五 from the year's overdue assignments and its rectification items."""
    rules = StatusRules.at(date(year, 12, 31))
    overdue: dict[int, list[str]] = {unit_id: [] for unit_id in unit_ids}
    for unit_id, title in db.session.execute(
            sa.select(Assignment.unit_id, Task.title).join(Task, Assignment.task_id == Task.id)
            .where(Assignment.unit_id.in_(unit_ids), rules.overdue(), Assignment.due_on >= date(year, 1, 1))
            .order_by(Assignment.due_on, Assignment.id)):
        overdue[unit_id].append(title)
    items: dict[int, dict[str, int]] = {unit_id: {} for unit_id in unit_ids}
    for unit_id, status, count in db.session.execute(
            sa.select(RectificationItem.unit_id, RectificationItem.status, sa.func.count()).where(
                RectificationItem.unit_id.in_(unit_ids), RectificationItem.original_due_on >= date(year - 1, 1, 1),
                RectificationItem.original_due_on <= date(year, 12, 31))
            .group_by(RectificationItem.unit_id, RectificationItem.status)):
        items[unit_id][status] = count
    return {unit_id: _problems_text(year, overdue[unit_id], items[unit_id]) for unit_id in unit_ids}


def _problems_text(year: int, overdue: list[str], by_status: dict[str, int]) -> str:
    lines = []
    if overdue:
        named = "、".join(f"“{t}”" for t in overdue[:3]) + ("等" if len(overdue) > 3 else "")
        lines.append(f"存在的主要问题：截至{year}年12月31日，本单位有 {len(overdue)} 项政务公开工作任务逾期未完成，"
                     f"包括{named}。")
    else:
        lines.append(f"存在的主要问题：截至{year}年12月31日，本单位政务公开工作任务无逾期未完成事项。")
    if by_status:
        closed = by_status.get("closed", 0)
        lines.append(f"回头看整改事项 {sum(by_status.values())} 项，已销号 {closed} 项，"
                     f"尚未销号 {sum(by_status.values()) - closed} 项。")
    lines.append("改进情况：（请补充具体改进措施。）")
    return "\n".join(lines)


def _blank_section2(fmt: F.Format) -> dict:
    return {item.key: {key: {col: (0 if kind != "amount" else "0") for col, _, kind in item.columns}
                       for key, _ in item.rows} for item in fmt.items}


def build_many(units: list[Unit], year: int, existing: dict[int, AnnualReport] | None = None) -> list[ReportData]:
    """Return the units' reports for the year built from the tracker (a few queries for all of them).

    What a unit entered in a stored report of the same format (section 二, section 一, and 五 and 六
    when edited in the web) is kept.
    """
    fmt = F.get_format(F.format_for_year(year))
    ids = [unit.id for unit in units]
    tallies = register.tallies_three(ids, year)
    appeals = register.sections_four(ids, year)
    fees = fees_collected(ids, year)
    problems = problems_drafts(ids, year)
    out = []
    for unit in units:
        section3, section4 = _section3_of(tallies[unit.id], fmt), _section4(appeals[unit.id])
        stored = (existing or {}).get(unit.id)
        kept = ReportData.from_dict(stored.content) if stored is not None and stored.format == fmt.key else None
        edited = [key for key in (kept.edited if kept else []) if key in F.TEXT_SECTIONS]
        texts = {"s1": kept.texts.get("s1", "") if kept else "", "s5": problems[unit.id],
                 "s6": fees_text(fees[unit.id])}
        for key in edited:  # what a person wrote stays
            texts[key] = kept.texts.get(key, "")
        out.append(ReportData(format=fmt.key, unit_name=unit.name, year=year, texts=texts,
                              section2=kept.section2 if kept and kept.section2 else _blank_section2(fmt),
                              section3=section3, split_other=fmt.split_other, section4=section4, edited=edited))
    return out


def build_data(unit: Unit, year: int, existing: AnnualReport | None = None) -> ReportData:
    """Return one unit's report for the year built from the tracker."""
    return build_many([unit], year, {unit.id: existing} if existing else None)[0]


def build_report(actor, unit: Unit, year: int) -> tuple[AnnualReport, dict]:
    """Build and store the unit's draft report for the year; return it and its checks.

    The register makes sections 三 and 四 consistent by construction; the carry-over is checked
    against last year's stored report (an imported one may say otherwise than the register).
    """
    services.check_year(year)
    existing = services.report_for(unit.id, year)
    if existing is not None and existing.is_published:
        raise ServiceError(f"{unit.name} {year} 年度报告已发布，不能重新生成；如需更正，请先撤回发布。")
    data = build_data(unit, year, existing)
    result = checks.summary(data, services.last_year_data(unit.id, year))
    before = services.snapshot(existing) if existing else None
    report = existing or AnnualReport(unit_id=unit.id, year=year)
    report.format = data.format
    report.content = data.to_dict()
    report.failures = result["failures"]
    report.is_consistent = result["consistent"]
    report.is_forced = False
    report.source, report.source_name, report.source_sha256 = "build", None, None
    report.status = "draft"
    report.created_by_id = getattr(actor, "id", None)
    if existing is None:
        db.session.add(report)
    db.session.flush()
    record(actor, "annual_report.build", "annual_report", report.id, before=before, after=services.snapshot(report))
    return report, result

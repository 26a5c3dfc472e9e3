"""Every rule of the annual report's tables, checked; each failure names its row and column in Chinese.

Pure. Section 三, in every column: 新收 + 上年结转 = 办理结果总计 + 结转下年度 (the rule printed
in the table's heading); each row's 总计 = the sum of its applicant columns; （七）总计 = the sum of the
result rows; with last year's report known, 上年结转 = last year's 结转下年度. Section 四: each 总计
is the sum of its four parts.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from . import formats as F
from .reader import ReportData

RULES = {
    "balance": "新收加上年结转等于办理结果总计加结转下年度",
    "row_total": "各行总计等于各申请人列之和",
    "results_total": "办理结果总计等于各办理结果之和",
    "carry_over": "上年结转等于上年报告的结转下年度",
    "s4_total": "行政复议、行政诉讼总计等于各结果之和",
}


@dataclass
class Check:
    #: one of RULES
    rule: str
    #: "三" or "四"
    section: str
    #: the row (or block) and column the check is about, as the report prints them
    row: str
    column: str
    ok: bool
    message: str
    #: the cells the rule covers, as (row key, column key) of the section's table, for marking them red
    cells: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _label(key: str) -> str:
    return F.s3_row_label(key)


def check_report(report: ReportData, last_year: ReportData | None = None) -> list[Check]:
    """Return every check of the report's tables, passed or failed, in table order."""
    checks: list[Check] = []
    s3 = report.section3
    rows = report.s3_rows()
    result_keys = [row.key for row in rows if row.is_result]

    for key, label, _ in F.S3_COLUMNS:
        left = s3["new"][key] + s3["carried_in"][key]
        right = s3["results_total"][key] + s3["carried_out"][key]
        ok = left == right
        message = "" if ok else (
            f"第三部分「{label}」列：一、本年新收（{s3['new'][key]}）加二、上年结转（{s3['carried_in'][key]}）"
            f"为 {left}，不等于（七）总计（{s3['results_total'][key]}）加四、结转下年度"
            f"（{s3['carried_out'][key]}）的 {right}")
        checks.append(Check("balance", "三", "一＋二＝（七）＋四", label, ok, message,
                            [(row, key) for row in ("new", "carried_in", "results_total", "carried_out")]))

    for row in rows:
        values = s3[row.key]
        parts = sum(values[key] for key in F.APPLICANT_KEYS)
        ok = parts == values["total"]
        message = "" if ok else (
            f"第三部分「{_label(row.key)}」行「总计」列为 {values['total']}，"
            f"不等于各申请人列（自然人至其他）之和 {parts}")
        checks.append(Check("row_total", "三", _label(row.key), "总计", ok, message, [(row.key, "total")]))

    for key, label, _ in F.S3_COLUMNS:
        parts = sum(s3[row][key] for row in result_keys)
        ok = parts == s3["results_total"][key]
        message = "" if ok else (
            f"第三部分「（七）总计」行「{label}」列为 {s3['results_total'][key]}，"
            f"不等于（一）至（六）各办理结果之和 {parts}")
        checks.append(Check("results_total", "三", "（七）总计", label, ok, message, [("results_total", key)]))

    if last_year is not None:
        for key, label, _ in F.S3_COLUMNS:
            this, last = s3["carried_in"][key], last_year.section3["carried_out"][key]
            ok = this == last
            message = "" if ok else (
                f"第三部分「二、上年结转政府信息公开申请数量」行「{label}」列为 {this}，"
                f"不等于上年度报告「四、结转下年度继续办理」的 {last}")
            checks.append(Check("carry_over", "三", "二、上年结转政府信息公开申请数量", label, ok, message,
                                [("carried_in", key)]))

    for block, block_label in F.S4_BLOCKS:
        values = report.section4[block]
        parts = sum(values[key] for key, _ in F.S4_PARTS)
        ok = parts == values["total"]
        message = "" if ok else (
            f"第四部分「{block_label}」「总计」列为 {values['total']}，"
            f"不等于结果维持、结果纠正、其他结果、尚未审结之和 {parts}")
        checks.append(Check("s4_total", "四", block_label, "总计", ok, message, [(block, "total")]))
    return checks


def failures(checks: list[Check]) -> list[Check]:
    return [check for check in checks if not check.ok]


def failed_cells(result: dict) -> set[str]:
    """Return "row:column" of every cell a failed check covers (section 三 rows and section 四 blocks)."""
    return {f"{row}:{col}" for failure in result["failures"] for row, col in failure["cells"]}


def summary(report: ReportData, last_year: ReportData | None = None) -> dict:
    """Return the report as data with its checks and `consistent`, the shape `check --json` prints."""
    checks = check_report(report, last_year)
    failed = failures(checks)
    return {
        **report.to_dict(),
        "checks": [check.to_dict() for check in checks],
        "failures": [check.to_dict() for check in failed],
        "consistent": not failed,
        "carry_over_checked": last_year is not None,
    }

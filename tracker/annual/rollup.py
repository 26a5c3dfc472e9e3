"""The jurisdiction's summary table: the sum of its units' reports, as one report that can be checked. Pure."""
from __future__ import annotations

from . import formats as F
from .reader import ReportData


def sum_reports(reports: list[ReportData], *, year: int | None = None, name: str = "汇总") -> ReportData | None:
    """Return one report whose section 三 and 四 cells are the sums of the reports' cells.

    （六）其他处理 is summed as three rows only if every report prints it so; otherwise the split rows
    of the reports that have them are folded into the one row, so no application is lost.
    """
    if not reports:
        return None
    split = all(r.split_other for r in reports)
    rows = F.s3_rows(split)
    section3 = {row.key: dict.fromkeys(F.S3_COLUMN_KEYS, 0) for row in rows}
    for report in reports:
        for key, values in report.section3.items():
            target = key if key in section3 else "other_handling"
            for col in F.S3_COLUMN_KEYS:
                section3[target][col] += values[col]
    section4 = {block: dict.fromkeys(dict(F.S4_COLUMNS), 0) for block, _ in F.S4_BLOCKS}
    for report in reports:
        for block, values in report.section4.items():
            for col, value in values.items():
                section4[block][col] += value
    formats = {r.format for r in reports}
    fmt = formats.pop() if len(formats) == 1 else F.format_for_year(year or 2021)
    return ReportData(format=fmt, unit_name=name, year=year, section3=section3, split_other=split, section4=section4)

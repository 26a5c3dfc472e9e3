"""Property: any consistent set of tables passes every check, and any single changed number fails one."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.annual import checks, reader
from tracker.annual import formats as F
from tracker.annual.reader import ReportData

from .helpers import render_text

pytestmark = pytest.mark.no_db

PROPS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def consistent_reports(draw) -> ReportData:
    fmt = F.get_format(draw(st.sampled_from([F.FORMAT_2019, F.FORMAT_2021])))
    split_other = fmt.split_other if draw(st.booleans()) else not fmt.split_other
    rows = F.s3_rows(split_other)
    small = st.integers(min_value=0, max_value=40)
    s3: dict[str, dict[str, int]] = {row.key: {} for row in rows}
    for col in F.APPLICANT_KEYS:
        results = 0
        for row in rows:
            if row.is_result:
                s3[row.key][col] = draw(small)
                results += s3[row.key][col]
        s3["results_total"][col] = results
        s3["carried_out"][col] = draw(small)
        s3["carried_in"][col] = draw(st.integers(min_value=0, max_value=results + s3["carried_out"][col]))
        s3["new"][col] = results + s3["carried_out"][col] - s3["carried_in"][col]
    for row in rows:
        s3[row.key]["total"] = sum(s3[row.key][col] for col in F.APPLICANT_KEYS)
    s4 = {}
    for block, _ in F.S4_BLOCKS:
        parts = {col: draw(small) for col, _ in F.S4_PARTS}
        s4[block] = {**parts, "total": sum(parts.values())}
    s2 = {item.key: {key: {col: (draw(small) if kind == "count" else
                                 draw(st.integers(-9, 9)) if kind == "delta" else str(draw(small)))
                           for col, _, kind in item.columns}
                     for key, _ in item.rows}
          for item in fmt.items}
    return ReportData(format=fmt.key, unit_name="某某市某某局", year=2020 if fmt.key == "2019" else 2022,
                      texts={"s1": "概述。", "s5": "无。", "s6": "无。"}, section2=s2, section3=s3,
                      split_other=split_other, section4=s4)


def cells(report: ReportData):
    for row in report.s3_rows():
        for col in F.S3_COLUMN_KEYS:
            yield ("section3", row.key, col)
    for block, _ in F.S4_BLOCKS:
        for col, _ in F.S4_COLUMNS:
            yield ("section4", block, col)


@PROPS
@given(consistent_reports())
def test_consistent_tables_pass_and_read_back_unchanged(report):
    assert checks.summary(report)["consistent"]
    again = reader.read_text(render_text(report.to_dict()))
    assert again.to_dict() == report.to_dict()
    assert checks.summary(again)["consistent"]


@PROPS
@given(consistent_reports(), st.data())
def test_any_single_changed_number_fails_a_check_naming_that_cell(report, data):
    section, row, col = data.draw(st.sampled_from(list(cells(report))))
    table = getattr(report, section)
    value = table[row][col]
    delta = data.draw(st.integers(min_value=-value, max_value=30).filter(lambda d: d != 0))
    table[row][col] = value + delta
    failed = checks.failures(checks.check_report(report))
    assert failed
    # The changed cell is named: its row (or its column, for a column rule) appears in a failure.
    if section == "section4":
        assert any(f.row == F.S4_BLOCK_LABELS[row] for f in failed)
    else:
        label, column = F.s3_row_label(row), F.S3_COLUMN_LABELS[col]
        assert any(f.row == label or f.column == column for f in failed)


@PROPS
@given(st.lists(consistent_reports(), min_size=1, max_size=5))
def test_the_sum_of_consistent_reports_is_consistent_and_adds_every_cell(reports):
    from tracker.annual.rollup import sum_reports

    total = sum_reports(reports, year=2022)
    assert checks.summary(total)["consistent"]
    for col in F.S3_COLUMN_KEYS:
        assert total.section3["new"][col] == sum(r.section3["new"][col] for r in reports)
        assert total.section3["results_total"][col] == sum(r.section3["results_total"][col] for r in reports)
    assert total.section4["review"]["total"] == sum(r.section4["review"]["total"] for r in reports)
    assert total.split_other == all(r.split_other for r in reports)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_reports())
def test_the_word_document_reads_back_to_the_same_tables(report):
    from tracker.annual.document import render

    again = reader.read_file(render(report, "某某市某某局", report.year), "r.docx")
    assert again.to_dict() == report.to_dict()

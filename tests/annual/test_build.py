"""Build a unit's report from the 依申请公开 register; figures tallied by hand; random registers keep every rule."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.disclosure.conftest import AS_OF, register
from tracker.annual import build, checks, services
from tracker.annual import formats as F
from tracker.annual.reader import ReportData
from tracker.disclosure import categories as cat
from tracker.disclosure import services as disclosure
from tracker.disclosure.models import DisclosureAppeal, DisclosureRequest
from tracker.errors import ServiceError
from tracker.extensions import db

from .helpers import SEED_002

D = date


def _answer(world, req, category, on):
    disclosure.answer(world.reporter, req, category=category, on=on, text="", as_of=AS_OF)


def _register_2021(world):
    a = register(world, received=D(2020, 12, 21), applicant_type="natural")  # carried into 2021
    _answer(world, a, "open", D(2021, 1, 11))
    c = register(world, received=D(2021, 3, 1), applicant_type="natural")
    _answer(world, c, "deny.secret", D(2021, 3, 19))
    d = register(world, received=D(2021, 5, 6), applicant_type="research")
    _answer(world, d, "partial", D(2021, 5, 20))
    e = register(world, received=D(2021, 6, 1), applicant_type="business")
    _answer(world, e, "other.other", D(2021, 7, 1))
    register(world, received=D(2021, 12, 20), applicant_type="legal_service")  # open at year end
    review = disclosure.add_appeal(world.reporter, c, kind="review", filed_on=D(2021, 4, 1), as_of=AS_OF)
    disclosure.decide_appeal(world.reporter, review, result="corrected", decided_on=D(2021, 6, 1), as_of=AS_OF)
    d.fee_amount, d.fee_paid_on = Decimal("100.00"), D(2021, 5, 18)
    db.session.flush()


def _row(data, key):
    return {k: v for k, v in data["section3"][key].items() if v}


def test_the_2021_report_is_built_from_the_register(world):
    _register_2021(world)
    report, result = build.build_report(world.supervisor, world.finance, 2021)
    data = report.content
    assert (report.format, report.source, report.status) == ("2021", "build", "draft")
    # By hand: new c, d, e, the legal-service one; carried a; answered a, c, d, e; open at year end 1.
    assert _row(data, "new") == {"natural": 1, "research": 1, "business": 1, "legal": 1, "total": 4}
    assert _row(data, "carried_in") == {"natural": 1, "total": 1}
    assert _row(data, "disclosed") == {"natural": 1, "total": 1}
    assert _row(data, "withheld_secret") == {"natural": 1, "total": 1}
    assert _row(data, "partly") == {"research": 1, "total": 1}
    assert _row(data, "other_other") == {"business": 1, "total": 1}  # the 2021 format splits （六）
    assert _row(data, "results_total") == {"natural": 2, "research": 1, "business": 1, "total": 4}
    assert _row(data, "carried_out") == {"legal": 1, "total": 1}
    assert data["section4"]["review"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1}
    assert data["texts"]["s6"] == "本年度依据《政府信息公开信息处理费管理办法》收取信息处理费 100.00 元。"
    assert data["texts"]["s5"].startswith("存在的主要问题：截至2021年12月31日")
    assert result["consistent"] and report.is_consistent
    assert not result["carry_over_checked"]  # no 2020 report stored


def test_the_carry_over_is_checked_against_last_years_stored_report(world):
    _register_2021(world)
    services.import_report(world.supervisor, world.finance, 2020, SEED_002.read_bytes(), "2020.txt")
    _, result = build.build_report(world.supervisor, world.finance, 2021)
    # Seed 002 carried 1 (自然人) into 2021, and the register carries request a (自然人): the same.
    assert result["carry_over_checked"] and result["consistent"]


def test_a_register_that_lost_last_years_carry_over_is_caught(world):
    c = register(world, received=D(2021, 3, 1), applicant_type="natural")
    _answer(world, c, "open", D(2021, 3, 19))
    services.import_report(world.supervisor, world.finance, 2020, SEED_002.read_bytes(), "2020.txt")
    report, result = build.build_report(world.supervisor, world.finance, 2021)
    assert {(f["rule"], f["column"]) for f in result["failures"]} == {("carry_over", "自然人"), ("carry_over", "总计")}
    assert not report.is_consistent


def test_a_2020_report_uses_the_2019_format_with_one_other_handling_row(world):
    a = register(world, received=D(2020, 3, 2), applicant_type="natural")
    _answer(world, a, "other.no_correction", D(2020, 4, 1))
    report, result = build.build_report(world.supervisor, world.finance, 2020)
    assert report.format == "2019" and not report.content["split_other"]
    assert _row(report.content, "other_handling") == {"natural": 1, "total": 1}
    assert result["consistent"]


def test_rebuilding_keeps_the_draft_and_a_published_report_is_refused(world):
    _register_2021(world)
    first, _ = build.build_report(world.supervisor, world.finance, 2021)
    again, _ = build.build_report(world.supervisor, world.finance, 2021)
    assert again.id == first.id
    services.publish(world.supervisor, again)
    with pytest.raises(ServiceError, match="已发布，不能重新生成"):
        build.build_report(world.supervisor, world.finance, 2021)


def test_cli_build_prints_the_checks_and_writes_word(runner, world, tmp_path):
    _register_2021(world)
    db.session.commit()
    out = tmp_path / "r.docx"
    result = runner.invoke(args=["annual-report", "build", "--unit", "测试市财政局", "--year", "2021", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成 测试市财政局 2021 年度报告草稿（2021年版格式（国办公开办函〔2021〕30号））" in result.output
    assert "勾稽关系一致" in result.output
    from tracker.annual import reader

    assert reader.read_file(out.read_bytes(), "r.docx").section3["new"]["total"] == 4


# ---------------------------------------------------------------- random registers

YEAR = 2021
days = st.integers(min_value=-400, max_value=400).map(lambda n: D(YEAR, 1, 1) + timedelta(days=n))
requests = st.lists(st.tuples(
    st.sampled_from(sorted(cat.APPLICANT_TYPES)), days, st.one_of(st.none(), st.integers(0, 200)),
    st.sampled_from(sorted(cat.ANSWERS)),
    st.one_of(st.none(), st.tuples(st.sampled_from(sorted(cat.APPEAL_KINDS)), st.sampled_from(sorted(cat.APPEAL_RESULTS)),
                                   days, st.integers(0, 300))),
), max_size=30)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=requests)
def test_a_report_built_from_any_register_keeps_every_rule(world, rows):
    savepoint = db.session.begin_nested()
    try:
        for n, (applicant, received, answer_after, category, appeal) in enumerate(rows):
            answered = received + timedelta(days=answer_after) if answer_after is not None else None
            req = DisclosureRequest(unit_id=world.finance.id, serial=f"P{n}", channel="in_person", received_on=received,
                                    applicant_type=applicant, applicant_name="某", content="某", due_on=received,
                                    correction_notice_by=received, state="answered" if answered else "open",
                                    answer_category=category if answered else None, answered_on=answered)
            db.session.add(req)
            if appeal is not None:
                kind, result, filed_on, decided_after = appeal
                req.appeals.append(DisclosureAppeal(
                    kind=kind, result=result, filed_on=filed_on,
                    decided_on=None if result == "pending" else filed_on + timedelta(days=decided_after)))
        db.session.flush()
        this_year = build.build_data(world.finance, YEAR)
        last_year = build.build_data(world.finance, YEAR - 1)
        result = checks.summary(this_year, last_year)
        assert result["consistent"], result["failures"]
        assert this_year.format == "2021" and last_year.format == "2019"
        # every request received by year end and not answered before the year is in the table
        counted = sum(1 for _, received, after, _, _ in rows if received <= D(YEAR, 12, 31)
                      and (after is None or received + timedelta(days=after) >= D(YEAR, 1, 1)))
        assert this_year.section3["new"]["total"] + this_year.section3["carried_in"]["total"] == counted
        assert ReportData.from_dict(this_year.to_dict()).to_dict() == this_year.to_dict()
    finally:
        savepoint.rollback()


def test_the_section_map_covers_every_register_row():
    assert set(build.ROW_OF) >= set(cat.ANSWERS) | {"new", "carried", "total", "forward"}
    assert set(build.COLUMN_OF) == set(cat.APPLICANT_TYPES)
    assert set(build.COLUMN_OF.values()) == set(F.APPLICANT_KEYS)
    assert set(build.BLOCK_OF) == set(cat.APPEAL_KINDS)

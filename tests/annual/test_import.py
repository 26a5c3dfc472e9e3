"""Import a checked report as a unit's report for its year; an inconsistent one only when confirmed."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.annual import services
from tracker.annual.models import AnnualReport
from tracker.audit.models import AuditEvent
from tracker.errors import ServiceError
from tracker.extensions import db

from .helpers import REPORT_2021, SEED_002, replace_line, seed_text

SEED = SEED_002.read_bytes()
#: REPORT_2021 carrying in nothing, though seed 002 carried 1 (自然人) into 2021.
NO_CARRY = replace_line(
    replace_line(REPORT_2021, "二、上年结转", "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0"),
    "一、本年新收", "一、本年新收政府信息公开申请数量\t\t6\t1\t0\t0\t0\t0\t7").encode()


def reports() -> list[AnnualReport]:
    return list(db.session.scalars(sa.select(AnnualReport)))


def test_importing_seed_002_stores_its_tables_as_a_consistent_draft(world):
    report = services.import_report(world.supervisor, world.finance, 2020, SEED, "2020年报.txt")
    assert (report.unit_id, report.year, report.format, report.status) == (world.finance.id, 2020, "2019", "draft")
    assert report.is_consistent and not report.is_forced and report.failures == []
    assert report.content["section3"]["carried_out"]["total"] == 1
    assert report.source_name == "2020年报.txt"
    assert services.source_bytes(report.source_sha256) == SEED
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "annual_report.import"))
    assert event.object_id == report.id and event.actor_id == world.supervisor.id


def test_next_years_report_is_checked_against_the_stored_carry_over(world):
    services.import_report(world.supervisor, world.finance, 2020, SEED, "2020.txt")
    with pytest.raises(services.InconsistentReport) as err:
        services.import_report(world.supervisor, world.finance, 2021, NO_CARRY, "2021.txt")
    assert {(f["rule"], f["column"]) for f in err.value.result["failures"]} == {
        ("carry_over", "自然人"), ("carry_over", "总计")}
    assert "确认后方可导入" in err.value.message
    assert [r.year for r in reports()] == [2020]  # nothing stored
    # REPORT_2021 carries in seed 002's 1 application: consistent.
    report = services.import_report(world.supervisor, world.finance, 2021, REPORT_2021.encode(), "2021.txt")
    assert report.is_consistent and report.format == "2021"


def test_an_inconsistent_report_is_stored_only_when_confirmed_with_its_failures(world):
    bad = replace_line(seed_text(), "\t(七) 总计", "\t(七) 总计\t\t12\t0\t0\t0\t0\t0\t12").encode()
    with pytest.raises(services.InconsistentReport):
        services.import_report(world.supervisor, world.finance, 2020, bad, "bad.txt")
    assert reports() == []
    report = services.import_report(world.supervisor, world.finance, 2020, bad, "bad.txt", confirm=True)
    assert report.is_forced and not report.is_consistent
    assert {(f["row"], f["column"]) for f in report.failures} >= {("（七）总计", "自然人")}


def test_reimport_replaces_a_draft_but_not_a_published_report(world):
    first = services.import_report(world.supervisor, world.finance, 2020, SEED, "a.txt")
    again = services.import_report(world.supervisor, world.finance, 2020, SEED, "b.txt")
    assert again.id == first.id and again.source_name == "b.txt"
    services.publish(world.supervisor, again)
    with pytest.raises(ServiceError, match="已发布，不能覆盖"):
        services.import_report(world.supervisor, world.finance, 2020, SEED, "c.txt")
    services.withdraw(world.supervisor, again)
    assert services.import_report(world.supervisor, world.finance, 2020, SEED, "c.txt").source_name == "c.txt"


@pytest.mark.parametrize("year, data, message", [
    (2021, SEED, "报告标题中的年度是 2020 年，与所选的 2021 年不一致"),
    (2018, SEED, "年度应在 2019 至 2100 之间"),
    (2020, "会议通知".encode(), "未找到年度报告的表格"),
])
def test_bad_imports_are_refused_and_store_nothing(world, year, data, message):
    with pytest.raises(ServiceError, match=message):
        services.import_report(world.supervisor, world.finance, year, data, "x.txt")
    assert reports() == []


def test_cli_import_refuses_an_inconsistent_report_without_force(runner, world, tmp_path):
    db.session.commit()  # the command rolls back on refusal: the world must outlive it
    path = tmp_path / "bad.txt"
    path.write_text(replace_line(seed_text(), "\t(七) 总计", "\t(七) 总计\t\t12\t0\t0\t0\t0\t0\t12"), encoding="utf-8")
    refused = runner.invoke(args=["annual-report", "import", str(path), "--unit", "测试市财政局", "--year", "2020"])
    assert refused.exit_code != 0
    assert "第三部分「（七）总计」行「自然人」列为 12" in refused.output and "--force" in refused.output
    assert reports() == []
    # 14+0 ≠ 12+1 and 3+1+1+8 ≠ 12, each in 自然人 and in 总计: 4 failures
    forced = runner.invoke(args=["annual-report", "import", str(path), "--unit", "市财政局", "--year", "2020", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "已导入 测试市财政局 2020 年度报告（2019年版格式（国办公开办函〔2019〕60号）），勾稽关系不一致（4 项，已确认导入）" \
        in forced.output
    assert reports()[0].is_forced


def test_cli_import_of_seed_002_and_unknown_unit(runner, world):
    db.session.commit()
    ok = runner.invoke(args=["annual-report", "import", str(SEED_002), "--unit", "测试市财政局", "--year", "2020"])
    assert ok.exit_code == 0 and "勾稽关系一致，状态：草稿" in ok.output
    unknown = runner.invoke(args=["annual-report", "import", str(SEED_002), "--unit", "不存在局", "--year", "2020"])
    assert unknown.exit_code != 0 and "未找到单位“不存在局”" in unknown.output

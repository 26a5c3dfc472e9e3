"""Annual report pages by role: import with confirmation, the roll-up with its summary, publish, public pages."""
from __future__ import annotations

import io
import re
from datetime import date

import sqlalchemy as sa

from tracker.annual import services
from tracker.annual.models import AnnualReport
from tracker.extensions import db

from .helpers import SEED_002, replace_line, seed_text

SEED = SEED_002.read_bytes()
#: Seed 002 with （七）总计 printed as 12 (the results add up to 13): 4 failures.
BAD = replace_line(seed_text(), "\t(七) 总计", "\t(七) 总计\t\t12\t0\t0\t0\t0\t0\t12").encode()


def upload(client, unit_id: int, year: int, data: bytes, name: str = "报告.txt"):
    return client.post("/annual-reports/import", data={"unit_id": unit_id, "year": year,
                                                       "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def stored() -> list[AnnualReport]:
    return list(db.session.scalars(sa.select(AnnualReport).order_by(AnnualReport.id)))


def test_supervisor_imports_seed_002_and_sees_its_tables(client, auth, world):
    auth.login(world.supervisor)
    resp = upload(client, world.finance.id, 2020, SEED)
    assert resp.status_code == 302
    report = stored()[0]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "测试市财政局 2020年度政府信息公开工作年度报告" in page
    assert "勾稽关系一致：40 项校验全部通过" in page
    assert "三、收到和处理政府信息公开申请情况" in page and "（本列数据的勾稽关系为" in page
    assert "table-danger" not in page
    assert report.is_consistent


def test_an_inconsistent_upload_shows_its_failures_and_needs_confirming(client, auth, world):
    auth.login(world.supervisor)
    resp = upload(client, world.finance.id, 2020, BAD)
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert "第三部分「（七）总计」行「自然人」列为 12，不等于（一）至（六）各办理结果之和 13" in page
    assert 'data-confirm="确定导入这份勾稽关系不一致的年度报告？"' in page
    assert stored() == []
    sha256 = re.search(r'name="sha256" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    resp = client.post("/annual-reports/import/confirm", data={"unit_id": world.finance.id, "year": 2020,
                                                               "sha256": sha256, "filename": "报告.txt"})
    assert resp.status_code == 302
    (report,) = stored()
    assert report.is_forced and len(report.failures) == 4
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "导入时勾稽关系不一致 4 项，已确认导入" in page
    assert page.count("table-danger") >= 4  # the failed cells are red


def test_a_forged_confirm_is_refused(client, auth, world):
    auth.login(world.supervisor)
    resp = client.post("/annual-reports/import/confirm", data={"unit_id": world.finance.id, "year": 2020,
                                                               "sha256": "0" * 64, "filename": "x.txt"},
                       follow_redirects=True)
    assert "待确认的报告文件已失效，请重新上传" in resp.get_data(as_text=True)
    assert stored() == []


def test_an_unreadable_upload_is_refused_in_chinese(client, auth, world):
    auth.login(world.supervisor)
    resp = upload(client, world.finance.id, 2020, "会议通知".encode())
    assert resp.status_code == 400
    assert "未找到年度报告的表格" in resp.get_data(as_text=True)
    assert stored() == []


def _two_reports(world):
    services.import_report(world.supervisor, world.finance, 2020, SEED, "fin.txt")
    services.import_report(world.supervisor, world.audit, 2020, BAD, "aud.txt", confirm=True)
    db.session.flush()


def test_rollup_lists_every_unit_with_its_checks_and_the_summary(client, auth, world):
    from tests.factories import UnitFactory

    UnitFactory(name="测试市财政局综合科", kind="office", parent=world.finance)
    _two_reports(world)
    auth.login(world.supervisor)
    page = client.get("/annual-reports?year=2020").get_data(as_text=True)
    assert "测试县人民政府" in page and "尚无报告" in page  # a unit without a report is listed too
    assert "别市财政局" not in page  # another jurisdiction
    assert "综合科" not in page  # a 科室 owes no report of its own
    assert "已有报告 2 份，其中 <span class=\"text-danger fw-bold\">1 份勾稽关系不一致</span>" in page
    assert "4 项不一致" in page
    # Summary by hand: new 14 + 14 = 28; results 13 + 12 = 25 printed, 13 + 13 = 26 summed; carried 1 + 1 = 2.
    summary = re.search(r"辖区汇总.*", page, re.DOTALL).group(0)
    assert "第三部分「（七）总计」行「自然人」列为 25，不等于（一）至（六）各办理结果之和 26" in summary
    assert "一、本年新收（28）加二、上年结转（0）为 28，不等于（七）总计（25）加四、结转下年度（2）的 27" in summary


def test_leader_reads_the_rollup_without_write_controls(client, auth, world):
    _two_reports(world)
    auth.login(world.leader)
    page = client.get("/annual-reports?year=2020").get_data(as_text=True)
    assert "测试市审计局" in page and "导入年度报告" not in page
    report = stored()[0]
    detail = client.get(f"/annual-reports/{report.id}").get_data(as_text=True)
    assert "发布到公开页面" not in detail
    assert client.post(f"/annual-reports/{report.id}/publish").status_code == 403
    assert upload(client, world.finance.id, 2020, SEED).status_code == 403


def test_reporter_sees_only_their_own_units_report(client, auth, world):
    _two_reports(world)
    fin, aud = stored()
    auth.login(world.reporter)  # 测试市财政局
    page = client.get("/annual-reports?year=2020").get_data(as_text=True)
    assert "测试市财政局" in page and "测试市审计局" not in page and "辖区汇总" not in page
    assert client.get(f"/annual-reports/{fin.id}").status_code == 200
    assert client.get(f"/annual-reports/{aud.id}").status_code == 404
    assert upload(client, world.audit.id, 2021, SEED).status_code == 404  # not their unit
    assert len(stored()) == 2


def test_other_jurisdictions_supervisor_cannot_see_the_report(client, auth, world):
    _two_reports(world)
    auth.login(world.other_supervisor)
    assert client.get(f"/annual-reports/{stored()[0].id}").status_code == 404


def test_publish_puts_the_report_on_the_public_site_and_withdraw_takes_it_off(client, auth, world):
    _two_reports(world)
    fin = stored()[0]
    assert client.get(f"/public/annual-reports/{fin.id}").status_code == 404  # a draft is not public
    auth.login(world.supervisor)
    assert client.post(f"/annual-reports/{fin.id}/publish").status_code == 302
    auth.logout()
    listing = client.get("/public/annual-reports").get_data(as_text=True)
    assert "测试市财政局2020年政府信息公开工作年度报告" in listing
    assert "测试市审计局" not in listing  # still a draft
    page = client.get(f"/public/annual-reports/{fin.id}").get_data(as_text=True)
    assert "三、收到和处理政府信息公开申请情况" in page and "四、政府信息公开行政复议、行政诉讼情况" in page
    assert "勾稽关系不一致" not in page and "来源文件" not in page  # no internal detail
    auth.login(world.supervisor)
    client.post(f"/annual-reports/{fin.id}/withdraw")
    auth.logout()
    assert client.get(f"/public/annual-reports/{fin.id}").status_code == 404


def test_the_report_downloads_as_word_in_scope_only(client, auth, world):
    _two_reports(world)
    fin, aud = stored()
    auth.login(world.reporter)
    resp = client.get(f"/annual-reports/{fin.id}/docx")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    assert "attachment" in resp.headers["Content-Disposition"]
    from tracker.annual import reader

    assert reader.read_file(resp.data, "x.docx").section3 == fin.content["section3"]
    assert client.get(f"/annual-reports/{aud.id}/docx").status_code == 404


def test_build_from_the_register_on_the_rollup(client, auth, world):
    from tests.disclosure.conftest import register

    register(world, received=date(2021, 3, 1), applicant_type="natural")  # open at year end
    auth.login(world.reporter)
    page = client.get("/annual-reports?year=2021").get_data(as_text=True)
    assert "由登记台账生成" in page
    resp = client.post("/annual-reports/build", data={"unit_id": world.finance.id, "year": 2021})
    assert resp.status_code == 302
    (report,) = stored()
    assert report.source == "build" and report.content["section3"]["carried_out"]["natural"] == 1
    assert "勾稽关系一致" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert client.post("/annual-reports/build", data={"unit_id": world.audit.id, "year": 2021}).status_code == 404
    bad = client.post("/annual-reports/build", data={"unit_id": world.finance.id, "year": "x"}, follow_redirects=True)
    assert "年度应在 2019 至 2100 之间" in bad.get_data(as_text=True)

"""Section 二 and the prose entered in the web: last year's figures beside, every bad cell named, 五 kept and redrafted."""
from __future__ import annotations

import re

import pytest

from tracker.annual import document, services
from tracker.annual import formats as F
from tracker.annual.build import build_report
from tracker.annual.reader import ReportData, read_file
from tracker.extensions import db

from .helpers import SEED_002


def _built(world, year=2021, unit=None):
    """The finance bureau's 2020 report is seed 002 (2019 format); its 2021 report is built (2021 format)."""
    unit = unit or world.finance
    services.import_report(world.supervisor, unit, 2020, SEED_002.read_bytes(), "seed.txt")
    report, _ = build_report(world.supervisor, unit, year)
    db.session.commit()
    return report


#: every cell of the 2021 format's section 二, filled in as a unit would
GOOD_2021 = {
    "s2-i1-rules-issued": "1", "s2-i1-rules-repealed": "0", "s2-i1-rules-in_force": "3",
    "s2-i1-normative-issued": "12", "s2-i1-normative-repealed": "2", "s2-i1-normative-in_force": "24",
    "s2-i5-licensing-decisions": "１２０",  # full-width digits are read as digits
    "s2-i6-penalty-decisions": "7", "s2-i6-enforcement-decisions": "0",
    "s2-i8-fees-amount": "38.41",
}


def test_the_form_shows_last_years_figures_beside_each_cell(client, auth, world):
    report = _built(world)
    auth.login(world.reporter)  # 测试市财政局's own report
    page = client.get(f"/annual-reports/{report.id}/section2").get_data(as_text=True)
    assert "本年制发件数" in page and "现行有效件数" in page and "本年收费金额（单位：万元）" in page
    assert "政府集中采购" not in page  # no such row in the 2021 format
    # Seed 002 (2019 format): 规章 0 made, 2 in total; 规范性文件 14 made, 14 in total; 行政许可 0 decisions.
    cells = re.findall(r'name="(s2-[^"]+)".*?上年：([^<]*)<', page, re.DOTALL)
    beside = dict(cells)
    assert beside["s2-i1-rules-issued"] == "0（本年新制作数量）"
    assert beside["s2-i1-rules-in_force"] == "2（对外公开总数量）"
    assert beside["s2-i1-normative-issued"] == "14（本年新制作数量）"
    assert beside["s2-i1-rules-repealed"] == "—"  # the 2019 format has no 废止 column
    assert beside["s2-i5-licensing-decisions"] == "0"


def test_a_2019_format_report_shows_the_2019_rows(client, auth, world):
    services.import_report(world.supervisor, world.finance, 2020, SEED_002.read_bytes(), "seed.txt")
    report, _ = build_report(world.supervisor, world.finance, 2019)  # 2019 report: the 2019 format
    db.session.commit()
    auth.login(world.supervisor)
    page = client.get(f"/annual-reports/{report.id}/section2").get_data(as_text=True)
    assert "政府集中采购" in page and "采购总金额" in page and "本年增/减" in page
    assert "本单位没有 2018 年度报告" in page


def test_saving_good_figures_stores_them_and_the_docx_prints_them(client, auth, world):
    report = _built(world)
    auth.login(world.reporter)
    resp = client.post(f"/annual-reports/{report.id}/section2", data=GOOD_2021)
    assert resp.status_code == 302
    db.session.expire_all()
    s2 = ReportData.from_dict(report.content).section2
    assert s2["i1"]["normative"] == {"issued": 12, "repealed": 2, "in_force": 24}
    assert s2["i5"]["licensing"] == {"decisions": 120}
    assert s2["i8"]["fees"] == {"amount": "38.41"}
    # The .docx is read back by the reader: the same figures.
    back = read_file(client.get(f"/annual-reports/{report.id}/docx").data, "r.docx")
    assert back.section2["i1"]["normative"] == {"issued": 12, "repealed": 2, "in_force": 24}
    assert back.section2["i8"]["fees"] == {"amount": "38.41"}


@pytest.mark.parametrize("field,value,message", [
    ("s2-i1-rules-issued", "abc", "第二部分第二十条第（一）项「规章」行「本年制发件数」列应为整数，填写的是“abc”"),
    ("s2-i1-normative-in_force", "-1", "「行政规范性文件」行「现行有效件数」列应为不小于 0 的整数，填写的是“-1”"),
    ("s2-i6-penalty-decisions", "2.5", "第二十条第（六）项「行政处罚」行「本年处理决定数量」列应为整数，填写的是“2.5”"),
    ("s2-i8-fees-amount", "-3", "「行政事业性收费」行「本年收费金额（单位：万元）」列应为不小于 0 的金额（万元，可有小数），填写的是“-3”"),
    ("s2-i8-fees-amount", "1.23456", "「行政事业性收费」行「本年收费金额（单位：万元）」列最多保留 4 位小数（万元），填写的是“1.23456”"),
    ("s2-i8-fees-amount", "三万", "列应为不小于 0 的金额（万元，可有小数），填写的是“三万”"),
    ("s2-i5-licensing-decisions", "", "第二十条第（五）项「行政许可」行「本年处理决定数量」列未填写，请填写数字（没有请填 0）"),
    ("s2-i6-enforcement-decisions", "99999999999", "「行政强制」行「本年处理决定数量」列的数字过大"),
])
def test_a_bad_cell_is_named_and_nothing_is_saved(client, auth, world, field, value, message):
    report = _built(world)
    before = ReportData.from_dict(report.content).section2
    auth.login(world.reporter)
    resp = client.post(f"/annual-reports/{report.id}/section2", data={**GOOD_2021, field: value})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert message in page
    assert f'value="{value}"' in page  # what was typed is shown again
    db.session.expire_all()
    assert ReportData.from_dict(report.content).section2 == before


def test_the_2019_format_takes_a_negative_change_and_a_procurement_amount(world):
    from tracker.annual import editing

    services.import_report(world.supervisor, world.finance, 2020, SEED_002.read_bytes(), "seed.txt")
    report, _ = build_report(world.supervisor, world.finance, 2019)
    posted = {editing.field_name(item.key, row, col): "0" for item in F.get_format("2019").items
              for row, _ in item.rows for col, _, _ in item.columns}
    posted["s2-i5-licensing-change"] = "-3"
    posted["s2-i9-procurement-amount"] = "1,234.5"
    editing.save_section2(world.supervisor, report, posted)
    s2 = ReportData.from_dict(report.content).section2
    assert s2["i5"]["licensing"]["change"] == -3
    assert s2["i9"]["procurement"]["amount"] == "1234.5"


def test_another_units_reporter_and_the_leader_cannot_edit(client, auth, world):
    report = _built(world)
    auth.login(world.reporter2)  # 测试市审计局
    assert client.get(f"/annual-reports/{report.id}/section2").status_code == 404
    assert client.post(f"/annual-reports/{report.id}/texts", data={"s1": "x", "s5": "y", "s6": "z"}).status_code == 404
    auth.logout()
    auth.login(world.leader)
    assert client.get(f"/annual-reports/{report.id}/section2").status_code == 403
    assert client.post(f"/annual-reports/{report.id}/redraft").status_code == 403
    detail = client.get(f"/annual-reports/{report.id}").get_data(as_text=True)
    assert "填报第二部分" not in detail and "编辑第一、五、六部分" not in detail


def test_a_published_report_is_not_edited(client, auth, world):
    report = _built(world)
    services.publish(world.supervisor, report)
    db.session.commit()
    auth.login(world.supervisor)
    resp = client.post(f"/annual-reports/{report.id}/section2", data=GOOD_2021)
    assert resp.status_code == 400
    assert "年度报告已发布，不能修改；如需更正，请先撤回发布" in resp.get_data(as_text=True)
    resp = client.post(f"/annual-reports/{report.id}/texts", data={"s1": "新", "s5": "新", "s6": "新"},
                       follow_redirects=True)
    assert "年度报告已发布，不能修改" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert ReportData.from_dict(report.content).texts["s1"] == ""


def test_edited_section_five_is_kept_by_a_rebuild_used_by_docx_and_public_page_and_redrafted(client, auth, world):
    report = _built(world)
    drafted = ReportData.from_dict(report.content).texts["s5"]
    assert drafted.startswith("存在的主要问题：截至2021年12月31日")
    auth.login(world.reporter)
    resp = client.post(f"/annual-reports/{report.id}/texts",
                       data={"s1": "本年度政务公开工作稳步推进。", "s5": "存在的主要问题：解读不够及时。\n改进情况：建立解读台账。",
                             "s6": "本年度未收取信息处理费。"})
    assert resp.status_code == 302
    db.session.expire_all()
    data = ReportData.from_dict(report.content)
    assert data.texts["s5"] == "存在的主要问题：解读不够及时。\n改进情况：建立解读台账。"
    assert data.edited == ["s1", "s5"]  # 六 was not changed: it stays the register's sentence
    # A rebuild from the register keeps what the unit wrote.
    build_report(world.supervisor, world.finance, 2021)
    db.session.commit()
    data = ReportData.from_dict(report.content)
    assert data.texts["s5"] == "存在的主要问题：解读不够及时。\n改进情况：建立解读台账。"
    assert data.texts["s1"] == "本年度政务公开工作稳步推进。"
    # The .docx and the public page print the edited text.
    back = read_file(document.render(data, world.finance.name, 2021), "r.docx")
    assert "解读不够及时" in back.texts["s5"]
    services.publish(world.supervisor, report)
    db.session.commit()
    assert "建立解读台账" in client.get(f"/public/annual-reports/{report.id}").get_data(as_text=True)
    services.withdraw(world.supervisor, report)
    db.session.commit()
    # 重新生成草稿 asks first, then replaces the edit with the draft.
    page = client.get(f"/annual-reports/{report.id}/texts").get_data(as_text=True)
    assert 'data-confirm="重新生成将用系统草稿替换第五部分当前的内容（包括已编辑的文字），确定？"' in page
    resp = client.post(f"/annual-reports/{report.id}/redraft", follow_redirects=True)
    assert "已按本年度逾期任务和整改事项重新生成第五部分草稿" in resp.get_data(as_text=True)
    db.session.expire_all()
    data = ReportData.from_dict(report.content)
    assert data.texts["s5"] == drafted and data.edited == ["s1"]


@pytest.mark.parametrize("texts,message", [
    ({"s1": "", "s5": "", "s6": ""}, "“五、存在的主要问题及改进情况”不能为空；如需重新起草，请使用“重新生成草稿”"),
    ({"s1": "字" * 20001, "s5": "有", "s6": ""}, "“一、总体情况”超过 20000 字（20001 字），请精简"),
])
def test_bad_prose_is_refused_and_nothing_changes(client, auth, world, texts, message):
    report = _built(world)
    before = ReportData.from_dict(report.content).texts
    auth.login(world.supervisor)
    resp = client.post(f"/annual-reports/{report.id}/texts", data=texts)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    db.session.expire_all()
    assert ReportData.from_dict(report.content).texts == before

"""Reading seed 002 and its damaged copies; every bad input gets a Chinese message naming what was expected."""
from __future__ import annotations

import io
import zipfile

import pytest

from tracker.annual import checks, reader
from tracker.annual.reader import ReportReadError

from .helpers import REPORT_2021, docx_from_text, replace_line, seed_text

pytestmark = pytest.mark.no_db

ZEROS = {"natural": 0, "business": 0, "research": 0, "nonprofit": 0, "legal": 0, "other": 0, "total": 0}


def natural(n: int) -> dict:
    """A section 三 row where only 自然人 applied: n in 自然人 and in 总计."""
    return {**ZEROS, "natural": n, "total": n}


def failed_cells(result: dict) -> set[tuple[str, str, str]]:
    return {(f["rule"], f["row"], f["column"]) for f in result["failures"]}


# ---------------------------------------------------------------- seed 002 as published

def test_seed_002_reads_in_the_2019_format_with_every_number_as_printed():
    report = reader.read_text(seed_text())
    assert report.format == "2019"
    assert (report.unit_name, report.year) == ("运城市人民政府办公室", 2020)
    s3 = report.section3
    # The printed table, read by eye: 14 new requests, all from 自然人, none carried in;
    # 3 disclosed, 1 partly, 1 withheld (third party), 8 not held; 13 in all; 1 carried to 2021.
    assert s3["new"] == natural(14)
    assert s3["carried_in"] == ZEROS
    assert s3["disclosed"] == natural(3)
    assert s3["partly"] == natural(1)
    assert s3["withheld_third_party"] == natural(1)
    assert s3["unable_not_held"] == natural(8)
    assert s3["results_total"] == natural(13)
    assert s3["carried_out"] == natural(1)
    others = set(s3) - {"new", "carried_in", "disclosed", "partly", "withheld_third_party", "unable_not_held",
                        "results_total", "carried_out"}
    assert len(others) == 15 and all(s3[key] == ZEROS for key in others)  # 2+8+3+5+1 leaves minus the 4 above
    assert not report.split_other
    # By hand: 14 + 0 = 14 = 13 + 1, and 3 + 1 + 1 + 8 = 13.
    assert report.section4 == {
        "review": {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1},
        "direct_suit": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
        "suit_after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
    }
    assert report.section2["i1"] == {"rules": {"made": 0, "published": 0, "total": 2},
                                     "normative": {"made": 14, "published": 14, "total": 14}}
    assert report.section2["i9"] == {"procurement": {"projects": 5, "amount": "38.41"}}  # "38.41 万"
    assert report.texts["s6"].startswith("无")
    assert report.texts["s1"].startswith("运城市人民政府办公室坚持以习近平")


def test_seed_002_is_consistent():
    result = checks.summary(reader.read_text(seed_text()))
    assert result["consistent"] is True
    assert result["failures"] == []
    # 7 balance + 23 row totals (2 + 19 results + 2) + 7 result totals + 3 section 四 totals (no last year)
    assert len(result["checks"]) == 7 + 23 + 7 + 3


def test_seed_002_reads_the_same_from_a_docx():
    from_docx = reader.read_file(docx_from_text(seed_text()), "report.docx")
    from_text = reader.read_text(seed_text())
    assert from_docx.to_dict() == from_text.to_dict()


def test_stray_spaces_full_width_digits_and_empty_cells_read_as_printed():
    text = replace_line(seed_text(), "\t(四) 无法提 供",
                        "\t( 四 ) 无 法 提 供\t1. 本机关 不掌握 相关政府信息\t８\t\t\t\t\t\t8")
    report = reader.read_text(text)
    assert report.section3["unable_not_held"] == natural(8)
    assert checks.summary(report)["consistent"]


# ---------------------------------------------------------------- one number changed

def test_a_changed_result_row_names_the_row_and_the_column():
    text = replace_line(seed_text(), "\t（二）部分公开",
                        "\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t2\t0\t0\t0\t0\t0\t1\t")
    result = checks.summary(reader.read_text(text))
    assert result["consistent"] is False
    assert failed_cells(result) == {
        ("row_total", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "总计"),  # 2+0+… ≠ 1
        ("results_total", "（七）总计", "自然人"),  # 3+2+1+8 = 14 ≠ 13
    }
    messages = " ".join(f["message"] for f in result["failures"])
    assert "「（七）总计」行「自然人」列为 13，不等于（一）至（六）各办理结果之和 14" in messages


def test_a_changed_carry_over_names_the_row_and_the_column():
    text = replace_line(seed_text(), "二、上年结转", "二、上年结转政府信息公开申请数量\t\t1\t0\t0\t0\t0\t0\t1\t")
    result = checks.summary(reader.read_text(text))
    # 14+1 = 15 ≠ 13+1, in 自然人 and in 总计 (the row's own total still adds up)
    assert failed_cells(result) == {("balance", "一＋二＝（七）＋四", "自然人"), ("balance", "一＋二＝（七）＋四", "总计")}
    assert "「自然人」列：一、本年新收（14）加二、上年结转（1）为 15，不等于（七）总计（13）加四、结转下年度（1）的 14" \
        in result["failures"][0]["message"]


def test_this_years_carry_over_must_equal_last_years_carried_out():
    last_year = reader.read_text(seed_text())  # 2020: 1 carried to 2021, by 自然人
    this_year = reader.read_text(seed_text())
    assert checks.summary(this_year, last_year)["consistent"] is False  # this copy carries in 0
    cells = failed_cells(checks.summary(this_year, last_year))
    assert cells == {("carry_over", "二、上年结转政府信息公开申请数量", "自然人"),
                     ("carry_over", "二、上年结转政府信息公开申请数量", "总计")}
    this_year.section3["carried_in"] = natural(1)
    this_year.section3["new"] = natural(13)
    assert checks.summary(this_year, last_year)["consistent"] is True


def test_a_changed_section_4_number_names_the_block_and_total():
    text = replace_line(seed_text(), "0\t1\t0\t0\t1", "0\t1\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t3\t0")
    result = checks.summary(reader.read_text(text))
    assert failed_cells(result) == {("s4_total", "行政诉讼（复议后起诉）", "总计")}
    text = replace_line(seed_text(), "0\t1\t0\t0\t1", "2\t1\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0")
    result = checks.summary(reader.read_text(text))
    assert failed_cells(result) == {("s4_total", "行政复议", "总计")}
    assert "「行政复议」「总计」列为 1，不等于结果维持、结果纠正、其他结果、尚未审结之和 3" in result["failures"][0]["message"]


# ---------------------------------------------------------------- the 2021 format



def test_a_2021_format_report_is_recognised_with_its_split_other_handling():
    report = reader.read_text(REPORT_2021)
    assert report.format == "2021" and report.split_other
    assert (report.unit_name, report.year) == ("某某市某某局", 2021)
    assert report.section2["i1"]["normative"] == {"issued": 3, "repealed": 1, "in_force": 12}
    assert report.section2["i8"]["fees"] == {"amount": "1.5"}
    assert report.section3["other_no_correction"]["total"] == 1
    assert report.section3["other_other"]["total"] == 1
    # By hand: 6 + 1 = 7 = 7 + 0; 3 + 2 + 1 + 1 = 7.
    assert checks.summary(report)["consistent"]


def test_a_2021_report_still_printing_other_handling_as_one_row_is_read():
    lines = [line for line in REPORT_2021.split("\n") if "缴纳费用" not in line and "3.其他" not in line]
    text = replace_line("\n".join(lines), "\t（六）其他处理", "\t（六）其他处理\t\t2\t0\t0\t0\t0\t0\t2")
    report = reader.read_text(text)
    assert report.format == "2021" and not report.split_other
    assert report.section3["other_handling"] == natural(2)
    assert checks.summary(report)["consistent"]


# ---------------------------------------------------------------- bad input

def test_text_without_the_report_tables_is_refused_naming_them():
    with pytest.raises(ReportReadError) as err:
        reader.read_text("关于召开政务公开工作会议的通知\n各单位：\n定于下周召开。")
    assert "未找到年度报告的表格" in err.value.message
    assert "三、收到和处理政府信息公开申请情况" in err.value.message
    assert "四、政府信息公开行政复议、行政诉讼情况" in err.value.message


def test_section_3_heading_without_its_table_is_refused():
    text = "\n".join(line for line in seed_text().split("\n")
                     if not ("\t" in line and any(ch.isdigit() for ch in line) and "结转" in line
                             or line.count("\t") >= 6))
    with pytest.raises(ReportReadError) as err:
        reader.read_text(text)
    assert "未找到第三部分“收到和处理政府信息公开申请情况”的表格" in err.value.message


def test_a_missing_column_names_the_row_and_the_columns_expected():
    text = replace_line(seed_text(), "\t\t2. 重复申请", "\t\t2. 重复申请\t0\t0\t0\t0\t0\t0")
    with pytest.raises(ReportReadError) as err:
        reader.read_text(text)
    assert "第三部分表格「（五）不予处理 2.重复申请」行有 6 列数字，应有 7 列" in err.value.message
    assert "自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计" in err.value.message


def test_a_missing_row_is_named():
    text = "\n".join(line for line in seed_text().split("\n") if "属于行政查询事项" not in line)
    with pytest.raises(ReportReadError) as err:
        reader.read_text(text)
    assert "第三部分表格缺少「（三）不予公开 8.属于行政查询事项」行" in err.value.message


def test_a_number_that_is_not_a_number_names_its_row_and_column():
    text = replace_line(seed_text(), "\t(四) 无法提 供", "\t(四) 无法提 供\t1. 本机关不掌握相关政府信息\t八\t0\t0\t0\t0\t0\t8")
    with pytest.raises(ReportReadError) as err:
        reader.read_text(text)
    assert "第三部分表格「（四）无法提供 1.本机关不掌握相关政府信息」行「自然人」列的“八”不是数字" in err.value.message


def test_a_section_4_cell_that_is_not_a_number_is_named():
    text = replace_line(seed_text(), "0\t1\t0\t0\t1", "0\t1\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\tx\t0\t0")
    with pytest.raises(ReportReadError) as err:
        reader.read_text(text)
    assert "第四部分表格「行政诉讼（复议后起诉）」「其他结果」列的“x”不是数字" in err.value.message


def test_section_4_with_a_column_missing_is_refused():
    text = replace_line(seed_text(), "0\t1\t0\t0\t1", "0\t1\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0")
    with pytest.raises(ReportReadError) as err:
        reader.read_text(text)
    assert "第四部分表格应有 15 个数字" in err.value.message and "实际读到 14 个" in err.value.message


def test_a_docx_that_is_not_a_report_is_refused():
    from docx import Document

    document = Document()
    document.add_paragraph("关于做好2021年政务公开工作的通知")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "单位", "完成情况"
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(ReportReadError) as err:
        reader.read_file(out.getvalue(), "notice.docx")
    assert "未找到年度报告的表格" in err.value.message


@pytest.mark.parametrize("data, expected", [
    (b"", "文件是空的"),
    (b"%PDF-1.7\n...", "不能直接读取 PDF 文件"),
    (b"PK\x03\x04not really a zip", "不是 .docx 文档"),
])
def test_files_that_are_not_report_text_are_refused(data, expected):
    with pytest.raises(ReportReadError) as err:
        reader.read_file(data, "x")
    assert expected in err.value.message
    assert ".docx" in err.value.message


def test_a_zip_that_is_not_a_docx_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "hello")
    with pytest.raises(ReportReadError) as err:
        reader.read_file(out.getvalue(), "a.docx")
    assert "不是 .docx 文档" in err.value.message


def test_gbk_text_reads_like_utf8():
    assert reader.read_file(seed_text().encode("gb18030")).to_dict() == reader.read_text(seed_text()).to_dict()


def test_seed_002_as_word_follows_the_template_and_reads_back():
    from docx import Document

    from tracker.annual.document import render

    report = reader.read_text(seed_text())
    data = render(report, "运城市人民政府办公室", 2020)
    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[0] == "运城市人民政府办公室2020年政府信息公开工作年度报告"
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert heading in texts
    assert len(document.tables) == 5 + 2  # five 第二十条 items, section 三, section 四
    s3 = document.tables[5]
    assert len(s3.rows) == 3 + 23 and len(s3.columns) == 10
    assert s3.cell(3, 0).text == "一、本年新收政府信息公开申请数量" and s3.cell(3, 3).text == "14"
    assert reader.read_file(data, "r.docx").to_dict() == report.to_dict()

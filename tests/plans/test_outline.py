"""Outline: numbered headings, page-break debris, and the document head."""
from __future__ import annotations

from datetime import date

import pytest

from tracker.plans.outline import (
    RANK_ARABIC,
    RANK_CN,
    RANK_PAREN_ARABIC,
    RANK_PAREN_CN,
    clean_lines,
    cn_to_int,
    int_to_cn,
    match_heading,
    parse_outline,
    read_head,
)


@pytest.mark.parametrize(
    "text, value",
    [("一", 1), ("十", 10), ("十五", 15), ("二十", 20), ("二十三", 23), ("九十九", 99), ("一百零二", 102),
     ("两", 2), ("二〇二一", 2021), ("二零二零", 2020), ("", None), ("甲", None), ("十a", None)],
)
def test_cn_to_int(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize("n, text", [(1, "一"), (10, "十"), (15, "十五"), (20, "二十"), (23, "二十三"), (101, "一百零一")])
def test_int_to_cn(n, text):
    assert int_to_cn(n) == text


@pytest.mark.parametrize(
    "line, rank, number, rest",
    [
        ("一、扩大公开范围，打造阳光政府", RANK_CN, 1, "扩大公开范围，打造阳光政府"),
        ("十二、其他", RANK_CN, 12, "其他"),
        ("三．加强保障", RANK_CN, 3, "加强保障"),
        ("（一）加强转型发展政策主动公开。", RANK_PAREN_CN, 1, "加强转型发展政策主动公开。"),
        ("(二) 规范政务信息管理。", RANK_PAREN_CN, 2, "规范政务信息管理。"),
        ("（十五）狠抓任务落实。", RANK_PAREN_CN, 15, "狠抓任务落实。"),
        ("（二十三）做好年报", RANK_PAREN_CN, 23, "做好年报"),
        ("( 一 ) 指导思想", RANK_PAREN_CN, 1, "指导思想"),
        ("（一)混合括号", RANK_PAREN_CN, 1, "混合括号"),
        ("1. 提升解读质量。", RANK_ARABIC, 1, "提升解读质量。"),
        ("2．拓宽解读发布渠道。", RANK_ARABIC, 2, "拓宽解读发布渠道。"),
        ("3、加强政策咨询服务", RANK_ARABIC, 3, "加强政策咨询服务"),
        ("12. 推动延伸", RANK_ARABIC, 12, "推动延伸"),
        ("（1）明确解读主体。", RANK_PAREN_ARABIC, 1, "明确解读主体。"),
        ("(3) 拓宽解读发布渠道。", RANK_PAREN_ARABIC, 3, "拓宽解读发布渠道。"),
        ("　　（四）首行缩进", RANK_PAREN_CN, 4, "首行缩进"),
    ],
)
def test_match_heading(line, rank, number, rest):
    m = match_heading(line)
    assert m is not None
    assert (m.rank, m.number, m.rest) == (rank, number, rest)


@pytest.mark.parametrize(
    "line",
    [
        "一是队伍建设不断规范。",
        "2021年是运城市转型出雏型开局之年",
        "2020 年底前，市直各有关部门完成目录",
        "3.5亿元用于建设",
        "12345政务服务热线",
        "二〇二一年七月一日",
        "九九、不是标题",
        "（〇）不是标题",
        "十大最受群众欢迎的政府网站",
        "（责任单位：市财政局）",
        "1\t扩大公开范围\t加强公开",
        "",
    ],
)
def test_not_a_heading(line):
    assert match_heading(line) is None


def test_labels_are_canonical():
    assert match_heading("(十五)狠抓落实").label == "（十五）"
    assert match_heading("3、做好").label == "3."
    assert match_heading("( 2 )要求").label == "（2）"


@pytest.mark.parametrize("debris", ["— 3 —", "- 3 -", "－12－", "3", "第 2 页 共 9 页", "2/9", "  — 15 —  "])
def test_clean_lines_drops_page_numbers(debris):
    assert clean_lines(f"正文一\n{debris}\n正文二") == ["正文一", "", "正文二"]


def test_clean_lines_drops_bold_markers_but_keeps_table_rows():
    assert clean_lines("1. **全面梳理。**各部门要梳理\n3\t任务\t单位") == ["1. 全面梳理。各部门要梳理", "3\t任务\t单位"]


HEAD = """
某市人民政府办公室文件

某政办发〔2021〕9号

某市人民政府办公室 关于印发某市2021年政务公开工作要点的通知

各县（市、区）人民政府，市直各有关单位：

《某市2021年政务公开工作要点》已经市政府同意，现印发给你们。

某市人民政府办公室

2021年3月5日

（此件公开发布）

某市 2021 年政务公开工作要点

为做好全年工作，制定本要点。

一、加强领导
"""


class TestHead:
    def test_all_fields(self):
        head = read_head(clean_lines(HEAD))
        assert head.title == "某市2021年政务公开工作要点"
        assert head.doc_number == "某政办发〔2021〕9号"
        assert head.issuer == "某市人民政府办公室"
        assert head.issued_on == date(2021, 3, 5)
        assert head.year == 2021

    @pytest.mark.parametrize(
        "written",
        ["某政办发[2021]9号", "某政办发［2021］9号", "某政办发〔 2021 〕 9 号", "某政办发(2021)9号", "某政办发【2021】9号"],
    )
    def test_doc_number_bracket_variants(self, written):
        head = read_head(clean_lines(HEAD.replace("某政办发〔2021〕9号", written)))
        assert head.doc_number == "某政办发〔2021〕9号"

    def test_doc_number_cited_in_the_body_is_not_the_plans_own(self):
        text = "某县2021年工作方案\n\n按照《通知》（某政办发〔2020〕2号）要求制定本方案。\n\n一、目标\n"
        assert read_head(clean_lines(text)).doc_number == ""

    def test_date_in_chinese_numerals(self):
        head = read_head(clean_lines(HEAD.replace("2021年3月5日", "二〇二一年三月五日")))
        assert head.issued_on == date(2021, 3, 5)

    def test_year_from_issue_date_when_title_has_none(self):
        text = HEAD.replace("某市 2021 年政务公开工作要点", "某市推进基层政务公开实施方案")
        text = text.replace("2021年3月5日", "2020年7月10日")
        head = read_head(clean_lines(text))
        assert head.title == "某市推进基层政务公开实施方案"
        assert head.year == 2020

    def test_issuer_from_header_line_when_no_signature(self):
        text = "某市人民政府办公室文件\n\n某政办〔2021〕16号\n\n2021年7月1日\n\n2021年某市政务公开工作要点\n\n一、任务\n"
        head = read_head(clean_lines(text))
        assert head.issuer == "某市人民政府办公室"
        assert head.title == "2021年某市政务公开工作要点"

    def test_title_from_notice_when_no_title_line(self):
        text = "某区人民政府办公室 关于印发《2022年某区政务公开工作要点》的通知\n\n一、任务\n"
        head = read_head(clean_lines(text))
        assert head.title == "2022年某区政务公开工作要点"
        assert head.issuer == "某区人民政府办公室"
        assert head.year == 2022

    def test_issue_date_from_printing_footer(self):
        text = "2021年某县工作要点\n\n一、任务\n（一）做好公开。\n\n某县人民政府办公室\n\n2021年4月2日印发\n"
        head = read_head(clean_lines(text))
        assert head.issued_on == date(2021, 4, 2)
        assert head.issuer == "某县人民政府办公室"


BODY = """2021年某市政务公开工作要点

一、扩大公开范围，
打造阳光政府

（一）加强政策公开。做好规划公开，系统梳理本地历史规划（计
— 3 —

划）并集中公开。

（二）
规范公文属性认定

1. 法定主动公开内容必须公开到位。

2. 严控依申请公开属性的滥用。

二、优化便民举措

（三）提升答复质量。编号接着上一部分往下排。

（四）加强政策解读
提升解读质量。
附件：任务分解表
（五）不属于正文
"""


class TestOutlineTree:
    def test_structure(self):
        outline = parse_outline(BODY)
        tops = outline.roots
        assert [n.heading for n in tops] == ["一、扩大公开范围，打造阳光政府", "二、优化便民举措"]
        first = tops[0].children
        assert [n.label for n in first] == ["（一）", "（二）"]
        assert first[1].title == "规范公文属性认定"
        assert [c.title for c in first[1].children] == ["法定主动公开内容必须公开到位", "严控依申请公开属性的滥用"]

    def test_wrapped_paragraph_joined_across_page_number(self):
        node = parse_outline(BODY).roots[0].children[0]
        assert node.title == "加强政策公开"
        assert node.paragraphs == ["加强政策公开。做好规划公开，系统梳理本地历史规划（计划）并集中公开。"]

    def test_numbering_runs_across_parents(self):
        second = parse_outline(BODY).roots[1]
        assert [n.label for n in second.children] == ["（三）", "（四）"]

    def test_standalone_heading_keeps_its_body_separate(self):
        node = parse_outline(BODY).roots[1].children[1]
        assert node.standalone is True
        assert node.title == "加强政策解读"
        assert node.paragraphs == ["加强政策解读", "提升解读质量。"]

    def test_body_stops_at_attachments(self):
        outline = parse_outline(BODY)
        labels = [n.label for n in outline.nodes()]
        assert "（五）" not in labels
        assert outline.lines[outline.body_end].startswith("附件")

    @pytest.mark.parametrize("marker", ["抄送：市委办公室。", "主办：市政府办公室", "某市人民政府办公室 2021年7月1日印发"])
    def test_body_stops_at_footer(self, marker):
        text = "2021年某市工作要点\n\n一、任务\n（一）做好公开。\n" + marker + "\n（二）不属于正文。\n"
        labels = [n.label for n in parse_outline(text).nodes()]
        assert labels == ["一、", "（一）"]

    def test_out_of_sequence_number_is_prose(self):
        text = "2021年某市工作要点\n\n一、任务\n（一）做好公开。指标为\n9. 不是标题的一行。\n"
        outline = parse_outline(text)
        assert [n.label for n in outline.nodes()] == ["一、", "（一）"]
        assert outline.roots[0].children[0].paragraphs == ["做好公开。指标为9.不是标题的一行。"]

    def test_title_wrapped_onto_a_second_line(self):
        text = "2021年某市工作要点\n\n一、任务\n（一）进一步规范拟发公文公开属性\n认定\n1. 法定主动公开内容必须公开到位。\n"
        node = parse_outline(text).roots[0].children[0]
        assert node.title == "进一步规范拟发公文公开属性认定"
        assert node.children[0].title == "法定主动公开内容必须公开到位"

    def test_bold_and_spaced_markers(self):
        text = "2021年某市工作要点\n\n**一、**加强领导\n( 一 ) 明确责任。各单位要落实。\n"
        outline = parse_outline(text)
        assert [n.heading for n in outline.nodes()] == ["一、加强领导", "（一）明确责任"]

    def test_ref_labels(self):
        nodes = list(parse_outline(BODY).nodes())
        assert [n.ref_label for n in nodes][:5] == ["一", "（一）", "（二）", "1", "2"]

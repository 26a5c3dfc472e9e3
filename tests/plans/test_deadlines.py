"""The deadline grammar: every form the plans use, in sentences written for the test, plus seed regressions."""
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.plans.deadlines import chinese_number, find_deadlines, parse_deadline, task_deadline
from tracker.plans.draft import DEADLINE_KINDS, Deadline

YEAR = 2021


def only(text: str, year: int = YEAR) -> Deadline:
    found = find_deadlines(text, year)
    assert len(found) == 1, found
    return found[0][2]


@pytest.mark.parametrize(
    "sentence, kind, due, written",
    [
        ("2021年10月底之前各单位要完成网站迁移。", "date", date(2021, 10, 31), "2021年10月底之前"),
        ("门户网站改版须于10月月底前上线。", "date", date(2021, 10, 31), "10月月底前"),
        ("各乡镇10月底前报送自查报告。", "date", date(2021, 10, 31), "10月底前"),
        ("试点部门7月31日前提交目录初稿。", "date", date(2021, 7, 31), "7月31日前"),
        ("请于7月31日之前将名单报送市政府办。", "date", date(2021, 7, 31), "7月31日之前"),
        ("各县区专区建设到2021年底全部建成。", "year_end", date(2021, 12, 31), "到2021年底"),
        ("年底前要清理历史文件。", "year_end", date(2021, 12, 31), "年底前"),
        ("2021年年底系统清理现行有效文件。", "year_end", date(2021, 12, 31), "2021年年底"),
        ("系统嵌入工作（2022年6月底前完成）。", "date", date(2022, 6, 30), "2022年6月底前完成"),
        ("各部门十月底前上报材料。", "date", date(2021, 10, 31), "十月底前"),
        ("二〇二一年十月底前完成整改。", "date", date(2021, 10, 31), "二〇二一年十月底前完成"),
        ("二〇二二年三月三十一日前提交报告。", "date", date(2022, 3, 31), "二〇二二年三月三十一日前"),
        ("2020 年底前，各单位建立工作制度。", "year_end", date(2020, 12, 31), "2020 年底前"),
        ("今年底前要完成平台对接。", "year_end", date(2021, 12, 31), "今年底前"),
        ("明年6月底前通过验收。", "date", date(2022, 6, 30), "明年6月底前"),
        ("年内完成清理任务。", "year_end", date(2021, 12, 31), "年内完成"),
        ("截至2021年底实现全覆盖。", "year_end", date(2021, 12, 31), "截至2021年底"),
        ("9月中旬前组织培训。", "date", date(2021, 9, 20), "9月中旬前"),
        ("9月上旬完成摸底。", "date", date(2021, 9, 10), "9月上旬完成"),
        ("11月下旬前召开推进会。", "date", date(2021, 11, 30), "11月下旬前"),
        ("2月底前报送年报。", "date", date(2021, 2, 28), "2月底前"),
        ("10月31号前填报。", "date", date(2021, 10, 31), "10月31号前"),
        ("２０２１年１１月底前上线。", "date", date(2021, 11, 30), "２０２１年１１月底前"),
    ],
)
def test_dated_forms(sentence, kind, due, written):
    deadline = only(sentence)
    assert (deadline.kind, deadline.date, deadline.text) == (kind, due, written)


@pytest.mark.parametrize(
    "sentence, start, end, written",
    [
        ("将8月定为政府开放月，集中开展活动。", date(2021, 8, 1), date(2021, 8, 31), "8月"),
        ("11月份组织全市业务培训。", date(2021, 11, 1), date(2021, 11, 30), "11月份"),
        ("上半年梳理目录。", date(2021, 1, 1), date(2021, 6, 30), "上半年"),
        ("下半年开展专项检查。", date(2021, 7, 1), date(2021, 12, 31), "下半年"),
        ("第三季度组织第三方评估。", date(2021, 7, 1), date(2021, 9, 30), "第三季度"),
        ("2022年第一季度组织验收。", date(2022, 1, 1), date(2022, 3, 31), "2022年第一季度"),
        ("7-9月开展交叉检查。", date(2021, 7, 1), date(2021, 9, 30), "7-9月"),
        ("7月1日至8月31日集中公示。", date(2021, 7, 1), date(2021, 8, 31), "7月1日至8月31日"),
        ("2021—2023年在全市实施示范创建。", date(2021, 1, 1), date(2023, 12, 31), "2021—2023年"),
    ],
)
def test_windows(sentence, start, end, written):
    deadline = only(sentence)
    assert (deadline.kind, deadline.start, deadline.date, deadline.text) == ("window", start, end, written)


@pytest.mark.parametrize(
    "sentence, due, recurrence, written",
    [
        ("各单位每年1月底前公布上一年度报告。", date(2021, 1, 31), "yearly", "每年1月底前"),
        ("每年3月31日前报送统计表。", date(2021, 3, 31), "yearly", "每年3月31日前"),
        ("每年年底前对目录复核一次。", date(2021, 12, 31), "yearly", "每年年底前"),
        ("分管领导年内至少一次专题研究。", date(2021, 12, 31), "yearly", "年内至少一次"),
        ("主要负责同志年内至少听取一次工作汇报。", date(2021, 12, 31), "yearly", "年内至少听取一次"),
        ("每季度至少开展一次抽查。", date(2021, 12, 31), "quarterly", "每季度至少开展一次"),
        ("每季度末通报进展。", date(2021, 12, 31), "quarterly", "每季度末"),
        ("每月5日前报送上月数据。", date(2021, 12, 5), "monthly", "每月5日前"),
    ],
)
def test_recurring(sentence, due, recurrence, written):
    deadline = only(sentence)
    assert (deadline.kind, deadline.date, deadline.recurrence, deadline.text) == (
        "recurring", due, recurrence, written,
    )


@pytest.mark.parametrize(
    "sentence, rule",
    [
        ("公开文件须在文件印发后24小时内上网。", "文件印发后24小时内"),
        ("规范性文件印发后5个工作日内报送备案。", "规范性文件印发后5个工作日内"),
        ("解读材料要在政策出台后3日内发布。", "政策出台后3日内"),
        ("收到申请之日起20个工作日内予以答复。", "收到申请之日起20个工作日内"),
        ("发现问题后二十四小时内处置。", "发现问题后二十四小时内"),
        ("整改应在通报下发后1个月内完成。", "通报下发后1个月内"),
        ("10个工作日内办结。", "10个工作日内"),
    ],
)
def test_relative(sentence, rule):
    deadline = only(sentence)
    assert (deadline.kind, deadline.date, deadline.rule, deadline.text) == ("relative", None, rule, rule)


@pytest.mark.parametrize(
    "sentence, written",
    [
        ("目录动态调整工作持续推进。", "持续推进"),
        ("该项制度长期坚持。", "长期坚持"),
        ("舆情回应（长期）", "长期"),
        ("时限：常态化", "常态化"),
    ],
)
def test_continuous(sentence, written):
    deadline = only(sentence)
    assert (deadline.kind, deadline.date, deadline.text) == ("continuous", None, written)


@pytest.mark.parametrize(
    "sentence, start, written",
    [
        ("从2022年起专区向县级延伸。", date(2022, 1, 1), "从2022年起"),
        ("自2021年起全面推行。", date(2021, 1, 1), "自2021年起"),
        ("2020年起，在其他渠道同步发布。", date(2020, 1, 1), "2020年起"),
        ("自2021年9月1日起施行。", date(2021, 9, 1), "自2021年9月1日起"),
        ("从10月开始试运行。", date(2021, 10, 1), "从10月开始"),
    ],
)
def test_starts_are_windows_without_a_due_date(sentence, start, written):
    deadline = only(sentence)
    assert (deadline.kind, deadline.start, deadline.date, deadline.text) == ("window", start, None, written)


@pytest.mark.parametrize(
    "sentence",
    [
        "2021年是全市转型发展的开局之年。",
        "清理2016年以后制定的规范性文件。",
        "确保“十四五”期间开好局。",
        "提供24小时在线服务。",
        "公开10个方面的民生实事。",
        "现提出 2021 年政务公开工作要点。",
        "多样化解读量2020年不得少于70%。",
        "依托12345政务服务热线答复咨询。",
        "国办发〔2019〕54号文件要求。",
        "支持互联网协议第6版。",
        "对考核长期落后的单位通报批评。",
        "相关情况纳入年底考核。",
        "2020年起草的文件一并清理。",
        "逐步建立统一月报制度。",
        "办理期限为3个月。",
        "持续做好信息发布。",
        "",
    ],
)
def test_not_deadlines(sentence):
    assert find_deadlines(sentence, YEAR) == []


def test_spans_point_at_the_words_and_follow_reading_order():
    text = "试点部门要于7月31日前报送，各乡镇于8月31日前上报。"
    found = find_deadlines(text, 2020)
    assert [(text[s:e], d.date) for s, e, d in found] == [
        ("7月31日前", date(2020, 7, 31)),
        ("8月31日前", date(2020, 8, 31)),
    ]


def test_longest_reading_wins_over_its_parts():
    found = find_deadlines("每年1月底前公布年报", YEAR)
    assert [(d.kind, d.text) for _, _, d in found] == [("recurring", "每年1月底前")]


def test_month_before_means_before_the_month_begins():
    deadline = only("8月前完成摸底。")
    assert (deadline.kind, deadline.date, deadline.text) == ("date", date(2021, 7, 31), "8月前完成")


def test_date_without_a_year_takes_the_plan_year():
    assert only("10月底前完成", 2019).date == date(2019, 10, 31)
    assert only("10月底前完成", 2024).date == date(2024, 10, 31)


def test_invalid_calendar_date_is_ignored():
    assert find_deadlines("2月30日前上报", YEAR) == []


@pytest.mark.parametrize(
    "text, kind, due, written",
    [
        ("7月底前编制目录，7月31日前报送审核，各乡镇8月31日前上报。", "date", date(2021, 8, 31), "8月31日前"),
        ("年底前完成整改；每年1月底前报告。", "year_end", date(2021, 12, 31), "年底前完成"),
        ("每年1月底前报告，文件印发后24小时内公开。", "recurring", date(2021, 1, 31), "每年1月底前"),
        ("文件印发后24小时内公开，持续推进。", "relative", None, "文件印发后24小时内"),
        ("目录动态调整持续推进。", "continuous", None, "持续推进"),
        ("在2021年底前开设专区，从2022年起向县级延伸。", "year_end", date(2021, 12, 31), "2021年底前"),
        ("将8月定为开放月，年内至少一次专题研究。", "window", date(2021, 8, 31), "8月"),
    ],
)
def test_task_deadline_priority(text, kind, due, written):
    deadline = task_deadline(text, YEAR)
    assert (deadline.kind, deadline.date, deadline.text) == (kind, due, written)


def test_task_deadline_never_returns_a_start():
    deadline = task_deadline("从2022年起专区向县级延伸。", YEAR)
    assert (deadline.kind, deadline.date, deadline.text) == ("default", date(2021, 12, 31), "")


def test_task_without_deadline_gets_the_default_year_end():
    assert task_deadline("加强政策解读。", 2020) == Deadline(kind="default", date=date(2020, 12, 31), text="")


@pytest.mark.parametrize(
    "phrase, kind, due",
    [
        ("10月底前", "date", date(2021, 10, 31)),
        ("2021年12月31日前", "date", date(2021, 12, 31)),
        ("年底前完成", "year_end", date(2021, 12, 31)),
        ("每年1月底前", "recurring", date(2021, 1, 31)),
        ("长期", "continuous", None),
        ("持续推进", "continuous", None),
        ("常态化开展", "continuous", None),
        ("及时更新", "continuous", None),
        ("7月31日前完成初稿，10月底前全部完成", "date", date(2021, 10, 31)),
        ("印发后5个工作日内", "relative", None),
    ],
)
def test_parse_deadline_cells(phrase, kind, due):
    deadline = parse_deadline(phrase, YEAR)
    assert deadline is not None
    assert (deadline.kind, deadline.date) == (kind, due)


@pytest.mark.parametrize("phrase", ["", "   ", "市财政局", "从2022年起", "按要求", "2021年"])
def test_parse_deadline_none(phrase):
    assert parse_deadline(phrase, YEAR) is None


def test_parse_deadline_keeps_the_words():
    assert parse_deadline("（2022年6月底前完成）", YEAR).text == "2022年6月底前完成"


@pytest.mark.parametrize(
    "written, value",
    [("24", 24), ("二〇二一", 2021), ("十", 10), ("十二", 12), ("三十一", 31), ("二十四", 24), ("两", 2), ("一百", 100),
     ("２０", 20), ("", None), ("甲", None)],
)
def test_chinese_number(written, value):
    assert chinese_number(written) == value


# Real sentences from the seed plans, kept as regressions.
SEED_CASES = [
    # 运城 000, 三（一）
    ("各级各部门要按照政务公开工作总体要求，全面加强政府网站及政务新媒体建设。2021年10月底之前各县（市、区）政府门户网站要全部迁移至市政府网站并支持互联网协议第6版",
     2021, [("date", date(2021, 10, 31), "2021年10月底之前")]),
    # 运城 000, 三（三）
    ("在2021年底前市审批服务管理局要在政务服务中心（大厅）开设“政务公开专区”。从2022年起“政务公开专区”要向各县（市、区）人民政府延伸。",
     2021, [("year_end", date(2021, 12, 31), "2021年底前"), ("window", None, "从2022年起")]),
    # 孝义 003, task 2
    ("各试点所涉部门要于7月31日前将各自政务公开事项标准目录报送市政府办审核，各乡镇（街道）、开发区于8月31日前上报审核。",
     2020, [("date", date(2020, 7, 31), "7月31日前"), ("date", date(2020, 8, 31), "8月31日前")]),
    # 孝义 003, task 3
    ("所有主动公开文件要在文件印发后 24 小时内，在市政府门户网站公开发布。",
     2020, [("relative", None, "文件印发后 24 小时内")]),
    # 孝义 003, task 15
    ("各乡镇(街道)、开发区、市直各有关部门要在每年1月底前,编制、公布上一年本机关政府信息公开工作年度报告",
     2020, [("recurring", date(2020, 1, 31), "每年1月底前")]),
    # 牡丹区 001, 四（三）
    ("将8月确定为全区政府开放月，各镇街、各部门要加强统筹协调，集中在8月组织开展以公共管理机构、公共服务场所为主的线下系列主题开放活动",
     2021, [("window", date(2021, 8, 31), "8月"), ("window", date(2021, 8, 31), "8月")]),
    # 三门峡 004, （九）
    ("2021年10月月底前，县级以上政府门户网站要全部支持互联网协议第6版。",
     2021, [("date", date(2021, 10, 31), "2021年10月月底前")]),
    # 运城 000, 开头
    ("2021 年是运城市转型出雏型开局之年，为进一步推进政府治理能力现代化", 2021, []),
    # 牡丹区 001, 二（二）
    ("2021年年底系统清理本机关现行有效的规章、行政规范性文件、政策性文件(2016年以后制定的)",
     2021, [("year_end", date(2021, 12, 31), "2021年年底")]),
]


@pytest.mark.parametrize("text, year, expected", SEED_CASES)
def test_seed_sentences(text, year, expected):
    assert [(d.kind, d.date, d.text) for _, _, d in find_deadlines(text, year)] == expected


ALPHABET = st.sampled_from(
    list("年月日底前内起每至少次后个工作小时天季度上下半长期持续推进从自到截止十一二三四五六七八九〇零")
    + list("0123456789０１２ 　\n\t（）()〔〕[]【】，。；：、,.;:-—~")
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60), st.integers(min_value=1990, max_value=2100))
def test_no_input_raises(text, year):
    found = find_deadlines(text, year)
    for start, end, deadline in found:
        assert 0 <= start < end <= len(text)
        assert deadline.kind in DEADLINE_KINDS
        assert deadline.text == text[start:end]
    assert [s for s, _, _ in found] == sorted(s for s, _, _ in found)
    assert task_deadline(text, year).kind in DEADLINE_KINDS
    parse_deadline(text, year)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_no_arbitrary_unicode_raises(text):
    find_deadlines(text, YEAR)
    task_deadline(text, YEAR)
    parse_deadline(text, YEAR)

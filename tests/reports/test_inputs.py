"""The pure parsers behind the report form."""
from __future__ import annotations

import pytest

from tracker.reports.inputs import (
    InputError,
    clean_text,
    parse_links,
    parse_number,
    parse_percent,
    parse_target_values,
    require_reason,
    target_metrics,
)


@pytest.mark.parametrize("raw, expected", [("0", 0), ("100", 100), (" 55 ", 55), ("80%", 80), ("８０％", 80), (42, 42)])
def test_percent_accepts_whole_numbers_in_range(raw, expected):
    assert parse_percent(raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("-5", "应在0到100之间，您填写的是-5"),
    ("150", "应在0到100之间，您填写的是150"),
    (-5, "您填写的是-5"),
    ("50.5", "不是整数"),
    ("abc", "不是整数"),
    ("", "请填写完成进度"),
    (None, "请填写完成进度"),
    (True, "整数"),
])
def test_percent_refuses_with_a_message_naming_the_input(raw, message):
    with pytest.raises(InputError) as exc:
        parse_percent(raw)
    assert message in str(exc.value)


@pytest.mark.parametrize("raw, expected", [("92", 92.0), ("92.5", 92.5), ("92%", 92.0), ("1,200", 1200.0),
                                           ("１２", 12.0), (".5", 0.5), (7, 7.0)])
def test_number(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["九十", "92a", "nan", "inf", "1e5", "", "--1"])
def test_number_refuses_text(raw):
    with pytest.raises(InputError):
        parse_number(raw)


def test_target_metrics_keep_document_order_without_duplicates():
    targets = [{"metric": "解读率", "op": ">=", "value": 90}, {"metric": "回应率", "value": 100},
               {"metric": "解读率", "value": 70, "year": 2020}, {"metric": ""}]
    assert target_metrics(targets) == ["解读率", "回应率"]


def test_target_values_parse_numbers_and_drop_blanks():
    got = parse_target_values({"解读率": "92%", "回应率": " "}, ["解读率", "回应率"])
    assert got == {"解读率": 92}
    assert parse_target_values({"解读率": "92.5"}, ["解读率"]) == {"解读率": 92.5}


def test_target_value_that_is_not_a_number_names_the_metric():
    with pytest.raises(InputError) as exc:
        parse_target_values({"解读率": "大部分"}, ["解读率"])
    assert "指标“解读率”的实际值“大部分”不是数字" in str(exc.value)


def test_target_value_refuses_negative_and_unknown_metric():
    with pytest.raises(InputError, match="不能为负数"):
        parse_target_values({"解读率": "-3"}, ["解读率"])
    with pytest.raises(InputError, match="任务没有指标“满意度”"):
        parse_target_values({"满意度": "90"}, ["解读率"])


def test_links_one_per_line_deduplicated():
    raw = "https://www.gov.cn/a.html\r\n\n  http://example.gov.cn/b?x=1  \nhttps://www.gov.cn/a.html"
    assert parse_links(raw) == ["https://www.gov.cn/a.html", "http://example.gov.cn/b?x=1"]
    assert parse_links(None) == []
    assert parse_links(["https://a.cn/"]) == ["https://a.cn/"]


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://a.cn/x", "www.gov.cn/a", "https://", "http://a b.cn/",
                                 "https://a.cn/<script>", "file:///etc/passwd"])
def test_links_refuse_anything_but_http_urls(bad):
    with pytest.raises(InputError) as exc:
        parse_links(bad)
    assert "不是有效的网址" in str(exc.value)


def test_links_limits():
    with pytest.raises(InputError, match="链接最多20个"):
        parse_links([f"https://a.cn/{i}" for i in range(21)])
    with pytest.raises(InputError, match="链接过长"):
        parse_links("https://a.cn/" + "x" * 1000)


def test_text_and_reason():
    assert clean_text("  a\r\nb  ") == "a\nb"
    with pytest.raises(InputError, match="报告内容过长"):
        clean_text("字" * 10_001)
    with pytest.raises(InputError, match="请填写退回原因"):
        require_reason("   ", what="退回原因")
    assert require_reason(" 材料不全 ", what="退回原因") == "材料不全"

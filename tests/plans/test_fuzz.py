"""Fuzzing: whatever comes in, the parser returns a draft or raises ParseError, nothing else."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.plans.conftest import SEED_PLANS, seed_text
from tracker.plans.draft import ParseError, PlanDraft
from tracker.plans.parser import parse_document, parse_file

SEED_TEXTS = [seed_text(city) for city in SEED_PLANS]
SEED_LINES = [line for text in SEED_TEXTS for line in text.split("\n")]

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The pieces plans are made of, so random text often looks like an outline or a table.
TOKENS = (
    list("一二三四五六七八九十百零〇（）()〔〕[]【】、，,。；;：:“”《》\t\n 0123456789.．-—年月日底前内起每至少")
    + list("市县区镇街道人民政府办公室局委牵头责任单位配合部门各有关抓好落实等统称以下附件序号公开任务具体要求时限")
    + ["\ufeff", "\u3000", "**", "%", "不低于", "不得少于", "（责任单位：", "一、", "（一）", "1.", "（1）", "\n附件\n"]
)
PLAN_TEXT = st.lists(st.sampled_from(TOKENS), max_size=300).map("".join)


def check(result_or_call) -> None:
    try:
        result = result_or_call()
    except ParseError as exc:
        assert str(exc)
        return
    assert isinstance(result, PlanDraft)
    assert result.tasks
    for task in result.tasks:
        assert task.deadline.kind in ("date", "year_end", "recurring", "relative", "window", "continuous", "default")
    result.to_json()


@FUZZ
@given(PLAN_TEXT)
def test_random_plan_like_text(text):
    check(lambda: parse_document(text))


@FUZZ
@given(st.text(max_size=300))
def test_random_unicode_text(text):
    check(lambda: parse_document(text))


@FUZZ
@given(st.lists(st.sampled_from(SEED_LINES), min_size=1, max_size=80), st.one_of(st.none(), st.integers(1990, 2040)))
def test_shuffled_seed_lines(lines, year):
    check(lambda: parse_document("\n".join(lines), year=year))


@FUZZ
@given(st.sampled_from(SEED_TEXTS), st.integers(0, 30000), st.integers(0, 30000))
def test_truncated_and_sliced_seeds(text, a, b):
    start, end = sorted((a % (len(text) + 1), b % (len(text) + 1)))
    check(lambda: parse_document(text[:end]))
    check(lambda: parse_document(text[start:end]))


@FUZZ
@given(st.binary(max_size=600), st.sampled_from(["plan.txt", "plan.docx", "plan.xlsx", "plan", "计划.TXT"]))
def test_random_bytes_to_parse_file(data, filename):
    check(lambda: parse_file(filename, data))


@FUZZ
@given(st.sampled_from(SEED_TEXTS), st.integers(1, 5000), st.sampled_from(["gbk", "utf-8", "utf-16"]))
def test_truncated_encoded_seeds(text, cut, encoding):
    data = text.encode(encoding, errors="ignore")
    check(lambda: parse_file("plan.txt", data[: cut % (len(data) + 1)]))


CELL = st.one_of(st.none(), st.lists(st.sampled_from(TOKENS), max_size=8).map("".join),
                 st.sampled_from(["序号", "工作任务", "具体要求", "责任单位", "牵头单位", "完成时限", "市财政局", "6月底前"]))


@FUZZ
@given(st.lists(st.lists(CELL, max_size=7), max_size=12))
def test_random_rows(rows):
    check(lambda: parse_document("", rows=[[c or "" for c in row] for row in rows]))

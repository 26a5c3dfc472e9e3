"""The rubric as data: the seed loads, every bad input is refused with the line it is on."""
from decimal import Decimal
from pathlib import Path

import pytest

from tracker.assessment.rubric import RULE_TYPES, Rubric, RubricError, load_rubric

SEED = Path(__file__).resolve().parents[2] / "seeds" / "rubric.yaml"
#: the kinds Unit.kind allows (tracker.units.models.UNIT_KINDS)
ALL_KINDS = ["city_gov", "county_gov", "city_dept", "town", "zone", "office", "other"]

BASE = """\
year: 2021
full_score: 100
assessment_weight: 4%
categories:
  - code: A
    name: A类
    unit_kinds: [county_gov, zone]
  - code: B
    name: B类
    unit_kinds: [city_dept]
indicators:
  - code: tasks
    name: 任务落实
    weight: 60
  - code: reports
    name: 进展报送
    weight: 40
rules:
  - code: late
    name: 逾期完成
    type: late_completion
    indicator: tasks
    amount: 0.5
    per_day: 0.2
    item_cap: 2
    cap: 10
  - code: returned
    name: 报告被退回
    type: report_returned
    indicator: reports
    amount: 1
  - code: adopted
    name: 解读被采用
    type: bonus
    item_cap: 1
bonus:
  cap: 5
"""


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """Return the 1-based line of the n-th line containing fragment."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return hits[occurrence - 1]


def refused(text: str, **kwargs) -> list[str]:
    with pytest.raises(RubricError) as info:
        load_rubric(text, **kwargs)
    return info.value.messages


def test_base_rubric_loads_with_exact_values():
    rubric = load_rubric(BASE)
    assert rubric.year == 2021
    assert rubric.name == "2021年度政务公开工作考核细则"
    assert rubric.full_score == Decimal("100")
    assert rubric.assessment_weight == Decimal("0.04")
    assert rubric.assessment_weight_percent == Decimal("4")
    assert [c.code for c in rubric.categories] == ["A", "B"]
    assert rubric.categories[0].unit_kinds == ("county_gov", "zone")
    late = rubric.rule("late")
    assert (late.amount, late.per_day, late.item_cap, late.cap) == (
        Decimal("0.5"), Decimal("0.2"), Decimal("2"), Decimal("10"),
    )
    # Defaults: extensions do not move the due date, continuous tasks are skipped.
    assert late.extension_moves_due is False
    assert late.exclude_deadline_kinds == ("continuous",)
    assert late.line == line_of(BASE, "code: late")
    assert rubric.rule("adopted").indicator is None
    assert rubric.bonus.cap == Decimal("5")


def test_numbers_are_read_exactly_not_through_float():
    rubric = load_rubric(BASE.replace("per_day: 0.2", "per_day: 0.1"))
    # 0.1 through float would be 0.1000000000000000055…
    assert str(rubric.rule("late").per_day * 3) == "0.30"


def test_seed_rubric_has_every_rule_type_and_the_xiaoyi_weight():
    rubric = load_rubric(SEED.read_text(encoding="utf-8"), unit_kinds_present=ALL_KINDS)
    assert {r.type for r in rubric.rules} == set(RULE_TYPES)
    assert rubric.assessment_weight == Decimal("0.04")
    assert rubric.full_score == Decimal("100")
    assert [c.code for c in rubric.categories] == ["A", "B"]
    assert sum(i.weight for i in rubric.indicators) == Decimal("100")
    assert rubric.bonus.cap == Decimal("5")
    assert all(r.cap is not None for r in rubric.rules)
    assert all(r.code.isascii() and not r.name.isascii() for r in rubric.rules)


def test_round_trip_through_plain_data():
    rubric = load_rubric(SEED.read_text(encoding="utf-8"))
    again = load_rubric(rubric.to_dict())
    assert again == rubric
    assert again.to_dict() == rubric.to_dict()


@pytest.mark.parametrize(
    "weight, expected",
    [("4%", "0.04"), ("4.5%", "0.045"), ("4％", "0.04"), ("0.04", "0.04"), ("1", "1")],
)
def test_assessment_weight_forms(weight, expected):
    rubric = load_rubric(BASE.replace("assessment_weight: 4%", f"assessment_weight: {weight}"))
    assert rubric.assessment_weight == Decimal(expected)


def test_category_for_prefers_the_units_own_category():
    rubric = load_rubric(BASE)
    assert rubric.category_for("county_gov") == "A"
    assert rubric.category_for("city_dept") == "B"
    assert rubric.category_for("city_gov", "B") == "B"
    # An explicit category the rubric does not define falls back to the kind rule.
    assert rubric.category_for("zone", "Z") == "A"
    assert rubric.category_for("town") is None


# -- bad input: each refused with the line it is on -----------------------------------------------

BAD_CASES = [
    pytest.param(
        "    weight: 40\n", "    weight: 45\n", "weight: 45", "指标权重合计105分，超过满分100分", id="weights-above-full",
    ),
    pytest.param("    cap: 10\n", "    cap: -1\n", "cap: -1", "不能为负数（-1）", id="negative-cap"),
    pytest.param("    amount: 1\n", "    amount: -2\n", "amount: -2", "不能为负数（-2）", id="negative-amount"),
    pytest.param("    item_cap: 2\n", "    item_cap: -0.5\n", "item_cap: -0.5", "不能为负数", id="negative-item-cap"),
    pytest.param("  cap: 5\n", "  cap: -5\n", "cap: -5", "不能为负数", id="negative-bonus-cap"),
    pytest.param(
        "type: report_returned", "type: report_lost", "type: report_lost", "未知的规则类型 'report_lost'",
        id="unknown-rule-type",
    ),
    pytest.param(
        "indicator: reports", "indicator: replies", "indicator: replies", "指标 'replies' 不存在",
        id="unknown-indicator",
    ),
    pytest.param("  - code: B\n", "  - code: A\n", "code: A", "类别代码 A 重复（第5行已使用）", id="duplicate-category"),
    pytest.param(
        "  - code: reports\n", "  - code: tasks\n", "code: tasks", "指标代码 tasks 重复", id="duplicate-indicator",
    ),
    pytest.param(
        "  - code: returned\n", "  - code: late\n", "code: late", "规则代码 late 重复", id="duplicate-rule",
    ),
    pytest.param("    amount: 1\n", "    amount: 0.125\n", "amount: 0.125", "最多保留两位小数", id="three-decimals"),
    pytest.param(
        "    amount: 1\n", "    amount: 1\n    per_day: 0.1\n", "per_day: 0.1", "不按天计算，不能设置 per_day",
        id="per-day-on-flat-rule",
    ),
    pytest.param("    cap: 10\n", "    cap: 10\n    caps: 3\n", "caps: 3", "未知字段 caps", id="unknown-field"),
    pytest.param(
        "    item_cap: 1\n", "    item_cap: 1\n    amount: 1\n", "amount: 1", "加分规则不设 amount",
        id="bonus-with-amount",
    ),
    pytest.param(
        "    item_cap: 1\n", "    item_cap: 1\n    indicator: tasks\n", "indicator: tasks", "加分规则不属于任何指标",
        id="bonus-with-indicator",
    ),
    pytest.param(
        "unit_kinds: [city_dept]", "unit_kinds: [city_dept, zone]", "unit_kinds: [city_dept, zone]",
        "单位类型 zone 已归入类别 A", id="kind-in-two-categories",
    ),
    pytest.param(
        "assessment_weight: 4%", "assessment_weight: 4", "assessment_weight: 4", "考核权重应写成百分数",
        id="weight-not-percent",
    ),
    pytest.param(
        "assessment_weight: 4%", "assessment_weight: 120%", "assessment_weight: 120%", "不超过100%",
        id="weight-above-100",
    ),
    pytest.param("year: 2021", "year: 二〇二一", "year:", "年度应为2000至2100之间的整数", id="bad-year"),
    pytest.param("    weight: 40\n", "    weight: 0\n", "weight: 0", "应大于0", id="zero-weight"),
    pytest.param(
        "    amount: 1\n", "    amount: 0\n", "amount: 0", "amount 与 per_day 不能都为0", id="rule-that-never-deducts",
    ),
    pytest.param("    amount: 1\n", "    amount: 一分\n", "amount: 一分", "应为数字", id="amount-not-a-number"),
    pytest.param("  - code: late\n", "  - code: 逾期\n", "code: 逾期", "应以英文字母开头", id="chinese-code"),
    pytest.param(
        "    cap: 10\n", "    cap: 10\n    extension_moves_due: 是\n", "extension_moves_due", "应为 true 或 false",
        id="extension-flag-not-boolean",
    ),
    pytest.param(
        "    amount: 1\n", "    amount: 1\n    extension_moves_due: true\n", "extension_moves_due",
        "与到期日无关", id="extension-flag-on-report-rule",
    ),
    pytest.param("  cap: 5\n", "  cap: 5\n  cap: 6\n", "cap: 6", "字段重复（第37行已出现）", id="duplicate-key"),
]


@pytest.mark.parametrize("old, new, fragment, message", BAD_CASES)
def test_bad_input_is_refused_naming_the_line(old, new, fragment, message):
    assert old in BASE
    start = BASE.index(old)
    text = BASE[:start] + new + BASE[start + len(old) :]
    messages = refused(text)
    line = text[: start + new.index(fragment)].count("\n") + 1
    assert any(m.startswith(f"第{line}行") and message in m for m in messages), messages


def test_category_no_present_unit_kind_maps_to():
    text = BASE.replace("unit_kinds: [county_gov, zone]", "unit_kinds: [county_gov, zone]\n    # 县级\n")
    messages = refused(text, unit_kinds_present=["city_dept", "town"])
    line = line_of(text, "unit_kinds: [county_gov, zone]")
    assert messages == [
        f"第{line}行（categories[0].unit_kinds）：类别 A（A类）的单位类型 county_gov、zone 在现有单位中都不存在，没有单位属于该类别"
    ]
    # Without the list of present kinds the same rubric is fine, and one present kind suffices.
    assert isinstance(load_rubric(text), Rubric)
    assert isinstance(load_rubric(text, unit_kinds_present=["zone", "city_dept"]), Rubric)


def test_every_problem_is_reported_in_line_order():
    text = (
        BASE.replace("    cap: 10\n", "    cap: -1\n")
        .replace("type: report_returned", "type: nonsense")
        .replace("  - code: B\n", "  - code: A\n")
    )
    messages = refused(text)
    lines = [int(m[1 : m.index("行")]) for m in messages]
    assert lines == sorted(lines)
    assert lines == [line_of(text, "code: A", 2), line_of(text, "cap: -1"), line_of(text, "type: nonsense")]
    assert str(RubricError(messages)).count("\n") == 2


def test_yaml_syntax_error_names_the_line():
    text = BASE.replace("    name: B类\n", "    name: [B类\n")
    messages = refused(text)
    assert len(messages) == 1
    assert "YAML 格式错误" in messages[0]
    assert messages[0].startswith(f"第{line_of(text, 'unit_kinds: [city_dept]')}行")


def test_empty_and_non_mapping_documents():
    assert refused("") == ["第1行：考核细则为空"]
    assert refused("- 1\n- 2\n") == ["第1行（（根））：应为“字段: 值”形式的映射"]


def test_missing_sections_are_named():
    messages = refused("year: 2021\nassessment_weight: 4%\n")
    assert "第1行（categories）：缺少 categories 列表" in messages
    assert "第1行（indicators）：缺少 indicators 列表" in messages
    assert "第1行（rules）：缺少 rules 列表" in messages


def test_bonus_rule_needs_a_bonus_cap():
    text = BASE.replace("bonus:\n  cap: 5\n", "")
    messages = refused(text)
    assert messages == [f"第{line_of(text, 'code: adopted')}行（rules[2]）：有加分规则时须设置 bonus.cap（加分上限）"]


def test_plain_data_errors_name_the_path():
    data = load_rubric(BASE).to_dict()
    data["rules"][0]["cap"] = "-3"
    data["indicators"][1]["weight"] = 50
    with pytest.raises(RubricError) as info:
        load_rubric(data)
    assert info.value.messages == [
        "indicators[1].weight：指标权重合计110分，超过满分100分",
        "rules[0].cap：不能为负数（-3）",
    ]


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)


@pytest.mark.no_db
@pytest.mark.parametrize("text, line", [
    (BOMB, 2),  # ten to the ninth strings once expanded
    ("year: &y [*y]\n", 1),  # refers to itself
    ("base: &b {cap: 8}\nrules:\n  - <<: *b\n    type: circular_criticism\n", 3),
    (BASE + "extra: *nothing\n", None),
])
def test_aliases_are_refused_with_the_line(text, line):
    import time

    start = time.perf_counter()
    with pytest.raises(RubricError) as exc:
        load_rubric(text)
    assert time.perf_counter() - start < 2  # refused while reading, never expanded
    message = exc.value.messages[0]
    assert "不支持锚点引用" in message or "未定义" in message or "YAML 格式错误" in message
    if line:
        assert message.startswith(f"第{line}行")


# --- deadline_change (issue 16: a supervisor's change of a task's deadline) -------------------------


def test_deadline_change_defaults_to_correction_and_round_trips():
    rubric = load_rubric(BASE)
    assert rubric.deadline_change == "correction" and not rubric.keeps_original_due
    assert "deadline_change" not in rubric.to_dict()
    kept = load_rubric(BASE.replace("assessment_weight: 4%\n", "assessment_weight: 4%\ndeadline_change: keep_original\n"))
    assert kept.deadline_change == "keep_original" and kept.keeps_original_due
    assert kept.to_dict()["deadline_change"] == "keep_original"
    assert load_rubric(kept.to_dict()) == kept


def test_unknown_deadline_change_is_refused_with_its_line_and_the_choices_in_chinese():
    text = BASE.replace("assessment_weight: 4%\n", "assessment_weight: 4%\ndeadline_change: extension\n")
    messages = refused(text)
    assert len(messages) == 1
    assert messages[0].startswith(f"第{line_of(text, 'deadline_change')}行（deadline_change）：督办调整任务时限的计分口径应为")
    assert "keep_original（保留原定时限计分）" in messages[0] and "'extension'" in messages[0]

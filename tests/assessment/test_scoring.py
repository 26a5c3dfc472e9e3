"""Scoring: hand-computed totals for every rule type, the caps, extensions, exclusions, ranking.

Working-day counts below are worked out by hand from China's 2021 calendar:
(2021-09-30, 2021-10-13] = 5 (National Day runs to 10-07; Sat 10-09 is a make-up workday: 10-08,
10-09, 10-11, 10-12, 10-13); (06-30, 07-14] = 10; (07-02 Fri, 07-03 Sat] = 0; (12-24, 12-31] = 5;
(11-01, 11-05] = 4; (12-01, 12-31] = 22; (12-27, 12-31] = 4; (12-28, 12-31] = 3.
"""
import json
import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.assessment.facts import (
    AssignmentFact,
    BonusFact,
    CircularFact,
    Facts,
    MissedReportFact,
    RectificationFact,
    ReturnedReportFact,
    UnitFact,
)
from tracker.assessment.rubric import load_rubric
from tracker.assessment.scoring import compute
from tracker.calendar import default_calendar

SEED = Path(__file__).resolve().parents[2] / "seeds" / "rubric.yaml"
CAL = default_calendar()
AS_OF = date(2021, 12, 31)

RUBRIC_YAML = """\
year: 2021
full_score: 100
assessment_weight: 4%
categories:
  - {code: A, name: A类, unit_kinds: [county_gov, zone]}
  - {code: B, name: B类, unit_kinds: [city_dept]}
  - {code: C, name: C类（镇街）, unit_kinds: [town]}
indicators:
  - {code: tasks, name: 任务落实, weight: 60}
  - {code: reports, name: 进展报送, weight: 20}
  - {code: rectify, name: 整改落实, weight: 10}
  - {code: notices, name: 督查通报, weight: 10}
rules:
  - {code: late, name: 逾期完成, type: late_completion, indicator: tasks,
     amount: 0.5, per_day: 0.2, item_cap: 2, cap: 3, extension_moves_due: false}
  - {code: overdue, name: 考核时未完成, type: overdue_at_assessment, indicator: tasks,
     amount: 3, extension_moves_due: true}
  - {code: returned, name: 报告被退回, type: report_returned, indicator: reports, amount: 1, cap: 2}
  - {code: missed, name: 未按期报送, type: missed_periodic_report, indicator: reports, amount: 2}
  - {code: rectify_late, name: 整改逾期, type: rectification_overdue, indicator: rectify,
     amount: 1, per_day: 0.5, item_cap: 4}
  - {code: criticism, name: 通报批评, type: circular_criticism, indicator: notices, amount: 4}
  - {code: adopted, name: 解读被采用, type: bonus, item_cap: 2, cap: 3}
  - {code: praised, name: 通报表扬, type: bonus}
bonus: {cap: 4}
"""
RUBRIC = load_rubric(RUBRIC_YAML)

COUNTY = UnitFact(1, "甲县人民政府", "county_gov")


def assignment(id, due, done=None, *, unit=1, role="lead", original=None, kind="date", title="做好政策解读"):
    return AssignmentFact(
        id=id, unit_id=unit, task_id=100 + id, role=role, due_on=due, original_due_on=original,
        completed_at_date=done, deadline_kind=kind, ref=f"1.{id}", title=title,
    )


def score(facts, as_of=AS_OF, rubric=RUBRIC, **kwargs):
    return compute(rubric, facts, as_of, CAL, **kwargs)


def points(unit_score):
    return [(item.id, str(item.points)) for item in unit_score.items]


# -- every rule type ------------------------------------------------------------------------------


def test_late_completion_per_day_with_item_and_rule_caps():
    facts = Facts(
        units=(COUNTY,),
        assignments=(
            assignment(1, date(2021, 9, 30), date(2021, 10, 13)),  # 5 days: 0.5 + 5 × 0.2 = 1.5
            assignment(2, date(2021, 6, 30), date(2021, 7, 14)),  # 10 days: 2.5, item cap 2
            assignment(3, date(2021, 7, 2), date(2021, 7, 3)),  # Saturday: 0 working days late
            assignment(4, date(2021, 7, 2), date(2021, 7, 2)),  # on time
        ),
    )
    unit = score(facts).unit(1)
    # Events in date order: 06-30 takes 2, then 09-30 finds only 1 left of the rule cap 3.
    assert points(unit) == [("late:assignment:2", "-2.00"), ("late:assignment:1", "-1.00")]
    first, second = unit.items
    assert first.raw_points == Decimal("-2.00")
    assert first.explanation == (
        "1.2「做好政策解读」应于2021年6月30日前完成，2021年7月14日完成，逾期完成10个工作日，"
        "扣0.5分，另每日扣0.2分，计2.5分，单项最多扣2分"
    )
    assert second.raw_points == Decimal("-1.50")
    assert "逾期完成5个工作日，扣0.5分，另每日扣0.2分，计1.5分" in second.explanation
    assert second.explanation.endswith("；已达“逾期完成”上限3分，本项计1分")
    assert (second.source_type, second.source_id, second.occurred_on) == ("assignment", 1, date(2021, 9, 30))
    assert unit.indicators == {
        "tasks": Decimal("57.00"), "reports": Decimal("20.00"), "rectify": Decimal("10.00"), "notices": Decimal("10.00"),
    }
    assert (unit.total, unit.deductions, unit.bonus, unit.converted) == (
        Decimal("97.00"), Decimal("-3.00"), Decimal("0.00"), Decimal("3.88"),
    )


def test_late_completion_per_day_only_reads_like_the_rubric():
    rubric = load_rubric(RUBRIC_YAML.replace("amount: 0.5, per_day: 0.2", "amount: 0, per_day: 0.2"))
    facts = Facts(units=(COUNTY,), assignments=(assignment(1, date(2021, 9, 30), date(2021, 10, 13)),))
    item = score(facts, rubric=rubric).unit(1).items[0]
    assert item.points == Decimal("-1.00")
    assert item.explanation.endswith("逾期完成5个工作日，每日扣0.2分，计1分")


def test_overdue_at_assessment():
    facts = Facts(
        units=(COUNTY,),
        assignments=(
            assignment(1, date(2021, 12, 24)),  # open, 5 working days overdue: 3
            assignment(2, date(2021, 11, 30), date(2022, 1, 5)),  # completed after the assessment date: 3
            assignment(3, AS_OF),  # due on the assessment date: not overdue yet
            assignment(4, date(2021, 6, 30), kind="continuous"),  # continuous tasks are skipped
            assignment(5, date(2021, 6, 30), role="cooperating"),  # cooperating never counts
            assignment(6, None),  # no due date
        ),
    )
    unit = score(facts).unit(1)
    assert points(unit) == [("overdue:assignment:2", "-3.00"), ("overdue:assignment:1", "-3.00")]
    assert unit.items[1].explanation == (
        "1.1「做好政策解读」应于2021年12月24日前完成，截至2021年12月31日仍未完成，逾期5个工作日，扣3分"
    )
    assert unit.total == Decimal("94.00")


def test_report_returned_with_rule_cap():
    facts = Facts(
        units=(COUNTY,),
        assignments=(assignment(1, date(2021, 12, 31)), assignment(2, date(2021, 12, 31), role="cooperating")),
        returned_reports=(
            ReturnedReportFact(11, 1, 1, date(2021, 5, 6)),
            ReturnedReportFact(12, 1, 1, date(2021, 6, 7)),
            ReturnedReportFact(13, 1, 1, date(2021, 8, 9)),  # the rule's cap 2 is used up: 0
            ReturnedReportFact(14, 1, 2, date(2021, 4, 1)),  # report on a cooperating assignment
            ReturnedReportFact(15, 1, 1, date(2022, 1, 4)),  # after the assessment date
        ),
    )
    unit = score(facts).unit(1)
    assert points(unit) == [
        ("returned:report:11", "-1.00"), ("returned:report:12", "-1.00"), ("returned:report:13", "0.00"),
    ]
    assert unit.items[0].explanation == "1.1「做好政策解读」的进展报告于2021年5月6日被退回，扣1分"
    assert unit.items[2].explanation.endswith("；已达“报告被退回”上限2分，本项计0分")
    assert unit.indicators["reports"] == Decimal("18.00")
    assert unit.total == Decimal("98.00")


def test_missed_periodic_report():
    facts = Facts(
        units=(COUNTY,),
        assignments=(assignment(1, date(2021, 12, 31), kind="continuous", title="持续推进政务公开"),),
        missed_reports=(
            MissedReportFact(1, 1, date(2021, 3, 31)),
            MissedReportFact(1, 1, date(2021, 9, 30)),
            MissedReportFact(1, 1, date(2022, 3, 31)),  # period not over at the assessment date
        ),
    )
    unit = score(facts).unit(1)
    assert points(unit) == [
        ("missed:assignment:1:2021-03-31", "-2.00"), ("missed:assignment:1:2021-09-30", "-2.00"),
    ]
    assert unit.items[0].explanation == "1.1「持续推进政务公开」截至2021年3月31日的进展未按期报送，扣2分"
    assert unit.total == Decimal("96.00")


def test_rectification_overdue_with_item_and_indicator_caps():
    notice = "整改〔2021〕3号"
    facts = Facts(
        units=(COUNTY,),
        rectifications=(
            RectificationFact(21, 1, notice, date(2021, 11, 1), date(2021, 11, 5)),  # closed 4 days late: 3
            RectificationFact(22, 1, notice, date(2021, 12, 1)),  # open 22 days: 12, item cap 4
            RectificationFact(23, 1, notice, date(2021, 12, 27)),  # open 4 days: 3, weight now used up (10)
            RectificationFact(24, 1, notice, date(2021, 12, 28)),  # open 3 days: 2.5, nothing left: 0
            RectificationFact(25, 1, notice, date(2021, 11, 1), date(2021, 10, 30)),  # closed in time
            RectificationFact(26, 1, notice, date(2021, 12, 1), date(2022, 1, 10)),  # closed after as_of
        ),
    )
    unit = score(facts).unit(1)
    assert points(unit) == [
        ("rectify_late:rectification:21", "-3.00"),
        ("rectify_late:rectification:22", "-4.00"),
        ("rectify_late:rectification:26", "-3.00"),
        ("rectify_late:rectification:23", "0.00"),
        ("rectify_late:rectification:24", "0.00"),
    ]
    assert unit.items[0].explanation == (
        "整改通知（整改〔2021〕3号）所列事项应于2021年11月1日前整改到位，2021年11月5日销号，"
        "逾期4个工作日，扣1分，另每日扣0.5分，计3分"
    )
    assert "截至2021年12月31日仍未销号，逾期22个工作日" in unit.items[1].explanation
    assert unit.items[1].explanation.endswith("计12分，单项最多扣4分")
    assert unit.items[3].raw_points == Decimal("-3.00")
    assert unit.items[3].explanation.endswith("；“整改落实”扣分已达该指标权重10分，本项计0分")
    assert unit.indicators["rectify"] == Decimal("0.00")
    assert unit.total == Decimal("90.00")


def test_circular_criticism_capped_by_indicator_weight_and_shared_circulars():
    other = UnitFact(2, "乙县人民政府", "county_gov")
    facts = Facts(
        units=(COUNTY, other),
        circulars=(
            CircularFact(31, 1, date(2021, 3, 1), "criticism", "关于政府网站检查情况的通报"),
            CircularFact(32, 1, date(2021, 6, 1), "criticism"),
            CircularFact(33, 1, date(2021, 9, 1), "criticism"),  # 4 + 4 + 4 > weight 10: 2
            CircularFact(34, 1, date(2021, 10, 1), "praise", "表扬"),  # praise earns nothing by itself
            CircularFact(31, 2, date(2021, 3, 1), "criticism", "关于政府网站检查情况的通报"),  # same circular
            CircularFact(35, 3, date(2021, 3, 1), "criticism"),  # unit 3 is not assessed
        ),
    )
    result = score(facts)
    assert points(result.unit(1)) == [
        ("criticism:circular:31:u1", "-4.00"), ("criticism:circular:32:u1", "-4.00"), ("criticism:circular:33:u1", "-2.00"),
    ]
    assert result.unit(1).items[0].explanation == "2021年3月1日被通报批评《关于政府网站检查情况的通报》，扣4分"
    assert result.unit(1).indicators["notices"] == Decimal("0.00")
    assert result.unit(1).total == Decimal("90.00")
    assert points(result.unit(2)) == [("criticism:circular:31:u2", "-4.00")]
    assert result.unit(3) is None


def test_bonuses_with_item_rule_and_section_caps():
    facts = Facts(
        units=(COUNTY,),
        bonuses=(
            BonusFact(41, 1, Decimal("2.5"), "政策解读被省政府网站采用", "晋政网2021-08-01", rule="adopted"),
            BonusFact(42, 1, Decimal("1.5"), "政策解读被市政府公众号采用", rule=""),  # the first bonus rule
            BonusFact(43, 1, 3, "被市政府通报表扬", "运政办函〔2021〕9号", rule="praised"),
        ),
    )
    unit = score(facts).unit(1)
    # adopted: 2.5 → item cap 2; 1.5 → rule cap 3 leaves 1; praised: 3 → section cap 4 leaves 1.
    assert points(unit) == [("adopted:bonus:41", "2.00"), ("adopted:bonus:42", "1.00"), ("praised:bonus:43", "1.00")]
    assert unit.items[0].explanation == "政策解读被省政府网站采用（佐证：晋政网2021-08-01），加2.5分，单项最多加2分"
    assert unit.items[1].explanation.endswith("；已达“解读被采用”上限3分，本项计1分")
    assert unit.items[2].explanation.endswith("；已达加分项上限4分，本项计1分")
    assert all(item.is_bonus and item.indicator is None for item in unit.items)
    assert (unit.bonus, unit.total, unit.converted) == (Decimal("4.00"), Decimal("104.00"), Decimal("4.16"))


def test_bonus_facts_the_rubric_cannot_take_are_refused():
    bad_rule = Facts(units=(COUNTY,), bonuses=(BonusFact(1, 1, 1, "x", rule="late"),))
    with pytest.raises(ValueError, match="not a bonus rule"):
        score(bad_rule)
    negative = Facts(units=(COUNTY,), bonuses=(BonusFact(1, 1, -1, "x"),))
    with pytest.raises(ValueError, match="positive"):
        score(negative)
    no_bonus_rules = load_rubric(RUBRIC_YAML.split("  - {code: adopted")[0] + "bonus: {cap: 4}\n")
    with pytest.raises(ValueError, match="no bonus rule"):
        score(Facts(units=(COUNTY,), bonuses=(BonusFact(1, 1, 1, "x"),)), rubric=no_bonus_rules)


# -- extensions, the assessment date, roles ----------------------------------------------------------


@pytest.mark.parametrize("moves, expected_total", [(False, Decimal("98.50")), (True, Decimal("100.00"))])
def test_extension_for_late_completion_both_ways(moves, expected_total):
    rubric = load_rubric(RUBRIC_YAML.replace("extension_moves_due: false", f"extension_moves_due: {str(moves).lower()}"))
    # Due 09-30, extended to 10-15, done 10-13: 5 working days late against the original date only.
    facts = Facts(
        units=(COUNTY,),
        assignments=(assignment(1, date(2021, 10, 15), date(2021, 10, 13), original=date(2021, 9, 30)),),
    )
    unit = score(facts, rubric=rubric).unit(1)
    assert unit.total == expected_total
    if not moves:
        assert unit.items[0].explanation == (
            "1.1「做好政策解读」应于2021年9月30日前完成（虽经批准延期至2021年10月15日，本项按原定期限计算），"
            "2021年10月13日完成，逾期完成5个工作日，扣0.5分，另每日扣0.2分，计1.5分"
        )
        assert unit.items[0].occurred_on == date(2021, 9, 30)
    else:
        assert unit.items == ()


@pytest.mark.parametrize("moves, expected_total", [(True, Decimal("100.00")), (False, Decimal("97.00"))])
def test_extension_for_overdue_at_assessment_both_ways(moves, expected_total):
    rubric = load_rubric(RUBRIC_YAML.replace("amount: 3, extension_moves_due: true", f"amount: 3, extension_moves_due: {str(moves).lower()}"))
    facts = Facts(
        units=(COUNTY,),
        assignments=(assignment(1, date(2022, 1, 15), original=date(2021, 11, 30)),),
    )
    unit = score(facts, rubric=rubric).unit(1)
    assert unit.total == expected_total
    if not moves:
        assert "截至2021年12月31日仍未完成，逾期23个工作日" in unit.items[0].explanation


def test_extension_that_moves_due_is_still_mentioned():
    rubric = load_rubric(RUBRIC_YAML.replace("extension_moves_due: false", "extension_moves_due: true"))
    facts = Facts(
        units=(COUNTY,),
        assignments=(assignment(1, date(2021, 9, 30), date(2021, 10, 13), original=date(2021, 6, 30)),),
    )
    item = score(facts, rubric=rubric).unit(1).items[0]
    assert item.points == Decimal("-1.50")
    assert "应于2021年9月30日前完成（经批准延期，原定2021年6月30日）" in item.explanation


def test_replaying_an_earlier_assessment_date_ignores_later_events():
    facts = Facts(
        units=(COUNTY,),
        assignments=(assignment(1, date(2021, 9, 30), date(2021, 10, 13)),),
        returned_reports=(ReturnedReportFact(11, 1, 1, date(2021, 10, 20)),),
        circulars=(CircularFact(31, 1, date(2021, 11, 1), "criticism"),),
    )
    # On 10-12 the task is still open: 10-08, 10-09, 10-11, 10-12 are 4 working days overdue.
    early = score(facts, as_of=date(2021, 10, 12)).unit(1)
    assert points(early) == [("overdue:assignment:1", "-3.00")]
    assert "逾期4个工作日" in early.items[0].explanation
    late = score(facts).unit(1)
    assert [item.rule for item in late.items] == ["late", "returned", "criticism"]
    assert late.total == Decimal("100.00") - Decimal("1.5") - 1 - 4


def test_only_lead_and_responsible_assignments_count():
    facts = Facts(
        units=(COUNTY,),
        assignments=(
            assignment(1, date(2021, 12, 24), role="lead"),
            assignment(2, date(2021, 12, 24), role="responsible"),
            assignment(3, date(2021, 12, 24), role="cooperating"),
        ),
    )
    assert [item.source_id for item in score(facts).unit(1).items] == [1, 2]


# -- exclusions, ranking, output ------------------------------------------------------------------


def test_excluding_a_line_item_frees_its_share_of_the_cap():
    facts = Facts(
        units=(COUNTY,),
        assignments=(
            assignment(1, date(2021, 9, 30), date(2021, 10, 13)),
            assignment(2, date(2021, 6, 30), date(2021, 7, 14)),
        ),
    )
    result = score(facts, excluded_items={"late:assignment:2", "late:assignment:999"})
    unit = result.unit(1)
    assert points(unit) == [("late:assignment:1", "-1.50")]
    assert unit.total == Decimal("98.50")
    assert result.excluded == ("late:assignment:2",)
    assert result.item("late:assignment:2") is None
    assert result.item("late:assignment:1").points == Decimal("-1.50")


def test_ranking_ties_share_a_rank_and_list_by_name():
    units = (
        UnitFact(1, "丁县人民政府", "county_gov"),
        UnitFact(2, "乙县人民政府", "county_gov"),
        UnitFact(3, "丙县人民政府", "county_gov"),
        UnitFact(4, "甲开发区管委会", "zone"),
        UnitFact(5, "市发展和改革委员会", "city_dept"),
        UnitFact(6, "市人民政府办公室", "city_gov", category="B"),  # its own category wins
        UnitFact(7, "市政府办公室信息科", "office"),  # in no category: scored, not ranked
    )
    facts = Facts(
        units=units,
        circulars=(
            CircularFact(1, 2, date(2021, 3, 1), "criticism"),
            CircularFact(1, 3, date(2021, 3, 1), "criticism"),
            CircularFact(2, 4, date(2021, 3, 1), "criticism"),
            CircularFact(3, 4, date(2021, 4, 1), "criticism"),
            CircularFact(4, 7, date(2021, 4, 1), "criticism"),
        ),
        bonuses=(BonusFact(1, 6, 1, "被通报表扬", rule="praised"),),
    )
    result = score(facts)
    ranked = [(u.rank, u.unit, str(u.total)) for u in result.category("A")]
    # 丙 (U+4E19) sorts before 乙 (U+4E59): names sort by code point.
    assert ranked == [
        (1, "丁县人民政府", "100.00"),
        (2, "丙县人民政府", "96.00"),
        (2, "乙县人民政府", "96.00"),
        (4, "甲开发区管委会", "92.00"),
    ]
    assert [(u.rank, u.unit_id) for u in result.category("B")] == [(1, 6), (2, 5)]
    # A category no unit belongs to is empty, not an error.
    assert result.category("C") == []
    assert [(u.unit_id, u.rank, u.category, str(u.total)) for u in result.unranked] == [(7, None, None, "96.00")]
    data = result.to_dict()
    assert list(data["categories"]) == ["A", "B", "C"]
    assert data["categories"]["C"] == []
    assert [u["unit_id"] for u in data["unranked"]] == [7]


def test_json_output_exactly():
    facts = Facts(
        units=(COUNTY,),
        assignments=(assignment(1, date(2021, 9, 30), date(2021, 10, 13)),),
        bonuses=(BonusFact(41, 1, "0.5", "被通报表扬", "运政办函〔2021〕9号", rule="praised"),),
    )
    assert json.loads(score(facts).to_json()) == {
        "as_of": "2021-12-31",
        "rubric": {"year": 2021, "name": "2021年度政务公开工作考核细则", "full_score": 100, "assessment_weight": "4%"},
        "categories": {
            "A": [
                {
                    "rank": 1,
                    "unit_id": 1,
                    "unit": "甲县人民政府",
                    "total": 99,
                    "converted": 3.96,
                    "indicators": {"tasks": 58.5, "reports": 20, "rectify": 10, "notices": 10},
                    "bonus": 0.5,
                    "deductions": -1.5,
                    "items": [
                        {
                            "id": "late:assignment:1",
                            "rule": "late",
                            "indicator": "tasks",
                            "points": -1.5,
                            "explanation": "1.1「做好政策解读」应于2021年9月30日前完成，2021年10月13日完成，"
                            "逾期完成5个工作日，扣0.5分，另每日扣0.2分，计1.5分",
                            "source_type": "assignment",
                            "source_id": 1,
                            "date": "2021-09-30",
                        },
                        {
                            "id": "praised:bonus:41",
                            "rule": "praised",
                            "indicator": None,
                            "points": 0.5,
                            "explanation": "被通报表扬（佐证：运政办函〔2021〕9号），加0.5分",
                            "source_type": "bonus",
                            "source_id": 41,
                            "date": None,
                        },
                    ],
                }
            ],
            "B": [],
            "C": [],
        },
        "unranked": [],
        "excluded": [],
    }


def test_converted_score_rounds_half_up():
    rubric = load_rubric(RUBRIC_YAML.replace("assessment_weight: 4%", "assessment_weight: 4.5%"))
    facts = Facts(units=(COUNTY,), returned_reports=(ReturnedReportFact(1, 1, 1, date(2021, 5, 6)),))
    unit = score(facts, rubric=rubric).unit(1)
    # 99 × 4.5% = 4.455 → 4.46
    assert (unit.total, unit.converted) == (Decimal("99.00"), Decimal("4.46"))


def test_duplicate_facts_are_refused():
    with pytest.raises(ValueError, match="duplicate unit id 1"):
        score(Facts(units=(COUNTY, COUNTY)))
    twice = ReturnedReportFact(1, 1, 1, date(2021, 5, 6))
    with pytest.raises(ValueError, match="returned:report:1"):
        score(Facts(units=(COUNTY,), returned_reports=(twice, twice)))


def test_seed_rubric_end_to_end():
    rubric = load_rubric(SEED.read_text(encoding="utf-8"))
    facts = Facts(
        units=(COUNTY, UnitFact(2, "市发展和改革委员会", "city_dept")),
        assignments=(
            assignment(1, date(2021, 9, 30), date(2021, 10, 13)),  # 0.5 + 5 × 0.2 = 1.5
            assignment(2, date(2021, 12, 24), unit=2),  # 2 + 5 × 0.1 = 2.5
        ),
        rectifications=(RectificationFact(1, 2, "整改〔2021〕1号", date(2021, 12, 27)),),  # 1 + 4 × 0.1 = 1.4
        circulars=(CircularFact(1, 1, date(2021, 6, 1), "criticism"),),  # 5
        bonuses=(BonusFact(1, 1, 1, "政策解读被省政府网站采用", rule="interpretation_adopted"),),
    )
    result = score(facts, rubric=rubric)
    county, dept = result.unit(1), result.unit(2)
    assert (county.category, county.total, county.converted) == ("A", Decimal("94.50"), Decimal("3.78"))
    assert (dept.category, dept.total, dept.converted) == ("B", Decimal("96.10"), Decimal("3.84"))
    assert dept.indicators == {
        "task_completion": Decimal("37.50"), "progress_reporting": Decimal("20.00"),
        "rectification": Decimal("18.60"), "supervision": Decimal("20.00"),
    }


# -- properties -------------------------------------------------------------------------------------

YEAR_START = date(2021, 1, 1)
days = st.integers(min_value=0, max_value=420).map(lambda n: YEAR_START + timedelta(days=n))
money = st.integers(min_value=0, max_value=800).map(lambda n: Decimal(n) / 100)
maybe_money = st.none() | money
KINDS = ["county_gov", "city_dept", "town", "office"]


@st.composite
def rubrics(draw):
    n_indicators = draw(st.integers(1, 4))
    weights = [draw(st.integers(1, 40)) for _ in range(n_indicators)]
    full = draw(st.integers(max(sum(weights), 1), max(sum(weights), 120)))
    indicators = [{"code": f"i{k}", "name": f"指标{k}", "weight": w} for k, w in enumerate(weights)]
    rules = []
    for k, rtype in enumerate(
        ["late_completion", "overdue_at_assessment", "report_returned", "missed_periodic_report",
         "rectification_overdue", "circular_criticism"]
    ):
        amount, per_day = draw(money), draw(maybe_money)
        if rtype not in {"late_completion", "overdue_at_assessment", "rectification_overdue"}:
            per_day = None
        if not amount and not per_day:
            amount = Decimal("0.5")
        rule = {"code": f"r{k}", "name": f"规则{k}", "type": rtype, "indicator": f"i{draw(st.integers(0, n_indicators - 1))}",
                "amount": str(amount)}
        for key, value in (("per_day", per_day), ("item_cap", draw(maybe_money)), ("cap", draw(maybe_money))):
            if value is not None:
                rule[key] = str(value)
        if rtype in {"late_completion", "overdue_at_assessment"}:
            rule["extension_moves_due"] = draw(st.booleans())
        rules.append(rule)
    for k in range(2):
        rule = {"code": f"b{k}", "name": f"加分{k}", "type": "bonus"}
        for key, value in (("item_cap", draw(maybe_money)), ("cap", draw(maybe_money))):
            if value is not None:
                rule[key] = str(value)
        rules.append(rule)
    return load_rubric({
        "year": 2021, "full_score": full, "assessment_weight": f"{draw(st.integers(1, 10))}%",
        "categories": [{"code": "A", "name": "A类", "unit_kinds": ["county_gov"]},
                       {"code": "B", "name": "B类", "unit_kinds": ["city_dept"]}],
        "indicators": indicators, "rules": rules, "bonus": {"cap": str(draw(money))},
    })


@st.composite
def fact_sets(draw):
    n_units = draw(st.integers(1, 5))
    units = tuple(UnitFact(u, f"单位{draw(st.sampled_from('甲乙丙'))}{u}", draw(st.sampled_from(KINDS))) for u in range(1, n_units + 1))
    unit_ids = st.integers(1, n_units)
    assignments = []
    for a in range(1, draw(st.integers(0, 12)) + 1):
        due = draw(st.none() | days)
        assignments.append(AssignmentFact(
            id=a, unit_id=draw(unit_ids), task_id=a, role=draw(st.sampled_from(["lead", "responsible", "cooperating"])),
            due_on=due, original_due_on=draw(st.none() | days), completed_at_date=draw(st.none() | days),
            deadline_kind=draw(st.sampled_from(["date", "year_end", "continuous"])), ref=f"{a}", title=f"任务{a}",
        ))
    assignment_ids = st.integers(1, max(len(assignments), 1))
    return Facts(
        units=units,
        assignments=tuple(assignments),
        returned_reports=tuple(
            ReturnedReportFact(r, draw(unit_ids), draw(assignment_ids), draw(days)) for r in range(draw(st.integers(0, 6)))
        ),
        missed_reports=tuple(
            # One fact per assignment and period: an assignment belongs to one unit, so a second
            # unit missing the same assignment's period would contradict the first.
            {(m.assignment_id, m.period_end): m for m in draw(st.lists(
                st.builds(MissedReportFact, unit_ids, assignment_ids, days), max_size=6))}.values()
        ),
        rectifications=tuple(
            RectificationFact(r, draw(unit_ids), f"整改〔2021〕{r}号", draw(days), draw(st.none() | days))
            for r in range(draw(st.integers(0, 6)))
        ),
        circulars=tuple(
            CircularFact(c, draw(unit_ids), draw(days), draw(st.sampled_from(["criticism", "praise"])))
            for c in range(draw(st.integers(0, 6)))
        ),
        bonuses=tuple(
            BonusFact(b, draw(unit_ids), draw(money.filter(bool)), "加分", rule=draw(st.sampled_from(["", "b0", "b1"])))
            for b in range(draw(st.integers(0, 5)))
        ),
    )


@settings(max_examples=150, deadline=None)
@given(rubric=rubrics(), facts=fact_sets(), as_of=days)
def test_property_caps_and_bounds_hold(rubric, facts, as_of):
    result = score(facts, as_of=as_of, rubric=rubric)
    weights = {i.code: i.weight for i in rubric.indicators}
    for unit in result.units:
        for code, weight in weights.items():
            lost = -sum((item.points for item in unit.items if item.indicator == code), Decimal(0))
            assert 0 <= lost <= weight
            assert unit.indicators[code] == weight - lost
        for rule in rubric.rules:
            taken = [abs(item.points) for item in unit.items if item.rule == rule.code]
            if rule.cap is not None:
                assert sum(taken, Decimal(0)) <= rule.cap
            if rule.item_cap is not None:
                assert all(t <= rule.item_cap for t in taken)
        assert 0 <= unit.bonus <= rubric.bonus.cap
        assert 0 <= unit.total <= rubric.full_score + rubric.bonus.cap
        assert unit.total == rubric.full_score + unit.deductions + unit.bonus
        assert unit.deductions == sum((i.points for i in unit.items if not i.is_bonus), Decimal(0))
        assert all(abs(i.points) <= abs(i.raw_points) for i in unit.items)


@settings(max_examples=100, deadline=None)
@given(rubric=rubrics(), facts=fact_sets(), as_of=days, seed=st.integers(0, 2**32))
def test_property_same_facts_in_any_order_give_the_same_json(rubric, facts, as_of, seed):
    rng = random.Random(seed)

    def shuffled(items):
        items = list(items)
        rng.shuffle(items)
        return tuple(items)

    reordered = replace(
        facts,
        units=shuffled(facts.units),
        assignments=shuffled(facts.assignments),
        returned_reports=shuffled(facts.returned_reports),
        missed_reports=shuffled(facts.missed_reports),
        rectifications=shuffled(facts.rectifications),
        circulars=shuffled(facts.circulars),
        bonuses=shuffled(facts.bonuses),
    )
    first = score(facts, as_of=as_of, rubric=rubric).to_json()
    assert score(reordered, as_of=as_of, rubric=rubric).to_json() == first
    assert score(facts, as_of=as_of, rubric=rubric).to_json() == first

"""The rubric deducts per request answered late (or still open past its deadline) and per appeal lost."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from tracker.assessment.facts import AppealFact, Facts, RequestFact, UnitFact
from tracker.assessment.queries import collect_facts
from tracker.assessment.rubric import load_rubric
from tracker.assessment.scoring import compute
from tracker.calendar import default_calendar
from tracker.disclosure import services

from .conftest import AS_OF, register

D = date
RUBRIC = load_rubric("""\
year: 2021
full_score: 100
assessment_weight: 4%
categories:
  - {code: B, name: B类, unit_kinds: [city_dept]}
indicators:
  - {code: open, name: 依申请公开, weight: 100}
rules:
  - {code: late, name: 逾期答复, type: request_late, indicator: open, amount: 1, cap: 2}
  - {code: lost, name: 复议诉讼被纠错, type: appeal_lost, indicator: open, amount: 2}
""")
UNIT = UnitFact(1, "甲局", "city_dept")


def _points(facts, as_of=D(2021, 12, 31)):
    unit = compute(RUBRIC, facts, as_of, default_calendar()).unit(1)
    return [(i.id, str(i.points)) for i in unit.items], unit


def test_late_open_on_time_and_boundary():
    facts = Facts(units=(UNIT,), requests=(
        RequestFact(1, 1, "2021-0001", D(2021, 11, 1), D(2021, 11, 1)),   # answered on the due date: on time
        RequestFact(2, 1, "2021-0002", D(2021, 11, 1), D(2021, 11, 2)),   # one day late
        RequestFact(3, 1, "2021-0003", D(2021, 12, 30), None),           # open past its deadline on 12-31
        RequestFact(4, 1, "2021-0004", D(2021, 12, 31), None),           # due on the assessment day: not yet late
        RequestFact(5, 2, "2021-0005", D(2021, 3, 1), None),             # another, unassessed unit
    ))
    items, unit = _points(facts)
    assert items == [("late:disclosure_request:2", "-1.00"), ("late:disclosure_request:3", "-1.00")]
    assert unit.items[0].explanation == "政府信息公开申请（2021-0002）应于2021年11月1日前答复，2021年11月2日答复，扣1分"
    assert unit.items[1].explanation == "政府信息公开申请（2021-0003）应于2021年12月30日前答复，截至2021年12月31日仍未答复，扣1分"


def test_only_corrected_results_decided_by_the_assessment_day_count():
    facts = Facts(units=(UNIT,), appeals=(
        AppealFact(1, 1, "2021-0001", "review", "corrected", D(2021, 6, 1)),
        AppealFact(2, 1, "2021-0002", "suit_direct", "upheld", D(2021, 6, 1)),
        AppealFact(3, 1, "2021-0003", "suit_after_review", "corrected", D(2022, 1, 5)),
        AppealFact(4, 1, "2021-0004", "review", "pending", None),
    ))
    items, unit = _points(facts)
    assert items == [("lost:disclosure_appeal:1", "-2.00")]
    assert unit.items[0].explanation == "政府信息公开申请（2021-0001）的行政复议于2021年6月1日结果为纠正，扣2分"


def test_facts_come_from_the_register(world):
    on_time = register(world, received=D(2021, 9, 28))                       # due 11-01
    services.answer(world.reporter, on_time, category="open", on=D(2021, 10, 20), text="", as_of=AS_OF)
    review = services.add_appeal(world.reporter, on_time, kind="review", filed_on=D(2021, 11, 1), as_of=AS_OF)
    services.decide_appeal(world.reporter, review, result="corrected", decided_on=D(2021, 12, 1), as_of=AS_OF)
    late = register(world, received=D(2021, 9, 28))
    services.answer(world.reporter, late, category="open", on=D(2021, 11, 3), text="", as_of=AS_OF)
    register(world, received=D(2020, 12, 1))                                 # last year's: not this plan's
    register(world, unit=world.other_dept, actor=None, received=D(2021, 9, 28))  # not a unit of the plan
    facts = collect_facts([world.plan])
    assert sorted((r.serial, r.due_on, r.answered_on) for r in facts.requests) == [
        ("2021-0001", D(2021, 11, 1), D(2021, 10, 20)), ("2021-0002", D(2021, 11, 1), D(2021, 11, 3))]
    assert [(a.serial, a.result) for a in facts.appeals] == [("2021-0001", "corrected")]
    seed = load_rubric((__import__("pathlib").Path(__file__).resolve().parents[2] / "seeds" / "rubric.yaml")
                       .read_text(encoding="utf-8"))
    unit = compute(seed, facts, D(2021, 12, 31), default_calendar()).unit(world.finance.id)
    lines = {i.id: i.points for i in unit.items}
    assert lines[f"request_late:disclosure_request:{late.id}"] == Decimal("-1.00")
    assert lines[f"appeal_lost:disclosure_appeal:{review.id}"] == Decimal("-2.00")

"""Facts from the database, versions, freezing, objections and the rubric upload, against factories."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.assessment.conftest import AS_OF, utc
from tests.factories import (
    AssignmentFactory,
    PlanFactory,
    RectificationItemFactory,
    RectificationNoticeFactory,
    ReportFactory,
    TaskFactory,
    UnitFactory,
)
from tracker.assessment import queries, services
from tracker.assessment.models import AssessmentVersion, Bonus, Objection, RubricDocument
from tracker.audit.models import AuditEvent
from tracker.errors import ServiceError
from tracker.extensions import db
from tracker.inbox.models import Notification


def unit_result(version: AssessmentVersion, unit_id: int) -> dict:
    found = queries.ScoreSheet.of(version).unit(unit_id)
    assert found is not None, f"unit {unit_id} not in version {version.number}"
    return found


def item_ids(version: AssessmentVersion, unit_id: int) -> dict[str, float]:
    return {i["id"]: i["points"] for i in unit_result(version, unit_id)["items"]}


# --- facts ------------------------------------------------------------------------------------------


def test_facts_collect_every_kind_with_local_dates(world, scenario):
    facts = queries.collect_facts([world.plan])
    s = scenario
    assert {u.id for u in facts.units} == {world.finance.id, world.audit.id}
    by_id = {a.id: a for a in facts.assignments}
    # cooperating assignments never reach scoring, nor do reports on them
    assert s.helper.id not in by_id
    assert by_id[s.late.id].completed_at_date == date(2021, 10, 12)
    assert by_id[s.late.id].ref == "2" and by_id[s.late.id].title == "公开财政预决算"
    assert by_id[s.overdue.id].completed_at_date is None
    assert [(r.id, r.returned_on) for r in facts.returned_reports] == [(s.returned.id, date(2021, 10, 20))]
    assert [(m.assignment_id, m.period_end) for m in facts.missed_reports] == [(s.continuous.id, date(2021, 9, 30))]
    assert [(r.id, r.unit_id, r.due_on, r.closed_on) for r in facts.rectifications] == [
        (s.item.id, world.finance.id, date(2021, 11, 1), None)]
    assert facts.rectifications[0].notice_number == s.notice.doc_number
    # the draft circular is not a fact
    assert [(c.id, c.unit_id, c.kind) for c in facts.circulars] == [(s.criticism.id, world.audit.id, "criticism")]


def test_compute_version_gives_hand_computed_points(world, scenario):
    s = scenario
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    assert v.number == 1 and v.unit_count == 2 and not v.is_frozen
    finance = unit_result(v, world.finance.id)
    # late 0.5 + 4 × 0.2; returned 0.5; rectification 1 + 10 × 0.1
    assert item_ids(v, world.finance.id) == {
        f"late_completion:assignment:{s.late.id}": -1.3,
        f"report_returned:report:{s.returned.id}": -0.5,
        f"rectification_overdue:rectification:{s.item.id}": -2,
    }
    assert finance["total"] == 96.2
    assert finance["indicators"] == {"task_completion": 38.7, "progress_reporting": 19.5, "rectification": 18,
                                     "supervision": 20}
    assert finance["converted"] == 3.85
    audit = unit_result(v, world.audit.id)
    # overdue 2 + 11 × 0.1; missed period 1; criticism 5
    assert item_ids(v, world.audit.id) == {
        f"overdue_at_assessment:assignment:{s.overdue.id}": -3.1,
        f"missed_periodic_report:assignment:{s.continuous.id}:2021-09-30": -1,
        f"circular_criticism:circular:{s.criticism.id}:u{world.audit.id}": -5,
    }
    assert audit["total"] == 90.9
    assert [(u["unit"], u["rank"]) for u in v.result["categories"]["B"]] == [("测试市财政局", 1), ("测试市审计局", 2)]
    assert v.result["categories"]["A"] == []
    assert v.rubric_snapshot["year"] == 2021
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "assessment.compute"))
    assert event.object_id == v.id and event.after["units"] == 2


def test_extension_is_measured_from_the_extended_date_when_the_rubric_says_so(world, rubric, rubric_text):
    task = TaskFactory(plan=world.plan, ref="5", deadline=date(2021, 9, 30), deadline_kind="date")
    a = AssignmentFactory(task=task, unit=world.finance, role="lead", due_on=date(2021, 10, 29),
                          original_due_on=date(2021, 9, 30))
    moved = services.compute_version(world.supervisor, world.plan, AS_OF)
    # from the extended 29 October: 11 working days
    assert item_ids(moved, world.finance.id) == {f"overdue_at_assessment:assignment:{a.id}": -3.1}
    strict = services.save_rubric(world.admin, rubric_text.replace("extension_moves_due: true",
                                                                   "extension_moves_due: false"))
    assert strict.year == 2021
    fixed = services.compute_version(world.supervisor, world.plan, AS_OF)
    # from the original 30 September: 28 working days, 2 + 2.8 held to the item cap of 4
    assert item_ids(fixed, world.finance.id) == {f"overdue_at_assessment:assignment:{a.id}": -4}
    assert fixed.number == 2


def test_year_wide_bonus_and_last_years_look_back_count(world, rubric):
    last_year = PlanFactory(unit=world.city, year=2020, issued_on=date(2020, 6, 1))
    old_task = TaskFactory(plan=last_year, ref="9", deadline=date(2020, 12, 31))
    old = AssignmentFactory(task=old_task, unit=world.audit)
    notice = RectificationNoticeFactory(plan=last_year, unit=world.audit, issued_on=date(2021, 3, 1),
                                        due_on=date(2021, 3, 31))
    RectificationItemFactory(notice=notice, assignment=old, status="closed", closed_at=utc(2021, 4, 6, 2))
    # a look-back issued in 2020 belongs to 2020's assessment
    stale = RectificationNoticeFactory(plan=last_year, unit=world.finance, issued_on=date(2020, 12, 1),
                                       due_on=date(2020, 12, 15))
    RectificationItemFactory(notice=stale, assignment=AssignmentFactory(task=old_task, unit=world.finance))
    db.session.add(Bonus(unit_id=world.finance.id, plan_id=None, year=2021, rule="praised", points=Decimal("1.50"),
                         reason="全年通报表扬", evidence="测政办函〔2021〕9号"))
    db.session.add(Bonus(unit_id=world.other_dept.id, plan_id=None, year=2021, rule="praised", points=Decimal("2"),
                         reason="别市单位", evidence="别政办函〔2021〕1号"))
    db.session.flush()
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    audit = item_ids(v, world.audit.id)
    # due 31 March, closed 6 April: 1, 2 and 6 April are working days (Qingming 3-5 April)
    assert list(audit.values()) == [-1.3]
    finance = unit_result(v, world.finance.id)
    assert finance["bonus"] == 1.5 and finance["total"] == 101.5
    assert queries.ScoreSheet.of(v).unit(world.other_dept.id) is None


def test_compute_refuses_without_a_rubric_for_the_year(world):
    with pytest.raises(ServiceError, match="尚未导入2021年度考核细则"):
        services.compute_version(world.supervisor, world.plan, AS_OF)


# --- versions ---------------------------------------------------------------------------------------


def test_frozen_version_never_changes_and_new_computations_are_new_versions(world, scenario):
    v1 = services.compute_version(world.supervisor, world.plan, AS_OF)
    told = services.freeze_version(world.supervisor, v1, now=utc(2021, 11, 16, 2))
    assert told == 2  # one reporter each for 财政局 and 审计局
    notes = db.session.scalars(sa.select(Notification).where(Notification.user_id == world.reporter.id)).all()
    assert [n.link for n in notes] == [f"/assessment/versions/{v1.id}/units/{world.finance.id}"]
    stored = dict(v1.result)
    # later data: another returned report and a completion
    ReportFactory(assignment=scenario.late, status="returned", reviewed_at=utc(2021, 11, 20, 3))
    scenario.overdue.status, scenario.overdue.completed_at = "completed", utc(2021, 11, 18, 3)
    db.session.flush()
    v2 = services.compute_version(world.supervisor, world.plan, date(2021, 11, 30))
    v3 = services.compute_version(world.supervisor, world.plan, date(2021, 11, 30))
    assert [v1.number, v2.number, v3.number] == [1, 2, 3]
    db.session.expire_all()
    again = db.session.get(AssessmentVersion, v1.id)
    assert again.result == stored and again.is_frozen
    assert unit_result(again, world.finance.id)["total"] == 96.2
    assert unit_result(v2, world.finance.id)["total"] < 96.2
    with pytest.raises(ServiceError, match="已发布"):
        services.freeze_version(world.supervisor, again)
    with pytest.raises(ServiceError, match="只能发布最新计算的版本（第3版）"):
        services.freeze_version(world.supervisor, v2)


def test_rubric_edit_does_not_touch_a_computed_version(world, scenario, rubric_text):
    v1 = services.compute_version(world.supervisor, world.plan, AS_OF)
    services.save_rubric(world.admin, rubric_text.replace("name: 进展报告被退回", "name: 报告退回"))
    assert queries.ScoreSheet.of(v1).rule_name("report_returned") == "进展报告被退回"


# --- objections -------------------------------------------------------------------------------------


@pytest.fixture
def published(world, scenario):
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    services.freeze_version(world.supervisor, v, now=utc(2021, 11, 16, 2))  # 16 November local
    return v


def returned_item(scenario) -> str:
    return f"report_returned:report:{scenario.returned.id}"


def test_accepted_objection_removes_the_item_from_the_next_version(world, scenario, published):
    objection = services.file_objection(world.reporter, published, returned_item(scenario), "退回原因是网站故障，非本单位责任。",
                                        today=date(2021, 11, 23))
    assert objection.unit_id == world.finance.id and objection.item_points == Decimal("-0.50")
    staff = db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "objection")).all()
    assert staff == [world.supervisor.id]
    services.decide_objection(world.supervisor, objection, accept=True, reason="")
    assert objection.status == "accepted" and objection.decided_by_id == world.supervisor.id
    v2 = services.compute_version(world.supervisor, world.plan, AS_OF)
    assert returned_item(scenario) not in item_ids(v2, world.finance.id)
    assert v2.result["excluded"] == [returned_item(scenario)]
    assert unit_result(v2, world.finance.id)["total"] == 96.7
    # the published version keeps the item
    assert returned_item(scenario) in item_ids(published, world.finance.id)
    with pytest.raises(ServiceError, match="已处理"):
        services.decide_objection(world.supervisor, objection, accept=False, reason="重复处理")


def test_rejected_objection_needs_a_reason_and_keeps_the_item(world, scenario, published):
    objection = services.file_objection(world.reporter, published, returned_item(scenario), "请求复核该退回记录。",
                                        today=date(2021, 11, 16))
    with pytest.raises(ServiceError, match="不予采纳时请写明理由"):
        services.decide_objection(world.supervisor, objection, accept=False, reason=" ")
    services.decide_objection(world.supervisor, objection, accept=False, reason="退回理由成立。")
    v2 = services.compute_version(world.supervisor, world.plan, AS_OF)
    assert returned_item(scenario) in item_ids(v2, world.finance.id)
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == world.reporter.id,
                                                           Notification.kind == "objection"))
    assert "退回理由成立" in note.body


def test_objection_after_the_window_is_refused(world, scenario, published):
    # published 16 November, 7 calendar days: the 23rd is the last day
    with pytest.raises(ServiceError, match="申诉期已过.*2021-11-16发布.*截止日期为2021-11-23") as info:
        services.file_objection(world.reporter, published, returned_item(scenario), "理由充分的申诉。",
                                today=date(2021, 11, 24))
    assert info.value.status == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Objection)) == 0


def test_objection_window_follows_the_setting(app, world, scenario, published):
    app.config["OBJECTION_DAYS"] = 2
    try:
        assert services.objection_deadline(published) == date(2021, 11, 18)
        with pytest.raises(ServiceError, match="申诉期已过"):
            services.file_objection(world.reporter, published, returned_item(scenario), "理由充分的申诉。",
                                    today=date(2021, 11, 19))
    finally:
        app.config.pop("OBJECTION_DAYS")


def test_objection_on_another_units_item_is_refused(world, scenario, published):
    audit_item = f"overdue_at_assessment:assignment:{scenario.overdue.id}"
    with pytest.raises(ServiceError, match="只能对本单位的考核事项提出申诉") as info:
        services.file_objection(world.reporter, published, audit_item, "这不是我们的事项。", today=date(2021, 11, 17))
    assert info.value.status == 403
    with pytest.raises(ServiceError, match="没有这一扣分或加分事项"):
        services.file_objection(world.reporter, published, "late_completion:assignment:999999", "不存在的事项。",
                                today=date(2021, 11, 17))
    with pytest.raises(ServiceError, match="只有单位填报员"):
        services.file_objection(world.supervisor, published, returned_item(scenario), "督查人员不能申诉。",
                                today=date(2021, 11, 17))


def test_objection_needs_a_published_version_and_is_filed_once(world, scenario, published):
    services.file_objection(world.reporter, published, returned_item(scenario), "第一次申诉。", today=date(2021, 11, 17))
    with pytest.raises(ServiceError, match="请勿重复提交"):
        services.file_objection(world.reporter, published, returned_item(scenario), "第二次申诉。", today=date(2021, 11, 17))
    draft = services.compute_version(world.supervisor, world.plan, AS_OF)
    with pytest.raises(ServiceError, match="尚未发布"):
        services.file_objection(world.reporter, draft, returned_item(scenario), "未发布的版本。", today=date(2021, 11, 17))


# --- bonuses ----------------------------------------------------------------------------------------


def test_bonus_is_checked_and_counted_in_the_next_version(world, scenario):
    with pytest.raises(ServiceError, match="不是2021年度考核细则中的加分规则"):
        services.add_bonus(world.supervisor, world.plan, unit_id=world.finance.id, rule="late_completion", points="1",
                           reason="理由", evidence="文号")
    with pytest.raises(ServiceError, match="没有牵头或责任任务"):
        services.add_bonus(world.supervisor, world.plan, unit_id=world.county.id, rule="praised", points="1",
                           reason="理由", evidence="文号")
    with pytest.raises(ServiceError, match="单项最多加1分"):
        services.add_bonus(world.supervisor, world.plan, unit_id=world.finance.id, rule="interpretation_adopted",
                           points="1.5", reason="解读被采用", evidence="链接")
    with pytest.raises(ServiceError, match="最多保留两位小数"):
        services.add_bonus(world.supervisor, world.plan, unit_id=world.finance.id, rule="praised", points="0.125",
                           reason="理由", evidence="文号")
    with pytest.raises(ServiceError, match="佐证"):
        services.add_bonus(world.supervisor, world.plan, unit_id=world.finance.id, rule="praised", points="1",
                           reason="被表扬", evidence="")
    bonus = services.add_bonus(world.supervisor, world.plan, unit_id=world.finance.id, rule="praised", points="2",
                               reason="在全市推进会上被通报表扬", evidence="测政办函〔2021〕3号")
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    assert item_ids(v, world.finance.id)[f"praised:bonus:{bonus.id}"] == 2
    assert unit_result(v, world.finance.id)["total"] == 98.2
    services.delete_bonus(world.supervisor, bonus)
    assert db.session.get(Bonus, bonus.id) is None
    v2 = services.compute_version(world.supervisor, world.plan, AS_OF)
    assert unit_result(v2, world.finance.id)["total"] == 96.2
    assert unit_result(v, world.finance.id)["total"] == 98.2


# --- rubric upload ----------------------------------------------------------------------------------


def _rejected(text: str, year: int | None = None) -> list[str]:
    with pytest.raises(services.RubricRejected) as info:
        services.save_rubric(None, text, year=year)
    return info.value.messages


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("change, needle, message", [
    (("weight: 20\n    description: 督查检查", "weight: 30\n    description: 督查检查"), "weight: 30",
     "指标权重合计110分，超过满分100分"),
    (("    cap: 8\n", "    cap: -8\n"), "cap: -8", "不能为负数"),
    (("type: circular_criticism", "type: circular_blame"), "type: circular_blame", "未知的规则类型"),
    (("unit_kinds: [county_gov, zone]", "unit_kinds: [town]"), "unit_kinds: [town]", "没有单位属于该类别"),
])
def test_rubric_upload_refuses_bad_input_naming_the_line(world, rubric_text, change, needle, message):
    services.save_rubric(world.admin, rubric_text)
    before = db.session.scalar(sa.select(RubricDocument.yaml_text))
    bad = rubric_text.replace(*change)
    assert bad != rubric_text
    messages = _rejected(bad)
    line = _line_of(bad, needle)
    assert any(m.startswith(f"第{line}行") and message in m for m in messages), messages
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RubricDocument)) == 1
    assert db.session.scalar(sa.select(RubricDocument.yaml_text)) == before


def test_rubric_upload_saves_once_per_year_and_checks_the_year(world, rubric_text):
    messages = _rejected(rubric_text, year=2022)
    assert messages == [f"第{_line_of(rubric_text, 'year: 2021')}行（year）：细则中的年度为2021，与所选年度2022不一致"]
    assert _rejected("   ") == ["第1行：考核细则为空"]
    first = services.save_rubric(world.admin, rubric_text, year=2021)
    second = services.save_rubric(world.admin, rubric_text.replace("full_score: 100", "full_score: 100.00"))
    assert first.id == second.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RubricDocument)) == 1
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "rubric")).all()
    assert actions == ["rubric.save", "rubric.save"]


def test_category_check_skips_when_no_units_exist(rubric_text):
    doc = services.save_rubric(None, rubric_text.replace("unit_kinds: [city_dept]", "unit_kinds: [town]"))
    assert doc.year == 2021


def test_a_unit_kind_added_later_does_not_break_scoring(world, rubric):
    UnitFactory(name="测试镇", kind="town", category=None, parent=world.city)
    v = services.compute_version(world.supervisor, world.plan, AS_OF - timedelta(days=30))
    assert v.unit_count == 2


def test_facts_narrowed_to_a_date_score_the_same_as_all_facts(world, rubric_text):
    """The as_of filter only drops assignments that cannot give a line item: random cases, two rubrics."""
    import random

    from tracker.assessment.rubric import load_rubric
    from tracker.assessment.scoring import compute
    from tracker.calendar import default_calendar

    rng = random.Random(6)
    tasks = [TaskFactory(plan=world.plan, ref=str(10 + i), deadline=date(2021, 3, 1) + timedelta(days=25 * i),
                         deadline_kind=rng.choice(["date", "date", "year_end", "continuous"])) for i in range(12)]
    units = [world.finance, world.audit, world.county]
    made = 0
    for task in tasks:
        for unit in units:
            due = task.deadline + timedelta(days=rng.choice([0, 0, 0, 20, 45]))
            status = rng.choice(["pending", "in_progress", "completed", "completed"])
            done = None
            if status == "completed":
                # around local midnight (16:00 UTC) within a few weeks of the due date
                day = task.deadline + timedelta(days=rng.randint(-10, 60))
                done = utc(day.year, day.month, day.day, rng.choice([2, 15, 16]), rng.choice([0, 30, 59]))
            a = AssignmentFactory(task=task, unit=unit, role=rng.choice(["lead", "responsible", "cooperating"]),
                                  due_on=due, original_due_on=task.deadline, status=status, completed_at=done)
            if rng.random() < 0.3:
                ReportFactory(assignment=a, status="returned", reviewed_at=utc(2021, rng.randint(3, 11), 10, 3))
            made += 1
    db.session.flush()
    as_of_dates = [date(2021, 4, 1), date(2021, 7, 15), date(2021, 11, 15), date(2022, 2, 1)]
    everything = queries.collect_facts([world.plan])
    for text in (rubric_text, rubric_text.replace("extension_moves_due: true", "extension_moves_due: false")):
        rubric = load_rubric(text)
        for day in as_of_dates:
            narrowed = queries.collect_facts([world.plan], as_of=day)
            assert len(narrowed.assignments) < len(everything.assignments)
            full = compute(rubric, everything, day, default_calendar()).to_dict()
            assert compute(rubric, narrowed, day, default_calendar()).to_dict() == full
    assert made == 36


@pytest.mark.parametrize("setting, points", [
    # correction (the default): scored from the corrected 29 October, 11 working days: 2 + 1.1
    (None, -3.1),
    # keep_original: from the 22 October first assigned, 16 working days: 2 + 1.6
    ("keep_original", -3.6),
])
def test_a_supervisors_deadline_change_is_scored_as_the_rubric_says(world, rubric_text, setting, points):
    from tracker.plans import assign

    text = rubric_text if setting is None else rubric_text.replace(
        "assessment_weight: 4%\n", f"assessment_weight: 4%\ndeadline_change: {setting}\n")
    services.save_rubric(world.admin, text)
    task = TaskFactory(plan=world.plan, ref="6", title="公开审计整改结果", deadline=date(2021, 10, 22),
                       deadline_kind="date", deadline_text="2021-10-22")
    a = AssignmentFactory(task=task, unit=world.audit, role="lead")
    db.session.flush()
    assign.update_task(world.supervisor, task, title=task.title, text="", deadline="2021-10-29")
    assert (a.due_on, a.original_due_on, a.assigned_due_on) == (date(2021, 10, 29), date(2021, 10, 29),
                                                                date(2021, 10, 22))
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    assert item_ids(v, world.audit.id) == {f"overdue_at_assessment:assignment:{a.id}": points}


def test_keep_original_still_lets_a_later_extension_move_the_date(world, rubric_text):
    from tracker.plans import assign

    services.save_rubric(world.admin, rubric_text.replace("assessment_weight: 4%\n",
                                                          "assessment_weight: 4%\ndeadline_change: keep_original\n"))
    task = TaskFactory(plan=world.plan, ref="7", deadline=date(2021, 10, 15), deadline_kind="date",
                       deadline_text="2021-10-15")
    a = AssignmentFactory(task=task, unit=world.audit, role="lead")
    db.session.flush()
    assign.update_task(world.supervisor, task, title=task.title, text="", deadline="2021-10-22")
    assign.extend_assignments(world.supervisor, [a], date(2021, 10, 29), "材料需补充")
    assert (a.due_on, a.original_due_on, a.assigned_due_on) == (date(2021, 10, 29), date(2021, 10, 22),
                                                                date(2021, 10, 15))
    v = services.compute_version(world.supervisor, world.plan, AS_OF)
    # the seed rubric moves the due date with an approved extension: from 29 October, 11 days: 2 + 1.1
    assert item_ids(v, world.audit.id) == {f"overdue_at_assessment:assignment:{a.id}": -3.1}


def test_returned_reports_name_their_task_when_the_assignment_gives_no_item(world, scenario, rubric_text):
    """An assignment completed on time is left out of the facts at as_of; its returned report still
    names the task, as it does from the full facts. A withdrawn assignment's task is never named."""
    from tracker.assessment.rubric import load_rubric
    from tracker.assessment.scoring import compute
    from tracker.calendar import default_calendar

    task = TaskFactory(plan=world.plan, title="公开政策文件", ref="5", deadline=date(2021, 9, 30), deadline_kind="date")
    on_time = AssignmentFactory(task=task, unit=world.finance, role="lead", status="completed", progress=100,
                                completed_at=utc(2021, 9, 1, 2))
    gone = AssignmentFactory(task=task, unit=world.audit, role="responsible", withdrawn_at=utc(2021, 9, 2))
    first = ReportFactory(assignment=on_time, status="returned", reviewed_at=utc(2021, 9, 10, 3))
    second = ReportFactory(assignment=gone, status="returned", reviewed_at=utc(2021, 9, 13, 3))
    db.session.flush()

    narrowed = queries.collect_facts([world.plan], as_of=AS_OF)
    assert on_time.id not in {a.id for a in narrowed.assignments}
    reports = {r.id: r for r in narrowed.returned_reports}
    assert (reports[first.id].task_ref, reports[first.id].task_title) == ("5", "公开政策文件")
    assert (reports[second.id].task_ref, reports[second.id].task_title) == (None, "")

    rubric = load_rubric(rubric_text)
    result = compute(rubric, narrowed, AS_OF, default_calendar())
    texts = {item.id: item.explanation for unit in result.units for item in unit.items}
    assert texts[f"report_returned:report:{first.id}"] == "5「公开政策文件」的进展报告于2021年9月10日被退回，扣0.5分"
    assert texts[f"report_returned:report:{second.id}"] == f"承办事项{gone.id}的进展报告于2021年9月13日被退回，扣0.5分"
    everything = queries.collect_facts([world.plan])
    assert compute(rubric, everything, AS_OF, default_calendar()).to_dict() == result.to_dict()


def test_fact_reads_give_each_reads_rows_in_turn_and_a_failed_read_leaves_the_session_usable(world, scenario):
    """The fact reads (pipelined on PostgreSQL) answer what the session answers one statement at a time."""
    from tracker.plans.models import Assignment, Task

    tasks = sa.select(Task.id, Task.ref).where(Task.plan_id == world.plan.id).order_by(Task.id)
    counted = sa.select(Assignment.id, Assignment.role).where(Assignment.plan_id == world.plan.id).order_by(Assignment.id)
    expected = [[tuple(r) for r in db.session.execute(tasks)], [tuple(r) for r in db.session.execute(counted)]]
    with queries._Reads() as reads:
        reads.send(tasks)
        first = [tuple(r) for r in reads.rows()]
        reads.send(counted)  # a read sent after rows were taken is answered too
        assert [first, [tuple(r) for r in reads.rows()]] == expected
    assert expected[0] and expected[1]

    db.session.commit()
    with pytest.raises(Exception):
        with queries._Reads() as broken:
            broken.send(tasks, sa.select(sa.column("id")).select_from(sa.table("no_such_table")))
            broken.rows()
            broken.rows()
    db.session.rollback()
    # the connection left the pipeline and the failed transaction: the session reads again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.plan_id == world.plan.id)) \
        == len(expected[0])

"""Changing tasks and assignments after import (issue 16), at service level."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import AssignmentFactory, GroupFactory, ReportFactory, TaskFactory, UnitFactory
from tracker.audit.models import AuditEvent
from tracker.dashboard.queries import Filters, overview, unit_rows
from tracker.errors import ServiceError
from tracker.extensions import db
from tracker.inbox.models import Notification
from tracker.plans import assign
from tracker.plans.models import Assignment, Plan, Task
from tracker.plans.status import StatusRules
from tracker.reports.models import ProgressReport
from tracker.supervise.models import Reminder


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _notes(user) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.title).where(Notification.user_id == user.id)))


def _version(plan: Plan) -> str:
    return db.session.scalar(sa.select(Plan.data_version).where(Plan.id == plan.id))


def _units(task: Task) -> dict[str, str]:
    db.session.expire_all()
    return {a.unit.name: a.role for a in db.session.scalars(sa.select(Assignment).where(Assignment.task_id == task.id))}


# --- deadlines ----------------------------------------------------------------------------------


def test_deadline_words_read_with_the_plan_grammar(world):
    r = assign.read_deadline(world.plan, "9月底前")
    assert (r.kind, r.due) == ("date", date(2021, 9, 30))
    assert assign.read_deadline(world.plan, "年底前").due == date(2021, 12, 31)
    assert assign.read_deadline(world.plan, "2021-10-15").due == date(2021, 10, 15)
    cont = assign.read_deadline(world.plan, "持续推进")
    assert (cont.kind, cont.due) == ("continuous", None)


def test_deadline_on_the_issue_date_is_accepted_the_day_before_refused(world):
    # the world's plan was issued on 2021-07-01
    assert assign.read_deadline(world.plan, "2021-07-01").due == date(2021, 7, 1)
    with pytest.raises(ServiceError, match="早于文件印发日期2021-07-01"):
        assign.read_deadline(world.plan, "2021-06-30")
    with pytest.raises(ServiceError, match="无法识别完成时限"):
        assign.read_deadline(world.plan, "尽快吧")


# --- tasks --------------------------------------------------------------------------------------


def test_add_task_assigns_units_audits_notifies_and_renews_the_version(world):
    before = _version(world.plan)
    task = assign.add_task(world.supervisor, world.plan, title="公开财政专项资金分配结果", text="按季度公开。",
                           deadline="10月底前", units={"lead": [world.finance], "responsible": [world.audit]})
    assert (task.deadline, task.deadline_kind, task.ref) == (date(2021, 10, 31), "date", "补2")
    assert _units(task) == {"测试市财政局": "lead", "测试市审计局": "responsible"}
    assert {a.due_on for a in task.assignments} == {date(2021, 10, 31)}
    assert _audit("task.add")[0].object_id == task.id
    assert any("公开财政专项资金分配结果" in t for t in _notes(world.reporter))
    assert _version(world.plan) != before


def test_add_task_refuses_a_unit_outside_the_jurisdiction(world):
    n = db.session.scalar(sa.select(sa.func.count()).select_from(Task))
    with pytest.raises(ServiceError, match="不在测试市人民政府的管辖范围内"):
        assign.add_task(world.supervisor, world.plan, title="新任务", deadline="年底前",
                        units={"lead": [world.other_dept]})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == n


def test_changing_the_deadline_moves_open_assignments_not_completed_ones(world):
    world.a_aud.status = "completed"
    db.session.flush()
    before = _version(world.plan)
    assign.update_task(world.supervisor, world.task, title="做好财政信息公开", text="新的要求。", deadline="11月15日前")
    assert world.task.deadline == date(2021, 11, 15)
    assert (world.a_fin.due_on, world.a_fin.original_due_on) == (date(2021, 11, 15), date(2021, 11, 15))
    assert world.a_aud.due_on == date(2021, 12, 31)
    assert _audit("task.update")[0].before["deadline"] == "2021-12-31"
    assert any("完成时限改为“11月15日前”" in t for t in _notes(world.reporter))
    assert _version(world.plan) != before


def test_a_deadline_before_the_issue_date_changes_nothing(world):
    with pytest.raises(ServiceError, match="早于文件印发日期"):
        assign.update_task(world.supervisor, world.task, title="改了标题", text="", deadline="2021-05-01")
    db.session.expire_all()
    assert world.task.title == "做好财政信息公开"
    assert world.task.deadline == date(2021, 12, 31)


# --- units on a task ----------------------------------------------------------------------------


def test_add_a_group_phrase_expands_to_its_members(world):
    county2 = UnitFactory(name="测试二县人民政府", kind="county_gov", category="A", parent=world.city)
    GroupFactory(phrase="各县（市、区）人民政府", owner=world.city, rule_kind="county_gov", rule_parent=world.city)
    units, phrase = assign.resolve_phrase(world.plan, "各县（市、区）人民政府")
    assert {u.name for u in units} == {"测试县人民政府", "测试二县人民政府"}
    added = assign.add_units(world.supervisor, world.task, units, "cooperating", source_phrase=phrase)
    assert {a.unit_id for a in added} == {world.county.id, county2.id}
    assert all(a.source_phrase == "各县（市、区）人民政府" for a in added)
    assert _units(world.task)["测试二县人民政府"] == "cooperating"


def test_an_unknown_phrase_is_refused(world):
    with pytest.raises(ServiceError, match="找不到“火星局”"):
        assign.resolve_phrase(world.plan, "火星局")


def test_role_change_and_the_last_lead_rule(world):
    with pytest.raises(ServiceError, match="唯一的牵头单位"):
        assign.set_role(world.supervisor, world.a_fin, "responsible")
    assert _units(world.task)["测试市财政局"] == "lead"
    assign.set_role(world.supervisor, world.a_aud, "lead")
    assign.set_role(world.supervisor, world.a_fin, "responsible")  # another lead now exists
    assert _units(world.task) == {"测试市财政局": "responsible", "测试市审计局": "lead"}
    assert len(_audit("assignment.role")) == 2


def test_remove_an_assignment_without_reports(world):
    with pytest.raises(ServiceError, match="请填写原因"):
        assign.remove_assignment(world.supervisor, world.a_aud, "  ")
    assign.remove_assignment(world.supervisor, world.a_aud, "职责调整")
    assert _units(world.task) == {"测试市财政局": "lead"}
    assert _audit("assignment.remove")[0].after == {"reason": "职责调整"}
    assert any("任务取消" in t for t in _notes(world.reporter2))


def test_removing_the_last_lead_is_refused(world):
    with pytest.raises(ServiceError, match="唯一的牵头单位"):
        assign.remove_assignment(world.supervisor, world.a_fin, "调整")
    assert "测试市财政局" in _units(world.task)


def test_an_assignment_with_reports_cannot_be_removed_only_closed(world):
    ReportFactory(assignment=world.a_aud)
    with pytest.raises(ServiceError, match="已报送过进展，不能删除"):
        assign.remove_assignment(world.supervisor, world.a_aud, "调整")
    assign.withdraw_assignment(world.supervisor, world.a_aud, "改由财政局统一办理")
    db.session.expire_all()
    # out of the task's list and of every count, kept with its report in the history
    assert _units(world.task) == {"测试市财政局": "lead"}
    kept = db.session.scalars(sa.select(Assignment).where(Assignment.task_id == world.task.id)
                              .execution_options(with_withdrawn=True)).all()
    assert len(kept) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)
                             .where(ProgressReport.assignment_id == world.a_aud.id)) == 1
    with pytest.raises(ServiceError, match="已是“不再承办”"):
        assign.withdraw_assignment(world.supervisor, kept[1], "再来一次")


def test_a_closed_assignment_leaves_the_dashboard_figures(world):
    rules = StatusRules.at(date(2022, 1, 10))  # both assignments (due 2021-12-31) are overdue then
    flt = Filters(plan_id=world.plan.id)
    assert (overview(flt, rules).assignments, overview(flt, rules).overdue) == (2, 2)
    ReportFactory(assignment=world.a_aud)
    assign.withdraw_assignment(world.supervisor, world.a_aud, "不再承办")
    after = overview(flt, rules)
    assert (after.assignments, after.overdue) == (1, 1)
    assert [r.name for r in unit_rows(flt, rules)] == ["测试市财政局"]


# --- moving -------------------------------------------------------------------------------------


def test_move_takes_reports_along_and_the_figures_follow(world):
    ReportFactory(assignment=world.a_aud)
    rules = StatusRules.at(date(2022, 1, 10))
    flt = Filters(plan_id=world.plan.id)
    assert {r.name: r.overdue for r in unit_rows(flt, rules)} == {"测试市财政局": 1, "测试市审计局": 1}
    before = _version(world.plan)
    assign.move_assignment(world.supervisor, world.a_aud, world.county, reason="职能划转")
    db.session.expire_all()
    assert world.a_aud.unit_id == world.county.id
    report = db.session.scalar(sa.select(ProgressReport).where(ProgressReport.assignment_id == world.a_aud.id))
    assert report.unit_id == world.county.id  # the new unit sees what was reported
    assert {r.name: r.overdue for r in unit_rows(flt, rules)} == {"测试市财政局": 1, "测试县人民政府": 1}
    assert _version(world.plan) != before
    assert _audit("assignment.move")[0].after["moved"] == [{"assignment_id": world.a_aud.id,
                                                           "from_unit_id": world.audit.id}]
    assert any("转由“测试县人民政府”承办" in t for t in _notes(world.reporter2))


def test_move_outside_the_jurisdiction_or_onto_a_unit_already_on_the_task_is_refused(world):
    with pytest.raises(ServiceError, match="不在测试市人民政府的管辖范围内"):
        assign.move_assignment(world.supervisor, world.a_aud, world.other_dept)
    with pytest.raises(ServiceError, match="已承办任务"):
        assign.move_assignment(world.supervisor, world.a_aud, world.finance)
    db.session.expire_all()
    assert world.a_aud.unit_id == world.audit.id


def test_a_bulk_move_is_all_or_nothing(world):
    t2 = TaskFactory(plan=world.plan, title="第二项")
    a2 = AssignmentFactory(task=t2, unit=world.audit, role="lead")
    t3 = TaskFactory(plan=world.plan, title="第三项")
    a3 = AssignmentFactory(task=t3, unit=world.audit, role="lead")
    AssignmentFactory(task=t3, unit=world.county)
    with pytest.raises(ServiceError, match="已承办任务“第三项”"):
        assign.move_assignments(world.supervisor, [a2, a3], world.county)
    db.session.expire_all()
    assert (a2.unit_id, a3.unit_id) == (world.audit.id, world.audit.id)
    assign.move_assignments(world.supervisor, [world.a_aud, a2], world.county)
    assert (world.a_aud.unit_id, a2.unit_id) == (world.county.id, world.county.id)


# --- bulk extend and remind ---------------------------------------------------------------------


def test_bulk_extend_keeps_the_original_date(world):
    with pytest.raises(ServiceError, match="不晚于"):
        assign.extend_assignments(world.supervisor, [world.a_fin], date(2021, 12, 31), "等待上级文件")
    with pytest.raises(ServiceError, match="请填写原因"):
        assign.extend_assignments(world.supervisor, [world.a_fin], date(2022, 1, 31), "")
    assign.extend_assignments(world.supervisor, [world.a_fin, world.a_aud], date(2022, 1, 31), "等待上级文件")
    assert (world.a_fin.due_on, world.a_fin.original_due_on) == (date(2022, 1, 31), date(2021, 12, 31))
    assert StatusRules.at(date(2022, 1, 10)).status_of(world.a_aud) == "on_track"


def test_bulk_remind_counts_once(world):
    on = date(2022, 1, 4)
    assert assign.remind_assignments(world.supervisor, [world.a_fin, world.a_aud], on) == 2
    assert assign.remind_assignments(world.supervisor, [world.a_fin, world.a_aud], on) == 0
    rows = db.session.execute(sa.select(Reminder.assignment_id, Reminder.stage, Reminder.due_on)).all()
    assert sorted(rows) == sorted([(world.a_fin.id, "overdue", date(2021, 12, 31)),
                                   (world.a_aud.id, "overdue", date(2021, 12, 31))])
    assert any("催办" in t for t in _notes(world.reporter))

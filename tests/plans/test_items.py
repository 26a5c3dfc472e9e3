"""Ad-hoc 督办 items (交办件) and unit changes (issue 16), at service level and through the CLI."""
from __future__ import annotations

import io
import json
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from tests.factories import AssignmentFactory, ReportFactory, TaskFactory
from tracker.audit.models import AuditEvent
from tracker.dashboard.queries import Filters, unit_rows
from tracker.errors import ServiceError
from tracker.extensions import db
from tracker.plans import assign
from tracker.plans.models import Assignment, Plan, Task
from tracker.plans.status import StatusRules
from tracker.reports.models import ProgressReport
from tracker.reports.storage import path_for
from tracker.supervise.services import sweep
from tracker.units.models import Unit


def _item(world, **kw) -> assign.ItemInput:
    base = dict(source="领导批示", title="落实市长批示：公开停车收费标准", text="请市财政局牵头，市审计局配合，10日内办结。",
                due=date(2021, 9, 10), lead=[world.finance], responsible=[world.audit], doc_number="领导批示〔2021〕7号",
                source_date=date(2021, 9, 1), campaign="停车收费专项督办")
    base.update(kw)
    return assign.ItemInput(**base)


def test_an_item_is_a_task_of_the_jurisdictions_adhoc_container(world):
    task = assign.create_item(world.supervisor, world.city, _item(world))
    assert (task.plan.kind, task.plan.year, task.plan.title) == ("adhoc", 2021, "测试市人民政府2021年交办件")
    assert (task.source, task.source_doc_number, task.campaign, task.ref) == (
        "领导批示", "领导批示〔2021〕7号", "停车收费专项督办", "交1")
    assert {(a.unit.name, a.role, a.due_on) for a in task.assignments} == {
        ("测试市财政局", "lead", date(2021, 9, 10)), ("测试市审计局", "responsible", date(2021, 9, 10))}
    second = assign.create_item(world.supervisor, world.city, _item(world, title="第二件", campaign=""))
    assert second.plan_id == task.plan_id and second.ref == "交2" and second.campaign is None
    assert [t.title for t in assign.items(world.city, campaign="停车收费专项督办")] == ["落实市长批示：公开停车收费标准"]
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == task.id)) == "item.create"


def test_an_item_keeps_its_scan_in_the_evidence_store(world):
    data = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    task = assign.create_item(world.supervisor, world.city, _item(world), scan=io.BytesIO(data), scan_name="批示.pdf")
    assert task.scan_name == "批示.pdf"
    assert path_for(task.scan_sha256).read_bytes() == data


@pytest.mark.parametrize("change, message", [
    ({"lead": [], "responsible": []}, "请至少指定一个牵头单位或责任单位"),
    ({"source": "小道消息"}, "请选择交办件来源"),
    ({"title": " "}, "请填写交办事项名称"),
    ({"due": None}, "请填写办理时限"),
    ({"due": date(2021, 8, 31)}, "早于来源文件日期2021-09-01"),
])
def test_bad_items_are_refused_and_nothing_is_saved(world, change, message):
    with pytest.raises(ServiceError, match=message):
        assign.create_item(world.supervisor, world.city, _item(world, **change))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan).where(Plan.kind == "adhoc")) == 0


def test_an_item_for_a_unit_outside_the_jurisdiction_is_refused(world):
    with pytest.raises(ServiceError, match="不在测试市人民政府的管辖范围内"):
        assign.create_item(world.supervisor, world.city, _item(world, responsible=[world.other_dept]))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.source.is_not(None))) == 0


def test_the_sweep_treats_an_item_like_plan_work(world):
    task = assign.create_item(world.supervisor, world.city, _item(world))
    lead = next(a for a in task.assignments if a.role == "lead")
    lead.status, lead.progress, lead.completed_at = "completed", 100, datetime(2021, 9, 8, 2, tzinfo=timezone.utc)
    db.session.flush()
    # 2021-09-10 is a Friday: due that day is not overdue; on Monday 13th the open one is
    sweep(date(2021, 9, 10))
    db.session.expire_all()
    assert {a.unit.name: a.alert for a in task.assignments} == {"测试市财政局": None, "测试市审计局": "due_soon"}
    sweep(date(2021, 9, 13))
    db.session.expire_all()
    assert {a.unit.name: a.alert for a in task.assignments} == {"测试市财政局": None, "测试市审计局": "overdue"}
    rows = {r.name: (r.completed, r.overdue) for r in unit_rows(Filters(plan_id=task.plan_id), StatusRules.at(date(2021, 9, 13)))}
    assert rows == {"测试市财政局": (1, 0), "测试市审计局": (0, 1)}


def test_a_withdrawn_assignment_gets_no_reminder_from_the_sweep(world):
    ReportFactory(assignment=world.a_aud)
    assign.withdraw_assignment(world.supervisor, world.a_aud, "不再承办")
    sweep(date(2022, 1, 10))
    db.session.expire_all()
    alerts = dict(db.session.execute(sa.select(Assignment.id, Assignment.alert)
                                     .execution_options(with_withdrawn=True)).all())
    assert alerts[world.a_fin.id] == "overdue"
    assert alerts[world.a_aud.id] is None


# --- units change -------------------------------------------------------------------------------


def test_rename_keeps_the_old_name_for_earlier_documents(world):
    before = datetime(2021, 1, 1, tzinfo=timezone.utc)
    assign.rename_unit(world.admin, world.audit, "测试市审计和统计局")
    assert world.audit.name == "测试市审计和统计局"
    assert "测试市审计局" in world.audit.aliases
    assert assign.name_on(world.audit, before) == "测试市审计局"
    assert assign.name_on(world.audit, datetime(2100, 1, 1, tzinfo=timezone.utc)) == "测试市审计和统计局"
    with pytest.raises(ServiceError, match="已存在"):
        assign.rename_unit(world.admin, world.audit, "测试市财政局")


def test_merge_moves_open_work_and_leaves_completed_work(world):
    done_task = TaskFactory(plan=world.plan, title="已办结的任务")
    done = AssignmentFactory(task=done_task, unit=world.audit, role="lead", status="completed", progress=100)
    ReportFactory(assignment=world.a_aud)
    result = assign.merge_units(world.admin, world.audit, world.county)
    db.session.expire_all()
    assert [r["task"] for r in result.moved] == ["做好财政信息公开"]
    assert result.kept == 1
    assert world.a_aud.unit_id == world.county.id
    assert done.unit_id == world.audit.id
    assert db.session.scalar(sa.select(ProgressReport.unit_id).where(ProgressReport.assignment_id == world.a_aud.id)) == world.county.id
    assert (world.audit.is_active, world.audit.merged_into_id) == (False, world.county.id)


def test_merge_onto_a_unit_already_on_the_task_folds_the_duplicate(world):
    result = assign.merge_units(world.admin, world.audit, world.finance)
    assert [r["task"] for r in result.folded] == ["做好财政信息公开"] and result.moved == []
    db.session.expire_all()
    assert [(a.unit_id, a.role) for a in world.task.assignments] == [(world.finance.id, "lead")]


def test_merging_a_unit_into_itself_is_refused(world):
    with pytest.raises(ServiceError, match="不能把单位并入它自己"):
        assign.merge_units(world.admin, world.audit, world.audit)
    assert world.audit.is_active


def test_retire_needs_open_work_moved_first(world):
    with pytest.raises(ServiceError, match="还有1项未办结的任务"):
        assign.retire_unit(world.admin, world.audit)
    assert world.audit.is_active
    assign.move_assignment(world.supervisor, world.a_aud, world.county)
    assign.retire_unit(world.admin, world.audit)
    assert not world.audit.is_active
    with pytest.raises(ServiceError, match="已撤销，不能再承办"):
        assign.move_assignment(world.supervisor, world.a_aud, world.audit)


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_items_create_and_list(world, runner):
    result = runner.invoke(args=["items", "create", "--source", "领导批示", "--doc-number", "批〔2021〕3号",
                                 "--title", "公开停车收费", "--text", "按批示办理", "--lead", "测试市财政局",
                                 "--responsible", "市审计局", "--due", "2021-10-20", "--json"])
    assert result.exit_code == 0, result.output
    item = json.loads(result.output)
    assert (item["source"], item["doc_number"], item["due"], item["jurisdiction"]) == (
        "领导批示", "批〔2021〕3号", "2021-10-20", "测试市人民政府")
    assert [(a["unit"], a["role"]) for a in item["assignments"]] == [("测试市财政局", "牵头单位"), ("测试市审计局", "责任单位")]
    listed = json.loads(runner.invoke(args=["items", "list", "--json"]).output)
    assert [r["id"] for r in listed] == [item["id"]]


def test_cli_items_create_refuses_in_chinese(world, runner):
    result = runner.invoke(args=["items", "create", "--source", "领导批示", "--title", "无单位", "--due", "2021-10-20"])
    assert result.exit_code != 0 and "请至少指定一个牵头单位或责任单位" in result.output
    result = runner.invoke(args=["items", "create", "--source", "领导批示", "--title", "T", "--lead", "不存在局",
                                 "--due", "2021-10-20"])
    assert result.exit_code != 0 and "单位名录中没有“不存在局”" in result.output


def test_cli_units_merge_prints_what_moved(world, runner):
    result = runner.invoke(args=["units", "merge", "测试市审计局", "测试县人民政府", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["from"], out["into"], [m["task"] for m in out["moved"]]) == (
        "测试市审计局", "测试县人民政府", ["做好财政信息公开"])
    bad = runner.invoke(args=["units", "merge", "测试县人民政府", "测试县人民政府"])
    assert bad.exit_code != 0 and "不能把单位并入它自己" in bad.output
    assert db.session.get(Unit, world.county.id).is_active

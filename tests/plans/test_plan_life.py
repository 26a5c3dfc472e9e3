"""A plan's life after import: withdraw, archive, pending drafts, preview edits, amendments."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import ReportFactory
from tracker.audit.models import AuditEvent
from tracker.errors import ServiceError
from tracker.extensions import db
from tracker.inbox.models import Notification
from tracker.plans import services
from tracker.plans.models import Assignment, Plan, PlanImport, Task
from tracker.reports.models import ProgressReport


def audit_actions(object_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == object_id)
                                   .order_by(AuditEvent.id)))


def plan_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Plan))


# --- withdraw and archive ---------------------------------------------------------------------


def test_withdraw_deletes_the_plan_audits_and_tells_the_units(world):
    plan_id = world.plan.id
    summary = services.withdraw_plan(world.supervisor, world.plan)
    assert summary["tasks"] == 1 and summary["assignments"] == 2 and summary["units"] == 2
    assert db.session.get(Plan, plan_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(Assignment.plan_id == plan_id)) == 0
    assert "plan.withdraw" in audit_actions(plan_id)
    told = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.title.contains("误导入已撤回"))))
    assert told == {world.reporter.id, world.reporter2.id}
    assert db.session.get(Plan, world.other_plan.id) is not None


def test_withdraw_marks_the_import_that_made_the_plan(world):
    imp = PlanImport(unit_id=world.city.id, filename="x.txt", draft={"plan": {}, "tasks": []}, mapping={},
                     status="confirmed", plan_id=world.plan.id)
    db.session.add(imp)
    db.session.flush()
    services.withdraw_plan(world.supervisor, world.plan)
    db.session.refresh(imp)
    assert (imp.status, imp.plan_id) == ("withdrawn", None)


@pytest.mark.parametrize("acted", ["report", "progress", "status"])
def test_withdraw_refused_once_a_unit_has_acted(world, acted):
    if acted == "report":
        ReportFactory(assignment=world.a_aud, plan_id=world.plan.id)
    elif acted == "progress":
        world.a_aud.progress = 10
    else:
        world.a_aud.status = "in_progress"
    db.session.flush()
    with pytest.raises(ServiceError, match="不能撤回.*只能归档") as excinfo:
        services.withdraw_plan(world.supervisor, world.plan)
    assert excinfo.value.status == 409
    assert db.session.get(Plan, world.plan.id) is not None


def test_archive_keeps_everything(world):
    ReportFactory(assignment=world.a_fin, plan_id=world.plan.id)
    db.session.flush()
    services.archive_plan(world.supervisor, world.plan)
    assert world.plan.archived_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 1
    assert "plan.archive" in audit_actions(world.plan.id)
    with pytest.raises(ServiceError, match="已归档"):
        services.archive_plan(world.supervisor, world.plan)


def test_withdraw_from_the_plan_page(client, auth, world):
    auth.login(world.supervisor)
    page = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "撤回（误导入）" in page and 'data-confirm="确定撤回《' in page and "onsubmit" not in page
    assert 'name="csrf_token"' in page
    resp = client.post(f"/plans/{world.plan.id}/withdraw")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/plans/")
    assert db.session.get(Plan, world.plan.id) is None


def test_plan_page_offers_only_archive_after_a_report(client, auth, world):
    ReportFactory(assignment=world.a_fin, plan_id=world.plan.id)
    db.session.flush()
    auth.login(world.supervisor)
    page = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "撤回（误导入）" not in page and "不能撤回，只能归档" in page and ">归档</button>" in page
    resp = client.post(f"/plans/{world.plan.id}/withdraw")
    assert resp.status_code == 302
    assert db.session.get(Plan, world.plan.id) is not None
    client.post(f"/plans/{world.plan.id}/archive")
    assert db.session.get(Plan, world.plan.id).archived_at is not None
    assert "已归档" in client.get("/plans/").get_data(as_text=True)


def test_another_jurisdiction_cannot_withdraw_or_archive(client, auth, world):
    auth.login(world.other_supervisor)
    assert client.post(f"/plans/{world.plan.id}/withdraw").status_code == 404
    assert client.post(f"/plans/{world.plan.id}/archive").status_code == 404
    assert db.session.get(Plan, world.plan.id).archived_at is None


def test_reporter_cannot_withdraw(client, auth, world):
    auth.login(world.reporter)
    assert client.post(f"/plans/{world.plan.id}/withdraw").status_code == 403
    assert plan_count() == 2


# --- pending drafts ---------------------------------------------------------------------------

PLAN_V1 = """测试市2023年政务公开工作要点
一、深化公开
（一）预算公开。做好部门预算公开。（责任单位：市财政局；完成时限：6月底前）
（二）审计公开。做好审计结果公开。（责任单位：市审计局；完成时限：9月底前）
（三）决算公开。做好部门决算公开。（责任单位：市财政局）
"""

PLAN_V2 = """测试市2023年政务公开工作要点
一、深化公开
（一）预算公开。做好部门预算公开。（责任单位：市财政局；完成时限：7月底前）
（三）决算公开。做好部门决算公开。（责任单位：市财政局、市审计局）
（四）债务公开。做好政府债务信息公开。（责任单位：市审计局；完成时限：11月底前）
"""


def start_text(world, text: str) -> PlanImport:
    return services.start_import(world.supervisor, world.city, filename="要点.txt", data=text.encode("utf-8"))


def test_pending_drafts_listed_resumable_and_discardable(client, auth, world):
    mine = start_text(world, PLAN_V1)
    theirs = services.start_import(world.other_supervisor, world.other_city, filename="别.txt",
                                   data=PLAN_V1.replace("测试市", "别市").encode("utf-8"))
    auth.login(world.supervisor)
    page = client.get("/plans/imports").get_data(as_text=True)
    assert f"/plans/import/{mine.id}" in page and f"/plans/import/{theirs.id}" not in page
    assert 'data-confirm="确定放弃该导入？' in page
    assert client.get(f"/plans/import/{mine.id}").status_code == 200  # resume
    resp = client.post(f"/plans/import/{mine.id}/discard", data={"back": "imports"})
    assert resp.headers["Location"].endswith("/plans/imports")
    assert db.session.get(PlanImport, mine.id).status == "discarded"
    assert f"/plans/import/{mine.id}\"" not in client.get("/plans/imports").get_data(as_text=True)
    assert client.post(f"/plans/import/{theirs.id}/discard").status_code == 404


# --- editing the preview ----------------------------------------------------------------------


def edit(imp, index, *, deadline, kind):
    task = imp.draft["tasks"][index]
    services.update_task(None, imp, index, title=task["title"], text=task["text"], deadline=deadline,
                         deadline_kind=kind, deadline_text=task.get("deadline_text") or "",
                         lead=task["lead_units"], responsible=task["responsible_units"],
                         cooperating=task["cooperating_units"])
    return imp.draft["tasks"][index]


def test_typing_a_date_over_the_default_makes_it_a_stated_date(world):
    imp = start_text(world, PLAN_V1)
    third = imp.draft["tasks"][2]
    assert (third["deadline_kind"], third["deadline"]) == ("default", "2023-12-31")
    changed = edit(imp, 2, deadline="2023-10-31", kind="default")
    assert (changed["deadline_kind"], changed["deadline"]) == ("date", "2023-10-31")
    assert changed["deadline_detail"]["kind"] == "date"


def test_same_date_keeps_the_kind_and_an_explicit_kind_wins(world):
    imp = start_text(world, PLAN_V1)
    assert edit(imp, 2, deadline="2023-12-31", kind="default")["deadline_kind"] == "default"
    assert edit(imp, 2, deadline="2023-11-30", kind="year_end")["deadline_kind"] == "year_end"


# --- amendments -------------------------------------------------------------------------------


def test_revised_plan_shows_the_changes_and_keeps_the_reports(world, client, auth):
    first = start_text(world, PLAN_V1)
    plan = services.confirm(world.supervisor, first)
    fin_budget = db.session.scalar(sa.select(Assignment).join(Task).where(Task.plan_id == plan.id, Task.ref == "一.（一）"))
    audit_task = db.session.scalar(sa.select(Assignment).join(Task).where(Task.plan_id == plan.id, Task.ref == "一.（二）"))
    ReportFactory(assignment=fin_budget, plan_id=plan.id)
    ReportFactory(assignment=audit_task, plan_id=plan.id)
    fin_budget.status = audit_task.status = "in_progress"
    db.session.flush()

    revised = start_text(world, PLAN_V2)
    assert services.find_duplicate(revised) is None  # another 文号 and text: not the same file …
    assert services.find_revised(revised).id == plan.id  # … but the same title and year: a revision
    changes = {(c["ref"], c["change"], c["detail"]) for c in services.amendment_diff(revised, plan)}
    assert changes == {
        ("一.（一）", "时限调整", "测试市财政局：2023-06-30 → 2023-07-31"),
        ("一.（三）", "新增单位", "测试市审计局"),
        ("一.（四）", "新增任务", "测试市审计局"),
        ("一.（二）", "删除任务", "测试市审计局"),
    }
    auth.login(world.supervisor)
    page = client.get(f"/plans/import/{revised.id}").get_data(as_text=True)
    assert "与已有工作要点相比的变化（4 处）" in page and "2023-06-30 → 2023-07-31" in page
    assert "作为修订版更新已有工作要点" in page and ">确认导入</button>" in page

    services.confirm(world.supervisor, revised, mode="update")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 2
    db.session.refresh(fin_budget)
    assert fin_budget.due_on == date(2023, 7, 31)
    # the removed task stays while a unit has reported on it
    assert db.session.get(Assignment, audit_task.id) is not None
    refs = set(db.session.scalars(sa.select(Task.ref).where(Task.plan_id == plan.id)))
    assert {"一.（一）", "一.（三）", "一.（四）"} <= refs


def test_same_title_may_still_be_a_plan_of_its_own(world):
    plan = services.confirm(world.supervisor, start_text(world, PLAN_V1))
    other = services.confirm(world.supervisor, start_text(world, PLAN_V2))
    assert other.id != plan.id and plan_count() == 4


def test_identical_reimport_shows_no_change(world):
    plan = services.confirm(world.supervisor, start_text(world, PLAN_V1))
    assert services.amendment_diff(start_text(world, PLAN_V1), plan) == []


def test_any_reported_agrees_with_the_count_for_each_way_of_acting(world):
    from tracker.plans.services import any_reported, reported_count

    assert (any_reported(world.plan), reported_count(world.plan)) == (False, 0)
    world.a_fin.progress = 10  # progress alone is acting on it
    db.session.flush()
    assert (any_reported(world.plan), reported_count(world.plan)) == (True, 1)
    world.a_fin.progress = 0
    world.a_fin.status = "in_progress"  # so is a state other than pending
    db.session.flush()
    assert (any_reported(world.plan), reported_count(world.plan)) == (True, 1)
    world.a_fin.status = "pending"
    ReportFactory(assignment=world.a_fin, plan_id=world.plan.id)  # and a report
    db.session.flush()
    assert (any_reported(world.plan), reported_count(world.plan)) == (True, 1)

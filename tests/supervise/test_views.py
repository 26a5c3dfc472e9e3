"""The supervision pages: scoping (404 for other units), forms, downloads, circulars, the calendar editor."""
from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import sqlalchemy as sa
from docx import Document

from tests.factories import UserFactory
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.inbox.models import Notification
from tracker.plans.models import Task
from tracker.supervise import calendar_db, services
from tracker.supervise.models import (
    CalendarOverride,
    Circular,
    EscalationNotice,
    IssuingOffice,
)

from .conftest import inbox, make_assignment

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _swept(world):
    make_assignment(world, world.finance, date(2021, 9, 30), title="财政专项逾期")
    make_assignment(world, world.audit, date(2021, 9, 30), title="审计结果逾期")
    services.sweep(date(2021, 10, 14))
    db.session.commit()


def test_overdue_page_shows_own_unit_only_and_days(client, auth, world):
    _swept(world)
    auth.login(world.reporter)
    page = client.get("/supervise/overdue?as_of=2021-10-14").get_data(as_text=True)
    assert "财政专项逾期" in page and "审计结果逾期" not in page
    assert '<td class="days">6</td>' in page  # 8, 9 (make-up), 11, 12, 13 and 14 October
    auth.logout()
    auth.login(world.supervisor)
    page = client.get("/supervise/overdue?as_of=2021-10-14").get_data(as_text=True)
    assert "财政专项逾期" in page and "审计结果逾期" in page


def test_overdue_page_lists_overdue_then_due_soon_by_due_date_with_totals_from_its_counts(
        client, auth, world, monkeypatch):
    """Issue 15: the list is read in due-date order and its total is the counts the page shows;
    both must still be the status module's (completed after as_of is still overdue on as_of)."""
    from datetime import datetime, timezone

    rows = [("逾期A", world.finance, date(2021, 9, 30), None), ("逾期B", world.audit, date(2021, 10, 8), None),
            ("逾期C", world.finance, date(2021, 10, 13), None),
            ("临期D", world.finance, date(2021, 10, 14), None),  # due on as_of itself: due soon
            ("临期E", world.audit, date(2021, 10, 15), None),
            ("已办结", world.finance, date(2021, 9, 20), datetime(2021, 10, 1, 2, tzinfo=timezone.utc)),
            ("后办结", world.audit, date(2021, 9, 25), datetime(2021, 10, 20, 2, tzinfo=timezone.utc))]
    for title, unit, due, done in rows:
        a = make_assignment(world, unit, due, title=title, status="completed" if done else "in_progress")
        a.completed_at = done
    db.session.commit()
    monkeypatch.setitem(client.application.config, "PAGE_SIZE", 4)  # the app is shared by the session
    auth.login(world.supervisor)

    def titles(html: str) -> list[str]:
        return [t for t in re.findall(r"(逾期[ABC]|临期[DE]|已办结|后办结)</a>", html)]

    first = client.get("/supervise/overdue?as_of=2021-10-14").get_data(as_text=True)
    second = client.get("/supervise/overdue?as_of=2021-10-14&page=2").get_data(as_text=True)
    assert titles(first) == ["后办结", "逾期A", "逾期B", "逾期C"]
    assert titles(second) == ["临期D", "临期E"]
    assert "逾期 4</a>" in first and "临期 2</a>" in first
    assert "第 1 / 2 页，共 6 条" in first and "第 2 / 2 页，共 6 条" in second
    soon = client.get("/supervise/overdue?as_of=2021-10-14&alert=due_soon").get_data(as_text=True)
    assert titles(soon) == ["临期D", "临期E"] and "共 2 条" in soon
    late = client.get("/supervise/overdue?as_of=2021-10-14&alert=overdue&page=1").get_data(as_text=True)
    assert titles(late) == ["后办结", "逾期A", "逾期B", "逾期C"] and "共 4 条" in late
    # a unit filter keeps the plain unit column: the same figures for that unit
    one = client.get(f"/supervise/overdue?as_of=2021-10-14&unit={world.audit.id}").get_data(as_text=True)
    assert titles(one) == ["后办结", "逾期B", "临期E"] and "共 3 条" in one


def test_pages_warn_about_a_year_without_calendar_data(client, auth, world):
    auth.login(world.supervisor)
    page = client.get("/supervise/overdue?as_of=2030-01-10").get_data(as_text=True)
    assert "2030年的节假日安排尚未录入" in page
    resp = client.get("/supervise/overdue?as_of=2030-13-45")
    assert resp.status_code == 400 and "日期格式不正确" in resp.get_data(as_text=True)


def test_reminder_list_and_docx_are_scoped(client, auth, world):
    _swept(world)
    auth.login(world.reporter)
    page = client.get("/supervise/reminders?on=2021-10-14").get_data(as_text=True)
    assert "财政专项逾期" in page and "审计结果逾期" not in page
    resp = client.get("/supervise/reminders.docx?on=2021-10-14")
    assert resp.status_code == 200 and resp.mimetype == DOCX
    rows = Document(BytesIO(resp.data)).tables[0].rows
    task = db.session.scalar(sa.select(Task).where(Task.title == "财政专项逾期"))
    assert [r.cells[1].text for r in rows[1:]] == [task.text]  # the task as the plan words it
    auth.logout()
    auth.login(world.other_supervisor)
    assert client.get(f"/supervise/reminders.docx?on=2021-10-14&unit={world.finance.id}").status_code == 404


def test_escalation_page_and_docx(client, auth, world):
    _swept(world)
    auth.login(world.reporter2)
    mine = client.get("/supervise/escalations").get_data(as_text=True)
    assert "测政办督〔2021〕2号" in mine and "测政办督〔2021〕1号" not in mine
    notice_id = db.session.scalar(sa.text("SELECT id FROM escalation_notices WHERE doc_number = '测政办督〔2021〕1号'"))
    assert client.get(f"/supervise/escalations/{notice_id}").status_code == 404
    assert client.get(f"/supervise/escalations/{notice_id}.docx").status_code == 404
    auth.logout()
    auth.login(world.leader)
    assert "财政专项逾期" in client.get(f"/supervise/escalations/{notice_id}").get_data(as_text=True)
    resp = client.get(f"/supervise/escalations/{notice_id}.docx")
    assert resp.status_code == 200 and "attachment;" in resp.headers["Content-Disposition"]


def test_circular_draft_edit_publish(client, auth, world):
    make_assignment(world, world.finance, date(2021, 9, 30))
    make_assignment(world, world.finance, date(2021, 9, 29))
    make_assignment(world, world.audit, date(2021, 9, 30))
    leader_elsewhere = UserFactory(username="leader9", role="leader", unit=world.other_city)
    db.session.commit()
    auth.login(world.supervisor)
    resp = client.post("/supervise/circulars/new", data={"plan_id": world.plan.id, "kind": "criticism",
                                                         "as_of": "2021-11-15", "limit": "10"})
    assert resp.status_code == 302
    circular = db.session.scalar(sa.select(Circular))
    assert [(cu.unit_id, cu.count) for cu in circular.units] == [(world.finance.id, 2), (world.audit.id, 1)]
    assert "以下单位存在逾期未办结事项（按逾期事项数排列，数量相同的按单位序列排列）：" in circular.body.splitlines()
    assert "测试市财政局" not in circular.body and "测试市审计局" not in circular.body  # listed once: the table
    draft = Document(BytesIO(client.get(f"/supervise/circulars/{circular.id}.docx").data))
    assert "草稿" in [p.text for p in draft.paragraphs] and circular.doc_number is None
    resp = client.post(f"/supervise/circulars/{circular.id}/edit",
                       data={"title": "关于财政局逾期的通报", "body": "正文已修改。", "unit_ids": [world.finance.id]})
    assert resp.status_code == 302
    db.session.expire_all()
    assert circular.title == "关于财政局逾期的通报" and [cu.unit_id for cu in circular.units] == [world.finance.id]
    shown = client.get(f"/supervise/circulars/{circular.id}").get_data(as_text=True)
    assert "测试市财政局" in shown and "测试市审计局" not in shown  # unticked: gone from text and table
    assert client.post(f"/supervise/circulars/{circular.id}/publish").status_code == 302
    db.session.expire_all()
    assert circular.status == "published" and circular.issued_on is not None
    assert circular.doc_number == f"测政办通〔{circular.issued_on.year}〕1号"
    told = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "circular")))
    assert told == {world.reporter.id, world.reporter2.id, world.leader.id}
    message = db.session.scalars(sa.select(Notification.body).where(Notification.kind == "circular")).first()
    assert "1. 测试市财政局：逾期未办结2项。" in message and "测试市审计局" not in message
    assert inbox(leader_elsewhere) == []
    docx = client.get(f"/supervise/circulars/{circular.id}.docx")
    document = Document(BytesIO(docx.data))
    assert circular.doc_number in [p.text for p in document.paragraphs]
    overall, named = document.tables[0], document.tables[1]
    assert [c.text for c in overall.rows[-1].cells] == ["合计", "5", "0", "3", "0.0%"]  # the world's two, due 2021-12-31, and the three above
    assert [[c.text for c in r.cells] for r in named.rows] == [["序号", "单位", "逾期未办结事项"], ["1", "测试市财政局", "2"]]
    again = client.post(f"/supervise/circulars/{circular.id}/publish", follow_redirects=True)
    assert "该通报已发布" in again.get_data(as_text=True)
    auth.logout()
    auth.login(world.reporter2)
    assert client.get(f"/supervise/circulars/{circular.id}").status_code == 200
    auth.logout()
    auth.login(world.other_supervisor)
    assert client.get(f"/supervise/circulars/{circular.id}").status_code == 404


def test_draft_circular_hidden_from_reporters(client, auth, world):
    circular = services.draft_circular(world.supervisor, world.plan, kind="praise", as_of=date(2021, 11, 15))
    db.session.commit()
    auth.login(world.reporter)
    assert client.get(f"/supervise/circulars/{circular.id}").status_code == 404


def test_calendar_editor_changes_the_working_days(client, auth, world):
    auth.login(world.admin)
    assert calendar_db.current_calendar().is_workday(date(2030, 1, 2))
    resp = client.post("/supervise/calendar", data={"day": "2030-01-02", "is_workday": "0", "note": "元旦"})
    assert resp.status_code == 302
    cal = calendar_db.current_calendar()
    assert not cal.is_workday(date(2030, 1, 2)) and not cal.is_provisional(2030)
    assert "元旦" in client.get("/supervise/calendar?year=2030").get_data(as_text=True)
    override = db.session.scalar(sa.select(CalendarOverride))
    assert client.post(f"/supervise/calendar/{override.id}/delete").status_code == 302
    assert calendar_db.current_calendar().is_workday(date(2030, 1, 2))
    bad = client.post("/supervise/calendar", data={"day": "明天", "is_workday": "0"})
    assert "日期格式不正确" in bad.get_data(as_text=True)
    auth.logout()
    auth.login(world.supervisor)
    assert client.get("/supervise/calendar").status_code == 403


def test_admin_sets_an_office_code_and_escalations_use_it(client, auth, world):
    world.plan.issuer = "测试市人民政府办公室"
    make_assignment(world, world.finance, date(2021, 9, 30))
    db.session.commit()
    auth.login(world.admin)
    page = client.get("/supervise/offices").get_data(as_text=True)
    assert "测试市人民政府办公室" in page  # offered: a plan's issuer without a code yet
    for bad, message in ((dict(name="", code="测政办"), "请填写发文机关名称"),
                         (dict(name="测试市人民政府办公室", code="测政办〔"), "文号代字应为1到30个字"),
                         (dict(name="测试市人民政府办公室", code="测政办1"), "文号代字应为1到30个字")):
        resp = client.post("/supervise/offices", data={**bad, "letter_format": "y"}, follow_redirects=True)
        assert message in resp.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuingOffice)) == 0
    resp = client.post("/supervise/offices", data={"name": "测试市人民政府办公室", "code": "测政办督查",
                                                    "contact": "联系人：王敏，联系电话：0359-2022345", "cc": "市委办公室"})
    assert resp.status_code == 302
    office = db.session.scalar(sa.select(IssuingOffice))
    assert (office.code, office.letter_format, office.cc_list) == ("测政办督查", False, ["市委办公室"])
    resp = client.post(f"/supervise/offices?id={office.id}", data={"name": "测试市人民政府办公室", "code": "测政办",
                                                                   "letter_format": "y"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert (office.code, office.letter_format) == ("测政办", True)
    again = client.post("/supervise/offices", data={"name": "测试市人民政府办公室", "code": "另一个"},
                        follow_redirects=True)
    assert "已设置过文号代字" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "office.save"
    services.sweep(date(2021, 10, 14))
    assert db.session.scalar(sa.select(EscalationNotice.doc_number)) == "测政办督〔2021〕1号"
    auth.logout()
    auth.login(world.supervisor)
    assert client.get("/supervise/offices").status_code == 403


def test_circular_edit_with_unknown_unit_ids_says_which(client, auth, world):
    make_assignment(world, world.finance, date(2021, 9, 30))
    db.session.commit()
    auth.login(world.supervisor)
    client.post("/supervise/circulars/new", data={"plan_id": world.plan.id, "kind": "criticism",
                                                  "as_of": "2021-11-15", "limit": "10"})
    circular = db.session.scalar(sa.select(Circular))
    resp = client.post(f"/supervise/circulars/{circular.id}/edit",
                       data={"title": "改过的标题", "body": "正文。", "unit_ids": [world.finance.id, 999999, "abc"]})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "单位编号 999999、abc 不在本通报的单位中" in html and "not a valid" not in html.lower()
    db.session.expire_all()
    assert circular.title != "改过的标题" and [cu.unit_id for cu in circular.units] == [world.finance.id]


# --- manual 催办 (issue 21) -------------------------------------------------------------------------------

def _due_around_today(world):
    from datetime import timedelta

    from tracker.timeutil import app_today

    today = app_today()
    for a in (world.a_fin, world.a_aud, world.a_other):
        a.status = "completed"
    late = make_assignment(world, world.finance, today - timedelta(days=20), title="财政专项逾期")
    soon = make_assignment(world, world.audit, today, title="审计今日到期")  # due today: due soon
    done = make_assignment(world, world.audit, today - timedelta(days=20), title="已办结的任务", status="completed")
    db.session.commit()
    return today, late, soon, done


def test_supervisor_reminds_a_selection_from_the_overdue_list(client, auth, world):
    from tracker.supervise.models import Reminder

    today, late, soon, _ = _due_around_today(world)
    auth.login(world.supervisor)
    page = client.get("/supervise/overdue").get_data(as_text=True)
    assert 'id="remind-form"' in page and f'name="assignment_ids" value="{late.id}"' in page
    assert 'data-check-all="input[form=remind-form][name=assignment_ids]"' in page
    assert "确定向所选 {n} 项任务的承办单位发出催办吗" in page
    # a replayed day shows no 催办 form
    replay = client.get(f"/supervise/overdue?as_of={date(today.year, 1, 2).isoformat()}").get_data(as_text=True)
    assert 'id="remind-form"' not in replay
    resp = client.post("/supervise/remind", data={"assignment_ids": [late.id, soon.id],
                                                  "next": "/supervise/overdue?alert=overdue"})
    assert resp.headers["Location"].endswith("/supervise/overdue?alert=overdue")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已向2个单位催办2项任务" in page
    got = sorted(db.session.execute(sa.select(Reminder.assignment_id, Reminder.stage, Reminder.sweep_on)).all())
    assert got == sorted([(late.id, "overdue", today), (soon.id, "due_soon", today)])
    assert [n.title for n in inbox(world.reporter)][-1] == f"催办：财政专项逾期已逾期（完成时限{late.due_on.isoformat()}）"
    # again the same day: nothing more, and said so
    page = client.post("/supervise/remind", data={"assignment_ids": [late.id]}, follow_redirects=True)
    assert "今天已催办过" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Reminder.id))) == 2


def test_remind_one_from_its_page_and_refusals(client, auth, world):
    from tracker.supervise.models import Reminder

    _, late, _, done = _due_around_today(world)
    auth.login(world.supervisor)
    page = client.get(f"/assignments/{late.id}").get_data(as_text=True)
    assert 'id="remind-one"' in page and "确定向测试市财政局发出催办吗" in page
    assert 'id="remind-one"' not in client.get(f"/assignments/{done.id}").get_data(as_text=True)
    resp = client.post("/supervise/remind", data={"assignment_ids": [late.id], "single": "1",
                                                  "next": f"/assignments/{late.id}#timeline"})
    assert resp.headers["Location"].endswith(f"/assignments/{late.id}#timeline")
    page = client.get(f"/assignments/{late.id}").get_data(as_text=True)
    assert "督查人员催办（逾期" in page  # on the timeline
    resp = client.post("/supervise/remind", data={"assignment_ids": [done.id], "single": "1"}, follow_redirects=True)
    assert "该任务已办结，无需催办。" in resp.get_data(as_text=True)
    resp = client.post("/supervise/remind", data={}, follow_redirects=True)
    assert "请先勾选要催办的任务" in resp.get_data(as_text=True)
    other = make_assignment(world, world.other_dept, late.due_on)
    db.session.commit()
    assert client.post("/supervise/remind", data={"assignment_ids": [other.id], "single": "1"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Reminder.id))) == 1
    auth.logout()
    auth.login(world.reporter)
    assert client.post("/supervise/remind", data={"assignment_ids": [late.id]}).status_code == 403

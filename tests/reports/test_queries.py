"""Scoping and list queries: who sees which report, the queue's unit list, 我的任务's derived filters."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from tracker.calendar import default_calendar
from tracker.extensions import db
from tracker.plans.status import StatusRules
from tracker.reports import queries
from tests.factories import AssignmentFactory, ReportFactory, TaskFactory

AS_OF = date(2021, 11, 15)


def visible(user, report) -> bool:
    try:
        return queries.get_report_for(user, report.id).id == report.id
    except NotFound:
        return False


def test_who_sees_which_report(world):
    lead_sent = ReportFactory(assignment=world.a_fin)
    lead_draft = ReportFactory(assignment=world.a_fin, status="draft", submitted_at=None)
    resp_sent = ReportFactory(assignment=world.a_aud)
    resp_draft = ReportFactory(assignment=world.a_aud, status="draft", submitted_at=None)
    foreign = ReportFactory(assignment=world.a_other)
    db.session.flush()
    table = {
        "reporter (lead unit)": (world.reporter, [True, True, True, False, False]),
        "reporter2 (responsible unit)": (world.reporter2, [False, False, True, True, False]),
        "supervisor": (world.supervisor, [True, False, True, False, False]),
        "leader": (world.leader, [True, False, True, False, False]),
        "admin": (world.admin, [True, False, True, False, True]),
        "other city's supervisor": (world.other_supervisor, [False, False, False, False, True]),
    }
    reports = [lead_sent, lead_draft, resp_sent, resp_draft, foreign]
    for who, (user, expected) in table.items():
        assert [visible(user, r) for r in reports] == expected, who


def test_lead_is_only_the_lead_units_reporter(world):
    assert queries.is_lead_for(world.reporter, world.a_fin)
    assert not queries.is_lead_for(world.reporter2, world.a_aud)
    assert not queries.is_lead_for(world.supervisor, world.a_fin)
    peers = db.session.scalars(queries.peer_assignments(world.a_fin)).all()
    assert peers == [world.a_aud]


def test_queue_units_caps_the_list_but_keeps_the_chosen_unit(world):
    ReportFactory(assignment=world.a_fin)
    ReportFactory(assignment=AssignmentFactory(task=TaskFactory(plan=world.plan), unit=world.finance))
    ReportFactory(assignment=world.a_aud)
    ReportFactory(assignment=world.a_other)
    db.session.flush()
    assert queries.queue_units(world.supervisor) == [(world.finance.id, "市财政局", 2), (world.audit.id, "市审计局", 1)]
    assert queries.queue_units(world.supervisor, limit=1) == [(world.finance.id, "市财政局", 2)]
    assert queries.queue_units(world.supervisor, limit=1, include=world.audit.id)[-1] == (world.audit.id, "市审计局", 1)
    assert queries.review_queue_count(world.supervisor) == 3
    assert queries.review_queue_count(world.supervisor, unit_id=world.audit.id) == 1
    assert queries.review_queue_count(world.admin) == 4


def test_returned_filter_ignores_reports_answered_since(world):
    answered = AssignmentFactory(task=TaskFactory(plan=world.plan, title="已重新报送"), unit=world.finance)
    ReportFactory(assignment=answered, status="returned", review_comment="补充")
    ReportFactory(assignment=answered, status="submitted")
    ReportFactory(assignment=world.a_fin, status="returned", review_comment="缺链接")
    db.session.flush()
    cal = default_calendar()
    got = db.session.scalars(queries.my_tasks(world.finance.id, as_of=AS_OF, calendar=cal, status="returned")).all()
    assert got == [world.a_fin]
    assert queries.my_tasks_count(world.finance.id, as_of=AS_OF, calendar=cal, status="returned") == 1
    block = queries.action_block(world.finance.id, as_of=AS_OF, calendar=cal)
    assert [r.review_comment for r in block.returned] == ["缺链接"] and block.returned_total == 1


@pytest.mark.parametrize("due, expected", [
    (date(2021, 11, 15), ("due_soon", 0, 0)),  # the due date itself: due soon, not overdue
    (date(2021, 11, 18), ("due_soon", 0, 3)),  # the last day of the 3-working-day window
    (date(2021, 11, 19), ("on_track", 0, 4)),
    (date(2021, 11, 12), ("overdue", 1, None)),  # due Friday, open on Monday: 1 working day
    (None, ("on_track", 0, None)),
])
def test_state_counts_working_days(due, expected):
    a = SimpleNamespace(status="pending", completed_at=None, due_on=due, original_due_on=due)
    st = StatusRules.at(AS_OF, calendar=default_calendar(), soon_workdays=3).state(a)
    assert (st.status, st.overdue_workdays, st.workdays_left) == expected


def test_days_left_skips_the_national_day_holiday():
    # 2021-10-01..07 were holidays; 09-26 and 10-09 (weekends) were make-up workdays.
    a = SimpleNamespace(status="pending", completed_at=None, due_on=date(2021, 10, 8), original_due_on=None)
    assert StatusRules.at(date(2021, 9, 30), calendar=default_calendar()).state(a).workdays_left == 1


def test_latest_report_per_assignment(world):
    ReportFactory(assignment=world.a_fin, status="approved")
    newest = ReportFactory(assignment=world.a_fin, status="draft", submitted_at=None)
    other = ReportFactory(assignment=world.a_aud)
    db.session.flush()
    assert queries.latest_reports([world.a_fin.id, world.a_aud.id]) == {world.a_fin.id: newest, world.a_aud.id: other}
    assert queries.latest_reports([world.a_fin.id], include_drafts=False)[world.a_fin.id].status == "approved"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(queries.assignment_reports(world.a_fin).subquery())) == 1


# --- the review queue's keyword search (issue 21) ------------------------------------------------------

def test_review_queue_keyword_search_matches_task_unit_and_report_any_case(world):
    sci = AssignmentFactory(task=TaskFactory(plan=world.plan, title="推进OFD版式文件应用", ref="3.2",
                                             text="全面推行100%电子化"), unit=world.county)
    r_sci = ReportFactory(assignment=sci, text="已完成培训")
    r_fin = ReportFactory(assignment=world.a_fin, text="已发布预算_决算公开专栏")
    r_aud = ReportFactory(assignment=world.a_aud, text="审计结果已公告")
    ReportFactory(assignment=world.a_other, text="别市的OFD报告")  # outside the supervisor's city
    db.session.flush()
    # term -> the reports expected, worked out from the rows above
    table = {
        "ofd": {r_sci.id},            # task title, typed in another case
        "3.2": {r_sci.id},            # task number
        "100%": {r_sci.id},           # task text; % matches only itself
        "%": {r_sci.id},
        "_": {r_fin.id},              # report text; _ matches only itself
        "审计局": {r_aud.id},          # unit name
        "测试县": {r_sci.id},          # unit short name
        "财政信息": {r_fin.id, r_aud.id},  # the shared task's title
        "公告": {r_aud.id},            # report text
        "没有这个词": set(),
    }
    for term, expected in table.items():
        got = {r.id for r in db.session.scalars(queries.review_queue(world.supervisor, term=term)).unique()}
        assert got == expected, term
        assert queries.review_queue_count(world.supervisor, term=term) == len(expected), term
    assert queries.review_queue_count(world.admin, term="ofd") == 2
    assert queries.review_queue_count(world.supervisor, term="财政信息", unit_id=world.audit.id) == 1

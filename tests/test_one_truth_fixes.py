"""Each contradiction issue 13 found, pinned: the pages now agree with each other."""
from __future__ import annotations

from datetime import date


from tests.factories import AssignmentFactory, TaskFactory, build_world
from tracker.extensions import db
from tracker.supervise.models import EscalationItem, EscalationNotice, Reminder

AS_OF = date(2021, 11, 15)


def _overdue(w, unit, due=date(2021, 10, 29), **kw):
    t = TaskFactory(plan=w.plan, deadline=due, **kw)
    return AssignmentFactory(task=t, unit=unit, due_on=due, original_due_on=due)


def test_without_a_sweep_the_supervise_page_counts_what_the_dashboard_counts(client, auth):
    w = build_world()
    _overdue(w, w.finance)
    _overdue(w, w.audit)
    db.session.commit()  # no sweep has run: every alert flag is empty
    auth.login(w.supervisor)
    html = client.get(f"/supervise/overdue?as_of={AS_OF.isoformat()}").get_data(as_text=True)
    assert "逾期 2<" in html
    dash = client.get(f"/dashboard/?plan={w.plan.id}&as_of={AS_OF.isoformat()}").get_data(as_text=True)
    assert 'class="card overdue"' in dash and 'data-count="2" href="/dashboard/assignments?' in dash


def test_the_reporters_supervise_page_and_my_tasks_agree(client, auth):
    w = build_world()
    _overdue(w, w.finance)
    db.session.commit()
    auth.login(w.reporter)
    mine = client.get(f"/my/tasks?as_of={AS_OF.isoformat()}").get_data(as_text=True)
    supervise = client.get(f"/supervise/overdue?as_of={AS_OF.isoformat()}").get_data(as_text=True)
    assert "已逾期（1）" in mine and "逾期 1<" in supervise


def test_the_overdue_summary_shows_the_sweeps_reminders_and_escalations(client, auth):
    w = build_world()
    a = _overdue(w, w.finance)
    db.session.flush()
    db.session.add(Reminder(assignment_id=a.id, unit_id=a.unit_id, stage="overdue", due_on=a.due_on,
                            sweep_on=date(2021, 11, 1)))
    notice = EscalationNotice(unit_id=a.unit_id, issued_on=date(2021, 11, 8), prefix="督办", number=7,
                              doc_number="督办〔2021〕7号")
    db.session.add(notice)
    db.session.flush()
    db.session.add(EscalationItem(notice_id=notice.id, assignment_id=a.id, due_on=a.due_on))
    db.session.commit()
    auth.login(w.leader)
    html = client.get(f"/dashboard/overdue?plan={w.plan.id}&as_of={AS_OF.isoformat()}").get_data(as_text=True)
    assert "催办 1 次" in html and "督办 1 次" in html and "督办〔2021〕7号" in html
    # Before the escalation was issued, the same page on an earlier date shows the reminder only.
    html = client.get(f"/dashboard/overdue?plan={w.plan.id}&as_of=2021-11-05").get_data(as_text=True)
    assert "催办 1 次" in html and "督办〔2021〕7号" not in html
    timeline = client.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert "督办通知 督办〔2021〕7号" in timeline and "催办（逾期" in timeline


def test_tasks_without_units_are_named_beside_the_dashboards_count(client, auth):
    w = build_world()
    TaskFactory(plan=w.plan, title="无承办单位的任务")
    db.session.commit()
    auth.login(w.supervisor)
    dash = client.get(f"/dashboard/?plan={w.plan.id}&as_of={AS_OF.isoformat()}").get_data(as_text=True)
    assert "另有 1 项未分派" in dash
    page = client.get(f"/plans/{w.plan.id}").get_data(as_text=True)
    assert "任务 2 项（其中 1 项未分派承办单位）" in page


def test_a_replayed_assignment_page_never_says_both_days_left_and_past_due(app, client, auth):
    w = build_world()
    a = _overdue(w, w.finance, due=date(2021, 12, 31))
    db.session.commit()
    app.config["TODAY"] = date(2022, 3, 1)
    try:
        auth.login(w.reporter)
        html = client.get(f"/assignments/{a.id}?as_of={AS_OF.isoformat()}").get_data(as_text=True)
        assert "剩34个工作日" in html  # 16 Nov … 31 Dec 2021, as of the replayed day
        assert "已超过完成时限" not in html and "回放" in html
        today = client.get(f"/assignments/{a.id}").get_data(as_text=True)
        assert "已超过完成时限" in today and "逾期" in today and "剩34个工作日" not in today
    finally:
        app.config["TODAY"] = None

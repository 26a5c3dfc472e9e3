"""Walk every route with every role: each route declares its roles and the app enforces them."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from tracker.access import PUBLIC, ROLES, allowed_roles_of

# Who may open each route, written here from the design brief's role table (DESIGN.md), not read
# from the @roles decorators: widening a decorator by mistake makes this test fail.
ANYONE = {"public"}
SIGNED_IN = {"admin", "supervisor", "leader", "reporter"}
STAFF = {"admin", "supervisor", "leader"}
ADMIN = {"admin"}
SUPERVISOR = {"supervisor"}
REPORTER = {"reporter"}
EXPECTED_ROLES = {
    # accounts: the admin manages users and login locks
    "accounts.home": ANYONE, "accounts.login": ANYONE, "accounts.logout": SIGNED_IN,
    "accounts.users": ADMIN, "accounts.user_new": ADMIN, "accounts.user_edit": ADMIN,
    "accounts.user_password": ADMIN, "accounts.user_active": ADMIN,
    "accounts.locks": ADMIN, "accounts.unlock": ADMIN,
    # units, groups, the holiday calendar and the audit log: the admin only
    "units.index": ADMIN, "units.new": ADMIN, "units.edit": ADMIN, "units.set_active": ADMIN, "units.merge": ADMIN,
    "units.import_units": ADMIN, "units.groups": ADMIN, "units.group_new": ADMIN, "units.group_edit": ADMIN,
    "units.group_delete": ADMIN,
    "supervise.calendar": ADMIN, "supervise.calendar_delete": ADMIN, "supervise.offices": ADMIN,
    "audit.index": ADMIN, "audit.export": ADMIN,
    # plans: staff read; the supervisor imports
    "plans.index": STAFF, "plans.detail": STAFF, "plans.task": STAFF,
    "plans.import_start": SUPERVISOR, "plans.import_preview": SUPERVISOR, "plans.import_names": SUPERVISOR,
    "plans.import_task": SUPERVISOR, "plans.import_confirm": SUPERVISOR, "plans.import_discard": SUPERVISOR,
    "plans.imports": SUPERVISOR, "plans.withdraw": SUPERVISOR, "plans.archive": SUPERVISOR,
    # assigning after import (issue 16): the supervisor changes tasks and assignments; staff read 交办件
    "plans.task_add": SUPERVISOR, "plans.task_edit": SUPERVISOR, "plans.task_add_units": SUPERVISOR,
    "plans.assignment_role": SUPERVISOR, "plans.assignment_remove": SUPERVISOR,
    "plans.assignment_withdraw": SUPERVISOR, "plans.assignment_move": SUPERVISOR, "plans.bulk": SUPERVISOR,
    "plans.items": STAFF, "plans.item_scan": STAFF, "plans.item_docx": STAFF,
    # reports: the reporter writes for its unit; the supervisor reviews and decides extensions
    "reports.my_tasks": REPORTER, "reports.save_report": REPORTER, "reports.remove_evidence": REPORTER,
    "reports.request_extension": REPORTER,
    "reports.assignment": SIGNED_IN, "reports.evidence": SIGNED_IN,
    "reports.review_queue": SUPERVISOR, "reports.review": SUPERVISOR, "reports.review_bulk": SUPERVISOR,
    "reports.report_public": SUPERVISOR, "reports.extension_queue": SUPERVISOR,
    "reports.decide_extension": SUPERVISOR,
    # inbox: everyone signed in, their own messages
    "inbox.index": SIGNED_IN, "inbox.open_item": SIGNED_IN, "inbox.read_all": SIGNED_IN,
    # dashboard: staff read; the supervisor drafts circulars and publishes the public page
    "dashboard.index": STAFF, "dashboard.assignments": STAFF, "dashboard.overdue": STAFF,
    "dashboard.circular": SUPERVISOR, "dashboard.publish": SUPERVISOR,
    # issue 15: all cities' plans of a year, for the supervisor and the leader of the jurisdiction
    "dashboard.province_overview": {"supervisor", "leader"},
    # the public progress pages
    "public.index": ANYONE, "public.plan": ANYONE,
    # supervision: notices and circulars are read by all (reporters their own unit's); the supervisor acts
    "supervise.overdue": SIGNED_IN, "supervise.reminders": SIGNED_IN, "supervise.reminders_docx": SIGNED_IN,
    "supervise.escalations": SIGNED_IN, "supervise.escalation": SIGNED_IN, "supervise.escalation_docx": SIGNED_IN,
    "supervise.notices": SIGNED_IN, "supervise.notice": SIGNED_IN, "supervise.notice_docx": SIGNED_IN,
    "supervise.circulars": SIGNED_IN, "supervise.circular": SIGNED_IN, "supervise.circular_docx": SIGNED_IN,
    "supervise.item_answer": REPORTER, "supervise.item_close": SUPERVISOR, "supervise.item_return": SUPERVISOR,
    "supervise.lookback": SUPERVISOR, "supervise.circular_new": SUPERVISOR, "supervise.circular_edit": SUPERVISOR,
    "supervise.circular_delete": SUPERVISOR, "supervise.circular_publish": SUPERVISOR,
    "supervise.job_runs": {"admin", "supervisor"}, "supervise.run_sweep": {"admin", "supervisor"},
    "supervise.assessment_schedule": {"admin"},
    # issue 21: manual 催办 (a supervisor's, like reviewing)
    "supervise.remind": SUPERVISOR,
    # issue 21: print views (A4, no navigation), each with the roles of its screen page
    "dashboard.overdue_print": STAFF, "dashboard.assignments_print": STAFF,
    "reports.review_queue_print": SUPERVISOR, "reports.my_tasks_print": REPORTER,
    # assessment: the admin keeps the rubric; the supervisor scores; units see their own and may object
    "assessment.index": SIGNED_IN, "assessment.plan": SIGNED_IN, "assessment.version": SIGNED_IN,
    "assessment.unit": SIGNED_IN,
    "assessment.rubrics": STAFF, "assessment.bonuses": STAFF, "assessment.objections": STAFF,
    "assessment.rubric_edit": ADMIN, "assessment.rubric_yaml": ADMIN, "assessment.rubric_export": ADMIN,
    "assessment.compute": SUPERVISOR, "assessment.freeze": SUPERVISOR, "assessment.add_bonus": SUPERVISOR,
    "assessment.delete_bonus": SUPERVISOR, "assessment.decide_objection": SUPERVISOR,
    "assessment.file_objection": REPORTER,
    # exports: staff take the workbooks; a reporter its own unit's ledger
    "exports.index": SIGNED_IN, "exports.ledger": STAFF, "exports.overdue": STAFF, "exports.assessment": STAFF,
    "exports.mine": REPORTER,
    # annual reports: all signed in read (reporters their own unit's); units import their own; the supervisor publishes
    "annual.index": SIGNED_IN, "annual.detail": SIGNED_IN, "annual.docx": SIGNED_IN,
    "annual.import_start": {"supervisor", "reporter"}, "annual.import_confirm": {"supervisor", "reporter"},
    "annual.build": {"supervisor", "reporter"},
    # the unit's reporter fills in its own report (section 二, prose, final mark); the supervisor may correct it
    "annual.edit_section2": {"supervisor", "reporter"}, "annual.edit_texts": {"supervisor", "reporter"},
    "annual.redraft": {"supervisor", "reporter"}, "annual.finalize": {"supervisor", "reporter"},
    "annual.publish": SUPERVISOR, "annual.withdraw": SUPERVISOR,
    "annual.public_index": ANYONE, "annual.public_detail": ANYONE,
    # disclosure requests: staff read the register (applicant data masked); the office and the units write
    "disclosure.index": SIGNED_IN, "disclosure.detail": SIGNED_IN, "disclosure.document": SIGNED_IN,
    "disclosure.docx": SIGNED_IN, "disclosure.export": SIGNED_IN, "disclosure.annual": SIGNED_IN,
    "disclosure.applicant": {"supervisor", "reporter"},
    "disclosure.new": {"supervisor", "reporter"}, "disclosure.edit": {"supervisor", "reporter"},
    "disclosure.act": {"supervisor", "reporter"}, "disclosure.appeal_result": {"supervisor", "reporter"},
    "disclosure.upload": {"supervisor", "reporter"}, "disclosure.import_register": {"supervisor", "reporter"},
    # 使用说明: every signed-in user reads every role's help and its screenshots (demo data only); visitors get
    # the short one on the public page
    "help.index": SIGNED_IN, "help.role": SIGNED_IN, "help.screenshot": SIGNED_IN,
}

#: What a URL parameter is filled with: an id that exists for ints, a plain word otherwise.
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _url_for_rule(rule, world) -> str:
    ids = {
        "user_id": world.reporter.id,
        "unit_id": world.finance.id,
        "group_id": 999999,
        "plan_id": world.plan.id,
        "assignment_id": world.a_fin.id,
        "report_id": 999999,
        "evidence_id": 999999,
        "request_id": 999999,
        "import_id": 999999,
        "task_id": world.task.id,
        "index": 0,
        "escalation_id": 999999,
        "notice_id": 999999,
        "item_id": 999999,
        "circular_id": 999999,
        "override_id": 999999,
        "version_id": 999999,
        "bonus_id": 999999,
        "objection_id": 999999,
        "annual_report_id": 999999,
    }

    def fill(m):
        conv, name = m.group(1), m.group(2)
        if conv in (None, "string", "path"):
            return "x.css" if name == "filename" else "x"
        return str(ids.get(name, 1))

    return CONVERTER.sub(fill, rule.rule)


def _rules(app):
    return [r for r in app.url_map.iter_rules() if not r.endpoint.endswith("static")]


def test_every_route_declares_roles(app):
    with app.test_request_context():
        missing = [r.endpoint for r in _rules(app) if allowed_roles_of(r.endpoint) is None]
    assert missing == [], f"routes without @roles/@public: {missing}"


def test_every_route_has_a_row_in_the_expected_table(app):
    endpoints = {r.endpoint for r in _rules(app)}
    assert sorted(endpoints - EXPECTED_ROLES.keys()) == [], "add these routes to EXPECTED_ROLES"
    assert sorted(EXPECTED_ROLES.keys() - endpoints) == [], "routes in EXPECTED_ROLES that no longer exist"


def test_undeclared_route_is_denied():
    # A route registered without a declaration is refused to everyone, before any login check.
    from tracker import create_app

    probe_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    probe_app.add_url_rule("/__probe", "undeclared_probe", lambda: "leak")
    resp = probe_app.test_client().get("/__probe")
    assert resp.status_code == 403
    assert "leak" not in resp.get_data(as_text=True)


def _walk(app, client, world, who: str) -> tuple[int, list[str]]:
    """Open every route as `who`; return how many were checked and every answer the table does not expect."""
    wrong = []
    # Ids read once: a route on the way (withdrawing a plan) may delete the rows they came from.
    world = SimpleNamespace(**{k: SimpleNamespace(id=getattr(world, k).id)
                               for k in ("reporter", "finance", "plan", "a_fin", "task")})
    checked = 0
    for rule in _rules(app):
        if rule.endpoint == "accounts.logout":
            continue  # would end the session the loop is using
        allowed = EXPECTED_ROLES[rule.endpoint]
        url = _url_for_rule(rule, world)
        method = "GET" if "GET" in rule.methods else "POST"
        resp = client.open(url, method=method)
        may = PUBLIC in allowed or who in allowed
        where = f"{who} {method} {url} ({rule.endpoint}) -> {resp.status_code}"
        location = resp.headers.get("Location", "")
        if may:
            if resp.status_code in (401, 403) or "/login?next=" in location or resp.status_code >= 500:
                wrong.append(where)
        elif who == "anonymous":
            if not (resp.status_code == 302 and "/login?next=" in location):
                wrong.append(where)
        elif resp.status_code != 403:
            wrong.append(where)
        checked += 1
    return checked, wrong


def _login(auth, world, who):
    users = {"admin": world.admin, "supervisor": world.supervisor, "leader": world.leader, "reporter": world.reporter}
    if who != "anonymous":
        assert auth.login(users[who]).status_code == 302


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_route_role_matrix(app, client, auth, world, who):
    _login(auth, world, who)
    checked, wrong = _walk(app, client, world, who)
    assert wrong == []
    assert checked >= 90


def test_a_widened_decorator_is_caught(app, client, auth, world, monkeypatch):
    view = app.view_functions["accounts.users"]
    monkeypatch.setattr(view, "allowed_roles", frozenset({"admin", "reporter"}))
    _login(auth, world, "reporter")
    _, wrong = _walk(app, client, world, "reporter")
    assert [w for w in wrong if "accounts.users" in w] == ["reporter GET /admin/users (accounts.users) -> 200"]

"""Walk every route with every role: each route declares its roles and the app enforces them."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from tracker.access import PUBLIC, ROLES, allowed_roles_of

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


def test_undeclared_route_is_denied():
    # A route registered without a declaration is refused to everyone, before any login check.
    from tracker import create_app

    probe_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    probe_app.add_url_rule("/__probe", "undeclared_probe", lambda: "leak")
    resp = probe_app.test_client().get("/__probe")
    assert resp.status_code == 403
    assert "leak" not in resp.get_data(as_text=True)


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_route_role_matrix(app, client, auth, world, who):
    users = {"admin": world.admin, "supervisor": world.supervisor, "leader": world.leader, "reporter": world.reporter}
    if who != "anonymous":
        assert auth.login(users[who]).status_code == 302
    # Ids read once: a route on the way (withdrawing a plan) may delete the rows they came from.
    world = SimpleNamespace(**{k: SimpleNamespace(id=getattr(world, k).id)
                               for k in ("reporter", "finance", "plan", "a_fin", "task")})
    checked = 0
    for rule in _rules(app):
        if rule.endpoint == "accounts.logout":
            continue  # would end the session the loop is using
        with app.test_request_context():
            allowed = allowed_roles_of(rule.endpoint)
        url = _url_for_rule(rule, world)
        method = "GET" if "GET" in rule.methods else "POST"
        resp = client.open(url, method=method)
        may = PUBLIC in allowed or who in allowed
        where = f"{who} {method} {url} ({rule.endpoint}) -> {resp.status_code}"
        if may:
            assert resp.status_code not in (401, 403), where
            assert "/login?next=" not in resp.headers.get("Location", ""), where
            assert resp.status_code < 500, where
        elif who == "anonymous":
            assert resp.status_code == 302 and "/login?next=" in resp.headers["Location"], where
        else:
            assert resp.status_code == 403, where
        checked += 1
    assert checked >= 15

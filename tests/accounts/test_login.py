from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tracker.accounts import services
from tracker.accounts.models import LoginAttempt, User
from tracker.audit.models import AuditEvent
from tracker.errors import ServiceError
from tracker.extensions import db
from tracker.timeutil import utcnow


def test_login_and_logout(client, auth, world):
    resp = auth.login(world.supervisor)
    assert resp.status_code == 302
    assert client.get("/plans/").status_code == 200
    assert world.supervisor.last_login_at is not None
    assert auth.logout().status_code == 302
    assert client.get("/plans/").status_code == 302


def test_wrong_password_is_refused_in_chinese(client, auth, world):
    resp = auth.login(world.supervisor, "wrong-password")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)
    assert client.get("/plans/").status_code == 302


def test_unknown_user_gets_the_same_message(client, auth, world):
    resp = auth.login("nobody", "whatever1")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)


def test_inactive_account_cannot_log_in(client, auth, world):
    world.reporter.is_active_account = False
    db.session.flush()
    resp = auth.login(world.reporter)
    assert resp.status_code == 403
    assert "已停用" in resp.get_data(as_text=True)


def test_throttle_after_five_failures_for_an_account(client, auth, world):
    for _ in range(5):
        assert auth.login(world.leader, "bad-password").status_code == 401
    resp = auth.login(world.leader)  # the right password no longer helps
    assert resp.status_code == 429
    assert "15分钟" in resp.get_data(as_text=True)
    assert client.get("/plans/").status_code == 302


def test_one_persons_failures_do_not_lock_the_office_behind_one_address(world):
    """Everyone behind the intranet proxy shares an address: five typos lock that account only."""
    for _ in range(5):
        with pytest.raises(ServiceError):
            services.authenticate(world.leader.username, "bad-password", "10.0.0.9")
    assert services.authenticate(world.supervisor.username, "password123", "10.0.0.9") == world.supervisor
    with pytest.raises(ServiceError) as exc:  # the account itself is locked, from any address
        services.authenticate(world.leader.username, "password123", "10.0.0.77")
    assert exc.value.status == 429 and "该账号" in exc.value.message


def test_an_address_is_locked_only_after_many_failures_across_accounts(world):
    throttle = services.Throttle(per_account=5, per_address=12, window_minutes=15)
    for i in range(12):
        with pytest.raises(ServiceError) as exc:
            services.authenticate(f"guess{i}", "x", "10.0.0.9", throttle=throttle)
        assert exc.value.status == 401  # the 12th failure is still only a failure
    with pytest.raises(ServiceError) as exc:
        services.authenticate(world.leader.username, "password123", "10.0.0.9", throttle=throttle)
    assert exc.value.status == 429 and "网络地址" in exc.value.message
    # Another address is not affected.
    assert services.authenticate(world.leader.username, "password123", "10.0.0.10", throttle=throttle) == world.leader


def test_the_default_address_limit_is_much_higher_than_the_account_limit(app):
    throttle = services.Throttle.from_config(app.config)
    assert throttle.per_account == 5 and throttle.per_address >= 100


def test_failed_logins_are_in_the_audit_log(client, world):
    client.post("/login", data={"username": world.leader.username, "password": "bad-password"})
    client.post("/login", data={"username": "nobody", "password": "bad-password"})
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.login_failed")
                              .order_by(AuditEvent.id)).all()
    assert [(r.object_id, r.after["username"], r.after["account_exists"]) for r in rows] == [
        (world.leader.id, world.leader.username, True), (None, "nobody", False)]
    assert rows[0].remote_addr == "127.0.0.1"


def test_admin_sees_and_lifts_a_lock(client, auth, world):
    for _ in range(5):
        client.post("/login", data={"username": world.leader.username, "password": "bad-password"})
    assert client.post("/login", data={"username": world.leader.username, "password": "password123"}).status_code == 429
    auth.login(world.admin)
    page = client.get("/admin/locks").get_data(as_text=True)
    assert world.leader.username in page and "解除锁定" in page
    resp = client.post("/admin/locks/unlock", data={"kind": "account", "key": world.leader.username})
    assert resp.status_code == 302
    assert "当前没有被锁定" in client.get("/admin/locks").get_data(as_text=True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.unlock"))
    assert event.actor_id == world.admin.id and event.after["cleared_failures"] == 5
    auth.logout()
    assert auth.login(world.leader).status_code == 302
    # Unlocking what is not locked says so and changes nothing.
    auth.logout()
    auth.login(world.admin)
    resp = client.post("/admin/locks/unlock", data={"kind": "account", "key": "nobody"}, follow_redirects=True)
    assert "当前没有被锁定" in resp.get_data(as_text=True)


def test_the_proxy_count_makes_the_client_address_the_forwarded_one(app, world):
    from tracker import create_app

    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    behind_proxy = create_app({**app.config, "PROXY_COUNT": 1})
    behind_proxy.test_client().post("/login", data={"username": "leader1", "password": "bad"}, headers=forwarded)
    app.test_client().post("/login", data={"username": "leader1", "password": "bad"}, headers=forwarded)
    addrs = db.session.scalars(sa.select(LoginAttempt.remote_addr).order_by(LoginAttempt.id)).all()
    assert addrs == ["203.0.113.7", "127.0.0.1"]  # without the setting, the header is not trusted


def _forget_request_user():
    """Drop the user Flask-Login keeps on `g`: the tests share one app context, a browser would not."""
    from flask import g

    g.pop("_login_user", None)


def test_logout_ends_the_session_for_a_copied_cookie(client, auth, world):
    auth.login(world.supervisor)
    stolen = client.get_cookie("session").value
    _forget_request_user()
    assert client.get("/plans/").status_code == 200
    auth.logout()
    client.set_cookie("session", stolen)
    _forget_request_user()
    assert client.get("/plans/").status_code == 302


def test_a_password_reset_signs_out_the_old_sessions(app, client, auth, world):
    auth.login(world.reporter)
    _forget_request_user()
    assert client.get("/my/tasks").status_code == 200
    admin = app.test_client()
    type(auth)(admin).login(world.admin)
    assert admin.post(f"/admin/users/{world.reporter.id}/password", data={"pw-password": "brand-new-pass"}).status_code == 302
    _forget_request_user()
    assert client.get("/my/tasks").status_code == 302  # the reporter's old cookie no longer works
    _forget_request_user()
    assert admin.get("/admin/users").status_code == 200  # the admin's own session is untouched


def test_a_cookie_from_before_session_versions_is_refused(app, client, world):
    from flask.sessions import SecureCookieSessionInterface

    signer = SecureCookieSessionInterface().get_signing_serializer(app)
    client.set_cookie("session", signer.dumps({"_user_id": str(world.admin.id), "_fresh": True}))
    _forget_request_user()
    assert client.get("/admin/users").status_code == 302
    client.set_cookie("session", signer.dumps({"_user_id": f"{world.admin.id}:0", "_fresh": True}))
    _forget_request_user()
    assert client.get("/admin/users").status_code == 200  # the same cookie with the current version works


def test_throttle_expires_after_the_window(world):
    past = utcnow() - timedelta(minutes=16)
    for _ in range(5):
        db.session.add(LoginAttempt(username="leader1", remote_addr="1.2.3.4", is_success=False, created_at=past))
    db.session.flush()
    assert services.authenticate("leader1", "password123", "1.2.3.4") == world.leader


def test_successful_login_is_audited(world):
    services.authenticate("super1", "password123", "127.0.0.1")
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.login")) is not None


def test_missing_csrf_token_gets_chinese_400(client, world, csrf_enabled):
    resp = client.post("/login", data={"username": "super1", "password": "password123"})
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True)


def test_csrf_token_from_the_form_is_accepted(client, world, csrf_enabled):
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    resp = client.post("/login", data={"username": "super1", "password": "password123", "csrf_token": token})
    assert resp.status_code == 302


def test_open_redirect_is_ignored(client, world):
    resp = client.post("/login?next=https://evil.example/x", data={"username": "super1", "password": "password123"})
    assert resp.status_code == 302
    assert "evil" not in resp.headers["Location"]


def test_session_cookie_flags(client, world):
    resp = client.post("/login", data={"username": "super1", "password": "password123"})
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_hashed(world):
    user = services.create_user(None, username="newbie", display_name="新人", role="admin", password="s3cret-pass")
    assert "s3cret-pass" not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("s3cret-pass")


@pytest.mark.parametrize("kwargs, message", [
    (dict(username="a", display_name="x", role="admin", password="longenough"), "用户名"),
    (dict(username="okname", display_name="", role="admin", password="longenough"), "姓名"),
    (dict(username="okname", display_name="x", role="boss", password="longenough"), "未知角色"),
    (dict(username="okname", display_name="x", role="reporter", password="longenough"), "必须属于一个单位"),
    (dict(username="okname", display_name="x", role="admin", password="short"), "至少8位"),
    (dict(username="admin1", display_name="x", role="admin", password="longenough"), "已存在"),
])
def test_create_user_bad_input(world, kwargs, message):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    with pytest.raises(ServiceError) as exc:
        services.create_user(None, **kwargs)
    assert message in exc.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_admin_cannot_deactivate_self(world):
    with pytest.raises(ServiceError):
        services.set_active(world.admin, world.admin, False)


def test_users_cli_creates_admin(runner, world):
    result = runner.invoke(args=["users", "create", "--username", "root2", "--name", "超级管理员",
                                 "--role", "admin", "--password", "very-secret"])
    assert result.exit_code == 0, result.output
    assert "已创建用户 root2" in result.output
    assert db.session.scalar(sa.select(User).where(User.username == "root2")).role == "admin"


def test_users_cli_unknown_unit(runner, world):
    result = runner.invoke(args=["users", "create", "--username", "rep9", "--name", "x", "--role", "reporter",
                                 "--unit", "不存在的单位", "--password", "very-secret"])
    assert result.exit_code != 0
    assert "不存在" in result.output


def test_admin_user_screens(client, auth, world):
    auth.login(world.admin)
    assert "财政填报员" in client.get("/admin/users?q=rep").get_data(as_text=True)
    resp = client.post("/admin/users/new", data={"username": "newrep", "display_name": "新填报员", "role": "reporter",
                                                  "unit_id": world.finance.id, "password": "longenough"})
    assert resp.status_code == 302
    new = db.session.scalar(sa.select(User).where(User.username == "newrep"))
    assert new.unit_id == world.finance.id
    resp = client.post(f"/admin/users/{new.id}/password", data={"pw-password": "another-pass"})
    assert resp.status_code == 302
    assert new.check_password("another-pass")
    client.post(f"/admin/users/{new.id}/active", data={"active": "0"})
    assert new.is_active_account is False
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == new.id)))
    assert {"user.create", "user.reset_password", "user.deactivate"} <= actions


def test_admin_user_form_error_is_shown(client, auth, world):
    auth.login(world.admin)
    resp = client.post("/admin/users/new", data={"username": "r9", "display_name": "x", "role": "reporter",
                                                  "unit_id": 0, "password": "longenough"})
    assert resp.status_code == 200
    assert "必须属于一个单位" in resp.get_data(as_text=True)


@pytest.mark.parametrize("target", [
    "////evil.example/phish", "/////x", "//evil.example", "/\\evil.example", "/\\/evil.example",
    "/\t/evil.example", "https://evil.example/x", "javascript:alert(1)", "evil.example",
])
def test_login_next_must_stay_on_the_site(client, world, target):
    resp = client.post("/login", query_string={"next": target}, data={"username": "super1", "password": "password123"})
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert not location.startswith("//") and "evil" not in location and "x" != location.strip("/")
    assert location == "/dashboard/"


def test_login_next_on_the_site_is_followed(client, world):
    resp = client.post("/login?next=/plans/%3Fq%3D1", data={"username": "super1", "password": "password123"})
    assert resp.headers["Location"] == "/plans/?q=1"


def test_missing_account_is_checked_as_slowly_as_a_wrong_password(world):
    """A wrong password costs one scrypt check; a missing account must cost the same, not 1/10 of it."""
    import time

    def median(username):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            with pytest.raises(ServiceError):
                services.authenticate(username, "wrong-pass", "10.9.9.9", throttle=services.Throttle(100, 1000))
            times.append(time.perf_counter() - start)
        return sorted(times)[2]

    median("nobody-here")  # the first call hashes the stand-in password once
    existing, missing = median(world.leader.username), median("nobody-here")
    assert missing > existing * 0.5, (existing, missing)


def test_overlong_username_is_a_form_error_and_not_counted(client, world):
    resp = client.post("/login", data={"username": "a" * 65, "password": "whatever"})
    assert resp.status_code == 200
    assert "用户名不超过64个字符" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 0


def test_pages_behind_login_are_not_stored(client, auth, world):
    auth.login(world.supervisor)
    assert client.get("/plans/").headers["Cache-Control"] == "no-store"
    assert client.get("/admin/users").headers["Cache-Control"] == "no-store"  # a 403 too
    assert "no-store" not in client.get("/public/plans").headers.get("Cache-Control", "")

"""Login, logout and the admin's user screens."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..access import public, roles
from ..errors import ServiceError, commit_or_flash
from ..extensions import db, login_manager
from ..pagination import paginate
from ..units.models import Unit
from . import services
from .forms import LoginForm, PasswordForm, UserForm
from .models import User

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(session_id: str):
    """Return the session's user, or None once the user's sessions were ended (checked on every request)."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 12:
        return None  # a cookie from before session versions, or tampered with
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.session_version == int(version) else None


def home_for(user) -> str:
    if user.role == "reporter":
        return url_for("reports.my_tasks") if "reports.my_tasks" in current_app.view_functions else url_for("plans.index")
    if user.role == "admin":
        return url_for("units.index")
    if "dashboard.index" in current_app.view_functions:
        return url_for("dashboard.index")
    return url_for("plans.index")


@bp.route("/")
@public
def home():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("accounts.login"))


def _safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash and drop tabs and newlines: "/\\evil" and "/\t/evil" leave the site.
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.username.data, form.password.data, request.remote_addr or "unknown",
                throttle=services.Throttle.from_config(current_app.config),
            )
        except ServiceError as exc:
            db.session.commit()  # keep the failed attempt: throttling counts it
            flash(exc.message, "danger")
            status = exc.status
        else:
            db.session.commit()
            login_user(user)
            flash(f"欢迎，{user.display_name}。", "success")
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@roles("admin", "supervisor", "leader", "reporter")
def logout():
    # Ending the session server-side: a copy of the cookie taken before logout no longer works.
    services.end_sessions(current_user, current_user, "user.logout")
    db.session.commit()
    logout_user()
    flash("您已安全退出。", "info")
    return redirect(url_for("accounts.login"))


def _unit_choices():
    units = db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.is_active).order_by(Unit.path)).all()
    return [(0, "（无）")] + [(u.id, u.name) for u in units]


@bp.route("/admin/users")
@roles("admin")
def users():
    q = sa.select(User).order_by(User.role, User.username)
    term = request.args.get("q", "").strip()
    if term:
        like = f"%{term}%"
        q = q.where(sa.or_(User.username.ilike(like), User.display_name.ilike(like)))
    page = paginate(q, per_page=current_app.config["PAGE_SIZE"])
    return render_template("accounts/users.html", page=page, term=term)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles("admin")
def user_new():
    form = UserForm()
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        ok, _ = commit_or_flash(lambda: services.create_user(
            current_user, username=form.username.data, display_name=form.display_name.data,
            role=form.role.data, password=form.password.data or "",
            unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
        ))
        if ok:
            flash("用户已创建。", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles("admin")
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    form.unit_id.choices = _unit_choices()
    if request.method == "GET":
        form.unit_id.data = user.unit_id or 0
    pw_form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        ok, _ = commit_or_flash(lambda: services.update_user(
            current_user, user, display_name=form.display_name.data, role=form.role.data,
            unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
        ))
        if ok:
            flash("用户信息已保存。", "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user, pw_form=pw_form)


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@roles("admin")
def user_password(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = PasswordForm(prefix="pw")
    if not form.validate_on_submit():
        flash("请输入新密码。", "danger")
        return redirect(url_for("accounts.user_edit", user_id=user.id))
    ok, _ = commit_or_flash(lambda: services.reset_password(current_user, user, form.password.data))
    if ok:
        flash(f"已重置 {user.username} 的密码。", "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@roles("admin")
def user_active(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    active = request.form.get("active") == "1"
    ok, _ = commit_or_flash(lambda: services.set_active(current_user, user, active))
    if ok:
        flash(("已启用 " if active else "已停用 ") + user.username, "success")
    return redirect(url_for("accounts.users"))


@bp.route("/admin/locks")
@roles("admin")
def locks():
    throttle = services.Throttle.from_config(current_app.config)
    return render_template("accounts/locks.html", locks=services.current_locks(throttle), throttle=throttle)


@bp.route("/admin/locks/unlock", methods=["POST"])
@roles("admin")
def unlock():
    kind, key = request.form.get("kind", ""), request.form.get("key", "")
    throttle = services.Throttle.from_config(current_app.config)
    ok, cleared = commit_or_flash(lambda: services.unlock(current_user, kind, key, throttle))
    if ok:
        flash(f"已解除对“{key}”的锁定（清除{cleared}次失败记录）。", "success")
    return redirect(url_for("accounts.locks"))

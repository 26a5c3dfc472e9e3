"""The supervisor changes a plan's tasks and assignments, opens 交办件 and acts on several at once.

Routes on the plans blueprint; each one asks ``tracker.plans.assign`` and commits once.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..access import STAFF, roles
from ..errors import ServiceError, commit_or_flash
from ..extensions import db
from ..pagination import paginate
from ..timeutil import app_today
from ..scope import under
from ..units.models import Unit, official_order
from . import assign, queries
from .models import ITEM_SOURCES, ROLE_LABELS, Assignment, Plan, Task
from .views import bp


def _done(action, success: str, back: str):
    """Run a service call; commit and flash its success, or roll back and flash its Chinese refusal."""
    ok, _ = commit_or_flash(action)
    if ok:
        flash(success, "success")
    return redirect(back)


def _task_of(plan_id: int, task_id: int) -> tuple[Plan, Task]:
    plan = queries.get_plan_for(current_user, plan_id)
    task = db.session.get(Task, task_id)
    if task is None or task.plan_id != plan.id:
        abort(404)
    return plan, task


def _assignment(assignment_id: int) -> Assignment:
    a = queries.get_assignment_for(current_user, assignment_id)
    queries.get_plan_for(current_user, a.plan_id)  # the plan's jurisdiction is the supervisor's
    return a


def _unit(plan: Plan, field: str = "unit_id") -> Unit | None:
    """Return the unit the form names (the service checks it is within the plan's jurisdiction)."""
    raw = request.form.get(field, type=int)
    return db.session.get(Unit, raw) if raw else None


def unit_choices(root: Unit) -> list[tuple[int, str]]:
    """Active units of a jurisdiction, in the official order."""
    rows = db.session.execute(sa.select(Unit.id, Unit.name).where(under(Unit.path, root.path), Unit.is_active)
                              .order_by(*official_order())).all()
    return [(r.id, r.name) for r in rows]


def _units(ids: list[str]) -> list[Unit]:
    wanted = [int(i) for i in ids if i.isdigit()]
    return list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(wanted)))) if wanted else []


# --- tasks -------------------------------------------------------------------------------------


@bp.route("/<int:plan_id>/tasks/new", methods=["GET", "POST"])
@roles("supervisor")
def task_add(plan_id: int):
    plan = queries.get_plan_for(current_user, plan_id)
    if request.method == "GET":
        return render_template("plans/task_add.html", plan=plan, units=unit_choices(plan.unit))
    created: list[Task] = []

    def action():
        created.append(assign.add_task(
            current_user, plan, title=request.form.get("title", ""), text=request.form.get("text", ""),
            deadline=request.form.get("deadline", ""), section=request.form.get("section"),
            units={role: _units(request.form.getlist(role)) for role in ROLE_LABELS}))

    try:
        action()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return render_template("plans/task_add.html", plan=plan, units=unit_choices(plan.unit), form=request.form), 400
    db.session.commit()
    flash("已新增任务并通知承办单位。", "success")
    return redirect(url_for("plans.task", plan_id=plan.id, task_id=created[0].id))


@bp.route("/<int:plan_id>/tasks/<int:task_id>/edit", methods=["POST"])
@roles("supervisor")
def task_edit(plan_id: int, task_id: int):
    plan, task = _task_of(plan_id, task_id)
    return _done(lambda: assign.update_task(current_user, task, title=request.form.get("title", ""),
                                            text=request.form.get("text", ""),
                                            deadline=request.form.get("deadline", "")),
                 "任务已修改。", url_for("plans.task", plan_id=plan.id, task_id=task.id))


@bp.route("/<int:plan_id>/tasks/<int:task_id>/units", methods=["POST"])
@roles("supervisor")
def task_add_units(plan_id: int, task_id: int):
    plan, task = _task_of(plan_id, task_id)
    role = request.form.get("role", "responsible")

    def action():
        phrase = (request.form.get("phrase") or "").strip()
        if phrase:
            units, group = assign.resolve_phrase(plan, phrase)
        else:
            unit = _unit(plan)
            units, group = ([unit] if unit else []), None
        assign.add_units(current_user, task, units, role, source_phrase=group)

    return _done(action, "已增加承办单位并通知。", url_for("plans.task", plan_id=plan.id, task_id=task.id))


# --- one assignment ----------------------------------------------------------------------------


def _back(a: Assignment) -> str:
    return url_for("plans.task", plan_id=a.plan_id, task_id=a.task_id)


@bp.route("/assignments/<int:assignment_id>/role", methods=["POST"])
@roles("supervisor")
def assignment_role(assignment_id: int):
    a = _assignment(assignment_id)
    return _done(lambda: assign.set_role(current_user, a, request.form.get("role", "")), "承办角色已调整。", _back(a))


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
@roles("supervisor")
def assignment_remove(assignment_id: int):
    a = _assignment(assignment_id)
    back = _back(a)
    return _done(lambda: assign.remove_assignment(current_user, a, request.form.get("reason", "")),
                 "已取消该单位的承办任务。", back)


@bp.route("/assignments/<int:assignment_id>/withdraw", methods=["POST"])
@roles("supervisor")
def assignment_withdraw(assignment_id: int):
    a = _assignment(assignment_id)
    return _done(lambda: assign.withdraw_assignment(current_user, a, request.form.get("reason", "")),
                 "已改为“不再承办”，报送记录保留。", _back(a))


@bp.route("/assignments/<int:assignment_id>/move", methods=["POST"])
@roles("supervisor")
def assignment_move(assignment_id: int):
    a = _assignment(assignment_id)
    plan = a.plan
    return _done(lambda: assign.move_assignment(current_user, a, _unit(plan), reason=request.form.get("reason", "")),
                 "已转办，报送记录随任务转给新单位。", _back(a))


# --- several at once ---------------------------------------------------------------------------


@bp.route("/<int:plan_id>/bulk", methods=["POST"])
@roles("supervisor")
def bulk(plan_id: int):
    plan = queries.get_plan_for(current_user, plan_id)
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    chosen = list(db.session.scalars(queries.scoped_assignments(current_user).where(
        Assignment.id.in_(ids), Assignment.plan_id == plan.id))) if ids else []
    back = request.form.get("back") or url_for("plans.detail", plan_id=plan.id)
    if not back.startswith("/") or back.startswith("//") or "\\" in back:  # no open redirect
        back = url_for("plans.detail", plan_id=plan.id)
    what = request.form.get("action")
    if what == "move":
        return _done(lambda: assign.move_assignments(current_user, chosen, _unit(plan),
                                                     reason=request.form.get("reason", "")),
                     f"已转办{len(chosen)}项。", back)
    if what == "extend":
        def extend():
            try:
                due = date.fromisoformat(request.form.get("due_on", ""))
            except ValueError:
                raise ServiceError("请填写新的完成时限（YYYY-MM-DD）。") from None
            assign.extend_assignments(current_user, chosen, due, request.form.get("reason", ""))
        return _done(extend, f"已延期{len(chosen)}项。", back)
    if what == "remind":
        sent: list[int] = []
        return _done(lambda: sent.append(assign.remind_assignments(current_user, chosen, app_today())),
                     "已发出催办。", back)
    flash("请选择批量操作。", "danger")
    return redirect(back)


# --- 交办件 ---------------------------------------------------------------------------------------


@bp.route("/items", methods=["GET", "POST"])
@roles(*STAFF)
def items():
    home = current_user.unit if current_user.role != "admin" else None
    campaign = request.args.get("campaign") or None
    if request.method == "POST":
        if current_user.role != "supervisor":
            abort(403)
        return _item_new(home)
    page = paginate(assign.items_query(home, campaign=campaign), per_page=current_app.config["PAGE_SIZE"])
    return render_template("plans/items.html", page=page, items=page.items, campaign=campaign,
                           campaigns=assign.item_campaigns(home),
                           sources=ITEM_SOURCES, units=unit_choices(home) if home else [],
                           can_open=current_user.role == "supervisor")


def _day(name: str) -> date | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ServiceError(f"日期“{raw}”格式不正确，应为 YYYY-MM-DD。") from None


def _item_new(home: Unit):
    created: list[Task] = []

    def action():
        item = assign.ItemInput(
            source=request.form.get("source", ""), title=request.form.get("title", ""),
            text=request.form.get("text", ""), due=_day("due_on"), lead=_units(request.form.getlist("lead")),
            responsible=_units(request.form.getlist("responsible")), doc_number=request.form.get("doc_number", ""),
            source_date=_day("source_date"), campaign=request.form.get("campaign", ""))
        scan = request.files.get("scan")
        has_scan = scan is not None and scan.filename
        created.append(assign.create_item(current_user, home, item, scan=scan.stream if has_scan else None,
                                          scan_name=scan.filename if has_scan else None,
                                          max_bytes=current_app.config["MAX_FILE_BYTES"]))

    result = _done(action, "已新建交办件并通知承办单位。", url_for("plans.items"))
    if created:
        return redirect(url_for("plans.task", plan_id=created[0].plan_id, task_id=created[0].id))
    return result


@bp.route("/items/<int:task_id>/scan")
@roles(*STAFF)
def item_scan(task_id: int):
    task = db.session.get(Task, task_id)
    if task is None or not task.scan_sha256:
        abort(404)
    queries.get_plan_for(current_user, task.plan_id)
    from ..reports.storage import content_disposition, path_for

    response = send_file(path_for(task.scan_sha256), download_name=task.scan_name, as_attachment=True)
    response.headers["Content-Disposition"] = content_disposition(task.scan_name, inline=False)
    return response


@bp.route("/items/<int:task_id>/docx")
@roles(*STAFF)
def item_docx(task_id: int):
    """Print the item's 督办单 (.docx)."""
    from flask import Response

    from ..reports.storage import content_disposition
    from ..supervise.documents import item_file

    task = db.session.get(Task, task_id)
    if task is None or task.source is None:
        abort(404)
    queries.get_plan_for(current_user, task.plan_id)
    f = item_file(task)
    return Response(f.data, headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Content-Disposition": content_disposition(f.name, inline=False, ascii_name=f.ascii_name)})

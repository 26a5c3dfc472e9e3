"""Plan list and a plan's task list."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..access import STAFF, roles
from ..extensions import db
from ..pagination import paginate
from ..errors import ServiceError, commit_or_flash
from ..units.models import UNIT_KINDS, Unit
from ..scope import under
from . import queries, services
from .forms import TaskEditForm, UploadForm
from .models import DEADLINE_KIND_LABELS, ROLE_LABELS, Assignment, Plan, PlanImport, Task

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.route("/")
@roles(*STAFF)
def index():
    stmt = queries.visible_plans(current_user).order_by(Plan.year.desc(), Plan.id.desc())
    page = paginate(stmt, per_page=current_app.config["PAGE_SIZE"])
    counts = queries.plan_counts([p.id for p in page.items])
    return render_template("plans/index.html", page=page, counts=counts)


@bp.route("/<int:plan_id>")
@roles(*STAFF)
def detail(plan_id: int):
    plan = queries.get_plan_for(current_user, plan_id)
    term = request.args.get("q", "").strip()
    stmt = sa.select(Task).where(Task.plan_id == plan.id, Task.is_leaf).order_by(Task.position)
    if term:
        # autoescape: a % or _ typed in the box is a character to find, not a wildcard.
        stmt = stmt.where(sa.or_(Task.title.icontains(term, autoescape=True), Task.text.icontains(term, autoescape=True)))
    page = paginate(stmt, per_page=current_app.config["PAGE_SIZE"])
    task_ids = [t.id for t in page.items]
    may_manage = current_user.role == "supervisor" and plan.unit.is_within(current_user.unit)
    return render_template("plans/detail.html", plan=plan, page=page, term=term, may_manage=may_manage,
                           reported=services.any_reported(plan) if may_manage else False,
                           counts=queries.plan_counts([plan.id])[plan.id],
                           status_counts=queries.task_status_counts(current_user, task_ids),
                           leads=queries.task_lead_units(current_user, task_ids))


def _own_plan(plan_id: int) -> Plan:
    """Return a plan of the supervisor's jurisdiction (or any, for an admin), else 404."""
    plan = queries.get_plan_for(current_user, plan_id)
    if current_user.role != "admin" and not plan.unit.is_within(current_user.unit):
        abort(404)
    return plan


@bp.route("/<int:plan_id>/withdraw", methods=["POST"])
@roles("supervisor")
def withdraw(plan_id: int):
    plan = _own_plan(plan_id)
    title = plan.title
    ok, summary = commit_or_flash(lambda: services.withdraw_plan(current_user, plan))
    if not ok:
        return redirect(url_for("plans.detail", plan_id=plan_id))
    flash(f"已撤回《{title}》：删除任务{summary['tasks']}项、承办{summary['assignments']}个，"
          f"已通知{summary['units']}个单位。", "success")
    return redirect(url_for("plans.index"))


@bp.route("/<int:plan_id>/archive", methods=["POST"])
@roles("supervisor")
def archive(plan_id: int):
    plan = _own_plan(plan_id)
    ok, _ = commit_or_flash(lambda: services.archive_plan(current_user, plan))
    if ok:
        flash(f"已归档《{plan.title}》，各单位报送的材料全部保留。", "success")
    return redirect(url_for("plans.detail", plan_id=plan_id))


@bp.route("/<int:plan_id>/tasks/<int:task_id>")
@roles(*STAFF)
def task(plan_id: int, task_id: int):
    plan = queries.get_plan_for(current_user, plan_id)
    task = db.session.get(Task, task_id)
    if task is None or task.plan_id != plan.id:
        abort(404)
    stmt = queries.scoped_assignments(current_user).where(Assignment.task_id == task.id)
    stmt = stmt.options(joinedload(Assignment.unit)).order_by(sa.case((Assignment.role == "lead", 0), (Assignment.role == "responsible", 1), else_=2), Assignment.id)
    page = paginate(stmt, per_page=100)
    withdrawn = db.session.scalars(
        queries.scoped_assignments(current_user).where(Assignment.task_id == task.id, Assignment.withdrawn_at.is_not(None))
        .order_by(Assignment.id).execution_options(with_withdrawn=True)).all()
    can_edit = current_user.role == "supervisor"
    from .assign_views import unit_choices

    return render_template("plans/task.html", plan=plan, task=task, page=page, withdrawn=withdrawn, can_edit=can_edit,
                           units=unit_choices(plan.unit) if can_edit else [], roles=ROLE_LABELS)


# --- import ----------------------------------------------------------------------------------


def _jurisdiction_choices():
    stmt = sa.select(Unit.id, Unit.name).where(Unit.is_active, Unit.kind.in_(("city_gov", "county_gov", "zone")))
    if current_user.role != "admin":
        stmt = stmt.where(under(Unit.path, current_user.unit.path))
    rows = db.session.execute(stmt.order_by(Unit.path)).all()
    return [(r.id, r.name) for r in rows]


def _get_import(import_id: int) -> PlanImport:
    imp = db.session.get(PlanImport, import_id)
    if imp is None or (current_user.role != "admin" and not imp.unit.is_within(current_user.unit)):
        abort(404)
    return imp


@bp.route("/import", methods=["GET", "POST"])
@roles("supervisor")
def import_start():
    form = UploadForm()
    form.unit_id.choices = _jurisdiction_choices()
    if request.method == "GET" and current_user.unit_id in dict(form.unit_id.choices):
        form.unit_id.data = current_user.unit_id
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data)
        if unit is None or not unit.is_within(current_user.unit):
            abort(404)
        storage = form.file.data
        data = storage.read() if storage and storage.filename else None
        try:
            imp = services.start_import(
                current_user, unit, filename=storage.filename if data is not None else "粘贴的正文",
                data=data, text=form.text.data, year=form.year.data,
                max_bytes=current_app.config["MAX_FILE_BYTES"],
            )
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return render_template("plans/import_start.html", form=form), exc.status
        db.session.commit()
        return redirect(url_for("plans.import_preview", import_id=imp.id))
    recent = db.session.scalars(
        sa.select(PlanImport).where(PlanImport.created_by_id == current_user.id, PlanImport.status == "draft")
        .order_by(PlanImport.id.desc()).limit(10)
    ).all()
    return render_template("plans/import_start.html", form=form, recent=recent)


@bp.route("/imports")
@roles("supervisor")
def imports():
    return render_template("plans/imports.html", drafts=services.pending_imports(current_user))


@bp.route("/import/<int:import_id>")
@roles("supervisor")
def import_preview(import_id: int):
    imp = _get_import(import_id)
    states = services.name_states(imp)
    units = {u.id: u for u in db.session.scalars(
        sa.select(Unit).where(Unit.id.in_({i for st in states.values() for i in st.resolution.unit_ids}))
    )}
    choices = db.session.execute(
        sa.select(Unit.id, Unit.name).where(under(Unit.path, imp.unit.path), Unit.is_active).order_by(Unit.path)
    ).all()
    duplicate = services.find_duplicate(imp)
    revised = services.find_revised(imp) if duplicate is None else None
    target = duplicate or revised
    return render_template(
        "plans/import_preview.html", imp=imp, draft=imp.draft, states=states, units=units, revised=revised,
        changes=services.amendment_diff(imp, target) if target is not None and imp.status == "draft" else None,
        open_names=[n for n, st in states.items() if st.is_open], unit_choices=choices,
        duplicate=duplicate, UNIT_KINDS=UNIT_KINDS, KIND_LABELS=DEADLINE_KIND_LABELS,
        issuer_warning=services.issuer_warning(imp),
    )


@bp.route("/import/<int:import_id>/names", methods=["POST"])
@roles("supervisor")
def import_names(import_id: int):
    imp = _get_import(import_id)
    written = request.form.get("name", "")
    action = request.form.get("action", "")
    ok, _ = commit_or_flash(lambda: services.set_choice(
        current_user, imp, written, action, unit_id=request.form.get("unit_id", type=int),
        kind=request.form.get("kind")))
    if ok:
        flash(f"已处理：{written}", "success")
    return redirect(url_for("plans.import_preview", import_id=imp.id) + "#names")


@bp.route("/import/<int:import_id>/tasks/<int:index>", methods=["GET", "POST"])
@roles("supervisor")
def import_task(import_id: int, index: int):
    imp = _get_import(import_id)
    tasks = imp.draft["tasks"]
    if not 0 <= index < len(tasks):
        abort(404)
    task = tasks[index]
    form = TaskEditForm()
    if request.method == "GET":
        form.title.data, form.text.data = task.get("title"), task.get("text")
        form.deadline_kind.data = task.get("deadline_kind") or "default"
        form.deadline.data = task.get("deadline") or ""
        form.deadline_text.data = task.get("deadline_text") or ""
        form.lead.data = "\n".join(task.get("lead_units") or [])
        form.responsible.data = "\n".join(task.get("responsible_units") or [])
        form.cooperating.data = "\n".join(task.get("cooperating_units") or [])
    if form.validate_on_submit():
        ok, _ = commit_or_flash(lambda: services.update_task(
            current_user, imp, index, title=form.title.data, text=form.text.data,
            deadline=(form.deadline.data or "").strip() or None, deadline_kind=form.deadline_kind.data,
            deadline_text=form.deadline_text.data, lead=(form.lead.data or "").splitlines(),
            responsible=(form.responsible.data or "").splitlines(),
            cooperating=(form.cooperating.data or "").splitlines(),
        ))
        if ok:
            flash(f"任务 {task['ref']} 已修改。", "success")
            return redirect(url_for("plans.import_preview", import_id=imp.id) + f"#task-{index}")
    return render_template("plans/import_task.html", imp=imp, task=task, index=index, form=form)


@bp.route("/import/<int:import_id>/confirm", methods=["POST"])
@roles("supervisor")
def import_confirm(import_id: int):
    imp = _get_import(import_id)
    mode = "update" if request.form.get("mode") == "update" else "new"
    ok, plan = commit_or_flash(lambda: services.confirm(current_user, imp, mode=mode,
                                                        accept_issuer=request.form.get("accept_issuer") == "1"))
    if not ok:
        return redirect(url_for("plans.import_preview", import_id=imp.id))
    counts = queries.plan_counts([plan.id])[plan.id]
    flash(f"已{'更新' if mode == 'update' else '导入'}《{plan.title}》：任务{counts['tasks']}项，承办{counts['assignments']}个。", "success")
    return redirect(url_for("plans.detail", plan_id=plan.id))


@bp.route("/import/<int:import_id>/discard", methods=["POST"])
@roles("supervisor")
def import_discard(import_id: int):
    imp = _get_import(import_id)
    ok, _ = commit_or_flash(lambda: services.discard(current_user, imp))
    if ok:
        flash("已放弃本次导入，未保存任何任务。", "info")
    if request.form.get("back") == "imports":
        return redirect(url_for("plans.imports"))
    return redirect(url_for("plans.import_start"))

from . import assign_views  # noqa: E402,F401 - registers the assigning routes on bp

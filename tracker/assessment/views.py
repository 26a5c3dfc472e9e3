"""Assessment pages: rankings per category, a unit's line items, computing and publishing versions,
bonuses, objections (申诉) and the admin's rubric editor."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import defer

from ..access import ROLES, STAFF, require, roles
from ..errors import ServiceError
from ..extensions import db
from ..pagination import Page, current_page, paginate
from ..plans.models import Plan
from ..plans.queries import get_plan_for, visible_plans
from ..reports.storage import content_disposition
from ..timeutil import app_today
from . import queries, services
from ..plans.models import DEADLINE_KIND_LABELS
from ..units.models import UNIT_KINDS
from . import rubric_form
from .forms import BonusForm, ComputeForm, DecisionForm, ObjectionForm, RubricEditForm, RubricForm
from .models import OBJECTION_STATUS_LABELS, AssessmentVersion, Bonus, RubricDocument
from .rubric import DEADLINE_CHANGES, DEDUCTION_TYPES, RULE_PARAMS, RULE_TYPES, RubricError, load_rubric

bp = Blueprint("assessment", __name__, url_prefix="/assessment")

#: units per page of a category's ranking
RANKING_PAGE = 50
#: line items per page of a unit's detail
ITEMS_PAGE = 100
SEED_RUBRIC = "rubric.yaml"


def fmt(value) -> str:
    """Show points without exponent or trailing zeros: 40, 19.5, 0.25."""
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@bp.context_processor
def _names():
    return {"OBJECTION_STATUS_LABELS": OBJECTION_STATUS_LABELS, "RULE_TYPES": RULE_TYPES, "fmt": fmt}


def _today() -> date:
    return app_today()


def _fail(exc: ServiceError) -> None:
    db.session.rollback()
    flash(exc.message, "danger")


def _page_size() -> int:
    return current_app.config.get("PAGE_SIZE", 50)


# --- lists ------------------------------------------------------------------------------------------


@bp.route("/")
@roles(*ROLES)
def index():
    page = paginate(visible_plans(current_user).order_by(Plan.year.desc(), Plan.id.desc()), per_page=_page_size())
    ids = [p.id for p in page.items]
    return render_template(
        "assessment/index.html", page=page,
        latest=queries.latest_versions(ids, frozen_only=current_user.role == "reporter"),
        open_counts=queries.open_objection_counts(ids) if current_user.role != "reporter" else {},
    )


@bp.route("/plans/<int:plan_id>")
@roles(*ROLES)
def plan(plan_id: int):
    plan = get_plan_for(current_user, plan_id)
    stmt = queries.plan_versions(plan.id).options(defer(AssessmentVersion.result),
                                                  defer(AssessmentVersion.rubric_snapshot))
    mine: dict[int, dict | None] = {}
    if current_user.role == "reporter":
        stmt = stmt.where(AssessmentVersion.is_frozen)
    page = paginate(stmt, per_page=20)
    if current_user.role == "reporter":
        for v in page.items:
            mine[v.id] = queries.ScoreSheet.of(v).unit(current_user.unit_id)
    form = ComputeForm(as_of=_today().isoformat())
    return render_template(
        "assessment/plan.html", plan=plan, page=page, mine=mine, form=form,
        rubric=queries.rubric_for_year(plan.year), deadline=services.objection_deadline,
        bonus_count=db.session.scalar(sa.select(sa.func.count()).select_from(
            queries.plan_bonuses(plan).order_by(None).subquery())),
        open_objections=queries.open_objection_counts([plan.id]).get(plan.id, 0),
    )


@bp.route("/plans/<int:plan_id>/compute", methods=["POST"])
@roles("supervisor")
def compute(plan_id: int):
    plan = get_plan_for(current_user, plan_id)
    form = ComputeForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash("；".join(errors), "danger")
        return redirect(url_for("assessment.plan", plan_id=plan.id))
    try:
        version = services.compute_version(current_user, plan, form.as_of.parsed)
    except ServiceError as exc:
        _fail(exc)
        return redirect(url_for("assessment.plan", plan_id=plan.id))
    db.session.commit()
    flash(f"已计算第{version.number}版考核结果（考核日期{version.as_of.isoformat()}，{version.unit_count}个单位）。"
          "核对无误后可发布。", "success")
    return redirect(url_for("assessment.version", version_id=version.id))


# --- a version --------------------------------------------------------------------------------------


@bp.route("/versions/<int:version_id>")
@roles(*ROLES)
def version(version_id: int):
    v = queries.get_version_for(current_user, version_id)
    if current_user.role == "reporter":
        return redirect(url_for("assessment.unit", version_id=v.id, unit_id=current_user.unit_id))
    sheet = queries.ScoreSheet.of(v)
    codes = [b.code or "" for b in sheet.categories]
    chosen = request.args.get("category", codes[0] if codes else "")
    if chosen not in codes:
        abort(404)
    block = sheet.block(chosen or None)
    units = block.units if block else []
    per_page = RANKING_PAGE
    number = min(current_page(), max(1, -(-len(units) // per_page)))
    ranking = Page(items=units[(number - 1) * per_page: number * per_page], page=number, per_page=per_page,
                   total=len(units))
    newest = queries.latest_version(v.plan_id)
    return render_template(
        "assessment/version.html", version=v, plan=v.plan, sheet=sheet, block=block, chosen=chosen,
        ranking=ranking, is_newest=newest is not None and newest.id == v.id,
        deadline=services.objection_deadline(v),
        objections=queries.open_objection_counts([v.plan_id]).get(v.plan_id, 0),
    )


@bp.route("/versions/<int:version_id>/freeze", methods=["POST"])
@roles("supervisor")
def freeze(version_id: int):
    v = queries.get_version_for(current_user, version_id)
    try:
        told = services.freeze_version(current_user, v)
    except ServiceError as exc:
        _fail(exc)
    else:
        db.session.commit()
        deadline = services.objection_deadline(v)
        flash(f"第{v.number}版考核结果已发布，已通知{told}名单位填报员；申诉截止日期{deadline.isoformat()}。", "success")
    return redirect(url_for("assessment.version", version_id=v.id))


def _source_hrefs(items: list[dict]) -> dict[str, str]:
    """Resolve each line item's source to a URL, leaving out pages this app does not have."""
    out = {}
    for item_id, (endpoint, args, anchor) in queries.item_links(items).items():
        if endpoint in current_app.view_functions:
            out[item_id] = url_for(endpoint, **args) + (f"#{anchor}" if anchor else "")
    return out


@bp.route("/versions/<int:version_id>/units/<int:unit_id>")
@roles(*ROLES)
def unit(version_id: int, unit_id: int):
    v = queries.get_version_for(current_user, version_id)
    if current_user.role == "reporter":
        require(unit_id == current_user.unit_id)
    sheet = queries.ScoreSheet.of(v)
    result = sheet.unit(unit_id)
    require(result is not None)
    deadline = services.objection_deadline(v)
    window_open = deadline is not None and _today() <= deadline
    items = result["items"]
    number = min(current_page(), max(1, -(-len(items) // ITEMS_PAGE)))
    shown = Page(items=items[(number - 1) * ITEMS_PAGE: number * ITEMS_PAGE], page=number, per_page=ITEMS_PAGE,
                 total=len(items))
    return render_template(
        "assessment/unit.html", version=v, plan=v.plan, sheet=sheet, u=result, shown=shown,
        category=sheet.block(sheet.category_of(unit_id)), hrefs=_source_hrefs(shown.items),
        objections=queries.version_objections(v.id, unit_id), deadline=deadline, window_open=window_open,
        can_object=current_user.role == "reporter" and window_open, objection_form=ObjectionForm(),
        decision_form=DecisionForm(), bonuses_href=url_for("assessment.bonuses", plan_id=v.plan_id),
    )


@bp.route("/versions/<int:version_id>/objections", methods=["POST"])
@roles("reporter")
def file_objection(version_id: int):
    v = queries.get_version_for(current_user, version_id)
    form = ObjectionForm()
    back = url_for("assessment.unit", version_id=v.id, unit_id=current_user.unit_id)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash("；".join(errors), "danger")
        return redirect(back)
    try:
        services.file_objection(current_user, v, form.item_id.data, form.reason.data, today=_today())
    except ServiceError as exc:
        _fail(exc)
    else:
        db.session.commit()
        flash("申诉已提交，督查人员处理后会通知本单位。", "success")
    return redirect(back + f"#item-{form.item_id.data}")


# --- objections -------------------------------------------------------------------------------------


@bp.route("/objections")
@roles(*STAFF)
def objections():
    plan_id = request.args.get("plan", type=int)
    status = request.args.get("status") or None
    if status is not None and status not in OBJECTION_STATUS_LABELS:
        abort(400, description="状态只能是：" + "、".join(f"{k}（{v}）" for k, v in OBJECTION_STATUS_LABELS.items()))
    page = paginate(queries.objections_for(current_user, plan_id=plan_id, status=status), per_page=_page_size())
    return render_template("assessment/objections.html", page=page, plan_id=plan_id, status=status,
                           form=DecisionForm())


@bp.route("/objections/<int:objection_id>/decide", methods=["POST"])
@roles("supervisor")
def decide_objection(objection_id: int):
    objection = queries.get_objection_for(current_user, objection_id)
    form = DecisionForm()
    decision = form.decision.data
    if decision not in ("accept", "reject"):
        flash("请选择“采纳”或“不予采纳”。", "danger")
    else:
        try:
            services.decide_objection(current_user, objection, accept=decision == "accept", reason=form.reason.data)
        except ServiceError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash("已采纳申诉，重新计算时该事项将被删除。" if decision == "accept" else "已作出不予采纳的决定。",
                  "success")
    back = request.form.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("assessment.objections", plan=objection.plan_id)
    return redirect(back)


# --- bonuses ----------------------------------------------------------------------------------------


def _bonus_rules(plan: Plan) -> list:
    """Return the bonus rules of the plan's rubric, or none when the rubric is missing or broken."""
    if queries.rubric_for_year(plan.year) is None:
        return []
    try:
        _doc, rubric = services.plan_rubric(plan)
    except ServiceError:
        return []
    return [r for r in rubric.rules if r.is_bonus]


def _bonus_page(plan: Plan, form: BonusForm | None = None, status: int = 200):
    rules = _bonus_rules(plan)
    form = form or BonusForm()
    form.unit_id.choices = [(0, "请选择单位")] + queries.plan_units(plan)
    form.rule.choices = [(r.code, f"{r.name}（单项最多{fmt(r.item_cap)}分）" if r.item_cap is not None else r.name)
                         for r in rules]
    page = paginate(queries.plan_bonuses(plan), per_page=_page_size())
    return render_template("assessment/bonuses.html", plan=plan, page=page, form=form,
                           rule_names={r.code: r.name for r in rules}), status


@bp.route("/plans/<int:plan_id>/bonuses")
@roles(*STAFF)
def bonuses(plan_id: int):
    return _bonus_page(get_plan_for(current_user, plan_id))


@bp.route("/plans/<int:plan_id>/bonuses", methods=["POST"])
@roles("supervisor")
def add_bonus(plan_id: int):
    plan = get_plan_for(current_user, plan_id)
    form = BonusForm()
    form.unit_id.choices = [(0, "请选择单位")] + queries.plan_units(plan)
    form.rule.choices = [(r.code, r.name) for r in _bonus_rules(plan)]
    if form.validate_on_submit():
        try:
            services.add_bonus(current_user, plan, unit_id=form.unit_id.data, rule=form.rule.data,
                               points=form.points.data, reason=form.reason.data, evidence=form.evidence.data)
        except ServiceError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash("加分已录入，下次计算考核结果时计入。", "success")
            return redirect(url_for("assessment.bonuses", plan_id=plan.id))
    for errors in form.errors.values():
        flash("；".join(errors), "danger")
    return _bonus_page(plan, form, 400)


@bp.route("/bonuses/<int:bonus_id>/delete", methods=["POST"])
@roles("supervisor")
def delete_bonus(bonus_id: int):
    bonus = db.session.get(Bonus, bonus_id)
    require(bonus is not None)
    plan_id = bonus.plan_id
    if plan_id is None:
        plan = db.session.scalar(visible_plans(current_user).where(Plan.year == bonus.year).limit(1))
        require(plan is not None)
        plan_id = plan.id
    else:
        get_plan_for(current_user, plan_id)
    services.delete_bonus(current_user, bonus)
    db.session.commit()
    flash("加分记录已删除；已计算的版本不受影响。", "success")
    return redirect(url_for("assessment.bonuses", plan_id=plan_id))


# --- rubric -----------------------------------------------------------------------------------------


@bp.route("/rubrics")
@roles(*STAFF)
def rubrics():
    docs = list(db.session.scalars(sa.select(RubricDocument).order_by(RubricDocument.year.desc())))
    shown = next((d for d in docs if d.year == request.args.get("year", type=int)), docs[0] if docs else None)
    rubric, problems = None, []
    if shown is not None:
        try:
            rubric = load_rubric(shown.yaml_text)
        except RubricError as exc:
            problems = exc.messages
    return render_template("assessment/rubrics.html", docs=docs, shown=shown, rubric=rubric, problems=problems,
                           this_year=_today().year, PARAMS=RULE_PARAMS, param_text=_param_text,
                           UNIT_KINDS=UNIT_KINDS, DEADLINE_CHANGES=DEADLINE_CHANGES)


def _param_text(rule, param) -> str:
    """A rule setting as the display shows it."""
    if not param.applies(rule.type):
        return "—"
    value = getattr(rule, param.key)
    if param.kind == "number":
        return "不限" if value is None else f"{fmt(value)}分"
    if param.kind == "flag":
        return "是" if value else "否"
    return "、".join(DEADLINE_KIND_LABELS.get(k, k) for k in value) or "无"


def _seed_text() -> str:
    from ..config import PROJECT_ROOT

    path = PROJECT_ROOT / "seeds" / SEED_RUBRIC
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _start_data(year: int) -> tuple[dict, bool]:
    """The form's starting point: the year's rubric, else the seed moved to that year, else a blank one;
    and whether it is the year's stored rubric."""
    doc = queries.rubric_for_year(year)
    if doc is not None:
        try:
            return load_rubric(doc.yaml_text).to_dict(), True
        except RubricError:
            pass
    try:
        data = load_rubric(_seed_text()).to_dict()
    except RubricError:
        return rubric_form.blank_data(year), False
    # the seed's name names its own year
    data["name"] = data["name"].replace(f"{data['year']}年", f"{year}年")
    return dict(data, year=year), False


def _edit_page(form, data: dict, messages: list[str], status: int = 200):
    return render_template(
        "assessment/rubric_edit.html", form=form, data=data, messages=messages, PARAMS=RULE_PARAMS,
        UNIT_KINDS=UNIT_KINDS, DEADLINE_KINDS=DEADLINE_KIND_LABELS, DEDUCTION_TYPES=DEDUCTION_TYPES,
        DEADLINE_CHANGES=DEADLINE_CHANGES, weight_percent=rubric_form.weight_percent(data),
    ), status


@bp.route("/rubrics/edit", methods=["GET", "POST"])
@roles("admin")
def rubric_edit():
    """The rubric as a form: indicators, rules and their settings with Chinese labels."""
    form = RubricEditForm()
    if request.method == "GET":
        year = request.args.get("year", type=int) or _today().year
        if not 2000 <= year <= 2100:
            abort(404)
        form.year.data = year
        data, stored = _start_data(year)
        if queries.rubric_for_year(year) is not None and not stored:
            flash(f"已保存的{year}年度细则有误，表单中是默认细则；如需查看或修改原文，请用“以 YAML 文本导入”。", "warning")
        return _edit_page(form, data, [])
    if not form.validate_on_submit():
        year = form.year.data if isinstance(form.year.data, int) else _today().year
        return _edit_page(form, rubric_form.data_from_form(request.form, year),
                          [m for errors in form.errors.values() for m in errors], 400)
    data = rubric_form.data_from_form(request.form, form.year.data)
    action = request.form.get("action", "")
    if action and action != "save":
        if not rubric_form.apply_action(data, action):
            abort(400)
        return _edit_page(form, data, [])
    try:
        doc = services.save_rubric_data(current_user, data, year=form.year.data)
    except services.RubricRejected as exc:
        db.session.rollback()
        return _edit_page(form, data, exc.messages, 400)
    db.session.commit()
    flash(f"{doc.year}年度考核细则已保存。", "success")
    return redirect(url_for("assessment.rubrics", year=doc.year))


@bp.route("/rubrics/<int:year>/export")
@roles("admin")
def rubric_export(year: int):
    """The year's rubric as a YAML file, for the admin who keeps rubrics as text."""
    doc = queries.rubric_for_year(year)
    if doc is None:
        abort(404)
    return Response(doc.yaml_text, mimetype="application/x-yaml; charset=utf-8", headers={
        "Content-Disposition": content_disposition(f"{year}年度考核细则.yaml", inline=False)})


@bp.route("/rubrics/yaml", methods=["GET", "POST"])
@roles("admin")
def rubric_yaml():
    """Import or edit the rubric as YAML text (for the admin who prefers it; the form is the default)."""
    form = RubricForm()
    messages: list[str] = []
    status = 200
    if request.method == "GET":
        year = request.args.get("year", type=int) or _today().year
        doc = queries.rubric_for_year(year)
        form.year.data = year
        form.text.data = doc.yaml_text if doc else _seed_text().replace("year: 2021", f"year: {year}", 1)
    elif form.validate_on_submit():
        text = form.text.data or ""
        upload = form.upload.data
        if upload and getattr(upload, "filename", ""):
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                messages = ["上传的文件不是 UTF-8 编码的文本，请另存为 UTF-8 后重新上传。"]
            form.text.data = text
        if not messages:
            try:
                doc = services.save_rubric(current_user, text, year=form.year.data)
            except services.RubricRejected as exc:
                db.session.rollback()
                messages = exc.messages
            else:
                db.session.commit()
                flash(f"{doc.year}年度考核细则已保存。", "success")
                return redirect(url_for("assessment.rubrics", year=doc.year))
        status = 400
    else:
        messages = [m for errors in form.errors.values() for m in errors]
        status = 400
    return render_template("assessment/rubric_yaml.html", form=form, messages=messages), status

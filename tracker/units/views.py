"""Admin screens for units and group phrases."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import roles
from ..errors import commit_or_flash
from ..extensions import db
from ..pagination import paginate
from . import services
from .forms import GroupForm, ImportForm, UnitForm
from .models import UNIT_KINDS, Unit, UnitGroup, official_order

bp = Blueprint("units", __name__, url_prefix="/admin/units")


def _unit_choices(blank: str = "（无，作为顶级单位）"):
    rows = db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.is_active).order_by(Unit.path)).all()
    return [(0, blank)] + [(r.id, r.name) for r in rows]


@bp.route("/")
@roles("admin")
def index():
    q = sa.select(Unit).order_by(Unit.path)
    term = request.args.get("q", "").strip()
    kind = request.args.get("kind", "")
    if term:
        like = f"%{term}%"
        q = q.where(sa.or_(Unit.name.ilike(like), Unit.short_name.ilike(like)))
    if kind in UNIT_KINDS:
        q = q.where(Unit.kind == kind)
    page = paginate(q, per_page=current_app.config["PAGE_SIZE"])
    return render_template("units/index.html", page=page, term=term, kind=kind, kinds=UNIT_KINDS,
                           import_form=ImportForm())


def _save(unit: Unit | None):
    form = UnitForm(obj=unit)
    form.parent_id.choices = _unit_choices()
    if request.method == "GET":
        if unit is not None:
            form.parent_id.data = unit.parent_id or 0
            form.aliases.data = "、".join(unit.aliases or [])
            form.category.data = unit.category or ""
    if form.validate_on_submit():
        parent = db.session.get(Unit, form.parent_id.data) if form.parent_id.data else None
        fields = dict(name=form.name.data, kind=form.kind.data, parent=parent, short_name=form.short_name.data,
                      aliases=form.aliases.data, category=form.category.data or None)
        ok, _ = commit_or_flash(lambda: services.create_unit(current_user, **fields) if unit is None
                                else services.update_unit(current_user, unit, **fields))
        if ok:
            flash("单位已保存。", "success")
            return redirect(url_for("units.index"))
    merge_choices = []
    if unit is not None:
        merge_choices = [tuple(r) for r in db.session.execute(
            sa.select(Unit.id, Unit.name).where(Unit.is_active, Unit.id != unit.id).order_by(*official_order()))]
    return render_template("units/form.html", form=form, unit=unit, merge_choices=merge_choices)


@bp.route("/new", methods=["GET", "POST"])
@roles("admin")
def new():
    return _save(None)


@bp.route("/<int:unit_id>", methods=["GET", "POST"])
@roles("admin")
def edit(unit_id: int):
    return _save(db.session.get(Unit, unit_id) or abort(404))


@bp.route("/<int:unit_id>/active", methods=["POST"])
@roles("admin")
def set_active(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    active = request.form.get("active") == "1"
    ok, _ = commit_or_flash(lambda: services.set_unit_active(current_user, unit, active))
    if ok:
        flash(("已启用：" if active else "已停用：") + unit.name, "success")
    return redirect(url_for("units.index"))


@bp.route("/<int:unit_id>/merge", methods=["POST"])
@roles("admin")
def merge(unit_id: int):
    """Merge this unit into another (机构改革): open work moves, completed work stays."""
    from ..plans import assign

    unit = db.session.get(Unit, unit_id) or abort(404)
    target = db.session.get(Unit, request.form.get("into_id", type=int) or 0)
    if target is None:
        flash("请选择并入的单位。", "danger")
        return redirect(url_for("units.edit", unit_id=unit.id))
    ok, result = commit_or_flash(lambda: assign.merge_units(current_user, unit, target))
    if ok:
        flash(f"“{result.source}”已并入“{result.target}”：转入在办任务{len(result.moved)}项，"
              f"重复的{len(result.folded)}项已合并，已办结的{result.kept}项留在原单位名下。", "success")
        return redirect(url_for("units.index"))
    return redirect(url_for("units.edit", unit_id=unit.id))


@bp.route("/import", methods=["POST"])
@roles("admin")
def import_units():
    form = ImportForm()
    if not form.validate_on_submit():
        flash("请选择要导入的单位名录文件（.yaml 或 .xlsx）。", "danger")
        return redirect(url_for("units.index"))
    storage = form.file.data
    try:
        doc = services.parse_directory(storage.filename or "", storage.read())
        result = services.import_directory(current_user, doc)
    except services.DirectoryImportError as exc:
        db.session.rollback()
        return render_template("units/import_errors.html", errors=exc.errors, filename=storage.filename), 400
    db.session.commit()
    flash(f"导入完成：新建{len(result.created)}个单位，更新{len(result.updated)}个，统称{len(result.groups)}条。", "success")
    return redirect(url_for("units.index"))


@bp.route("/groups")
@roles("admin")
def groups():
    q = sa.select(UnitGroup).order_by(UnitGroup.owner_id, UnitGroup.phrase)
    page = paginate(q, per_page=current_app.config["PAGE_SIZE"])
    members = {g.id: services.group_member_ids(g) for g in page.items}
    return render_template("units/groups.html", page=page, members=members, kinds=UNIT_KINDS)


def _save_group(group: UnitGroup | None):
    form = GroupForm(obj=group)
    choices = _unit_choices("（请选择）")
    form.owner_id.choices = choices
    form.rule_parent_id.choices = choices
    form.member_ids.choices = choices[1:]
    if request.method == "GET" and group is not None:
        form.aliases.data = "、".join(group.aliases or [])
        form.rule_kind.data = group.rule_kind or ""
        form.rule_parent_id.data = group.rule_parent_id or 0
        form.member_ids.data = [u.id for u in group.listed_members]
    if form.validate_on_submit():
        owner = db.session.get(Unit, form.owner_id.data) if form.owner_id.data else None
        if owner is None:
            flash("请选择所属辖区。", "danger")
        else:
            ok, _ = commit_or_flash(lambda: services.save_group(
                current_user, group, phrase=form.phrase.data, owner=owner, aliases=form.aliases.data,
                rule_kind=form.rule_kind.data or None,
                rule_parent=db.session.get(Unit, form.rule_parent_id.data) if form.rule_parent_id.data else None,
                members=[db.session.get(Unit, i) for i in form.member_ids.data or []],
            ))
            if ok:
                flash("统称已保存。", "success")
                return redirect(url_for("units.groups"))
    return render_template("units/group_form.html", form=form, group=group)


@bp.route("/groups/new", methods=["GET", "POST"])
@roles("admin")
def group_new():
    return _save_group(None)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@roles("admin")
def group_edit(group_id: int):
    return _save_group(db.session.get(UnitGroup, group_id) or abort(404))


@bp.route("/groups/<int:group_id>/delete", methods=["POST"])
@roles("admin")
def group_delete(group_id: int):
    group = db.session.get(UnitGroup, group_id) or abort(404)
    services.delete_group(current_user, group)
    db.session.commit()
    flash("统称已删除。", "success")
    return redirect(url_for("units.groups"))

"""Workbook downloads: 工作台账, 逾期清单, 考核结果, and a reporter's own assignments."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import date
from urllib.parse import quote

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..access import ROLES, STAFF, roles
from ..dashboard.queries import STATUS_LABELS, STATUSES, scope_path_of, unit_in_scope
from ..extensions import db
from ..plans.models import Plan
from ..plans.queries import get_plan_for, visible_plans
from ..timeutil import app_today, parse_iso_date
from ..units.models import CATEGORIES
from . import documents
from .queries import Selection, plan_choices

bp = Blueprint("exports", __name__, url_prefix="/exports")

#: plans offered in the picker
PICKER_LIMIT = 300


def _tz() -> str:
    return current_app.config["TIMEZONE"]


def _as_of() -> date:
    try:
        return parse_iso_date(request.args.get("as_of")) or app_today()
    except ValueError as exc:
        abort(400, description=str(exc))


def _int_arg(name: str, message: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdecimal():
        abort(400, description=message)
    return int(raw)


def _plan() -> Plan:
    plan_id = _int_arg("plan", "工作要点编号不正确。")
    if plan_id is None:
        abort(400, description="请选择要导出的工作要点。")
    return get_plan_for(current_user, plan_id)


def _selection(*, filters: bool) -> Selection:
    """Parse plan, as_of and (for the ledger) the dashboard's unit, section, category and status filters."""
    plan = _plan()
    unit_id = section = category = status = None
    if filters:
        unit_id = _int_arg("unit", "单位编号不正确。")
        if unit_id is not None and unit_in_scope(unit_id, scope_path_of(current_user)) is None:
            abort(404)
        section = request.args.get("section") or None
        category = request.args.get("category", "").strip() or None
        if category is not None and category not in CATEGORIES:
            abort(400, description="考核类别只能是 A 或 B。")
        status = request.args.get("status", "").strip() or None
        if status is not None and status not in STATUSES:
            abort(400, description="状态只能是：" + "、".join(f"{s}（{STATUS_LABELS[s]}）" for s in STATUSES))
    return Selection(plans=(plan,), as_of=_as_of(), scope_path=scope_path_of(current_user), unit_id=unit_id, section=section,
                     category=category, status=status, tz=_tz())


def send_workbook(write: Callable[[object], object], name: str, ascii_name: str | None = None):
    """Write a workbook into an unlinked temporary file and stream it to the browser.

    `ascii_name` is the plain name for clients that cannot read the UTF-8 one (RFC 6266's filename=).
    """
    handle = tempfile.NamedTemporaryFile(prefix="tracker-export-", suffix=".xlsx", delete=False)
    try:
        write(handle)
        handle.close()
        # Open again and unlink at once: the open file streams, nothing is left behind on disk.
        stream = open(handle.name, "rb")
    finally:
        if not handle.closed:
            handle.close()
        os.unlink(handle.name)
    response = send_file(stream, mimetype=documents.MIME, as_attachment=True, download_name=name, max_age=0)
    if ascii_name:
        response.headers["Content-Disposition"] = (
            f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(name, safe='')}")
    return response


@bp.route("/")
@roles(*ROLES)
def index():
    plans = list(db.session.scalars(
        visible_plans(current_user).order_by(Plan.year.desc(), Plan.id.desc()).limit(PICKER_LIMIT)))
    return render_template("exports/index.html", plans=plan_choices(plans), today=app_today())


@bp.route("/ledger")
@roles(*STAFF)
def ledger():
    sel = _selection(filters=True)
    return send_workbook(lambda out: documents.write_ledger(out, sel), *documents.ledger_filenames(sel))


@bp.route("/overdue")
@roles(*STAFF)
def overdue():
    sel = _selection(filters=False)
    return send_workbook(lambda out: documents.write_overdue(out, sel),
                         documents.filename("逾期清单", sel.title, sel.as_of))


@bp.route("/assessment")
@roles(*STAFF)
def assessment():
    from ..assessment.queries import get_version_for, latest_version

    version_id = _int_arg("version", "考核结果版本编号不正确。")
    if version_id is None:
        plan = _plan()
        version = latest_version(plan.id)
        if version is None:
            # Not a missing page: the plan exists, its scores do not yet. Say so where the export was chosen.
            flash(f"《{plan.title}》尚未计算考核结果，暂无可导出的考核结果。请先在“考核”中计算。", "warning")
            return redirect(url_for("exports.index"))
    else:
        version = get_version_for(current_user, version_id)
    return send_workbook(lambda out: documents.write_assessment(out, version),
                         documents.filename(f"考核结果第{version.number}版", version.plan.title, version.as_of))


@bp.route("/mine")
@roles("reporter")
def mine():
    if current_user.unit is None:
        abort(404)
    plan_id = _int_arg("plan", "工作要点编号不正确。")
    if plan_id is not None:
        get_plan_for(current_user, plan_id)
    as_of = _as_of()
    unit = current_user.unit
    return send_workbook(lambda out: documents.write_unit(out, unit, as_of, plan_id=plan_id, tz=_tz()),
                         documents.filename("本单位承办事项", unit.name, as_of))


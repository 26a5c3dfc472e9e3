"""The admin's audit log viewer: filters in Chinese, changes as 字段：旧值 → 新值, export to xlsx."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request

from ..access import roles
from ..accounts.models import User
from ..extensions import db
from ..pagination import paginate
from ..timeutil import app_today, local_zone, parse_iso_date
from ..units.models import Unit, official_order
from .labels import ACTION_LABELS, OBJECT_LABELS
from .models import AuditEvent
from .present import change_text, describe

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

#: the most rows one export writes (newest first)
EXPORT_LIMIT = 50_000


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        abort(400, description="筛选条件不正确，请从下拉列表中选择。")
    return int(raw)


def _filtered() -> tuple[sa.Select, dict]:
    """The events the query arguments select, newest first, and the filters as the form shows them."""
    q = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    who, unit_id = _int_arg("who"), _int_arg("unit")
    action = request.args.get("action", "").strip()
    object_type = request.args.get("object_type", "").strip()
    try:
        start = parse_iso_date(request.args.get("from"))
        end = parse_iso_date(request.args.get("to"))
    except ValueError as exc:
        abort(400, description=str(exc))
    if start and end and start > end:
        abort(400, description="起始日期不能晚于截止日期。")
    if action and action not in ACTION_LABELS:
        abort(400, description="请从下拉列表中选择操作。")
    if object_type and object_type not in OBJECT_LABELS:
        abort(400, description="请从下拉列表中选择对象类型。")
    zone = local_zone(current_app.config["TIMEZONE"])
    if who is not None:
        q = q.where(AuditEvent.actor_id == who)
    if unit_id is not None:
        members = sa.select(User.id).where(User.unit_id == unit_id)
        q = q.where(sa.or_(AuditEvent.actor_id.in_(members),
                           sa.and_(AuditEvent.object_type == "unit", AuditEvent.object_id == unit_id)))
    if action:
        q = q.where(AuditEvent.action == action)
    if object_type:
        q = q.where(AuditEvent.object_type == object_type)
    if start:
        q = q.where(AuditEvent.created_at >= datetime.combine(start, time(), zone))
    if end:
        q = q.where(AuditEvent.created_at < datetime.combine(end + timedelta(days=1), time(), zone))
    return q, {"who": who, "unit": unit_id, "action": action, "object_type": object_type,
               "from": start.isoformat() if start else "", "to": end.isoformat() if end else ""}


@bp.route("/")
@roles("admin")
def index():
    q, chosen = _filtered()
    page = paginate(q, per_page=current_app.config["PAGE_SIZE"])
    users = db.session.execute(sa.select(User.id, User.display_name, User.username).order_by(User.display_name)).all()
    units = db.session.execute(sa.select(Unit.id, Unit.name).order_by(*official_order())).all()
    actions = sorted(ACTION_LABELS.items(), key=lambda kv: kv[0])
    return render_template("audit/index.html", page=page, rows=describe(page.items), chosen=chosen, users=users,
                           units=units, actions=actions, objects=list(OBJECT_LABELS.items()),
                           change_text=change_text)


@bp.route("/export")
@roles("admin")
def export():
    from ..exports.views import send_workbook
    from .workbook import audit_workbook

    q, _chosen = _filtered()
    events = list(db.session.scalars(q.limit(EXPORT_LIMIT)))
    zone = local_zone(current_app.config["TIMEZONE"])
    return send_workbook(lambda out: audit_workbook(out, describe(events), zone=zone, made_on=app_today()),
                         f"操作日志-{app_today().isoformat()}.xlsx")



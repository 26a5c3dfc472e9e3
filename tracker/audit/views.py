"""The admin's audit log viewer."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request

from ..access import roles
from ..accounts.models import User
from ..pagination import paginate
from ..timeutil import local_zone, parse_iso_date
from .models import AuditEvent

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("/")
@roles("admin")
def index():
    q = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    who = request.args.get("who", "").strip()
    action = request.args.get("action", "").strip()
    object_type = request.args.get("object_type", "").strip()
    try:
        start = parse_iso_date(request.args.get("from"))
        end = parse_iso_date(request.args.get("to"))
    except ValueError as exc:
        abort(400, str(exc))
    zone = local_zone(current_app.config["TIMEZONE"])
    if who:
        q = q.join(User, AuditEvent.actor_id == User.id).where(
            sa.or_(User.username == who, User.display_name.ilike(f"%{who}%"))
        )
    if action:
        q = q.where(AuditEvent.action.ilike(f"{action}%"))
    if object_type:
        q = q.where(AuditEvent.object_type == object_type)
    if start:
        q = q.where(AuditEvent.created_at >= datetime.combine(start, time(), zone))
    if end:
        q = q.where(AuditEvent.created_at < datetime.combine(end + timedelta(days=1), time(), zone))
    page = paginate(q, per_page=current_app.config["PAGE_SIZE"])
    return render_template("audit/index.html", page=page, args=request.args)

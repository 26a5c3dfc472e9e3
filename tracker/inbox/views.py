"""Each user's inbox."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import ROLES, roles
from ..extensions import db
from ..pagination import paginate
from . import services
from .models import Notification

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.route("/")
@roles(*ROLES)
def index():
    stmt = sa.select(Notification).where(Notification.user_id == current_user.id)
    if request.args.get("unread"):
        stmt = stmt.where(Notification.read_at.is_(None))
    page = paginate(stmt.order_by(Notification.id.desc()), per_page=current_app.config["PAGE_SIZE"])
    return render_template("inbox/index.html", page=page, unread_only=bool(request.args.get("unread")))


@bp.route("/<int:notification_id>/open", methods=["POST"])
@roles(*ROLES)
def open_item(notification_id: int):
    n = db.session.get(Notification, notification_id)
    if n is None or n.user_id != current_user.id:
        abort(404)
    services.mark_read(current_user.id, [n.id])
    db.session.commit()
    return redirect(n.link or url_for("inbox.index"))


@bp.route("/read-all", methods=["POST"])
@roles(*ROLES)
def read_all():
    services.mark_read(current_user.id)
    db.session.commit()
    return redirect(url_for("inbox.index"))

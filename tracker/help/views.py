"""使用说明 pages: the signed-in user's role first, the other roles' one click away."""
from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, send_from_directory
from flask_login import current_user

from ..access import ROLE_LABELS, ROLES, roles
from ..config import PROJECT_ROOT
from .content import COMMON_TIPS, HELP

bp = Blueprint("help", __name__, url_prefix="/help")

#: where the browser journeys save the screenshots (the README links the same files)
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
#: a screenshot's file name: lower-case words and hyphens, .png; nothing else is served
SHOT_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\.png")


@bp.route("/")
@roles(*ROLES)
def index():
    return _render(current_user.role)


@bp.route("/<role>")
@roles(*ROLES)
def role(role: str):
    if role not in HELP:
        abort(404)
    return _render(role)


def _render(role: str):
    return render_template("help/index.html", help=HELP[role], common=COMMON_TIPS, role=role,
                           others=[(r, ROLE_LABELS[r]) for r in ROLES if r != role], own=current_user.role)


@bp.route("/screenshots/<name>")
@roles(*ROLES)
def screenshot(name: str):
    if not SHOT_NAME.fullmatch(name) or not (SCREENSHOTS / name).is_file():
        abort(404)
    return send_from_directory(SCREENSHOTS, name, mimetype="image/png", max_age=3600)

"""The public progress pages: a plain URL per published plan that a government site can link to."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, make_response, render_template

from ..access import public
from ..config import setting
from ..dashboard.queries import StatusRules
from ..pagination import paginate
from ..supervise.calendar_db import current_calendar
from ..timeutil import app_today, utcnow
from ..help.content import PUBLIC_TIPS
from . import queries
from .cache import PageCache

bp = Blueprint("public", __name__, url_prefix="/public")

#: seconds a rendered public page is served from memory (app setting PUBLIC_CACHE_SECONDS)
DEFAULT_TTL = 300
#: ids beyond this cannot exist (and would overflow a database integer)
MAX_ID = 2**31 - 1


def page_cache(app: Flask | None = None) -> PageCache:
    """Return the application's cache of rendered public pages."""
    app = app or current_app
    return app.extensions.setdefault("public_page_cache", PageCache())


def invalidate(plan_id: int) -> None:
    """Drop a plan's cached page (after publishing or unpublishing it)."""
    page_cache().invalidate(plan_id)


def _respond(html: str, hit: bool):
    resp = make_response(html)
    resp.headers["X-Cache"] = "hit" if hit else "miss"
    # Proxies may keep it briefly; unpublishing must not linger long anywhere.
    resp.headers["Cache-Control"] = "public, max-age=60"
    return resp


@bp.route("/plans")
@public
def index():
    page = paginate(queries.published_plans(), per_page=current_app.config["PAGE_SIZE"])
    return render_template("public/index.html", page=page, tips=PUBLIC_TIPS)


@bp.route("/plans/<int:plan_id>")
@public
def plan(plan_id: int):
    # Checked on every request, cached or not: unpublishing in one worker must hide the page in all.
    version = queries.published_version(plan_id) if plan_id <= MAX_ID else None
    if version is None:
        invalidate(plan_id)
        abort(404)
    # Keyed on the plan's data version, which any change to its tasks, assignments or public reports
    # renews in the same transaction: a withdrawn report is gone from every worker at once.
    cache = page_cache()
    hit = cache.get(plan_id, version)
    if hit is not None:
        return _respond(hit.html, hit=True)
    the_plan = queries.published_plan(plan_id)
    if the_plan is None:
        abort(404)
    tz = current_app.config["TIMEZONE"]
    today = app_today()
    tasks = queries.plan_progress(plan_id, StatusRules.at(today, tz=tz, calendar=current_calendar()), tz)
    summary = {s: sum(1 for t in tasks if t.status == s) for s in queries.PUBLIC_STATUS_LABELS}
    rendered_at = utcnow()
    html = render_template("public/plan.html", plan=the_plan, tasks=tasks, summary=summary, today=today,
                           rendered_at=rendered_at, newest=queries.newest_public_report(plan_id),
                           labels=queries.PUBLIC_STATUS_LABELS, tips=PUBLIC_TIPS)
    cache.put(plan_id, html, rendered_at, float(setting("PUBLIC_CACHE_SECONDS", DEFAULT_TTL)), version)
    return _respond(html, hit=False)

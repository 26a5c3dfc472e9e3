"""Template filters and globals shared by every page."""
from __future__ import annotations

from datetime import date

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user

from .access import ROLE_LABELS, ROLES
from .timeutil import to_local


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("localtime")
    def localtime(value, fmt: str = "%Y-%m-%d %H:%M"):
        local = to_local(value, current_app.config["TIMEZONE"])
        return local.strftime(fmt) if local else ""

    @app.template_filter("cndate")
    def cndate(value):
        return f"{value.year}年{value.month}月{value.day}日" if value else ""

    @app.template_global()
    def url_with(**changes):
        """Return the current URL with some query arguments replaced (for pagination and filters)."""
        args = request.args.to_dict()
        # A None removes the argument (kept as None so keep_as_of does not put as_of back).
        args.update(changes)
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    @app.url_defaults
    def keep_as_of(endpoint: str, values: dict) -> None:
        """Carry the request's `as_of` into every link it builds (menus, pagination, redirects).

        A link that names `as_of` itself (even as None, "back to today") keeps its own choice.
        """
        if not has_request_context() or "as_of" in values or endpoint.endswith("static"):
            return
        raw = request.args.get("as_of")
        if not raw:
            return
        try:
            date.fromisoformat(raw)
        except ValueError:
            return
        values["as_of"] = raw

    @app.context_processor
    def inject_nav():
        return {"ROLE_LABELS": ROLE_LABELS, "nav_items": nav_items(), "nav_system": nav_items(system=True),
                "inbox_unread": inbox_unread(),
                "fixed_today": current_app.config.get("TODAY")}


#: (endpoint, label, roles) of the top navigation; an entry shows only if its endpoint exists.
NAV = (
    ("dashboard.index", "督办总览", ("admin", "supervisor", "leader")),
    ("plans.index", "工作要点", ("admin", "supervisor", "leader")),
    ("plans.import_start", "导入文件", ("supervisor",)),
    ("plans.items", "交办件", ("admin", "supervisor", "leader")),
    ("reports.my_tasks", "我的任务", ("reporter",)),
    ("reports.review_queue", "审核", ("supervisor",)),
    ("reports.extension_queue", "延期审批", ("supervisor",)),
    ("supervise.overdue", "督办", ("admin", "supervisor", "leader", "reporter")),
    ("supervise.calendar", "节假日", ("admin",)),
    ("assessment.index", "考核", ("admin", "supervisor", "leader", "reporter")),
    ("annual.index", "年度报告", ("admin", "supervisor", "leader", "reporter")),
    ("exports.index", "导出", ("admin", "supervisor", "leader", "reporter")),
    ("units.index", "单位管理", ("admin",)),
    ("units.groups", "统称管理", ("admin",)),
    ("disclosure.index", "依申请公开", ROLES),
    ("accounts.users", "用户管理", ("admin",)),
    ("accounts.locks", "登录锁定", ("admin",)),
    ("audit.index", "操作日志", ("admin",)),
)


#: The administrator's pages gathered under one 系统管理 menu, so the bar keeps to one line at 1280 px.
SYSTEM_MENU = frozenset({"supervise.calendar", "units.index", "units.groups", "accounts.users", "accounts.locks",
                         "audit.index"})


def nav_items(system: bool = False) -> list[tuple[str, str, bool]]:
    """The navigation entries the current user may open: the bar's, or with `system` the 系统管理 menu's."""
    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, label, roles in NAV:
        if (endpoint in SYSTEM_MENU) != system:
            continue
        if current_user.role in roles and endpoint in current_app.view_functions:
            items.append((url_for(endpoint), label, request.endpoint == endpoint))
    return items


def inbox_unread() -> int:
    if not current_user.is_authenticated:
        return 0
    from .inbox.services import unread_count

    return unread_count(current_user.id)

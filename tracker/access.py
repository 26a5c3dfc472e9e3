"""Role declarations for routes and the default-deny check that enforces them."""
from __future__ import annotations

from typing import Callable

from flask import abort, current_app, request
from flask_login import current_user

from .extensions import login_manager

ROLES = ("admin", "supervisor", "leader", "reporter")
ROLE_LABELS = {"admin": "系统管理员", "supervisor": "督查人员", "leader": "分管领导", "reporter": "单位填报员"}
PUBLIC = "public"
#: Staff who see all plans of their subtree.
STAFF = ("admin", "supervisor", "leader")


def roles(*allowed: str) -> Callable:
    """Declare which roles may use a view; anything else gets 403 (anonymous: the login page)."""
    unknown = set(allowed) - set(ROLES)
    if unknown or not allowed:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        view.allowed_roles = frozenset(allowed)
        return view

    return decorate


def public(view):
    """Declare a view open to anyone, logged in or not."""
    view.allowed_roles = frozenset({PUBLIC})
    return view


def allowed_roles_of(endpoint: str) -> frozenset | None:
    """Return the roles declared for an endpoint, or None if it declares none."""
    if endpoint == "static" or endpoint.endswith(".static"):
        return frozenset({PUBLIC})
    view = current_app.view_functions.get(endpoint)
    # Class-based and wrapped views keep the declaration on the outermost function.
    return getattr(view, "allowed_roles", None)


def enforce_roles():
    """before_request hook: refuse any request the endpoint's declared roles do not allow."""
    if request.endpoint is None:
        return None  # routing failed: the 404/405 handler answers
    allowed = allowed_roles_of(request.endpoint)
    if allowed is None:
        current_app.logger.error("route %s declares no roles; denied", request.endpoint)
        abort(403)
    if PUBLIC in allowed:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in allowed:
        abort(403)
    return None


def require(condition: bool) -> None:
    """Abort with 404 when an object is outside the user's scope (no leak of existence)."""
    if not condition:
        abort(404)



#: Every page's policy; styles may be inline (the SVG charts and a few layouts use style attributes).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def security_headers(response):
    """after_request hook: headers every answer carries; pages behind login are never stored."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # Scripts only from our own files, never inline: injected markup cannot run anything.
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    allowed = allowed_roles_of(request.endpoint) if request.endpoint else None
    if allowed is None or PUBLIC not in allowed:
        # A shared computer's browser or a proxy must not keep a page meant for one signed-in user.
        response.headers["Cache-Control"] = "no-store"
    return response

"""ServiceError and the Chinese error pages."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import Flask, flash, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .extensions import db

T = TypeVar("T")


class ServiceError(Exception):
    """A business rule refused the operation; the message is shown to the user as is."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


#: Title and explanation for each status we render ourselves.
PAGES = {
    400: ("请求有误", "提交的内容不完整或格式不正确，请返回检查后重试。"),
    403: ("无权访问", "您的账号没有访问此页面的权限。如需开通，请联系系统管理员。"),
    404: ("页面不存在", "您要找的页面或记录不存在，或不在您的权限范围内。"),
    405: ("请求方式不允许", "此页面不支持该操作方式。"),
    413: ("文件过大", "上传的文件超过了大小限制，请压缩或拆分后重新上传。"),
    429: ("操作过于频繁", "请稍后再试。"),
    503: ("系统繁忙", "同时提交的人较多，本次操作未完成，数据未作修改。请稍后重试。"),
    500: ("系统错误", "服务器处理请求时出错，操作未完成，数据未作修改。请稍后重试或联系管理员。"),
}


def render_error(status: int, detail: str | None = None):
    """Render the Chinese error page for a status code."""
    title, text = PAGES.get(status, PAGES[500])
    return render_template("errors/error.html", status=status, title=title, text=text, detail=detail), status


def register_error_handlers(app: Flask) -> None:
    """Install handlers so every error shows a Chinese page."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, "表单已过期或缺少安全校验码（CSRF），请刷新页面后重新提交。")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        detail = exc.description if exc.code == 400 and exc.description and not exc.description.startswith("The browser") else None
        return render_error(exc.code if exc.code in PAGES else 500, detail)

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        db.session.rollback()
        return render_error(exc.status, exc.message)

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError):
        db.session.rollback()
        if "database is locked" in str(exc.orig):
            # SQLite waited the whole busy timeout for another writer: ask the user to retry.
            return render_error(503)
        app.logger.exception("database error on %s %s", request.method, request.path)
        return render_error(500)

    @app.errorhandler(Exception)
    def unhandled(exc: Exception):
        # A failed request must never leave a half-written transaction behind.
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def commit_or_flash(action: Callable[[], T], *, shown: tuple[int, ...] | None = None) -> tuple[bool, T | None]:
    """Run a view's service call: commit and return (True, result), or roll back and flash the refusal.

    With `shown`, a ServiceError whose status is not listed is re-raised for the error page.
    """
    try:
        result = action()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if shown is not None and exc.status not in shown:
            raise
        flash(exc.message, "danger")
        return False, None
    return True, result

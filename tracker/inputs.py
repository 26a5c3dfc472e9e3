"""Bounds every request's input must keep before any view reads it.

Values no screen can produce (NUL and other control characters, a query value of thousands of
characters, an integer beyond the database's) are refused with a Chinese 400 here, once, so
no view turns them into a 500 or stores them.
"""
from __future__ import annotations

import re

from flask import abort, request

#: a query value longer than this is not something a page built (a search box, a date, an id)
MAX_QUERY_VALUE = 1000
#: a single form value longer than this is refused (long texts have their own, lower, form limits)
MAX_FORM_VALUE = 1_000_000
#: integers beyond a 32-bit database integer cannot name a row, a page or a year
MAX_INT = 2**31 - 1
INTEGER = re.compile(r"[+-]?\d+")
#: query parameters that name a year: outside the plausible range nothing can be shown
YEAR_PARAMS = frozenset({"year"})
YEAR_RANGE = (2000, 2100)
#: control characters no one types: everything below a space except tab, newline and carriage return
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_request_values() -> None:
    """before_request hook: refuse query and form values no page can have sent."""
    for name, value in request.args.items(multi=True):
        if CONTROL.search(name) or CONTROL.search(value):
            abort(400, description="请求参数中含有不允许的控制字符。")
        if len(value) > MAX_QUERY_VALUE:
            abort(400, description=f"请求参数“{name[:20]}”过长。")
        if INTEGER.fullmatch(value.strip()) and abs(int(value)) > MAX_INT:
            abort(400, description=f"请求参数“{name[:20]}”的数值超出范围。")
        if name in YEAR_PARAMS and value.strip() and not (
                value.strip().isdigit() and YEAR_RANGE[0] <= int(value) <= YEAR_RANGE[1]):
            abort(400, description=f"年度应为{YEAR_RANGE[0]}至{YEAR_RANGE[1]}之间的整数。")
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            if "\x00" in value or CONTROL.search(name):
                abort(400, description="提交的内容中含有不允许的控制字符（如空字符），请删除后重试。")
            if len(value) > MAX_FORM_VALUE:
                abort(400, description="提交的内容过长。")

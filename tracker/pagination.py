"""Pagination of select() statements for list pages."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request

from .extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def current_page() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def paginate(stmt: sa.Select, *, per_page: int = 50, page: int | None = None, scalars: bool = True,
             total: int | None = None) -> Page:
    """Run one page of a statement and count the whole result (unless the caller knows the total
    already, e.g. from the per-status counts the page shows anyway)."""
    page = page or current_page()
    if total is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(limited)
    items = list(result.scalars()) if scalars else list(result)
    return Page(items=items, page=page, per_page=per_page, total=total)

"""Date arithmetic inside SQL, compiled for SQLite and PostgreSQL, so set-based statements can shift dates."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class day_after(FunctionElement):
    """The day after a date column."""

    type = sa.Date()
    inherit_cache = True
    name = "day_after"


class year_later(FunctionElement):
    """The same day one year later (29 February: SQLite gives 1 March, PostgreSQL 28 February)."""

    type = sa.Date()
    inherit_cache = True
    name = "year_later"


@compiles(day_after)
def _day_after_pg(element, compiler, **kw):
    return "(%s + 1)" % compiler.process(element.clauses, **kw)


@compiles(day_after, "sqlite")
def _day_after_sqlite(element, compiler, **kw):
    return "date(%s, '+1 day')" % compiler.process(element.clauses, **kw)


@compiles(year_later)
def _year_later_pg(element, compiler, **kw):
    return "CAST((%s + INTERVAL '1 year') AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(year_later, "sqlite")
def _year_later_sqlite(element, compiler, **kw):
    return "date(%s, '+1 year')" % compiler.process(element.clauses, **kw)

"""Jurisdiction filters: which units (and so which assignments, reports, notices) a user may see.

A unit's materialised ``path`` (``/1/7/12/``) starts with the path of every unit above it, so a
subtree is "path starts with the root's path". This module writes that test once, as a LIKE with
its wildcards escaped (escape character ``/``), for every page, export and job.
"""
from __future__ import annotations

import sqlalchemy as sa

from .units.models import Unit

#: the path of no unit: a staff account without a unit sees nothing
NOWHERE = "/__nothing__/"


def prefix_pattern(path):
    """Return a LIKE pattern matching strings that start with path (escape character '/').

    A bound parameter (a statement built once for many requests) is passed through: its value is
    made by this same function when the statement runs.
    """
    if isinstance(path, sa.BindParameter):
        return path
    return path.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def contains_pattern(term: str) -> str:
    """Return a LIKE pattern matching strings that contain `term` as typed (escape character '/')."""
    return "%" + term.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def contains(column, term: str) -> sa.ColumnElement[bool]:
    """Condition: the column contains `term`, ignoring case; % _ / in the term match only themselves."""
    return column.ilike(contains_pattern(term), escape="/")


def under(path_column, path) -> sa.ColumnElement[bool]:
    """Condition: the path column lies in the subtree rooted at `path` (a string, a bound
    parameter, or another row's path column)."""
    if not isinstance(path, (str, sa.BindParameter)):
        # Column against column: compare the leading characters, no pattern to escape.
        return sa.func.substr(path_column, 1, sa.func.length(path)) == path
    return path_column.like(prefix_pattern(path), escape="/")


def units_under(path) -> sa.Select:
    """Select the ids of the units in the subtree rooted at `path`."""
    return sa.select(Unit.id).where(under(Unit.path, path))


def scope_path_of(user) -> str | None:
    """Return the subtree a staff user sees (None for admin: everything)."""
    if user.role == "admin":
        return None
    return user.unit.path if user.unit is not None else NOWHERE


def in_scope(user, unit_column) -> sa.ColumnElement[bool]:
    """Condition on a unit id column: admin all, reporters their own unit, other staff their subtree."""
    if user.role == "admin":
        return sa.true()
    if user.role == "reporter":
        return unit_column == user.unit_id
    if user.unit is None:
        return sa.false()
    return unit_column.in_(units_under(user.unit.path))

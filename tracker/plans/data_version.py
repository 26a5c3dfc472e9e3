"""A plan's data version: a fresh random token each time its tasks or assignments change.

Figures computed from a plan (the dashboard's counts) can be cached under (plan id, data
version): any write that could change them gives the plan a new token in the same transaction,
so a cached entry is never read again once its data is out of date, in any worker process.
A random token rather than a counter: a rolled-back change cannot hand an old number back to
different data.

Writes are caught at the session, for the ORM (objects flushed) and for statements run through
it (a bulk UPDATE of assignments touches every plan, since which plans it hit is unknown).
Units are shared by every plan (names and categories show on the dashboard), so a unit change
renews every plan's token. A progress report allowed on (or withdrawn from) the public page
renews its plan's token, since the public page is cached under it.
"""
from __future__ import annotations

import uuid
from itertools import chain

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.attributes import set_committed_value

from ..units.models import Unit
from .models import Assignment, Plan, Task

#: tables whose rows feed a plan's figures
WATCHED_TABLES = frozenset({Assignment.__tablename__, Task.__tablename__, Unit.__tablename__})


def new_token() -> str:
    return uuid.uuid4().hex


def renew(session: Session, plan_ids: set[int] | None) -> None:
    """Give some plans (None: all plans) a new data version, in the database and in the session.

    Plans already loaded in the session get the new token too, so a later read in the same
    session (a test, or a request that writes and then shows figures) does not see the old one.
    """
    if plan_ids is not None and not plan_ids:
        return
    token = new_token()
    stmt = sa.update(Plan.__table__).values(data_version=token)
    if plan_ids is not None:
        stmt = stmt.where(Plan.__table__.c.id.in_(sorted(plan_ids)))
    session.connection().execute(stmt)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Plan) and (plan_ids is None or obj.id in plan_ids):
            set_committed_value(obj, "data_version", token)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    from ..reports.models import ProgressReport  # reports build on plans: imported late

    plan_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Unit):
            renew(session, None)
            return
        if isinstance(obj, (Assignment, Task)) and obj.plan_id is not None:
            plan_ids.add(obj.plan_id)
        elif isinstance(obj, ProgressReport) and obj.plan_id is not None and _public_text_changed(obj):
            plan_ids.add(obj.plan_id)
    renew(session, plan_ids)


def _public_text_changed(report) -> bool:
    """True when a report's text may have appeared on or left the public page."""
    state = sa.inspect(report)
    if state.was_deleted or state.deleted:
        return bool(report.is_public)
    if state.attrs.is_public.history.has_changes():
        return True
    return bool(report.is_public) and any(state.attrs[name].history.has_changes() for name in ("status", "text"))


@event.listens_for(Session, "do_orm_execute")
def _bulk_write(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED_TABLES:
        renew(state.session, None)

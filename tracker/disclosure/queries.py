"""Reads of the register, scoped to what a user may see."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import abort

from ..extensions import db
from ..supervise.queries import in_scope
from ..units.models import Unit
from .models import DisclosureAppeal, DisclosureDocument, DisclosureRequest

#: roles that may write to a request in their scope: the disclosure office and the handling units
WRITERS = ("supervisor", "reporter")
#: roles that may see the applicant's name and contact (each view audited); leaders and the
#: system administrator have no need to
PERSONAL_DATA_ROLES = ("supervisor", "reporter")


def today() -> date:
    """Return the app's today (the demo date when one is set)."""
    from ..timeutil import app_today

    return app_today()


def can_write(user) -> bool:
    return user.role in WRITERS


def sees_applicant(user) -> bool:
    return user.role in PERSONAL_DATA_ROLES


def mask_name(name: str) -> str:
    """Keep the first character: 张三 -> 张*, 运城某某公司 -> 运*****."""
    name = (name or "").strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def mask_contact(contact: str) -> str:
    """Keep the last four characters: 13800001234 -> *******1234."""
    contact = (contact or "").strip()
    if len(contact) <= 4:
        return "*" * len(contact)
    return "*" * (len(contact) - 4) + contact[-4:]


def register(user, *, unit_id: int | None = None, state: str | None = None, year: int | None = None,
             overdue_on: date | None = None, q: str | None = None) -> sa.Select:
    """The register as the user may see it, newest receipt first."""
    stmt = sa.select(DisclosureRequest).where(in_scope(user, DisclosureRequest.unit_id))
    if unit_id:
        stmt = stmt.where(DisclosureRequest.unit_id == unit_id)
    if state:
        stmt = stmt.where(DisclosureRequest.state == state)
    if year:
        stmt = stmt.where(DisclosureRequest.received_on >= date(year, 1, 1),
                          DisclosureRequest.received_on <= date(year, 12, 31))
    if overdue_on is not None:
        stmt = stmt.where(DisclosureRequest.state != "answered", DisclosureRequest.due_on < overdue_on)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(sa.or_(DisclosureRequest.serial.like(like), DisclosureRequest.content.like(like)))
    return stmt.order_by(DisclosureRequest.received_on.desc(), DisclosureRequest.id.desc())


def get_request_for(user, request_id: int) -> DisclosureRequest:
    req = db.session.scalar(sa.select(DisclosureRequest).where(
        DisclosureRequest.id == request_id, in_scope(user, DisclosureRequest.unit_id)))
    if req is None:
        abort(404)
    return req


def _child_for(user, request_id: int, model, child_id: int):
    """Return a row attached to a request the user may see, or 404."""
    req = get_request_for(user, request_id)
    child = db.session.get(model, child_id)
    if child is None or child.request_id != req.id:
        abort(404)
    return child


def get_document_for(user, request_id: int, document_id: int) -> DisclosureDocument:
    return _child_for(user, request_id, DisclosureDocument, document_id)


def get_appeal_for(user, request_id: int, appeal_id: int) -> DisclosureAppeal:
    return _child_for(user, request_id, DisclosureAppeal, appeal_id)


def unit_choices(user) -> list[tuple[int, str]]:
    """Units the user may register requests for: a reporter's own, staff's jurisdiction."""
    stmt = sa.select(Unit.id, Unit.name).where(Unit.is_active, in_scope(user, Unit.id)).order_by(Unit.path, Unit.id)
    return [tuple(r) for r in db.session.execute(stmt)]


@dataclass(frozen=True)
class Tally:
    received: int
    answered: int
    answered_on_time: int
    overdue_open: int
    answered_late: int

    @property
    def on_time_rate(self) -> float | None:
        """Answered on time over answered, as a percentage; None before any answer."""
        if not self.answered:
            return None
        return round(100 * self.answered_on_time / self.answered, 1)


def tally(user, *, year: int, as_of: date, unit_id: int | None = None) -> Tally:
    """Count a year's requests: received, answered (on time or late), still open past their due date."""
    r = DisclosureRequest
    answered = r.state == "answered"
    stmt = sa.select(
        sa.func.count(),
        sa.func.count().filter(answered),
        sa.func.count().filter(answered, r.answered_on <= r.due_on),
        sa.func.count().filter(r.state != "answered", r.due_on < as_of),
        sa.func.count().filter(answered, r.answered_on > r.due_on),
    ).where(in_scope(user, r.unit_id), r.received_on >= date(year, 1, 1), r.received_on <= date(year, 12, 31))
    if unit_id:
        stmt = stmt.where(r.unit_id == unit_id)
    row = db.session.execute(stmt).one()
    return Tally(*[int(v or 0) for v in row])


def assessment_fact_reads(unit_ids: sa.Select | list[int], years: list[int], *,
                          as_of: date | None = None) -> tuple[sa.Select, sa.Select]:
    """Return the reads of the assessed units' requests received in the years and of the appeals on
    them, whose rows ``request_facts`` and ``appeal_facts`` turn into scoring facts.

    With as_of, only the requests that can give a line item on that date are read: due before it
    and not answered by their deadline (a province has a hundred thousand requests, most on time).
    """
    r = DisclosureRequest
    received = sa.and_(r.unit_id.in_(unit_ids), r.received_on >= date(min(years), 1, 1),
                       r.received_on <= date(max(years), 12, 31))
    late = received
    if as_of is not None:
        late = sa.and_(received, r.due_on < as_of, sa.or_(r.answered_on.is_(None), r.answered_on > r.due_on))
    a = DisclosureAppeal
    return (sa.select(r.id, r.unit_id, r.serial, r.due_on, r.answered_on).where(late).order_by(r.id),
            sa.select(a.id, r.unit_id, r.serial, a.kind, a.result, a.decided_on).join(r, a.request_id == r.id)
            .where(received).order_by(a.id))


def request_facts(rows) -> tuple:
    """Turn the rows of the first of ``assessment_fact_reads`` into RequestFacts."""
    from ..assessment.facts import RequestFact

    return tuple(RequestFact(id=rid, unit_id=unit_id, serial=serial, due_on=due, answered_on=answered)
                 for rid, unit_id, serial, due, answered in rows)


def appeal_facts(rows) -> tuple:
    """Turn the rows of the second of ``assessment_fact_reads`` into AppealFacts."""
    from ..assessment.facts import AppealFact

    return tuple(AppealFact(id=aid, unit_id=unit_id, serial=serial, kind=kind, result=result, decided_on=decided)
                 for aid, unit_id, serial, kind, result, decided in rows)

"""Every official document the tracker writes, by kind and id: what the web download and the CLI both give.

Kinds: rectification (整改通知), escalation (督办通知), circular (通报), reminder (催办提醒, one per
unit and sweep date: its id is ``<unit id>:<YYYY-MM-DD>``), item (a 交办件's 督办单: the task id), and
the 依申请公开 documents of a request (its id): disclosure_receipt (登记回执), disclosure_correction
(补正告知书), disclosure_extension (延期答复告知书), disclosure_third_party (征求意见书), disclosure_fee
(收费通知书), disclosure_answer (答复书).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..units.models import Unit, name_on, official_order
from . import queries
from .calendar_db import current_calendar
from .models import Circular, EscalationNotice, RectificationNotice, Reminder
from .notices import render

#: the 依申请公开 documents, as kinds here: disclosure_<the register's kind>
DISCLOSURE_KINDS = {"disclosure_receipt": "receipt", "disclosure_correction": "correction",
                    "disclosure_extension": "extension", "disclosure_third_party": "third_party",
                    "disclosure_fee": "fee", "disclosure_answer": "answer"}
KINDS = ("rectification", "escalation", "circular", "reminder", "item", *DISCLOSURE_KINDS)
KIND_LABELS = {"rectification": "整改通知", "escalation": "督办通知", "circular": "通报", "reminder": "催办提醒",
               "item": "督办单", "disclosure_receipt": "登记回执", "disclosure_correction": "补正告知书",
               "disclosure_extension": "延期答复告知书", "disclosure_third_party": "征求意见书",
               "disclosure_fee": "收费通知书", "disclosure_answer": "答复书"}


@dataclass(frozen=True)
class DocFile:
    data: bytes
    #: the Chinese download name
    name: str
    #: the ASCII name for clients that ignore filename*
    ascii_name: str


def rectification_file(notice: RectificationNotice) -> DocFile:
    doc = queries.rectification_doc(notice, queries.notice_items(notice), current_calendar())
    return DocFile(render(doc), f"整改通知-{notice.doc_number}-{notice.addressee}.docx",
                   f"rectification-notice-{notice.year}-{notice.number}-{notice.id}.docx")


def escalation_file(notice: EscalationNotice) -> DocFile:
    doc = queries.escalation_doc(notice, queries.escalation_items(notice), current_calendar())
    return DocFile(render(doc), f"督办通知-{notice.doc_number}-{notice.addressee}.docx",
                   f"escalation-notice-{notice.issued_on.year}-{notice.number}-{notice.id}.docx")


def circular_file(circular: Circular) -> DocFile:
    name = f"通报-{circular.doc_number or '草稿'}-{circular.title[:40]}.docx"
    return DocFile(render(queries.circular_doc(circular)), name,
                   f"circular-{circular.id}{'' if circular.doc_number else '-draft'}.docx")


def reminder_file(unit: Unit, on: date, reminders: list[Reminder]) -> DocFile:
    doc = queries.reminder_doc(unit, on, reminders, current_calendar())
    return DocFile(render(doc), f"催办提醒-{doc.recipient}-{on.isoformat()}.docx",
                   f"reminder-{unit.id}-{on.isoformat()}.docx")


def item_file(task) -> DocFile:
    """The 督办单 of a 交办件 (what /plans/items/<id>/docx downloads)."""
    from ..plans.item_doc import item_docx

    return DocFile(item_docx(task), f"督办单-{task.ref}-{task.title[:30]}.docx", f"item-{task.id}.docx")


def disclosure_file(req, kind: str) -> DocFile:
    """One 依申请公开 document of a request (what /disclosure/<id>/docx/<kind> downloads); ``kind`` is the
    register's (receipt … answer)."""
    from ..disclosure.documents import render_for
    from ..timeutil import app_today

    data, name = render_for(req, kind, as_of=app_today())
    return DocFile(data, name, f"disclosure-{kind}-{req.serial}.docx")


class NotFound(LookupError):
    pass


def _object(model, object_id: str, kind: str):
    try:
        obj = db.session.get(model, int(object_id))
    except ValueError:
        obj = None
    if obj is None:
        raise NotFound(f"没有编号为 {object_id} 的{KIND_LABELS[kind]}。")
    return obj


def file_of(kind: str, object_id: str) -> DocFile:
    """Return the document of a kind and id (no scope check: the caller has checked or is the CLI)."""
    if kind == "reminder":
        unit_id, _, day = str(object_id).partition(":")
        try:
            unit, on = db.session.get(Unit, int(unit_id)), date.fromisoformat(day)
        except ValueError:
            raise NotFound(f"催办提醒的编号应为“单位编号:日期”，例如 12:2021-10-14，实际为“{object_id}”。") from None
        rows = queries.reminders_of(unit.id, on) if unit else []
        if not rows:
            raise NotFound(f"没有催办提醒 {object_id}。")
        return reminder_file(unit, on, rows)
    if kind == "item":
        from ..plans.models import Task

        task = _object(Task, object_id, kind)
        if task.source is None:  # a plan's task has no 督办单
            raise NotFound(f"没有编号为 {object_id} 的{KIND_LABELS[kind]}（该任务不是交办件）。")
        return item_file(task)
    if kind in DISCLOSURE_KINDS:
        from ..disclosure.models import DisclosureRequest
        from ..errors import ServiceError

        req = _object(DisclosureRequest, object_id, kind)
        try:
            return disclosure_file(req, DISCLOSURE_KINDS[kind])
        except ServiceError as exc:
            raise NotFound(exc.message) from None
    model = {"rectification": RectificationNotice, "escalation": EscalationNotice, "circular": Circular}.get(kind)
    if model is None:
        raise NotFound(f"未知的文书类型“{kind}”，应为 {'、'.join(KINDS)} 之一。")
    try:
        obj = db.session.get(model, int(object_id))
    except ValueError:
        obj = None
    if obj is None:
        raise NotFound(f"没有编号为 {object_id} 的{KIND_LABELS[kind]}。")
    return {"rectification": rectification_file, "escalation": escalation_file, "circular": circular_file}[kind](obj)


def listing() -> list[dict]:
    """Every document that exists: kind, id, 文号, issuer, addressee and date, in a stable order."""
    out: list[dict] = []
    for n in db.session.scalars(sa.select(RectificationNotice).join(Unit, Unit.id == RectificationNotice.unit_id)
                                .order_by(RectificationNotice.issued_on, RectificationNotice.number)):
        out.append({"kind": "rectification", "id": str(n.id), "doc_number": n.doc_number,
                    "issuer": n.plan.issuer or queries.issuer_for(n.unit, when=n.created_at), "addressee": n.addressee,
                    "date": n.issued_on.isoformat()})
    for n in db.session.scalars(sa.select(EscalationNotice).order_by(EscalationNotice.issued_on,
                                                                     EscalationNotice.doc_number)):
        plans = [i.assignment.plan for i in n.items]
        out.append({"kind": "escalation", "id": str(n.id), "doc_number": n.doc_number,
                    "issuer": queries.issuer_for(n.unit, plans, n.created_at), "addressee": n.addressee,
                    "date": n.issued_on.isoformat()})
    for c in db.session.scalars(sa.select(Circular).order_by(Circular.id)):
        out.append({"kind": "circular", "id": str(c.id), "doc_number": c.doc_number,
                    "issuer": c.plan.issuer or queries.issuer_for(c.plan.unit, when=c.published_at), "addressee": "各有关单位",
                    "date": (c.issued_on or c.as_of).isoformat()})
    days = db.session.execute(
        sa.select(Reminder.unit_id, Reminder.sweep_on, sa.func.min(Reminder.created_at))
        .join(Unit, Unit.id == Reminder.unit_id)
        .group_by(Reminder.unit_id, Reminder.sweep_on, *official_order())
        .order_by(Reminder.sweep_on, *official_order())
    ).all()
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_({d[0] for d in days})))}
    for unit_id, on, sent in days:
        unit = units[unit_id]
        out.append({"kind": "reminder", "id": f"{unit_id}:{on.isoformat()}", "doc_number": None,
                    "issuer": queries.issuer_for(unit, when=sent), "addressee": name_on(unit, sent),
                    "date": on.isoformat()})
    out += _item_rows()
    out += _disclosure_rows()
    return out


def _item_rows() -> list[dict]:
    from ..plans.item_doc import item_doc
    from ..plans.models import Task

    out = []
    for task in db.session.scalars(sa.select(Task).where(Task.source.is_not(None)).order_by(Task.created_at, Task.id)):
        doc = item_doc(task)
        out.append({"kind": "item", "id": str(task.id), "doc_number": None, "issuer": doc.issuer,
                    "addressee": doc.recipient, "date": doc.issued_on.isoformat()})
    return out


def _disclosure_rows() -> list[dict]:
    """Every document each request's history supports; an applicant's name is masked (张*), as in lists.

    Read without building the documents (a province's register holds 100,000 requests): each
    document's date, addressee and signing office are those its builder gives (the CLI test
    compares them)."""
    from sqlalchemy.orm import selectinload

    from ..disclosure import documents as register
    from ..disclosure.models import DisclosureRequest
    from ..disclosure.queries import mask_name
    from ..timeutil import to_local
    from ..units.models import UnitName, name_on_day

    kinds = {v: k for k, v in DISCLOSURE_KINDS.items()}
    renamed = set(db.session.scalars(sa.select(UnitName.unit_id).distinct()))
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(
        Unit.id.in_(sa.select(DisclosureRequest.unit_id).distinct())))}
    out = []
    stmt = (sa.select(DisclosureRequest).options(selectinload(DisclosureRequest.pauses))
            .order_by(DisclosureRequest.id).execution_options(yield_per=2000))
    for req in db.session.scalars(stmt):
        unit = units[req.unit_id]
        consulted = [p for p in req.pauses if p.kind in ("third_party", "agency")]
        for kind, _label in register.available(req):
            on = {"receipt": lambda: req.receipt_on, "correction": lambda: req.correction_notice_on,
                  "extension": lambda: to_local(req.extension_approved_at).date(),
                  "third_party": lambda: consulted[-1].start_on, "fee": lambda: req.fee_notice_on,
                  "answer": lambda: req.answered_on}[kind]()
            addressee = (consulted[-1].party or "") if kind == "third_party" else mask_name(req.applicant_name)
            out.append({"kind": kinds[kind], "id": str(req.id), "doc_number": None,
                        "issuer": name_on_day(unit, on) if unit.id in renamed else unit.name,
                        "addressee": addressee, "date": on.isoformat() if on else None})
    return out

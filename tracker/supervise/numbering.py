"""文号: the one place that decides a document's number.

Each issuing office numbers each kind of document from 1 every year under its own code: the
admin sets 运城市人民政府办公室's code to 运政办, so its 督办通知 read 运政办督〔2021〕3号 and its
通报 运政办通〔2021〕1号, while 孝义市人民政府办公室 (孝政办) counts its own. An office without a
code set takes one derived from its plan's 文号 or its name (see ``rules.notice_prefix``).
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from .models import IssuingOffice
from .rules import doc_number, notice_prefix

#: what follows the office's code, by kind of document
KIND_SUFFIX = {"rectification": "整改", "escalation": "督", "circular": "通"}


def office_named(issuer: str | None) -> IssuingOffice | None:
    if not issuer:
        return None
    return db.session.scalar(sa.select(IssuingOffice).where(IssuingOffice.name == issuer))


def prefix_for(kind: str, issuer: str | None, plan_doc_number: str | None = None) -> str:
    """Return the 文号 prefix an office uses for a kind of document: its code and the kind's suffix."""
    suffix = KIND_SUFFIX[kind]
    office = office_named(issuer)
    if office is not None and office.code.strip():
        return f"{office.code.strip()}{suffix}"
    return notice_prefix(plan_doc_number, issuer, suffix)


def take_numbers(kind: str, issuer: str | None, year: int, count: int = 1, *, plan_doc_number: str | None = None,
                 prefix: str | None = None) -> list[tuple[str, int, str]]:
    """Reserve `count` numbers of the office's counter for the kind and year: (prefix, number, 文号) each."""
    from .services import reserve_numbers

    prefix = prefix or prefix_for(kind, issuer, plan_doc_number)
    first = reserve_numbers(prefix, year, count)
    return [(prefix, n, doc_number(prefix, year, n)) for n in range(first, first + count)]


OFFICE_FIELDS = ("name", "code", "letter_format", "contact", "cc")


def save_office(actor, office: IssuingOffice | None, *, name: str | None, code: str | None, letter_format: bool,
                contact: str | None = "", cc: str | None = "") -> IssuingOffice:
    """Create or edit an issuing office's 文号 code and document settings (the admin's). Flushes."""
    name, code = (name or "").strip(), (code or "").strip()
    contact, cc = (contact or "").strip(), (cc or "").strip()
    if not name or len(name) > 120:
        raise ServiceError("请填写发文机关名称（不超过120字）。")
    if not code or len(code) > 30 or re.search(r"[〔〕\[\]()（）\d\s]", code):
        raise ServiceError("文号代字应为1到30个字，不含括号、数字和空格，例如“运政办”。")
    if len(contact) > 200 or len(cc) > 300:
        raise ServiceError("联系人及电话最多200字，抄送机关最多300字。")
    clash = db.session.scalar(sa.select(IssuingOffice.id).where(IssuingOffice.name == name))
    if clash is not None and (office is None or clash != office.id):
        raise ServiceError(f"发文机关“{name}”已设置过文号代字，请在列表中修改。")
    before = None if office is None else {f: getattr(office, f) for f in OFFICE_FIELDS}
    if office is None:
        office = IssuingOffice(name=name, code=code, letter_format=letter_format, contact=contact, cc=cc)
        db.session.add(office)
    else:
        office.name, office.code, office.letter_format, office.contact, office.cc = name, code, letter_format, contact, cc
    db.session.flush()
    record(actor, "office.save", "issuing_office", office.id, before=before,
           after={f: getattr(office, f) for f in OFFICE_FIELDS})
    return office


def ensure_office(name: str, code: str, *, contact: str = "", cc: str = "") -> IssuingOffice:
    """Set up an office's code unless the admin already did (the demo's)."""
    office = office_named(name)
    if office is None:
        office = save_office(None, None, name=name, code=code, letter_format=True, contact=contact, cc=cc)
    return office

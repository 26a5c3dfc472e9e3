"""The register of requests for government information (依申请公开) and their history."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from ..units.models import Unit
from . import categories as cat


def _in(column: str, codes) -> str:
    return f"{column} IN ({', '.join(repr(c) for c in codes)})"


class DisclosureRequest(db.Model):
    """One application for government information, from receipt to answer."""

    __tablename__ = "disclosure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the handling unit (the agency the application is addressed to)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    #: 登记编号, e.g. 2021-0012, unique within the unit
    serial: Mapped[str] = mapped_column(sa.String(40))
    #: in_person | post | online | fax | other (categories.CHANNELS)
    channel: Mapped[str] = mapped_column(sa.String(20))
    #: the day handed in, signed for, or (online, fax) the day it arrived
    received_on: Mapped[date] = mapped_column(sa.Date)
    #: online and fax: the day both sides confirmed the application (Art. 31 (三))
    confirmed_on: Mapped[date | None] = mapped_column(sa.Date)
    #: a column of section 三 (categories.APPLICANT_TYPES)
    applicant_type: Mapped[str] = mapped_column(sa.String(20))
    #: personal data: never on a public page, masked in leaders' exports, every view audited
    applicant_name: Mapped[str] = mapped_column(sa.String(200))
    applicant_contact: Mapped[str] = mapped_column(sa.String(300), default="")
    #: the information asked for
    content: Mapped[str] = mapped_column(sa.Text)
    #: open | correction | answered
    state: Mapped[str] = mapped_column(sa.String(20), default="open")

    # Art. 30: correction
    correction_notice_on: Mapped[date | None] = mapped_column(sa.Date)
    #: what the applicant must make clear
    correction_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: the day the corrected application was received; the clock restarts from it
    corrected_on: Mapped[date | None] = mapped_column(sa.Date)

    # Art. 33: extension, approved by the head of the disclosure office
    extension_days: Mapped[int] = mapped_column(default=0)
    extension_approver: Mapped[str | None] = mapped_column(sa.String(100))
    extension_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)

    # Art. 35: a reasonable later deadline replacing the statutory one
    delayed_due_on: Mapped[date | None] = mapped_column(sa.Date)
    delayed_reason: Mapped[str | None] = mapped_column(sa.Text)

    # 国办函〔2020〕109号: the fee
    fee_method: Mapped[str | None] = mapped_column(sa.String(20))
    #: pages (by volume) or the application's number in the applicant's month (by count)
    fee_quantity: Mapped[int | None] = mapped_column()
    fee_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    fee_notice_on: Mapped[date | None] = mapped_column(sa.Date)
    fee_paid_on: Mapped[date | None] = mapped_column(sa.Date)

    #: the clock's answer deadline, kept current by the services (for the sweep and sorting)
    due_on: Mapped[date] = mapped_column(sa.Date)
    correction_notice_by: Mapped[date] = mapped_column(sa.Date)

    # the answer
    answer_category: Mapped[str | None] = mapped_column(sa.String(30))
    answered_on: Mapped[date | None] = mapped_column(sa.Date)
    answer_text: Mapped[str | None] = mapped_column(sa.Text)

    # the daily sweep (tracker.disclosure.sweep)
    #: due_soon | overdue | None, as of the last sweep
    alert: Mapped[str | None] = mapped_column(sa.String(20))
    #: the due date the last due-soon / overdue reminder and the escalation were about (one each per due date)
    reminded_soon_for: Mapped[date | None] = mapped_column(sa.Date)
    reminded_overdue_for: Mapped[date | None] = mapped_column(sa.Date)
    escalated_for: Mapped[date | None] = mapped_column(sa.Date)

    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User | None] = relationship()
    pauses: Mapped[list[DisclosurePause]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="DisclosurePause.start_on")
    steps: Mapped[list[DisclosureStep]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="(DisclosureStep.on, DisclosureStep.id)")
    appeals: Mapped[list[DisclosureAppeal]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="DisclosureAppeal.id")
    documents: Mapped[list[DisclosureDocument]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="DisclosureDocument.id")

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "serial", name="uq_disclosure_requests_unit_serial"),
        # The register page: one unit's requests, newest first; with the state and the two dates
        # it covers the dashboard's yearly tally (queries.tally), which then reads no request row.
        sa.Index("ix_disclosure_requests_unit_received", "unit_id", "received_on", "id", "state", "due_on",
                 "answered_on"),
        # The sweep: open requests by due date.
        sa.Index("ix_disclosure_requests_state_due", "state", "due_on"),
        # The sweep's flagged few: every pass over alerts reads this, never the whole register.
        sa.Index("ix_disclosure_requests_alert", "alert", sqlite_where=sa.text("alert IS NOT NULL"),
                 postgresql_where=sa.text("alert IS NOT NULL")),
        sa.CheckConstraint(_in("channel", cat.CHANNELS), name="channel"),
        sa.CheckConstraint(_in("applicant_type", cat.APPLICANT_TYPES), name="applicant_type"),
        sa.CheckConstraint(_in("state", cat.STATES), name="state"),
        sa.CheckConstraint("alert IS NULL OR alert IN ('due_soon', 'overdue')", name="alert"),
        sa.CheckConstraint("extension_days >= 0 AND extension_days <= 20", name="extension_days"),
        sa.CheckConstraint(f"fee_method IS NULL OR {_in('fee_method', cat.FEE_METHODS)}", name="fee_method"),
        sa.CheckConstraint(f"answer_category IS NULL OR {_in('answer_category', cat.ANSWERS)}",
                           name="answer_category"),
    )

    @property
    def receipt_on(self) -> date:
        """The day of receipt under Art. 31: the confirmation day for online and fax applications."""
        if self.channel in cat.CONFIRMED_CHANNELS and self.confirmed_on:
            return self.confirmed_on
        return self.received_on

    @property
    def channel_label(self) -> str:
        return cat.CHANNELS[self.channel]

    @property
    def applicant_type_label(self) -> str:
        return cat.APPLICANT_TYPES[self.applicant_type]

    @property
    def state_label(self) -> str:
        return cat.STATES[self.state]

    @property
    def answer_label(self) -> str:
        return cat.answer_label(self.answer_category)

    @property
    def fee_method_label(self) -> str:
        return cat.FEE_METHODS.get(self.fee_method or "", "")

    def __repr__(self) -> str:
        return f"<DisclosureRequest {self.id} {self.serial} {self.state}>"


class DisclosurePause(db.Model):
    """Days that do not count toward the answer period: consultation, or waiting for the fee."""

    __tablename__ = "disclosure_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("disclosure_requests.id", ondelete="CASCADE"), index=True)
    #: third_party | agency | fee
    kind: Mapped[str] = mapped_column(sa.String(20))
    start_on: Mapped[date] = mapped_column(sa.Date)
    #: None while still running
    end_on: Mapped[date | None] = mapped_column(sa.Date)
    #: the consulted third party or agency
    party: Mapped[str | None] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.Text)

    request: Mapped[DisclosureRequest] = relationship(back_populates="pauses")

    __table_args__ = (
        sa.CheckConstraint(_in("kind", cat.PAUSE_KINDS), name="kind"),
        sa.CheckConstraint("end_on IS NULL OR end_on >= start_on", name="pause_order"),
    )

    @property
    def kind_label(self) -> str:
        return cat.PAUSE_KINDS[self.kind]


class DisclosureStep(db.Model):
    """One dated event in a request's history, with who recorded it."""

    __tablename__ = "disclosure_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("disclosure_requests.id", ondelete="CASCADE"), index=True)
    #: categories.STEP_KINDS
    kind: Mapped[str] = mapped_column(sa.String(30))
    #: the day the event happened (not the day it was typed in)
    on: Mapped[date] = mapped_column(sa.Date)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[DisclosureRequest] = relationship(back_populates="steps")
    recorded_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return cat.STEP_KINDS.get(self.kind, "其他")


class DisclosureAppeal(db.Model):
    """行政复议 or 行政诉讼 against the answer to a request (section 四)."""

    __tablename__ = "disclosure_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("disclosure_requests.id", ondelete="CASCADE"), index=True)
    #: review | suit_direct | suit_after_review
    kind: Mapped[str] = mapped_column(sa.String(20))
    filed_on: Mapped[date] = mapped_column(sa.Date)
    #: upheld | corrected | other | pending
    result: Mapped[str] = mapped_column(sa.String(20), default="pending")
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.Text)

    request: Mapped[DisclosureRequest] = relationship(back_populates="appeals")

    __table_args__ = (
        sa.CheckConstraint(_in("kind", cat.APPEAL_KINDS), name="kind"),
        sa.CheckConstraint(_in("result", cat.APPEAL_RESULTS), name="result"),
    )

    @property
    def kind_label(self) -> str:
        return cat.APPEAL_KINDS[self.kind]

    @property
    def result_label(self) -> str:
        return cat.APPEAL_RESULTS[self.result]


class DisclosureDocument(db.Model):
    """A file attached to a request; bytes in the evidence store under their sha256."""

    __tablename__ = "disclosure_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("disclosure_requests.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    original_name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[DisclosureRequest] = relationship(back_populates="documents")

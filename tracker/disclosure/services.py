"""Writes to the register: each event of a request is a dated step, checked, audited, flushed (never committed).

Every verb takes the acting user and `as_of` (the day "today" is for the rule) and raises a
ServiceError with a Chinese message when the input breaks a rule; nothing is written then.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from ..audit.services import record
from ..calendar import WorkCalendar
from ..errors import ServiceError
from ..extensions import db
from ..units.models import Unit
from . import categories as cat
from . import clock, fees
from .models import (
    DisclosureAppeal,
    DisclosureDocument,
    DisclosurePause,
    DisclosureRequest,
    DisclosureStep,
)

#: fields an audit event shows before/after (never the applicant's name or contact)
AUDIT_FIELDS = ("state", "received_on", "confirmed_on", "corrected_on", "extension_days", "delayed_due_on",
                "fee_method", "fee_amount", "due_on", "answer_category", "answered_on")
MAX_TEXT = 5000


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    if calendar is not None:
        return calendar
    from ..supervise.calendar_db import current_calendar

    return current_calendar()


def _snap(req: DisclosureRequest) -> dict:
    return {f: (str(v) if isinstance(v, Decimal) else v) for f, v in
            ((f, getattr(req, f)) for f in AUDIT_FIELDS)}


def _text(value: str | None, what: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ServiceError(f"请填写{what}。")
    if len(text) > limit:
        raise ServiceError(f"{what}过长（{len(text)}字），最多{limit}字。")
    return text


def _not_future(day: date | None, what: str, as_of: date) -> None:
    if day is not None and day > as_of:
        raise ServiceError(f"{what}（{day.isoformat()}）晚于今天（{as_of.isoformat()}），不能登记尚未发生的事。")


def _not_before(day: date, earlier: date, what: str, earlier_what: str) -> None:
    if day < earlier:
        raise ServiceError(f"{what}（{day.isoformat()}）早于{earlier_what}（{earlier.isoformat()}），请检查。")


def _require_open(req: DisclosureRequest, what: str) -> None:
    if req.state == "answered":
        raise ServiceError(f"该申请已于{req.answered_on.isoformat()}答复，不能再{what}。")


def _step(actor, req: DisclosureRequest, kind: str, on: date, text: str = "") -> DisclosureStep:
    step = DisclosureStep(kind=kind, on=on, text=text, recorded_by_id=getattr(actor, "id", None))
    req.steps.append(step)
    return step


def deadlines_of(req: DisclosureRequest, *, as_of: date | None = None,
                 calendar: WorkCalendar | None = None) -> clock.Deadlines:
    """Return the clock's deadlines for a request as recorded."""
    pauses = [clock.Pause(p.start_on, p.end_on) for p in req.pauses]
    return clock.deadlines(req.receipt_on, corrected=req.corrected_on, pauses=pauses,
                           extension=req.extension_days or 0, delayed_due_on=req.delayed_due_on,
                           as_of=as_of or req.answered_on, calendar=_calendar(calendar))


def _refresh(req: DisclosureRequest, as_of: date, calendar: WorkCalendar | None) -> None:
    """Store the clock's answer on the row, for the sweep and the register's order."""
    try:
        d = deadlines_of(req, as_of=as_of, calendar=calendar)
    except clock.ClockError as exc:
        raise ServiceError(str(exc)) from None
    req.due_on = d.due_on
    req.correction_notice_by = d.correction_notice_by


def next_serial(unit_id: int, year: int) -> str:
    """Return the next 登记编号 of a unit in a year: 2021-0001, 2021-0002, …."""
    prefix = f"{year}-"
    last = db.session.scalar(sa.select(sa.func.max(DisclosureRequest.serial)).where(
        DisclosureRequest.unit_id == unit_id, DisclosureRequest.serial.startswith(prefix)))
    number = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{number:04d}"


def check_choice(value: str | None, mapping: dict[str, str], what: str) -> str:
    if value not in mapping:
        raise ServiceError(f"{what}只能是：{'、'.join(mapping.values())}。")
    return value


def register_request(actor, *, unit: Unit, channel: str, received_on: date, applicant_type: str,
                     applicant_name: str, content: str, as_of: date, confirmed_on: date | None = None,
                     applicant_contact: str = "", serial: str | None = None,
                     calendar: WorkCalendar | None = None) -> DisclosureRequest:
    """Register an application on receipt (Art. 31) and start its clock."""
    check_choice(channel, cat.CHANNELS, "收到方式")
    check_choice(applicant_type, cat.APPLICANT_TYPES, "申请人类型")
    _not_future(received_on, "收到申请日期", as_of)
    if confirmed_on is not None:
        if channel not in cat.CONFIRMED_CHANNELS:
            raise ServiceError("只有网络、传真申请需要填写双方确认日期。")
        _not_future(confirmed_on, "双方确认日期", as_of)
        _not_before(confirmed_on, received_on, "双方确认日期", "收到申请日期")
    req = DisclosureRequest(
        unit_id=unit.id, channel=channel, received_on=received_on, confirmed_on=confirmed_on,
        applicant_type=applicant_type, applicant_name=_text(applicant_name, "申请人姓名或名称", limit=200),
        applicant_contact=_text(applicant_contact, "联系方式", required=False, limit=300),
        content=_text(content, "申请公开的政府信息内容"), state="open", created_by_id=getattr(actor, "id", None),
    )
    req.serial = _text(serial, "登记编号", limit=40) if serial else next_serial(unit.id, received_on.year)
    if db.session.scalar(sa.select(DisclosureRequest.id).where(
            DisclosureRequest.unit_id == unit.id, DisclosureRequest.serial == req.serial)):
        raise ServiceError(f"本单位已有登记编号为“{req.serial}”的申请。")
    _refresh(req, as_of, calendar)
    _step(actor, req, "received", req.receipt_on, f"{cat.CHANNELS[channel]}收到申请")
    db.session.add(req)
    db.session.flush()
    record(actor, "disclosure.register", "disclosure_request", req.id, after=_snap(req))
    return req


def edit_request(actor, req: DisclosureRequest, *, content: str, applicant_type: str, applicant_name: str,
                 applicant_contact: str, as_of: date) -> None:
    """Correct what was typed at intake (not the dates: those are events)."""
    check_choice(applicant_type, cat.APPLICANT_TYPES, "申请人类型")
    before = _snap(req) | {"applicant_type": req.applicant_type}
    req.content = _text(content, "申请公开的政府信息内容")
    req.applicant_type = applicant_type
    req.applicant_name = _text(applicant_name, "申请人姓名或名称", limit=200)
    req.applicant_contact = _text(applicant_contact, "联系方式", required=False, limit=300)
    _step(actor, req, "edit", as_of, "修改登记信息")
    db.session.flush()
    record(actor, "disclosure.edit", "disclosure_request", req.id, before=before,
           after=_snap(req) | {"applicant_type": req.applicant_type})


def send_correction_notice(actor, req: DisclosureRequest, *, on: date, reason: str, as_of: date,
                           calendar: WorkCalendar | None = None) -> None:
    """Art. 30: ask once, in one notice, for what is unclear."""
    _require_open(req, "发出补正告知")
    if req.correction_notice_on is not None:
        raise ServiceError(f"补正告知应当一次性告知，该申请已于{req.correction_notice_on.isoformat()}发出补正告知。")
    _not_future(on, "补正告知日期", as_of)
    _not_before(on, req.receipt_on, "补正告知日期", "收到申请日期")
    before = _snap(req)
    req.correction_notice_on = on
    req.correction_reason = _text(reason, "需要补正的事项")
    req.state = "correction"
    _step(actor, req, "correction_notice", on, req.correction_reason)
    db.session.flush()
    record(actor, "disclosure.correction_notice", "disclosure_request", req.id, before=before, after=_snap(req))


def record_correction(actor, req: DisclosureRequest, *, on: date, as_of: date,
                      calendar: WorkCalendar | None = None) -> None:
    """Art. 30: the corrected application arrived; the period restarts the next day."""
    _require_open(req, "登记补正")
    if req.correction_notice_on is None:
        raise ServiceError("该申请没有发出补正告知，不能登记补正。")
    if req.corrected_on is not None:
        raise ServiceError(f"该申请已于{req.corrected_on.isoformat()}登记补正。")
    _not_future(on, "收到补正后申请日期", as_of)
    _not_before(on, req.correction_notice_on, "收到补正后申请日期", "补正告知日期")
    before = _snap(req)
    req.corrected_on = on
    req.state = "open"
    _refresh(req, as_of, calendar)
    _step(actor, req, "corrected", on, f"答复期限重新计算为{req.due_on.isoformat()}")
    db.session.flush()
    record(actor, "disclosure.corrected", "disclosure_request", req.id, before=before, after=_snap(req))


def start_pause(actor, req: DisclosureRequest, *, kind: str, start_on: date, as_of: date, party: str = "",
                note: str = "", calendar: WorkCalendar | None = None) -> DisclosurePause:
    """Art. 32/34: consultation starts; its working days do not count."""
    _require_open(req, "暂停计时")
    check_choice(kind, {k: v for k, v in cat.PAUSE_KINDS.items() if k != "fee"}, "暂停原因")
    if any(p.end_on is None for p in req.pauses):
        raise ServiceError("该申请已有尚未结束的暂停计时，请先登记其结束日期。")
    _not_future(start_on, "暂停开始日期", as_of)
    _not_before(start_on, req.corrected_on or req.receipt_on, "暂停开始日期", "答复期限起算日")
    pause = DisclosurePause(kind=kind, start_on=start_on, party=_text(party, "征求意见对象", limit=200),
                            note=_text(note, "说明", required=False))
    before = _snap(req)
    req.pauses.append(pause)
    _refresh(req, as_of, calendar)
    third = clock.third_party_deadline(start_on, calendar=_calendar(calendar))
    _step(actor, req, "pause_start", start_on,
          f"{cat.PAUSE_KINDS[kind]}：{pause.party}（第三方答复期限{third.isoformat()}）")
    db.session.flush()
    record(actor, "disclosure.pause_start", "disclosure_request", req.id, before=before, after=_snap(req))
    return pause


def end_pause(actor, req: DisclosureRequest, *, end_on: date, as_of: date,
              calendar: WorkCalendar | None = None) -> None:
    """The consultation's answer came back (or the time ran out): the clock runs again."""
    pause = next((p for p in req.pauses if p.end_on is None and p.kind != "fee"), None)
    if pause is None:
        raise ServiceError("该申请没有正在进行的征求意见。")
    _not_future(end_on, "暂停结束日期", as_of)
    _not_before(end_on, pause.start_on, "暂停结束日期", "暂停开始日期")
    before = _snap(req)
    pause.end_on = end_on
    _refresh(req, as_of, calendar)
    _step(actor, req, "pause_end", end_on, f"{pause.kind_label}结束，答复期限为{req.due_on.isoformat()}")
    db.session.flush()
    record(actor, "disclosure.pause_end", "disclosure_request", req.id, before=before, after=_snap(req))


def parse_approval_time(raw: str | None, tz: str = "Asia/Shanghai") -> datetime:
    """Read a local "YYYY-MM-DDTHH:MM" (or a date) as an aware UTC datetime."""

    from ..timeutil import local_zone

    text = (raw or "").strip().replace(" ", "T")
    if not text:
        raise ServiceError("请填写审批时间。")
    try:
        value = datetime.fromisoformat(text) if "T" in text else datetime.fromisoformat(text + "T00:00")
    except ValueError:
        raise ServiceError(f"审批时间“{raw}”无法识别，应为 YYYY-MM-DD HH:MM。") from None
    return value.replace(tzinfo=local_zone(tz)).astimezone(UTC)


def extend(actor, req: DisclosureRequest, *, days: int, approver: str, approved_at: datetime, reason: str,
           as_of: date, tz: str = "Asia/Shanghai", calendar: WorkCalendar | None = None) -> None:
    """Art. 33: extend the period once, by at most 20 working days, with the office head's approval."""
    from ..timeutil import to_local

    _require_open(req, "延长答复期限")
    if req.extension_days:
        raise ServiceError(f"该申请已延长{req.extension_days}个工作日，延长期限只能批准一次。")
    if not (approver or "").strip():
        raise ServiceError("延长答复期限须经政府信息公开工作机构负责人同意，请填写审批人。")
    try:
        clock.check_extension(days)
    except clock.ClockError as exc:
        raise ServiceError(str(exc)) from None
    if days < 1:
        raise ServiceError("延长的工作日数至少为1个工作日。")
    approved_on = to_local(approved_at, tz).date()
    _not_future(approved_on, "审批时间", as_of)
    _not_before(approved_on, req.receipt_on, "审批时间", "收到申请日期")
    if approved_on > req.due_on:
        raise ServiceError(f"答复期限已于{req.due_on.isoformat()}届满，不能在期满后延长。")
    before = _snap(req)
    req.extension_days = days
    req.extension_approver = _text(approver, "审批人", limit=100)
    req.extension_approved_at = approved_at
    req.extension_reason = _text(reason, "延长理由")
    _refresh(req, as_of, calendar)
    _step(actor, req, "extension", approved_on,
          f"经{req.extension_approver}批准延长{days}个工作日，答复期限为{req.due_on.isoformat()}")
    db.session.flush()
    record(actor, "disclosure.extend", "disclosure_request", req.id, before=before, after=_snap(req))


def set_delayed_deadline(actor, req: DisclosureRequest, *, due_on: date, reason: str, as_of: date,
                         calendar: WorkCalendar | None = None) -> None:
    """Art. 35: a reasonable later deadline for a request clearly beyond a reasonable range."""
    _require_open(req, "另行确定答复期限")
    statutory = deadlines_of(req, as_of=as_of, calendar=calendar).statutory_due_on
    if due_on <= statutory:
        raise ServiceError(f"另行确定的答复期限应晚于法定答复期限（{statutory.isoformat()}）。")
    before = _snap(req)
    req.delayed_due_on = due_on
    req.delayed_reason = _text(reason, "另行确定期限的理由")
    _refresh(req, as_of, calendar)
    _step(actor, req, "delayed", as_of, f"依条例第三十五条确定答复期限为{due_on.isoformat()}：{req.delayed_reason}")
    db.session.flush()
    record(actor, "disclosure.delayed", "disclosure_request", req.id, before=before, after=_snap(req))


def earlier_this_month(req: DisclosureRequest) -> int:
    """Count the same applicant's earlier applications to the unit in the month of receipt."""
    first = req.receipt_on.replace(day=1)
    return db.session.scalar(sa.select(sa.func.count()).select_from(DisclosureRequest).where(
        DisclosureRequest.unit_id == req.unit_id,
        DisclosureRequest.applicant_name == req.applicant_name,
        DisclosureRequest.received_on >= first,
        sa.or_(DisclosureRequest.received_on < req.received_on,
               sa.and_(DisclosureRequest.received_on == req.received_on, DisclosureRequest.id < req.id)),
    )) or 0


def send_fee_notice(actor, req: DisclosureRequest, *, method: str, quantity: int, on: date, as_of: date,
                    calendar: WorkCalendar | None = None) -> Decimal:
    """国办函〔2020〕109号: charge by one method; the time waiting for payment does not count."""
    _require_open(req, "发出收费通知")
    if method not in cat.FEE_METHODS:
        raise ServiceError("收费方式只能是按件计收或按量计收。")
    if req.fee_method and req.fee_method != method:
        raise ServiceError(f"同一申请只能按一种标准计收，该申请已按{cat.FEE_METHODS[req.fee_method]}发出收费通知，"
                           f"不能再按{cat.FEE_METHODS[method]}收费。")
    if req.fee_notice_on is not None:
        raise ServiceError(f"该申请已于{req.fee_notice_on.isoformat()}发出收费通知。")
    _not_future(on, "收费通知日期", as_of)
    _not_before(on, req.corrected_on or req.receipt_on, "收费通知日期", "答复期限起算日")
    try:
        amount = (fees.fee_by_count(earlier_this_month(req), quantity) if method == "by_count"
                  else fees.fee_by_volume(quantity))
    except fees.FeeError as exc:
        raise ServiceError(str(exc)) from None
    if amount == 0:
        raise ServiceError(f"按{cat.FEE_METHODS[method]}标准计算，该申请不需收费，无需发出收费通知。")
    before = _snap(req)
    req.fee_method, req.fee_quantity, req.fee_amount, req.fee_notice_on = method, quantity, amount, on
    req.pauses.append(DisclosurePause(kind="fee", start_on=on, party=None))
    _refresh(req, as_of, calendar)
    pay_by = clock.fee_deadline(on, calendar=_calendar(calendar))
    _step(actor, req, "fee_notice", on, f"{cat.FEE_METHODS[method]}收费{amount:.2f}元，缴费期限{pay_by.isoformat()}")
    db.session.flush()
    record(actor, "disclosure.fee_notice", "disclosure_request", req.id, before=before, after=_snap(req))
    return amount


def record_fee_paid(actor, req: DisclosureRequest, *, on: date, as_of: date,
                    calendar: WorkCalendar | None = None) -> None:
    pause = next((p for p in req.pauses if p.kind == "fee" and p.end_on is None), None)
    if pause is None:
        raise ServiceError("该申请没有待缴的信息处理费。")
    _not_future(on, "缴费日期", as_of)
    _not_before(on, pause.start_on, "缴费日期", "收费通知日期")
    before = _snap(req)
    req.fee_paid_on = on
    # The payment day still counts as waiting; the clock runs again from the next working day.
    pause.end_on = on
    _refresh(req, as_of, calendar)
    _step(actor, req, "fee_paid", on, f"申请人缴纳信息处理费{req.fee_amount:.2f}元")
    db.session.flush()
    record(actor, "disclosure.fee_paid", "disclosure_request", req.id, before=before, after=_snap(req))


def answer(actor, req: DisclosureRequest, *, category: str, on: date, text: str, as_of: date,
           calendar: WorkCalendar | None = None) -> None:
    """Record the answer: one leaf of the annual report's table."""
    _require_open(req, "重复答复")
    if category not in cat.ANSWERS:
        if category in [g[3:] for g in cat.ANSWER_GROUPS] or category in cat.ANSWER_GROUPS:
            raise ServiceError(f"答复类型“{category}”下还有具体情形，请选择其中一项。")
        raise ServiceError("答复类型不是年度报告表格中的具体情形，请从列表中选择。")
    _not_future(on, "答复日期", as_of)
    _not_before(on, req.corrected_on or req.receipt_on, "答复日期", "答复期限起算日")
    if req.state == "correction" and category not in ("other.no_correction", "none.unclear"):
        raise ServiceError("该申请正在等待补正：请先登记收到补正后的申请，或按“逾期不补正”处理。")
    if category == "other.no_fee" and req.fee_notice_on is None:
        raise ServiceError("该申请没有发出收费通知，不能按“逾期未缴费”处理。")
    before = _snap(req)
    for pause in req.pauses:
        if pause.end_on is None:
            pause.end_on = max(on, pause.start_on)
    req.answer_category = category
    req.answered_on = on
    req.answer_text = _text(text, "答复内容", required=False)
    req.state = "answered"
    _refresh(req, on, calendar)
    _step(actor, req, "answered", on, cat.answer_label(category))
    db.session.flush()
    record(actor, "disclosure.answer", "disclosure_request", req.id, before=before, after=_snap(req))


def add_appeal(actor, req: DisclosureRequest, *, kind: str, filed_on: date, as_of: date,
               note: str = "") -> DisclosureAppeal:
    """Record 行政复议 or 行政诉讼 against the answer."""
    check_choice(kind, cat.APPEAL_KINDS, "复议诉讼类型")
    if req.state != "answered":
        raise ServiceError("该申请尚未答复，不能登记行政复议或行政诉讼。")
    _not_future(filed_on, "提起日期", as_of)
    _not_before(filed_on, req.answered_on, "提起日期", "答复日期")
    appeal = DisclosureAppeal(kind=kind, filed_on=filed_on, result="pending", note=_text(note, "说明", required=False))
    req.appeals.append(appeal)
    _step(actor, req, "appeal", filed_on, cat.APPEAL_KINDS[kind])
    db.session.flush()
    record(actor, "disclosure.appeal", "disclosure_request", req.id, after={"kind": kind, "filed_on": filed_on})
    return appeal


def decide_appeal(actor, appeal: DisclosureAppeal, *, result: str, decided_on: date | None, as_of: date) -> None:
    check_choice(result, cat.APPEAL_RESULTS, "复议诉讼结果")
    if result != "pending":
        if decided_on is None:
            raise ServiceError("请填写结果作出日期。")
        _not_future(decided_on, "结果作出日期", as_of)
        _not_before(decided_on, appeal.filed_on, "结果作出日期", "提起日期")
    before = {"result": appeal.result, "decided_on": appeal.decided_on}
    appeal.result = result
    appeal.decided_on = decided_on if result != "pending" else None
    _step(actor, appeal.request, "appeal_result", decided_on or as_of,
          f"{appeal.kind_label}：{cat.APPEAL_RESULTS[result]}")
    db.session.flush()
    record(actor, "disclosure.appeal_result", "disclosure_request", appeal.request_id, before=before,
           after={"result": result, "decided_on": appeal.decided_on})


def attach_documents(actor, req: DisclosureRequest, files, *, as_of: date) -> list[DisclosureDocument]:
    """Store uploaded files (the evidence store: typed by content, kept once per sha256)."""
    from ..reports.services import store_files

    files = [(name, stream) for name, stream in files if name]
    if not files:
        raise ServiceError("请选择要上传的文件。")
    stored = store_files(files)
    docs = []
    for f in stored:
        doc = DisclosureDocument(sha256=f.sha256, size=f.size, original_name=f.original_name,
                                 content_type=f.content_type, uploaded_by_id=getattr(actor, "id", None))
        req.documents.append(doc)
        docs.append(doc)
    _step(actor, req, "document", as_of, "、".join(d.original_name for d in docs))
    db.session.flush()
    record(actor, "disclosure.document", "disclosure_request", req.id,
           after={"files": [d.original_name for d in docs]})
    return docs


def log_applicant_view(actor, req: DisclosureRequest, *, purpose: str = "page") -> None:
    """Every view of the applicant's personal data goes to the audit log."""
    record(actor, "disclosure.view_applicant", "disclosure_request", req.id, after={"purpose": purpose})


def log_applicant_export(actor, unit_id: int | None, count: int) -> None:
    record(actor, "disclosure.export_applicants", "unit", unit_id, after={"requests": count})

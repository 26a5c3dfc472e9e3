"""The register's documents as Word files: what each says lives here; the layout is the project's notice builder.

Each builder returns a NoticeDoc (the content); ``render_for`` hands it to the shared docx renderer,
so a change of the official layout needs no change here.
"""
from __future__ import annotations

from datetime import date

from ..calendar import WorkCalendar
from ..errors import ServiceError
from ..supervise.notices import Attachment, DocTable, NoticeDoc, render
from ..timeutil import cn_date
from ..units.models import name_on_day
from . import categories as cat
from . import clock
from .models import DisclosureRequest

LAW = "《中华人民共和国政府信息公开条例》"
FEE_RULES = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
#: the applicant's time to correct, stated in the notice (条例 第三十条 "合理的补正期限")
CORRECTION_REPLY_WORKDAYS = 15

KINDS = {
    "receipt": "登记回执",
    "correction": "补正告知书",
    "extension": "延期答复告知书",
    "third_party": "第三方征求意见书",
    "fee": "收费通知书",
    "answer": "政府信息公开申请答复书",
}
#: documents addressed to the applicant: downloading one shows their name, so it is audited
WITH_APPLICANT = frozenset(KINDS) - {"third_party"}


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    from .services import _calendar as current

    return current(calendar)


def available(req: DisclosureRequest) -> list[tuple[str, str]]:
    """Return (kind, label) of the documents the request's history supports so far."""
    have = {
        "receipt": True,
        "correction": req.correction_notice_on is not None,
        "extension": bool(req.extension_days),
        "third_party": any(p.kind in ("third_party", "agency") for p in req.pauses),
        "fee": req.fee_notice_on is not None,
        "answer": req.state == "answered",
    }
    return [(k, label) for k, label in KINDS.items() if have[k]]


def _request_line(req: DisclosureRequest) -> str:
    return f"{cn_date(req.receipt_on)}以{req.channel_label}方式提出的政府信息公开申请（登记编号：{req.serial}）"


def _content_table(req: DisclosureRequest) -> DocTable:
    return DocTable(("项目", "内容"), [("登记编号", req.serial), ("收到方式", req.channel_label),
                             ("收到日期", cn_date(req.receipt_on)), ("申请内容", req.content)])


def addressed(req: DisclosureRequest) -> str:
    """How the documents address the applicant: 您 a natural person, 你单位 a legal person or organisation."""
    return "您" if req.applicant_type == "natural" else "你单位"


def receipt(req: DisclosureRequest, cal: WorkCalendar) -> NoticeDoc:
    you = addressed(req)
    return NoticeDoc(
        issuer=req.unit.name, title="政府信息公开申请登记回执", recipient=req.applicant_name,
        issued_on=req.receipt_on,
        intro=[f"本机关已收到{you}于{_request_line(req)}，现予登记。",
               (f"根据{LAW}第三十一条、第三十三条的规定，本机关将自收到申请之日起20个工作日内予以答复，"
               f"即最迟于{cn_date(req.due_on)}前答复；需要延长答复期限的，将另行书面告知。")],
        table=_content_table(req),
        closing=["特此回执。"],
    )


def correction(req: DisclosureRequest, cal: WorkCalendar) -> NoticeDoc:
    reply_by = cal.add_workdays(req.correction_notice_on, CORRECTION_REPLY_WORKDAYS)
    you = addressed(req)
    return NoticeDoc(
        issuer=req.unit.name, title="政府信息公开申请补正告知书", recipient=req.applicant_name,
        issued_on=req.correction_notice_on,
        intro=[(f"{you}于{_request_line(req)}，本机关已收悉。"
               f"经审查，{you}的申请内容不明确，根据{LAW}第三十条的规定，现一次性告知需要补正的事项如下："),
               req.correction_reason or "",
               (f"请于{cn_date(reply_by)}前补正。答复期限自本机关收到补正后的申请之日起计算。"
               "无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。")],
    )


def extension(req: DisclosureRequest, cal: WorkCalendar) -> NoticeDoc:
    from ..timeutil import to_local

    you = addressed(req)
    return NoticeDoc(
        issuer=req.unit.name, title="政府信息公开申请延期答复告知书", recipient=req.applicant_name,
        issued_on=to_local(req.extension_approved_at).date(),
        intro=[f"{you}于{_request_line(req)}，本机关已依法受理。",
               (f"因{req.extension_reason}，不能在规定期限内作出答复。根据{LAW}第三十三条第二款的规定，"
               f"经本机关政府信息公开工作机构负责人同意，答复期限延长{req.extension_days}个工作日，"
               f"本机关将最迟于{cn_date(req.due_on)}前作出答复。")],
        closing=["特此告知。"],
    )


def third_party(req: DisclosureRequest, cal: WorkCalendar) -> NoticeDoc:
    pause = next(p for p in reversed(req.pauses) if p.kind in ("third_party", "agency"))
    reply_by = clock.third_party_deadline(pause.start_on, calendar=cal)
    article = "第三十二条" if pause.kind == "third_party" else "第三十四条"
    return NoticeDoc(
        issuer=req.unit.name, title="政府信息公开征求意见书", recipient=pause.party or "",
        issued_on=pause.start_on,
        intro=[(f"本机关于{cn_date(req.receipt_on)}收到一件政府信息公开申请（登记编号：{req.serial}），"
               "申请公开的政府信息可能涉及贵方的合法权益（或需由贵方共同确认是否公开）。"
               f"根据{LAW}{article}的规定，现书面征求贵方意见。"),
               f"申请公开的内容：{req.content}",
               (f"请于{cn_date(reply_by)}前（自收到本意见书之日起15个工作日内）书面提出是否同意公开的意见及理由。"
               "逾期未提出意见的，由本机关依照条例的规定决定是否公开。")],
        closing=["特此函询。"],
    )


def fee(req: DisclosureRequest, cal: WorkCalendar) -> NoticeDoc:
    pay_by = clock.fee_deadline(req.fee_notice_on, calendar=cal)
    unit_word = "件" if req.fee_method == "by_count" else "页"
    you = addressed(req)
    return NoticeDoc(
        issuer=req.unit.name, title="政府信息公开信息处理费收费通知书", recipient=req.applicant_name,
        issued_on=req.fee_notice_on,
        intro=[(f"{you}于{_request_line(req)}，根据{LAW}第四十二条和{FEE_RULES}的规定，"
               f"本机关按{req.fee_method_label[:2]}计收信息处理费。"),
               f"计费数量：{req.fee_quantity}{unit_word}；应缴金额：{req.fee_amount:.2f}元。",
               (f"请于{cn_date(pay_by)}前（自收到本通知之日起20个工作日内）缴纳。"
               "等待缴费的时间不计入答复期限；逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。")],
        closing=["特此通知。"],
    )


#: what the answer says for each kind of result, before the remedies paragraph
#: ({you} is 您 or 你单位; {annex} is "（见附件）" when the information goes with the answer as files)
ANSWER_TEXTS = {
    "open": "经审查，{you}申请公开的政府信息属于公开范围，现予以提供{annex}。",
    "partial": "经审查，{you}申请公开的政府信息中含有不应当公开的内容，但能够作区分处理，现提供可以公开的部分{annex}。",
    "deny": "经审查，{you}申请公开的政府信息属于不予公开的范围，本机关决定不予公开。",
    "none": "经审查，本机关无法提供{you}申请公开的政府信息。",
    "reject": "经审查，{you}的申请不属于本机关应当作为政府信息公开申请处理的情形，本机关不予处理。",
    "other": "本机关对{you}的申请作如下处理。",
}


def answer_files(req: DisclosureRequest) -> list[str]:
    """The files that go with an answer that provides information: the request's materials uploaded
    on or after the answer date (what was uploaded before is the application and the notices)."""
    from ..timeutil import to_local

    if req.answered_on is None or req.answer_category.split(".")[0] not in ("open", "partial"):
        return []
    return [d.original_name for d in sorted(req.documents, key=lambda d: (d.created_at, d.id))
            if to_local(d.created_at).date() >= req.answered_on]


def answer(req: DisclosureRequest, cal: WorkCalendar) -> NoticeDoc:
    _group, leaf, article = cat.ANSWERS[req.answer_category]
    family = req.answer_category.split(".")[0]
    reason = "" if family in ("open", "partial") else f"具体情形：{leaf.split('.', 1)[-1]}。"
    you, files = addressed(req), answer_files(req)
    said = ANSWER_TEXTS[family].format(you=you, annex="（见附件）" if files else "")
    paragraphs = [f"{you}于{_request_line(req)}，本机关已收悉。",
                  f"{said}{reason}根据{LAW}{article}的规定，特此答复。"]
    if req.answer_text:
        paragraphs.append(req.answer_text)
    paragraphs.append("如对本答复不服，可以自收到本答复之日起60日内依法申请行政复议，"
                      "或者自收到本答复之日起6个月内依法向人民法院提起行政诉讼。")
    # the file names without their extension, as a 附件说明 names its attachments
    notes = [Attachment(name.rsplit(".", 1)[0] if "." in name else name, note_only=True) for name in files]
    return NoticeDoc(issuer=req.unit.name, title="政府信息公开申请答复书", recipient=req.applicant_name,
                     issued_on=req.answered_on, intro=paragraphs, attachments=notes)


BUILDERS = {"receipt": receipt, "correction": correction, "extension": extension, "third_party": third_party,
            "fee": fee, "answer": answer}


def build(req: DisclosureRequest, kind: str, *, calendar: WorkCalendar | None = None) -> NoticeDoc:
    """Return the content of one document; refuse one the history does not support yet."""
    if kind not in dict(available(req)):
        raise ServiceError(f"该申请尚无可生成的{KINDS.get(kind, '文书')}（相应事项尚未登记）。")
    doc = BUILDERS[kind](req, _calendar(calendar))
    # the office signs with the name it had on the document's date (a later rename does not reach it)
    doc.issuer = name_on_day(req.unit, doc.issued_on)
    return doc


def render_for(req: DisclosureRequest, kind: str, *, as_of: date,
               calendar: WorkCalendar | None = None) -> tuple[bytes, str]:
    """Return the .docx bytes and a download name such as 补正告知书-2021-0012.docx."""
    doc = build(req, kind, calendar=calendar)
    return render(doc), f"{KINDS[kind]}-{req.serial}.docx"

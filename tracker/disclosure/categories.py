"""The closed vocabularies of the register: codes stay internal, labels are what users read.

The answer categories are the leaf rows of section 三 of the annual report in the 2021 format
(国办公开办函〔2021〕30号); the applicant types are its columns. Pure: no Flask, no database.
"""
from __future__ import annotations

#: Art. 31: how the application arrived
CHANNELS = {"in_person": "当面", "post": "邮寄", "online": "网络", "fax": "传真", "other": "其他"}
#: channels whose day of receipt is the day both sides confirm (Art. 31 (三))
CONFIRMED_CHANNELS = frozenset({"online", "fax"})

#: the columns of section 三, in the table's order
APPLICANT_TYPES = {
    "natural": "自然人",
    "business": "商业企业",
    "research": "科研机构",
    "public_interest": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
}
APPLICANT_GROUP = "法人或其他组织"

#: 国办函〔2020〕109号 第三条: one method per application
FEE_METHODS = {"by_count": "按件计收", "by_volume": "按量计收"}

#: code -> (group label, leaf label, the 条例 article the answer relies on)
ANSWERS: dict[str, tuple[str, str, str]] = {
    "open": ("（一）予以公开", "予以公开", "第三十六条第（二）项"),
    "partial": ("（二）部分公开", "部分公开（区分处理的，只计这一情形，不计其他情形）", "第三十七条"),
    "deny.secret": ("（三）不予公开", "1.属于国家秘密", "第十四条"),
    "deny.law": ("（三）不予公开", "2.其他法律行政法规禁止公开", "第十四条"),
    "deny.safety": ("（三）不予公开", "3.危及“三安全一稳定”", "第十四条"),
    "deny.third_party": ("（三）不予公开", "4.保护第三方合法权益", "第十五条"),
    "deny.internal": ("（三）不予公开", "5.属于三类内部事务信息", "第十六条第一款"),
    "deny.process": ("（三）不予公开", "6.属于四类过程性信息", "第十六条第二款"),
    "deny.enforcement": ("（三）不予公开", "7.属于行政执法案卷", "第十六条第二款"),
    "deny.inquiry": ("（三）不予公开", "8.属于行政查询事项", "第三十六条第（七）项"),
    "none.not_held": ("（四）无法提供", "1.本机关不掌握相关政府信息", "第三十六条第（四）项"),
    "none.needs_making": ("（四）无法提供", "2.没有现成信息需要另行制作", "第三十八条"),
    "none.unclear": ("（四）无法提供", "3.补正后申请内容仍不明确", "第三十条"),
    "reject.petition": ("（五）不予处理", "1.信访举报投诉类申请", "第三十九条第一款"),
    "reject.repeat": ("（五）不予处理", "2.重复申请", "第三十六条第（六）项"),
    "reject.publication": ("（五）不予处理", "3.要求提供公开出版物", "第三十九条第二款"),
    "reject.mass": ("（五）不予处理", "4.无正当理由大量反复申请", "第三十五条"),
    "reject.confirm": ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息", "第三十九条第二款"),
    "other.no_correction": ("（六）其他处理",
                            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "第三十条"),
    "other.no_fee": ("（六）其他处理",
                     "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "第四十二条"),
    "other.other": ("（六）其他处理", "3.其他", "第三十六条"),
}
#: the group rows that are not themselves answers (a request cannot be answered "不予公开" alone)
ANSWER_GROUPS = tuple(dict.fromkeys(group for group, _, _ in ANSWERS.values()))

#: 行政复议 and the two kinds of 行政诉讼 (section 四)
APPEAL_KINDS = {"review": "行政复议", "suit_direct": "行政诉讼（未经复议直接起诉）",
                "suit_after_review": "行政诉讼（复议后起诉）"}
APPEAL_RESULTS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结"}

#: kinds of time that do not count (Art. 32/34, fee waiting)
PAUSE_KINDS = {"third_party": "征求第三方意见", "agency": "征求其他机关意见", "fee": "等待缴纳信息处理费"}

STATES = {"open": "办理中", "correction": "待补正", "answered": "已答复"}

#: one dated step in the request's history
STEP_KINDS = {
    "received": "登记收到申请",
    "correction_notice": "发出补正告知",
    "corrected": "收到补正后申请",
    "pause_start": "开始暂停计时",
    "pause_end": "恢复计时",
    "extension": "延长答复期限",
    "delayed": "另行确定答复期限",
    "fee_notice": "发出收费通知",
    "fee_paid": "申请人缴费",
    "answered": "作出答复",
    "appeal": "申请人提起复议或诉讼",
    "appeal_result": "复议或诉讼结果",
    "document": "上传材料",
    "edit": "修改登记信息",
}


def answer_label(code: str | None) -> str:
    """Return "（三）不予公开 · 4.保护第三方合法权益" for a leaf code, "" for None."""
    if not code:
        return ""
    group, leaf, _ = ANSWERS[code]
    return leaf if group.endswith(leaf) else f"{group} · {leaf}"


def answer_short(code: str | None) -> str:
    """Return a short label for lists: 予以公开, 不予公开-4, …."""
    if not code:
        return ""
    group, leaf, _ = ANSWERS[code]
    if group.endswith(leaf) or leaf.startswith("部分公开"):
        return group[3:]
    return f"{group[3:]}（{leaf.split('.')[0]}）"


def answer_from_label(text: str) -> str | None:
    """Find the leaf code for a label as an Excel register writes it; None when unknown or not a leaf."""
    clean = "".join(str(text).split()).replace("（", "(").replace("）", ")")
    for code, (group, leaf, _) in ANSWERS.items():
        g = group.replace("（", "(").replace("）", ")")
        candidates = {code, leaf, group[3:] + leaf, g + leaf, f"{group[3:]}{leaf.split('.')[0]}",
                      f"{group[3:]}-{leaf.split('.')[0]}", f"{group[3:]}({leaf.split('.')[0]})"}
        if group.endswith(leaf) or leaf.startswith("部分公开"):
            candidates |= {group[3:], g}
        candidates = {"".join(c.split()).replace("（", "(").replace("）", ")") for c in candidates}
        if clean in candidates:
            return code
    return None


def code_for(mapping: dict[str, str], label: str) -> str | None:
    """Return the code whose label (or code) is `label`, ignoring spaces."""
    clean = "".join(str(label).split())
    for code, text in mapping.items():
        if clean in (code, text):
            return code
    return None

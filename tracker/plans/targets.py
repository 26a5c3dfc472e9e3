"""Quantitative targets in plan text: 解读率不得低于90%, 分值权重不低于4%, 90%以上 …

A target is the measured noun phrase (``metric``), a comparison (``op``), a number and its unit,
and the year it applies to when the sentence states one (2020年不得少于70%，自2021年起不得少于90%).
Values are read from Arabic digits and from 百分之N; a bare Chinese count (至少一次) is left to the
deadline grammar, where it means a recurring duty.
"""
from __future__ import annotations

import re

from tracker.plans.deadlines import chinese_number
from tracker.plans.draft import Target

_FULL_WIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"

#: Comparison words, longest first within each group, with the operator they mean.
_OP_WORDS: tuple[tuple[str, str], ...] = (
    (r"不(?:得|应|能|宜|要)?(?:低于|少于|小于)", ">="),
    (r"(?:至少|最少|最低)(?:要)?(?:达到|为)?", ">="),
    (r"不(?:得|应|能|宜|要)?(?:高于|超过|多于|大于)", "<="),
    (r"(?:最多|至多|最高)(?:不超过|达到|为)?", "<="),
    (r"(?:超过|高于|多于|大于)", ">"),
    (r"(?:低于|少于|小于)", "<"),
    (r"(?:提高到|提升到|提高至|提升至|增加到|增长到)", ">="),
    (r"(?:降低到|降低至|降至|下降到|减少到)", "<="),
    (r"(?:达到|达)", ">="),
    (r"(?:控制在|保持在|维持在)", "="),
    (r"(?<![作成认称视分更因行以])(?:为|实现)", "="),
)
_OP_RE = "|".join(f"(?P<op{i}>{word})" for i, (word, _) in enumerate(_OP_WORDS))
_UNITS = r"%|个(?!\s*(?:工作日|月|小时|星期|百分点))|百分点|人次|次|件|项|家|篇|条|场|期|名|人|所|户|分"
_TARGET_RE = re.compile(
    rf"(?:(?:{_OP_RE})\s*)?"
    rf"(?:(?<![0-9.])(?P<num>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>{_UNITS})|百分之(?P<cn>[零一二两三四五六七八九十百]+))"
    rf"(?P<suffix>\s*(?:及以上|以上|以下|以内|之内))?"
)
_SUFFIX_OP = {"及以上": ">=", "以上": ">=", "以下": "<=", "以内": "<=", "之内": "<="}

_YEAR_RE = re.compile(r"(?:从|自)?\s*(?P<y>(?:19|20)[0-9]{2})\s*年\s*(?:度)?\s*(?:起|开始|以来|以后)?")
_CLAUSE_BREAK = "，,；;。！？!?：:\n（(）)"
_SENTENCE_BREAK = "；;。！？!?\n"
_SUBJECT_RE = re.compile(
    rf"^(?:(?:各[{_CJK}（）]{{0,8}}?(?:部门|单位|镇街|乡镇|街道|科室|机关|政府|级|地|县|区|市)"
    rf"|全(?:市|区|县|省)|本(?:级|地区|单位|部门|机关)|[市区县]直(?:各有关)?(?:部门|单位)?|市政府|区政府|县政府)"
    rf"[、，,和及与]?)+"
)
_LEAD_WORDS_RE = re.compile(r"^(?:要|应当|应|须|必须|确保|力争|争取|其中|在(?!线)|将|把|使|对|并|且|同时)+")
_TRAIL_WORDS_RE = re.compile(r"(?:要|应当|应|须|必须|均|都|需|务必|确保|力争|争取|全部|总体|原则上|保持在|在)+$")


def _op_of(m: re.Match) -> str | None:
    for i, (_, op) in enumerate(_OP_WORDS):
        if m.group(f"op{i}"):
            return op
    return None


def _metric(segment: str) -> str:
    """Return the measured noun phrase at the end of ``segment`` with subjects and years removed."""
    text = _YEAR_RE.sub("", segment)
    text = re.sub(r"\s+", "", text)
    for _ in range(3):
        before = text
        text = _SUBJECT_RE.sub("", text)
        text = _LEAD_WORDS_RE.sub("", text)
        if text == before:
            break
    return _TRAIL_WORDS_RE.sub("", text)


def _last_break(text: str, end: int, floor: int, breaks: str) -> int:
    i = end
    while i > floor and text[i - 1] not in breaks:
        i -= 1
    return i


def find_targets(text: str) -> list[Target]:
    """Return every quantitative target stated in ``text``, in reading order."""
    if not text:
        return []
    scan = text.translate(_FULL_WIDTH)
    targets: list[Target] = []
    floor = 0  # text before the previous target is not read again for a metric or year
    for m in _TARGET_RE.finditer(scan):
        op, suffix = _op_of(m), (m.group("suffix") or "").strip()
        if suffix and op in (None, ">=", "="):
            op = _SUFFIX_OP[suffix]
        if op is None:
            continue
        if m.group("cn"):
            value, unit = chinese_number(m.group("cn")), "%"
            if value is None:
                continue
        else:
            value, unit = float(m.group("num")), m.group("unit")
        if op == "=" and unit != "%":
            continue  # 为/实现 + a count is too often prose (分为3个阶段)
        op_start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        clause_start = _last_break(scan, op_start, floor, _CLAUSE_BREAK)
        metric = _metric(scan[clause_start:op_start])
        if not metric and targets:
            metric = targets[-1].metric
        sentence_start = _last_break(scan, op_start, floor, _SENTENCE_BREAK)
        years = list(_YEAR_RE.finditer(scan, sentence_start, op_start))
        year = int(years[-1].group("y")) if years else None
        targets.append(Target(metric=metric, op=op, value=float(value), unit=unit, year=year))
        floor = m.end()
    return targets

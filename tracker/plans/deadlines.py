"""The deadline grammar of plan text: 10月底前, 年底前, 每年1月底前, 印发后24小时内, 8月, 持续推进 …

Every parsed deadline keeps the words it came from in ``Deadline.text``. A date written without a
year takes the plan year. Readings that the documents leave open are fixed here:

- ``从2022年起`` / ``自2021年9月1日起`` is a start, not a deadline: ``find_deadlines`` returns it as a
  ``window`` with only ``start`` set (``date`` is None); ``task_deadline`` and ``parse_deadline`` never
  pick it.
- ``8月`` alone is an event month: a window from the first to the last day of the month.
  ``8月前`` means before August begins, so its date is the last day of July.
- ``上半年`` / ``下半年`` / ``第三季度`` are windows ending 06-30 / 12-31 / 09-30.
- Recurring deadlines carry their occurrence in the plan year as ``date`` (``每年1月底前`` → 01-31);
  monthly and quarterly ones (``每月5日前``, ``每季度末``) carry the last occurrence in the plan year.
- ``长期`` / ``持续`` / ``常态化`` alone count as continuous only when they stand as a whole clause
  (a table cell, ``（长期）``), since in running prose they are ordinary adverbs (考核长期落后的单位).
"""
from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Callable
from datetime import date

from tracker.plans.draft import Deadline

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"

_YEAR = r"(?:(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])|[〇○零一二三四五六七八九]{4})"
_MONTH = (
    r"(?:(?<![0-9.])(?:1[0-2]|0?[1-9])"
    r"|(?<![〇零一二两三四五六七八九十百千统唯同单万第之逐周每])(?:十[一二]?|[一二三四五六七八九]))"
)
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
_PREFIX = r"(?:(?:截至|截止到|截止|到)\s*)?"
_BEFORE = r"(?:\s*(?:之前|以前|前))"
_DONE = r"(?:\s*(?:全部|全面|基本)?完成)?"
_YEAR_PART = rf"(?:(?:(?P<y>{_YEAR})\s*年|(?P<rel>今|明|本)\s*年(?:度)?)\s*)?"
_YEAR_TOKEN = rf"(?:(?P<y>{_YEAR})\s*年|(?P<rel>今|明|本)\s*年)"
_DASH = r"\s*[—–－\-~～至到]+\s*"
_NUM = r"[0-9]+|[一二两三四五六七八九十百]+"
_SPAN_UNIT = r"(?:个\s*(?:工作日|月|小时|星期)|工作日|自然日|日|天|小时|周|星期)"
_NOT_RISE = r"(?![草诉步点因伏来])"  # 起草, 起诉 … are not "from … on"
_CONTINUOUS_WORDS = r"长期坚持|长期推进|长期执行|长期有效|长期开展|持续推进|常态化推进"
_BARE_CONTINUOUS = r"长期|持续|常态化|常年|长效"
_STOP_BACK = set("在于要应须并将的及或与即则时，。；：、,;:（）()【】〔〕[]“”\"《》 \t\n\u3000")

#: Build a deadline from a match: (match, plan year) → Deadline, or None to reject the match.
_Builder = Callable[[re.Match, "int | None"], "Deadline | None"]


def chinese_number(s: str) -> int | None:
    """Return the integer that Arabic or Chinese numerals ``s`` write (二〇二一, 三十一, 24), else None."""
    s = s.strip().translate(_FULL_WIDTH_DIGITS)
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    if all(ch in _CN_DIGITS for ch in s):
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    total, current = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def _plan_year(m: re.Match, year: int | None) -> int | None:
    """Return the year a match names, or the plan year when it names none."""
    groups = m.groupdict()
    if groups.get("y"):
        return chinese_number(groups["y"])
    if groups.get("rel") == "明":
        return year + 1 if year else None
    return year


def _month_end(y: int, month: int) -> date:
    return date(y, month, calendar.monthrange(y, month)[1])


def _valid_month(m: re.Match, name: str = "m") -> int | None:
    month = chinese_number(m.group(name))
    return month if month and 1 <= month <= 12 else None


def _build_month_end(m: re.Match, year: int | None) -> Deadline | None:
    month, y = _valid_month(m), _plan_year(m, year)
    if month is None:
        return None
    if y is None:
        return Deadline(kind="date")
    part = m.group("part")
    day = {"上旬": 10, "中旬": 20}.get(part)
    return Deadline(kind="date", date=date(y, month, day) if day else _month_end(y, month))


def _build_day(m: re.Match, year: int | None) -> Deadline | None:
    month, day, y = _valid_month(m), chinese_number(m.group("d")), _plan_year(m, year)
    if month is None or not day:
        return None
    if y is None:
        return Deadline(kind="date")
    try:
        return Deadline(kind="date", date=date(y, month, day))
    except ValueError:
        return None


def _build_day_range(m: re.Match, year: int | None) -> Deadline | None:
    month, day, y = _valid_month(m), chinese_number(m.group("d")), _plan_year(m, year)
    month2 = _valid_month(m, "m2") if m.group("m2") else month
    day2 = chinese_number(m.group("d2"))
    y2 = chinese_number(m.group("y2")) if m.group("y2") else y
    if month is None or month2 is None or not day or not day2 or y is None or y2 is None:
        return None
    try:
        start, end = date(y, month, day), date(y2, month2, day2)
    except ValueError:
        return None
    return Deadline(kind="window", start=start, date=end) if start <= end else None


def _build_month_range(m: re.Match, year: int | None) -> Deadline | None:
    month, month2, y = _valid_month(m), _valid_month(m, "m2"), _plan_year(m, year)
    if month is None or month2 is None or month > month2 or y is None:
        return None
    return Deadline(kind="window", start=date(y, month, 1), date=_month_end(y, month2))


def _build_month(m: re.Match, year: int | None) -> Deadline | None:
    month, y = _valid_month(m), _plan_year(m, year)
    if month is None:
        return None
    if y is None:
        return Deadline(kind="window")
    if m.group("before"):
        # "8月前": before August begins
        return Deadline(kind="date", date=date(y - 1, 12, 31) if month == 1 else _month_end(y, month - 1))
    return Deadline(kind="window", start=date(y, month, 1), date=_month_end(y, month))


def _build_years_range(m: re.Match, year: int | None) -> Deadline | None:
    first, last = chinese_number(m.group("y1")), chinese_number(m.group("y2"))
    if first is None or last is None or not 0 < last - first <= 20:
        return None
    return Deadline(kind="window", start=date(first, 1, 1), date=date(last, 12, 31))


def _build_year_end(m: re.Match, year: int | None) -> Deadline | None:
    explicit = m.group("y") or m.group("rel") or m.group(0).lstrip().startswith(("到", "截"))
    tail = m.string[m.end() : m.end() + 1]
    if not explicit and not m.group("before") and "完成" not in m.group(0) and tail and tail not in "，。；、）)\n ":
        return None  # 年底考核 and the like name an occasion, not a due date
    y = _plan_year(m, year)
    return Deadline(kind="year_end", date=date(y, 12, 31) if y else None)


def _build_year_within(m: re.Match, year: int | None) -> Deadline | None:
    y = _plan_year(m, year)
    return Deadline(kind="year_end", date=date(y, 12, 31) if y else None)


def _build_half(m: re.Match, year: int | None) -> Deadline | None:
    y = _plan_year(m, year)
    if y is None:
        return Deadline(kind="window")
    if m.group("h") == "上半年":
        return Deadline(kind="window", start=date(y, 1, 1), date=date(y, 6, 30))
    return Deadline(kind="window", start=date(y, 7, 1), date=date(y, 12, 31))


def _build_quarter(m: re.Match, year: int | None) -> Deadline | None:
    quarter, y = chinese_number(m.group("q")), _plan_year(m, year)
    if quarter is None or not 1 <= quarter <= 4:
        return None
    if y is None:
        return Deadline(kind="window")
    return Deadline(kind="window", start=date(y, quarter * 3 - 2, 1), date=_month_end(y, quarter * 3))


def _build_start_year(m: re.Match, year: int | None) -> Deadline | None:
    y = chinese_number(m.group("y"))
    return Deadline(kind="window", start=date(y, 1, 1)) if y else None


def _build_start_date(m: re.Match, year: int | None) -> Deadline | None:
    month, y = _valid_month(m), _plan_year(m, year)
    day = chinese_number(m.group("d")) if m.group("d") else 1
    if month is None or not day or y is None:
        return None
    try:
        return Deadline(kind="window", start=date(y, month, day))
    except ValueError:
        return None


def _recurrence_of(lead: str) -> str:
    if "季度" in lead:
        return "quarterly"
    if "半年" in lead:
        return "half-yearly"
    if "月" in lead:
        return "monthly"
    return "yearly"


def _build_at_least(m: re.Match, year: int | None) -> Deadline | None:
    return Deadline(
        kind="recurring", date=date(year, 12, 31) if year else None, recurrence=_recurrence_of(m.group("lead"))
    )


def _build_monthly(m: re.Match, year: int | None) -> Deadline | None:
    day = chinese_number(m.group("d")) if m.group("d") else 31
    if not day or day > 31:
        return None
    return Deadline(kind="recurring", date=date(year, 12, day) if year else None, recurrence="monthly")


def _build_quarterly(m: re.Match, year: int | None) -> Deadline | None:
    return Deadline(kind="recurring", date=date(year, 12, 31) if year else None, recurrence="quarterly")


def _build_every(m: re.Match, year: int | None) -> Deadline | None:
    """每季度 / 每半年 / 每月 with no day: recurring, its last occurrence the plan year's end."""
    return Deadline(kind="recurring", date=date(year, 12, 31) if year else None, recurrence=_recurrence_of(m.group(0)))


def _build_relative(m: re.Match, year: int | None) -> Deadline | None:
    return Deadline(kind="relative")


def _build_continuous(m: re.Match, year: int | None) -> Deadline | None:
    return Deadline(kind="continuous")


# (pattern, builder, rank): on overlap the longer match wins, then the lower rank.
_RULES: list[tuple[re.Pattern, _Builder, int]] = [
    (re.compile(rf"(?P<y1>{_YEAR})\s*年?{_DASH}(?P<y2>{_YEAR})\s*年(?:\s*(?:底|末))?{_BEFORE}?"), _build_years_range, 0),
    (re.compile(
        rf"{_PREFIX}{_YEAR_PART}(?P<m>{_MONTH})\s*月\s*(?:份)?\s*(?:月)?\s*(?P<part>底|末|上旬|中旬|下旬){_BEFORE}?{_DONE}"
    ), _build_month_end, 0),
    (re.compile(rf"{_PREFIX}{_YEAR_PART}(?P<m>{_MONTH})\s*月\s*(?P<d>{_DAY})\s*[日号]{_BEFORE}?{_DONE}"), _build_day, 0),
    (re.compile(
        rf"{_YEAR_PART}(?P<m>{_MONTH})\s*月\s*(?P<d>{_DAY})\s*[日号]?{_DASH}"
        rf"(?:(?P<y2>{_YEAR})\s*年\s*)?(?:(?P<m2>{_MONTH})\s*月\s*)?(?P<d2>{_DAY})\s*[日号]"
    ), _build_day_range, 0),
    (re.compile(
        rf"{_PREFIX}{_YEAR_PART}(?P<m>{_MONTH})\s*月?\s*(?:份)?{_DASH}(?P<m2>{_MONTH})\s*月(?:份)?(?:\s*(?:底|末))?{_BEFORE}?"
    ), _build_month_range, 0),
    (re.compile(
        rf"{_PREFIX}{_YEAR_PART}(?P<m>{_MONTH})\s*月(?:份)?(?!\s*(?:{_DAY})\s*[日号])(?P<before>{_BEFORE})?{_DONE}"
    ), _build_month, 4),
    (re.compile(
        rf"{_PREFIX}(?:{_YEAR_TOKEN}\s*(?:年\s*)?|(?<![上去前明今本])年\s*)(?:底|末)(?P<before>{_BEFORE})?{_DONE}"
    ), _build_year_end, 0),
    (re.compile(
        rf"{_PREFIX}(?:{_YEAR_TOKEN}\s*|(?<![上去前明今本每])年\s*)(?:度)?内\s*(?:要)?(?:全部|全面|基本)?完成"
    ), _build_year_within, 0),
    (re.compile(
        rf"(?P<lead>本年度内|年度内|年内|每年度?|全年|每个?季度|每半年|每个?月)\s*[{_CJK}]{{0,8}}?至少\s*[{_CJK}]{{0,6}}?(?:{_NUM})\s*(?:次|轮|回)"
    ), _build_at_least, 0),
    (re.compile(rf"每个?月\s*(?:的)?\s*(?:(?P<d>{_DAY})\s*[日号]|底|末){_BEFORE}?"), _build_monthly, 0),
    (re.compile(
        rf"每个?季度\s*(?:(?:第一个月|首月)\s*{_DAY}\s*[日号]{_BEFORE}?|结束后\s*(?:{_NUM})\s*{_SPAN_UNIT}\s*(?:内|以内|之内)|末|结束前)"
    ), _build_quarterly, 0),
    (re.compile(r"每\s*(?:个\s*)?(?:季度?|半年|月)(?:度)?"), _build_every, 5),
    (re.compile(rf"{_PREFIX}{_YEAR_PART}(?P<h>上半年|下半年)(?:\s*(?:末|底))?{_BEFORE}?{_DONE}"), _build_half, 0),
    (re.compile(
        rf"{_PREFIX}{_YEAR_PART}(?<![每个0-9])(?:第)?(?P<q>[一二三四1-4])\s*季度(?:\s*(?:末|底))?{_BEFORE}?{_DONE}"
    ), _build_quarter, 0),
    (re.compile(rf"(?:(?:从|自)\s*)?(?P<y>{_YEAR})\s*年\s*(?:度)?\s*(?:起|开始){_NOT_RISE}"), _build_start_year, 1),
    (re.compile(
        rf"(?:(?:从|自)\s*)?{_YEAR_PART}(?P<m>{_MONTH})\s*月\s*(?:(?P<d>{_DAY})\s*[日号])?\s*(?:起|开始){_NOT_RISE}"
    ), _build_start_date, 1),
    (re.compile(rf"(?P<anchor>之后|以后|后|之日起|起)\s*(?:{_NUM})\s*{_SPAN_UNIT}\s*(?:内|以内|之内)"), _build_relative, 2),
    (re.compile(rf"(?<![0-9一二两三四五六七八九十百])(?:{_NUM})\s*{_SPAN_UNIT}\s*(?:内|以内|之内)"), _build_relative, 2),
    (re.compile(_CONTINUOUS_WORDS), _build_continuous, 3),
    (re.compile(rf"(?:^|(?<=[（(\[【，。；,;：:\s]))(?:{_BARE_CONTINUOUS})(?=$|[）)\]】，。；,;\s])"), _build_continuous, 3),
]

_EVERY_YEAR_RE = re.compile(r"每\s*(?:一)?\s*年\s*(?:度)?\s*(?:的)?\s*$")


def _event_start(text: str, anchor: int) -> int:
    """Walk back from a relative anchor (…后) over the event words, e.g. to the 文 of 文件印发后."""
    start = anchor
    while start > 0 and anchor - start < 12 and text[start - 1] not in _STOP_BACK:
        start -= 1
    return start


def _candidates(text: str, year: int | None) -> list[tuple[int, int, int, Deadline]]:
    scan = text.translate(_FULL_WIDTH_DIGITS)
    found = []
    for pattern, build, rank in _RULES:
        for m in pattern.finditer(scan):
            if not m.group(0).strip():
                continue
            deadline = build(m, year)
            if deadline is None:
                continue
            start, end = m.start(), m.end()
            if "anchor" in pattern.groupindex and m.group("anchor"):
                start = _event_start(scan, m.start())
            start, end = _trim(text, start, end)
            deadline, start = _maybe_yearly(scan, start, m, deadline)
            deadline.text = text[start:end]
            if deadline.kind == "relative":
                deadline.rule = deadline.text
            found.append((start, end, rank, deadline))
    return found


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _maybe_yearly(scan: str, start: int, m: re.Match, deadline: Deadline) -> tuple[Deadline, int]:
    """Turn a plan-year date preceded by 每年 (每年1月底前, 每年年底前) into a yearly recurring deadline.

    Return the deadline and the start of its text, moved back over the 每年.
    """
    if deadline.kind not in ("date", "year_end", "window") or deadline.date is None:
        return deadline, start
    groups = m.groupdict()
    if groups.get("y") or groups.get("rel") or "y1" in groups:
        return deadline, start
    before = scan[max(0, start - 8) : start]
    head = _EVERY_YEAR_RE.search(before)
    if head:
        new_start = start - len(head.group(0))
    elif scan[start : start + 1] == "年" and before.endswith("每"):
        new_start = start - 1
    else:
        return deadline, start
    return Deadline(kind="recurring", date=deadline.date, start=deadline.start, recurrence="yearly"), new_start


def find_deadlines(text: str, year: int) -> list[tuple[int, int, Deadline]]:
    """Return every deadline mention in ``text`` as (start, end, Deadline), in reading order."""
    if not text:
        return []
    # chosen spans never overlap, so sorted starts also sort their ends; bisect finds the neighbours
    starts: list[int] = []
    chosen: list[tuple[int, int, Deadline]] = []
    for start, end, _rank, deadline in sorted(
        _candidates(text, year), key=lambda c: (-(c[1] - c[0]), c[2], c[0])
    ):
        if start >= end:
            continue
        at = bisect.bisect_left(starts, start)
        if at > 0 and chosen[at - 1][1] > start:
            continue
        if at < len(chosen) and chosen[at][0] < end:
            continue
        starts.insert(at, start)
        chosen.insert(at, (start, end, deadline))
    return chosen


def _main(deadlines: list[Deadline]) -> Deadline | None:
    """Pick the deadline that governs: latest dated one, else recurring, else relative, else continuous."""
    dated = [d for d in deadlines if d.date is not None and d.kind in ("date", "year_end", "window")]
    if dated:
        return max(dated, key=lambda d: d.date)
    recurring = [d for d in deadlines if d.kind == "recurring"]
    if recurring:
        return max(recurring, key=lambda d: d.date or date.min)
    for kind in ("relative", "continuous"):
        for d in deadlines:
            if d.kind == kind:
                return d
    return None


_CELL_CONTINUOUS_RE = re.compile(rf"(?:{_BARE_CONTINUOUS}|及时|即时|实时|随时)[{_CJK}]{{0,4}}")
# In a 时限 cell "全年" is the whole year as a window and "年内" its end; in prose both are too common to read.
_CELL_WHOLE_YEAR_RE = re.compile(r"(?:(?P<y>(?:19|20)[0-9]{2})\s*年\s*|(?:本|今)\s*)?(?:全年|全年度)(?:内)?(?:持续|开展|推进)?")
_CELL_WITHIN_YEAR_RE = re.compile(r"(?:(?P<y>(?:19|20)[0-9]{2})\s*年\s*|(?:本|今)\s*)?(?:年内|年度内|本年度|年度)")


def parse_deadline(phrase: str, year: int) -> Deadline | None:
    """Read one short deadline phrase (a 时限要求 cell, a 责任时限); None when it states no deadline."""
    if not phrase or not phrase.strip():
        return None
    found = _main([d for _, _, d in find_deadlines(phrase, year)])
    if found is not None:
        return found
    bare = phrase.strip().strip("（）()。；;，,")
    if _CELL_CONTINUOUS_RE.fullmatch(bare):
        return Deadline(kind="continuous", text=bare)
    for pattern, kind in ((_CELL_WHOLE_YEAR_RE, "window"), (_CELL_WITHIN_YEAR_RE, "year_end")):
        m = pattern.fullmatch(bare.translate(_FULL_WIDTH_DIGITS))
        if m:
            y = int(m.group("y")) if m.group("y") else year
            if not y:
                return Deadline(kind=kind, text=bare)
            return Deadline(kind=kind, date=date(y, 12, 31), start=date(y, 1, 1) if kind == "window" else None, text=bare)
    return None


def task_deadline(text: str, year: int) -> Deadline:
    """Return a task's governing deadline, or the plan year's end marked as a default."""
    found = _main([d for _, _, d in find_deadlines(text, year)])
    if found is not None:
        return found
    return Deadline(kind="default", date=date(year, 12, 31) if year else None, text="")

"""Pure rules of supervision: reporting periods, overdue working days, 文号 and the circular's text.

No Flask, no database.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..calendar import WorkCalendar
from ..timeutil import cn_date

#: months per reporting period
PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
PERIOD_LABELS = {"month": "月度", "quarter": "季度", "half": "半年", "year": "年度"}


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def period_bounds(d: date, period: str = "quarter") -> tuple[date, date]:
    """Return the first and last day of the reporting period containing d."""
    months = PERIOD_MONTHS.get(period)
    if months is None:
        raise ValueError(f"unknown period {period!r}; expected one of {sorted(PERIOD_MONTHS)}")
    first_month = (d.month - 1) // months * months + 1
    return date(d.year, first_month, 1), _month_end(d.year, first_month + months - 1)


def closed_periods(as_of: date, period: str = "quarter") -> list[tuple[date, date]]:
    """Return the periods of the year of the last period that ended before as_of, up to that one.

    On 2021-11-15 by quarter: Q1, Q2 and Q3 of 2021. On 2022-01-10: all four quarters of 2021.
    """
    current_start, _ = period_bounds(as_of, period)
    last_start, last_end = period_bounds(current_start - timedelta(days=1), period)
    out: list[tuple[date, date]] = []
    start = date(last_end.year, 1, 1)
    while start <= last_start:
        out.append(period_bounds(start, period))
        start = out[-1][1] + timedelta(days=1)
    return out


def escalation_bound(calendar: WorkCalendar, as_of: date, workdays: int) -> date:
    """Return the date before which a due date is more than `workdays` working days overdue on as_of.

    ``due < escalation_bound(cal, as_of, n)`` exactly when ``overdue_workdays(cal, due, as_of) > n``
    (the sweep escalates an item once it is more than TRACKER_ESCALATE_AFTER working days overdue).
    """
    if workdays <= 0:
        return as_of
    last_workday = as_of if calendar.is_workday(as_of) else calendar.add_workdays(as_of, -1)
    return calendar.add_workdays(last_workday, -workdays)


_STEM = re.compile(r"^\s*(?P<stem>[^〔\[（(]+?)\s*[〔\[（(]\s*\d{4}")


def notice_prefix(doc_number: str | None, issuer: str | None, kind: str = "整改") -> str:
    """Derive a 文号 prefix from the plan's: 运政办发〔2021〕31号 → 运政办整改.

    Without a 文号, an issuer such as 孝义市人民政府办公室 gives 孝政办整改; anything else gives the kind alone.
    """
    m = _STEM.match(doc_number or "")
    if m:
        stem = m.group("stem")
        # 发/函/字 name the kind of the original document, not its issuer.
        stem = re.sub(r"(发|函|字|明电)$", "", stem) or stem
        return f"{stem}{kind}"
    name = (issuer or "").strip()
    if name.endswith("人民政府办公室") or name.endswith("人民政府办公厅"):
        return f"{name[0]}政办{kind}"
    if name.endswith("人民政府"):
        return f"{name[0]}政{kind}"
    return kind


def doc_number(prefix: str, year: int, number: int) -> str:
    """Return a 文号 in the official form: 运政办整改〔2022〕3号."""
    return f"{prefix}〔{year}〕{number}号"


@dataclass(frozen=True)
class NamedUnit:
    name: str
    #: overdue items (criticism) or completed items (praise)
    count: int
    #: all lead/responsible items of the unit in the plan
    total: int = 0


def circular_text(kind: str, *, plan_title: str, plan_doc_number: str | None, as_of: date,
                  units: list[NamedUnit], issuer: str | None = None) -> tuple[str, str]:
    """Return the title and body of a draft circular from the figures; the supervisor edits them.

    The body does not list or count the units: the document prints them once, as a table after
    the paragraph of section 二 that ends with "：", and the overall figures after the heading 一、.
    The named units are one list (the circular's table, its .docx and its message), so unticking a
    unit removes it everywhere.
    """
    source = f"《{plan_title}》" + (f"（{plan_doc_number}）" if plan_doc_number else "")
    day = cn_date(as_of)
    if kind == "praise":
        title = f"关于{source}落实情况较好单位的通报"
        lines = [f"截至{day}，各单位按照{source}的分工推进各项任务。现将落实情况通报如下：",
                 "一、总体情况",
                 "二、表扬单位",
                 ("以下单位承办的任务均按时限推进，无逾期未办结事项，予以通报表扬："
                  if units else "暂无承办任务全部按时推进的单位。"),
                 "三、工作要求",
                 "希望受表扬单位再接再厉，其他单位以先进为榜样，确保各项任务按期完成。"]
    else:
        title = f"关于{source}逾期未办结事项的通报"
        lines = [f"截至{day}，{source}部分任务逾期未办结。现将落实情况通报如下：",
                 "一、总体情况",
                 "二、逾期未办结事项的单位",
                 ("以下单位存在逾期未办结事项（按逾期事项数排列，数量相同的按单位序列排列）："
                  if units else "目前没有逾期未办结事项。"),
                 "三、工作要求",
                 "请被通报单位高度重视，逐项分析原因，抓紧整改落实，并于5个工作日内将整改情况报送"
                 + (issuer or "政务公开工作主管部门") + "。"]
    return title, "\n".join(lines)


def named_lines(kind: str, units: list[tuple[str, int]]) -> list[str]:
    """Return the named units as lines (for a message): 1. 甲局：逾期未办结3项。"""
    what = "已办结" if kind == "praise" else "逾期未办结"
    return [f"{i}. {name}：{what}{count}项。" for i, (name, count) in enumerate(units, 1)]

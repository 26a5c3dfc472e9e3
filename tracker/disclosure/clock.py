"""The statutory clock of a disclosure request (《政府信息公开条例》2019, Art. 30–35).

Pure: no Flask, no database. Dates in, dates out, on the project's working-day calendar
(China's official holidays and make-up workdays, plus any overrides the caller's calendar has).

- Art. 33: the answer is due on the 20th working day after the day of receipt; an approved
  extension adds at most 20 more working days.
- Art. 30: an unclear application gets one correction notice within 7 working days of receipt;
  the period then starts again from the day after the corrected application is received.
- Art. 32/34 and 国办函〔2020〕109号: working days spent consulting a third party or another agency,
  or waiting for the fee to be paid, do not count (a pause covers its first and last day).
- Art. 35: a reasonable later deadline set by the office replaces the statutory one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from ..calendar import WorkCalendar, default_calendar, overdue_workdays

#: Art. 33: the answer period and the longest extension, in working days
ANSWER_WORKDAYS = 20
MAX_EXTENSION = 20
#: Art. 30: the correction notice is sent within this many working days of receipt
CORRECTION_WORKDAYS = 7
#: Art. 32: a consulted third party has this many working days to give its opinion
THIRD_PARTY_WORKDAYS = 15
#: 国办函〔2020〕109号: the applicant pays within this many working days of the fee notice
FEE_WORKDAYS = 20


class ClockError(ValueError):
    """Input the clock cannot work with; the message is Chinese and fit to show a user."""


@dataclass(frozen=True)
class Pause:
    """Days that do not count, from start to end inclusive; end None means still running."""

    start: date
    end: date | None = None

    def closed(self, as_of: date) -> tuple[date, date]:
        """Return the pause's days, an open pause running until as_of."""
        return self.start, self.end if self.end is not None else max(as_of, self.start)


@dataclass(frozen=True)
class Deadlines:
    #: the day the counting starts after: the receipt, or the corrected application's receipt
    counted_from: date
    #: Art. 30: the last day to send the correction notice
    correction_notice_by: date
    #: 20 + the extension
    working_days: int
    #: working days inside pauses that fell before the statutory due date
    paused_working_days: int
    #: the due date under Art. 33 with pauses and extension
    statutory_due_on: date
    #: the date that counts: the Art. 35 deadline when one is set, else the statutory one
    due_on: date
    delayed_due_on: date | None = None
    pauses: tuple[tuple[date, date], ...] = field(default=())


def parse_date(raw: str, what: str = "日期") -> date:
    """Read YYYY-MM-DD; raise ClockError in Chinese for anything else."""
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ClockError(f"{what}“{raw}”无法识别，应为 YYYY-MM-DD 格式，例如 2021-10-08。") from None


def parse_pause(raw: str) -> Pause:
    """Read START:END (END may be empty for a pause still running)."""
    start_text, sep, end_text = str(raw).partition(":")
    if not sep:
        raise ClockError(f"暂停期间“{raw}”无法识别，应为 开始日期:结束日期，例如 2021-10-11:2021-10-15。")
    start = parse_date(start_text, "暂停开始日期")
    end = parse_date(end_text, "暂停结束日期") if end_text.strip() else None
    pause = Pause(start, end)
    check_pause(pause)
    return pause


def check_pause(pause: Pause) -> None:
    if pause.end is not None and pause.end < pause.start:
        raise ClockError(
            f"暂停期间的结束日期 {pause.end.isoformat()} 早于开始日期 {pause.start.isoformat()}，请检查。")


def check_extension(days: int) -> None:
    if days < 0:
        raise ClockError("延长的工作日数不能为负数。")
    if days > MAX_EXTENSION:
        raise ClockError(f"延长答复期限最长不得超过{MAX_EXTENSION}个工作日（条例第三十三条），填写的是{days}个工作日。")


def _merged(pauses, after: date, as_of: date) -> list[tuple[date, date]]:
    """Return the pauses' day ranges clipped to days after `after`, sorted and without overlaps."""
    spans = sorted(p.closed(as_of) for p in pauses)
    out: list[tuple[date, date]] = []
    for start, end in spans:
        start = max(start, after + timedelta(days=1))
        if end < start:
            continue
        if out and start <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _workdays_in(calendar: WorkCalendar, spans, low: date, high: date) -> int:
    """Count working days inside the spans that fall in (low, high]."""
    total = 0
    for start, end in spans:
        start = max(start, low + timedelta(days=1))
        end = min(end, high)
        if start <= end:
            total += calendar.workdays_between(start - timedelta(days=1), end)
    return total


def nth_counting_workday(calendar: WorkCalendar, base: date, n: int, spans) -> date:
    """Return the n-th working day after base that lies in no span.

    A fixed point: the candidate only moves forward, by the paused working days before it, and
    stops on the first date where exactly n counting working days have passed.
    """
    due = calendar.add_workdays(base, n)
    while True:
        later = calendar.add_workdays(base, n + _workdays_in(calendar, spans, base, due))
        if later == due:
            return due
        due = later


def deadlines(received: date, *, corrected: date | None = None, pauses=(), extension: int = 0,
              delayed_due_on: date | None = None, as_of: date | None = None,
              calendar: WorkCalendar | None = None) -> Deadlines:
    """Return the correction-notice deadline and the answer deadline of one request.

    `as_of` only matters for a pause still running: it is taken to last until that day.
    """
    calendar = calendar or default_calendar()
    check_extension(extension)
    for pause in pauses:
        check_pause(pause)
    if corrected is not None and corrected < received:
        raise ClockError(
            f"补正后申请的收到日期 {corrected.isoformat()} 早于原申请的收到日期 {received.isoformat()}，请检查。")
    if delayed_due_on is not None and delayed_due_on <= received:
        raise ClockError(f"另行确定的答复期限 {delayed_due_on.isoformat()} 应晚于收到申请之日，请检查。")
    base = corrected or received
    as_of = as_of or base
    spans = _merged(pauses, base, as_of)
    n = ANSWER_WORKDAYS + extension
    statutory = nth_counting_workday(calendar, base, n, spans)
    return Deadlines(
        counted_from=base,
        correction_notice_by=calendar.add_workdays(received, CORRECTION_WORKDAYS),
        working_days=n,
        paused_working_days=_workdays_in(calendar, spans, base, statutory),
        statutory_due_on=statutory,
        due_on=delayed_due_on or statutory,
        delayed_due_on=delayed_due_on,
        pauses=tuple(spans),
    )


@dataclass(frozen=True)
class Standing:
    """Where a request stands on a day."""

    as_of: date
    #: counting working days after as_of up to and including the due date; negative once past it
    working_days_left: int
    #: the project's one definition of overdue working days (after the due date, up to as_of inclusive)
    working_days_overdue: int
    is_overdue: bool


def standing(d: Deadlines, as_of: date, *, calendar: WorkCalendar | None = None) -> Standing:
    """Return the working days left (or overdue) on as_of."""
    calendar = calendar or default_calendar()
    due = d.due_on
    if as_of <= due:
        left = calendar.workdays_between(as_of, due)
        if d.delayed_due_on is None:
            left -= _workdays_in(calendar, d.pauses, as_of, due)
    else:
        left = -calendar.workdays_between(due, as_of)
    return Standing(as_of=as_of, working_days_left=left,
                    working_days_overdue=overdue_workdays(calendar, due, as_of), is_overdue=as_of > due)


def fee_deadline(notice_on: date, *, calendar: WorkCalendar | None = None) -> date:
    """Return the last day to pay a fee notified on notice_on (20 working days)."""
    return (calendar or default_calendar()).add_workdays(notice_on, FEE_WORKDAYS)


def third_party_deadline(sent_on: date, *, calendar: WorkCalendar | None = None) -> date:
    """Return the last day for a consulted third party's opinion (15 working days, Art. 32)."""
    return (calendar or default_calendar()).add_workdays(sent_on, THIRD_PARTY_WORKDAYS)


def as_dict(d: Deadlines, s: Standing | None = None) -> dict:
    """Return the deadlines (and standing) as JSON-ready values."""
    out = {
        "due_on": d.due_on.isoformat(),
        "correction_notice_by": d.correction_notice_by.isoformat(),
        "working_days": d.working_days,
        "counted_from": d.counted_from.isoformat(),
        "statutory_due_on": d.statutory_due_on.isoformat(),
        "delayed_due_on": d.delayed_due_on.isoformat() if d.delayed_due_on else None,
        "paused_working_days": d.paused_working_days,
        "pauses": [[a.isoformat(), b.isoformat()] for a, b in d.pauses],
    }
    if s is not None:
        out.update(as_of=s.as_of.isoformat(), working_days_left=s.working_days_left,
                   working_days_overdue=s.working_days_overdue, is_overdue=s.is_overdue)
    return out

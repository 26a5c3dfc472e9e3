"""China's working-day calendar: official holidays, make-up workdays and admin overrides.

Pure: no Flask, no database. The database layer passes the admin's overrides in as a plain
mapping of date to "is a workday".

Counting works on day ordinals. ``_count(o)`` is the number of workdays on days 1..o
(0001-01-01 is ordinal 1). It is the Monday–Friday count, which has a closed form, plus a
correction for the few days that deviate from Monday–Friday (holidays on weekdays, make-up
workdays on weekends, overrides). The deviations are precomputed once per calendar into a
sorted array with running sums, so every count is arithmetic plus one bisect.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache

import chinese_calendar

__all__ = [
    "WorkCalendar",
    "default_calendar",
    "is_workday",
    "add_workdays",
    "workdays_between",
    "overdue_workdays",
]

_MIN_ORDINAL = date.min.toordinal()
_MAX_ORDINAL = date.max.toordinal()


def _weekday_count(ordinal: int) -> int:
    """Return how many Monday–Friday days lie in ordinals 1..ordinal."""
    # Ordinal 1 (0001-01-01) is a Monday, so every block of 7 starts on a Monday.
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def _package_years() -> range:
    """Return the years whose holidays the chinesecalendar package knows."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def _year_runs(years: Iterable[int]) -> list[tuple[int, int]]:
    """Group sorted years into runs of consecutive years."""
    runs: list[tuple[int, int]] = []
    for year in years:
        if runs and runs[-1][1] == year - 1:
            runs[-1] = (runs[-1][0], year)
        else:
            runs.append((year, year))
    return runs


class WorkCalendar:
    """Answer working-day questions from the official calendar plus overrides.

    An override always wins, and a year with at least one override counts as known. A year
    that neither the package nor an override knows is provisional: Monday–Friday is used.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        overrides = dict(overrides or {})
        self._package_years = _package_years()
        self._override_years = frozenset(d.year for d in overrides)

        # Final answer for every day the package or an override says something about.
        stated: dict[int, bool] = {}
        for d in chinese_calendar.holidays:
            stated[d.toordinal()] = False
        for d in chinese_calendar.workdays:
            stated[d.toordinal()] = True
        for d, workday in overrides.items():
            stated[d.toordinal()] = bool(workday)

        #: ordinal -> is a workday, only for days that differ from Monday–Friday
        self._deviations: dict[int, bool] = {
            o: workday for o, workday in stated.items() if workday != ((o - 1) % 7 < 5)
        }
        #: sorted ordinals of the deviations
        self._dev_ordinals: list[int] = sorted(self._deviations)
        #: _dev_sums[i]: the correction to the weekday count from the first i deviations
        self._dev_sums: list[int] = [0]
        for o in self._dev_ordinals:
            self._dev_sums.append(self._dev_sums[-1] + (1 if self._deviations[o] else -1))

    def _count(self, ordinal: int) -> int:
        """Return how many workdays lie in ordinals 1..ordinal."""
        return _weekday_count(ordinal) + self._dev_sums[bisect_right(self._dev_ordinals, ordinal)]

    def _is_workday_ordinal(self, ordinal: int) -> bool:
        workday = self._deviations.get(ordinal)
        if workday is None:
            return (ordinal - 1) % 7 < 5
        return workday

    def is_workday(self, d: date) -> bool:
        """Tell whether d is a working day."""
        return self._is_workday_ordinal(d.toordinal())

    def workdays_between(self, start: date, end: date) -> int:
        """Count working days in (start, end]; negative when end < start.

        For end < start the result is minus the working days in (end, start].
        """
        # Inlined _count twice: this is the hot path of the sweep and the dashboards.
        ordinals, sums = self._dev_ordinals, self._dev_sums
        e = end.toordinal()
        s = start.toordinal()
        ew, er = divmod(e, 7)
        sw, sr = divmod(s, 7)
        return (
            5 * (ew - sw)
            + min(er, 5)
            - min(sr, 5)
            + sums[bisect_right(ordinals, e)]
            - sums[bisect_right(ordinals, s)]
        )

    def add_workdays(self, d: date, n: int) -> date:
        """Return the n-th working day after d (d itself not counted); n < 0 goes backwards.

        n == 0 returns d unchanged, even when d is not a working day. Raises OverflowError
        when the answer would fall outside the dates Python can represent.
        """
        if n == 0:
            return d
        origin = d.toordinal()
        if n > 0:
            target = self._count(origin) + n
            low, high = origin + 1, _MAX_ORDINAL
        else:
            # The |n|-th workday before d has |n| - 1 workdays between it and d.
            target = self._count(origin - 1) + n + 1
            low, high = _MIN_ORDINAL, origin - 1
        if low > high or target < 1 or self._count(high) < target:
            raise OverflowError("date value out of range")
        # Narrow the search to a window of a few weeks per step before bisecting.
        span = abs(n) * 7 // 5 + 14
        if n > 0:
            while low + span < high and self._count(low + span) < target:
                low += span + 1
                span *= 2
            high = min(high, low + span)
        else:
            while high - span > low and self._count(high - span - 1) >= target:
                high -= span + 1
                span *= 2
            low = max(low, high - span)
        # The count rises by one exactly on workdays, so the first ordinal that reaches the
        # target is the workday sought.
        while low < high:
            middle = (low + high) // 2
            if self._count(middle) >= target:
                high = middle
            else:
                low = middle + 1
        return date.fromordinal(low)

    def is_provisional(self, year: int) -> bool:
        """Tell whether neither the package nor an override knows year's holidays."""
        return year not in self._package_years and year not in self._override_years

    def provisional_years(self, start: date, end: date) -> list[int]:
        """List the provisional years the range from start to end touches, in order."""
        first, last = sorted((start.year, end.year))
        return [year for year in range(first, last + 1) if self.is_provisional(year)]

    def warning(self, start: date, end: date) -> str | None:
        """Return a warning for users when the range touches a provisional year, else None."""
        years = self.provisional_years(start, end)
        if not years:
            return None
        spans = "、".join(
            f"{first}年" if first == last else f"{first}年至{last}年"
            for first, last in _year_runs(years)
        )
        which = "该年" if len(years) == 1 else "这些年份的"
        return f"{spans}的节假日安排尚未录入，{which}日期按周一至周五计算，仅供参考。"


@cache
def default_calendar() -> WorkCalendar:
    """Return the shared calendar with the package's data and no overrides."""
    return WorkCalendar()


def is_workday(d: date) -> bool:
    """Tell whether d is a working day in the default calendar."""
    return default_calendar().is_workday(d)


def add_workdays(d: date, n: int) -> date:
    """Return the n-th working day after d in the default calendar."""
    return default_calendar().add_workdays(d, n)


def workdays_between(start: date, end: date) -> int:
    """Count working days in (start, end] in the default calendar."""
    return default_calendar().workdays_between(start, end)


def overdue_workdays(calendar: WorkCalendar, due: date | None, as_of: date) -> int:
    """Return how many working days an item due on `due` and still open on `as_of` is overdue.

    The China working days after the due date up to and including the as-of date: due Friday
    and still open on Monday is 1; on the due date itself it is 0 (the item is due soon, not
    overdue). No due date, or a due date on or after as_of, gives 0. This is the one rule every
    page, document, workbook and score uses.
    """
    if due is None or as_of <= due:
        return 0
    return max(0, calendar.workdays_between(due, as_of))

"""Tests for the working-day calendar."""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tracker.calendar as calendar_module
from tracker.calendar import (
    WorkCalendar,
    add_workdays,
    default_calendar,
    is_workday,
    workdays_between,
)

D = date

# 2021 National Day: 1–7 October off; Sunday 26 September and Saturday 9 October worked.
NATIONAL_DAY_2021_OFF = [D(2021, 10, day) for day in range(1, 8)]
# 2022 Spring Festival: 31 January–6 February off; Saturday 29 and Sunday 30 January worked.
SPRING_FESTIVAL_2022_OFF = [D(2022, 1, 31)] + [D(2022, 2, day) for day in range(1, 7)]


def oracle_is_workday(d: date, overrides: dict[date, bool] | None = None) -> bool:
    """Answer independently of the module: override, else the package, else Monday–Friday."""
    if overrides and d in overrides:
        return overrides[d]
    if 2004 <= d.year <= 2026:
        return chinese_calendar.is_workday(d)
    return d.weekday() < 5


def brute_between(start: date, end: date, overrides: dict[date, bool] | None = None) -> int:
    """Count workdays in (start, end] day by day; negative when end < start."""
    low, high, sign = (start, end, 1) if start <= end else (end, start, -1)
    count = 0
    d = low + timedelta(days=1)
    while d <= high:
        count += oracle_is_workday(d, overrides)
        d += timedelta(days=1)
    return sign * count


# --- is_workday -------------------------------------------------------------------------


@pytest.mark.parametrize("d", NATIONAL_DAY_2021_OFF + SPRING_FESTIVAL_2022_OFF)
def test_golden_week_days_are_not_workdays(d: date) -> None:
    assert is_workday(d) is False


@pytest.mark.parametrize(
    "d",
    [
        D(2021, 9, 26),  # Sunday, make-up workday
        D(2021, 10, 9),  # Saturday, make-up workday
        D(2022, 1, 29),  # Saturday, make-up workday
        D(2022, 1, 30),  # Sunday, make-up workday
        D(2021, 9, 30),
        D(2021, 10, 8),
        D(2022, 1, 28),
        D(2022, 2, 7),
    ],
)
def test_make_up_and_ordinary_days_are_workdays(d: date) -> None:
    assert is_workday(d) is True


@pytest.mark.parametrize("d", [D(2021, 9, 25), D(2021, 10, 10), D(2022, 1, 23), D(2022, 1, 1)])
def test_ordinary_weekends_and_new_year_are_not_workdays(d: date) -> None:
    assert is_workday(d) is False


def test_every_day_2004_to_2026_matches_the_package() -> None:
    cal = default_calendar()
    d = D(2004, 1, 1)
    mismatches = []
    while d <= D(2026, 12, 31):
        if cal.is_workday(d) != chinese_calendar.is_workday(d):
            mismatches.append(d)
        d += timedelta(days=1)
    assert mismatches == []


def test_is_workday_accepts_a_datetime() -> None:
    from datetime import datetime

    assert is_workday(datetime(2021, 10, 9, 8, 30)) is True
    assert is_workday(datetime(2021, 10, 4, 8, 30)) is False


# --- add_workdays -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # National Day 2021
        (D(2021, 9, 24), 1, D(2021, 9, 26)),  # Friday → make-up Sunday, Saturday skipped
        (D(2021, 9, 24), 2, D(2021, 9, 27)),
        (D(2021, 9, 30), 1, D(2021, 10, 8)),
        (D(2021, 9, 30), 2, D(2021, 10, 9)),
        (D(2021, 9, 30), 3, D(2021, 10, 11)),
        (D(2021, 10, 1), 1, D(2021, 10, 8)),  # starting on a holiday
        (D(2021, 10, 3), 2, D(2021, 10, 9)),
        (D(2021, 9, 25), 5, D(2021, 9, 30)),
        (D(2021, 9, 25), 6, D(2021, 10, 8)),
        # Spring Festival 2022
        (D(2022, 1, 28), 1, D(2022, 1, 29)),
        (D(2022, 1, 28), 2, D(2022, 1, 30)),
        (D(2022, 1, 28), 3, D(2022, 2, 7)),
        (D(2022, 1, 30), 1, D(2022, 2, 7)),
        (D(2022, 2, 3), 1, D(2022, 2, 7)),
        # across the year boundary: 1–3 January 2022 off
        (D(2021, 12, 31), 1, D(2022, 1, 4)),
        (D(2021, 12, 30), 2, D(2022, 1, 4)),
        (D(2021, 9, 30), 15, D(2021, 10, 27)),
        # across both: 104 working days from the Saturday before National Day 2021
        (D(2021, 9, 25), 104, D(2022, 2, 28)),
    ],
)
def test_add_workdays_forward(start: date, n: int, expected: date) -> None:
    assert add_workdays(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2021, 10, 8), -1, D(2021, 9, 30)),
        (D(2021, 10, 9), -2, D(2021, 9, 30)),
        (D(2021, 10, 5), -1, D(2021, 9, 30)),  # from inside the holiday
        (D(2021, 9, 27), -1, D(2021, 9, 26)),  # lands on the make-up Sunday
        (D(2021, 9, 27), -2, D(2021, 9, 24)),
        (D(2022, 2, 7), -1, D(2022, 1, 30)),
        (D(2022, 2, 7), -3, D(2022, 1, 28)),
        (D(2022, 2, 6), -1, D(2022, 1, 30)),
        (D(2022, 1, 4), -1, D(2021, 12, 31)),
        (D(2022, 1, 2), -1, D(2021, 12, 31)),
    ],
)
def test_add_workdays_backward(start: date, n: int, expected: date) -> None:
    assert add_workdays(start, n) == expected


@pytest.mark.parametrize("d", [D(2021, 10, 3), D(2021, 10, 9), D(2030, 6, 1), D(2022, 1, 31)])
def test_add_zero_workdays_returns_the_same_day(d: date) -> None:
    assert add_workdays(d, 0) == d


def test_add_workdays_over_a_whole_year() -> None:
    # 2021 has 250 working days (261 weekdays, 18 weekday holidays, 7 make-up days).
    assert add_workdays(D(2020, 12, 31), 250) == D(2021, 12, 31)
    # Counting back from 31 Dec (a workday, not counted) reaches 2021's first workday at 249.
    assert add_workdays(D(2021, 12, 31), -249) == D(2021, 1, 4)
    assert add_workdays(D(2021, 12, 31), -250) == D(2020, 12, 31)


@pytest.mark.parametrize(("d", "n"), [(date.max, 1), (date.max - timedelta(days=1), 5), (date.min, -1)])
def test_add_workdays_out_of_range_raises(d: date, n: int) -> None:
    with pytest.raises(OverflowError):
        add_workdays(d, n)


# --- workdays_between -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2021, 9, 30), D(2021, 10, 7), 0),
        (D(2021, 9, 30), D(2021, 10, 8), 1),
        (D(2021, 9, 30), D(2021, 10, 9), 2),
        (D(2021, 9, 24), D(2021, 10, 10), 7),  # 26–30 Sep, 8 and 9 Oct
        (D(2021, 9, 25), D(2021, 9, 26), 1),
        (D(2022, 1, 28), D(2022, 2, 7), 3),  # 29 and 30 Jan, 7 Feb
        (D(2022, 1, 30), D(2022, 2, 6), 0),
        (D(2021, 12, 30), D(2022, 1, 4), 2),  # across the year: 31 Dec, 4 Jan
        (D(2020, 12, 31), D(2021, 12, 31), 250),
        (D(2021, 12, 31), D(2022, 12, 31), 249),
        (D(2021, 9, 25), D(2022, 2, 28), 104),
        (D(2021, 10, 4), D(2021, 10, 4), 0),
        (D(2021, 9, 26), D(2021, 9, 26), 0),
    ],
)
def test_workdays_between(start: date, end: date, expected: int) -> None:
    assert workdays_between(start, end) == expected
    assert workdays_between(end, start) == -expected


def test_workdays_between_counts_end_not_start() -> None:
    # Overdue since a Friday, looked at on the following make-up Sunday: one working day late.
    assert workdays_between(D(2021, 9, 24), D(2021, 9, 26)) == 1
    # Backwards the holiday start counts nothing: (30 Sep, 3 Oct] holds no working day.
    assert workdays_between(D(2021, 10, 3), D(2021, 9, 30)) == 0


# --- provisional years ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (D(2030, 10, 1), True),  # Tuesday: no National Day data for 2030
        (D(2030, 10, 5), False),  # Saturday
        (D(2030, 1, 1), True),  # Tuesday
        (D(2003, 10, 1), True),  # Wednesday, before the package's first year
        (D(2027, 1, 2), False),  # Saturday
    ],
)
def test_unknown_years_fall_back_to_monday_to_friday(d: date, expected: bool) -> None:
    assert is_workday(d) is expected


def test_fallback_year_counts_weekdays() -> None:
    assert add_workdays(D(2030, 1, 4), 1) == D(2030, 1, 7)  # Friday → Monday
    assert workdays_between(D(2030, 1, 6), D(2030, 1, 13)) == 5
    assert workdays_between(D(2029, 12, 31), D(2030, 12, 31)) == 261
    # 2026's data then 2027's fallback: 31 Dec 2026 is a Thursday, 1 Jan 2027 a Friday.
    assert workdays_between(D(2026, 12, 31), D(2027, 1, 4)) == 2


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2003, True), (2004, False), (2021, False), (2026, False), (2027, True), (2030, True)],
)
def test_is_provisional(year: int, expected: bool) -> None:
    assert default_calendar().is_provisional(year) is expected


def test_provisional_years_and_warning() -> None:
    cal = default_calendar()
    assert cal.provisional_years(D(2026, 12, 1), D(2027, 1, 10)) == [2027]
    assert cal.provisional_years(D(2027, 1, 10), D(2026, 12, 1)) == [2027]
    assert cal.provisional_years(D(2021, 1, 1), D(2026, 12, 31)) == []
    assert cal.warning(D(2026, 12, 1), D(2027, 1, 10)) == (
        "2027年的节假日安排尚未录入，该年日期按周一至周五计算，仅供参考。"
    )
    assert cal.warning(D(2021, 1, 1), D(2026, 12, 31)) is None


def test_warning_names_several_years() -> None:
    cal = default_calendar()
    assert cal.provisional_years(D(2025, 6, 1), D(2029, 2, 1)) == [2027, 2028, 2029]
    assert cal.warning(D(2025, 6, 1), D(2029, 2, 1)) == (
        "2027年至2029年的节假日安排尚未录入，这些年份的日期按周一至周五计算，仅供参考。"
    )
    # An override for 2028 splits the run.
    cal = WorkCalendar({D(2028, 1, 31): False})
    assert cal.warning(D(2027, 1, 1), D(2029, 1, 1)) == (
        "2027年、2029年的节假日安排尚未录入，这些年份的日期按周一至周五计算，仅供参考。"
    )


# --- overrides --------------------------------------------------------------------------


def test_weekday_declared_a_holiday() -> None:
    cal = WorkCalendar({D(2024, 6, 5): False})  # a Wednesday
    assert cal.is_workday(D(2024, 6, 5)) is False
    assert cal.add_workdays(D(2024, 6, 4), 1) == D(2024, 6, 6)
    assert cal.workdays_between(D(2024, 6, 2), D(2024, 6, 9)) == 4
    # The shared calendar is untouched.
    assert is_workday(D(2024, 6, 5)) is True
    assert workdays_between(D(2024, 6, 2), D(2024, 6, 9)) == 5


def test_weekend_declared_a_workday() -> None:
    cal = WorkCalendar({D(2024, 6, 8): True})  # a Saturday
    assert cal.is_workday(D(2024, 6, 8)) is True
    assert cal.add_workdays(D(2024, 6, 7), 1) == D(2024, 6, 8)
    assert cal.workdays_between(D(2024, 6, 2), D(2024, 6, 9)) == 6
    assert cal.add_workdays(D(2024, 6, 10), -1) == D(2024, 6, 8)


@pytest.mark.parametrize(
    ("override", "d", "expected"),
    [
        ({D(2021, 10, 9): False}, D(2021, 10, 9), False),  # make-up Saturday cancelled
        ({D(2021, 10, 4): True}, D(2021, 10, 4), True),  # holiday Monday worked
        ({D(2021, 10, 2): True}, D(2021, 10, 2), True),  # holiday Saturday worked
        ({D(2021, 10, 8): True}, D(2021, 10, 8), True),  # override equal to the package
    ],
)
def test_override_wins_over_the_package(override: dict[date, bool], d: date, expected: bool) -> None:
    cal = WorkCalendar(override)
    assert cal.is_workday(d) is expected
    week = (D(2021, 9, 30), D(2021, 10, 10))
    assert cal.workdays_between(*week) == brute_between(*week, override)


def test_an_override_makes_a_year_known() -> None:
    notice_2027 = {D(2027, 10, day): False for day in range(1, 8)}
    notice_2027 |= {D(2027, 9, 26): True, D(2027, 10, 9): True}
    cal = WorkCalendar(notice_2027)
    assert cal.is_provisional(2027) is False
    assert cal.is_provisional(2028) is True
    assert cal.warning(D(2027, 1, 1), D(2027, 12, 31)) is None
    assert cal.warning(D(2027, 1, 1), D(2028, 1, 31)) == (
        "2028年的节假日安排尚未录入，该年日期按周一至周五计算，仅供参考。"
    )
    # Days of 2027 the notice does not mention follow Monday–Friday.
    assert cal.is_workday(D(2027, 10, 8)) is True
    assert cal.is_workday(D(2027, 10, 10)) is False
    assert cal.add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 8)
    assert cal.workdays_between(D(2027, 9, 24), D(2027, 10, 10)) == 7


def test_default_calendar_is_shared_and_module_functions_use_it() -> None:
    assert default_calendar() is default_calendar()
    assert calendar_module.default_calendar() is default_calendar()
    cal = default_calendar()
    assert cal.add_workdays(D(2021, 9, 30), 1) == add_workdays(D(2021, 9, 30), 1)
    assert cal.workdays_between(D(2022, 1, 28), D(2022, 2, 7)) == workdays_between(
        D(2022, 1, 28), D(2022, 2, 7)
    )


# --- properties -------------------------------------------------------------------------

days = st.dates(min_value=D(2002, 6, 1), max_value=D(2028, 6, 30))
override_maps = st.dictionaries(days, st.booleans(), max_size=25)


def last_workday_on_or_before(d: date, overrides: dict[date, bool]) -> date:
    while not oracle_is_workday(d, overrides):
        d -= timedelta(days=1)
    return d


@settings(max_examples=300, deadline=None)
@given(overrides=override_maps, d=days, span=st.integers(min_value=-400, max_value=400))
def test_between_matches_a_day_by_day_count(overrides: dict[date, bool], d: date, span: int) -> None:
    cal = WorkCalendar(overrides)
    e = d + timedelta(days=span)
    assert cal.workdays_between(d, e) == brute_between(d, e, overrides)


@settings(max_examples=300, deadline=None)
@given(overrides=override_maps, d=days, span=st.integers(min_value=0, max_value=500))
def test_adding_the_count_lands_on_the_last_workday(
    overrides: dict[date, bool], d: date, span: int
) -> None:
    cal = WorkCalendar(overrides)
    e = d + timedelta(days=span)
    landed = cal.add_workdays(d, cal.workdays_between(d, e))
    # With no workday in (d, e] the sum is zero and d comes back unchanged.
    assert landed == max(d, last_workday_on_or_before(e, overrides))


@settings(max_examples=300, deadline=None)
@given(overrides=override_maps, d=days, n=st.integers(min_value=-300, max_value=300))
def test_counting_back_what_was_added(overrides: dict[date, bool], d: date, n: int) -> None:
    cal = WorkCalendar(overrides)
    e = cal.add_workdays(d, n)
    if n != 0:
        assert oracle_is_workday(e, overrides)
    if n >= 0 or oracle_is_workday(d, overrides):
        assert cal.workdays_between(d, e) == n
    else:
        # Backwards from a day off, d itself is not in (e, d], so one fewer is counted.
        assert cal.workdays_between(d, e) == n + 1


@settings(max_examples=200, deadline=None)
@given(a=days, b=days, c=days)
def test_between_is_additive(a: date, b: date, c: date) -> None:
    cal = default_calendar()
    assert cal.workdays_between(a, b) + cal.workdays_between(b, c) == cal.workdays_between(a, c)

"""The statutory clock, over holidays with make-up workdays; every expected date counted by hand below.

Calendar facts used (国务院办公厅 holiday notices):
- 2021 National Day: 1–7 October off; Saturday 9 October worked (and Sunday 26 September).
- 2021 Qingming: 3–5 April off (Saturday to Monday), no make-up day.
- 2022 Spring Festival: 31 January–6 February off; Saturday 29 and Sunday 30 January worked.
"""
from __future__ import annotations

import json
from datetime import date

import chinese_calendar
import pytest

from tracker.calendar import default_calendar
from tracker.disclosure import clock
from tracker.disclosure.clock import ClockError, Pause, deadlines, standing

D = date


def test_calendar_facts_the_cases_rely_on():
    # The hand counts below assume these days; if the package disagreed, every case would be wrong.
    assert chinese_calendar.is_workday(D(2021, 10, 9)) and not chinese_calendar.is_workday(D(2021, 10, 7))
    assert chinese_calendar.is_workday(D(2022, 1, 29)) and chinese_calendar.is_workday(D(2022, 1, 30))
    assert not chinese_calendar.is_workday(D(2022, 1, 31)) and not chinese_calendar.is_workday(D(2022, 2, 6))
    assert not chinese_calendar.is_workday(D(2021, 4, 5)) and chinese_calendar.is_workday(D(2021, 4, 6))


# Received Tue 2021-09-28. Working days after it:
#   9-29 (1), 9-30 (2), [10-1..10-7 off], 10-8 (3), 10-9 Sat make-up (4), [10-10 Sun], 10-11 (5),
#   10-12 (6), 10-13 (7) -> correction notice by 10-13;
#   10-14 (8), 10-15 (9), 10-18..10-22 (10..14), 10-25..10-29 (15..19), 11-1 (20) -> due 11-01;
#   11-2..11-5 (21..24), 11-8..11-12 (25..29), 11-15 (30) -> with 10 more days due 11-15;
#   11-16..11-19 (31..34), 11-22..11-26 (35..39), 11-29 (40) -> with 20 more days due 11-29.
#
# Received Thu 2022-01-20 (Spring Festival):
#   1-21 (1), 1-24..1-28 (2..6), 1-29 Sat make-up (7) -> correction notice by 2022-01-29 (a Saturday);
#   1-30 Sun make-up (8), [1-31..2-6 off], 2-7..2-11 (9..13), 2-14..2-18 (14..18), 2-21 (19), 2-22 (20).
#
# Correction: received 2021-09-28, corrected application received Mon 2021-10-11. Counting restarts:
#   10-12 (1), 10-13 (2), 10-14 (3), 10-15 (4), 10-18..10-22 (5..9), 10-25..10-29 (10..14),
#   11-1..11-5 (15..19), 11-8 (20) -> due 11-08; the notice deadline still runs from receipt: 10-13.
#
# Two pauses: received Mon 2021-03-01; paused 3-08..3-12 (Mon–Fri, 5 working days) and
# 3-20..3-23 (Sat–Tue: working days 3-22, 3-23):
#   3-2..3-5 (1..4), [3-8..3-12 paused], 3-15..3-19 (5..9), [3-22, 3-23 paused], 3-24 (10), 3-25 (11),
#   3-26 (12), 3-29 (13), 3-30 (14), 3-31 (15), 4-1 (16), 4-2 (17), [4-3..4-5 Qingming], 4-6 (18),
#   4-7 (19), 4-8 (20) -> due 2021-04-08; paused working days 5 + 2 = 7.
# Without pauses the same request is due 3-29: 3-2..3-5 (1..4), 3-8..3-12 (5..9), 3-15..3-19 (10..14),
#   3-22..3-26 (15..19), 3-29 (20). A one-day pause on 3-29 itself moves it to 3-30.
CASES = [
    # id, kwargs, correction_notice_by, due_on, working_days, paused
    ("national-day", {"received": D(2021, 9, 28)}, D(2021, 10, 13), D(2021, 11, 1), 20, 0),
    ("spring-festival", {"received": D(2022, 1, 20)}, D(2022, 1, 29), D(2022, 2, 22), 20, 0),
    ("correction", {"received": D(2021, 9, 28), "corrected": D(2021, 10, 11)}, D(2021, 10, 13), D(2021, 11, 8), 20, 0),
    ("two-pauses", {"received": D(2021, 3, 1), "pauses": [Pause(D(2021, 3, 20), D(2021, 3, 23)),
                                                        Pause(D(2021, 3, 8), D(2021, 3, 12))]},
     D(2021, 3, 10), D(2021, 4, 8), 20, 7),
    ("no-pause", {"received": D(2021, 3, 1)}, D(2021, 3, 10), D(2021, 3, 29), 20, 0),
    ("pause-on-due-day", {"received": D(2021, 3, 1), "pauses": [Pause(D(2021, 3, 29), D(2021, 3, 29))]},
     D(2021, 3, 10), D(2021, 3, 30), 20, 1),
    ("extension-10", {"received": D(2021, 9, 28), "extension": 10}, D(2021, 10, 13), D(2021, 11, 15), 30, 0),
    ("extension-20", {"received": D(2021, 9, 28), "extension": 20}, D(2021, 10, 13), D(2021, 11, 29), 40, 0),
    ("delayed", {"received": D(2021, 9, 28), "delayed_due_on": D(2021, 12, 31)}, D(2021, 10, 13), D(2021, 12, 31), 20, 0),
]
# Correction notice for 2021-03-01: 3-2..3-5 (1..4), 3-8 (5), 3-9 (6), 3-10 (7).


@pytest.mark.no_db
@pytest.mark.parametrize("kwargs,notice_by,due_on,working_days,paused",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_deadlines(kwargs, notice_by, due_on, working_days, paused):
    kwargs = dict(kwargs)
    result = deadlines(kwargs.pop("received"), **kwargs)
    assert result.correction_notice_by == notice_by
    assert result.due_on == due_on
    assert result.working_days == working_days
    assert result.paused_working_days == paused


@pytest.mark.no_db
def test_delayed_deadline_replaces_the_statutory_one_but_keeps_it_on_record():
    result = deadlines(D(2021, 9, 28), delayed_due_on=D(2021, 12, 31))
    assert result.statutory_due_on == D(2021, 11, 1)
    assert result.due_on == D(2021, 12, 31)


@pytest.mark.no_db
def test_open_pause_runs_until_as_of():
    # Received 2021-03-01, consultation from Mon 3-08 still open on Wed 3-10: 3-8, 3-9, 3-10 do not count.
    # 3-2..3-5 (1..4), 3-11 (5), 3-12 (6), 3-15..3-19 (7..11), 3-22..3-26 (12..16), 3-29 (17), 3-30 (18),
    # 3-31 (19), 4-1 (20).
    result = deadlines(D(2021, 3, 1), pauses=[Pause(D(2021, 3, 8))], as_of=D(2021, 3, 10))
    assert result.due_on == D(2021, 4, 1)


@pytest.mark.no_db
@pytest.mark.parametrize("as_of,left,overdue_days,is_overdue", [
    # due 2021-11-01 (national-day case)
    (D(2021, 9, 30), 18, 0, False),   # 10-8 .. 11-1 is 20 - 2 counting days
    (D(2021, 10, 29), 1, 0, False),   # only 11-01 left
    (D(2021, 10, 30), 1, 0, False),   # a Saturday: still only 11-01 left
    (D(2021, 11, 1), 0, 0, False),    # the due date itself is on time
    # Overdue working days: the working days after the due date up to and including as_of (one rule project-wide).
    (D(2021, 11, 2), -1, 1, True),    # late from the next day: 11-2
    (D(2021, 11, 4), -3, 3, True),    # 11-2, 11-3, 11-4
])
def test_standing_around_the_due_date(as_of, left, overdue_days, is_overdue):
    result = standing(deadlines(D(2021, 9, 28)), as_of)
    assert (result.working_days_left, result.working_days_overdue, result.is_overdue) == (left, overdue_days, is_overdue)


@pytest.mark.no_db
def test_standing_does_not_count_paused_days_left():
    # two-pauses case on Fri 3-05: 4 of 20 counting days used, 16 left although 21 working days remain.
    result = standing(deadlines(D(2021, 3, 1), pauses=[Pause(D(2021, 3, 8), D(2021, 3, 12)),
                                                       Pause(D(2021, 3, 20), D(2021, 3, 23))]), D(2021, 3, 5))
    assert result.working_days_left == 16


@pytest.mark.no_db
def test_fee_and_third_party_deadlines():
    # Fee notice Thu 2021-09-23: 9-24 (1), 9-26 Sun make-up (2), 9-27..9-30 (3..6), 10-8 (7), 10-9 (8),
    # 10-11..10-15 (9..13), 10-18..10-22 (14..18), 10-25 (19), 10-26 (20).
    assert clock.fee_deadline(D(2021, 9, 23)) == D(2021, 10, 26)
    # Third party asked the same day: 15th working day is 10-19 (10-18 is the 14th).
    assert clock.third_party_deadline(D(2021, 9, 23)) == D(2021, 10, 19)


@pytest.mark.no_db
@pytest.mark.parametrize("call,message", [
    (lambda: deadlines(D(2021, 9, 28), extension=21), "最长不得超过20个工作日"),
    (lambda: deadlines(D(2021, 9, 28), extension=-1), "不能为负数"),
    (lambda: deadlines(D(2021, 9, 28), pauses=[Pause(D(2021, 10, 12), D(2021, 10, 11))]), "早于开始日期"),
    (lambda: deadlines(D(2021, 9, 28), corrected=D(2021, 9, 27)), "早于原申请的收到日期"),
    (lambda: deadlines(D(2021, 9, 28), delayed_due_on=D(2021, 9, 28)), "应晚于收到申请之日"),
    (lambda: clock.parse_date("2021-13-01"), "无法识别"),
    (lambda: clock.parse_pause("2021-10-11"), "无法识别"),
])
def test_refusals(call, message):
    with pytest.raises(ClockError, match=message):
        call()


@pytest.mark.no_db
def test_overrides_of_the_callers_calendar_count():
    # An admin declares Fri 2021-10-29 a holiday: the 20th working day after 9-28 moves to 11-02.
    from tracker.calendar import WorkCalendar

    assert deadlines(D(2021, 9, 28), calendar=WorkCalendar({D(2021, 10, 29): False})).due_on == D(2021, 11, 2)
    assert default_calendar().is_workday(D(2021, 10, 29))


def _due(runner, *args):
    return runner.invoke(args=["requests", "due", *args])


def test_cli_json(runner):
    result = _due(runner, "--received", "2021-09-28", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["due_on"] == "2021-11-01"
    assert data["correction_notice_by"] == "2021-10-13"
    assert data["working_days"] == 20


def test_cli_correction_pauses_extension(runner):
    # Corrected 2021-10-11 (counting from it: 20th day 11-08, see above); a pause Mon 11-01..Fri 11-05
    # takes 5 days out: 10-12..10-29 are days 1..14, 11-8..11-12 (15..19), 11-15 (20); 5 more extension
    # days: 11-16..11-19 (21..24), 11-22 (25).
    result = _due(runner, "--received", "2021-09-28", "--corrected", "2021-10-11", "--pause", "2021-11-01:2021-11-05",
                  "--extension", "5", "--as-of", "2021-11-22", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["due_on"], data["working_days"], data["paused_working_days"]) == ("2021-11-22", 25, 5)
    assert (data["working_days_left"], data["is_overdue"]) == (0, False)


@pytest.mark.parametrize("args,message", [
    (("--received", "2021-09-28", "--extension", "21"), "最长不得超过20个工作日"),
    (("--received", "2021-09-28", "--pause", "2021-10-12:2021-10-11"), "早于开始日期"),
    (("--received", "2021/09/28"), "无法识别"),
    (("--received", "2021-09-28", "--corrected", "昨天"), "无法识别"),
])
def test_cli_refusals(runner, args, message):
    result = _due(runner, *args, "--json")
    assert result.exit_code != 0
    assert message in result.output

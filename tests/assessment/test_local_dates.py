"""Local dates of UTC instants read as SQLite text agree with converting each instant in its zone."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tracker.assessment.queries import _LocalDates


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kathmandu", "Pacific/Chatham"])
def test_text_instants_give_the_zone_s_local_date(zone):
    tz = ZoneInfo(zone)
    local = _LocalDates(tz)
    # every 7 minutes 13.5 seconds for two weeks around a DST change (March 2021), plus the turns
    start = datetime(2021, 3, 7)
    instants = [start + timedelta(seconds=433.5 * i) for i in range(2800)]
    instants += [datetime(2021, 9, 29, 15, 59, 59, 999999), datetime(2021, 9, 29, 16),
                 datetime(2021, 9, 29, 16, 0, 0, 1)]
    for instant in instants:
        expected = instant.replace(tzinfo=timezone.utc).astimezone(tz).date()
        full = instant.strftime("%Y-%m-%d %H:%M:%S.%f")
        assert local.from_text(full) == expected, full
        if instant.microsecond == 0:
            assert local.from_text(instant.strftime("%Y-%m-%d %H:%M:%S")) == expected
    assert local.from_text(None) is None


def test_shanghai_turns_at_16_utc():
    local = _LocalDates(ZoneInfo("Asia/Shanghai"))
    assert local.from_text("2021-09-29 15:59:59.999999") == date(2021, 9, 29)
    assert local.from_text("2021-09-29 16:00:00.000000") == date(2021, 9, 30)
    assert local.from_text("2021-09-29 16:00:00") == date(2021, 9, 30)
    assert local.from_text("2021-09-29T16:00:00+00:00") == date(2021, 9, 30)

"""Helpers for the register tests: a request registered through the service, on a fixed calendar."""
from __future__ import annotations

from datetime import date

import pytest

from tracker.calendar import WorkCalendar
from tracker.disclosure import services

#: "today" of the service tests: late enough for every event below to have happened
AS_OF = date(2022, 3, 1)


@pytest.fixture
def cal():
    return WorkCalendar()


def register(world, *, unit=None, actor=None, received=date(2021, 9, 28), channel="in_person",
             applicant_type="natural", name="张三", contact="13800001234", content="申请公开2021年财政预算执行情况",
             confirmed=None, as_of=AS_OF, cal=None, **kw):
    return services.register_request(
        actor or world.reporter, unit=unit or world.finance, channel=channel, received_on=received,
        confirmed_on=confirmed, applicant_type=applicant_type, applicant_name=name, applicant_contact=contact,
        content=content, as_of=as_of, calendar=cal or WorkCalendar(), **kw)

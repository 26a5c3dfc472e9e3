"""信息处理费 scales, each amount worked out by hand from 国办函〔2020〕109号."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tracker.disclosure.fees import (
    FeeError,
    fee_by_count,
    fee_by_volume,
    price_of_nth_application,
)

pytestmark = pytest.mark.no_db


@pytest.mark.parametrize("earlier,count,amount", [
    (0, 1, 0),          # the 1st application
    (9, 1, 0),          # the 10th: last free one
    (10, 1, 100),       # the 11th: first paid one
    (29, 1, 100),       # the 30th: last at 100元
    (30, 1, 200),       # the 31st: the first band above 30
    (39, 1, 200),       # the 40th: last of that band
    (40, 1, 300),       # the 41st: next band
    (8, 5, 300),        # 9th–13th: 0 + 0 + 100 + 100 + 100
    (0, 35, 2000 + 1000),  # 11th–30th: 20 × 100 = 2000; 31st–35th: 5 × 200 = 1000
])
def test_by_count(earlier, count, amount):
    assert fee_by_count(earlier, count) == Decimal(amount)


@pytest.mark.parametrize("pages,amount", [
    (1, 0),
    (30, 0),                       # last free page
    (31, 10),                      # first paid page
    (100, 70 * 10),                # 31–100: 70 pages × 10
    (101, 700 + 20),               # first page at 20
    (200, 700 + 100 * 20),         # 101–200: 100 pages × 20 = 2000
    (201, 700 + 2000 + 40),        # first page at 40
    (250, 700 + 2000 + 50 * 40),   # 201–250: 50 pages × 40 = 2000
])
def test_by_volume(pages, amount):
    assert fee_by_volume(pages) == Decimal(amount)


def test_by_volume_is_the_sum_of_page_prices():
    from tracker.disclosure.fees import price_of_page

    for pages in (1, 31, 99, 100, 150, 200, 333):
        assert fee_by_volume(pages) == sum(price_of_page(p) for p in range(1, pages + 1))


def test_price_of_the_nth_application_by_band():
    assert [price_of_nth_application(n) for n in (10, 11, 30, 31, 40, 41, 50, 51)] == [0, 100, 100, 200, 200, 300, 300, 400]


@pytest.mark.parametrize("call", [lambda: fee_by_count(0, 0), lambda: fee_by_count(-1), lambda: fee_by_volume(0)])
def test_refusals(call):
    with pytest.raises(FeeError):
        call()

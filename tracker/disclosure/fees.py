"""信息处理费 under 国办函〔2020〕109号: pure amounts, in yuan, by the progressive (超额累进) scales.

- 按件计收 (第四条): counted per applicant over a calendar month. Applications 1–10 are free;
  the 11th–30th cost 100元 each; from the 31st, every band of 10 costs 100元 more each
  (31st–40th 200元, 41st–50th 300元, …).
- 按量计收 (第五条): counted per application by pages. Pages 1–30 are free; pages 31–100 cost
  10元 each; 101–200 cost 20元 each; from page 201, 40元 each.
"""
from __future__ import annotations

from decimal import Decimal


class FeeError(ValueError):
    """A quantity the scales cannot price; the message is Chinese."""


def price_of_nth_application(n: int) -> int:
    """Return the price of the applicant's n-th application in the month (1-based)."""
    if n <= 10:
        return 0
    if n <= 30:
        return 100
    return 100 + 100 * ((n - 31) // 10 + 1)


def fee_by_count(earlier: int, count: int = 1) -> Decimal:
    """Return the fee for `count` applications after `earlier` ones by the same applicant this month."""
    if earlier < 0:
        raise FeeError("本月此前的申请件数不能为负数。")
    if count < 1:
        raise FeeError("按件计收的件数至少为1件。")
    return Decimal(sum(price_of_nth_application(n) for n in range(earlier + 1, earlier + count + 1)))


def price_of_page(page: int) -> int:
    """Return the price of the page-th page of one application (1-based)."""
    if page <= 30:
        return 0
    if page <= 100:
        return 10
    if page <= 200:
        return 20
    return 40


def fee_by_volume(pages: int) -> Decimal:
    """Return the fee for an application of `pages` pages."""
    if pages < 1:
        raise FeeError("按量计收的页数至少为1页。")
    free, band2, band3 = 30, 100, 200
    amount = 10 * max(0, min(pages, band2) - free) + 20 * max(0, min(pages, band3) - band2) \
        + 40 * max(0, pages - band3)
    return Decimal(amount)

"""Sections 三 and 四 of the annual report, counted from the register; expected figures tallied by hand."""
from __future__ import annotations

from datetime import date

from tracker.disclosure import services
from tracker.disclosure.annual import figures

from .conftest import AS_OF, register

D = date


def _answer(world, req, category, on):
    services.answer(world.reporter, req, category=category, on=on, text="", as_of=AS_OF)


def _build(world):
    a = register(world, received=D(2020, 12, 21), applicant_type="natural")         # carried in, answered 2021
    _answer(world, a, "open", D(2021, 1, 11))
    b = register(world, received=D(2020, 12, 28), applicant_type="business")        # all in 2020
    _answer(world, b, "open", D(2020, 12, 30))
    c = register(world, received=D(2021, 3, 1), applicant_type="natural")
    _answer(world, c, "deny.secret", D(2021, 3, 19))
    d = register(world, received=D(2021, 5, 6), applicant_type="research")
    _answer(world, d, "partial", D(2021, 5, 20))
    register(world, received=D(2021, 12, 20), applicant_type="legal_service")         # open at year end
    f = register(world, received=D(2021, 12, 24), applicant_type="natural")          # answered next year
    _answer(world, f, "none.not_held", D(2022, 1, 5))
    other = register(world, unit=world.audit, actor=world.reporter2, received=D(2021, 3, 1))  # another unit
    _answer(world, other, "open", D(2021, 3, 2))
    review = services.add_appeal(world.reporter, c, kind="review", filed_on=D(2021, 4, 1), as_of=AS_OF)
    services.decide_appeal(world.reporter, review, result="corrected", decided_on=D(2021, 6, 1), as_of=AS_OF)
    suit = services.add_appeal(world.reporter, d, kind="suit_direct", filed_on=D(2021, 6, 1), as_of=AS_OF)
    services.decide_appeal(world.reporter, suit, result="upheld", decided_on=D(2022, 2, 1), as_of=AS_OF)


def _row(fig, key):
    r = fig.row(key)
    return {k: v for k, v in r.counts.items() if v}, r.total


def test_section_three(world):
    _build(world)
    fig = figures(world.finance.id, 2021)
    # 一: c, f (自然人), d (科研机构), e (法律服务机构)
    assert _row(fig, "new") == ({"natural": 2, "research": 1, "legal_service": 1}, 4)
    # 二: a (received 2020-12-21, unanswered on 1 January); b was answered in 2020
    assert _row(fig, "carried") == ({"natural": 1}, 1)
    assert _row(fig, "open") == ({"natural": 1}, 1)                  # a
    assert _row(fig, "deny.secret") == ({"natural": 1}, 1)           # c
    assert _row(fig, "partial") == ({"research": 1}, 1)              # d
    assert _row(fig, "none.not_held") == ({}, 0)                     # f is answered in 2022
    assert _row(fig, "total") == ({"natural": 2, "research": 1}, 3)
    # 四: e and f, unanswered on 31 December
    assert _row(fig, "forward") == ({"natural": 1, "legal_service": 1}, 2)
    # 一 + 二 = （七） + 四 in every column
    for col in fig.row("new").counts:
        assert fig.row("new").counts[col] + fig.row("carried").counts[col] == \
            fig.row("total").counts[col] + fig.row("forward").counts[col]
    assert fig.row("group:（三）不予公开").counts is None


def test_next_years_carry_over_is_this_years_carry_forward(world):
    _build(world)
    assert _row(figures(world.finance.id, 2022), "carried") == _row(figures(world.finance.id, 2021), "forward")
    assert _row(figures(world.finance.id, 2022), "none.not_held") == ({"natural": 1}, 1)


def test_section_four_result_as_of_year_end(world):
    _build(world)
    fig = figures(world.finance.id, 2021)
    assert fig.appeals["review"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0}
    # The lawsuit was decided in February 2022: at the end of 2021 it was still pending.
    assert fig.appeals["suit_direct"] == {"upheld": 0, "corrected": 0, "other": 0, "pending": 1}
    assert fig.appeal_total("suit_after_review") == 0
    assert figures(world.finance.id, 2022).appeals["suit_direct"]["upheld"] == 0  # filed in 2021, counted there


def test_annual_page(client, auth, world):
    _build(world)
    auth.login(world.reporter)
    page = client.get(f"/disclosure/annual?unit={world.finance.id}&year=2021").get_data(as_text=True)
    assert "二、上年结转政府信息公开申请数量" in page and "结转下年度继续办理" in page
    assert client.get(f"/disclosure/annual?unit={world.audit.id}&year=2021").status_code == 404

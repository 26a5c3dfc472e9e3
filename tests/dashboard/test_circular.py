from __future__ import annotations

from datetime import date

import pytest

from tracker.dashboard.circular import UnitFigures, draft_circular

pytestmark = pytest.mark.no_db


def test_draft_names_units_worst_first_and_is_marked_draft():
    units = [UnitFigures(f"单位{i}", 5, 1, 12 - i, 40 - i) for i in range(12)]
    text = draft_circular(plan_title="运城市2021年政务公开工作要点", doc_number="运政办发〔2021〕31号",
                          as_of=date(2021, 10, 8), tasks=37, assignments=120, completed=30, overdue=70,
                          units=units)
    assert text.splitlines()[0] == "关于《运城市2021年政务公开工作要点》（运政办发〔2021〕31号）落实情况的通报（草稿）"
    assert "截至2021年10月8日" in text and "办结率25.0%" in text and "涉及12个单位" in text
    assert "    1. 单位0：承办5项，已办结1项，逾期12项，累计逾期40个工作日。" in text
    assert "10. 单位9" in text and "单位10：" not in text
    assert "另有2个单位存在逾期事项" in text
    assert "仅供起草参考" in text


def test_draft_without_overdue_units():
    text = draft_circular(plan_title="计划", doc_number=None, as_of=date(2021, 10, 8), tasks=0, assignments=0,
                          completed=0, overdue=0, units=[])
    assert "办结率—" in text and "均无逾期未办结事项" in text and "（None）" not in text

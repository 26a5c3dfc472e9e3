"""Notices as .docx: opened with python-docx, the table rows and the official layout are checked."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import sqlalchemy as sa
from docx import Document
from docx.oxml.ns import qn

from tests.factories import TaskFactory
from tracker.calendar import default_calendar
from tracker.extensions import db
from tracker.supervise import queries, services
from tracker.supervise.models import EscalationNotice, RectificationNotice
from tracker.supervise.notices import DocItem, NoticeDoc, item_rows, render
from tracker.supervise.rules import circular_text, closed_periods, NamedUnit, notice_prefix, period_bounds

from .conftest import make_assignment


def _open(data: bytes):
    return Document(BytesIO(data))


def _rows(document, index: int = 0) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in document.tables[index].rows]


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text]


def test_render_lays_out_an_official_notice():
    doc = NoticeDoc(issuer="测试市人民政府办公室", doc_number="测政办整改〔2022〕1号", title="整改通知",
                    recipient="测试市财政局", issued_on=date(2022, 1, 20), intro=["经核查，以下事项尚未完成。"],
                    items=[DocItem("公开预算执行情况", "2", date(2021, 6, 30), "待整改", 137),
                           DocItem("持续公开", "4", None, "待整改", None)],
                    deadline=date(2022, 2, 15))
    document = _open(render(doc))
    assert _rows(document) == [
        ["序号", "任务", "条款", "原定时限", "状态", "逾期工作日"],
        ["1", "公开预算执行情况", "2", "2021年6月30日", "待整改", "137"],
        ["2", "持续公开", "4", "—", "待整改", "—"],
    ]
    texts = _texts(document)
    assert texts[:4] == ["测试市人民政府办公室", "测政办整改〔2022〕1号", "—" * 22, "整改通知"]
    assert texts[4] == "测试市财政局："
    assert "请于2022年2月15日前将整改情况及佐证材料报送，逐项说明整改措施和完成情况。" in texts
    assert texts[-2:] == ["测试市人民政府办公室", "2022年1月20日"]
    # Chinese glyphs come from the East Asian font setting of each run.
    body_run = next(p for p in document.paragraphs if p.text == "测试市财政局：").runs[0]
    assert body_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    header_run = document.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert header_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_rectification_notice_docx_from_the_database(world):
    t = TaskFactory(plan=world.plan, deadline=date(2021, 6, 30), deadline_kind="date", title="公开预算执行情况", ref="2")
    make_assignment(world, world.finance, date(2021, 6, 30), task=t)
    world.plan.issuer = "测试市人民政府办公室"
    services.lookback(world.plan, date(2022, 1, 20))
    notice = db.session.scalar(sa.select(RectificationNotice).where(RectificationNotice.unit_id == world.finance.id))
    doc = queries.rectification_doc(notice, queries.notice_items(notice), default_calendar())
    document = _open(render(doc))
    cal = default_calendar()
    assert _rows(document)[1:] == [
        ["1", "做好财政信息公开", "1", "2021年12月31日", "待整改", str(cal.workdays_between(date(2021, 12, 31), date(2022, 1, 20)))],
        ["2", "公开预算执行情况", "2", "2021年6月30日", "待整改", str(cal.workdays_between(date(2021, 6, 30), date(2022, 1, 20)))],
    ]
    assert _rows(document)[1][5] == "13"  # 4-7, 10-14 and 17-20 January 2022
    texts = _texts(document)
    assert "测政办整改〔2022〕1号" in texts and "测试市财政局：" in texts
    assert texts[-2:] == ["测试市人民政府办公室", "2022年1月20日"]


def test_escalation_and_reminder_docx(world):
    make_assignment(world, world.finance, date(2021, 9, 30), title="公开财政专项资金")
    make_assignment(world, world.finance, date(2021, 10, 18), title="公开政府采购信息")
    services.sweep(date(2021, 10, 14))
    notice = db.session.scalar(sa.select(EscalationNotice))
    document = _open(render(queries.escalation_doc(notice, queries.escalation_items(notice), default_calendar())))
    assert [r[1:] for r in _rows(document)[1:]] == [["公开财政专项资金", notice.items[0].assignment.task.ref,
                                                     "2021年9月30日", "逾期未办结", "6"]]
    assert "督办〔2021〕1号" in _texts(document)

    reminders = queries.reminders_of(world.finance.id, date(2021, 10, 14))
    document = _open(render(queries.reminder_doc(world.finance, date(2021, 10, 14), reminders, default_calendar())))
    assert [(r[1], r[4], r[5]) for r in _rows(document)[1:]] == [("公开财政专项资金", "逾期", "6"),
                                                                 ("公开政府采购信息", "临期", "—")]
    assert _texts(document)[0] == "测试市人民政府办公室"


def test_item_rows_number_from_one():
    assert item_rows([DocItem("甲", "1", date(2021, 1, 5), "逾期", 0)]) == [("1", "甲", "1", "2021年1月5日", "逾期", "0")]


def test_pure_rules():
    assert period_bounds(date(2021, 11, 15)) == (date(2021, 10, 1), date(2021, 12, 31))
    assert period_bounds(date(2021, 2, 28), "month") == (date(2021, 2, 1), date(2021, 2, 28))
    assert closed_periods(date(2021, 11, 15)) == [(date(2021, 1, 1), date(2021, 3, 31)),
                                                  (date(2021, 4, 1), date(2021, 6, 30)),
                                                  (date(2021, 7, 1), date(2021, 9, 30))]
    assert closed_periods(date(2022, 1, 10))[-1] == (date(2021, 10, 1), date(2021, 12, 31))
    assert len(closed_periods(date(2022, 1, 10))) == 4
    assert notice_prefix("运政办发〔2021〕31号", None) == "运政办整改"
    assert notice_prefix("三政办〔2021〕16号", None) == "三政办整改"
    assert notice_prefix(None, "孝义市人民政府办公室") == "孝政办整改"
    assert notice_prefix(None, None) == "整改"
    title, body = circular_text("criticism", plan_title="要点", plan_doc_number="测政办发〔2021〕1号",
                                as_of=date(2021, 11, 15), units=[NamedUnit("甲局", 3, 10)])
    assert title == "关于《要点》（测政办发〔2021〕1号）逾期未办结事项的通报"
    assert "1. 甲局：逾期未办结3项（共承办10项）。" in body.splitlines()

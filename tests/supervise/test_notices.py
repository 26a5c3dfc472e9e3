"""Notices as .docx: opened with python-docx, the table rows and the official layout are checked."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import sqlalchemy as sa
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from tests.factories import AssignmentFactory, TaskFactory, UnitFactory
from tracker.calendar import default_calendar
from tracker.extensions import db
from tracker.supervise import queries, services
from tracker.supervise.models import (
    EscalationNotice,
    IssuingOffice,
    RectificationNotice,
)
from tracker.supervise.notices import (
    DocItem,
    NoticeDoc,
    item_rows,
    render,
    text_width,
    title_lines,
)
from tracker.supervise.rules import (
    NamedUnit,
    circular_text,
    closed_periods,
    named_lines,
    notice_prefix,
    period_bounds,
)

from .conftest import make_assignment


def _open(data: bytes):
    return Document(BytesIO(data))


def _rows(document, index: int = 0) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in document.tables[index].rows]


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text]


def _footer_fields(document) -> list[str]:
    out = []
    for footer in (document.sections[0].footer, document.sections[0].even_page_footer):
        instr = "".join(t.text for t in footer._element.iter(qn("w:instrText")))
        out.append((footer.paragraphs[0].alignment, footer.paragraphs[0].text, instr.strip()))
    return out


def _keeps_with_signature(document, issuer: str) -> bool:
    """Every paragraph from the last body paragraph down to the signature keeps with the next."""
    paras = document.paragraphs
    sig = max(i for i, p in enumerate(paras) if p.text == issuer)
    last_body = max(i for i, p in enumerate(paras[:sig]) if p.text and not p.text.startswith(("附件", "2．")))
    return all(p.paragraph_format.keep_with_next for p in paras[last_body:sig + 1])


def _doc(**kw) -> NoticeDoc:
    base = dict(issuer="测试市人民政府办公室", doc_number="测政办整改〔2022〕1号", title="整改通知",
                recipient="测试市财政局", issued_on=date(2022, 1, 20), intro=["经核查，以下事项尚未完成。"],
                items=[DocItem("公开预算执行情况", "2", date(2021, 6, 30), "待整改", 137),
                       DocItem("持续公开", "4", None, "待整改", None, deadline_text="文件印发后24小时内")],
                deadline=date(2022, 2, 15), cc=["测试市政务公开领导小组成员单位"], contact="联系人：王敏，联系电话：0359-2022345")
    base.update(kw)
    return NoticeDoc(**base)


def test_render_lays_out_a_document_to_gbt_9704():
    document = _open(render(_doc()))
    assert _rows(document, 0) == [
        ["序号", "任务", "条款", "原定时限", "状态", "逾期工作日"],
        ["1", "公开预算执行情况", "2", "2021年6月30日", "待整改", "137"],
        ["2", "持续公开", "4", "文件印发后24小时内", "待整改", "—"],
    ]
    texts = _texts(document)
    assert texts[:3] == ["测试市人民政府办公室", "测政办整改〔2022〕1号", "整改通知"]
    assert texts[3] == "测试市财政局："
    assert "请于2022年2月15日前将整改情况及佐证材料报送，逐项说明整改措施和完成情况。" in texts
    assert texts[-3:] == ["测试市人民政府办公室", "2022年1月20日", "（联系人：王敏，联系电话：0359-2022345）"]
    # the red rule is a border under the 发文字号, across the whole block (no indents), not "———"
    number = next(p for p in document.paragraphs if p.text == "测政办整改〔2022〕1号")
    bottom = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == "E60012" and number.paragraph_format.left_indent is None
    assert not any("———" in t for t in texts)
    # page numbers: a PAGE field between one-em dashes, odd pages right, even pages left
    assert _footer_fields(document) == [(WD_ALIGN_PARAGRAPH.RIGHT, "— 1 —", "PAGE"),
                                        (WD_ALIGN_PARAGRAPH.LEFT, "— 1 —", "PAGE")]
    assert document.settings.odd_and_even_pages_header_footer
    # 版记: 抄送 across the block, then 印发机关 and 印发日期, between thick rules
    imprint = _rows(document, 1)
    assert imprint == [["抄送：测试市政务公开领导小组成员单位。"] * 2, ["测试市人民政府办公室", "2022年1月20日印发"]]
    assert _keeps_with_signature(document, "测试市人民政府办公室")
    # Chinese glyphs come from the East Asian font setting of each run; the fallback is in the font table.
    body_run = next(p for p in document.paragraphs if p.text == "测试市财政局：").runs[0]
    assert body_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    header_run = document.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert header_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    # table header repeats, rows never split
    first_row = document.tables[0].rows[0]._tr.trPr
    assert first_row.find(qn("w:tblHeader")) is not None and first_row.find(qn("w:cantSplit")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in document.tables[0].rows)


def test_letter_format_and_draft():
    document = _open(render(_doc(letter=True)))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert section.first_page_header.paragraphs[0].text == "测试市人民政府办公室"
    number = next(p for p in document.paragraphs if p.text == "测政办整改〔2022〕1号")
    assert number.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # a letter's 版记 has 抄送 only: no 印发 line, no rules; at the foot of the block like any 版记
    assert len(document.tables) == 2 and _rows(document, 1) == [["抄送：测试市政务公开领导小组成员单位。"] * 2]
    assert document.tables[1]._tbl.find(".//" + qn("w:tcBorders")) is None
    assert _texts(document)[-1] == "（联系人：王敏，联系电话：0359-2022345）"

    draft = _open(render(_doc(doc_number=None, is_draft=True, issued_on=None)))
    texts = _texts(draft)
    assert "草稿" in texts and not any("〔" in t for t in texts)
    assert not any(t.endswith("年1月20日") for t in texts)


def test_title_breaks_between_words():
    title = "关于《运城市2021年政务公开工作要点》落实情况“回头看”发现问题的整改通知"
    assert title_lines(title) == ["关于《运城市2021年政务公开工作要点》", "落实情况“回头看”发现问题的整改通知"]
    assert title_lines("整改通知") == ["整改通知"]
    lines = title_lines("关于《孝义市2020年政务公开工作实施方案》逾期未办结事项的通报")
    assert "".join(lines) == "关于《孝义市2020年政务公开工作实施方案》逾期未办结事项的通报"
    assert all(text_width(line) <= 20 for line in lines) and "《孝义市2020年政务公开工作实施方案》" in lines[0]
    # a plan title longer than a line breaks inside its 《》, but between words (not 规/范化)
    long = "关于《孝义市全面推进基层政务公开标准化规范化进一步做好政务公开工作实施方案》落实情况“回头看”发现问题的整改通知"
    assert title_lines(long) == ["关于《孝义市全面推进基层政务公开标准化", "规范化进一步做好政务公开工作实施方案》",
                                 "落实情况“回头看”发现问题的整改通知"]


def test_clause_as_written():
    assert queries.clause_label("二.（三）.7") == "二（三）7"
    assert queries.clause_label("1.3") == "1.3"
    assert queries.clause_label("（二）.1") == "（二）1"


def test_rectification_notice_docx_from_the_database(world):
    t = TaskFactory(plan=world.plan, deadline=date(2021, 6, 30), deadline_kind="date", title="公开预算执行情况",
                    ref="二.（三）.7", text="公开预算执行情况，细化到功能分类项级科目和经济分类款级科目。",
                    deadline_text="文件印发后24小时内")
    make_assignment(world, world.finance, date(2021, 6, 30), task=t)
    world.plan.issuer = "测试市人民政府办公室"
    db.session.add(IssuingOffice(name="测试市人民政府办公室", code="测政办", letter_format=False,
                                 contact="联系人：王敏，联系电话：0359-2022345", cc="市委办公室，市人大办公室"))
    services.lookback(world.plan, date(2022, 1, 20))
    notice = db.session.scalar(sa.select(RectificationNotice).where(RectificationNotice.unit_id == world.finance.id))
    doc = queries.rectification_doc(notice, queries.notice_items(notice), default_calendar())
    document = _open(render(doc))
    assert doc.recipient != doc.issuer
    listing = _rows(document, 0)
    assert listing[0] == ["序号", "条款", "任务内容", "原定时限", "整改措施", "责任人", "整改时限"]
    assert listing[2] == ["2", "二（三）7", "公开预算执行情况，细化到功能分类项级科目和经济分类款级科目。",
                          "文件印发后24小时内", "", "", "2022年2月15日"]
    receipt = [r[0] for r in _rows(document, 1)]
    assert receipt == ["单位（盖章）", "负责人", "联系人", "联系电话", "整改完成情况", "日期"]
    texts = _texts(document)
    assert "测政办整改〔2022〕1号" in texts and "测试市财政局：" in texts
    assert "附件：1．整改事项清单" in texts and "2．整改情况回执" in texts
    assert "（联系人：王敏，联系电话：0359-2022345）" in texts
    assert _rows(document, 2)[0][0] == "抄送：市委办公室，市人大办公室。"
    assert _keeps_with_signature(document, "测试市人民政府办公室")


def test_escalations_numbered_per_office(world):
    first = make_assignment(world, world.finance, date(2021, 9, 30), title="公开财政专项资金")
    second = make_assignment(world, world.finance, date(2021, 10, 18), title="公开政府采购信息")
    first.task.text = "公开财政专项资金的分配结果和使用情况。"
    second.task.text = "公开政府采购项目的采购意向、采购公告和合同。"
    other = TaskFactory(plan=world.other_plan, deadline=date(2021, 9, 30), deadline_kind="date")
    other_unit = UnitFactory(name="乙市财政局", parent=world.other_city)
    AssignmentFactory(task=other, unit=other_unit, role="lead", due_on=date(2021, 9, 30), deadline_kind="date")
    world.plan.issuer, world.other_plan.issuer = "测试市人民政府办公室", "乙市人民政府办公室"
    db.session.add_all([IssuingOffice(name="测试市人民政府办公室", code="测政办"),
                        IssuingOffice(name="乙市人民政府办公室", code="乙政办")])
    services.sweep(date(2021, 10, 14))
    numbers = {n.unit_id: n.doc_number for n in db.session.scalars(sa.select(EscalationNotice))}
    # each office counts from 1: the two cities do not share a counter
    assert numbers == {world.finance.id: "测政办督〔2021〕1号", other_unit.id: "乙政办督〔2021〕1号"}
    notice = db.session.scalar(sa.select(EscalationNotice).where(EscalationNotice.unit_id == world.finance.id))
    doc = queries.escalation_doc(notice, queries.escalation_items(notice), default_calendar())
    document = _open(render(doc))
    assert doc.letter and document.sections[0].first_page_header.paragraphs[0].text == "测试市人民政府办公室"
    task = notice.items[0].assignment.task
    assert task.title == "公开财政专项资金"  # the 督办单 shows the task's full text, not the short title
    # 8-14 October, the make-up workday of the 9th included, as the status module counts them
    assert [r[2:5] for r in _rows(document, 0)[1:]] == [[task.text, "2021年9月30日", "6"]]
    assert "测政办督〔2021〕1号" in _texts(document) and "督办单" in _texts(document)

    reminders = queries.reminders_of(world.finance.id, date(2021, 10, 14))
    document = _open(render(queries.reminder_doc(world.finance, date(2021, 10, 14), reminders, default_calendar())))
    # the task as the plan words it, never the short title cut with …
    assert [(r[1], r[4], r[5]) for r in _rows(document)[1:]] == [("公开财政专项资金的分配结果和使用情况。", "逾期", "6"),
                                                                 ("公开政府采购项目的采购意向、采购公告和合同。", "临期", "—")]
    assert document.sections[0].first_page_header.paragraphs[0].text == "测试市人民政府办公室"


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
                                as_of=date(2021, 11, 15), units=[NamedUnit("甲局", 1, 26)])
    assert title == "关于《要点》（测政办发〔2021〕1号）逾期未办结事项的通报"
    # one overdue item of 26 is not "较多"; the units are listed in the document's table, not the text
    assert "以下单位存在逾期未办结事项（按逾期事项数排列，数量相同的按单位序列排列）：" in body.splitlines()
    assert "较多" not in body and "甲局" not in body and "1个" not in body
    assert named_lines("criticism", [("甲局", 3)]) == ["1. 甲局：逾期未办结3项。"]


def test_circular_names_ties_together_in_official_order_and_never_the_issuer(world):
    """Limit 1: the county and the audit office tie on 2 overdue items, so both are named; the issuer is not."""
    office = UnitFactory(name="测试市人民政府办公室", parent=world.city)
    world.plan.issuer = office.name
    for unit, n in ((office, 3), (world.audit, 2), (world.county, 2), (world.finance, 1)):
        for i in range(n):
            make_assignment(world, unit, date(2021, 9, 30), title=f"{unit.name}任务{i}")
    # the county is listed before the audit office in the directory, though created after it
    world.county.sort_order, world.audit.sort_order = 1, 2
    named = services.named_units(world.plan, date(2021, 11, 15), "criticism", limit=1)
    assert [(f.name, f.count) for _, f in named] == [("测试县人民政府", 2), ("测试市审计局", 2)]
    circular = services.draft_circular(world.supervisor, world.plan, kind="criticism", as_of=date(2021, 11, 15),
                                       limit=1)
    assert [cu.unit_id for cu in circular.units] == [world.county.id, world.audit.id]
    assert office.id not in {cu.unit_id for cu in circular.units}

"""The six documents: what each says, checked in the .docx a clerk downloads."""
from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from docx import Document

from tracker.disclosure import documents, services
from tracker.errors import ServiceError

from .conftest import AS_OF, register

D = date


def _text(data: bytes) -> str:
    doc = Document(BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    return "\n".join(parts)


@pytest.fixture
def full(world, cal):
    """A request through correction, consultation, extension, fee and answer (received Tue 2021-09-28)."""
    req = register(world, cal=cal, name="张三丰")
    services.send_correction_notice(world.reporter, req, on=D(2021, 9, 30), reason="请说明所需信息的具体年度。",
                                    as_of=AS_OF, calendar=cal)
    services.record_correction(world.reporter, req, on=D(2021, 10, 11), as_of=AS_OF, calendar=cal)
    services.start_pause(world.reporter, req, kind="third_party", start_on=D(2021, 10, 12), party="运城某建设有限公司",
                         as_of=AS_OF, calendar=cal)
    services.end_pause(world.reporter, req, end_on=D(2021, 10, 15), as_of=AS_OF, calendar=cal)
    services.extend(world.reporter, req, days=10, approver="李主任", reason="需要调取多个年度的档案",
                    approved_at=datetime(2021, 11, 5, 2, 0, tzinfo=UTC), as_of=AS_OF, calendar=cal)
    services.send_fee_notice(world.reporter, req, method="by_volume", quantity=120, on=D(2021, 11, 10), as_of=AS_OF, calendar=cal)
    services.record_fee_paid(world.reporter, req, on=D(2021, 11, 12), as_of=AS_OF, calendar=cal)
    services.answer(world.reporter, req, category="partial", on=D(2021, 11, 30), text="附件：招标文件（节选）。",
                    as_of=AS_OF, calendar=cal)
    return req


def test_the_documents_a_full_history_supports(full):
    assert [k for k, _ in documents.available(full)] == ["receipt", "correction", "extension", "third_party", "fee", "answer"]


def test_receipt(full, cal):
    data, name = documents.render_for(full, "receipt", as_of=AS_OF, calendar=cal)
    text = _text(data)
    assert name == "登记回执-2021-0001.docx"
    assert "政府信息公开申请登记回执" in text and "张三丰：" in text and "当面" in text
    assert "第三十一条、第三十三条" in text


def test_correction_notice(full, cal):
    text = _text(documents.render_for(full, "correction", as_of=AS_OF, calendar=cal)[0])
    # Notice on Thu 2021-09-30; 15 working days: 10-8, 10-9 (make-up), 10-11..10-15 (3..7), 10-18..10-22 (8..12),
    # 10-25, 10-26, 10-27 (13..15).
    assert "请说明所需信息的具体年度。" in text and "请于2021年10月27日前补正" in text
    assert "第三十条" in text and "视为放弃申请" in text


def test_extension_notice(full, cal):
    text = _text(documents.render_for(full, "extension", as_of=AS_OF, calendar=cal)[0])
    assert "第三十三条第二款" in text and "延长10个工作日" in text
    assert f"最迟于{full.due_on.year}年{full.due_on.month}月{full.due_on.day}日前" in text


def test_third_party_letter_leaves_the_applicant_out(full, cal):
    text = _text(documents.render_for(full, "third_party", as_of=AS_OF, calendar=cal)[0])
    # Sent Tue 2021-10-12; 15 working days: 10-13..10-15 (1..3), 10-18..10-22 (4..8), 10-25..10-29 (9..13), 11-1, 11-2.
    assert "运城某建设有限公司：" in text and "第三十二条" in text and "2021年11月2日前" in text
    assert "张三丰" not in text


def test_fee_notice(full, cal):
    text = _text(documents.render_for(full, "fee", as_of=AS_OF, calendar=cal)[0])
    # 120 pages: 31–100 at 10 = 700, 101–120 at 20 = 400.
    assert "120页" in text and "1100.00元" in text and "国办函〔2020〕109号" in text
    # Notice Wed 2021-11-10: 20 working days: 11-11, 11-12, 11-15..11-19 (3..7), 11-22..11-26 (8..12),
    # 11-29..12-3 (13..17), 12-6, 12-7, 12-8 (18..20).
    assert "2021年12月8日前" in text


def test_answer_cites_the_article_and_remedies(full, cal):
    text = _text(documents.render_for(full, "answer", as_of=AS_OF, calendar=cal)[0])
    assert "第三十七条" in text and "区分处理" in text and "附件：招标文件（节选）。" in text
    assert "行政复议" in text and "行政诉讼" in text


def test_a_document_the_history_does_not_support_is_refused(world, cal):
    req = register(world, cal=cal)
    with pytest.raises(ServiceError, match="尚无可生成的补正告知书"):
        documents.render_for(req, "correction", as_of=AS_OF, calendar=cal)


# --- how the documents address the applicant, and the answer's attachments (issue 18) -------------


def _answered(world, cal, applicant_type: str, category: str = "open", files: tuple[str, ...] = ()):
    import io

    req = register(world, cal=cal, applicant_type=applicant_type, name="张三" if applicant_type == "natural" else "某某有限公司")
    if files:
        # uploaded before the answer: the application's scan, never an attachment of the answer
        services.attach_documents(world.reporter, req, [("申请书扫描件.pdf", io.BytesIO(b"%PDF-1.4 a\n"))], as_of=AS_OF)
        for d in req.documents:
            d.created_at = datetime(2021, 9, 28, 2, tzinfo=UTC)
    services.answer(world.reporter, req, category=category, on=D(2021, 10, 20), text="", as_of=AS_OF, calendar=cal)
    if files:
        services.attach_documents(world.reporter, req, [(name, io.BytesIO(f"%PDF-1.4 {name}\n".encode()))
                                                        for name in files], as_of=AS_OF)
    return req


def test_a_natural_person_is_addressed_as_nin_an_organisation_as_ni_danwei(world, cal):
    person = _answered(world, cal, "natural")
    text = _text(documents.render_for(person, "answer", as_of=AS_OF, calendar=cal)[0])
    assert "您于2021年9月28日" in text and "您申请公开的政府信息属于公开范围" in text
    assert "（单位）" not in text and "你单位" not in text
    company = _answered(world, cal, "business")
    for kind in ("receipt", "answer"):
        text = _text(documents.render_for(company, kind, as_of=AS_OF, calendar=cal)[0])
        assert "你单位于2021年9月28日" in text and "您" not in text, kind
    assert "你单位申请公开的政府信息属于公开范围" in text


def test_an_answer_without_files_says_no_see_attachment_and_has_no_note(world, cal):
    text = _text(documents.render_for(_answered(world, cal, "natural"), "answer", as_of=AS_OF, calendar=cal)[0])
    assert "现予以提供。根据" in text
    assert "见附件" not in text and "附件：" not in text


def test_an_answer_with_files_names_them_in_the_attachment_note(world, cal):
    one = _answered(world, cal, "natural", files=("2021年财政预算执行情况.pdf",))
    doc = Document(BytesIO(documents.render_for(one, "answer", as_of=AS_OF, calendar=cal)[0]))
    paragraphs = [p.text for p in doc.paragraphs]
    assert any("现予以提供（见附件）。" in t for t in paragraphs)
    # the note names the file provided, not the application's scan uploaded before the answer
    assert "附件：2021年财政预算执行情况" in paragraphs and not any("申请书扫描件" in t for t in paragraphs)
    # the note comes before the signature; a file needs no page of its own
    assert paragraphs.index("附件：2021年财政预算执行情况") < len(paragraphs) - 1 - paragraphs[::-1].index("测试市财政局")
    assert not any(t.strip() == "附件" for t in paragraphs)
    two = _answered(world, cal, "research", category="partial", files=("预算表.pdf", "说明.pdf"))
    paragraphs = [p.text for p in Document(BytesIO(documents.render_for(two, "answer", as_of=AS_OF, calendar=cal)[0])).paragraphs]
    assert any("现提供可以公开的部分（见附件）。" in t for t in paragraphs)
    assert "附件：1．预算表" in paragraphs and "2．说明" in paragraphs

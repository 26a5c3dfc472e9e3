"""Plans received as PDF, .doc or .wps: text layers, page furniture, scans, passwords, bombs."""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.plans.conftest import SEED_PLANS, seed_text
from tracker.plans.draft import ParseError, PlanDraft
from tracker.plans.pages import is_page_number, join_pages, strip_page_numbers
from tracker.plans.parser import parse_document, parse_file
from tracker.plans.readers import MAX_PDF_PAGES, read_document

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_office = pytest.mark.skipif(OFFICE is None, reason="LibreOffice (soffice) is not installed; CI installs it")
RUNNING_HEAD = "政务公开工作文件汇编"


def seed_docx(city: str) -> Document:
    """The seed as a Word document: tab-separated lines become a ruled table, each page carries a
    running head and a footer "— N —"."""
    doc = Document()
    lines = seed_text(city).split("\n")
    i = 0
    while i < len(lines):
        if "\t" not in lines[i]:
            doc.add_paragraph(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and "\t" in lines[j]:
            j += 1
        rows = [line.split("\t") for line in lines[i:j]]
        table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows), style="Table Grid")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        i = j
    section = doc.sections[0]
    section.header.paragraphs[0].text = RUNNING_HEAD
    footer = section.footer.paragraphs[0]
    footer.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    footer._p.append(field)
    footer.add_run(" —")
    return doc


def convert(tmp: Path, sources: list[Path], target: str) -> None:
    subprocess.run([OFFICE, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--convert-to",
                    target, "--outdir", str(tmp), *map(str, sources)], check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="session")
def office_files(tmp_path_factory) -> Path:
    """Each seed as PDF (through LibreOffice) and 三门峡's as .doc, made once per session."""
    if OFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it")
    tmp = tmp_path_factory.mktemp("office")
    sources = []
    for city in SEED_PLANS:
        path = tmp / f"{city}.docx"
        seed_docx(city).save(path)
        sources.append(path)
    convert(tmp, sources, "pdf")
    convert(tmp, [tmp / "sanmenxia.docx"], "doc")
    return tmp


def task_keys(draft: PlanDraft) -> list[tuple]:
    return [(t.ref, t.path, t.lead_units, t.responsible_units, t.cooperating_units, t.deadline.kind,
             t.deadline.date, [(u.units, u.deadline.date) for u in t.deadlines_by_unit]) for t in draft.tasks]


def pdf_with_pages(count: int) -> bytes:
    import pypdfium2

    doc = pypdfium2.PdfDocument.new()
    for _ in range(count):
        doc.new_page(595, 842)
    buffer = io.BytesIO()
    doc.save(buffer)
    doc.close()
    return buffer.getvalue()


def scanned(pdf: bytes) -> bytes:
    """Render a PDF's first page to an image and make a PDF of that image alone, as a scanner does."""
    import pypdfium2

    source = pypdfium2.PdfDocument(pdf)
    image = source[0].render(scale=1).to_pil()
    doc = pypdfium2.PdfDocument.new()
    page = doc.new_page(595, 842)
    obj = pypdfium2.PdfImage.new(doc)
    obj.set_bitmap(pypdfium2.PdfBitmap.from_pil(image))
    obj.set_matrix(pypdfium2.PdfMatrix().scale(595, 842))
    page.insert_obj(obj)
    page.gen_content()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- seeds through PDF and .doc ----------------------------------------------------------------


@needs_office
@pytest.mark.parametrize("city", list(SEED_PLANS))
def test_seed_from_pdf_has_the_same_tasks(office_files, city):
    from_text = parse_document(seed_text(city))
    from_pdf = parse_file(f"{city}.pdf", (office_files / f"{city}.pdf").read_bytes())
    assert task_keys(from_pdf) == task_keys(from_text)
    assert (from_pdf.doc_number, from_pdf.year, from_pdf.issued_on) == (from_text.doc_number, from_text.year, from_text.issued_on)


@needs_office
def test_pdf_text_has_no_page_numbers_or_running_heads(office_files):
    text = read_document("p.pdf", (office_files / "xiaoyi.pdf").read_bytes()).text
    assert RUNNING_HEAD not in text
    assert not [line for line in text.split("\n") if is_page_number(line)]
    assert "— 2 —" not in text


@needs_office
def test_doc_through_libreoffice_has_the_same_tasks(office_files):
    data = (office_files / "sanmenxia.doc").read_bytes()
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    for name in ("sanmenxia.doc", "sanmenxia.wps"):
        assert task_keys(parse_file(name, data)) == task_keys(parse_document(seed_text("sanmenxia")))


# --- bad files ----------------------------------------------------------------------------------


@needs_office
def test_scanned_pdf_needs_ocr(office_files):
    with pytest.raises(ParseError) as excinfo:
        read_document("扫描件.pdf", scanned((office_files / "mudan.pdf").read_bytes()))
    assert "扫描件" in str(excinfo.value) and "OCR" in str(excinfo.value)


@needs_office
def test_encrypted_pdf(office_files, tmp_path):
    options = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
               '"DocumentOpenPassword":{"type":"string","value":"mima2023"}}')
    convert(tmp_path, [office_files / "mudan.docx"], options)
    with pytest.raises(ParseError, match="PDF 文件已加密，需要密码"):
        read_document("加密.pdf", (tmp_path / "mudan.pdf").read_bytes())


def test_pdf_of_500_pages_is_refused():
    with pytest.raises(ParseError, match="500 页.*300 页"):
        read_document("厚.pdf", pdf_with_pages(500))


def test_pdf_on_the_page_bound_is_read_as_blank():
    # 300 blank pages pass the bound and are then found to have no text layer.
    with pytest.raises(ParseError, match="扫描件"):
        read_document("薄.pdf", pdf_with_pages(MAX_PDF_PAGES))


@pytest.mark.parametrize("data", [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", b"%PDF-1.4\n" + b"\x00" * 300])
def test_damaged_pdf(data):
    with pytest.raises(ParseError, match="PDF"):
        read_document("坏.pdf", data)


@needs_office
def test_doc_libreoffice_cannot_open():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(ParseError, match="LibreOffice 无法打开旧版 Word/WPS 文档"):
        read_document("坏.doc", data)


def test_doc_without_libreoffice(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no soffice to be found
    with pytest.raises(ParseError, match="服务器未安装 LibreOffice.*另存为 .docx"):
        read_document("旧.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)


def test_bad_pdf_saves_nothing(world):
    from tracker.errors import ServiceError
    from tracker.extensions import db
    from tracker.plans.models import PlanImport
    from tracker.plans.services import start_import

    with pytest.raises(ServiceError, match="500 页"):
        start_import(None, world.city, filename="厚.pdf", data=pdf_with_pages(500))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanImport)) == 0


# --- page furniture ------------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["— 3 —", "- 12 -", "－3－", "第 3 页", "第3页 共12页", "3 / 12", "  —  27  —  "])
def test_page_number_forms(line):
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["3", "2021—2023年", "一、总体要求", "1. 公开预算", "第三条", "3/12项任务已完成"])
def test_not_page_numbers(line):
    assert not is_page_number(line)


def test_page_numbers_stripped_from_pasted_text():
    text = "一、加强组织领导\n— 1 —\n（一）明确责任。各部门要落实责任。\n第2页 共3页\n"
    assert strip_page_numbers(text) == "一、加强组织领导\n（一）明确责任。各部门要落实责任。\n"
    assert read_document("要点.txt", text.encode("utf-8")).text == strip_page_numbers(text)


def test_join_pages_drops_running_heads_and_bare_page_numbers():
    body = ["一、总体要求。", "二、主要任务。", "三、保障措施。", "四、工作要求。"]
    pages = [[("某县人民政府办公室", False), (text, False), (str(n), False)] for n, text in enumerate(body, start=1)]
    pages[1].insert(2, ("3", False))  # a number inside page 2 that is not its page number is content
    assert join_pages(pages) == "一、总体要求。\n二、主要任务。\n3\n三、保障措施。\n四、工作要求。"


def test_join_pages_joins_wrapped_lines_but_not_a_new_point():
    pages = [[("（一）做好预算公开。各部门要在批复后", True), ("20日内公开部门预算。", False),
              ("做好决算公开工作，按规定时间", True)],
             [("（二）做好解读。", False)]]
    assert join_pages(pages) == "（一）做好预算公开。各部门要在批复后20日内公开部门预算。\n做好决算公开工作，按规定时间\n（二）做好解读。"


def test_join_pages_rejoins_a_table_row_split_by_the_page_break():
    pages = [[("序号\t任务\t责任单位", False), ("1\t做好公开，及时\t市财政局、", False)],
             [("\t更新专栏。\t市审计局", False), ("2\t做好解读。\t市司法局", False)]]
    assert join_pages(pages).split("\n") == ["序号\t任务\t责任单位", "1\t做好公开，及时更新专栏。\t市财政局、市审计局",
                                             "2\t做好解读。\t市司法局"]


# --- fuzzing the new readers ---------------------------------------------------------------------

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def outcome(call) -> None:
    try:
        result = call()
    except ParseError as exc:
        assert str(exc)
        return
    assert isinstance(result, PlanDraft) and result.tasks


@FUZZ
@given(st.binary(max_size=800), st.sampled_from(["%PDF-1.4\n", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]))
def test_random_pdfs(body, head):
    outcome(lambda: parse_file("随机.pdf", head.encode("latin-1") + body))


@needs_office
@FUZZ
@given(st.sampled_from(list(SEED_PLANS)), st.floats(0.0, 1.0))
def test_truncated_pdfs(office_files, city, fraction):
    data = (office_files / f"{city}.pdf").read_bytes()
    outcome(lambda: parse_file("截断.pdf", data[: int(len(data) * fraction)]))


@needs_office
@FUZZ
@given(st.floats(0.0, 1.0))
def test_truncated_docx(office_files, fraction):
    data = (office_files / "mudan.docx").read_bytes()
    outcome(lambda: parse_file("截断.docx", data[: int(len(data) * fraction)]))


@needs_office
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(0.01, 0.9))
def test_truncated_doc(office_files, fraction):
    # each damaged .doc costs a LibreOffice start: a few examples
    data = (office_files / "sanmenxia.doc").read_bytes()
    outcome(lambda: parse_file("截断.doc", data[: int(len(data) * fraction)]))

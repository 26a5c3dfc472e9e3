"""Reading uploads: text encodings, .docx, .xlsx, and every kind of bad file."""
from __future__ import annotations

import io
import time
import zipfile

import pytest
from docx import Document
from openpyxl import Workbook

from tracker.plans.draft import ParseError
from tracker.plans.readers import MAX_COLS, MAX_MERGES, MAX_PARAGRAPHS, MAX_PART_BYTES, MAX_ROWS, MAX_TEXT_CHARS, read_document

PLAN = "一、加强组织领导\n（一）明确责任。各部门要落实责任。（责任单位：市财政局）\n"


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None, tail: str = "") -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    if tail:
        document.add_paragraph(tail)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx(sheets: dict[str, list[list[str]]], merges: dict[str, list[str]] | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        ws = workbook.create_sheet(title)
        for row in rows:
            ws.append(row)
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class TestText:
    def test_utf8(self):
        doc = read_document("plan.txt", PLAN.encode("utf-8"))
        assert doc.kind == "text"
        assert doc.text == PLAN
        assert doc.encoding == "utf-8"

    def test_utf8_with_bom_loses_the_bom(self):
        doc = read_document("plan.txt", b"\xef\xbb\xbf" + PLAN.encode("utf-8"))
        assert doc.text.startswith("一、加强组织领导")

    @pytest.mark.parametrize("encoding", ["gbk", "gb18030", "gb2312"])
    def test_chinese_national_encodings(self, encoding):
        doc = read_document("plan.txt", PLAN.encode(encoding))
        assert doc.text == PLAN
        assert doc.encoding is not None and doc.encoding.replace("_", "").lower() != "utf8"

    def test_gbk_seed_document_round_trips(self):
        from tests.plans.conftest import seed_text

        text = seed_text("sanmenxia")
        doc = read_document("三门峡.txt", text.encode("gbk"))
        assert doc.text == text

    def test_utf16_with_bom(self):
        doc = read_document("plan.txt", PLAN.encode("utf-16"))
        assert doc.text == PLAN

    def test_windows_line_endings_become_newlines(self):
        doc = read_document("plan.txt", PLAN.replace("\n", "\r\n").encode("utf-8"))
        assert "\r" not in doc.text
        assert doc.text.count("\n") == 2

    def test_extension_does_not_decide(self):
        doc = read_document("plan.pdf", PLAN.encode("utf-8"))
        assert doc.kind == "text"


class TestBadInput:
    @pytest.mark.parametrize("data", [b"", b"   \n\t  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \r\n"])
    def test_empty(self, data):
        with pytest.raises(ParseError, match="文件为空"):
            read_document("plan.txt", data)

    @pytest.mark.parametrize(
        "data, label",
        [
            (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG 图片"),
            (b"\xff\xd8\xff\xe0" + b"JFIF" + b"\x00" * 64, "JPEG 图片"),
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF 文件"),
            (b"MZ\x90\x00\x03\x00\x00\x00", "可执行程序"),
            (b"GIF89a\x01\x00", "GIF 图片"),
        ],
    )
    def test_binary_renamed_to_txt(self, data, label):
        with pytest.raises(ParseError) as excinfo:
            read_document("plan.txt", data)
        assert label in str(excinfo.value)
        assert "请上传" in str(excinfo.value)

    def test_nul_bytes(self):
        with pytest.raises(ParseError, match="空字节"):
            read_document("plan.txt", b"abc\x00def" * 10)

    def test_low_printable_ratio(self):
        data = bytes(range(1, 9)) * 50 + "一、任务".encode("utf-8")
        with pytest.raises(ParseError, match="二进制或图片"):
            read_document("plan.txt", data)

    def test_docx_that_is_not_a_zip(self):
        with pytest.raises(ParseError) as excinfo:
            read_document("要点.docx", "这不是Word文档".encode("utf-8"))
        message = str(excinfo.value)
        assert "Word 文档" in message and "不是有效的" in message

    def test_xlsx_that_is_not_a_zip(self):
        with pytest.raises(ParseError, match="Excel 工作簿"):
            read_document("分解表.xlsx", b"\x01\x02garbage")

    def test_zip_that_is_neither_docx_nor_xlsx(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        with pytest.raises(ParseError, match="既不是 Word"):
            read_document("plan.docx", buffer.getvalue())

    def test_damaged_zip(self):
        with pytest.raises(ParseError, match="损坏"):
            read_document("plan.docx", b"PK\x03\x04" + b"\x00" * 40)

    def test_xlsx_without_a_decomposition_header(self):
        data = make_xlsx({"Sheet1": [["姓名", "电话"], ["张三", "123"]]})
        with pytest.raises(ParseError) as excinfo:
            read_document("名单.xlsx", data)
        assert "没有找到任务分解表的表头" in str(excinfo.value)
        assert "责任单位" in str(excinfo.value)

    def test_too_big(self):
        data = ("一、任务\n" * 1000).encode("utf-8")
        with pytest.raises(ParseError, match="文件过大"):
            read_document("plan.txt", data, max_bytes=1000)

    def test_default_limit_is_20_mb(self):
        with pytest.raises(ParseError, match="上限为 20 MB"):
            read_document("plan.txt", b"a" * (20 * 1024 * 1024 + 1))

    def test_docx_with_no_text(self):
        with pytest.raises(ParseError, match="没有文字内容"):
            read_document("空.docx", make_docx([]))


class TestDocx:
    def test_paragraphs_and_table_in_document_order(self):
        data = make_docx(
            ["运城市2021年政务公开工作要点", "一、扩大公开范围"],
            table=[["序号", "公开任务", "责任部门"], ["1", "做好财政信息公开", "市财政局"]],
            tail="抄送：市委办公室。",
        )
        doc = read_document("要点.docx", data)
        assert doc.kind == "docx"
        lines = [line for line in doc.text.split("\n") if line]
        assert lines == [
            "运城市2021年政务公开工作要点",
            "一、扩大公开范围",
            "序号\t公开任务\t责任部门",
            "1\t做好财政信息公开\t市财政局",
            "抄送：市委办公室。",
        ]

    def test_cell_with_several_paragraphs_is_one_value(self):
        document = Document()
        grid = document.add_table(rows=1, cols=2)
        grid.cell(0, 0).text = "序号"
        cell = grid.cell(0, 1)
        cell.text = "各县（市、区）人民政府、"
        cell.add_paragraph("市直各有关单位")
        buffer = io.BytesIO()
        document.save(buffer)
        doc = read_document("表.docx", buffer.getvalue())
        assert "序号\t各县（市、区）人民政府、市直各有关单位" in doc.text

    def test_docx_named_txt_is_still_read_as_docx(self):
        doc = read_document("要点.txt", make_docx(["一、加强领导"]))
        assert doc.kind == "docx"
        assert doc.text.strip() == "一、加强领导"


class TestXlsx:
    HEADER = ["序号", "重点任务", "具体措施", "责任单位", "完成时限"]

    def test_rows_with_merged_cells_filled_from_top_left(self):
        rows = [
            ["某市2021年政务公开任务分解表", "", "", "", ""],
            self.HEADER,
            ["1", "推进财政公开", "公开预算", "市财政局", "6月底前"],
            [None, None, "公开决算", None, "9月底前"],
        ]
        data = make_xlsx({"任务": rows}, merges={"任务": ["A1:E1", "A3:A4", "B3:B4", "D3:D4"]})
        doc = read_document("分解表.xlsx", data)
        assert doc.kind == "xlsx"
        assert doc.rows[3] == ["1", "推进财政公开", "公开决算", "市财政局", "9月底前"]
        assert doc.rows[0] == ["某市2021年政务公开任务分解表"] * 5
        assert "公开决算\t市财政局" in doc.text

    def test_sheet_with_the_header_is_chosen(self):
        data = make_xlsx(
            {
                "说明": [["填表说明"], ["请按要求填写"]],
                "分解表": [self.HEADER, ["1", "做好规划公开", "公开规划", "市发展改革委", "年底前"]],
            }
        )
        doc = read_document("分解表.xlsx", data)
        assert doc.rows[0] == self.HEADER
        assert [s.name for s in doc.sheets] == ["说明", "分解表"]
        assert doc.text.startswith("序号\t重点任务")

    def test_numbers_become_text(self):
        data = make_xlsx({"S": [self.HEADER, [1, "任务", "措施", "市财政局", "年底前"]]})
        doc = read_document("t.xlsx", data)
        assert doc.rows[1][0] == "1"

    def test_date_and_float_cells_read_as_written(self):
        from datetime import datetime

        data = make_xlsx({"S": [self.HEADER, [2.0, "任务", "措施", "市财政局", datetime(2021, 6, 30)]]})
        doc = read_document("t.xlsx", data)
        assert doc.rows[1][0] == "2"
        assert doc.rows[1][4] == "2021年6月30日"


def _rewrite(package: bytes, name: str, edit) -> bytes:
    """Return the package with one part replaced by edit(old bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, edit(data) if info.filename == name else data)
    return out.getvalue()


TABLE = [["序号", "工作任务", "责任单位", "完成时限"], ["1", "公开预算", "市财政局", "6月底前"]]


class TestHostilePackages:
    """Files of a few kilobytes that describe enormous documents: refused before they are built."""

    def refused(self, filename: str, data: bytes, *words: str) -> str:
        started = time.monotonic()
        with pytest.raises(ParseError) as excinfo:
            read_document(filename, data)
        elapsed = time.monotonic() - started
        message = str(excinfo.value)
        assert elapsed < 5, f"took {elapsed:.1f} s to refuse"
        assert "拒绝" in message and "上限" in message
        for word in words:
            assert word in message
        return message

    def test_one_cell_at_the_last_column_of_row_20000(self):
        workbook = Workbook()
        ws = workbook.active
        ws.title = "分解表"
        for row in TABLE:
            ws.append(row)
        ws["XFD20000"] = "x"
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
        assert len(data) < 8000
        self.refused("bomb.xlsx", data, "XFD20000", "分解表")

    def test_cell_just_past_the_row_bound(self):
        workbook = Workbook()
        ws = workbook.active
        for row in TABLE:
            ws.append(row)
        ws.cell(row=MAX_ROWS + 1, column=1, value="x")
        buffer = io.BytesIO()
        workbook.save(buffer)
        self.refused("rows.xlsx", buffer.getvalue(), f"A{MAX_ROWS + 1}")

    def test_cells_on_the_bounds_are_read(self):
        workbook = Workbook()
        ws = workbook.active
        for row in TABLE:
            ws.append(row)
        ws.cell(row=MAX_ROWS, column=MAX_COLS, value="末格")
        buffer = io.BytesIO()
        workbook.save(buffer)
        doc = read_document("edge.xlsx", buffer.getvalue())
        assert len(doc.rows) == MAX_ROWS
        assert doc.rows[-1][MAX_COLS - 1] == "末格"

    def test_styled_empty_cell_far_away_is_not_content(self):
        data = _rewrite(make_xlsx({"表": TABLE}), "xl/worksheets/sheet1.xml",
                        lambda xml: xml.replace(b"</sheetData>", b'<row r="30000"><c r="XFD30000" s="0"/></row></sheetData>'))
        doc = read_document("styled.xlsx", data)
        assert doc.rows[1][2] == "市财政局"

    def test_merge_across_every_column(self):
        data = _rewrite(make_xlsx({"表": TABLE}), "xl/worksheets/sheet1.xml",
                        lambda xml: xml.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD300"/></mergeCells>'))
        self.refused("merge.xlsx", data, "A1:XFD300")

    def test_too_many_merges(self):
        merges = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (r, r) for r in range(1, MAX_MERGES + 2))
        data = _rewrite(make_xlsx({"表": TABLE}), "xl/worksheets/sheet1.xml",
                        lambda xml: xml.replace(b"</sheetData>", b"</sheetData><mergeCells>" + merges + b"</mergeCells>"))
        self.refused("merges.xlsx", data, "合并单元格")

    def test_a_million_paragraphs(self):
        body = b"<w:p/>" * 1_000_000
        data = _rewrite(make_docx(["一、总体要求"]), "word/document.xml",
                        lambda xml: xml.replace(b"<w:body>", b"<w:body>" + body))
        assert len(data) < 200_000
        self.refused("bomb.docx", data, "1000001 个段落")

    def test_paragraphs_on_the_bound_are_read(self):
        body = b"<w:p/>" * (MAX_PARAGRAPHS - 10)
        data = _rewrite(make_docx(["一、总体要求"]), "word/document.xml",
                        lambda xml: xml.replace(b"<w:body>", b"<w:body>" + body))
        assert "一、总体要求" in read_document("long.docx", data).text

    def test_part_that_unpacks_to_gigabytes(self):
        data = _rewrite(make_docx(["一、总体要求"]), "word/styles.xml",
                        lambda xml: xml + b" " * (MAX_PART_BYTES + 1))
        self.refused("zip.docx", data, "word/styles.xml")

    def test_text_file_longer_than_the_text_bound(self):
        data = ("一、公开工作。" * (MAX_TEXT_CHARS // 7 + 1)).encode("utf-8")
        self.refused("long.txt", data, "字符")

    def test_nothing_is_saved_when_refused(self, world):
        import sqlalchemy as sa

        from tracker.errors import ServiceError
        from tracker.extensions import db
        from tracker.plans.models import PlanImport
        from tracker.plans.services import start_import

        city = world.city
        data = _rewrite(make_xlsx({"表": TABLE}), "xl/worksheets/sheet1.xml",
                        lambda xml: xml.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD300"/></mergeCells>'))
        with pytest.raises(ServiceError, match="拒绝"):
            start_import(None, city, filename="merge.xlsx", data=data)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanImport)) == 0

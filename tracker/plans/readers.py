"""Read an uploaded plan file (text, .docx, .xlsx) into plain text and table rows."""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree import ElementTree

from .draft import ParseError
from .pages import join_pages, strip_page_numbers

#: Default upper bound for an upload; bigger files are refused before any decoding.
MAX_BYTES = 20 * 1024 * 1024

# Bounds checked before a package is parsed: a few kilobytes of zip can describe a sheet of
# billions of cells or a million paragraphs, and the libraries would build every one of them.
#: rows and columns a worksheet may reach with a cell that holds a value
MAX_ROWS = 10_000
MAX_COLS = 200
#: merged ranges per sheet, and cells holding a value per sheet
MAX_MERGES = 20_000
MAX_CELLS = 200_000
#: paragraphs and table cells of a Word document
MAX_PARAGRAPHS = 50_000
MAX_TABLE_CELLS = 100_000
#: uncompressed size of one part of a package, and of all its parts together
MAX_PART_BYTES = 40 * 1024 * 1024
MAX_PACKAGE_BYTES = 120 * 1024 * 1024
#: pages of a PDF (a plan runs to a few dozen)
MAX_PDF_PAGES = 300
#: written characters per page below which a PDF is taken for a scan without a text layer
MIN_CHARS_PER_PAGE = 20
#: written characters any reader may hand to the parser (the longest seed plan has 10,000)
MAX_TEXT_CHARS = 1_000_000

EXPECTED = "请上传 .txt（UTF-8 或 GBK 编码）、.docx、.doc、.wps、.pdf 或 .xlsx 格式的工作要点、实施方案或任务分解表"

# Signatures of formats people rename to .txt by mistake; the label goes into the error message.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"BM", "BMP 图片"),
    (b"%PDF", "PDF 文件"),
    (b"MZ", "可执行程序（.exe）"),
    (b"\x7fELF", "可执行程序"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文件（.doc/.xls）"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
    (b"RIFF", "音视频或图片文件"),
    (b"ID3", "音频文件"),
    (b"{\\rtf", "RTF 文档"),
]

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
# A cell that is not self-closing holds a value (or a formula); its reference tells how far the sheet reaches.
_CELL_RE = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(?<!/)>')
_ANY_CELL_RE = re.compile(rb"<(?:\w+:)?c[\s>/]")
_PARAGRAPH_RE = re.compile(rb"<w:p[\s>/]")
_TABLE_CELL_RE = re.compile(rb"<w:tc[\s>/]")


@dataclass
class Sheet:
    name: str
    rows: list[list[str]]


@dataclass
class SourceDoc:
    """What a reader got out of a file: the text, and for spreadsheets the cell rows."""

    #: "text", "docx", "xlsx" or "pdf" (a .doc/.wps/.xls is read as the .docx/.xlsx LibreOffice makes of it)
    kind: str
    text: str
    #: rows of the sheet that holds the decomposition table (xlsx only), merged cells filled
    rows: list[list[str]] | None = None
    #: every sheet's rows (xlsx only)
    sheets: list[Sheet] = field(default_factory=list)
    #: the encoding a text file was decoded with
    encoding: str | None = None


def read_document(filename: str, data: bytes, max_bytes: int = MAX_BYTES) -> SourceDoc:
    """Read a plan from the bytes of an upload, deciding the format by content."""
    name = (filename or "").strip().lower()
    size = len(data)
    if size > max_bytes:
        raise ParseError(
            f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 {max_bytes / 1024 / 1024:.0f} MB。{EXPECTED}。"
        )
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise ParseError(f"文件为空。{EXPECTED}。")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _read_zip(name, data)
    if b"%PDF-" in data[:1024]:
        return _read_pdf(data)
    if data.startswith(_OLE) or data.startswith(b"{\\rtf"):
        return _read_legacy(name, data)
    if name.endswith((".docx", ".xlsx", ".xlsm")):
        what = "Word 文档" if name.endswith(".docx") else "Excel 工作簿"
        raise ParseError(
            f"文件“{filename}”的扩展名表明是{what}，但内容不是有效的 Office Open XML 压缩包，"
            f"可能已损坏或只是改了扩展名。{EXPECTED}。"
        )
    text, encoding = _decode_text(filename, data)
    return SourceDoc(kind="text", text=strip_page_numbers(text), encoding=encoding)


def _read_legacy(name: str, data: bytes) -> SourceDoc:
    """Read .doc/.wps (or .xls/.et, .rtf) through the .docx/.xlsx LibreOffice converts it to."""
    from .office import convert

    sheet = name.endswith((".xls", ".et"))
    what = "旧版 Excel/WPS 表格文件" if sheet else ("RTF 文档" if data.startswith(b"{\\rtf") else "旧版 Word/WPS 文档（.doc/.wps）")
    converted = convert(data, ".xls" if sheet else (".rtf" if data.startswith(b"{\\rtf") else ".doc"),
                        "xlsx" if sheet else "docx", what)
    return _read_zip(".xlsx" if sheet else ".docx", converted)


def _read_pdf(data: bytes) -> SourceDoc:
    """Read the text layer of a PDF page by page: its tables as tab-separated rows, wrapped lines
    joined back into paragraphs, page numbers, headers and footers left out."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    damaged = f"PDF 文件已损坏，无法读取。{EXPECTED}。"
    encrypted = ("PDF 文件已加密，需要密码才能打开，无法读取。请上传未加密的文件，"
                 "或在 PDF 阅读器中去除密码后另存再上传。")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many types on a damaged file; pdfplumber wraps them
        if any(isinstance(e, PDFPasswordIncorrect) for e in (exc, *exc.args)):
            raise ParseError(encrypted) from exc
        raise ParseError(damaged) from exc
    with pdf:
        try:
            count = len(pdf.pages)
        except Exception as exc:
            raise ParseError(damaged) from exc
        if count > MAX_PDF_PAGES:
            raise _too_large(f"PDF 文件有 {count} 页", f"{MAX_PDF_PAGES} 页")
        if count == 0:
            raise ParseError(f"PDF 文件没有页面。{EXPECTED}。")
        pages: list[list[tuple[str, bool]]] = []
        written = 0
        for page in pdf.pages:
            try:
                lines = _pdf_page_lines(page)
            except Exception as exc:
                raise ParseError(damaged) from exc
            finally:
                page.close()
            written += sum(len(re.sub(r"\s+", "", text)) for text, _ in lines)
            if written > MAX_TEXT_CHARS:
                raise _too_large(f"PDF 文件的文字超过 {MAX_TEXT_CHARS} 个字符", f"{MAX_TEXT_CHARS} 个字符")
            pages.append(lines)
    if written < MIN_CHARS_PER_PAGE * count:
        raise ParseError(
            f"PDF 文件（{count} 页）几乎没有可提取的文字，可能是扫描件或图片。系统不做文字识别（OCR），"
            "请上传带文字层的 PDF、Word 文档或文本，或先用 OCR 软件识别后再上传。"
        )
    return SourceDoc(kind="pdf", text=join_pages(pages))


def _pdf_page_lines(page) -> list[tuple[str, bool]]:
    """Return a page's lines top to bottom as (text, runs to the right margin); a ruled table's rows
    come as tab-separated lines in their place."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    items: list[tuple[float, str, bool]] = []
    for table in tables:
        rows = table.extract()
        text = "\n".join("\t".join(_clean_cell(re.sub(r"\s*\n\s*", "", c or "")) for c in row) for row in rows)
        items.append((table.bbox[1], text, False))

    def outside(obj) -> bool:
        # by the centre: a glyph touching a cell's ruling belongs to the cell
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    body = page.filter(outside) if boxes else page
    lines = body.extract_text_lines(return_chars=True)
    if lines:
        right = max(line["x1"] for line in lines)
        for line in lines:
            sizes = [c["x1"] - c["x0"] for c in line["chars"] if not c["text"].isspace()]
            size = max(sizes) if sizes else 10
            items.append((line["top"], line["text"], line["x1"] >= right - 1.5 * size))
    items.sort(key=lambda item: item[0])
    out: list[tuple[str, bool]] = []
    for _, text, wraps in items:
        parts = text.split("\n")
        out.extend((part, wraps and k == len(parts) - 1) for k, part in enumerate(parts))
    return out


def _read_zip(name: str, data: bytes) -> SourceDoc:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseError(f"文件是损坏的压缩包，无法打开（{exc.__class__.__name__}）。{EXPECTED}。") from exc
    _check_package_size(archive)
    if "word/document.xml" in members:
        _check_docx_bounds(archive)
        return _read_docx(data)
    if "xl/workbook.xml" in members:
        return _read_xlsx(archive, data)
    raise ParseError(f"文件是 zip 压缩包，但既不是 Word（.docx）文档也不是 Excel（.xlsx）工作簿。{EXPECTED}。")


def _too_large(what: str, limit: str) -> ParseError:
    return ParseError(f"{what}，超出导入上限（{limit}），为防止拖垮系统已拒绝读取。"
                      "工作要点或任务分解表不会这么大，请检查文件是否正确，或删去多余内容后重新上传。")


def _check_package_size(archive: zipfile.ZipFile) -> None:
    """Refuse a package whose parts would unpack to more than the bounds (a zip bomb)."""
    total = 0
    for info in archive.infolist():
        # ZipExtFile never returns more than the declared size, so the declared sizes bound the reads.
        if info.file_size > MAX_PART_BYTES:
            raise _too_large(f"文件中的“{info.filename}”解压后有 {info.file_size / 1024 / 1024:.0f} MB",
                             f"单个部分 {MAX_PART_BYTES // 1024 // 1024} MB")
        total += info.file_size
    if total > MAX_PACKAGE_BYTES:
        raise _too_large(f"文件解压后共 {total / 1024 / 1024:.0f} MB", f"{MAX_PACKAGE_BYTES // 1024 // 1024} MB")


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ParseError(f"文件是损坏的压缩包，“{name}”无法读取（{exc.__class__.__name__}）。{EXPECTED}。") from exc


def _check_docx_bounds(archive: zipfile.ZipFile) -> None:
    """Count paragraphs and table cells in the raw XML before python-docx builds an object for each."""
    xml = _read_part(archive, "word/document.xml")
    paragraphs = len(_PARAGRAPH_RE.findall(xml))
    if paragraphs > MAX_PARAGRAPHS:
        raise _too_large(f"Word 文档有 {paragraphs} 个段落", f"{MAX_PARAGRAPHS} 个段落")
    cells = len(_TABLE_CELL_RE.findall(xml))
    if cells > MAX_TABLE_CELLS:
        raise _too_large(f"Word 文档的表格有 {cells} 个单元格", f"{MAX_TABLE_CELLS} 个单元格")


def _check_text_length(text: str, what: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        # Separators and blank cells are not what the bound is about: count the written characters.
        written = len(re.sub(r"\s+", "", text))
        if written > MAX_TEXT_CHARS:
            raise _too_large(f"{what}有 {written} 个字符", f"{MAX_TEXT_CHARS} 个字符")
    return text


def _decode_text(filename: str, data: bytes) -> tuple[str, str]:
    """Decode a text upload, refusing binary content."""
    for magic, label in _MAGIC:
        if data.startswith(magic):
            raise ParseError(f"文件“{filename}”实际是{label}，不是文本文件。{EXPECTED}。")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = _try_decode(data, "utf-16"), "utf-16"
    elif b"\x00" in data[:4096]:
        raise ParseError(f"文件“{filename}”包含二进制内容（空字节），不是文本文件。{EXPECTED}。")
    else:
        text, encoding = _try_decode(data, "utf-8-sig"), "utf-8"
        if text is None:
            text, encoding = _guess_decode(data)
    if text is None:
        raise ParseError(f"无法识别文件“{filename}”的文字编码。{EXPECTED}。")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ParseError(f"文件为空。{EXPECTED}。")
    if _printable_ratio(text) < 0.9:
        raise ParseError(f"文件“{filename}”看起来是二进制或图片文件，而不是可读的文字。{EXPECTED}。")
    return _check_text_length(text, "文本文件"), encoding


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _guess_decode(data: bytes) -> tuple[str | None, str | None]:
    """Pick the encoding of non-UTF-8 text, preferring the Chinese national encodings."""
    from charset_normalizer import from_bytes

    candidates: list[str] = []
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        candidates.append(best.encoding)
    # GB18030 is a superset of GBK and GB2312; a short GBK file is often guessed as
    # something else, so it is tried on its own merit as well.
    candidates += ["gb18030", "big5"]
    decoded: list[tuple[float, str, str]] = []
    for encoding in dict.fromkeys(candidates):
        text = _try_decode(data, encoding)
        if text is not None:
            decoded.append((_cjk_ratio(text), encoding, text))
    if not decoded:
        return None, None
    # Keep the charset-normalizer choice unless a Chinese decoding reads clearly better.
    decoded.sort(key=lambda item: -item[0])
    score, encoding, text = decoded[0]
    return text, encoding


def _cjk_ratio(text: str) -> float:
    letters = [c for c in text if not c.isspace()]
    if not letters:
        return 0.0
    common = sum(1 for c in letters if "\u4e00" <= c <= "\u9fff" or c.isascii() or "\uff00" <= c <= "\uffef"
                 or "\u3000" <= c <= "\u303f" or c in "“”‘’—…·")
    return common / len(letters)


def _printable_ratio(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f") or c == "\ufffd" or 0xE000 <= ord(c) <= 0xF8FF)
    return 1 - bad / max(len(sample), 1)


def _read_docx(data: bytes) -> SourceDoc:
    """Read paragraphs and tables in document order; tables become tab-separated lines."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many unrelated types on a damaged package
        raise ParseError(f"Word 文档已损坏，无法读取（{exc.__class__.__name__}）。{EXPECTED}。") from exc
    lines: list[str] = []
    try:
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.append("")
                lines.extend(_docx_table_lines(block))
                lines.append("")
    except Exception as exc:  # malformed XML inside a valid zip
        raise ParseError(f"Word 文档内容无法解析（{exc.__class__.__name__}）。{EXPECTED}。") from exc
    text = _check_text_length("\n".join(lines), "Word 文档的文字")
    if not text.strip():
        raise ParseError(f"Word 文档中没有文字内容。{EXPECTED}。")
    return SourceDoc(kind="docx", text=text)


def _docx_table_lines(table) -> list[str]:
    lines = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            # Paragraphs inside one cell are one wrapped value, not separate lines.
            value = "".join(p.text for p in cell.paragraphs)
            cells.append(_clean_cell(value))
        lines.append("\t".join(cells))
    return lines


def _clean_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, (datetime, date)):
        # A date cell under 完成时限 must read as the deadline grammar expects.
        text = f"{value.year}年{value.month}月{value.day}日"
    else:
        text = str(value)
    return re.sub(r"[\t\r\n]+", "", text).strip()


def _read_xlsx(archive: zipfile.ZipFile, data: bytes) -> SourceDoc:
    from openpyxl import load_workbook

    from .tables import find_header

    merges = _xlsx_merges(archive)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a damaged workbook
        raise ParseError(f"Excel 工作簿已损坏，无法读取（{exc.__class__.__name__}）。{EXPECTED}。") from exc
    sheets: list[Sheet] = []
    try:
        for ws in workbook.worksheets:
            # The sheet's own dimension when it states one, the bounds when it does not.
            max_col = min(ws.max_column or MAX_COLS, MAX_COLS)
            rows = [[_clean_cell(v) for v in row]
                    for row in ws.iter_rows(max_row=MAX_ROWS, max_col=max_col, values_only=True)]
            _fill_merged(rows, merges.get(ws.title, []))
            while rows and not any(rows[-1]):
                rows.pop()
            width = max((len(r) for r in rows), default=0)
            sheets.append(Sheet(ws.title, [r + [""] * (width - len(r)) for r in rows]))
    except Exception as exc:
        raise ParseError(f"Excel 工作簿内容无法解析（{exc.__class__.__name__}）。{EXPECTED}。") from exc
    finally:
        workbook.close()
    chosen = next((s for s in sheets if find_header(s.rows) is not None), None)
    if chosen is None:
        raise ParseError(
            "Excel 工作簿中没有找到任务分解表的表头：表头一行应包含“序号”“工作任务/公开任务/重点任务”"
            "“具体要求/工作要求”“责任单位/牵头单位”“完成时限”等列名。"
        )
    text = "\n\n".join("\n".join("\t".join(r) for r in s.rows) for s in [chosen] + [s for s in sheets if s is not chosen])
    _check_text_length(text, "Excel 工作簿的文字")
    return SourceDoc(kind="xlsx", text=text, rows=chosen.rows, sheets=sheets)


def _xlsx_merges(archive: zipfile.ZipFile) -> dict[str, list[tuple[int, int, int, int]]]:
    """Map sheet title to its merged ranges (0-based, inclusive), read from the package XML.

    Read-only worksheets do not expose merged ranges, so they come straight from the XML. Each
    sheet's reach (its farthest cell with a value, its merges) is checked against the bounds here,
    before openpyxl reads a row.
    """
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG_REL}Relationship")}
    result: dict[str, list[tuple[int, int, int, int]]] = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if path not in archive.namelist():
            continue
        xml = _read_part(archive, path)
        title = sheet.get("name", "")
        _check_sheet_reach(title, xml)
        ranges = []
        for m in _MERGE_RE.finditer(xml):
            c1, r1 = _col_index(m.group(1).decode()), int(m.group(2)) - 1
            c2 = _col_index(m.group(3).decode()) if m.group(3) else c1
            r2 = int(m.group(4)) - 1 if m.group(4) else r1
            if r2 >= MAX_ROWS or c2 >= MAX_COLS:
                ref = ":".join(f"{c.decode()}{r.decode()}" for c, r in ((m.group(1), m.group(2)), (m.group(3), m.group(4))) if c)
                raise _too_large(f"工作表“{title}”的合并单元格 {ref} 超出范围", f"{MAX_ROWS} 行、{MAX_COLS} 列")
            ranges.append((r1, c1, r2, c2))
            if len(ranges) > MAX_MERGES:
                raise _too_large(f"工作表“{title}”的合并单元格超过 {MAX_MERGES} 处", f"{MAX_MERGES} 处")
        result[title] = ranges
    return result


def _check_sheet_reach(title: str, xml: bytes) -> None:
    cells = len(_ANY_CELL_RE.findall(xml))
    if cells > MAX_CELLS:
        raise _too_large(f"工作表“{title}”有 {cells} 个单元格", f"{MAX_CELLS} 个单元格")
    for m in _CELL_RE.finditer(xml):
        row, col = int(m.group(2)), _col_index(m.group(1).decode()) + 1
        if row > MAX_ROWS or col > MAX_COLS:
            ref = f"{m.group(1).decode()}{row}"
            raise _too_large(f"工作表“{title}”在 {ref} 单元格仍有内容（第 {row} 行、第 {col} 列）",
                             f"{MAX_ROWS} 行、{MAX_COLS} 列")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _fill_merged(rows: list[list[str]], ranges: list[tuple[int, int, int, int]]) -> None:
    for r1, c1, r2, c2 in ranges:
        if r1 >= len(rows):
            continue
        first = rows[r1]
        value = first[c1] if c1 < len(first) else ""
        for r in range(r1, min(r2, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c2:
                row.extend([""] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                row[c] = value

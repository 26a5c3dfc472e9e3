"""A streaming .xlsx writer for large, finished-looking sheets: openpyxl for the frame, plain XML for the rows.

openpyxl's write-only mode spends about 10 µs per cell, so 200,000 rows of 13 columns take half
a minute. Here openpyxl still writes everything that makes the workbook look finished (styles,
column widths, frozen header, autofilter, A4 landscape page setup, repeated header rows, the
title row), while the data rows, the hot loop, are serialised straight to SpreadsheetML into a
temporary file and spliced into openpyxl's sheet when the workbook is saved. Memory stays flat:
rows go to disk as they come.

Every text value is written as an inline string, never as a formula, so user text starting with
``= + - @`` stays text. Pure: no Flask, no database.
"""
from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.properties import PageSetupProperties

__all__ = ["CELL_TEXT_LIMIT", "Column", "SheetStream", "XlsxBuilder", "display_width"]

#: Excel's limit on the characters of one cell
CELL_TEXT_LIMIT = 32_767
#: rows sampled to size the columns that fit their content
WIDTH_SAMPLE_ROWS = 500
#: first data row: row 1 is the title, row 2 the header
FIRST_ROW = 3
#: distinct texts remembered per sheet before the memory is cleared
TEXT_CACHE = 50_000
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FONT = "宋体"

KINDS = ("text", "wrap", "date", "datetime", "int", "number")
#: user text starting with one of these would be a formula when retyped: such cells carry quotePrefix
FORMULA_START = ("=", "+", "-", "@")
#: printable width in pixels at 100 % (96 dpi): A4 and A3 landscape less 2 × 0.4 inch margins
PRINTABLE_PX = {"9": round((297 - 2 * 10.16) / 25.4 * 96), "8": round((420 - 2 * 10.16) / 25.4 * 96)}
#: the smallest print scale allowed: 10 pt text prints at 9 pt or more
MIN_SCALE = 0.9
#: points per wrapped line of 10 pt 宋体
LINE_PT = 13.5


def column_px(width: float) -> int:
    """Return a column's width in pixels as Excel lays it out (7 px per character unit plus 5 px padding)."""
    return int(width * 7 + 5)


def paper_for(widths: Sequence[float]) -> tuple[str, float]:
    """Return the paper (A4 "9" or A3 "8") the columns fit across at no less than MIN_SCALE, and that scale."""
    total = sum(column_px(w) for w in widths)
    for paper in ("9", "8"):
        scale = min(1.0, PRINTABLE_PX[paper] / total) if total else 1.0
        if scale >= MIN_SCALE:
            return paper, scale
    return "8", PRINTABLE_PX["8"] / total
_NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "int": "0", "number": "0.00"}


@dataclass(frozen=True)
class Column:
    """One column: its header, how values show, and its width (None fits the header and the first rows)."""

    header: str
    #: text | wrap (long text, wrapped) | date | datetime | int | number (two decimals)
    kind: str = "text"
    width: float | None = None
    max_width: float = 40

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Return the width of text in Excel's character units, counting CJK (wide) characters as 2."""
    longest = 0
    for line in text.split("\n"):
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        longest = max(longest, width)
    return longest


def _clean(text: str) -> str:
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if len(text) > CELL_TEXT_LIMIT:
        text = text[: CELL_TEXT_LIMIT - 1] + "…"
    return text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_of(value: Any) -> str:
    """Return how a value reads in a cell, for sizing columns."""
    if isinstance(value, datetime):
        return "0000-00-00 00:00"
    if isinstance(value, date):
        return "0000-00-00"
    return str(value)


class SheetStream:
    """Rows of one sheet, serialised to a temporary file as they are appended."""

    def __init__(self, builder: "XlsxBuilder", name: str, title: str, columns: Sequence[Column],
                 empty_note: str | None, autofilter: bool) -> None:
        self.builder = builder
        self.name = name
        self.title = title
        self.columns = list(columns)
        self.empty_note = empty_note
        self.autofilter = autofilter
        #: data rows appended so far (the empty note is not one)
        self.rows = 0
        self._letters = [get_column_letter(i + 1) for i in range(len(self.columns))]
        self._widths = [display_width(c.header) for c in self.columns]
        styles = builder.styles
        self._text_attrs = [f' s="{styles["wrap" if c.kind == "wrap" else "text"]}" t="inlineStr"'
                            for c in self.columns]
        self._quoted_attrs = [f' s="{styles["wrap_q" if c.kind == "wrap" else "text_q"]}" t="inlineStr"'
                              for c in self.columns]
        self._empty_attrs = [f' s="{styles["wrap" if c.kind == "wrap" else "text"]}"' for c in self.columns]
        #: (column index, characters a line holds) of the wrapped columns, for the row heights
        self._wrapped = [(i, max(1.0, (c.width or c.max_width) - 1)) for i, c in enumerate(self.columns)
                         if c.kind == "wrap"]
        #: ranges to merge, as "A3:A7"
        self.merges: list[str] = []
        #: rows after the table (合计 lines are data rows; these are the 制表 lines), as plain text
        self.footer: list[str] = []
        self._number_attrs = [
            f' s="{styles["number" if c.kind == "number" else "int" if c.kind == "int" else "plain_number"]}"'
            for c in self.columns]
        self._date_attr = f' s="{styles["date"]}"'
        self._texts: dict[str, str] = {}
        fd, self._path = tempfile.mkstemp(prefix="tracker-sheet-", suffix=".xml", dir=builder.tmpdir)
        self._file = os.fdopen(fd, "wb", buffering=1 << 20)

    def _text_xml(self, value: str) -> str:
        """Return the inline-string body of a text cell, remembering it: names and titles repeat a lot."""
        body = self._texts.get(value)
        if body is None:
            if len(self._texts) > TEXT_CACHE:
                self._texts.clear()
            text = _clean(value)
            space = ' xml:space="preserve"' if text and (text[0].isspace() or text[-1].isspace()) else ""
            body = self._texts[value] = f"<is><t{space}>{_escape(text)}</t></is>"
        return body

    def lines(self, values: Sequence[Any], skip: Iterable[int] = ()) -> int:
        """Return the lines the row's wrapped cells need (1 at least), leaving out the columns in skip."""
        skip = set(skip)
        lines = 1
        for i, per_line in self._wrapped:
            value = values[i] if i < len(values) and i not in skip else None
            if isinstance(value, str) and value:
                n = sum(max(1, math.ceil(display_width(part) / per_line)) for part in value.split("\n"))
                lines = max(lines, n)
        return lines

    def append(self, values: Sequence[Any], *, bold: bool = False, skip: Iterable[int] = (),
               min_lines: int = 1) -> None:
        """Write one data row; values line up with the columns, None leaves a cell empty (with its borders).

        The row is as tall as its wrapped cells need; `skip` leaves out cells merged over several rows,
        whose lines the caller spreads over them with `min_lines`.
        """
        row = str(FIRST_ROW + self.rows)
        n_lines = max(min_lines, self.lines(values, skip) if self._wrapped else 1)
        height = f' ht="{n_lines * LINE_PT + 2:g}" customHeight="1"' if n_lines > 1 else ""
        if bold:
            values = list(values) + [None] * (len(self.columns) - len(values))
        if self.rows < WIDTH_SAMPLE_ROWS:
            for i, value in enumerate(values):
                if value is not None and value != "":
                    self._widths[i] = max(self._widths[i], display_width(_text_of(value)))
        letters, text_attrs, number_attrs = self._letters, self._text_attrs, self._number_attrs
        if bold:
            total = f' s="{self.builder.styles["total"]}"'
            text_attrs = [total + ' t="inlineStr"'] * len(self.columns)
            number_attrs = [total] * len(self.columns)
        empty = self._empty_attrs if not bold else [f' s="{self.builder.styles["total"]}"'] * len(self.columns)
        parts = [f'<row r="{row}"{height}>']
        for i, value in enumerate(values):
            kind = type(value)
            # the common types first, by exact type: this loop runs for every cell of a province
            if kind is str:
                if not value:
                    parts.append(f'<c r="{letters[i]}{row}"{empty[i]}/>')
                elif value[0] in FORMULA_START and not bold:
                    parts.append(f'<c r="{letters[i]}{row}"{self._quoted_attrs[i]}>{self._text_xml(value)}</c>')
                else:
                    parts.append(f'<c r="{letters[i]}{row}"{text_attrs[i]}>{self._text_xml(value)}</c>')
            elif value is None:
                # an empty cell still carries the table's borders
                parts.append(f'<c r="{letters[i]}{row}"{empty[i]}/>')
            elif kind is int:
                parts.append(f'<c r="{letters[i]}{row}"{number_attrs[i]}><v>{value}</v></c>')
            elif kind is date:
                parts.append(f'<c r="{letters[i]}{row}"{self._date_attr}><v>{value.toordinal() - _EXCEL_EPOCH}</v></c>')
            else:
                parts.append(self._other(f"{letters[i]}{row}", value, number_attrs[i]))
        for i in range(len(values), len(self.columns)):
            parts.append(f'<c r="{letters[i]}{row}"{empty[i]}/>')
        parts.append("</row>")
        self._file.write("".join(parts).encode("utf-8", "replace"))
        self.rows += 1

    def merge_rows(self, first: int, last: int, column: int) -> None:
        """Merge a column's cells over data rows first..last (0-based data row indexes)."""
        if last > first:
            letter = self._letters[column]
            self.merges.append(f"{letter}{FIRST_ROW + first}:{letter}{FIRST_ROW + last}")

    def _other(self, ref: str, value: Any, number_attr: str) -> str:
        styles = self.builder.styles
        if isinstance(value, bool):
            return f'<c r="{ref}" s="{styles["text"]}" t="inlineStr"><is><t>{"是" if value else "否"}</t></is></c>'
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                raise ValueError("datetimes must be naive local time")
            serial = value.toordinal() - _EXCEL_EPOCH + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
            return f'<c r="{ref}" s="{styles["datetime"]}"><v>{serial!r}</v></c>'
        if isinstance(value, date):
            return f'<c r="{ref}"{self._date_attr}><v>{value.toordinal() - _EXCEL_EPOCH}</v></c>'
        if isinstance(value, (int, float, Decimal)) and math.isfinite(value):
            number = format(value, "f") if isinstance(value, Decimal) else repr(value)
            return f'<c r="{ref}"{number_attr}><v>{number}</v></c>'
        return f'<c r="{ref}" s="{styles["text"]}" t="inlineStr">{self._text_xml(str(value))}</c>'

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            self.append(values)

    def _finish(self) -> None:
        """Add the empty note if no row came, then the 制表 lines, and close the temporary file."""
        if self.rows == 0 and self.empty_note:
            note = _escape(_clean(self.empty_note))
            self._file.write(
                f'<row r="{FIRST_ROW}"><c r="A{FIRST_ROW}" s="{self.builder.styles["note"]}" t="inlineStr">'
                f"<is><t>{note}</t></is></c></row>".encode("utf-8")
            )
        row = self.last_row + 2  # one blank row under the table
        last = self._letters[-1]
        for text in self.footer:
            self._file.write(
                f'<row r="{row}" ht="20" customHeight="1"><c r="A{row}" s="{self.builder.styles["footer"]}" '
                f't="inlineStr"><is><t>{_escape(_clean(text))}</t></is></c></row>'.encode("utf-8"))
            if len(self.columns) > 1:
                self.merges.append(f"A{row}:{last}{row}")
            row += 1
        self._file.close()

    @property
    def filter_row(self) -> int:
        """The last row the filter covers: the data rows, not the 合计 rows after them."""
        return self.last_row - self.total_rows

    #: 合计 rows at the end of the data
    total_rows = 0

    @property
    def last_row(self) -> int:
        return FIRST_ROW - 1 + max(self.rows, 1 if self.empty_note else 0)

    def widths(self) -> list[float]:
        out = []
        for column, measured in zip(self.columns, self._widths):
            if column.width is not None:
                out.append(column.width)
            else:
                out.append(min(column.max_width, max(6, measured + 2)))
        return out


class XlsxBuilder:
    """Collect sheets row by row, then save one workbook.

    Usage: ``b = XlsxBuilder(); s = b.sheet(...); s.append(...); b.save(out)``; call ``close()``
    (or use it as a context manager) to remove the temporary files.
    """

    def __init__(self, tmpdir: str | None = None, *, compresslevel: int = 1) -> None:
        self.tmpdir = tempfile.mkdtemp(prefix="tracker-xlsx-", dir=tmpdir)
        self.compresslevel = compresslevel
        self.sheets: list[SheetStream] = []
        self.wb = Workbook(write_only=True)
        self.styles = self._register_styles()

    def __enter__(self) -> "XlsxBuilder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for s in self.sheets:
            if not s._file.closed:
                s._file.close()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    # -- styles ----------------------------------------------------------------------------------

    def _register_styles(self) -> dict[str, int]:
        """Create the body cell styles in the workbook and return their style ids."""
        holder = self.wb.create_sheet("__styles__")
        thin = Side(style="thin", color="000000")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        body_font = Font(name=_FONT, size=10)

        def style(number_format: str | None = None, *, wrap: bool = False, horizontal: str | None = None,
                  font: Font = body_font, with_border: bool = True, quote: bool = False) -> int:
            cell = WriteOnlyCell(holder)
            cell.font = font
            if with_border:
                cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=wrap, horizontal=horizontal)
            if quote:
                cell.quotePrefix = True
            if number_format:
                cell.number_format = number_format
            return cell.style_id

        ids = {
            "text": style(),
            "wrap": style(wrap=True),
            "text_q": style(quote=True),
            "wrap_q": style(wrap=True, quote=True),
            "total": style(font=Font(name=_FONT, size=10, bold=True)),
            "footer": style(font=Font(name=_FONT, size=10), with_border=False),
            "date": style(_NUMBER_FORMATS["date"], horizontal="center"),
            "datetime": style(_NUMBER_FORMATS["datetime"], horizontal="center"),
            "int": style(_NUMBER_FORMATS["int"]),
            "number": style(_NUMBER_FORMATS["number"]),
            "plain_number": style("General"),
            "note": style(font=Font(name=_FONT, size=10, italic=True, color="595959"), with_border=False),
        }
        self.wb.remove(holder)
        return ids

    def _title_cell(self, ws, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=_clean(text))
        cell.data_type = "s"
        cell.font = Font(name="黑体", size=14, bold=True)
        cell.alignment = Alignment(vertical="center")
        return cell

    def _header_cell(self, ws, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"
        thin = Side(style="thin", color="7F7F7F")
        cell.font = Font(name=_FONT, size=10, bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        return cell

    # -- sheets ----------------------------------------------------------------------------------

    def sheet(self, name: str, title: str, columns: Sequence[Column], *, empty_note: str | None = "（无数据）",
              autofilter: bool = True) -> SheetStream:
        """Start a sheet: `title` goes in row 1 (plan and date), the column headers in row 2."""
        name = re.sub(r"[\[\]:*?/\\]", "", name)[:31] or f"Sheet{len(self.sheets) + 1}"
        taken = {s.name for s in self.sheets}
        base, n = name, 2
        while name in taken:
            name = f"{base[:28]}({n})"
            n += 1
        stream = SheetStream(self, name, title, columns, empty_note, autofilter)
        self.sheets.append(stream)
        return stream

    def save(self, out: str | os.PathLike | IO[bytes]) -> None:
        """Write the workbook to a path or a binary file object."""
        if not self.sheets:
            raise ValueError("a workbook needs at least one sheet")
        for s in self.sheets:
            s._finish()
        shell = os.path.join(self.tmpdir, "shell.xlsx")
        for s in self.sheets:
            ws = self.wb.create_sheet(s.name)
            last = get_column_letter(len(s.columns))
            for letter, width in zip(s._letters, s.widths()):
                ws.column_dimensions[letter].width = width
            ws.freeze_panes = f"A{FIRST_ROW}"
            ws.print_title_rows = f"1:{FIRST_ROW - 1}"
            ws.page_setup.orientation = "landscape"
            # A4 when the columns fit it at 90 % or more (10 pt prints at 9 pt or larger), else A3
            ws.page_setup.paperSize, _scale = paper_for(s.widths())
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
            ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
            ws.page_margins.left = ws.page_margins.right = 0.4
            ws.page_margins.top = ws.page_margins.bottom = 0.6
            ws.oddFooter.center.text = "第 &P 页，共 &N 页"
            ws.print_options.horizontalCentered = True
            if s.autofilter:
                ws.auto_filter.ref = f"A{FIRST_ROW - 1}:{last}{max(s.filter_row, FIRST_ROW - 1)}"
            refs = ([f"A1:{last}1"] if len(s.columns) > 1 else []) + s.merges
            # The ranges are disjoint by construction; MultiCellRange.add would check each one against
            # every range before it, which took two minutes for the province ledger's merges.
            ws.merged_cells = MultiCellRange([CellRange(ref) for ref in refs])
            ws.row_dimensions[1].height = 28
            header_lines = max(math.ceil(display_width(c.header) / max(1.0, w - 1))
                               for c, w in zip(s.columns, s.widths()))
            if header_lines > 1:
                ws.row_dimensions[2].height = header_lines * LINE_PT + 4
            ws.append([self._title_cell(ws, s.title)])
            ws.append([self._header_cell(ws, c.header) for c in s.columns])
        self.wb.save(shell)
        self._splice(shell, out)

    def _splice(self, shell: str, out: str | os.PathLike | IO[bytes]) -> None:
        """Copy the shell workbook, putting each sheet's rows after its header row."""
        by_entry = {f"xl/worksheets/sheet{i}.xml": s for i, s in enumerate(self.sheets, 1)}
        with zipfile.ZipFile(shell) as src, zipfile.ZipFile(
            out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=self.compresslevel
        ) as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                stream = by_entry.get(info.filename)
                if stream is None:
                    dst.writestr(info.filename, data)
                    continue
                head, sep, tail = data.partition(b"</sheetData>")
                if not sep:
                    raise RuntimeError(f"unexpected sheet layout in {info.filename}")
                size = os.path.getsize(stream._path)
                with dst.open(info.filename, "w", force_zip64=size > 1 << 30) as target:
                    target.write(head)
                    with open(stream._path, "rb") as rows:
                        shutil.copyfileobj(rows, target, 1 << 20)
                    target.write(sep + tail)

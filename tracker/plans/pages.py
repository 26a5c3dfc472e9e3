"""Page furniture: page numbers, running headers and footers, removed from extracted text.

Pure text functions. A PDF's pages come in as a list of page texts; a text file pasted from a
PDF comes in as one text with its page numbers on lines of their own.
"""
from __future__ import annotations

import re

_DASHES = r"\-—－–―~～_·•"
#: "— 3 —", "- 12 -", "－3－", "第 3 页", "第3页 共12页", "3 / 12": a page number standing alone on its line
_PAGE_NUMBER_RE = re.compile(
    rf"^[\s{_DASHES}]*(?:"
    rf"[{_DASHES}]+\s*\d{{1,4}}\s*[{_DASHES}]+"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页"
    rf")[\s{_DASHES}]*$"
)
_BARE_NUMBER_RE = re.compile(r"^\s*(\d{1,4})\s*$")
#: a line opening a numbered point starts a paragraph even after a line that ran to the margin
_POINT_RE = re.compile(
    r"^\s*(?:\*\*)?(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十0-9]{1,3}[）)]|[0-9]{1,2}\s*[.．、](?![0-9])"
    r"|第[一二三四五六七八九十]{1,3}[章条部分]|附件)"
)


def is_page_number(line: str) -> bool:
    """Tell whether a line is only a page number in one of the forms plans are printed with."""
    return bool(_PAGE_NUMBER_RE.match(line))


def strip_page_numbers(text: str) -> str:
    """Remove lines that are only a page number ("— 3 —", "第3页 共12页") from running text."""
    if not any(ch in text for ch in "—－-–―~～页/"):
        return text
    return "\n".join(line for line in text.split("\n") if not is_page_number(line))


def _continues_row(above: str, line: str) -> bool:
    """Tell whether a page's first table row is the rest of the row the page before ended with.

    A row split by a page break leaves its text mid-sentence: the longest cell above does not end
    a sentence, and the row below has no 序号 of its own.
    """
    if "\t" not in above or above.count("\t") != line.count("\t"):
        return False
    cells = line.split("\t")
    if cells[0].strip():
        return False
    longest = max(above.split("\t"), key=len).rstrip()
    return bool(longest) and longest[-1] not in "。；;！？!?）)"


def _shape(line: str) -> str:
    """A line with its digits masked, so "共12页 第3页" on every page reads the same."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def join_pages(pages: list[list[tuple[str, bool]]]) -> str:
    """Join pages of (line, wraps) into text without page numbers and repeated headers and footers.

    ``wraps`` tells that a line runs to the right margin, so the next line (on this page or the
    next) continues its paragraph; such lines are joined back into one.
    """
    edges: dict[str, int] = {}
    for lines in pages:
        filled = [text for text, _ in lines if text.strip()]
        for text in {*filled[:2], *filled[-2:]}:
            edges[_shape(text)] = edges.get(_shape(text), 0) + 1
    # a bare number is a page number only where it equals the page's own (below), never by repetition
    repeated = {shape for shape, n in edges.items() if shape not in ("", "#") and n >= 3 and n * 2 >= len(pages)}
    kept: list[tuple[str, bool]] = []
    for number, lines in enumerate(pages, start=1):
        page_start = len(kept)
        filled = [i for i, (text, _) in enumerate(lines) if text.strip()]
        furniture: set[int] = set()
        # Peel the page from its top and from its foot while the edge line is furniture.
        for order in (filled, filled[::-1]):
            for i in order[:3]:
                text = lines[i][0]
                bare = _BARE_NUMBER_RE.match(text)
                if is_page_number(text) or _shape(text) in repeated or (bare and int(bare.group(1)) == number):
                    furniture.add(i)
                else:
                    break
        for i, (text, wraps) in enumerate(lines):
            if i in furniture or is_page_number(text):
                continue
            if len(kept) == page_start and kept and _continues_row(kept[-1][0], text):
                above = kept[-1][0].split("\t")
                kept[-1] = ("\t".join(a + b for a, b in zip(above, text.split("\t"))), False)
                continue
            kept.append((text, wraps))
    out: list[str] = []
    joining = False
    for text, wraps in kept:
        if joining and out and "\t" not in text and not _POINT_RE.match(text):
            gap = " " if out[-1][-1:].isascii() and out[-1][-1:].isalnum() and text[:1].isascii() and text[:1].isalnum() else ""
            out[-1] += gap + text.strip()
        else:
            out.append(text.rstrip())
        joining = wraps and "\t" not in text
    return "\n".join(out)

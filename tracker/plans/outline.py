"""The outline of a plan document: its head (title, 文号, issuer, date) and numbered headings."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100}
_CN_NUM = "一二三四五六七八九十百零〇两"

#: Heading styles by rank: 一、 → （一） → 1. → （1） → ①
RANK_CN, RANK_PAREN_CN, RANK_ARABIC, RANK_PAREN_ARABIC, RANK_CIRCLED = 1, 2, 3, 4, 5
_HEADING_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (RANK_PAREN_CN, re.compile(rf"^[（(]\s*([{_CN_NUM}]{{1,4}})\s*[）)]\s*[、．.,，]?\s*(.*)$")),
    (RANK_PAREN_ARABIC, re.compile(r"^[（(]\s*(\d{1,2})\s*[）)]\s*[、．.,，]?\s*(.*)$")),
    (RANK_CN, re.compile(rf"^([{_CN_NUM}]{{1,4}})\s*[、．.]\s*(.*)$")),
    (RANK_ARABIC, re.compile(r"^(\d{1,2})\s*[.．、](?![\d.．])\s*(.*)$")),
    (RANK_CIRCLED, re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*(.*)$")),
]
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_TERMINAL = "。！？；：!?;:）)】」』"
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_PAGE_NUMBER = re.compile(
    r"^[\s\-—－–―~～_·•]*(第\s*)?\d{1,4}\s*(页)?(\s*/\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[\s\-—－–―~～_·•]*$"
)
_SPACE_NEAR_CJK = re.compile(r"(?<=[^\x00-\x7f])[ \t\u3000\u00a0]+|[ \t\u3000\u00a0]+(?=[^\x00-\x7f])")

_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fa5]{1,15})\s*[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*第?\s*(\d{1,4})\s*号"
)
_DATE_LINE = re.compile(r"^((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_CN_DATE_LINE = re.compile(r"^([〇零○Ｏ一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*"
                           r"([一二三四五六七八九十]{1,3})\s*日$")
_PRINTED_ON = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*印\s*发")
_ORG_LINE = re.compile(
    r"^[\u4e00-\u9fa5（）()]{2,40}?(人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|委员会|管理委员会|管委会|"
    r"领导小组|局|委|厅|办|中心|政府)$"
)
_TITLE_END = re.compile(r"(要点|方案|计划|意见|细则|安排|分解表|清单|任务表|责任表|规划|办法)$")
_NOTICE = re.compile(r"关于印发\s*[《“]?(.+?)[》”]?\s*的\s*通\s*知")
_END_MARKERS = re.compile(
    r"^(抄\s*送|主\s*送|主\s*办|督\s*办|联系人|联系电话|（此件公开发布）|\(此件公开发布\))\s*[:：]?"
)
_ATTACHMENT = re.compile(r"^附\s*件\s*(\d{1,2}|[一二三四五六七八九十])?\s*(?P<sep>[:：]?)\s*(?P<rest>.*)$")


def cn_to_int(text: str) -> int | None:
    """Convert a Chinese numeral (十五, 二十三, 一百零二, 二〇二一) to an int."""
    text = text.strip()
    if not text or any(c not in _CN_DIGITS and c not in _CN_UNITS for c in text):
        return None
    if not any(c in _CN_UNITS for c in text):
        value = 0
        for c in text:
            value = value * 10 + _CN_DIGITS[c]
        return value
    total, digit = 0, None
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        else:
            total += (digit if digit is not None else 1) * _CN_UNITS[c]
            digit = None
    return total + (digit or 0)


def int_to_cn(n: int) -> str:
    """Convert 1..999 to a Chinese numeral as headings write it (十五, 二十三)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    head = digits[n // 100] + "百"
    if not rest:
        return head
    return head + ("零" + digits[rest] if rest < 10 else int_to_cn(rest) if rest >= 20 else "一" + int_to_cn(rest))


def squeeze(text: str) -> str:
    """Drop spaces next to Chinese characters (PDF and line-wrap debris)."""
    return _SPACE_NEAR_CJK.sub("", text.strip())


def clean_lines(text: str) -> list[str]:
    """Split text into lines without bold markers, page numbers or trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").replace("\f", "\n")
    lines = []
    for raw in text.split("\n"):
        line = raw.replace("**", "").replace("\u200b", "").rstrip()
        if "\t" not in line and _PAGE_NUMBER.match(line) and line.strip():
            line = ""
        lines.append(line)
    return lines


@dataclass
class HeadingMatch:
    rank: int
    number: int
    rest: str

    @property
    def label(self) -> str:
        return heading_label(self.rank, self.number)


def heading_label(rank: int, number: int) -> str:
    """Return the canonical label of a heading: 一、 （一） 1. （1） ①."""
    if rank == RANK_CN:
        return f"{int_to_cn(number)}、"
    if rank == RANK_PAREN_CN:
        return f"（{int_to_cn(number)}）"
    if rank == RANK_ARABIC:
        return f"{number}."
    if rank == RANK_PAREN_ARABIC:
        return f"（{number}）"
    return _CIRCLED[number - 1] if 0 < number <= len(_CIRCLED) else str(number)


def ref_label(rank: int, number: int) -> str:
    """Return the part of a clause reference one heading contributes: 一, （一）, 1, （1）."""
    if rank == RANK_CN:
        return int_to_cn(number)
    if rank == RANK_ARABIC:
        return str(number)
    return heading_label(rank, number)


def match_heading(line: str) -> HeadingMatch | None:
    """Recognise a numbered heading at the start of a line."""
    stripped = line.strip().lstrip("\u3000")
    if not stripped or "\t" in stripped:
        return None
    for rank, pattern in _HEADING_PATTERNS:
        m = pattern.match(stripped)
        if not m:
            continue
        token = m.group(1)
        if rank in (RANK_CN, RANK_PAREN_CN):
            # 二〇、 or 九九、 read digit by digit are not heading numbers; headings stay below 100.
            if len(token) > 1 and not any(c in _CN_UNITS for c in token):
                return None
            number = cn_to_int(token)
            if number is None or number > 99:
                return None
        elif rank == RANK_CIRCLED:
            number = _CIRCLED.index(token) + 1
        else:
            number = int(token)
        if not number:
            return None
        rest = m.group(2).strip()
        # 一是… and 二〇二一年… are prose, not headings; a heading's title never opens with punctuation.
        if rest and rest[0] in "，,。；;、）)》”":
            return None
        return HeadingMatch(rank, number, rest)
    return None


@dataclass
class OutlineNode:
    rank: int
    number: int
    title: str
    #: paragraphs in order; the first one is the heading's own (title included)
    paragraphs: list[str] = field(default_factory=list)
    children: list["OutlineNode"] = field(default_factory=list)
    #: the heading line held only the title (e.g. "（一）指导思想")
    standalone: bool = False

    @property
    def label(self) -> str:
        return heading_label(self.rank, self.number)

    @property
    def ref_label(self) -> str:
        return ref_label(self.rank, self.number)

    @property
    def heading(self) -> str:
        """Return the label and title as a section name, e.g. "一、扩大公开范围，打造阳光政府"."""
        return f"{self.label}{self.title}"

    def walk(self):
        """Yield this node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class DocumentHead:
    title: str = ""
    doc_number: str = ""
    issuer: str = ""
    issued_on: date | None = None
    year: int | None = None
    #: index of the first body line (after the title, or the first heading)
    body_start: int = 0


@dataclass
class Outline:
    head: DocumentHead
    roots: list[OutlineNode]
    #: paragraphs between the title and the first heading
    preamble: list[str]
    #: index of the line where the body ends (attachments, 抄送, footer), for callers that want the rest
    body_end: int
    lines: list[str]

    def nodes(self):
        for root in self.roots:
            yield from root.walk()


def parse_outline(text: str) -> Outline:
    """Read the head and the heading tree of a plan document."""
    lines = clean_lines(text)
    head = read_head(lines)
    end = body_end(lines, head.body_start)
    roots, preamble = _build_tree(lines[head.body_start:end])
    return Outline(head=head, roots=roots, preamble=preamble, body_end=end, lines=lines)


def body_end(lines: list[str], start: int) -> int:
    """Return the index of the first line after the body: attachments, 抄送, 主办, the printing footer."""
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if not line or "\t" in line:
            continue
        if _END_MARKERS.match(line) or _PRINTED_ON.search(line) and len(line) < 40:
            return i
        m = _ATTACHMENT.match(line)
        if m and (m.group("sep") or len(line) <= 40) and not m.group("rest")[:1] in "，,。；、":
            return i
    return len(lines)


def _first_heading(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        m = match_heading(line)
        if m and m.number == 1 and m.rank in (RANK_CN, RANK_PAREN_CN, RANK_ARABIC) and m.rest:
            return i
    return None


def read_head(lines: list[str]) -> DocumentHead:
    """Find the title, 文号, issuer, issue date and year at the head of a document."""
    head = DocumentHead()
    first = _first_heading(lines)
    limit = first if first is not None else min(len(lines), 60)
    zone = [(i, squeeze(lines[i])) for i in range(limit) if lines[i].strip() and "\t" not in lines[i]]

    for i, line in zone:
        m = _DOC_NUMBER.search(line)
        if m and len(line) <= len(m.group(0)) + 6:
            head.doc_number = f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"
            break

    date_index = None
    for i, line in zone:
        parsed = _parse_date_line(line)
        if parsed:
            head.issued_on, date_index = parsed, i
            break
    if head.issued_on is None:
        for line in lines:
            m = _PRINTED_ON.search(squeeze(line))
            if m:
                head.issued_on = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                break

    head.issuer = _find_issuer(zone, date_index, lines)

    title_index = None
    for i, line in zone:
        if _is_title_line(line):
            head.title, title_index = line, i
    if not head.title:
        for _, line in zone:
            m = _NOTICE.search(line)
            if m:
                head.title = m.group(1).strip("《》“”")
                break
    if not head.title and zone:
        head.title = zone[0][1][:80]

    m = re.search(r"((?:19|20)\d{2})\s*年", head.title)
    if m:
        head.year = int(m.group(1))
    elif head.issued_on:
        head.year = head.issued_on.year

    if first is not None:
        head.body_start = first if title_index is None or title_index >= first else title_index + 1
    else:
        head.body_start = title_index + 1 if title_index is not None else 0
    return head


def _is_title_line(line: str) -> bool:
    if len(line) > 70 or len(line) < 4 or line.startswith(("《", "附件")):
        return False
    if re.search(r"[。，,；;：:]", line) or "关于" in line or "通知" in line:
        return False
    return bool(_TITLE_END.search(line))


def _parse_date_line(line: str) -> date | None:
    m = _DATE_LINE.match(line)
    if m:
        return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _CN_DATE_LINE.match(line)
    if m:
        year, month, day = cn_to_int(m.group(1)), cn_to_int(m.group(2)), cn_to_int(m.group(3))
        if year and month and day:
            return _safe_date(year, month, day)
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _find_issuer(zone: list[tuple[int, str]], date_index: int | None, lines: list[str]) -> str:
    if date_index is not None:
        before = [line for i, line in zone if i < date_index][-2:]
        for line in reversed(before):
            if _ORG_LINE.match(line):
                return line
    for _, line in zone:
        if line.endswith("文件") and _ORG_LINE.match(line[:-2]):
            return line[:-2]
    for _, line in zone:
        m = re.match(r"^(.{2,40}?)关于印发", line)
        if m and _ORG_LINE.match(m.group(1)):
            return m.group(1)
    for i, line in enumerate(lines):
        if _PRINTED_ON.search(squeeze(line)):
            for j in range(i - 1, max(i - 4, -1), -1):
                candidate = squeeze(lines[j])
                if candidate and _ORG_LINE.match(candidate):
                    return candidate
    return ""


def _build_tree(lines: list[str]) -> tuple[list[OutlineNode], list[str]]:
    roots: list[OutlineNode] = []
    preamble: list[str] = []
    stack: list[OutlineNode] = []
    last_number: dict[int, int] = {}
    node: OutlineNode | None = None
    buffer: str | None = None
    is_open = False

    def flush() -> None:
        nonlocal buffer
        if buffer is not None and buffer.strip():
            (node.paragraphs if node is not None else preamble).append(buffer.strip())
        buffer = None

    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line:
            continue
        match = match_heading(line)
        if match and _in_sequence(match, last_number):
            flush()
            rest = match.rest
            if not rest:
                nxt = _next_text(lines, i)
                if nxt is None:
                    continue
                rest, i = lines[nxt].strip(), nxt + 1
            standalone = not _SENTENCE_END.search(rest[:-1] if rest else "") and len(rest) <= 40
            if standalone and rest[-1:] not in _TERMINAL:
                rest, i = _join_split_heading(rest, lines, i)
            last_number[match.rank] = match.number
            while stack and stack[-1].rank >= match.rank:
                stack.pop()
            node = OutlineNode(match.rank, match.number, _title_of(rest, standalone), standalone=standalone)
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
            buffer = squeeze(rest)
            is_open = not standalone and buffer[-1:] not in _TERMINAL
            if standalone:
                flush()
            continue
        text = squeeze(line)
        if buffer is not None and is_open:
            buffer += text
        else:
            flush()
            buffer = text
        is_open = buffer[-1:] not in _TERMINAL
    flush()
    return roots, preamble


def _in_sequence(match: HeadingMatch, last_number: dict[int, int]) -> bool:
    if match.number == 1:
        return True
    last = last_number.get(match.rank)
    if last is None:
        # A document may open its outline at 二、 when the excerpt starts late; accept the top ranks.
        return match.rank == RANK_CN and match.number <= 3
    return last < match.number <= last + 3


def _next_text(lines: list[str], start: int) -> int | None:
    for j in range(start, min(start + 4, len(lines))):
        if lines[j].strip():
            return j
    return None


def _join_split_heading(rest: str, lines: list[str], i: int) -> tuple[str, int]:
    """Join a heading title that wrapped onto a short second line."""
    nxt = _next_text(lines, i)
    if nxt is None:
        return rest, i
    candidate = lines[nxt].strip()
    if match_heading(candidate) or "\t" in candidate or len(candidate) > 20:
        return rest, i
    # Only a title that ends on a comma, or one long enough to have reached the line's end, wraps.
    if rest[-1:] not in "，,、" and len(rest) < 12:
        return rest, i
    inner = candidate[:-1] if candidate[-1:] in "。" else candidate
    if _SENTENCE_END.search(inner) or "，" in inner:
        return rest, i
    return rest + candidate, nxt + 1


def _title_of(rest: str, standalone: bool) -> str:
    text = squeeze(rest)
    if standalone:
        return text.rstrip("。；;：:，,")
    m = _SENTENCE_END.search(text)
    sentence = text[: m.start()] if m else text
    if len(sentence) <= 60:
        return sentence
    comma = sentence.find("，")
    if 0 < comma <= 60:
        return sentence[:comma]
    return sentence[:40]

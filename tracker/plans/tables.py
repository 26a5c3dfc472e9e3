"""Decomposition tables (任务分解表) from tab-separated text or spreadsheet rows."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Column kinds, in the order a header cell is tested against them (the first match wins,
#: so "具体任务" is a requirement and not a task, "牵头单位" is lead and not responsible).
COLUMN_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("seq", ("序号", "编号", "序")),
    ("lead", ("牵头单位", "牵头部门", "牵头科室", "牵头处室", "牵头")),
    ("cooperating", ("配合单位", "配合部门", "配合科室", "协办单位", "协助单位", "参与单位", "配合")),
    ("responsible", ("责任单位", "责任部门", "责任科室", "责任处室", "责任主体", "承办单位", "落实单位",
                     "负责单位", "实施单位", "主办单位", "责任股室")),
    ("deadline", ("时限要求", "完成时限", "完成时间", "时间节点", "完成期限", "时限", "时间要求",
                  "进度安排", "截止时间", "完成时间节点")),
    ("requirement", ("具体要求", "工作要求", "工作措施", "具体措施", "主要措施", "推进措施", "任务要求",
                     "具体任务", "工作标准", "落实措施", "要求", "措施")),
    ("content", ("公开内容", "主要内容", "工作内容", "任务内容", "公开事项", "内容")),
    ("task", ("工作任务", "公开任务", "重点任务", "主要任务", "任务名称", "工作事项", "工作项目", "任务",
              "事项", "项目")),
    ("note", ("备注", "说明")),
]
WORK_KEYS = ("task", "content", "requirement")
UNIT_KEYS = ("lead", "responsible", "cooperating")

_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])[ \u3000\u00a0]+|[ \u3000\u00a0]+(?=[^\x00-\x7f])")
_VERB_START = re.compile(r"^(开设|加强|推进|做好|提升|完善|建立|落实|开展|实施|规范|强化|优化|深化|抓好|持续|推动|组织|"
                         r"编制|制定|公开|建设|严格|全面|积极|及时|进一步)")
_TABLE_END = re.compile(r"^(抄\s*送|主\s*送|主\s*办|督\s*办|附\s*件|注\s*[:：]|备注\s*[:：]|联系人|填表人|.*印\s*发\s*$)")
_BRACKETED = re.compile(r"[（(〔\[［【][^（）()〔〕\[\]［］【】]{0,20}[）)〕\]］】]")
_UNIT_SPLIT = re.compile(r"[、，,；;/\s]+")
_ROLE_TAIL = re.compile(r"(等有关单位|等有关部门|等相关单位|等相关部门|等单位|等部门|抓好落实|负责落实|具体落实|"
                        r"共同负责|牵头负责|负责|牵头|配合|落实|等)$")
_UNIT_SUFFIX = re.compile(
    r"(局|委|办|府|单位|部门|中心|管委会|委员会|办公室|街道|办事处|镇|乡|区|县|市|院|会|处|科|室|站|队|所|"
    r"社|行|司|部|厅|署|组|馆|团|校|台|各部门|各单位)$"
)
_TERMINAL = "。！？；!?;"
_SECTION_LABEL = re.compile(r"^([一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十]{1,3}部分)")
_PAGE_DEBRIS = re.compile(r"^[\s\-—－–―~～_]*(第\s*)?\d{1,3}\s*(页)?(\s*/\s*\d{1,3}|\s*共\s*\d{1,3}\s*页)?[\s\-—－–―~～_]*$")


def squeeze(text: str) -> str:
    """Drop whitespace next to Chinese characters (line-wrap debris) and trim."""
    text = re.sub(r"[ \u3000\u00a0]+", " ", text.replace("\n", "").replace("\r", "")).strip()
    return _CJK_GAP.sub("", text)


def classify_header_cell(text: str) -> str | None:
    """Return the column kind a header cell names, or None."""
    cell = re.sub(r"\s+", "", text)
    if not cell or len(cell) > 12:
        return None
    for key, words in COLUMN_WORDS:
        for word in words:
            if cell == word or (len(word) >= 2 and word in cell):
                return key
    if cell.endswith(("单位", "部门", "科室", "处室", "股室")):
        return "responsible"
    return None


def header_keys(cells: list[str], *, need_work: bool = True) -> list[str | None] | None:
    """Return the column kinds if the row is a table header, else None."""
    keys = [classify_header_cell(c) for c in cells]
    known = [k for k in keys if k]
    filled = [c for c in cells if c.strip()]
    if len(known) < 2 or len(known) * 2 < len(filled):
        return None
    if not any(k in UNIT_KEYS for k in known):
        return None
    if need_work and not any(k in WORK_KEYS for k in known):
        return None
    return keys


@dataclass
class Header:
    #: index of the header row in the rows it was found in
    index: int
    labels: list[str]
    keys: list[str | None]


def find_header(rows: list[list[str]], *, need_work: bool = True) -> Header | None:
    """Find the first row that reads as a decomposition-table header."""
    for i, row in enumerate(rows):
        cells = [str(c or "") for c in row]
        keys = header_keys(cells, need_work=need_work)
        if keys:
            return Header(i, [squeeze(c) for c in cells], keys)
    return None


def looks_like_units(text: str) -> bool:
    """Tell whether a cell reads as a list of unit names rather than prose."""
    text = squeeze(text)
    if not text or len(text) > 200 or "。" in text:
        return False
    # Bracketed qualifiers such as （市、区） hold separators of their own.
    flat = _BRACKETED.sub("", text)
    parts = [p for p in _UNIT_SPLIT.split(flat) if p]
    if not parts:
        return False
    for part in parts:
        part = _ROLE_TAIL.sub("", part)
        part = _ROLE_TAIL.sub("", part)
        if not part:
            continue
        if len(part) > 30 or not _UNIT_SUFFIX.search(part) or _VERB_START.match(part):
            return False
    return True


@dataclass
class RawTable:
    """A run of tab-separated lines under one header, rows joined but not interpreted."""

    title: str
    header: list[str]
    keys: list[str | None]
    rows: list[list[str]]
    #: line index of the header in the source text
    start: int
    end: int


@dataclass
class TableRow:
    ref: str
    #: group labels from the top down (公开任务 → 公开内容)
    path: list[str]
    #: the leaf text (具体要求 or whichever work column is rightmost)
    text: str
    #: every column by its header label, after carrying merged cells down
    columns: dict[str, str]
    #: every column by its kind (seq, task, content, requirement, lead, responsible, ...)
    cells: dict[str, str]
    #: 1-based number of the row in the table body, for messages
    number: int
    recovered: bool = False


@dataclass
class DecompositionTable:
    title: str
    labels: list[str]
    keys: list[str | None]
    rows: list[TableRow] = field(default_factory=list)
    #: top-level group labels in order of appearance
    groups: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_text_tables(text: str, *, need_work: bool = False) -> list[RawTable]:
    """Find every tab-separated table that has a recognisable header."""
    lines = text.split("\n")
    tables: list[RawTable] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        keys = header_keys(line.split("\t"), need_work=need_work) if "\t" in line else None
        if not keys:
            i += 1
            continue
        header = line.split("\t")
        title = _title_before(lines, i)
        rows, end = _collect_rows(lines, i + 1, len(header))
        tables.append(RawTable(title, [squeeze(c) for c in header], keys, rows, i, end))
        i = end
    return tables


def _title_before(lines: list[str], index: int) -> str:
    for j in range(index - 1, max(index - 5, -1), -1):
        candidate = lines[j].strip()
        if not candidate:
            continue
        if "\t" in candidate or _PAGE_DEBRIS.match(candidate):
            return ""
        return squeeze(candidate)
    return ""


def _collect_rows(lines: list[str], start: int, ncols: int) -> tuple[list[list[str]], int]:
    """Collect the table's logical rows, joining cells wrapped onto further lines."""
    rows: list[list[str]] = []
    pending: list[str] | None = None
    i = start
    while i < len(lines):
        line = lines[i].rstrip("\r")
        if not line.strip():
            i += 1
            continue
        if "\t" not in line:
            if pending is not None and len(pending) < ncols:
                pending[-1] += line.strip()
                i += 1
                continue
            if _TABLE_END.match(line.strip()):
                break
            if _SECTION_LABEL.match(line.strip()) and len(line.strip()) <= 40:
                # A section heading spanning the table, written on a line of its own.
                if pending is not None:
                    rows.append(pending)
                    pending = None
                rows.append([line.strip()] * ncols)
                i += 1
                continue
            nxt = _next_nonblank(lines, i + 1)
            if _PAGE_DEBRIS.match(line) or (nxt is not None and "\t" in lines[nxt] and len(line.strip()) <= 40
                                             and _is_table_continuation(lines[nxt], ncols)):
                i += 1
                continue
            break
        cells = line.split("\t")
        if pending is not None and len(pending) < ncols and len(pending) + len(cells) - 1 <= ncols:
            pending[-1] += cells[0]
            pending.extend(cells[1:])
        else:
            if pending is not None:
                rows.append(pending)
            pending = cells
        i += 1
    if pending is not None:
        rows.append(pending)
    return rows, i


def _banner(cells: list[str]) -> str:
    """Return the label of a row that spans the table (a merged section heading), else ""."""
    filled = [c for c in cells if c]
    if not filled or len(set(filled)) != 1 or len(filled[0]) > 40:
        return ""
    if len(filled) >= 2 and len(filled) == len(cells):
        return filled[0]
    if len(filled) == 1 and len(cells) >= 2 and _SECTION_LABEL.match(filled[0]):
        return filled[0]
    return ""


def _next_nonblank(lines: list[str], start: int) -> int | None:
    for j in range(start, min(start + 4, len(lines))):
        if lines[j].strip():
            return j
    return None


def _is_table_continuation(line: str, ncols: int) -> bool:
    cells = line.split("\t")
    return header_keys(cells, need_work=False) is not None or len(cells) >= max(2, ncols - 1)


_ROW_NUMBER = re.compile(r"^(\d{1,3})\s*[.、．]?$")


def unflatten_tables(text: str) -> str:
    """Rejoin tables copied one cell per line (a web page's table pasted as text) into tab-separated rows.

    The header's words stand each on its own line (序号 / 工作任务 / … / 完成时限); each row then
    starts with its number alone on a line and its cells follow one per line. Cells of merged
    groups are missing in the rows below the first, so the cells are placed by what they hold.
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        header, after = _flat_header(lines, i)
        if header is None:
            out.append(lines[i])
            i += 1
            continue
        keys = header_keys(header, need_work=True)
        out.append("\t".join(header))
        i = after
        while i < len(lines):
            line = lines[i].strip()
            if not line:
                i += 1
                continue
            number = _ROW_NUMBER.match(line)
            if number:
                cells, i = _flat_row(lines, i + 1)
                out.append("\t".join([number.group(1)] + _place_cells(cells, keys[1:])))
                continue
            if _SECTION_LABEL.match(line) and len(line) <= 40:
                out.append(line)
                i += 1
                continue
            break
    return "\n".join(out)


def _flat_header(lines: list[str], start: int) -> tuple[list[str] | None, int]:
    """Return the header words standing one per line from ``start`` (序号 first), and the line after."""
    words: list[str] = []
    i = start
    while i < len(lines) and len(words) < 12:
        line = lines[i].strip()
        if not line or "\t" in line or classify_header_cell(line) is None:
            break
        words.append(line)
        i += 1
    if len(words) < 3 or classify_header_cell(words[0]) != "seq":
        return None, start
    return (words, i) if header_keys(words, need_work=True) else (None, start)


def _flat_row(lines: list[str], start: int) -> tuple[list[str], int]:
    cells: list[str] = []
    i = start
    while i < len(lines):
        line = lines[i].strip()
        if _ROW_NUMBER.match(line) or _TABLE_END.match(line) or (_SECTION_LABEL.match(line) and len(line) <= 40 and cells):
            break
        if line:
            if cells and cells[-1][-1] in "，,、；;：:":
                cells[-1] += line  # a cell never ends on a comma: the line wraps the one above
            else:
                cells.append(line)
        i += 1
    return cells, i


def _is_deadline_cell(text: str) -> bool:
    from .deadlines import parse_deadline

    return len(text) <= 40 and parse_deadline(text, 2000) is not None and not looks_like_units(text)


def _place_cells(cells: list[str], keys: list[str | None]) -> list[str]:
    """Put a row's cells under the header's columns by their content, from the right.

    A deadline goes under 时限, names under the unit column; what is left fills the work columns
    from the right (a missing cell is a merged group above), extra lines join the rightmost one.
    """
    placed = [""] * len(keys)
    rest = list(cells)
    work = [i for i, k in enumerate(keys) if k not in UNIT_KEYS and k != "deadline"]
    for i in range(len(keys) - 1, -1, -1):
        key = keys[i]
        if key == "deadline" or key in UNIT_KEYS:
            if rest and (_is_deadline_cell(rest[-1]) if key == "deadline" else looks_like_units(rest[-1])):
                placed[i] = rest.pop()
    if not work:
        return placed
    if len(rest) > len(work):
        # A long cell wrapped over several lines: the surplus belongs to the rightmost work column.
        surplus = len(rest) - len(work) + 1
        rest = rest[: len(work) - 1] + ["".join(rest[len(work) - 1:][:surplus])]
    for i, value in zip(work[len(work) - len(rest):], rest):
        placed[i] = value
    return placed


def _expand_span(labels: list[str], keys: list[str | None], body: list[list[str]]) -> tuple[list[str], list[str | None], bool]:
    """Widen the header when rows carry more cells than it has, the task column split into its parts.

    "工作任务" over the cells "一、…", "（一）…", "1" reads as two group columns and a 序号.
    Return the new labels and keys, and whether the 序号 numbers rows within their group.
    """
    n = len(labels)
    widths = [len(r) for r in body if sum(1 for c in r if str(c or "").strip()) >= 3]
    if not widths:
        return labels, keys, False
    width = max(set(widths), key=widths.count)
    work = [i for i, k in enumerate(keys) if k in WORK_KEYS]
    if width <= n or not work:
        return labels, keys, False
    extra = width - n
    first = work[0]
    labels = labels[:first] + [labels[first]] * (extra + 1) + labels[first + 1:]
    keys = keys[:first] + [keys[first]] * (extra + 1) + keys[first + 1:]
    span = range(first, first + extra + 1)
    kinds = []
    for c in span:
        values = [squeeze(str(r[c] or "")) for r in body if len(r) == width and c < len(r) and str(r[c] or "").strip()]
        if values and all(_ROW_NUMBER.match(v) for v in values):
            kinds.append("seq")
        else:
            kinds.append("group")
    if "seq" in kinds and "seq" in keys[:first]:
        return labels[:n], keys[:n], False
    group_keys = iter(("task", "content", "requirement"))
    for c, kind in zip(span, kinds):
        keys[c] = "seq" if kind == "seq" else next(group_keys, None)
    # the leaf stays the rightmost work column outside the span
    return labels, keys, "seq" in kinds


def find_decomposition_tables(text: str) -> list[DecompositionTable]:
    """Parse every decomposition table found in tab-separated text (or copied one cell per line)."""
    result = []
    if "\t" not in text:
        text = unflatten_tables(text)
    for raw in read_text_tables(text, need_work=True):
        table = parse_rows([raw.header] + raw.rows, title=raw.title, header_index=0)
        if table is not None and table.rows:
            result.append(table)
    return result


def parse_rows(rows: list[list[str]], *, title: str = "", header_index: int | None = None) -> DecompositionTable | None:
    """Interpret table rows: carry merged cells down, skip repeated headers, recover shifted rows."""
    if header_index is None:
        header = find_header(rows)
        if header is None:
            return None
        header_index = header.index
        if not title:
            # A merged banner reads the same in every cell it spans; say it once.
            title = next((squeeze(" ".join(dict.fromkeys(str(c) for c in r if c))) for r in rows[:header_index]
                          if any(r)), "")
    labels = [squeeze(str(c or "")) for c in rows[header_index]]
    keys = header_keys(labels, need_work=False)
    if keys is None:
        return None
    body = rows[header_index + 1:]
    if body:
        # A two-row header: 责任单位 merged over 牵头单位 | 配合单位 on the row below.
        below = [squeeze(str(c or "")) for c in body[0]]
        sub_keys = header_keys(below, need_work=False)
        if sub_keys is not None:
            for i, key in enumerate(sub_keys[: len(keys)]):
                if key and key != keys[i]:
                    keys[i], labels[i] = key, below[i]
            body = body[1:]
    labels, keys, seq_in_group = _expand_span(labels, keys, body)
    return _Interpreter(labels, keys, title, seq_in_group=seq_in_group).run(body)


class _Interpreter:
    def __init__(self, labels: list[str], keys: list[str | None], title: str, *, seq_in_group: bool = False) -> None:
        #: the 序号 counts rows within the group columns to its left (the group path makes the ref)
        self.seq_in_group = seq_in_group
        self.labels = labels
        self.keys = keys
        self.ncols = len(labels)
        self.table = DecompositionTable(title=title, labels=labels, keys=keys)
        self.col = {}
        for i, k in enumerate(keys):
            if k and k not in self.col:
                self.col[k] = i
        work = sorted((self.col[k], k) for k in WORK_KEYS if k in self.col)
        self.leaf = work[-1][0] if work else None
        self.group_cols = [i for i, _ in work[:-1]]
        self.seq = self.col.get("seq")
        self.carry_cols = [i for i, k in enumerate(keys) if k in UNIT_KEYS or k == "deadline"]

    def run(self, body: list[list[str]]) -> DecompositionTable:
        table = self.table
        if self.leaf is None:
            return table
        self.seq_is_group = False if self.seq_in_group else self._decide_seq(body)
        current = [""] * self.ncols
        section = ""
        built: list[tuple[list[str], int, bool, str]] = []
        for number, raw in enumerate(body, start=1):
            cells = [squeeze(str(c or "")) for c in raw]
            if not any(cells):
                continue
            if header_keys(cells, need_work=False) is not None:
                continue  # a header repeated after a page break
            banner = _banner(cells)
            if banner:
                section, current = banner, [""] * self.ncols
                continue
            cells, recovered = self._fit(cells)
            if self._is_wrapped_leaf(cells, built):
                built[-1][0][self.leaf] += cells[self.leaf]
                continue
            row = self._carry(cells, current)
            current = row
            if not row[self.leaf]:
                continue  # a row that only opens a group
            built.append((row, number, recovered, section))
        self._number(built)
        return table

    def _fit(self, cells: list[str]) -> tuple[list[str], bool]:
        n = self.ncols
        candidates: list[list[str]] = []
        base = (cells + [""] * n)[:n]
        extra = [c for c in cells[n:] if c]
        if extra:
            # Extra cells: a spurious empty cell pushed the row right.
            trimmed = list(cells)
            while len(trimmed) > n and "" in trimmed[: len(trimmed) - n + 1]:
                trimmed.remove("")
            base = (trimmed + [""] * n)[:n]
        candidates.append(base)
        for k in (1, 2):
            if all(not c for c in base[n - k:]):
                candidates.append([""] * k + base[: n - k])
            if all(not c for c in base[:k]):
                candidates.append(base[k:] + [""] * k)
        scored = [(self._score(c), i, c) for i, c in enumerate(candidates)]
        best = max(scored, key=lambda s: (s[0], -s[1]))
        if best[1] != 0 and best[0] >= scored[0][0] + 2:
            return best[2], True
        return base, bool(extra)

    def _score(self, cells: list[str]) -> int:
        score = 0
        for i, key in enumerate(self.keys):
            cell = cells[i]
            if not cell:
                continue
            unitish = looks_like_units(cell)
            if key in UNIT_KEYS:
                score += 2 if unitish else -2
            elif i == self.leaf:
                score += -2 if unitish else (1 if len(cell) >= 12 else 0)
            elif i in self.group_cols:
                score += -1 if len(cell) > 40 or unitish else 0
            elif key == "seq":
                score += 0 if re.fullmatch(r"[\d一二三四五六七八九十百.、（）()]{1,6}", cell) else -2
        return score

    def _is_wrapped_leaf(self, cells: list[str], built: list[tuple[list[str], int, bool]]) -> bool:
        """Tell whether a row only continues the previous row's leaf text (a cell split over rows)."""
        if not built or not cells[self.leaf]:
            return False
        if any(c for i, c in enumerate(cells) if i != self.leaf):
            return False
        previous = built[-1][0][self.leaf]
        return bool(previous) and previous[-1] not in _TERMINAL

    def _carry(self, cells: list[str], current: list[str]) -> list[str]:
        """Fill blank cells from the row above, the way merged cells read."""
        row = list(cells)
        depths = self._depths()
        changed_at = None
        for depth, cols in enumerate(depths):
            if any(row[c] and row[c] != current[c] for c in cols):
                changed_at = depth
                break
        for depth, cols in enumerate(depths):
            for c in cols:
                if not row[c] and (changed_at is None or depth < changed_at):
                    row[c] = current[c]
        # Unit and deadline cells merged over several rows belong to one top-level group.
        if changed_at is None or changed_at > 0:
            for c in self.carry_cols:
                if not row[c]:
                    row[c] = current[c]
        return row

    def _depths(self) -> list[list[int]]:
        top = ([self.seq] if self.seq is not None and self.seq_is_group else []) + self.group_cols[:1]
        return ([top] if top else []) + [[c] for c in self.group_cols[1:]]

    def _decide_seq(self, body: list[list[str]]) -> bool:
        """Tell whether 序号 numbers groups (blank or repeated on their rows) rather than rows."""
        if self.seq is None or self.leaf is None:
            return False
        values: list[tuple[int, str]] = []
        section = 0
        for raw in body:
            cells = [squeeze(str(c or "")) for c in raw]
            if _banner(cells):
                section += 1  # row numbers may restart under each section label
                continue
            if len(cells) <= max(self.seq, self.leaf) or header_keys(cells, need_work=False):
                continue
            if cells[self.leaf]:
                values.append((section, cells[self.seq]))
        if not values:
            return False
        return any(v == "" for _, v in values) or len(set(values)) < len(values)

    def _number(self, built: list[tuple[list[str], int, bool, str]]) -> None:
        table = self.table
        seq_is_group = self.seq_is_group
        sections = list(dict.fromkeys(section for *_, section in built))
        group_index: dict[tuple[str, str], int] = {}
        per_group: dict[tuple[str, str], int] = {}
        for row, number, recovered, section in built:
            top_key = (section, self._top_key(row, seq_is_group))
            if top_key not in group_index:
                group_index[top_key] = sum(1 for k in group_index if k[0] == section) + 1
                label = row[self.group_cols[0]] if self.group_cols else (row[self.seq] if seq_is_group else "")
                if section and section not in table.groups:
                    table.groups.append(section)
                elif not section and top_key[1]:
                    table.groups.append(label or top_key[1])
            per_group[top_key] = per_group.get(top_key, 0) + 1
            if self.seq_in_group and row[self.seq]:
                heads = [_label_number(row[i]) for i in self.group_cols if row[i]]
                ref = ".".join([h for h in heads if h] + [row[self.seq].rstrip(".、．")])
            elif self.seq is not None and not seq_is_group and row[self.seq]:
                ref = row[self.seq]
            elif self.group_cols or seq_is_group:
                head = row[self.seq] if seq_is_group and row[self.seq] else str(group_index[top_key])
                ref = f"{head}.{per_group[top_key]}"
            else:
                ref = str(sum(n for k, n in per_group.items() if k[0] == section))
            if section and len(sections) > 0:
                ref = f"{sections.index(section) + 1}.{ref}"
            if recovered:
                table.warnings.append(
                    f"任务分解表第 {ref} 项（表中第 {number} 行）的单元格错位，已按各列内容重新对齐，请核对。"
                )
            path = ([section] if section else []) + [row[i] for i in self.group_cols if row[i]]
            table.rows.append(
                TableRow(
                    ref=ref,
                    path=path,
                    text=row[self.leaf],
                    columns={label or f"列{i + 1}": row[i] for i, label in enumerate(self.labels)},
                    cells={k: row[i] for k, i in self.col.items()},
                    number=number,
                    recovered=recovered,
                )
            )

    def _top_key(self, row: list[str], seq_is_group: bool) -> str:
        parts = []
        if self.seq is not None and seq_is_group:
            parts.append(row[self.seq])
        if self.group_cols:
            parts.append(row[self.group_cols[0]])
        return " ".join(p for p in parts if p)


def _label_number(label: str) -> str:
    """Return the number part of a section label: "一、加强…" → "一", "（二）推进…" → "（二）"."""
    m = _SECTION_LABEL.match(label)
    return m.group(1).rstrip("、") if m else ""

"""Unit phrases in plan text: normalising, splitting lists, reading roles and unit clauses.

Pure text functions; nothing here knows the unit directory (see ``resolve.py``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

#: CJK ideographs plus full-width punctuation, quotes and brackets.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WIDE = _CJK + "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201d\u2014\u2026"

_OPEN = "（(〔[【"
_CLOSE = "）)〕]】"

_WIDE_GAP_RE = re.compile(
    rf"(?<=[{_WIDE}])[ \u00a0\u3000]+(?=[{_WIDE}0-9])|(?<=[{_WIDE}0-9])[ \u00a0\u3000]+(?=[{_WIDE}])"
)
_HALF_SEP_RE = re.compile(rf"(?<=[{_WIDE}])[ \u00a0\u3000]*([:;,])[ \u00a0\u3000]*(?=[{_WIDE}0-9])")
_HALF_TO_FULL = {":": "：", ";": "；", ",": "，"}
_SQUARE_RE = re.compile(rf"〔([^〔〕\[\]\n]*[{_CJK}][^〔〕\[\]\n]*)〕|\[([^〔〕\[\]\n]*[{_CJK}][^〔〕\[\]\n]*)\]")
_LINE_JOIN_RE = re.compile(rf"(?<=[{_WIDE}0-9])\s+(?=[{_WIDE}0-9])")

#: Endings that make a string a complete unit name, so 和/及 between two of them joins two units.
_UNIT_ENDINGS = (
    "办事处", "管委会", "委员会", "办公室", "中心", "单位", "部门", "科室", "镇街", "街道", "公司", "集团",
    "分局", "支队", "大队", "政府", "机关", "乡镇",
    "局", "委", "办", "室", "厅", "部", "院", "府", "会", "处", "所", "站", "队", "科", "股", "馆", "社",
    "镇", "乡", "区", "县", "市", "行", "团",
)

#: Vague tails: the list goes on beyond the names written ("…等有关部门").
_VAGUE_TAIL_RE = re.compile(r"等(?:其他|其它)?(?:有关|相关)?(?:单位|部门|科室|镇街|乡镇)?$")
#: Endings of a group a list can close with after 等 ("区教育局等区政府有关部门").
_GROUP_ENDINGS = ("部门", "单位", "科室", "处室", "乡镇", "镇街", "街道", "成员单位")

#: Qualifiers written between a unit and its role word: 按职能分工, 按属地原则, 根据各自职责 …
_QUALIFIER_RE = re.compile(
    r"(?:按照?|依照|根据|依据|结合|对照|立足)[\u4e00-\u9fff]{0,8}(?:分工|原则|职责|职能|要求|实际|权限|规定|范围)$"
)
#: Words that start what a sentence says about the units it opens with.
_PREDICATE_RE = re.compile(
    r"(?:要|应当|应|须|需|必须|务必|分别|各自|共同|认真|切实|于|在|将|按照?|依照|根据|依据|结合|对照|立足|"
    # no verb that unit names contain (市委组织部, 市推进办): only words a name never continues with
    r"牵头|负责|配合|协助|协办|参与|抓好|做好|落实|印发|制定|出台|完成|"
    r"[0-9０-９]|[一二三四五六七八九十]{1,2}月|(?:今|本|明)年|年底|年内|上半年|下半年|全年|每)"
)

#: Role words at the end of a phrase segment, longest first, with the role they assign.
_ROLE_WORDS: tuple[tuple[str, str], ...] = (
    ("按职责分工负责", "responsible"),
    ("按职责分工落实", "responsible"),
    ("按职责分工", "responsible"),
    ("牵头负责", "lead"),
    ("牵头落实", "lead"),
    ("牵头抓总", "lead"),
    ("负责落实", "responsible"),
    ("抓好落实", "responsible"),
    ("具体落实", "responsible"),
    ("组织落实", "responsible"),
    ("共同落实", "responsible"),
    ("具体负责", "responsible"),
    ("配合落实", "cooperating"),
    ("协助落实", "cooperating"),
    ("参与落实", "cooperating"),
    ("牵头", "lead"),
    ("负责", "responsible"),
    ("落实", "responsible"),
    ("配合", "cooperating"),
    ("协助", "cooperating"),
    ("协办", "cooperating"),
    ("参与", "cooperating"),
)
_ROLE_TAIL_RE = re.compile(
    r"(?:要|应|须|需|共同|分别|认真|切实|各自)?(?P<word>"
    + "|".join(re.escape(w) for w, _ in _ROLE_WORDS)
    + r")$"
)
_ROLE_OF = dict(_ROLE_WORDS)

#: Labels that open a unit clause: 牵头单位：, 责任部门：, 配合科室：, 责任时限： …
_LABEL_RE = re.compile(
    r"(?P<label>(?:牵头|责任|配合|协办|主办|承办|参与|协助)\s*(?:单位|部门|科室|处室)"
    r"|(?:责任|完成)\s*(?:时限|时间|期限)(?:要求)?|时限要求|时间节点|时间要求)\s*[:：]"
)
_CLAUSE_START_RE = re.compile(r"[（(\[〔【]\s*(?=" + _LABEL_RE.pattern + ")")
_BARE_CLAUSE_RE = re.compile(r"(?m)^[ \t\u3000]*(?=" + _LABEL_RE.pattern + r")[^\n]*$")

_DEFINITION_RE = re.compile(r"(?:以下|下文|下)(?:统称|简称|称)为?|(?<=[（(])\s*(?:统称|简称)为?")
_ALIAS_MAX = 40
_PHRASE_MAX = 400
_QUOTES = {"“": "”", '"': '"', "「": "」", "『": "』", "‘": "’"}
_LEADING_VERBS_RE = re.compile(r"^(?:严格依照|严格按照|依照|按照|根据|依据|对照|对|由|请|将|把|要求|组织|会同)")


@dataclass
class UnitRoles:
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)
    #: the phrase or clause texts as written, plus every vague item ("B等有关部门") on its own
    phrases: list[str] = field(default_factory=list)
    #: the words of a 责任时限 / 完成时限 label, if the clause had one
    deadline_text: str = ""

    def is_empty(self) -> bool:
        """Tell whether no unit and no deadline was found."""
        return not (self.lead or self.responsible or self.cooperating or self.deadline_text)

    def _add(self, role: str, names: list[str]) -> None:
        bucket = getattr(self, role)
        for name in names:
            if name not in bucket:
                bucket.append(name)

    def _note(self, phrase: str) -> None:
        if phrase and phrase not in self.phrases:
            self.phrases.append(phrase)

    def merge(self, other: UnitRoles) -> None:
        """Add another clause's units, phrases and deadline to these, keeping order and no repeats."""
        for role in ("lead", "responsible", "cooperating"):
            self._add(role, getattr(other, role))
        for phrase in other.phrases:
            self._note(phrase)
        if not self.deadline_text:
            self.deadline_text = other.deadline_text


def normalize(s: str) -> str:
    """Return ``s`` with bracket variants, separators and PDF spacing debris unified."""
    s = s.replace("**", "")
    s = s.replace("(", "（").replace(")", "）")
    s = _SQUARE_RE.sub(lambda m: "（" + (m.group(1) if m.group(1) is not None else m.group(2)) + "）", s)
    s = _HALF_SEP_RE.sub(lambda m: _HALF_TO_FULL[m.group(1)], s)
    s = _WIDE_GAP_RE.sub("", s)
    return s.strip()


def _join_lines(s: str) -> str:
    """Drop whitespace, line breaks included, that PDF extraction left between CJK characters."""
    return _LINE_JOIN_RE.sub("", s)


def _tidy(s: str) -> str:
    """Return a phrase as written, minus spacing debris, for display."""
    return _join_lines(s.replace("**", "")).strip(" \t\n\u3000，,；;。")


def _split_top(s: str, seps: str) -> list[str]:
    """Split on any character of ``seps`` that is not inside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in seps:
            parts.append(s[start:i])
            start = i + 1
    parts.append(s[start:])
    return parts


def _is_complete_name(s: str) -> bool:
    """Tell whether ``s`` ends like a unit name, ignoring a trailing bracket group."""
    s = re.sub(r"（[^（）]*）$", "", s.strip())
    return len(s) >= 2 and s.endswith(_UNIT_ENDINGS)


def _top_level_positions(s: str, word: str) -> list[int]:
    positions, depth = [], 0
    for i, ch in enumerate(s):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and s.startswith(word, i):
            positions.append(i)
    return positions


def _split_conjunctions(item: str) -> list[str]:
    """Split ``item`` on 和/及/与/以及 only where both sides are complete unit names."""
    cuts = sorted(
        {(pos, len(word)) for word in ("以及", "和", "及", "与") for pos in _top_level_positions(item, word)}
    )
    names, start = [], 0
    for pos, width in cuts:
        if pos < start or (width == 1 and item[pos - 1 : pos + 1] == "以及"):
            continue  # the 及 of 以及 is handled as the two-character word
        left, right = item[start:pos], item[pos + width :]
        if _is_complete_name(left) and _is_complete_name(right):
            names.append(left)
            start = pos + width
    names.append(item[start:])
    return names


def _strip_vague(item: str) -> tuple[str, bool]:
    stripped = _VAGUE_TAIL_RE.sub("", item)
    return stripped, stripped != item


def _split_etc(item: str) -> list[str]:
    """Split "A等B部门" into the unit A and the group B部门; "A等有关部门" stays one vague item."""
    positions = _top_level_positions(item, "等")
    if not positions:
        return [item]
    pos = positions[-1]
    left, right = item[:pos], item[pos + 1:]
    if _VAGUE_TAIL_RE.fullmatch(item[pos:]) or not right.endswith(_GROUP_ENDINGS):
        return [item]
    if not (_is_complete_name(left) and len(right) > 2):
        return [item]
    return [left, right]


def _leading_names(segment: str) -> tuple[str, str] | None:
    """Split a sentence that opens with unit names into (names, the rest), or None.

    "市司法局牵头做好…" → ("市司法局", "牵头做好…"); "各乡镇按属地原则抓好落实" → ("各乡镇", "按属地原则…").
    The longest opening made only of complete unit names wins; openings are looked for in the first
    80 characters, which keeps a long paragraph without punctuation linear.
    """
    for cut in range(min(len(segment) - 1, 80), 1, -1):
        rest = segment[cut:]
        if not _PREDICATE_RE.match(rest):
            continue
        head = segment[:cut]
        if head[-1] in "、，,和及与等":
            continue
        names = [n for part in _split_top(head, "、，,") for item in _split_conjunctions(part.strip())
                 for n in _split_etc(_strip_vague(item.strip())[0].strip()) if n]
        if names and all(_is_complete_name(n) for n in names):
            return head, rest
    return None


def _is_name_list(segment: str) -> bool:
    """Tell whether a segment is only unit names ("市图书馆牵头建设查阅场所" ends like one but is not)."""
    names = split_units(segment)
    return bool(names) and all(_is_complete_name(n) and _leading_names(n) is None for n in names)


def _names_part(segment: str) -> str:
    """Return the part of a segment that names units, dropping what the sentence says about them."""
    segment = _QUALIFIER_RE.sub("", segment) if _QUALIFIER_RE.search(segment) and not _is_name_list(segment) else segment
    if _is_name_list(segment):
        return segment
    found = _leading_names(segment)
    return found[0] if found else segment


def _role_in(rest: str) -> str | None:
    """Return the role of the first role word in what a sentence says about its units."""
    best: tuple[int, int, str] | None = None
    for word, role in _ROLE_WORDS:
        at = rest.find(word, 0, 24)
        if at >= 0 and (best is None or (at, -len(word)) < (best[0], best[1])):
            best = (at, -len(word), role)
    return best[2] if best else None


def split_units(s: str) -> list[str]:
    """Split a written list of unit names into the names, keeping bracketed qualifiers whole."""
    text = _join_lines(normalize(s))
    names: list[str] = []
    for part in _split_top(text, "、，,；;。\n"):
        for item in _split_conjunctions(part.strip()):
            name, _ = _strip_vague(item.strip())
            for piece in _split_etc(name.strip()):
                piece = piece.strip()
                if piece:
                    names.append(piece)
    return names


def _assign_segments(content: str, default_role: str, roles: UnitRoles) -> None:
    """Read role words segment by segment; role-less segments take the next role word, else the default."""
    pending: list[str] = []
    for segment in _split_top(content, "，,；;。\n"):
        segment = segment.strip()
        if not segment:
            continue
        segment = re.sub(r"^由", "", segment)
        match = _ROLE_TAIL_RE.search(segment)
        if match and match.start() > 0:
            body = _names_part(segment[: match.start()])
            _assign_names(pending + [body], _ROLE_OF[match.group("word")], roles)
            pending = []
        elif match:
            continue  # a bare role word ("负责") with no names carries nothing
        elif not _is_name_list(segment) and (found := _leading_names(segment)):
            # A sentence: "市司法局牵头做好…" names 市司法局; what it goes on to say is no unit.
            head, rest = found
            role = _role_in(rest)
            if role:
                _assign_names(pending + [head], role, roles)
                pending = []
            else:
                pending.append(head)
        else:
            pending.append(segment)
    if pending:
        _assign_names(pending, default_role, roles)


def _assign_names(segments: list[str], role: str, roles: UnitRoles) -> None:
    """Give every name in ``segments`` the role; note vague items (``B等有关部门``) as phrases."""
    for segment in segments:
        for raw in _split_top(_join_lines(normalize(segment)), "、，,；;"):
            name, vague = _strip_vague(raw.strip())
            if vague and name:
                roles._note(_tidy(raw))
        roles._add(role, split_units(segment))


def _parse_labelled(content: str, default_role: str) -> UnitRoles:
    """Parse a phrase that may carry labels (牵头单位：…；责任单位：…；责任时限：…)."""
    roles = UnitRoles()
    text = _join_lines(normalize(content))
    labels = list(_LABEL_RE.finditer(text))
    if not labels:
        _assign_segments(text, default_role, roles)
        return roles
    head = text[: labels[0].start()].strip(" ，,；;")
    if head:
        _assign_segments(head, default_role, roles)
    for i, label in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        body = text[label.end() : end].strip(" ，,；;。")
        word = re.sub(r"\s+", "", label.group("label"))
        if any(w in word for w in ("时限", "时间", "期限")):
            if body and not roles.deadline_text:
                roles.deadline_text = body
            continue
        role = "lead" if word.startswith("牵头") else (
            "cooperating" if word[:2] in ("配合", "协办", "参与", "协助") else "responsible"
        )
        _assign_segments(body, role, roles)
    return roles


def parse_unit_phrase(s: str) -> UnitRoles:
    """Read a unit phrase such as ``A、B牵头，C、D抓好落实`` into lead / responsible / cooperating lists."""
    roles = _parse_labelled(s, "responsible")
    written = _tidy(s)
    if written and written not in roles.phrases:
        roles.phrases.insert(0, written)
    return roles


def _matching_close(text: str, open_at: int) -> int:
    """Return the index of the bracket closing the one at ``open_at``, or -1 if it never closes."""
    depth = 0
    for i in range(open_at, len(text)):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth == 0:
                return i
    return -1


def extract_unit_clauses(text: str) -> tuple[str, UnitRoles | None]:
    """Remove every unit clause (（责任单位：…） and the like) from ``text`` and return the merged roles.

    Brackets nested in a clause do not end it; a clause that never closes runs to the end of the text.
    A label at the start of a line with no bracket (``责任单位：…``) counts as a clause for that line.
    """
    spans: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        match = _CLAUSE_START_RE.search(text, pos)
        if not match:
            break
        close = _matching_close(text, match.start())
        end = close + 1 if close >= 0 else len(text)
        inner = text[match.end() : close if close >= 0 else len(text)]
        spans.append((match.start(), end, inner))
        pos = end
    for match in _BARE_CLAUSE_RE.finditer(text):
        if not any(s <= match.start() < e for s, e, _ in spans):
            spans.append((match.start(), match.end(), match.group(0)))
    if not spans:
        return text, None
    spans.sort()
    roles = UnitRoles()
    kept, last = [], 0
    for start, end, inner in spans:
        kept.append(text[last:start])
        last = end
        clause = _parse_labelled(inner, "responsible")
        written = _tidy(inner)
        if written and written not in clause.phrases:
            clause.phrases.insert(0, written)
        roles.merge(clause)
    kept.append(text[last:])
    cleaned = re.sub(r"[ \t\u3000]+(?=\n|$)", "", "".join(kept))
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned).strip()
    return cleaned, roles


def _alias_end(text: str, start: int) -> tuple[str, int]:
    """Read the alias that starts at ``start``: a quoted string, or up to a clause break."""
    if start < len(text) and text[start] in _QUOTES:
        closer = _QUOTES[text[start]]
        end = text.find(closer, start + 1, start + 1 + _ALIAS_MAX)
        if end < 0:
            return "", start
        return text[start + 1 : end], end + 1
    depth = 0
    for i in range(start, min(len(text), start + _ALIAS_MAX)):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            if depth == 0:
                return text[start:i], i
            depth -= 1
        elif depth == 0 and ch in "，,。；;：:\n":
            return text[start:i], i
    if len(text) - start <= _ALIAS_MAX:
        return text[start:], len(text)
    return "", start  # no break within reach: not a name but prose


def _defined_phrase(before: str) -> str:
    """Return the phrase a definition refers to, read backwards from just before it."""
    sentence = re.split(r"[。；;：:\n]", before)[-1]
    segments = [seg for seg in _split_top(sentence, "，,") if seg.strip()]
    if not segments:
        return ""
    taken = [segments[-1].strip()]
    if _is_complete_name(taken[0]):
        for seg in reversed(segments[:-1]):
            if not _is_complete_name(seg.strip()):
                break
            taken.insert(0, seg.strip())
    phrase = "，".join(taken)
    title = phrase.rfind("《")
    if title >= 0:
        phrase = phrase[title:]
    return _LEADING_VERBS_RE.sub("", phrase).strip()


def find_group_definitions(text: str) -> dict[str, str]:
    """Return the names a document defines for itself (以下统称… / 以下简称“…”): alias → what it stands for."""
    flat = _join_lines(normalize(text))
    found: dict[str, str] = {}
    for match in _DEFINITION_RE.finditer(flat):
        alias_start = match.end()
        while alias_start < len(flat) and flat[alias_start] in " ：:":
            alias_start += 1
        alias, _ = _alias_end(flat, alias_start)
        alias = alias.strip()
        if not alias:
            continue
        # a defined phrase sits in its own sentence; a bounded look-back keeps long texts linear
        head = flat[max(0, match.start() - _PHRASE_MAX) : match.start()].rstrip()
        if head.endswith("（"):
            head = head[:-1].rstrip()
        head = head.rstrip("，,")
        phrase = _defined_phrase(head)
        if phrase and phrase != alias:
            found[alias] = phrase
    return found

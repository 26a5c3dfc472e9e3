"""Turn a plan document into a PlanDraft: metadata, tasks, units by role, deadlines, targets.

Task selection, in one place so the preview can explain it:

* When the document has a decomposition table (任务分解表), the table is the task list: one task
  per row, its group labels (公开任务 → 公开内容) as ``path``, its ref from the group number and the
  row's place in the group ("1.3").
* Otherwise the numbered outline is: one task per numbered point that carries the work. A leaf
  point is a task. A point whose sub-points name no units while the point itself does (inline or in
  a trailing clause after its last sub-point, as in 孝义 task 4's （1）…（3）) is one task with its
  sub-points folded into its text. Section headings are kept as ``path`` only, not as tasks, unless
  their own text names units (then they are tasks with ``is_leaf=False``). Leaf points that only
  state doctrine (指导思想, 基本原则) and name no unit, deadline or target are skipped. A closing
  paragraph after the last point that names its own units is one more task (ref "结语").
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace

from .deadlines import find_deadlines, parse_deadline, task_deadline
from .draft import Deadline, ParseError, PlanDraft, TaskDraft, UnitDeadline
from .outline import Outline, OutlineNode, parse_outline, squeeze
from .readers import MAX_BYTES, read_document
from .tables import DecompositionTable, find_decomposition_tables, looks_like_units, parse_rows, read_text_tables
from .targets import find_targets
from .units_text import UnitRoles, extract_unit_clauses, find_group_definitions, parse_unit_phrase, split_units

NO_STRUCTURE = (
    "未识别到任务结构：文档应包含“一、”“（一）”等编号或任务分解表（表头含“序号”“工作任务/公开任务”"
    "“责任单位”等列）。请检查上传的是否为工作要点或实施方案正文。"
)
#: Leaf headings that state doctrine rather than work.
DOCTRINE_TITLES = ("指导思想", "基本原则", "总体思路", "总体要求", "编制依据", "适用范围")
_CLOSING_HINT = re.compile(r"本(工作)?(要点|方案|意见|计划|通知|办法)")
_CLAUSE_HINT = re.compile(
    r"(?:^|[（(\[〔【])\s*(?:(?:牵头|责任|配合|协办|主办|承办|参与|协助)\s*(?:单位|部门|科室)|(?:责任|完成)\s*时限)\s*[:：]"
)
_ROLE_HINT = re.compile(r"(牵头|抓好落实|负责落实|具体落实|配合|协助|按职责分工负责)")
_SUBJECT_VERB = re.compile(r"(要|应当|应|须|需|必须|务必|均)?\s*(于|在)?\s*$")
_GENERIC = re.compile(r"各|所涉|有关|相关|承载|所属|试点领域|人民政府|政府|部门|单位|办事处|管理委员会|管委会|[（）()]")
_SENTENCE_SUBJECT = re.compile(r"(?:^|(?<=[。；;\n]))\s*([^，,。；;：:\n]{2,60}?)(?:要|应当|应|须|必须|负责)")
_COUNTED_GROUP = re.compile(
    r"((?:\d+|[一二三四五六七八九十百]+)\s*个\s*[\u4e00-\u9fa5]{2,12}?)(?:承载|责任|承办|牵头|相关|有关)?(?:部门|单位)"
)


def parse_file(filename: str, data: bytes, *, year: int | None = None, max_bytes: int = MAX_BYTES) -> PlanDraft:
    """Read an uploaded file and parse it into a plan draft."""
    doc = read_document(filename, data, max_bytes=max_bytes)
    return parse_document(doc.text, year=year, rows=doc.rows)


def parse_document(text: str, *, year: int | None = None, rows: list[list[str]] | None = None) -> PlanDraft:
    """Parse plan text (and, for a spreadsheet, its rows) into a draft; raise ParseError if no tasks."""
    text = (text or "").replace("\ufeff", "")
    if not text.strip() and not any(any(str(c or "").strip() for c in r) for r in rows or []):
        raise ParseError("文档内容为空：请上传或粘贴工作要点、实施方案或任务分解表的正文。")
    outline = parse_outline(text)
    head = outline.head
    draft = PlanDraft(
        title=head.title,
        doc_number=head.doc_number,
        issuer=head.issuer,
        issued_on=head.issued_on,
        year=year or head.year,
        source_text=text,
        content_hash=content_hash(text),
    )

    tables: list[DecompositionTable] = []
    if rows:
        table = parse_rows(rows)
        if table is not None and table.rows:
            tables.append(table)
    if not tables:
        tables = find_decomposition_tables(text)
    if tables and not draft.title.strip():
        draft.title = tables[0].title
    if draft.year is None:
        draft.year = _guess_year(draft.title) or _guess_year(text)
        if draft.year is not None:
            draft.warnings.append(f"未在标题或成文日期中找到年度，按正文中出现的 {draft.year} 年处理，请核对。")
    if draft.year is None:
        draft.warnings.append("未识别到计划年度：时限无法换算成日期，请在预览中填写年度。")

    builder = _TaskBuilder(draft)
    if tables:
        for table in tables:
            builder.from_table(table)
    else:
        builder.from_outline(outline)
    if not draft.tasks:
        raise ParseError(NO_STRUCTURE)
    _dedupe_refs(draft.tasks)
    draft.defined_groups = _defined_groups(text, outline, tables)
    return draft


def content_hash(text: str) -> str:
    """Return the sha256 of the text with width variants unified and all whitespace removed."""
    normal = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def _next_occurrence(deadline: Deadline, issued_on) -> Deadline:
    """Move a yearly deadline that falls before the plan was issued to its next occurrence.

    每年1月底前 in a plan issued in July means next January, not a date already past.
    """
    if deadline.kind != "recurring" or deadline.date is None or issued_on is None or deadline.date >= issued_on:
        return deadline
    try:
        moved = deadline.date.replace(year=deadline.date.year + 1)
    except ValueError:  # 29 February
        moved = deadline.date.replace(year=deadline.date.year + 1, day=28)
    return replace(deadline, date=moved)


def _guess_year(text: str) -> int | None:
    m = re.search(r"((?:19|20)\d{2})\s*年", text or "")
    return int(m.group(1)) if m else None


def _dedupe_refs(tasks: list[TaskDraft]) -> None:
    seen: dict[str, int] = {}
    for task in tasks:
        if task.ref in seen:
            seen[task.ref] += 1
            task.ref = f"{task.ref}-{seen[task.ref]}"
        else:
            seen[task.ref] = 1


def _title_from(text: str, limit: int = 30) -> str:
    text = squeeze(text).strip("。；;，, ")
    m = re.search(r"[。；;！？!?]", text)
    sentence = text[: m.start()] if m else text
    if len(sentence) <= limit:
        return sentence
    m = re.search(r"[，,：:]", sentence)
    if m and 4 <= m.start() <= limit:
        return sentence[: m.start()]
    return sentence[:limit] + "…"


@dataclass
class _Spec:
    """A task chosen from the outline, before units and deadlines are read."""

    node: OutlineNode | None
    ancestors: list[OutlineNode]
    paragraphs: list[str]
    is_leaf: bool = True
    #: ref for tasks that are no outline point (closing paragraphs)
    ref: str = ""


class _TaskBuilder:
    def __init__(self, draft: PlanDraft) -> None:
        self.draft = draft
        self.year = draft.year

    # -- decomposition tables ------------------------------------------------------------

    def from_table(self, table: DecompositionTable) -> None:
        self.draft.warnings.extend(table.warnings)
        for row in table.rows:
            roles = UnitRoles()
            for key, role in (("lead", "lead"), ("responsible", None), ("cooperating", "cooperating")):
                cell = row.cells.get(key, "")
                if not cell:
                    continue
                parsed = parse_unit_phrase(cell)
                if role:
                    # A cell under 牵头单位/配合单位 gives its column's role to every name in it.
                    names = list(dict.fromkeys(parsed.lead + parsed.responsible + parsed.cooperating))
                    parsed = UnitRoles(phrases=parsed.phrases, **{role: names})
                roles.merge(parsed)
            text = row.text
            deadline_cell = row.cells.get("deadline", "")
            task = TaskDraft(
                ref=row.ref,
                path=list(row.path),
                title=_title_from(text),
                text=text,
                level=len(row.path) + 1,
                columns=dict(row.columns),
            )
            unit_cells = [row.cells.get(k, "") for k in ("lead", "responsible", "cooperating")]
            self._fill(task, text, roles, deadline_phrase=deadline_cell,
                       unit_texts=[deadline_cell, *(c for c in unit_cells if c)])
            self.draft.tasks.append(task)

    # -- numbered outline -----------------------------------------------------------------

    def from_outline(self, outline: Outline) -> None:
        specs: list[_Spec] = []
        for root in outline.roots:
            self._visit(root, [], specs)
        specs.extend(self._closing(specs))
        for spec in specs:
            text, roles = _strip_clauses(spec.paragraphs)
            if spec.node is not None:
                task = TaskDraft(
                    ref=".".join(n.ref_label for n in spec.ancestors + [spec.node]),
                    path=[n.heading for n in spec.ancestors],
                    title=spec.node.title or _title_from(text),
                    text=text,
                    level=spec.node.rank,
                    is_leaf=spec.is_leaf,
                )
            else:
                task = TaskDraft(ref=spec.ref, path=[], title=_title_from(text), text=text, level=1)
            inferred = False
            if not roles.lead and not roles.responsible and not roles.cooperating:
                roles.merge(_role_phrases(text))
            if not roles.lead and not roles.responsible and not roles.cooperating:
                subjects = _subject_roles(text)
                if subjects.responsible:
                    roles.merge(subjects)
                    inferred = True
            if spec.node is not None and self._is_doctrine(task, text, roles):
                continue
            if inferred:
                self.draft.warnings.append(
                    f"第 {task.ref} 项「{task.title}」未写明责任单位，已按正文“……要……”句的主语推断为"
                    f"{'、'.join(roles.responsible)}，请核对。"
                )
            self._fill(task, text, roles)
            self.draft.tasks.append(task)

    def _visit(self, node: OutlineNode, ancestors: list[OutlineNode], specs: list[_Spec]) -> None:
        if not node.children:
            specs.append(_Spec(node, ancestors, list(node.paragraphs)))
            return
        own = any(_has_clause(p) for p in node.paragraphs)
        with_clause = [c for c in node.children if _subtree_has_clause(c)]
        trailing = _trailing_clause_only(node)
        if (own and not with_clause) or trailing:
            specs.append(_Spec(node, ancestors, _folded(node)))
            return
        if own:
            specs.append(_Spec(node, ancestors, list(node.paragraphs), is_leaf=False))
        for child in node.children:
            self._visit(child, ancestors + [node], specs)

    def _closing(self, specs: list[_Spec]) -> list[_Spec]:
        """Split paragraphs that close the document (after the last point) into their own tasks."""
        if not specs or specs[-1].node is None:
            return []
        last = specs[-1]
        node = last.node
        if node.children or len(last.paragraphs) < 2:
            return []
        head_has_units = _has_clause(last.paragraphs[0])
        keep, closing = [last.paragraphs[0]], []
        for paragraph in last.paragraphs[1:]:
            cleaned, roles = extract_unit_clauses(paragraph)
            names_units = roles is not None and bool(roles.lead or roles.responsible or roles.cooperating)
            if not names_units and _ROLE_HINT.search(paragraph):
                phrased = _role_phrases(paragraph)
                names_units = bool(phrased.lead or phrased.responsible)
            own_sentence = bool(cleaned.strip())
            if names_units and own_sentence and (head_has_units or _CLOSING_HINT.search(paragraph)) or closing:
                closing.append(paragraph)
            else:
                keep.append(paragraph)
        last.paragraphs = keep
        result = []
        for i, paragraph in enumerate(closing, start=1):
            result.append(_Spec(None, [], [paragraph], ref="结语" if len(closing) == 1 else f"结语{i}"))
        return result

    def _is_doctrine(self, task: TaskDraft, text: str, roles: UnitRoles) -> bool:
        if task.title.strip() not in DOCTRINE_TITLES:
            return False
        if roles.lead or roles.responsible or roles.cooperating:
            return False
        if find_targets(text):
            return False
        return self.year is None or not [d for _, _, d in find_deadlines(text, self.year) if d.date]

    # -- shared: units, deadlines, targets ------------------------------------------------

    def _fill(self, task: TaskDraft, text: str, roles: UnitRoles, deadline_phrase: str = "",
              unit_texts: list[str] | None = None) -> None:
        task.lead_units = list(roles.lead)
        task.responsible_units = list(roles.responsible)
        task.cooperating_units = list(roles.cooperating)
        task.unit_phrases = list(roles.phrases)
        task.targets = find_targets(text)
        label = f"第 {task.ref} 项「{task.title}」"
        if not (task.lead_units or task.responsible_units or task.cooperating_units):
            self.draft.warnings.append(f"{label}未写明责任单位，请在预览中指定。")
        if self.year is None:
            task.deadline = Deadline(kind="default")
            return
        phrase = deadline_phrase or roles.deadline_text
        stated = parse_deadline(phrase, self.year) if phrase.strip() else None
        if phrase.strip() and stated is None:
            self.draft.warnings.append(f"{label}的时限“{phrase.strip()}”无法识别，已改按正文中的时限或年底处理，请核对。")
        task.deadline = _next_occurrence(stated or task_deadline(text, self.year), self.draft.issued_on)
        task.deadlines_by_unit = self._deadlines_by_unit(text, task)
        for cell in unit_texts or []:
            # A 时限 or 责任单位 cell serving several units: "局办公室7月底前…；各处室11月底前…".
            if not task.deadlines_by_unit:
                task.deadlines_by_unit = self._deadlines_by_unit(cell, task)
        if task.deadline.kind == "default" and task.deadlines_by_unit:
            task.deadline = max((e.deadline for e in task.deadlines_by_unit if e.deadline.date),
                                key=lambda d: d.date, default=task.deadline)
        for entry in task.deadlines_by_unit:
            entry.deadline = _next_occurrence(entry.deadline, self.draft.issued_on)

    def _deadlines_by_unit(self, text: str, task: TaskDraft) -> list[UnitDeadline]:
        """Find deadlines the text gives to particular units (各乡镇…于8月31日前…)."""
        pairs: list[tuple[list[str], Deadline]] = []
        for start, end, deadline in find_deadlines(text, self.year):
            if deadline.date is None and deadline.kind not in ("relative", "continuous"):
                continue  # a start rule (从2022年起), not a due date
            subject = _subject_before(text, start) or _subject_after(text, end)
            if not subject:
                continue
            units = _map_subject(subject, task.lead_units + task.responsible_units + task.cooperating_units)
            if units:
                pairs.append((units, deadline))
        if not pairs:
            return []
        main = task.deadline
        if all(_same_deadline(d, main) for _, d in pairs) and len({tuple(u) for u, _ in pairs}) <= 1:
            return []
        return [UnitDeadline(units=u, deadline=d) for u, d in pairs]


def _same_deadline(a: Deadline, b: Deadline) -> bool:
    return a.kind == b.kind and a.date == b.date and a.rule == b.rule


def _has_clause(paragraph: str) -> bool:
    return bool(_CLAUSE_HINT.search(paragraph))


def _subtree_has_clause(node: OutlineNode) -> bool:
    return any(_has_clause(p) for n in node.walk() for p in n.paragraphs)


def _is_clause_only(paragraph: str) -> bool:
    cleaned, roles = extract_unit_clauses(paragraph)
    return roles is not None and not cleaned.strip("。；;，, \n")


def _trailing_clause_only(node: OutlineNode) -> bool:
    """Tell whether the only unit clause under a point stands alone after its last sub-point."""
    if len(node.children) < 2:
        return False
    descendants = [n for c in node.children for n in c.walk()]
    last = descendants[-1]
    if not last.paragraphs or not _is_clause_only(last.paragraphs[-1]):
        return False
    clauses = sum(1 for n in descendants for p in n.paragraphs if _has_clause(p))
    return clauses == 1


def _folded(node: OutlineNode) -> list[str]:
    paragraphs = list(node.paragraphs)
    for child in node.children:
        for n in child.walk():
            if n.paragraphs:
                paragraphs.append(n.label + n.paragraphs[0])
                paragraphs.extend(n.paragraphs[1:])
    return paragraphs


def _strip_clauses(paragraphs: list[str]) -> tuple[str, UnitRoles]:
    roles = UnitRoles()
    kept = []
    for paragraph in paragraphs:
        cleaned, found = extract_unit_clauses(paragraph)
        if found is not None:
            roles.merge(found)
        cleaned = cleaned.strip()
        if cleaned:
            kept.append(cleaned)
    return "\n".join(kept), roles


def _role_phrases(text: str) -> UnitRoles:
    """Read 'A、B牵头，C抓好落实' sentences in running text, keeping only lists of unit names."""
    roles = UnitRoles()
    for sentence in re.split(r"[。；;\n]", text):
        if not _ROLE_HINT.search(sentence):
            continue
        parsed = parse_unit_phrase(sentence)
        names = parsed.lead + parsed.responsible + parsed.cooperating
        if names and parsed.lead + parsed.cooperating and all(looks_like_units(n) for n in names):
            roles.merge(parsed)
    return roles


def _subject_roles(text: str) -> UnitRoles:
    """Read the units a sentence makes its subject ("各乡镇（街道）、开发区要…")."""
    roles = UnitRoles()
    for m in _SENTENCE_SUBJECT.finditer(text):
        subject = m.group(1).strip()
        if looks_like_units(subject):
            parsed = parse_unit_phrase(subject)
            roles.merge(UnitRoles(responsible=parsed.lead + parsed.responsible + parsed.cooperating,
                                  phrases=parsed.phrases))
    return roles


def _subject_before(text: str, start: int) -> str:
    clause_start = max(text.rfind(ch, 0, start) for ch in "，。；,;：:\n") + 1
    before = text[clause_start:start].strip()
    subject = _SUBJECT_VERB.sub("", before).strip()
    return subject if subject and looks_like_units(subject) else ""


def _subject_after(text: str, end: int) -> str:
    before_gap = text[max(0, end - 1):end]
    m = re.match(r"\s*(?:前|之前|以前)?\s*[，,]\s*([^，。；,;]{2,60}?)(?:要|应当|应|须|需|必须|均|将)", text[end:])
    if not m or before_gap in "。；":
        return ""
    subject = m.group(1).strip()
    return subject if looks_like_units(subject) else ""


def _cores(name: str) -> list[str]:
    """Return the distinctive words of a unit phrase: 各乡镇（街道） → [乡镇, 街道]."""
    parts = re.split(r"[（）()]", name)
    cores = []
    for part in parts:
        core = _GENERIC.sub("", part)
        if len(core) >= 2:
            cores.append(core)
    return cores


def _map_subject(subject: str, task_units: list[str]) -> list[str]:
    """Map a deadline's subject onto the task's own unit names, so it resolves like them."""
    mapped: list[str] = []
    written = split_units(subject)
    for name in written:
        hits = [u for u in task_units if any(core in u for core in _cores(name))]
        for unit in hits or [name]:
            if unit not in mapped:
                mapped.append(unit)
    return mapped


def _defined_groups(text: str, outline: Outline, tables: list[DecompositionTable]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    flat = squeeze(text.replace("\n", ""))
    task_titles = {t.title for t in tables}
    for raw in read_text_tables(text, need_work=False):
        if raw.title in task_titles and any(k in ("task", "content", "requirement") for k in raw.keys):
            continue
        title = re.sub(r"\s+", "", raw.title)
        unit_cols = [i for i, k in enumerate(raw.keys) if k in ("responsible", "lead")]
        if not title or not unit_cols:
            continue
        for m in _COUNTED_GROUP.finditer(flat):
            prefix = re.sub(r"\s+", "", m.group(1))
            if prefix not in title:
                continue
            members: list[str] = []
            for row in raw.rows:
                for i in unit_cols:
                    if i < len(row):
                        for name in split_units(squeeze(row[i])):
                            if name not in members:
                                members.append(name)
            phrase = re.sub(r"\s+", "", m.group(0))
            if members:
                groups.setdefault(phrase, members)
    # One paragraph at a time: on the whole text, find_group_definitions joins the lines before a
    # definition into the phrase it defines.
    paragraphs = list(outline.preamble) + [p for node in outline.nodes() for p in node.paragraphs]
    for paragraph in paragraphs:
        for alias, phrase in find_group_definitions(paragraph).items():
            members = split_units(phrase)
            if members and all(looks_like_units(n) for n in members):
                groups.setdefault(alias, members)
    return groups

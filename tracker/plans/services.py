"""Plan import: parse a document into a preview, resolve its unit names, then create the plan."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from ..inbox.services import notify_unit
from ..units.models import UNIT_KINDS, Unit, UnitGroup
from ..timeutil import utcnow
from ..units.services import create_unit, group_member_ids
from ..scope import under
from .draft import DEADLINE_KINDS, ParseError
from .models import Assignment, Plan, PlanImport, Task
from .parser import parse_document, parse_file
from .resolve import DirGroup, DirUnit, Resolution, UnitDirectory, issuer_outside

ROLES_BY_STRENGTH = ("lead", "responsible", "cooperating")
ROLE_KEYS = {"lead": "lead_units", "responsible": "responsible_units", "cooperating": "cooperating_units"}
#: Deadline kinds whose date is a real due date for the assignment.
DATED_KINDS = ("date", "year_end", "window", "recurring", "default")


# --- directory -------------------------------------------------------------------------------


def place_of(jurisdiction: Unit) -> str:
    """Return the place a jurisdiction governs: 运城市人民政府 → 运城市."""
    name = jurisdiction.name
    for suffix in ("人民政府", "管理委员会", "管委会"):
        name = name.removesuffix(suffix)
    return name


def issuer_warning(imp: PlanImport) -> str | None:
    """Return the warning when the document's issuer does not belong to the jurisdiction chosen, else None."""
    issuer = (imp.draft.get("plan") or {}).get("issuer") or ""
    if not issuer:
        return None
    inside = db.session.scalars(sa.select(Unit.name).where(under(Unit.path, imp.unit.path))).all()
    if not issuer_outside(issuer, place_of(imp.unit), inside):
        return None
    return (f"发文机关“{issuer}”不属于所选辖区“{imp.unit.name}”。文件中的“市××局”“各县（市、区）”等名称"
            f"指的是发文机关所在地的单位，已不再自动对应到{imp.unit.name}的单位，请逐一核对处理。"
            "如果选错了辖区，请放弃本次导入，选择正确的辖区重新上传。")


def build_directory(jurisdiction: Unit, defined_groups: dict[str, list[str]] | None = None, *,
                    own_names_only: bool = False) -> UnitDirectory:
    """Build the resolver over a jurisdiction's units, its group phrases and the document's own groups.

    With ``own_names_only`` (an issuer from outside the jurisdiction) only names that spell out the
    jurisdiction match.
    """
    units = db.session.scalars(
        sa.select(Unit).where(under(Unit.path, jurisdiction.path), Unit.is_active)
    ).all()
    dir_units = [DirUnit(id=u.id, name=u.name, short_name=u.short_name, aliases=list(u.aliases or []),
                         kind=u.kind, parent_id=u.parent_id) for u in units]
    ancestor_ids = [int(x) for x in jurisdiction.path.strip("/").split("/") if x]
    groups = [
        DirGroup(phrase=g.phrase, member_ids=group_member_ids(g), aliases=list(g.aliases or []), id=g.id)
        for g in db.session.scalars(sa.select(UnitGroup).where(UnitGroup.owner_id.in_(ancestor_ids)))
    ]
    short = place_of(jurisdiction)
    directory = UnitDirectory(dir_units, groups, jurisdiction=short, own_names_only=own_names_only)
    if defined_groups:
        # A group the document defines itself (26个试点领域承载部门 = its attachment's units).
        for phrase, members in defined_groups.items():
            ids: list[int] = []
            for r in directory.resolve_many(list(members)):
                if r.status in ("unit", "group"):
                    ids.extend(i for i in r.unit_ids if i not in ids)
            if ids:
                groups.append(DirGroup(phrase=phrase, member_ids=ids))
        directory = UnitDirectory(dir_units, groups, jurisdiction=short, own_names_only=own_names_only)
    return directory


# --- starting an import ----------------------------------------------------------------------


def start_import(actor, jurisdiction: Unit, *, filename: str | None = None, data: bytes | None = None,
                 text: str | None = None, year: int | None = None, max_bytes: int = 20 * 1024 * 1024) -> PlanImport:
    """Parse an uploaded file or pasted text into a preview; nothing about the plan is saved yet."""
    try:
        if data is not None:
            if len(data) > max_bytes:
                raise ServiceError(f"文件超过大小限制（{max_bytes // 1024 // 1024} MB）。", status=413)
            draft = parse_file(filename or "upload.txt", data, year=year)
        elif text and text.strip():
            draft = parse_document(text, year=year)
        else:
            raise ServiceError("请上传文件或粘贴文件正文。")
    except ParseError as exc:
        raise ServiceError(str(exc)) from exc
    if not draft.tasks:
        raise ServiceError("未从文件中识别出任何任务。请确认文件是工作要点、实施方案或任务分解表。")
    if draft.year is None:
        raise ServiceError("无法确定工作要点所属年度，请在“年度”中填写。")
    imp = PlanImport(unit_id=jurisdiction.id, created_by_id=getattr(actor, "id", None), filename=filename,
                     content_hash=draft.content_hash, source_text=draft.source_text, draft=draft.to_json(), mapping={})
    db.session.add(imp)
    db.session.flush()
    record(actor, "plan_import.start", "plan_import", imp.id,
           after={"filename": filename, "title": draft.title, "tasks": len(draft.tasks)})
    return imp


# --- resolution ------------------------------------------------------------------------------


@dataclass
class NameState:
    written: str
    resolution: Resolution
    #: the supervisor's choice, if any: {"action": "map"|"create"|"drop", ...}
    choice: dict | None = None
    roles: set[str] = field(default_factory=set)
    tasks: list[str] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        """True while the name still needs the supervisor's decision."""
        return self.choice is None and self.resolution.status == "unresolved"


def _task_names(task: dict) -> list[tuple[str, str]]:
    out = [(role, name) for role, key in ROLE_KEYS.items() for name in task.get(key) or []]
    for entry in task.get("deadlines_by_unit") or []:
        out.extend(("deadline", name) for name in entry.get("units") or [])
    return out


def name_states(imp: PlanImport, directory: UnitDirectory | None = None) -> dict[str, NameState]:
    """Resolve every distinct unit name written in the draft, with the supervisor's choices applied."""
    directory = directory or build_directory(imp.unit, imp.draft.get("defined_groups"),
                                             own_names_only=issuer_warning(imp) is not None)
    states: dict[str, NameState] = {}
    for task in imp.draft["tasks"]:
        for role, name in _task_names(task):
            st = states.get(name)
            if st is None:
                st = states[name] = NameState(name, directory.resolve(name), (imp.mapping or {}).get(name))
            if role != "deadline":
                st.roles.add(role)
            if task["ref"] not in st.tasks:
                st.tasks.append(task["ref"])
    return states


def set_choice(actor, imp: PlanImport, written: str, action: str, *, unit_id: int | None = None,
               kind: str | None = None) -> None:
    """Record how an unresolved name is handled: mapped to a unit, created as a new unit, or dropped."""
    _check_open(imp)
    if action == "clear":
        mapping = dict(imp.mapping or {})
        mapping.pop(written, None)
        imp.mapping = mapping
        return
    if action == "map":
        unit = db.session.get(Unit, unit_id) if unit_id else None
        if unit is None or not unit.is_within(imp.unit):
            raise ServiceError(f"请为“{written}”选择{imp.unit.name}范围内的单位。")
        choice = {"action": "map", "unit_id": unit.id, "unit": unit.name}
    elif action == "create":
        if kind not in UNIT_KINDS:
            raise ServiceError(f"请为新单位“{written}”选择单位类型。")
        choice = {"action": "create", "kind": kind}
    elif action == "drop":
        choice = {"action": "drop"}
    else:
        raise ServiceError(f"未知的处理方式：{action}")
    imp.mapping = {**(imp.mapping or {}), written: choice}
    record(actor, "plan_import.map_name", "plan_import", imp.id, after={"name": written, **choice})


def update_task(actor, imp: PlanImport, index: int, *, title: str, text: str, deadline: str | None,
                deadline_kind: str, deadline_text: str, lead: list[str], responsible: list[str],
                cooperating: list[str]) -> None:
    """Edit one task of the preview."""
    _check_open(imp)
    tasks = imp.draft["tasks"]
    if not 0 <= index < len(tasks):
        raise ServiceError("该任务不存在。", status=404)
    if not (title or "").strip():
        raise ServiceError("任务标题不能为空。")
    if deadline_kind not in DEADLINE_KINDS:
        raise ServiceError(f"未知的时限类型：{deadline_kind}")
    due = None
    if deadline:
        try:
            due = date.fromisoformat(deadline)
        except ValueError as exc:
            raise ServiceError(f"时限日期格式不正确：{deadline}，应为 YYYY-MM-DD。") from exc
    task = dict(tasks[index])
    if due is not None and deadline_kind == (task.get("deadline_kind") or "default") \
            and deadline_kind not in ("date", "recurring") and due.isoformat() != task.get("deadline"):
        # A date typed over "未写明，默认年底" (or a window's end) is a date the supervisor states.
        deadline_kind = "date"
    if deadline_kind in ("date", "year_end", "window", "recurring") and due is None:
        raise ServiceError("该时限类型需要填写日期。")
    before = {k: task.get(k) for k in ("title", "deadline", "deadline_kind", "lead_units", "responsible_units")}
    task.update(
        title=title.strip(), text=(text or "").strip(), deadline=due.isoformat() if due else None,
        deadline_kind=deadline_kind, deadline_text=(deadline_text or "").strip(),
        lead_units=_clean_names(lead), responsible_units=_clean_names(responsible),
        cooperating_units=_clean_names(cooperating),
    )
    detail = dict(task.get("deadline_detail") or {})
    detail.update(kind=deadline_kind, date=task["deadline"], text=task["deadline_text"])
    task["deadline_detail"] = detail
    draft = dict(imp.draft)
    draft["tasks"] = [*tasks[:index], task, *tasks[index + 1:]]
    imp.draft = draft
    record(actor, "plan_import.edit_task", "plan_import", imp.id, before=before,
           after={k: task.get(k) for k in before} | {"index": index})


def _clean_names(names: list[str]) -> list[str]:
    out: list[str] = []
    for n in names:
        n = n.strip()
        if n and n not in out:
            out.append(n)
    return out


def discard(actor, imp: PlanImport) -> None:
    """Abandon a preview."""
    _check_open(imp)
    imp.status = "discarded"
    record(actor, "plan_import.discard", "plan_import", imp.id)


def _check_open(imp: PlanImport) -> None:
    if imp.status != "draft":
        raise ServiceError("该导入已确认或已放弃，不能再修改。", status=409)


# --- confirming ------------------------------------------------------------------------------


def find_revised(imp: PlanImport) -> Plan | None:
    """Return a plan of the same jurisdiction with the same title and year that the document may revise.

    A revised edition often keeps its title and year but changes the 文号 and the text; unlike a
    duplicate, the supervisor chooses whether it is a revision or a plan of its own.
    """
    if find_duplicate(imp) is not None:
        return None
    title, year = (imp.draft["plan"].get("title") or "").strip(), imp.draft["plan"].get("year")
    if not (title and year):
        return None
    return db.session.scalar(sa.select(Plan).where(Plan.unit_id == imp.unit_id, Plan.title == title[:200],
                                                   Plan.year == int(year)).order_by(Plan.id.desc()))


def find_duplicate(imp: PlanImport) -> Plan | None:
    """Return an existing plan of the same jurisdiction with the same 文号 or the same content."""
    doc_number = (imp.draft["plan"].get("doc_number") or "").strip()
    conds = [Plan.content_hash == imp.content_hash] if imp.content_hash else []
    if doc_number:
        conds.append(Plan.doc_number == doc_number)

    if not conds:
        return None
    return db.session.scalar(sa.select(Plan).where(Plan.unit_id == imp.unit_id, sa.or_(*conds)).order_by(Plan.id))


def _due(deadline: dict) -> date | None:
    if deadline.get("kind") in DATED_KINDS and deadline.get("date"):
        return date.fromisoformat(deadline["date"])
    return None


def _task_deadline(task: dict) -> dict:
    detail = dict(task.get("deadline_detail") or {})
    detail.setdefault("kind", task.get("deadline_kind") or "default")
    detail.setdefault("date", task.get("deadline"))
    detail.setdefault("text", task.get("deadline_text") or "")
    return detail


def _resolve_units(states: dict[str, NameState], created: dict[str, int], name: str) -> tuple[list[int], str | None]:
    """Return the unit ids a written name stands for, and the group phrase if it was one."""
    st = states[name]
    choice = st.choice
    if choice:
        if choice["action"] == "drop":
            return [], None
        if choice["action"] == "map":
            return [choice["unit_id"]], None
        if choice["action"] == "create":
            return [created[name]], None
    if st.resolution.status == "unit":
        return list(st.resolution.unit_ids), None
    if st.resolution.status == "group":
        return list(st.resolution.unit_ids), name
    return [], None


def confirm(actor, imp: PlanImport, *, mode: str = "new", accept_issuer: bool = False) -> Plan:
    """Create (or, with mode="update", update) the plan, its tasks and one assignment per unit.

    A plan whose issuer lies outside the jurisdiction is confirmed only with ``accept_issuer``.
    """
    _check_open(imp)
    warning = issuer_warning(imp)
    if warning and not accept_issuer:
        raise ServiceError(warning + "确需按该辖区导入时，请勾选“已核对发文机关，仍按所选辖区导入”。")
    states = name_states(imp)
    still_open = [n for n, st in states.items() if st.is_open]
    if still_open:
        raise ServiceError("以下单位名称未能匹配，请先逐一选择对应单位、新建单位或明确删除：" + "、".join(still_open))
    duplicate = find_duplicate(imp)
    if duplicate is not None and mode != "update":
        raise ServiceError(
            f"该文件已导入过：《{duplicate.title}》（{duplicate.doc_number or '无文号'}）。"
            "可选择“更新已有工作要点”，或放弃本次导入。", status=409)
    if mode == "update" and duplicate is None:
        duplicate = find_revised(imp)
    if mode == "update" and duplicate is None:
        raise ServiceError("没有找到可更新的同一文件（相同文号、内容或标题与年度），请按新工作要点导入。")

    created: dict[str, int] = {}
    for name, st in states.items():
        if st.choice and st.choice["action"] == "create":
            existing = db.session.scalar(sa.select(Unit).where(Unit.name == name))
            unit = existing or create_unit(actor, name=name, kind=st.choice["kind"], parent=imp.unit)
            created[name] = unit.id

    meta = imp.draft["plan"]
    if duplicate is None:
        plan = Plan(unit_id=imp.unit_id, created_by_id=getattr(actor, "id", None))
        db.session.add(plan)
    else:
        plan = duplicate
    plan.title = (meta.get("title") or imp.filename or "未命名工作要点")[:200]
    plan.doc_number = meta.get("doc_number") or None
    plan.issuer = meta.get("issuer") or None
    plan.issued_on = date.fromisoformat(meta["issued_on"]) if meta.get("issued_on") else None
    plan.year = int(meta["year"])
    plan.source_filename = imp.filename
    plan.source_text = imp.source_text
    plan.content_hash = imp.content_hash
    db.session.flush()

    counts = _write_tasks(plan, imp.draft["tasks"], states, created, update=duplicate is not None)
    imp.status = "confirmed"
    imp.plan_id = plan.id
    record(actor, "plan.update" if duplicate else "plan.import", "plan", plan.id,
           after={"title": plan.title, "doc_number": plan.doc_number, **counts,
                  **({"issuer_outside": plan.issuer} if warning else {})})
    for unit_id, n in counts.pop("_per_unit").items():
        notify_unit(unit_id, kind="assignment", title=f"新任务：《{plan.title}》中您单位承办{n}项",
                    link=f"/my/tasks?plan={plan.id}", object_type="plan", object_id=plan.id,
                    dedupe_key=f"plan-assign:{plan.id}:{unit_id}")
    return plan


def _planned_tasks(drafts: list[dict], states, created) -> list[tuple[str, dict, dict, dict | None]]:
    """Return (ref, draft task, deadline, rows) in document order; rows (unit id → (role, due, kind,
    group phrase)) for leaf tasks, None for headings. The one reading of a draft for writing and diffs."""
    planned = []
    seen_refs: set[str] = set()
    inherited: list[tuple[int, dict]] = []  # (level, names by role) of the headings above
    for position, d in enumerate(drafts):
        ref = d["ref"] or str(position + 1)
        if ref in seen_refs:
            ref = f"{ref}#{position + 1}"
        seen_refs.add(ref)
        level = int(d.get("level") or 1)
        while inherited and inherited[-1][0] >= level:
            inherited.pop()
        deadline = _task_deadline(d)
        names = {role: list(d.get(key) or []) for role, key in ROLE_KEYS.items()}
        if not d.get("is_leaf", True):
            inherited.append((level, names))
            planned.append((ref, d, deadline, None))
            continue
        if not any(names.values()):
            # A point that names no unit takes the units of the heading above it.
            for _, above in reversed(inherited):
                if any(above.values()):
                    names = above
                    break
        due_default = _due(deadline)
        kind_default = deadline.get("kind") or "default"
        per_unit_due: dict[int, tuple[date | None, str]] = {}
        for entry in d.get("deadlines_by_unit") or []:
            for name in entry.get("units") or []:
                for uid in _resolve_units(states, created, name)[0]:
                    per_unit_due[uid] = (_due(entry), entry.get("kind") or "date")
        rows: dict[int, tuple[str, date | None, str, str | None]] = {}
        for role in ROLES_BY_STRENGTH:
            for name in names[role]:
                ids, phrase = _resolve_units(states, created, name)
                for uid in ids:
                    if uid in rows:
                        continue  # the strongest role wins: lead over responsible over cooperating
                    due, kind = per_unit_due.get(uid, (due_default, kind_default))
                    rows[uid] = (role, due, kind, phrase)
        planned.append((ref, d, deadline, rows))
    return planned


def _write_tasks(plan: Plan, drafts: list[dict], states, created, *, update: bool) -> dict:
    existing = {t.ref: t for t in db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id))} if update else {}
    stack: list[Task] = []
    wanted: dict[Task, dict[int, tuple[str, date | None, str, str | None]]] = {}
    planned = _planned_tasks(drafts, states, created)
    for position, (ref, d, deadline, rows) in enumerate(planned):
        level = int(d.get("level") or 1)
        while stack and stack[-1].level >= level:
            stack.pop()
        task = existing.get(ref) or Task(plan_id=plan.id, ref=ref)
        task.parent = stack[-1] if stack else None
        task.position = position
        task.level = level
        task.title = (d.get("title") or d.get("text") or ref)[:500]
        task.text = d.get("text") or ""
        task.path = list(d.get("path") or [])
        task.section = (task.path[0] if task.path else task.title)[:200]
        task.is_leaf = bool(d.get("is_leaf", True))
        task.deadline = date.fromisoformat(deadline["date"]) if deadline.get("date") else None
        task.deadline_kind = deadline.get("kind") or "default"
        task.deadline_text = (deadline.get("text") or "")[:200] or None
        task.deadline_detail = {k: deadline.get(k) for k in ("start", "recurrence", "rule")}
        task.targets = list(d.get("targets") or [])
        task.unit_phrases = list(d.get("unit_phrases") or [])
        task.columns = dict(d.get("columns") or {})
        if task.id is None:
            db.session.add(task)
        stack.append(task)
        if rows is not None:
            wanted[task] = rows
    db.session.flush()  # one flush for every task: ids for the assignments below
    wanted_by_id = {task.id: rows for task, rows in wanted.items()}
    kept_refs = {ref for ref, *_ in planned}
    return _write_assignments(plan, wanted_by_id, existing_tasks=existing, kept_refs=kept_refs, update=update)


def amendment_diff(imp: PlanImport, plan: Plan) -> list[dict]:
    """Say what confirming a revised document changes in a plan, per task and unit, before it is done.

    Each change is {"ref", "title", "change", "detail"}; change is one of 新增任务, 删除任务,
    新增单位, 取消单位, 时限调整.
    """
    states = name_states(imp)
    created = {name: -(i + 1) for i, (name, st) in enumerate(states.items())
               if st.choice and st.choice["action"] == "create"}
    names = {uid: f"{name}（新建）" for name, uid in created.items()}
    new: dict[str, tuple[str, dict[int, date | None]]] = {}
    for ref, d, _, rows in _planned_tasks(imp.draft["tasks"], states, created):
        if rows is not None:
            new[ref] = (d.get("title") or ref, {uid: due for uid, (_, due, _, _) in rows.items()})
    old: dict[str, tuple[str, dict[int, date | None]]] = {}
    for task in db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id, Task.is_leaf).order_by(Task.position)):
        old[task.ref] = (task.title, {})
    for ref, unit_id, due in db.session.execute(
        sa.select(Task.ref, Assignment.unit_id, Assignment.original_due_on).join(Task, Task.id == Assignment.task_id)
        .where(Assignment.plan_id == plan.id, Assignment.instance == 1)
    ):
        if ref in old:
            old[ref][1][unit_id] = due
    ids = {uid for _, units in [*new.values(), *old.values()] for uid in units if uid > 0}
    names.update(dict(db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all()))

    def unit_list(units) -> str:
        return "、".join(names.get(u, str(u)) for u in units) or "（无单位）"

    changes: list[dict] = []
    for ref, (title, units) in new.items():
        if ref not in old:
            changes.append({"ref": ref, "title": title, "change": "新增任务", "detail": unit_list(units)})
            continue
        before = old[ref][1]
        added = [u for u in units if u not in before]
        gone = [u for u in before if u not in units]
        if added:
            changes.append({"ref": ref, "title": title, "change": "新增单位", "detail": unit_list(added)})
        if gone:
            changes.append({"ref": ref, "title": title, "change": "取消单位", "detail": unit_list(gone)})
        for uid, due in units.items():
            if uid in before and before[uid] != due:
                was = before[uid].isoformat() if before[uid] else "无"
                changes.append({"ref": ref, "title": title, "change": "时限调整",
                                "detail": f"{names.get(uid, uid)}：{was} → {due.isoformat() if due else '无'}"})
    for ref, (title, units) in old.items():
        if ref not in new:
            changes.append({"ref": ref, "title": title, "change": "删除任务", "detail": unit_list(units)})
    return changes


def _write_assignments(plan: Plan, wanted, *, existing_tasks, kept_refs, update: bool) -> dict:
    per_unit: dict[int, int] = {}
    new_rows: list[dict] = []
    removed = 0
    current: dict[tuple[int, int], Assignment] = {}
    if update:
        # Later years of a recurring task are rows of their own (instance 2, 3 …): a re-import
        # of the plan's document speaks only for the plan's own year.
        for a in db.session.scalars(
            sa.select(Assignment).where(Assignment.plan_id == plan.id, Assignment.instance == 1)
        ):
            current[(a.task_id, a.unit_id)] = a
    for task_id, rows in wanted.items():
        for unit_id, (role, due, kind, phrase) in rows.items():
            a = current.pop((task_id, unit_id), None)
            if a is not None:
                if a.due_on == a.original_due_on:  # an approved extension is never undone by a re-import
                    a.due_on = due
                a.original_due_on, a.role, a.deadline_kind, a.source_phrase = due, role, kind, phrase
                continue
            new_rows.append(dict(plan_id=plan.id, task_id=task_id, unit_id=unit_id, role=role, due_on=due,
                                 original_due_on=due, deadline_kind=kind, source_phrase=phrase,
                                 status="pending", progress=0))
            per_unit[unit_id] = per_unit.get(unit_id, 0) + 1
    for a in current.values():
        # Units a new version no longer names lose only what they have not started.
        if a.status == "pending" and a.progress == 0:
            db.session.delete(a)
            removed += 1
    for ref, task in existing_tasks.items():
        if ref not in kept_refs and not any(a.status != "pending" for a in task.assignments):
            db.session.delete(task)
    if new_rows:
        # Core executemany: tens of thousands of rows without building ORM objects.
        now = utcnow()
        for row in new_rows:
            row["created_at"] = row["updated_at"] = now
        db.session.connection().execute(Assignment.__table__.insert(), new_rows)
    db.session.flush()
    tasks = db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.plan_id == plan.id))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(Assignment.plan_id == plan.id))
    return {"tasks": tasks, "assignments": total, "added": len(new_rows), "removed": removed, "_per_unit": per_unit}


# --- a plan's life after import --------------------------------------------------------------


def _acted_on(plan: Plan) -> sa.ColumnElement[bool]:
    """Condition on Assignment: of the plan, and a unit has acted on it (a report, progress, a state)."""
    from ..reports.models import ProgressReport

    reported = sa.select(ProgressReport.assignment_id).where(ProgressReport.plan_id == plan.id)
    return sa.and_(Assignment.plan_id == plan.id,
                   sa.or_(Assignment.id.in_(reported), Assignment.status != "pending", Assignment.progress > 0))


def reported_count(plan: Plan) -> int:
    """Count the assignments of a plan that a unit has acted on (a report, progress, a state)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(_acted_on(plan))) or 0


def any_reported(plan: Plan) -> bool:
    """Whether a unit has acted on any assignment of the plan: the plan page asks only this (a count
    over a province's largest plan costs a tenth of a second; the first one found answers)."""
    from ..reports.models import ProgressReport

    # cheapest first, each answered from an index by the first row found
    checks = (
        sa.select(ProgressReport.id).join(Assignment, Assignment.id == ProgressReport.assignment_id)
        .where(ProgressReport.plan_id == plan.id),
        sa.select(Assignment.id).where(Assignment.plan_id == plan.id, Assignment.status != "pending"),
        sa.select(Assignment.id).where(Assignment.plan_id == plan.id, Assignment.progress > 0),
    )
    return any(db.session.scalar(stmt.limit(1)) is not None for stmt in checks)


def withdraw_plan(actor, plan: Plan) -> dict:
    """Delete a plan imported by mistake, telling the units it was sent to; refused once any unit reported."""
    acted = reported_count(plan)
    if acted:
        raise ServiceError(f"已有 {acted} 项承办任务有单位报送或推进，不能撤回（删除）该工作要点，只能归档。", status=409)
    per_unit = dict(db.session.execute(
        sa.select(Assignment.unit_id, sa.func.count()).where(Assignment.plan_id == plan.id).group_by(Assignment.unit_id)
    ).all())
    tasks = db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.plan_id == plan.id))
    summary = {"title": plan.title, "doc_number": plan.doc_number, "year": plan.year, "tasks": tasks,
               "assignments": sum(per_unit.values()), "units": len(per_unit)}
    plan_id, title = plan.id, plan.title
    record(actor, "plan.withdraw", "plan", plan_id, before=summary)
    for unit_id, n in per_unit.items():
        notify_unit(unit_id, kind="info", title=f"《{title}》误导入已撤回，原分配给您单位的{n}项任务已取消，无需办理",
                    link="/my/tasks", object_type="plan", object_id=plan_id, dedupe_key=f"plan-withdraw:{plan_id}:{unit_id}")
    db.session.execute(sa.update(PlanImport).where(PlanImport.plan_id == plan_id)
                       .values(status="withdrawn", plan_id=None))
    # The database cascades to tasks, assignments and everything hanging on them.
    db.session.execute(sa.delete(Plan).where(Plan.id == plan_id))
    db.session.expire_all()
    return summary


def archive_plan(actor, plan: Plan, *, as_of=None) -> None:
    """Archive a plan: it stays with every report, marked as no longer current."""
    if plan.archived_at is not None:
        raise ServiceError("该工作要点已归档。", status=409)
    plan.archived_at = as_of or utcnow()
    db.session.flush()
    record(actor, "plan.archive", "plan", plan.id, after={"title": plan.title, "reported": reported_count(plan)})


def pending_imports(user) -> list[PlanImport]:
    """Return the import drafts still open in the user's jurisdiction, newest first."""
    stmt = sa.select(PlanImport).where(PlanImport.status == "draft").order_by(PlanImport.id.desc())
    if user.role != "admin":
        stmt = stmt.join(Unit, Unit.id == PlanImport.unit_id).where(Unit.path.startswith(user.unit.path))
    return list(db.session.scalars(stmt.limit(200)))

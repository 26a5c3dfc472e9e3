"""Unit directory writes: create, edit, deactivate, import; group membership."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import sqlalchemy as sa
import yaml

from ..audit.services import record, snapshot
from ..errors import ServiceError
from ..extensions import db
from ..scope import under, units_under
from ..timeutil import utcnow
from .models import CATEGORIES, UNIT_KINDS, Unit, UnitGroup, UnitName

UNIT_FIELDS = ("name", "short_name", "aliases", "kind", "parent_id", "category", "is_active")
GROUP_FIELDS = ("phrase", "aliases", "owner_id", "rule_kind", "rule_parent_id")
KIND_BY_LABEL = {label: code for code, label in UNIT_KINDS.items()}


def _clean_aliases(aliases) -> list[str]:
    if isinstance(aliases, str):
        aliases = aliases.replace("；", "、").replace(";", "、").replace(",", "、").replace("，", "、").split("、")
    return [a.strip() for a in (aliases or []) if a and str(a).strip()]


def _set_path(unit: Unit) -> None:
    unit.path = (unit.parent.path if unit.parent else "/") + f"{unit.id}/"


def _validate(name: str, kind: str, category: str | None) -> None:
    if not name:
        raise ServiceError("单位名称不能为空。")
    if len(name) > 120:
        raise ServiceError("单位名称过长（最多120字）。")
    if kind not in UNIT_KINDS:
        raise ServiceError(f"未知的单位类型：{kind}")
    if category not in (None, "", *CATEGORIES):
        raise ServiceError(f"考核类别只能是 A 或 B，实际为：{category}")


def create_unit(actor, *, name: str, kind: str = "other", parent: Unit | None = None,
                short_name: str | None = None, aliases=None, category: str | None = None) -> Unit:
    """Create a unit under a parent (or as a new root)."""
    name = (name or "").strip()
    _validate(name, kind, category)
    if db.session.scalar(sa.select(Unit.id).where(Unit.name == name)):
        raise ServiceError(f"单位“{name}”已存在。")
    unit = Unit(name=name, kind=kind, parent=parent, short_name=(short_name or "").strip() or None,
                aliases=_clean_aliases(aliases), category=category or None,
                sort_order=(db.session.scalar(sa.select(sa.func.max(Unit.sort_order))) or 0) + 1)
    db.session.add(unit)
    db.session.flush()
    _set_path(unit)
    record(actor, "unit.create", "unit", unit.id, after=snapshot(unit, UNIT_FIELDS))
    return unit


def update_unit(actor, unit: Unit, *, name: str, kind: str, parent: Unit | None,
                short_name: str | None, aliases, category: str | None) -> Unit:
    """Edit a unit; moving it re-paths its whole subtree."""
    name = (name or "").strip()
    _validate(name, kind, category)
    clash = db.session.scalar(sa.select(Unit.id).where(Unit.name == name, Unit.id != unit.id))
    if clash:
        raise ServiceError(f"单位“{name}”已存在。")
    if parent is not None and parent.is_within(unit):
        raise ServiceError("不能把单位移到它自己或它的下级单位之下。")
    before = snapshot(unit, UNIT_FIELDS)
    old_path = unit.path
    if name != unit.name:
        # the old name stays on what was issued before (tracker.plans.assign.name_on)
        db.session.add(UnitName(unit_id=unit.id, name=unit.name, until=utcnow()))
    unit.name, unit.kind, unit.parent = name, kind, parent
    unit.short_name = (short_name or "").strip() or None
    unit.aliases = _clean_aliases(aliases)
    unit.category = category or None
    db.session.flush()
    _set_path(unit)
    if unit.path != old_path:
        # One UPDATE re-roots every descendant's materialised path.
        db.session.execute(
            sa.update(Unit)
            .where(under(Unit.path, old_path), Unit.id != unit.id)
            .values(path=sa.func.replace(Unit.path, old_path, unit.path))
            .execution_options(synchronize_session=False)
        )
    record(actor, "unit.update", "unit", unit.id, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit


def set_unit_active(actor, unit: Unit, active: bool) -> None:
    """Deactivate (retire) or reactivate a unit; its history stays. A unit with open work is retired
    only after that work is moved (转办) or the unit is merged into another."""
    if not active and unit.is_active:
        from ..plans.models import Assignment

        n = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
            Assignment.unit_id == unit.id, Assignment.status != "completed")) or 0
        if n:
            raise ServiceError(f"“{unit.name}”还有{n}项未办结的任务，请先转办或并入其他单位后再撤销。")
    before = snapshot(unit, UNIT_FIELDS)
    unit.is_active = active
    record(actor, "unit.activate" if active else "unit.deactivate", "unit", unit.id,
           before=before, after=snapshot(unit, UNIT_FIELDS))


def subtree_ids_stmt(root: Unit) -> sa.Select:
    """Return a select of the ids of a unit and everything below it."""
    return units_under(root.path)


def group_member_ids(group: UnitGroup) -> list[int]:
    """Return the ids of the active units a group stands for."""
    if group.rule_kind:
        stmt = sa.select(Unit.id).where(Unit.kind == group.rule_kind, Unit.is_active)
        if group.rule_parent_id:
            stmt = stmt.where(Unit.parent_id == group.rule_parent_id)
        else:
            stmt = stmt.where(under(Unit.path, group.owner.path))
        return list(db.session.scalars(stmt.order_by(Unit.name)))
    return [u.id for u in group.listed_members if u.is_active]


def save_group(actor, group: UnitGroup | None, *, phrase: str, owner: Unit, aliases=None,
               rule_kind: str | None = None, rule_parent: Unit | None = None,
               members: list[Unit] | None = None) -> UnitGroup:
    """Create or edit a group phrase, defined by a rule or by a member list."""
    phrase = (phrase or "").strip()
    if not phrase:
        raise ServiceError("统称不能为空。")
    if rule_kind and rule_kind not in UNIT_KINDS:
        raise ServiceError(f"未知的单位类型：{rule_kind}")
    if not rule_kind and not members:
        raise ServiceError(f"统称“{phrase}”需要规则（单位类型）或成员名单。")
    clash = sa.select(UnitGroup.id).where(UnitGroup.owner_id == owner.id, UnitGroup.phrase == phrase)
    if group is not None:
        clash = clash.where(UnitGroup.id != group.id)
    if db.session.scalar(clash):
        raise ServiceError(f"统称“{phrase}”在{owner.name}下已存在。")
    before = snapshot(group, GROUP_FIELDS) if group else None
    if group is None:
        group = UnitGroup(phrase=phrase, owner=owner)
        db.session.add(group)
    group.phrase, group.owner = phrase, owner
    group.aliases = _clean_aliases(aliases)
    group.rule_kind = rule_kind or None
    group.rule_parent = rule_parent if rule_kind else None
    group.listed_members = [] if rule_kind else list(members or [])
    db.session.flush()
    after = snapshot(group, GROUP_FIELDS) | {"members": [u.name for u in group.listed_members]}
    record(actor, "group.create" if before is None else "group.update", "unit_group", group.id,
           before=before, after=after)
    return group


def delete_group(actor, group: UnitGroup) -> None:
    """Delete a group phrase (assignments keep the phrase text they came from)."""
    record(actor, "group.delete", "unit_group", group.id, before=snapshot(group, GROUP_FIELDS))
    db.session.delete(group)


# --- directory import -------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class DirectoryImportError(ServiceError):
    def __init__(self, errors: list[str]):
        super().__init__("单位名录有错误，未导入任何数据：\n" + "\n".join(errors))
        self.errors = errors


XLSX_UNIT_COLUMNS = {"名称": "name", "单位名称": "name", "简称": "short_name", "别名": "aliases",
                     "类型": "kind", "单位类型": "kind", "上级单位": "parent", "考核类别": "category"}
XLSX_GROUP_COLUMNS = {"统称": "phrase", "别名": "aliases", "规则类型": "kind", "规则上级": "parent",
                      "成员": "members", "所属": "owner"}


def _rows_from_sheet(ws, columns: dict[str, str], what: str) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    keys = [columns.get(h) for h in header]
    if "name" not in keys and "phrase" not in keys:
        raise DirectoryImportError([f"{what}表第1行应为表头，需包含“名称”（或“统称”）列，实际为：{'、'.join(h for h in header if h)}"])
    out = []
    for values in rows[1:]:
        if all(v in (None, "") for v in values):
            continue
        item = {k: (str(v).strip() if v is not None else "") for k, v in zip(keys, values) if k}
        out.append(item)
    return out


def parse_directory(filename: str, data: bytes) -> dict:
    """Read a unit directory from YAML or xlsx bytes into {"jurisdiction", "units", "groups"}."""
    if not data:
        raise DirectoryImportError(["文件为空。"])
    if data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise DirectoryImportError([f"无法读取 Excel 文件：{exc}"]) from exc
        sheets = wb.worksheets
        units = _rows_from_sheet(sheets[0], XLSX_UNIT_COLUMNS, "单位")
        groups = _rows_from_sheet(sheets[1], XLSX_GROUP_COLUMNS, "统称") if len(sheets) > 1 else []
        for g in groups:
            kind, parent = g.pop("kind", ""), g.pop("parent", "")
            if kind or parent:
                g["rule"] = {"kind": KIND_BY_LABEL.get(kind, kind), "parent": parent}
            if g.get("members"):
                g["members"] = _clean_aliases(g["members"])
        return {"units": units, "groups": groups}
    try:
        doc = yaml.safe_load(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DirectoryImportError([f"文件“{filename}”既不是 YAML 也不是 xlsx：{exc}"]) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("units"), list):
        raise DirectoryImportError(["YAML 文件应包含 units: 列表。"])
    return doc


def import_directory(actor, doc: dict) -> ImportResult:
    """Create or update units and groups from a parsed directory; any error imports nothing."""
    result = ImportResult()
    errors = result.errors
    rows = doc.get("units") or []
    existing = {u.name: u for u in db.session.scalars(sa.select(Unit))}
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors.append(f"第{i}行：格式不正确，应为包含 name 的条目。")
            continue
        name = str(row.get("name") or "").strip()
        label = f"第{i}行"
        if not name:
            errors.append(f"{label}：单位名称为空。")
            continue
        if name in seen:
            errors.append(f"{label}：单位“{name}”与第{seen[name]}行重名。")
            continue
        seen[name] = i
        kind = str(row.get("kind") or "other").strip()
        kind = KIND_BY_LABEL.get(kind, kind)
        row["kind"] = kind
        if kind not in UNIT_KINDS:
            errors.append(f"{label}（{name}）：未知的单位类型“{kind}”。")
        category = str(row.get("category") or "").strip().upper() or None
        row["category"] = category
        if category not in (None, *CATEGORIES):
            errors.append(f"{label}（{name}）：考核类别只能是 A 或 B。")
    names_in_file = set(seen)
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            continue
        parent = str(row.get("parent") or "").strip()
        if parent and parent not in names_in_file and parent not in existing:
            errors.append(f"第{i}行（{row.get('name')}）：上级单位“{parent}”不存在。")
    if errors:
        raise DirectoryImportError(errors)

    # Parents may come later in the file: create in an order where each parent exists first.
    by_name = {str(r["name"]).strip(): r for r in rows}
    ordered: list[dict] = []
    placed: set[str] = set()

    def place(name: str, trail: tuple = ()):
        if name in placed or name not in by_name:
            return
        if name in trail:
            errors.append(f"单位“{name}”的上级关系形成了循环。")
            return
        parent = str(by_name[name].get("parent") or "").strip()
        if parent:
            place(parent, trail + (name,))
        placed.add(name)
        ordered.append(by_name[name])

    for name in by_name:
        place(name)
    if errors:
        raise DirectoryImportError(errors)

    with db.session.begin_nested():  # any error below undoes every row of this import
        return _write_directory(actor, doc, rows, ordered, existing, result)


def _write_directory(actor, doc, rows, ordered, existing, result) -> ImportResult:
    errors = result.errors
    units = dict(existing)
    for row in ordered:
        name = str(row["name"]).strip()
        parent_name = str(row.get("parent") or "").strip()
        parent = units.get(parent_name) if parent_name else None
        fields = dict(kind=row["kind"], parent=parent, short_name=row.get("short_name"),
                      aliases=row.get("aliases"), category=row.get("category"))
        if name in units:
            update_unit(actor, units[name], name=name, **fields)
            result.updated.append(name)
        else:
            units[name] = create_unit(actor, name=name, **fields)
            result.created.append(name)

    # the official order is the directory's: the file lists counties as the city does, then departments
    base = db.session.scalar(sa.select(sa.func.min(Unit.sort_order)).where(
        Unit.name.in_([str(r["name"]).strip() for r in rows]))) or 1
    for position, r in enumerate(rows):
        units[str(r["name"]).strip()].sort_order = base + position
    db.session.flush()
    roots = [units[str(r["name"]).strip()] for r in rows if not str(r.get("parent") or "").strip()]
    default_owner = roots[0] if roots else None
    for i, g in enumerate(doc.get("groups") or [], start=1):
        phrase = str(g.get("phrase") or "").strip()
        owner_name = str(g.get("owner") or "").strip()
        owner = units.get(owner_name) if owner_name else default_owner
        if owner is None:
            errors.append(f"统称第{i}条（{phrase}）：找不到所属单位。")
            continue
        rule = g.get("rule") or {}
        rule_parent = None
        if rule.get("parent"):
            rule_parent = units.get(str(rule["parent"]).strip())
            if rule_parent is None:
                errors.append(f"统称第{i}条（{phrase}）：规则上级“{rule['parent']}”不存在。")
                continue
        members = []
        for m in g.get("members") or []:
            unit = units.get(str(m).strip())
            if unit is None:
                errors.append(f"统称第{i}条（{phrase}）：成员“{m}”不存在。")
            else:
                members.append(unit)
        existing_group = db.session.scalar(
            sa.select(UnitGroup).where(UnitGroup.owner_id == owner.id, UnitGroup.phrase == phrase)
        )
        try:
            save_group(actor, existing_group, phrase=phrase, owner=owner, aliases=g.get("aliases"),
                       rule_kind=rule.get("kind") or None, rule_parent=rule_parent, members=members)
        except ServiceError as exc:
            errors.append(f"统称第{i}条：{exc.message}")
            continue
        result.groups.append(phrase)
    if errors:
        raise DirectoryImportError(errors)
    record(actor, "unit.import", "unit", None,
           after={"created": len(result.created), "updated": len(result.updated), "groups": len(result.groups)})
    return result

"""Resolve unit names as written in a plan against a unit directory (pure; no database).

The web importer builds the directory from database rows; tests and the CLI build it from YAML.
A name is matched, in order of trust, by its exact normalised form (name, short name, aliases, with
or without the jurisdiction), then by its canonical form (standard abbreviations of department
names, 人民政府 = 政府, 委员会 = 委 …), then with the jurisdiction's level prefix added (a list that
writes 市 once: ``市发展改革委、市场监管局、司法局``). The first tier that matches decides; two units
in that tier make the name ambiguous. Nothing is ever dropped: an unmatched name comes back
``unresolved`` so the preview can show it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tracker.plans.units_text import normalize

#: Standard abbreviations of government department names, as data: the first entry of each row is
#: the canonical short form, the rest are the other ways documents write the same department.
ABBREVIATIONS: tuple[tuple[str, ...], ...] = (
    ("发改委", "发展和改革委员会", "发展改革委员会", "发展改革委", "发展和改革委"),
    ("发改局", "发展和改革局", "发展改革局"),
    ("卫健委", "卫生健康委员会", "卫生健康委", "卫生和健康委员会"),
    ("卫健局", "卫生健康局", "卫生和健康局"),
    ("卫计委", "卫生和计划生育委员会", "卫生计生委"),
    ("卫体局", "卫生健康和体育局", "卫生健康体育局", "卫生和体育局"),
    ("人社局", "人力资源和社会保障局", "人力资源社会保障局"),
    ("市场监管局", "市场监督管理局"),
    ("住建局", "住房和城乡建设局", "住房城乡建设局"),
    ("教体局", "教育和体育局", "教育体育局"),
    ("教科局", "教育和科技局", "教育科技局", "教育科学技术局"),
    ("工信局", "工业和信息化局", "工业信息化局"),
    ("大数据局", "政务服务和大数据管理局", "政务服务和大数据局", "政务和大数据局", "大数据管理局"),
    ("自然资源规划局", "自然资源和规划局", "规划和自然资源局"),
    ("文旅局", "文化和旅游局", "文化旅游局"),
    ("文广旅局", "文化广电和旅游局", "文化广电旅游局"),
    ("科技局", "科学技术局"),
    ("交通局", "交通运输局"),
    ("应急局", "应急管理局"),
    ("医保局", "医疗保障局"),
    ("退役军人局", "退役军人事务局"),
    ("城管局", "城市管理局"),
    ("审批局", "行政审批服务管理局", "行政审批服务局", "审批服务管理局", "行政审批局"),
    ("国资委", "国有资产监督管理委员会"),
    ("民宗局", "民族宗教事务局", "民族和宗教事务局"),
    ("机关事务局", "机关事务管理局"),
    ("网信办", "网络安全和信息化委员会办公室"),
    ("外办", "外事办公室"),
    ("政研室", "政策研究室"),
)

#: Suffix rewrites applied to every name before the table above, longest first.
GENERIC_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("人民政府", "政府"),
    ("管理委员会", "管委会"),
    ("委员会", "委"),
    ("办公室", "办"),
)

_LEVELS = "市区县旗州盟"
_QUOTES_RE = re.compile(r"[“”\"'‘’「」]")


def _alternation(words: Iterable[str]) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


_GENERIC_MAP = dict(GENERIC_ABBREVIATIONS)
_GENERIC_RE = _alternation(_GENERIC_MAP)


def _generic(s: str) -> str:
    # 和 joins the parts of one name (住房和城乡建设局 = 住房城乡建设局), never two names here
    return _GENERIC_RE.sub(lambda m: _GENERIC_MAP[m.group(0)], s).replace("和", "")


_SPECIFIC_MAP = {_generic(v): _generic(row[0]) for row in ABBREVIATIONS for v in row}
_SPECIFIC_RE = _alternation(_SPECIFIC_MAP)


def name_key(s: str) -> str:
    """Return the exact-match key of a name: normalised, no spaces, no quotes, brackets unified."""
    return _QUOTES_RE.sub("", re.sub(r"\s+", "", normalize(s or "")))


def canonical(s: str) -> str:
    """Return the canonical form of a name, with every standard abbreviation applied."""
    return _SPECIFIC_RE.sub(lambda m: _SPECIFIC_MAP[m.group(0)], _generic(name_key(s)))


@dataclass
class DirUnit:
    id: int
    name: str
    short_name: str | None = None
    aliases: list[str] = field(default_factory=list)
    kind: str = "other"
    parent_id: int | None = None


@dataclass
class DirGroup:
    phrase: str
    member_ids: list[int]
    aliases: list[str] = field(default_factory=list)
    id: int | None = None


@dataclass
class Resolution:
    status: str  # "unit" | "group" | "unresolved"
    unit_ids: list[int]
    written: str
    #: the directory name or group phrase matched, "ambiguous" when several units matched, else ""
    matched: str = ""


class UnitDirectory:
    """Resolve written unit names against known units and groups."""

    def __init__(self, units: list[DirUnit], groups: Sequence[DirGroup] = (), jurisdiction: str = "",
                 *, own_names_only: bool = False) -> None:
        #: the document was issued outside the jurisdiction: its "市…局", "各县…" and bare
        #: department names speak of the issuer's own units, so only names that spell out this
        #: jurisdiction ("运城市财政局") may match
        self.own_names_only = own_names_only
        self.units = list(units)
        self.groups = list(groups)
        self.jurisdiction = name_key(jurisdiction)
        self.level = self.jurisdiction[-1] if self.jurisdiction and self.jurisdiction[-1] in _LEVELS else ""
        self._units_by_id = {u.id: u for u in self.units}
        self._unit_exact: dict[str, list[int]] = {}
        self._unit_canon: dict[str, list[int]] = {}
        self._group_exact: dict[str, list[int]] = {}
        self._group_canon: dict[str, list[int]] = {}
        for unit in self.units:
            for written in [unit.name, unit.short_name or "", *unit.aliases]:
                for variant in self._variants(written):
                    _index(self._unit_exact, variant, unit.id)
                    _index(self._unit_canon, canonical(variant), unit.id)
        for number, group in enumerate(self.groups):
            for written in [group.phrase, *group.aliases]:
                for variant in self._variants(written):
                    _index(self._group_exact, variant, number)
                    _index(self._group_canon, canonical(variant), number)

    def _variants(self, written: str) -> list[str]:
        """Return the keys a name is known by: as written, and with the jurisdiction ⇄ level prefix."""
        key = name_key(written)
        if not key:
            return []
        variants = [key]
        if self.jurisdiction and self.level:
            if key.startswith(self.jurisdiction) and len(key) > len(self.jurisdiction):
                variants.append(self.level + key[len(self.jurisdiction) :])
            elif key.startswith(self.level) and not key.startswith(self.jurisdiction):
                variants.append(self.jurisdiction + key[len(self.level) :])
        return variants

    def _unit_result(self, written: str, ids: list[int]) -> Resolution:
        if len(ids) == 1:
            return Resolution("unit", ids, written, self._units_by_id[ids[0]].name)
        return Resolution("unresolved", ids, written, "ambiguous")

    def _group_result(self, written: str, numbers: list[int]) -> Resolution:
        group = self.groups[numbers[0]]
        return Resolution("group", list(group.member_ids), written, group.phrase)

    def resolve(self, written: str) -> Resolution:
        """Resolve one written name to a unit, a group, or an unresolved result with any candidates."""
        key = name_key(written)
        if not key:
            return Resolution("unresolved", [], written)
        if self.own_names_only and not (self.jurisdiction and key.startswith(self.jurisdiction)):
            return Resolution("unresolved", [], written, "foreign")
        canon = canonical(key)
        tiers = [(self._unit_exact, key, "unit"), (self._group_exact, key, "group"),
                 (self._unit_canon, canon, "unit"), (self._group_canon, canon, "group")]
        if self.level and not key.startswith(self.jurisdiction):
            prefixed = self.level + key
            tiers += [(self._unit_exact, prefixed, "unit"), (self._unit_canon, canonical(prefixed), "unit"),
                      (self._group_canon, canonical(prefixed), "group")]
        for index, lookup, kind in tiers:
            found = index.get(lookup)
            if found:
                return self._unit_result(written, found) if kind == "unit" else self._group_result(written, found)
        return Resolution("unresolved", [], written)

    def resolve_many(self, names: list[str]) -> list[Resolution]:
        """Resolve every name, one result per name in the same order."""
        return [self.resolve(name) for name in names]


def issuer_outside(issuer: str, place: str, inside_names: Iterable[str] = ()) -> bool:
    """Tell whether a document's issuing office lies outside the jurisdiction named ``place``.

    ``place`` is the jurisdiction without its 人民政府 ("运城市"); ``inside_names`` are the names of
    units within the jurisdiction, for an issuer named without the place (a county's office under a
    city). An issuer that names no place at all ("市人民政府办公室") cannot be told apart: not outside.
    """
    key = name_key(issuer)
    place_key = name_key(place)
    if not key or not place_key:
        return False
    # 菏泽市牡丹区 is also written 牡丹区 or 牡丹: the place, its last segment, each without its level
    tail = [seg for seg in re.split(r"(?<=[省市州盟])", place_key) if seg][-1]
    for form in {place_key, tail}:
        if key.startswith(form) or key.startswith(form.rstrip(_LEVELS) or form):
            return False
    if key[0] in _LEVELS or key.startswith("本"):
        return False
    canon = canonical(key)
    return not any(canonical(name_key(n)) in (key, canon) for n in inside_names)


def _index(index: dict[str, list[int]], key: str, value: int) -> None:
    bucket = index.setdefault(key, [])
    if value not in bucket:
        bucket.append(value)

"""The assessment rubric (考核细则) as data: load it from YAML or a dict, validate it, freeze it.

A rubric names the unit categories that are ranked separately, the full score, the weight the
result carries in the unit's yearly target-responsibility assessment, the indicators with their
weights, the rules that turn events into deductions or bonuses, and the bonus cap.

Every validation problem is collected, not just the first, and each message starts with the
YAML line it is about (``第12行（rules[2].amount）：…``). Numbers are read as ``Decimal`` straight
from the YAML text, never through float, and may have at most two decimal places, so that all
score arithmetic is exact.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

__all__ = [
    "RULE_TYPES",
    "RULE_PARAMS",
    "Param",
    "DAY_RULE_TYPES",
    "DEADLINE_CHANGES",
    "DEADLINE_CHANGE_LABEL",
    "DUE_RULE_TYPES",
    "RubricError",
    "Category",
    "Indicator",
    "Rule",
    "BonusSection",
    "Rubric",
    "load_rubric",
]

#: Rule types scoring knows, with the label the UI shows.
RULE_TYPES: dict[str, str] = {
    "late_completion": "逾期完成",
    "overdue_at_assessment": "考核时逾期未完成",
    "report_returned": "进展报告被退回",
    "missed_periodic_report": "未按期报送进展",
    "rectification_overdue": "整改逾期",
    "circular_criticism": "通报批评",
    "request_late": "依申请公开逾期答复",
    "appeal_lost": "政府信息公开复议诉讼被纠错",
    "bonus": "加分",
}
#: Types whose events last a number of working days, so a per-day amount means something.
DAY_RULE_TYPES = frozenset({"late_completion", "overdue_at_assessment", "rectification_overdue"})
#: Types measured against an assignment's due date, where an extension may move that date.
DUE_RULE_TYPES = frozenset({"late_completion", "overdue_at_assessment"})
#: Types that deduct points (every type but the bonus).
DEDUCTION_TYPES = frozenset(RULE_TYPES) - {"bonus"}


@dataclass(frozen=True)
class Param:
    """One setting of a rule, declared once: the YAML key, its Chinese label and help, its kind,
    the rule types it applies to, and its default. Parsing, the edit form, the display and the
    messages are all derived from ``RULE_PARAMS``; a new setting is one line there plus the
    field of the same name on ``Rule``."""

    key: str
    label: str
    help: str
    #: "number" (points, ≥0, two decimals), "flag" (yes/no) or "kinds" (deadline kinds)
    kind: str
    #: rule types the setting applies to
    types: frozenset[str] = frozenset(RULE_TYPES)
    required: bool = False
    default: Any = None
    #: shown when the setting is given for a type it does not apply to ({type} is the type)
    refused: str = "规则类型 {type} 不能设置 {key}"

    def applies(self, rule_type: str | None) -> bool:
        return rule_type is None or rule_type in self.types


RULE_PARAMS: tuple[Param, ...] = (
    Param("amount", "每次扣分", "每发生一次扣的分数。", "number", DEDUCTION_TYPES, required=True,
          refused="加分规则不设 {key}：分值由督查人员录入，单项最高分用 item_cap 限定"),
    Param("per_day", "每个工作日加扣", "按工作日累计的扣分，逾期一个工作日加扣一次；不填则不按天计。", "number",
          DAY_RULE_TYPES, refused="规则类型 {type} 不按天计算，不能设置 {key}"),
    Param("item_cap", "单项上限", "一件事最多扣（加）的分数；不填则不限。", "number"),
    Param("cap", "本规则合计上限", "同一单位在本规则下合计最多扣（加）的分数；不填则只受指标权重限制。", "number"),
    Param("extension_moves_due", "延期后按新期限计算", "勾选：经批准延期的按延期后的期限计算；不勾选：一律按原定期限。",
          "flag", DUE_RULE_TYPES, default=False, refused="规则类型 {type} 与到期日无关，不能设置 {key}"),
    Param("exclude_deadline_kinds", "不计扣分的时限类型", "勾选的时限类型（如持续推进）不按本规则扣分。", "kinds",
          DUE_RULE_TYPES, default=("continuous",), refused="规则类型 {type} 与到期日无关，不能设置 {key}"),
)

#: Chinese labels of every other field of the rubric, for the form, the display and the messages.
TOP_LABELS = {"year": "年度", "name": "细则名称", "full_score": "满分", "assessment_weight": "考核权重",
              "deadline_change": "督办调整任务时限的计分口径",
              "categories": "单位类别", "indicators": "指标", "rules": "规则", "bonus": "加分项"}
CATEGORY_LABELS = {"code": "代码", "name": "名称", "unit_kinds": "单位类型"}
INDICATOR_LABELS = {"code": "代码", "name": "名称", "weight": "权重（分）", "description": "说明"}
RULE_LABELS = {"code": "代码", "name": "名称", "type": "规则类型", "indicator": "计入指标", "description": "说明"} | {
    p.key: p.label for p in RULE_PARAMS}
BONUS_LABELS = {"name": "名称", "cap": "加分合计上限"}
#: What a supervisor's change of a task's deadline after import means for scoring (rubric key
#: ``deadline_change``): a correction (score against the new date), or keep the date first assigned.
DEADLINE_CHANGES: dict[str, str] = {
    "correction": "按更正处理，以调整后的时限计分",
    "keep_original": "保留原定时限计分",
}
DEADLINE_CHANGE_LABEL = "督办调整任务时限的计分口径"

_CENT = Decimal("0.01")
_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")
_NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_PERCENT_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*[%％]\s*$")

_TOP_KEYS = ("year", "name", "full_score", "assessment_weight", "deadline_change", "categories", "indicators",
             "rules", "bonus")
_CATEGORY_KEYS = ("code", "name", "unit_kinds")
_INDICATOR_KEYS = ("code", "name", "weight", "description")
_RULE_KEYS = ("code", "name", "type", "indicator", *(p.key for p in RULE_PARAMS), "description")
_BONUS_KEYS = ("name", "cap")

Path = tuple[str | int, ...]


class RubricError(ValueError):
    """A rubric that cannot be used; ``messages`` lists every problem, each naming its line.

    Messages come in the order of the lines they name, so they read top to bottom.
    """

    def __init__(self, messages: list[str]) -> None:
        self.messages = sorted(messages, key=_message_line)
        super().__init__("\n".join(self.messages))


def _message_line(message: str) -> int:
    match = re.match(r"第(\d+)行", message)
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class Category:
    """A group of units ranked against each other (A类, B类)."""

    code: str
    name: str
    #: Unit.kind values that fall in this category unless the unit names its category itself
    unit_kinds: tuple[str, ...]
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Indicator:
    """A scored heading; its deductions together never exceed its weight."""

    code: str
    name: str
    weight: Decimal
    description: str = ""
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Rule:
    """How one kind of event becomes points.

    A deduction is ``amount`` per event plus ``per_day`` per working day (for day rules), at most
    ``item_cap`` per event and at most ``cap`` for all of a unit's events under the rule. A bonus
    rule takes the points the supervisor entered, capped the same way.
    """

    code: str
    name: str
    type: str
    #: the indicator the deductions count against; None for bonus rules
    indicator: str | None
    amount: Decimal = Decimal(0)
    per_day: Decimal | None = None
    item_cap: Decimal | None = None
    cap: Decimal | None = None
    #: for due-date rules: measure against the extended due date (True) or the original (False)
    extension_moves_due: bool = False
    #: for due-date rules: assignment deadline kinds the rule skips
    exclude_deadline_kinds: tuple[str, ...] = ()
    description: str = ""
    line: int | None = field(default=None, compare=False)

    @property
    def is_bonus(self) -> bool:
        return self.type == "bonus"

    @property
    def type_label(self) -> str:
        return RULE_TYPES[self.type]


@dataclass(frozen=True)
class BonusSection:
    """The cap on all of a unit's bonus points together."""

    name: str = "加分项"
    cap: Decimal = Decimal(0)


@dataclass(frozen=True)
class Rubric:
    """A validated rubric. Build one with ``load_rubric``."""

    year: int
    name: str
    full_score: Decimal
    #: the result's share of the yearly assessment as a fraction: 4% is Decimal("0.04")
    assessment_weight: Decimal
    categories: tuple[Category, ...]
    indicators: tuple[Indicator, ...]
    rules: tuple[Rule, ...]
    bonus: BonusSection = BonusSection()
    #: a key of DEADLINE_CHANGES: how a supervisor's change of a task's deadline is scored
    deadline_change: str = "correction"

    @property
    def keeps_original_due(self) -> bool:
        return self.deadline_change == "keep_original"

    @property
    def assessment_weight_percent(self) -> Decimal:
        return (self.assessment_weight * 100).normalize()

    def indicator(self, code: str) -> Indicator:
        """Return the indicator with this code; KeyError when there is none."""
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    def rule(self, code: str) -> Rule:
        """Return the rule with this code; KeyError when there is none."""
        for rule in self.rules:
            if rule.code == code:
                return rule
        raise KeyError(code)

    def category_for(self, kind: str, explicit: str | None = None) -> str | None:
        """Return the category code of a unit, or None when it is in no category.

        A category the unit names itself wins when this rubric defines it; otherwise the first
        category whose unit kinds include the unit's kind.
        """
        codes = {c.code for c in self.categories}
        if explicit and explicit in codes:
            return explicit
        for category in self.categories:
            if kind in category.unit_kinds:
                return category.code
        return None

    def to_dict(self) -> dict[str, Any]:
        """Return plain, JSON-ready data that ``load_rubric`` turns back into this rubric."""

        def num(d: Decimal | None) -> str | None:
            return None if d is None else _plain(d)

        rules: list[dict[str, Any]] = []
        for r in self.rules:
            data: dict[str, Any] = {"code": r.code, "name": r.name, "type": r.type}
            if r.indicator is not None:
                data["indicator"] = r.indicator
            for param in RULE_PARAMS:
                value = getattr(r, param.key)
                if not param.applies(r.type) or value is None:
                    continue
                data[param.key] = num(value) if param.kind == "number" else (
                    list(value) if param.kind == "kinds" else value)
            if r.description:
                data["description"] = r.description
            rules.append(data)
        return {
            "year": self.year,
            "name": self.name,
            "full_score": num(self.full_score),
            "assessment_weight": f"{_plain(self.assessment_weight_percent)}%",
            "categories": [
                {"code": c.code, "name": c.name, "unit_kinds": list(c.unit_kinds)}
                for c in self.categories
            ],
            "indicators": [
                {"code": i.code, "name": i.name, "weight": num(i.weight)}
                | ({"description": i.description} if i.description else {})
                for i in self.indicators
            ],
            "rules": rules,
            "bonus": {"name": self.bonus.name, "cap": num(self.bonus.cap)},
        } | ({"deadline_change": self.deadline_change} if self.deadline_change != "correction" else {})


def _plain(d: Decimal) -> str:
    """Format a Decimal without exponent or trailing zeros: 100, 0.2, 1.5."""
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# -- YAML with line numbers ---------------------------------------------------------------------

_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses aliases (*name, <<: *name).

    A rubric never needs them, and nested aliases expand exponentially as they are read
    (a few hundred bytes can stand for billions of nodes) or refer to themselves.
    """

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "不支持锚点引用（*名称 或 <<: *名称），请把内容直接写出", mark)
        return super().compose_node(parent, index)


def _plain_from_node(node: yaml.Node, path: Path, lines: dict[Path, int], errors: list[str]) -> Any:
    """Turn a composed YAML node into plain Python, recording the line of every key and item."""
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _plain_from_node(key_node, path, {}, errors)
            line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                errors.append(f"第{line}行：字段名应为文字")
                continue
            if key in result:
                errors.append(f"第{line}行（{_where(path + (key,))}）：字段重复（第{lines[path + (key,)]}行已出现）")
                continue
            lines[path + (key,)] = line
            result[key] = _plain_from_node(value_node, path + (key,), lines, errors)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            items.append(_plain_from_node(item, path + (index,), lines, errors))
        return items
    if node.tag == "tag:yaml.org,2002:float":
        # Read the digits as written: 0.2 must stay exactly 0.2.
        try:
            value = Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            return _SCALAR_CONSTRUCTOR.construct_object(node)
        return value if value.is_finite() else float(value)
    return _SCALAR_CONSTRUCTOR.construct_object(node)


def _where(path: Path) -> str:
    """Render a path the way a YAML author reads it: rules[2].amount."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "（根）"


_SECTIONS = {
    "categories": ("个单位类别", CATEGORY_LABELS),
    "indicators": ("项指标", INDICATOR_LABELS),
    "rules": ("条规则", RULE_LABELS),
}


def _where_chinese(path: Path, root: Any) -> str:
    """Name a field the way the form shows it: 第2项指标“任务落实”的权重."""
    if not path:
        return "考核细则"
    head = path[0]
    if head in _SECTIONS and len(path) >= 2 and isinstance(path[1], int):
        noun, labels = _SECTIONS[head]
        items = root.get(head) if isinstance(root, Mapping) else None
        item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
        name = item.get("name") if isinstance(item, Mapping) else None
        where = f"第{path[1] + 1}{noun}" + (f"“{name.strip()}”" if isinstance(name, str) and name.strip() else "")
        if len(path) >= 3:
            where += f"的{labels.get(str(path[2]), str(path[2]))}"
        return where
    if head == "bonus":
        return "加分项" + (f"的{BONUS_LABELS.get(str(path[1]), str(path[1]))}" if len(path) >= 2 else "")
    return TOP_LABELS.get(str(head), str(head))


# -- validation -----------------------------------------------------------------------------------


class _Checker:
    """Read typed values out of plain data, collecting a message per problem."""

    def __init__(self, lines: Mapping[Path, int], errors: Iterable[str] = (), *, root: Any = None,
                 chinese: bool = False, kind_labels: Mapping[str, str] | None = None) -> None:
        #: unit kind → its Chinese name, for form-mode messages
        self.kind_labels = kind_labels or {}
        self.lines = lines
        self.errors: list[str] = list(errors)
        #: the whole document, to name items by their Chinese names (form mode)
        self.root = root
        #: form mode: name fields in Chinese ("第2项指标“任务落实”的权重") instead of lines and keys
        self.chinese = chinese

    def kind_name(self, kind: str) -> str:
        return self.kind_labels.get(kind, kind)

    def missing(self, key: str) -> str:
        return "未填写" if self.chinese else f"缺少 {key}"

    def line(self, path: Path) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def fail(self, path: Path, message: str) -> None:
        if self.chinese:
            self.errors.append(f"{_where_chinese(path, self.root)}{message}")
            return
        line = self.line(path)
        where = _where(path)
        prefix = f"第{line}行（{where}）" if line is not None else where
        self.errors.append(f"{prefix}：{message}")

    def mapping(self, data: Any, path: Path, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(data, Mapping):
            self.fail(path, "应为“字段: 值”形式的映射")
            return None
        for key in data:
            if key not in allowed:
                self.fail(path + (key,), f"未知字段 {key}（可用：{'、'.join(allowed)}）")
        return dict(data)

    def items(self, data: Mapping[str, Any], key: str, path: Path, *, required: bool = True) -> list[Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(path + (key,), "至少需要一项" if self.chinese else f"缺少 {key} 列表")
            return []
        if not isinstance(value, list):
            self.fail(path + (key,), "应为列表")
            return []
        return value

    def text(self, data: Mapping[str, Any], key: str, path: Path, *, required: bool = True, default: str = "") -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(path + (key,), self.missing(key))
            return default
        if not isinstance(value, str) or not value.strip():
            self.fail(path + (key,), "应为非空文字")
            return default
        return value.strip()

    def code(self, data: Mapping[str, Any], path: Path) -> str:
        value = data.get("code")
        if value is None:
            self.fail(path + ("code",), self.missing("code"))
            return ""
        if not isinstance(value, str) or not _CODE_RE.match(value):
            self.fail(path + ("code",), f"代码 {value!r} 应以英文字母开头，只含字母、数字、下划线、点或连字符")
            return ""
        return value

    def number(
        self, data: Mapping[str, Any], key: str, path: Path, *, required: bool = True,
        positive: bool = False,
    ) -> Decimal | None:
        if data.get(key) is None:
            if required:
                self.fail(path + (key,), self.missing(key))
            return None
        value = _to_decimal(data[key])
        if value is None:
            self.fail(path + (key,), f"应为数字，不是 {data[key]!r}")
            return None
        if value < 0:
            self.fail(path + (key,), f"不能为负数（{_plain(value)}）")
            return None
        if positive and value == 0:
            self.fail(path + (key,), "应大于0")
            return None
        if value != value.quantize(_CENT):
            self.fail(path + (key,), f"最多保留两位小数（{_plain(value)}）")
            return None
        return value.quantize(_CENT)

    def flag(self, data: Mapping[str, Any], key: str, path: Path, default: bool) -> bool:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(path + (key,), "应为“是”或“否”" if self.chinese else "应为 true 或 false")
            return default
        return value

    def unique(self, code: str, seen: dict[str, Path], path: Path, what: str) -> None:
        if not code:
            return
        if code in seen:
            first = self.line(seen[code] + ("code",))
            where = f"第{first}行" if first is not None else _where(seen[code])
            self.fail(path + ("code",), f"{what}代码 {code} 重复（{where}已使用）")
        else:
            seen[code] = path


def _to_decimal(value: Any) -> Decimal | None:
    """Return value as a finite Decimal, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str) and _NUMBER_RE.match(value.strip()):
        result = Decimal(value.strip())
    else:
        return None
    return result if result.is_finite() else None


def _weight(ck: _Checker, data: Mapping[str, Any], path: Path) -> Decimal:
    """Read the assessment weight: "4%" or a fraction such as 0.04."""
    key = "assessment_weight"
    raw = data.get(key)
    if raw is None:
        ck.fail(path + (key,), ck.missing(key) if ck.chinese else "缺少 assessment_weight（考核权重，如 4%）")
        return Decimal(0)
    match = _PERCENT_RE.match(raw) if isinstance(raw, str) else None
    if match:
        value = Decimal(match.group(1)) / 100
    else:
        value = _to_decimal(raw)
        if value is None or not 0 < value <= 1:
            ck.fail(path + (key,), f"应填写百分数，如 4，不是“{str(raw).rstrip('%')}”" if ck.chinese
                    else f"考核权重应写成百分数（如 4%）或 0 到 1 之间的小数，不是 {raw!r}")
            return Decimal(0)
    if not 0 < value <= 1:
        ck.fail(path + (key,), f"应大于0且不超过100%，不是 {raw}" if ck.chinese
                else f"考核权重应大于0且不超过100%，不是 {raw!r}")
        return Decimal(0)
    return value.normalize()


def _parse(
    data: Any, lines: Mapping[Path, int], unit_kinds_present: Iterable[str] | None, errors: list[str],
    chinese: bool = False, kind_labels: Mapping[str, str] | None = None,
) -> Rubric:
    ck = _Checker(lines, errors, root=data, chinese=chinese, kind_labels=kind_labels)
    root = ck.mapping(data, (), _TOP_KEYS)
    if root is None:
        raise RubricError(ck.errors)

    year = root.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        ck.fail(("year",), f"年度应为2000至2100之间的整数，不是 {year!r}")
        year = 0
    name = ck.text(root, "name", (), required=False, default=f"{year}年度政务公开工作考核细则")
    full_score = ck.number(root, "full_score", (), required=False, positive=True)
    if full_score is None and root.get("full_score") is None:
        full_score = Decimal("100.00")
    weight = _weight(ck, root, ())
    deadline_change = root.get("deadline_change", "correction")
    if deadline_change not in DEADLINE_CHANGES:
        ck.fail(("deadline_change",), f"{DEADLINE_CHANGE_LABEL}应为 "
                + "、".join(f"{k}（{v}）" for k, v in DEADLINE_CHANGES.items()) + f" 之一，不是 {deadline_change!r}")
        deadline_change = "correction"

    categories: list[Category] = []
    seen: dict[str, Path] = {}
    #: unit kind → (code, name) of the category it is in
    kind_owner: dict[str, tuple[str, str]] = {}
    for index, raw in enumerate(ck.items(root, "categories", ())):
        path: Path = ("categories", index)
        item = ck.mapping(raw, path, _CATEGORY_KEYS)
        if item is None:
            continue
        code = ck.code(item, path)
        ck.unique(code, seen, path, "类别")
        cname = ck.text(item, "name", path)
        kinds_raw = item.get("unit_kinds")
        kinds: list[str] = []
        if not isinstance(kinds_raw, list) or not kinds_raw:
            ck.fail(path + ("unit_kinds",), "至少勾选一种" if ck.chinese else "应列出至少一种单位类型（unit_kinds）")
        else:
            for k_index, kind in enumerate(kinds_raw):
                if not isinstance(kind, str) or not kind.strip():
                    ck.fail(path + ("unit_kinds", k_index), f"单位类型应为文字，不是 {kind!r}")
                    continue
                if kind in kind_owner and kind_owner[kind][0] != code:
                    if ck.chinese:
                        ck.fail(path + ("unit_kinds",), f"不能包含“{ck.kind_name(kind)}”：它已归入“{kind_owner[kind][1]}”")
                    else:
                        ck.fail(path + ("unit_kinds", k_index),
                                f"单位类型 {kind} 已归入类别 {kind_owner[kind][0]}，不能同时属于类别 {code}")
                    continue
                kind_owner[kind] = (code, cname)
                if kind not in kinds:
                    kinds.append(kind)
        if unit_kinds_present is not None and kinds:
            present = set(unit_kinds_present)
            if not present.intersection(kinds):
                if ck.chinese:
                    ck.fail(path + ("unit_kinds",), f"（{'、'.join(ck.kind_name(k) for k in kinds)}）在现有单位中都不存在，"
                            "没有单位属于该类别")
                else:
                    ck.fail(
                        path + ("unit_kinds",),
                        f"类别 {code}（{cname}）的单位类型 {'、'.join(kinds)} 在现有单位中都不存在，没有单位属于该类别",
                    )
        categories.append(Category(code, cname, tuple(kinds), ck.line(path)))
    if "categories" in root and isinstance(root["categories"], list) and not root["categories"]:
        ck.fail(("categories",), "至少需要一个单位类别")

    indicators: list[Indicator] = []
    seen = {}
    total_weight = Decimal(0)
    #: the weight that first takes the sum above the full score, named in the message
    crossing: Path | None = None
    for index, raw in enumerate(ck.items(root, "indicators", ())):
        path = ("indicators", index)
        item = ck.mapping(raw, path, _INDICATOR_KEYS)
        if item is None:
            continue
        code = ck.code(item, path)
        ck.unique(code, seen, path, "指标")
        iname = ck.text(item, "name", path)
        iweight = ck.number(item, "weight", path, positive=True)
        description = ck.text(item, "description", path, required=False)
        if iweight is None:
            continue
        total_weight += iweight
        if full_score is not None and total_weight > full_score and crossing is None:
            crossing = path + ("weight",)
        indicators.append(Indicator(code, iname, iweight, description, ck.line(path)))
    if crossing is not None and full_score is not None:
        ck.fail(crossing, f"指标权重合计{_plain(total_weight)}分，超过满分{_plain(full_score)}分")
    indicator_codes = {i.code for i in indicators}

    rules: list[Rule] = []
    seen = {}
    for index, raw in enumerate(ck.items(root, "rules", ())):
        path = ("rules", index)
        item = ck.mapping(raw, path, _RULE_KEYS)
        if item is None:
            continue
        rule = _parse_rule(ck, item, path, indicator_codes)
        ck.unique(rule.code if rule else _code_of(item), seen, path, "规则")
        if rule is not None:
            rules.append(rule)

    bonus = BonusSection()
    raw_bonus = root.get("bonus")
    if raw_bonus is not None:
        section = ck.mapping(raw_bonus, ("bonus",), _BONUS_KEYS)
        if section is not None:
            cap = ck.number(section, "cap", ("bonus",))
            bonus = BonusSection(
                ck.text(section, "name", ("bonus",), required=False, default="加分项"),
                cap if cap is not None else Decimal(0),
            )
    elif any(r.is_bonus for r in rules):
        first = next(i for i, r in enumerate(rules) if r.is_bonus)
        if ck.chinese:
            ck.fail(("bonus", "cap"), "未填写（有加分规则时必填）")
        else:
            ck.fail(("rules", first), "有加分规则时须设置 bonus.cap（加分上限）")

    if ck.errors:
        raise RubricError(ck.errors)
    assert full_score is not None
    return Rubric(
        year=year,
        name=name,
        full_score=full_score,
        assessment_weight=weight,
        categories=tuple(categories),
        indicators=tuple(indicators),
        rules=tuple(rules),
        bonus=bonus,
        deadline_change=deadline_change,
    )


def _code_of(item: Mapping[str, Any]) -> str:
    code = item.get("code")
    return code if isinstance(code, str) and _CODE_RE.match(code) else ""


def _parse_rule(ck: _Checker, item: Mapping[str, Any], path: Path, indicator_codes: set[str]) -> Rule | None:
    errors_before = len(ck.errors)
    code = ck.code(item, path)
    name = ck.text(item, "name", path)
    rtype = item.get("type")
    if rtype is None:
        ck.fail(path + ("type",), "未选择" if ck.chinese else "缺少 type（规则类型）")
    elif rtype not in RULE_TYPES:
        ck.fail(path + ("type",), f"未知的规则类型 {rtype!r}（可用：{'、'.join(RULE_TYPES)}）")
    rtype = rtype if rtype in RULE_TYPES else None
    is_bonus = rtype == "bonus"

    indicator = item.get("indicator")
    if is_bonus:
        if indicator is not None:
            ck.fail(path + ("indicator",), "加分规则不属于任何指标，请删除 indicator")
        indicator = None
    elif indicator is None:
        ck.fail(path + ("indicator",), "未选择" if ck.chinese else "缺少 indicator（扣分计入的指标）")
    elif indicator not in indicator_codes:
        ck.fail(path + ("indicator",), f"指标 {indicator!r} 不存在（已定义：{'、'.join(sorted(indicator_codes)) or '无'}）")

    values: dict[str, Any] = {}
    for param in RULE_PARAMS:
        if not param.applies(rtype):
            if param.key in item:
                ck.fail(path + (param.key,), param.refused.format(type=rtype, key=param.key))
            continue
        if param.kind == "number":
            values[param.key] = ck.number(item, param.key, path, required=param.required and rtype is not None)
        elif param.kind == "flag":
            values[param.key] = ck.flag(item, param.key, path, default=param.default)
        elif param.kind == "kinds":
            raw = item.get(param.key, list(param.default))
            if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
                ck.fail(path + (param.key,), "应为时限类型列表，如 [continuous]")
            else:
                values[param.key] = tuple(raw)
        else:  # pragma: no cover - a declaration error
            raise ValueError(f"unknown parameter kind {param.kind}")
    values["amount"] = values.get("amount") or Decimal(0)
    if rtype is not None and not is_bonus and not values["amount"] and not values.get("per_day") \
            and len(ck.errors) == errors_before:
        ck.fail(path + ("amount",), "与每个工作日加扣不能都为0：该规则不会扣分" if ck.chinese
                else "amount 与 per_day 不能都为0：该规则不会扣分")
    description = ck.text(item, "description", path, required=False)

    if len(ck.errors) > errors_before or rtype is None:
        return None
    return Rule(code=code, name=name, type=rtype, indicator=indicator, description=description,
                line=ck.line(path), **{k: v for k, v in values.items() if v is not None})


def load_rubric(source: str | Mapping[str, Any], *, unit_kinds_present: Iterable[str] | None = None,
                chinese: bool = False, kind_labels: Mapping[str, str] | None = None) -> Rubric:
    """Load and validate a rubric from YAML text or from already-parsed data.

    Raises ``RubricError`` listing every problem. With ``unit_kinds_present`` (the kinds of the
    units that exist), a category that no present kind maps to is refused as well. With
    ``chinese`` (plain data from the edit form), messages name fields in Chinese instead of keys, and
    unit kinds by ``kind_labels``.
    """
    lines: dict[Path, int] = {}
    errors: list[str] = []
    if isinstance(source, str):
        try:
            node = yaml.compose(source, Loader=_NoAliasLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            where = f"第{mark.line + 1}行" if mark is not None else "文件"
            raise RubricError([f"{where}：YAML 格式错误：{problem}"]) from exc
        if node is None:
            raise RubricError(["第1行：考核细则为空"])
        lines[()] = node.start_mark.line + 1
        data = _plain_from_node(node, (), lines, errors)
    else:
        data = source
    kinds = None if unit_kinds_present is None else list(unit_kinds_present)
    return _parse(data, lines, kinds, errors, chinese=chinese and not isinstance(source, str), kind_labels=kind_labels)

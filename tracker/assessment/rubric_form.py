"""The rubric edit form: plain data (``Rubric.to_dict`` shape) to and from the posted fields.

The fields are derived from ``rubric.RULE_PARAMS`` and the label tables, so a new rule setting
appears in the form, the display and the messages without touching this module. Codes (the keys
rules and bonus records refer to) travel in hidden fields; new items get a fresh code.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import yaml

from ..plans.models import DEADLINE_KIND_LABELS
from ..units.models import UNIT_KINDS
from .rubric import DEDUCTION_TYPES, RULE_PARAMS, RULE_TYPES, Param, Rubric

#: (form prefix, data key) of the repeated sections
SECTIONS = (("cat", "categories"), ("ind", "indicators"), ("rule", "rules"))
_ACTION_RE = re.compile(r"^(add|remove)-(cat|ind|rule)(?:-(\d+))?$")


def blank_data(year: int) -> dict[str, Any]:
    """A rubric to start from when the year has none and there is no seed."""
    return {"year": year, "name": f"{year}年度政务公开工作考核细则", "full_score": "100", "assessment_weight": "4%",
            "categories": [], "indicators": [], "rules": [], "bonus": {"name": "加分项", "cap": "0"}}


def weight_percent(data: dict[str, Any]) -> str:
    """The assessment weight as the form shows it: "4" for 4%."""
    raw = str(data.get("assessment_weight") or "")
    return raw.strip().rstrip("%％").strip()


def _text(form, name: str) -> str | None:
    value = (form.get(name) or "").strip()
    return value or None


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


def _fresh_code(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def read_param(form, name: str, param: Param) -> Any:
    """One rule setting from the posted fields; None when left empty."""
    if param.kind == "number":
        return _text(form, name)
    if param.kind == "flag":
        return form.get(name) == "1"
    if param.kind == "kinds":
        return [k for k in form.getlist(name) if k in DEADLINE_KIND_LABELS]
    raise ValueError(param.kind)


def data_from_form(form, year: int) -> dict[str, Any]:
    """Turn the posted fields into rubric data for ``load_rubric(..., chinese=True)``."""
    data: dict[str, Any] = {"year": year}
    _put(data, "name", _text(form, "name"))
    _put(data, "full_score", _text(form, "full_score"))
    weight = _text(form, "assessment_weight")
    _put(data, "assessment_weight", None if weight is None else f"{weight.rstrip('%％').strip()}%")
    # the default (a correction) is left out, as the rubric's own YAML leaves it out
    change = _text(form, "deadline_change")
    if change and change != "correction":
        data["deadline_change"] = change

    data["categories"] = []
    i = 0
    while f"cat-{i}-code" in form:
        item: dict[str, Any] = {"code": _text(form, f"cat-{i}-code")}
        _put(item, "name", _text(form, f"cat-{i}-name"))
        item["unit_kinds"] = [k for k in form.getlist(f"cat-{i}-unit_kinds") if k in UNIT_KINDS]
        data["categories"].append(item)
        i += 1

    data["indicators"] = []
    i = 0
    while f"ind-{i}-code" in form:
        item = {"code": _text(form, f"ind-{i}-code")}
        for key in ("name", "weight", "description"):
            _put(item, key, _text(form, f"ind-{i}-{key}"))
        data["indicators"].append(item)
        i += 1

    data["rules"] = []
    i = 0
    while f"rule-{i}-code" in form:
        item = {"code": _text(form, f"rule-{i}-code")}
        _put(item, "name", _text(form, f"rule-{i}-name"))
        rtype = _text(form, f"rule-{i}-type")
        _put(item, "type", rtype)
        if rtype in DEDUCTION_TYPES or rtype not in RULE_TYPES:
            _put(item, "indicator", _text(form, f"rule-{i}-indicator"))
        for param in RULE_PARAMS:
            # settings the chosen type has no use for are left out, not refused: the form shows them all
            if rtype in RULE_TYPES and not param.applies(rtype):
                continue
            _put(item, param.key, read_param(form, f"rule-{i}-{param.key}", param))
        _put(item, "description", _text(form, f"rule-{i}-description"))
        data["rules"].append(item)
        i += 1

    bonus: dict[str, Any] = {}
    _put(bonus, "name", _text(form, "bonus_name"))
    _put(bonus, "cap", _text(form, "bonus_cap"))
    data["bonus"] = bonus
    return data


def apply_action(data: dict[str, Any], action: str) -> bool:
    """Add a blank item or remove one (the 添加/删除 buttons); return False when the action is unknown."""
    match = _ACTION_RE.match(action or "")
    if not match:
        return False
    verb, prefix, index = match.group(1), match.group(2), match.group(3)
    key = dict(SECTIONS)[prefix]
    items: list[dict[str, Any]] = data.setdefault(key, [])
    if verb == "remove":
        if index is None or int(index) >= len(items):
            return False
        del items[int(index)]
        return True
    taken = {str(item.get("code")) for item in items}
    if prefix == "cat":
        items.append({"code": _fresh_code("C", taken), "unit_kinds": []})
    elif prefix == "ind":
        items.append({"code": _fresh_code("indicator", taken)})
    else:
        items.append({"code": _fresh_code("rule", taken), "type": "late_completion",
                      "exclude_deadline_kinds": ["continuous"]})
    return True


# -- YAML export ----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _number(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _number)
_NUMBER_KEYS = {"full_score", "weight", "cap"} | {p.key for p in RULE_PARAMS if p.kind == "number"}


def _numbers(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _numbers(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if key in _NUMBER_KEYS and isinstance(value, str):
        return Decimal(value)
    return value


def rubric_yaml(rubric: Rubric) -> str:
    """The rubric as YAML text that ``load_rubric`` reads back to an equal rubric."""
    head = "# 考核细则（由“编辑考核细则”表单保存）。扣分 = 每次扣分 + 每个工作日加扣 × 工作日数。\n"
    return head + yaml.dump(_numbers(rubric.to_dict()), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                            default_flow_style=False, width=100)

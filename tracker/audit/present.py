"""Audit events as office staff read them: actions, objects, fields and coded values in Chinese.

``describe(events)`` turns a page of events into rows; names of units, users and rubric rules
are looked up once per page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from .labels import FIELD_LABELS, action_label, object_label
from .models import AuditEvent

#: fields that hold a unit's id, and those that hold a user's id
UNIT_ID_FIELDS = frozenset({"parent_id", "owner_id", "rule_parent_id", "unit_id", "from_unit_id", "into_id"})
USER_ID_FIELDS = frozenset({"user_id", "issued_by_id"})
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
#: an assessment line item's key: rule code, source type, source id
_ITEM_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*):([a-z_]+):(\d+)$")


@dataclass
class Change:
    label: str
    old: str | None
    new: str | None


@dataclass
class Row:
    event: AuditEvent
    when: datetime
    actor: str
    actor_unit: str
    action: str
    target: str
    changes: list[Change] = field(default_factory=list)
    address: str = ""


def _code_tables() -> dict[str, Any]:
    """Code → label tables per field (and per object type where a field means different things)."""
    from ..access import ROLE_LABELS as USER_ROLES
    from ..annual.formats import FORMAT_LABELS
    from ..annual.models import SOURCE_LABELS
    from ..annual.models import STATUS_LABELS as ANNUAL_STATUS
    from ..assessment.models import OBJECTION_STATUS_LABELS
    from ..assessment.rubric import RULE_TYPES
    from ..disclosure.categories import (ANSWERS, APPEAL_KINDS, APPEAL_RESULTS, APPLICANT_TYPES, CHANNELS, FEE_METHODS,
                                        PAUSE_KINDS)
    from ..disclosure.categories import STATES as DISCLOSURE_STATES
    from ..plans.models import DEADLINE_KIND_LABELS
    from ..plans.models import ROLE_LABELS as ASSIGNMENT_ROLES
    from ..plans.models import STATUS_LABELS as ASSIGNMENT_STATUS
    from ..reports.models import EXTENSION_STATUS_LABELS, REPORT_STATUS_LABELS
    from ..supervise.models import CIRCULAR_KIND_LABELS, CIRCULAR_STATUS_LABELS, ITEM_STATUS_LABELS
    from ..supervise.rules import PERIOD_LABELS
    from ..units.models import UNIT_KINDS

    status_by_object = {
        "report": REPORT_STATUS_LABELS, "extension": EXTENSION_STATUS_LABELS, "assignment": ASSIGNMENT_STATUS,
        "task": ASSIGNMENT_STATUS, "circular": CIRCULAR_STATUS_LABELS, "annual_report": ANNUAL_STATUS,
        "objection": OBJECTION_STATUS_LABELS, "rectification_item": ITEM_STATUS_LABELS,
    }
    any_status: dict[str, str] = {}
    for table in status_by_object.values():
        for k, v in table.items():
            any_status.setdefault(k, v)
    return {
        "status": (status_by_object, any_status),
        "role": ({"user": USER_ROLES}, ASSIGNMENT_ROLES | USER_ROLES),
        "kind": ({"circular": CIRCULAR_KIND_LABELS, "disclosure_request": APPEAL_KINDS | PAUSE_KINDS}, UNIT_KINDS),
        "rule_kind": ({}, UNIT_KINDS),
        "state": ({}, DISCLOSURE_STATES),
        "stage": ({}, ASSIGNMENT_STATUS),
        "deadline_kind": ({}, DEADLINE_KIND_LABELS),
        "fee_method": ({}, FEE_METHODS),
        "applicant_type": ({}, APPLICANT_TYPES),
        "answer_category": ({}, {k: v[1] for k, v in ANSWERS.items()}),
        "result": ({}, APPEAL_RESULTS | APPEAL_KINDS),
        "channel": ({}, CHANNELS),
        "period": ({}, PERIOD_LABELS),
        "format": ({}, FORMAT_LABELS),
        "source": ({"annual_report": SOURCE_LABELS}, {}),
        "type": ({}, RULE_TYPES),
    }


class Namer:
    """Turn recorded values into text, looking names up in batches."""

    def __init__(self, events: list[AuditEvent]) -> None:
        from ..accounts.models import User
        from ..units.models import Unit

        self.tables = _code_tables()
        unit_ids, user_ids = set(), set()
        for e in events:
            for data in (e.before, e.after):
                for key, value in _flat(data):
                    if key in UNIT_ID_FIELDS and isinstance(value, int):
                        unit_ids.add(value)
                    if key in USER_ID_FIELDS and isinstance(value, int):
                        user_ids.add(value)
        self.units = dict(db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all()) \
            if unit_ids else {}
        self.users = dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(user_ids)))
                          .all()) if user_ids else {}
        self._rules: dict[str, str] | None = None

    @property
    def rules(self) -> dict[str, str]:
        """Rubric rule and indicator codes → names, from every stored rubric (newest wins)."""
        if self._rules is None:
            from ..assessment.models import RubricDocument
            from ..assessment.rubric import RubricError, load_rubric

            names: dict[str, str] = {}
            for text in db.session.scalars(sa.select(RubricDocument.yaml_text).order_by(RubricDocument.year)):
                try:
                    rubric = load_rubric(text)
                except RubricError:
                    continue
                names.update({r.code: r.name for r in rubric.rules})
                names.update({i.code: i.name for i in rubric.indicators})
            self._rules = names
        return self._rules

    def item(self, key: str) -> str:
        """An assessment line item key ("report_returned:report:198") as 进展报告被退回（进展报告 #198）."""
        match = _ITEM_KEY.match(key)
        if not match:
            return key
        rule, source, number = match.groups()
        return f"{self.rules.get(rule, '扣分事项')}（{object_label(source, int(number))}）"

    def value(self, key: str, value: Any, object_type: str) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "（空）"
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, list):
            return "、".join(self.value(key, v, object_type) for v in value)
        if isinstance(value, dict):
            return "；".join(f"{FIELD_LABELS.get(k, k)}：{self.value(k, v, object_type)}"
                            for k, v in value.items() if not str(k).startswith("_"))
        if key in UNIT_ID_FIELDS and isinstance(value, int):
            return self.units.get(value, f"单位 #{value}")
        if key in USER_ID_FIELDS and isinstance(value, int):
            return self.users.get(value, f"用户 #{value}")
        if key in ("rule", "rules", "indicators") and isinstance(value, str):
            return self.rules.get(value, value)
        if key in ("item_id", "excluded") and isinstance(value, str):
            return self.item(value)
        if key in self.tables and isinstance(value, str):
            by_object, default = self.tables[key]
            table = by_object.get(object_type, default)
            return table.get(value, default.get(value, value))
        if isinstance(value, str) and _ISO_DATETIME.match(value):
            try:
                from flask import current_app

                from ..timeutil import local_zone

                moment = datetime.fromisoformat(value)
                if moment.tzinfo is not None:
                    moment = moment.astimezone(local_zone(current_app.config["TIMEZONE"]))
                return moment.strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return value
        return str(value)

    def changes(self, event: AuditEvent) -> list[Change]:
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        out: list[Change] = []
        for key in list(dict.fromkeys([*before, *after])):
            if str(key).startswith("_"):
                continue  # bookkeeping (per-unit counts and the like), not for reading
            label = FIELD_LABELS.get(key, key)
            if event.before is not None and event.after is not None:
                if before.get(key) == after.get(key):
                    continue
                out.append(Change(label, self.value(key, before.get(key), event.object_type),
                                  self.value(key, after.get(key), event.object_type)))
            elif key in after:
                out.append(Change(label, None, self.value(key, after[key], event.object_type)))
            else:
                out.append(Change(label, self.value(key, before[key], event.object_type), None))
        return out


def _flat(data: Any):
    if isinstance(data, dict):
        for k, v in data.items():
            yield k, v
            yield from _flat(v)
    elif isinstance(data, list):
        for v in data:
            yield from _flat(v)


def describe(events: list[AuditEvent]) -> list[Row]:
    namer = Namer(events)
    rows = []
    for e in events:
        actor = e.actor
        rows.append(Row(
            event=e, when=e.created_at, actor=actor.display_name if actor else "系统",
            actor_unit=(actor.unit.name if actor is not None and actor.unit is not None else ""),
            action=action_label(e.action), target=object_label(e.object_type, e.object_id),
            changes=namer.changes(e), address=e.remote_addr or ""))
    return rows


def change_text(change: Change) -> str:
    """One change as a line: 字段：旧值 → 新值 (or 字段：值 for a new or removed record)."""
    if change.old is not None and change.new is not None:
        return f"{change.label}：{change.old} → {change.new}"
    return f"{change.label}：{change.new if change.new is not None else change.old}"

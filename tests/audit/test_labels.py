"""Every action, object type and recorded field the code writes to the audit log has a Chinese label.

The action strings are read from the code itself: every call of record() (and of the helpers
that pass an action on to it), with the string constants of its action and object-type arguments.
"""
from __future__ import annotations

import ast
from pathlib import Path

import sqlalchemy as sa

import tracker
from tracker.audit.labels import ACTION_LABELS, FIELD_LABELS, OBJECT_LABELS
from tracker.audit.models import AuditEvent
from tracker.extensions import db

ROOT = Path(tracker.__file__).parent
#: functions that write an audit event: name → (index of the action argument, of the object type)
WRITERS = {"record": (1, 2), "_audit_report": (1, None), "end_sessions": (2, None)}


def _strings(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _name(func: ast.AST) -> str | None:
    return getattr(func, "id", None) or getattr(func, "attr", None)


def audit_calls() -> tuple[set[str], set[str], set[str]]:
    """Return the action strings, object types and dict keys written by the code's record() calls."""
    actions, objects, keys = set(), set(), set()
    fields: dict[str, list[str]] = {}
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in ROOT.rglob("*.py")]
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id.endswith("_FIELDS"):
                fields[node.targets[0].id] = sorted(_strings(node.value))
    for tree in trees:
        for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            if fn.name in WRITERS and fn.name != "record":
                actions |= {d.value for d in fn.args.defaults if isinstance(d, ast.Constant) and "." in str(d.value)}
            calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call) and _name(n.func) in WRITERS]
            calls = [c for c in calls if len(c.args) > WRITERS[_name(c.func)][0]]
            for call in calls:
                action_at, object_at = WRITERS[_name(call.func)]
                actions |= {s for s in _strings(call.args[action_at]) if "." in s}
                if object_at is not None and len(call.args) > object_at:
                    objects |= _strings(call.args[object_at])
            if calls:
                # the fields of the before/after dicts built in a function that records
                for d in (n for n in ast.walk(fn) if isinstance(n, ast.Dict)):
                    keys |= {k.value for k in d.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                for name in (n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id in fields):
                    keys |= set(fields[name])
    return actions, objects, keys


def test_the_walk_finds_the_calls():
    actions, objects, keys = audit_calls()
    assert {"report.approve", "report.return", "user.logout", "unit.rename", "report.submit"} <= actions
    assert len(actions) > 70
    assert {"rectification_item", "disclosure_request", "report"} <= objects
    assert {"status", "due_on", "kind", "parent_id"} <= keys


def test_every_action_object_and_field_in_the_code_has_a_label():
    actions, objects, keys = audit_calls()
    assert sorted(actions - set(ACTION_LABELS)) == []
    assert sorted(objects - set(OBJECT_LABELS)) == []
    assert sorted(keys - set(FIELD_LABELS)) == []
    for table in (ACTION_LABELS, OBJECT_LABELS, FIELD_LABELS):
        assert all(label and not label.isascii() for label in table.values())


def test_every_field_the_demo_records_has_a_label(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    seen = set()
    for before, after in db.session.execute(sa.select(AuditEvent.before, AuditEvent.after)):
        for data in (before, after):
            if isinstance(data, dict):
                seen |= {k for k in data if not k.startswith("_")}
    assert seen and sorted(seen - set(FIELD_LABELS)) == []

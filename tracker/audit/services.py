"""Record writes in the audit log."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict:
    """Return the named attributes of obj as a JSON-safe dict, for before/after."""
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def record(actor, action: str, object_type: str, object_id: int | None, *, before=None, after=None) -> AuditEvent:
    """Add one audit event to the session (the caller's transaction commits it)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event

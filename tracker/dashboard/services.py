"""Dashboard writes: publishing a plan's progress page."""
from __future__ import annotations

from ..audit.services import record
from ..errors import ServiceError
from ..extensions import db
from ..plans.models import Plan


def set_published(actor, plan: Plan, published: bool) -> None:
    """Show (or stop showing) a plan on the public progress page; audited."""
    if plan.is_published == published:
        raise ServiceError("该工作要点已公开。" if published else "该工作要点尚未公开。")
    before = {"is_published": plan.is_published}
    plan.is_published = published
    db.session.flush()
    record(actor, "plan.publish" if published else "plan.unpublish", "plan", plan.id,
           before=before, after={"is_published": published})

"""The leaders' dashboard, its drill-down and overdue pages, and the public progress page."""
from __future__ import annotations

import sqlalchemy as sa

from tracker.plans.models import Assignment, Plan
from tracker.public.views import page_cache

from ..registry import scenario
from ..runner import Context, ScenarioFailed


def _largest_plan(ctx: Context) -> tuple[int, int]:
    """Return the largest plan's id and its jurisdiction's unit id."""
    plan_id = ctx.ds.largest_plan_id
    return plan_id, ctx.scalar(sa.select(Plan.unit_id).where(Plan.id == plan_id))


def _largest_published_plan(ctx: Context) -> int:
    plan_id = ctx.scalar(
        sa.select(Assignment.plan_id).join(Plan, Assignment.plan_id == Plan.id).where(Plan.is_published)
        .group_by(Assignment.plan_id).order_by(sa.func.count().desc(), Assignment.plan_id).limit(1)
    )
    if plan_id is None:
        raise ScenarioFailed("the dataset has no published plan")
    return plan_id


@scenario("dashboard (province plan)")
def dashboard_largest_plan(ctx: Context) -> int:
    plan_id, city_id = _largest_plan(ctx)
    resp = ctx.get(ctx.client("leader", city_id), f"/dashboard/?plan={plan_id}&as_of={ctx.ds.as_of.isoformat()}")
    if "各单位落实情况" not in resp.get_data(as_text=True):
        raise ScenarioFailed("the dashboard shows no unit ranking")
    return ctx.table_rows(resp)


@scenario("dashboard drill-down: overdue list")
def dashboard_overdue_list(ctx: Context) -> int:
    plan_id, city_id = _largest_plan(ctx)
    resp = ctx.get(ctx.client("leader", city_id),
                   f"/dashboard/assignments?plan={plan_id}&as_of={ctx.ds.as_of.isoformat()}&status=overdue")
    return ctx.table_rows(resp)


@scenario("dashboard overdue summary")
def dashboard_overdue_summary(ctx: Context) -> int:
    plan_id, city_id = _largest_plan(ctx)
    resp = ctx.get(ctx.client("supervisor", city_id),
                   f"/dashboard/overdue?plan={plan_id}&as_of={ctx.ds.as_of.isoformat()}")
    return ctx.table_rows(resp)


@scenario("public page")
def public_page(ctx: Context) -> int:
    """The page as most visitors get it: from the in-process cache (the warm-up run fills it)."""
    resp = ctx.get(ctx.anonymous(), f"/public/plans/{_largest_published_plan(ctx)}")
    return ctx.table_rows(resp)


@scenario("public page (rendered, cache cleared)")
def public_page_uncached(ctx: Context) -> int:
    page_cache(ctx.app).clear()
    resp = ctx.get(ctx.anonymous(), f"/public/plans/{_largest_published_plan(ctx)}")
    if resp.headers.get("X-Cache") != "miss":
        raise ScenarioFailed("the public page came from the cache")
    return ctx.table_rows(resp)

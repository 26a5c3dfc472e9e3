"""The leaders' dashboard, its drill-down and overdue pages, and the public progress page."""
from __future__ import annotations

import sqlalchemy as sa

from tracker.plans.models import Assignment, Plan
from tracker.units.models import Unit
from tracker.dashboard.views import figure_cache
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


def _dashboard(ctx: Context, expect_cache: str) -> int:
    plan_id, city_id = _largest_plan(ctx)
    resp = ctx.get(ctx.client("leader", city_id), f"/dashboard/?plan={plan_id}&as_of={ctx.ds.as_of.isoformat()}")
    if "各单位落实情况" not in resp.get_data(as_text=True):
        raise ScenarioFailed("the dashboard shows no unit ranking")
    if resp.headers.get("X-Cache") != expect_cache:
        raise ScenarioFailed(f"the dashboard's figures were a cache {resp.headers.get('X-Cache')}, expected {expect_cache}")
    return ctx.table_rows(resp)


@scenario("dashboard (province plan, figures computed)")
def dashboard_largest_plan(ctx: Context) -> int:
    """The first view of a plan on a date, or the first after any change to it: every scan runs."""
    figure_cache(ctx.app).clear()
    return _dashboard(ctx, "miss")


@scenario("dashboard (province plan, figures cached)")
def dashboard_largest_plan_cached(ctx: Context) -> int:
    """A repeat view with nothing changed since (the warm-up run fills the cache)."""
    return _dashboard(ctx, "hit")


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


@scenario("province overview")
def province_overview(ctx: Context) -> int:
    """A provincial supervisor's overview of every city's plans of the dataset's year, computed each time."""
    province_id = ctx.scalar(sa.select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1))
    year = ctx.ds.as_of.year
    resp = ctx.get(ctx.client("supervisor", province_id),
                   f"/dashboard/province?year={year}&as_of={ctx.ds.as_of.isoformat()}")
    rows = ctx.table_rows(resp)
    if "按时办结率" not in resp.get_data(as_text=True) or rows < 2:
        raise ScenarioFailed("the province overview shows no cities")
    return rows

"""The foundation's scenarios: the login page, a plan's task list, a unit's my-tasks page."""
from __future__ import annotations

import sqlalchemy as sa

from tracker.plans.models import Plan

from ..registry import scenario
from ..runner import Context


@scenario("login page")
def login_page(ctx: Context) -> int:
    resp = ctx.get(ctx.anonymous(), "/login")
    if 'name="password"' not in resp.get_data(as_text=True):
        raise AssertionError("the login page has no password field")
    return 1


@scenario("task list page for a supervisor")
def plan_task_list(ctx: Context) -> int:
    plan_id = ctx.ds.largest_plan_id
    city_id = ctx.scalar(sa.select(Plan.unit_id).where(Plan.id == plan_id))
    resp = ctx.get(ctx.client("supervisor", city_id), f"/plans/{plan_id}")
    return ctx.table_rows(resp)


@scenario("my-tasks page for the largest unit")
def my_tasks_largest_unit(ctx: Context) -> int:
    resp = ctx.get(ctx.client("reporter", ctx.ds.largest_unit_id), "/my/tasks")
    return ctx.table_rows(resp)

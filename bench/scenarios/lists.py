"""Issue 15: every list page at province scope (the province's root unit: all 20 cities) and at city
scope (the capital's government), each under 100 ms at the province scale.

督办 → 逾期与临期, the review queue, 我的任务, the dashboard's drill-downs and the 交办件 list. The
交办件 scenarios add their items (ITEMS_PER_CITY per city, three units each) before the runs, outside
the timed blocks, and remove them afterwards, so the other scenarios keep their dataset.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from tracker.extensions import db
from tracker.plans.models import Assignment, Plan, Task

from ..dataset import insert_rows
from ..registry import scenario
from ..runner import Context, ScenarioFailed

#: the 督办 list's date: the sweep scenarios' date, late in the year (18,855 overdue at province scale)
OVERDUE_AS_OF = date(2021, 11, 15)
ITEMS_PER_CITY = 30
ITEM_TITLE = "基准测试：交办事项"
ITEM_SOURCES = ("省领导批示", "市政府常务会议", "信访件")


def _root(ctx: Context) -> int:
    return ctx.ds.root_unit_id


def _capital(ctx: Context) -> int:
    return ctx.ds.cities[0]["unit_id"]


def _largest_plan(ctx: Context) -> int:
    return ctx.ds.largest_plan_id


def _rows(ctx: Context, resp, minimum: int = 1) -> int:
    rows = ctx.table_rows(resp)
    if rows < minimum:
        raise ScenarioFailed(f"the page lists {rows} rows, expected at least {minimum}")
    return rows


# --- 督办 → 逾期与临期 ------------------------------------------------------------------------------

def _overdue(ctx: Context, unit_id: int) -> int:
    resp = ctx.get(ctx.client("supervisor", unit_id), f"/supervise/overdue?as_of={OVERDUE_AS_OF.isoformat()}")
    return _rows(ctx, resp)


@scenario("list: 督办 overdue and due soon (province scope)")
def overdue_province(ctx: Context) -> int:
    return _overdue(ctx, _root(ctx))


@scenario("list: 督办 overdue and due soon (city scope)")
def overdue_city(ctx: Context) -> int:
    return _overdue(ctx, _capital(ctx))


@scenario("list: 督办 overdue only, page 5 (province scope)")
def overdue_province_page5(ctx: Context) -> int:
    resp = ctx.get(ctx.client("supervisor", _root(ctx)),
                   f"/supervise/overdue?as_of={OVERDUE_AS_OF.isoformat()}&alert=overdue&page=5")
    return _rows(ctx, resp)


# --- the review queue ----------------------------------------------------------------------------------

@scenario("list: review queue (province scope)")
def review_province(ctx: Context) -> int:
    return _rows(ctx, ctx.get(ctx.client("supervisor", _root(ctx)), "/review"))


@scenario("list: review queue (city scope)")
def review_city(ctx: Context) -> int:
    return _rows(ctx, ctx.get(ctx.client("supervisor", _capital(ctx)), "/review"))


# --- 我的任务 ---------------------------------------------------------------------------------------------

@scenario("list: 我的任务 (reporter of the largest unit)")
def my_tasks_largest(ctx: Context) -> int:
    resp = ctx.get(ctx.client("reporter", ctx.ds.largest_unit_id), f"/my/tasks?as_of={ctx.ds.as_of.isoformat()}")
    return _rows(ctx, resp)


@scenario("list: 我的任务 overdue filter (reporter of the largest unit)")
def my_tasks_largest_overdue(ctx: Context) -> int:
    resp = ctx.get(ctx.client("reporter", ctx.ds.largest_unit_id),
                   f"/my/tasks?as_of={ctx.ds.as_of.isoformat()}&status=overdue")
    return ctx.table_rows(resp)


# --- dashboard drill-downs -------------------------------------------------------------------------------

def _drill(ctx: Context, unit_id: int, path: str, extra: str = "", minimum: int = 1) -> int:
    resp = ctx.get(ctx.client("leader", unit_id),
                   f"/dashboard/{path}?plan={_largest_plan(ctx)}&as_of={ctx.ds.as_of.isoformat()}{extra}")
    return _rows(ctx, resp, minimum)


@scenario("list: dashboard assignments, overdue (province scope)")
def drill_assignments_province(ctx: Context) -> int:
    return _drill(ctx, _root(ctx), "assignments", "&status=overdue")


@scenario("list: dashboard assignments, overdue (city scope)")
def drill_assignments_city(ctx: Context) -> int:
    return _drill(ctx, _capital(ctx), "assignments", "&status=overdue")


@scenario("list: dashboard assignments, all (province scope)")
def drill_all_province(ctx: Context) -> int:
    return _drill(ctx, _root(ctx), "assignments")


@scenario("list: dashboard overdue by unit (province scope)")
def drill_overdue_province(ctx: Context) -> int:
    return _drill(ctx, _root(ctx), "overdue", minimum=0)  # the tiny scale's plan may have none overdue


@scenario("list: dashboard overdue by unit (city scope)")
def drill_overdue_city(ctx: Context) -> int:
    return _drill(ctx, _capital(ctx), "overdue", minimum=0)


# --- 交办件 ----------------------------------------------------------------------------------------------

def _add_items(ctx: Context) -> int:
    """Give every city a 交办件 container of 2021 with ITEMS_PER_CITY items, each assigned to three units."""
    conn = db.session.connection()
    if conn.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.title.startswith(ITEM_TITLE))):
        return 0
    created = datetime(2021, 6, 1, 2, tzinfo=timezone.utc)
    n = 0
    for c, city in enumerate(ctx.ds.cities):
        plan_id = conn.execute(sa.insert(Plan.__table__).values(
            unit_id=city["unit_id"], title=f"{city['name']}2021年交办件", kind="adhoc", year=2021,
            is_published=False, created_at=created,
        ).returning(Plan.__table__.c.id)).scalar_one()
        units = (city["departments"] + city["counties"])[:3] or [city["office_id"]]
        tasks = []
        for i in range(ITEMS_PER_CITY):
            due = date(2021, 7 + i % 6, 10 + i % 15)
            tasks.append({"plan_id": plan_id, "parent_id": None, "ref": f"交{i + 1}", "position": i + 1, "level": 1,
                          "title": f"{ITEM_TITLE}{c + 1}-{i + 1}", "text": "", "section": ITEM_SOURCES[i % 3],
                          "path": [ITEM_SOURCES[i % 3]], "is_leaf": True, "deadline": due, "deadline_kind": "date",
                          "deadline_text": f"{due.isoformat()}前", "deadline_detail": {}, "targets": [],
                          "unit_phrases": [], "columns": {}, "completed_at": None, "source": ITEM_SOURCES[i % 3],
                          "campaign": "营商环境专项督办" if i % 4 == 0 else None,
                          "created_at": created.replace(minute=i)})
        insert_rows(conn, Task.__table__, tasks)
        t = Task.__table__
        for task_id, due in conn.execute(sa.select(t.c.id, t.c.deadline).where(t.c.plan_id == plan_id)):
            rows = [{"plan_id": plan_id, "task_id": task_id, "unit_id": u, "role": "lead" if k == 0 else "responsible",
                     "due_on": due, "original_due_on": due, "deadline_kind": "date", "status": "in_progress",
                     "progress": 30, "completed_at": None, "source_phrase": None, "instance": 1,
                     "created_at": created, "updated_at": created} for k, u in enumerate(units)]
            n += insert_rows(conn, Assignment.__table__, rows)
    db.session.commit()
    return n


def _drop_items() -> None:
    plan_ids = sa.select(Plan.id).where(Plan.kind == "adhoc", Plan.title.like("%2021年交办件"),
                                        sa.exists().where(Task.plan_id == Plan.id, Task.title.startswith(ITEM_TITLE)))
    ids = list(db.session.scalars(plan_ids))
    if ids:
        db.session.execute(sa.delete(Assignment.__table__).where(Assignment.plan_id.in_(ids)))
        db.session.execute(sa.delete(Task.__table__).where(Task.plan_id.in_(ids)))
        db.session.execute(sa.delete(Plan.__table__).where(Plan.id.in_(ids)))
    db.session.commit()


def _items(ctx: Context, unit_id: int, expect: int) -> int:
    with ctx.app.app_context():
        _add_items(ctx)
    try:
        resp = ctx.get(ctx.client("supervisor", unit_id), "/plans/items")
        rows = ctx.table_rows(resp)
        if rows < min(expect, 50):
            raise ScenarioFailed(f"the 交办件 list shows {rows} rows, expected at least {min(expect, 50)}")
        return rows
    finally:
        with ctx.app.app_context():
            _drop_items()


@scenario("list: 交办件 (province scope)")
def items_province(ctx: Context) -> int:
    return _items(ctx, _root(ctx), ITEMS_PER_CITY * len(ctx.ds.cities))


@scenario("list: 交办件 (city scope)")
def items_city(ctx: Context) -> int:
    return _items(ctx, _capital(ctx), ITEMS_PER_CITY)

"""Issue 5: the daily sweep over every assignment (first and second run) and the look-back of a large plan.

Each run starts from a known state, set up outside the timed block: the first-sweep scenario
removes everything a sweep writes, the look-back scenario builds its 50,000-assignment plan and
removes it again afterwards, so no run sees another's leftovers and the other scenarios keep
their dataset.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.inbox.models import Notification
from tracker.plans.models import Assignment, Plan, Task
from tracker.supervise import services
from tracker.supervise.models import (
    EscalationItem,
    EscalationNotice,
    NoticeCounter,
    PeriodicCheck,
    RectificationItem,
    RectificationNotice,
    Reminder,
)

from ..database import settle
from ..dataset import insert_rows
from ..registry import scenario
from ..runner import Context, ScenarioFailed

#: the sweep runs on a date late in the dataset's year, when much is overdue
SWEEP_DATE = date(2021, 11, 15)
LOOKBACK_DATE = date(2021, 1, 20)
LOOKBACK_PLAN_TITLE = "基准测试：2020年度回头看工作要点"
LOOKBACK_PREFIX = "基准整改"
#: the look-back plan's size at the province scale; smaller scales shrink it in proportion
LOOKBACK_ASSIGNMENTS = 50_000
PROVINCE_ASSIGNMENTS = 200_000
LOOKBACK_UNITS = 50
#: sweep-made notification dedupe keys start with one of these
SWEEP_KEYS = ("reminder:", "escalation:", "escalation-day:", "rectification-overdue:")
#: the large tables in which each run's reset leaves dead rows. The tables a run empties and refills
#: (reminders, escalation and rectification items, periodic checks) are left to the settle after
#: the scenario: vacuumed while empty, they would tell the planner they stay empty, a state a
#: server never sees before its first sweep (never vacuumed) nor after (full)
CHURNED = ("assignments", "tasks", "plans", "notifications", "audit_events")


def _reset_sweep() -> None:
    """Remove everything a sweep writes, so the next sweep is a first one."""
    a = Assignment.__table__
    db.session.execute(sa.delete(EscalationItem.__table__))
    db.session.execute(sa.delete(EscalationNotice.__table__))
    db.session.execute(sa.delete(Reminder.__table__))
    db.session.execute(sa.delete(PeriodicCheck.__table__))
    db.session.execute(sa.delete(NoticeCounter.__table__).where(NoticeCounter.prefix == "督办"))
    db.session.execute(sa.delete(Notification.__table__).where(
        sa.or_(*[Notification.dedupe_key.startswith(k) for k in SWEEP_KEYS])))
    db.session.execute(sa.delete(AuditEvent.__table__).where(AuditEvent.action == "supervise.sweep"))
    db.session.execute(sa.delete(a).where(a.c.instance > 1))
    db.session.execute(sa.update(a).where(a.c.alert.is_not(None)).values(alert=None, overdue_since=None))
    db.session.commit()
    settle(db.engine, CHURNED)


def _sweep(ctx: Context, expect_new: bool) -> int:
    with ctx.timed():
        result = services.sweep(SWEEP_DATE)
        db.session.commit()
    if expect_new and result.reminders_created == 0:
        raise ScenarioFailed("the first sweep created no reminders")
    if not expect_new and (result.reminders_created or result.escalations_created or result.newly_overdue):
        raise ScenarioFailed(f"the second sweep changed something: {result.to_json()}")
    return result.overdue + result.due_soon


@scenario("first sweep over all assignments")
def first_sweep(ctx: Context) -> int:
    with ctx.app.app_context():
        _reset_sweep()
        return _sweep(ctx, expect_new=True)


#: the tables the sweep fills, emptied, vacuumed and analyzed by the "emptied tables" scenario
SWEEP_TABLES = ("reminders", "escalation_items", "escalation_notices", "periodic_checks", "notifications",
                "assignments")
EMPTIED_SWEEP = "first sweep after its tables were emptied, vacuumed and analyzed"


def _empty_sweep_tables() -> None:
    """Remove every row the sweep's own tables hold and refresh the planner's statistics of them.

    On PostgreSQL the statistics then say "empty" while the sweep fills them: the state of a new
    server's first sweep, or of one after the tables were cleared, in which NOT EXISTS guards once
    became a 14 s nested loop (issue 15).
    """
    _reset_sweep()  # deletes every reminder, escalation notice and item, and periodic check
    engine = db.engine
    if engine.dialect.name == "postgresql":
        settle(engine, SWEEP_TABLES)
    else:
        with engine.begin() as conn:
            for name in SWEEP_TABLES:
                conn.execute(sa.text(f'ANALYZE "{name}"'))


@scenario(EMPTIED_SWEEP)
def first_sweep_emptied_tables(ctx: Context) -> int:
    with ctx.app.app_context():
        _empty_sweep_tables()
        return _sweep(ctx, expect_new=True)


@scenario("second sweep (nothing to do)")
def second_sweep(ctx: Context) -> int:
    with ctx.app.app_context():
        if not db.session.scalar(sa.select(sa.exists().where(Reminder.sweep_on == SWEEP_DATE))):
            services.sweep(SWEEP_DATE)
            db.session.commit()
        return _sweep(ctx, expect_new=False)


def _build_lookback_plan(ctx: Context) -> int:
    """Insert a 2020 plan whose tasks are each assigned to the same units (50,000 assignments at province scale)."""
    ds = ctx.ds
    rng = ds.rng("supervise-lookback")
    conn = db.session.connection()
    city = ds.cities[0]
    units = (city["departments"] + city["counties"] + city["towns"])[:LOOKBACK_UNITS]
    target = max(len(units), round(LOOKBACK_ASSIGNMENTS * ds.scale.assignments / PROVINCE_ASSIGNMENTS))
    n_tasks = -(-target // len(units))
    created = datetime(2020, 3, 1, 2, tzinfo=timezone.utc)
    # Ids come from the database: explicit ids would leave PostgreSQL's sequences behind.
    plan_id = conn.execute(sa.insert(Plan.__table__).values(
        unit_id=city["unit_id"], title=LOOKBACK_PLAN_TITLE, doc_number="基政办发〔2020〕1号",
        issuer=f"{city['name']}人民政府办公室", issued_on=date(2020, 3, 1), year=2020, is_published=False,
        created_at=created,
    ).returning(Plan.__table__.c.id)).scalar_one()
    tasks = []
    for i in range(n_tasks):
        due = date(2020, 1 + i % 12, 28)
        tasks.append({"plan_id": plan_id, "parent_id": None, "ref": str(i + 1), "position": i,
                      "level": 1, "title": f"基准任务{i + 1}", "text": "", "section": "一、基准", "path": [],
                      "is_leaf": True, "deadline": due, "deadline_kind": "date", "deadline_text": f"{due.month}月底前",
                      "deadline_detail": {}, "targets": [], "unit_phrases": [], "columns": {},
                      "completed_at": None, "created_at": created})
    insert_rows(conn, Task.__table__, tasks)
    t = Task.__table__
    task_ids = conn.execute(sa.select(t.c.id, t.c.deadline).where(t.c.plan_id == plan_id).order_by(t.c.position)).all()

    def rows():
        for task_id, due in task_ids:
            for k, unit_id in enumerate(units):
                done = rng.random() < 0.6
                yield {"plan_id": plan_id, "task_id": task_id, "unit_id": unit_id,
                       "role": "lead" if k == 0 else "responsible", "due_on": due,
                       "original_due_on": due, "deadline_kind": "date",
                       "status": "completed" if done else "in_progress", "progress": 100 if done else 50,
                       "completed_at": created if done else None, "source_phrase": None, "instance": 1,
                       "created_at": created, "updated_at": created}

    n = insert_rows(conn, Assignment.__table__, rows())
    db.session.commit()
    return n


def _drop_lookback_plan() -> None:
    plan_ids = list(db.session.scalars(sa.select(Plan.id).where(Plan.title == LOOKBACK_PLAN_TITLE)))
    if not plan_ids:
        return
    notice_ids = sa.select(RectificationNotice.id).where(RectificationNotice.plan_id.in_(plan_ids))
    db.session.execute(sa.delete(Notification.__table__).where(
        Notification.object_type == "rectification_notice", Notification.object_id.in_(notice_ids)))
    db.session.execute(sa.delete(RectificationItem.__table__).where(RectificationItem.notice_id.in_(notice_ids)))
    db.session.execute(sa.delete(RectificationNotice.__table__).where(RectificationNotice.plan_id.in_(plan_ids)))
    db.session.execute(sa.delete(Assignment.__table__).where(Assignment.plan_id.in_(plan_ids)))
    db.session.execute(sa.delete(Task.__table__).where(Task.plan_id.in_(plan_ids)))
    db.session.execute(sa.delete(Plan.__table__).where(Plan.id.in_(plan_ids)))
    db.session.execute(sa.delete(NoticeCounter.__table__).where(NoticeCounter.prefix == LOOKBACK_PREFIX))
    db.session.commit()
    settle(db.engine, CHURNED)


@scenario("look-back over a 50,000-assignment plan")
def lookback_large_plan(ctx: Context) -> int:
    with ctx.app.app_context():
        _drop_lookback_plan()
        size = _build_lookback_plan(ctx)
        plan = db.session.scalar(sa.select(Plan).where(Plan.title == LOOKBACK_PLAN_TITLE))
        unfinished = db.session.execute(
            sa.select(sa.func.count(), sa.func.count(sa.distinct(Assignment.unit_id)))
            .where(Assignment.plan_id == plan.id, Assignment.status != "completed")
        ).one()
        try:
            with ctx.timed():
                result = services.lookback(plan, LOOKBACK_DATE, prefix=LOOKBACK_PREFIX)
                db.session.commit()
            if (result.items, result.notices) != tuple(unfinished):
                raise ScenarioFailed(f"look-back of {size} assignments gave {result.to_json()}, "
                                     f"expected {tuple(unfinished)} items and notices")
            return result.items
        finally:
            db.session.rollback()
            _drop_lookback_plan()

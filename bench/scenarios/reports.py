"""Issue 4: progress reports at province scale, the review queue, a 1 MB submission, my-tasks filters.

The generator adds three reports per started assignment on average (600,000 for 200,000
assignments), of which 10,000 wait for review and 2% of the approved are marked public, scaled
down with the dataset for smaller scales.
"""
from __future__ import annotations

import io
import os
import re
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.plans.models import Assignment, Plan
from tracker.reports import storage
from tracker.reports.models import Evidence, ProgressReport

from ..dataset import Dataset, insert_rows, next_id
from ..registry import generator, scenario
from ..runner import CSRF_FIELD, Context, ScenarioFailed

#: reports per assignment of the province scale, and how many of them wait for review
REPORTS_PER_ASSIGNMENT = 3
PENDING_AT_PROVINCE = 10_000
PROVINCE_ASSIGNMENTS = 200_000
RETURN_RATE = 0.08
#: share of approved reports the supervisor marks public (their text shows on the public page)
PUBLIC_RATE = 0.02
TEXTS = (
    "已在政府门户网站专栏发布相关信息，并同步至政务新媒体。",
    "已制定工作方案，明确责任科室和时间节点。",
    "本季度发布政策解读材料，栏目内容已更新。",
    "已组织专题培训，相关信息审核后发布。",
)
RETURN_REASONS = ("佐证材料不全，请补充发布链接。", "进展情况过于笼统，请写明具体数量。")
ONE_MB = 1024 * 1024
TOTAL_LINE = re.compile(r"共 (\d+) 条")


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour % 24), tzinfo=timezone.utc)


@generator(order=50, requires=("progress_reports",))
def make_reports(conn: sa.Connection, ds: Dataset) -> None:
    rng = ds.rng("reports")
    a_t, p_t, u_t = Assignment.__table__, Plan.__table__, User.__table__
    total = ds.scale.assignments * REPORTS_PER_ASSIGNMENT
    pending_target = max(1, round(PENDING_AT_PROVINCE * ds.scale.assignments / PROVINCE_ASSIGNMENTS))
    reporters = dict(conn.execute(
        sa.select(u_t.c.unit_id, sa.func.min(u_t.c.id)).where(u_t.c.role == "reporter").group_by(u_t.c.unit_id)
    ).all())
    supervisors = dict(conn.execute(
        sa.select(u_t.c.unit_id, sa.func.min(u_t.c.id)).where(u_t.c.role == "supervisor").group_by(u_t.c.unit_id)
    ).all())
    started = conn.execute(
        sa.select(a_t.c.id, a_t.c.plan_id, a_t.c.unit_id, a_t.c.status, a_t.c.progress, a_t.c.completed_at,
                  a_t.c.created_at, p_t.c.unit_id.label("city_id"))
        .join(p_t, p_t.c.id == a_t.c.plan_id)
        .where(a_t.c.status != "pending").order_by(a_t.c.id)
    ).all()
    if not started:
        return
    # Every started assignment gets `per` reports, the first `extra` of a shuffled order one more.
    per, extra = divmod(total, len(started))
    order = list(range(len(started)))
    rng.shuffle(order)
    more = set(order[:extra])
    in_progress = [i for i in order if started[i].status == "in_progress"]
    waiting = set(in_progress[:pending_target])
    as_of_end = _at(ds.as_of, 9)
    table = ProgressReport.__table__
    first = next_id(conn, table)

    def rows():
        rid = first
        for i, a in enumerate(started):
            n = per + (1 if i in more else 0)
            if n == 0:
                continue
            end = min(a.completed_at or as_of_end, as_of_end)
            start = min(a.created_at, end)
            span = max(1, int((end - start).total_seconds()))
            moments = sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(n))
            reviewer = supervisors.get(a.city_id)
            for k, sent in enumerate(moments):
                last = k == n - 1
                close = last and a.status == "completed"
                if last and i in waiting:
                    status = "submitted"
                    sent = as_of_end - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 8))
                elif not close and rng.random() < RETURN_RATE:
                    status = "returned"
                else:
                    status = "approved"
                reviewed = None if status == "submitted" else min(sent + timedelta(days=rng.randint(1, 3)), as_of_end)
                progress = 100 if close else min(a.progress or 10, 10 * (k + 1) + rng.randrange(0, 30, 10))
                yield {
                    "id": rid, "assignment_id": a.id, "plan_id": a.plan_id, "unit_id": a.unit_id,
                    "author_id": reporters.get(a.unit_id),
                    "text": TEXTS[rid % len(TEXTS)], "progress": progress, "target_values": {}, "links": [],
                    "status": status, "is_close_request": close, "submitted_at": sent, "reviewed_at": reviewed,
                    "reviewer_id": reviewer if reviewed else None,
                    "review_comment": RETURN_REASONS[rid % 2] if status == "returned" else None,
                    "is_public": status == "approved" and rng.random() < PUBLIC_RATE,
                    "created_at": sent, "updated_at": reviewed or sent,
                }
                rid += 1

    n = insert_rows(conn, table, rows())
    ds.extra["reports"] = {"total": n, "pending": len(waiting)}


# --- scenarios ----------------------------------------------------------------------------------------

def _root_supervisor(ctx: Context):
    return ctx.client("supervisor", ctx.ds.root_unit_id)


def _expect_total(resp, expected: int | None = None) -> int:
    m = TOTAL_LINE.search(resp.get_data(as_text=True))
    if m is None:
        raise ScenarioFailed("the page shows no total")
    total = int(m.group(1))
    if expected is not None and total != expected:
        raise ScenarioFailed(f"the page shows {total} rows, expected {expected}")
    return total


@scenario("reports: review queue with 10,000 pending")
def review_queue(ctx: Context) -> int:
    resp = ctx.get(_root_supervisor(ctx), "/review")
    _expect_total(resp, ctx.ds.extra.get("reports", {}).get("pending"))
    return ctx.table_rows(resp)


@scenario("reports: review queue filtered by unit")
def review_queue_by_unit(ctx: Context) -> int:
    unit_id = ctx.scalar(
        sa.select(ProgressReport.unit_id).where(ProgressReport.status == "submitted")
        .group_by(ProgressReport.unit_id).order_by(sa.func.count().desc(), ProgressReport.unit_id).limit(1)
    )
    resp = ctx.get(_root_supervisor(ctx), f"/review?unit={unit_id}")
    return ctx.table_rows(resp)


@scenario("reports: returned filter on the largest unit's task list")
def my_tasks_returned(ctx: Context) -> int:
    resp = ctx.get(ctx.client("reporter", ctx.ds.largest_unit_id), "/my/tasks?status=returned")
    return ctx.table_rows(resp)


@scenario("reports: assignment page of a lead unit")
def assignment_page(ctx: Context) -> int:
    aid = _open_assignment(ctx, role="lead")
    resp = ctx.get(ctx.client("reporter", ctx.ds.largest_unit_id), f"/assignments/{aid}")
    return ctx.table_rows(resp)


def _open_assignment(ctx: Context, role: str | None = None) -> int:
    """Return an in-progress assignment of the largest unit (its status does not change on submit)."""
    stmt = sa.select(Assignment.id).where(Assignment.unit_id == ctx.ds.largest_unit_id,
                                          Assignment.status == "in_progress")
    if role:
        stmt = stmt.where(Assignment.role == role)
    aid = ctx.scalar(stmt.order_by(Assignment.id).limit(1))
    if aid is None:
        raise ScenarioFailed("the largest unit has no assignment in progress")
    return aid


@scenario("reports: submit a report with a 1 MB file")
def submit_with_file(ctx: Context) -> int:
    """POST the report form with a fresh 1 MB PDF; the report and its file are removed afterwards."""
    client = ctx.client("reporter", ctx.ds.largest_unit_id)
    aid = _open_assignment(ctx)
    page = client.get(f"/assignments/{aid}")
    token = CSRF_FIELD.search(page.get_data(as_text=True))
    # New bytes every run, so each run hashes and writes the file instead of finding it stored.
    content = b"%PDF-1.4\n" + os.urandom(ONE_MB - 9)
    data = {"text": "基准测试：进展情况。", "progress": "50", "submit": "1",
            "files": [(io.BytesIO(content), "基准测试佐证材料.pdf")]}
    if token:
        data["csrf_token"] = token.group(1)
    with ctx.timed():
        resp = client.post(f"/assignments/{aid}/reports", data=data, content_type="multipart/form-data")
    if resp.status_code != 302:
        raise ScenarioFailed(f"submitting answered {resp.status_code}")
    with ctx.app.app_context():
        report = db.session.scalar(sa.select(ProgressReport).where(ProgressReport.assignment_id == aid)
                                   .order_by(ProgressReport.id.desc()).limit(1))
        shas = [e.sha256 for e in report.evidence]
        if len(shas) != 1:
            raise ScenarioFailed(f"the report has {len(shas)} files, expected 1")
        db.session.execute(sa.delete(Evidence).where(Evidence.report_id == report.id))
        db.session.execute(sa.delete(ProgressReport).where(ProgressReport.id == report.id))
        db.session.commit()
        for sha in shas:
            storage.remove(sha)
    return 1

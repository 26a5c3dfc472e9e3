"""Demo step: simulated progress on the 运城 2021 plan as it stood on DEMO_AS_OF.

Some units finished on time, some late, some are overdue; some reports were returned, some wait
for review; a few carry small generated PDF and PNG evidence files (written through storage.py);
one extension request is open. Runs after the plan import step and does nothing the second time.
"""
from __future__ import annotations

import io
import random
import struct
import zlib
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import User
from ..extensions import db
from ..plans.models import Assignment, Plan, Task
from ..timeutil import clock_at, local_zone
from ..units.models import Unit
from . import services
from .models import Evidence, ExtensionRequest, ProgressReport

DEMO_AS_OF = date(2021, 11, 15)
DEMO_PLAN_YEAR = 2021
DEMO_JURISDICTION = "运城市人民政府"
SUPERVISOR = "duban"
#: the demo reporter whose unit gets the open extension request, so it shows when logging in as that user
EXTENSION_REPORTER = "caizheng"

RETURN_REASONS = (
    "佐证材料不全：请补充在政府网站发布的链接。",
    "进展情况过于笼统，请写明已公开的信息条数和栏目。",
    "解读材料与政策文件不对应，请核对后重新报送。",
)
PROGRESS_TEXTS = (
    "已在政府门户网站相关专栏集中发布，并同步至政务新媒体。",
    "已制定工作方案，明确责任科室和时间节点，正在按计划推进。",
    "已完成信息梳理，发布{n}条，栏目内容已更新。",
    "已组织专题培训一次，相关信息正在审核后发布。",
)


def pdf_bytes(lines: list[str]) -> bytes:
    """Return a minimal valid one-page PDF showing the given ASCII lines."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = " ".join(f"({esc(line)}) '" for line in lines)
    content = f"BT /F1 12 Tf 72 770 Td 16 TL {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes(width: int, height: int, percent: int, color: tuple[int, int, int] = (13, 110, 253)) -> bytes:
    """Return a valid PNG: a progress bar filled to `percent` on a light grey ground."""
    filled = width * max(0, min(100, percent)) // 100
    row = b"\x00" + bytes(color) * filled + bytes((233, 236, 239)) * (width - filled)
    raw = row * height

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _at(day: date, hour: int = 10) -> datetime:
    """Return a local office hour on `day` as a UTC datetime."""
    zone = local_zone(current_app.config.get("TIMEZONE", "Asia/Shanghai"))
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(timezone.utc)


def _find_plan() -> Plan | None:
    owner = db.session.scalar(sa.select(Unit.id).where(Unit.name == DEMO_JURISDICTION))
    stmt = sa.select(Plan).where(Plan.year == DEMO_PLAN_YEAR).order_by(Plan.id)
    if owner is not None:
        plan = db.session.scalar(stmt.where(Plan.unit_id == owner))
        if plan is not None:
            return plan
    return db.session.scalar(stmt)


#: every so many assignments, the approved reports are marked public
PUBLIC_EVERY = 6


class _Simulation:
    def __init__(self, plan: Plan, supervisor: User | None, reporters: dict[int, int]):
        self.plan, self.supervisor, self.reporters = plan, supervisor, reporters
        self.rng = random.Random(2021)
        self.counts = {"reports": 0, "submitted": 0, "returned": 0, "completed": 0, "late": 0, "files": 0}
        self.shared_pdf = pdf_bytes(["Yuncheng 2021 government transparency ledger", "Demo evidence shared by reports"])

    def report(self, a: Assignment, *, on: date, progress: int, status: str, close: bool = False,
               review_on: date | None = None, reason: str | None = None) -> ProgressReport:
        text = self.rng.choice(PROGRESS_TEXTS).format(n=self.rng.randint(3, 40))
        values = {}
        for t in a.task.targets or []:
            metric = t.get("metric")
            if metric and isinstance(t.get("value"), (int, float)):
                values[metric] = round(float(t["value"]) + self.rng.uniform(-5, 8), 1)
        r = ProgressReport(
            assignment_id=a.id, unit_id=a.unit_id, author_id=self.reporters.get(a.unit_id), text=text,
            progress=progress, target_values=values, status=status, is_close_request=close,
            links=[f"https://www.yuncheng.gov.cn/zwgk/demo/{a.id}.shtml"] if self.rng.random() < 0.5 else [],
            submitted_at=_at(on), created_at=_at(on, 9), updated_at=_at(on),
        )
        if status in ("approved", "returned"):
            r.reviewed_at = _at(review_on or on + timedelta(days=2), 15)
            r.reviewer_id = self.supervisor.id if self.supervisor else None
            r.review_comment = reason
        # The supervisor lets some approved texts onto the public page (chosen without the random
        # stream, so the rest of the demo stays as it was).
        r.is_public = status == "approved" and a.id % PUBLIC_EVERY == 0
        db.session.add(r)
        self.counts["reports"] += 1
        self.counts[status] = self.counts.get(status, 0) + 1
        return r

    def attach(self, r: ProgressReport, a: Assignment, index: int) -> None:
        files = []
        if index % 3 == 0:
            files.append((f"{a.unit.display_name}-进展材料-{a.task.ref}.pdf",
                          io.BytesIO(pdf_bytes([f"Assignment {a.id} task {a.task.ref}", f"Progress {r.progress}%"]))))
        if index % 5 == 0:
            files.append((f"网站截图-{a.id}.png", io.BytesIO(png_bytes(160, 40, r.progress))))
        if index % 7 == 0:
            files.append(("政务公开工作台账.pdf", io.BytesIO(self.shared_pdf)))
        if not files:
            return
        for f in services.store_files(files):
            r.evidence.append(Evidence(sha256=f.sha256, size=f.size, original_name=f.original_name,
                                       content_type=f.content_type, created_at=r.created_at))
            self.counts["files"] += 1

    def complete(self, a: Assignment, on: date) -> None:
        a.status, a.progress, a.completed_at = "completed", 100, _at(on, 16)
        self.counts["completed"] += 1

    def run(self, assignments: list[Assignment]) -> None:
        for index, a in enumerate(assignments):
            due = a.due_on or DEMO_AS_OF.replace(month=12, day=31)
            roll = self.rng.random()
            if due < DEMO_AS_OF:
                if roll < 0.6:  # closed on time
                    sent = due - timedelta(days=self.rng.randint(1, 10))
                    r = self.report(a, on=sent, progress=100, status="approved", close=True)
                    self.complete(a, sent + timedelta(days=2))
                elif roll < 0.75:  # closed, but late
                    sent = min(due + timedelta(days=self.rng.randint(3, 20)), DEMO_AS_OF - timedelta(days=3))
                    r = self.report(a, on=sent, progress=100, status="approved", close=True)
                    self.complete(a, sent + timedelta(days=2))
                    self.counts["late"] += sent > due
                elif roll < 0.9:  # overdue, some progress approved
                    r = self.report(a, on=due - timedelta(days=15), progress=self.rng.choice((40, 60, 70)),
                                    status="approved")
                    a.status, a.progress = "in_progress", r.progress
                else:  # overdue, nothing reported
                    continue
            else:
                sent = DEMO_AS_OF - timedelta(days=self.rng.randint(3, 40))
                percent = self.rng.choice((20, 30, 50, 60, 80))
                if roll < 0.4:
                    r = self.report(a, on=sent, progress=percent, status="approved")
                    a.status, a.progress = "in_progress", percent
                elif roll < 0.5:
                    r = self.report(a, on=sent, progress=percent, status="returned",
                                    reason=self.rng.choice(RETURN_REASONS))
                    a.status = "in_progress"
                elif roll < 0.7:
                    r = self.report(a, on=sent, progress=percent, status="submitted")
                    a.status = "in_progress"
                else:
                    continue
            self.attach(r, a, index)


def _complete_tasks(plan: Plan, at: datetime) -> int:
    """Mark the plan's tasks completed whose lead and responsible assignments all are; return how many."""
    counts = db.session.execute(
        sa.select(Assignment.task_id, sa.func.count(),
                  sa.func.sum(sa.case((Assignment.status == "completed", 1), else_=0)))
        .where(Assignment.plan_id == plan.id, Assignment.role.in_(("lead", "responsible")))
        .group_by(Assignment.task_id)
    ).all()
    done = [tid for tid, total, completed in counts if total == int(completed or 0)]
    if done:
        db.session.execute(sa.update(Task).where(Task.id.in_(done)).values(completed_at=at))
    return len(done)


def _open_extension(assignments: list[Assignment], reporter: User | None) -> ExtensionRequest | None:
    candidates = [a for a in assignments if a.status != "completed" and a.due_on and a.due_on >= DEMO_AS_OF]
    mine = [a for a in candidates if reporter is not None and a.unit_id == reporter.unit_id]
    pick = (mine or candidates or [None])[0]
    if pick is None:
        return None
    ext = ExtensionRequest(
        assignment_id=pick.id, requested_by_id=reporter.id if mine else None,
        requested_due_on=pick.due_on + timedelta(days=31),
        reason="涉及多个科室的数据汇总，需待年度统计数据发布后才能完成，申请延期一个月。",
        created_at=_at(DEMO_AS_OF - timedelta(days=1)),
    )
    db.session.add(ext)
    return ext


def load(result, progress) -> None:
    """Add the simulated progress; print a note and do nothing when the plan is missing or already has reports."""
    # Each report carries its own date; anything else stamped meanwhile is stamped on the demo date.
    with clock_at(_at(DEMO_AS_OF, 8)):
        _load(result, progress)
        db.session.flush()


def _load(result, progress) -> None:
    plan = _find_plan()
    if plan is None:
        note = f"未找到{DEMO_PLAN_YEAR}年工作要点（计划导入步骤未运行或失败），跳过模拟进展。"
        result.notes.append(note)
        progress(note)
        return
    has_reports = db.session.scalar(sa.select(sa.exists().where(
        ProgressReport.assignment_id == Assignment.id, Assignment.plan_id == plan.id)))
    if has_reports:
        progress("模拟进展：已存在，跳过")
        return
    supervisor = db.session.scalar(sa.select(User).where(User.username == SUPERVISOR)) or db.session.scalar(
        sa.select(User).where(User.role == "supervisor").order_by(User.id))
    reporters = dict(db.session.execute(
        sa.select(User.unit_id, sa.func.min(User.id)).where(User.role == "reporter").group_by(User.unit_id)
    ).all())
    assignments = list(db.session.scalars(
        sa.select(Assignment).where(Assignment.plan_id == plan.id).order_by(Assignment.id)
    ))
    sim = _Simulation(plan, supervisor, reporters)
    sim.run(assignments)
    db.session.flush()
    tasks_done = _complete_tasks(plan, _at(DEMO_AS_OF, 17))
    ext = _open_extension(assignments, db.session.scalar(sa.select(User).where(User.username == EXTENSION_REPORTER)))
    db.session.flush()
    c = sim.counts
    progress(
        f"模拟进展（截至{DEMO_AS_OF.isoformat()}）：报告{c['reports']}份（待审核{c.get('submitted', 0)}，"
        f"退回{c.get('returned', 0)}），办结{c['completed']}个（其中逾期办结{c['late']}个），"
        f"任务办结{tasks_done}项，佐证文件{c['files']}个，待审批延期申请{1 if ext else 0}个；"
        f"按当日查看：/my/tasks?as_of={DEMO_AS_OF.isoformat()}"
    )

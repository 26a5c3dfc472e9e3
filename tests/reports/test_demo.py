"""The demo step: simulated progress at DEMO_AS_OF, evidence through storage, idempotent."""
from __future__ import annotations

import sqlalchemy as sa

from tracker.demo.services import DemoResult, load_demo
from tracker.extensions import db
from tracker.plans.models import Assignment, Plan
from tracker.reports import demo, storage
from tracker.reports.models import Evidence, ExtensionRequest, ProgressReport
from tests.factories import AssignmentFactory, TaskFactory
from tests.reports.conftest import stored_files


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_generated_files_pass_the_content_check(tmp_path):
    import io

    pdf = storage.store(io.BytesIO(demo.pdf_bytes(["hello (world)"])), "a.pdf", max_bytes=10**6, root=tmp_path)
    png = storage.store(io.BytesIO(demo.png_bytes(20, 5, 40)), "b.png", max_bytes=10**6, root=tmp_path)
    assert (pdf.content_type, png.content_type) == ("application/pdf", "image/png")
    data = demo.pdf_bytes(["x"])
    # The xref offset points at the xref table: the file is well formed, not just well labelled.
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[start:start + 4] == b"xref"


def test_without_a_plan_it_says_so_and_does_nothing(uploads):
    result, said = DemoResult(), []
    demo.load(result, said.append)
    assert count(ProgressReport) == 0 and stored_files(uploads) == []
    assert said == result.notes and "未找到2021年工作要点" in said[0]


def test_simulated_progress_on_a_small_plan(world, uploads):
    for i in range(40):
        a = AssignmentFactory(task=TaskFactory(plan=world.plan, title=f"任务{i}"), unit=world.finance)
        a.due_on = demo.DEMO_AS_OF.replace(month=9 + i % 4, day=30 if i % 4 < 3 else 31)
    db.session.flush()
    said = []
    demo.load(DemoResult(), said.append)
    statuses = dict(db.session.execute(sa.select(ProgressReport.status, sa.func.count()).group_by(ProgressReport.status)).all())
    assert statuses.get("returned", 0) >= 1 and statuses.get("submitted", 0) >= 1 and statuses.get("approved", 0) >= 5
    completed = db.session.scalars(sa.select(Assignment).where(Assignment.status == "completed")).all()
    assert completed and all(a.completed_at is not None for a in completed)
    late_or_open = count(Assignment, Assignment.status != "completed", Assignment.due_on < demo.DEMO_AS_OF)
    assert late_or_open >= 1
    assert count(ExtensionRequest, ExtensionRequest.status == "open") == 1
    files = stored_files(uploads)
    assert files and count(Evidence) > len(files)  # the shared ledger PDF is stored once
    for e in db.session.scalars(sa.select(Evidence)):
        assert storage.path_for(e.sha256).is_file()
    assert "模拟进展（截至2021-11-15）" in said[0]
    before = count(ProgressReport)
    demo.load(DemoResult(), said.append)
    assert count(ProgressReport) == before and said[-1] == "模拟进展：已存在，跳过"


def test_full_demo_runs_after_the_plan_import(uploads):
    said = []
    result = load_demo(progress=said.append)
    plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2021))
    assert plan is not None, result.notes
    assert count(ProgressReport) > 10
    ext = db.session.scalar(sa.select(ExtensionRequest))
    caizheng = [u for u in result.users if u[0] == "caizheng"]
    assert ext.status == "open" and caizheng
    assert any(line.startswith("模拟进展（截至2021-11-15）") for line in said)

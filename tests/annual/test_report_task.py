"""The report is the task: importing it, or marking a built one final, reports on the unit's report assignment
with the report .docx as evidence, reviewed like any report (a supervisor's import or final mark counts as approved)."""
from __future__ import annotations

import io

import sqlalchemy as sa

from tracker.annual import services
from tracker.annual.build import build_report
from tracker.annual.reader import read_file
from tracker.annual.tasks import SUPERVISOR_APPROVAL, create_report_tasks, report_assignment
from tracker.extensions import db
from tracker.reports import services as reports
from tracker.reports import storage
from tracker.reports.models import ProgressReport

from .helpers import REPORT_2021, SEED_002


def _progress(assignment) -> list[ProgressReport]:
    return list(db.session.scalars(sa.select(ProgressReport).where(ProgressReport.assignment_id == assignment.id)
                                   .order_by(ProgressReport.id)))


def _evidence_report(progress: ProgressReport):
    (evidence,) = progress.evidence
    assert evidence.original_name == "测试市财政局2021年政府信息公开工作年度报告.docx"
    data = storage.path_for(evidence.sha256, storage.upload_root()).read_bytes()
    return read_file(data, evidence.original_name)


def test_a_reporters_import_is_a_close_request_the_supervisor_reviews(client, auth, world):
    create_report_tasks(world.supervisor, world.city, 2021)
    db.session.commit()
    auth.login(world.reporter)
    resp = client.post("/annual-reports/import", data={"unit_id": world.finance.id, "year": 2021,
                                                       "file": (io.BytesIO(REPORT_2021.encode()), "报告.txt")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    assignment = report_assignment(world.finance.id, 2021)
    (progress,) = _progress(assignment)
    assert progress.status == "submitted" and progress.is_close_request and progress.progress == 100
    assert progress.author_id == world.reporter.id
    assert progress.text.startswith("已导入2021年度政府信息公开工作年度报告（2021年版格式")
    assert assignment.status == "in_progress"
    # The evidence is the report itself, as the national template prints it: the same tables read back.
    back = _evidence_report(progress)
    assert back.section3["new"]["total"] == 6 and back.section3["carried_in"]["natural"] == 1
    # Reviewed like any report: approving the close request completes the assignment.
    reports.review_report(world.supervisor, progress, approve=True)
    db.session.commit()
    assert assignment.status == "completed"


def test_a_supervisors_import_is_approved_at_once_and_completes_the_assignment(client, auth, world):
    create_report_tasks(world.supervisor, world.city, 2021)
    db.session.commit()
    auth.login(world.supervisor)
    client.post("/annual-reports/import", data={"unit_id": world.finance.id, "year": 2021,
                                                "file": (io.BytesIO(REPORT_2021.encode()), "报告.txt")},
                content_type="multipart/form-data")
    assignment = report_assignment(world.finance.id, 2021)
    (progress,) = _progress(assignment)
    assert progress.status == "approved" and progress.reviewer_id == world.supervisor.id
    assert progress.review_comment == SUPERVISOR_APPROVAL
    assert assignment.status == "completed" and assignment.progress == 100
    # Importing again (a corrected copy) adds no second report to a completed assignment.
    services.import_report(world.supervisor, world.finance, 2021, REPORT_2021.encode(), "again.txt")
    assert len(_progress(assignment)) == 1


def test_the_command_line_import_submits_for_review(runner, world):
    create_report_tasks(world.supervisor, world.city, 2021)
    db.session.commit()
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.txt"
        path.write_text(REPORT_2021, encoding="utf-8")
        result = runner.invoke(args=["annual-report", "import", str(path), "--unit", "测试市财政局", "--year", "2021"])
    assert result.exit_code == 0, result.output
    assert "已作为本单位年度报告任务的办结申请提交（附 Word 全文），等待督查人员审核" in result.output
    assignment = report_assignment(world.finance.id, 2021)
    (progress,) = _progress(assignment)
    assert progress.status == "submitted" and progress.author_id is None and progress.is_close_request


def test_without_report_tasks_an_import_reports_nothing(world):
    services.import_report(world.supervisor, world.finance, 2020, SEED_002.read_bytes(), "seed.txt")
    assert report_assignment(world.finance.id, 2020) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 0


def test_marking_a_built_report_final_submits_it_once(client, auth, world):
    create_report_tasks(world.supervisor, world.city, 2021)
    report, _ = build_report(world.reporter, world.finance, 2021)
    db.session.commit()
    auth.login(world.reporter)
    page = client.get(f"/annual-reports/{report.id}").get_data(as_text=True)
    assert 'data-confirm="确定定稿？报告 Word 全文将作为本单位年度报告任务的办结材料提交。"' in page
    assert "年度报告任务：" in page and "截止 2022年1月31日" in page
    resp = client.post(f"/annual-reports/{report.id}/finalize", follow_redirects=True)
    assert "已作为本单位年度报告任务的办结申请提交（附 Word 全文），等待审核" in resp.get_data(as_text=True)
    assignment = report_assignment(world.finance.id, 2021)
    (progress,) = _progress(assignment)
    assert progress.status == "submitted" and progress.text.startswith("已定稿2021年度")
    assert _evidence_report(progress).section3["new"]["total"] == 0  # the (empty) register's figures
    again = client.post(f"/annual-reports/{report.id}/finalize", follow_redirects=True)
    assert "本单位年度报告已提交办结申请，正在等待审核" in again.get_data(as_text=True)
    assert len(_progress(assignment)) == 1


def test_a_supervisor_marking_final_completes_the_assignment(client, auth, world):
    create_report_tasks(world.supervisor, world.city, 2021)
    report, _ = build_report(world.supervisor, world.audit, 2021)
    db.session.commit()
    auth.login(world.supervisor)
    resp = client.post(f"/annual-reports/{report.id}/finalize", follow_redirects=True)
    assert "审核通过，任务已办结" in resp.get_data(as_text=True)
    assert report_assignment(world.audit.id, 2021).status == "completed"
    again = client.post(f"/annual-reports/{report.id}/finalize", follow_redirects=True)
    assert "本单位年度报告任务已办结" in again.get_data(as_text=True)


def test_final_mark_refusals(client, auth, world):
    report, _ = build_report(world.supervisor, world.finance, 2021)  # no report tasks for 2021 yet
    imported = services.import_report(world.supervisor, world.audit, 2020, SEED_002.read_bytes(), "seed.txt")
    db.session.commit()
    auth.login(world.supervisor)
    resp = client.post(f"/annual-reports/{report.id}/finalize", follow_redirects=True)
    assert "2021年度报告任务尚未创建，无法作为任务报告提交" in resp.get_data(as_text=True)
    resp = client.post(f"/annual-reports/{imported.id}/finalize", follow_redirects=True)
    assert "导入的年度报告在导入时已作为任务报告提交，无需定稿" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 0
    auth.logout()
    auth.login(world.reporter2)  # 审计局 cannot finalize 财政局's report
    assert client.post(f"/annual-reports/{report.id}/finalize").status_code == 404


def test_only_a_supervisor_or_the_system_submits_for_a_unit(world):
    import pytest

    from tracker.errors import ServiceError

    create_report_tasks(world.supervisor, world.city, 2021)
    assignment = report_assignment(world.finance.id, 2021)
    with pytest.raises(ServiceError, match="只有督查人员可以代为提交"):
        reports.submit_close_request_for(world.leader, assignment, text="x", files=[])
    assert _progress(assignment) == []

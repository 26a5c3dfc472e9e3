"""Report, review and extension rules at the service level."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tracker.audit.models import AuditEvent
from tracker.errors import ServiceError
from tracker.extensions import db
from tracker.inbox.models import Notification
from tracker.reports import services, storage
from tracker.reports.models import ExtensionRequest, ProgressReport
from tests.factories import AssignmentFactory, ReportFactory, UserFactory
from tests.reports.conftest import EXE, PDF, PNG, state, stored_files

NOW = datetime(2021, 11, 15, 2, 0, tzinfo=timezone.utc)
TARGETS = [{"metric": "政策解读率", "op": ">=", "value": 90, "unit": "%"}]


@pytest.fixture
def w(world, uploads):
    world.task.targets = TARGETS
    db.session.flush()
    return world


def save(w, *, submit=True, files=(), actor=None, assignment=None, **kw):
    args = dict(text="已发布解读材料12篇。", progress="60", target_values={"政策解读率": "92"},
                links="https://www.example.gov.cn/a.html")
    args.update(kw)
    return services.save_report(actor or w.reporter, assignment or w.a_fin, submit=submit, files=files, now=NOW, **args)


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def notes_for(user) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.title).where(Notification.user_id == user.id)))


# --- saving and submitting -------------------------------------------------------------------------

def test_draft_then_submit_reuses_the_one_draft(w):
    draft = save(w, submit=False, progress="30")
    assert (draft.status, draft.progress, draft.submitted_at) == ("draft", 30, None)
    assert w.a_fin.status == "pending"
    again = save(w, submit=False, text="修改后的草稿")
    assert again.id == draft.id and again.text == "修改后的草稿"
    sent = save(w, submit=True)
    assert sent.id == draft.id
    assert sent.status == "submitted" and sent.submitted_at == NOW
    assert sent.target_values == {"政策解读率": 92}
    assert sent.links == ["https://www.example.gov.cn/a.html"]
    assert sent.unit_id == w.finance.id and sent.author_id == w.reporter.id
    assert w.a_fin.status == "in_progress"
    assert w.a_fin.progress == 0  # the supervisor's approval moves the figure, not the claim
    assert actions() == ["report.save_draft", "report.save_draft", "report.submit"]


def test_files_are_stored_once_and_listed_on_the_report(w, uploads):
    r1 = save(w, files=[("年度报告.pdf", io.BytesIO(PDF)), ("截图.png", io.BytesIO(PNG))])
    r2 = save(w, assignment=w.a_aud, actor=w.reporter2, files=[("同一份.pdf", io.BytesIO(PDF))])
    assert [(e.original_name, e.content_type) for e in r1.evidence] == [
        ("年度报告.pdf", "application/pdf"), ("截图.png", "image/png")]
    assert r2.evidence[0].sha256 == r1.evidence[0].sha256
    assert len(stored_files(uploads)) == 2
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_id == r1.id))
    assert audit.after["files"] == ["年度报告.pdf", "截图.png"]


@pytest.mark.parametrize("kw, message", [
    ({"progress": "-5"}, "完成进度应在0到100之间，您填写的是-5"),
    ({"progress": "150"}, "完成进度应在0到100之间，您填写的是150"),
    ({"progress": "六十"}, "不是整数"),
    ({"target_values": {"政策解读率": "较高"}}, "指标“政策解读率”的实际值“较高”不是数字"),
    ({"links": "www.example.gov.cn"}, "不是有效的网址"),
    ({"text": "  "}, "请填写进展情况后再提交"),
    ({"is_close_request": True, "progress": "90"}, "申请办结时，完成进度应为100%"),
])
def test_bad_input_changes_nothing(w, uploads, kw, message):
    before = state(uploads)
    with pytest.raises(ServiceError) as exc:
        save(w, files=[("a.pdf", io.BytesIO(PDF))], **kw)
    assert message in exc.value.message
    assert exc.value.status == 400
    assert state(uploads) == before


def test_empty_draft_is_refused(w, uploads):
    with pytest.raises(ServiceError, match="草稿是空的"):
        save(w, submit=False, text="", links="", target_values={})
    assert state(uploads)["reports"] == 0


def test_report_on_another_units_assignment_is_a_404(w, uploads):
    before = state(uploads)
    for actor in (w.reporter2, w.supervisor):
        with pytest.raises(ServiceError) as exc:
            save(w, actor=actor, files=[("a.pdf", io.BytesIO(PDF))])
        assert exc.value.status == 404
    assert state(uploads) == before


def test_no_report_on_a_completed_assignment(w, uploads):
    w.a_fin.status = "completed"
    with pytest.raises(ServiceError) as exc:
        save(w)
    assert exc.value.status == 409 and "已办结" in exc.value.message


def test_only_one_close_request_waits_at_a_time(w):
    save(w, is_close_request=True, progress="100")
    with pytest.raises(ServiceError, match="已有一份办结申请正在审核中"):
        save(w, is_close_request=True, progress="100")


def test_a_refused_file_removes_the_files_written_before_it(w, uploads):
    before = state(uploads)
    with pytest.raises(ServiceError, match="是可执行程序"):
        save(w, files=[("好文件.pdf", io.BytesIO(PDF)), ("坏文件.pdf", io.BytesIO(EXE))])
    assert state(uploads) == before
    assert services._WRITTEN not in db.session.info or not db.session.info[services._WRITTEN]


def test_a_failed_file_write_leaves_no_row_and_no_file(w, uploads, monkeypatch):
    real = storage._move_into_place
    calls = []

    def flaky(temp, final):
        calls.append(final)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(temp, final)

    monkeypatch.setattr(storage, "_move_into_place", flaky)
    before = state(uploads)
    with pytest.raises(OSError):
        save(w, files=[("一.pdf", io.BytesIO(PDF)), ("二.png", io.BytesIO(PNG))])
    assert state(uploads) == before


def test_rollback_after_the_flush_removes_new_files_but_keeps_shared_ones(w, uploads):
    kept = save(w, assignment=w.a_aud, actor=w.reporter2, files=[("共用.pdf", io.BytesIO(PDF))])
    db.session.commit()
    save(w, files=[("共用.pdf", io.BytesIO(PDF)), ("新的.png", io.BytesIO(PNG))])
    assert len(stored_files(uploads)) == 2
    db.session.rollback()
    assert [p.name for p in stored_files(uploads)] == [kept.evidence[0].sha256]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 1


def test_commit_keeps_the_files(w, uploads):
    save(w, files=[("a.pdf", io.BytesIO(PDF))])
    db.session.commit()
    db.session.rollback()  # a later rollback must not touch what is committed
    assert len(stored_files(uploads)) == 1


def test_removing_a_draft_file_deletes_it_after_commit_unless_shared(w, uploads):
    draft = save(w, submit=False, files=[("a.pdf", io.BytesIO(PDF)), ("b.png", io.BytesIO(PNG))])
    save(w, assignment=w.a_aud, actor=w.reporter2, files=[("a.pdf", io.BytesIO(PDF))])
    db.session.commit()
    pdf, png = draft.evidence
    services.remove_draft_evidence(w.reporter, png)
    services.remove_draft_evidence(w.reporter, pdf)
    assert len(stored_files(uploads)) == 2  # nothing goes before the commit
    db.session.commit()
    assert [p.name for p in stored_files(uploads)] == [pdf.sha256]
    assert draft.evidence == []


def test_a_draft_file_that_a_task_scan_also_names_is_kept(w, uploads):
    """The evidence store is shared (reports, request documents, ad-hoc scans, annual reports)."""
    draft = save(w, submit=False, files=[("a.pdf", io.BytesIO(PDF))])
    db.session.commit()
    (pdf,) = draft.evidence
    w.a_fin.task.scan_sha256 = pdf.sha256  # an ad-hoc item's scan with the same bytes
    db.session.commit()
    services.remove_draft_evidence(w.reporter, pdf)
    db.session.commit()
    assert [p.name for p in stored_files(uploads)] == [pdf.sha256]
    tables = {c.table.name for c in services._store_references()}
    assert tables == {"evidence_files", "disclosure_documents", "tasks", "annual_reports"}


def test_files_of_a_submitted_report_cannot_be_removed(w):
    r = save(w, files=[("a.pdf", io.BytesIO(PDF))])
    with pytest.raises(ServiceError, match="已提交的报告不能删除材料"):
        services.remove_draft_evidence(w.reporter, r.evidence[0])


# --- review -----------------------------------------------------------------------------------------

def test_approve_moves_progress_and_approving_twice_does_nothing(w):
    r = save(w, progress="60")
    assert services.review_report(w.supervisor, r, approve=True, reason="", now=NOW) is True
    assert (r.status, r.reviewer_id, r.reviewed_at) == ("approved", w.supervisor.id, NOW)
    assert w.a_fin.progress == 60 and w.a_fin.status == "in_progress"
    audit_before, notes_before = len(actions()), len(notes_for(w.reporter))
    assert services.review_report(w.supervisor, r, approve=True, now=NOW) is False
    assert len(actions()) == audit_before and len(notes_for(w.reporter)) == notes_before


def test_close_request_completes_the_assignment_and_then_the_task(w):
    coop = AssignmentFactory(task=w.task, unit=w.county, role="cooperating")
    r_fin = save(w, is_close_request=True, progress="100")
    r_aud = save(w, assignment=w.a_aud, actor=w.reporter2, is_close_request=True, progress="100")
    services.review_report(w.supervisor, r_fin, approve=True, now=NOW)
    assert w.a_fin.status == "completed" and w.a_fin.completed_at == NOW and w.a_fin.progress == 100
    assert w.task.completed_at is None  # the responsible unit is not done yet
    later = NOW + timedelta(days=1)
    services.review_report(w.supervisor, r_aud, approve=True, now=later)
    assert w.task.completed_at == later  # cooperating units do not hold the task open
    assert coop.status == "pending"
    assert "办结申请已通过：做好财政信息公开" in notes_for(w.reporter)
    assert actions()[-1] == "task.complete"


def test_return_needs_a_reason_and_tells_the_units_reporters(w):
    other_reporter = UserFactory(role="reporter", unit=w.finance)
    r = save(w)
    before = len(actions())
    with pytest.raises(ServiceError, match="请填写退回原因"):
        services.review_report(w.supervisor, r, approve=False, reason="  ", now=NOW)
    assert r.status == "submitted" and len(actions()) == before
    assert services.review_report(w.supervisor, r, approve=False, reason="缺少发布链接", now=NOW)
    assert (r.status, r.review_comment) == ("returned", "缺少发布链接")
    assert notes_for(w.reporter) == ["进展报告被退回：做好财政信息公开"]
    assert notes_for(other_reporter) == ["进展报告被退回：做好财政信息公开"]
    assert notes_for(w.reporter2) == []
    with pytest.raises(ServiceError) as exc:
        services.review_report(w.supervisor, r, approve=True, now=NOW)
    assert exc.value.status == 409 and "已退回" in exc.value.message


def test_only_a_supervisor_over_the_unit_reviews(w):
    r = save(w)
    with pytest.raises(ServiceError) as exc:
        services.review_report(w.reporter, r, approve=True, now=NOW)
    assert exc.value.status == 403
    with pytest.raises(ServiceError) as exc:
        services.review_report(w.other_supervisor, r, approve=True, now=NOW)
    assert exc.value.status == 404
    assert r.status == "submitted"


def test_a_draft_cannot_be_reviewed(w):
    draft = save(w, submit=False)
    with pytest.raises(ServiceError, match="尚未提交"):
        services.review_report(w.supervisor, draft, approve=True, now=NOW)


def test_bulk_approve_skips_what_it_may_not_or_need_not_touch(w):
    mine = [ReportFactory(assignment=w.a_fin), ReportFactory(assignment=w.a_aud)]
    done = ReportFactory(assignment=w.a_aud, status="approved")
    foreign = ReportFactory(assignment=w.a_other)
    close = ReportFactory(assignment=w.a_fin, progress=100, is_close_request=True)
    result = services.bulk_approve(w.supervisor, [str(r.id) for r in (*mine, done, foreign, close)] + ["999999"],
                                   now=NOW)
    assert result.approved == sorted([mine[0].id, mine[1].id, close.id])
    assert dict(result.skipped) == {done.id: "已通过", foreign.id: "不存在", 999999: "不存在"}
    assert foreign.status == "submitted"
    assert w.a_fin.status == "completed"
    with pytest.raises(ServiceError, match="请先勾选"):
        services.bulk_approve(w.supervisor, [], now=NOW)
    with pytest.raises(ServiceError) as exc:
        services.bulk_approve(w.reporter, [mine[0].id], now=NOW)
    assert exc.value.status == 403


def test_only_approved_reports_can_be_made_public(w):
    r = save(w)
    with pytest.raises(ServiceError, match="只有审核通过的报告才能公开"):
        services.set_report_public(w.supervisor, r, True)
    services.review_report(w.supervisor, r, approve=True, now=NOW)
    assert services.set_report_public(w.supervisor, r, True) is True
    assert r.is_public is True
    assert services.set_report_public(w.supervisor, r, True) is False
    assert actions().count("report.publish") == 1


# --- extensions -------------------------------------------------------------------------------------

AS_OF = date(2021, 11, 15)


def test_extension_request_and_approval_keep_the_original_due_date(w):
    req = services.request_extension(w.reporter, w.a_fin, date(2022, 1, 31), "需等待统计数据", as_of=AS_OF)
    assert (req.status, req.requested_due_on, req.requested_by_id) == ("open", date(2022, 1, 31), w.reporter.id)
    assert services.decide_extension(w.supervisor, req, approve=True, reason="同意", now=NOW) is True
    assert w.a_fin.due_on == date(2022, 1, 31)
    assert w.a_fin.original_due_on == date(2021, 12, 31)
    assert req.previous_due_on == date(2021, 12, 31) and req.decided_by_id == w.supervisor.id
    assert notes_for(w.reporter) == ["延期申请已批准：做好财政信息公开"]
    # Deciding again is harmless; a new request may follow once none is open.
    assert services.decide_extension(w.supervisor, req, approve=True, now=NOW) is False
    assert len(notes_for(w.reporter)) == 1
    second = services.request_extension(w.reporter, w.a_fin, date(2022, 2, 28), "再延一个月", as_of=AS_OF)
    services.decide_extension(w.supervisor, second, approve=True, now=NOW)
    assert w.a_fin.original_due_on == date(2021, 12, 31)


def test_rejection_needs_a_reason_and_leaves_the_due_date(w):
    req = services.request_extension(w.reporter, w.a_fin, date(2022, 1, 31), "理由", as_of=AS_OF)
    with pytest.raises(ServiceError, match="请填写不予延期的理由"):
        services.decide_extension(w.supervisor, req, approve=False, reason="", now=NOW)
    assert services.decide_extension(w.supervisor, req, approve=False, reason="年底前必须完成", now=NOW)
    assert w.a_fin.due_on == date(2021, 12, 31) and req.status == "rejected"
    with pytest.raises(ServiceError, match="已未批准，不能更改"):
        services.decide_extension(w.supervisor, req, approve=True, now=NOW)


@pytest.mark.parametrize("new_due, as_of, message", [
    (date(2021, 11, 1), AS_OF, "申请的新时限（2021-11-01）不能早于今天（2021-11-15）"),
    (date(2021, 12, 20), AS_OF, "应晚于当前完成时限（2021-12-31）"),
    (date(2021, 12, 31), AS_OF, "应晚于当前完成时限"),
    (date(2022, 3, 1), date(2022, 1, 5), "已超过完成时限（2021-12-31），不能再申请延期"),
    (None, AS_OF, "请填写申请延期到的日期"),
])
def test_bad_extension_dates_change_nothing(w, uploads, new_due, as_of, message):
    before = state(uploads)
    with pytest.raises(ServiceError) as exc:
        services.request_extension(w.reporter, w.a_fin, new_due, "理由", as_of=as_of)
    assert message in exc.value.message
    assert state(uploads) == before


def test_extension_needs_a_reason_and_the_own_unit(w):
    with pytest.raises(ServiceError, match="请填写延期理由"):
        services.request_extension(w.reporter, w.a_fin, date(2022, 1, 31), " ", as_of=AS_OF)
    with pytest.raises(ServiceError) as exc:
        services.request_extension(w.reporter2, w.a_fin, date(2022, 1, 31), "理由", as_of=AS_OF)
    assert exc.value.status == 404


def test_second_open_extension_request_is_refused(w, uploads):
    services.request_extension(w.reporter, w.a_fin, date(2022, 1, 31), "理由", as_of=AS_OF)
    before = state(uploads)
    with pytest.raises(ServiceError) as exc:
        services.request_extension(w.reporter, w.a_fin, date(2022, 2, 28), "另一个理由", as_of=AS_OF)
    assert exc.value.status == 409 and "已有一份待审批的延期申请（申请延期至2022-01-31）" in exc.value.message
    assert state(uploads) == before


def test_the_database_itself_allows_one_open_request_per_assignment(w):
    db.session.add(ExtensionRequest(assignment_id=w.a_fin.id, requested_due_on=date(2022, 1, 1), reason="a"))
    db.session.flush()
    db.session.add(ExtensionRequest(assignment_id=w.a_fin.id, requested_due_on=date(2022, 1, 1), reason="b",
                                    status="rejected"))
    db.session.flush()
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(ExtensionRequest(assignment_id=w.a_fin.id, requested_due_on=date(2022, 2, 1), reason="c"))


def test_a_race_past_the_check_is_stopped_by_the_index(w, monkeypatch):
    services.request_extension(w.reporter, w.a_fin, date(2022, 1, 31), "理由", as_of=AS_OF)
    monkeypatch.setattr(services, "open_extension", lambda a: None)
    with pytest.raises(ServiceError) as exc:
        services.request_extension(w.reporter, w.a_fin, date(2022, 2, 28), "理由", as_of=AS_OF)
    assert exc.value.status == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExtensionRequest)) == 1


# --- timeline ---------------------------------------------------------------------------------------

def test_timeline_tells_who_did_what_in_order(w):
    from tracker.inbox.services import notify_unit

    w.a_fin.created_at = NOW - timedelta(days=30)
    r = services.save_report(w.reporter, w.a_fin, text="第一次", progress="40", submit=True,
                             now=NOW + timedelta(hours=1))
    services.review_report(w.supervisor, r, approve=False, reason="材料不全", now=NOW + timedelta(hours=2))
    r2 = services.save_report(w.reporter, w.a_fin, text="补充后", progress="100", is_close_request=True,
                              submit=True, now=NOW + timedelta(hours=3))
    req = services.request_extension(w.reporter, w.a_fin, date(2022, 1, 31), "等数据", as_of=AS_OF)
    req.created_at = NOW + timedelta(hours=4)
    services.decide_extension(w.supervisor, req, approve=False, reason="不必延期", now=NOW + timedelta(hours=5))
    services.review_report(w.supervisor, r2, approve=True, now=NOW + timedelta(hours=6))
    from tracker.supervise.models import Reminder

    notify_unit(w.finance.id, kind="reminder", title="催办：请按时报送", object_type="assignment", object_id=w.a_fin.id)
    db.session.add(Reminder(assignment_id=w.a_fin.id, unit_id=w.finance.id, stage="due_soon", due_on=w.a_fin.due_on,
                            sweep_on=date(2099, 1, 1)))
    db.session.flush()
    got = [(e.kind, e.title, e.actor) for e in services.timeline(w.a_fin)]
    assert got[0] == ("created", "任务分派给市财政局（牵头单位）", None)
    assert got[1:8] == [
        ("report", "报送进展（进度40%）", "财政填报员"),
        ("returned", "退回进展报告", "督查员"),
        ("report", "申请办结（进度100%）", "财政填报员"),
        ("extension", "申请延期至2022-01-31", "财政填报员"),
        ("extension_rejected", "不予延期（申请延期至2022-01-31）", "督查员"),
        ("approved", "审核通过办结申请", "督查员"),
        ("completed", "任务办结", None),
    ]
    # The sweep's reminder row, not the inbox message (which only tests used to write).
    assert got[8:] == [("notice", f"催办（临期，完成时限{w.a_fin.due_on.isoformat()}）", None)]
    assert services.timeline(w.a_fin)[2].detail == "材料不全"


# --- answering a returned report (issue 21) ---------------------------------------------------------

def _returned(w, **kw):
    r = save(w, **kw)
    services.review_report(w.supervisor, r, approve=False, reason="请补充政策解读的发布链接", now=NOW)
    db.session.commit()  # so that a refused submission's rollback leaves the returned report
    return r


def test_an_unchanged_resubmission_of_a_returned_report_is_refused(w, uploads):
    r = _returned(w, files=[("解读.pdf", io.BytesIO(PDF))])
    before = len(actions())
    with pytest.raises(ServiceError) as exc:
        save(w)  # the same text and link, and no file the returned report lacked
    assert exc.value.status == 409 and "与被退回的报告完全相同" in exc.value.message
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ProgressReport.id))) == 1
    assert len(actions()) == before
    # The same file again is no change either.
    with pytest.raises(ServiceError, match="与被退回的报告完全相同"):
        save(w, files=[("另一个名字.pdf", io.BytesIO(PDF))])
    db.session.rollback()
    assert db.session.scalars(sa.select(ProgressReport.status)).all() == ["returned"]
    assert stored_files(uploads) and len(stored_files(uploads)) == 1  # the refused copy left no file
    assert r.id is not None


@pytest.mark.parametrize("change", [
    {"text": "已发布解读材料12篇，并补充了发布链接。"},
    {"links": "https://www.example.gov.cn/a.html\nhttps://www.example.gov.cn/b.html"},
])
def test_a_changed_text_or_link_answers_a_returned_report(w, change):
    _returned(w)
    sent = save(w, **change)
    assert sent.status == "submitted"
    assert sorted(db.session.scalars(sa.select(ProgressReport.status))) == ["returned", "submitted"]


def test_a_new_evidence_file_alone_answers_a_returned_report(w, uploads):
    _returned(w, files=[("解读.pdf", io.BytesIO(PDF))])
    sent = save(w, files=[("截图.png", io.BytesIO(PNG))])
    assert sent.status == "submitted" and [e.original_name for e in sent.evidence] == ["截图.png"]


def test_a_new_file_saved_in_the_draft_first_counts_as_a_change(w, uploads):
    _returned(w)
    save(w, submit=False, files=[("截图.png", io.BytesIO(PNG))])
    assert save(w).status == "submitted"


def test_the_same_report_twice_while_waiting_for_review_is_refused(w):
    save(w)
    db.session.commit()
    with pytest.raises(ServiceError, match="与正在审核中的报告完全相同"):
        save(w)
    db.session.rollback()
    assert db.session.scalars(sa.select(ProgressReport.status)).all() == ["submitted"]


def test_a_draft_may_repeat_the_returned_report(w):
    _returned(w)
    assert save(w, submit=False).status == "draft"

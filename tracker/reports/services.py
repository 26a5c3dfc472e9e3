"""Report, review and extension writes: each checks the actor, flushes, records an audit event, never commits.

Evidence files are written before the report rows. Which files a transaction put on disk is kept
in ``session.info``; session events remove them again if the transaction rolls back (unless some
other Evidence row uses the same content), and delete files a committed transaction released.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from ..audit.models import AuditEvent
from ..audit.services import record, snapshot
from ..errors import ServiceError
from ..extensions import db
from ..inbox.services import notify_unit, notify_users
from ..plans.models import Assignment, Task
from ..plans.status import issued_events
from ..timeutil import local_start, to_local, utcnow
from . import storage
from .inputs import (
    MAX_REASON,
    InputError,
    clean_text,
    parse_links,
    parse_percent,
    parse_target_values,
    require_reason,
    target_metrics,
)
from .models import REPORT_STATUS_LABELS, Evidence, ExtensionRequest, ProgressReport

MAX_FILES_PER_REPORT = 20
MAX_BULK = 500
REPORT_FIELDS = ("status", "text", "progress", "target_values", "links", "is_close_request")
ASSIGNMENT_FIELDS = ("status", "progress", "due_on", "original_due_on", "completed_at")
EXTENSION_FIELDS = ("status", "requested_due_on", "reason", "decision_reason", "previous_due_on")
#: session.info keys: {(sha256, root)} this transaction wrote / released
_WRITTEN = "reports.files_written"
_RELEASED = "reports.files_released"

FileUpload = tuple[str | None, BinaryIO]


# --- file bookkeeping tied to the database transaction -------------------------------------------

def _store_references() -> tuple:
    """Every column that names a file in the evidence store: a file goes only when none of them does."""
    from ..annual.models import AnnualReport
    from ..disclosure.models import DisclosureDocument
    from ..plans.models import Task

    return (Evidence.sha256, DisclosureDocument.sha256, Task.scan_sha256, AnnualReport.source_sha256)


def _unreferenced(session: Session, shas: set[str]) -> set[str]:
    used = sa.union(*(sa.select(column).where(column.in_(shas)) for column in _store_references()))
    return shas - set(session.scalars(sa.select(used.subquery().c[0])))


def _remove_files(session: Session, files: set[tuple[str, str]], *, check: bool) -> None:
    if not files:
        return
    keep: set[str] = set()
    if check:
        shas = {sha for sha, _ in files}
        keep = shas - _unreferenced(session, shas)
    for sha, root in files:
        if sha not in keep:
            storage.remove(sha, Path(root))


@event.listens_for(Session, "after_commit")
def _files_after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    # The check that nothing else uses them was made before the commit (no SQL is allowed here).
    _remove_files(session, session.info.pop(_RELEASED, set()), check=False)


@event.listens_for(Session, "after_soft_rollback")
def _files_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: the outer transaction may still commit these files
    session.info.pop(_RELEASED, None)
    written = session.info.pop(_WRITTEN, None)
    if written:
        # Another request may have committed a row for the same content meanwhile: keep those.
        _remove_files(session, written, check=session.is_active)


def store_files(files: Sequence[FileUpload]) -> list[storage.StoredFile]:
    """Write every upload or none: on the first failure, remove what this call wrote and re-raise."""
    root = storage.upload_root()
    limit = current_app.config["MAX_FILE_BYTES"]
    written = db.session.info.setdefault(_WRITTEN, set())
    done: list[storage.StoredFile] = []
    try:
        for name, stream in files:
            stored = storage.store(stream, name, max_bytes=limit, root=root)
            done.append(stored)
            if stored.is_new:
                written.add((stored.sha256, str(root)))
    except BaseException:
        mine = {(f.sha256, str(root)) for f in done if f.is_new}
        written.difference_update(mine)
        _remove_files(db.session, mine, check=True)
        raise
    return done


# --- checks -----------------------------------------------------------------------------------------

def _require_reporter_of(actor, assignment: Assignment) -> None:
    if actor is None or actor.role != "reporter" or actor.unit_id != assignment.unit_id:
        # Same answer as for a missing assignment: never confirm that another unit's task exists.
        raise ServiceError("任务不存在，或不属于本单位。", status=404)


def _require_supervisor_over(actor, unit) -> None:
    if actor is None or actor.role != "supervisor":
        raise ServiceError("只有督查人员可以审核。", status=403)
    if actor.unit is None or not unit.is_within(actor.unit):
        raise ServiceError("该单位不在您的督办范围内。", status=404)


def _input(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except InputError as exc:
        raise ServiceError(str(exc)) from None


def _when(value: datetime | None) -> str:
    local = to_local(value, current_app.config["TIMEZONE"])
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def _assignment_link(assignment_id: int) -> str:
    return f"/assignments/{assignment_id}"


# --- reports ----------------------------------------------------------------------------------------

def current_draft(assignment: Assignment) -> ProgressReport | None:
    """Return the unit's draft on an assignment (there is at most one)."""
    return db.session.scalar(
        sa.select(ProgressReport)
        .where(ProgressReport.assignment_id == assignment.id, ProgressReport.status == "draft")
        .order_by(ProgressReport.id.desc()).limit(1)
    )


def last_sent_report(assignment: Assignment) -> ProgressReport | None:
    """Return the assignment's newest report that left the unit (submitted, approved or returned)."""
    return db.session.scalar(
        sa.select(ProgressReport)
        .where(ProgressReport.assignment_id == assignment.id, ProgressReport.status != "draft")
        .options(selectinload(ProgressReport.evidence), joinedload(ProgressReport.reviewer))
        .order_by(ProgressReport.id.desc()).limit(1)
    )


def returned_request(assignment: Assignment) -> ProgressReport | None:
    """Return the returned report the unit has to answer (the newest sent report, when it was returned)."""
    last = last_sent_report(assignment)
    return last if last is not None and last.status == "returned" else None


def _same_as(sent: ProgressReport, body: str, urls: list[str], shas: set[str]) -> bool:
    """Tell whether a submission repeats a sent report: same text and links, and no file the report lacked."""
    return (body.strip() == (sent.text or "").strip() and list(urls or []) == list(sent.links or [])
            and shas <= {e.sha256 for e in sent.evidence})


def _refuse_repeat(assignment: Assignment, body: str, urls: list[str], shas: set[str]) -> None:
    """Refuse to submit what the newest sent report already said, when it was returned or awaits review.

    A returned report is answered by changing it (text, links or a new file); an unchanged copy would
    only enter the review queue again as a duplicate.
    """
    last = last_sent_report(assignment)
    if last is None or last.status not in ("returned", "submitted") or not _same_as(last, body, urls, shas):
        return
    if last.status == "returned":
        raise ServiceError("本次提交与被退回的报告完全相同。请根据退回意见修改进展情况、发布链接，"
                           "或补充新的佐证材料后再提交。", status=409)
    raise ServiceError("本次提交与正在审核中的报告完全相同，无需重复提交。", status=409)


def _has_pending_close_request(assignment: Assignment) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(
        ProgressReport.assignment_id == assignment.id,
        ProgressReport.status == "submitted",
        ProgressReport.is_close_request,
    ))))


def _attach_evidence(report: ProgressReport, stored: list[storage.StoredFile], now: datetime) -> None:
    """Add one Evidence row per stored file, skipping content the report already carries."""
    present = {e.sha256 for e in report.evidence}
    for f in stored:
        if f.sha256 in present:
            continue
        present.add(f.sha256)
        report.evidence.append(Evidence(sha256=f.sha256, size=f.size, original_name=f.original_name,
                                        content_type=f.content_type, created_at=now))


def _audit_report(actor, action: str, report: ProgressReport, before: dict | None) -> None:
    after = snapshot(report, REPORT_FIELDS)
    after["files"] = [e.original_name for e in report.evidence]
    record(actor, action, "report", report.id, before=before, after=after)


def save_report(actor, assignment: Assignment, *, text: str | None, progress: int | str,
                target_values: dict | None = None, links: str | Iterable[str] | None = None,
                is_close_request: bool = False, submit: bool, files: Sequence[FileUpload] = (),
                now: datetime | None = None) -> ProgressReport:
    """Save the unit's draft on an assignment, or submit it for review, with its evidence files.

    Everything typed is checked before any file is written; files are written before any row.
    """
    now = now or utcnow()
    _require_reporter_of(actor, assignment)
    if assignment.status == "completed":
        raise ServiceError("该任务已办结，不能再填报。如需补充材料，请联系督查人员。", status=409)
    body = _input(clean_text, text)
    percent = _input(parse_percent, progress)
    values = _input(parse_target_values, target_values or {}, target_metrics(assignment.task.targets))
    urls = _input(parse_links, links)
    files = list(files)
    draft = current_draft(assignment)
    already = len(draft.evidence) if draft else 0
    if already + len(files) > MAX_FILES_PER_REPORT:
        raise ServiceError(f"每份报告最多{MAX_FILES_PER_REPORT}个文件，本次共{already + len(files)}个。")
    if submit:
        if not body:
            raise ServiceError("请填写进展情况后再提交。")
        # Two submissions at once: the second waits here for the first to commit, then its checks see the
        # first one's report (PostgreSQL; SQLite runs one writer at a time).
        db.session.execute(sa.select(Assignment.id).where(Assignment.id == assignment.id).with_for_update())
        if is_close_request and percent < 100:
            raise ServiceError("申请办结时，完成进度应为100%。")
        if is_close_request and _has_pending_close_request(assignment):
            raise ServiceError("已有一份办结申请正在审核中，请等待审核结果。", status=409)
    elif not (body or urls or values or files or already):
        raise ServiceError("草稿是空的：请至少填写进展情况、链接或选择文件。")

    stored = store_files(files)
    if submit:
        # Known only once the files are read; a refusal rolls back, which removes the files just written.
        shas = {e.sha256 for e in draft.evidence} if draft else set()
        _refuse_repeat(assignment, body, urls, shas | {f.sha256 for f in stored})

    before = snapshot(draft, REPORT_FIELDS) if draft else None
    report = draft or ProgressReport(assignment=assignment, unit_id=assignment.unit_id, created_at=now)
    if draft is None:
        db.session.add(report)
    report.author_id = actor.id
    report.text, report.progress, report.target_values, report.links = body, percent, values, urls
    report.is_close_request = bool(is_close_request)
    report.updated_at = now
    _attach_evidence(report, stored, now)
    if submit:
        report.status = "submitted"
        report.submitted_at = now
        if assignment.status == "pending":
            assignment.status = "in_progress"
    try:
        # The partial unique indexes settle two posts at once that both passed the checks above.
        # (No savepoint here: releasing one would end the file bookkeeping tied to the transaction.)
        db.session.flush()
    except IntegrityError:
        raise ServiceError("该任务刚刚由另一次提交保存了草稿或办结申请，本次未保存。请刷新页面查看后再操作。",
                           status=409) from None
    _audit_report(actor, "report.submit" if submit else "report.save_draft", report, before)
    return report


def has_pending_close_request(assignment: Assignment) -> bool:
    """Return whether a close request (申请办结) on the assignment waits for review."""
    return _has_pending_close_request(assignment)


def submit_close_request_for(actor, assignment: Assignment, *, text: str, files: Sequence[FileUpload],
                             now: datetime | None = None) -> ProgressReport:
    """Submit a close request on a unit's assignment for it, by a supervisor or the system (actor None).

    For a document the tracker itself holds as the unit's work (the unit's annual report): it carries the
    files as evidence and is reviewed like any report. A unit's own reporter uses save_report.
    """
    now = now or utcnow()
    if actor is not None and actor.role != "supervisor":
        raise ServiceError("只有督查人员可以代为提交。", status=403)
    if assignment.status == "completed":
        raise ServiceError("该任务已办结，不能再填报。", status=409)
    if _has_pending_close_request(assignment):
        raise ServiceError("已有一份办结申请正在审核中，请等待审核结果。", status=409)
    stored = store_files(list(files))
    report = ProgressReport(assignment=assignment, unit_id=assignment.unit_id, author_id=getattr(actor, "id", None),
                            text=_input(clean_text, text), progress=100, target_values={}, links=[],
                            is_close_request=True, status="submitted", submitted_at=now, created_at=now,
                            updated_at=now)
    db.session.add(report)
    _attach_evidence(report, stored, now)
    if assignment.status == "pending":
        assignment.status = "in_progress"
    db.session.flush()
    _audit_report(actor, "report.submit", report, None)
    return report


def remove_draft_evidence(actor, evidence: Evidence) -> None:
    """Take a file off the unit's draft; the bytes go once the transaction commits and nothing else uses them."""
    report = evidence.report
    _require_reporter_of(actor, report.assignment)
    if report.status != "draft":
        raise ServiceError("已提交的报告不能删除材料。", status=409)
    sha, name = evidence.sha256, evidence.original_name
    report.evidence.remove(evidence)
    db.session.flush()
    if _unreferenced(db.session, {sha}):
        db.session.info.setdefault(_RELEASED, set()).add((sha, str(storage.upload_root())))
    record(actor, "evidence.remove", "report", report.id, before={"file": name, "sha256": sha})


# --- review -----------------------------------------------------------------------------------------

@dataclass
class BulkResult:
    approved: list[int] = field(default_factory=list)
    #: (report id, why it was left alone)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _review(actor, report: ProgressReport, approve: bool, comment: str | None, now: datetime) -> bool:
    """Apply one decision; return False when the report already has it. Task completion is left to the caller."""
    decision = "approved" if approve else "returned"
    if report.status == decision:
        return False
    if report.status != "submitted":
        if report.status == "draft":
            raise ServiceError("该报告尚未提交，不能审核。", status=409)
        who = report.reviewer.display_name if report.reviewer else "他人"
        raise ServiceError(
            f"该报告已于{_when(report.reviewed_at)}由{who}审核为“{report.status_label}”，不能再更改。", status=409
        )
    # A conditional UPDATE: of two clicks (or two supervisors) at once, only one changes the row.
    changed = db.session.execute(
        sa.update(ProgressReport)
        .where(ProgressReport.id == report.id, ProgressReport.status == "submitted")
        .values(status=decision, reviewed_at=now, reviewer_id=actor.id, review_comment=comment or None)
    ).rowcount
    if changed != 1:
        db.session.refresh(report)
        if report.status == decision:
            return False
        raise ServiceError(f"该报告已被审核为“{report.status_label}”，不能再更改。", status=409)
    db.session.refresh(report)
    a = report.assignment
    a_before = snapshot(a, ASSIGNMENT_FIELDS)
    title = a.task.title
    if approve:
        a.progress = max(a.progress, report.progress)
        if report.is_close_request and a.status != "completed":
            a.status, a.completed_at, a.progress = "completed", now, 100
            notify_unit(report.unit_id, kind="report_approved", title=f"办结申请已通过：{title}",
                        body=comment or "", link=_assignment_link(a.id), object_type="report", object_id=report.id)
        elif a.status == "pending":
            a.status = "in_progress"
    else:
        notify_unit(report.unit_id, kind="report_returned", title=f"进展报告被退回：{title}",
                    body=f"退回原因：{comment}", link=_assignment_link(a.id), object_type="report", object_id=report.id)
    db.session.flush()
    after = {"status": decision, "comment": comment, "assignment_before": a_before,
             "assignment_after": snapshot(a, ASSIGNMENT_FIELDS)}
    record(actor, "report.approve" if approve else "report.return", "report", report.id,
           before={"status": "submitted"}, after=after)
    return True


def _complete_tasks(task_ids: set[int], actor, now: datetime) -> list[int]:
    """Mark tasks completed whose lead and responsible assignments are all completed; return their ids."""
    if not task_ids:
        return []
    counts = db.session.execute(
        sa.select(
            Assignment.task_id,
            sa.func.count(),
            sa.func.sum(sa.case((Assignment.status == "completed", 1), else_=0)),
        )
        .where(Assignment.task_id.in_(task_ids), Assignment.role.in_(("lead", "responsible")))
        .group_by(Assignment.task_id)
    ).all()
    done = [tid for tid, total, completed in counts if total and total == int(completed or 0)]
    if not done:
        return []
    tasks = db.session.scalars(sa.select(Task).where(Task.id.in_(done), Task.completed_at.is_(None))).all()
    for task in tasks:
        task.completed_at = now
        record(actor, "task.complete", "task", task.id, after={"completed_at": now})
    db.session.flush()
    return [t.id for t in tasks]


def review_report(actor, report: ProgressReport, *, approve: bool, reason: str | None = None,
                  now: datetime | None = None) -> bool:
    """Approve or return a submitted report; return False (and do nothing) when it already has that decision."""
    now = now or utcnow()
    _require_supervisor_over(actor, report.unit)
    if approve:
        comment = _input(clean_text, reason, limit=MAX_REASON, what="审核意见")
    else:
        comment = _input(require_reason, reason, what="退回原因")
    changed = _review(actor, report, approve, comment, now)
    if changed and approve:
        _complete_tasks({report.assignment.task_id}, actor, now)
    return changed


def bulk_approve(actor, report_ids: Iterable[int | str], *, now: datetime | None = None) -> BulkResult:
    """Approve several submitted reports; the ones that are not waiting for review are skipped, not failed."""
    now = now or utcnow()
    if actor is None or actor.role != "supervisor":
        raise ServiceError("只有督查人员可以审核。", status=403)
    try:
        ids = sorted({int(i) for i in report_ids})
    except (TypeError, ValueError):
        raise ServiceError("所选报告编号有误，请刷新页面后重试。") from None
    if not ids:
        raise ServiceError("请先勾选要通过的报告。")
    if len(ids) > MAX_BULK:
        raise ServiceError(f"一次最多批量通过{MAX_BULK}份报告。")
    reports = db.session.scalars(
        sa.select(ProgressReport).where(ProgressReport.id.in_(ids))
        .options(joinedload(ProgressReport.unit), joinedload(ProgressReport.assignment).joinedload(Assignment.task))
        .order_by(ProgressReport.id)
    ).all()
    result = BulkResult()
    found = {r.id for r in reports}
    result.skipped.extend((i, "不存在") for i in ids if i not in found)
    task_ids: set[int] = set()
    for report in reports:
        if actor.unit is None or not report.unit.is_within(actor.unit):
            result.skipped.append((report.id, "不存在"))  # outside the scope: same as missing
            continue
        if report.status != "submitted":
            result.skipped.append((report.id, REPORT_STATUS_LABELS.get(report.status, report.status)))
            continue
        if _review(actor, report, True, None, now):
            result.approved.append(report.id)
            task_ids.add(report.assignment.task_id)
        else:
            result.skipped.append((report.id, "已通过"))
    _complete_tasks(task_ids, actor, now)
    return result


def set_report_public(actor, report: ProgressReport, is_public: bool) -> bool:
    """Allow (or withdraw) a report's text on the public progress page; return whether anything changed."""
    _require_supervisor_over(actor, report.unit)
    if is_public and report.status != "approved":
        raise ServiceError("只有审核通过的报告才能公开。", status=409)
    if report.is_public == bool(is_public):
        return False
    report.is_public = bool(is_public)
    db.session.flush()
    record(actor, "report.publish" if is_public else "report.unpublish", "report", report.id,
           before={"is_public": not is_public}, after={"is_public": bool(is_public)})
    return True


# --- extensions -------------------------------------------------------------------------------------

def open_extension(assignment: Assignment) -> ExtensionRequest | None:
    """Return the assignment's open extension request, if any."""
    return db.session.scalar(
        sa.select(ExtensionRequest).where(ExtensionRequest.assignment_id == assignment.id,
                                          ExtensionRequest.status == "open")
    )


def _already_open_message(request: ExtensionRequest | None) -> str:
    when = f"（申请延期至{request.requested_due_on.isoformat()}）" if request else ""
    return f"该任务已有一份待审批的延期申请{when}，请等待督查人员审批后再申请。"


def request_extension(actor, assignment: Assignment, new_due: date | None, reason: str | None, *,
                      as_of: date) -> ExtensionRequest:
    """Ask, before the due date, for a later due date; one open request per assignment."""
    _require_reporter_of(actor, assignment)
    if assignment.status == "completed":
        raise ServiceError("该任务已办结，无需申请延期。", status=409)
    if assignment.due_on is None:
        raise ServiceError("该任务没有具体完成时限，无需申请延期。", status=409)
    text = _input(require_reason, reason, what="延期理由")
    if new_due is None:
        raise ServiceError("请填写申请延期到的日期。")
    if as_of > assignment.due_on:
        raise ServiceError(
            f"已超过完成时限（{assignment.due_on.isoformat()}），不能再申请延期；请说明情况并联系督查人员。", status=409
        )
    if new_due < as_of:
        raise ServiceError(f"申请的新时限（{new_due.isoformat()}）不能早于今天（{as_of.isoformat()}）。")
    if new_due <= assignment.due_on:
        raise ServiceError(
            f"申请的新时限（{new_due.isoformat()}）应晚于当前完成时限（{assignment.due_on.isoformat()}）。"
        )
    existing = open_extension(assignment)
    if existing is not None:
        raise ServiceError(_already_open_message(existing), status=409)
    req = ExtensionRequest(assignment=assignment, requested_by_id=actor.id, requested_due_on=new_due, reason=text)
    try:
        # The partial unique index settles a race between two requests that both passed the check above.
        with db.session.begin_nested():
            db.session.add(req)
    except IntegrityError:
        raise ServiceError(_already_open_message(open_extension(assignment)), status=409) from None
    record(actor, "extension.request", "extension", req.id, after=snapshot(req, EXTENSION_FIELDS))
    return req


def decide_extension(actor, request: ExtensionRequest, *, approve: bool, reason: str | None = None,
                     now: datetime | None = None) -> bool:
    """Approve (the due date moves; the original is kept) or reject an open request; False when already so."""
    now = now or utcnow()
    a = request.assignment
    _require_supervisor_over(actor, a.unit)
    decision = "approved" if approve else "rejected"
    if request.status == decision:
        return False
    if request.status != "open":
        raise ServiceError(f"该延期申请已{request.status_label}，不能更改。", status=409)
    if approve:
        comment = _input(clean_text, reason, limit=MAX_REASON, what="审批意见")
    else:
        comment = _input(require_reason, reason, what="不予延期的理由")
    changed = db.session.execute(
        sa.update(ExtensionRequest)
        .where(ExtensionRequest.id == request.id, ExtensionRequest.status == "open")
        .values(status=decision, decided_by_id=actor.id, decided_at=now, decision_reason=comment or None,
                previous_due_on=a.due_on)
    ).rowcount
    db.session.refresh(request)
    if changed != 1:
        if request.status == decision:
            return False
        raise ServiceError(f"该延期申请已{request.status_label}，不能更改。", status=409)
    a_before = snapshot(a, ASSIGNMENT_FIELDS)
    if approve:
        if a.original_due_on is None:
            a.original_due_on = a.due_on
        a.due_on = request.requested_due_on
    db.session.flush()
    verdict = "已批准" if approve else "未获批准"
    body = f"申请延期至{request.requested_due_on.isoformat()}：{verdict}。" + (f"意见：{comment}" if comment else "")
    recipients = [request.requested_by_id] if request.requested_by_id else []
    kwargs = dict(kind="extension", title=f"延期申请{verdict}：{a.task.title}", body=body,
                  link=_assignment_link(a.id), object_type="extension", object_id=request.id)
    if recipients:
        notify_users(recipients, **kwargs)
    else:
        notify_unit(a.unit_id, **kwargs)
    record(actor, "extension.approve" if approve else "extension.reject", "extension", request.id,
           before={"status": "open", "assignment": a_before},
           after={**snapshot(request, EXTENSION_FIELDS), "assignment": snapshot(a, ASSIGNMENT_FIELDS)})
    return True


# --- timeline ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    #: created | report | approved | returned | extension | extension_approved | extension_rejected |
    #: completed | notice | event
    kind: str
    title: str
    actor: str | None = None
    detail: str = ""


#: audit actions the domain tables already tell; the timeline takes those from the tables
_TOLD_BY_TABLES = ("report.", "extension.", "evidence.", "assignment.complete", "reminder.")


def timeline(assignment: Assignment) -> list[TimelineEntry]:
    """Return what happened to an assignment, oldest first, each with who and when."""
    entries: list[TimelineEntry] = []
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "assignment", AuditEvent.object_id == assignment.id)
        .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    created = next((e for e in events if e.action in ("assignment.create", "assignment.assign")), None)
    entries.append(TimelineEntry(
        at=created.created_at if created else assignment.created_at, kind="created",
        title=f"任务分派给{assignment.unit.display_name}（{assignment.role_label}）",
        actor=created.actor.display_name if created and created.actor else None,
        detail=f"完成时限 {(assignment.original_due_on or assignment.due_on or '—')}",
    ))
    for e in events:
        if e is created or e.action.startswith(_TOLD_BY_TABLES):
            continue
        entries.append(TimelineEntry(at=e.created_at, kind="event", title=_event_title(e),
                                     actor=e.actor.display_name if e.actor else None))
    reports = db.session.scalars(
        sa.select(ProgressReport).where(ProgressReport.assignment_id == assignment.id, ProgressReport.status != "draft")
        .options(joinedload(ProgressReport.author), joinedload(ProgressReport.reviewer),
                 selectinload(ProgressReport.evidence))
        .order_by(ProgressReport.id)
    ).all()
    for r in reports:
        what = "申请办结" if r.is_close_request else "报送进展"
        files = f"，佐证材料{len(r.evidence)}个" if r.evidence else ""
        entries.append(TimelineEntry(at=r.submitted_at or r.created_at, kind="report",
                                     title=f"{what}（进度{r.progress}%{files}）",
                                     actor=r.author.display_name if r.author else None, detail=r.text[:200]))
        if r.status in ("approved", "returned") and r.reviewed_at:
            entries.append(TimelineEntry(
                at=r.reviewed_at, kind=r.status,
                title=("审核通过" if r.status == "approved" else "退回") + ("办结申请" if r.is_close_request else "进展报告"),
                actor=r.reviewer.display_name if r.reviewer else None, detail=r.review_comment or "",
            ))
    requests = db.session.scalars(
        sa.select(ExtensionRequest).where(ExtensionRequest.assignment_id == assignment.id)
        .options(joinedload(ExtensionRequest.requested_by), joinedload(ExtensionRequest.decided_by))
        .order_by(ExtensionRequest.id)
    ).all()
    for x in requests:
        entries.append(TimelineEntry(at=x.created_at, kind="extension",
                                     title=f"申请延期至{x.requested_due_on.isoformat()}",
                                     actor=x.requested_by.display_name if x.requested_by else None, detail=x.reason))
        if x.decided_at:
            if x.status == "approved":
                title = f"批准延期：{x.previous_due_on} → {x.requested_due_on}"
            else:
                title = f"不予延期（申请延期至{x.requested_due_on.isoformat()}）"
            entries.append(TimelineEntry(at=x.decided_at, kind=f"extension_{x.status}", title=title,
                                         actor=x.decided_by.display_name if x.decided_by else None,
                                         detail=x.decision_reason or ""))
    # Reminders and escalations the sweep issued: the rows every 已催办/督办 figure counts.
    for e in issued_events(assignment.id):
        entries.append(TimelineEntry(at=local_start(e.on), kind="notice", title=e.title))
    if assignment.completed_at:
        entries.append(TimelineEntry(at=assignment.completed_at, kind="completed", title="任务办结"))
    order = {"created": 0}
    entries.sort(key=lambda e: (e.at, order.get(e.kind, 1)))
    return entries


#: how audit actions of other domains read on the timeline
EVENT_TITLES = {
    "assignment.update": "修改承办信息",
    "assignment.delete": "撤销承办",
    "assignment.reassign": "调整承办单位",
    "assignment.due_change": "调整完成时限",
}


def _event_title(e: AuditEvent) -> str:
    return EVENT_TITLES.get(e.action, e.action)

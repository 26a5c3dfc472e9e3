"""我的任务, the assignment page with reports and extensions, evidence downloads, and the review queues."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from .. import printing
from ..access import ROLES, roles
from ..plans.status import StatusRules
from ..supervise.calendar_db import current_calendar
from ..errors import ServiceError, commit_or_flash
from ..extensions import db
from ..pagination import Page, current_page, paginate
from ..plans import queries as plan_queries
from ..plans.models import Assignment, Plan
from ..timeutil import app_today, parse_iso_date, utcnow
from . import queries, services, storage
from .forms import ExtensionForm, ReportForm
from .inputs import target_metrics
from .models import ExtensionRequest, ProgressReport

bp = Blueprint("reports", __name__)
bp.add_app_template_filter(storage.format_size, "filesize")

#: ServiceError statuses shown on the same page as a message; others get the error page
_SHOWN_INLINE = (400, 409)


def _today() -> date:
    return app_today()


def _view_date() -> tuple[date, bool]:
    """Return the date a read-only page is shown at: ?as_of=YYYY-MM-DD (to replay a day, e.g. the demo's) or today."""
    try:
        chosen = parse_iso_date(request.args.get("as_of"))
    except ValueError:
        chosen = None
    return (chosen, True) if chosen else (_today(), False)


def _page(stmt: sa.Select, total: int) -> Page:
    """Return one page of `stmt` with a total counted by a leaner query than pagination's generic one."""
    per_page, number = current_app.config["PAGE_SIZE"], current_page()
    items = db.session.scalars(stmt.limit(per_page).offset((number - 1) * per_page)).unique().all()
    return Page(items=list(items), page=number, per_page=per_page, total=total)


def _back(default: str) -> str:
    """Return the form's local `next` URL, or the default (never an outside address)."""
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return default

def _decide(action, back: str):
    """Run a supervisor's decision; (True, result) after a commit, else (False, a redirect back)."""
    ok, result = commit_or_flash(action, shown=_SHOWN_INLINE)
    return (True, result) if ok else (False, redirect(back))



# --- 我的任务 -----------------------------------------------------------------------------------------

def _my_filters() -> tuple[dict, bool]:
    """我的任务's filters from the query string (the list and its printout read the same), and whether
    the date is a replay."""
    (as_of, replay), calendar = _view_date(), current_calendar()
    status = request.args.get("status", "")
    return dict(as_of=as_of, calendar=calendar, plan_id=request.args.get("plan", type=int),
                status=status if status in queries.MY_FILTERS else "",
                term=request.args.get("q", "").strip()[:100]), replay

@bp.route("/my/tasks")
@roles("reporter")
def my_tasks():
    filters, replay = _my_filters()
    as_of, calendar, plan_id, status, term = (filters[k] for k in ("as_of", "calendar", "plan_id", "status", "term"))
    unit_id = current_user.unit_id
    page = _page(queries.my_tasks(unit_id, **filters), queries.my_tasks_count(unit_id, **filters))
    ids = [a.id for a in page.items]
    latest = queries.latest_reports(ids)
    rules = StatusRules.at(as_of, calendar=calendar)
    actions = queries.action_block(unit_id, as_of=as_of, calendar=calendar)
    states = {a.id: rules.state(a) for a in [*page.items, *actions.overdue, *actions.due_soon]}
    return render_template("reports/my_tasks.html", page=page, latest=latest, states=states, actions=actions,
                           plans=queries.my_plans(unit_id), plan_id=plan_id, status=status, term=term,
                           FILTERS=queries.MY_FILTERS, as_of=as_of, replay=replay, soon_days=rules.soon_workdays)


@bp.route("/my/tasks/print")
@roles("reporter")
def my_tasks_print():
    """我的任务 on one A4 printout: the same filters and date as the list, every row (up to the cap)."""
    filters, replay = _my_filters()
    as_of, calendar, plan_id, status, term = (filters[k] for k in ("as_of", "calendar", "plan_id", "status", "term"))
    unit_id = current_user.unit_id
    items = list(db.session.scalars(queries.my_tasks(unit_id, **filters).limit(printing.MAX_PRINT_ROWS + 1)).unique())
    cut = len(items) > printing.MAX_PRINT_ROWS
    items = items[:printing.MAX_PRINT_ROWS]
    rules = StatusRules.at(as_of, calendar=calendar)
    back = url_for(".my_tasks", **request.args)
    return render_template(
        "print/my_tasks.html", items=items, cut=cut, latest=queries.latest_reports([a.id for a in items]),
        states={a.id: rules.state(a) for a in items}, status_label=queries.MY_FILTERS.get(status, ""), term=term,
        plan_title=next((t for i, t in queries.my_plans(unit_id) if i == plan_id), None),
        **printing.context(f"{current_user.unit.name}承办任务清单", as_of=as_of, back=back))


# --- the assignment page ------------------------------------------------------------------------------

def _report_form_for(a: Assignment, draft: ProgressReport | None, last: ProgressReport | None) -> ReportForm:
    """Prefill from the draft, else from a returned report (the unit amends it), else from the assignment."""
    source = draft or (last if last is not None and last.status == "returned" else None)
    if source is None:
        return ReportForm(formdata=None, data={"progress": str(a.progress)})
    return ReportForm(formdata=None, data={
        "text": source.text, "progress": str(source.progress), "links": "\n".join(source.links or []),
        "is_close_request": source.is_close_request,
    })


def _render_assignment(a: Assignment, *, report_form: ReportForm | None = None,
                       ext_form: ExtensionForm | None = None, target_raw: dict | None = None, status: int = 200):
    as_of, replay = _view_date()
    own = current_user.role == "reporter" and current_user.unit_id == a.unit_id
    reports = paginate(queries.assignment_reports(a), per_page=current_app.config["PAGE_SIZE"],
                       page=max(1, request.args.get("rpage", 1, type=int) or 1))
    draft = services.current_draft(a) if own else None
    last = db.session.scalar(queries.assignment_reports(a).limit(1))
    metrics = target_metrics(a.task.targets)
    source = draft or (last if last is not None and last.status == "returned" else None)
    if target_raw is None:
        target_raw = {m: (source.target_values or {}).get(m, "") for m in metrics} if source else {}
    can_report = own and a.status != "completed"
    if can_report and report_form is None:
        report_form = _report_form_for(a, draft, last)
    open_ext = services.open_extension(a)
    # Asking for more time is judged against the date the page shows (the app's today), never a
    # replayed one, so the page never says both "剩N个工作日" and "已超过完成时限".
    can_extend = (own and not replay and a.status != "completed" and a.due_on is not None and open_ext is None
                  and as_of <= a.due_on)
    if can_extend and ext_form is None:
        ext_form = ExtensionForm(formdata=None)
    extensions = db.session.scalars(
        sa.select(ExtensionRequest).where(ExtensionRequest.assignment_id == a.id).order_by(ExtensionRequest.id.desc())
    ).all()
    peers = peer_latest = None
    if queries.is_lead_for(current_user, a):
        peers = paginate(queries.peer_assignments(a), per_page=current_app.config["PAGE_SIZE"],
                         page=max(1, request.args.get("ppage", 1, type=int) or 1))
        peer_latest = queries.latest_reports([p.id for p in peers.items], include_drafts=False)
    return render_template(
        "reports/assignment.html", a=a, own=own, reports=reports, draft=draft, metrics=metrics,
        target_raw=target_raw, report_form=report_form if can_report else None, ext_form=ext_form if can_extend else None,
        open_ext=open_ext, extensions=extensions, peers=peers, peer_latest=peer_latest,
        returned=last if can_report and last is not None and last.status == "returned" else None,
        timeline=services.timeline(a), state=StatusRules.at(as_of, calendar=current_calendar()).state(a), as_of=as_of,
        today=_today(), replay=replay,
        is_supervisor=current_user.role == "supervisor",
    ), status


@bp.route("/assignments/<int:assignment_id>")
@roles(*ROLES)
def assignment(assignment_id: int):
    return _render_assignment(plan_queries.get_assignment_for(current_user, assignment_id))


@bp.route("/assignments/<int:assignment_id>/reports", methods=["POST"])
@roles("reporter")
def save_report(assignment_id: int):
    a = plan_queries.get_assignment_for(current_user, assignment_id)
    form = ReportForm()
    if not form.validate_on_submit():
        flash("表单内容不完整，请检查后重新提交。", "danger")
        return _render_assignment(a, report_form=form, status=400)
    submit = bool(form.submit.data)
    metrics = target_metrics(a.task.targets)
    values = {m: request.form.get(f"target-{i}", "") for i, m in enumerate(metrics)}
    files = [(f.filename, f.stream) for f in request.files.getlist(form.files.name) if f and f.filename]
    try:
        services.save_report(current_user, a, text=form.text.data, progress=form.progress.data or "",
                             target_values=values, links=form.links.data, is_close_request=form.is_close_request.data,
                             submit=submit, files=files, now=utcnow())
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if exc.status not in _SHOWN_INLINE:
            raise
        flash(exc.message, "danger")
        return _render_assignment(a, report_form=form, target_raw=values, status=exc.status)
    flash("报告已提交，等待督查人员审核。" if submit else "草稿已保存，尚未提交。", "success")
    return redirect(url_for(".assignment", assignment_id=a.id) + "#reports")


@bp.route("/assignments/<int:assignment_id>/extensions", methods=["POST"])
@roles("reporter")
def request_extension(assignment_id: int):
    a = plan_queries.get_assignment_for(current_user, assignment_id)
    form = ExtensionForm()
    try:
        if not form.validate_on_submit():
            raise ServiceError("表单内容不完整，请检查后重新提交。")
        try:
            new_due = parse_iso_date(form.requested_due_on.data)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        services.request_extension(current_user, a, new_due, form.reason.data, as_of=_today())
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if exc.status not in _SHOWN_INLINE:
            raise
        flash(exc.message, "danger")
        return _render_assignment(a, ext_form=form, status=exc.status)
    flash("延期申请已提交，等待督查人员审批。", "success")
    return redirect(url_for(".assignment", assignment_id=a.id) + "#extension")


# --- evidence -----------------------------------------------------------------------------------------

@bp.route("/reports/<int:report_id>/evidence/<int:evidence_id>")
@roles(*ROLES)
def evidence(report_id: int, evidence_id: int):
    ev = queries.get_evidence_for(current_user, report_id, evidence_id)
    path = storage.path_for(ev.sha256)
    if not path.is_file():
        current_app.logger.error("evidence %s: file %s missing from the upload folder", ev.id, ev.sha256)
        abort(404)
    inline = ev.content_type in storage.INLINE_TYPES
    resp = send_file(path, mimetype=ev.content_type, conditional=True, etag=ev.sha256, max_age=0)
    resp.headers["Content-Disposition"] = storage.content_disposition(ev.original_name, inline=inline)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    # Even an image opened on its own must not run anything.
    resp.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp


@bp.route("/reports/<int:report_id>/evidence/<int:evidence_id>/remove", methods=["POST"])
@roles("reporter")
def remove_evidence(report_id: int, evidence_id: int):
    ev = queries.get_evidence_for(current_user, report_id, evidence_id)
    assignment_id = ev.report.assignment_id
    try:
        services.remove_draft_evidence(current_user, ev)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if exc.status not in _SHOWN_INLINE:
            raise
        flash(exc.message, "danger")
    else:
        flash("已从草稿中删除该文件。", "success")
    return redirect(url_for(".assignment", assignment_id=assignment_id) + "#report-form")


# --- review -------------------------------------------------------------------------------------------

@bp.route("/review")
@roles("supervisor")
def review_queue():
    plan_id = request.args.get("plan", type=int)
    unit_id = request.args.get("unit", type=int)
    section = request.args.get("section", "").strip() or None
    term = request.args.get("q", "").strip()[:100] or None
    filters = dict(plan_id=plan_id, unit_id=unit_id, section=section, term=term)
    page = _page(queries.review_queue(current_user, **filters), queries.review_queue_count(current_user, **filters))
    plans = db.session.execute(
        plan_queries.visible_plans(current_user).with_only_columns(Plan.id, Plan.title)
        .order_by(Plan.year.desc(), Plan.id.desc())
    ).all()
    return render_template("reports/review_queue.html", page=page, plans=plans, plan_id=plan_id, unit_id=unit_id,
                           section=section, term=term or "", units=queries.queue_units(current_user, include=unit_id),
                           sections=queries.plan_sections(plan_id) if plan_id else [])


@bp.route("/review/print")
@roles("supervisor")
def review_queue_print():
    """The review queue on one A4 printout, with the same filters and keyword (for a meeting or the file)."""
    plan_id = request.args.get("plan", type=int)
    unit_id = request.args.get("unit", type=int)
    section = request.args.get("section", "").strip() or None
    term = request.args.get("q", "").strip()[:100] or None
    filters = dict(plan_id=plan_id, unit_id=unit_id, section=section, term=term)
    reports = list(db.session.scalars(
        queries.review_queue(current_user, **filters).limit(printing.MAX_PRINT_ROWS + 1)).unique())
    cut = len(reports) > printing.MAX_PRINT_ROWS
    reports = reports[:printing.MAX_PRINT_ROWS]
    plan = db.session.scalar(plan_queries.visible_plans(current_user).where(Plan.id == plan_id)) if plan_id else None
    unit_name = next((name for i, name, _ in queries.queue_units(current_user, include=unit_id) if i == unit_id), None)
    conditions = [c for c in (plan.title if plan else None, section, unit_name,
                              f"关键词“{term}”" if term else None) if c]
    return render_template(
        "print/review_queue.html", reports=reports, cut=cut, conditions=conditions,
        **printing.context("待审核进展报告清单", back=url_for(".review_queue", **request.args)))


@bp.route("/review/<int:report_id>", methods=["POST"])
@roles("supervisor")
def review(report_id: int):
    report = queries.get_report_for(current_user, report_id)
    decision = request.form.get("decision")
    if decision not in ("approve", "return"):
        abort(400)
    back = _back(url_for(".review_queue"))
    ok, changed = _decide(lambda: services.review_report(current_user, report, approve=decision == "approve",
                                                         reason=request.form.get("reason"), now=utcnow()), back)
    if not ok:
        return changed
    if not changed:
        flash("该报告已是“" + report.status_label + "”状态，无需重复操作。", "info")
    elif decision == "approve":
        flash("已审核通过。" + ("该承办已办结。" if report.is_close_request else ""), "success")
    else:
        flash("已退回，并通知了该单位。", "success")
    return redirect(back)


@bp.route("/review/bulk", methods=["POST"])
@roles("supervisor")
def review_bulk():
    back = _back(url_for(".review_queue"))
    ok, result = _decide(lambda: services.bulk_approve(current_user, request.form.getlist("report_ids"), now=utcnow()),
                         back)
    if not ok:
        return result
    message = f"已批量通过{len(result.approved)}份报告。"
    if result.skipped:
        message += f"另有{len(result.skipped)}份未处理（已审核或不存在）。"
    flash(message, "success" if result.approved else "info")
    return redirect(back)


@bp.route("/reports/<int:report_id>/public", methods=["POST"])
@roles("supervisor")
def report_public(report_id: int):
    report = queries.get_report_for(current_user, report_id)
    make_public = request.form.get("public") == "1"
    back = _back(url_for(".assignment", assignment_id=report.assignment_id))
    ok, changed = _decide(lambda: services.set_report_public(current_user, report, make_public), back)
    if ok and changed:
        flash("已设为可公开。" if make_public else "已取消公开。", "success")
    return redirect(back)


# --- extensions ---------------------------------------------------------------------------------------

@bp.route("/extensions")
@roles("supervisor")
def extension_queue():
    status = "decided" if request.args.get("status") == "decided" else "open"
    page = paginate(queries.extension_queue(current_user, status=status), per_page=current_app.config["PAGE_SIZE"])
    return render_template("reports/extension_queue.html", page=page, status=status)


@bp.route("/extensions/<int:request_id>/decide", methods=["POST"])
@roles("supervisor")
def decide_extension(request_id: int):
    ext = queries.get_extension_for(current_user, request_id)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        abort(400)
    back = _back(url_for(".extension_queue"))
    ok, changed = _decide(lambda: services.decide_extension(current_user, ext, approve=decision == "approve",
                                                            reason=request.form.get("reason"), now=utcnow()), back)
    if not ok:
        return changed
    if not changed:
        flash(f"该延期申请已是“{ext.status_label}”状态，无需重复操作。", "info")
    elif decision == "approve":
        flash(f"已批准延期，新的完成时限为{ext.requested_due_on.isoformat()}。", "success")
    else:
        flash("已驳回延期申请，并通知了申请人。", "success")
    return redirect(back)

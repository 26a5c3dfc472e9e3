"""Supervision pages: overdue list, reminders, escalation and rectification notices, circulars, jobs, calendar."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..access import ROLES, roles
from ..calendar import overdue_workdays
from ..errors import commit_or_flash
from ..extensions import db
from ..pagination import paginate
from ..plans.models import Plan
from ..plans.queries import get_plan_for
from ..plans.status import StatusRules
from ..reports.storage import content_disposition
from ..scope import scope_path_of
from ..timeutil import app_today, cn_date, parse_iso_date
from ..units.models import Unit, name_on
from . import calendar_db, documents, jobs, numbering, queries, services
from . import remind as remind_service
from .forms import (
    AnswerForm,
    CircularEditForm,
    CircularNewForm,
    CloseForm,
    LookbackForm,
    OfficeForm,
    OverrideForm,
    ReturnForm,
    SweepForm,
    parsed,
)
from .models import CIRCULAR_KIND_LABELS, CalendarOverride, Circular, IssuingOffice

bp = Blueprint("supervise", __name__, url_prefix="/supervise")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _today() -> date:
    return app_today()


def _date_arg(name: str) -> date | None:
    """Parse a YYYY-MM-DD query argument; a malformed one is a 400 with the Chinese reason."""
    try:
        return parse_iso_date(request.args.get(name))
    except ValueError as exc:
        abort(400, description=str(exc))


def _docx(f: documents.DocFile) -> Response:
    return Response(f.data, mimetype=DOCX, headers={
        "Content-Disposition": content_disposition(f.name, inline=False, ascii_name=f.ascii_name)})


def _page_size() -> int:
    return current_app.config["PAGE_SIZE"]


def _unit_in_scope(unit_id: int):
    """Return a unit the user may see, or 404."""
    unit = db.session.scalar(sa.select(Unit).where(Unit.id == unit_id, queries.in_scope(current_user, Unit.id)))
    if unit is None:
        abort(404)
    return unit


# --- overdue and due-soon ------------------------------------------------------------------------------


@bp.route("/overdue")
@roles(*ROLES)
def overdue():
    as_of = _date_arg("as_of") or _today()
    alert = request.args.get("alert", "")
    unit_id = request.args.get("unit", type=int) if current_user.role != "reporter" else None
    plan_id = request.args.get("plan", type=int)
    cal = calendar_db.current_calendar()
    rules = StatusRules.at(as_of, calendar=cal)
    counts = queries.alert_counts(current_user, rules, unit_id=unit_id, plan_id=plan_id)
    # The per-status counts the page shows are the list's total too: no second count over the list.
    total = counts.get(alert, 0) if alert in ("overdue", "due_soon") else sum(counts.values())
    page = paginate(queries.alerting_assignments(current_user, rules, alert=alert, unit_id=unit_id, plan_id=plan_id),
                    per_page=_page_size(), scalars=False, total=total)
    days = {row.Assignment.id: overdue_workdays(cal, row.Assignment.due_on, as_of)
            for row in page.items if row.status == "overdue"}
    return render_template(
        "supervise/overdue.html", page=page, days=days, as_of=as_of, alert=alert, unit_id=unit_id, plan_id=plan_id,
        # 手动催办 is sent as of today only: a replayed day shows what was, it sends nothing.
        can_remind=current_user.role == "supervisor" and as_of == _today(),
        counts=counts, warning=cal.warning(as_of, as_of), soon_days=rules.soon_workdays, last_sweep=queries.last_sweep(),
        units=queries.units_in_scope(current_user) if current_user.role != "reporter" else [],
        plans=queries.plan_choices(current_user),
    )


# --- reminders (催办) ------------------------------------------------------------------------------------


def _local_back(default: str) -> str:
    """Return the form's local `next` address, or the default (never an outside address)."""
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


@bp.route("/remind", methods=["POST"])
@roles("supervisor")
def remind():
    """手动催办: one assignment (from its page) or the ticked rows of 逾期与临期; counted once a day."""
    back = _local_back(url_for("supervise.overdue"))
    single = request.form.get("single") == "1"
    ids = request.form.getlist("assignment_ids")
    ok, result = commit_or_flash(lambda: remind_service.send_reminders(current_user, ids, today=_today(),
                                                                        single=single),
                                 shown=(400, 409))
    if ok:
        flash(result.message(), "success" if result.sent else "warning")
    return redirect(back)



@bp.route("/reminders")
@roles(*ROLES)
def reminders():
    on = _date_arg("on")
    unit_id = current_user.unit_id if current_user.role == "reporter" else request.args.get("unit", type=int)
    page = paginate(queries.reminder_days(current_user, on=on, unit_id=unit_id), per_page=_page_size(),
                    scalars=False)
    detail = unit = None
    if on and unit_id:
        unit = _unit_in_scope(unit_id)
        detail = queries.reminders_of(unit.id, on)
    cal = calendar_db.current_calendar()
    # the unit as the reminders named it when they were sent
    unit_name = name_on(unit, min((r.created_at for r in detail), default=None)) if unit else None
    return render_template("supervise/reminders.html", page=page, on=on, unit_id=unit_id, detail=detail, unit=unit,
                           unit_name=unit_name,
                           days={r.id: overdue_workdays(cal, r.due_on, on) for r in detail or []},
                           units=queries.units_in_scope(current_user) if current_user.role != "reporter" else [])


@bp.route("/reminders.docx")
@roles(*ROLES)
def reminders_docx():
    on = _date_arg("on")
    unit_id = current_user.unit_id if current_user.role == "reporter" else request.args.get("unit", type=int)
    if not on or not unit_id:
        flash("请先选择巡查日期和单位，再下载催办清单。", "warning")
        return redirect(url_for("supervise.reminders"))
    unit = _unit_in_scope(unit_id)
    rows = queries.reminders_of(unit.id, on)
    if not rows:
        abort(404)
    return _docx(documents.reminder_file(unit, on, rows))


# --- escalation notices (督办) -------------------------------------------------------------------------


@bp.route("/escalations")
@roles(*ROLES)
def escalations():
    on = _date_arg("on")
    page = paginate(queries.escalations(current_user, on=on), per_page=_page_size(), scalars=False)
    return render_template("supervise/escalations.html", page=page, on=on)


@bp.route("/escalations/<int:escalation_id>")
@roles(*ROLES)
def escalation(escalation_id: int):
    notice = queries.get_escalation_for(current_user, escalation_id)
    items = queries.escalation_items(notice)
    cal = calendar_db.current_calendar()
    return render_template("supervise/escalation.html", notice=notice, items=items,
                           days={i.id: overdue_workdays(cal, i.due_on, notice.issued_on) for i in items},
                           warning=cal.warning(notice.issued_on, notice.issued_on))


@bp.route("/escalations/<int:escalation_id>.docx")
@roles(*ROLES)
def escalation_docx(escalation_id: int):
    notice = queries.get_escalation_for(current_user, escalation_id)
    return _docx(documents.escalation_file(notice))


# --- look-back and rectification notices (回头看 / 整改通知) ------------------------------------------


@bp.route("/lookback", methods=["GET", "POST"])
@roles("supervisor")
def lookback():
    form = LookbackForm()
    form.plan_id.choices = queries.plan_choices(current_user)
    if request.method == "GET" and not form.as_of.data:
        form.as_of.data = _today().isoformat()
        last_year = [pid for pid, label in form.plan_id.choices if label.startswith(f"{_today().year - 1}年")]
        if last_year:
            form.plan_id.data = last_year[0]
    if form.validate_on_submit():
        plan = get_plan_for(current_user, form.plan_id.data)
        # As the look-back job: under its lock (a second look-back at the same time is told to wait), recorded.
        outcome, result = jobs.lookback_plan_job(
            plan, parsed(form.as_of), actor=current_user, trigger="web", deadline_workdays=parsed(form.deadline_workdays),
            prefix=(form.prefix.data or "").strip() or None)
        if outcome.outcome == "skipped":
            flash("另一个回头看正在进行，请稍后再试；本次未作任何修改。", "warning")
        elif outcome.outcome == "failed":
            flash(f"回头看未完成，未作任何修改：{outcome.error}", "danger")
        else:
            if result.message:
                flash(result.message, "info")
            else:
                flash(f"已生成整改通知{result.notices}份、整改事项{result.items}项，涉及{result.units}个单位；"
                      f"整改时限{result.due_on.isoformat()}。", "success")
            if result.calendar_warning:
                flash(result.calendar_warning, "warning")
            return redirect(url_for("supervise.notices", plan=plan.id))
    return render_template("supervise/lookback.html", form=form)


@bp.route("/notices")
@roles(*ROLES)
def notices():
    plan_id = request.args.get("plan", type=int)
    open_only = bool(request.args.get("open"))
    page = paginate(queries.rectification_notices(current_user, plan_id=plan_id, open_only=open_only),
                    per_page=_page_size(), scalars=False)
    return render_template("supervise/notices.html", page=page, plan_id=plan_id, open_only=open_only,
                           plans=queries.plan_choices(current_user), today=_today())


@bp.route("/notices/<int:notice_id>")
@roles(*ROLES)
def notice(notice_id: int):
    n = queries.get_notice_for(current_user, notice_id)
    items = queries.notice_items(n)
    cal = calendar_db.current_calendar()
    return render_template("supervise/notice.html", notice=n, items=items, today=_today(),
                           warning=cal.warning(n.issued_on, n.due_on))


@bp.route("/notices/<int:notice_id>.docx")
@roles(*ROLES)
def notice_docx(notice_id: int):
    n = queries.get_notice_for(current_user, notice_id)
    return _docx(documents.rectification_file(n))


@bp.route("/items/<int:item_id>/answer", methods=["GET", "POST"])
@roles("reporter")
def item_answer(item_id: int):
    item = queries.get_item_for(current_user, item_id)
    form = AnswerForm()
    if form.validate_on_submit():
        files = [(f.filename, f.stream) for f in request.files.getlist(form.files.name) if f and f.filename]
        ok, _ = commit_or_flash(lambda: services.answer_item(
            current_user, item, text=form.text.data, links=form.links.data, progress=form.progress.data,
            files=files))
        if ok:
            flash("整改情况已报送，等待督查人员核实销号。", "success")
            return redirect(url_for("supervise.notice", notice_id=item.notice_id) + f"#item-{item.id}")
    return render_template("supervise/answer.html", item=item, form=form)


def _decide(item_id: int, decide) -> Response:
    item = queries.get_item_for(current_user, item_id)
    ok, message = commit_or_flash(lambda: decide(item))
    if ok:
        flash(message, "success")
    return redirect(url_for("supervise.notice", notice_id=item.notice_id) + f"#item-{item.id}")


@bp.route("/items/<int:item_id>/close", methods=["POST"])
@roles("supervisor")
def item_close(item_id: int):
    form = CloseForm()

    def decide(item):
        services.close_item(current_user, item, comment=form.comment.data)
        return "已核实销号。"

    return _decide(item_id, decide)


@bp.route("/items/<int:item_id>/return", methods=["POST"])
@roles("supervisor")
def item_return(item_id: int):
    form = ReturnForm()

    def decide(item):
        services.return_item(current_user, item, reason=form.reason.data)
        return "已退回，单位需重新报送整改情况。"

    return _decide(item_id, decide)


# --- circulars (通报) ----------------------------------------------------------------------------------


@bp.route("/circulars")
@roles(*ROLES)
def circulars():
    stmt = queries.visible_circulars(current_user).order_by(Circular.id.desc())
    page = paginate(stmt, per_page=_page_size())
    return render_template("supervise/circulars.html", page=page)


@bp.route("/circulars/new", methods=["GET", "POST"])
@roles("supervisor")
def circular_new():
    form = CircularNewForm()
    form.plan_id.choices = queries.plan_choices(current_user)
    if request.method == "GET" and not form.as_of.data:
        form.as_of.data = _today().isoformat()
    if form.validate_on_submit():
        plan = get_plan_for(current_user, form.plan_id.data)
        ok, circular = commit_or_flash(lambda: services.draft_circular(
            current_user, plan, kind=form.kind.data, as_of=parsed(form.as_of), limit=parsed(form.limit)))
        if ok:
            flash("通报草稿已生成，请修改文字并核对点名单位后再发布。", "success")
            return redirect(url_for("supervise.circular_edit", circular_id=circular.id))
    return render_template("supervise/circular_new.html", form=form)


@bp.route("/circulars/<int:circular_id>")
@roles(*ROLES)
def circular(circular_id: int):
    c = queries.get_circular_for(current_user, circular_id)
    return render_template("supervise/circular.html", circular=c)


@bp.route("/circulars/<int:circular_id>/edit", methods=["GET", "POST"])
@roles("supervisor")
def circular_edit(circular_id: int):
    c = queries.get_circular_for(current_user, circular_id)
    if c.status != "draft":
        flash("通报已发布，不能再修改。", "warning")
        return redirect(url_for("supervise.circular", circular_id=c.id))
    form = CircularEditForm(obj=c if request.method == "GET" else None)
    form.unit_ids.choices = [(cu.unit_id, f"{cu.unit.name}（{cu.count}项）") for cu in c.units]
    if request.method == "GET":
        form.unit_ids.data = [cu.unit_id for cu in c.units]
    if form.validate_on_submit():
        ok, _ = commit_or_flash(lambda: services.update_circular(
            current_user, c, title=form.title.data, body=form.body.data, unit_ids=form.unit_ids.data))
        if ok:
            flash("草稿已保存。", "success")
            return redirect(url_for("supervise.circular", circular_id=c.id))
    return render_template("supervise/circular_edit.html", circular=c, form=form, KINDS=CIRCULAR_KIND_LABELS)


@bp.route("/circulars/<int:circular_id>/publish", methods=["POST"])
@roles("supervisor")
def circular_publish(circular_id: int):
    c = queries.get_circular_for(current_user, circular_id)
    ok, sent = commit_or_flash(lambda: services.publish_circular(current_user, c))
    if ok:
        flash(f"通报已发布，已发送至{sent}个账号的消息。", "success")
    return redirect(url_for("supervise.circular", circular_id=c.id))


@bp.route("/circulars/<int:circular_id>/delete", methods=["POST"])
@roles("supervisor")
def circular_delete(circular_id: int):
    c = queries.get_circular_for(current_user, circular_id)
    ok, _ = commit_or_flash(lambda: services.delete_circular(current_user, c))
    if not ok:
        return redirect(url_for("supervise.circular", circular_id=c.id))
    flash("通报草稿已删除。", "success")
    return redirect(url_for("supervise.circulars"))


@bp.route("/circulars/<int:circular_id>.docx")
@roles(*ROLES)
def circular_docx(circular_id: int):
    c = queries.get_circular_for(current_user, circular_id)
    return _docx(documents.circular_file(c))


# --- jobs and the calendar (admin) --------------------------------------------------------------------


@bp.route("/jobs")
@roles("admin", "supervisor")
def job_runs():
    from ..jobs import pages

    page = paginate(queries.job_runs(), per_page=_page_size())
    form = SweepForm()
    form.as_of.data = form.as_of.data or _today().isoformat()
    return render_template("supervise/jobs.html", page=page, form=form, schedule_form=pages.schedule_form(),
                           **pages.jobs_page(current_app._get_current_object()))


@bp.route("/jobs/assessment-schedule", methods=["POST"])
@roles("admin")
def assessment_schedule():
    from ..assessment import jobs as assessment_jobs
    from ..jobs.forms import AssessmentScheduleForm

    form = AssessmentScheduleForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return redirect(url_for("supervise.job_runs"))
    ok, _ = commit_or_flash(lambda: assessment_jobs.set_schedule(
        current_user, assessment_jobs.parse_schedule(form.monthly_workday.data, form.yearly_date.data)))
    if ok:
        flash(f"考核计算时间已保存：{assessment_jobs.schedule().describe()}。定时任务进程重新启动后按新时间运行。",
              "success")
    return redirect(url_for("supervise.job_runs"))


@bp.route("/jobs/sweep", methods=["POST"])
@roles("admin", "supervisor")
def run_sweep():
    form = SweepForm()
    if not form.validate_on_submit():
        for error in form.as_of.errors or ["请填写巡查日期。"]:
            flash(error, "danger")
        return redirect(url_for("supervise.job_runs"))
    as_of, today = parsed(form.as_of), _today()
    if as_of > today:
        flash(f"巡查日期不能晚于今天（{cn_date(today)}），未作任何修改。", "danger")
        return redirect(url_for("supervise.job_runs"))
    if as_of < today:
        if as_of.year != today.year:
            flash(f"页面只能回放{today.year}年内的日期；更早的日期请联系系统管理员处理。"
                  "未作任何修改。", "danger")
            return redirect(url_for("supervise.job_runs"))
        # A replay writes nothing: it shows the figures as of that date, computed like every page.
        flash(f"回放{cn_date(as_of)}：以下为按该日计算的逾期与临期任务。回放不发催办、不写入任何记录。", "info")
        return redirect(url_for("supervise.overdue", as_of=as_of.isoformat()))
    # A supervisor sweeps the units of their own jurisdiction only; the admin sweeps every unit.
    scope = None if current_user.role == "admin" else scope_path_of(current_user)
    outcome = jobs.sweep_job(as_of, trigger="web", user_id=current_user.id, scope=scope)
    if outcome.outcome == "ok":
        c = outcome.counts
        flash(f"巡查完成（{c['as_of']}）：逾期{c['overdue']}项（新增{c['newly_overdue']}），临期{c['due_soon']}项，"
              f"催办{c['reminders_created']}条，督办通知{c['escalations_created']}份。", "success")
        if c.get("calendar_warning"):
            flash(c["calendar_warning"], "warning")
    elif outcome.outcome == "skipped":
        flash(outcome.error or "任务正在运行，本次跳过。", "warning")
    else:
        flash(f"巡查失败，已回滚，未作任何修改：{outcome.error}", "danger")
    return redirect(url_for("supervise.job_runs"))


@bp.route("/calendar", methods=["GET", "POST"])
@roles("admin")
def calendar():
    form = OverrideForm()
    if form.validate_on_submit():
        ok, _ = commit_or_flash(lambda: calendar_db.set_override(
            current_user, parsed(form.day), form.is_workday.data == "1", form.note.data))
        if ok:
            flash(f"已保存 {form.day.data} 的安排。", "success")
            return redirect(url_for("supervise.calendar", year=parsed(form.day).year))
    year = request.args.get("year", type=int) or _today().year
    rows = db.session.scalars(
        sa.select(CalendarOverride).where(CalendarOverride.day.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(CalendarOverride.day)
    ).all()
    year_of = sa.extract("year", CalendarOverride.day)
    years = [int(y) for y in db.session.scalars(sa.select(year_of).distinct().order_by(year_of))]
    cal = calendar_db.current_calendar()
    return render_template("supervise/calendar.html", form=form, rows=rows, year=year, years=years,
                           provisional=cal.is_provisional(year),
                           warning=cal.warning(date(year, 1, 1), date(year, 1, 1)))


@bp.route("/calendar/<int:override_id>/delete", methods=["POST"])
@roles("admin")
def calendar_delete(override_id: int):
    override = db.session.get(CalendarOverride, override_id) or abort(404)
    year = override.day.year
    calendar_db.delete_override(current_user, override)
    db.session.commit()
    flash("已删除该日安排，恢复为官方日历。", "success")
    return redirect(url_for("supervise.calendar", year=year))



# --- issuing offices (文号 codes, admin) --------------------------------------------------------------


@bp.route("/offices", methods=["GET", "POST"])
@roles("admin")
def offices():
    office = None
    office_id = request.args.get("id", type=int)
    if office_id:
        office = db.session.get(IssuingOffice, office_id) or abort(404)
    form = OfficeForm(obj=office)
    if form.validate_on_submit():
        ok, saved = commit_or_flash(lambda: numbering.save_office(
            current_user, office, name=form.name.data, code=form.code.data, letter_format=form.letter_format.data,
            contact=form.contact.data, cc=form.cc.data))
        if ok:
            flash(f"已保存{saved.name}的文号代字“{saved.code}”。", "success")
            return redirect(url_for("supervise.offices"))
    rows = db.session.scalars(sa.select(IssuingOffice).order_by(IssuingOffice.name)).all()
    known = sorted({p for p in db.session.scalars(sa.select(Plan.issuer).where(Plan.issuer.is_not(None)))}
                   - {o.name for o in rows})
    return render_template("supervise/offices.html", form=form, rows=rows, office=office, known=known,
                           suffix=numbering.KIND_SUFFIX, year=_today().year)

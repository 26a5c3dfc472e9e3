"""Annual report pages: the year's roll-up, one report, import with confirmation, publish; the public list."""
from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..access import ROLES, public, require, roles
from ..errors import ServiceError, commit_or_flash
from ..extensions import db
from ..plans.status import StatusRules
from ..reports.storage import content_disposition
from ..supervise.queries import in_scope, units_in_scope
from ..timeutil import app_today
from ..units.models import Unit
from . import checks, document, queries, services
from . import formats as F
from . import editing, tasks
from .forms import ConfirmForm, ImportForm, Section2Form, TextsForm
from .reader import ReportData

bp = Blueprint("annual", __name__)


def _year_arg() -> int:
    """The year asked for, or last year (the report due this spring)."""
    year = request.args.get("year", type=int)
    return year if year and services.FIRST_YEAR <= year <= services.LAST_YEAR else app_today().year - 1


@bp.route("/annual-reports")
@roles(*ROLES)
def index():
    year = _year_arg()
    years = sorted(set(queries.years_in_scope(current_user)) | {year, app_today().year - 1}, reverse=True)
    data = queries.rollup_for(current_user, year)
    rollup_failed = checks.failed_cells(data.summary) if data.summary else set()
    return render_template("annual/index.html", year=year, years=years, rollup=data, rollup_failed=rollup_failed, F=F)


@bp.route("/annual-reports/<int:annual_report_id>")
@roles(*ROLES)
def detail(annual_report_id: int):
    report = queries.get_for(current_user, annual_report_id)
    result = services.check_stored(report)
    assignment = tasks.report_assignment(report.unit_id, report.year)
    return render_template("annual/detail.html", report=report, result=result, failed=checks.failed_cells(result), F=F,
                           edited=ReportData.from_dict(report.content).edited, assignment=assignment,
                           assignment_state=StatusRules.at(app_today()).state(assignment) if assignment else None)


@bp.route("/annual-reports/<int:annual_report_id>/docx")
@roles(*ROLES)
def docx(annual_report_id: int):
    report = queries.get_for(current_user, annual_report_id)
    data = document.render(ReportData.from_dict(report.content), report.unit.name, report.year)
    name = document.title_of(report.unit.name, report.year) + ".docx"
    return Response(data, mimetype=document.MIME, headers={"Content-Disposition": content_disposition(name, inline=False)})


def _import_form() -> ImportForm:
    form = ImportForm()
    form.unit_id.choices = [(uid, name) for uid, name in units_in_scope(current_user)]
    return form


def _unit_for_import(unit_id) -> Unit:
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        unit_id = 0
    unit = db.session.scalar(sa.select(Unit).where(Unit.id == unit_id, in_scope(current_user, Unit.id)))
    require(unit is not None)
    return unit


@bp.route("/annual-reports/import", methods=["GET", "POST"])
@roles("supervisor", "reporter")
def import_start():
    form = _import_form()
    if not form.validate_on_submit():
        return render_template("annual/import.html", form=form)
    unit = _unit_for_import(form.unit_id.data)
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        flash("请选择年度报告文件。", "danger")
        return render_template("annual/import.html", form=form), 400
    data = upload.read()
    try:
        report = services.import_report(current_user, unit, form.year.data, data, upload.filename)
        db.session.commit()
    except services.InconsistentReport as exc:
        db.session.rollback()
        confirm = ConfirmForm(formdata=None, unit_id=unit.id, year=form.year.data, sha256=exc.sha256,
                              filename=upload.filename)
        return render_template("annual/confirm.html", unit=unit, year=form.year.data, result=exc.result,
                               failed=checks.failed_cells(exc.result), form=confirm, F=F), 409
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return render_template("annual/import.html", form=form), 400
    flash(f"已导入 {unit.name} {report.year} 年度报告，勾稽关系一致。", "success")
    return redirect(url_for("annual.detail", annual_report_id=report.id))


@bp.route("/annual-reports/import/confirm", methods=["POST"])
@roles("supervisor", "reporter")
def import_confirm():
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("确认信息不完整，请重新上传。", "danger")
        return redirect(url_for("annual.import_start"))
    unit = _unit_for_import(form.unit_id.data)

    def run():
        data = services.source_bytes(form.sha256.data)
        return services.import_report(current_user, unit, int(form.year.data), data, form.filename.data, confirm=True)

    ok, report = commit_or_flash(run)
    if not ok:
        return redirect(url_for("annual.import_start"))
    flash(f"已导入 {unit.name} {report.year} 年度报告（勾稽关系不一致 {len(report.failures)} 项，已确认）。", "warning")
    return redirect(url_for("annual.detail", annual_report_id=report.id))


@bp.route("/annual-reports/build", methods=["POST"])
@roles("supervisor", "reporter")
def build():
    """Build (or rebuild) a unit's draft report for a year from the 依申请公开 register."""
    from .build import build_report

    unit = _unit_for_import(request.form.get("unit_id"))
    year = request.form.get("year", type=int) or 0
    ok, built = commit_or_flash(lambda: build_report(current_user, unit, services.check_year(year)))
    if not ok:
        return redirect(url_for("annual.index", year=year or None))
    report, result = built
    state = "勾稽关系一致" if result["consistent"] else f"勾稽关系不一致 {len(result['failures'])} 项"
    flash(f"已由依申请公开登记台账生成 {unit.name} {year} 年度报告草稿（{state}）。", "success")
    return redirect(url_for("annual.detail", annual_report_id=report.id))


def _set_status(annual_report_id: int, change, done: str):
    report = queries.get_for(current_user, annual_report_id)
    if commit_or_flash(lambda: change(current_user, report))[0]:
        flash(done, "success")
    return redirect(url_for("annual.detail", annual_report_id=report.id))


@bp.route("/annual-reports/<int:annual_report_id>/publish", methods=["POST"])
@roles("supervisor")
def publish(annual_report_id: int):
    return _set_status(annual_report_id, services.publish, "年度报告已发布到公开页面。")


@bp.route("/annual-reports/<int:annual_report_id>/withdraw", methods=["POST"])
@roles("supervisor")
def withdraw(annual_report_id: int):
    return _set_status(annual_report_id, services.withdraw, "年度报告已撤回，公开页面不再显示。")


# --- what the unit types in: section 二, the prose, the final mark -----------------------------------------
# The unit's reporter edits its own unit's report; the supervisor of the jurisdiction may correct it too
# (DESIGN.md: the supervisor edits tasks and reviews reports). Leaders only read.


@bp.route("/annual-reports/<int:annual_report_id>/section2", methods=["GET", "POST"])
@roles("supervisor", "reporter")
def edit_section2(annual_report_id: int):
    report = queries.get_for(current_user, annual_report_id)
    form = Section2Form()
    posted = None
    if form.validate_on_submit():
        ok, _ = commit_or_flash(lambda: editing.save_section2(current_user, report, request.form))
        if ok:
            flash("第二部分（主动公开政府信息情况）已保存。", "success")
            return redirect(url_for("annual.detail", annual_report_id=report.id))
        posted = request.form
    elif request.method == "POST":
        flash("表单已过期，请重新填写。", "danger")
        posted = request.form
    last_year = editing.last_year_of(report)
    status = 400 if posted is not None else 200
    return render_template("annual/section2.html", report=report, form=form, items=editing.cells(report, last_year),
                           last_year=last_year, posted=posted, F=F), status


@bp.route("/annual-reports/<int:annual_report_id>/texts", methods=["GET", "POST"])
@roles("supervisor", "reporter")
def edit_texts(annual_report_id: int):
    report = queries.get_for(current_user, annual_report_id)
    data = ReportData.from_dict(report.content)
    form = TextsForm(data=data.texts) if request.method == "GET" else TextsForm()
    if form.validate_on_submit():
        texts = {key: getattr(form, key).data for key in editing.TEXT_KEYS}
        ok, _ = commit_or_flash(lambda: editing.save_texts(current_user, report, texts))
        if ok:
            flash("文字部分已保存；重新生成报告时保留所编辑的内容。", "success")
            return redirect(url_for("annual.detail", annual_report_id=report.id))
        return render_template("annual/texts.html", report=report, form=form, edited=data.edited, F=F), 400
    if request.method == "POST":
        for name, errors in form.errors.items():
            label = getattr(form, name).label.text if name in form._fields and name != "csrf_token" else "表单"
            flash(f"{label}：{'；'.join(errors)}" if name != "csrf_token" else "表单已过期，请重新填写。", "danger")
        return render_template("annual/texts.html", report=report, form=form, edited=data.edited, F=F), 400
    return render_template("annual/texts.html", report=report, form=form, edited=data.edited, F=F)


@bp.route("/annual-reports/<int:annual_report_id>/redraft", methods=["POST"])
@roles("supervisor", "reporter")
def redraft(annual_report_id: int):
    report = queries.get_for(current_user, annual_report_id)
    if commit_or_flash(lambda: editing.redraft_problems(current_user, report))[0]:
        flash("已按本年度逾期任务和整改事项重新生成第五部分草稿。", "success")
    return redirect(url_for("annual.edit_texts", annual_report_id=report.id))


@bp.route("/annual-reports/<int:annual_report_id>/finalize", methods=["POST"])
@roles("supervisor", "reporter")
def finalize(annual_report_id: int):
    report = queries.get_for(current_user, annual_report_id)
    ok, progress = commit_or_flash(lambda: tasks.finalize(current_user, report))
    if ok:
        if progress.status == "approved":
            flash("年度报告已定稿，作为本单位年度报告任务的报告（附 Word 全文）审核通过，任务已办结。", "success")
        else:
            flash("年度报告已定稿，已作为本单位年度报告任务的办结申请提交（附 Word 全文），等待审核。", "success")
    return redirect(url_for("annual.detail", annual_report_id=report.id))


# --- public -----------------------------------------------------------------------------------------


@bp.route("/public/annual-reports")
@public
def public_index():
    return render_template("annual/public_index.html", reports=queries.published())


@bp.route("/public/annual-reports/<int:annual_report_id>")
@public
def public_detail(annual_report_id: int):
    report = queries.get_published(annual_report_id)
    return render_template("annual/public_detail.html", report=report, F=F)


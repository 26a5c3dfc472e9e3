"""The register pages: list, intake, a request's history with its actions, documents, import and export."""
from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from ..access import ROLES, roles
from ..errors import ServiceError, commit_or_flash
from ..extensions import db
from ..pagination import paginate
from ..reports import storage
from . import categories as cat
from . import clock, documents, forms, queries, services
from .queries import PERSONAL_DATA_ROLES, WRITERS

bp = Blueprint("disclosure", __name__, url_prefix="/disclosure")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int) or None


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "danger")


def _detail(req) -> Response:
    return redirect(url_for("disclosure.detail", request_id=req.id))


@bp.app_template_global("disclosure_tally")
def disclosure_tally(as_of=None):
    """The dashboard's request figures for the user's scope, the year of as_of (default today)."""
    as_of = as_of or queries.today()
    return queries.tally(current_user, year=as_of.year, as_of=as_of)


@bp.route("/")
@roles(*ROLES)
def index():
    as_of = queries.today()
    unit_id, year = _int_arg("unit"), _int_arg("year")
    state = request.args.get("state") if request.args.get("state") in cat.STATES else None
    overdue = bool(request.args.get("overdue"))
    stmt = queries.register(current_user, unit_id=unit_id, state=state, year=year,
                            overdue_on=as_of if overdue else None, q=request.args.get("q"))
    page = paginate(stmt, per_page=current_app.config["PAGE_SIZE"])
    summary = queries.tally(current_user, year=year or as_of.year, as_of=as_of, unit_id=unit_id)
    return render_template("disclosure/index.html", page=page, units=queries.unit_choices(current_user),
                           unit_id=unit_id, year=year, state=state, overdue=overdue, as_of=as_of,
                           summary=summary, summary_year=year or as_of.year, states=cat.STATES,
                           can_write=queries.can_write(current_user), answer_short=cat.answer_short)


@bp.route("/new", methods=["GET", "POST"])
@roles(*WRITERS)
def new():
    form = forms.IntakeForm()
    units = queries.unit_choices(current_user)
    form.unit_id.choices = [(str(i), n) for i, n in units]
    if form.validate_on_submit():
        unit_id = int(form.unit_id.data) if str(form.unit_id.data).isdigit() else None
        unit = next((u for u in units if u[0] == unit_id), None)
        if unit is None:
            flash("请选择本单位或辖区内的承办单位。", "danger")
        else:
            from ..units.models import Unit

            ok, req = commit_or_flash(lambda: services.register_request(
                current_user, unit=db.session.get(Unit, unit_id), channel=form.channel.data,
                received_on=form.received_on.parsed, confirmed_on=form.confirmed_on.parsed,
                applicant_type=form.applicant_type.data, applicant_name=form.applicant_name.data,
                applicant_contact=form.applicant_contact.data or "", content=form.content.data, as_of=queries.today()))
            if ok:
                flash(f"已登记，登记编号 {req.serial}，答复期限 {req.due_on.isoformat()}。", "success")
                return _detail(req)
    return render_template("disclosure/new.html", form=form)


@bp.route("/<int:request_id>")
@roles(*ROLES)
def detail(request_id: int):
    req = queries.get_request_for(current_user, request_id)
    as_of = queries.today()
    d = services.deadlines_of(req, as_of=as_of)
    where = clock.standing(d, req.answered_on or as_of, calendar=services._calendar(None))
    action_forms = {
        "correction_notice": forms.CorrectionNoticeForm(prefix="cn"), "corrected": forms.CorrectedForm(prefix="co"),
        "pause": forms.PauseForm(prefix="pa"), "pause_end": forms.PauseEndForm(prefix="pe"),
        "extend": forms.ExtensionForm(prefix="ex"), "delay": forms.DelayForm(prefix="de"),
        "fee": forms.FeeForm(prefix="fe"), "fee_paid": forms.FeePaidForm(prefix="fp"),
        "answer": forms.AnswerForm(prefix="an"), "appeal": forms.AppealForm(prefix="ap"),
        "upload": forms.UploadForm(prefix="up"),
    }
    return render_template("disclosure/detail.html", req=req, d=d, where=where, f=action_forms, as_of=as_of,
                           can_write=queries.can_write(current_user), result_form=forms.AppealResultForm,
                           sees_applicant=queries.sees_applicant(current_user), cat=cat,
                           doc_kinds=documents.available(req), mask_name=queries.mask_name)


@bp.route("/<int:request_id>/applicant")
@roles(*PERSONAL_DATA_ROLES)
def applicant(request_id: int):
    req = queries.get_request_for(current_user, request_id)
    services.log_applicant_view(current_user, req)
    db.session.commit()
    return render_template("disclosure/applicant.html", req=req)


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@roles(*WRITERS)
def edit(request_id: int):
    req = queries.get_request_for(current_user, request_id)
    form = forms.EditForm(obj=req)
    if form.validate_on_submit():
        ok, _ = commit_or_flash(lambda: services.edit_request(
            current_user, req, content=form.content.data, applicant_type=form.applicant_type.data,
            applicant_name=form.applicant_name.data, applicant_contact=form.applicant_contact.data or "",
            as_of=queries.today()))
        if ok:
            flash("登记信息已修改。", "success")
            return _detail(req)
    elif request.method == "GET":
        services.log_applicant_view(current_user, req, purpose="edit")
        db.session.commit()
    return render_template("disclosure/edit.html", req=req, form=form)


#: action -> (form class, form prefix, service call taking (req, form, as_of), success message)
ACTIONS = {
    "correction_notice": (forms.CorrectionNoticeForm, "cn", lambda r, f, t: services.send_correction_notice(
        current_user, r, on=f.on.parsed, reason=f.reason.data, as_of=t), "已登记补正告知。"),
    "corrected": (forms.CorrectedForm, "co", lambda r, f, t: services.record_correction(
        current_user, r, on=f.on.parsed, as_of=t), "已登记补正，答复期限已重新计算。"),
    "pause": (forms.PauseForm, "pa", lambda r, f, t: services.start_pause(
        current_user, r, kind=f.kind.data, start_on=f.start_on.parsed, party=f.party.data, note=f.note.data or "",
        as_of=t), "已登记征求意见，征求意见期间不计入答复期限。"),
    "pause_end": (forms.PauseEndForm, "pe", lambda r, f, t: services.end_pause(
        current_user, r, end_on=f.end_on.parsed, as_of=t), "征求意见已结束，答复期限已重新计算。"),
    "extend": (forms.ExtensionForm, "ex", lambda r, f, t: services.extend(
        current_user, r, days=f.days.parsed, approver=f.approver.data or "",
        approved_at=services.parse_approval_time(f.approved_at.data, current_app.config["TIMEZONE"]),
        reason=f.reason.data, as_of=t, tz=current_app.config["TIMEZONE"]), "已登记延长答复期限。"),
    "delay": (forms.DelayForm, "de", lambda r, f, t: services.set_delayed_deadline(
        current_user, r, due_on=f.due_on.parsed, reason=f.reason.data, as_of=t), "已登记另行确定的答复期限。"),
    "fee": (forms.FeeForm, "fe", lambda r, f, t: services.send_fee_notice(
        current_user, r, method=f.method.data, quantity=f.quantity.parsed, on=f.on.parsed, as_of=t),
        "已登记收费通知，等待缴费期间不计入答复期限。"),
    "fee_paid": (forms.FeePaidForm, "fp", lambda r, f, t: services.record_fee_paid(
        current_user, r, on=f.on.parsed, as_of=t), "已登记缴费。"),
    "answer": (forms.AnswerForm, "an", lambda r, f, t: services.answer(
        current_user, r, category=f.category.data, on=f.on.parsed, text=f.text.data or "", as_of=t), "已登记答复。"),
    "appeal": (forms.AppealForm, "ap", lambda r, f, t: services.add_appeal(
        current_user, r, kind=f.kind.data, filed_on=f.filed_on.parsed, note=f.note.data or "", as_of=t),
        "已登记行政复议或行政诉讼。"),
}


@bp.route("/<int:request_id>/act/<action>", methods=["POST"])
@roles(*WRITERS)
def act(request_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    req = queries.get_request_for(current_user, request_id)
    form_class, prefix, call, message = ACTIONS[action]
    form = form_class(prefix=prefix)
    if form.validate_on_submit():
        ok, _ = commit_or_flash(lambda: call(req, form, queries.today()))
        if ok:
            flash(message, "success")
    else:
        _flash_errors(form)
    return _detail(req)


@bp.route("/<int:request_id>/appeals/<int:appeal_id>", methods=["POST"])
@roles(*WRITERS)
def appeal_result(request_id: int, appeal_id: int):
    appeal = queries.get_appeal_for(current_user, request_id, appeal_id)
    form = forms.AppealResultForm(prefix=f"ar{appeal.id}")
    if form.validate_on_submit():
        ok, _ = commit_or_flash(lambda: services.decide_appeal(
            current_user, appeal, result=form.result.data, decided_on=form.decided_on.parsed, as_of=queries.today()))
        if ok:
            flash("已登记结果。", "success")
    else:
        _flash_errors(form)
    return redirect(url_for("disclosure.detail", request_id=request_id))


@bp.route("/<int:request_id>/documents", methods=["POST"])
@roles(*WRITERS)
def upload(request_id: int):
    req = queries.get_request_for(current_user, request_id)
    files = [(f.filename, f.stream) for f in request.files.getlist("up-files") if f and f.filename]
    ok, _ = commit_or_flash(lambda: services.attach_documents(current_user, req, files, as_of=queries.today()))
    if ok:
        flash("材料已上传。", "success")
    return _detail(req)


@bp.route("/<int:request_id>/documents/<int:document_id>")
@roles(*ROLES)
def document(request_id: int, document_id: int):
    doc = queries.get_document_for(current_user, request_id, document_id)
    path = storage.path_for(doc.sha256)
    if not path.is_file():
        abort(404)
    resp = send_file(path, mimetype=doc.content_type, conditional=True, etag=doc.sha256, max_age=0)
    resp.headers["Content-Disposition"] = storage.content_disposition(doc.original_name, inline=False)
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp


@bp.route("/<int:request_id>/docx/<kind>")
@roles(*ROLES)
def docx(request_id: int, kind: str):
    req = queries.get_request_for(current_user, request_id)
    if kind not in documents.KINDS:
        abort(404)
    try:
        data, name = documents.render_for(req, kind, as_of=queries.today())
    except ServiceError as exc:
        flash(exc.message, "danger")
        return _detail(req)
    if kind in documents.WITH_APPLICANT:
        services.log_applicant_view(current_user, req, purpose=f"docx:{kind}")
        db.session.commit()
    return Response(data, mimetype=DOCX,
                    headers={"Content-Disposition": storage.content_disposition(name, inline=False)})


@bp.route("/export.xlsx")
@roles(*ROLES)
def export():
    from . import io

    as_of = queries.today()
    unit_id, year = _int_arg("unit"), _int_arg("year")
    with_applicant = queries.sees_applicant(current_user) and bool(request.args.get("applicant"))
    out = BytesIO()
    count = io.write_register(out, current_user, unit_id=unit_id, year=year, as_of=as_of,
                              with_applicant=with_applicant)
    if with_applicant:
        services.log_applicant_export(current_user, unit_id, count)
        db.session.commit()
    name = f"依申请公开登记台账-{year or '全部'}-{as_of.isoformat()}.xlsx"
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/import", methods=["GET", "POST"])
@roles(*WRITERS)
def import_register():
    from . import io

    form = forms.ImportForm()
    units = queries.unit_choices(current_user)
    errors: list[str] = []
    if form.validate_on_submit():
        unit_id = request.form.get("unit_id", type=int)
        upload = request.files.get("file")
        if unit_id not in {u for u, _ in units}:
            flash("请选择本单位或辖区内的承办单位。", "danger")
        elif upload is None or not upload.filename:
            flash("请选择要导入的 .xlsx 文件。", "danger")
        else:
            from ..units.models import Unit

            try:
                rows = io.read_register(upload.read())
                count = len(io.import_rows(current_user, db.session.get(Unit, unit_id), rows, as_of=queries.today()))
                db.session.commit()
                flash(f"已导入{count}条申请。", "success")
                return redirect(url_for("disclosure.index", unit=unit_id))
            except io.RegisterImportError as exc:
                db.session.rollback()
                errors = exc.errors
                flash("登记台账有错误，未导入任何数据，请修改后重新导入。", "danger")
    return render_template("disclosure/import.html", form=form, units=units, errors=errors)


@bp.route("/annual")
@roles(*ROLES)
def annual():
    from .annual import figures

    as_of = queries.today()
    year = _int_arg("year") or as_of.year - 1
    units = queries.unit_choices(current_user)
    unit_id = _int_arg("unit") or (units[0][0] if units else None)
    if unit_id not in {u for u, _ in units}:
        abort(404)
    return render_template("disclosure/annual.html", fig=figures(unit_id, year), units=units, unit_id=unit_id,
                           year=year, cat=cat)


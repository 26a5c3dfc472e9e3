"""Forms of the register. Dates arrive as text and are parsed with Chinese messages."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    MultipleFileField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form
from ..supervise.forms import IsoDate, WholeNumber, date_field
from . import categories as cat


class OptionalIsoDate:
    """Like IsoDate, but an empty field is allowed (parsed as None)."""

    def __call__(self, form, field) -> None:
        if not (field.data or "").strip():
            field.parsed = None
            return
        IsoDate()(form, field)


def optional_date(label: str) -> StringField:
    return StringField(label, validators=[OptionalIsoDate()], render_kw={"type": "date"})


def _choices(mapping: dict[str, str]) -> list[tuple[str, str]]:
    return list(mapping.items())


def answer_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The leaves grouped under their 年度报告 rows, for an <optgroup> select."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, (group, leaf, _) in cat.ANSWERS.items():
        groups.setdefault(group, []).append((code, leaf))
    return list(groups.items())


class IntakeForm(Form):
    unit_id = SelectField("承办单位", validate_choice=False)
    channel = SelectField("收到方式", choices=_choices(cat.CHANNELS), validate_choice=False)
    received_on = date_field("收到申请日期（当面：提交之日；邮寄：签收之日；网络、传真：收到之日）")
    confirmed_on = optional_date("双方确认日期（网络、传真申请）")
    applicant_type = SelectField("申请人类型", choices=_choices(cat.APPLICANT_TYPES), validate_choice=False)
    applicant_name = StringField("申请人姓名或名称", validators=[DataRequired("请填写申请人姓名或名称。"),
                                                         Length(max=200, message="最多200字。")])
    applicant_contact = StringField("联系方式（电话、地址或邮箱）", validators=[Length(max=300, message="最多300字。")])
    content = TextAreaField("申请公开的政府信息内容", validators=[DataRequired("请填写申请内容。")])
    submit = SubmitField("登记")


class EditForm(Form):
    applicant_type = SelectField("申请人类型", choices=_choices(cat.APPLICANT_TYPES), validate_choice=False)
    applicant_name = StringField("申请人姓名或名称", validators=[DataRequired("请填写申请人姓名或名称。")])
    applicant_contact = StringField("联系方式")
    content = TextAreaField("申请公开的政府信息内容", validators=[DataRequired("请填写申请内容。")])
    submit = SubmitField("保存")


class CorrectionNoticeForm(Form):
    on = date_field("补正告知日期")
    reason = TextAreaField("需要补正的事项", validators=[DataRequired("请填写需要补正的事项。")])
    submit = SubmitField("登记补正告知")


class CorrectedForm(Form):
    on = date_field("收到补正后申请日期")
    submit = SubmitField("登记补正")


class PauseForm(Form):
    kind = SelectField("征求意见类型", choices=[(k, v) for k, v in cat.PAUSE_KINDS.items() if k != "fee"], validate_choice=False)
    start_on = date_field("发出征求意见日期")
    party = StringField("征求意见对象", validators=[DataRequired("请填写征求意见对象。")])
    note = TextAreaField("说明", validators=[Optional()])
    submit = SubmitField("开始征求意见")


class PauseEndForm(Form):
    end_on = date_field("收到意见（或征求意见结束）日期")
    submit = SubmitField("结束征求意见")


class ExtensionForm(Form):
    days = StringField("延长工作日数（最多20）", validators=[WholeNumber(1, 20, "延长工作日数")])
    approver = StringField("审批人（政府信息公开工作机构负责人）")
    approved_at = StringField("审批时间", render_kw={"type": "datetime-local"})
    reason = TextAreaField("延长理由", validators=[DataRequired("请填写延长理由。")])
    submit = SubmitField("登记延期")


class DelayForm(Form):
    due_on = date_field("另行确定的答复期限")
    reason = TextAreaField("理由（申请数量、频次明显超过合理范围的情况）", validators=[DataRequired("请填写理由。")])
    submit = SubmitField("登记")


class FeeForm(Form):
    method = SelectField("收费方式", choices=_choices(cat.FEE_METHODS), validate_choice=False)
    quantity = StringField("件数（按件）或页数（按量）", validators=[WholeNumber(1, 100000, "数量")])
    on = date_field("收费通知日期")
    submit = SubmitField("发出收费通知")


class FeePaidForm(Form):
    on = date_field("缴费日期")
    submit = SubmitField("登记缴费")


class AnswerForm(Form):
    category = SelectField("答复类型（年度报告表格中的具体情形）", validate_choice=False)
    on = date_field("答复日期")
    text = TextAreaField("答复内容", validators=[Optional()])
    submit = SubmitField("登记答复")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = dict(answer_choices())


class AppealForm(Form):
    kind = SelectField("类型", choices=_choices(cat.APPEAL_KINDS), validate_choice=False)
    filed_on = date_field("提起日期")
    note = TextAreaField("说明", validators=[Optional()])
    submit = SubmitField("登记")


class AppealResultForm(Form):
    result = SelectField("结果", choices=_choices(cat.APPEAL_RESULTS), validate_choice=False)
    decided_on = optional_date("结果作出日期")
    submit = SubmitField("登记结果")


class UploadForm(Form):
    files = MultipleFileField("材料（申请书、告知书、答复书扫描件等）")
    submit = SubmitField("上传")


class ImportForm(Form):
    file = FileField("登记台账（.xlsx）")
    submit = SubmitField("导入")


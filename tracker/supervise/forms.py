"""Forms of the supervision pages. Dates and numbers arrive as text and are parsed with Chinese messages."""
from __future__ import annotations

from datetime import date

from wtforms import BooleanField, MultipleFileField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from ..timeutil import parse_iso_date


class IsoDate:
    """Validate YYYY-MM-DD and keep the parsed date on the field as `parsed`."""

    def __call__(self, form, field) -> None:
        try:
            field.parsed = parse_iso_date(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if field.parsed is None:
            raise ValidationError("请填写日期（YYYY-MM-DD）。")


class WholeNumber:
    def __init__(self, low: int, high: int, what: str):
        self.low, self.high, self.what = low, high, what

    def __call__(self, form, field) -> None:
        raw = (field.data or "").strip()
        if not raw.isdigit() or not self.low <= int(raw) <= self.high:
            raise ValidationError(f"{self.what}应为{self.low}到{self.high}之间的整数。")
        field.parsed = int(raw)


def date_field(label: str) -> StringField:
    return StringField(label, validators=[IsoDate()], render_kw={"type": "date"})


class SweepForm(Form):
    as_of = date_field("巡查日期")
    submit = SubmitField("立即巡查")


class OverrideForm(Form):
    day = date_field("日期")
    is_workday = SelectField("当天安排", choices=[("0", "放假（休息日）"), ("1", "上班（含调休上班）")])
    note = StringField("说明（如：国庆节、国庆调休上班）", validators=[Length(0, 100, "说明最多100字。")])
    submit = SubmitField("保存")


class LookbackForm(Form):
    plan_id = SelectField("回头看的工作要点（通常为上一年度）", coerce=int, choices=[])
    as_of = date_field("回头看日期（整改通知印发日期）")
    deadline_workdays = StringField("整改时限（工作日）", default="15",
                                    validators=[WholeNumber(1, 250, "整改时限")], render_kw={"inputmode": "numeric"})
    prefix = StringField("文号前缀（留空则按工作要点文号生成，如“运政办整改”）",
                         validators=[Length(0, 40, "文号前缀最多40字。")])
    submit = SubmitField("生成整改通知")


class AnswerForm(Form):
    text = TextAreaField("整改情况", validators=[DataRequired("请填写整改情况。")], render_kw={"rows": 5})
    progress = StringField("完成进度（%，填100表示已整改到位并申请销号）", default="100",
                           render_kw={"inputmode": "numeric"})
    links = TextAreaField("发布链接（每行一个，以 http:// 或 https:// 开头）", render_kw={"rows": 2})
    files = MultipleFileField("佐证材料（可多选：PDF、Word、Excel、WPS、OFD、JPG、PNG、ZIP）")
    submit = SubmitField("报送整改情况")


class CloseForm(Form):
    comment = TextAreaField("核实意见（可不填）", render_kw={"rows": 2})
    submit = SubmitField("核实销号")


class ReturnForm(Form):
    reason = TextAreaField("退回原因", validators=[DataRequired("请填写退回原因。")], render_kw={"rows": 2})
    submit = SubmitField("退回重报")


class CircularNewForm(Form):
    plan_id = SelectField("工作要点", coerce=int, choices=[])
    kind = SelectField("通报类型", choices=[("criticism", "通报批评（逾期事项较多的单位）"),
                                         ("praise", "通报表扬（无逾期且办结较多的单位）")])
    as_of = date_field("统计截至日期")
    limit = StringField("点名单位数（最多）", default="10", validators=[WholeNumber(1, 100, "点名单位数")],
                        render_kw={"inputmode": "numeric"})
    submit = SubmitField("生成通报草稿")


class CircularUnitsField(SelectMultipleField):
    """The units a circular names; ids that are not among them are named in the message."""

    def process_formdata(self, valuelist):
        self.raw_ids = list(valuelist)
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []

    def pre_validate(self, form):
        known = {str(value) for value, _ in self.choices}
        unknown = [raw for raw in getattr(self, "raw_ids", []) if raw not in known]
        if unknown:
            shown = "、".join(raw[:20] for raw in unknown[:5]) + ("等" if len(unknown) > 5 else "")
            raise ValidationError(f"单位编号 {shown} 不在本通报的单位中（可能已被修改），请刷新页面后重新勾选。")


class CircularEditForm(Form):
    title = StringField("标题", validators=[DataRequired("请填写标题。"), Length(1, 300, "标题最多300字。")])
    body = TextAreaField("正文", validators=[DataRequired("请填写正文。")], render_kw={"rows": 14})
    unit_ids = CircularUnitsField("点名的单位（取消勾选则不点名）", coerce=int, choices=[],
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    submit = SubmitField("保存草稿")


def parsed(field) -> date | int | None:
    """Return what a validator parsed from a field."""
    return getattr(field, "parsed", None)


class OfficeForm(Form):
    name = StringField("发文机关（与工作要点的发文机关一致，如：运城市人民政府办公室）")
    code = StringField("文号代字（如：运政办，督办通知即为“运政办督〔2021〕1号”）")
    letter_format = BooleanField("催办、督办、整改通知使用信函格式", default=True)
    contact = StringField("联系人及电话（印在成文日期下方，如：联系人：王敏，联系电话：0359-2022345）")
    cc = StringField("抄送机关（用逗号分隔）")
    submit = SubmitField("保存")

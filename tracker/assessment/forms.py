"""Forms of the assessment pages; dates and points arrive as text and are checked with Chinese messages."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

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


class ComputeForm(Form):
    as_of = StringField("考核日期", validators=[IsoDate()], render_kw={"type": "date"})
    submit = SubmitField("计算新版本")


class BonusForm(Form):
    unit_id = SelectField("加分单位", coerce=int, choices=[], validators=[InputRequired("请选择单位。")])
    rule = SelectField("加分项目", choices=[], validators=[DataRequired("请选择加分项目。")])
    points = StringField("分值", validators=[DataRequired("请填写分值。"), Length(max=10, message="分值格式不正确。")],
                         render_kw={"inputmode": "decimal"})
    reason = TextAreaField("加分理由", validators=[DataRequired("请填写加分理由。"),
                                                 Length(max=500, message="加分理由最多500字。")])
    evidence = StringField("佐证（文号、链接或材料名称）",
                           validators=[DataRequired("请填写佐证。"), Length(max=500, message="佐证最多500字。")])
    submit = SubmitField("录入加分")


class ObjectionForm(Form):
    item_id = HiddenField(validators=[DataRequired("缺少申诉事项。")])
    reason = TextAreaField("申诉理由", validators=[DataRequired("请写明申诉理由。"),
                                                 Length(max=2000, message="申诉理由最多2000字。")])
    submit = SubmitField("提交申诉")


class DecisionForm(Form):
    decision = HiddenField(validators=[DataRequired("请选择处理结果。")])
    reason = TextAreaField("处理意见（不予采纳时必填）", validators=[Length(max=2000, message="处理意见最多2000字。")])


class RubricForm(Form):
    max_lengths = {"text": 200_000}  # a whole rubric document
    year = IntegerField("年度", validators=[InputRequired("请填写年度。"),
                                          NumberRange(2000, 2100, "年度应为2000至2100之间的整数。")])
    text = TextAreaField("考核细则（YAML）", render_kw={"rows": 28, "spellcheck": "false"})
    upload = FileField("或上传 YAML 文件")
    submit = SubmitField("校验并保存")


class RubricEditForm(Form):
    """The rubric edit form's fixed part (year and CSRF); the items come from rubric_form.data_from_form."""

    year = HiddenField("年度", validators=[InputRequired("请填写年度。")])

    def validate_year(self, field) -> None:
        try:
            year = int(field.data)
        except (TypeError, ValueError):
            raise ValidationError("年度应为2000至2100之间的整数。") from None
        if not 2000 <= year <= 2100:
            raise ValidationError("年度应为2000至2100之间的整数。")
        field.data = year

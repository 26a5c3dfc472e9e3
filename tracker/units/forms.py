from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..forms import Form
from .models import CATEGORIES, UNIT_KINDS


class UnitForm(Form):
    max_lengths = {"aliases": 1000}
    name = StringField("单位全称", validators=[DataRequired("请输入单位全称"), Length(1, 120)])
    short_name = StringField("简称", validators=[Length(0, 60)])
    aliases = StringField("别名（用顿号分隔）")
    kind = SelectField("单位类型", choices=list(UNIT_KINDS.items()))
    parent_id = SelectField("上级单位", coerce=int, choices=[])
    category = SelectField("考核类别", choices=[("", "（不参加考核）")] + list(CATEGORIES.items()))
    submit = SubmitField("保存")


class ImportForm(Form):
    file = FileField("单位名录文件（.yaml 或 .xlsx）", validators=[FileRequired("请选择文件")])
    submit = SubmitField("导入")


class GroupForm(Form):
    max_lengths = {"aliases": 1000}
    phrase = StringField("统称（文件中的写法）", validators=[DataRequired("请输入统称"), Length(1, 120)])
    aliases = StringField("别名（用顿号分隔）")
    owner_id = SelectField("所属辖区", coerce=int, choices=[])
    rule_kind = SelectField("按规则：单位类型", choices=[("", "（按名单）")] + list(UNIT_KINDS.items()))
    rule_parent_id = SelectField("按规则：上级单位", coerce=int, choices=[])
    member_ids = SelectMultipleField("按名单：成员单位", coerce=int, choices=[])
    submit = SubmitField("保存")

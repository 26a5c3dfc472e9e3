from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import Form
from .models import DEADLINE_KIND_LABELS


class UploadForm(Form):
    max_lengths = {"text": 1_000_000}  # a whole pasted document
    unit_id = SelectField("所属辖区（任务分配到该单位及其下级）", coerce=int, choices=[])
    file = FileField("文件（.txt / .docx / .xlsx）")
    text = TextAreaField("或粘贴文件正文", render_kw={"rows": 8})
    year = IntegerField("年度（不填则从文件识别）", validators=[Optional(), NumberRange(2000, 2100, "年度应在2000-2100之间")])
    submit = SubmitField("解析并预览")


class TaskEditForm(Form):
    title = StringField("任务标题", validators=[DataRequired("请输入任务标题"), Length(1, 500)])
    text = TextAreaField("任务内容", render_kw={"rows": 6})
    deadline_kind = SelectField("时限类型", choices=list(DEADLINE_KIND_LABELS.items()))
    deadline = StringField("完成日期（YYYY-MM-DD）")
    deadline_text = StringField("时限原文")
    lead = TextAreaField("牵头单位（每行一个）", render_kw={"rows": 3})
    responsible = TextAreaField("责任单位（每行一个）", render_kw={"rows": 4})
    cooperating = TextAreaField("配合单位（每行一个）", render_kw={"rows": 2})
    submit = SubmitField("保存修改")

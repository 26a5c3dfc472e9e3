"""The admin's form for the assessment job's schedule (checked by tracker.assessment.jobs.parse_schedule)."""
from __future__ import annotations

from wtforms import StringField, SubmitField
from wtforms.validators import Length

from ..forms import Form


class AssessmentScheduleForm(Form):
    monthly_workday = StringField("每月第几个工作日计算上月（0为不按月计算）", validators=[Length(0, 2, "请填写0到10的整数。")])
    yearly_date = StringField("每年哪一天计算上一年度（月-日，如 01-15；留空为不按年计算）",
                              validators=[Length(0, 5, "请按“月-日”填写，例如 01-15。")])
    submit = SubmitField("保存考核计算时间")

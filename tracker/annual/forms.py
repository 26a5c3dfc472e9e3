from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Regexp

from ..forms import Form
from .services import FIRST_YEAR, LAST_YEAR


def _unit_id(value) -> int:
    """Coerce a posted unit id; anything else becomes 0, which no unit has (the view answers 404)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class ImportForm(Form):
    #: the view checks the unit is in the user's scope (404 otherwise), so a stale choice list refuses nothing
    unit_id = SelectField("单位", coerce=_unit_id, choices=[], validate_choice=False)
    year = IntegerField("报告年度", validators=[DataRequired("请填写报告年度"),
                                               NumberRange(FIRST_YEAR, LAST_YEAR, f"年度应在{FIRST_YEAR}-{LAST_YEAR}之间")])
    file = FileField("年度报告文件（.txt 文本或 .docx）")
    submit = SubmitField("读取并校验")


class ConfirmForm(Form):
    """The second step of importing an inconsistent report: the same file, its failures seen."""

    unit_id = HiddenField(validators=[DataRequired()])
    year = HiddenField(validators=[DataRequired()])
    sha256 = HiddenField(validators=[Regexp(r"^[0-9a-f]{64}$")])
    filename = HiddenField()
    submit = SubmitField("已核对，确认导入")


class Section2Form(Form):
    """Section 二's cells are posted as s2-<item>-<row>-<column> and checked by tracker.annual.editing."""

    submit = SubmitField("保存第二部分")


class TextsForm(Form):
    #: the service names the section and its length (tracker.annual.editing.MAX_TEXT); this only stops abuse
    max_lengths = {"s1": 100_000, "s5": 100_000, "s6": 100_000}
    s1 = TextAreaField("一、总体情况")
    s5 = TextAreaField("五、存在的主要问题及改进情况")
    s6 = TextAreaField("六、其他需要报告的事项")
    submit = SubmitField("保存文字部分")

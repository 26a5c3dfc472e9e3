"""Forms of the assignment page. Values are parsed by the services, which give the Chinese messages."""
from __future__ import annotations

from wtforms import BooleanField, MultipleFileField, StringField, SubmitField, TextAreaField

from ..forms import Form


class ReportForm(Form):
    text = TextAreaField("进展情况", render_kw={"rows": 5})
    progress = StringField("完成进度（%）", render_kw={"inputmode": "numeric"})
    links = TextAreaField("发布链接（每行一个，以 http:// 或 https:// 开头）", render_kw={"rows": 2})
    files = MultipleFileField("佐证材料（可多选：PDF、Word、Excel、WPS、OFD、JPG、PNG、ZIP）")
    is_close_request = BooleanField("申请办结（任务已全部完成）")
    save = SubmitField("保存草稿")
    submit = SubmitField("提交审核")


class ExtensionForm(Form):
    requested_due_on = StringField("申请延期至", render_kw={"type": "date"})
    reason = TextAreaField("延期理由", render_kw={"rows": 3})
    send = SubmitField("提交延期申请")

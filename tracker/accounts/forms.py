from __future__ import annotations

from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..forms import Form
from ..access import ROLE_LABELS


class LoginForm(Form):
    # No account has a longer name: a longer one is refused here and never counted as a login try.
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64, message="用户名不超过64个字符。")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=1024, message="密码过长。")])
    submit = SubmitField("登录")


class UserForm(Form):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(2, 64)])
    display_name = StringField("姓名", validators=[DataRequired("请输入姓名"), Length(1, 64)])
    role = SelectField("角色", choices=list(ROLE_LABELS.items()))
    unit_id = SelectField("所属单位", coerce=int, choices=[])
    password = PasswordField("初始密码（至少8位）")
    submit = SubmitField("保存")


class PasswordForm(Form):
    password = PasswordField("新密码（至少8位）", validators=[DataRequired("请输入新密码")])
    submit = SubmitField("重置密码")

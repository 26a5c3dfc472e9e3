"""The base of every form: Chinese messages, no NUL, and a length limit on every text field."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.i18n import get_translations
from wtforms.validators import Length

#: the limit of a one-line text field that declares none (names, numbers, dates, notes)
DEFAULT_LINE_MAX = 200
#: the limit of a multi-line text field that declares none (report texts, reasons, task texts)
DEFAULT_TEXT_MAX = 20_000

#: messages the bundled Chinese catalogue lacks; a message found in neither is never shown in English
MISSING = {
    "'%(value)s' is not a valid choice for this field.": "“%(value)s”不是有效的选项。",
    "'%(value)s' are not valid choices for this field.": "“%(value)s”不是有效的选项。",
    "Choices cannot be None.": "没有可选的选项。",
}
FALLBACK = "输入内容无效，请检查后重新填写。"


class ChineseTranslations:
    """WTForms' own Chinese catalogue, completed: no built-in message reaches a user in English."""

    def __init__(self) -> None:
        self._zh = get_translations(["zh"])

    def _chinese(self, message: str) -> str:
        translated = self._zh.gettext(message)
        if translated != message:
            return translated
        return MISSING.get(message, message if not message.isascii() else FALLBACK)

    def gettext(self, string: str) -> str:
        return self._chinese(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        translated = self._zh.ngettext(singular, plural, n)
        if translated not in (singular, plural):
            return translated
        return self._chinese(singular if n == 1 else plural)


TRANSLATIONS = ChineseTranslations()


class Form(FlaskForm):
    """Every form of the app derives from this one.

    A text field without its own Length(max=…) is limited to DEFAULT_LINE_MAX (one line) or
    DEFAULT_TEXT_MAX (multi-line) characters; `max_lengths` raises a field's limit by name.
    """

    #: field name → a higher limit than the default, for fields that hold whole documents
    max_lengths: dict[str, int] = {}

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS

    def validate(self, extra_validators=None) -> bool:
        extra = {name: list(v) for name, v in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if not isinstance(field, StringField) or _declares_max(field):
                continue
            limit = self.max_lengths.get(name) or (DEFAULT_TEXT_MAX if isinstance(field, TextAreaField)
                                                   else DEFAULT_LINE_MAX)
            extra.setdefault(name, []).append(Length(max=limit, message=f"最多{limit}个字符。"))
        return super().validate(extra_validators=extra)


def _declares_max(field) -> bool:
    return any(isinstance(v, Length) and v.max not in (None, -1) for v in field.validators)

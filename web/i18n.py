"""Languages: Chinese (zh-CN) by default, English selectable.

Message ids are the Chinese texts themselves; `messages_en.EN` maps them to English.
Staff and citizens switch with the language form (stored in the session). The JSON
API follows Accept-Language. The engine's English field-error messages are
translated here for Chinese readers (`field_message`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, has_request_context, redirect, request, session
from werkzeug.wrappers import Response

from .messages_en import EN

LOCALES = {"zh-CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh-CN"

bp = Blueprint("i18n", __name__)


def get_locale() -> str:
    """The current request's locale."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if request.path.startswith("/api/"):
        best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh-CN")
        return "en" if best == "en" else DEFAULT_LOCALE
    chosen = session.get("lang")
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def gettext(message: str, **values: Any) -> str:
    """Translate a Chinese message id into the current locale and fill `{name}` values."""
    text = EN.get(message, message) if get_locale() == "en" else message
    return text.format(**values) if values else text


_ = gettext

# The engine's validation messages (engine/forms.py), with Chinese renderings.
_FIELD_MESSAGES = [
    (re.compile(r"this field is required"), "此项为必填项"),
    (re.compile(r"must be at least (\S+) characters"), "至少需要 {0} 个字符"),
    (re.compile(r"must be at most (\S+) characters"), "最多 {0} 个字符"),
    (re.compile(r"must be at least (\S+)"), "不能小于 {0}"),
    (re.compile(r"must be at most (\S+)"), "不能大于 {0}"),
    (re.compile(r"'(.*)' is not a whole number"), "“{0}”不是整数"),
    (re.compile(r"'(.*)' is not one of the choices: .*"), "“{0}”不是可选项之一"),
    (re.compile(r"'(.*)' is not a date; use YYYY-MM-DD"), "“{0}”不是有效日期（格式 YYYY-MM-DD）"),
    (re.compile(r"'(.*)' is not yes/no \(true or false\)"), "“{0}”不是“是/否”"),
    (re.compile(r"does not have the expected format.*"), "格式不正确"),
    (re.compile(r"expected text"), "应为文本"),
    (re.compile(r"expected a whole number"), "应为整数"),
    (re.compile(r"this task's form has no such field"), "表单中没有此字段"),
]


def field_message(message: str) -> str:
    """A field-error message in the current locale (engine messages are English)."""
    if get_locale() == "en":
        return EN.get(message, message)
    for pattern, chinese in _FIELD_MESSAGES:
        match = pattern.fullmatch(message)
        if match:
            return chinese.format(*match.groups())
    return message


@bp.post("/lang")
def set_language() -> Response:
    """Remember the chosen language and go back to the page the user was on."""
    lang = request.form.get("lang", DEFAULT_LOCALE)
    session["lang"] = lang if lang in LOCALES else DEFAULT_LOCALE
    return redirect(safe_next(request.form.get("next")) or "/", code=303)


def safe_next(target: str | None) -> str | None:
    """Only follow local paths (never an open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def init_app(app: Flask) -> None:
    """Register the language switch and the template helpers."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(_=gettext, get_locale=get_locale, LOCALES=LOCALES)

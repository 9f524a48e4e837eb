"""Languages: Chinese (zh-CN) by default, English selectable.

Message ids are the Chinese texts themselves; the English texts are a gettext catalogue
(`translations/en/LC_MESSAGES/messages.po`, kept with `make translations`) that
Flask-Babel reads.
Staff and citizens switch with the language form (stored in the session). The JSON
API follows Accept-Language. Engine field errors are translated by their stable
`code` and `params` (`field_message`), never by parsing their English message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, has_app_context, has_request_context, redirect, request, session
from flask_babel import Babel
from flask_babel import gettext as catalogue_text
from werkzeug.wrappers import Response

from engine.errors import FieldError, format_params

from .orgtext import FIELD_TEXT as ORG_FIELD_TEXT

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


def babel_locale() -> str:
    """The current locale as Babel names it (its catalogues are per language)."""
    return "en" if get_locale() == "en" else "zh"


def gettext(message: str, **values: Any) -> str:
    """Translate a Chinese message id into the current locale and fill `{name}` values."""
    text = catalogue_text(message) if has_app_context() else message
    return text.format(**values) if values else text


_ = gettext

# The Chinese text of each engine FieldError code (engine/errors.py FIELD_MESSAGES);
# English in the catalogue like every other message id.
FIELD_TEXT = {
    "not_an_object": "表单内容应为 JSON 对象",
    "unknown_field": "表单中没有此字段",
    "required": "此项为必填项",
    "expected_text": "应为文本",
    "expected_integer": "应为整数",
    "not_integer": "“{value}”不是整数",
    "not_boolean": "“{value}”不是“是/否”",
    "not_a_date": "“{value}”不是有效日期（格式 YYYY-MM-DD）",
    "not_an_option": "“{value}”不是可选项之一",
    "too_short": "至少需要 {min} 个字符",
    "too_long": "最多 {max} 个字符",
    "bad_format": "格式不正确",
    "too_small": "不能小于 {min}",
    "too_large": "不能大于 {max}",
    "unknown_filter": "没有这个筛选条件，可用：{choices}",
    "ends_before_start": "结束日期不能早于开始日期",
    "not_a_recommendation": "只有“已向上建议”的条目才能登记上级答复",
    "in_the_future": "不能晚于今天",
    "case_not_running": "该案件已办结，请选择其他决定",
    "top_level": "该案件已在联席会议（最高一级），无法再提级",
    "case_not_waiting": "该案件正处于答复或评价等环节，会议无法中途办结或提级；"
    "可决定“继续督办”，下月再议",
    "bad_cursor": "翻页位置无效，请从第一页重新开始",
    # the API's request models (web/api/validation.py maps pydantic's errors to these)
    "expected_number": "应为数字",
    "expected_list": "应为列表",
    "too_many": "最多 {max} 项",
    "too_few": "至少需要 {min} 项",
}
FIELD_TEXT.update(ORG_FIELD_TEXT)  # the organisation page's codes (web/orgtext.py)


def field_message(error: FieldError) -> str:
    """A field error in the current locale, looked up by its code (never by its text)."""
    template = FIELD_TEXT.get(error.code)
    if template is None:
        return error.message  # a producer that wrote its own (already translated) text
    return format_params(gettext(template), error.params)


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
    """Register the language switch, the catalogues and the template helpers."""
    folder = Path(__file__).resolve().parent / "translations"
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(folder))
    Babel(app, locale_selector=babel_locale)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(_=gettext, get_locale=get_locale, LOCALES=LOCALES)

"""The one place engine errors become HTTP statuses, as JSON for the API and pages for people.

| engine error | status | code |
| --- | --- | --- |
| NotFound | 404 | not_found |
| NotAllowed | 403 | not_allowed |
| Conflict (StaleCase, TaskNotReady) | 409 | conflict / stale_case / task_not_ready |
| FormInvalid | 422 | form_invalid (with `fields` and `errors`) |
| InvalidProcess | 422 | invalid_process (with `problems`) |
| ScriptStopped | 422 | script_stopped (a diagram script hit the CPU/memory limit; nothing saved) |
| other EngineError | 400 | its `code` |

JSON errors look like `{"error": {"code": "...", "message": "...", "fields": {...}}}`;
a FormInvalid adds `errors: [{field, code, params, message}]`, one entry per bad value,
with a stable per-field `code` (engine/errors.py FIELD_MESSAGES) for clients to act on.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from engine.errors import (
    Conflict,
    EngineError,
    FormInvalid,
    InvalidProcess,
    NotAllowed,
    NotFound,
    ScriptStopped,
)

from . import db, resume
from .auth import current_user
from .i18n import field_message
from .i18n import gettext as _

ENGINE_STATUS: tuple[tuple[type[EngineError], int], ...] = (
    (NotFound, 404),
    (NotAllowed, 403),
    (Conflict, 409),
    (FormInvalid, 422),
    (InvalidProcess, 422),
    (ScriptStopped, 422),
)
HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_failed", 429: "rate_limited",
    500: "internal_error",
}  # fmt: skip
PAGE_TEXT = {
    400: ("请求有误", "请检查后重试。"),
    401: ("需要登录", "请先登录。"),
    403: ("无权操作", "您没有办理此事项的权限。"),
    404: ("未找到", "没有找到该页面或案件，或者您无权查看。"),
    405: ("不支持的操作", "请从页面上的按钮操作。"),
    409: ("已被他人处理", "该事项刚刚被他人更新，请刷新后查看最新状态。"),
    413: ("内容过大", "提交的内容超过了允许的大小。"),
    422: ("内容不符合要求", "请根据提示修改后重新提交。"),
    429: ("操作过于频繁", "请稍候再试。"),
    500: ("系统错误", "系统出现问题，已记录，请稍后重试。"),
}


def status_of(error: EngineError) -> int:
    """The HTTP status of an engine error."""
    for kind, status in ENGINE_STATUS:
        if isinstance(error, kind):
            return status
    return 400


def field_errors(error: FormInvalid) -> dict[str, str]:
    """Per-field messages of a FormInvalid, in the current locale."""
    fields: dict[str, str] = {}
    for item in error.errors:
        fields.setdefault(item.field or "_form", field_message(item))
    return fields


def error_list(error: FormInvalid) -> list[dict[str, Any]]:
    """Every field error of a FormInvalid with its code, params and localized message."""
    return [
        {"field": item.field or "_form", "code": item.code, "params": dict(item.params),
         "message": field_message(item)}
        for item in error.errors
    ]  # fmt: skip


def wants_json() -> bool:
    """API routes (and clients that only accept JSON) get JSON errors."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def json_error(
    status: int, code: str, message: str, fields: dict[str, str] | None = None, **extra: Any
) -> tuple[Response, int]:
    """A JSON error body with a stable code."""
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return jsonify({"error": body}), status


def handle_engine_error(error: EngineError) -> Any:
    """Roll back the request's work and answer with the mapped status."""
    db.rollback()
    status = status_of(error)
    if wants_json():
        if isinstance(error, FormInvalid):
            return json_error(
                status,
                error.code,
                _("表单内容不符合要求"),
                field_errors(error),
                errors=error_list(error),
            )
        if isinstance(error, InvalidProcess):
            problems = [str(p) for p in error.problems]
            return json_error(status, error.code, str(error), problems=problems)
        return json_error(status, error.code, str(error) if status != 404 else _("未找到"))
    if isinstance(error, ScriptStopped):
        return _page(status, _("流程中的脚本超出了运行限制，本次操作没有保存。请联系流程管理员。"))
    return _page(status)


def handle_http_error(error: HTTPException) -> Any:
    """Werkzeug errors (404, 405, 413, 429, CSRF ...) as JSON or a page."""
    db.rollback()
    status = error.code or 500
    if isinstance(error, CSRFError) and resume.can_resume():
        return _resume_after_csrf_failure()
    if isinstance(error, CSRFError):
        code, message = "csrf_failed", _("页面已过期或来源不明，请刷新页面后重试。")
    else:
        code = getattr(error, "error_code", None) or HTTP_CODES.get(status, "error")
        message = _(PAGE_TEXT.get(status, ("请求有误", ""))[0])
        if error.description and error.description != type(error).description:
            message = error.description  # a message the raising code wrote for this case
    if wants_json():
        response, status = json_error(status, code, message)
    else:
        response = _page(status, message if isinstance(error, CSRFError) else None)[0]
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response, status


def _resume_after_csrf_failure() -> BaseResponse:
    """An outdated form (expired cookie or token): keep what was typed, sign in if needed."""
    fields, target = resume.typed_fields(), resume.target_path()
    if resume.needs_login() and current_user() is None:
        return resume.login_page(fields, target)
    return resume.continue_page(fields, target, status=400)


def _page(status: int, detail: str | None = None) -> tuple[Response, int]:
    title, text = PAGE_TEXT.get(status, PAGE_TEXT[400])
    text = detail or _(text)
    html = render_template("errors/error.html", status=status, title=_(title), text=text)
    return Response(html, mimetype="text/html"), status


def init_app(app: Flask) -> None:
    """Register the handlers (an unexpected exception reaches the 500 handler via Flask)."""
    app.register_error_handler(EngineError, handle_engine_error)
    app.register_error_handler(HTTPException, handle_http_error)

"""Photos and documents: upload on a case or task, thumbnails and files for staff who may
see the case, and a submitter's own files on their tracking page.

Uploads may be larger than other requests: `_allow_uploads` raises the request size
limit for the upload routes only (before CSRF reads the form). Files are checked by
content in the engine (`engine/attaching/`); a refusal is shown under the file field.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, redirect, request, session, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from engine.attaching.checking import Checked, Limits
from engine.attaching.facade import AttachmentView
from engine.errors import FormInvalid

from . import db
from .auth import current_user, login_required, me
from .errors import field_errors
from .i18n import FIELD_TEXT

bp = Blueprint("attachments", __name__)
# Chinese texts of the engine's refusal codes (engine/attaching/checking.py).
FIELD_TEXT.update({
    "too_many_files": "一次最多上传 {max} 个文件",
    "empty_file": "{name} 是空文件",
    "file_too_large": "{name} 超过 {max_mb} MB",
    "not_an_image": "{name} 不是图片（虽然文件名是图片），请重新选择照片",
    "unsupported_type": "{name}：只能上传照片（JPEG、PNG、WebP、GIF）、PDF、Word 或 Excel 文件",
    "no_file": "请先选择文件",
})  # fmt: skip
UPLOAD_ENDPOINTS = frozenset({"public.appeal", "attachments.upload", "api.case_attachments_add"})
ERROR_KEY = "attachment_error"


@bp.record_once
def _install(state: Any) -> None:
    app: Flask = state.app
    app.before_request_funcs.setdefault(None, []).insert(0, _allow_uploads)


def _allow_uploads() -> None:
    """Let the upload forms carry files up to the configured limits; their text fields, and
    every other request, keep the app's limit (MAX_CONTENT_LENGTH)."""
    multipart = request.mimetype == "multipart/form-data"
    if request.method == "POST" and request.endpoint in UPLOAD_ENDPOINTS and multipart:
        request.max_content_length = Limits.from_env().request_bytes
        request.max_form_memory_size = current_app.config["MAX_CONTENT_LENGTH"]


def uploaded_files() -> list[tuple[str, bytes]]:
    """(name, bytes) of every file in the request's `files` field."""
    found: list[FileStorage] = request.files.getlist("files")
    return [(f.filename or "", f.read()) for f in found if f.filename]


def check_uploads() -> list[Checked]:
    """The request's files, checked (FormInvalid on the `attachments` field)."""
    return db.service().attachments.check(uploaded_files())


@bp.app_template_global()
def case_attachments(key: str) -> list[AttachmentView]:
    """The case's attachments for the signed-in staff member."""
    user = current_user()
    return db.service().attachments.of_case(key, user.username) if user else []


@bp.app_template_global()
def submitted_files(key: str) -> list[AttachmentView]:
    """What the submitter sent (shown on the tracking page, which checked the grant)."""
    return db.service().attachments.of_submission(key)


@bp.app_template_global()
def attachment_error(key: str) -> str | None:
    """The refusal of the last upload to this case, shown once under the file field."""
    errors: dict[str, str] = session.get(ERROR_KEY) or {}
    message = errors.pop(key, None)
    if message is not None:
        session[ERROR_KEY] = errors
    return message


@bp.post("/cases/<key>/attachments")
@login_required
def upload(key: str) -> Response:
    """Add files to a case, or to one of its tasks (`task_id` in the form)."""
    task_id = request.form.get("task_id") or None
    back = url_for("tasks.task", task_id=task_id) if task_id else url_for("cases.case", key=key)
    try:
        checked = check_uploads()
        if not checked:
            raise FormInvalid([_nothing_chosen()])
        db.service().attachments.add(key, checked, me().username, task_id=task_id)
        db.commit()
    except FormInvalid as error:
        db.rollback()
        session[ERROR_KEY] = {**(session.get(ERROR_KEY) or {}), key: field_errors(error)[
            "attachments"]}  # fmt: skip
    return redirect(back + "#attachments", 303)


def _nothing_chosen() -> Any:
    from engine.errors import FieldError

    return FieldError("attachments", "no_file", {}, "choose a file first")


@bp.get("/attachments/<int:attachment_id>")
@login_required
def file(attachment_id: int) -> Response:
    """The stored file (images inline, documents as a download)."""
    return send_file(*db.service().attachments.content(attachment_id, me().username))


@bp.get("/attachments/<int:attachment_id>/thumb")
@login_required
def thumb(attachment_id: int) -> Response:
    """An image's thumbnail."""
    view, content = db.service().attachments.content(attachment_id, me().username, True)
    return send_file(view, content, thumbnail=True)


def send_file(view: AttachmentView, content: bytes, thumbnail: bool = False) -> Response:
    mime = "image/jpeg" if thumbnail else view.mime
    response = Response(content, mimetype=mime)
    disposition = "inline" if mime.startswith("image/") else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{_quoted(view)}"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _quoted(view: AttachmentView) -> str:
    from urllib.parse import quote

    return quote(view.name, safe="")

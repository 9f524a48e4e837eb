"""A staff member's in-app notifications and a case's attachments through the API (issue 14;
listed in openapi_notify.py). Every route needs a staff bearer token (401); attachments
follow the case pages' scope (a case or file outside it is 404, like the pages)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from engine.attaching.facade import AttachmentView
from engine.errors import FieldError, FormInvalid
from engine.notifying.facade import Notice

from .. import db
from ..attachments import send_file, uploaded_files
from ..errors import field_errors, json_error
from ..i18n import gettext as _
from ..notify import EVENT_NAMES
from . import tokens
from .blueprint import bp


@bp.get("/notifications")
def notifications() -> Any:
    """The caller's latest in-app messages, newest first, with the unread count."""
    user = tokens.staff()
    found = db.service().notifications
    return jsonify(unread=found.unread_count(user.username),
                   notifications=[_notice(n) for n in found.recent(user.username)])  # fmt: skip


@bp.get("/notifications/unread")
def notifications_unread() -> Any:
    """How many in-app messages the caller has not read (the bell's number)."""
    user = tokens.staff()
    return jsonify(unread=db.service().notifications.unread_count(user.username))


@bp.post("/notifications/read")
def notifications_read() -> Any:
    """Mark every in-app message of the caller read."""
    user = tokens.staff()
    marked = db.service().notifications.mark_read(user.username)
    db.commit()
    return jsonify(marked=marked, unread=0)


@bp.get("/cases/<key>/attachments")
def case_attachments(key: str) -> Any:
    """The case's photos and documents with their SHA-256 hashes."""
    user = tokens.staff()
    found = db.service().attachments.of_case(key, user.username)
    return jsonify(case_no=key, attachments=[_attachment(a) for a in found])


@bp.post("/cases/<key>/attachments")
def case_attachments_add(key: str) -> Any:
    """Add the `files` of a multipart body to the case (or to its task `task_id`)."""
    user = tokens.staff()
    if request.mimetype != "multipart/form-data":
        message = _("请以 multipart/form-data 上传文件（字段 files）")
        return json_error(415, "unsupported_media_type", message)
    task_id = request.form.get("task_id") or None
    service = db.service()
    try:
        checked = service.attachments.check(uploaded_files())
        if not checked:
            raise FormInvalid([FieldError("attachments", "no_file", {}, "choose a file first")])
    except FormInvalid as error:
        fields = field_errors(error)
        return json_error(422, "validation_failed", fields["attachments"], fields)
    added = service.attachments.add(key, checked, user.username, task_id=task_id)
    db.commit()
    return jsonify(case_no=key, attachments=[_attachment(a) for a in added]), 201


@bp.get("/attachments/<int:attachment_id>")
def attachment_file(attachment_id: int) -> Response:
    """The stored file itself (its type in Content-Type)."""
    user = tokens.staff()
    return send_file(*db.service().attachments.content(attachment_id, user.username))


def _notice(notice: Notice) -> dict[str, Any]:
    return {"id": notice.id, "event": notice.event,
            "event_name": _(EVENT_NAMES.get(notice.event, notice.event)),
            "subject": notice.subject, "body": notice.body, "case_no": notice.case_key,
            "created_at": notice.created_at.isoformat(), "read": notice.read,
            "path": notice.path}  # fmt: skip


def _attachment(view: AttachmentView) -> dict[str, Any]:
    return {"id": view.id, "case_no": view.case_key, "task_id": view.task_id,
            "name": view.name, "kind": view.kind, "mime": view.mime, "size": view.size,
            "sha256": view.sha256, "has_thumbnail": view.has_thumbnail,
            "uploaded_by": view.uploaded_by, "uploaded_at": view.uploaded_at.isoformat(),
            "url": f"/api/v1/attachments/{view.id}"}  # fmt: skip

"""A staff member's in-app notifications and a case's attachments through the API (issue 14;
shapes in schemas/people.py). Every route needs a staff bearer token (401); attachments
follow the case pages' scope (a case or file outside it is 404, like the pages)."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from engine.attaching.facade import AttachmentView
from engine.errors import FieldError, FormInvalid
from engine.notifying.facade import Notice
from engine.organisation import UserView

from .. import db
from ..attachments import send_file, uploaded_files
from ..errors import field_errors
from ..i18n import gettext as _
from ..notify import EVENT_NAMES
from .operations import File, Reply, operation
from .schemas import people as shapes
from .validation import rejected


@operation("get", "/notifications", ok=Reply(shapes.Notifications, "Messages."))
def notifications(user: UserView) -> shapes.Notifications:
    """The caller's in-app messages (newest first) and unread count."""
    found = db.service().notifications
    notices = [_notice(n) for n in found.recent(user.username)]
    return shapes.Notifications(unread=found.unread_count(user.username), notifications=notices)


@operation("get", "/notifications/unread", ok=Reply(shapes.Unread, "The count."))
def notifications_unread(user: UserView) -> shapes.Unread:
    """How many in-app messages the caller has not read (the bell's number)."""
    return shapes.Unread(unread=db.service().notifications.unread_count(user.username))


@operation("post", "/notifications/read", ok=Reply(shapes.Marked, "How many were marked."))
def notifications_read(user: UserView) -> shapes.Marked:
    """Mark all the caller's in-app messages read."""
    marked = db.service().notifications.mark_read(user.username)
    db.commit()
    return shapes.Marked(marked=marked, unread=0)


@operation("get", "/cases/<key>/attachments", ok=Reply(shapes.Attachments, "Oldest first."))
def case_attachments(key: str, user: UserView) -> shapes.Attachments:
    """A case's photos and documents with their SHA-256 hashes."""
    found = db.service().attachments.of_case(key, user.username)
    return shapes.Attachments(case_no=key, attachments=[_attachment(a) for a in found])


@operation(
    "post", "/cases/<key>/attachments", form=shapes.AttachmentUpload,
    ok={201: Reply(shapes.Attachments, "The files stored.")},
    errors={413: "Larger than the upload limit.",
            422: "No file, too many, too large, or a type refused by content "
                 "(`validation_failed`, reason in `fields.attachments`)."},
)  # fmt: skip
def case_attachments_add(key: str, user: UserView, form: shapes.AttachmentUpload) -> Any:
    """Upload files to a case (or one of its open tasks)."""
    service = db.service()
    try:
        checked = service.attachments.check(uploaded_files())
        if not checked:
            raise FormInvalid([FieldError("attachments", "no_file", {}, "choose a file first")])
    except FormInvalid as error:
        return rejected(error.errors, field_errors(error)["attachments"])
    added = service.attachments.add(key, checked, user.username, task_id=form.task_id or None)
    db.commit()
    return shapes.Attachments(case_no=key, attachments=[_attachment(a) for a in added]), 201


@operation(
    "get", "/attachments/<int:attachment_id>", path_text={"attachment_id": "The attachment's id."},
    ok=File(("*/*",), "The file, with its type (images inline, documents as attachment)."),
)  # fmt: skip
def attachment_file(attachment_id: int, user: UserView) -> Response:
    """Download a stored file (images inline, documents as attachment)."""
    return send_file(*db.service().attachments.content(attachment_id, user.username))


def _notice(notice: Notice) -> shapes.Notice:
    return shapes.Notice(
        id=notice.id, event=notice.event, event_name=_(EVENT_NAMES.get(notice.event, notice.event)),
        subject=notice.subject, body=notice.body, case_no=notice.case_key,
        created_at=notice.created_at.isoformat(), read=notice.read, path=notice.path,
    )  # fmt: skip


def _attachment(view: AttachmentView) -> shapes.Attachment:
    # model_validate: the engine's `kind` is plain text the model checks.
    return shapes.Attachment.model_validate({
        "id": view.id, "case_no": view.case_key, "task_id": view.task_id, "name": view.name,
        "kind": view.kind, "mime": view.mime, "size": view.size, "sha256": view.sha256,
        "has_thumbnail": view.has_thumbnail, "uploaded_by": view.uploaded_by,
        "uploaded_at": view.uploaded_at.isoformat(), "url": f"/api/v1/attachments/{view.id}",
    })  # fmt: skip

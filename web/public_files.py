"""A submitter's own photos and documents, for the browser holding the case's tracking
grant (a blueprint nested in `public`, so its routes are public ones: no staff login)."""

from __future__ import annotations

from flask import Blueprint, session
from werkzeug.wrappers import Response

from engine.attaching.facade import AttachmentView
from engine.errors import NotFound
from engine.views import PublicCaseView

from . import db
from .attachments import send_file

bp = Blueprint("files", __name__)


@bp.get("/track/<key>/attachments/<int:attachment_id>")
def submitted(key: str, attachment_id: int) -> Response:
    """A file the submitter sent."""
    return send_file(*_submitted(key, attachment_id, False))


@bp.get("/track/<key>/attachments/<int:attachment_id>/thumb")
def submitted_thumb(key: str, attachment_id: int) -> Response:
    """The thumbnail of a photo the submitter sent."""
    return send_file(*_submitted(key, attachment_id, True), thumbnail=True)


def _submitted(key: str, attachment_id: int, thumbnail: bool) -> tuple[AttachmentView, bytes]:
    if granted(key) is None:
        raise NotFound(f"no attachment #{attachment_id}")
    return db.service().attachments.submitted_content(key, attachment_id, thumbnail)


def granted(key: str) -> PublicCaseView | None:
    """The case's public view if this browser proved its tracking code earlier."""
    token = session.get("tracking", {}).get(key)
    if not isinstance(token, str):
        return None
    try:
        return db.service().signins.tracked(token, key)
    except NotFound:
        return None

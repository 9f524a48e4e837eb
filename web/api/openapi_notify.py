"""The notifications and attachments part of the OpenAPI document (issue 14)."""

from __future__ import annotations

from typing import Any

from .openapi_audit import ERRORS, KEY, STAFF, _json, _ref

UNAUTHORIZED = {"401": ERRORS["401"]}
TEXT = {"type": "string"}
WHEN = {"type": "string", "format": "date-time"}
MAYBE = {"type": "string", "nullable": True}
ATTACHMENT_ID = {"name": "attachment_id", "in": "path", "required": True,
                 "schema": {"type": "integer"}, "description": "The attachment's id."}  # fmt: skip
UPLOAD = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["files"],
        "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": "Photos (JPEG, PNG, WebP, GIF), PDF, Word or Excel files; "
                                     "checked by content, count and size limited."},
            "task_id": {"type": "string", "description": "Attach to this open task of the case."},
        }}}},
}  # fmt: skip
UPLOAD_ERRORS = {
    "413": _json(_ref("Error"), "Larger than the upload limit."),
    "415": _json(_ref("Error"), "Not a multipart/form-data body (`unsupported_media_type`)."),
    "422": _json(_ref("Error"), "No file, too many, too large, or a type refused by content "
                 "(`validation_failed`, reason in `fields.attachments`)."),
}  # fmt: skip


def notify_paths() -> dict[str, Any]:
    """The notification and attachment endpoints."""
    unread = {"type": "object", "required": ["unread"],
              "properties": {"unread": {"type": "integer"}}}  # fmt: skip
    marked = {"type": "object", "properties": {"marked": {"type": "integer"},
                                                "unread": {"type": "integer"}}}  # fmt: skip
    return {
        "/api/v1/notifications": {"get": {
            "summary": "The caller's in-app messages (newest first) and unread count.",
            "security": STAFF,
            "responses": {"200": _json(_ref("Notifications"), "Messages."), **UNAUTHORIZED}}},
        "/api/v1/notifications/unread": {"get": {
            "summary": "How many in-app messages the caller has not read.",
            "security": STAFF,
            "responses": {"200": _json(unread, "The count."), **UNAUTHORIZED}}},
        "/api/v1/notifications/read": {"post": {
            "summary": "Mark all the caller's in-app messages read.",
            "security": STAFF,
            "responses": {"200": _json(marked, "How many were marked."), **UNAUTHORIZED}}},
        "/api/v1/cases/{key}/attachments": {
            "get": {
                "summary": "A case's photos and documents with their SHA-256 hashes.",
                "security": STAFF, "parameters": [KEY],
                "responses": {"200": _json(_ref("Attachments"), "Oldest first."), **ERRORS}},
            "post": {
                "summary": "Upload files to a case (or one of its open tasks).",
                "security": STAFF, "parameters": [KEY], "requestBody": UPLOAD,
                "responses": {"201": _json(_ref("Attachments"), "The files stored."),
                              **ERRORS, **UPLOAD_ERRORS}},
        },
        "/api/v1/attachments/{attachment_id}": {"get": {
            "summary": "Download a stored file (images inline, documents as attachment).",
            "security": STAFF, "parameters": [ATTACHMENT_ID],
            "responses": {"200": {"description": "The file, with its type.",
                                  "content": {"*/*": {"schema": {"type": "string",
                                                                 "format": "binary"}}}},
                          **ERRORS}}},
    }  # fmt: skip


def notify_schemas() -> dict[str, Any]:
    """The notification and attachment schemas."""
    notice = {"type": "object", "properties": {
        "id": {"type": "integer"}, "event": TEXT,
        "event_name": {"type": "string", "description": "The event's name, in the UI language."},
        "subject": TEXT, "body": TEXT, "case_no": MAYBE, "created_at": WHEN,
        "read": {"type": "boolean"},
        "path": {"type": "string", "description": "The task's page, or empty."}}}  # fmt: skip
    attachment = {"type": "object", "properties": {
        "id": {"type": "integer"}, "case_no": TEXT, "task_id": MAYBE, "name": TEXT,
        "kind": {"type": "string", "enum": ["image", "document"]}, "mime": TEXT,
        "size": {"type": "integer"}, "sha256": TEXT, "has_thumbnail": {"type": "boolean"},
        "uploaded_by": TEXT, "uploaded_at": WHEN,
        "url": {"type": "string", "description": "Where to download the file."}}}  # fmt: skip
    return {
        "Notifications": {"type": "object", "properties": {
            "unread": {"type": "integer"},
            "notifications": {"type": "array", "items": notice}}},
        "Attachments": {"type": "object", "properties": {
            "case_no": TEXT, "attachments": {"type": "array", "items": attachment}}},
    }  # fmt: skip

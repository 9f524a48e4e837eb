"""Notifications, attachments, personal data and duplicates (api/notify_routes.py,
api/privacy_routes.py, api/reach_routes.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from werkzeug.datastructures import FileStorage

from . import Answer, Body, Filled, Instant, Query

PersonalField = Literal["name", "phone", "id_number", "address", "email"]
Reason = Literal["receiving_window", "active_task", "discipline"]
CaseNumber = Annotated[Filled, Field(max_length=100, description="A case number.")]

# --- requests ---------------------------------------------------------------------------------


class AttachmentUpload(BaseModel):
    """Files for a case (multipart/form-data); checked by content, count and size."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    files: list[Annotated[FileStorage, WithJsonSchema({"type": "string", "format": "binary"})]] = (
        Field([], description="Photos (JPEG, PNG, WebP, GIF), PDF, Word or Excel files.")
    )
    task_id: Annotated[
        str, Field(max_length=100, description="Attach to this open task of the case.")
    ] = ""


class AccessLogQuery(Query):
    """Narrow the access log to one case."""

    case: Annotated[str, Field(max_length=100, description="Only this case number.")] = ""


class MergeRequest(Body):
    """The main case a duplicate joins."""

    main: CaseNumber


class DistinctRequest(Body):
    """The case that is a different matter."""

    other: CaseNumber


# --- answers ----------------------------------------------------------------------------------


class Notice(Answer):
    """An in-app message."""

    id: int
    event: str
    event_name: str = Field(description="The event's name, in the UI language.")
    subject: str
    body: str
    case_no: str | None
    created_at: Instant
    read: bool
    path: str = Field(description="The task's page, or empty.")


class Notifications(Answer):
    """The caller's latest messages and how many are unread."""

    unread: int
    notifications: list[Notice]


class Unread(Answer):
    """How many in-app messages the caller has not read."""

    unread: int


class Marked(Answer):
    """How many messages were marked read."""

    marked: int
    unread: int


class Attachment(Answer):
    """A stored file of a case."""

    id: int
    case_no: str
    task_id: str | None
    name: str
    kind: Literal["image", "document"]
    mime: str
    size: int
    sha256: str
    has_thumbnail: bool
    uploaded_by: str
    uploaded_at: Instant
    url: str = Field(description="Where to download the file.")


class Attachments(Answer):
    """A case's files, oldest first."""

    case_no: str
    attachments: list[Attachment]


class AccessEntry(Answer):
    """One full view of a case's personal data."""

    at: Instant
    username: str
    case_no: str
    reason: Reason
    channel: Literal["page", "api"]
    fields: list[PersonalField]
    request_id: str | None


class AccessLog(Answer):
    """Full views of personal data, newest first."""

    entries: list[AccessEntry]


class PersonalValue(Answer):
    """A sealed personal value (never the value): its commitment and whether it was erased."""

    field: str
    commitment: str
    recorded_at: Instant
    erased_at: Instant | None
    erased_by: str | None


class PersonalValues(Answer):
    """A case's sealed personal values."""

    case_no: str
    values: list[PersonalValue]


class Duplicate(Answer):
    """An open case like this one."""

    case_no: str
    title: str
    kind: str
    place: str = Field(description="Unit code.")
    score: float = Field(description="Bigram Jaccard, 0-1.")
    received_at: Instant


class Duplicates(Answer):
    """Open cases like this one, most alike first."""

    case_no: str
    suggestions: list[Duplicate]


class Merged(Answer):
    """The duplicate and the main case it joined."""

    case_no: str
    merged_into: str


class Distinct(Answer):
    """The pair recorded as different matters."""

    case_no: str
    distinct_from: str

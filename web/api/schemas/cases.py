"""Sign-in, appeals, cases and tasks: the shapes of api/routes.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from engine.worklists import MAX_PAGE_SIZE, PAGE_SIZE

from ...appeal_contact import CHOICES as NOTIFY_CHOICES
from ...i18n import gettext as _
from ...inbox import SORTS, TABS
from ...vocabulary import KINDS, RATINGS, TIERS
from ..body import InvalidBody
from . import Answer, Body, Instant, JsonObject, Query, Texts, filled, one_of

# --- requests ---------------------------------------------------------------------------------


class Credentials(Body):
    """A staff member's username and password."""

    username: Annotated[str, Field(max_length=64)]
    password: Annotated[str, Field(max_length=256)]


class Contact(Body):
    """Who to answer."""

    name: Annotated[str, filled(50)]
    phone: Annotated[str, Field(
        max_length=20, pattern=r"^ *(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}) *$",
        description="A mobile number or a landline (0571-82345678).")]  # fmt: skip
    email: Annotated[
        str, Field(max_length=200, description="For e-mail news (required with notify_by=email).")
    ] = ""


class AttachmentLink(Body):
    """A file the submitter already put somewhere on the web."""

    name: Annotated[str, filled(200)]
    url: Annotated[str, Field(max_length=497, pattern=r"^https?://\S+$",
                              json_schema_extra={"format": "uri"})]  # fmt: skip


class AppealCreate(Body):
    """A matter submitted by a citizen or an enterprise (no account)."""

    kind: Annotated[str, one_of(KINDS)]
    title: Annotated[str, filled(100)]
    description: Annotated[str, filled(2000)]
    contact: Contact
    tier: Annotated[str, one_of(TIERS)]
    notify_by: Annotated[str, one_of(NOTIFY_CHOICES, description=(
        "How the submitter hears of the receipt, the reply to rate and the closing: SMS to "
        "a mobile phone, e-mail, or not at all."))] = ""  # fmt: skip
    intake_unit: Annotated[
        str,
        Field(
            max_length=50,
            description=(
                "Window (unit code) of the tier; required when the tier has several windows."
            ),
        ),
    ] = ""
    window: Annotated[str, Field(max_length=50, description="Alias of intake_unit.")] = ""
    enterprise_name: Annotated[str, Field(max_length=100)] = ""
    address: Annotated[str, Field(max_length=200, description="Where it happened.")] = ""
    place_unit: Annotated[
        str,
        Field(
            max_length=50,
            description=("The village/community (a unit code of kind village) where it happened."),
        ),
    ] = ""
    latitude: (
        Annotated[float, Field(ge=-90, le=90, description="Decimal degrees; give both or neither.")]
        | None
    ) = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    attachments: Annotated[list[AttachmentLink], Field(max_length=5, default_factory=list)]


def _form_values(value: Any) -> Any:
    """`data` that is not an object is a body the API cannot use (400), as it always was."""
    if not isinstance(value, dict):
        raise InvalidBody(_("“data” 须为表单值组成的 JSON 对象"))
    return value


class CompleteTask(Body):
    """The task form's values (checked by the engine against the form: 422 `form_invalid`)."""

    data: Annotated[JsonObject, BeforeValidator(_form_values), Field(default_factory=dict)]


class CaseRead(Query):
    """Staff read a case with a token; the submitter with the tracking code."""

    code: Annotated[str | None, Field(
        description="The tracking code from the receipt; without it a bearer token is needed."
    )] = None  # fmt: skip


class InboxQuery(Query):
    """One tab of the inbox, filtered and sorted like the HTML inbox."""

    tab: Annotated[str, one_of(TABS)] | None = None
    tier: Annotated[str, Field(max_length=40)] = ""
    department: Annotated[str, Field(max_length=40)] = ""
    kind: Annotated[str, Field(max_length=40)] = ""
    sort: Annotated[str, one_of(SORTS)] = "due"
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE
    after: Annotated[str, Field(max_length=400)] | None = None


# --- answers ----------------------------------------------------------------------------------


class TokenUser(Answer):
    """Who the token belongs to."""

    username: str
    roles: Texts
    unit: str | None
    groups: Texts


class Token(Answer):
    """A revocable bearer token that expires."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    user: TokenUser


class Receipt(Answer):
    """The submitter's case number and tracking code."""

    case_no: str
    tracking_code: str


class Task(Answer):
    """A task as the inbox and the case list it."""

    id: str
    case_no: str
    process_id: str
    task_spec: str
    name: str
    candidate_groups: Texts
    candidate_users: Texts
    assignee: str | None
    claimed_by: str | None
    due_at: Instant | None
    priority: int
    created_at: Instant


class Choice(Answer):
    """One option of a choice field."""

    id: str
    label: str


class FormField(Answer):
    """A form field's constraints."""

    id: str
    label: str
    type: str
    required: bool
    readonly: bool
    default: Any
    help: str
    choices: list[Choice]
    min: int | float | None
    max: int | float | None
    minlength: int | None
    maxlength: int | None
    pattern: str | None


class TaskWithForm(Task):
    """A task with its form."""

    form: list[FormField]
    documentation: str


class InboxTask(Task):
    """A task with the case facts the inbox shows."""

    title: str
    kind: str | None
    tier: str | None
    level: int | None
    departments: Texts
    working_minutes_left: int | None
    overdue: bool
    due_today: bool
    mine: bool


class TaskList(Answer):
    """One page of the caller's open tasks."""

    tasks: list[InboxTask]
    next: str | None  # the cursor of the next page (`?after=`); None on the last page


class CaseWarning(Answer):
    """Something staff should know about the case (a stable code, worded in their language)."""

    code: str = Field(examples=["calendar_fallback"])
    message: str


class PersonalShown(Answer):
    """How the case's personal data (`data.contact`) is shown to the caller: `full` (and why;
    the view is logged) or `masked`."""

    shown: Literal["full", "masked"]
    reason: Literal["receiving_window", "active_task", "discipline"] | None
    fields: list[Literal["name", "phone", "id_number", "address", "email"]]
    erased: list[Literal["name", "phone", "id_number", "address", "email"]]


class Case(Answer):
    """A case as staff see it (all its data, personal values as the caller may see them)."""

    case_no: str
    title: str
    status: str
    process_id: str
    process_version: int
    level: int | None
    owner_unit: str | None
    data: JsonObject
    tasks: list[Task]
    next_timer_at: Instant | None
    error: str | None
    warnings: list[CaseWarning]
    created_at: Instant
    updated_at: Instant
    personal: PersonalShown


class PublicEntry(Answer):
    """One step of the public timeline."""

    at: Instant
    kind: str
    step: str


class PublicCase(Answer):
    """What the submitter may see (no staff names, no internal data)."""

    case_no: str
    title: str
    kind: str
    status: str
    stage: Texts
    submitted_at: Instant
    public_reply: str | None
    rating_requested: bool
    rating: Literal[tuple(RATINGS)] | None  # type: ignore[valid-type]
    timeline: list[PublicEntry]


class Event(Answer):
    """One history event for staff."""

    seq: int
    at: Instant
    actor: str
    kind: str
    task_id: str | None
    task_spec: str | None
    changes: JsonObject


class Events(Answer):
    """The case's history for staff."""

    events: list[Event]


class Timeline(Answer):
    """The case's public timeline."""

    events: list[PublicEntry]

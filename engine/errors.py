"""Domain errors raised by the engine; `web/errors.py` maps them to HTTP statuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""

    code = "engine_error"


class NotFound(EngineError):
    """A case, task, process or user does not exist (or is outside the caller's scope)."""

    code = "not_found"


class NotAllowed(EngineError):
    """The user may not act on this task."""

    code = "not_allowed"


class Conflict(EngineError):
    """Someone else changed the case first; reload and try again."""

    code = "conflict"


class StaleCase(Conflict):
    """The case row changed between read and write (optimistic lock lost)."""

    code = "stale_case"

    def __init__(self, message: str = "the case was changed by someone else; reload it and retry"):
        super().__init__(message)


class TaskNotReady(Conflict):
    """The task was already completed, cancelled or is not yet reachable."""

    code = "task_not_ready"


# The English text of each FieldError code (for logs and the CLI); the web translates
# by code (web/i18n.py FIELD_TEXT), so clients and pages never parse these texts.
FIELD_MESSAGES = {
    "not_an_object": "form data must be a JSON object",
    "unknown_field": "this task's form has no such field",
    "required": "this field is required",
    "expected_text": "expected text",
    "expected_integer": "expected a whole number",
    "not_integer": "'{value}' is not a whole number",
    "not_boolean": "'{value}' is not yes/no (true or false)",
    "not_a_date": "'{value}' is not a date; use YYYY-MM-DD",
    "not_an_option": "'{value}' is not one of the choices: {choices}",
    "too_short": "must be at least {min} characters",
    "too_long": "must be at most {max} characters",
    "bad_format": "does not have the expected format ({pattern})",
    "too_small": "must be at least {min}",
    "too_large": "must be at most {max}",
    "unknown_filter": "unknown filter; use {choices}",
    "ends_before_start": "must not be before 'from'",
    # recommendations made upward (engine/recommendations.py)
    "not_a_recommendation": "only an entry recommended upward takes an answer",
    "in_the_future": "must not be after today",
    # the monthly meeting's decisions (engine/meeting_actions.py)
    "case_not_running": "the case is closed already; choose another decision",
    "top_level": "the case is at the joint meeting already, the top of the ladder",
    "case_not_waiting": "the case is at a step the meeting cannot interrupt (e.g. the reply "
    "or the rating); decide 'continue' and take it up next month",
    "bad_cursor": "not a page cursor of this list; start again from the first page",
    # the organisation (engine/orgchart.py, engine/orgtransfer.py)
    "bad_code": "'{value}' is not a code: 2-50 lowercase letters, digits or _, from a letter",
    "code_taken": "a unit with the code '{value}' exists already",
    "unknown_unit": "'{value}' is not an open unit",
    "unit_has_staff": "the unit still has {count} active staff; move or disable them first",
    "unit_has_units": "{count} open units belong to this unit; close or move them first",
    "bad_username": "'{value}' is not a username: 2-64 lowercase letters, digits, . _ -",
    "username_taken": "the username '{value}' is taken",
    "not_utf8": "the file is not UTF-8 text",
    "bad_json": "the file is not JSON: {reason}",
    "bad_shape": "expected an object with a 'units' and/or a 'users' list",
    "too_many_rows": "at most {max} rows per import",
    "bad_header": "the CSV header needs 'code' (units) or 'username' (staff) columns",
}


def format_params(template: str, params: Mapping[str, Any]) -> str:
    """Fill a `{name}` template with params, lists shown comma-separated."""
    values = {k: ", ".join(map(str, v)) if isinstance(v, list | tuple) else v
              for k, v in params.items()}  # fmt: skip
    return template.format(**values)


@dataclass(frozen=True)
class FieldError:
    """One invalid form value: which field, a stable `code` with its `params`, and a message.

    `message` defaults to the English text of the code; callers that show messages
    to people translate `code` + `params` instead of reading it.
    """

    field: str
    code: str
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)
    message: str = ""

    def __post_init__(self) -> None:
        if not self.message:
            template = FIELD_MESSAGES.get(self.code, self.code)
            object.__setattr__(self, "message", format_params(template, self.params))


class FormInvalid(EngineError):
    """Submitted form data failed validation; nothing was saved."""

    code = "form_invalid"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


@dataclass(frozen=True)
class Problem:
    """One defect found in a diagram, printed as `file:line: element-id: message`."""

    file: str
    line: int | None
    element_id: str
    message: str
    severity: str = "error"
    code: str = ""  # a stable code of the kind of defect (empty: a generic one by severity)

    @property
    def kind(self) -> str:
        """The defect's stable code: its own, else `diagram_invalid` / `diagram_warning`."""
        return self.code or ("diagram_warning" if self.severity == "warning" else "diagram_invalid")

    def __str__(self) -> str:
        line = self.line if self.line is not None else 0
        element = self.element_id or "-"
        kind = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{line}: {element}: {kind}{self.message}"


class InvalidProcess(EngineError):
    """A deployment was refused because its diagrams have problems."""

    code = "invalid_process"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ScriptFailed(EngineError):
    """A script or expression in a diagram failed at run time; the error lands on the case."""

    code = "script_failed"


class ScriptStopped(EngineError):
    """A script ran past the CPU-time or memory backstop; nothing of the action was stored.

    Unlike ScriptFailed this depends on the machine (a replay might not trip it), so the
    action is rolled back: the timer worker quarantines the case, a person gets this error.
    """

    code = "script_stopped"


class MessageRejected(EngineError):
    """A delivered message cannot be matched: its correlation fails on the payload."""

    code = "message_rejected"


class CalendarError(EngineError):
    """An official holiday schedule file could not be loaded."""

    code = "calendar_error"

"""Domain errors raised by the engine; `web/errors.py` maps them to HTTP statuses."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class FieldError:
    """One invalid form value: which field, and what is wrong with it."""

    field: str
    message: str


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

"""Handing a task over inside a unit (改派): a handler gives a task to a colleague, with a reason.

Transfers between departments (转派) and passing a matter up to the parent window are steps
of the diagrams (department_handling, closed_loop), so the dispatching window confirms them
and replay re-runs them. A reassignment changes only who holds an open task: like a claim it
locks the case first, changes the task row and records a `reassigned` event (who to, why).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from . import repository as repo
from .acting import claim_case_row
from .errors import Conflict, FieldError, FormInvalid, NotAllowed, NotFound
from .recording import record_event
from .tasks import Tasks
from .views import TaskView
from .work import Work

MIN_REASON, MAX_REASON = 2, 200


@dataclass(frozen=True)
class Colleague:
    """Someone in the same unit who may take the task."""

    username: str
    display_name: str


class Handover:
    """Reassignment of open tasks between colleagues of one unit."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def colleagues(self, task_id: str, username: str) -> list[Colleague]:
        """The colleagues (same unit, active, offered the task) the user may hand it to."""
        _case, _row, view = Tasks(self.work).open_task(task_id, username)
        return self._colleagues(view, username)

    def _colleagues(self, view: TaskView, username: str) -> list[Colleague]:
        me = repo.user(self.session, username)
        if me is None or not me.unit_code:
            return []
        found = []
        for user in repo.unit_users(self.session, me.unit_code):
            if user.username == username:
                continue
            try:
                Tasks(self.work).require_may_see(view, user.username)
            except NotFound:
                continue
            found.append(Colleague(user.username, user.display_name))
        return found

    def reassign(
        self, task_id: str, username: str, to: str, reason: str, at: datetime | None = None
    ) -> TaskView:
        """Give the task to a colleague of the same unit; it is claimed for them at once."""
        case, row, view = Tasks(self.work).open_task(task_id, username, lock=True)
        if view.claimed_by not in (None, username):
            raise Conflict(f"task already claimed by {view.claimed_by}")
        if to == username:
            raise NotAllowed("a task cannot be reassigned to oneself")
        reason = reason.strip()
        errors = _reason_errors(reason)
        if to not in {c.username for c in self._colleagues(view, username)}:
            errors.append(FieldError("to", "not_an_option", {"value": to, "choices": []}))
        if errors:
            raise FormInvalid(errors)
        row.claimed_by = to
        instant = at or datetime.now(UTC)
        self.work.open_tasks_after.pop(case.id, None)
        case.updated_at = instant
        record_event(self.session, case, "reassigned", username, instant,
                     {"to": to, "reason": reason}, case.data, case.data, task=view,
                     checkpoint=False)  # fmt: skip
        claim_case_row(self.session)
        return Tasks(self.work).get(task_id, to)


def _reason_errors(reason: str) -> list[FieldError]:
    """The reason is required, 2 to 200 characters."""
    if not reason:
        return [FieldError("reason", "required")]
    if len(reason) < MIN_REASON:
        return [FieldError("reason", "too_short", {"min": MIN_REASON})]
    if len(reason) > MAX_REASON:
        return [FieldError("reason", "too_long", {"max": MAX_REASON})]
    return []

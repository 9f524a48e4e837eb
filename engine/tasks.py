"""Human tasks: the inbox, and claiming, giving back and completing one task.

`Service.tasks` is this facade. A task someone may not see looks missing (NotFound); one
just completed by someone else is `TaskNotReady`, so the page can say who did it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import acting, organisation
from . import repository as repo
from .cases import case_view
from .errors import Conflict, NotAllowed, NotFound, TaskNotReady
from .forms import validate_form
from .inbox import task_views, was_candidate
from .models import Case, HumanTask
from .staff import Staff
from .views import CaseView, TaskView
from .work import Work


class Tasks:
    """The inbox and the task actions in one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def inbox(self, username: str) -> list[TaskView]:
        """The user's inbox: assigned, claimed, and offered to them or their groups."""
        groups = Staff(self.work).groups_of(username)
        rows = repo.inbox(self.session, username, groups)
        return task_views(self.session, rows, self.work.task_meta)

    def open(self) -> list[TaskView]:
        """Every open human task (the supervisor's and CLI's overview)."""
        return task_views(self.session, repo.open_tasks(self.session), self.work.task_meta)

    def get(self, task_id: str, username: str) -> TaskView:
        """One open task, if the user may see it (a conflict if it was just completed)."""
        return self.open_task(task_id, username)[2]

    def claim(self, task_id: str, username: str, at: datetime | None = None) -> TaskView:
        """Take a group task for oneself so colleagues see it is being handled."""
        case, row, view = self.open_task(task_id, username, lock=True)
        if view.claimed_by not in (None, username):
            raise Conflict(f"task already claimed by {view.claimed_by}")
        row.claimed_by = username
        self.note(case, "claimed", username, at, view)
        return self.get(task_id, username)

    def unclaim(self, task_id: str, username: str, at: datetime | None = None) -> TaskView:
        """Give a claimed task back to its groups."""
        case, row, view = self.open_task(task_id, username, lock=True)
        if view.claimed_by != username:
            raise Conflict("only the user who claimed the task can give it back")
        row.claimed_by = None
        self.note(case, "unclaimed", username, at, view)
        return self.get(task_id, username)

    def complete(
        self, task_id: str, username: str, data: dict[str, Any], at: datetime | None = None,
        exclusive: bool = False,
    ) -> CaseView:  # fmt: skip
        """Validate form data and complete the task; the case runs on to its next wait.

        `exclusive`: lock the case before reading it on SQLite too (`repository.open_task`),
        for the second attempt after a `StaleCase`.
        """
        case, _row, view = self.open_task(task_id, username, lock=True, exclusive=exclusive)
        if view.claimed_by not in (None, username):
            raise NotAllowed(f"task claimed by {view.claimed_by}; ask them to release it")
        cleaned = validate_form(view.form, data)
        instant = at or datetime.now(UTC)
        acting.act(self.work, case, "task_completed", username, instant, {"data": cleaned}, view)
        return case_view(self.work, case)

    def open_task(
        self, task_id: str, username: str, lock: bool = False, exclusive: bool = False
    ) -> tuple[Case, HumanTask, TaskView]:
        """The task's case and row (read afresh) and its view, if the user may see it.

        `lock`: for a state change, which must lock the case before it reads the task.
        """
        found = repo.open_task(self.session, task_id, lock, exclusive)
        if found is None:
            self._explain_missing(task_id, username)
            raise NotFound(f"no open task with id '{task_id}'")  # not reached: it raises
        case, row, offered = found
        view = task_views(self.session, [(row, case)], self.work.task_meta, {row.id: offered})[0]
        try:
            self.require_may_see(view, username)
        except NotFound:
            # Under READ COMMITTED the task may have been completed between our reads.
            if repo.completion_of(self.session, task_id) is not None:
                self._explain_missing(task_id, username)
            raise
        return case, row, view

    def require_may_see(self, view: TaskView, username: str) -> None:
        """Out-of-scope tasks look like missing ones (never leak that they exist)."""
        groups = set(Staff(self.work).groups_of(username))
        if view.assignee:  # an assigned task is the assignee's alone
            offered = username in (view.assignee, view.claimed_by)
        else:
            offered = (
                view.claimed_by == username
                or username in view.candidate_users
                or bool(groups & set(view.candidate_groups))
            )
        if not offered:
            raise NotFound(f"no open task with id '{view.id}' for {username}")

    def note(self, case: Case, kind: str, actor: str, at: datetime | None, task: TaskView) -> None:
        """Record a claim or its release (no workflow change)."""
        self.work.open_tasks_after.pop(case.id, None)  # a claim changes what `act` left there
        self.session.info.pop(repo.STAFF_REVISION_READ, None)  # no action follows to use it
        acting.note(self.session, case, kind, actor, at or datetime.now(UTC), task)

    def _explain_missing(self, task_id: str, username: str) -> None:
        """Tell someone who may see the case that the task was done; anyone else: not found."""
        done = repo.completion_of(self.session, task_id)
        case = self.session.get(Case, done.case_id) if done is not None else None
        if done is not None and case is not None:
            user = Staff(self.work).get_user(username)
            meta = self.work.task_meta(case.process_version_id, done.task_spec or "")
            was_offered = meta is not None and was_candidate(meta, case.data, user)
            if was_offered or organisation.may_view_case(self.session, case, user):
                raise TaskNotReady(f"task {task_id} was already completed by {done.actor} at "
                                   f"{done.at.isoformat()}; reload the case")  # fmt: skip
        raise NotFound(f"no open task with id '{task_id}'")

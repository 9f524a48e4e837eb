"""Cases: start one, send it a message, and read it as staff or the public may see it.

`Service.cases` is this facade. Starting and acting share the write path in `acting.py`;
what a viewer may see is `organisation.may_view_case`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from . import acting, casefiles, organisation
from . import repository as repo
from .acting import SYSTEM
from .errors import NotFound
from .history import from_json_value
from .inbox import task_views
from .models import Case
from .replaying import FieldLabel, field_labels
from .staff import Staff
from .views import CaseSummary, CaseView, DiagramView, EventView, PublicCaseView
from .work import Work


class Cases:
    """Starting, messaging and reading cases in one unit of work."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def start(
        self,
        process_id: str,
        key: str | None = None,
        data: dict[str, Any] | None = None,
        actor: str = SYSTEM,
        at: datetime | None = None,
        tracking: bool = False,
        message: dict[str, Any] | None = None,
        scheduled_for: datetime | None = None,
    ) -> CaseView:
        """Start a case on the latest version of a process (with a tracking code if asked)."""
        extra: dict[str, Any] = {}
        if message is not None:
            extra["message"] = message
        if scheduled_for is not None:
            extra["scheduled_for"] = scheduled_for.astimezone(UTC).isoformat()
        instant = at or datetime.now(UTC)
        case, code = acting.start(self.work, process_id, key, data, actor, instant, tracking, extra)
        return replace(case_view(self.work, case), tracking_code=code)

    def deliver_message(
        self, key: str, message: str, payload: dict[str, Any], actor: str = SYSTEM,
        at: datetime | None = None,
    ) -> CaseView:  # fmt: skip
        """Deliver a named message (e.g. a citizen's reply) to a waiting case."""
        case = repo.lock_case(self.session, key=key)
        inputs = {"message": message, "payload": payload}
        acting.act(self.work, case, "message_received", actor, at or datetime.now(UTC), inputs)
        return case_view(self.work, case)

    def get(self, key: str, viewer: str | None = None) -> CaseView:
        """A case's summary, open tasks and data; NotFound if `viewer` may not see it."""
        return case_view(self.work, self.visible(key, viewer))

    def recent(self, viewer: str, status: str | None = None, limit: int = 200) -> list[CaseSummary]:
        """Recent cases the viewer may see, newest first."""
        user = Staff(self.work).get_user(viewer)
        visible = organisation.visible_cases(self.session, user, status, limit)
        return casefiles.summaries(self.session, visible)

    def track(self, key: str, code: str) -> PublicCaseView:
        """The public tracking view of a case (case number + tracking code)."""
        return casefiles.public_view(self.session, key, code)

    def diagram(self, key: str, viewer: str | None = None) -> DiagramView:
        """The case's diagram with completed and active elements."""
        case = self.visible(key, viewer)
        version = self.work.version(case)
        files = repo.file_contents(self.session, version.files)
        return casefiles.diagram(self.session, case, self.work.runner(version), files)

    def history(self, key: str, viewer: str | None = None) -> list[EventView]:
        """A case's events, oldest first (NotFound if `viewer` may not see the case)."""
        case = self.visible(key, viewer)
        names = casefiles.task_names(self.work.version(case))
        return [
            EventView(e.seq, e.at, e.actor, e.kind, e.task_id, e.task_spec, e.inputs,
                      e.data_before, e.data_after, e.hash, names.get(e.task_spec or ""))
            for e in repo.events(self.session, case.id)
        ]  # fmt: skip

    def field_labels(self, key: str, viewer: str | None = None) -> dict[str, FieldLabel]:
        """The case's data fields as its diagram's forms label them (for readable history)."""
        return field_labels(self.work.version(self.visible(key, viewer)))

    def visible(self, key: str, viewer: str | None) -> Case:
        """The case row, if `viewer` (None: the system) may see it; NotFound otherwise."""
        case = repo.case_by_key(self.session, key)
        if viewer is not None:
            user = Staff(self.work).get_user(viewer)
            if not organisation.may_view_case(self.session, case, user):
                raise NotFound(f"no case with key '{key}'")
        return case


def case_view(work: Work, case: Case) -> CaseView:
    """The case as it stands; the open tasks an action just wrote are not read back."""
    work.session.flush()
    version = work.version(case)
    tasks = work.open_tasks_after.pop(case.id, None)  # only right after the action
    if tasks is None:
        rows = [(row, case) for row in repo.case_tasks(work.session, case.id)]
        tasks = task_views(work.session, rows, work.task_meta)
    return CaseView(
        key=case.business_key, process_id=version.process_id, process_version=version.version,
        status=case.status, data=from_json_value(case.data),
        tasks=tuple(tasks),
        next_timer_at=case.next_timer_at, error=case.error, warnings=tuple(case.warnings),
        events=case.last_seq, created_at=case.created_at, updated_at=case.updated_at,
        title=case.title, owner_unit=case.owner_unit,
    )  # fmt: skip

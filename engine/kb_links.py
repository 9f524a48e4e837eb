"""Linking a knowledge-base entry to the case a clerk is working on.

While classifying a matter the task form shows the entries like it (knowledge.suggest);
the clerk links one, which writes a `kb_linked` event (`{entry, title}`) into the case's
history, under the case lock, so the case page shows which entry the handling followed.
Only someone who may work the open task may link, and only once per entry.
"""

from __future__ import annotations

from datetime import UTC, datetime

from . import repository as repo
from .acting import claim_case_row
from .errors import Conflict, NotAllowed, NotFound
from .recording import record_event
from .tasks import Tasks
from .work import Work

LINKED = "kb_linked"


def link_entry(
    work: Work, viewer: str, task_id: str, entry: str, title: str, at: datetime | None = None
) -> None:
    """Record on the task's case that its handling follows entry `key` (KB-n)."""
    case = repo.lock_case_of_task(work.session, task_id)
    if case is None:
        raise NotFound(f"no open task with id '{task_id}'; it may just have been completed")
    task = Tasks(work).get(task_id, viewer)  # NotFound when the viewer may not see it
    if task.claimed_by not in (None, viewer):
        raise NotAllowed(f"task claimed by {task.claimed_by}; ask them to release it")
    linked = {e.inputs.get("entry") for e in repo.events(work.session, case.id)
           if e.kind == LINKED}  # fmt: skip
    if entry in linked:
        raise Conflict(f"{entry} is already linked to case {case.business_key}")
    instant = at or datetime.now(UTC)
    case.updated_at = instant
    inputs = {"entry": entry, "title": title, "task": task.task_spec}
    record_event(work.session, case, LINKED, viewer, instant, inputs, case.data, case.data,
              checkpoint=False)  # fmt: skip
    claim_case_row(work.session)

"""Which notifications an action causes, and the deadline sweep of the notify worker.

`after_action` runs inside `acting.act`, after the event is recorded, in the same
transaction: a rolled-back action takes its messages with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import repository as repo
from ..calendar import SHANGHAI
from ..models import Case, HumanTask, ProcessVersion
from .config import Policy
from .enqueue import to_citizen, to_staff

REMINDER_KEYS = ("last_reminded_at", "meeting_reminded_at")  # set by the 催办 script tasks
SUPERVISION_PROCESS = "discipline_supervision"  # 督办/纪检立案: its first tasks say so
SWEEP_WINDOW = timedelta(days=7)  # deadlines missed longer ago were announced already


def after_action(
    session: Session, case: Case, at: datetime, before: dict[str, Any], status_before: str,
    new_tasks: Sequence[HumanTask], offered: Sequence[dict[str, str]],
    milestones: Sequence[dict[str, Any]], new_case: bool, staff_revision: int | None = None,
) -> None:  # fmt: skip
    """Queue what this action tells citizens and staff (rows in the action's transaction).

    `staff_revision`: as the action's first statement read it (`directory.py`), if it did.
    """
    data = case.data
    if new_case:
        to_citizen(session, case, "receipt", at)
    if data.get("rating_requested") and not before.get("rating_requested"):
        to_citizen(session, case, "reply", at)
    if _called_back(data, before):
        to_citizen(session, case, "callback", at)
    if case.status == "completed" and status_before != "completed" and not new_case:
        to_citizen(session, case, "closed", at)
    escalated = any(m.get("kind") == "escalated" for m in milestones)
    supervision = new_case and _process_id(session, case) == SUPERVISION_PROCESS
    by_task: dict[str, list[tuple[str, str]]] = {}
    for item in offered:
        by_task.setdefault(item["task_id"], []).append((item["kind"], item["name"]))
    for row in new_tasks:
        people = _recipients(row, by_task.get(row.id, []))
        event = "escalation" if escalated else "new_task"
        if supervision:
            event = "supervision"
        to_staff(session, people, event, at, task_values(case, row), case.business_key,
                 staff_revision=staff_revision)  # fmt: skip
    if any(data.get(k) and data.get(k) != before.get(k) for k in REMINDER_KEYS):
        _urge(session, case, at, {row.id for row in new_tasks})


def _called_back(data: dict[str, Any], before: dict[str, Any]) -> bool:
    """回访: the rating step ended with a rating staff recorded on the phone (the diagram
    sets `rating_source` to `phone` and `rating_requested` back to false)."""
    ended = bool(before.get("rating_requested")) and not data.get("rating_requested")
    return ended and data.get("rating_source") == "phone"


def _process_id(session: Session, case: Case) -> str:
    version = session.get(ProcessVersion, case.process_version_id)
    return version.process_id if version is not None else ""


def _urge(session: Session, case: Case, at: datetime, new: set[str]) -> None:
    """催办: whoever holds one of the case's open tasks hears of it now (a task this same
    action created is announced as new instead)."""
    rows = [row for row in repo.case_tasks(session, case.id) if row.id not in new]
    offered = repo.candidates(session, [r.id for r in rows])
    for row in rows:
        pairs = [(c.kind, c.name) for c in offered.get(row.id, [])]
        people = _recipients(row, pairs)
        to_staff(session, people, "urge", at, task_values(case, row), case.business_key)


def _recipients(row: HumanTask, offered: Iterable[tuple[str, str]]) -> tuple[list[Any], list[Any]]:
    """Who works on a task, as (groups, users): its assignee or claimer, else its candidates."""
    if row.assignee or row.claimed_by:
        return [], [name for name in (row.assignee, row.claimed_by) if name]
    pairs = list(offered)
    return [n for k, n in pairs if k == "group"], [n for k, n in pairs if k == "user"]


def task_values(case: Case, row: HumanTask) -> dict[str, str]:
    """Placeholder values of a staff message about one task."""
    due = row.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if row.due_at else "—"
    return {
        "case": case.business_key, "title": case.title, "task": row.name, "due": due,
        "link": f"{Policy.from_env().base_url}/tasks/{row.id}", "path": f"/tasks/{row.id}",
    }  # fmt: skip


def sweep_deadlines(session: Session, now: datetime, policy: Policy) -> int:
    """Queue 'due soon' and 'overdue' messages for open tasks (once per task and person)."""
    soon = now + timedelta(hours=policy.due_soon_hours)
    query = (
        select(HumanTask, Case)
        .join(Case, Case.id == HumanTask.case_id)
        .where(
            HumanTask.due_at.is_not(None),
            HumanTask.due_at < soon,
            HumanTask.due_at > now - SWEEP_WINDOW,
        )
    )
    found = session.execute(query).all()
    if not found:
        return 0
    from .tables import OutboxMessage  # the keys written already, read once per sweep

    keys = set(session.scalars(select(OutboxMessage.dedupe).where(
        OutboxMessage.dedupe.like("deadline:%"), OutboxMessage.created_at > now - SWEEP_WINDOW * 2
    )))  # fmt: skip
    offered = repo.candidates(session, [row.id for row, _case in found])
    written = 0
    for row, case in found:
        assert row.due_at is not None
        event = "overdue" if row.due_at <= now else "due_soon"
        dedupe = f"deadline:{event}:{row.id}"
        pairs = [(c.kind, c.name) for c in offered.get(row.id, [])]
        done = frozenset(k.split(":")[3] for k in keys if k and k.startswith(f"{dedupe}:"))
        written += to_staff(session, _recipients(row, pairs), event, now, task_values(case, row),
                            case.business_key, dedupe=dedupe, skip=done)  # fmt: skip
    return written

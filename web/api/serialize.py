"""The engine's views as the API's answer models (web/api/schemas/cases.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.forms import FormField
from engine.privacy import Disclosure
from engine.views import CaseView, EventView, PublicCaseView, TaskView

from ..inbox import InboxRow, level_number
from ..notices import api_warnings
from .schemas import cases as shapes
from .schemas import iso


def form_field(field: FormField) -> shapes.FormField:
    """A form field's constraints."""
    return shapes.FormField(
        id=field.id, label=field.label, type=field.type, required=field.required,
        readonly=field.readonly, default=field.default, help=field.help,
        choices=[shapes.Choice(id=c.id, label=c.label) for c in field.choices],
        min=field.min, max=field.max, minlength=field.minlength,
        maxlength=field.maxlength, pattern=field.pattern,
    )  # fmt: skip


def _task_fields(view: TaskView) -> dict[str, Any]:
    return {
        "id": view.id, "case_no": view.case_key, "process_id": view.process_id,
        "task_spec": view.task_spec, "name": view.name,
        "candidate_groups": list(view.candidate_groups),
        "candidate_users": list(view.candidate_users), "assignee": view.assignee,
        "claimed_by": view.claimed_by, "due_at": view.due_at,
        "priority": view.priority, "created_at": view.created_at,
    }  # fmt: skip


def task(view: TaskView) -> shapes.Task:
    """A task (without its form: the inbox list stays small)."""
    return shapes.Task(**_task_fields(view))


def task_with_form(view: TaskView) -> shapes.TaskWithForm:
    """A task with its form."""
    return shapes.TaskWithForm(
        **_task_fields(view), form=[form_field(f) for f in view.form],
        documentation=view.documentation,
    )  # fmt: skip


def inbox_page(rows: Sequence[InboxRow], cursor: str | None) -> shapes.TaskList:
    """A page of inbox tasks, validated as one list (one call into pydantic, not one a row)."""
    tasks = [_inbox_fields(row) for row in rows]
    return shapes.TaskList.model_validate({"tasks": tasks, "next": cursor})


def _inbox_fields(row: InboxRow) -> dict[str, Any]:
    """A task with the case facts the inbox shows."""
    left = row.left.total_seconds() / 60 if row.left is not None else None
    return {
        **_task_fields(row.task), "title": row.title, "kind": row.kind, "tier": row.tier,
        "level": row.level, "departments": list(row.departments),
        "working_minutes_left": None if left is None else round(left),
        "overdue": row.overdue, "due_today": row.due_today, "mine": row.mine,
    }  # fmt: skip


def case(view: CaseView, shown: Disclosure) -> shapes.Case:
    """A case as staff see it (all data), with how its personal data is shown."""
    return shapes.Case(
        case_no=view.key, title=view.title, status=view.status,
        process_id=view.process_id, process_version=view.process_version,
        level=level_number(view.data.get("level")), owner_unit=view.owner_unit,
        data=view.data, tasks=[task(t) for t in view.tasks], next_timer_at=iso(view.next_timer_at),
        error=view.error, warnings=warnings(view.warnings),
        created_at=view.created_at.isoformat(), updated_at=view.updated_at.isoformat(),
        personal=disclosure(shown),
    )  # fmt: skip


def warnings(found: Sequence[Any]) -> list[shapes.CaseWarning]:
    """The case's warnings: a stable code and the notice in the request's language."""
    return [shapes.CaseWarning.model_validate(w) for w in api_warnings(found)]


def disclosure(shown: Disclosure) -> shapes.PersonalShown:
    """How the case's personal data is shown: `full` (and why, logged) or `masked`."""
    # model_validate: the engine's reason and fields are plain text the model checks.
    return shapes.PersonalShown.model_validate({
        "shown": "full" if shown.full else "masked", "reason": shown.reason,
        "fields": list(shown.fields), "erased": list(shown.erased),
    })  # fmt: skip


def public_case(view: PublicCaseView) -> shapes.PublicCase:
    """What the submitter may see (no staff names, no internal data)."""
    return shapes.PublicCase(
        case_no=view.key, title=view.title, kind=view.kind, status=view.status,
        stage=list(view.stage), submitted_at=view.submitted_at.isoformat(),
        public_reply=view.public_reply, rating_requested=view.rating_requested,
        rating=view.rating, timeline=[public_entry(e) for e in view.timeline],
    )  # fmt: skip


def public_entry(entry: Any) -> shapes.PublicEntry:
    """One public timeline step."""
    return shapes.PublicEntry(at=entry.at, kind=entry.kind, step=entry.step)


def event(view: EventView) -> shapes.Event:
    """One history event for staff."""
    return shapes.Event(
        seq=view.seq, at=view.at.isoformat(), actor=view.actor, kind=view.kind,
        task_id=view.task_id, task_spec=view.task_spec, changes=view.data_after,
    )  # fmt: skip

"""The engine's views as JSON objects (the shapes openapi.py documents)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.forms import FormField
from engine.privacy import Disclosure
from engine.views import CaseView, EventView, PublicCaseView, TaskView

from ..inbox import InboxRow, level_number
from ..notices import api_warnings


def instant(value: datetime | None) -> str | None:
    """ISO-8601 with offset, or null."""
    return value.isoformat() if value else None


def form_field(field: FormField) -> dict[str, Any]:
    """A form field's constraints."""
    return {
        "id": field.id, "label": field.label, "type": field.type, "required": field.required,
        "readonly": field.readonly, "default": field.default, "help": field.help,
        "choices": [{"id": c.id, "label": c.label} for c in field.choices],
        "min": field.min, "max": field.max, "minlength": field.minlength,
        "maxlength": field.maxlength, "pattern": field.pattern,
    }  # fmt: skip


def task(view: TaskView, with_form: bool = False) -> dict[str, Any]:
    """A task; its form only when asked (the inbox list stays small)."""
    body: dict[str, Any] = {
        "id": view.id, "case_no": view.case_key, "process_id": view.process_id,
        "task_spec": view.task_spec, "name": view.name,
        "candidate_groups": list(view.candidate_groups),
        "candidate_users": list(view.candidate_users), "assignee": view.assignee,
        "claimed_by": view.claimed_by, "due_at": instant(view.due_at),
        "priority": view.priority, "created_at": instant(view.created_at),
    }  # fmt: skip
    if with_form:
        body["form"] = [form_field(f) for f in view.form]
        body["documentation"] = view.documentation
    return body


def inbox_row(row: InboxRow) -> dict[str, Any]:
    """A task with the case facts the inbox shows."""
    left = row.left.total_seconds() / 60 if row.left is not None else None
    return {
        **task(row.task), "title": row.title, "kind": row.kind, "tier": row.tier,
        "level": row.level, "departments": list(row.departments),
        "working_minutes_left": None if left is None else round(left),
        "overdue": row.overdue, "due_today": row.due_today, "mine": row.mine,
    }  # fmt: skip


def case(view: CaseView) -> dict[str, Any]:
    """A case as staff see it (all data)."""
    return {
        "case_no": view.key, "title": view.title, "status": view.status,
        "process_id": view.process_id, "process_version": view.process_version,
        "level": level_number(view.data.get("level")), "owner_unit": view.owner_unit,
        "data": view.data,
        "tasks": [task(t) for t in view.tasks], "next_timer_at": instant(view.next_timer_at),
        "error": view.error,
        "warnings": api_warnings(view.warnings),
        "created_at": instant(view.created_at), "updated_at": instant(view.updated_at),
    }  # fmt: skip


def disclosure(shown: Disclosure) -> dict[str, Any]:
    """How the case's personal data is shown: `full` (and why, logged) or `masked`."""
    return {
        "shown": "full" if shown.full else "masked", "reason": shown.reason,
        "fields": list(shown.fields), "erased": list(shown.erased),
    }  # fmt: skip


def public_case(view: PublicCaseView) -> dict[str, Any]:
    """What the submitter may see (no staff names, no internal data)."""
    return {
        "case_no": view.key, "title": view.title, "kind": view.kind, "status": view.status,
        "stage": list(view.stage), "submitted_at": instant(view.submitted_at),
        "public_reply": view.public_reply, "rating_requested": view.rating_requested,
        "rating": view.rating, "timeline": [public_entry(e) for e in view.timeline],
    }  # fmt: skip


def public_entry(entry: Any) -> dict[str, Any]:
    """One public timeline step."""
    return {"at": instant(entry.at), "kind": entry.kind, "step": entry.step}


def event(view: EventView) -> dict[str, Any]:
    """One history event for staff."""
    return {
        "seq": view.seq, "at": instant(view.at), "actor": view.actor, "kind": view.kind,
        "task_id": view.task_id, "task_spec": view.task_spec, "changes": view.data_after,
    }  # fmt: skip

"""What staff pages show about cases, read through the service API for one request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from flask import g

from engine.errors import NotFound
from engine.privacy import Disclosure
from engine.views import CaseView, DiagramView

from . import db
from .i18n import gettext as _
from .inbox import InboxRow, build_rows
from .steplabels import fields_in_language, names_in_language, task_in_language
from .timefmt import parse_instant
from .timeline import Entry, element_names, entries


@dataclass(frozen=True)
class CaseContext:
    """A case with its timeline, diagram and deadline, as one viewer may see them."""

    case: CaseView
    diagram: DiagramView
    timeline: list[Entry]
    step_names: dict[str, str]
    due: datetime | None
    left: timedelta | None
    personal: Disclosure | None = None  # how the case's personal data is shown to the viewer

    @property
    def active_steps(self) -> list[str]:
        """Names of the diagram elements the case waits in."""
        return [self.step_names.get(i, i) for i in self.diagram.active]


def unit_name(code: str | None) -> str:
    """An organisation unit's name (the code itself if unknown), units read once per request."""
    if not code:
        return "—"
    if "msb_units" not in g:
        g.msb_units = {u.code: u.name for u in db.service().units()}
    names: dict[str, str] = g.msb_units
    return names.get(code, code)


# Candidate groups as people read them (processes/CONTRACT.md, "Candidate groups").
_GROUP_ROLES = {"clerks": "{unit}窗口", "dept": "{unit}经办人", "chief": "{unit}首席代表"}
_GROUP_NAMES = {"auditors": "审计人员", "process_admins": "流程管理员"}


def group_name(group: str) -> str:
    """`dept:housing` -> 区住建局经办人; office groups by their unit's name."""
    role, _sep, code = group.partition(":")
    if code and role in _GROUP_ROLES:
        return _(_GROUP_ROLES[role], unit=unit_name(code))
    if group in _GROUP_NAMES:
        return _(_GROUP_NAMES[group])
    return unit_name(group)


def people() -> Callable[[str], str]:
    """Username -> display name, looked up once per request."""
    cache: dict[str, str] = {}

    def name(username: str) -> str:
        if username not in cache:
            try:
                cache[username] = db.service().get_user(username).display_name
            except NotFound:
                cache[username] = username
        return cache[username]

    return name


def case_context(key: str, viewer: str) -> CaseContext:
    """Everything the case page needs; NotFound if the viewer may not see the case."""
    svc = db.service()
    case, disclosure = svc.privacy.case(key, viewer)  # logs a full view of personal data
    case = replace(case, tasks=tuple(task_in_language(t) for t in case.tasks))
    diagram = svc.diagram(key, viewer=viewer)
    names = names_in_language(element_names(diagram.xml), diagram)
    fields = fields_in_language(svc.field_labels(key, viewer=viewer))
    book = svc.org.names()  # history names units as they were called at the time
    history, _shown = svc.privacy.history(key, viewer, log=False)
    timeline = entries(history, names, people(), unit_name, fields, units_at=book.name)
    due = current_deadline(case)
    left = svc.working_time_left(due) if due else None
    return CaseContext(case, diagram, timeline, names, due, left, disclosure)


def current_deadline(case: CaseView) -> datetime | None:
    """The SLA of the current level (`sla_due`), else the earliest open task's due date."""
    if case.status != "running":
        return None
    sla = parse_instant(case.data.get("sla_due"))
    if sla:
        return sla
    dues = [t.due_at for t in case.tasks if t.due_at]
    return min(dues) if dues else None


def load_inbox(username: str) -> list[InboxRow]:
    """The user's open tasks with their cases' facts and office time left (one inbox query;
    the calendar is loaded once for all deadlines)."""
    svc = db.service()
    tasks = [task_in_language(t) for t in svc.list_tasks(username)]
    data = {t.case_key: {**t.case_facts, "title": t.case_title} for t in tasks}
    calendar = svc.calendar()
    now = datetime.now(UTC)
    return build_rows(
        tasks, data, username, lambda due: calendar.working_time_between(now, due), now
    )

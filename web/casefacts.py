"""What staff pages show about cases, read through the service API for one request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from flask import g

from engine.errors import NotFound
from engine.privacy import Disclosure
from engine.views import CaseView, DiagramView
from engine.worklists import InboxQuery

from . import db
from .i18n import gettext as _
from .inbox import InboxRow, build_rows
from .steplabels import (
    fields_in_language,
    names_in_language,
    task_in_language,
    tasks_in_language,
)
from .timefmt import parse_instant
from .timeline import Entry, element_names, entries


@dataclass(frozen=True)
class Wait:
    """Why a running case waits (a sentence), until when, and the office time left."""

    reason: str
    until: datetime | None
    left: timedelta | None


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
    waits: tuple[Wait, ...] = ()  # what the case waits for, until when

    @property
    def escalation(self) -> Entry | None:
        """The escalation that brought the case to its level, or None when the level came
        from the decision table (a later dispatch, e.g. after a re-handle, sets level 1)."""
        latest = next((e for e in self.timeline if e.kind == "escalated"), None)
        dispatched = parse_instant(self.case.data.get("dispatched_at"))
        if latest is None or (dispatched is not None and dispatched > latest.at):
            return None
        return latest

    @property
    def active_steps(self) -> list[str]:
        """Names of the diagram elements the case waits in."""
        return [self.step_names.get(i, i) for i in self.diagram.active]


def unit_name(code: str | None) -> str:
    """An organisation unit's name (the code itself if unknown), units read once per request."""
    if not code:
        return "—"
    if "msb_units" not in g:
        g.msb_units = {u.code: u.name for u in db.service().staff.units()}
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
                cache[username] = db.service().staff.get_user(username).display_name
            except NotFound:
                cache[username] = username
        return cache[username]

    return name


def case_context(key: str, viewer: str) -> CaseContext:
    """Everything the case page needs; NotFound if the viewer may not see the case."""
    svc = db.service()
    case, disclosure = svc.privacy.case(key, viewer)  # logs a full view of personal data
    case = replace(case, tasks=tuple(task_in_language(t) for t in case.tasks))
    diagram = svc.cases.diagram(key, viewer=viewer)
    names = names_in_language(element_names(diagram.xml), diagram)
    fields = fields_in_language(svc.cases.field_labels(key, viewer=viewer))
    book = svc.org.names()  # history names units as they were called at the time
    history, _shown = svc.privacy.history(key, viewer, log=False)
    timeline = entries(history, names, people(), unit_name, fields, units_at=book.name)
    due = current_deadline(case)
    left = svc.calendar.working_time_left(due) if due else None
    waits = tuple(
        Wait(reason, until, svc.calendar.working_time_left(until) if until else None)
        for reason, until in waiting_for(case, [names.get(i, i) for i in diagram.active])
    )
    return CaseContext(case, diagram, timeline, names, due, left, disclosure, waits)


def waiting_for(case: CaseView, active: list[str]) -> list[tuple[str, datetime | None]]:
    """The reasons a running case waits: the citizen's rating (until `rating_due`, then the
    window calls back), or a timer with no open task (e.g. until the look-back is due)."""
    if case.status != "running":
        return []
    waits: list[tuple[str, datetime | None]] = []
    if case.data.get("rating_requested") is True:
        waits.append((_("等待群众评价；期限内未评价的，由受理窗口电话回访"),
                      parse_instant(case.data.get("rating_due"))))  # fmt: skip
    if not case.tasks and active:
        waits.append((_("正在{steps}", steps="、".join(active)), case.next_timer_at))
    return waits


def current_deadline(case: CaseView) -> datetime | None:
    """The SLA of the current level (`sla_due`), else the earliest open task's due date; while
    the citizen is asked to rate, the rating's deadline (the handling deadline is history)."""
    if case.status != "running":
        return None
    if case.data.get("rating_requested") is True and case.data.get("rating_due"):
        return parse_instant(case.data.get("rating_due"))
    sla = parse_instant(case.data.get("sla_due"))
    if sla:
        return sla
    dues = [t.due_at for t in case.tasks if t.due_at]
    return min(dues) if dues else None


def load_inbox(username: str, query: InboxQuery) -> tuple[list[InboxRow], str | None]:
    """One page of the user's open tasks with their cases' facts and office time left, and
    the cursor of the next page (one query; the calendar is loaded once for all deadlines)."""
    svc = db.service()
    now = datetime.now(UTC)
    page = svc.lists.inbox(username, query, now)
    tasks = tasks_in_language(page.tasks)
    data = {t.case_key: {**t.case_facts, "title": t.case_title} for t in tasks}
    rows = build_rows(tasks, data, username, svc.calendar.current().working_time_from(now), now)
    return rows, page.next

"""The human-task table: kept current on every save so the inbox is one query."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Protocol

from sqlalchemy.orm import Session

from . import inbox_sql
from . import repository as repo
from .calendar import SHANGHAI
from .formoptions import OptionsReader
from .forms import FormField
from .modeling import TaskMeta
from .models import Case, HumanTask, ProcessVersion
from .organisation import UserView
from .running import ReadyTask, ready_user_tasks
from .task_spans import close_tasks
from .views import TaskView

DEFAULT_PRIORITY = 50
FALLBACK_GROUP = "process_admins"

MetaLookup = Callable[[int, str], TaskMeta | None]


@dataclass
class InboxChange:
    """How an action changes a case's inbox rows, worked out before anything is written."""

    gone: set[str]
    rows: list[HumanTask] = field(default_factory=list)  # new rows, not added to the session
    offered: list[dict[str, str]] = field(default_factory=list)
    kept: bool = False  # tasks ready before and after: their rows stay as they are
    at: datetime | None = None  # when the action ran: the closing instant of the gone tasks
    completed: str | None = None  # the task the action completed (the others were withdrawn)


def plan_inbox(
    case: Case,
    version: ProcessVersion,
    workflow: Any,
    script_engine: Any,
    at: datetime,
    before: set[str],
) -> InboxChange:
    """The rows to drop and add so the inbox matches the ready user tasks (`before`: the
    ids that were ready when the action began, i.e. the rows the case has now)."""
    ready = {task.id: task for task in ready_user_tasks(workflow)} if workflow else {}
    change = InboxChange(gone=before - ready.keys(), kept=bool(before & ready.keys()), at=at)
    for task_id in [t for t in ready if t not in before]:  # in the workflow's order
        raw = version.tasks.get(ready[task_id].spec)
        meta = (
            TaskMeta.from_dict(raw) if raw else TaskMeta(ready[task_id].spec, ready[task_id].name)
        )
        _add_row(change, case, version, ready[task_id], meta, script_engine, at)
    return change


def write_inbox(session: Session, change: InboxChange) -> None:
    """Apply a planned change in one statement (`inbox_sql`): the gone rows deleted, the
    tasks that really left kept as spans (the SLA heatmap reads them), the new rows and
    their candidates inserted. A PostgreSQL change that re-adds a gone task (a case
    migration) takes separate statements (`task_spans.close_tasks`, two INSERTs).
    """
    if not change.gone and not change.rows:
        return
    closing = change.gone - {row.id for row in change.rows} if change.at is not None else set()
    if inbox_sql.applies(session, change.gone, change.rows):
        inbox_sql.write(session, change.gone, closing, change.at, change.completed,
                        change.rows, change.offered)  # fmt: skip
        return
    if change.at is None:
        repo.remove_human_tasks(session, change.gone)
    else:
        close_tasks(session, change.gone, closing, change.at, change.completed)
    rows = [{key: getattr(row, key) for key in _ROW_KEYS} for row in change.rows]
    repo.add_human_tasks(session, rows, change.offered)


_ROW_KEYS = tuple(column.key for column in HumanTask.__table__.columns)


def _add_row(
    change: InboxChange,
    case: Case,
    version: ProcessVersion,
    task: ReadyTask,
    meta: TaskMeta,
    script_engine: Any,
    at: datetime,
) -> None:
    due_at, due_warning = _evaluate_due(meta, task, script_engine)
    priority, priority_warning = _evaluate_priority(meta, task, script_engine)
    groups, users, assignee, routing_warning = _routing(meta, task)
    warnings = [w for w in (due_warning, priority_warning, routing_warning) if w]
    new = [w for w in dict.fromkeys(warnings) if w not in case.warnings]
    if new:
        case.warnings = [*case.warnings, *new]
    change.rows.append(
        HumanTask(
            id=task.id, case_id=case.id, process_version_id=version.id, task_spec=task.spec,
            name=task.name, process_id=version.process_id, lane=task.lane,
            assignee=assignee[0] if assignee else None, claimed_by=None, due_at=due_at,
            priority=priority,
            created_at=at,
        )
    )  # fmt: skip
    for kind, names in (("group", groups), ("user", users)):
        for name in dict.fromkeys(names):
            change.offered.append({"task_id": task.id, "kind": kind, "name": name})


def _routing(
    meta: TaskMeta, task: ReadyTask
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str | None]:
    """Candidate groups, users and assignee with placeholders filled from the task data."""
    missing: set[str] = set()
    groups = _fill_all(meta.candidate_groups or ((meta.lane,) if meta.lane else ()), task, missing)
    users = _fill_all(meta.candidate_users, task, missing)
    assignee = _fill_all((meta.assignee,) if meta.assignee else (), task, missing)
    if not (groups or users or assignee):
        groups = (FALLBACK_GROUP,)  # never offer an unrouted task to everyone
    warning = None
    if missing:
        names = ", ".join(sorted(missing))
        warning = f"{meta.id}: no value for {names} in the task data; offered to process admins"
    return groups, users, assignee, warning


def was_candidate(meta: TaskMeta, data: dict[str, Any], user: UserView) -> bool:
    """Whether a (now completed) task was offered to the user, judged from the case data."""
    task = ReadyTask(meta.id, meta.id, meta.name, meta.lane, data)
    groups, users, assignee, _warning = _routing(meta, task)
    return user.username in (*users, *assignee) or bool(set(groups) & set(user.groups))


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill_all(templates: tuple[str, ...], task: ReadyTask, missing: set[str]) -> tuple[str, ...]:
    """Fill `{name}` placeholders from task data; drop entries whose value is missing."""
    filled = []
    for template in templates:
        names = _PLACEHOLDER.findall(template)
        absent = [n for n in names if task.data.get(n) in (None, "")]
        if absent:
            missing.update(absent)
            continue
        filled.append(_PLACEHOLDER.sub(lambda m: str(task.data[m.group(1)]), template))
    return tuple(filled)


def _evaluate_due(
    meta: TaskMeta, task: ReadyTask, script_engine: Any
) -> tuple[datetime | None, str | None]:
    if not meta.due_date:
        return None, None
    try:
        value = _evaluate(meta.due_date, task, script_engine)
        return as_instant(value), None
    except Exception as error:  # a bad deadline must not block the case: warn instead
        return None, f"{meta.id}: due date '{meta.due_date}' could not be computed: {error}"


def due_date_of(meta: TaskMeta, task: ReadyTask, script_engine: Any) -> datetime | None:
    """A ready task's due date from its dueDate expression (None if it has none or fails)."""
    return _evaluate_due(meta, task, script_engine)[0]


def _evaluate_priority(
    meta: TaskMeta, task: ReadyTask, script_engine: Any
) -> tuple[int, str | None]:
    if not meta.priority:
        return DEFAULT_PRIORITY, None
    if meta.priority.isdigit():
        return int(meta.priority), None
    try:
        return int(_evaluate(meta.priority, task, script_engine)), None
    except Exception as error:  # same rule as due dates
        return DEFAULT_PRIORITY, f"{meta.id}: priority '{meta.priority}' failed: {error}"


def _evaluate(expression: str, task: ReadyTask, script_engine: Any) -> Any:
    return script_engine.environment.evaluate(expression, dict(task.data))


def as_instant(value: Any) -> datetime:
    """A date-time from an expression's result: ISO text, datetime or date (end of day)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59), SHANGHAI)
    raise ValueError(f"expected a date-time, got {type(value).__name__}")


class CaseFacts(Protocol):
    """What a task view reads of its case: a `Case` row or a `repository.CaseHeader`."""

    @property
    def business_key(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def data(self) -> dict[str, Any]: ...


CASE_FACTS = ("kind", "tier", "intake_unit", "level", "lead_department", "departments", "sla_due")


def task_views(
    session: Session, rows: Sequence[tuple[Any, CaseFacts]], meta_of: MetaLookup,
    candidates: dict[str, list[Any]] | None = None,
) -> list[TaskView]:  # fmt: skip
    """Build task views for inbox rows (candidates loaded in one query unless given)."""
    if candidates is None:
        candidates = repo.candidates(session, [row.id for row, _key in rows])
    views = []
    metas: dict[tuple[int, str], TaskMeta | None] = {}  # rebuilt once per task kind, not per row
    forms: dict[tuple[int, str], tuple[FormField, ...]] = {}  # with today's organisation options
    options = OptionsReader(session)
    for row, case in rows:
        offered = candidates.get(row.id, [])
        meta_key = (row.process_version_id, row.task_spec)
        if meta_key not in metas:
            metas[meta_key] = meta_of(*meta_key)
        meta = metas[meta_key]
        if meta_key not in forms:
            forms[meta_key] = options.fill(meta.form) if meta else ()
        views.append(
            TaskView(
                id=row.id, case_key=case.business_key, process_id=row.process_id,
                task_spec=row.task_spec, case_title=case.title,
                case_facts={k: case.data[k] for k in CASE_FACTS if k in case.data},
                name=row.name, lane=row.lane,
                candidate_groups=tuple(c.name for c in offered if c.kind == "group"),
                candidate_users=tuple(c.name for c in offered if c.kind == "user"),
                assignee=row.assignee, claimed_by=row.claimed_by, due_at=row.due_at,
                priority=row.priority, created_at=row.created_at,
                form=forms[meta_key], documentation=meta.documentation if meta else "",
                name_en=meta.name_en if meta else "",
            )
        )  # fmt: skip
    return views

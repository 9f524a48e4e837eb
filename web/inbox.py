"""The clerk's inbox: tasks joined with their case's facts, split into tabs, filtered, sorted.

Plain functions over the engine's views (no Flask), so the HTML inbox and
`GET /api/v1/tasks` share them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.views import TaskView

from .timefmt import SHANGHAI

TABS = ("mine", "group", "overdue", "today")
SORTS = ("due", "priority", "created", "level")


@dataclass(frozen=True)
class InboxRow:
    """One task as the inbox lists it."""

    task: TaskView
    title: str
    kind: str | None
    tier: str | None
    level: int | None
    departments: tuple[str, ...]
    left: timedelta | None
    mine: bool
    overdue: bool
    due_today: bool


@dataclass(frozen=True)
class Filters:
    """What the clerk narrowed the list to."""

    tab: str = "mine"
    tier: str = ""
    department: str = ""
    kind: str = ""
    sort: str = "due"

    @classmethod
    def from_args(cls, args: Mapping[str, str], default_tab: str = "mine") -> Filters:
        """Read filters from query arguments, ignoring unknown values."""
        tab = args.get("tab", default_tab)
        sort = args.get("sort", "due")
        return cls(
            tab=tab if tab in TABS else default_tab,
            tier=args.get("tier", "")[:40],
            department=args.get("department", "")[:40],
            kind=args.get("kind", "")[:40],
            sort=sort if sort in SORTS else "due",
        )


def build_rows(
    tasks: Iterable[TaskView],
    case_data: Mapping[str, Mapping[str, Any]],
    username: str,
    time_left: Callable[[datetime], timedelta],
    now: datetime,
) -> list[InboxRow]:
    """Join each task with its case data and deadline facts."""
    today = now.astimezone(SHANGHAI).date()
    rows = []
    for task in tasks:
        data = case_data.get(task.case_key, {})
        left = time_left(task.due_at) if task.due_at else None
        overdue = task.due_at is not None and task.due_at < now
        rows.append(
            InboxRow(
                task=task, title=str(data.get("title") or ""), kind=data.get("kind"),
                tier=data.get("tier"), level=level_number(data.get("level")),
                departments=_departments(data),
                left=left, mine=username in (task.claimed_by, task.assignee), overdue=overdue,
                due_today=bool(task.due_at and not overdue
                               and task.due_at.astimezone(SHANGHAI).date() == today),
            )
        )  # fmt: skip
    return rows


def counts(rows: Iterable[InboxRow]) -> dict[str, int]:
    """How many rows each tab holds."""
    result = dict.fromkeys(TABS, 0)
    for row in rows:
        for tab in TABS:
            result[tab] += _in_tab(row, tab)
    return result


def select(rows: Iterable[InboxRow], filters: Filters) -> list[InboxRow]:
    """The rows of the chosen tab that match the filters, in the chosen order."""
    chosen = [
        row
        for row in rows
        if _in_tab(row, filters.tab)
        and (not filters.tier or row.tier == filters.tier)
        and (not filters.kind or row.kind == filters.kind)
        and (not filters.department or filters.department in row.departments)
    ]
    return sorted(chosen, key=_SORT_KEYS[filters.sort])


def departments(rows: Iterable[InboxRow]) -> list[str]:
    """Every department code the rows mention (for the filter menu)."""
    return sorted({code for row in rows for code in row.departments})


def _in_tab(row: InboxRow, tab: str) -> bool:
    return {
        "mine": row.mine,
        "group": not row.mine,
        "overdue": row.overdue,
        "today": row.due_today,
    }[tab]


def level_number(value: Any) -> int | None:
    """The case's level as a number (the register form may store it as text), else None."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _departments(data: Mapping[str, Any]) -> tuple[str, ...]:
    found = [data.get("lead_department")]
    extra = data.get("departments")
    if isinstance(extra, list):
        found.extend(extra)
    return tuple(dict.fromkeys(str(d) for d in found if d))


_FAR = datetime(9999, 1, 1, tzinfo=UTC)
_SORT_KEYS: dict[str, Callable[[InboxRow], Any]] = {
    "due": lambda r: (r.task.due_at or _FAR, -r.task.priority),
    "priority": lambda r: (-r.task.priority, r.task.due_at or _FAR),
    "created": lambda r: r.task.created_at,
    "level": lambda r: (-(r.level or 0), r.task.due_at or _FAR),
}

"""The clerk's inbox rows: tasks joined with their case's facts and deadline facts.

The engine pages, filters and sorts (`engine/worklists.py`); these plain functions (no
Flask) read the query arguments and shape its rows, so the HTML inbox and
`GET /api/v1/tasks` share them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.views import TaskView
from engine.worklists import MAX_PAGE_SIZE, SORTS, TABS, InboxQuery

from .timefmt import SHANGHAI

__all__ = ["SORTS", "TABS", "Filters", "InboxRow", "build_rows", "level_number"]


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
    after: str | None = None  # the cursor of the page to show (None: the first page)

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
            after=args.get("after", "")[:400] or None,
        )

    def query(self, limit: int, every_tab: bool = False, candidates: bool = False) -> InboxQuery:
        """The engine's page query for these filters (`every_tab`: ignore the tab)."""
        return InboxQuery(
            tab=None if every_tab else self.tab, tier=self.tier, kind=self.kind,
            department=self.department, sort=self.sort, after=self.after,
            limit=min(limit, MAX_PAGE_SIZE), candidates=candidates,
        )  # fmt: skip


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

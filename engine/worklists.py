"""The lists staff page through: the inbox (tabs, filters, sorts) and the case list.

`Service.lists` returns `WorkLists`. An inbox page is one query over the index-driven union
of the user's task ids (`list_queries.py`); the tab counts and the departments the filter
menu offers come from one aggregate query. Rows carry only what a list shows: no forms,
no documentation, no whole case data or state. Both lists page by a keyset cursor: the
last row's sort key and id, so the next page starts strictly after it (stable while
rows come and go; no OFFSET).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from . import list_queries as sql
from .calendar import SHANGHAI
from .errors import FieldError, FormInvalid
from .organisation import UserView, visible_conditions
from .views import CaseSummary, TaskView

EnglishName = Callable[[int, str], str]

TABS = sql.TABS
SORTS = ("due", "priority", "created", "level")
PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class InboxQuery:
    """Which rows of the inbox, in which order, from where (`after`: a page's `next`)."""

    tab: str | None = None  # None: every tab
    tier: str = ""
    kind: str = ""
    department: str = ""
    sort: str = "due"
    after: str | None = None
    limit: int = PAGE_SIZE
    candidates: bool = False  # also read each task's candidate groups and users


@dataclass(frozen=True)
class InboxPage:
    """Up to `limit` tasks and the cursor of the next page (None on the last one)."""

    tasks: list[TaskView]
    next: str | None


@dataclass(frozen=True)
class InboxSummary:
    """How many tasks each tab holds and which departments the tasks concern."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABS, 0))
    departments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CasePage:
    """Up to `limit` cases, newest change first, and the cursor of the next page."""

    cases: list[CaseSummary]
    next: str | None


class WorkLists:
    """Pages of a user's inbox and case list (see the module docstring)."""

    def __init__(
        self, session: Session, groups_of: Callable[[str], list[str]],
        user_of: Callable[[str], UserView], english: EnglishName = lambda _v, _s: "",
    ) -> None:  # fmt: skip
        """`groups_of`, `user_of`: a staff member's candidate groups and view (both raise
        NotFound for an unknown or inactive user); `english`: a step's English name by its
        process version id and task spec ("" if the diagram gives none)."""
        self.session = session
        self.groups_of = groups_of
        self.user_of = user_of
        self.english = english

    def cases(
        self, viewer: str, status: str | None = None, after: str | None = None,
        limit: int = PAGE_SIZE,
    ) -> CasePage:  # fmt: skip
        """One page of the cases the viewer may see, newest change first."""
        _check(InboxQuery(limit=limit))
        conditions = visible_conditions(self.session, self.user_of(viewer), status)
        if after is not None:
            conditions.append(sql.after(sql.CASE_ORDER, decode_cursor(after, "cases")))
        rows = sql.case_rows(self.session, conditions, limit + 1)
        cases = [
            CaseSummary(r.business_key, r.title, r.process_id, r.status, r.owner_unit,
                        r.created_at, r.updated_at)
            for r in rows[:limit]
        ]  # fmt: skip
        if len(rows) <= limit:
            return CasePage(cases, None)
        return CasePage(cases, _encode([rows[limit - 1].updated_at, rows[limit - 1].id]))

    @property
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def inbox(self, username: str, query: InboxQuery, now: datetime) -> InboxPage:
        """One page of the user's tasks; FormInvalid (field `after`) for a foreign cursor."""
        _check(query)
        groups = self.groups_of(username)
        shape = sql.PageShape(
            self._dialect, query.sort, query.tab, query.limit + 1, query.candidates,
            bool(groups), bool(query.tier), bool(query.kind), query.department,
            query.after is not None,
        )  # fmt: skip
        values: dict[str, Any] = {"username": username, "groups": list(groups), "now": now,
                                  "tomorrow": _tomorrow(now), "tier": query.tier,
                                  "kind": query.kind}  # fmt: skip
        if query.after is not None:
            key = decode_cursor(query.after, query.sort)
            values.update((f"after_{i}", value) for i, value in enumerate(key))
        rows = sql.page_rows(self.session, shape, values)
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        tasks = [_view(row, getattr(row, "offered", None) or [], self.english) for row in rows]
        if not more:
            return InboxPage(tasks, None)
        size = len(_KEY_KINDS[query.sort])  # the sort's terms, the task id last
        return InboxPage(tasks, _encode([getattr(rows[-1], f"key_{i}") for i in range(size)]))

    def inbox_summary(self, username: str, now: datetime) -> InboxSummary:
        """Tab counts and the departments of every task of the user (one query)."""
        groups = self.groups_of(username)
        summary = InboxSummary()
        codes: set[str] = set()
        for row in sql.summary_rows(self.session, username, groups, now, _tomorrow(now)):
            for tab in TABS:
                summary.counts[tab] += int(getattr(row, tab) or 0)
            codes.update(_department_codes(row.lead, row.others))
        summary.departments.extend(sorted(codes))
        return summary


def _check(query: InboxQuery) -> None:
    errors = []
    if query.tab is not None and query.tab not in TABS:
        errors.append(FieldError("tab", "not_an_option", {"value": query.tab, "choices": TABS}))
    if query.sort not in SORTS:
        errors.append(FieldError("sort", "not_an_option", {"value": query.sort, "choices": SORTS}))
    if not 1 <= query.limit <= MAX_PAGE_SIZE:
        code, params = ("too_small", {"min": 1}) if query.limit < 1 else ("too_large", {})
        errors.append(FieldError("limit", code, params or {"max": MAX_PAGE_SIZE}))
    if errors:
        raise FormInvalid(errors)


def _tomorrow(now: datetime) -> datetime:
    """The next midnight in Shanghai: where "due today" ends."""
    day = now.astimezone(SHANGHAI).date() + timedelta(days=1)
    return datetime.combine(day, time(0), SHANGHAI)


def _view(row: Any, offered: list[Any], english: EnglishName) -> TaskView:
    """A list's task view from a page row (by position: named access is slow on a Row)."""
    (task_id, process_id, task_spec, name, lane, assignee, claimed_by, due_at, priority,
     created_at, case_key, title, version_id, *facts) = row[: _FACTS_END]  # fmt: skip
    return TaskView(
        id=task_id, case_key=case_key, process_id=process_id, task_spec=task_spec, name=name,
        name_en=english(version_id, task_spec),
        lane=lane, candidate_groups=tuple(n for kind, n in offered if kind == "group"),
        candidate_users=tuple(n for kind, n in offered if kind == "user"),
        assignee=assignee, claimed_by=claimed_by, due_at=due_at, priority=priority,
        created_at=created_at, case_title=title,
        case_facts={k: v for k, v in zip(sql.SHOWN_FACTS, facts, strict=True) if v is not None},
    )  # fmt: skip


_FACTS_END = sql.PAGE_COLUMN_COUNT + len(sql.SHOWN_FACTS)


def _department_codes(lead: str | None, others: str | None) -> set[str]:
    """Codes from the lead department (text) and the departments list (JSON text)."""
    codes = {lead} if lead else set()
    try:
        listed = json.loads(others) if others else []
    except ValueError:
        listed = []
    if isinstance(listed, list):
        codes.update(str(code) for code in listed if code)
    return codes


# --- the cursor: the last row's sort key, as base64 of a JSON list ---------------------------

_KEY_KINDS = {"due": "tni", "priority": "nti", "created": "ti", "level": "nti", "cases": "tn"}


def _encode(key: list[Any]) -> str:
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in key]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list[Any]:
    """The sort key a cursor holds; FormInvalid if it is not one of this sort's cursors."""
    kinds = _KEY_KINDS[sort]
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError("wrong length")
        return [_typed(kind, value) for kind, value in zip(kinds, values, strict=True)]
    except (ValueError, TypeError, binascii.Error) as error:
        raise FormInvalid([FieldError("after", "bad_cursor")]) from error


def _typed(kind: str, value: Any) -> Any:
    if kind == "t":
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("naive time in a cursor")
        return moment
    if kind == "n":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("not a number")
        return value
    if not isinstance(value, str):
        raise ValueError("not a task id")
    return value

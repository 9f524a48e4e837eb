"""The service API of the leaders' reports (`Service.reports()`): scope, rates, lists.

Leaders (leading-group office, joint meeting, supervising office, discipline, auditors)
see every case; a clerk the cases received by their unit and the units below it; a
department handler or chief representative the cases their department leads.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from . import organisation
from . import repository as repo
from .casefiles import english_task_names
from .errors import NotAllowed
from .factstore import FactsCache
from .heatmap import CaseLine, Heatmap, case_lines, check_axes, heatmap
from .models import Case, HumanTask, HumanTaskCandidate, OrgUnit, ProcessVersion, User
from .rates import CaseFacts, WorkClock
from .rates_sql import rate_rows_sql
from .reporting import (
    DEPARTMENT_ROLES,
    LEADER_ROLES,
    RateRow,
    RatesQuery,
    hot_spots,
    ranking,
    rate_rows,
    select_facts,
)
from .staff import Staff
from .work import Work

INTAKE_PROCESS = "closed_loop"
# One facts cache per Engine (its database), dropped with the engine.
_CACHES: weakref.WeakKeyDictionary[object, FactsCache] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Scope:
    """Which cases a viewer's reports cover."""

    everything: bool
    units: frozenset[str] = frozenset()
    department: str | None = None

    def allows(self, unit: str | None, department: str | None) -> bool:
        """True if a case received by `unit` and led by `department` is in scope."""
        if self.everything:
            return True
        return (unit is not None and unit in self.units) or (
            self.department is not None and department == self.department
        )


@dataclass(frozen=True)
class HeldTask:
    """An open task with a deadline: which case, who holds it, how long is left."""

    case_key: str
    case_title: str
    task_name: str
    due_at: datetime
    overdue: bool
    holder: str
    unit: str | None
    working_left: timedelta  # office time until the deadline (negative when overdue)
    task_name_en: str = ""  # the step's English name where the diagram gives one


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows, for one viewer and one query."""

    total: RateRow
    rows: list[RateRow]
    trend: list[RateRow]
    ranking: list[RateRow]
    hot_spots: dict[str, list[tuple[str, int]]]
    overdue: list[HeldTask]
    due_soon: list[HeldTask]


class Reports:
    """The reports over one service (one transaction)."""

    def __init__(self, work: Work, process_id: str = INTAKE_PROCESS) -> None:
        self.work = work
        self.session = work.session
        self.process_id = process_id

    def scope(self, viewer: str) -> Scope:
        """The viewer's scope; NotAllowed for anyone who may not see reports."""
        user = Staff(self.work).get_user(viewer)
        roles = set(user.roles)
        if roles & LEADER_ROLES:
            return Scope(everything=True)
        if "clerk" in roles and user.unit_code:
            return Scope(False, frozenset(organisation.subtree(self.session, user.unit_code)))
        if roles & DEPARTMENT_ROLES and user.unit_code:
            return Scope(False, department=user.unit_code)
        raise NotAllowed(f"{viewer} may not see the reports (leaders, clerks and departments may)")

    def facts(self, viewer: str, query: RatesQuery) -> list[CaseFacts]:
        """The facts of the cases the query selects, within the viewer's scope."""
        query.check()
        scope = self.scope(viewer)
        cache = _CACHES.setdefault(self.work.engine, FactsCache())
        overrides = repo.calendar_overrides(self.session)
        clock = WorkClock(self.work.calendar())
        every = cache.facts(self.session, self.process_id, clock, tuple(sorted(overrides.items())))
        every = [f for f in every if not f.merged]  # 重复件 count with their main case
        unit = query.filters.get("unit")
        subtrees = {unit: organisation.subtree(self.session, unit)} if unit else {}
        allowed = None if scope.everything else (lambda f: scope.allows(f.unit, f.department))
        return select_facts(every, query, allowed, subtrees)

    def rates(self, viewer: str, query: RatesQuery, now: datetime | None = None) -> list[RateRow]:
        """The rate rows of the query (one per group, or one total row)."""
        query.check()
        scope = self.scope(viewer)
        unit = query.filters.get("unit")
        subtree = organisation.subtree(self.session, unit) if unit else None
        clock = WorkClock(self.work.calendar())
        instant = now or datetime.now(UTC)
        counted = rate_rows_sql(self.session, self.process_id, query, scope, subtree, instant,
                                clock)  # fmt: skip
        if counted is not None:  # the database counted (every grouping but weeks on SQLite)
            return counted
        return rate_rows(self.facts(viewer, query), query.group_by, instant)

    def dashboard(self, viewer: str, query: RatesQuery, now: datetime | None = None) -> Dashboard:
        """Totals, the query's rows, the monthly trend, the unit ranking, hot spots, lists."""
        instant = now or datetime.now(UTC)
        chosen = self.facts(viewer, query)
        total = rate_rows(chosen, None, instant)[0]
        overdue, due_soon = self.held_tasks(viewer, instant)
        return Dashboard(
            total=total,
            rows=rate_rows(chosen, query.group_by, instant) if query.group_by else [],
            trend=rate_rows(chosen, "month", instant),
            ranking=ranking(rate_rows(chosen, "unit", instant)),
            hot_spots=hot_spots(chosen),
            overdue=overdue,
            due_soon=due_soon,
        )

    def bulletin(self, viewer: str, query: RatesQuery, now: datetime | None = None) -> Dashboard:
        """The monthly bulletin's figures: the dashboard over every case (leaders only)."""
        if not self.scope(viewer).everything:
            raise NotAllowed(f"{viewer} may not print the district's bulletin (leaders may)")
        return self.dashboard(viewer, query, now)

    def heatmap(
        self, viewer: str, query: RatesQuery, rows_by: str = "kind", columns_by: str = "unit",
        now: datetime | None = None,
    ) -> Heatmap:  # fmt: skip
        """Cases received per (rows_by, columns_by) value pair, with their on-time share."""
        check_axes(rows_by, columns_by)
        return heatmap(self.facts(viewer, query), rows_by, columns_by, now or datetime.now(UTC))

    def case_lines(self, viewer: str, query: RatesQuery) -> list[CaseLine]:
        """The cases the query selects (for the CSV and Excel lists), oldest first."""
        return case_lines(self.session, self.facts(viewer, query))

    def held_tasks(
        self, viewer: str, now: datetime, limit: int = 100
    ) -> tuple[list[HeldTask], list[HeldTask]]:
        """Open tasks past their deadline, and those due by the end of the next working day."""
        scope = self.scope(viewer)
        horizon = self.work.calendar().add_working_days(now, 1)
        rows = self.session.execute(
            select(HumanTask, Case.business_key, Case.title, Case.owner_unit, Case.data)
            .join(Case, Case.id == HumanTask.case_id)
            .where(HumanTask.due_at.is_not(None), HumanTask.due_at <= horizon)
            .order_by(HumanTask.due_at)
        ).all()
        holder = self._holders([row[0] for row in rows])
        english = self._english_names({row[0].process_version_id for row in rows})
        clock = WorkClock(self.work.calendar())
        held = [
            HeldTask(
                key,
                title,
                task.name,
                task.due_at,
                task.due_at < now,
                holder(task),
                unit,
                clock.between(now, task.due_at),
                english.get((task.process_version_id, task.task_spec), ""),
            )
            for task, key, title, unit, data in rows
            if scope.allows(unit, (data or {}).get("lead_department"))
        ]
        return [t for t in held if t.overdue][:limit], [t for t in held if not t.overdue][:limit]

    def _english_names(self, version_ids: set[int]) -> dict[tuple[int, str], str]:
        """(process version, task id) -> the step's English name, for the versions given."""
        found = {}
        for version_id in version_ids:
            version = self.session.get(ProcessVersion, version_id)
            if version is not None:
                names = english_task_names(version)
                found.update({(version_id, spec): name for spec, name in names.items()})
        return found

    def _holders(self, tasks: list[HumanTask]) -> Callable[[HumanTask], str]:
        """Who holds each task: its claimant or assignee by name, else its candidate groups."""
        names = dict(self.session.execute(select(User.username, User.display_name)).tuples().all())
        units = dict(self.session.execute(select(OrgUnit.code, OrgUnit.name)).tuples().all())
        groups: dict[str, list[str]] = {}
        ids = [task.id for task in tasks]
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            query = select(HumanTaskCandidate).where(HumanTaskCandidate.task_id.in_(chunk))
            for candidate in self.session.scalars(query):
                name = candidate.name
                if candidate.kind == "group":  # clerks:town_a -> the unit's name
                    name = units.get(name.rpartition(":")[2], name)
                else:
                    name = names.get(name, name)
                groups.setdefault(candidate.task_id, []).append(name)

        def holder(task: HumanTask) -> str:
            person = task.claimed_by or task.assignee
            if person:
                return names.get(person, person)
            return "、".join(sorted(set(groups.get(task.id, []))))

        return holder

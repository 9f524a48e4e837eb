"""The SLA heatmap of a process version: per diagram element, the cases through it, the
median working time spent there and the share that breached its deadline.

Read from the task spans (`task_spans.py`: closed tasks) and the inbox (open tasks) in one
query, never by restoring workflows. Working time is office time by the working calendar
(`calendar.WorkingCalendar.working_time_between`); a task breached when it closed after its
due time, or is still open past it. Leaders and process admins only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import repository as repo
from .errors import FieldError, FormInvalid, NotAllowed, NotFound
from .models import ProcessVersion
from .rates import WorkClock
from .replaying import diagrams_of
from .reporting import LEADER_ROLES
from .staff import Staff
from .task_spans import SpanQuery, processes_with_tasks, spans, versions_of
from .xmlsafe import parse_xml

if TYPE_CHECKING:
    from .work import Work

HEAT_ROLES = LEADER_ROLES | {"process_admin"}
TIERS = ("district", "town", "village")
CASES_SHOWN = 200  # per element: enough for a leader's click, bounded for the page


@dataclass(frozen=True)
class HeatQuery:
    """Which version (None: the latest), tier and period (tasks opened in [start, end))."""

    version: int | None = None
    tier: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def check(self) -> None:
        """Raise FormInvalid naming each bad parameter."""
        errors = []
        if self.tier and self.tier not in TIERS:
            errors.append(FieldError("tier", "not_an_option",
                                     {"value": self.tier, "choices": list(TIERS)}))  # fmt: skip
        if self.start and self.end and self.end <= self.start:
            errors.append(FieldError("to", "ends_before_start"))
        if errors:
            raise FormInvalid(errors)


@dataclass(frozen=True)
class HeatCase:
    """One case's stay at an element (its latest, if it passed more than once)."""

    key: str
    title: str
    opened_at: datetime
    closed_at: datetime | None
    working: timedelta
    breached: bool

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (working time in hours)."""
        return {"key": self.key, "title": self.title, "opened_at": self.opened_at.isoformat(),
                "closed_at": self.closed_at.isoformat() if self.closed_at else None,
                "working_hours": _hours(self.working), "breached": self.breached}  # fmt: skip


@dataclass(frozen=True)
class ElementHeat:
    """One element's figures: cases through it, tasks (open among them), median working
    time, and how many of the tasks with a deadline breached it."""

    element_id: str
    name: str
    on_diagram: bool
    cases: int
    tasks: int
    open: int
    median_working: timedelta | None
    with_due: int
    breached: int

    @property
    def breach_share(self) -> float | None:
        """Breached / tasks with a deadline (None when no task had one)."""
        return self.breached / self.with_due if self.with_due else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values (working time in hours)."""
        median = self.median_working
        return {"element_id": self.element_id, "name": self.name, "on_diagram": self.on_diagram,
                "cases": self.cases, "tasks": self.tasks, "open": self.open,
                "median_working_hours": _hours(median) if median is not None else None,
                "with_due": self.with_due, "breached": self.breached,
                "breach_share": self.breach_share}  # fmt: skip


@dataclass(frozen=True)
class ProcessHeat:
    """The heatmap of one version: its diagram, its elements and each element's cases."""

    process_id: str
    name: str
    version: int
    versions: tuple[int, ...]
    xml: str
    query: HeatQuery
    elements: tuple[ElementHeat, ...]
    cases: dict[str, tuple[HeatCase, ...]]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values, each element with its cases."""
        return {
            "process_id": self.process_id, "name": self.name, "version": self.version,
            "versions": list(self.versions), "tier": self.query.tier,
            "from": self.query.start.isoformat() if self.query.start else None,
            "to": self.query.end.isoformat() if self.query.end else None,
            "elements": [{**e.as_dict(), "case_list": [c.as_dict() for c in
                                                       self.cases.get(e.element_id, ())]}
                         for e in self.elements],
        }  # fmt: skip


def _hours(span: timedelta) -> float:
    return round(span.total_seconds() / 3600, 2)


class ElementHeatReport:
    """The SLA heatmap in one unit of work: `Service.leadership.element_heat`."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def processes(self, viewer: str) -> list[tuple[str, str]]:
        """(process id, name) of the processes with user tasks, for the page's picker."""
        self._check_role(viewer)
        return processes_with_tasks(self.session)

    def heatmap(
        self, process_id: str, viewer: str, query: HeatQuery, now: datetime | None = None
    ) -> ProcessHeat:
        """Per element of the version: cases, median working time, breach share."""
        self._check_role(viewer)
        query.check()
        versions = versions_of(self.session, process_id)
        if not versions:
            raise NotFound(f"no deployed process '{process_id}'")
        version = _pick(versions, query.version)
        xml = diagrams_of(repo.file_contents(self.session, version.files)).get(process_id, "")
        rows = spans(self.session, SpanQuery(version.id, query.start, query.end, query.tier))
        elements, cases = fold(rows, _names(version, xml), WorkClock(self.work.calendar()),
                               now or datetime.now(UTC))  # fmt: skip
        numbers = tuple(v.version for v in versions)
        return ProcessHeat(process_id, version.name, version.version, numbers, xml, query,
                           elements, cases)  # fmt: skip

    def _check_role(self, viewer: str) -> None:
        if not set(Staff(self.work).get_user(viewer).roles) & HEAT_ROLES:
            raise NotAllowed("only leaders and process admins read the SLA heatmap")


def _pick(versions: list[ProcessVersion], number: int | None) -> ProcessVersion:
    if number is None:
        return versions[-1]
    for version in versions:
        if version.version == number:
            return version
    choices = [v.version for v in versions]
    raise FormInvalid(
        [FieldError("version", "not_an_option", {"value": number, "choices": choices})]
    )


def _names(version: ProcessVersion, xml: str) -> dict[str, tuple[str, bool]]:
    """User task id -> (name, drawn on this diagram): the version's own user tasks and those
    of the processes it calls (which their own diagrams draw)."""
    drawn: dict[str, str] = {}
    root, _problems = parse_xml(xml.encode(), "diagram") if xml else (None, [])
    if root is not None:
        for process in root.iterfind(f".//{{*}}process[@id='{version.process_id}']"):
            for element in process.iter():
                element_id = element.get("id")
                if isinstance(element.tag, str) and element_id:
                    drawn[element_id] = element.get("name") or element_id
    names: dict[str, tuple[str, bool]] = {}
    for spec, meta in (version.tasks or {}).items():
        names[spec] = (drawn.get(spec) or str(meta.get("name") or spec), spec in drawn)
    return names


def fold(
    rows: Any, names: dict[str, tuple[str, bool]], clock: WorkClock, now: datetime
) -> tuple[tuple[ElementHeat, ...], dict[str, tuple[HeatCase, ...]]]:
    """Element figures and case lists from span rows (see `task_spans.spans`).

    Every user task of the version is listed, with zeros when nothing passed it; elements
    are ordered by their cases, most first.
    """
    stays: dict[str, dict[int, tuple[Any, ...]]] = defaultdict(dict)  # the latest per case
    working: dict[str, list[timedelta]] = defaultdict(list)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # tasks, open, due, late
    for spec, case_id, key, title, opened, due, closed in rows:
        opened, due, closed = _aware(opened), _aware(due), _aware(closed)
        assert opened is not None  # a span starts when its task opens (task_spans.spans)
        spent = clock.between(opened, closed or now)
        late = due is not None and (closed or now) > due
        working[spec].append(spent)
        tally = counts[spec]
        tally[0] += 1
        tally[1] += closed is None
        tally[2] += due is not None
        tally[3] += late
        stays[spec][case_id] = (key, title, opened, closed, spent, late)
    elements = []
    for spec in dict.fromkeys([*names, *counts]):
        name, on_diagram = names.get(spec, (spec, False))
        tasks, still_open, with_due, breached = counts.get(spec, [0, 0, 0, 0])
        median = _median(working[spec]) if working.get(spec) else None
        elements.append(ElementHeat(spec, name, on_diagram, len(stays.get(spec, {})), tasks,
                                    still_open, median, with_due, breached))  # fmt: skip
    elements.sort(key=lambda e: (-e.cases, e.name))
    return tuple(elements), {spec: _case_list(found) for spec, found in stays.items()}


def _case_list(stays: dict[int, tuple[Any, ...]]) -> tuple[HeatCase, ...]:
    """Breached first, then the longest stays; at most CASES_SHOWN."""
    ordered = sorted(stays.values(), key=lambda s: (not s[5], -s[4], s[0]))
    return tuple(HeatCase(*stay) for stay in ordered[:CASES_SHOWN])


def _median(durations: list[timedelta]) -> timedelta:
    """`statistics.median` for durations (its stubs take numbers only)."""
    ordered = sorted(durations)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite keeps no zone: its instants are UTC (the spans query skips UtcDateTime's cost)."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment

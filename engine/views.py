"""Plain dataclasses the service API returns (never ORM rows or SpiffWorkflow objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import Problem
from .forms import FormField


@dataclass(frozen=True)
class TaskView:
    """A human task as the inbox and the task form show it."""

    id: str
    case_key: str
    process_id: str
    task_spec: str
    name: str
    lane: str | None
    candidate_groups: tuple[str, ...]
    candidate_users: tuple[str, ...]
    assignee: str | None
    claimed_by: str | None
    due_at: datetime | None
    priority: int
    created_at: datetime
    form: tuple[FormField, ...] = ()
    documentation: str = ""
    case_title: str = ""
    case_facts: dict[str, Any] = field(default_factory=dict)  # kind, tier, level, ...
    name_en: str = ""  # the diagram's English name of the step; "" if it has none


@dataclass(frozen=True)
class CaseView:
    """A case's summary: where it stands and what waits."""

    key: str
    process_id: str
    process_version: int
    status: str
    data: dict[str, Any]
    tasks: tuple[TaskView, ...]
    next_timer_at: datetime | None
    error: str | None
    warnings: tuple[Any, ...]  # {code, ...} entries (casewarnings.py); 0.1.0 stored text
    events: int
    created_at: datetime
    updated_at: datetime
    title: str = ""
    owner_unit: str | None = None
    tracking_code: str | None = None  # only right after the case was started with one


@dataclass(frozen=True)
class EventView:
    """One entry of a case's history."""

    seq: int
    at: datetime
    actor: str
    kind: str
    task_id: str | None
    task_spec: str | None
    inputs: dict[str, Any]
    data_before: dict[str, Any]
    data_after: dict[str, Any]
    hash: str
    task_name: str | None = None


@dataclass(frozen=True)
class DeployedProcess:
    """A process after a deployment: its version, and whether this deploy created it."""

    process_id: str
    name: str
    version: int
    created: bool


@dataclass(frozen=True)
class DeployResult:
    """What a deployment did."""

    deployment_id: int | None
    processes: tuple[DeployedProcess, ...] = field(default_factory=tuple)
    warnings: tuple[Problem, ...] = ()  # findings in non-executable partner pools

    @property
    def changed(self) -> bool:
        """True if any process got a new version."""
        return any(p.created for p in self.processes)


@dataclass(frozen=True)
class CalendarLoaded:
    """What loading a holiday schedule did: days stored, open cases recalculated."""

    days: int
    recalculated: int


@dataclass(frozen=True)
class ReplayResult:
    """A case rebuilt from its diagram version and recorded inputs."""

    key: str
    step: int
    status: str
    data: dict[str, Any]
    active_tasks: tuple[str, ...]
    matches_stored: bool | None


@dataclass(frozen=True)
class CaseSummary:
    """One line of a case list."""

    key: str
    title: str
    process_id: str
    status: str
    owner_unit: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PublicEntry:
    """One step of a case as the submitter sees it (no staff names)."""

    at: datetime
    kind: str
    step: str
    step_en: str = ""  # the step's English name where the diagram gives one


@dataclass(frozen=True)
class PublicCaseView:
    """What the citizen or enterprise sees on the tracking page."""

    key: str
    title: str
    kind: str
    status: str
    stage: tuple[str, ...]
    submitted_at: datetime
    public_reply: str | None
    rating_requested: bool
    rating: str | None
    timeline: tuple[PublicEntry, ...]
    stage_en: tuple[str, ...] = ()  # `stage` with the steps' English names where given


@dataclass(frozen=True)
class DiagramView:
    """A case's diagram with the elements it has passed and where it waits now."""

    process_id: str
    xml: str
    completed: tuple[str, ...]
    active: tuple[str, ...]
    xml_en: str = ""  # the same drawing with the elements' English names (engine/labels.py)
    names_en: dict[str, str] = field(default_factory=dict)  # element or task id -> English

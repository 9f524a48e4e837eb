"""Plain values the process admins' facade (`admin.Admin`) returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class VersionSummary:
    """One deployed version of a process, as the processes page lists it."""

    process_id: str
    number: int
    name: str
    deployed_by: str
    deployed_at: datetime
    content_hash: str  # SHA-256 over the version's files (name:hash lines)
    files: tuple[str, ...]
    note: str
    running: int  # cases on this version not yet finished (running or in error)
    finished: int


@dataclass(frozen=True)
class ProcessSummary:
    """A process with every version, newest last."""

    process_id: str
    name: str
    versions: tuple[VersionSummary, ...]

    @property
    def latest(self) -> VersionSummary:
        """The newest version (the one new cases start on)."""
        return self.versions[-1]


@dataclass(frozen=True)
class Finding:
    """One defect of an uploaded file: where (file, line, element) and what (code, message)."""

    file: str
    line: int | None
    element: str
    code: str
    message: str
    severity: str = "error"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `errors: [...]` in the API."""
        return {"file": self.file, "line": self.line, "element": self.element,
                "code": self.code, "message": self.message, "severity": self.severity}  # fmt: skip


@dataclass(frozen=True)
class AdminActionView:
    """One recorded admin action (deploy, migrate): who, when, what, why."""

    id: int
    at: datetime
    actor: str
    kind: str
    process_id: str | None
    note: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ElementChange:
    """A diagram element present in both versions whose definition changed."""

    element: str
    name: str
    kind: str  # the element's BPMN type, e.g. "userTask"
    attributes: tuple[str, ...] = ()  # changed attributes (name, documentation, ...)
    fields: tuple[str, ...] = ()  # form field ids added, removed or changed
    conditions: tuple[str, ...] = ()  # outgoing flows whose condition changed
    process: str = ""  # the process (this one or a called one) the element belongs to
    rules: tuple[str, ...] = ()  # a business rule task: decision rules added, removed, changed


@dataclass(frozen=True)
class DiffElement:
    """A diagram element only one of the two versions has."""

    element: str
    name: str
    kind: str
    process: str = ""


@dataclass(frozen=True)
class VersionDiff:
    """What changed from version `a` to version `b` of a process."""

    process_id: str
    a: int
    b: int
    added: tuple[DiffElement, ...]
    removed: tuple[DiffElement, ...]
    changed: tuple[ElementChange, ...]
    files: tuple[str, ...]  # file names whose content differs (or exist in only one)

    @property
    def empty(self) -> bool:
        """True if the two versions define the same elements the same way."""
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class CaseMigration:
    """Whether one case can move to the target version, why not, and what changes."""

    key: str
    from_version: int
    to_version: int
    can_move: bool
    reasons: tuple[str, ...] = ()  # why it cannot move (empty if it can)
    reason_codes: tuple[str, ...] = ()  # stable codes of `reasons`
    active: tuple[str, ...] = ()  # elements active or waiting now
    changes: tuple[str, ...] = ()  # active elements whose definition changes
    reason_params: tuple[dict[str, str], ...] = ()  # per reason: element, field, error


@dataclass(frozen=True)
class MigrationPlan:
    """The per-case answer of a migration check (nothing is changed by a check)."""

    process_id: str
    to_version: int
    cases: tuple[CaseMigration, ...]

    @property
    def movable(self) -> tuple[str, ...]:
        """Keys of the cases that can move."""
        return tuple(c.key for c in self.cases if c.can_move)


@dataclass(frozen=True)
class MigrationResult:
    """What a migration did: the cases moved and the ones that stayed (with reasons)."""

    process_id: str
    to_version: int
    moved: tuple[str, ...]
    stayed: tuple[CaseMigration, ...]

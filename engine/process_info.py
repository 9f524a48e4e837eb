"""What deployment learns about one process of a set (shared by validation and lint)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .modeling import StartKind, TaskMeta


@dataclass
class ProcessInfo:
    """What deployment needs to know about one process in the set."""

    id: str
    name: str
    file: str
    dialect: str
    tasks: dict[str, TaskMeta]
    start: StartKind = field(default_factory=StartKind)
    properties: dict[str, dict[str, str]] = field(default_factory=dict)
    calls: set[str] = field(default_factory=set)
    decisions: set[str] = field(default_factory=set)
    line: int | None = None
    call_sites: dict[str, tuple[int | None, str]] = field(default_factory=dict)

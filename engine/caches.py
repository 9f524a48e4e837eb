"""Per-engine caches of what the write path would otherwise re-read on every action.

Process versions are immutable once deployed, so their rows (task metadata, forms,
milestones) are kept by version id for the life of the engine. Holiday schedules do
change: they are kept for `CALENDAR_TTL` seconds, and forgotten at once when this
engine loads a schedule; other workers pick a newly loaded schedule up within the TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from . import repository as repo
from .errors import NotFound
from .modeling import TaskMeta
from .models import ProcessVersion

CALENDAR_TTL = 60.0  # seconds a worker may count with a schedule another worker replaced

_VERSION_COLUMNS = tuple(column.key for column in ProcessVersion.__table__.columns)


class VersionCache:
    """Process version rows and their task metadata, by version id (versions never change)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[int, ProcessVersion] = {}
        self._metas: dict[tuple[int, str], TaskMeta | None] = {}

    def version(self, session: Session, version_id: int) -> ProcessVersion:
        """The version row: a copy outside any session, so a commit never expires it."""
        with self._lock:
            cached = self._versions.get(version_id)
        if cached is not None:
            return cached
        row = session.get(ProcessVersion, version_id)
        if row is None:
            raise NotFound(f"no process version with id {version_id}")
        copy = ProcessVersion(**{key: getattr(row, key) for key in _VERSION_COLUMNS})
        with self._lock:
            self._versions[version_id] = copy
        return copy

    def task_meta(self, session: Session, version_id: int, task_spec: str) -> TaskMeta | None:
        """A user task's metadata (form, routing, due date) as the version declares it."""
        key = (version_id, task_spec)
        with self._lock:
            if key in self._metas:
                return self._metas[key]
        raw = self.version(session, version_id).tasks.get(task_spec)
        meta = TaskMeta.from_dict(raw) if raw else None
        with self._lock:
            self._metas[key] = meta
        return meta


class CalendarCache:
    """The loaded schedule days, re-read after `CALENDAR_TTL` seconds or when forgotten."""

    def __init__(
        self, ttl: float = CALENDAR_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._lock = threading.Lock()
        self._ttl, self._clock = ttl, clock
        self._days: dict[date, bool] | None = None
        self._read_at = 0.0

    def overrides(self, session: Session) -> dict[date, bool]:
        """The schedule days (a shared mapping: callers copy before changing it)."""
        now = self._clock()
        with self._lock:
            if self._days is not None and now - self._read_at < self._ttl:
                return self._days
        days = repo.calendar_overrides(session)
        with self._lock:
            self._days, self._read_at = days, now
        return days

    def forget(self) -> None:
        """Drop the cached days (this engine just loaded a schedule)."""
        with self._lock:
            self._days = None

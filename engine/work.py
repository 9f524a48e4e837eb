"""One unit of work as the facades see it: a session plus what the engine shares.

Every facade (`cases.Cases`, `tasks.Tasks`, `deployments.Deployments`, ...) takes a `Work`
instead of the whole service, so facades depend on this leaf module and on each other,
never on `service.py`. `Work` holds what outlives one call but not the transaction: the
settings, the per-engine caches and runners, and the two notes one action leaves for the
next call in the same unit (the inbox just written, whether a schedule was loaded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from . import repository as repo
from .calendar import WorkingCalendar

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .caches import CalendarCache, VersionCache
    from .modeling import TaskMeta
    from .models import Case, ProcessVersion
    from .running import Runner
    from .settings import Settings
    from .views import TaskView


class EngineParts(Protocol):
    """What a unit of work uses of its engine (`service.Engine` provides it)."""

    settings: Settings
    versions: VersionCache
    calendars: CalendarCache

    def runner(self, session: Session, version: ProcessVersion) -> Runner:
        """The runner of a process version, built once per engine."""
        ...


class Work:
    """A session and the engine's shared parts, for the facades of one unit of work."""

    def __init__(self, engine: EngineParts, session: Session) -> None:
        self.engine = engine
        self.session = session
        self.settings = engine.settings
        self.loaded_calendar = False  # then this unit reads the schedule it is writing
        # case id -> its open tasks as `act` just wrote them (None: read them back)
        self.open_tasks_after: dict[int, list[TaskView] | None] = {}

    def version(self, case: Case) -> ProcessVersion:
        """The (cached, detached) process version a case runs on."""
        return self.engine.versions.version(self.session, case.process_version_id)

    def task_meta(self, process_version_id: int, task_spec: str) -> TaskMeta | None:
        """A user task's metadata as its version declares it (cached per engine)."""
        return self.engine.versions.task_meta(self.session, process_version_id, task_spec)

    def runner(self, version: ProcessVersion) -> Runner:
        """The parsed specs and serializer of a version (built once per engine)."""
        return self.engine.runner(self.session, version)

    def calendar(self) -> WorkingCalendar:
        """The working-day calendar with every loaded schedule."""
        if self.loaded_calendar:
            return WorkingCalendar(repo.calendar_overrides(self.session))
        return WorkingCalendar(self.engine.calendars.overrides(self.session))

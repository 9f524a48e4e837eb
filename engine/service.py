"""The engine's entry point: `Engine` opens units of work, `Service` composes the facades.

`Engine` owns the database, the per-version caches and runners. `Engine.transaction()`
yields a `Service` bound to one session (one user action is one transaction); `unit()` is
the same with explicit commit/rollback/close. `Service` only hands out facades
(`service.cases`, `.tasks`, `.deployments`, ...) over one `work.Work`; they return plain
dataclasses from `views.py` and raise errors from `errors.py`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import determinism, health, sandbox_limits, spiffspeed
from . import repository as repo
from .admin import Admin
from .attaching.facade import Attachments
from .auditing import Auditor
from .caches import CalendarCache, VersionCache
from .cases import Cases
from .chain import Chain
from .database import connect, connect_reader, session_factory, upgrade
from .deployments import Deployments
from .errors import Conflict, StaleCase
from .handover import Handover
from .holidays import Holidays
from .leaders import INTAKE_PROCESS, Reports
from .leadership import Leadership
from .loading import load_process
from .models import ProcessVersion
from .notifying.facade import Notifications
from .orgchart import OrgAdmin
from .privacy import Privacy
from .reach import Reach
from .running import Runner
from .settings import Settings
from .signin import SignIns
from .staff import Staff
from .tasks import Tasks
from .timers import Timers
from .work import Work
from .worklists import WorkLists


class Engine:
    """Database, spec cache and transactions for one deployment of 马上办."""

    def __init__(self, settings: Settings) -> None:
        determinism.install()
        spiffspeed.install()
        sandbox_limits.configure(settings.script_limits)
        self.settings = settings
        self.sql = connect(settings.database_url)
        self._sessions = session_factory(self.sql)
        self._runners: dict[int, Runner] = {}
        self.versions = VersionCache()
        self.calendars = CalendarCache()
        self._lock = threading.Lock()
        self._reader: Any = None

    def init_schema(self) -> None:
        """Create or upgrade the database schema."""
        upgrade(self.settings.database_url)

    def close(self) -> None:
        """Release database connections."""
        self.sql.dispose()
        if self._reader is not None:
            self._reader[0].dispose()

    @contextmanager
    def reading(self) -> Iterator[Service]:
        """A unit of work that only reads and never holds the write lock (long audits)."""
        with self._lock:
            if self._reader is None:
                sql = connect_reader(self.settings.database_url)
                self._reader = (sql, session_factory(sql))
        session = self._reader[1]()
        try:
            yield Service(self, session)
        finally:
            session.rollback()
            session.close()

    def readiness(self, now: datetime | None = None) -> health.Readiness:
        """Database reachable, schema current, timer worker alive (for `/readyz`)."""
        return health.readiness(self.sql, self.settings.database_url, now or datetime.now(UTC))

    def operations(self, now: datetime | None = None) -> health.Operations:
        """Open and overdue tasks, timer lag, quarantined cases (for the metrics endpoint)."""
        with self.transaction() as service:
            return health.operations(service.session, now or datetime.now(UTC))

    def heartbeat(
        self, interval: float, worker: str = health.TIMER_WORKER, now: datetime | None = None
    ) -> None:
        """Record that a background worker finished a loop (its own short transaction)."""
        with self.transaction() as service:
            health.beat(service.session, worker, interval, now or datetime.now(UTC))

    def unit(self) -> UnitOfWork:
        """Open one unit of work; the caller commits or rolls back, then closes it."""
        return UnitOfWork(self, self._sessions())

    @contextmanager
    def transaction(self) -> Iterator[Service]:
        """One unit of work: commit if the block succeeds, roll back if it raises."""
        unit = self.unit()
        try:
            yield unit.service
            unit.commit()
        except (StaleDataError, IntegrityError) as error:  # from a flush inside the block
            unit.rollback()
            raise _lost_race(error) from error
        except BaseException:
            unit.rollback()
            raise
        finally:
            unit.close()

    def runner(self, session: Session, version: ProcessVersion) -> Runner:
        """The runner (parsed specs + serializer) of a process version, built once."""
        with self._lock:
            cached = self._runners.get(version.id)
        if cached is not None:
            return cached
        files = repo.file_contents(session, version.files)
        runner = Runner(load_process(files, version.process_id, version.dialect))
        with self._lock:
            self._runners[version.id] = runner
        return runner

    def fire_due_timers(
        self, now: datetime | None = None, on_case: Callable[[str, list[Any]], None] | None = None
    ) -> int:
        """Fire every due timer, a batch of cases per transaction; return how many moved.

        Each case fires at most once per call, in its own savepoint, so a broken case
        is quarantined alone and a batch's commit is shared by `timer_batch` cases.
        """
        instant = now or datetime.now(UTC)
        while True:
            with self.transaction() as service:
                started = service.timers.start_next_scheduled(instant)
            if started is None:
                break
            if on_case is not None:
                key, error = started
                spec = f"start failed: {error}" if error else "start"
                on_case(key, [{"spec": spec, "name": "scheduled start", "due": None}])
        fired: set[int] = set()
        cursor: tuple[datetime, int] | None = None
        while True:
            with self.transaction() as service:
                results, cursor = service.timers.fire_due_batch(
                    instant, cursor, self.settings.timer_batch, fired
                )
            if on_case is not None:
                for key, details in results:
                    on_case(key, details)
            if cursor is None:
                return len(fired)


class UnitOfWork:
    """One transaction and the `Service` bound to it (`Engine.unit()`).

    For callers that cannot wrap their work in one `with` block, such as a web request
    that commits before it answers and closes at teardown. Conflicts surface at `commit`:
    `StaleCase` when another writer changed the case, `Conflict` when it inserted the same
    row first; the work is rolled back either way.
    """

    def __init__(self, engine: Engine, session: Session) -> None:
        self.engine = engine
        self.session = session
        self.service = Service(engine, session)

    def commit(self) -> None:
        """Make the work durable (rolled back and raised if another writer won)."""
        try:
            self.session.commit()
        except (StaleDataError, IntegrityError) as error:
            self.session.rollback()
            raise _lost_race(error) from error
        if self.service.work.loaded_calendar:  # others may have cached the old days meanwhile
            self.engine.calendars.forget()

    def rollback(self) -> None:
        """Discard the work."""
        self.session.rollback()

    def close(self) -> None:
        """Give the connection back (whatever was not committed is discarded)."""
        self.session.close()


class Service:
    """The facades of one unit of work (create it with `Engine.transaction()`).

    A composition root and nothing more: each property hands out a small facade over the
    same `Work` (session, caches, clock notes), so one user action stays one transaction.
    """

    def __init__(self, engine: Engine, session: Session) -> None:
        self.engine = engine
        self.session = session
        self.work = Work(engine, session)

    @property
    def deployments(self) -> Deployments:
        """Deploy process files; list deployed versions (`deployments.py`)."""
        return Deployments(self.work)

    @property
    def staff(self) -> Staff:
        """Units and staff accounts: save, authenticate, look up, disable (`staff.py`)."""
        return Staff(self.work)

    @property
    def lists(self) -> WorkLists:
        """The inbox and the case list a page at a time (see `engine.worklists`)."""
        staff, work = self.staff, self.work

        def english(version_id: int, task_spec: str) -> str:
            meta = work.task_meta(version_id, task_spec)
            return meta.name_en if meta is not None else ""

        return WorkLists(self.session, staff.groups_of, staff.get_user, english)

    @property
    def org(self) -> OrgAdmin:
        """The organisation as data: units, staff, names over time (see `engine.orgchart`)."""
        return OrgAdmin(self.session)

    @property
    def signins(self) -> SignIns:
        """Server-side web sessions, API tokens and tracking grants (see `engine.signin`)."""
        return SignIns(self.session)

    @property
    def cases(self) -> Cases:
        """Start, message and read cases; public tracking; diagrams and history (`cases.py`)."""
        return Cases(self.work)

    @property
    def tasks(self) -> Tasks:
        """The inbox; claim, give back and complete tasks (`tasks.py`)."""
        return Tasks(self.work)

    @property
    def timers(self) -> Timers:
        """Scheduled starts and due timers, a batch at a time (`timers.py`)."""
        return Timers(self.work)

    @property
    def calendar(self) -> Holidays:
        """Holiday schedules and working time (`holidays.py`)."""
        return Holidays(self.work)

    @property
    def chain(self) -> Chain:
        """Verify the hash chains, export their heads, replay a case (`chain.py`)."""
        return Chain(self.work)

    def reports(self, process_id: str = INTAKE_PROCESS) -> Reports:
        """The leaders' reports (三率, ranking, hot spots, overdue lists) in this transaction."""
        return Reports(self.work, process_id)

    @property
    def leadership(self) -> Leadership:
        """The knowledge base and the monthly meetings (engine/leadership.py)."""
        return Leadership(self.work)

    @property
    def handover(self) -> Handover:
        """Reassigning a task to a colleague (engine/handover.py)."""
        return Handover(self.work)

    @property
    def reach(self) -> Reach:
        """Duplicates, the 一键直达 channel and Open311 clients (issue 14, `engine/reach.py`)."""
        return Reach(self.work)

    @property
    def admin(self) -> Admin:
        """The process admins' operations: versions, deploy with a note, diff, migrate."""
        return Admin(self.work)

    @property
    def attachments(self) -> Attachments:
        """Photos and documents on cases and tasks, stored by hash (`attaching/`)."""
        return Attachments(self.work)

    @property
    def notifications(self) -> Notifications:
        """The bell, staff notification preferences, wordings and the outbox (`notifying/`)."""
        return Notifications(self.work)

    @property
    def audit(self) -> Auditor:
        """The auditors' read-only operations: replay steps, verify, export, search."""
        return Auditor(self.work)

    @property
    def privacy(self) -> Privacy:
        """Personal data as each viewer may see it, the access log, the retention purge."""
        return Privacy(self.work)


def _lost_race(error: StaleDataError | IntegrityError) -> StaleCase | Conflict:
    """What a lost race means: another writer changed the case, or inserted the same row."""
    if isinstance(error, StaleDataError):
        return StaleCase()
    return Conflict("someone else saved the same thing at the same time; reload and try again")

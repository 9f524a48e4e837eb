"""The engine's service API: what the CLI and the web layer call.

`Engine` owns the database and the per-version spec cache; `Engine.transaction()`
yields a `Service` bound to one session, so one user action is one transaction.
Methods return plain dataclasses from `views.py` and raise errors from `errors.py`.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import (
    acting,
    casefiles,
    deployment,
    determinism,
    health,
    organisation,
    sandbox_limits,
    scheduling,
)
from . import repository as repo
from .acting import SYSTEM
from .admin import Admin
from .attaching.facade import Attachments
from .audit import replay_case, verify_cases, verify_heads
from .auditing import Auditor
from .caches import CalendarCache, VersionCache
from .calendar import ScheduleError, WorkingCalendar, load_schedule
from .casework import Outcome
from .database import connect, connect_reader, session_factory, upgrade
from .errors import CalendarError, Conflict, NotAllowed, NotFound, StaleCase, TaskNotReady
from .forms import validate_form
from .handover import Handover
from .history import AuditFinding, from_json_value
from .inbox import task_views, was_candidate
from .leaders import INTAKE_PROCESS, Reports
from .leadership import Leadership
from .loading import load_process
from .modeling import TaskMeta
from .models import Case, HumanTask, OrgUnit, ProcessVersion, User
from .notifying.facade import Notifications
from .organisation import UnitView, UserView
from .orgchart import OrgAdmin
from .passwords import DUMMY_HASH, check_password, hash_password
from .privacy import Privacy
from .reach import Reach
from .recalculation import PROCESS_ADMIN, cases_awaiting_schedules, recalculate_open_cases
from .replaying import FieldLabel, field_labels
from .running import Runner
from .settings import Settings
from .signin import SignIns
from .views import (
    CalendarLoaded,
    CaseSummary,
    CaseView,
    DeployResult,
    DiagramView,
    EventView,
    PublicCaseView,
    ReplayResult,
    TaskView,
)
from .worklists import WorkLists


class Engine:
    """Database, spec cache and transactions for one deployment of 马上办."""

    def __init__(self, settings: Settings) -> None:
        determinism.install()
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
        self, now: datetime | None = None, on_case: Callable[[str, list], None] | None = None
    ) -> int:
        """Fire every due timer, a batch of cases per transaction; return how many moved.

        Each case fires at most once per call, in its own savepoint, so a broken case
        is quarantined alone and a batch's commit is shared by `timer_batch` cases.
        """
        instant = now or datetime.now(UTC)
        while True:
            with self.transaction() as service:
                started = service.start_next_scheduled(instant)
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
                results, cursor = service.fire_due_batch(
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
        if self.service.loaded_calendar:  # others may have cached the old days meanwhile
            self.engine.calendars.forget()

    def rollback(self) -> None:
        """Discard the work."""
        self.session.rollback()

    def close(self) -> None:
        """Give the connection back (whatever was not committed is discarded)."""
        self.session.close()


class Service:
    """The use cases, over one session. Create it with `Engine.transaction()`."""

    def __init__(self, engine: Engine, session: Session) -> None:
        self.engine = engine
        self.session = session
        self.loaded_calendar = False  # then this unit reads the schedule it is writing
        self.open_tasks_after: dict[int, list[TaskView]] = {}  # case id -> inbox after `_act`

    # --- deployment -------------------------------------------------------------------------

    def deploy(
        self,
        files: dict[str, bytes],
        actor: str = SYSTEM,
        progress: Callable[[str], None] = lambda _message: None,
        at: datetime | None = None,
    ) -> DeployResult:
        """Validate and deploy files; unchanged processes keep their version."""
        now = (at or datetime.now(UTC)).astimezone(UTC)
        result = deployment.deploy(self.session, files, actor, now, progress)
        for process in result.processes:
            version = repo.latest_version(self.session, process.process_id)
            if process.created and version is not None and version.start_timer:
                scheduling.schedule(self.session, version, self.calendar(), after=now)
        return result

    def start_next_scheduled(self, now: datetime) -> tuple[str, str | None] | None:
        """Start one scheduled process whose time has come: (the case's key, error or None)."""
        return scheduling.start_next_due(self, now)

    def process_versions(self) -> list[dict[str, Any]]:
        """Every deployed process version."""
        return [
            {"process_id": v.process_id, "version": v.version, "name": v.name,
             "created_at": v.created_at, "files": sorted(v.files)}
            for v in repo.process_versions(self.session)
        ]  # fmt: skip

    # --- staff ------------------------------------------------------------------------------

    def save_unit(self, code: str, name: str, kind: str, parent: str | None = None) -> None:
        """Create or update an organisation unit."""
        self.session.merge(OrgUnit(code=code, name=name, kind=kind, parent_code=parent))

    def units(self) -> list[UnitView]:
        """Every organisation unit."""
        return organisation.units(self.session)

    def save_user(
        self, username: str, display_name: str, groups: list[str], unit: str | None = None,
        roles: list[str] | tuple[str, ...] = (), password: str | None = None,
    ) -> None:  # fmt: skip
        """Create or update a staff member: candidate groups, unit, roles, password."""
        user = repo.user(self.session, username)
        if user is None:
            user = User(username=username, display_name=display_name, active=True)
            self.session.add(user)
        user.display_name, user.groups = display_name, list(groups)
        user.unit_code, user.roles = unit, list(roles)
        if password is not None:
            if user.password_hash is not None:  # a changed password ends the old sign-ins
                self.signins.revoke_user(username)
            user.password_hash = hash_password(password)

    @property
    def lists(self) -> WorkLists:
        """The inbox and the case list a page at a time (see `engine.worklists`)."""
        return WorkLists(self.session, self.groups_of, self.get_user)

    @property
    def org(self) -> OrgAdmin:
        """The organisation as data: units, staff, names over time (see `engine.orgchart`)."""
        return OrgAdmin(self.session)

    @property
    def signins(self) -> SignIns:
        """Server-side web sessions, API tokens and tracking grants (see `engine.signin`)."""
        return SignIns(self.session)

    def sign_out_everywhere(self, username: str) -> int:
        """End every web session and API token of a staff member; return how many were open."""
        if repo.user(self.session, username) is None:
            raise NotFound(f"unknown user '{username}'")
        return self.signins.revoke_user(username)

    def authenticate(self, username: str, password: str) -> UserView | None:
        """The user if the password is right and the account active, else None."""
        user = repo.user(self.session, username)
        stored = user.password_hash if user is not None else DUMMY_HASH  # same work either way
        if not check_password(stored, password) or user is None or not user.active:
            return None
        return organisation.user_view(self.session, user)

    def get_user(self, username: str) -> UserView:
        """A staff member's view (NotFound if unknown or inactive)."""
        user = repo.user(self.session, username)
        if user is None or not user.active:
            raise NotFound(f"unknown user '{username}'")
        return organisation.user_view(self.session, user)

    def groups_of(self, username: str) -> list[str]:
        """A staff member's candidate groups (NotFound for an unknown or inactive user)."""
        user = repo.user(self.session, username)
        if user is None or not user.active:
            raise NotFound(f"unknown user '{username}'; add them with `mashangban user add`")
        return list(user.groups)

    # --- cases ------------------------------------------------------------------------------

    def start_case(
        self,
        process_id: str,
        key: str | None = None,
        data: dict[str, Any] | None = None,
        actor: str = SYSTEM,
        at: datetime | None = None,
        tracking: bool = False,
        message: dict[str, Any] | None = None,
        scheduled_for: datetime | None = None,
    ) -> CaseView:
        """Start a case on the latest version of a process (with a tracking code if asked)."""
        version = repo.latest_version(self.session, process_id)
        if version is None:
            raise NotFound(f"no deployed process '{process_id}'; run `mashangban deploy` first")
        key = key or _new_key()
        code = secrets.token_hex(4).upper() if tracking else None
        if repo.case_exists(self.session, key):
            raise Conflict(f"a case with key '{key}' already exists")
        instant = at or datetime.now(UTC)
        case = Case(
            business_key=key, process_version_id=version.id, status="running", state="",
            serializer_version="", data={}, warnings=[], last_seq=0, head_hash="",
            started_by=actor, created_at=instant, updated_at=instant,
            tracking_code_hash=casefiles.code_hash(code) if code else None,
        )  # fmt: skip
        self.session.add(case)
        try:
            self.session.flush()
        except IntegrityError as error:  # a concurrent start took the key after our check
            raise Conflict(f"a case with key '{key}' already exists") from error
        start_data = {**(data or {}), "case_key": key}
        inputs: dict[str, Any] = {
            "process_id": process_id, "version": version.version, "data": start_data,
            "bounded": True,  # finished stretches of its task tree may be dropped (pruning.py)
        }  # fmt: skip
        if message is not None:
            inputs["message"] = message
        if scheduled_for is not None:
            inputs["scheduled_for"] = scheduled_for.astimezone(UTC).isoformat()
        self._act(case, "started", actor, instant, inputs)
        return replace(self._case_view(case), tracking_code=code)

    def list_tasks(self, username: str) -> list[TaskView]:
        """The user's inbox: assigned, claimed, and offered to them or their groups."""
        groups = self.groups_of(username)
        rows = repo.inbox(self.session, username, groups)
        return task_views(self.session, rows, self._task_meta)

    def open_tasks(self) -> list[TaskView]:
        """Every open human task (the supervisor's and CLI's overview)."""
        return task_views(self.session, repo.open_tasks(self.session), self._task_meta)

    def get_task(self, task_id: str, username: str) -> TaskView:
        """One open task, if the user may see it (a conflict if it was just completed)."""
        return self._open_task(task_id, username)[2]

    def _open_task(
        self, task_id: str, username: str, lock: bool = False
    ) -> tuple[Case, HumanTask, TaskView]:
        """The task's case and row (read afresh) and its view, if the user may see it.

        `lock`: for a state change, which must lock the case before it reads the task.
        """
        found = repo.open_task(self.session, task_id, lock)
        if found is None:
            self._explain_missing_task(task_id, username)
            raise NotFound(f"no open task with id '{task_id}'")  # not reached: it raises
        case, row, offered = found
        view = task_views(self.session, [(row, case)], self._task_meta, {row.id: offered})[0]
        try:
            self._require_may_see(view, username)
        except NotFound:
            # Under READ COMMITTED the task may have been completed between our reads.
            if repo.completion_of(self.session, task_id) is not None:
                self._explain_missing_task(task_id, username)
            raise
        return case, row, view

    def claim(self, task_id: str, username: str, at: datetime | None = None) -> TaskView:
        """Take a group task for oneself so colleagues see it is being handled."""
        case, row, view = self._open_task(task_id, username, lock=True)
        if view.claimed_by not in (None, username):
            raise Conflict(f"task already claimed by {view.claimed_by}")
        row.claimed_by = username
        self._note(case, "claimed", username, at, view)
        return self.get_task(task_id, username)

    def unclaim(self, task_id: str, username: str, at: datetime | None = None) -> TaskView:
        """Give a claimed task back to its groups."""
        case, row, view = self._open_task(task_id, username, lock=True)
        if view.claimed_by != username:
            raise Conflict("only the user who claimed the task can give it back")
        row.claimed_by = None
        self._note(case, "unclaimed", username, at, view)
        return self.get_task(task_id, username)

    def complete_task(
        self, task_id: str, username: str, data: dict[str, Any], at: datetime | None = None
    ) -> CaseView:
        """Validate form data and complete the task; the case runs on to its next wait."""
        case, _row, view = self._open_task(task_id, username, lock=True)
        if view.claimed_by not in (None, username):
            raise NotAllowed(f"task claimed by {view.claimed_by}; ask them to release it")
        cleaned = validate_form(view.form, data)
        instant = at or datetime.now(UTC)
        self._act(case, "task_completed", username, instant, {"data": cleaned}, view)
        return self._case_view(case)

    def deliver_message(
        self, key: str, message: str, payload: dict[str, Any], actor: str = SYSTEM,
        at: datetime | None = None,
    ) -> CaseView:  # fmt: skip
        """Deliver a named message (e.g. a citizen's reply) to a waiting case."""
        case = repo.lock_case(self.session, key=key)
        inputs = {"message": message, "payload": payload}
        self._act(case, "message_received", actor, at or datetime.now(UTC), inputs)
        return self._case_view(case)

    def get_case(self, key: str, viewer: str | None = None) -> CaseView:
        """A case's summary, open tasks and data; NotFound if `viewer` may not see it."""
        return self._case_view(self._visible_case(key, viewer))

    def list_cases(
        self, viewer: str, status: str | None = None, limit: int = 200
    ) -> list[CaseSummary]:
        """Recent cases the viewer may see, newest first."""
        user = self.get_user(viewer)
        visible = organisation.visible_cases(self.session, user, status, limit)
        return casefiles.summaries(self.session, visible)

    def cases_awaiting_schedules(self, viewer: str) -> list[CaseSummary]:
        """Open cases counted without a holiday schedule (for process admins, who load them)."""
        if PROCESS_ADMIN not in self.get_user(viewer).roles:
            raise NotAllowed("only process admins see the cases awaiting a holiday schedule")
        return casefiles.summaries(self.session, cases_awaiting_schedules(self.session))

    def track(self, key: str, code: str) -> PublicCaseView:
        """The public tracking view of a case (case number + tracking code)."""
        return casefiles.public_view(self.session, key, code)

    def diagram(self, key: str, viewer: str | None = None) -> DiagramView:
        """The case's diagram with completed and active elements."""
        case = self._visible_case(key, viewer)
        version = self._version(case)
        files = repo.file_contents(self.session, version.files)
        return casefiles.diagram(
            self.session, case, self.engine.runner(self.session, version), files
        )

    def working_time_left(self, due_at: datetime, now: datetime | None = None) -> timedelta:
        """Office time from now to a deadline (negative once overdue)."""
        return self.calendar().working_time_between(now or datetime.now(UTC), due_at)

    def _visible_case(self, key: str, viewer: str | None) -> Case:
        case = repo.case_by_key(self.session, key)
        if viewer is not None:
            user = self.get_user(viewer)
            if not organisation.may_view_case(self.session, case, user):
                raise NotFound(f"no case with key '{key}'")
        return case

    def history(self, key: str, viewer: str | None = None) -> list[EventView]:
        """A case's events, oldest first (NotFound if `viewer` may not see the case)."""
        case = self._visible_case(key, viewer)
        names = casefiles.task_names(self._version(case))
        return [
            EventView(e.seq, e.at, e.actor, e.kind, e.task_id, e.task_spec, e.inputs,
                      e.data_before, e.data_after, e.hash, names.get(e.task_spec or ""))
            for e in repo.events(self.session, case.id)
        ]  # fmt: skip

    def field_labels(self, key: str, viewer: str | None = None) -> dict[str, FieldLabel]:
        """The case's data fields as its diagram's forms label them (for readable history)."""
        return field_labels(self._version(self._visible_case(key, viewer)))

    def set_active(self, username: str, active: bool) -> None:
        """Disable (or re-enable) a staff account; history keeps their name."""
        user = repo.user(self.session, username)
        if user is None:
            raise NotFound(f"unknown user '{username}'")
        user.active = active
        if not active:
            self.signins.revoke_user(username)

    def fire_due_batch(
        self, now: datetime, after: tuple[datetime, int] | None, limit: int, fired: set[int]
    ) -> tuple[list[tuple[str, list]], tuple[datetime, int] | None]:
        """Lease a batch of due cases after the cursor and fire each case not yet in `fired`.

        Returns what fired per case and the new cursor (None when nothing was due).
        """
        cases = repo.lease_due_cases(self.session, now, after, limit)
        if not cases:
            return [], None
        cursor = (cases[-1].next_timer_at or now, cases[-1].id)  # read before firing moves it
        results = []
        for case in cases:
            if case.id not in fired:
                fired.add(case.id)
                results.append(self._fire_case(case, now))
        return results, cursor

    def _fire_case(self, case: Case, now: datetime) -> tuple[str, list]:
        """Fire one leased case's due timers in a savepoint; quarantine it if it breaks."""
        savepoint = self.session.begin_nested()
        try:
            outcome = self._act(case, "timer_fired", SYSTEM, now, {})
            self.open_tasks_after.pop(case.id, None)  # no answer to build from it
        except Conflict:
            savepoint.rollback()  # another worker or a person moved it first: skip
            return case.business_key, []
        except KeyboardInterrupt:
            raise  # the operator stopping the worker
        except BaseException as error:  # one broken case must not stop every other timer
            savepoint.rollback()
            acting.quarantine(self.session, case, now, f"{type(error).__name__}: {error}")
            return case.business_key, []
        savepoint.commit()
        return case.business_key, outcome.details.get("fired", [])

    # --- calendar -----------------------------------------------------------------------------

    def load_calendar(self, text: str, at: datetime | None = None) -> CalendarLoaded:
        """Load an official holiday schedule (see `calendar.load_schedule`) and recompute
        the deadlines of open cases that were counted without it (`recalculation.py`)."""
        try:
            days = load_schedule(text)
        except ScheduleError as error:
            raise CalendarError(f"{error}; nothing was loaded") from None
        repo.save_calendar_days(self.session, {d: (w, "") for d, w in days.items()})
        self.session.flush()
        self.loaded_calendar = True
        self.engine.calendars.forget()
        changed = recalculate_open_cases(self, (at or datetime.now(UTC)).astimezone(UTC))
        return CalendarLoaded(days=len(days), recalculated=changed)

    def reports(self, process_id: str = INTAKE_PROCESS) -> Reports:
        """The leaders' reports (三率, ranking, hot spots, overdue lists) in this transaction."""
        return Reports(self, process_id)

    @property
    def leadership(self) -> Leadership:
        """The knowledge base and the monthly meetings (engine/leadership.py)."""
        return Leadership(self)

    def calendar(self) -> WorkingCalendar:
        """The working-day calendar with every loaded schedule."""
        if self.loaded_calendar:
            return WorkingCalendar(repo.calendar_overrides(self.session))
        return WorkingCalendar(self.engine.calendars.overrides(self.session))

    # --- audit ------------------------------------------------------------------------------

    def verify(
        self, key: str | None = None, progress: Callable[[str], None] = lambda _message: None
    ) -> list[AuditFinding]:
        """Check every (or one) case's hash chain against its events and checkpoint."""
        return verify_cases(self.session, key, progress)

    def verify_heads(self, exported: dict[str, dict[str, Any]]) -> list[AuditFinding]:
        """Compare every chain with heads exported earlier by `export_checkpoints`."""
        return verify_heads(self.session, exported)

    def export_checkpoints(self) -> dict[str, dict[str, Any]]:
        """The head hash of every case's chain, to keep outside the database."""
        return {
            key: {"seq": seq, "head": head} for key, seq, head in repo.all_checkpoints(self.session)
        }

    @property
    def handover(self) -> Handover:
        """Reassigning a task to a colleague (engine/handover.py)."""
        return Handover(self)

    @property
    def reach(self) -> Reach:
        """Duplicates, the 一键直达 channel and Open311 clients (issue 14, `engine/reach.py`)."""
        return Reach(self)

    @property
    def admin(self) -> Admin:
        """The process admins' operations: versions, deploy with a note, diff, migrate."""
        return Admin(self)

    @property
    def attachments(self) -> Attachments:
        """Photos and documents on cases and tasks, stored by hash (`attaching/`)."""
        return Attachments(self)

    @property
    def notifications(self) -> Notifications:
        """The bell, staff notification preferences, wordings and the outbox (`notifying/`)."""
        return Notifications(self)

    @property
    def audit(self) -> Auditor:
        """The auditors' read-only operations: replay steps, verify, export, search."""
        return Auditor(self)

    @property
    def privacy(self) -> Privacy:
        """Personal data as each viewer may see it, the access log, the retention purge."""
        return Privacy(self)

    def replay(self, key: str, step: int | None = None) -> ReplayResult:
        """Rebuild a case from its recorded inputs up to event `step`."""
        return replay_case(self, key, step)

    # --- internals --------------------------------------------------------------------------

    def _version(self, case: Case) -> ProcessVersion:
        return self.engine.versions.version(self.session, case.process_version_id)

    def _task_meta(self, process_version_id: int, task_spec: str) -> TaskMeta | None:
        return self.engine.versions.task_meta(self.session, process_version_id, task_spec)

    def _explain_missing_task(self, task_id: str, username: str) -> None:
        """Tell someone who may see the case that the task was done; anyone else: not found."""
        done = repo.completion_of(self.session, task_id)
        case = self.session.get(Case, done.case_id) if done is not None else None
        if done is not None and case is not None:
            user = self.get_user(username)
            meta = self._task_meta(case.process_version_id, done.task_spec or "")
            was_offered = meta is not None and was_candidate(meta, case.data, user)
            if was_offered or organisation.may_view_case(self.session, case, user):
                raise TaskNotReady(f"task {task_id} was already completed by {done.actor} at "
                                   f"{done.at.isoformat()}; reload the case")  # fmt: skip
        raise NotFound(f"no open task with id '{task_id}'")

    def _require_may_see(self, view: TaskView, username: str) -> None:
        """Out-of-scope tasks look like missing ones (never leak that they exist)."""
        groups = set(self.groups_of(username))
        if view.assignee:  # an assigned task is the assignee's alone
            offered = username in (view.assignee, view.claimed_by)
        else:
            offered = (
                view.claimed_by == username
                or username in view.candidate_users
                or bool(groups & set(view.candidate_groups))
            )
        if not offered:
            raise NotFound(f"no open task with id '{view.id}' for {username}")

    def _act(
        self, case: Case, kind: str, actor: str, at: datetime, inputs: dict[str, Any],
        task: TaskView | None = None,
    ) -> Outcome:  # fmt: skip
        return acting.act(self, case, kind, actor, at, inputs, task)

    def _note(self, case: Case, kind: str, actor: str, at: datetime | None, task: TaskView) -> None:
        self.open_tasks_after.pop(case.id, None)  # a claim changes what `_act` left there
        acting.note(self.session, case, kind, actor, at or datetime.now(UTC), task)

    def _case_view(self, case: Case) -> CaseView:
        """The case as it stands; the open tasks an action just wrote are not read back."""
        self.session.flush()
        version = self._version(case)
        tasks = self.open_tasks_after.pop(case.id, None)  # only right after the action
        if tasks is None:
            rows = [(row, case) for row in repo.case_tasks(self.session, case.id)]
            tasks = task_views(self.session, rows, self._task_meta)
        return CaseView(
            key=case.business_key, process_id=version.process_id, process_version=version.version,
            status=case.status, data=from_json_value(case.data),
            tasks=tuple(tasks),
            next_timer_at=case.next_timer_at, error=case.error, warnings=tuple(case.warnings),
            events=case.last_seq, created_at=case.created_at, updated_at=case.updated_at,
            title=case.title, owner_unit=case.owner_unit,
        )  # fmt: skip


def _lost_race(error: StaleDataError | IntegrityError) -> StaleCase | Conflict:
    """What a lost race means: another writer changed the case, or inserted the same row."""
    if isinstance(error, StaleDataError):
        return StaleCase()
    return Conflict("someone else saved the same thing at the same time; reload and try again")


def _new_key() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return f"MSB-{stamp}-{secrets.token_hex(3).upper()}"

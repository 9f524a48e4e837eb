"""Apply one action to a case: run it, store the state, refresh the inbox, record history.

This is the write path every mutating service call shares. It runs under a frozen
clock and a task-id seed derived from (case, event number), which is what lets
`audit.replay_case` reproduce the stored state exactly.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import casefiles, determinism, personal
from . import repository as repo
from .calendar import WorkingCalendar
from .casewarnings import with_fallback_days
from .casework import Outcome, apply_event, make_script_engine
from .errors import Conflict, NotFound, StaleCase
from .history import from_json_value, to_json_value
from .inbox import InboxChange, plan_inbox, task_views, write_inbox
from .models import Case
from .notifying.derive import after_action as notify_after_action
from .recording import record_event
from .running import Runner, case_data, is_finished, next_timer_at, ready_user_tasks
from .views import TaskView
from .work import Work

SYSTEM = "system"


def start(
    work: Work, process_id: str, key: str | None, data: dict[str, Any] | None, actor: str,
    at: datetime, tracking: bool = False, extra: dict[str, Any] | None = None,
) -> tuple[Case, str | None]:  # fmt: skip
    """Start a case on the latest version of a process: (the case, its tracking code or None).

    `extra` joins the `started` event's inputs (the message that started it, the time a
    scheduled start was due).
    """
    session = work.session
    version = repo.latest_version(session, process_id)
    if version is None:
        raise NotFound(f"no deployed process '{process_id}'; run `mashangban deploy` first")
    key = key or _new_key()
    code = secrets.token_hex(4).upper() if tracking else None
    if repo.case_exists(session, key):
        raise Conflict(f"a case with key '{key}' already exists")
    case = Case(
        business_key=key, process_version_id=version.id, status="running", state="",
        serializer_version="", data={}, warnings=[], last_seq=0, head_hash="",
        started_by=actor, created_at=at, updated_at=at,
        tracking_code_hash=casefiles.code_hash(code) if code else None,
    )  # fmt: skip
    session.add(case)
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent start took the key after our check
        raise Conflict(f"a case with key '{key}' already exists") from error
    inputs: dict[str, Any] = {
        "process_id": process_id, "version": version.version,
        "data": {**(data or {}), "case_key": key},
        "bounded": True,  # finished stretches of its task tree may be dropped (pruning.py)
        **(extra or {}),
    }  # fmt: skip
    act(work, case, "started", actor, at, inputs)
    return case, code


def _new_key() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return f"MSB-{stamp}-{secrets.token_hex(3).upper()}"


def act(
    work: Work, case: Case, kind: str, actor: str, at: datetime, inputs: dict[str, Any],
    task: TaskView | None = None,
) -> Outcome:  # fmt: skip
    """Run one state-changing event on a case and record it (plus what it caused)."""
    session, at = work.session, at.astimezone(UTC)
    staff_revision = session.info.pop(repo.STAFF_REVISION_READ, None)  # read with the task
    inputs = from_json_value(to_json_value(inputs))  # exactly what a replay will see
    # Personal values become references before anything runs: only those reach the workflow,
    # its state and the hashed history, so the values can be erased later (personal.py).
    inputs = personal.seal(session, case.business_key, at, inputs)
    version = work.version(case)
    runner = work.runner(version)
    calendar, new_case = work.calendar(), case.last_seq == 0
    with determinism.frozen(at, f"{case.business_key}:{case.last_seq + 1}"):
        script_engine = make_script_engine(calendar)
        workflow = runner.restore(case.state, script_engine) if case.state else None
        ready_before = {t.id for t in ready_user_tasks(workflow)} if workflow else set()
        outcome = apply_event(runner, workflow, kind, task.id if task else None, inputs,
                              script_engine, version.milestones)  # fmt: skip
        if kind == "timer_fired" and not outcome.details.get("fired") and not outcome.error:
            return outcome  # nothing was due after all: record nothing
        before, status_before = case.data, case.status
        _store_state(case, runner, outcome, at)
        inbox = plan_inbox(case, version, outcome.workflow, script_engine, at, ready_before)
        inbox.completed = task.id if task is not None and kind == "task_completed" else None
    # Everything the case row gets (state, warnings, head of the chain) is set before its
    # one UPDATE, which still goes first and fails with StaleCase on a concurrent writer.
    _record(session, case, kind, actor, at, _with_calendar(inputs, calendar), before, task, outcome)
    _warn_about_missing_schedules(case, calendar)
    claim_case_row(session)
    write_inbox(session, inbox)
    notify_after_action(session, case, at, before, status_before, inbox.rows, inbox.offered,
                        outcome.milestones, new_case, staff_revision)  # fmt: skip
    work.open_tasks_after[case.id] = _open_task_views(work, case, inbox)
    for name, payload in outcome.thrown:
        _start_on_message(work, case, name, payload, at)
    return outcome


def _open_task_views(work: Work, case: Case, inbox: InboxChange) -> list[TaskView] | None:
    """The case's open tasks from the rows just written (None: older rows remain, read them)."""
    if inbox.kept:
        return None
    offered: dict[str, list[Any]] = {row.id: [] for row in inbox.rows}
    for candidate in inbox.offered:
        offered[candidate["task_id"]].append(repo.Candidate(candidate["kind"], candidate["name"]))
    rows = [(row, case) for row in inbox.rows]
    return task_views(work.session, rows, work.task_meta, offered)


def quarantine(session: Session, case: Case, at: datetime, error: str) -> None:
    """Take a case the engine cannot advance out of the timer rotation, with the reason."""
    case.status, case.error, case.next_timer_at, case.updated_at = "error", error, None, at
    record_event(session, case, "failed", SYSTEM, at, {"error": error}, case.data, case.data,
                 checkpoint=False)  # fmt: skip
    claim_case_row(session)


def note(session: Session, case: Case, kind: str, actor: str, at: datetime, task: TaskView) -> None:
    """Record an event that changes no workflow state (claimed, unclaimed)."""
    case.updated_at = at
    record_event(session, case, kind, actor, at, {}, case.data, case.data, task=task,
                 checkpoint=False)  # fmt: skip
    claim_case_row(session)


def claim_case_row(session: Session) -> None:
    """Write the case row first: a concurrent writer then fails on its version check."""
    try:
        session.flush()
    except StaleDataError as error:
        raise StaleCase() from error


def _with_calendar(inputs: dict[str, Any], calendar: WorkingCalendar) -> dict[str, Any]:
    """Keep the schedule days the action relied on, so a replay decides them the same."""
    if not calendar.decided_days:
        return inputs
    decided = {day.isoformat(): workday for day, workday in calendar.decided_days.items()}
    return {**inputs, "calendar": decided}


def _warn_about_missing_schedules(case: Case, calendar: WorkingCalendar) -> None:
    """Note the days counted Monday-Friday; loading their schedule recalculates the case."""
    missing = calendar.drain_fallback_days()
    if missing:
        case.warnings = with_fallback_days(case.warnings, missing)


def _record(
    session: Session, case: Case, kind: str, actor: str, at: datetime, inputs: dict[str, Any],
    before: dict[str, Any], task: TaskView | None, outcome: Outcome,
) -> None:  # fmt: skip
    record_event(session, case, kind, actor, at, inputs, before, task=task,
                 details=outcome.details, checkpoint=False)  # fmt: skip
    for milestone in outcome.milestones:
        record_event(session, case, milestone["kind"], actor, at, milestone, case.data, case.data,
                     checkpoint=False)  # fmt: skip
    if outcome.error:
        record_event(session, case, "failed", SYSTEM, at, {"error": outcome.error},
                     case.data, case.data, checkpoint=False)  # fmt: skip


def _store_state(case: Case, runner: Runner, outcome: Outcome, at: datetime) -> None:
    workflow = outcome.workflow
    case.state = runner.dump(workflow)
    case.serializer_version = runner.serializer_version
    case.data = to_json_value(case_data(workflow))
    case.title = str(case.data.get("title", ""))[:200]
    case.owner_unit = case.data.get("intake_unit") or case.owner_unit
    case.next_timer_at = None if outcome.error else next_timer_at(workflow)
    case.error = outcome.error
    finished = "completed" if is_finished(workflow) else "running"
    case.status = "error" if outcome.error else finished
    case.updated_at = at


def _start_on_message(work: Work, source: Case, message: str, payload: Any, at: datetime) -> None:
    """A message thrown by one case starts every process whose start event catches it."""
    for version in repo.versions_started_by(work.session, message):
        spawned = repo.count_cases_from(work.session, source.business_key) + 1
        thrown = {"message": {"message": message, "payload": to_json_value(payload)}}
        key = f"{source.business_key}-{spawned}"
        start(work, version.process_id, key, {"source_case": source.business_key}, SYSTEM, at,
              extra=thrown)  # fmt: skip

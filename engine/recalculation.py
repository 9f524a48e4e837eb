"""Recompute deadlines once the official schedule of a year that had none is loaded.

Deadlines come from diagram scripts (`sla_due = iso(add_working_days(now(), 5))`),
due-date and timer expressions, all counted with the working-day calendar. For a year
without holiday data the calendar counts Monday-Friday (`calendar.py`), and the case
carries a `calendar_fallback` warning. When `calendar load` brings that year's schedule,
each open case with the warning is re-run from its recorded events (`rerun`) with the
schedule's answers for those days, under the same frozen clocks and id seeds: its data,
its waiting timers and its open tasks' due dates come out as if the schedule had been
known from the start. That is recorded as a `recalculated` event (inputs: the schedule
days used; details: before and after of every changed deadline), and `audit.replay_case`
re-runs the same way, so replays stay byte-identical. A case whose re-run takes another
path (a timer already fired under the old deadline, say) is left as it is, with a
`calendar_not_recalculated` warning for the process admin.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import determinism
from . import repository as repo
from .acting import SYSTEM, claim_case_row
from .calendar import SHANGHAI, WorkingCalendar
from .casewarnings import fallback_years, is_calendar, not_recalculated, without_years
from .casework import STATE_CHANGING, apply_event, make_script_engine
from .errors import EngineError
from .history import from_json_value, to_json_value
from .inbox import due_date_of
from .modeling import TaskMeta
from .models import Case, CaseEvent, ProcessVersion
from .recording import record_event
from .running import Runner, case_data, next_timer_at, ready_user_tasks
from .versioned_runner import case_runner
from .work import Work

RECALCULATED = "recalculated"
PROCESS_ADMIN = "process_admin"  # the role that loads schedules and reads these warnings
Step = Callable[[CaseEvent, Any, Any], None]


class Diverged(Exception):
    """Re-run with the new schedule, the case would have taken another path."""


def schedule_patch(events: Sequence[CaseEvent]) -> dict[date, bool]:
    """The schedule days every `recalculated` event among these applied."""
    patch: dict[date, bool] = {}
    for event in events:
        if event.kind == RECALCULATED:
            patch.update(_days(event.inputs.get("calendar_patch", {})))
    return patch


def rerun(
    runner: Runner, key: str, events: Sequence[CaseEvent], patch: dict[date, bool],
    on_step: Step | None = None,
) -> tuple[Any, str]:  # fmt: skip
    """Re-apply the recorded events, each with its recorded calendar days amended by `patch`.

    A bounded case (see `statefile.py`) keeps one workflow in memory from the first event
    to the last and dumps it once, canonically: one pass over the history. A case from
    before restores and dumps around every event, as it was run, to reproduce its bytes.
    """
    in_memory = bool(events) and bool(events[0].inputs.get("bounded"))
    workflow = None
    for event in events:
        if event.kind not in STATE_CHANGING:
            continue
        calendar = calendar_as_it_was(event.inputs, patch)
        with determinism.frozen(event.at, f"{key}:{event.seq}"):
            script_engine = make_script_engine(calendar)
            if workflow is not None and not in_memory:  # a case from before bounded state
                workflow = runner.restore(runner.dump(workflow), script_engine)
            elif workflow is not None:
                workflow.script_engine = script_engine
            inputs = from_json_value(event.inputs)
            outcome = apply_event(runner, workflow, event.kind, event.task_id, inputs,
                                  script_engine)  # fmt: skip
            workflow = outcome.workflow
            if on_step is not None:
                on_step(event, outcome, script_engine)
    return workflow, runner.dump(workflow) if workflow is not None else ""


def calendar_as_it_was(
    inputs: dict[str, Any], patch: dict[date, bool] | None = None
) -> WorkingCalendar:
    """The days an event decided from loaded schedules or the fallback, as it decided them
    (amended by the days a later `recalculated` event loaded)."""
    return WorkingCalendar({**_days(inputs.get("calendar", {})), **(patch or {})})


def recalculate_open_cases(work: Work, at: datetime) -> int:
    """Recompute the deadlines of open cases counted by the fallback in now-loaded years."""
    session = work.session
    overrides = repo.calendar_overrides(session)
    loaded_years = {day.year for day in overrides}
    rows = session.execute(select(Case.id, Case.warnings).where(Case.status == "running"))
    changed = 0
    for case_id, warnings in rows.all():
        covered = fallback_years(warnings or []) & loaded_years
        if covered:
            case = session.get(Case, case_id)
            assert case is not None
            patch = {d: w for d, w in overrides.items() if d.year in covered}
            changed += _recalculate(work, case, covered, patch, at)
    return changed


def cases_awaiting_schedules(session: Session) -> list[Case]:
    """Open cases whose deadlines were counted without a holiday schedule, newest first."""
    rows = session.execute(select(Case.id, Case.warnings).where(Case.status != "completed"))
    ids = [case_id for case_id, warnings in rows.all() if any(map(is_calendar, warnings or []))]
    if not ids:
        return []
    return list(session.scalars(select(Case).where(Case.id.in_(ids))
                                .order_by(Case.updated_at.desc())))  # fmt: skip


def _recalculate(
    work: Work, case: Case, covered: set[int], patch: dict[date, bool], at: datetime
) -> int:
    session = work.session
    events = repo.events(session, case.id)
    patch = {**schedule_patch(events), **patch}
    if not _relies_on(events, patch):
        case.warnings = without_years(case.warnings, covered)  # the answers were right
        return 0
    version = session.get(ProcessVersion, case.process_version_id)
    assert version is not None
    runner = case_runner(work, case)
    due: dict[str, datetime | None] = {}
    try:
        workflow, state = rerun(runner, case.business_key, events, patch,
                                _checker(version, due))  # fmt: skip
        rows = repo.case_tasks(session, case.id)
        if {t.id for t in ready_user_tasks(workflow)} != {row.id for row in rows}:
            raise Diverged("other tasks would be open")
    except (Diverged, EngineError):
        case.warnings = not_recalculated(without_years(case.warnings, covered), covered)
        return 0
    _store(session, case, rows, (workflow, state), due, patch, at)
    case.warnings = without_years(case.warnings, covered)
    return 1


def _relies_on(events: Sequence[CaseEvent], patch: dict[date, bool]) -> bool:
    """True if some event was computed with a day the schedule answers differently."""
    for event in events:
        for day, workday in _days(event.inputs.get("calendar", {})).items():
            if day in patch and patch[day] != workday:
                return True
    return False


def _checker(version: ProcessVersion, due: dict[str, datetime | None]) -> Step:
    """Stop a re-run that departs from the history; note each new task's due date."""

    def check(event: CaseEvent, outcome: Any, script_engine: Any) -> None:
        recorded = event.inputs.get("details", {}).get("fired")
        if recorded is not None:
            fired = [f["spec"] for f in outcome.details.get("fired", [])]
            if fired != [f["spec"] for f in recorded]:
                raise Diverged(f"event {event.seq}: other timers would have fired")
        if outcome.error:
            raise Diverged(f"event {event.seq}: {outcome.error}")
        for task in ready_user_tasks(outcome.workflow):
            raw = version.tasks.get(task.spec)
            if task.id not in due and raw:
                due[task.id] = due_date_of(TaskMeta.from_dict(raw), task, script_engine)

    return check


def _store(
    session: Session, case: Case, rows: Sequence[Any], rebuilt: tuple[Any, str],
    due: dict[str, datetime | None], patch: dict[date, bool], at: datetime,
) -> None:  # fmt: skip
    """Save the re-run state and due dates, and record what changed as one event."""
    workflow, state = rebuilt
    before, timer_before = case.data, case.next_timer_at
    changes = []
    for row in rows:
        if row.id in due and row.due_at != due[row.id]:
            changes.append({"element": row.task_spec, "field": "due_at",
                            "before": _iso(row.due_at), "after": _iso(due[row.id])})  # fmt: skip
            row.due_at = due[row.id]
    case.state = state
    case.data = to_json_value(case_data(workflow))
    case.next_timer_at = next_timer_at(workflow)
    if timer_before != case.next_timer_at:
        after = _iso(case.next_timer_at)
        changes.append({"element": "timers", "field": "next_timer_at",
                        "before": _iso(timer_before), "after": after})  # fmt: skip
    case.updated_at = at
    claim_case_row(session)
    inputs = {"calendar_patch": {d.isoformat(): w for d, w in sorted(patch.items())}}
    record_event(session, case, RECALCULATED, SYSTEM, at, inputs, before,
                 details={"changes": changes})  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat() if moment else None


def _days(recorded: dict[str, Any]) -> dict[date, bool]:
    return {date.fromisoformat(day): bool(workday) for day, workday in recorded.items()}

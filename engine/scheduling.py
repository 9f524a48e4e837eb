"""Processes that begin with a timer start event run on a schedule kept by the engine.

The start event's `timeDate` expression is evaluated with `now()` set to the previous
start (or the deployment) to find the next one; the timer worker starts the case when it
is due, with the start timer marked as fired and optional start data from a report.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from . import determinism
from . import repository as repo
from .calendar import SHANGHAI, WorkingCalendar
from .cases import Cases
from .casework import make_script_engine
from .errors import ScriptFailed
from .inbox import as_instant
from .models import ProcessSchedule, ProcessVersion
from .reports import REPORTS
from .work import Work


def schedule(
    session: Session, version: ProcessVersion, calendar: WorkingCalendar, after: datetime
) -> None:
    """Set when a timer-started process next starts (keeps a pending later start)."""
    row = session.get(ProcessSchedule, version.process_id)
    if row is not None and row.next_start_at > after:
        return
    next_start = next_start_after(version, calendar, after)
    if row is None:
        session.add(ProcessSchedule(process_id=version.process_id, next_start_at=next_start))
    else:
        row.next_start_at = next_start


def next_start_after(
    version: ProcessVersion, calendar: WorkingCalendar, after: datetime
) -> datetime:
    """Evaluate the start timer's expression with `now()` = `after`."""
    with determinism.frozen(after, f"schedule:{version.process_id}"):
        environment = make_script_engine(calendar).environment
        try:
            value = environment.evaluate(version.start_timer or "", {})
        except Exception as error:  # a script error, or one of the sandbox's limits
            raise ScriptFailed(f"{version.process_id}: the start timer failed: "
                               f"{type(error).__name__}: {error}") from error  # fmt: skip
    moment = as_instant(value)
    if moment <= after:
        raise ScriptFailed(f"{version.process_id}: the start timer gave {moment.isoformat()}, "
                           f"not a time after {after.isoformat()}")  # fmt: skip
    return moment


def start_next_due(work: Work, now: datetime) -> tuple[str, str | None] | None:
    """Start one scheduled process whose time has come: (new case's key, error or None).

    A start that fails (a script past its limits, ...) is skipped with the reason, so
    one broken process cannot stop the timer worker or keep it retrying the same start.
    """
    row = repo.lease_due_schedule(work.session, now)
    if row is None:
        return None
    version = repo.latest_version(work.session, row.process_id)
    assert version is not None
    due = row.next_start_at
    key = f"{version.process_id}-{due.astimezone(SHANGHAI):%Y%m%d-%H%M}"
    error = _start(work, version, key, due, now)
    if error is None:
        row.last_case_key = key
    try:
        row.next_start_at = next_start_after(version, work.calendar(), after=due)
    except Exception as failure:  # a broken start timer: try again tomorrow, say why
        row.next_start_at = due + timedelta(days=1)
        error = f"{error + '; ' if error else ''}next start: {failure}; retrying in a day"
    return key, error


def _start(
    work: Work, version: ProcessVersion, key: str, due: datetime, now: datetime
) -> str | None:
    savepoint = work.session.begin_nested()
    try:
        data = REPORTS[version.start_data](work.session, due) if version.start_data else {}
        Cases(work).start(version.process_id, key=key, data=data, at=now, scheduled_for=due)
    except KeyboardInterrupt:
        raise  # the operator stopping the worker
    except BaseException as error:  # nothing a process does may stop the worker
        savepoint.rollback()
        return f"{type(error).__name__}: {error}"
    savepoint.commit()
    return None

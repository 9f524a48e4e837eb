"""What each recorded event does to a workflow: one function for live runs and replay.

Live actions and `replay` both go through `apply_event`, under the same frozen
clock and id seed, which is what makes a replay reproduce the stored state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import running
from .calendar import SHANGHAI, WorkingCalendar
from .determinism import now as engine_now
from .errors import NotFound, ScriptFailed
from .running import Runner
from .scripting import build_script_engine

STATE_CHANGING = ("started", "task_completed", "timer_fired", "message_received")


@dataclass
class Outcome:
    """The result of applying one event: the workflow, and what happened on the way."""

    workflow: Any
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def _iso(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat()


def script_helpers(calendar: WorkingCalendar) -> dict[str, Any]:
    """The whitelist of functions diagrams may call, bound to one calendar."""

    def now() -> datetime:
        return engine_now().astimezone(SHANGHAI)

    def parse_datetime(text: str) -> datetime:
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)

    return {
        "now": now,
        "today": lambda: now().date(),
        "iso": _iso,
        "parse_datetime": parse_datetime,
        "add_working_days": calendar.add_working_days,
        "add_working_hours": calendar.add_working_hours,
        "working_time_between": calendar.working_time_between,
    }


def make_script_engine(calendar: WorkingCalendar) -> Any:
    """A sandboxed script engine whose helpers use this calendar."""
    return build_script_engine(script_helpers(calendar))


def apply_event(
    runner: Runner,
    workflow: Any,
    kind: str,
    task_id: str | None,
    inputs: dict[str, Any],
    script_engine: Any,
) -> Outcome:
    """Apply one state-changing event to a workflow (None for `started`)."""
    if kind == "started":
        workflow = runner.create(script_engine, inputs.get("data", {}))
    outcome = Outcome(workflow)
    try:
        if kind == "started":
            running.advance(workflow)
        elif kind == "task_completed":
            outcome.details["task_spec"] = running.complete_user_task(
                workflow, task_id or "", inputs.get("data", {})
            )
        elif kind == "timer_fired":
            fired = running.fire_timers(workflow)
            outcome.details["fired"] = [
                {"spec": f.spec, "name": f.name, "due": f.due} for f in fired
            ]
        elif kind == "message_received":
            caught = running.deliver_message(
                workflow, runner.specs.dialect, inputs["message"], inputs.get("payload", {})
            )
            if not caught:
                raise NotFound(f"the case is not waiting for message '{inputs['message']}'")
    except ScriptFailed as error:
        outcome.error = str(error)
    return outcome

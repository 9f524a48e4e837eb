"""What each recorded event does to a workflow: one function for live runs and replay.

Live actions and `replay` both go through `apply_event`, under the same frozen
clock and id seed, which is what makes a replay reproduce the stored state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import pruning, running
from .calendar import SHANGHAI, WorkingCalendar
from .determinism import now as engine_now
from .errors import NotFound, ScriptFailed
from .running import Runner
from .sandbox_meter import LimitTripped
from .scripting import build_script_engine

MIGRATED = "migrated"  # a process admin moved the case to another version (versioned_runner)
STATE_CHANGING = ("started", "task_completed", "timer_fired", "message_received", MIGRATED)
# Engine tasks one action may run. It stops loops that never wait (SpiffWorkflow slows
# quadratically with the task tree: 2,000 steps take about 10 s); a 300-round rework
# loop of four elements needs about 1,200.
MAX_STEPS_PER_ACTION = 2_000
HELPER_SPAN_DAYS = 3_660  # ten years: the furthest a calendar helper counts in one call


@dataclass
class Outcome:
    """The result of applying one event: the workflow, and what happened on the way."""

    workflow: Any
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    milestones: list[dict[str, Any]] = field(default_factory=list)
    thrown: list[tuple[str, Any]] = field(default_factory=list)


def _iso(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat()


def script_helpers(calendar: WorkingCalendar) -> dict[str, Any]:
    """The whitelist of functions diagrams may call, bound to one calendar."""

    def now() -> datetime:
        return engine_now().astimezone(SHANGHAI)

    def first_working_day_of_next_month(moment: datetime) -> datetime:
        """09:00 local on the first working day of the month after `moment`."""
        local = moment.astimezone(SHANGHAI)
        first = (local.replace(day=28) + timedelta(days=4)).replace(day=1)
        while not calendar.is_workday(first.date()):
            first += timedelta(days=1)
        return first.replace(hour=9, minute=0, second=0, microsecond=0)

    def parse_datetime(text: str) -> datetime:
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)

    return {
        "now": now,
        "today": lambda: now().date(),
        "iso": _iso,
        "parse_datetime": parse_datetime,
        **_calendar_helpers(calendar),
        "first_working_day_of_next_month": first_working_day_of_next_month,
    }


def _calendar_helpers(calendar: WorkingCalendar) -> dict[str, Any]:
    """The calendar walks day by day and records every day it decides (for replay): one call
    with a span of centuries would run for seconds inside one script line."""

    def refuse_past(span: float, limit: float, what: str) -> None:
        if span > limit:
            raise LimitTripped(f"{what} spans more than {HELPER_SPAN_DAYS:,} days; helpers "
                               f"count at most that far")  # fmt: skip

    def add_working_days(start: datetime, n: int) -> datetime:
        refuse_past(n, HELPER_SPAN_DAYS, "add_working_days(...)")
        return calendar.add_working_days(start, n)

    def add_working_hours(start: datetime, hours: float) -> datetime:
        refuse_past(hours, HELPER_SPAN_DAYS * 8, "add_working_hours(...)")
        return calendar.add_working_hours(start, hours)

    def working_time_between(start: datetime, end: datetime) -> timedelta:
        refuse_past(abs((end - start).days), HELPER_SPAN_DAYS, "working_time_between(...)")
        return calendar.working_time_between(start, end)

    return {"add_working_days": add_working_days, "add_working_hours": add_working_hours,
            "working_time_between": working_time_between}  # fmt: skip


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
    milestones: dict[str, dict[str, Any]] | None = None,
) -> Outcome:
    """Apply one state-changing event to a workflow (None for `started`)."""
    if kind == "started":
        workflow = runner.create(script_engine, inputs.get("data", {}))
        if inputs.get("bounded"):
            pruning.opt_in(workflow)
    elif kind == MIGRATED:
        workflow = _migrate(runner, workflow, inputs)
    outcome = Outcome(workflow)
    watcher = _milestone_watcher(milestones or {}, outcome)
    try:
        _apply(runner, workflow, kind, task_id, inputs, outcome, watcher)
    except ScriptFailed as error:
        outcome.error = str(error)
    pruning.prune(workflow)
    outcome.thrown = running.thrown_messages(workflow)
    return outcome


def _migrate(runner: Runner, workflow: Any, inputs: dict[str, Any]) -> Any:
    migrate = getattr(runner, "migrate", None)  # only a VersionedRunner moves between versions
    if migrate is None:
        raise NotFound("the case's history has a migration but no other version to replay it on")
    return migrate(workflow, inputs)


def _apply(
    runner: Runner, workflow: Any, kind: str, task_id: str | None, inputs: dict[str, Any],
    outcome: Outcome, watcher: running.Watcher,
) -> None:  # fmt: skip
    if kind == "started":
        if "scheduled_for" in inputs:
            running.prefire_start_timer(workflow, datetime.fromisoformat(inputs["scheduled_for"]))
        running.advance(workflow, watcher)
        if "message" in inputs:
            _deliver(runner, workflow, inputs["message"], watcher)
    elif kind == "task_completed":
        outcome.details["task_spec"] = running.complete_user_task(
            workflow, task_id or "", inputs.get("data", {}), watcher
        )
    elif kind == "timer_fired":
        fired = running.fire_timers(workflow, watcher)
        outcome.details["fired"] = [{"spec": f.spec, "name": f.name, "due": f.due} for f in fired]
    elif kind == "message_received":
        _deliver(runner, workflow, inputs, watcher)


def _deliver(
    runner: Runner, workflow: Any, message: dict[str, Any], watcher: running.Watcher
) -> None:
    name, payload = message["message"], message.get("payload", {})
    if not running.deliver_message(workflow, runner.specs.dialect, name, payload, watcher):
        raise NotFound(f"the case is not waiting for message '{name}'")


def _milestone_watcher(milestones: dict[str, dict[str, Any]], outcome: Outcome) -> running.Watcher:
    """Collect the diagram's milestone elements as they complete, with their data fields;
    stop an action that runs more engine steps than any real diagram needs."""
    steps = [0]

    def watch(task: Any) -> None:
        steps[0] += 1
        if steps[0] > MAX_STEPS_PER_ACTION:
            raise ScriptFailed(f"stopped after {MAX_STEPS_PER_ACTION} engine steps in one action: "
                               f"the diagram loops without waiting (check gateway conditions "
                               f"and call activities calling themselves)")  # fmt: skip
        spec = milestones.get(getattr(task.task_spec, "bpmn_id", None) or "")
        if spec is not None:
            fields = {name: task.data.get(name) for name in spec["fields"]}
            outcome.milestones.append({"kind": spec["kind"], "element": task.task_spec.bpmn_id,
                                       "fields": fields})  # fmt: skip

    return watch

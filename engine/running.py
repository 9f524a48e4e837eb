"""Run cases with SpiffWorkflow: create, restore, advance, and read workflows.

This is the only module (with `loading.py`) that touches SpiffWorkflow objects.
It returns plain values: ids, names, dicts. State is serialized without specs:
the specs are rebuilt once per process version from its stored source files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.camunda.specs.event_definitions import (
    MessageEventDefinition as CamundaMessage,
)
from SpiffWorkflow.camunda.specs.multiinstance_task import (
    ParallelMultiInstanceTask as CamundaParallelMI,
)
from SpiffWorkflow.camunda.specs.multiinstance_task import (
    SequentialMultiInstanceTask as CamundaSequentialMI,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition as SpiffMessage
from SpiffWorkflow.util.task import TaskState

from . import statefile
from .dialects import CAMUNDA
from .errors import MessageRejected, ScriptFailed, ScriptStopped, TaskNotReady
from .loading import ProcessSpecs, serializer_config
from .scripting import SandboxViolation


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person."""

    id: str
    spec: str
    name: str
    lane: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class FiredTimer:
    """A timer event that fired during a refresh."""

    spec: str
    name: str
    due: str | None


def _state_converter(specs: ProcessSpecs) -> type[BpmnWorkflowConverter]:
    class StateOnlyConverter(BpmnWorkflowConverter):
        """Serializes a workflow without its specs and restores it onto cached ones."""

        def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
            dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
            dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
            dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
            return dct

        def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
            workflow = self.target_class(specs.spec, specs.subprocess_specs, deserializing=True)
            workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
            workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
            self.set_default_attributes(workflow, dct)
            self.subprocesses_from_dict(dct["subprocesses"], workflow)
            workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
            return workflow

    return StateOnlyConverter


def _prepare_loops(spec: Any) -> None:
    """Do up front what SpiffWorkflow's loop tasks do to their spec when they first run.

    Multi-instance and standard-loop tasks connect their child's completion to
    `merge_child`, and the Camunda flavour points its input at the collection, only on
    the spec object in memory at run time. A case restored in a fresh process (another
    worker, a restart) would otherwise never finish the loop, or double its output.
    """
    for task_spec in spec.task_specs.values():
        if not isinstance(task_spec, LoopTask):
            continue
        child = spec.task_specs.get(task_spec.task_spec)
        if child is not None and not child.completed_event.is_connected(task_spec.merge_child):
            child.completed_event.connect(task_spec.merge_child)
        is_camunda = isinstance(task_spec, CamundaParallelMI | CamundaSequentialMI)
        if is_camunda and task_spec.cardinality is None and task_spec.data_output is not None:
            task_spec.data_input = TaskDataReference(task_spec.data_output.bpmn_id)
            if task_spec.output_item is not None:
                task_spec.input_item = TaskDataReference(task_spec.output_item.bpmn_id)


def _register_data_types(registry: Any) -> None:
    registry.register(
        date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"])
    )
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))


class Runner:
    """Everything needed to run cases of one process version."""

    def __init__(self, specs: ProcessSpecs) -> None:
        self.specs = specs
        for spec in (specs.spec, *specs.subprocess_specs.values()):
            if spec is not None:
                _prepare_loops(spec)
        config = dict(serializer_config(specs.dialect))
        config[BpmnWorkflow] = _state_converter(specs)
        registry = BpmnWorkflowSerializer.configure(config)
        _register_data_types(registry)
        self.serializer = BpmnWorkflowSerializer(registry)

    @property
    def serializer_version(self) -> str:
        """The SpiffWorkflow serialization format version written with each state."""
        return str(self.serializer.VERSION)

    def create(self, script_engine: Any, data: dict[str, Any]) -> BpmnWorkflow:
        """Create a workflow with its start data (call `advance` to run it)."""
        workflow = BpmnWorkflow(
            self.specs.spec, self.specs.subprocess_specs, script_engine=script_engine
        )
        start = workflow.get_next_task(state=TaskState.READY)
        if start is not None:
            start.set_data(**data)
        return workflow

    def restore(self, state: str, script_engine: Any) -> BpmnWorkflow:
        """Rebuild a workflow from stored state and attach the script engine."""
        workflow = self.serializer.deserialize_json(state)
        workflow.script_engine = script_engine
        return workflow

    def dump(self, workflow: BpmnWorkflow) -> str:
        """Serialize a workflow's state (without specs), as `statefile.py` says."""
        return statefile.dump(self.serializer, workflow)


Watcher = Callable[[Any], None]


def advance(workflow: BpmnWorkflow, watcher: Watcher | None = None) -> None:
    """Run engine tasks until only people or timers can move the workflow on."""

    def watch(task: Any) -> None:
        if isinstance(task.task_spec, BoundaryEvent | BoundaryEventJoin):  # may cancel the activity
            drop_orphaned_subprocesses(workflow)
        if watcher is not None:
            watcher(task)

    try:
        workflow.do_engine_steps(did_complete_task=watch)
    except SpiffWorkflowException as error:
        raise _script_error(error) from error


def _script_error(error: SpiffWorkflowException) -> ScriptFailed | ScriptStopped:
    """ScriptFailed lands on the case; a machine-dependent stop must not (see ScriptStopped)."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, SandboxViolation) and not cause.deterministic:
            return ScriptStopped(_describe(error))
        cause = cause.__cause__ or cause.__context__
    return ScriptFailed(_describe(error))


def _describe(error: SpiffWorkflowException) -> str:
    task = getattr(error, "task", None)
    where = f"{task.task_spec.bpmn_id}: " if task is not None else ""
    line = getattr(error, "line_number", 0)
    at_line = f" (script line {line})" if line else ""
    return f"{where}{error}{at_line}"


def ready_user_tasks(workflow: BpmnWorkflow) -> list[ReadyTask]:
    """The user tasks currently waiting for a person."""
    return [
        ReadyTask(
            id=str(task.id),
            spec=task.task_spec.bpmn_id,
            name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
            lane=task.task_spec.lane,
            data=dict(task.data),
        )
        for task in workflow.get_tasks(state=TaskState.READY, manual=True)
    ]


def complete_user_task(
    workflow: BpmnWorkflow, task_id: str, data: dict[str, Any], watcher: Watcher | None = None
) -> str:
    """Complete a ready user task with form data and run on; return its spec id."""
    task = _find_task(workflow, task_id)
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady(f"task {task_id} is no longer waiting (done by someone else?)")
    task.set_data(**data)
    try:
        task.run()
    except SpiffWorkflowException as error:
        raise _script_error(error) from error
    if watcher is not None:
        watcher(task)
    advance(workflow, watcher)
    return str(task.task_spec.bpmn_id)


def _find_task(workflow: BpmnWorkflow, task_id: str) -> Any:
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError, SpiffWorkflowException):
        return None


def fire_timers(workflow: BpmnWorkflow, watcher: Watcher | None = None) -> list[FiredTimer]:
    """Fire every timer whose time has come (by the engine clock) and run on."""
    waiting = _waiting_timers(workflow)
    workflow.refresh_timers()
    advance(workflow, watcher)
    fired = []
    for task_id, due in waiting.items():
        task = workflow.get_task_from_id(task_id)
        if task is None or task.state != TaskState.WAITING:
            spec = task.task_spec if task is not None else None
            fired.append(
                FiredTimer(getattr(spec, "bpmn_id", "?"), getattr(spec, "bpmn_name", "") or "", due)
            )
    return fired


def _waiting_timers(workflow: BpmnWorkflow) -> dict[UUID, str | None]:
    timers: dict[UUID, str | None] = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if _has_timer(definition):
            timers[task.id] = task._get_internal_data("event_value")
    return timers


def _has_timer(definition: Any) -> bool:
    """A timer, or an event-based gateway's multiple definition that contains one."""
    if isinstance(definition, MultipleEventDefinition):
        return any(isinstance(d, TimerEventDefinition) for d in definition.event_definitions)
    return isinstance(definition, TimerEventDefinition)


def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest instant a waiting timer is due (for the indexed `next_timer_at` column)."""
    due: list[datetime] = []
    for value in _waiting_timers(workflow).values():
        if not isinstance(value, str):
            continue  # cycle timers keep a dict; not used by our diagrams
        try:
            moment = TimerEventDefinition.get_datetime(value)
        except ValueError:
            continue
        due.append(datetime.fromtimestamp(moment.timestamp(), UTC))
    return min(due) if due else None


def deliver_message(
    workflow: BpmnWorkflow, dialect: str, name: str, payload: Any, watcher: Watcher | None = None
) -> bool:
    """Hand an external message to the workflow; False if nothing waits for it."""
    if dialect == CAMUNDA:
        result_var = _catching_result_var(workflow, name) or name
        event = BpmnEvent(
            CamundaMessage(name), payload={"payload": payload, "result_var": result_var}
        )
    else:
        event = BpmnEvent(SpiffMessage(name), payload=payload)
    try:
        caught = workflow.event_manager.catch(event, internal=False)
    except Exception as error:  # the diagram's correlation expression, run on the payload
        raise MessageRejected(_rejection(workflow, name, error)) from error
    if not caught:
        return False
    advance(workflow, watcher)
    return True


def drop_orphaned_subprocesses(workflow: BpmnWorkflow) -> None:
    """Forget called processes whose calling task is gone.

    In 3.2.0 an interrupting boundary event on a multi-instance call activity (the meeting's
    decision on `handle_by_departments`) cancels the instances but keeps their subprocesses,
    and the next `do_engine_steps` then fails looking up their parent task.
    """
    while True:
        known = set(workflow.tasks)
        for sub in workflow.subprocesses.values():
            known.update(sub.tasks)
        orphans = [key for key, sub in workflow.subprocesses.items()
                   if sub.parent_task_id not in (None, *known)]  # fmt: skip
        if not orphans:
            return
        for key in orphans:
            del workflow.subprocesses[key]


def _rejection(workflow: BpmnWorkflow, name: str, error: Exception) -> str:
    """Which waiting element refused the message, and what its correlation reads."""
    elements, expressions = [], []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if definition is not None and getattr(definition, "name", None) == name:
            elements.append(task.task_spec.bpmn_id)
            expressions += [p.retrieval_expression for p in definition.correlation_properties]
    where = ", ".join(dict.fromkeys(elements)) or "the case"
    reads = ", ".join(dict.fromkeys(expressions)) or "its correlation"
    return (f"{where}: message '{name}' cannot be matched to this case: the correlation "
            f"expression failed on the payload ({type(error).__name__}: {error}); send a payload "
            f"that provides what {reads} reads")  # fmt: skip


def _catching_result_var(workflow: BpmnWorkflow, name: str) -> str | None:
    """The `camunda:resultVariable` of the event waiting for this message, if it names one."""
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, CamundaMessage) and definition.name == name:
            return str(definition.result_var) if definition.result_var else None
    return None


def thrown_messages(workflow: BpmnWorkflow) -> list[tuple[str, Any]]:
    """Drain the messages the workflow threw that nothing inside it caught."""
    messages = []
    for event in workflow.get_events():
        definition = event.event_definition
        if isinstance(definition, CamundaMessage):
            messages.append((definition.name, (event.payload or {}).get("payload")))
        elif isinstance(definition, SpiffMessage):
            messages.append((definition.name, event.payload))
    return messages


def prefire_start_timer(workflow: BpmnWorkflow, due: datetime) -> None:
    """Mark a timer start event as due at `due`: the schedule, not the diagram, fired it."""
    for task in workflow.get_tasks():
        definition = getattr(task.task_spec, "event_definition", None)
        is_start = isinstance(task.task_spec, StartEvent) and task.workflow is workflow
        if is_start and isinstance(definition, TimerEventDefinition):
            task._set_internal_data(event_value=due.isoformat(), event_fired=True)


def is_finished(workflow: BpmnWorkflow) -> bool:
    """True once the workflow reached its end."""
    return bool(workflow.is_completed())


def case_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The case's current data: workflow data, then the latest task's, then running subprocesses'.

    Called processes (the escalation ladder, a department's handling) keep their own data
    until they return; overlaying their latest task shows where the case stands now.
    """
    data = dict(workflow.data)
    last = workflow.last_task
    if last is not None:
        data.update(last.data)
    for sub in sorted(workflow.get_active_subprocesses(), key=lambda s: s.depth):
        if sub.last_task is not None:
            data.update(sub.last_task.data)
    return {key: value for key, value in data.items() if not key.startswith("_")}


def waiting_timers(workflow: BpmnWorkflow) -> list[tuple[str, str, datetime | None]]:
    """Timer events waiting now: (element id, element name, when it is due)."""
    timers = []
    for task_id, value in _waiting_timers(workflow).items():
        spec = workflow.get_task_from_id(task_id).task_spec
        due = None
        if isinstance(value, str):
            try:
                moment = TimerEventDefinition.get_datetime(value)
                due = datetime.fromtimestamp(moment.timestamp(), UTC)
            except ValueError:
                due = None
        timers.append((spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, due))
    return timers

"""Replay a case once, event by event, keeping a snapshot after every step.

For the auditors' step-through view: one workflow stays in memory while the recorded
inputs are applied in order (under the same frozen clock and id seed as the live run),
and after each event we note which diagram elements had completed and which were
active, in the case's own process and in every process it called, the timers that were
waiting, and the case data. Linear in the number of events (no restore per step).

The same pass is the re-execution check: after every state-changing event the replayed
data must equal what the recorded history adds up to, and at the end the replayed
workflow state must equal the stored one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from . import determinism
from . import repository as repo
from .casework import STATE_CHANGING, apply_event, make_script_engine
from .errors import EngineError
from .history import AuditFinding, from_json_value, to_json_value
from .models import Case, CaseEvent, ProcessVersion
from .progress import states_by_process
from .recalculation import RECALCULATED, calendar_as_it_was, rerun, schedule_patch
from .running import Runner, case_data, waiting_timers
from .xmlsafe import parse_xml


@dataclass(frozen=True)
class ElementStates:
    """Diagram elements of one process that had completed, and that were active."""

    completed: tuple[str, ...] = ()
    active: tuple[str, ...] = ()


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event that was waiting, and when it was due."""

    element: str
    name: str
    due: datetime | None


@dataclass(frozen=True)
class ReplayStep:
    """The case right after one recorded event."""

    seq: int
    at: datetime
    actor: str
    kind: str
    task_id: str | None
    task_spec: str | None
    inputs: dict[str, Any]
    data_before: dict[str, Any]
    data_after: dict[str, Any]
    changed: tuple[str, ...]
    elements: dict[str, ElementStates]
    timers: tuple[WaitingTimer, ...]
    hash: str

    def states(self, process_id: str) -> ElementStates:
        """The element states of one process at this step (empty if it had not run)."""
        return self.elements.get(process_id, ElementStates())


@dataclass(frozen=True)
class CaseReplay:
    """Every step of a case, its diagrams, and what the re-execution check found."""

    key: str
    process_id: str
    version: int
    steps: tuple[ReplayStep, ...]
    diagrams: dict[str, str] = field(default_factory=dict)
    finding: AuditFinding | None = None
    fields: dict[str, FieldLabel] = field(default_factory=dict)
    task_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldLabel:
    """How the diagram's forms name a data field and its options."""

    label: str
    choices: dict[str, str] = field(default_factory=dict)
    units: bool = False  # options from the organisation: values are unit codes
    label_en: str = ""  # the English names, where the diagram gives them (engine/labels.py)
    choices_en: dict[str, str] = field(default_factory=dict)


def field_labels(version: ProcessVersion) -> dict[str, FieldLabel]:
    """Data field -> its form label and option names, from every form of the version."""
    found: dict[str, FieldLabel] = {}
    for meta in version.tasks.values():
        for form_field in meta.get("form", ()):
            if form_field.get("readonly") and form_field["id"] in found:
                continue  # the form that asks for the value names it best
            choices = {str(c["id"]): c["label"] for c in form_field.get("choices", ())}
            name = form_field.get("label") or form_field["id"]
            units = bool((form_field.get("properties") or {}).get("options_from"))
            english = {str(c["id"]): c.get("label_en") or "" for c in form_field.get("choices", ())}
            found[form_field["id"]] = FieldLabel(
                name, choices, units, form_field.get("label_en") or "",
                {k: v for k, v in english.items() if v},
            )  # fmt: skip
    return found


@dataclass
class _Pass:
    """The mutable state of one replay pass."""

    runner: Runner
    key: str
    workflow: Any = None
    data: dict[str, Any] = field(default_factory=dict)
    elements: dict[str, ElementStates] = field(default_factory=dict)
    timers: tuple[WaitingTimer, ...] = ()
    finding: AuditFinding | None = None


def replay_steps(session: Session, runner: Runner, case: Case, with_diagrams: bool) -> CaseReplay:
    """Replay the whole case once and return a snapshot per event."""
    version = session.get(ProcessVersion, case.process_version_id)
    assert version is not None
    run = _Pass(runner, case.business_key)
    steps = []
    events = repo.events(session, case.id)
    for index, event in enumerate(events):
        before = dict(run.data)
        _apply_recorded_changes(run.data, event)
        if event.kind in STATE_CHANGING and run.finding is None:
            _reexecute(run, event)
        elif event.kind == RECALCULATED and run.finding is None:
            _recalculate(run, events[: index + 1])
        steps.append(_step(event, before, run))
    # Key order may differ between a workflow kept in memory and a restored one.
    replayed = run.workflow is not None and json.loads(runner.dump(run.workflow))
    if run.finding is None and case.state and replayed != json.loads(case.state):
        problem = "re-executing the history does not reproduce the stored workflow state"
        run.finding = AuditFinding(case.business_key, case.last_seq, problem, "state_differs")
    diagrams = diagrams_of(repo.file_contents(session, version.files)) if with_diagrams else {}
    names = {spec: meta.get("name", spec) for spec, meta in version.tasks.items()}
    return CaseReplay(case.business_key, version.process_id, version.version, tuple(steps),
                      diagrams, run.finding, field_labels(version), names)  # fmt: skip


def _apply_recorded_changes(data: dict[str, Any], event: CaseEvent) -> None:
    for key in set(event.data_before) - set(event.data_after):
        data.pop(key, None)
    data.update(event.data_after)


def _reexecute(run: _Pass, event: CaseEvent) -> None:
    """Apply one state-changing event to the workflow in memory and compare its data."""
    try:
        with determinism.frozen(event.at, f"{run.key}:{event.seq}"):
            script_engine = make_script_engine(calendar_as_it_was(event.inputs))
            if run.workflow is not None:
                run.workflow.script_engine = script_engine
            inputs = from_json_value(event.inputs)
            outcome = apply_event(
                run.runner, run.workflow, event.kind, event.task_id, inputs, script_engine
            )
    except EngineError as error:
        run.finding = AuditFinding(run.key, event.seq, f"cannot be re-executed: {error}",
                                   "not_reexecutable", {"error": str(error)})  # fmt: skip
        return
    run.workflow = outcome.workflow
    _compare(run, event)


def _compare(run: _Pass, event: CaseEvent) -> None:
    """The replayed data must be what the history records; note elements and timers."""
    replayed = to_json_value(case_data(run.workflow))
    if replayed != run.data:
        keys = sorted(k for k in {*replayed, *run.data} if replayed.get(k) != run.data.get(k))
        run.finding = AuditFinding(run.key, event.seq, "re-executing it gives different data "
                                   f"({', '.join(keys)}) than the history records",
                                   "data_differs", {"fields": keys})  # fmt: skip
    states = states_by_process(run.workflow)
    run.elements = {p: ElementStates(tuple(c), tuple(a)) for p, (c, a) in states.items()}
    run.timers = tuple(WaitingTimer(*t) for t in waiting_timers(run.workflow))


def _recalculate(run: _Pass, events: Sequence[CaseEvent]) -> None:
    """Re-run the history so far with the schedule a `recalculated` event loaded."""
    try:
        run.workflow, _state = rerun(run.runner, run.key, events, schedule_patch(events))
    except EngineError as error:
        run.finding = AuditFinding(run.key, events[-1].seq, f"cannot be re-executed: {error}",
                                   "not_reexecutable", {"error": str(error)})  # fmt: skip
        return
    _compare(run, events[-1])


def _step(event: CaseEvent, before: dict[str, Any], run: _Pass) -> ReplayStep:
    after = dict(run.data)
    changed = tuple(sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k)))
    return ReplayStep(
        seq=event.seq, at=event.at, actor=event.actor, kind=event.kind, task_id=event.task_id,
        task_spec=event.task_spec, inputs=dict(event.inputs), data_before=before,
        data_after=after, changed=changed, elements=dict(run.elements), timers=run.timers,
        hash=event.hash,
    )  # fmt: skip


def diagrams_of(files: dict[str, bytes]) -> dict[str, str]:
    """Process id -> the XML of the file that defines it (for drilling into call activities)."""
    found: dict[str, str] = {}
    for name, content in sorted(files.items()):
        if not name.lower().endswith(".bpmn"):
            continue
        root, _problems = parse_xml(content, name)
        if root is None:
            continue
        for process in root.iterfind(".//{*}process"):
            found.setdefault(process.get("id", ""), content.decode("utf-8"))
    return found

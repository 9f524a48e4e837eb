"""`engine/spiffspeed.py`: SpiffWorkflow's hot paths without their waste, same results.

The tree walk is checked against the library's own iterator on every call while real
diagrams run their scenarios (called processes, parallel departments, boundary timers,
escalations), for the state asked and for every other mask too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import SpiffWorkflow.task as spiff_task
import SpiffWorkflow.workflow as spiff_workflow
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskState

from engine import spiffspeed
from engine.service import Engine
from tests.engine.test_bounded_state import _loop, _stored
from tests.processes.test_scenarios import SCENARIO_DIR, Run, play

MASKS = sorted({1 << bit for bit in range(9)} | {
    TaskState.ANY_MASK, TaskState.PREDICTED_MASK, TaskState.DEFINITE_MASK,
    TaskState.FINISHED_MASK, TaskState.NOT_FINISHED_MASK, TaskState.READY | TaskState.WAITING,
})  # fmt: skip
WALKED = [
    "closed_loop/several_departments_parallel",
    "closed_loop/meeting_closes_and_escalates",
    "closed_loop/reminder_then_escalation_to_joint_meeting",
    "joint_consultation/solvable",
]


def test_install__once_with_the_library_functions_kept(engine: Engine) -> None:
    spiffspeed.install()  # the engine installed them already: nothing changes
    assert spiff_task.Task._set_state.__wrapped__.__module__ == "SpiffWorkflow.task"
    waiting = spiff_workflow.Workflow.update_waiting_tasks
    assert waiting.__wrapped__.__module__ == "SpiffWorkflow.workflow"
    assert BpmnBaseWorkflow.get_tasks.__wrapped__ is spiff_workflow.Workflow.get_tasks


@pytest.mark.parametrize("name", WALKED)
def test_walk__same_tasks_in_the_same_order_as_the_library(
    engine: Engine, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    walk, calls = spiffspeed._walk, [0]

    def checked(workflow: Any, state: int) -> list[Any]:
        calls[0] += 1
        for mask in {state, *MASKS}:
            expected = list(BpmnTaskIterator(workflow.task_tree, state=mask))
            assert [t.id for t in walk(workflow, mask)] == [t.id for t in expected], mask
        return walk(workflow, state)

    monkeypatch.setattr(spiffspeed, "_walk", checked)
    path = SCENARIO_DIR / f"{name}.json"
    run = Run(engine, json.loads(path.read_text(encoding="utf-8")), Path(name).name)
    run.setup()
    play(run)
    run.audit()  # and every case still replays to its stored bytes
    assert calls[0] > 50


def test_spiff_task_log__written_as_before_when_turned_on(engine: Engine, caplog) -> None:
    """State-change records are built only for a logger that writes them: turned on, they
    come with the same message and extras, and the state too."""
    _loop(engine, "QUIET", 1)
    with caplog.at_level("DEBUG", logger="spiff.task"):
        _loop(engine, "LOGGED", 1)
    changed = [r for r in caplog.records if r.getMessage() == "State changed to COMPLETED"]
    assert changed and {r.task_spec for r in changed} >= {"step", "count_step", "again"}
    assert all(isinstance(r.elapsed, float) and r.workflow_spec == "bench_loop" for r in changed)
    assert _stored(engine, "LOGGED")[0] == _stored(engine, "QUIET")[0]

"""Which diagram elements a case has completed and where it waits now (for the diagrams).

Completed elements come from the task tree and, for a bounded case, from the element ids
`pruning.py` noted when it dropped their finished tasks.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from .pruning import pruned_elements


def element_states(workflow: BpmnWorkflow) -> tuple[list[str], list[str]]:
    """Diagram element ids of the top process that completed, and that are active now."""
    return states_by_process(workflow).get(workflow.spec.name, ([], []))


def states_by_process(workflow: BpmnWorkflow) -> dict[str, tuple[list[str], list[str]]]:
    """Completed and active element ids per process (the top one and every called one).

    A process called several times (a department's handling, once per round) shows the
    union of its instances: what any of them completed, and where any of them waits.
    """
    found: dict[str, tuple[list[str], list[str]]] = {}
    for task in workflow.get_tasks():
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        completed, active = found.setdefault(task.workflow.spec.name, ([], []))
        if task.state == TaskState.COMPLETED and bpmn_id not in completed:
            completed.append(bpmn_id)
        elif _is_active(task) and bpmn_id not in active:
            active.append(bpmn_id)
    for sub in (workflow, *workflow.subprocesses.values()):
        completed, _active = found.setdefault(sub.spec.name, ([], []))
        completed.extend(e for e in pruned_elements(sub) if e not in completed)
    _fold_embedded(workflow, found)
    return found


def _fold_embedded(workflow: BpmnWorkflow, found: dict[str, tuple[list[str], list[str]]]) -> None:
    """An embedded sub-process is drawn inside its process's diagram: count its elements there."""
    for owner in (workflow, *workflow.subprocesses.values()):
        for name in [n for n in found if n != owner.spec.name and n in owner.spec.task_specs]:
            inner_completed, inner_active = found.pop(name)
            completed, active = found.setdefault(owner.spec.name, ([], []))
            completed.extend(e for e in inner_completed if e not in completed)
            active.extend(e for e in inner_active if e not in active)


def _is_active(task: Any) -> bool:
    return task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED)

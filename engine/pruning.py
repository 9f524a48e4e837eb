"""Bounded case state: drop finished stretches of a case's task tree after each action.

SpiffWorkflow keeps every task a case ever ran: each round of a rework loop adds its
tasks below the last, so a long case carries thousands of finished tasks that every
action restores, walks and writes back (SPIFF-NOTES: 2,135 tasks after 500 events).
The history already records every event, so the finished middle of a straight stretch
is not needed to run the case on. After each action we unlink each finished task that
sits alone between a finished parent and a finished child, and remember its element id
so the diagram can still colour it as done.

What stays, so the library behaves as before: the root and its start task, every
unfinished task and the finished task right above it (its data is what the next task
inherits), the last completed task, every task below or at a split (several children),
joins and the tasks that feed them (a join counts its completed inputs in the tree), and
tasks that own a called process. A case opts in with its `started` event (`bounded` in
its inputs), so a case recorded before this change replays to its stored state byte for
byte and is never pruned.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.task import TaskState

BOUNDED = "bounded_state"
PRUNED = "pruned_elements"


def opt_in(workflow: Any) -> None:
    """Mark a new workflow as one whose finished stretches may be dropped."""
    workflow.task_tree.internal_data[BOUNDED] = True


def is_bounded(workflow: Any) -> bool:
    """True for a case that opted in when it started."""
    root = workflow.task_tree
    return root is not None and bool(root.internal_data.get(BOUNDED))


def pruned_elements(workflow: Any) -> list[str]:
    """Element ids of the finished tasks dropped from this (sub)workflow's tree."""
    return list(workflow.task_tree.internal_data.get(PRUNED, []))


def prune(workflow: Any) -> int:
    """Drop the finished middle of straight stretches; return how many tasks went."""
    if not is_bounded(workflow):
        return 0
    removed = _prune_one(workflow)
    for sub in workflow.subprocesses.values():
        sub.task_tree.internal_data[BOUNDED] = True
        removed += _prune_one(sub)
    return removed


def _prune_one(workflow: Any) -> int:
    root = workflow.task_tree
    keep = {root.id, *root._children}
    if workflow.last_task is not None:
        keep.add(workflow.last_task.id)
    owners = set(getattr(workflow, "subprocesses", {}) or {})
    if hasattr(workflow, "top_workflow"):
        owners |= set(workflow.top_workflow.subprocesses)
    gone: set[str] = set(root.internal_data.get(PRUNED, []))
    removed = 0
    for task in list(workflow.tasks.values()):
        if task.id in keep or task.id in owners or not _removable(workflow, task):
            continue
        parent, child = workflow.tasks[task._parent], workflow.tasks[task._children[0]]
        parent._children = [child.id]
        child._parent = parent.id
        del workflow.tasks[task.id]
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id:
            gone.add(bpmn_id)
        removed += 1
    if removed:
        root.internal_data[PRUNED] = sorted(gone)
    return removed


def _removable(workflow: Any, task: Any) -> bool:
    """A finished task alone between a finished parent and a finished child, not a join's."""
    if task.state != TaskState.COMPLETED or len(task._children) != 1 or task._parent is None:
        return False
    parent = workflow.tasks.get(task._parent)
    child = workflow.tasks.get(task._children[0])
    if parent is None or child is None or len(parent._children) != 1:
        return False
    if child.state != TaskState.COMPLETED:
        return False
    spec = task.task_spec
    return not isinstance(spec, Join) and not any(isinstance(o, Join) for o in spec.outputs)

"""Three hot paths of SpiffWorkflow 3.2.0 made cheaper, with the same results.

Every action runs a dozen task state changes and, after each task completes, a walk of
the workflow's task tree; replaying a 200-event case does that 200 times in a row
(bench/engine_costs.py). Two things there were pure waste:

- `Task._set_state` formats its log message and collects the record's extras (spec,
  ids, parent, state name) before asking the `spiff.task` logger whether it wants the
  record; the logger is off by default. Ours asks first. The state and
  `last_state_change` (read twice from the engine clock, as before) are set as the
  library sets them, and a logger that is on gets the same records. About a third of a
  replay's CPU.
- `Workflow.update_waiting_tasks` walks the whole tree for WAITING tasks after every
  completed task. Ours first looks through the workflow's task table and skips the walk
  when no task is WAITING, the usual case between timers and joins (the walk could not
  have found one: it only visits tasks of that table). About a sixth.
- `get_tasks(state=...)`, asked four times an action for the ready tasks, walks the tree
  with an iterator object that filters each task through a filter object and keeps
  count of its depth. `_walk` is the same depth-first walk as a plain loop: the same
  tasks in the same order, down the same branches and into the same called processes.
  Other queries (more filters, a first task) go to the library. About a seventh.

`install()` (the engine calls it right after `determinism.install()`, whose lifted depth
limit the plain walk relies on) puts all three in place once; the library's own
functions stay at `__wrapped__`.
"""

from __future__ import annotations

import logging
from typing import Any

import SpiffWorkflow.task as _spiff_task
import SpiffWorkflow.workflow as _spiff_workflow
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.util.task import TaskState

_logger = _spiff_task.logger
_WAITING = TaskState.WAITING


def _set_state(self: Any, value: int) -> None:
    """Force set the state on a task (SpiffWorkflow 3.2.0's, logging built on demand)."""
    if value != self.state:
        # `time` is the module global `determinism.install` routes through the engine clock
        elapsed = _spiff_task.time.time() - self.last_state_change
        self.last_state_change = _spiff_task.time.time()
        self._state = value
        if _logger.isEnabledFor(logging.INFO):
            _logger.info(f"State changed to {TaskState.get_name(value)}",
                         extra=self.collect_log_extras({"elapsed": elapsed}))  # fmt: skip
    elif _logger.isEnabledFor(logging.DEBUG):
        _logger.debug(f"State set to {TaskState.get_name(value)}", extra=self.collect_log_extras())


def _update_waiting_tasks(self: Any) -> None:
    """Update all tasks in the WAITING state (none waiting: nothing to walk)."""
    for task in self.tasks.values():
        if task._state & _WAITING:
            _library_update_waiting_tasks(self)
            return


_library_update_waiting_tasks = _spiff_workflow.Workflow.update_waiting_tasks


def _get_tasks(self: Any, first_task: Any = None, **kwargs: Any) -> list[Any]:
    """The tasks matching the filter (`state=` alone: `_walk`; else the library's)."""
    if first_task is None and len(kwargs) == 1 and "state" in kwargs:
        return _walk(self, kwargs["state"])
    tasks: list[Any] = _library_get_tasks(self, first_task, **kwargs)
    return tasks


_library_get_tasks = BpmnBaseWorkflow.get_tasks


def _walk(workflow: Any, state: int) -> list[Any]:
    """`list(BpmnTaskIterator(workflow.task_tree, state=state))` as a plain loop.

    The iterator pops tasks depth first (a task, then its called process, then its
    children), descends below a task only if its state is at least the least state the
    filter can match below it (or it owns a called process, entered unless it finished
    and only finished tasks are asked for), and keeps the tasks whose state is in `state`
    and that changed state at or after 0, as its filter does. Its depth limit is lifted
    (`determinism.TASK_TREE_MAX_DEPTH`) and no end spec is given, so neither stops it.
    """
    called = workflow.top_workflow.subprocesses
    if state & TaskState.PREDICTED_MASK:
        least = TaskState.MAYBE
    elif state & TaskState.DEFINITE_MASK:
        least = TaskState.FUTURE
    else:
        least = TaskState.COMPLETED
    finished_only = state <= _FINISHED
    found: list[Any] = []
    pending = [workflow.task_tree]
    while pending:
        task = pending.pop()
        process = called.get(task.id)
        if process is not None or (task._children and task._state >= least):
            below = task.children
            if process is not None and not (task._state >= _FINISHED and finished_only):
                below = [process.task_tree, *below]
            pending.extend(reversed(below))
        if task._state & state and task.last_state_change >= 0:
            found.append(task)
    return found


_FINISHED = TaskState.FINISHED_MASK


def install() -> None:
    """Put the three methods in place once (the originals stay at `__wrapped__`)."""
    replacements: list[tuple[Any, str, Any]] = [
        (_spiff_task.Task, "_set_state", _set_state),
        (_spiff_workflow.Workflow, "update_waiting_tasks", _update_waiting_tasks),
        (BpmnBaseWorkflow, "get_tasks", _get_tasks),
    ]
    for owner, name, ours in replacements:
        current = getattr(owner, name)
        if getattr(current, "__wrapped__", None) is None:
            ours.__wrapped__ = current
            setattr(owner, name, ours)

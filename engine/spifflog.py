"""SpiffWorkflow's task logging, built only when a logger will write it.

`Task._set_state` runs a dozen times per action (every state change of every task)
and, before asking the `spiff.task` logger whether it wants the record, formats the
message and collects its extras (a dict of the task's spec, ids, parent, state name).
The logger is off by default, so that work is thrown away: it was about a quarter of
the CPU of replaying a long case. `install()` puts in the same method with the check
first: the state, `last_state_change` (read twice from the engine clock, as before)
and, when the logger is on, the records are what the library's own method gives.
"""

from __future__ import annotations

import logging
from typing import Any

import SpiffWorkflow.task as _spiff_task
from SpiffWorkflow.util.task import TaskState

_logger = _spiff_task.logger


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


def install() -> None:
    """Replace `Task._set_state` once (the original stays at `__wrapped__`)."""
    task_class: Any = _spiff_task.Task
    if getattr(task_class._set_state, "__wrapped__", None) is not None:
        return
    _set_state.__wrapped__ = task_class._set_state  # type: ignore[attr-defined]
    task_class._set_state = _set_state

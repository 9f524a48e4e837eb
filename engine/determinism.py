"""A controllable clock and reproducible task ids for SpiffWorkflow.

SpiffWorkflow reads the wall clock inside its timer definitions and draws random
UUIDs for new tasks. Both would make a case impossible to replay exactly and make
`timers run --now` meaningless. `install()` routes those three module globals
through context variables: inside `frozen(at, seed)` the engine sees the given
instant and draws task ids from a generator seeded by (case, event); outside it,
the real clock and `uuid4` are used unchanged.

It also lifts the task iterator's depth limit (1000 by default), past which
SpiffWorkflow silently stops finding tasks in long rework loops.
"""

from __future__ import annotations

import functools
import hashlib
import random
import time as _time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo
from typing import Any

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _spiff_timer
import SpiffWorkflow.task as _spiff_task
import SpiffWorkflow.util.task as _spiff_task_util

TASK_TREE_MAX_DEPTH = 1_000_000

_frozen_now: ContextVar[datetime | None] = ContextVar("frozen_now", default=None)
_id_source: ContextVar[random.Random | None] = ContextVar("id_source", default=None)


def now() -> datetime:
    """Return the engine's current instant (UTC, aware): frozen inside `frozen`, else real."""
    return _frozen_now.get() or datetime.now(UTC)


@contextmanager
def frozen(at: datetime, seed: str) -> Iterator[None]:
    """Run a block with the clock stopped at `at` and task ids drawn from `seed`."""
    if at.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime")
    digest = hashlib.sha256(seed.encode()).digest()
    clock_token = _frozen_now.set(at.astimezone(UTC))
    ids_token = _id_source.set(random.Random(digest))
    try:
        yield
    finally:
        _frozen_now.reset(clock_token)
        _id_source.reset(ids_token)


def _task_uuid() -> uuid.UUID:
    source = _id_source.get()
    if source is None:
        return uuid.uuid4()
    return uuid.UUID(int=source.getrandbits(128), version=4)


class _ClockDatetime(datetime):
    """`datetime` whose `now()` answers from the engine clock."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        # a plain datetime, not this subclass: SpiffWorkflow only reads and compares it
        instant = now()
        return instant.astimezone(tz) if tz is not None else instant.replace(tzinfo=None)


class _ClockTime:
    """Stand-in for the `time` module as SpiffWorkflow's task module uses it."""

    @staticmethod
    def time() -> float:
        frozen_at = _frozen_now.get()
        return frozen_at.timestamp() if frozen_at is not None else _time.time()


def _deep_iterator_init(original: Callable[..., None]) -> Callable[..., None]:
    def init(
        self: Any, task: Any, end_at_spec: Any = None, max_depth: int = 1000,
        *args: Any, **kwargs: Any,
    ) -> None:  # fmt: skip
        depth = max(max_depth, TASK_TREE_MAX_DEPTH)
        original(self, task, end_at_spec, depth, *args, **kwargs)

    return functools.update_wrapper(init, original)  # keeps __wrapped__: the patch is visible


def install() -> None:
    """Patch SpiffWorkflow once so it uses our clock, ids and depth limit."""
    if getattr(_spiff_task, "_mashangban_installed", False):
        return
    _spiff_timer.datetime = _ClockDatetime
    _spiff_task.uuid4 = _task_uuid
    _spiff_task.time = _ClockTime
    iterator = _spiff_task_util.TaskIterator
    iterator.__init__ = _deep_iterator_init(iterator.__init__)
    _spiff_task._mashangban_installed = True

"""The work meter of one script evaluation: steps, CPU time and memory.

The line hook of `scripting.py` ticks once per line; the guards of `sandbox_limits.py`
tick once per item that `map`, `filter` and `key=` functions pass through C code, so a
single line such as `list(map(str.upper, parts))` is metered item by item too.
"""

from __future__ import annotations

import resource
import threading
import time

from .settings import ScriptLimits

MEMORY_CHECK_EVERY = 32  # steps between reads of the process's peak memory


class LimitTripped(BaseException):
    """Raised inside a script when a limit trips.

    Not an `Exception`, so a script's `except Exception:` cannot swallow it (bare
    `except:` and the BaseException names are refused when a diagram is validated).
    """

    def __init__(self, message: str, deterministic: bool = True) -> None:
        self.deterministic = deterministic
        super().__init__(message)


class Meter:
    """Counts steps; reads the CPU clock and peak memory only when they may have tripped."""

    __slots__ = ("cpu_deadline", "limits", "memory_ceiling", "steps", "wall_check")

    def __init__(self, limits: ScriptLimits) -> None:
        self.limits = limits
        self.steps = 0
        # Reading the CPU clock is a system call; the wall clock is not. CPU time cannot
        # pass faster than wall time, so the CPU clock is read only once the wall clock
        # says the limit may have been reached.
        self.cpu_deadline = time.thread_time() + limits.cpu_seconds
        self.wall_check = time.monotonic() + limits.cpu_seconds
        self.memory_ceiling = 0

    def tick(self) -> None:
        """One step of work (a line, or an item through map/filter/key)."""
        self.steps += 1
        if self.steps > self.limits.lines:
            raise LimitTripped(f"script stopped after {self.limits.lines:,} steps (lines and "
                               f"mapped items; endless loop?) "
                               f"(MASHANGBAN_SCRIPT_MAX_LINES)")  # fmt: skip
        if time.monotonic() > self.wall_check:
            self._check_cpu()
        if self.steps % MEMORY_CHECK_EVERY == 0:
            self._check_memory()

    def _check_cpu(self) -> None:
        left = self.cpu_deadline - time.thread_time()
        if left <= 0:
            raise LimitTripped(f"script stopped after {self.limits.cpu_seconds:g} s of CPU "
                               f"(MASHANGBAN_SCRIPT_MAX_CPU_SECONDS)", False)  # fmt: skip
        self.wall_check = time.monotonic() + left

    def _check_memory(self) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        if not self.memory_ceiling:
            self.memory_ceiling = peak + self.limits.memory_mb * 1024
        elif peak > self.memory_ceiling:
            raise LimitTripped(f"script stopped after using {self.limits.memory_mb:,} MB more "
                               f"(MASHANGBAN_SCRIPT_MAX_MEMORY_MB)", False)  # fmt: skip


_local = threading.local()


class Metering:
    """Meter the work done in this thread inside the block (a class: cheaper than a generator)."""

    __slots__ = ("meter", "previous")

    def __init__(self, limits: ScriptLimits) -> None:
        self.meter = Meter(limits)
        self.previous: Meter | None = None

    def __enter__(self) -> Meter:
        self.previous = getattr(_local, "meter", None)
        _local.meter = self.meter
        return self.meter

    def __exit__(self, *exc_info: object) -> None:
        _local.meter = self.previous


def tick() -> None:
    """Count one step on the current evaluation's meter (none outside an evaluation)."""
    meter = getattr(_local, "meter", None)
    if meter is not None:
        meter.tick()

"""The sandbox every diagram script, condition, timer and DMN cell runs in.

Code is compiled with RestrictedPython (`compile_restricted_*`), which refuses
dunder attributes and guards attribute, item and iteration access; on top of that
imports and the dangerous builtins (`open`, `eval`, ...) are refused when a
diagram is validated, so a bad script never reaches a running case. At run time a
line budget stops runaway loops, and `**`, `*`, `<<`, `+`, `%`, f-strings and the
builtins that can build huge values in one C call are guarded (`sandbox_limits.py`).
Those limits are deterministic, so a replay stops at the same place as the original
run. A CPU-time and memory backstop, checked at every line, stops what the guards miss;
it depends on the machine, so when it trips the action is not stored at all.
"""

from __future__ import annotations

import ast
import builtins
import decimal
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)
from RestrictedPython.Limits import limited_builtins
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import sandbox_limits as limits
from .sandbox_limits import check_weight
from .sandbox_meter import LimitTripped, Metering
from .sandbox_methods import GUARDS
from .sandbox_policy import Refused, SandboxPolicy, check_tree
from .settings import ScriptLimits

SCRIPT_FILENAME = "<diagram script>"

_EXTRA_BUILTINS: dict[str, Any] = {
    "dict": dict,
    "list": list,
    "set": set,
    "tuple": tuple,
    "sorted": sorted,
    "min": min,
    "max": max,
    "sum": sum,
    "any": any,
    "all": all,
    "enumerate": enumerate,
    "zip": zip,
    "reversed": reversed,
    "filter": filter,
    "map": map,
}
SANDBOX_BUILTINS: dict[str, Any] = {
    **safe_builtins,
    **limited_builtins,
    **_EXTRA_BUILTINS,
    **limits.GUARDED_BUILTINS,
}
# Exceptions that are not `Exception`s end a worker process (SystemExit) or pass every
# `except Exception:` in the engine; scripts may neither raise nor catch them.
UNCATCHABLE = frozenset(
    name for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
    and not issubclass(value, Exception)
)  # fmt: skip
for _unsafe in ("setattr", "delattr", "__build_class__", "id", "hash", *UNCATCHABLE):
    SANDBOX_BUILTINS.pop(_unsafe, None)
_FORBIDDEN_BUILTINS = frozenset(dir(builtins)) - set(SANDBOX_BUILTINS)

NO_CONNECTOR = (
    "service tasks need a connector; this deployment has none: use a script task or a user task"
)


class ScriptRejected(ValueError):
    """A script or expression uses a construct the sandbox refuses."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)


class SandboxViolation(ValueError):
    """A script tripped a sandbox limit or raised what scripts may not raise.

    `deterministic` is False for the CPU-time and memory backstop, whose trips depend
    on the machine: the engine then stores nothing of the action (see `running.py`).
    """

    def __init__(self, message: str, deterministic: bool = True) -> None:
        self.deterministic = deterministic
        super().__init__(message)


def _inplace(op: str, left: Any, right: Any) -> Any:
    operation = limits.OPERATORS.get(op)
    if operation is None:
        raise ScriptRejected(f"operator {op} is not available in diagram scripts")
    return operation(left, right)


PLAIN_TYPES = (str, int, float, bool, type(None), date, datetime, Decimal)


def _first_line(errors: Sequence[str]) -> int | None:
    for error in errors:
        if error.startswith("Line "):
            number = error[5:].split(":", 1)[0]
            if number.isdigit():
                return int(number)
    return None


@lru_cache(maxsize=4096)
def compile_script(source: str) -> CodeType:
    """Compile a script task body for the sandbox, or raise ScriptRejected."""
    return _compile(source, "exec")


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    """Compile a condition or other expression for the sandbox, or raise ScriptRejected."""
    return _compile(source, "eval")


def _compile(source: str, mode: str) -> CodeType:
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as error:
        raise ScriptRejected(f"syntax error: {error.msg}", error.lineno) from None
    except (MemoryError, RecursionError, ValueError) as error:
        raise ScriptRejected(
            f"too large or too deeply nested to compile ({type(error).__name__})"
        ) from None
    try:
        check_tree(tree, _FORBIDDEN_BUILTINS, UNCATCHABLE)
    except Refused as error:
        raise ScriptRejected(str(error), error.line) from None
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, SCRIPT_FILENAME, policy=SandboxPolicy)
    if result.errors or result.code is None:
        message = "; ".join(e.split(":", 1)[-1].strip() for e in result.errors)
        raise ScriptRejected(message or "refused by the sandbox", _first_line(result.errors))
    return result.code


def _run_bounded(function: Callable[[], Any]) -> Any:
    """Run script code under the line budget and the CPU-time and memory backstop.

    A trip raises `LimitTripped` (a BaseException the script cannot catch) from the
    line hook; it leaves the sandbox as `SandboxViolation`, which SpiffWorkflow wraps
    with the element that ran the script.
    """
    limit = limits.current()
    try:
        with decimal.localcontext() as context:
            # Decimal results past the integer limit would make int() run for minutes.
            context.Emax, context.Emin = limits.max_digits(), -limits.max_digits()
            return _traced(function, limit)
    except LimitTripped as tripped:
        raise SandboxViolation(str(tripped), tripped.deterministic) from None
    except (Exception, KeyboardInterrupt):
        raise  # errors of the script's own making; Ctrl-C from the operator still stops a worker
    except BaseException as error:  # SystemExit, GeneratorExit ... from a diagram deployed earlier
        raise SandboxViolation(f"the script raised {type(error).__name__}, which diagram scripts "
                               f"may not raise") from None  # fmt: skip


def _traced(function: Callable[[], Any], limit: ScriptLimits) -> Any:
    with Metering(limit) as meter:
        tick = meter.tick

        def count_lines(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "line":
                tick()
            return count_lines

        def on_call(frame: FrameType, event: str, arg: Any) -> Any:
            return count_lines if frame.f_code.co_filename == SCRIPT_FILENAME else None

        previous = sys.gettrace()
        sys.settrace(on_call)
        try:
            return function()
        finally:
            sys.settrace(previous)


def _getitem(obj: Any, key: Any) -> Any:
    return obj[key]


def _apply(function: Any, *args: Any, **kwargs: Any) -> Any:
    """RestrictedPython routes `f(*args, **kwargs)` calls through `_apply_`."""
    return function(*args, **kwargs)


_MATH = limits.guarded_math()


def _base_globals(helpers: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "__builtins__": SANDBOX_BUILTINS,
        "__name__": "diagram_script",
        "_getitem_": _getitem,
        "_getiter_": iter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplace,
        "_apply_": _apply,
        **GUARDS,
        "math": _MATH,
        "date": date,
        "datetime": datetime,
        "timedelta": timedelta,
        "Decimal": limits.GUARDED_DECIMAL,
        **helpers,
    }


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment that runs restricted code with a line budget."""

    def __init__(self, helpers: Mapping[str, Any]) -> None:
        super().__init__(_base_globals(helpers))
        self.reserved = frozenset(self.globals)

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> Any:
        code = compile_expression(expression.strip())
        scope = {**self.globals, **(external_context or {}), **context}
        return _run_bounded(lambda: eval(code, scope))

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        clashes = self.reserved.intersection(context)
        if clashes:
            raise ScriptRejected(
                f"task data overrides helper names: {sorted(clashes)}; rename them"
            )
        code = compile_script(script)
        external = external_context or {}
        scope = {**self.globals, **external, **context}
        _run_bounded(lambda: exec(code, scope))
        results = {
            key: value
            for key, value in scope.items()
            if key not in self.reserved and key not in external and not callable(value)
        }
        limit = limits.current()
        for key, value in results.items():
            _require_storable(key, value, limit)
        context.clear()
        context.update(results)
        return True


_SCALARS = frozenset({str, float, bool, type(None), date, datetime})
_CONTAINERS = (list, tuple, set, frozenset, dict)


def _require_storable(name: str, value: Any, limit: ScriptLimits) -> None:
    """Task data must be plain and small enough to store and show (runs for every key)."""
    kind = type(value)
    if kind in _SCALARS:  # the common case, kept cheap
        size = len(value) if kind is str else 0
    elif isinstance(value, _CONTAINERS):
        size = limits.weigh(value, limit.items)
    else:
        size = 0
    if size > limit.items:
        raise ScriptRejected(f"'{name}' would store more than {limit.items:,} characters or "
                             f"elements (MASHANGBAN_SCRIPT_MAX_ITEMS)")  # fmt: skip
    if kind not in _SCALARS:
        _require_plain(name, value)


def _require_plain(name: str, value: Any, depth: int = 0) -> None:
    """Task data must be storable: text, numbers, dates, decimals, lists and dicts of them."""
    if type(value) is int and value.bit_length() > limits.current().int_bits:
        raise ScriptRejected(f"'{name}' holds an integer of {value.bit_length():,} bits; task "
                             f"data may keep at most {limits.current().int_bits:,} bits "
                             f"(MASHANGBAN_SCRIPT_MAX_INT_BITS)")  # fmt: skip
    if isinstance(value, Decimal):
        try:
            check_weight(value, f"'{name}'")
        except LimitTripped as error:
            raise ScriptRejected(str(error)) from None
    if isinstance(value, PLAIN_TYPES):
        return
    if depth < 20 and isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _require_plain(name, item, depth + 1)
        return
    if depth < 20 and isinstance(value, dict):
        for item in value.values():
            _require_plain(name, item, depth + 1)
        return
    raise ScriptRejected(f"'{name}' holds a {type(value).__name__}, which task data cannot keep; "
                         f"store text, numbers, dates, lists or dicts")  # fmt: skip


class SandboxScriptEngine(PythonScriptEngine):
    """The script engine of every case; it has no connector for Spiff service tasks."""

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        """Fail the task with advice (SpiffWorkflow's default raises a bare NameError)."""
        raise WorkflowTaskException(NO_CONNECTOR, task=task)


def build_script_engine(helpers: Mapping[str, Any]) -> PythonScriptEngine:
    """Return a SpiffWorkflow script engine whose scripts run in the sandbox."""
    return SandboxScriptEngine(environment=SandboxEnvironment(helpers))

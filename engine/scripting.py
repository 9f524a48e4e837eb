"""The sandbox every diagram script, condition, timer and DMN cell runs in.

Code is compiled with RestrictedPython (`compile_restricted_*`), which refuses
dunder attributes and guards attribute, item and iteration access; on top of that
imports and the dangerous builtins (`open`, `eval`, ...) are refused when a
diagram is validated, so a bad script never reaches a running case. At run time a
line budget stops runaway loops: the count is deterministic, so a replay stops at
the same place as the original run.
"""

from __future__ import annotations

import ast
import builtins
import math
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

from RestrictedPython import (
    compile_restricted_eval,
    compile_restricted_exec,
    limited_builtins,
    safe_builtins,
)
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

SCRIPT_FILENAME = "<diagram script>"
LINE_BUDGET = 200_000

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
}
for _unsafe in ("setattr", "delattr", "__build_class__", "id", "hash"):
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


class RunawayScript(RuntimeError):
    """A script exceeded its line budget (an endless or far too long loop)."""


def _inplace(op: str, left: Any, right: Any) -> Any:
    operations: dict[str, Callable[[Any, Any], Any]] = {
        "+=": lambda a, b: a + b,
        "-=": lambda a, b: a - b,
        "*=": lambda a, b: a * b,
        "/=": lambda a, b: a / b,
        "//=": lambda a, b: a // b,
        "%=": lambda a, b: a % b,
    }
    if op not in operations:
        raise ScriptRejected(f"operator {op} is not available in diagram scripts")
    return operations[op](left, right)


_CLOCK_READS = frozenset({"now", "utcnow", "today", "fromtimestamp", "utcfromtimestamp"})
PLAIN_TYPES = (str, int, float, bool, type(None), date, datetime, Decimal)


def _check_tree(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        if isinstance(node, ast.Attribute) and node.attr in _CLOCK_READS:
            raise ScriptRejected(f".{node.attr}() reads the wall clock; use now() or today(), "
                                 f"which follow the case's clock", line)  # fmt: skip
        if isinstance(node, ast.Import | ast.ImportFrom):
            raise ScriptRejected("imports are not allowed; use the provided helpers", line)
        if isinstance(node, ast.Name) and node.id in _FORBIDDEN_BUILTINS:
            raise ScriptRejected(f"'{node.id}' is not available in diagram scripts", line)
        if isinstance(node, ast.Global | ast.Nonlocal | ast.Lambda | ast.ClassDef):
            raise ScriptRejected(f"{type(node).__name__.lower()} is not allowed in scripts", line)


def _first_line(errors: tuple[str, ...]) -> int | None:
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
    _check_tree(tree)
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, SCRIPT_FILENAME)
    if result.errors or result.code is None:
        message = "; ".join(e.split(":", 1)[-1].strip() for e in result.errors)
        raise ScriptRejected(message or "refused by the sandbox", _first_line(result.errors))
    return result.code


def _run_with_budget(function: Callable[[], Any], budget: int = LINE_BUDGET) -> Any:
    remaining = [budget]

    def count_lines(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            remaining[0] -= 1
            if remaining[0] < 0:
                raise RunawayScript(f"script stopped after {budget} steps (endless loop?)")
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


def _base_globals(helpers: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "__builtins__": SANDBOX_BUILTINS,
        "__name__": "diagram_script",
        "_getattr_": safer_getattr,
        "_getitem_": _getitem,
        "_getiter_": iter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplace,
        "_apply_": _apply,
        "math": math,
        "date": date,
        "datetime": datetime,
        "timedelta": timedelta,
        "Decimal": Decimal,
        **helpers,
    }


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment that runs restricted code with a line budget."""

    def __init__(self, helpers: Mapping[str, Any]) -> None:
        super().__init__(_base_globals(helpers))
        self.reserved = frozenset(self.globals)

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        code = compile_expression(expression.strip())
        scope = {**self.globals, **(external_context or {}), **context}
        return _run_with_budget(lambda: eval(code, scope))

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        clashes = self.reserved.intersection(context)
        if clashes:
            raise ScriptRejected(
                f"task data overrides helper names: {sorted(clashes)}; rename them"
            )
        code = compile_script(script)
        external = external_context or {}
        scope = {**self.globals, **external, **context}
        _run_with_budget(lambda: exec(code, scope))
        results = {
            key: value
            for key, value in scope.items()
            if key not in self.reserved and key not in external and not callable(value)
        }
        for key, value in results.items():
            _require_plain(key, value)
        context.clear()
        context.update(results)
        return True


def _require_plain(name: str, value: Any, depth: int = 0) -> None:
    """Task data must be storable: text, numbers, dates, decimals, lists and dicts of them."""
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

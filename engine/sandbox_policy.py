"""What diagram scripts may write, checked and rewritten when they are compiled.

`check_tree` refuses constructs before RestrictedPython sees the code (so a diagram
that uses them is refused when it is validated, with the line); `SandboxPolicy` is
RestrictedPython's transformer plus the rewrites that route size-changing operators
and f-string values through the guards of `sandbox_limits.py`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from RestrictedPython.transformer import RestrictingNodeTransformer

CLOCK_READS = frozenset({"now", "utcnow", "today", "fromtimestamp", "utcfromtimestamp"})
# Operators that can build a huge value in one step, and the guard each one calls.
GUARDED_OPERATORS: dict[type[ast.operator], str] = {
    ast.Pow: "_pow_", ast.Mult: "_mul_", ast.LShift: "_lshift_", ast.Add: "_add_",
    ast.Mod: "_mod_",
}  # fmt: skip


class Refused(ValueError):
    """A construct diagram scripts may not use; `line` is where it is."""

    def __init__(self, message: str, line: int | None) -> None:
        self.line = line
        super().__init__(message)


def check_tree(tree: ast.AST, forbidden_names: Iterable[str], uncatchable: Iterable[str]) -> None:
    """Refuse imports, wall-clock reads, unavailable builtins and exception escapes."""
    forbidden, uncatchable = frozenset(forbidden_names), frozenset(uncatchable)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        message = _refusal(node, forbidden, uncatchable)
        if message is not None:
            raise Refused(message, line)


def _refusal(node: ast.AST, forbidden: frozenset[str], uncatchable: frozenset[str]) -> str | None:
    if isinstance(node, ast.Attribute) and node.attr in CLOCK_READS:
        return f".{node.attr}() reads the wall clock; use now() or today(), which follow the case's clock"  # noqa: E501
    if isinstance(node, ast.Attribute) and node.attr == "mro":
        return ".mro() is not available in diagram scripts"
    if isinstance(node, ast.Import | ast.ImportFrom):
        return "imports are not allowed; use the provided helpers"
    if isinstance(node, ast.Name) and node.id in uncatchable:
        return f"scripts may not raise or catch {node.id}; raise ValueError('...') to stop with an error"  # noqa: E501
    if isinstance(node, ast.Name) and node.id in forbidden:
        return f"'{node.id}' is not available in diagram scripts"
    if isinstance(node, ast.ExceptHandler) and node.type is None:
        return "a bare 'except:' would also catch the sandbox's limits; write 'except Exception:'"
    return _construct_refusal(node)


def _construct_refusal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Global | ast.Nonlocal | ast.Lambda | ast.ClassDef):
        return f"{type(node).__name__.lower()} is not allowed in scripts"
    if isinstance(node, ast.Yield | ast.YieldFrom | ast.Await | ast.AsyncFunctionDef):
        return "generators and async code are not allowed in scripts; build a list instead"
    if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
        parts = node.format_spec.values if isinstance(node.format_spec, ast.JoinedStr) else []
        if any(not isinstance(part, ast.Constant) for part in parts):
            return "f-string format specs must be written out (e.g. {x:>8}), not computed"
    return None


def _call(name: str, args: list[ast.expr], like: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[])
    return ast.fix_missing_locations(ast.copy_location(call, like))


class SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's rules, with size-changing operators and f-string values guarded."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        """Route `**`, `*`, `<<`, `+` and `%` through their guards."""
        node = self.node_contents_visit(node)
        guard = GUARDED_OPERATORS.get(type(node.op))
        if guard is None:
            return node
        return _call(guard, [node.left, node.right], node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        """`f'{value!r:>8}'` becomes `f'{_format_(value, "r", ">8")}'` (checks its size)."""
        node = self.node_contents_visit(node)
        spec = node.format_spec
        parts = getattr(spec, "values", [])
        text = "".join(str(part.value) for part in parts if isinstance(part, ast.Constant))
        conversion = chr(node.conversion) if node.conversion > 0 else ""
        args: list[ast.expr] = [node.value, ast.Constant(conversion), ast.Constant(text)]
        node.value = _call("_format_", args, node)
        node.conversion, node.format_spec = -1, None
        return node

"""The layering rules, executable: no import cycles, small modules, engine and web apart.

Every import counts, including those under `if TYPE_CHECKING:` and inside functions: a cycle
that only type checkers see is still two modules that cannot be understood one at a time.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "web")
SIZED = (*PACKAGES, "bench", "tests")  # every module of ours, outside the migrations
MAX_LINES = 400


def _sources(package: str) -> dict[str, Path]:
    """Module name -> file, for every Python file of a package (migrations excluded)."""
    found: dict[str, Path] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that a module imports, wherever the import statement sits."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = here.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # a submodule by name, else a name defined in `base`
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in known else base)
    return {target for target in targets if target in known and target != name}


def _graph() -> dict[str, set[str]]:
    modules = {name: path for package in PACKAGES for name, path in _sources(package).items()}
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node])
    return seen


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or around a loop."""
    reach = {node: _reachable(graph, node) for node in graph}
    groups = {
        frozenset({node, *(other for other in reach[node] if node in reach[other])})
        for node in graph
        if node in reach[node]
    }
    return sorted(sorted(group) for group in groups)


def test_engine_and_web__have_no_import_cycles():
    assert _cycles(_graph()) == []


def test_cycle_finder__finds_a_type_checking_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_modules__stay_under_the_size_limit():
    long = {
        str(path.relative_to(ROOT)): lines
        for package in SIZED
        for path in _sources(package).values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _top_level_imports(package: str) -> dict[str, set[str]]:
    result = {}
    for name, path in _sources(package).items():
        tops = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops.add(node.module.split(".")[0])
        result[name] = tops
    return result


def test_engine__never_imports_flask():
    offenders = {n for n, tops in _top_level_imports("engine").items() if "flask" in tops}
    assert offenders == set()


def test_web__never_imports_sqlalchemy():
    offenders = {n for n, tops in _top_level_imports("web").items() if "sqlalchemy" in tops}
    assert offenders == set()

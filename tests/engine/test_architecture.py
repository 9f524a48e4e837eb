"""The engine is plain Python: it must never depend on the web layer or Flask."""

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN = ("flask", "werkzeug", "jinja2", "web")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_engine_sources__import_no_web_framework():
    offenders = {
        str(path.relative_to(ENGINE)): sorted(_imported_modules(path) & set(FORBIDDEN))
        for path in ENGINE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_the_whole_engine__loads_no_flask():
    code = (
        "import sys, engine.cli, engine.service, engine.audit;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug', 'web')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

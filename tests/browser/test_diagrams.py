"""Every diagram imports into bpmn-js without errors or warnings, and is saved as SVG.

The SVGs land in the generated docs folder (build/docs/diagrams/<process_id>.svg); the test
fails if a committed docs/diagrams/*.svg differs from what the diagram now renders
(`make docs` refreshes them). bpmn-js names arrow markers randomly: they are renumbered so
the same diagram always gives the same file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest

from .conftest import DOCS, GENERATED, NODE_MODULES, ROOT

pytestmark = pytest.mark.browser

SOURCES = [ROOT / "processes", ROOT / "tests" / "data" / "valid", ROOT / "tests" / "web" / "data"]
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
IMPORT = """async (xml) => {
  const viewer = new BpmnJS({ container: "#canvas" });
  try {
    const result = await viewer.importXML(xml);
    const { svg } = await viewer.saveSVG();
    return { warnings: result.warnings.map((w) => w.message), svg };
  } catch (error) {
    return { error: error.message, warnings: (error.warnings || []).map((w) => w.message) };
  } finally {
    viewer.destroy();
  }
}"""


MARKER = re.compile(r"marker-[a-z0-9]+")


def stable_svg(svg: str) -> str:
    """The SVG with bpmn-js's random marker ids replaced by their order of appearance."""
    names: dict[str, str] = {}
    return MARKER.sub(lambda m: names.setdefault(m.group(0), f"marker-{len(names) + 1}"), svg)


def diagrams() -> list[Path]:
    """Every BPMN file the project ships or tests with."""
    return sorted(p for folder in SOURCES if folder.is_dir() for p in folder.rglob("*.bpmn"))


def process_id(path: Path) -> str:
    """The file's first process id (the name of its SVG)."""
    root = ElementTree.parse(path).getroot()
    process = root.find(f"{BPMN}process")
    return process.get("id", path.stem) if process is not None else path.stem


@pytest.fixture(scope="module")
def viewer_page(browser: Any) -> Any:
    """A blank page with the bpmn-js viewer bundle loaded from node_modules."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_content('<div id="canvas" style="width:1600px;height:1000px"></div>')
    bundle = NODE_MODULES / "bpmn-js" / "dist" / "bpmn-navigated-viewer.production.min.js"
    page.add_script_tag(path=str(bundle))
    yield page
    context.close()


def test_every_diagram_imports_cleanly_and_is_saved_as_svg(viewer_page: Any) -> None:
    files = diagrams()
    assert files, "no diagrams found"
    out = GENERATED / "diagrams"
    out.mkdir(parents=True, exist_ok=True)
    problems = []
    for path in files:
        result = viewer_page.evaluate(IMPORT, path.read_text(encoding="utf-8"))
        name = path.relative_to(ROOT)
        if result.get("error"):
            problems.append(f"{name}: import failed: {result['error']}")
        problems += [f"{name}: warning: {w}" for w in result["warnings"]]
        if result.get("svg"):
            (out / f"{process_id(path)}.svg").write_text(stable_svg(result["svg"]), "utf-8")
    assert not problems, "\n".join(problems)
    assert (out / "mini_loop.svg").read_text(encoding="utf-8").startswith("<?xml")
    stale = [
        committed.name
        for committed in sorted((DOCS / "diagrams").glob("*.svg"))
        if not (out / committed.name).exists()
        or (out / committed.name).read_bytes() != committed.read_bytes()
    ]
    assert not stale, f"stale pictures in docs/diagrams/: {stale}; run `make docs`"

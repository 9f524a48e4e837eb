"""Front-end packages served straight from node_modules (installed by `npm ci`).

Only the files named in `ASSETS` are reachable: nothing else under node_modules is
exposed, and no bundle is copied into the repository. The versions are pinned in
package.json / package-lock.json.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, send_file
from werkzeug.wrappers import Response

bp = Blueprint("assets", __name__, url_prefix="/assets")

# URL name -> path under node_modules.
ASSETS = {
    "bootstrap/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "bootstrap/bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "bpmn-js/bpmn-navigated-viewer.js": "bpmn-js/dist/bpmn-navigated-viewer.production.min.js",
    "bpmn-js/diagram-js.css": "bpmn-js/dist/assets/diagram-js.css",
    "bpmn-js/bpmn-js.css": "bpmn-js/dist/assets/bpmn-js.css",
    "echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def node_modules() -> Path:
    """Where `npm ci` put the packages (MASHANGBAN_NODE_MODULES overrides)."""
    configured = current_app.config.get("MASHANGBAN_NODE_MODULES")
    return Path(configured) if configured else PROJECT_ROOT / "node_modules"


def asset_path(name: str, root: Path) -> Path:
    """The file behind a whitelisted asset name (KeyError if not whitelisted)."""
    return root / ASSETS[name]


@bp.get("/<path:name>")
def asset(name: str) -> Response:
    """One whitelisted file, cached for a day (the versions are pinned)."""
    if name not in ASSETS:
        abort(404)
    path = asset_path(name, node_modules())
    if not path.is_file():
        current_app.logger.error("asset %s missing at %s: run `npm ci`", name, path)
        abort(404)
    return send_file(path, max_age=86400)


def check_installed(app: Flask) -> list[str]:
    """Names of whitelisted assets that are missing (logged once at start)."""
    with app.app_context():
        root = node_modules()
    missing = [name for name in ASSETS if not asset_path(name, root).is_file()]
    if missing:
        app.logger.warning("front-end packages missing under %s (run `npm ci`): %s", root,
                           ", ".join(missing))  # fmt: skip
    return missing

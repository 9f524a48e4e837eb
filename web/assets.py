"""Front-end packages served straight from node_modules (installed by `npm ci`).

Only the files named in `ASSETS` are reachable: nothing else under node_modules is
exposed, and no bundle is copied into the repository. The versions are pinned in
package.json / package-lock.json. The process admins' modeler (bpmn-js Modeler, its
properties panel, dmn-js) is bundled by `npm run build` (esbuild, web/frontend/) into the
ignored build/assets/ and served under /assets/bundle/ (names in `BUNDLES`).
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
BUNDLES = {"bundle/modeler.js": "modeler.js", "bundle/modeler.css": "modeler.css"}
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def node_modules() -> Path:
    """Where `npm ci` put the packages (MASHANGBAN_NODE_MODULES overrides)."""
    configured = current_app.config.get("MASHANGBAN_NODE_MODULES")
    return Path(configured) if configured else PROJECT_ROOT / "node_modules"


def bundles() -> Path:
    """Where `npm run build` wrote the bundles (MASHANGBAN_BUNDLES overrides)."""
    configured = current_app.config.get("MASHANGBAN_BUNDLES")
    return Path(configured) if configured else PROJECT_ROOT / "build" / "assets"


def asset_path(name: str, root: Path) -> Path:
    """The file behind a whitelisted asset name (KeyError if not whitelisted)."""
    return root / ASSETS[name]


@bp.get("/<path:name>")
def asset(name: str) -> Response:
    """One whitelisted file, cached for a day (the versions are pinned)."""
    if name in BUNDLES:
        path, fix = bundles() / BUNDLES[name], "npm run build"
        max_age = 0  # rebuilt in place by `make setup`: revalidate (send_file sends ETags)
    elif name in ASSETS:
        path, fix, max_age = asset_path(name, node_modules()), "npm ci", 86400
    else:
        abort(404)
    if not path.is_file():
        current_app.logger.error("asset %s missing at %s: run `%s`", name, path, fix)
        abort(404)
    return send_file(path, max_age=max_age)


def check_installed(app: Flask) -> list[str]:
    """Names of whitelisted assets that are missing (logged once at start)."""
    with app.app_context():
        root = node_modules()
        built = bundles()
    missing = [name for name in ASSETS if not asset_path(name, root).is_file()]
    missing += [name for name, file in BUNDLES.items() if not (built / file).is_file()]
    if missing:
        app.logger.warning("front-end files missing under %s (run `make setup`): %s", root,
                           ", ".join(missing))  # fmt: skip
    return missing

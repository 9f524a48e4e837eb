"""Browser fixtures: Debian's Chromium driven by Playwright against a real local server.

Chromium must be the system one (/usr/bin/chromium, or MASHANGBAN_CHROMIUM); this
suite never downloads a browser. Without it the tests skip with the reason, unless
MASHANGBAN_REQUIRE_BROWSER=1 (set by .ci/run), in which case they fail.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from engine.service import Engine
from tests.web import conftest as web_fixtures
from tests.web.conftest import PASSWORD, make_app

# The web suite's seeded database, shared with the browser suite.
seeded_template = web_fixtures.seeded_template
seeded = web_fixtures.seeded

CHROMIUM = Path(os.environ.get("MASHANGBAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"  # the committed pictures the README shows
# Where the tests write the pictures they make: an ignored folder, so that `make test` leaves
# the tree clean; `make docs` points it at docs/ to refresh the committed ones.
GENERATED = Path(os.environ.get("MASHANGBAN_DOCS_OUT", ROOT / "build" / "docs"))
NODE_MODULES = ROOT / "node_modules"


def _unavailable(reason: str) -> None:
    if os.environ.get("MASHANGBAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (MASHANGBAN_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    if not (NODE_MODULES / "bpmn-js").is_dir():
        _unavailable(f"{NODE_MODULES} has no bpmn-js: run `npm ci`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


class LiveServer:
    """The app on 127.0.0.1 at a free port, served by a werkzeug thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@pytest.fixture
def live(seeded: Engine, browser: Any) -> Iterator[LiveServer]:
    """A seeded database and the app served over HTTP (intake process: mini_loop)."""
    app = make_app(seeded, TESTING=False, MASHANGBAN_ENV="testing")
    server = LiveServer(app)
    yield server
    server.close()
    app.extensions["mashangban.engine"].close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Open pages in fresh contexts (one per person), closed after the test."""
    contexts: list[Any] = []

    def open_page(locale: str = "zh-CN", width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(
            locale=locale, timezone_id="Asia/Shanghai", viewport={"width": width, "height": height}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form."""
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/inbox")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG under the generated docs folder and check the committed one.

    Screenshots are not byte-stable (fonts, dates in the data), so "stale" means the
    page's shape changed: a different width, or a height off by more than a fifth.
    """
    path = GENERATED / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    committed = DOCS / "screenshots" / f"{name}.png"
    if committed.exists() and committed.resolve() != path.resolve():
        (width, height), (old_width, old_height) = png_size(path), png_size(committed)
        assert width == old_width and abs(height - old_height) <= old_height / 5, (
            f"docs/screenshots/{name}.png is stale ({old_width}x{old_height}, the page is now "
            f"{width}x{height}): run `make docs`"
        )
    return path

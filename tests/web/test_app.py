"""The app factory: configuration rules, cookies, headers, assets and the CLI."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from engine.service import Engine
from web import create_app
from web.cli import resolve
from web.config import ConfigError

from .conftest import login, make_app

WEB = Path(__file__).resolve().parents[2] / "web"


def test_production__refuses_to_start_without_secret_key(engine: Engine) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": engine.settings.database_url, "SECRET_KEY": ""})


def test_production__session_cookie_is_secure_httponly_lax(engine: Engine) -> None:
    app = create_app({"DATABASE_URL": engine.settings.database_url, "SECRET_KEY": "s" * 32})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    app.extensions["mashangban.engine"].close()


def test_development__runs_without_secret_and_without_secure_cookie(engine: Engine) -> None:
    app = create_app(
        {"DATABASE_URL": engine.settings.database_url, "MASHANGBAN_ENV": "development"}
    )
    assert app.config["SECRET_KEY"] and app.config["SESSION_COOKIE_SECURE"] is False
    app.extensions["mashangban.engine"].close()


def test_gunicorn__start_up_objects_frozen_out_of_the_collector(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Served by gunicorn, the app freezes what start-up built (no 100 ms full collections
    over it); elsewhere (tests, the CLI) nothing is frozen."""
    settings = {"DATABASE_URL": engine.settings.database_url, "MASHANGBAN_ENV": "testing"}
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    create_app(settings).extensions["mashangban.engine"].close()
    assert gc.get_freeze_count() == 0
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/27.0.1")
    try:
        app = create_app(settings)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    app.extensions["mashangban.engine"].close()


def test_login_cookie__httponly_and_samesite(client: FlaskClient) -> None:
    login(client, "li")
    cookie = client.get_cookie("msb_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_pages__carry_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_hsts__sent_over_https_only(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://example.gov.cn")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts__behind_trusted_proxy_follows_x_forwarded_proto(seeded: Engine) -> None:
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    trusting = make_app(seeded, MASHANGBAN_TRUST_PROXY=1, MASHANGBAN_HSTS_MAX_AGE=600)
    assert trusting.test_client().get("/", headers=https).headers[
        "Strict-Transport-Security"
    ] == "max-age=600"  # fmt: skip
    untrusting = make_app(seeded)  # a forged header from a client is not believed
    assert (
        "Strict-Transport-Security" not in untrusting.test_client().get("/", headers=https).headers
    )
    off = make_app(seeded, MASHANGBAN_HSTS_MAX_AGE=0)
    secure = off.test_client().get("/", base_url="https://example.gov.cn")
    assert "Strict-Transport-Security" not in secure.headers
    for app in (trusting, untrusting, off):
        app.extensions["mashangban.engine"].close()


def test_assets__serves_whitelisted_node_modules_files_only(client: FlaskClient) -> None:
    css = client.get("/assets/bootstrap/bootstrap.min.css")
    assert css.status_code == 200 and b"Bootstrap" in css.data
    css.close()
    viewer = client.get("/assets/bpmn-js/bpmn-navigated-viewer.js")
    assert viewer.status_code == 200
    viewer.close()
    assert client.get("/assets/bootstrap/package.json").status_code == 404
    assert client.get("/assets/../package.json").status_code == 404


def test_assets__missing_node_modules_gives_404_not_500(seeded: Engine, tmp_path: Path) -> None:
    app = make_app(seeded, MASHANGBAN_NODE_MODULES=str(tmp_path))
    assert app.test_client().get("/assets/bootstrap/bootstrap.min.css").status_code == 404
    app.extensions["mashangban.engine"].close()


def test_unknown_page__is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "未找到" in response.get_data(as_text=True)


def test_cli__has_engine_commands_and_serve() -> None:
    serve = resolve(["serve", "--host", "0.0.0.0", "--port", "8080"])
    assert (serve.info_name, serve.params["host"], serve.params["port"]) == (
        "serve",
        "0.0.0.0",
        8080,
    )
    assert resolve(["case", "show", "C1"]).params["key"] == "C1"


def test_web__never_imports_sqlalchemy_or_spiffworkflow() -> None:
    forbidden = ("sqlalchemy", "SpiffWorkflow")
    for path in WEB.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            bad = [n for n in names if n.split(".")[0] in forbidden]
            assert not bad, f"{path.relative_to(WEB.parent)} imports {bad}"

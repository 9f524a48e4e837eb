"""The OpenAPI document describes exactly the routes under /api/v1."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient


def _api_routes(app: Flask) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
            routes.setdefault(path, set()).update(methods)
    return routes


def test_openapi__lists_every_route_with_its_methods(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    described = {path: set(ops) for path, ops in document["paths"].items()}
    assert described == _api_routes(app)


def test_openapi__every_reference_resolves(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    text = str(document)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in document["components"]["schemas"], name
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary") and operation.get("responses"), (path, method)

"""Schemathesis against /api/v1/openapi.json: no 5xx and no response the document does not allow.

Every operation gets a bounded, derandomized set of generated requests (valid and invalid),
sent in-process to the Flask app as the signed-in clerk `li`. Operations on one task or
case are sent again with the id of a real open task or case (and case reads once more with
its tracking code and no token), so real Task, Case and public bodies are checked too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine.service import Engine
from web.api.openapi import document

from .conftest import api_token, make_app, start_appeal

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SCHEMA = schemathesis.openapi.from_dict(document())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def api(seeded: Engine) -> Iterator[Flask]:
    """The app without rate limit (generated requests come fast)."""
    app = make_app(seeded, MASHANGBAN_RATE_LIMIT=0)
    yield app
    app.extensions["mashangban.engine"].close()


@pytest.fixture
def real(api: Flask, seeded: Engine) -> dict[str, Any]:
    """Bearer headers of clerk li, and a real case, its tracking code and its open task."""
    key, code = start_appeal(seeded)
    with seeded.transaction() as service:
        task = service.cases.get(key).tasks[0].id
    return {"headers": api_token(api.test_client(), "li"), "case_no": key, "code": code,
            "task_id": task}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_api__conforms_to_its_openapi_document(
    operation: Any, api: Flask, real: dict[str, Any]
) -> None:
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                      operation.as_strategy(GenerationMode.NEGATIVE))  # fmt: skip

    @given(case=cases)
    @settings(max_examples=25, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(case: Any) -> None:
        case.call_and_validate(app=api, headers=real["headers"], checks=CHECKS)
        path = case.path_parameters or {}
        ids = {name: real[name] for name in ("case_no", "task_id") if name in path}
        if ids:
            case.path_parameters = {**path, **ids}
            case.call_and_validate(app=api, headers=real["headers"], checks=CHECKS)
        if "case_no" in ids:  # the citizen's view: the tracking code instead of a token
            case.headers = {k: v for k, v in (case.headers or {}).items()
                            if k.lower() != "authorization"}  # fmt: skip
            case.query = {**(case.query or {}), "code": real["code"]}
            case.call_and_validate(app=api, checks=CHECKS)

    check()

"""The OpenAPI document is generated from the same pydantic models that validate requests and
serialize answers, and a request its model refuses is a 422 with the house's field codes."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import BaseModel

from engine.service import Engine
from web.api.openapi import REF, document, query_schema
from web.api.operations import OPERATIONS, Operation, Reply, _answer
from web.api.schemas import cases as shapes

from .conftest import APPEAL, PASSWORD, api_token

SCHEMAS = "#/components/schemas/"


def _component(reference: dict[str, Any]) -> str:
    return reference["$ref"].removeprefix(SCHEMAS)


def _schema_of(model: type[BaseModel], mode: str) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
    schema.pop("$defs", None)
    return schema


def _operation(op: Operation) -> dict[str, Any]:
    return document()["paths"][op.path][op.method]


def test_openapi__request_bodies_are_the_models_that_validate_them() -> None:
    components = document()["components"]["schemas"]
    with_body = [op for op in OPERATIONS if op.body or op.form]
    assert len(with_body) >= 12
    for op in with_body:
        model = op.body or op.form
        assert model is not None
        content = _operation(op)["requestBody"]["content"]
        [(media, described)] = content.items()
        assert media == ("application/json" if op.body else "multipart/form-data")
        name = _component(described["schema"])
        assert name == model.__name__, op.endpoint
        assert components[name] == _schema_of(model, "validation"), op.endpoint


def test_openapi__query_parameters_are_the_query_models_fields() -> None:
    for op in (op for op in OPERATIONS if op.query):
        assert op.query is not None
        schema = op.query.model_json_schema(ref_template=REF)
        described = {p["name"]: p for p in _operation(op)["parameters"] if p["in"] == "query"}
        assert set(described) == set(schema["properties"]), op.endpoint
        for name, prop in schema["properties"].items():
            assert described[name]["required"] == (name in schema.get("required", ()))
            assert described[name]["schema"] == query_schema(prop), (op.endpoint, name)
            assert "null" not in str(described[name]["schema"])


def test_openapi__answers_are_the_models_that_serialize_them() -> None:
    components = document()["components"]["schemas"]
    for op in OPERATIONS:
        responses = _operation(op)["responses"]
        for status, outcome in {**op.answers, **op.errors}.items():
            if not isinstance(outcome, Reply):
                continue
            schema = responses[str(status)]["content"]["application/json"]["schema"]
            refs = schema.get("anyOf", [schema])
            assert [_component(r) for r in refs] == [m.__name__ for m in outcome.models]
            for model in outcome.models:
                expected = _schema_of(model, "serialization")
                assert components[model.__name__] == expected, (op.endpoint, model.__name__)


def test_openapi__every_operation_is_registered_once_with_its_route(app: Flask) -> None:
    keys = [(op.path, op.method) for op in OPERATIONS]
    assert len(keys) == len(set(keys))
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {f"api.{op.endpoint}" for op in OPERATIONS} <= endpoints


@pytest.fixture
def admin(client: FlaskClient, seeded: Engine) -> dict[str, str]:
    """Bearer headers of a member of staff who holds every admin role."""
    with seeded.transaction() as service:
        service.staff.save_user("boss", "管理员", [], unit="district",
                          roles=("process_admin", "org_admin"), password=PASSWORD)  # fmt: skip
    return api_token(client, "boss")


def _url(op: Operation) -> str:
    path = op.path
    for name, _converter in op.path_parameters:
        path = path.replace(f"{{{name}}}", "1")
    return path


def test_api__a_body_missing_its_required_fields_is_422_with_code_required(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    checked = 0
    for op in OPERATIONS:
        if op.body is None:
            continue
        required = set(op.body.model_json_schema().get("required", ()))
        if not required:
            continue
        response = client.open(_url(op), method=op.method, json={"ignored": 1}, headers=admin)
        assert response.status_code == 422, (op.endpoint, response.get_json())
        error = response.get_json()["error"]
        assert error["code"] == "validation_failed"
        codes = {e["field"]: e["code"] for e in error["errors"]}
        assert codes == dict.fromkeys(required, "required"), op.endpoint
        assert set(error["fields"]) == required
        checked += 1
    assert checked >= 8


def test_api__model_errors_carry_house_codes_and_params(client: FlaskClient) -> None:
    body = {**APPEAL, "title": "长" * 101, "kind": "weather", "description": 5,
            "contact": {"name": "张三", "phone": "12"}, "attachments": [{"name": "x"}] * 6,
            "latitude": 99}  # fmt: skip
    response = client.post("/api/v1/appeals", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    errors = {e["field"]: (e["code"], e["params"]) for e in response.get_json()["error"]["errors"]}
    assert errors["title"] == ("too_long", {"max": 100})
    assert errors["kind"][0] == "not_an_option" and errors["kind"][1]["value"] == "weather"
    assert "coordination" in errors["kind"][1]["choices"]
    assert errors["description"] == ("expected_text", {})
    assert errors["contact.phone"][0] == "bad_format"
    assert errors["attachments"] == ("too_many", {"max": 5})
    assert errors["latitude"] == ("too_large", {"max": 90})
    messages = {e["field"]: e["message"] for e in response.get_json()["error"]["errors"]}
    assert messages["title"] == "At most 100 characters"


def test_api__strict_bodies_and_lenient_queries(client: FlaskClient, admin: dict[str, str]) -> None:
    text_for_number = client.post("/api/v1/migrations/check", headers=admin,
                                  json={"process_id": "two_step", "from_version": "1"})  # fmt: skip
    [item] = text_for_number.get_json()["error"]["errors"]
    assert (item["field"], item["code"]) == ("from_version", "expected_integer")
    missing_cases = client.post("/api/v1/migrations", headers=admin, json={"process_id": "x"})
    assert missing_cases.get_json()["error"]["errors"][0]["field"] == "keys"
    not_a_number = client.get("/api/v1/processes/x/diff?a=1&b=two", headers=admin)
    [item] = not_a_number.get_json()["error"]["errors"]
    assert item == {"field": "b", "code": "not_integer", "params": {"value": "two"},
                    "message": "“two”不是整数"}  # fmt: skip
    bad_date = client.get("/api/v1/reports/rates?from=2026-13-01", headers=admin)
    [item] = bad_date.get_json()["error"]["errors"]
    assert (item["field"], item["code"], item["params"]) == (
        "from",
        "not_a_date",
        {"value": "2026-13-01"},
    )


def test_api__the_caller_is_checked_before_the_body(client: FlaskClient) -> None:
    anonymous = client.post("/api/v1/migrations", json={"keys": 5})
    assert anonymous.status_code == 401
    clerk = client.post("/api/v1/migrations", json={"keys": 5}, headers=api_token(client, "li"))
    assert clerk.status_code == 403 and clerk.get_json()["error"]["code"] == "not_allowed"


def test_operation__an_answer_the_operation_does_not_declare_is_a_programming_error(
    app: Flask,
) -> None:
    get_task = next(op for op in OPERATIONS if op.endpoint == "get_task")
    wrong = shapes.Receipt(case_no="MSB-1", tracking_code="x")
    with app.test_request_context(), pytest.raises(TypeError, match="get_task"):
        _answer(get_task, wrong)
    with pytest.raises(ValueError, match="extra"):  # answers hold their fields and no others
        shapes.Receipt(case_no="MSB-1", tracking_code="x", contact="张三")  # type: ignore[call-arg]

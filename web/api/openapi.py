"""The OpenAPI 3.1 document of /api/v1, generated from the registered operations.

Nothing here is written by hand per endpoint: paths and methods come from the routes
(`operations.OPERATIONS`), parameters from the path rules and the query models, request
bodies and answers from the models that validate and serialize them
(`model_json_schema`), and the error answers from what each operation does (reads a body:
400/413/422; needs a token: 401; has path parameters: 404; is rate limited: 429).
`tests/web/test_openapi.py` checks it against the URL map and the models.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from .operations import OPERATIONS, Empty, File, Operation, Reply
from .schemas.errors import ErrorBody

REF = "#/components/schemas/{model}"
JSON = "application/json"
ERROR = Reply(ErrorBody)
# What an error status means when the operation does not say more.
ERROR_TEXT = {
    400: "The body is not a JSON object the API can read: malformed, not UTF-8, NaN, or "
         "nested deeper than 32 levels (`invalid_json`, reason in `message`).",
    401: "No, expired or revoked bearer token (`unauthorized`).",
    403: "The caller's role may not do this (`not_allowed`).",
    404: "Unknown, or outside the caller's scope (`not_found`).",
    413: "The body is larger than MAX_CONTENT_LENGTH (`payload_too_large`).",
    415: "Not a form upload (`unsupported_media_type`).",
    422: "The request does not fit its schema (`validation_failed`), or the engine's rules "
         "refuse a value (`form_invalid`): every bad field in `errors` with a stable `code` "
         "and its `params`, and its message in `fields`.",
    429: "Too many requests from this address (`rate_limited`).",
}  # fmt: skip
PATH_TEXT = {
    "case_no": "The case number.",
    "key": "The case number.",
    "task_id": "The task's id.",
    "process_id": "The process id.",
    "number": "The version number.",
}


def _models() -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    """Every model of the document with its mode: requests validate, answers serialize."""
    found: dict[type[BaseModel], JsonSchemaMode] = {ErrorBody: "serialization"}
    for op in OPERATIONS:
        for model in (op.body, op.form):
            if model is not None:
                found[model] = "validation"
        for outcome in [*op.answers.values(), *op.errors.values()]:
            if isinstance(outcome, Reply):
                found.update(dict.fromkeys(outcome.models, "serialization"))
    return list(found.items())


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _json(reply: Reply) -> dict[str, Any]:
    refs = [_ref(m) for m in reply.models]
    schema = refs[0] if len(refs) == 1 else {"anyOf": refs}
    return {"description": reply.description, "content": {JSON: {"schema": schema}}}


def _outcome(outcome: Reply | File | Empty) -> dict[str, Any]:
    if isinstance(outcome, Reply):
        return _json(outcome)
    if isinstance(outcome, File):
        return {"description": outcome.description,
                "content": {media: {} for media in outcome.media_types}}  # fmt: skip
    return {"description": outcome.description}


def error_statuses(op: Operation) -> list[int]:
    """The error statuses an operation can answer with, from what it does."""
    statuses = set(op.errors)
    if op.body is not None:
        statuses |= {400, 413, 422}
    if op.form is not None:
        statuses |= {413, 415, 422}
    if op.query is not None:
        statuses.add(422)
    if op.access.security and op.access.security[0]:
        statuses.add(401)
    if op.path_parameters:
        statuses.add(404)
    if op.limit:
        statuses.add(429)
    return sorted(statuses)


def _responses(op: Operation) -> dict[str, Any]:
    responses = {str(status): _outcome(outcome) for status, outcome in op.answers.items()}
    for status in error_statuses(op):
        given = op.errors.get(status, ERROR_TEXT.get(status, "An error."))
        reply = given if isinstance(given, Reply) else Reply(ErrorBody, given)
        responses[str(status)] = _json(reply)
    return responses


def _parameters(op: Operation) -> list[dict[str, Any]]:
    kinds = {"int": {"type": "integer"}, "float": {"type": "number"}}
    parameters = [
        {"name": name, "in": "path", "required": True,
         "schema": kinds.get(converter, {"type": "string"}),
         "description": op.path_text.get(name, PATH_TEXT.get(name, name))}
        for name, converter in op.path_parameters
    ]  # fmt: skip
    if op.query is not None:
        schema = op.query.model_json_schema(ref_template=REF)
        required = set(schema.get("required", ()))
        for name, prop in schema["properties"].items():
            parameter = {"name": name, "in": "query", "required": name in required,
                         "schema": query_schema(prop)}  # fmt: skip
            text = prop.get("description")
            parameters.append({**parameter, "description": text} if text else parameter)
    return parameters


def query_schema(prop: dict[str, Any]) -> dict[str, Any]:
    """A query model field's schema as a parameter's: a parameter is text or absent, never
    null, so `X | None = None` is documented as an optional X."""
    schema = {k: v for k, v in prop.items() if k not in ("title", "description")}
    branches = schema.pop("anyOf", None)
    if branches is not None:
        kept = [b for b in branches if b != {"type": "null"}]
        schema = {**kept[0], **schema} if len(kept) == 1 else {"anyOf": kept, **schema}
    if schema.get("default", "") is None:
        del schema["default"]
    return schema


def _operation(op: Operation) -> dict[str, Any]:
    body: dict[str, Any] = {"summary": op.summary, "operationId": op.endpoint,
                            "security": [dict(s) for s in op.access.security]}  # fmt: skip
    parameters = _parameters(op)
    if parameters:
        body["parameters"] = parameters
    if op.body is not None:
        body["requestBody"] = {"required": True, "content": {JSON: {"schema": _ref(op.body)}}}
    if op.form is not None:
        body["requestBody"] = {"required": True, "content": {
            "multipart/form-data": {"schema": _ref(op.form)}}}  # fmt: skip
    body["responses"] = _responses(op)
    return body


@cache
def components() -> dict[str, Any]:
    """The schemas of every registered model, by class name."""
    _keys, schemas = models_json_schema(_models(), ref_template=REF)
    return dict(sorted(schemas.get("$defs", {}).items()))


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "马上办 (Act-Now) API", "version": "1",
                 "description": "Appeals, tracking, the staff inbox, audit, reports, "
                                "organisation and process administration of 马上办."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "POST /api/v1/auth/token"}},
        },
    }  # fmt: skip

"""Registering an API operation: its route, who may call it, and the models of its shapes.

    @operation("post", "/tasks/<task_id>/complete", body=CompleteTask, ok=Reply(CaseAnswer))
    def complete_task(task_id: str, user: UserView, body: CompleteTask) -> CaseAnswer: ...

The decorator adds the Flask route to the API blueprint and keeps an `Operation` in
OPERATIONS, from which `openapi.document()` writes /api/v1/openapi.json. Per request it
runs, in this order: the rate limit, the access check (401/403 before anything is read),
the query and body models (422 `validation_failed` with house codes; 400 `invalid_json`
for a body that is not a JSON object), the view, and the answer's model (`model_dump`).
A view may also return a finished Response (files, streams, error bodies).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Union, get_args, get_origin

from flask import jsonify, request
from pydantic import BaseModel, ValidationError

from .. import ratelimit
from ..errors import json_error
from ..i18n import gettext as _
from . import tokens
from .blueprint import PREFIX, bp
from .body import json_object
from .schemas import Body, Query
from .validation import field_errors, rejected


@dataclass(frozen=True)
class Access:
    """Who may call: the OpenAPI security requirement and the check run before anything else.

    `check` returns the caller (passed to the view as `user`) or raises (401, 403).
    """

    security: tuple[dict[str, list[str]], ...]
    check: Callable[[], Any] | None = None


BEARER: dict[str, list[str]] = {"bearer": []}
STAFF = Access((BEARER,), tokens.staff)
PUBLIC = Access(())
STAFF_OR_CODE = Access((BEARER, {}))  # staff with a token, citizens with `?code=`


def staff_with(check: Callable[[], Any]) -> Access:
    """Staff access with a further check (a role), which returns the caller."""
    return Access((BEARER,), check)


@dataclass(frozen=True)
class Reply:
    """A JSON answer: its model (a class, or `A | B` when either may come) and what it means."""

    model: Any
    description: str = "The answer."

    @property
    def models(self) -> tuple[type[BaseModel], ...]:
        """The model classes an answer of this kind may be."""
        if get_origin(self.model) in (Union, types.UnionType):
            return get_args(self.model)
        return (self.model,)


@dataclass(frozen=True)
class File:
    """An answer that is not JSON (a download, CSV, JSON Lines): its media types."""

    media_types: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Empty:
    """An answer without a body (204)."""

    description: str


Outcome = Reply | File | Empty


@dataclass(frozen=True)
class Operation:
    """One method on one path, as registered (the OpenAPI document is made of these)."""

    method: str
    rule: str
    endpoint: str
    summary: str
    access: Access
    answers: dict[int, Outcome]
    body: type[Body] | None = None
    form: type[BaseModel] | None = None
    query: type[Query] | None = None
    errors: Mapping[int, str | Reply] = field(default_factory=dict)
    limit: str | None = None
    path_text: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The OpenAPI path: /api/v1/tasks/{task_id}."""
        return PREFIX + re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", self.rule)

    @property
    def path_parameters(self) -> list[tuple[str, str]]:
        """(name, Flask converter) of each path parameter, in order."""
        found = re.findall(r"<(?:([^:>]+):)?([^>]+)>", self.rule)
        return [(name, converter or "string") for converter, name in found]


OPERATIONS: list[Operation] = []
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def operation(
    method: str,
    rule: str,
    *,
    ok: Outcome | dict[int, Outcome],
    access: Access = STAFF,
    body: type[Body] | None = None,
    form: type[BaseModel] | None = None,
    query: type[Query] | None = None,
    errors: Mapping[int, str | Reply] | None = None,
    limit: str | None = None,
    path_text: dict[str, str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view as the operation `method rule` of /api/v1 (see the module docstring)."""
    answers = ok if isinstance(ok, dict) else {200: ok}

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        found = Operation(
            method.lower(), rule, view.__name__, _summary(view),
            access, answers, body, form, query, errors or {}, limit, path_text or {},
        )  # fmt: skip
        OPERATIONS.append(found)
        handler = _handler(found, view)
        bp.add_url_rule(rule, found.endpoint, handler, methods=[method.upper()])
        return view

    return register


def _summary(view: Callable[..., Any]) -> str:
    """The docstring's first paragraph, on one line."""
    paragraph = (view.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(line.strip() for line in paragraph.splitlines())


def _handler(found: Operation, view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def handle(**path: Any) -> Any:
        if found.limit:
            ratelimit.check(found.limit)
        arguments = dict(path)
        if found.access.check is not None:
            arguments["user"] = found.access.check()
        try:
            if found.query is not None:
                arguments["query"] = found.query.model_validate(request.args.to_dict())
            if found.body is not None:
                arguments["body"] = found.body.model_validate(json_object())
            if found.form is not None:
                if request.mimetype not in FORM_TYPES:
                    message = _("请以 multipart/form-data 上传文件（字段 files）")
                    return json_error(415, "unsupported_media_type", message)
                arguments["form"] = found.form.model_validate(_form_values())
        except ValidationError as error:
            return rejected(field_errors(error))
        return _answer(found, view(**arguments))

    return handle


def _form_values() -> dict[str, Any]:
    """A multipart body's fields, each file field as the list of its files."""
    values: dict[str, Any] = request.form.to_dict()
    for name in request.files:
        values[name] = request.files.getlist(name)
    return values


def _answer(found: Operation, result: Any) -> Any:
    """The view's model as JSON with its status (and headers); Responses pass as they are."""
    model, *rest = result if isinstance(result, tuple) else (result,)
    if not isinstance(model, BaseModel):
        return result
    status = rest[0] if rest else next(iter(found.answers))
    declared = found.answers.get(status) or found.errors.get(status)
    if not isinstance(declared, Reply) or not isinstance(model, declared.models):
        raise TypeError(f"{found.endpoint}: {type(model).__name__} is not its {status} answer")
    return jsonify(model.model_dump(mode="json")), status, *rest[1:]


__all__ = [
    "OPERATIONS", "PUBLIC", "STAFF", "STAFF_OR_CODE", "Access", "Empty", "File",
    "Operation", "Reply", "operation", "staff_with",
]  # fmt: skip

"""The OpenAPI 3 document of /api/v1, written by hand next to the routes.

`tests/web/test_openapi.py` checks that every route under /api/v1 is described here
with the same methods, so the document cannot drift silently from the code.
"""

from __future__ import annotations

from typing import Any

from ..vocabulary import KINDS, RATINGS, TIERS
from .openapi_audit import audit_paths, audit_schemas


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


STAFF = [{"bearer": []}]
PUBLIC: list[dict[str, list[str]]] = []
CASE_NO = {"name": "case_no", "in": "path", "required": True, "schema": {"type": "string"}}
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}
CODE = {
    "name": "code", "in": "query", "required": False, "schema": {"type": "string"},
    "description": "The tracking code from the receipt; without it a bearer token is needed.",
}  # fmt: skip
COMMON_ERRORS = {
    "401": _error("No or invalid bearer token (code `unauthorized`)."),
    "404": _error("Unknown, or outside the caller's scope (code `not_found`)."),
}


def _task_action(summary: str, conflict: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary, "security": STAFF, "parameters": [TASK_ID],
            "responses": {
                "200": _json(_ref("Task"), "The task after the change."),
                **COMMON_ERRORS,
                "409": _error(conflict),
            },
        }
    }  # fmt: skip


def _paths() -> dict[str, Any]:
    return {
        "/api/v1/openapi.json": {"get": {
            "summary": "This document.", "security": PUBLIC,
            "responses": {"200": {"description": "OpenAPI 3 document."}}}},
        "/api/v1/auth/token": {"post": {
            "summary": "Exchange a staff username and password for a bearer token.",
            "security": PUBLIC,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("Credentials")}}},
            "responses": {"200": _json(_ref("Token"), "A signed token that expires."),
                          "401": _error("Wrong username or password (`invalid_credentials`)."),
                          "422": _error("Missing fields (`validation_failed`)."),
                          "429": _error("Too many attempts (`rate_limited`).")}}},
        "/api/v1/appeals": {"post": {
            "summary": "Submit a matter (citizens and enterprises; no account).",
            "security": PUBLIC,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("AppealCreate")}}},
            "responses": {"201": _json(_ref("Receipt"), "Case number and tracking code."),
                          "422": _error("Per-field errors in `fields` (`validation_failed`)."),
                          "429": _error("Too many submissions from this address.")}}},
        "/api/v1/appeals/{case_no}": {"get": {
            "summary": "A case: everything for staff, the public view with `?code=`.",
            "security": [*STAFF, {}], "parameters": [CASE_NO, CODE],
            "responses": {"200": _json({"oneOf": [_ref("Case"), _ref("PublicCase")]},
                                       "Case (staff) or PublicCase (with code)."),
                          **COMMON_ERRORS}}},
        "/api/v1/appeals/{case_no}/events": {"get": {
            "summary": "The case's history (staff) or its public timeline (with `?code=`).",
            "security": [*STAFF, {}], "parameters": [CASE_NO, CODE],
            "responses": {"200": _json({"type": "object", "properties": {"events": {
                "type": "array", "items": {"oneOf": [_ref("Event"), _ref("PublicEntry")]}}}},
                "Events, oldest first."), **COMMON_ERRORS}}},
        "/api/v1/tasks": {"get": {
            "summary": "The caller's inbox: assigned, claimed and offered tasks.",
            "security": STAFF,
            "parameters": [
                {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                for n in ("tab", "tier", "department", "kind", "sort")],
            "responses": {"200": _json({"type": "object", "properties": {"tasks": {
                "type": "array", "items": _ref("InboxTask")}}}, "Open tasks."),
                "401": COMMON_ERRORS["401"]}}},
        "/api/v1/tasks/{task_id}": {"get": {
            "summary": "One task with its form.", "security": STAFF, "parameters": [TASK_ID],
            "responses": {"200": _json(_ref("Task"), "The task and its form fields."),
                          **COMMON_ERRORS,
                          "409": _error("The task was already completed (`task_not_ready`).")}}},
        "/api/v1/tasks/{task_id}/claim": _task_action(
            "Claim a group task.", "Claimed by someone else (`conflict`)."),
        "/api/v1/tasks/{task_id}/unclaim": _task_action(
            "Give a claimed task back.", "Not claimed by the caller (`conflict`)."),
        "/api/v1/tasks/{task_id}/complete": {"post": {
            "summary": "Complete a task with form values.", "security": STAFF,
            "parameters": [TASK_ID],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["data"],
                "properties": {"data": {"type": "object", "additionalProperties": True}}}}}},
            "responses": {"200": _json(_ref("Case"), "The case after the task."),
                          **COMMON_ERRORS,
                          "403": _error("Claimed by someone else (`not_allowed`)."),
                          "409": _error("Someone else completed or changed it first "
                                        "(`conflict`, `stale_case`, `task_not_ready`)."),
                          "422": _error("Per-field errors in `fields` (`form_invalid`).")}}},
    }  # fmt: skip


def _schemas() -> dict[str, Any]:
    text = {"type": "string"}
    when = {"type": "string", "format": "date-time", "nullable": True}
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "example": "form_invalid"}, "message": text,
                "fields": {"type": "object", "additionalProperties": text}}}}},
        "Credentials": {"type": "object", "required": ["username", "password"],
                        "properties": {"username": text, "password": text}},
        "Token": {"type": "object", "properties": {
            "access_token": text, "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_in": {"type": "integer"}, "user": {"type": "object"}}},
        "AppealCreate": {"type": "object",
            "required": ["kind", "title", "description", "contact", "tier"], "properties": {
            "kind": {"type": "string", "enum": list(KINDS)},
            "title": {"type": "string", "maxLength": 100},
            "description": {"type": "string", "maxLength": 2000},
            "contact": {"type": "object", "required": ["name", "phone"], "properties": {
                "name": {"type": "string", "maxLength": 50},
                "phone": {"type": "string", "maxLength": 20}}},
            "tier": {"type": "string", "enum": list(TIERS)},
            "intake_unit": {"type": "string", "description": "Window (unit code) of the tier."},
            "window": {"type": "string", "description": "Alias of intake_unit."},
            "enterprise_name": {"type": "string", "maxLength": 100},
            "attachments": {"type": "array", "maxItems": 5, "items": {"type": "object",
                "properties": {"name": text, "url": {"type": "string", "format": "uri"}}}}}},
        "Receipt": {"type": "object", "properties": {"case_no": text, "tracking_code": text}},
        "Task": {"type": "object", "properties": {
            "id": text, "case_no": text, "process_id": text, "task_spec": text, "name": text,
            "candidate_groups": {"type": "array", "items": text},
            "candidate_users": {"type": "array", "items": text},
            "assignee": text, "claimed_by": text, "due_at": when,
            "priority": {"type": "integer"}, "created_at": when,
            "form": {"type": "array", "items": {"type": "object"}}}},
        "InboxTask": {"allOf": [_ref("Task"), {"type": "object", "properties": {
            "title": text, "kind": text, "tier": text, "level": {"type": "integer"},
            "departments": {"type": "array", "items": text},
            "working_minutes_left": {"type": "integer", "nullable": True},
            "overdue": {"type": "boolean"}, "due_today": {"type": "boolean"},
            "mine": {"type": "boolean"}}}]},
        "Case": {"type": "object", "properties": {
            "case_no": text, "title": text, "status": text, "process_id": text,
            "process_version": {"type": "integer"}, "level": {"type": "integer"},
            "owner_unit": text, "data": {"type": "object"},
            "tasks": {"type": "array", "items": _ref("Task")}, "created_at": when,
            "updated_at": when}},
        "PublicEntry": {"type": "object", "properties": {"at": when, "kind": text, "step": text}},
        "PublicCase": {"type": "object", "properties": {
            "case_no": text, "title": text, "kind": text, "status": text,
            "stage": {"type": "array", "items": text}, "submitted_at": when,
            "public_reply": text, "rating_requested": {"type": "boolean"},
            "rating": {"type": "string", "enum": list(RATINGS), "nullable": True},
            "timeline": {"type": "array", "items": _ref("PublicEntry")}}},
        "Event": {"type": "object", "properties": {
            "seq": {"type": "integer"}, "at": when, "actor": text, "kind": text,
            "task_id": text, "task_spec": text, "changes": {"type": "object"}}},
    }  # fmt: skip


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "马上办 (Act-Now) API", "version": "1",
                 "description": "Appeals, tracking and the staff inbox of 马上办."},
        "servers": [{"url": "/"}],
        "paths": {**_paths(), **audit_paths()},
        "components": {
            "schemas": {**_schemas(), **audit_schemas()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "POST /api/v1/auth/token"}},
        },
    }  # fmt: skip

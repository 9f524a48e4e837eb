"""The OpenAPI 3 document of /api/v1, written by hand next to the routes.

`tests/web/test_openapi.py` checks that every route under /api/v1 is described here
with the same methods, so the document cannot drift silently from the code.
"""

from __future__ import annotations

from typing import Any

from ..vocabulary import KINDS, RATINGS, TIERS
from .openapi_admin import admin_paths, admin_schemas
from .openapi_audit import audit_paths, audit_schemas
from .openapi_leaders import leaders_paths, leaders_schemas
from .openapi_notify import notify_paths, notify_schemas
from .openapi_org import org_paths, org_schemas
from .openapi_privacy import privacy_paths, privacy_schemas
from .openapi_reach import reach_paths, reach_schemas


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


STAFF: list[dict[str, list[str]]] = [{"bearer": []}]
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
# Every operation that reads a JSON body.
BODY_ERRORS = {
    "400": _error("The body is not a JSON object the API can read: malformed, not UTF-8, "
                  "NaN, or nested deeper than 32 levels (`invalid_json`, reason in `message`)."),
    "413": _error("The body is larger than MAX_CONTENT_LENGTH (`payload_too_large`)."),
}  # fmt: skip
RATE_LIMITED = {"429": _error("Too many requests from this address (`rate_limited`).")}


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


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


def _case_read(
    summary: str, staff: dict[str, Any], public: dict[str, Any], either: str = "oneOf"
) -> dict[str, Any]:
    """A read that staff make with a token and citizens with `?code=`."""
    body = {either: [staff, public]}
    return {"get": {
        "summary": summary, "security": [*STAFF, {}], "parameters": [CASE_NO, CODE],
        "responses": {"200": _json(body, "The staff view (bearer) or the public one (code)."),
                      **COMMON_ERRORS, **RATE_LIMITED}}}  # fmt: skip


def _paths() -> dict[str, Any]:
    events = {"type": "object", "required": ["events"], "properties": {"events": {
        "type": "array", "items": _ref("Event")}}}  # fmt: skip
    timeline = {"type": "object", "required": ["events"], "properties": {"events": {
        "type": "array", "items": _ref("PublicEntry")}}, "additionalProperties": False}  # fmt: skip
    return {
        "/api/v1/openapi.json": {"get": {
            "summary": "This document.", "security": PUBLIC,
            "responses": {"200": _json({"type": "object"}, "OpenAPI 3 document.")}}},
        "/api/v1/auth/token": {"post": {
            "summary": "Exchange a staff username and password for a bearer token.",
            "security": PUBLIC, "requestBody": _json_body(_ref("Credentials")),
            "responses": {"200": _json(_ref("Token"), "A revocable token that expires."),
                          **BODY_ERRORS,
                          "401": _error("Wrong username or password (`invalid_credentials`)."),
                          "422": _error("Missing fields (`validation_failed`)."),
                          **RATE_LIMITED}},
            "delete": {
            "summary": "Sign out: revoke the bearer token of this request.", "security": STAFF,
            "responses": {"204": {"description": "The token no longer works."},
                          "401": _error("No, expired or revoked token (`unauthorized`).")}}},
        "/api/v1/appeals": {"post": {
            "summary": "Submit a matter (citizens and enterprises; no account).",
            "security": PUBLIC, "requestBody": _json_body(_ref("AppealCreate")),
            "responses": {"201": _json(_ref("Receipt"), "Case number and tracking code."),
                          **BODY_ERRORS,
                          "422": _error("Per-field errors in `fields` (`validation_failed`)."),
                          **RATE_LIMITED}}},
        "/api/v1/appeals/{case_no}": _case_read(
            "A case: everything for staff, the public view with `?code=`.",
            _ref("Case"), _ref("PublicCase")),
        "/api/v1/appeals/{case_no}/events": _case_read(
            "The case's history (staff) or its public timeline (with `?code=`).",
            events, timeline, "anyOf"),  # an empty list would fit both
        "/api/v1/tasks": {"get": {
            "summary": "The caller's inbox a page at a time: assigned, claimed and offered "
                       "tasks (`next` is the `after` of the next page; also a Link header).",
            "security": STAFF,
            "parameters": [
                *({"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                  for n in ("tab", "tier", "department", "kind", "sort", "after")),
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}}],
            "responses": {"200": _json({"type": "object", "required": ["tasks", "next"],
                                        "properties": {
                "tasks": {"type": "array", "items": _ref("InboxTask")},
                "next": MAYBE_TEXT}}, "Open tasks, one page."),
                "401": COMMON_ERRORS["401"],
                "422": _error("A bad `limit` or a cursor `after` of another list "
                              "(`form_invalid`, field `limit` or `after`).")}}},
        "/api/v1/tasks/{task_id}": {"get": {
            "summary": "One task with its form.", "security": STAFF, "parameters": [TASK_ID],
            "responses": {"200": _json(_ref("TaskWithForm"), "The task and its form fields."),
                          **COMMON_ERRORS,
                          "409": _error("The task was already completed (`task_not_ready`).")}}},
        "/api/v1/tasks/{task_id}/claim": _task_action(
            "Claim a group task.",
            "Claimed by someone else, or already completed (`conflict`, `task_not_ready`)."),
        "/api/v1/tasks/{task_id}/unclaim": _task_action(
            "Give a claimed task back.",
            "Not claimed by the caller, or already completed (`conflict`, `task_not_ready`)."),
        "/api/v1/tasks/{task_id}/complete": {"post": {
            "summary": "Complete a task with form values.", "security": STAFF,
            "parameters": [TASK_ID],
            "requestBody": _json_body({
                "type": "object", "required": ["data"],
                "properties": {"data": {"type": "object", "additionalProperties": True}}}),
            "responses": {"200": _json(_ref("Case"), "The case after the task."),
                          **BODY_ERRORS, **COMMON_ERRORS,
                          "403": _error("Claimed by someone else (`not_allowed`)."),
                          "409": _error("Someone else completed or changed it first "
                                        "(`conflict`, `stale_case`, `task_not_ready`)."),
                          "422": _error("Per-field errors in `fields` (`form_invalid`).")}}},
    }  # fmt: skip


def _obj(properties: dict[str, Any], closed: bool = False) -> dict[str, Any]:
    """An object whose listed properties are always present (and, if closed, nothing else)."""
    body: dict[str, Any] = {"type": "object", "required": list(properties),
                            "properties": properties}  # fmt: skip
    if closed:
        body["additionalProperties"] = False
    return body


TEXT = {"type": "string"}
# Text the server trims and then refuses if nothing is left.
FILLED = {"type": "string", "minLength": 1, "pattern": r"\S"}
WHEN = {"type": "string", "format": "date-time"}
MAYBE_WHEN = {**WHEN, "nullable": True}
MAYBE_TEXT = {"type": "string", "nullable": True}
MAYBE_INT = {"type": "integer", "nullable": True}
TEXTS = {"type": "array", "items": TEXT}


def _filled(max_length: int) -> dict[str, Any]:
    return {**FILLED, "maxLength": max_length}


def _request_schemas() -> dict[str, Any]:
    return {
        "Credentials": {"type": "object", "required": ["username", "password"],
                        "properties": {"username": TEXT, "password": TEXT}},
        "AppealCreate": {"type": "object",
            "required": ["kind", "title", "description", "contact", "tier"], "properties": {
            "kind": {"type": "string", "enum": list(KINDS)},
            "title": _filled(100),
            "description": _filled(2000),
            "contact": {"type": "object", "required": ["name", "phone"], "properties": {
                "name": _filled(50),
                "phone": {"type": "string", "maxLength": 20,
                          "pattern": r"^ *(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}) *$",
                          "description": "A mobile number or a landline (0571-82345678)."},
                "email": {"type": "string", "maxLength": 200,
                          "description": "For e-mail news (required with notify_by=email)."}}},
            "notify_by": {"type": "string", "enum": ["", "sms", "email"],
                          "description": "How the submitter hears of the receipt, the reply to "
                          "rate and the closing: SMS to a mobile phone, e-mail, or not at all."},
            "tier": {"type": "string", "enum": list(TIERS)},
            "intake_unit": {"type": "string", "description": "Window (unit code) of the tier; "
                            "required when the tier has several windows."},
            "window": {"type": "string", "description": "Alias of intake_unit."},
            "enterprise_name": {"type": "string", "maxLength": 100},
            "address": {"type": "string", "maxLength": 200, "description": "Where it happened."},
            "place_unit": {"type": "string", "description": "The village/community (a unit "
                           "code of kind village) where it happened."},
            "latitude": {"type": "number", "minimum": -90, "maximum": 90,
                         "description": "Decimal degrees; give both or neither."},
            "longitude": {"type": "number", "minimum": -180, "maximum": 180},
            "attachments": {"type": "array", "maxItems": 5, "items": {"type": "object",
                "required": ["name", "url"], "properties": {
                    "name": _filled(200),
                    "url": {"type": "string", "format": "uri", "pattern": "^https?://\\S+$",
                            "maxLength": 497}}}}}},
    }  # fmt: skip


def _task_schemas() -> dict[str, Any]:
    field = _obj({
        "id": TEXT, "label": TEXT, "type": TEXT, "required": {"type": "boolean"},
        "readonly": {"type": "boolean"}, "default": {"nullable": True}, "help": TEXT,
        "choices": {"type": "array", "items": _obj({"id": TEXT, "label": TEXT})},
        "min": {"type": "number", "nullable": True}, "max": {"type": "number", "nullable": True},
        "minlength": MAYBE_INT, "maxlength": MAYBE_INT, "pattern": MAYBE_TEXT})  # fmt: skip
    return {
        "Task": _obj({
            "id": TEXT, "case_no": TEXT, "process_id": TEXT, "task_spec": TEXT, "name": TEXT,
            "candidate_groups": TEXTS, "candidate_users": TEXTS,
            "assignee": MAYBE_TEXT, "claimed_by": MAYBE_TEXT, "due_at": MAYBE_WHEN,
            "priority": {"type": "integer"}, "created_at": WHEN}),
        "FormField": field,
        "TaskWithForm": {"allOf": [_ref("Task"), _obj({
            "form": {"type": "array", "items": _ref("FormField")}, "documentation": TEXT})]},
        "InboxTask": {"allOf": [_ref("Task"), _obj({
            "title": TEXT, "kind": MAYBE_TEXT, "tier": MAYBE_TEXT, "level": MAYBE_INT,
            "departments": TEXTS, "working_minutes_left": MAYBE_INT,
            "overdue": {"type": "boolean"}, "due_today": {"type": "boolean"},
            "mine": {"type": "boolean"}})]},
    }  # fmt: skip


def _schemas() -> dict[str, Any]:
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "example": "form_invalid"}, "message": TEXT,
                "fields": {"type": "object", "additionalProperties": TEXT},
                "errors": {"type": "array", "description": "`form_invalid` only: each bad "
                           "value with a stable `code` (required, too_long, not_an_option ...) "
                           "and its `params` (e.g. `{\"max\": 50}`).", "items": {
                    "type": "object", "required": ["field", "code", "params", "message"],
                    "properties": {"field": TEXT, "code": TEXT, "message": TEXT,
                                   "params": {"type": "object"}}}}}}}},
        **_request_schemas(),
        "Token": _obj({
            "access_token": TEXT, "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_in": {"type": "integer"}, "user": _obj({
                "username": TEXT, "roles": TEXTS, "unit": MAYBE_TEXT, "groups": TEXTS})}),
        "Receipt": _obj({"case_no": TEXT, "tracking_code": TEXT}),
        **_task_schemas(),
        "CaseWarning": _obj({
            "code": {"type": "string", "example": "calendar_fallback"},
            "message": {"type": "string", "description": "In the request's language."}}),
        "Case": _obj({
            "case_no": TEXT, "title": TEXT, "status": TEXT, "process_id": TEXT,
            "process_version": {"type": "integer"}, "level": MAYBE_INT,
            "owner_unit": MAYBE_TEXT, "data": {"type": "object"},
            "tasks": {"type": "array", "items": _ref("Task")}, "next_timer_at": MAYBE_WHEN,
            "error": MAYBE_TEXT, "warnings": {"type": "array", "items": _ref("CaseWarning")},
            "created_at": WHEN, "updated_at": WHEN, "personal": _ref("PersonalShown")}),
        "PublicEntry": _obj({"at": WHEN, "kind": TEXT, "step": TEXT}, closed=True),
        "PublicCase": _obj({
            "case_no": TEXT, "title": TEXT, "kind": TEXT, "status": TEXT, "stage": TEXTS,
            "submitted_at": WHEN, "public_reply": MAYBE_TEXT,
            "rating_requested": {"type": "boolean"},
            "rating": {"type": "string", "enum": [*RATINGS, None], "nullable": True},
            "timeline": {"type": "array", "items": _ref("PublicEntry")}}, closed=True),
        "Event": _obj({
            "seq": {"type": "integer"}, "at": WHEN, "actor": TEXT, "kind": TEXT,
            "task_id": MAYBE_TEXT, "task_spec": MAYBE_TEXT, "changes": {"type": "object"}}),
    }  # fmt: skip


# --- reports (issue 12) -----------------------------------------------------------------------
# Kept in their own block so that edits of the entries above merge cleanly.
REPORT_PARAMETERS = [
    {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
    for name, schema, text in (
        ("from", {"type": "string", "format": "date"}, "First day received (local date)."),
        ("to", {"type": "string", "format": "date"}, "Last day received (included)."),
        ("group_by", {"type": "string", "enum": ["tier", "unit", "department", "kind",
                                                 "channel", "week", "month"]},
         "One row per value; without it one total row."),
        ("tier", {"type": "string", "enum": list(TIERS)}, "Receiving tier."),
        ("unit", {"type": "string"}, "Receiving unit code (with the units below it)."),
        ("department", {"type": "string"}, "Lead department code."),
        ("kind", {"type": "string", "enum": list(KINDS)}, "Matter kind."),
        ("channel", {"type": "string"}, "Channel (window, online, enterprise)."),
    )
]  # fmt: skip
REPORT_ERRORS = {
    "422": _error("A bad parameter, named in `fields` (`form_invalid`)."),
    "401": _error("No or invalid bearer token (code `unauthorized`)."),
    "403": _error("The caller's role has no reports (`not_allowed`)."),
}


def _report_paths() -> dict[str, Any]:
    def file(kind: str, mimetype: str) -> dict[str, Any]:
        return {"get": {
            "summary": f"The rates table as {kind}.", "security": STAFF,
            "parameters": REPORT_PARAMETERS,
            "responses": {"200": {"description": f"{kind} file, the same rows as the JSON.",
                                  "content": {mimetype: {}}}, **REPORT_ERRORS}}}  # fmt: skip

    rows = {"type": "object", "properties": {"group_by": {"type": "string", "nullable": True},
            "rows": {"type": "array", "items": _ref("RateRow")}}}  # fmt: skip
    return {
        "/api/v1/reports/rates": {"get": {
            "summary": "三率 (response, on-time, satisfaction) and other shares, from the event "
                       "log; leaders see every case, a clerk their unit, a department its cases.",
            "security": STAFF, "parameters": REPORT_PARAMETERS,
            "responses": {"200": _json(rows, "One row per group."), **REPORT_ERRORS}}},
        "/api/v1/reports/rates.csv": file("CSV", "text/csv"),
        "/api/v1/reports/rates.xlsx": file(
            "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    }  # fmt: skip


def _report_schemas() -> dict[str, Any]:
    count = {"type": "integer"}
    rate = {"type": "number", "nullable": True, "description": "0-1; null without a denominator"}
    return {"RateRow": {"type": "object", "properties": {
        "group": {"type": "string", "nullable": True}, "received": count,
        "responded_on_time": count, "response_judged": count, "response_rate": rate,
        "finished": count, "finished_on_time": count, "finished_or_overdue": count,
        "on_time_rate": rate, "rated": count, "satisfied": count, "satisfaction_rate": rate,
        "rehandled": count, "rehandle_share": rate,
        "escalated": {"type": "object", "additionalProperties": count},
        "escalation_share": {"type": "object", "additionalProperties": rate},
        "cannot_resolve": count, "cannot_resolve_share": rate,
        "median_hours": {"type": "number", "nullable": True}}}}  # fmt: skip


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "马上办 (Act-Now) API", "version": "1",
                 "description": "Appeals, tracking and the staff inbox of 马上办."},
        "servers": [{"url": "/"}],
        "paths": {**_paths(), **audit_paths(), **_report_paths(), **org_paths(), **admin_paths(),
                  **reach_paths(), **leaders_paths(REPORT_PARAMETERS), **privacy_paths(),
                  **notify_paths()},
        "components": {
            "schemas": {**_schemas(), **audit_schemas(), **_report_schemas(), **org_schemas(),
                        **admin_schemas(), **reach_schemas(), **leaders_schemas(),
                        **privacy_schemas(), **notify_schemas()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "POST /api/v1/auth/token"}},
        },
    }  # fmt: skip

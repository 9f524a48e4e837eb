"""The personal-data part of the OpenAPI document (kept apart from openapi.py to merge easily)."""

from __future__ import annotations

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


STAFF: list[dict[str, list[str]]] = [{"bearer": []}]
TEXT = {"type": "string"}
MAYBE_TEXT = {"type": "string", "nullable": True}
WHEN = {"type": "string", "format": "date-time"}
FIELDS = {"type": "array", "items": {"type": "string", "enum": [
    "name", "phone", "id_number", "address", "email"]}}  # fmt: skip
ERRORS = {
    "401": _json(_ref("Error"), "No or invalid bearer token (code `unauthorized`)."),
    "403": _json(_ref("Error"), "Only auditors, the discipline office and admins (`not_allowed`)."),
}


def privacy_paths() -> dict[str, Any]:
    """The personal-data endpoints."""
    return {
        "/api/v1/audit/access-log": {"get": {
            "summary": "Every full view of a citizen's personal data, newest first.",
            "security": STAFF,
            "parameters": [{"name": "case", "in": "query", "required": False,
                            "schema": {"type": "string", "maxLength": 100},
                            "description": "Only this case number."}],
            "responses": {"200": _json(_ref("AccessLog"), "The log."), **ERRORS}}},
        "/api/v1/cases/{key}/personal": {"get": {
            "summary": "A case's sealed personal values (never the values): which exist, "
                       "which were erased, when and by whom.",
            "security": STAFF,
            "parameters": [{"name": "key", "in": "path", "required": True,
                            "schema": {"type": "string"}, "description": "The case number."}],
            "responses": {"200": _json(_ref("PersonalValues"), "The values."), **ERRORS,
                          "404": _json(_ref("Error"), "Unknown case (`not_found`).")}}},
    }  # fmt: skip


def privacy_schemas() -> dict[str, Any]:
    """The personal-data schemas."""
    return {
        "PersonalShown": {"type": "object", "required": ["shown", "reason", "fields", "erased"],
            "description": "How the case's personal data (`data.contact`) is shown to the "
                           "caller: `full` (and why; the view is logged) or `masked`.",
            "properties": {
                "shown": {"type": "string", "enum": ["full", "masked"]},
                "reason": {"type": "string", "nullable": True,
                           "enum": ["receiving_window", "active_task", "discipline", None]},
                "fields": FIELDS, "erased": FIELDS}},
        "AccessEntry": {"type": "object", "properties": {
            "at": WHEN, "username": TEXT, "case_no": TEXT,
            "reason": {"type": "string", "enum": ["receiving_window", "active_task",
                                                  "discipline"]},
            "channel": {"type": "string", "enum": ["page", "api"]}, "fields": FIELDS,
            "request_id": MAYBE_TEXT}},
        "AccessLog": {"type": "object", "required": ["entries"], "properties": {
            "entries": {"type": "array", "items": _ref("AccessEntry")}}},
        "PersonalValue": {"type": "object", "properties": {
            "field": TEXT, "commitment": TEXT, "recorded_at": WHEN,
            "erased_at": {**WHEN, "nullable": True}, "erased_by": MAYBE_TEXT}},
        "PersonalValues": {"type": "object", "required": ["case_no", "values"], "properties": {
            "case_no": TEXT, "values": {"type": "array", "items": _ref("PersonalValue")}}},
    }  # fmt: skip

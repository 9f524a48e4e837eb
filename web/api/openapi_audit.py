"""The auditors' part of the OpenAPI document (kept apart from openapi.py to merge easily)."""

from __future__ import annotations

from typing import Any

from ..replayview import FINDINGS as FINDING_CODES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


STAFF: list[dict[str, list[str]]] = [{"bearer": []}]
KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "The case number."}  # fmt: skip
ERRORS = {
    "401": _json(_ref("Error"), "No or invalid bearer token (code `unauthorized`)."),
    "404": _json(_ref("Error"), "Unknown, or outside the caller's scope (`not_found`)."),
}
BODY_ERRORS = {
    "400": _json(_ref("Error"), "The body is not a JSON object the API can read "
                 "(`invalid_json`, reason in `message`)."),
    "413": _json(_ref("Error"), "The body is larger than MAX_CONTENT_LENGTH."),
}  # fmt: skip
FORBIDDEN = {"403": _json(_ref("Error"), "The caller holds no audit role (`not_allowed`).")}


def audit_paths() -> dict[str, Any]:
    """The audit endpoints."""
    return {
        "/api/v1/cases/{key}/history": {"get": {
            "summary": "A case's events with their hashes and the chain head.",
            "security": STAFF, "parameters": [KEY],
            "responses": {"200": _json(_ref("History"), "Events, oldest first."), **ERRORS}}},
        "/api/v1/cases/{key}/history.jsonl": {"get": {
            "summary": "A case's history as JSON Lines: header, events, head "
                       "(re-check with `python -m engine.history_check FILE`).",
            "security": STAFF, "parameters": [KEY],
            "responses": {"200": {"description": "JSON Lines.",
                                  "content": {"application/jsonl": {"schema": {
                                      "type": "string"}}}}, **ERRORS}}},
        "/api/v1/cases/{key}/replay": {"get": {
            "summary": "The case right after event `step`: diagram elements and data.",
            "security": STAFF,
            "parameters": [KEY, {"name": "step", "in": "query", "required": False,
                                 "schema": {"type": "integer", "minimum": 1, "default": 1}}],
            "responses": {"200": _json(_ref("ReplayStep"), "The step."), **ERRORS, **FORBIDDEN,
                          "422": _json(_ref("Error"), "No such step (`validation_failed`).")}}},
        "/api/v1/audit/verify": {"post": {
            "summary": "Verify one case or every case: chain, heads (if given), re-execution.",
            "security": STAFF,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "case": {"type": "string", "description": "Omit to verify every case."},
                    "heads": {"type": "object", "description": "`mashangban audit export` "
                              "output: {case: {seq, head}}."}}}}}},
            "responses": {"200": _json(_ref("Verification"), "The result."), **ERRORS,
                          **BODY_ERRORS, **FORBIDDEN,
                          "422": _json(_ref("Error"), "Bad `case` or `heads`.")}}},
    }  # fmt: skip


def audit_schemas() -> dict[str, Any]:
    """The audit schemas."""
    text = {"type": "string"}
    ids = {"type": "array", "items": text}
    return {
        "HistoryEvent": {"type": "object", "properties": {
            "seq": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
            "actor": text, "kind": text, "task_id": {"type": "string", "nullable": True},
            "task_spec": {"type": "string", "nullable": True}, "inputs": {"type": "object"},
            "data_before": {"type": "object"}, "data_after": {"type": "object"},
            "prev_hash": text, "hash": text,
            "request_id": {"type": "string", "nullable": True, "description":
                           "The web request that caused the event (as in the JSON logs); "
                           "not covered by the hash."}}},
        "History": {"type": "object", "properties": {
            "case": text, "process_id": text, "version": {"type": "integer"},
            "events": {"type": "array", "items": _ref("HistoryEvent")},
            "head": {"type": "object", "properties": {"seq": {"type": "integer"},
                                                      "head": text}}}},
        "ReplayStep": {"type": "object", "properties": {
            "step": {"type": "integer"}, "steps": {"type": "integer"},
            "version": {"type": "integer"}, "process_id": text,
            "event": {"type": "object"}, "completed": ids, "active": ids,
            "called": {"type": "object", "description": "Called process id -> "
                       "{completed, active} element ids."},
            "data_before": {"type": "object"}, "data_after": {"type": "object"},
            "changes": {"type": "array", "items": {"type": "object"}},
            "timers": {"type": "array", "items": {"type": "object"}}}},
        "Verification": {"type": "object", "properties": {
            "intact": {"type": "boolean"}, "checked_at": {"type": "string",
                                                          "format": "date-time"},
            "cases": {"type": "integer"},
            "findings": {"type": "array", "items": {"type": "object", "properties": {
                "case": text, "seq": {"type": "integer"}, "problem": text,
                "code": {"type": "string", "enum": list(FINDING_CODES)},
                "params": {"type": "object"}}}}}},
    }  # fmt: skip

"""The duplicates part of the OpenAPI document (issue 14; apart from openapi.py to merge easily)."""

from __future__ import annotations

from typing import Any

from .openapi_audit import BODY_ERRORS, ERRORS, KEY, STAFF, _json, _ref

FORBIDDEN = {"403": _json(_ref("Error"), "Not a window clerk or the leading office "
                          "(`not_allowed`).")}  # fmt: skip
CONFLICT = {"409": _json(_ref("Error"), "A case is already merged or finished, or it is the "
                         "same case (`conflict`).")}  # fmt: skip
INVALID = {"422": _json(_ref("Error"), "The case number is missing (`validation_failed`).")}


def _body(name: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": [name],
                    "properties": {name: {"type": "string", "description": "A case number."}},
                }
            }
        },
    }


def reach_paths() -> dict[str, Any]:
    """The duplicates endpoints."""
    done = {
        "type": "object",
        "properties": {
            "case_no": {"type": "string"},
            "merged_into": {"type": "string"},
            "distinct_from": {"type": "string"},
        },
    }
    return {
        "/api/v1/cases/{key}/duplicates": {"get": {
            "summary": "Open cases like this one (same kind and place, similar text).",
            "security": STAFF, "parameters": [KEY],
            "responses": {"200": _json(_ref("Duplicates"), "Most alike first."), **ERRORS}}},
        "/api/v1/cases/{key}/merge": {"post": {
            "summary": "Merge this case (a duplicate) into the main case; both get its answer.",
            "security": STAFF, "parameters": [KEY], "requestBody": _body("main"),
            "responses": {"200": _json(done, "Merged."), **ERRORS, **BODY_ERRORS,
                          **FORBIDDEN, **CONFLICT, **INVALID}}},
        "/api/v1/cases/{key}/distinct": {"post": {
            "summary": "Record that another case is a different matter.",
            "security": STAFF, "parameters": [KEY], "requestBody": _body("other"),
            "responses": {"200": _json(done, "Recorded."), **ERRORS, **BODY_ERRORS,
                          **FORBIDDEN, **CONFLICT, **INVALID}}},
    }  # fmt: skip


def reach_schemas() -> dict[str, Any]:
    """The duplicates schemas."""
    text = {"type": "string"}
    return {
        "Duplicates": {
            "type": "object",
            "properties": {
                "case_no": text,
                "suggestions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "case_no": text,
                            "title": text,
                            "kind": text,
                            "place": {"type": "string", "description": "Unit code."},
                            "score": {"type": "number", "description": "Bigram Jaccard, 0-1."},
                            "received_at": {"type": "string", "format": "date-time"},
                        },
                    },
                },
            },
        }
    }

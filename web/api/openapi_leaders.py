"""The leaders' part of the OpenAPI document: heatmaps, knowledge base, recommendations,
monthly meetings."""

from __future__ import annotations

from typing import Any

from engine.element_heat import TIERS
from engine.heatmap import AXES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


STAFF: list[dict[str, list[str]]] = [{"bearer": []}]
UNAUTHORIZED = {"401": _json(_ref("Error"), "No or invalid bearer token (code `unauthorized`).")}
FORBIDDEN = {"403": _json(_ref("Error"), "The caller's role may not read this (`not_allowed`).")}
NOT_FOUND = {"404": _json(_ref("Error"), "No such entry or meeting (`not_found`).")}
INVALID = {"422": _json(_ref("Error"), "A bad parameter, named in `fields` (`form_invalid`).")}


HEAT_PARAMETERS = [
    {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
    for name, schema, text in (
        ("version", {"type": "integer"}, "The version number (default: the latest)."),
        ("tier", {"type": "string", "enum": list(TIERS)}, "Cases received at this tier."),
        ("from", {"type": "string", "format": "date"}, "First day a task reached its element."),
        ("to", {"type": "string", "format": "date"}, "Last day (included)."),
    )
]  # fmt: skip


def _path(name: str, text: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"},
            "description": text}  # fmt: skip


def leaders_paths(report_parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """The leaders' endpoints (`report_parameters`: the rates report's filters)."""
    axis = {"type": "string", "enum": list(AXES)}
    axes = [
        {"name": "rows", "in": "query", "required": False, "schema": axis,
         "description": "What the rows are (default kind)."},
        {"name": "columns", "in": "query", "required": False, "schema": axis,
         "description": "What the columns are (default unit); must differ from rows."},
    ]  # fmt: skip
    filters = [p for p in report_parameters if p["name"] != "group_by"]
    return {
        "/api/v1/reports/heatmap": {"get": {
            "summary": "Cases received per (rows, columns) value pair and each cell's on-time "
                       "share; the same scope as the rates report.",
            "security": STAFF, "parameters": axes + filters,
            "responses": {"200": _json(_ref("Heatmap"), "The matrix."),
                          **UNAUTHORIZED, **FORBIDDEN, **INVALID}}},
        "/api/v1/processes/{process_id}/heatmap": {"get": {
            "summary": "The SLA heatmap of a process version: per user task, the cases through "
                       "it, the median working time spent there (working calendar), the share "
                       "that breached its deadline, and its cases (leaders, process admins).",
            "security": STAFF,
            "parameters": [_path("process_id", "The process id, e.g. closed_loop."),
                           *HEAT_PARAMETERS],
            "responses": {"200": _json(_ref("ProcessHeatmap"), "The elements, most cases first."),
                          **UNAUTHORIZED, **FORBIDDEN,
                          "404": _json(_ref("Error"), "No such process (`not_found`)."),
                          **INVALID}}},
        "/api/v1/knowledge": {"get": {
            "summary": "Knowledge-base entries holding every whitespace-separated term of q.",
            "security": STAFF,
            "parameters": [{"name": "q", "in": "query", "required": False,
                            "schema": {"type": "string", "maxLength": 200}}],
            "responses": {"200": _json({"type": "object", "properties": {
                "entries": {"type": "array", "items": _ref("KnowledgeEntry")}}},
                "Newest first, at most 50."), **UNAUTHORIZED, **FORBIDDEN}}},
        "/api/v1/knowledge/{key}": {"get": {
            "summary": "One knowledge-base entry.", "security": STAFF,
            "parameters": [_path("key", "The entry's number, e.g. KB-12.")],
            "responses": {"200": _json(_ref("KnowledgeEntry"), "The entry."),
                          **UNAUTHORIZED, **FORBIDDEN, **NOT_FOUND}}},
        "/api/v1/recommendations": {"get": {
            "summary": "Recommendations made upward still awaiting an answer, oldest first.",
            "security": STAFF,
            "responses": {"200": _json({"type": "object", "properties": {
                "recommendations": {"type": "array", "items": _ref("OpenRecommendation")}}},
                "With their age in days."), **UNAUTHORIZED, **FORBIDDEN}}},
        "/api/v1/knowledge/{key}/answer": {"post": {
            "summary": "Record the higher level's answer to a recommendation made upward "
                       "(leading-group office, joint meeting).",
            "security": STAFF,
            "parameters": [_path("key", "The entry's number, e.g. KB-12.")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["answer_text"], "properties": {
                    "answer_text": {"type": "string", "maxLength": 4000},
                    "answered_on": {"type": "string", "format": "date",
                                    "description": "The day the answer came (default today)."}},
            }}}},
            "responses": {"200": _json(_ref("KnowledgeEntry"), "The entry, answered."),
                          "400": _json(_ref("Error"), "The body is not a JSON object "
                                       "(`invalid_json`)."),
                          "409": _json(_ref("Error"), "Answered already (`conflict`)."),
                          **UNAUTHORIZED, **FORBIDDEN, **NOT_FOUND, **INVALID}}},
        "/api/v1/meetings": {"get": {
            "summary": "The monthly joint meetings, newest first (leaders).", "security": STAFF,
            "responses": {"200": _json({"type": "object", "properties": {
                "meetings": {"type": "array", "items": _ref("Meeting")}}}, "Meetings."),
                **UNAUTHORIZED, **FORBIDDEN}}},
        "/api/v1/meetings/{key}": {"get": {
            "summary": "One monthly meeting: agenda cases and the decisions taken.",
            "security": STAFF, "parameters": [_path("key", "The meeting's case number.")],
            "responses": {"200": _json(_ref("Meeting"), "The meeting."),
                          **UNAUTHORIZED, **FORBIDDEN, **NOT_FOUND}}},
    }  # fmt: skip


def leaders_schemas() -> dict[str, Any]:
    """The schemas the leaders' endpoints return."""
    text = {"type": "string"}
    maybe = {"type": "string", "nullable": True}
    texts = {"type": "array", "items": text}
    count = {"type": "integer"}
    cell = {
        "type": "object",
        "properties": {
            "row": text,
            "column": text,
            "received": count,
            "finished_on_time": count,
            "finished_or_overdue": count,
            "on_time_rate": {"type": "number", "nullable": True},
        },
    }
    item = {
        "type": "object",
        "properties": {
            "index": count,
            "case_key": text,
            "title": text,
            "reason": text,
            "case_status": text,
            "decision": {"type": "object", "nullable": True, "additionalProperties": True},
            "started": {
                "type": "object",
                "description": "Cases the decision started: "
                "handling_case (交办), consultation_case (会诊).",
                "additionalProperties": {"type": "string"},
            },
        },
    }
    return {
        "ProcessHeatmap": _process_heatmap(),
        "Heatmap": {"type": "object", "properties": {
            "rows_by": text, "columns_by": text, "rows": texts, "columns": texts,
            "cells": {"type": "array", "items": cell}}},
        "KnowledgeEntry": {"type": "object", "properties": {
            "id": text, "title": text, "problem": text, "remedy": text, "legal_basis": text,
            "kind": maybe, "category": maybe, "keywords": texts, "departments": texts,
            "status": {"type": "string", "enum": ["explained", "rule_changed", "recommended"]},
            "source_cases": texts, "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "answer": {"type": "object", "nullable": True, "properties": {
                "state": {"type": "string", "enum": ["awaiting", "answered"]},
                "recommended_to": maybe, "text": maybe,
                "at": {"type": "string", "format": "date-time", "nullable": True},
                "by": maybe}}}},
        "OpenRecommendation": {"type": "object", "properties": {
            "id": text, "title": text, "recommended_to": maybe,
            "since": {"type": "string", "format": "date-time"}, "age_days": count,
            "source_cases": texts}},
        "Meeting": {"type": "object", "properties": {
            "key": text, "title": text, "period": text, "status": text, "meeting_date": maybe,
            "chair": maybe, "current": {"type": "integer", "nullable": True},
            "items": {"type": "array", "items": item}}},
    }  # fmt: skip


def _process_heatmap() -> dict[str, Any]:
    """The schema of `GET /api/v1/processes/{process_id}/heatmap`."""
    text, count = {"type": "string"}, {"type": "integer"}
    maybe_number = {"type": "number", "nullable": True}
    instant = {"type": "string", "format": "date-time"}
    case = {
        "type": "object",
        "properties": {
            "key": text,
            "title": text,
            "opened_at": instant,
            "closed_at": {**instant, "nullable": True},
            "working_hours": {"type": "number"},
            "breached": {"type": "boolean"},
        },
    }
    element = {
        "type": "object",
        "properties": {
            "element_id": text,
            "name": text,
            "on_diagram": {"type": "boolean", "description": "False: drawn in a called process."},
            "cases": count,
            "tasks": count,
            "open": count,
            "median_working_hours": maybe_number,
            "with_due": count,
            "breached": count,
            "breach_share": maybe_number,
            "case_list": {
                "type": "array",
                "items": case,
                "description": "Breached first, then longest; at most 200.",
            },
        },
    }
    return {"type": "object", "properties": {
        "process_id": text, "name": text, "version": count,
        "versions": {"type": "array", "items": count},
        "tier": {"type": "string", "nullable": True},
        "from": {**instant, "nullable": True}, "to": {**instant, "nullable": True},
        "elements": {"type": "array", "items": element}}}  # fmt: skip

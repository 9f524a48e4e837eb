"""The organisation part of the OpenAPI document (kept apart from openapi.py to merge easily)."""

from __future__ import annotations

from typing import Any

from engine.orgchart import KINDS, ROLES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


STAFF: list[dict[str, list[str]]] = [{"bearer": []}]
ERROR = _ref("Error")
READ_ERRORS = {
    "401": _json(ERROR, "No or invalid bearer token (`unauthorized`)."),
    "403": _json(ERROR, "The caller is not an organisation or process admin (`not_allowed`)."),
}
WRITE_ERRORS = {
    **READ_ERRORS,
    "400": _json(ERROR, "The body is not a JSON object the API can read (`invalid_json`)."),
    "413": _json(ERROR, "The body is larger than MAX_CONTENT_LENGTH."),
    "422": _json(ERROR, "Bad values, one entry per field in `errors` (`form_invalid`)."),
}
NOT_FOUND = {"404": _json(ERROR, "No such unit or user (`not_found`).")}
CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "The unit's code."}  # fmt: skip
USERNAME = {"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}


def org_paths() -> dict[str, Any]:
    """The organisation endpoints."""
    text = {"type": "string"}
    unit_list = {
        "type": "object",
        "properties": {"units": {"type": "array", "items": _ref("OrgUnit")}},
    }
    staff_list = {
        "type": "object",
        "properties": {"staff": {"type": "array", "items": _ref("OrgStaff")}},
    }
    return {
        "/api/v1/org/units": {
            "get": {"summary": "Every organisation unit, open and closed.", "security": STAFF,
                    "responses": {"200": _json(unit_list, "The units."), **READ_ERRORS}},
            "post": {"summary": "Add a unit (its code is permanent; cases store it).",
                     "security": STAFF, "requestBody": _body(_ref("OrgUnitCreate")),
                     "responses": {"201": _json(_ref("OrgUnit"), "The new unit."),
                                   **WRITE_ERRORS,
                                   "409": _json(ERROR, "The code was just taken (`conflict`).")}}},
        "/api/v1/org/units/{code}/rename": {"post": {
            "summary": "Rename a unit from now on; history keeps the name of its time.",
            "security": STAFF, "parameters": [CODE],
            "requestBody": _body({"type": "object", "required": ["name"],
                                  "properties": {"name": text}}),
            "responses": {"200": _json(_ref("OrgUnit"), "The renamed unit."), **WRITE_ERRORS,
                          **NOT_FOUND}}},
        "/api/v1/org/units/{code}/close": {"post": {
            "summary": "Close a unit: forms stop offering it (refused while it has staff).",
            "security": STAFF, "parameters": [CODE],
            "responses": {"200": _json(_ref("OrgUnit"), "The closed unit."), **WRITE_ERRORS,
                          **NOT_FOUND}}},
        "/api/v1/org/units/{code}/reopen": {"post": {
            "summary": "Open a closed unit again (its parent must be open).",
            "security": STAFF, "parameters": [CODE],
            "responses": {"200": _json(_ref("OrgUnit"), "The reopened unit."), **WRITE_ERRORS,
                          **NOT_FOUND}}},
        "/api/v1/org/staff": {
            "get": {"summary": "Every staff member, active and disabled.", "security": STAFF,
                    "responses": {"200": _json(staff_list, "The staff."), **READ_ERRORS}},
            "post": {"summary": "Add a staff member; the roles give their task groups.",
                     "security": STAFF, "requestBody": _body(_ref("OrgStaffCreate")),
                     "responses": {"201": _json(_ref("OrgStaff"), "The new staff member."),
                                   **WRITE_ERRORS,
                                   "409": _json(ERROR, "The username was just taken.")}}},
        "/api/v1/org/staff/{username}/active": {"post": {
            "summary": "Disable (`active: false`) or enable a staff account.",
            "security": STAFF, "parameters": [USERNAME],
            "requestBody": _body({"type": "object", "required": ["active"],
                                  "properties": {"active": {"type": "boolean"}}}),
            "responses": {"200": _json(_ref("OrgStaff"), "The staff member."), **WRITE_ERRORS,
                          **NOT_FOUND}}},
        "/api/v1/org/export": {"get": {
            "summary": "Units and staff in the import format.", "security": STAFF,
            "responses": {"200": _json(_ref("OrgData"), "The organisation."), **READ_ERRORS}}},
        "/api/v1/org/import": {"post": {
            "summary": "Import units, then staff; all or nothing, with each row's result.",
            "security": STAFF, "requestBody": _body(_ref("OrgData")),
            "responses": {"200": _json(_ref("OrgImport"), "Applied."),
                          **WRITE_ERRORS,
                          "422": _json({"oneOf": [_ref("OrgImport"), ERROR]},
                                       "Some rows failed (nothing applied; `applied: false`), "
                                       "or the body is not an organisation (`form_invalid`).")}}},
    }  # fmt: skip


def org_schemas() -> dict[str, Any]:
    """The organisation schemas."""
    text = {"type": "string"}
    kind = {"type": "string", "enum": list(KINDS)}
    roles = {"type": "array", "items": {"type": "string", "enum": list(ROLES)}}
    return {
        "OrgUnit": {"type": "object", "required": ["code", "name", "kind"], "properties": {
            "code": text, "name": text, "kind": kind,
            "parent": {"type": "string", "nullable": True},
            "closed_at": {"type": "string", "format": "date-time", "nullable": True},
            "staff": {"type": "integer", "description": "Active staff members."}}},
        "OrgUnitCreate": {"type": "object", "required": ["code", "name", "kind"], "properties": {
            "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]{1,49}$"},
            "name": text, "kind": kind, "parent": {"type": "string", "nullable": True}}},
        "OrgStaff": {"type": "object", "required": ["username", "name"], "properties": {
            "username": text, "name": text, "unit": {"type": "string", "nullable": True},
            "roles": {"type": "array", "items": text}, "groups": {"type": "array", "items": text},
            "active": {"type": "boolean"}}},
        "OrgStaffCreate": {"type": "object", "required": ["username", "name", "unit", "roles"],
                           "properties": {"username": text, "name": text, "unit": text,
                                          "roles": roles, "password": text}},
        "OrgData": {"type": "object", "properties": {
            "units": {"type": "array", "items": {"type": "object"}},
            "users": {"type": "array", "items": {"type": "object"}}}},
        "OrgImport": {"type": "object", "required": ["applied", "rows"], "properties": {
            "applied": {"type": "boolean"},
            "rows": {"type": "array", "items": {"type": "object", "properties": {
                "line": {"type": "integer"}, "what": {"type": "string",
                                                      "enum": ["unit", "staff"]},
                "key": text, "action": {"type": "string", "enum": [
                    "created", "updated", "unchanged", "error"]},
                "errors": {"type": "array", "items": {"type": "object"}}}}}}},
    }  # fmt: skip

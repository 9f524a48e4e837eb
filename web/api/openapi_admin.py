"""The process admins' part of the OpenAPI document (kept apart from openapi.py to merge
easily): processes, versions and files, deployments, diffs, migrations, the admin log."""

from __future__ import annotations

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _obj(properties: dict[str, Any], required: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = sorted(properties)
    return schema


def _list(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


STAFF: list[dict[str, list[str]]] = [{"bearer": []}]
TEXT = {"type": "string"}
INT = {"type": "integer"}
TEXTS = {"type": "array", "items": TEXT}
WHEN = {"type": "string", "format": "date-time"}
PROCESS_ID = {"name": "process_id", "in": "path", "required": True, "schema": TEXT}
NUMBER = {"name": "number", "in": "path", "required": True,
          "schema": {"type": "integer", "minimum": 1}}  # fmt: skip
ERROR = _ref("Error")
READ_ERRORS = {
    "401": _json(ERROR, "No or invalid bearer token (code `unauthorized`)."),
    "404": _json(ERROR, "No such process, version or file (`not_found`)."),
}
WRITE_ERRORS = {
    **READ_ERRORS,
    "403": _json(ERROR, "The caller is not a process admin (`not_allowed`)."),
}
BODY_ERRORS = {
    "400": _json(ERROR, "The body is not a JSON object the API can read (`invalid_json`)."),
    "413": _json(ERROR, "The body is larger than MAX_CONTENT_LENGTH (`payload_too_large`)."),
}
MIGRATION_BODY = {"required": True, "content": {"application/json": {"schema": _obj({
    "process_id": TEXT,
    "keys": {**TEXTS, "description": "Case numbers; or omit and give `from_version`."},
    "from_version": {"type": "integer", "minimum": 1,
                     "description": "Every open case of this version."},
    "to_version": {"type": "integer", "minimum": 1, "description": "Default: the latest."},
    "reason": {"type": "string", "description": "Why (kept in each case's history)."},
}, required=False) | {"required": ["process_id"]}}}}  # fmt: skip
BAD_MIGRATION = _json(ERROR, "Missing or malformed fields, per field in `fields` "
                      "(`validation_failed`).")  # fmt: skip


def admin_paths() -> dict[str, Any]:
    """The process admins' endpoints."""
    version_path = "/api/v1/processes/{process_id}/versions/{number}"
    return {
        "/api/v1/processes": {"get": {
            "summary": "Every deployed process with its versions (any signed-in staff).",
            "security": STAFF,
            "responses": {"200": _json(_obj({"processes": _list("Process")}), "Processes."),
                          "401": READ_ERRORS["401"]}}},
        "/api/v1/processes/{process_id}/versions": {"get": {
            "summary": "One process's versions: who deployed, when, note, case counts.",
            "security": STAFF, "parameters": [PROCESS_ID],
            "responses": {"200": _json(_ref("Process"), "The process."), **READ_ERRORS}}},
        f"{version_path}/files": {"get": {
            "summary": "The files of one version with their text.", "security": STAFF,
            "parameters": [PROCESS_ID, NUMBER],
            "responses": {"200": _json(_obj({"process_id": TEXT, "version": INT, "files": {
                "type": "array", "items": _obj({"name": TEXT, "content": TEXT})}}),
                "Diagram, decision and form files."), **READ_ERRORS}}},
        f"{version_path}/files/{{name}}": {"get": {
            "summary": "One file of a version, as a download.", "security": STAFF,
            "parameters": [PROCESS_ID, NUMBER,
                           {"name": "name", "in": "path", "required": True, "schema": TEXT}],
            "responses": {"200": {"description": "The file's bytes.", "content": {
                "application/xml": {}, "application/json": {},
                "application/octet-stream": {}}}, **READ_ERRORS}}},
        "/api/v1/processes/{process_id}/diff": {"get": {
            "summary": "What changed from version `a` to version `b`: elements added, "
                       "removed and changed (attributes, form fields, conditions).",
            "security": STAFF,
            "parameters": [PROCESS_ID, *({"name": n, "in": "query", "required": True,
                                          "schema": {"type": "integer", "minimum": 1}}
                                         for n in ("a", "b"))],
            "responses": {"200": _json(_ref("VersionDiff"), "The differences."), **READ_ERRORS,
                          "422": _json(ERROR, "`a` or `b` missing or not a positive "
                                       "integer (`validation_failed`).")}}},
        "/api/v1/admin/actions": {"get": {
            "summary": "The admin log (deploys, migrations), newest first.", "security": STAFF,
            "parameters": [{"name": "process_id", "in": "query", "required": False,
                            "schema": TEXT}],
            "responses": {"200": _json(_obj({"actions": _list("AdminAction")}), "Entries."),
                          "401": READ_ERRORS["401"]}}},
        "/api/v1/deployments": {"post": {
            "summary": "Validate and deploy uploaded diagrams, decisions and forms with a note "
                       "(process admins). A process whose files changed gets version N+1.",
            "security": STAFF,
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["files"], "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "note": {"type": "string", "description": "Why this change."},
                    "expected_base": {"type": "string", "description": 'JSON object: process '
                                      'id -> the version the change was made on, e.g. '
                                      '{"closed_loop": 3}; another deploy since then is 409.'},
                }}}}},
            "responses": {
                "201": _json(_ref("DeployResult"), "New versions were created."),
                "200": _json(_ref("DeployResult"), "Nothing changed: no new version."),
                **WRITE_ERRORS, "400": BODY_ERRORS["400"], "413": BODY_ERRORS["413"],
                "409": _json(ERROR, "Someone deployed on top of `expected_base` meanwhile "
                             "(`stale_base`)."),
                "422": _json({"anyOf": [_ref("DeployRefused"), ERROR]},
                             "The files have defects, each with file, line, element, code and "
                             "message (`invalid_process`); or the upload itself is incomplete "
                             "(`validation_failed`)."),
            }}},
        "/api/v1/migrations/check": {"post": {
            "summary": "Per case: can it move to the target version, why not, what changes "
                       "(process admins; changes nothing).",
            "security": STAFF, "requestBody": MIGRATION_BODY,
            "responses": {"200": _json(_ref("MigrationPlan"), "One answer per case."),
                          **WRITE_ERRORS, **BODY_ERRORS, "422": BAD_MIGRATION}}},
        "/api/v1/migrations": {"post": {
            "summary": "Move running cases to the target version; each moved case gets one "
                       "`migrated` event (process admins).",
            "security": STAFF, "requestBody": MIGRATION_BODY,
            "responses": {"200": _json(_ref("MigrationResult"), "Moved and stayed cases."),
                          **WRITE_ERRORS, **BODY_ERRORS, "422": BAD_MIGRATION,
                          "409": _json(ERROR, "A case changed meanwhile (`stale_case`).")}}},
    }  # fmt: skip


REASON_PARAMS = {
    "type": "array", "description": "Per reason: the element, field or error it names.",
    "items": {"type": "object", "additionalProperties": TEXT},
}  # fmt: skip


def admin_schemas() -> dict[str, Any]:
    """The schemas of the admin endpoints."""
    nullable_int = {"type": "integer", "nullable": True}
    element = {"element": TEXT, "name": TEXT, "kind": TEXT, "process": TEXT}
    case = _obj({"case_no": TEXT, "from_version": INT, "to_version": INT,
                 "can_move": {"type": "boolean"}, "reasons": TEXTS, "reason_codes": TEXTS,
                 "active": TEXTS, "changes": TEXTS, "reason_params": REASON_PARAMS})  # fmt: skip
    finding = _obj({"file": TEXT, "line": nullable_int, "element": TEXT, "code": TEXT,
                    "message": TEXT})  # fmt: skip
    return {
        "Version": _obj({"version": INT, "name": TEXT, "deployed_by": TEXT,
                         "deployed_at": WHEN, "content_hash": TEXT, "files": TEXTS,
                         "note": TEXT, "running": INT, "finished": INT}),
        "Process": _obj({"process_id": TEXT, "name": TEXT, "versions": _list("Version")}),
        "Finding": finding,
        "DeployRefused": _obj({"error": _obj({
            "code": {"type": "string", "enum": ["invalid_process"]}, "message": TEXT,
            "errors": _list("Finding")})}),
        "DeployResult": _obj({
            "deployment_id": nullable_int, "changed": {"type": "boolean"},
            "versions": {"type": "array", "items": _obj({
                "process_id": TEXT, "name": TEXT, "version": INT,
                "created": {"type": "boolean"}})},
            "warnings": _list("Finding")}),
        "VersionDiff": _obj({
            "process_id": TEXT, "a": INT, "b": INT, "files": TEXTS,
            "added": {"type": "array", "items": _obj(element)},
            "removed": {"type": "array", "items": _obj(element)},
            "changed": {"type": "array", "items": _obj({
                **element, "attributes": TEXTS, "fields": TEXTS, "conditions": TEXTS,
                "rules": TEXTS})}}),
        "CaseMigration": case,
        "MigrationPlan": _obj({"process_id": TEXT, "to_version": INT,
                               "cases": _list("CaseMigration")}),
        "MigrationResult": _obj({"process_id": TEXT, "to_version": INT, "moved": TEXTS,
                                 "stayed": _list("CaseMigration")}),
        "AdminAction": _obj({"id": INT, "at": WHEN, "actor": TEXT, "kind": TEXT,
                             "process_id": {"type": "string", "nullable": True},
                             "note": TEXT, "details": {"type": "object"}}),
    }  # fmt: skip

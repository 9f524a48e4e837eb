"""The process admins' endpoints under /api/v1 (listed in openapi_admin.py).

Every signed-in staff member may read processes, versions, files, diffs and the admin
log; deploying, checking and running a migration need the `process_admin` role (403
otherwise). The engine's `Service.admin` facade does the work and checks the role again.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from flask import Response, jsonify, request

from engine.admin import DeployRefused
from engine.errors import NotAllowed
from engine.organisation import UserView
from engine.recalculation import PROCESS_ADMIN

from .. import db
from ..errors import json_error
from ..i18n import gettext as _
from . import tokens
from .admin_serialize import (
    action,
    deploy_result,
    diff,
    migration_plan,
    migration_result,
    process,
    version,
)
from .blueprint import bp
from .body import json_object

MAX_FILES = 50
MIME = {".bpmn": "application/xml", ".dmn": "application/xml", ".json": "application/json"}


def _admin() -> UserView:
    """The signed-in staff member if a process admin, else 403."""
    user = tokens.staff()
    if PROCESS_ADMIN not in user.roles:
        raise NotAllowed("only process admins may deploy or migrate")
    return user


@bp.get("/processes")
def processes() -> Any:
    """Every deployed process with its versions."""
    tokens.staff()
    return jsonify(processes=[process(p) for p in db.service().admin.processes()])


@bp.get("/processes/<process_id>/versions")
def process_versions(process_id: str) -> Any:
    """One process's versions, oldest first."""
    tokens.staff()
    found = db.service().admin.process(process_id)
    return jsonify(process_id=found.process_id, name=found.name,
                   versions=[version(v) for v in found.versions])  # fmt: skip


@bp.get("/processes/<process_id>/versions/<int:number>/files")
def version_files(process_id: str, number: int) -> Any:
    """The files of one version, with their text."""
    tokens.staff()
    files = db.service().admin.version_files(process_id, number)
    return jsonify(process_id=process_id, version=number, files=[
        {"name": name, "content": content.decode("utf-8", errors="replace")}
        for name, content in sorted(files.items())])  # fmt: skip


@bp.get("/processes/<process_id>/versions/<int:number>/files/<name>")
def version_file(process_id: str, number: int, name: str) -> Any:
    """One file of a version, as a download."""
    tokens.staff()
    files = db.service().admin.version_files(process_id, number)
    if name not in files:
        return json_error(404, "not_found", _("未找到"))
    suffix = PurePosixPath(name).suffix.lower()
    response = Response(files[name], mimetype=MIME.get(suffix, "application/octet-stream"))
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quoted(name)}"
    return response


@bp.get("/processes/<process_id>/diff")
def process_diff(process_id: str) -> Any:
    """What changed from version `a` to version `b`."""
    tokens.staff()
    numbers = {name: request.args.get(name, "") for name in ("a", "b")}
    bad = {n: _("须为正整数") for n, text in numbers.items() if not _positive(text)}
    if bad:
        return json_error(422, "validation_failed", _("请给出要比较的两个版本号"), bad)
    found = db.service().admin.diff(process_id, int(numbers["a"]), int(numbers["b"]))
    return jsonify(diff(found))


@bp.get("/admin/actions")
def admin_actions() -> Any:
    """The admin log, newest first (`process_id` narrows it to one process)."""
    tokens.staff()
    process_id = request.args.get("process_id") or None
    return jsonify(actions=[action(a) for a in db.service().admin.actions(process_id)])


@bp.post("/deployments")
def create_deployment() -> Any:
    """Upload diagrams, decisions and forms (multipart `files`) with a `note`."""
    user = _admin()
    files, problems = _uploaded_files()
    base, base_problem = _expected_base()
    if base_problem:
        problems["expected_base"] = base_problem
    if problems:
        return json_error(422, "validation_failed", _("上传内容不符合要求"), problems)
    note = request.form.get("note", "")
    try:
        result = db.service().admin.deploy_files(files, note, user.username, base)
    except DeployRefused as refused:
        db.rollback()
        return json_error(422, refused.code, _("图中有错误，没有部署"),
                          errors=[f.to_dict() for f in refused.findings])  # fmt: skip
    db.commit()
    return jsonify(deploy_result(result)), 201 if result.changed else 200


@bp.post("/migrations/check")
def check_migration() -> Any:
    """Per case: can it move to the target version, why not, and what changes."""
    _admin()
    request_ = _migration_request()
    if isinstance(request_, tuple):
        return request_
    plan = db.service().admin.check_migration(
        request_["process_id"], request_["keys"], request_["from_version"],
        request_["to_version"],
    )  # fmt: skip
    return jsonify(migration_plan(plan))


@bp.post("/migrations")
def run_migration() -> Any:
    """Move the cases that can move; the others stay, with their reasons."""
    user = _admin()
    request_ = _migration_request()
    if isinstance(request_, tuple):
        return request_
    result = db.service().admin.migrate(
        request_["process_id"], user.username, request_["reason"], request_["keys"],
        request_["from_version"], request_["to_version"],
    )  # fmt: skip
    db.commit()
    return jsonify(migration_result(result))


def _uploaded_files() -> tuple[dict[str, bytes], dict[str, str]]:
    uploads = request.files.getlist("files")
    if not uploads:
        return {}, {"files": _("请至少上传一个文件")}
    if len(uploads) > MAX_FILES:
        return {}, {"files": _("一次最多上传 {n} 个文件", n=MAX_FILES)}
    files: dict[str, bytes] = {}
    for upload in uploads:
        name = PureWindowsPath(PurePosixPath(upload.filename or "").name).name.strip()
        if not name or name in files:
            return {}, {"files": _("每个文件须有不重复的文件名")}
        files[name] = upload.read()
    return files, {}


def _expected_base() -> tuple[dict[str, int] | None, str | None]:
    text = request.form.get("expected_base", "").strip()
    if not text:
        return None, None
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in value.items()
    ):
        return None, _("须为 JSON 对象：流程编号对应所基于的版本号")
    return value, None


def _migration_request() -> dict[str, Any] | tuple[Any, int]:
    """The migration body: process_id, and keys or from_version; to_version, reason."""
    body = json_object()
    problems: dict[str, str] = {}
    process_id = body.get("process_id")
    if not isinstance(process_id, str) or not process_id:
        problems["process_id"] = _("此项为必填项")
    keys = body.get("keys")
    if keys is not None and (not isinstance(keys, list) or len(keys) > 1000
                             or not all(isinstance(k, str) for k in keys)):  # fmt: skip
        problems["keys"] = _("须为案件编号的列表")
    numbers = {name: body.get(name) for name in ("from_version", "to_version")}
    for name, value in numbers.items():
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 1):  # fmt: skip
            problems[name] = _("须为正整数")
    if not keys and numbers["from_version"] is None and "keys" not in problems:
        problems["keys"] = _("请给出案件编号，或给出其案件要迁移的版本")
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        problems["reason"] = _("须为文字")
    if problems:
        return json_error(422, "validation_failed", _("迁移请求不符合要求"), problems)
    return {"process_id": process_id, "keys": keys or None, "reason": reason, **numbers}


def _positive(text: str) -> bool:
    return text.isdigit() and int(text) >= 1 and len(text) < 10


def _quoted(name: str) -> str:
    return quote(name, safe="")

"""The process admins' endpoints under /api/v1 (shapes in schemas/admin.py).

Every signed-in staff member may read processes, versions, files, diffs and the admin
log; deploying, checking and running a migration need the `process_admin` role (403
otherwise). The engine's `Service.admin` facade does the work and checks the role again.
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from flask import Response

from engine.admin import DeployRefused
from engine.errors import FieldError, NotAllowed
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
)
from .operations import File, Reply, operation, staff_with
from .schemas import admin as shapes
from .schemas.errors import ErrorBody
from .validation import rejected

MIME = {".bpmn": "application/xml", ".dmn": "application/xml", ".json": "application/json"}
NOT_ADMIN = {403: "The caller is not a process admin (`not_allowed`)."}


def _admin() -> UserView:
    """The signed-in staff member if a process admin, else 403."""
    user = tokens.staff()
    if PROCESS_ADMIN not in user.roles:
        raise NotAllowed("only process admins may deploy or migrate")
    return user


ADMIN = staff_with(_admin)


@operation("get", "/processes", ok=Reply(shapes.Processes, "Processes."))
def processes(user: UserView) -> shapes.Processes:
    """Every deployed process with its versions (any signed-in staff)."""
    return shapes.Processes(processes=[process(p) for p in db.service().admin.processes()])


@operation("get", "/processes/<process_id>/versions", ok=Reply(shapes.Process, "The process."))
def process_versions(process_id: str, user: UserView) -> shapes.Process:
    """One process's versions: who deployed, when, note, case counts."""
    return process(db.service().admin.process(process_id))


@operation("get", "/processes/<process_id>/versions/<int:number>/files",
           ok=Reply(shapes.VersionFiles, "Diagram, decision and form files."))  # fmt: skip
def version_files(process_id: str, number: int, user: UserView) -> shapes.VersionFiles:
    """The files of one version with their text."""
    files = db.service().admin.version_files(process_id, number)
    return shapes.VersionFiles(process_id=process_id, version=number, files=[
        shapes.VersionFile(name=name, content=content.decode("utf-8", errors="replace"))
        for name, content in sorted(files.items())])  # fmt: skip


@operation(
    "get", "/processes/<process_id>/versions/<int:number>/files/<name>",
    ok=File(("application/xml", "application/json", "application/octet-stream"),
            "The file's bytes."),
    path_text={"name": "The file's name."},
)  # fmt: skip
def version_file(process_id: str, number: int, name: str, user: UserView) -> Any:
    """One file of a version, as a download."""
    files = db.service().admin.version_files(process_id, number)
    if name not in files:
        return json_error(404, "not_found", _("未找到"))
    suffix = PurePosixPath(name).suffix.lower()
    response = Response(files[name], mimetype=MIME.get(suffix, "application/octet-stream"))
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quoted(name)}"
    return response


@operation("get", "/processes/<process_id>/diff", query=shapes.DiffQuery,
           ok=Reply(shapes.VersionDiff, "The differences."))  # fmt: skip
def process_diff(process_id: str, user: UserView, query: shapes.DiffQuery) -> shapes.VersionDiff:
    """What changed from version `a` to version `b`: elements added, removed and changed
    (attributes, form fields, conditions)."""
    return diff(db.service().admin.diff(process_id, query.a, query.b))


@operation("get", "/admin/actions", query=shapes.ActionsQuery,
           ok=Reply(shapes.AdminActions, "Entries."))  # fmt: skip
def admin_actions(user: UserView, query: shapes.ActionsQuery) -> shapes.AdminActions:
    """The admin log (deploys, migrations), newest first."""
    found = db.service().admin.actions(query.process_id or None)
    return shapes.AdminActions(actions=[action(a) for a in found])


@operation(
    "post", "/deployments", access=ADMIN, form=shapes.DeploymentUpload,
    ok={201: Reply(shapes.DeployResult, "New versions were created."),
        200: Reply(shapes.DeployResult, "Nothing changed: no new version.")},
    errors={**NOT_ADMIN,
            409: "Someone deployed on top of `expected_base` meanwhile (`stale_base`).",
            422: Reply(shapes.DeployRefused | ErrorBody,
                       "The files have defects, each with file, line, element, code and "
                       "message (`invalid_process`); or the upload itself is incomplete "
                       "(`validation_failed`).")},
)  # fmt: skip
def create_deployment(user: UserView, form: shapes.DeploymentUpload) -> Any:
    """Validate and deploy uploaded diagrams, decisions and forms with a note (process
    admins). A process whose files changed gets version N+1."""
    files: dict[str, bytes] = {}
    for upload in form.files:
        name = PureWindowsPath(PurePosixPath(upload.filename or "").name).name.strip()
        if not name or name in files:
            message = _("每个文件须有不重复的文件名")
            return rejected([FieldError("files", "invalid", {}, message)], message)
        files[name] = upload.read()
    try:
        result = db.service().admin.deploy_files(files, form.note, user.username,
                                                 form.expected_base)  # fmt: skip
    except DeployRefused as refused:
        db.rollback()
        return json_error(422, refused.code, _("图中有错误，没有部署"),
                          errors=[f.to_dict() for f in refused.findings])  # fmt: skip
    db.commit()
    return deploy_result(result), 201 if result.changed else 200


@operation(
    "post", "/migrations/check", access=ADMIN, body=shapes.MigrationRequest,
    ok=Reply(shapes.MigrationPlan, "One answer per case."), errors=NOT_ADMIN,
)  # fmt: skip
def check_migration(user: UserView, body: shapes.MigrationRequest) -> shapes.MigrationPlan:
    """Per case: can it move to the target version, why not, what changes (process admins;
    changes nothing)."""
    plan = db.service().admin.check_migration(
        body.process_id, body.keys or None, body.from_version, body.to_version
    )
    return migration_plan(plan)


@operation(
    "post", "/migrations", access=ADMIN, body=shapes.MigrationRequest,
    ok=Reply(shapes.MigrationResult, "Moved and stayed cases."),
    errors={**NOT_ADMIN, 409: "A case changed meanwhile (`stale_case`)."},
)  # fmt: skip
def run_migration(user: UserView, body: shapes.MigrationRequest) -> shapes.MigrationResult:
    """Move running cases to the target version; each moved case gets one `migrated` event
    (process admins)."""
    result = db.service().admin.migrate(
        body.process_id, user.username, body.reason, body.keys or None, body.from_version,
        body.to_version,
    )  # fmt: skip
    db.commit()
    return migration_result(result)


def _quoted(name: str) -> str:
    return quote(name, safe="")

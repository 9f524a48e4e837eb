"""The processes page: every process and its versions, file downloads, uploads, diffs.

Everyone signed in may read; uploading (a deployment, with a note) is the process
admin's. The engine side is `service().admin` (engine/admin.py): versions with who
deployed them, when, their content hash, files, case counts and notes; the admin action
log; deploy with validation findings; the diff of two versions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from engine.acting import SYSTEM
from engine.errors import Conflict, InvalidProcess

from . import db
from .adminshared import (
    SOURCE_SUFFIXES,
    element_names,
    finding_dict,
    is_admin,
    main_diagram,
    named,
    require_admin,
)
from .auth import login_required
from .casefacts import people
from .i18n import gettext as _

bp = Blueprint("processes", __name__, url_prefix="/processes")
NOTE_LIMIT = 2000


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    """Every process with its versions, and (for admins) the upload form and action log."""
    return _index_page()


def _index_page(findings: list[dict[str, Any]] | None = None, note: str = "") -> tuple[str, int]:
    admin = db.service().admin
    processes = admin.processes()
    actions = admin.actions(limit=50) if is_admin() else []
    status = 422 if findings else 200
    names = {p.process_id: p.name for p in processes}
    return render_template("processes/index.html", processes=processes, actions=actions,
                           findings=findings or [], note=note, admin=is_admin(),
                           process_names=names, people_name=deployer_name(),
                           action_text=action_text), status  # fmt: skip


def deployer_name() -> Callable[[str], str]:
    """Username -> display name; deployments from the command line say so."""
    name = people()
    return lambda username: _("命令行部署") if username == SYSTEM else name(username)


def action_text(action: Any) -> str:
    """One admin action as a short sentence (deployed version N, moved K cases to N)."""
    details = action.details or {}
    if action.kind == "deployed":
        return _("部署第 {n} 版", n=details.get("version", "?"))
    if action.kind == "migrated":
        return _("迁移 {count} 件案件到第 {n} 版", count=len(details.get("cases", [])),
                 n=details.get("to_version", "?"))  # fmt: skip
    return str(action.kind)


@bp.post("/upload")
@login_required
def upload() -> Any:
    """Deploy uploaded .bpmn/.dmn/form files (several at once) with the admin's note."""
    actor = require_admin()  # raises the size limit before the body is read
    check_csrf()
    note = request.form.get("note", "").strip()[:NOTE_LIMIT]
    files: dict[str, bytes] = {}
    for item in request.files.getlist("files"):
        name = (item.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        if name:
            files[name] = item.read()
    problems = _upload_problems(files, note)
    if problems:
        return _index_page(problems, note)
    try:
        result = db.service().admin.deploy_files(files, note, actor)
        db.commit()
    except InvalidProcess as error:
        db.rollback()
        return _index_page(_findings_of(error), note)
    except Conflict as error:
        db.rollback()
        flash(_("部署未完成：{reason}", reason=str(error)), "warning")
        return redirect(url_for("processes.index"), 303)
    created = [f"{p.name} v{p.version}" for p in result.processes if p.created]
    if created:
        flash(_("已部署新版本：{versions}", versions="、".join(created)), "success")
    else:
        flash(_("文件与当前版本相同，没有产生新版本。"), "info")
    return redirect(url_for("processes.index"), 303)


def check_csrf() -> None:
    """The form's CSRF token, checked here because CSRFProtect would read the body too early."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError as error:
        raise CSRFError(str(error.args[0] if error.args else "CSRF")) from None


def _upload_problems(files: dict[str, bytes], note: str) -> list[dict[str, Any]]:
    problems = []
    if not files:
        problems.append(
            _problem("", "no_files", _("请选择要上传的 .bpmn、.dmn 或表单（.json）文件。"))
        )
    for name in files:
        if not name.lower().endswith(SOURCE_SUFFIXES):
            problems.append(_problem(name, "unknown_file",
                                     _("只能上传 .bpmn、.dmn 或表单（.json）文件。")))  # fmt: skip
    if not note:
        problems.append(_problem("", "note_required", _("请填写部署说明：为什么修改。")))
    return problems


def _problem(file: str, code: str, message: str) -> dict[str, Any]:
    return {"file": file, "line": None, "element": "", "code": code, "message": message,
            "severity": "error"}  # fmt: skip


def _findings_of(error: InvalidProcess) -> list[dict[str, Any]]:
    findings = getattr(error, "findings", None)
    return [finding_dict(f) for f in (findings if findings is not None else error.problems)]


@bp.get("/<process_id>/versions/<int:number>/files/<name>")
@login_required
def download(process_id: str, number: int, name: str) -> Response:
    """One file of one version, as the admin deployed it."""
    files = db.service().admin.version_files(process_id, number)
    if name not in files:
        abort(404)
    response = Response(files[name], mimetype=_mimetype(name))
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _mimetype(name: str) -> str:
    return "application/json" if name.lower().endswith(".json") else "application/xml"


@bp.get("/<process_id>/diff")
@login_required
def diff(process_id: str) -> str:
    """What changed between two versions: a list, and both diagrams coloured."""
    admin = db.service().admin
    process = admin.process(process_id)
    numbers = [v.number for v in process.versions]
    b = request.args.get("b", type=int) or numbers[-1]
    a = request.args.get("a", type=int) or max([n for n in numbers if n < b] or [b])
    if a not in numbers or b not in numbers:
        abort(404)
    changes = admin.diff(process_id, a, b)
    old_files, new_files = admin.version_files(process_id, a), admin.version_files(process_id, b)
    data = {
        "old_xml": _diagram_text(process_id, old_files),
        "new_xml": _diagram_text(process_id, new_files),
        "added": [{"element": e.element} for e in changes.added],
        "removed": [{"element": e.element} for e in changes.removed],
        "changed": [{"element": e.element} for e in changes.changed],
    }
    return render_template("processes/diff.html", process=process, a=a, b=b, numbers=numbers,
                           changes=changes, data=data, element_kind=element_kind, named=named,
                           names={**element_names(old_files),
                                  **element_names(new_files)})  # fmt: skip


def _diagram_text(process_id: str, files: dict[str, bytes]) -> str:
    name = main_diagram(process_id, files)
    return files[name].decode("utf-8") if name else ""


def element_kind(kind: str) -> str:
    """A BPMN element type in words (userTask -> 用户任务)."""
    names = {
        "userTask": _("用户任务"), "serviceTask": _("服务任务"), "scriptTask": _("脚本任务"),
        "businessRuleTask": _("决策任务"), "callActivity": _("调用子流程"),
        "sequenceFlow": _("顺序流"), "exclusiveGateway": _("排他网关"),
        "parallelGateway": _("并行网关"), "inclusiveGateway": _("包容网关"),
        "eventBasedGateway": _("事件网关"), "startEvent": _("开始事件"), "endEvent": _("结束事件"),
        "intermediateCatchEvent": _("中间事件"), "intermediateThrowEvent": _("中间事件"),
        "boundaryEvent": _("边界事件"), "subProcess": _("子流程"), "task": _("任务"),
        "manualTask": _("人工任务"), "receiveTask": _("接收任务"), "sendTask": _("发送任务"),
    }  # fmt: skip
    return names.get(kind[:1].lower() + kind[1:] if kind else kind, kind)

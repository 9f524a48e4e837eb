"""The modeler page: edit a process's diagrams, decisions and forms in the browser.

The page (`modeler.html` + the esbuild bundle from web/frontend/) loads the latest
version's files from `source.json`, and posts the edited files as JSON (session cookie
plus `X-CSRFToken`) to `validate` (the checks of `mashangban deploy`, nothing stored) and
`deploy` (a new version with the admin's note; 409 if someone deployed meanwhile).
Only the process admin may open or post any of them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request, url_for

from engine.errors import Conflict, InvalidProcess
from engine.validation import validate as validate_files

from . import db
from .adminshared import SOURCE_SUFFIXES, finding_dict, main_diagram, require_admin
from .auth import login_required
from .i18n import gettext as _

bp = Blueprint("modeler", __name__, url_prefix="/processes")
NOTE_LIMIT = 2000


@bp.get("/<process_id>/edit")
@login_required
def edit(process_id: str) -> str:
    """The modeler with the properties panel, for the latest version of one process."""
    require_admin()
    process = db.service().admin.process(process_id)
    texts = {
        "valid": _("检查通过：没有发现问题。"),
        "invalid": _("发现问题，请按下面的列表修改（点击一条可定位到图中的元素）。"),
        "failed": _("操作没有完成。"),
        "line": _("第 {line} 行"),
        "element": _("元素 {element}"),
        "imported": _("已导入 {file}：先“检查”，再部署。"),
        "unreadable": _("无法打开 {file}："),
    }
    return render_template("processes/modeler.html", process=process, texts=texts)


@bp.get("/<process_id>/source.json")
@login_required
def source(process_id: str) -> Any:
    """The latest version's files as text, and which one is the process's own diagram."""
    require_admin()
    admin = db.service().admin
    latest = admin.process(process_id).latest
    files = admin.version_files(process_id, latest.number)
    return jsonify(
        version=latest.number,
        main=main_diagram(process_id, files),
        files={name: content.decode("utf-8") for name, content in sorted(files.items())},
    )


@bp.post("/<process_id>/validate")
@login_required
def validate(process_id: str) -> Any:
    """Validate the edited files over the version they came from; findings, nothing stored."""
    require_admin()
    edited, error = _edited_files()
    if error:
        return error
    admin = db.service().admin
    latest = admin.process(process_id).latest
    files = {**admin.version_files(process_id, latest.number), **edited}
    model = validate_files(files)
    findings = [finding_dict(p) for p in model.problems + model.warnings]
    return jsonify(valid=not model.problems, errors=findings)


@bp.post("/<process_id>/deploy")
@login_required
def deploy(process_id: str) -> Any:
    """Deploy the edited files with a note: 201 and the new version, 422 findings, 409 raced."""
    actor = require_admin()
    edited, error = _edited_files()
    if error:
        return error
    body = request.get_json(silent=True) or {}
    note = str(body.get("note", "")).strip()[:NOTE_LIMIT]
    if not note:
        return _fail(422, "note_required", _("请填写部署说明：为什么修改。"))
    base = body.get("base")
    expected = {process_id: base} if isinstance(base, int) else None
    try:
        result = db.service().admin.deploy_files(edited, note, actor, expected_base=expected)
        db.commit()
    except InvalidProcess as refused:
        db.rollback()
        findings = getattr(refused, "findings", None) or refused.problems
        return _fail(422, "invalid_process", _("发现问题，没有部署。"),
                     errors=[finding_dict(f) for f in findings])  # fmt: skip
    except Conflict:
        db.rollback()
        return _fail(
            409, "conflict", _("别人已在此期间部署了新版本。请重新打开编辑器，在新版本上修改。")
        )
    mine = next((p for p in result.processes if p.process_id == process_id), None)
    created = [p for p in result.processes if p.created]
    version = mine.version if mine else base
    message = (_("已部署：{name} 第 {version} 版。", name=mine.name, version=version)
               if mine and mine.created else _("文件与当前版本相同，没有产生新版本。"))  # fmt: skip
    return jsonify(
        created=bool(created), version=version, message=message,
        versions=[{"process_id": p.process_id, "version": p.version} for p in created],
        warnings=[finding_dict(w) for w in result.warnings],
        processes_url=url_for("processes.index"),
    ), (201 if created else 200)  # fmt: skip


def _edited_files() -> tuple[dict[str, bytes], Any]:
    body = request.get_json(silent=True)
    files = body.get("files") if isinstance(body, dict) else None
    if not isinstance(files, dict) or not files:
        return {}, _fail(400, "no_files", _("请求中没有文件。"))
    edited: dict[str, bytes] = {}
    for name, text in files.items():
        if not isinstance(text, str) or not str(name).lower().endswith(SOURCE_SUFFIXES):
            return {}, _fail(400, "unknown_file", _("只能上传 .bpmn、.dmn 或表单（.json）文件。"))
        edited[str(name).rsplit("/", 1)[-1]] = text.encode("utf-8")
    return edited, None


def _fail(status: int, code: str, message: str, **extra: Any) -> Any:
    return jsonify(code=code, message=message, **extra), status

"""The migration page: move running cases of a process to a newer version.

First a check (nothing changes): per case, can it move, and if not why; then the admin
runs it with a reason. Checking and moving are the engine's (`service().admin`
`check_migration` / `migrate`): each moved case gets one `migrated` event in its
hash-chained history. Only the process admin may see or post this page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from engine.errors import Conflict, NotFound

from . import db
from .adminshared import element_names, named, require_admin
from .auth import login_required
from .i18n import gettext as _

bp = Blueprint("migration", __name__, url_prefix="/processes")
NOTE_LIMIT = 2000
MAX_CASES = 500


def _names(admin: Any, process: Any) -> dict[str, str]:
    return element_names(admin.version_files(process.process_id, process.latest.number))


def _selection(source: Any) -> tuple[list[str], int | None, int | None]:
    text = source.get("cases", "").replace("，", ",").replace("\n", ",")
    keys = [k.strip() for k in text.split(",") if k.strip()]
    return keys[:MAX_CASES], source.get("from", type=int), source.get("to", type=int)


def _page(process: Any, status: int = 200, **values: Any) -> Any:
    # A fresh unit of work: the view's own may have been committed or rolled back.
    admin = db.service().admin
    context = {"plan": None, "error": "", "result": None, "reason_error": "", **values}
    return render_template("processes/migrate.html", process=process,
                           reason_texts=reason_texts, names=_names(admin, process),
                           named=named, **context), status  # fmt: skip


@bp.get("/<process_id>/migrate")
@login_required
def plan(process_id: str) -> Any:
    """Choose cases (by number, or every open case of a version) and see who can move."""
    require_admin()
    admin = db.service().admin
    process = admin.process(process_id)
    keys, source, target = _selection(request.args)
    selected: dict[str, Any] = {"keys": keys, "source": source, "target": target}
    if not (keys or source):
        return _page(process, **selected)
    try:
        checked = admin.check_migration(process_id, keys=keys or None, from_version=source,
                                        to_version=target)  # fmt: skip
    except NotFound:
        return _page(process, 404, error=_("没有找到这些案件或版本，请检查案件编号和版本。"),
                     **selected)  # fmt: skip
    return _page(process, plan=checked, **selected)


@bp.post("/<process_id>/migrate")
@login_required
def run(process_id: str) -> Any:
    """Move the cases that can move; those that cannot stay, each with its reason."""
    actor = require_admin()
    admin = db.service().admin
    process = admin.process(process_id)
    keys, source, target = _selection(request.form)
    selected: dict[str, Any] = {"keys": keys, "source": source, "target": target}
    reason = request.form.get("reason", "").strip()[:NOTE_LIMIT]
    if not reason:
        checked = admin.check_migration(process_id, keys=keys or None, from_version=source,
                                        to_version=target)  # fmt: skip
        return _page(process, 422, plan=checked, reason_error=_("请填写迁移理由。"),
                     **selected)  # fmt: skip
    try:
        result = admin.migrate(process_id, actor, reason, keys=keys or None,
                               from_version=source, to_version=target)  # fmt: skip
        db.commit()
    except Conflict:
        db.rollback()
        return _page(process, 409,
                     error=_("有案件刚被他人办理，迁移没有进行。请重新检查后再迁移。"),
                     **selected)  # fmt: skip
    return _page(process, result=result, **selected)


REASONS = {
    "case_finished": "案件已办结，只有办理中的案件可以迁移",
    "case_in_error": "案件因错误停止，请先处理错误",
    "other_process": "案件不属于这个流程",
    "not_newer": "案件已在第 {to} 版或更新的版本",
    "active_element_removed": "案件当前所在的步骤在第 {to} 版中已删除",
    "passed_element_removed": "案件经过的步骤在第 {to} 版中已删除，办理记录无法对应",
    "planned_element_removed": "案件已安排的步骤在第 {to} 版中已删除",
    "called_process_removed": "案件调用的子流程在第 {to} 版中已不再调用",
    "missing_data": "第 {to} 版的任务需要本案没有的数据",
    "script_failed": "第 {to} 版在本案上运行出错",
    "not_movable": "案件无法迁移",
}


def reason_texts(case: Any) -> list[str]:
    """Why a case cannot move, in the reader's language (the engine's text if unknown)."""
    texts = []
    for index, reason in enumerate(case.reasons):
        code = case.reason_codes[index] if index < len(case.reason_codes) else ""
        texts.append(_(REASONS[code], to=case.to_version) if code in REASONS else reason)
    return texts

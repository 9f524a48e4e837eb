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
from .adminshared import require_admin
from .auth import login_required
from .i18n import gettext as _

bp = Blueprint("migration", __name__, url_prefix="/processes")
NOTE_LIMIT = 2000
MAX_CASES = 500


def _selection(source: Any) -> tuple[list[str], int | None, int | None]:
    text = source.get("cases", "").replace("，", ",").replace("\n", ",")
    keys = [k.strip() for k in text.split(",") if k.strip()]
    return keys[:MAX_CASES], source.get("from", type=int), source.get("to", type=int)


@bp.get("/<process_id>/migrate")
@login_required
def plan(process_id: str) -> Any:
    """Choose cases (by number, or every open case of a version) and see who can move."""
    require_admin()
    admin = db.service().admin
    process = admin.process(process_id)
    keys, source, target = _selection(request.args)
    checked, error = None, ""
    if keys or source:
        try:
            checked = admin.check_migration(process_id, keys=keys or None, from_version=source,
                                            to_version=target)  # fmt: skip
        except NotFound:
            error = _("没有找到这些案件或版本，请检查案件编号和版本。")
    return render_template("processes/migrate.html", process=process, plan=checked,
                           error=error, keys=keys, source=source, target=target,
                           result=None, reason_text=reason_text)  # fmt: skip


@bp.post("/<process_id>/migrate")
@login_required
def run(process_id: str) -> Any:
    """Move the cases that can move; those that cannot stay, each with its reason."""
    actor = require_admin()
    admin = db.service().admin
    process = admin.process(process_id)
    keys, source, target = _selection(request.form)
    reason = request.form.get("reason", "").strip()[:NOTE_LIMIT]
    if not reason:
        checked = admin.check_migration(process_id, keys=keys or None, from_version=source,
                                        to_version=target)  # fmt: skip
        return render_template("processes/migrate.html", process=process, plan=checked,
                               error="", keys=keys, source=source, target=target, result=None,
                               reason_error=_("请填写迁移理由。"),
                               reason_text=reason_text), 422  # fmt: skip
    try:
        result = admin.migrate(process_id, actor, reason, keys=keys or None,
                               from_version=source, to_version=target)  # fmt: skip
        db.commit()
    except Conflict:
        db.rollback()
        return render_template("processes/migrate.html", process=process, plan=None,
                               error=_("有案件刚被他人办理，迁移没有进行。请重新检查后再迁移。"),
                               keys=keys, source=source, target=target, result=None,
                               reason_text=reason_text), 409  # fmt: skip
    return render_template("processes/migrate.html", process=process, plan=None, error="",
                           keys=keys, source=source, target=target, result=result,
                           reason_text=reason_text)  # fmt: skip


REASONS = {
    "element_missing": "目标版本中没有案件当前所在的步骤",
    "data_missing": "目标版本需要的数据本案没有",
    "not_open": "案件已办结",
    "same_version": "案件已在目标版本",
    "older_target": "目标版本不比当前版本新",
    "other_process": "案件不属于这个流程",
}


def reason_text(code: str, fallback: str) -> str:
    """Why a case cannot move, in the reader's language (the engine's text if unknown)."""
    return _(REASONS[code]) if code in REASONS else fallback

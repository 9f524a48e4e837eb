"""Duplicates on the clerk's pages (issue 14): suggestions beside registration and
classification, merge one case into another or mark the two distinct; the 一键直达 panel.

The panel is a template helper (`reach_panel`) the task and case pages include, so the
suggestions show where the clerk decides, without another page to visit.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from engine.duplicates import DECIDERS
from engine.errors import Conflict, NotFound

from . import db
from .auth import current_user, login_required, me
from .i18n import gettext as _

bp = Blueprint("reach", __name__)
# Where duplicates are suggested: registration (受理研判) and classification (分类交办).
SUGGEST_AT = frozenset({"accept_case", "classify_case"})


@bp.post("/cases/<key>/merge")
@login_required
def merge(key: str) -> Response:
    """Merge this case (a duplicate) into the main case named in the form."""
    main = request.form.get("main", "").strip()[:100]
    try:
        db.service().reach.duplicates.merge(key, main, me().username)
        db.commit()
    except Conflict as error:
        db.rollback()
        flash(_("并案未成功：{reason}", reason=_conflict_reason(error)), "warning")
        return redirect(url_for("cases.case", key=key), 303)
    flash(_("已将 {dup} 并入 {main}；答复主案件时两位反映人都会得到答复。", dup=key, main=main),
          "success")  # fmt: skip
    return redirect(url_for("cases.case", key=main), 303)


@bp.post("/cases/<key>/distinct")
@login_required
def distinct(key: str) -> Response:
    """Record that the suggested case is a different matter."""
    other = request.form.get("other", "").strip()[:100]
    try:
        db.service().reach.duplicates.mark_distinct(key, other, me().username)
        db.commit()
    except Conflict as error:
        db.rollback()
        flash(_("操作未成功：{reason}", reason=_conflict_reason(error)), "warning")
    else:
        flash(_("已标记为不同事项，不再提示。"), "info")
    task_id = request.form.get("next_task", "")[:64]
    target = url_for("tasks.task", task_id=task_id) if task_id else url_for("cases.case", key=key)
    return redirect(target, 303)


def _conflict_reason(error: Conflict) -> str:
    """The reason in the reader's words (known cases by their message's start)."""
    text = str(error)
    for start, words in (
        ("a case cannot be merged into itself", _("不能并入自身")),
        ("case ", _("案件已并案、已办结或已并入其他案件")),
    ):
        if text.startswith(start):
            return words
    return _("案件已被他人更新，请刷新后重试")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"reach_panel": reach_panel}


def reach_panel(key: str, task_spec: str | None = None) -> dict[str, Any]:
    """What the case and task pages show about duplicates and a 一键直达 report."""
    user = current_user()
    if user is None:
        return {}
    reach = db.service().reach
    try:
        report = reach.direct.report_of(key, user.username)
        merged_into = reach.duplicates.merged_into(key)
        merged_from = reach.duplicates.merged_from(key, user.username)
        asked = (task_spec is None or task_spec in SUGGEST_AT) and bool(DECIDERS & set(user.roles))
        suggestions = reach.duplicates.suggest(key, user.username) if asked else []
    except NotFound:
        return {}
    return {"report": report, "merged_into": merged_into, "merged_from": merged_from,
            "suggestions": suggestions}  # fmt: skip

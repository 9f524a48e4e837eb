"""The clerk's inbox and the task form: list, claim, give back, fill in and submit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.errors import Conflict, FormInvalid, NotAllowed, NotFound
from engine.views import CaseView, TaskView

from . import db, knowledge
from . import inbox as inboxes
from .auth import login_required, me
from .casefacts import case_context, load_inbox, people, unit_name
from .errors import field_errors
from .i18n import gettext as _
from .i18n import safe_next
from .steplabels import task_in_language
from .taskforms import field_states, initial_values, readonly_text, submitted_values
from .vocabulary import KINDS, TIERS

bp = Blueprint("tasks", __name__)


PAGE_SIZE = 50  # rows per inbox page


@bp.get("/inbox")
@login_required
def inbox() -> str:
    """My tasks, my groups' tasks, overdue and due today, with filters, counts and pages."""
    username = me().username
    summary = db.service().lists.inbox_summary(username, datetime.now(UTC))
    tally = summary.counts
    # Nothing of my own yet: open on what my groups offer, so the first screen is useful.
    default_tab = "mine" if tally["mine"] or not tally["group"] else "group"
    filters = inboxes.Filters.from_args(request.args, default_tab)
    rows, cursor = load_inbox(username, filters.query(PAGE_SIZE))
    return render_template(
        "tasks/inbox.html",
        rows=rows,
        counts=tally,
        filters=filters,
        next_url=_page_url(filters, cursor) if cursor else None,
        first_url=_page_url(filters, None) if filters.after else None,
        departments=summary.departments,
        kinds=KINDS,
        tiers=TIERS,
        tabs=inboxes.TABS,
        sorts=inboxes.SORTS,
    )


def _page_url(filters: inboxes.Filters, after: str | None) -> str:
    """The inbox with the same tab, filters and sort, from the page after `after`."""
    return url_for(
        "tasks.inbox", tab=filters.tab, tier=filters.tier or None,
        department=filters.department or None, kind=filters.kind or None,
        sort=filters.sort, after=after,
    )  # fmt: skip


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> Response:
    """Take a group task so colleagues see who handles it."""
    try:
        task = db.service().tasks.claim(task_id, me().username)
        db.commit()
    except Conflict as error:
        db.rollback()
        flash(_("认领未成功：{reason}", reason=_race_reason(error)), "warning")
        return redirect(url_for("tasks.inbox", tab="group"), 303)
    flash(_("已认领：{name}", name=task_in_language(task).name), "success")
    target = safe_next(request.form.get("next")) or url_for("tasks.task", task_id=task_id)
    return redirect(target, 303)


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str) -> Response:
    """Give a claimed task back to its groups."""
    try:
        task = db.service().tasks.unclaim(task_id, me().username)
        db.commit()
    except Conflict as error:
        db.rollback()
        flash(_("放回未成功：{reason}", reason=_race_reason(error)), "warning")
        return redirect(url_for("tasks.inbox"), 303)
    flash(_("已放回任务池：{name}", name=task_in_language(task).name), "info")
    return redirect(safe_next(request.form.get("next")) or url_for("tasks.inbox"), 303)


@bp.get("/tasks/<task_id>")
@login_required
def task(task_id: str) -> Any:
    """The task form beside the case summary and timeline."""
    view = db.service().tasks.get(task_id, me().username)
    return _render(view)


@bp.post("/tasks/<task_id>")
@login_required
def submit(task_id: str) -> Any:
    """Complete the task; show field errors in place, or the current state after a lost race."""
    user = me().username
    case_key = request.form.get("case_key", "")
    values: dict[str, str] = {}
    try:
        view = db.service().tasks.get(task_id, user)
        case_key = view.case_key
        values = submitted_values(view.form, request.form)

        def complete(exclusive: bool) -> CaseView:
            found = db.service().tasks.complete(task_id, user, values, exclusive=exclusive)
            db.commit()
            return found

        case = db.once_more_if_stale(complete)
    except FormInvalid as error:
        db.rollback()
        return _render(db.service().tasks.get(task_id, user), values, field_errors(error), 422)
    except (Conflict, NotAllowed) as error:
        db.rollback()
        return _after_race(case_key, task_id, error)
    flash(_("已提交：{name}。", name=task_in_language(view).name), "success")
    return redirect(url_for("cases.case", key=case.key), 303)


def _render(
    view: TaskView,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    view = task_in_language(view)
    context = case_context(view.case_key, me().username)
    data = context.case.data
    shown = values if values is not None else initial_values(view.form, data)
    readonly = {f.id: readonly_text(f, data.get(f.id, f.default), unit_name)
                for f in view.form if f.readonly}  # fmt: skip
    colleagues = db.service().handover.colleagues(view.id, me().username)
    html = render_template(
        "tasks/task.html",
        task=view,
        colleagues=colleagues if view.claimed_by in (None, me().username) else [],
        claimed_name=people()(view.claimed_by) if view.claimed_by else "",
        fields=field_states(view.form, shown, errors, readonly),
        errors=errors or {},
        ctx=context,
        mine=view.claimed_by == me().username,
        claimed_by_other=view.claimed_by not in (None, me().username),
        kb_suggestions=knowledge.suggestions(view.task_spec, data),
    )
    return html, status


@bp.post("/tasks/<task_id>/reassign")
@login_required
def reassign(task_id: str) -> Any:
    """Give the task to a colleague of the same unit (改派), with a reason."""
    to = request.form.get("to", "")
    reason = request.form.get("reason", "")
    try:
        task = db.service().handover.reassign(task_id, me().username, to, reason)
        db.commit()
    except FormInvalid as error:
        db.rollback()
        labels = {"to": _("同事"), "reason": _("改派理由")}
        problems = [f"{labels.get(k, k)}：{v}" for k, v in field_errors(error).items()]
        flash(_("改派未成功：{reason}", reason="；".join(problems)), "danger")
        return redirect(url_for("tasks.task", task_id=task_id), 303)
    except (Conflict, NotAllowed) as error:
        db.rollback()
        flash(_("改派未成功：{reason}", reason=_race_reason(error)), "warning")
        return redirect(url_for("tasks.inbox"), 303)
    flash(
        _("已改派给 {name}：{task}", name=people()(to), task=task_in_language(task).name), "success"
    )
    return redirect(url_for("tasks.inbox"), 303)


def _after_race(case_key: str, task_id: str, error: Exception) -> Response:
    """Someone else was faster: say so, and show the case as it is now."""
    if isinstance(error, NotAllowed):
        flash(_("提交未成功：此任务已被他人认领。"), "warning")
        return redirect(url_for("tasks.task", task_id=task_id), 303)
    flash(_("提交未成功：此任务刚刚已被他人办理或案件已更新。以下是案件的最新状态。"), "warning")
    try:
        db.service().cases.get(case_key, viewer=me().username)
    except NotFound:
        return redirect(url_for("tasks.inbox"), 303)
    return redirect(url_for("cases.case", key=case_key), 303)


def _race_reason(error: Exception) -> str:
    text = str(error)
    if text.startswith("task already claimed by "):
        name = people()(text.removeprefix("task already claimed by "))
        return _("已被 {name} 认领", name=name)
    if text.startswith("task claimed by ") or text.startswith("a task cannot be reassigned"):
        return _("此任务已被他人认领")
    if text.startswith("only the user who claimed"):
        return _("只有认领人可以放回")
    return _("任务已被他人办理或已更新")

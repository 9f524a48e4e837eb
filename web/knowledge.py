"""The knowledge base: browse and search KB-n entries; leaders add entries by hand.

Entries come mostly from the root-cause review (engine/knowledge.py). Search matches
every term typed, two-character Chinese words included.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import Conflict, FormInvalid, NotAllowed

from . import db
from .auth import login_required, me
from .i18n import field_message
from .i18n import gettext as _

bp = Blueprint("knowledge", __name__, url_prefix="/knowledge")
STATUS_NAMES = {"explained": "已解释答复口径", "rule_changed": "已修改规则",
                "recommended": "已向上建议"}  # fmt: skip
WRITERS = frozenset({"leading_office", "joint_meeting", "admin"})
FIELDS = ("title", "problem", "remedy", "legal_basis", "status")


# Tasks where the clerk reads the matter and may reuse an answer (or name the entry to update).
SUGGEST_TASKS = frozenset({"accept_case", "classify_case", "write_knowledge_entry"})


def suggestions(task_spec: str, data: dict[str, Any]) -> list[Any]:
    """Entries like the matter's title and description, for the task form (none elsewhere)."""
    if task_spec not in SUGGEST_TASKS:
        return []
    text = f"{data.get('title') or ''} {data.get('description') or ''}"
    try:
        found: list[Any] = _kb().suggest(me().username, text)
    except NotAllowed:  # a role without the knowledge base: the form without suggestions
        return []
    return found


def _kb() -> Any:
    return db.service().leadership.knowledge


def _index(errors: dict[str, str], typed: dict[str, str], status: int = 200) -> Any:
    text = (request.args.get("q") or "").strip()
    entries = _kb().search(me().username, text)
    may_write = bool(set(me().roles) & WRITERS)
    return render_template(
        "knowledge/index.html", entries=entries, q=text, statuses=STATUS_NAMES,
        may_write=may_write, errors=errors, typed=typed, awaiting=awaiting(),
    ), status  # fmt: skip


def awaiting() -> list[Any] | None:
    """The recommendations awaiting an answer, for the roles that follow them (else None)."""
    try:
        found: list[Any] = db.service().leadership.recommendations.awaiting(me().username)
    except NotAllowed:
        return None
    return found


@bp.get("")
@login_required
def index() -> Any:
    """The entries matching `?q=` (every entry, newest first, without it)."""
    return _index({}, {})


@bp.get("/<key>")
@login_required
def entry(key: str) -> Any:
    """One entry with its source cases."""
    return _entry(key, {}, {})


def _entry(key: str, errors: dict[str, str], typed: dict[str, str], status: int = 200) -> Any:
    found = _kb().get(me().username, key)
    may_answer = bool(set(me().roles) & WRITERS)
    return render_template("knowledge/entry.html", entry=found, statuses=STATUS_NAMES,
                           may_answer=may_answer, errors=errors, typed=typed), status  # fmt: skip


@bp.post("/<key>/answer")
@login_required
def answer(key: str) -> Any:
    """Record the higher level's answer to a recommendation made upward."""
    typed = {
        name: (request.form.get(name) or "").strip() for name in ("answer_text", "answered_on")
    }
    try:
        db.service().leadership.recommendations.answer(me().username, key, typed)
        db.commit()
    except FormInvalid as error:
        db.rollback()
        return _entry(key, {e.field: field_message(e) for e in error.errors}, typed, 422)
    except Conflict:
        db.rollback()
        flash(_("该建议已登记过上级答复。"), "info")
        return redirect(url_for("knowledge.entry", key=key), 303)
    flash(_("已登记上级对 {key} 的答复。", key=key), "success")
    return redirect(url_for("knowledge.entry", key=key), 303)


@bp.post("")
@login_required
def create() -> Any:
    """A leader writes an entry by hand (a rule change, an explanation)."""
    typed = {name: (request.form.get(name) or "").strip() for name in FIELDS}
    try:
        made = _kb().create(me().username, typed)
        db.commit()
    except FormInvalid as error:
        db.rollback()
        return _index({e.field: field_message(e) for e in error.errors}, typed, 422)
    flash(_("已新增知识库条目 {key}。", key=made.key), "success")
    return redirect(url_for("knowledge.entry", key=made.key))


@bp.post("/<key>/link")
@login_required
def link(key: str) -> Any:
    """Link this entry to the case of the task being worked on (from the task form)."""
    task_id = request.form.get("task_id", "")
    try:
        found = _kb().link(me().username, task_id, key)
        db.commit()
    except Conflict:
        db.rollback()
        flash(_("该知识库条目已关联本案。"), "info")
        return redirect(url_for("tasks.task", task_id=task_id), 303)
    flash(_("已将知识库条目 {key} 关联到本案。", key=found.key), "success")
    return redirect(url_for("tasks.task", task_id=task_id), 303)

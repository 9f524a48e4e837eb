"""The monthly joint meeting: its agenda cases with their history, and the decisions.

Leaders may read a meeting; joint meeting members decide the item in turn. A decision
completes the meeting's item task through the diagram and lands in the agenda case's own
history (engine/meetings.py); a bad form is shown again with the errors by the fields.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import FormInvalid

from . import db
from .auth import login_required, me
from .i18n import field_message
from .i18n import gettext as _
from .vocabulary import EVENTS, MEETING_DECISIONS

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
DECISION_TYPES = MEETING_DECISIONS
FIELDS = ("decision_type", "decision", "responsible_unit", "assign_department", "assign_days")


def _meetings() -> Any:
    return db.service().leadership.meetings


@bp.get("")
@login_required
def index() -> Any:
    """Every monthly meeting, newest first."""
    return render_template("meetings/index.html", meetings=_meetings().list(me().username))


@bp.get("/<key>")
@login_required
def meeting(key: str) -> Any:
    """One meeting: agenda items, their cases' history and the decisions taken."""
    return _page(key, {}, {})


def _page(key: str, errors: dict[str, str], typed: dict[str, str], status: int = 200) -> Any:
    view = _meetings().get(key, me().username)
    may_decide = "joint_meeting" in me().roles
    departments = [u for u in db.service().staff.units() if u.kind == "department" and not u.closed]
    return render_template(
        "meetings/meeting.html", meeting=view, errors=errors, typed=typed,
        may_decide=may_decide, decision_types=DECISION_TYPES, EVENTS=EVENTS,
        departments=departments,
    ), status  # fmt: skip


@bp.post("/<key>/items/<case_key>")
@login_required
def decide(key: str, case_key: str) -> Any:
    """Record the meeting's decision on the item being decided."""
    typed = {name: (request.form.get(name) or "").strip() for name in FIELDS}
    try:
        _meetings().decide(key, case_key, me().username, typed)
        db.commit()
    except FormInvalid as error:
        db.rollback()
        errors = {e.field: field_message(e) for e in error.errors}
        return _page(key, errors, typed, 422)
    flash(_("已记录 {case} 的会议决定，并写入该案件的办理记录。", case=case_key), "success")
    return redirect(url_for("meetings.meeting", key=key))

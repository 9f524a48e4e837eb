"""Cases for staff: the list of cases one may see, and the case page with its diagram."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from . import db
from .auth import login_required, me
from .casefacts import case_context
from .notices import ADMIN_ROLE
from .steplabels import drawing_in_language
from .vocabulary import STATUSES

bp = Blueprint("cases", __name__, url_prefix="/cases")
PAGE_SIZE = 50  # cases per page of the list


@bp.get("")
@login_required
def index() -> Any:
    """Recent cases in the viewer's scope; a case number in `q` opens that case."""
    query = request.args.get("q", "").strip()[:64]
    if query:
        return redirect(url_for("cases.case", key=query), 303)
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    admin = ADMIN_ROLE in me().roles
    after = request.args.get("after", "")[:400] or None
    next_url = first_url = None
    if admin and request.args.get("attention") == "calendar":  # the process admin's worklist
        cases = db.service().calendar.cases_awaiting(me().username)
        status = "attention"
    else:
        page = db.service().lists.cases(me().username, status or None, after, PAGE_SIZE)
        cases = page.cases
        if page.next:
            next_url = url_for("cases.index", status=status or None, after=page.next)
        if after:
            first_url = url_for("cases.index", status=status or None)
    return render_template("cases/index.html", cases=cases, status=status, statuses=STATUSES,
                           admin=admin, next_url=next_url, first_url=first_url)  # fmt: skip


@bp.get("/<key>")
@login_required
def case(key: str) -> str:
    """Summary, level, deadline, timeline and the diagram with where the case stands."""
    context = case_context(key, me().username)
    diagram = {
        "xml": drawing_in_language(context.diagram),
        "completed": list(context.diagram.completed),
        "active": list(context.diagram.active),
    }
    return render_template("cases/case.html", ctx=context, diagram=diagram)

"""Citizens and enterprises, without an account: submit a matter, track it, rate the answer.

The tracking code is the only key to a case here. It is never kept in the cookie (a
signed cookie is readable by anyone who holds it): a successful lookup opens a
server-side tracking grant (`engine.signin`), and the cookie keeps only the grant's
random token, so the tracking page and the rating form need no code in the URL.
Lookups are rate-limited per IP so codes cannot be guessed.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from engine.attaching.checking import Checked
from engine.errors import FormInvalid, NotFound

from . import db, public_files, ratelimit
from .appeals import AppealInvalid, parse_appeal, window_units
from .attachments import check_uploads
from .errors import field_errors
from .i18n import gettext as _
from .places import villages
from .public_files import granted
from .steplabels import tracking_in_language
from .timeline import PUBLIC_ACTOR
from .vocabulary import KINDS, RATINGS, TIERS

bp = Blueprint("public", __name__)
bp.register_blueprint(public_files.bp)  # the submitter's own attachments
RATING_MESSAGE = "citizen_rating"
MAX_COMMENT = 500
MAX_TRACKED = 5


def start_appeal(data: dict[str, Any], files: list[Checked] | None = None) -> tuple[str, str]:
    """Start the intake process for an appeal (with its checked files); return (case number,
    tracking code)."""
    process = current_app.config["MASHANGBAN_INTAKE_PROCESS"]
    case = db.service().cases.start(process, data=data, actor=PUBLIC_ACTOR, tracking=True)
    db.service().attachments.add(case.key, files or [], PUBLIC_ACTOR, submitter=True)
    db.commit()
    assert case.tracking_code is not None
    return case.key, case.tracking_code


@bp.get("/")
def index() -> str:
    """The front door: submit a matter or track one."""
    return render_template("public/index.html")


@bp.route("/appeal", methods=["GET", "POST"])
def appeal() -> Any:
    """The submission form (办不成事 reflection window online)."""
    units = db.service().staff.units()
    form: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        ratelimit.check("appeal")
        form = {key: request.form.get(key, "") for key in _FORM_KEYS}
        contact = {"name": form["contact.name"], "phone": form["contact.phone"],
                   "email": form["contact.email"]}  # fmt: skip
        raw = {**form, "contact": contact}
        files, errors = _checked_files()
        try:
            data = parse_appeal(raw, units)
        except AppealInvalid as error:
            errors = {**error.fields, **errors}
        if not errors:
            key, code = start_appeal(data, files)
            _remember(key)
            # Shown in this response only, so the code is never stored to show it later.
            html = render_template("public/receipt.html", key=key, code=code)
            return html, 200, {"Cache-Control": "no-store"}
    html = render_template(
        "public/appeal.html", form=form, errors=errors, kinds=KINDS, tiers=TIERS,
        windows=window_units(units), villages=villages(units),
    )  # fmt: skip
    return html, 422 if errors else 200


def _checked_files() -> tuple[list[Checked], dict[str, str]]:
    """The uploaded files, checked by content; or none and the error under the file field."""
    try:
        return check_uploads(), {}
    except FormInvalid as error:
        return [], field_errors(error)


_FORM_KEYS = (
    "kind", "title", "description", "contact.name", "contact.phone", "tier", "intake_unit",
    "enterprise_name", "contact.email", "notify_by", "address", "place_unit", "latitude",
    "longitude",
)  # fmt: skip


@bp.route("/track", methods=["GET", "POST"])
def track() -> Any:
    """Look a case up by case number and tracking code."""
    key = request.values.get("case_no", "").strip()[:64]
    error = None
    if request.method == "POST":
        ratelimit.check("track")
        code = request.form.get("code", "").strip()[:32]
        try:
            db.service().cases.track(key, code)
        except NotFound:
            error = _("案件编号或查询码不正确。")
        else:
            _remember(key)
            return redirect(url_for("public.tracked", key=key), 303)
    return render_template("public/track.html", case_no=key, error=error), 404 if error else 200


@bp.get("/track/<key>")
def tracked(key: str) -> Any:
    """Status, stage, the public reply, the timeline and, when asked for, the rating form."""
    view = granted(key)
    if view is None:
        return redirect(url_for("public.track", case_no=key), 303)
    shown = tracking_in_language(view)
    return render_template("public/tracked.html", view=shown, ratings=RATINGS)


@bp.post("/track/<key>/rate")
def rate(key: str) -> Response:
    """Deliver the submitter's rating to the waiting case."""
    ratelimit.check("track")
    view = granted(key)
    if view is None:
        return redirect(url_for("public.track", case_no=key), 303)
    rating = request.form.get("rating", "")
    comment = request.form.get("comment", "").strip()
    if not view.rating_requested:
        flash(_("此案件目前无需评价。"), "info")
    elif rating not in RATINGS or len(comment) > MAX_COMMENT:
        flash(_("请选择评价等级，意见不超过 {n} 字。", n=MAX_COMMENT), "danger")
    else:
        _deliver_rating(key, {"rating": rating, "comment": comment})
    return redirect(url_for("public.tracked", key=key), 303)


def _deliver_rating(key: str, payload: dict[str, str]) -> None:
    """Deliver the rating; if the case stopped waiting meanwhile (phone callback), say so."""
    try:
        db.service().cases.deliver_message(key, RATING_MESSAGE, payload, actor=PUBLIC_ACTOR)
        db.commit()
    except NotFound:
        db.rollback()
        flash(_("此案件目前无需评价。"), "info")
    else:
        flash(_("感谢您的评价！"), "success")


def _remember(key: str) -> None:
    """Open a tracking grant for the case; the cookie keeps the last few grants' tokens."""
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    agent = request.user_agent.string or ""
    token = db.service().signins.open("track", lifetime, case_key=key, user_agent=agent)
    db.commit()
    tracking = dict(session.get("tracking", {}))
    tracking.pop(key, None)
    tracking[key] = token
    session["tracking"] = dict(list(tracking.items())[-MAX_TRACKED:])

"""一键直达 (issue 14): the enterprise's report page behind a printed QR code, and the
discipline office's page that makes and prints the codes.

A report starts a discipline supervision case (`engine/direct.py`); it never passes a
window or the accused unit. The reporter may stay anonymous; a contact left on the form
is kept for the discipline office only.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import Blueprint, Response, render_template, request, url_for

from engine.direct import Report
from engine.errors import FormInvalid, NotFound

from . import db, ratelimit
from .appeals import PHONE
from .auth import login_required, me
from .errors import field_errors
from .i18n import gettext as _

bp = Blueprint("direct", __name__)
MAX = {"title": 100, "description": 2000, "enterprise_name": 100, "contact.name": 50}
SCOPES = {"enterprise": "企业专属码", "district": "区级通用码"}


@bp.route("/direct", methods=["GET", "POST"], endpoint="district")
@bp.route("/direct/<token>", methods=["GET", "POST"])
def report(token: str | None = None) -> Any:
    """The report form (GET) and its receipt (POST); a withdrawn code is a 404 page."""
    code = db.service().reach.direct.code(token) if token else None
    channel = db.service().reach.direct
    form: dict[str, str] = {"enterprise_name": code.label if code and code.scope == "enterprise"
                            else ""}  # fmt: skip
    errors: dict[str, str] = {}
    if request.method == "POST":
        ratelimit.check("appeal")
        form = {key: request.form.get(key, "").strip() for key in _FIELDS}
        parsed = _parse(form, errors)
        case = None
        try:
            if parsed is not None:
                case = channel.report(token, parsed)
                db.commit()
        except FormInvalid:  # the engine refused the unit (only a tampered form gets here)
            db.rollback()
            errors = {"accused_unit": _("请选择被反映的单位")}
        if case is not None:
            from .public import _remember  # the same tracking grant as any submission

            assert case.tracking_code is not None
            _remember(case.key)
            html = render_template("public/receipt.html", key=case.key, code=case.tracking_code,
                                   direct=True)  # fmt: skip
            return html, 200, {"Cache-Control": "no-store"}
    html = render_template("reach/direct.html", code=code, form=form, errors=errors,
                           units=db.service().reach.direct.accused_units())  # fmt: skip
    return html, 422 if errors else 200


_FIELDS = ("title", "description", "accused_unit", "enterprise_name", "anonymous",
           "contact.name", "contact.phone")  # fmt: skip


def _parse(form: dict[str, str], errors: dict[str, str]) -> Report | None:
    """The report, or None with each bad field in `errors` (the engine checks the unit too)."""
    anonymous = form["anonymous"] == "1"
    for name in ("title", "description"):
        if not form[name]:
            errors[name] = _("此项为必填项")
    for name, limit in MAX.items():
        if len(form[name]) > limit:
            errors[name] = _("最多 {n} 个字符", n=limit)
    if not form["accused_unit"]:
        errors["accused_unit"] = _("请选择被反映的单位")
    if not anonymous and not form["contact.name"]:
        errors["contact.name"] = _("实名反映请填写联系人，或勾选匿名反映")
    phone = form["contact.phone"].replace(" ", "")
    if phone and not PHONE.fullmatch(phone):
        errors["contact.phone"] = _("请填写有效的手机号或固定电话（如 0571-82345678）")
    elif not anonymous and not phone:
        errors["contact.phone"] = _("实名反映请填写联系电话，或勾选匿名反映")
    if errors:
        return None
    name = "" if anonymous else form["contact.name"]
    contact = {k: v for k, v in (("name", name), ("phone", phone)) if v} or None
    return Report(form["title"], form["description"], form["accused_unit"],
                  form["enterprise_name"], anonymous, contact)  # fmt: skip


@bp.route("/direct-codes", methods=["GET", "POST"])
@login_required
def codes() -> Any:
    """The discipline office's codes: make one for an enterprise or the district, print it."""
    channel = db.service().reach.direct
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            made = channel.create_code(request.form.get("scope", ""), request.form.get("label", ""),
                                       request.url_root, me().username)  # fmt: skip
            db.commit()
        except FormInvalid as error:
            db.rollback()
            errors = field_errors(error)
        else:
            return Response(status=303, headers={
                "Location": url_for("direct.printable", token=made.token)})  # fmt: skip
    html = render_template("reach/codes.html", codes=channel.codes(me().username),
                           errors=errors, scopes=SCOPES, form=request.form)  # fmt: skip
    return html, 422 if errors else 200


@bp.get("/direct-codes/<token>")
@login_required
def printable(token: str) -> str:
    """One code on a printable page: the QR image, who it is for, the address it encodes."""
    code = _made_code(token)
    return render_template("reach/printable.html", code=code, scopes=SCOPES)


@bp.get("/direct-codes/<token>/qr.svg")
@login_required
def qr(token: str) -> Response:
    """The QR code (SVG) of the code's recorded target address."""
    code = _made_code(token)
    out = io.BytesIO()
    segno.make(code.target_url, error="m").save(out, kind="svg", scale=8, border=2)
    return Response(out.getvalue(), mimetype="image/svg+xml")


def _made_code(token: str) -> Any:
    """A code from the office's list (NotAllowed for other roles, NotFound if unknown)."""
    for code in db.service().reach.direct.codes(me().username):
        if code.token == token:
            return code
    raise NotFound("no such direct-line code")

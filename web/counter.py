"""Registration by staff: a window clerk records a matter brought to the counter or by phone.

The clerk's own window is the intake unit (首问负责制: the window asked first owns the
matter). The channel says how the matter came in; for 帮办代办 the clerk names who helped
the citizen. The receipt (case number and tracking code) is this POST's response, printable
for the citizen, and never stored to be shown again.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from engine.organisation import UserView

from . import db
from .appeals import AppealInvalid, parse_appeal
from .auth import login_required, me
from .i18n import gettext as _
from .timefmt import parse_instant
from .vocabulary import CHANNELS, COUNTER_CHANNELS, KINDS, TIERS

bp = Blueprint("counter", __name__)
MAX_HELPER = 50
FORM_KEYS = (
    "kind", "title", "description", "contact.name", "contact.phone", "enterprise_name",
    "channel", "assisted_by",
)  # fmt: skip


def may_register(user: UserView | None) -> bool:
    """Window clerks (role `clerk` or a `clerks:` group) of a window unit register matters."""
    if user is None or not user.unit_code:
        return False
    return "clerk" in user.roles or any(g.startswith("clerks:") for g in user.groups)


def _window_tier(user: UserView) -> str:
    """The tier of the clerk's own window, or 403 if their unit is not a window."""
    unit = next((u for u in db.service().staff.units() if u.code == user.unit_code), None)
    if unit is None or unit.kind not in TIERS:
        abort(403)
    return unit.kind


def registration_data(form: dict[str, str], user: UserView, tier: str) -> dict[str, Any]:
    """The intake data of a counter registration, or AppealInvalid with every bad field."""
    errors: dict[str, str] = {}
    channel = form.get("channel", "")
    helper = form.get("assisted_by", "").strip()
    if channel not in COUNTER_CHANNELS:
        errors["channel"] = _("请选择受理渠道")
    elif channel == "assisted" and not helper:
        errors["assisted_by"] = _("帮办代办时请填写帮办人")
    if len(helper) > MAX_HELPER:
        errors["assisted_by"] = _("最多 {n} 个字符", n=MAX_HELPER)
    raw = {
        **form, "tier": tier, "intake_unit": user.unit_code,
        "contact": {"name": form.get("contact.name", ""), "phone": form.get("contact.phone", "")},
    }  # fmt: skip
    try:
        data = parse_appeal(raw, db.service().staff.units(), channel=channel or "window")
    except AppealInvalid as error:
        raise AppealInvalid({**error.fields, **errors}) from None
    if errors:
        raise AppealInvalid(errors)
    data["channel"] = channel  # a clerk's registration keeps its channel, whatever the kind
    if channel == "assisted":
        data["assisted_by"] = helper
    return data


@bp.route("/counter/register", methods=["GET", "POST"])
@login_required
def register() -> Any:
    """The registration form; its POST answers with the printable receipt."""
    user = me()
    if not may_register(user):
        abort(403)
    tier = _window_tier(user)
    form: dict[str, str] = {"channel": "window"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {key: request.form.get(key, "").strip() for key in FORM_KEYS}
        try:
            data = registration_data(form, user, tier)
        except AppealInvalid as error:
            errors = error.fields
        else:
            process = current_app.config["MASHANGBAN_INTAKE_PROCESS"]
            case = db.service().cases.start(process, data=data, actor=user.username, tracking=True)
            db.commit()
            html = render_template(
                "counter/receipt.html", case=case, data=data, clerk=user, channels=CHANNELS,
                first_response_due=parse_instant(case.data.get("first_response_due")),
            )  # fmt: skip
            return html, 201, {"Cache-Control": "no-store"}
    html = render_template(
        "counter/register.html", form=form, errors=errors, kinds=KINDS,
        channels=COUNTER_CHANNELS, clerk=user, tier=tier,
    )  # fmt: skip
    return html, 422 if errors else 200

"""Notifications for staff: the bell, one's own preferences; for admins, the outbox
(dead letters, retry) and the wording of every message.

Every route needs a signed-in user; the admin pages raise NotAllowed (403) for anyone
without the `admin` or `process_admin` role (the engine checks, `engine/notifying/facade.py`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.errors import FormInvalid
from engine.notifying.facade import ADMIN_ROLES, Preferences
from engine.notifying.templates import PLACEHOLDERS

from . import db
from .auth import current_user, login_required, me
from .errors import field_errors
from .i18n import FIELD_TEXT
from .i18n import gettext as _

bp = Blueprint("notify", __name__)
EVENT_NAMES = {
    "receipt": "受理回执", "reply": "答复待评价", "callback": "回访记录", "closed": "办结通知",
    "new_task": "新待办", "urge": "催办", "due_soon": "即将到期", "overdue": "已超期",
    "escalation": "升级至本人", "supervision": "督办立案",
}  # fmt: skip
CHANNEL_NAMES = {"email": "电子邮件", "sms": "短信", "inapp": "站内消息"}
STATUS_NAMES = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "dead": "发送失败"}
LANG_NAMES = {"zh": "中文", "en": "English"}
# Chinese texts of the notification forms' own field error codes (engine/notifying/).
FIELD_TEXT.update({
    "bad_email": "请填写有效的电子邮箱，如 name@example.gov.cn",
    "bad_mobile": "请填写 11 位手机号",
    "bad_placeholder": "“$”后应为占位符，如 $case（美元符号请写 $$）",
    "unknown_placeholder": "没有占位符 ${name}，可用：{choices}",
})  # fmt: skip


@bp.app_template_global()
def unread_notices() -> int:
    """The signed-in staff member's unread in-app messages (0 for visitors)."""
    user = current_user()
    return db.service().notifications.unread_count(user.username) if user else 0


@bp.app_template_global()
def is_admin() -> bool:
    """True for admins and process admins (they see the outbox and wording pages)."""
    user = current_user()
    return user is not None and bool(ADMIN_ROLES & set(user.roles))


@bp.get("/notifications")
@login_required
def notices() -> str:
    """The latest in-app messages, unread first marked."""
    items = db.service().notifications.recent(me().username)
    return render_template("notify/list.html", items=items, event_names=EVENT_NAMES)


@bp.post("/notifications/read")
@login_required
def mark_read() -> Response:
    """Mark every message read (the bell goes back to zero)."""
    db.service().notifications.mark_read(me().username)
    db.commit()
    return redirect(url_for("notify.notices"), 303)


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences() -> Any:
    """How the staff member wants to hear of new tasks, 催办 and deadlines."""
    notifications = db.service().notifications
    chosen = notifications.preferences(me().username)
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = _posted_preferences()
        try:
            notifications.save_preferences(me().username, chosen)
            db.commit()
        except FormInvalid as error:
            db.rollback()
            errors = field_errors(error)
        else:
            flash(_("通知设置已保存。"), "success")
            return redirect(url_for("notify.preferences"), 303)
    html = render_template("notify/preferences.html", prefs=chosen, errors=errors,
                           langs=LANG_NAMES, hours=range(24))  # fmt: skip
    return html, 422 if errors else 200


def _posted_preferences() -> Preferences:
    def hour(name: str) -> int | None:
        text = request.form.get(name, "").strip()
        return int(text) if text.isdigit() else None

    return Preferences(
        channels=tuple(c for c in request.form.getlist("channels") if c in ("email", "sms")),
        email=request.form.get("email", "")[:200], phone=request.form.get("phone", "")[:20],
        lang=request.form.get("lang", "zh"),
        quiet_start=hour("quiet_start"), quiet_end=hour("quiet_end"),
    )  # fmt: skip


@bp.get("/admin/outbox")
@login_required
def outbox() -> str:
    """Outgoing e-mail and SMS; `?status=dead` shows the dead letters."""
    status = request.args.get("status") or None
    rows = db.service().notifications.outbox(me().username, status)
    depth = db.service().notifications.depth()
    return render_template("notify/outbox.html", rows=rows, status=status, depth=depth,
                           event_names=EVENT_NAMES, channel_names=CHANNEL_NAMES,
                           status_names=STATUS_NAMES)  # fmt: skip


@bp.post("/admin/outbox/<int:message_id>/retry")
@login_required
def retry(message_id: int) -> Response:
    """Send a dead message again."""
    db.service().notifications.retry(me().username, message_id)
    db.commit()
    flash(_("已重新排队发送。"), "success")
    return redirect(url_for("notify.outbox", status="dead"), 303)


@bp.route("/admin/notify-templates", methods=["GET", "POST"])
@login_required
def wordings() -> Any:
    """Every event's message in Chinese and English; admins reword them here."""
    notifications = db.service().notifications
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {k: request.form.get(k, "") for k in ("event", "lang", "subject", "body")}
        try:
            if request.form.get("action") == "reset":
                notifications.reset_wording(me().username, posted["event"], posted["lang"])
            else:
                notifications.save_wording(me().username, posted["event"], posted["lang"],
                                           posted["subject"], posted["body"])  # fmt: skip
            db.commit()
        except FormInvalid as error:
            db.rollback()
            errors = field_errors(error)
        else:
            flash(_("通知模板已保存。"), "success")
            return redirect(url_for("notify.wordings") + f"#t-{posted['event']}-{posted['lang']}",
                            303)  # fmt: skip
    items = db.service().notifications.wordings(me().username)  # afresh after a rollback
    html = render_template("notify/templates.html", items=items, errors=errors, posted=posted,
                           event_names=EVENT_NAMES, lang_names=LANG_NAMES,
                           placeholders=sorted(PLACEHOLDERS))  # fmt: skip
    return html, 422 if errors else 200

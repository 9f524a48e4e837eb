"""The personal-data access log: every full view of a citizen's data, for auditors.

Who may read it is the engine's rule (`engine.privacy.LOG_READERS`: auditors, the
discipline office, admins); anyone else gets 403. Who sees personal data in full is
decided in `engine.privacy` too; the pages only show its answer.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from engine.privacy import LOG_READERS, AccessEntry

from . import db
from .auth import login_required, me
from .casefacts import people
from .i18n import gettext as _

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

REASONS = {
    "receiving_window": "受理窗口",
    "active_task": "在办任务经办人",
    "discipline": "纪检监察",
}
CHANNELS = {"page": "页面", "api": "接口"}
FIELDS = {
    "name": "姓名",
    "phone": "电话",
    "id_number": "身份证号",
    "address": "地址",
    "email": "电子邮箱",
}


def may_read_log(roles: tuple[str, ...]) -> bool:
    """True for the roles that read the access log (for the navigation link)."""
    return bool(LOG_READERS & set(roles))


def entry_row(entry: AccessEntry) -> dict[str, str]:
    """One log line as people read it: names and labels, never codes."""
    return {
        "username": entry.username,
        "name": people()(entry.username),
        "case_key": entry.case_key,
        "reason": _(REASONS.get(entry.reason, entry.reason)),
        "channel": _(CHANNELS.get(entry.channel, entry.channel)),
        "fields": "、".join(_(FIELDS.get(f, f)) for f in entry.fields),
    }


@bp.get("/access-log")
@login_required
def access_log() -> str:
    """Full views of personal data, newest first; `?case=` narrows to one case."""
    case_key = request.args.get("case", "").strip()[:100]
    entries = db.service().privacy.access_log(me().username, case_key or None)
    rows = [(entry, entry_row(entry)) for entry in entries]
    return render_template("privacy/access_log.html", rows=rows, case_key=case_key)

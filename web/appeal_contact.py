"""How a submitter wants to hear about their matter: SMS, e-mail or not at all.

Checked with the rest of the appeal (`appeals.parse_appeal`); the choice goes into the
case data as `notify_by` (`sms` | `email`) with `contact.email`, and the outbox
(`engine/notifying/`) sends the receipt, the reply to rate and the closing notice there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .i18n import gettext as _

CHOICES = ("", "sms", "email")  # "": no messages (the tracking page only)
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}")
MOBILE = re.compile(r"1[3-9]\d{9}")
MAX_EMAIL = 200


def notification_choice(
    raw: Mapping[str, Any], contact: Mapping[str, Any], phone: str, errors: dict[str, str]
) -> dict[str, str]:
    """{'notify_by': ..., 'email': ...} as chosen (empty if none), errors by field name."""
    choice = raw.get("notify_by") or ""
    email = contact.get("email")
    email = email.strip() if isinstance(email, str) else ""
    if choice not in CHOICES:
        errors["notify_by"] = _("请选择短信、电子邮件或不通知")
        return {}
    if email and (len(email) > MAX_EMAIL or not EMAIL.fullmatch(email)):
        errors["contact.email"] = _("请填写有效的电子邮箱，如 name@example.com")
    elif choice == "email" and not email:
        errors["contact.email"] = _("选择电子邮件通知时请填写电子邮箱")
    if choice == "sms" and phone and not MOBILE.fullmatch(phone):
        errors["notify_by"] = _("短信通知需要手机号；固定电话请选择电子邮件或不通知")
    found = {"notify_by": choice} if choice else {}
    return {**found, "email": email} if email else found


def add_choice(data: dict[str, Any], choice: Mapping[str, str]) -> None:
    """Put a checked choice into the case data (`contact.email`, `notify_by`)."""
    if choice.get("email"):
        data["contact"]["email"] = choice["email"]
    if choice.get("notify_by"):
        data["notify_by"] = choice["notify_by"]

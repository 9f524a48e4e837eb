"""A citizen's or enterprise's appeal as submitted, checked before a case is started.

Shared by the public form and `POST /api/v1/appeals`; the result is the intake data
of processes/CONTRACT.md (title, description, kind, tier, intake_unit, channel,
contact {name, phone}, enterprise_name, attachments).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from engine.organisation import UnitView

from .appeal_contact import add_choice, notification_choice
from .i18n import gettext as _
from .places import parse_place
from .vocabulary import KINDS, TIERS

MAX_LENGTH = {
    "title": 100,
    "description": 2000,
    "contact.name": 50,
    "contact.phone": 20,
    "enterprise_name": 100,
}
MAX_ATTACHMENTS = 5
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")
URL = re.compile(r"https?://\S{1,490}")


class AppealInvalid(Exception):
    """Some fields are missing or wrong; `fields` maps each to a message."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        super().__init__(", ".join(fields))


def window_units(units: Sequence[UnitView]) -> dict[str, list[UnitView]]:
    """The windows a citizen may choose, by tier (open units whose kind is a tier)."""
    return {tier: [u for u in units if u.kind == tier and not u.closed] for tier in TIERS}


def parent_windows(code: str, units: Sequence[UnitView]) -> list[dict[str, str]]:
    """The windows above a window, nearest first (where a clerk may pass a matter up)."""
    by_code = {u.code: u for u in units}
    chain: list[dict[str, str]] = []
    unit = by_code.get(code)
    while unit is not None and unit.parent_code in by_code and len(chain) < len(TIERS):
        unit = by_code[unit.parent_code]
        if unit.kind not in TIERS:
            break
        chain.append({"unit": unit.code, "tier": unit.kind})
    return chain


def parse_appeal(
    raw: Mapping[str, Any], units: Sequence[UnitView], channel: str = "online"
) -> dict[str, Any]:
    """Return the case's intake data, or raise AppealInvalid with every bad field."""
    errors: dict[str, str] = {}
    given = raw.get("contact")
    contact: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    values = {
        "title": _text(raw.get("title")),
        "description": _text(raw.get("description")),
        "contact.name": _text(contact.get("name")),
        "contact.phone": _text(contact.get("phone")).replace(" ", ""),
        "enterprise_name": _text(raw.get("enterprise_name")),
    }
    for name, value in values.items():
        if not value and name != "enterprise_name":
            errors[name] = _("此项为必填项")
        elif len(value) > MAX_LENGTH[name]:
            errors[name] = _("最多 {n} 个字符", n=MAX_LENGTH[name])
    if "contact.phone" not in errors and not PHONE.fullmatch(values["contact.phone"]):
        errors["contact.phone"] = _("请填写有效的手机号或固定电话（如 0571-82345678）")
    kind = _text(raw.get("kind"))
    if kind not in KINDS:
        errors["kind"] = _("请选择诉求类型")
    tier = _text(raw.get("tier"))
    unit = _choose_window(tier, _text(raw.get("intake_unit") or raw.get("window")), units, errors)
    attachments = _attachments(raw.get("attachments"), errors)
    notify = notification_choice(raw, contact, values["contact.phone"], errors)
    place = parse_place(raw, units, errors)
    if errors:
        raise AppealInvalid(errors)
    data: dict[str, Any] = {
        "title": values["title"], "description": values["description"], "kind": kind,
        "tier": tier, "channel": "enterprise" if kind == "misconduct_report" else channel,
        "contact": {"name": values["contact.name"], "phone": values["contact.phone"]},
    }  # fmt: skip
    if unit:
        data["intake_unit"] = unit
        data["parent_windows"] = parent_windows(unit, units)
    if values["enterprise_name"]:
        data["enterprise_name"] = values["enterprise_name"]
    if attachments:
        data["attachments"] = attachments
    add_choice(data, notify)
    return {**data, **place}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _choose_window(
    tier: str, chosen: str, units: Sequence[UnitView], errors: dict[str, str]
) -> str | None:
    """The intake unit: the chosen one of this tier, or the only one there is."""
    if tier not in TIERS:
        errors["tier"] = _("请选择受理层级")
        return None
    windows = window_units(units)[tier]
    if chosen:
        if chosen not in {u.code for u in windows}:
            errors["intake_unit"] = _("请选择该层级下的受理窗口")
        return chosen
    if len(windows) == 1:
        return windows[0].code
    if windows:
        errors["intake_unit"] = _("请选择受理窗口")
    return None  # no windows configured for this tier: the case is routed by the diagram


def _attachments(raw: Any, errors: dict[str, str]) -> list[dict[str, str]]:
    """Links to files the submitter already uploaded elsewhere: [{name, url}], at most 5."""
    if raw in (None, []):
        return []
    if not isinstance(raw, list) or len(raw) > MAX_ATTACHMENTS:
        errors["attachments"] = _("附件最多 {n} 个", n=MAX_ATTACHMENTS)
        return []
    result = []
    for item in raw:
        name = _text(item.get("name")) if isinstance(item, Mapping) else ""
        url = _text(item.get("url")) if isinstance(item, Mapping) else ""
        if not name or len(name) > 200 or not URL.fullmatch(url):
            errors["attachments"] = _("附件应为 {name, url}，url 以 http(s):// 开头")
            return []
        result.append({"name": name, "url": url})
    return result

"""Case warnings in the reader's language, shown to the people who can act on them.

The engine stores warnings as codes with parameters (engine/casewarnings.py; 0.1.0 stored
English sentences). Calendar warnings concern the process admin, who loads holiday
schedules: admins read the full notice, everyone else at most that the deadline may change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.casewarnings import CALENDAR_FALLBACK, NOT_RECALCULATED, fallback_years

from .i18n import get_locale
from .i18n import gettext as _

ADMIN_ROLE = "process_admin"


def for_viewer(warnings: Sequence[Any], roles: Sequence[str]) -> list[str]:
    """The notices one viewer should read about a case, in the UI language."""
    if ADMIN_ROLE in roles:
        return [describe(w) for w in warnings]
    if any(is_calendar(w) for w in warnings):
        return [_("本案办理时限可能根据法定节假日安排调整。")]
    return []  # technical notes (a due date that failed, a routing gap) are the admin's


def api_warnings(warnings: Sequence[Any]) -> list[dict[str, str]]:
    """Warnings for the staff API: a stable code and the notice in the request's language."""
    return [{"code": code_of(w), "message": describe(w)} for w in warnings]


def is_calendar(warning: Any) -> bool:
    """True for warnings about deadlines counted without a holiday schedule."""
    return code_of(warning) in (CALENDAR_FALLBACK, NOT_RECALCULATED)


def code_of(warning: Any) -> str:
    """The warning's code (0.1.0 sentences: `calendar_fallback` or `note`)."""
    if isinstance(warning, dict):
        return str(warning.get("code", "note"))
    return CALENDAR_FALLBACK if fallback_years([warning]) else "note"


def describe(warning: Any) -> str:
    """A warning as a sentence for the process admin."""
    code = code_of(warning)
    if code == CALENDAR_FALLBACK:
        years = _years(fallback_years([warning]))
        first = _("{years} 年的法定节假日安排尚未导入，本案时限暂按周一至周五计算。", years=years)
        return first + _("请导入该年官方安排（mashangban calendar load），之后时限自动重新计算。")
    if code == NOT_RECALCULATED:
        years = _years(set(warning.get("years", [])))
        first = _("导入 {years} 年节假日安排前，本案已按原时限办理（如已超时升级）。", years=years)
        return first + _("时限未自动重新计算，请人工核对。")
    return str(warning.get("message", code) if isinstance(warning, dict) else warning)


def _years(years: set[Any]) -> str:
    return ("、" if get_locale() != "en" else ", ").join(str(y) for y in sorted(years))

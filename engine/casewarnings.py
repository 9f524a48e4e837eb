"""Case warnings: structured entries (a code and parameters) kept in `Case.warnings`.

Releases up to 0.1.0 stored English sentences; those stay readable. The calendar
fallback warning is `{"code": "calendar_fallback", "years": [2027], "days": ["2027-01-01"]}`
and the web layer words it in the reader's language, for the process admin.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

CALENDAR_FALLBACK = "calendar_fallback"
NOT_RECALCULATED = "calendar_not_recalculated"
# The sentence 0.1.0 stored for a fallback (acting.py of that release).
_LEGACY_FALLBACK = re.compile(r"no official holiday schedule for ([\d, ]+):")


def fallback_years(warnings: Sequence[Any]) -> set[int]:
    """The years whose deadlines were counted by the Monday-Friday fallback."""
    years: set[int] = set()
    for warning in warnings:
        if isinstance(warning, dict) and warning.get("code") == CALENDAR_FALLBACK:
            years.update(int(y) for y in warning.get("years", []))
        elif isinstance(warning, str) and (found := _LEGACY_FALLBACK.match(warning)):
            years.update(int(y) for y in re.findall(r"\d{4}", found.group(1)))
    return years


def with_fallback_days(warnings: Sequence[Any], days: Iterable[date]) -> list[Any]:
    """The warnings with these fallback days merged into the one calendar_fallback entry."""
    new_days = {day.isoformat() for day in days}
    if not new_days:
        return list(warnings)
    kept: list[Any] = []
    old_days: set[str] = set()
    years = fallback_years(warnings)
    for warning in warnings:
        if _is_fallback(warning):
            old_days.update(warning.get("days", []) if isinstance(warning, dict) else [])
        else:
            kept.append(warning)
    merged = old_days | new_days
    years |= {int(day[:4]) for day in merged}
    return [*kept, _fallback(years, merged)]


def without_years(warnings: Sequence[Any], covered: set[int]) -> list[Any]:
    """The warnings once schedules for `covered` years are loaded (their fallback is gone)."""
    kept: list[Any] = []
    days: set[str] = set()
    years = fallback_years(warnings) - covered
    for warning in warnings:
        if _is_fallback(warning):
            if isinstance(warning, dict):
                days.update(d for d in warning.get("days", []) if int(d[:4]) not in covered)
        else:
            kept.append(warning)
    return [*kept, _fallback(years, days)] if years else kept


def not_recalculated(warnings: Sequence[Any], years: set[int]) -> list[Any]:
    """Add (once) the warning that these years' deadlines could not be recomputed."""
    entry = {"code": NOT_RECALCULATED, "years": sorted(years)}
    return list(warnings) if entry in warnings else [*warnings, entry]


def describe(warning: Any) -> str:
    """A warning in English for the command line (the web words it per language)."""
    if not isinstance(warning, dict):
        return str(warning)
    years = ", ".join(str(y) for y in warning.get("years", []))
    if warning.get("code") == CALENDAR_FALLBACK:
        return (f"no official holiday schedule for {years}: deadlines counted Monday-Friday; "
                f"load it with `mashangban calendar load FILE` to recalculate them")  # fmt: skip
    if warning.get("code") == NOT_RECALCULATED:
        return (f"deadlines counted Monday-Friday for {years} were already acted on before "
                f"the schedule was loaded: not recalculated, check them by hand")  # fmt: skip
    return str(warning)


def is_calendar(warning: Any) -> bool:
    """True for the warnings about deadlines counted without a holiday schedule."""
    if isinstance(warning, dict):
        return warning.get("code") in (CALENDAR_FALLBACK, NOT_RECALCULATED)
    return _is_fallback(warning)


def _fallback(years: set[int], days: set[str]) -> dict[str, Any]:
    return {"code": CALENDAR_FALLBACK, "years": sorted(years), "days": sorted(days)}


def _is_fallback(warning: Any) -> bool:
    if isinstance(warning, dict):
        return warning.get("code") == CALENDAR_FALLBACK
    return isinstance(warning, str) and bool(_LEGACY_FALLBACK.match(warning))

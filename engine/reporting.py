"""The leaders' reports: 三率 by group, unit ranking, hot spots, overdue cases.

Rates come from `rates.CaseFacts` (folded from the event log); who holds an overdue case
comes from the inbox table. Scope: leaders see every case, a clerk the cases received by
their unit (and the units below it), a department the cases it leads; others nothing.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import FieldError, FormInvalid
from .rates import CaseFacts

LEADER_ROLES = frozenset({"leading_office", "joint_meeting", "supervising_office", "discipline",
                          "auditor", "admin"})  # fmt: skip
DEPARTMENT_ROLES = frozenset({"department_handler", "chief_representative"})
GROUPS = ("tier", "unit", "department", "kind", "channel", "week", "month")
FILTERS = ("tier", "unit", "department", "kind", "channel")
LEVELS = (1, 2, 3, 4)


@dataclass(frozen=True)
class RatesQuery:
    """Which cases (received in [start, end), matching the filters) and how to group them."""

    start: datetime | None = None
    end: datetime | None = None
    group_by: str | None = None
    filters: dict[str, str] = field(default_factory=dict)

    def check(self) -> None:
        """Raise FormInvalid naming each bad parameter."""
        errors = []
        if self.group_by and self.group_by not in GROUPS:
            errors.append(
                FieldError(
                    "group_by", "not_an_option", {"value": self.group_by, "choices": list(GROUPS)}
                )
            )
        for name in set(self.filters) - set(FILTERS):
            errors.append(FieldError(name, "unknown_filter", {"choices": list(FILTERS)}))
        if self.start and self.end and self.end <= self.start:
            errors.append(FieldError("to", "ends_before_start"))
        if errors:
            raise FormInvalid(errors)


@dataclass(frozen=True)
class RateRow:
    """One group's numerators, denominators and rates (None when nothing to divide)."""

    group: str | None
    received: int
    responded_on_time: int
    response_judged: int
    finished: int
    finished_on_time: int
    finished_or_overdue: int
    rated: int
    satisfied: int
    rehandled: int
    escalated: dict[int, int]
    cannot_resolve: int
    median_hours: float | None

    @property
    def response_rate(self) -> float | None:
        """响应率."""
        return _ratio(self.responded_on_time, self.response_judged)

    @property
    def on_time_rate(self) -> float | None:
        """按时办结率."""
        return _ratio(self.finished_on_time, self.finished_or_overdue)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率."""
        return _ratio(self.satisfied, self.rated)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values, rates rounded to four places."""
        return {
            "group": self.group, "received": self.received,
            "responded_on_time": self.responded_on_time, "response_judged": self.response_judged,
            "response_rate": self.response_rate, "finished": self.finished,
            "finished_on_time": self.finished_on_time,
            "finished_or_overdue": self.finished_or_overdue, "on_time_rate": self.on_time_rate,
            "rated": self.rated, "satisfied": self.satisfied,
            "satisfaction_rate": self.satisfaction_rate, "rehandled": self.rehandled,
            "rehandle_share": _ratio(self.rehandled, self.received),
            "escalated": {str(level): n for level, n in self.escalated.items()},
            "escalation_share": {str(level): _ratio(n, self.received)
                                 for level, n in self.escalated.items()},
            "cannot_resolve": self.cannot_resolve,
            "cannot_resolve_share": _ratio(self.cannot_resolve, self.finished),
            "median_hours": self.median_hours,
        }  # fmt: skip


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def select_facts(
    facts: list[CaseFacts], query: RatesQuery, allowed: Callable[[CaseFacts], bool] | None,
    units: dict[str, set[str]],
) -> list[CaseFacts]:  # fmt: skip
    """The received cases in the period that match the filters and the viewer's scope."""
    start, end = query.start, query.end
    chosen = [
        f for f in facts
        if f.received_at is not None
        and (start is None or f.received_at >= start)
        and (end is None or f.received_at < end)
    ]  # fmt: skip
    if allowed is not None:
        chosen = [f for f in chosen if allowed(f)]
    unit_filter = query.filters.get("unit")
    if unit_filter:
        wanted = units.get(unit_filter, {unit_filter})
        chosen = [f for f in chosen if f.unit in wanted]
    for name in ("tier", "department", "kind", "channel"):
        value = query.filters.get(name)
        if value:
            chosen = [f for f in chosen if getattr(f, name) == value]
    return chosen


def rate_rows(facts: list[CaseFacts], group_by: str | None, now: datetime) -> list[RateRow]:
    """One row per group (sorted by group), or a single total row without grouping."""
    if group_by is None:
        return [_row(None, facts, now)]
    groups: dict[str | None, list[CaseFacts]] = {}
    for one in facts:  # every name in GROUPS is a CaseFacts attribute
        groups.setdefault(getattr(one, group_by), []).append(one)
    return [_row(name, groups[name], now) for name in sorted(groups, key=lambda g: g or "")]


def _row(name: str | None, cases: list[CaseFacts], now: datetime) -> RateRow:
    """Count one group: list comprehensions over precomputed flags (fast for 100,000)."""
    replied = [c for c in cases if c.replied]
    rated = [c for c in cases if c.rating is not None]
    pending = sum(1 for c in cases if c.unanswered_until is not None and c.unanswered_until > now)
    overdue = sum(1 for c in cases if c.overdue_from is not None and c.overdue_from < now)
    hours = [c.work_hours for c in replied if c.work_hours is not None]
    escalated = Counter(level for c in cases if c.levels for level in set(c.levels))
    return RateRow(
        group=name, received=len(cases),
        responded_on_time=sum(1 for c in cases if c.ok_response),
        response_judged=len(cases) - pending - sum(
            1 for c in cases if c.responded_at is None and c.response_due is None),
        finished=len(replied), finished_on_time=sum(1 for c in replied if c.ok_finish),
        finished_or_overdue=len(replied) + overdue, rated=len(rated),
        satisfied=sum(1 for c in rated if c.satisfied),
        rehandled=sum(1 for c in cases if c.rehandled),
        escalated={level: escalated.get(level, 0) for level in LEVELS},
        cannot_resolve=sum(1 for c in replied if c.cannot_resolve),
        median_hours=round(statistics.median(hours), 2) if hours else None,
    )  # fmt: skip


def ranking(rows: list[RateRow]) -> list[RateRow]:
    """考核 order: 按时办结率, then 满意率, then 响应率 (higher first), then more cases."""

    def score(row: RateRow) -> tuple[float, float, float, int]:
        rates = (row.on_time_rate, row.satisfaction_rate, row.response_rate)
        on_time, satisfaction, response = (-1.0 if r is None else r for r in rates)
        return (-on_time, -satisfaction, -response, -row.received)

    return sorted((row for row in rows if row.group is not None), key=score)


def hot_spots(facts: list[CaseFacts], limit: int = 10) -> dict[str, list[tuple[str, int]]]:
    """The matter kinds and the places (the village chosen at intake, else the receiving
    unit) that recur most."""
    kinds = Counter(c.kind for c in facts if c.kind)
    places = Counter(place for c in facts if (place := c.place or c.unit))
    return {"kinds": kinds.most_common(limit), "places": places.most_common(limit)}

"""Per-case facts for the 三率 reports, folded from the append-only event log.

Each intake case's history (`case_events`) is reduced to one `CaseFacts`: when it was
received, first answered, replied to, its deadline, rating, re-handling, escalation
levels and outcome. The event log is append-only, so a case's facts change only when
its `last_seq` does. `factstore.py` keeps them in the `case_facts` table (written with
each event) and in memory per engine (definitions: processes/CONTRACT.md, "Reports").
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import DateTime, bindparam, case, select, text, type_coerce

from .calendar import SHANGHAI, WorkingCalendar
from .models import CaseEvent

# China Standard Time has had no daylight saving since 1991: a fixed offset converts the
# same instants as Asia/Shanghai at a fraction of ZoneInfo's cost (the clock's hot path).
_CST = timezone(timedelta(hours=8))

# The diagram elements whose completion marks a milestone (closed_loop, CONTRACT.md).
FIRST_RESPONSE_TASKS = frozenset({"accept_case"})
REPLY_TASKS = frozenset({"reply_on_spot", "send_reply"})
DEADLINE_TASKS = frozenset({"classify_case", "dh_approve_extension"})  # dispatch, extension
SATISFIED = frozenset({"satisfied", "basically_satisfied"})
# handling_mode stays last: `apply_event` reads it as values[-1].
KEYS = ("tier", "intake_unit", "channel", "kind", "lead_department", "first_response_due",
        "sla_due", "rating", "rehandle_count", "outcome", "place_unit",
        "handling_mode")  # fmt: skip
PASS_UP = "pass_up"  # passing a matter up to the parent window hands it over; it is no answer
CHUNK = 900  # ids per IN (...) list: below SQLite's variable limit


@dataclass(slots=True)
class CaseFacts:
    """What the reports need to know about one intake case (slots: 100,000 stay small)."""

    case_id: int
    received_at: datetime | None = None
    tier: str | None = None
    unit: str | None = None
    channel: str | None = None
    kind: str | None = None
    department: str | None = None
    response_due: datetime | None = None
    responded_at: datetime | None = None
    deadline: datetime | None = None
    replied_at: datetime | None = None
    rating: str | None = None
    rehandled: bool = False
    levels: tuple[int, ...] = ()
    outcome: str | None = None
    place: str | None = None  # the village/community chosen at intake (issue 14)
    merged: bool = False  # a duplicate merged into another case: its 三率 are the main case's
    work_hours: float | None = None  # office hours from receipt to reply
    # Precomputed by `settle` so that counting 100,000 cases is attribute reads only.
    month: str = ""
    week: str = ""
    replied: bool = False
    ok_response: bool = False
    ok_finish: bool = False
    unanswered_until: datetime | None = None  # not answered: judged once this passes
    overdue_from: datetime | None = None  # not replied: overdue once this passes
    satisfied: bool = False
    cannot_resolve: bool = False

    def settle(self) -> None:
        """Compute the flags the counting reads."""
        if self.received_at is not None:
            self.month, self.week = _month_and_week(self.received_at.astimezone(SHANGHAI).date())
        self.replied = self.replied_at is not None
        self.ok_response = self.responded_on_time()
        self.ok_finish = self.finished_on_time()
        self.unanswered_until = self.response_due if self.responded_at is None else None
        self.overdue_from = self.deadline if not self.replied else None
        self.satisfied = self.rating in SATISFIED
        self.cannot_resolve = self.replied and self.outcome == "cannot_resolve"

    def finished_on_time(self) -> bool:
        """Replied by the deadline in force (dispatch or extension; 24 h for 即知即办)."""
        due = self.deadline or self.response_due
        return self.replied_at is not None and (due is None or self.replied_at <= due)

    def overdue(self, now: datetime) -> bool:
        """Not replied and the deadline has passed."""
        return self.replied_at is None and self.deadline is not None and self.deadline < now

    def responded_on_time(self) -> bool:
        """First response by `first_response_due` (24 hours counted on working days)."""
        if self.responded_at is None:
            return False
        return self.response_due is None or self.responded_at <= self.response_due


@functools.lru_cache(maxsize=4096)
def _month_and_week(day: date) -> tuple[str, str]:
    """ "2026-10" and "2026-W41" of a local date (cached: 100,000 cases share a few days)."""
    year, week, _day = day.isocalendar()
    return day.strftime("%Y-%m"), f"{year}-W{week:02d}"


def instant(value: Any) -> datetime | None:
    """An ISO-8601 text as an aware datetime (Shanghai when it has no zone), else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _fold_data(facts: CaseFacts, values: Sequence[Any]) -> None:
    """Apply the data keys an event changed (values in KEYS order; the latest counts)."""
    tier, unit, channel, kind, department, response_due, _due, rating, rehandles, outcome, place = (
        values[:11]
    )
    facts.place = place if place is not None else facts.place
    facts.tier = tier if tier is not None else facts.tier
    facts.unit = unit if unit is not None else facts.unit
    facts.channel = channel if channel is not None else facts.channel
    facts.kind = kind if kind is not None else facts.kind
    facts.department = department if department is not None else facts.department
    if response_due is not None:
        facts.response_due = instant(response_due)
    facts.rating = rating if rating is not None else facts.rating
    facts.outcome = outcome if outcome is not None else facts.outcome
    if rehandles is not None and str(rehandles) not in ("0", "null"):
        facts.rehandled = True


def apply_event(
    facts: CaseFacts, kind: str, at: datetime, task_spec: str | None, level: Any,
    values: Sequence[Any],
) -> None:  # fmt: skip
    """Fold one event (its kind, time, task, escalation level and KEYS values) into facts."""
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    if kind == "started" and facts.received_at is None:
        facts.received_at = at
    elif kind == "merged":
        facts.merged = True
    elif kind == "escalated" and level is not None:
        facts.levels = (*facts.levels, int(level))
    elif kind == "task_completed" and task_spec in FIRST_RESPONSE_TASKS:
        if values[-1] != PASS_UP:
            facts.responded_at = facts.responded_at or at
    elif kind == "task_completed" and task_spec in REPLY_TASKS and facts.replied_at is None:
        facts.replied_at = at
        facts.responded_at = facts.responded_at or at
    if task_spec in DEADLINE_TASKS and values[6] is not None and facts.replied_at is None:
        due = instant(values[6])  # sla_due
        if due is not None:  # an extension only ever moves the deadline later
            facts.deadline = max(facts.deadline or due, due)
    if any(value is not None for value in values):
        _fold_data(facts, values)


def fold(case_id: int, events: Iterable[Sequence[Any]]) -> CaseFacts:
    """Reduce one case's events (kind, at, task_spec, level, *KEYS values) to its facts."""
    facts = CaseFacts(case_id)
    for kind, at, task_spec, level, *values in events:
        apply_event(facts, kind, at, task_spec, level, values)
    return facts


# PostgreSQL repeats a CAST per key (6.9 s for 96,000 events); json_to_record parses once.
_PG_EVENTS = (
    "SELECT e.case_id, e.seq, e.kind, e.at, e.task_spec, "
    "CASE WHEN e.kind = 'escalated' THEN e.inputs -> 'fields' ->> 'level' END, "
    + ", ".join(f"r.{name}" for name in KEYS)
    + " FROM case_events e, json_to_record(e.data_after) AS r("
    + ", ".join(f"{name} text" for name in KEYS)
    + ") {where}"
)


def event_query(dialect: str, ids: list[int] | None) -> Any:
    """(case_id, seq, kind, at, task_spec, level, *KEYS) per event of these cases (None: all).

    Unordered on purpose: sorting the whole log by case made PostgreSQL walk the case_id
    index in random heap order (4x slower than a sequential scan); the caller sorts per case.
    """
    at = type_coerce(CaseEvent.__table__.c.at, DateTime(timezone=True))  # skip UtcDateTime
    level = case(
        (CaseEvent.kind == "escalated", CaseEvent.inputs["fields"]["level"].as_string()),
        else_=None,
    )
    if dialect == "postgresql":  # parse each event's JSON once, not once per key
        where = "WHERE e.case_id = ANY(:ids)" if ids is not None else ""
        return text(_PG_EVENTS.format(where=where)).bindparams(
            *([bindparam("ids", ids)] if ids is not None else [])
        )
    in_cases = [CaseEvent.case_id.in_(ids)] if ids is not None else []
    head = (CaseEvent.case_id, CaseEvent.seq, CaseEvent.kind, at, CaseEvent.task_spec, level)
    values = (CaseEvent.data_after[name].as_string() for name in KEYS)
    return select(*head, *values).where(*in_cases)


class WorkClock:
    """Office time between instants, fast for many pairs (working days looked up once each).

    `WorkingCalendar.is_workday` costs ~0.2 ms (the bundled data validates every date), so
    a per-pair `working_time_between` over 100,000 cases would take seconds; prefix sums
    of office seconds per day, from the earliest day asked so far, make each pair O(1).
    """

    def __init__(self, calendar: WorkingCalendar) -> None:
        self._calendar = calendar
        self._periods = [(_seconds(s), _seconds(e)) for s, e in calendar.hours.periods]
        self._day_seconds = sum(end - start for start, end in self._periods)
        self._workday: dict[date, bool] = {}
        self._anchor: date | None = None
        self._prefix: list[float] = [0.0]  # office seconds before anchor + i days

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Same as `WorkingCalendar.working_time_between`."""
        first = min(start, end).astimezone(SHANGHAI).date()
        if self._anchor is None or first < self._anchor:
            self._anchor, self._prefix = first, [0.0]  # rebuilt from the cached day answers
        return timedelta(seconds=self._offset(end) - self._offset(start))

    def days(self, first: date, last: date) -> list[tuple[date, float, bool]]:
        """(day, office seconds before it counted from `first`, working day?) for SQL joins."""
        table, before = [], 0.0
        for index in range((last - first).days + 1):
            day = first + timedelta(days=index)
            workday = self._is_workday(day)
            table.append((day, before, workday))
            before += self._day_seconds if workday else 0
        return table

    @property
    def periods(self) -> list[tuple[float, float]]:
        """The office periods of a working day, in seconds after midnight."""
        return list(self._periods)

    def _is_workday(self, day: date) -> bool:
        known = self._workday.get(day)
        if known is None:
            known = self._workday[day] = self._calendar.is_workday(day)
        return known

    def _offset(self, moment: datetime) -> float:
        assert self._anchor is not None
        local = moment.astimezone(_CST)
        day = local.date()
        index = (day - self._anchor).days
        prefix = self._prefix
        while len(prefix) <= index:
            past = self._anchor + timedelta(days=len(prefix) - 1)
            prefix.append(prefix[-1] + (self._day_seconds if self._is_workday(past) else 0))
        if not self._is_workday(day):
            return prefix[index]
        clock = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        inside = 0.0
        for start, end in self._periods:  # a loop, not sum(...): 160,000 calls per report
            if clock > start:
                inside += (clock if clock < end else end) - start
        return prefix[index] + inside


def _seconds(clock: time) -> float:
    return clock.hour * 3600 + clock.minute * 60 + clock.second + clock.microsecond / 1e6

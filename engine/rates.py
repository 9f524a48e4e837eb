"""Per-case facts for the 三率 reports, folded from the append-only event log.

Each intake case's history (`case_events`) is reduced to one `CaseFacts`: when it was
received, first answered, replied to, its deadline, rating, re-handling, escalation
levels and outcome. The event log is append-only, so a case's facts change only when
its `last_seq` does: `FactsCache` keeps them per engine and re-reads only the cases
that moved since the last report (definitions: processes/CONTRACT.md, "Reports").
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .calendar import SHANGHAI, WorkingCalendar
from .models import Case, CaseEvent, ProcessVersion

# The diagram elements whose completion marks a milestone (closed_loop, CONTRACT.md).
FIRST_RESPONSE_TASKS = frozenset({"accept_case"})
REPLY_TASKS = frozenset({"reply_on_spot", "send_reply"})
DEADLINE_TASKS = frozenset({"classify_case", "dh_approve_extension"})  # dispatch, extension
SATISFIED = frozenset({"satisfied", "basically_satisfied"})
_KEYS = ("tier", "intake_unit", "channel", "kind", "lead_department", "first_response_due",
         "sla_due", "rating", "rehandle_count", "outcome")  # fmt: skip
_CHUNK = 900  # ids per IN (...) list: below SQLite's variable limit


@dataclass
class CaseFacts:
    """What the reports need to know about one intake case."""

    case_id: int
    key: str
    title: str = ""
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
    levels: set[int] = field(default_factory=set)
    outcome: str | None = None

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

    def response_pending(self, now: datetime) -> bool:
        """Not answered yet, but its 24 hours have not run out: not judged yet."""
        return self.responded_at is None and (self.response_due is None or self.response_due > now)


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _fold_data(facts: CaseFacts, at: datetime, values: dict[str, Any]) -> None:
    """Apply the data keys an event changed (only the latest value of each counts)."""
    for name, attr in (("tier", "tier"), ("intake_unit", "unit"), ("channel", "channel"),
                       ("kind", "kind"), ("lead_department", "department")):  # fmt: skip
        if values.get(name) is not None:
            setattr(facts, attr, _text(values[name]))
    if values.get("first_response_due") is not None:
        facts.response_due = _instant(values["first_response_due"])
    if values.get("rating") is not None:
        facts.rating = _text(values["rating"])
    if values.get("outcome") is not None:
        facts.outcome = _text(values["outcome"])
    if str(values.get("rehandle_count") or "0") not in ("0", "None"):
        facts.rehandled = True


def fold(case_id: int, key: str, title: str, events: Iterable[Sequence[Any]]) -> CaseFacts:
    """Reduce one case's events (kind, at, task_spec, level, *_KEYS values) to its facts."""
    facts = CaseFacts(case_id, key, title)
    for kind, at, task_spec, level, *values in events:
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        data = dict(zip(_KEYS, values, strict=True))
        if kind == "started" and facts.received_at is None:
            facts.received_at = at
        elif kind == "escalated" and level is not None:
            facts.levels.add(int(level))
        elif kind == "task_completed" and task_spec in FIRST_RESPONSE_TASKS:
            facts.responded_at = facts.responded_at or at
        elif kind == "task_completed" and task_spec in REPLY_TASKS and facts.replied_at is None:
            facts.replied_at = at
            facts.responded_at = facts.responded_at or at
        due = _instant(data["sla_due"])
        if task_spec in DEADLINE_TASKS and due is not None and facts.replied_at is None:
            facts.deadline = max(facts.deadline or due, due)  # an extension only moves it later
        _fold_data(facts, at, data)
    return facts


def _event_columns() -> list[Any]:
    level = CaseEvent.inputs["fields"]["level"].as_string()
    return [CaseEvent.case_id, CaseEvent.kind, CaseEvent.at, CaseEvent.task_spec, level,
            *(CaseEvent.data_after[name].as_string() for name in _KEYS)]  # fmt: skip


class FactsCache:
    """Facts per case, refreshed for the cases whose history grew since the last call."""

    def __init__(self) -> None:
        self._facts: dict[int, tuple[int, CaseFacts]] = {}
        self._lock = threading.Lock()

    def facts(self, session: Session, process_id: str) -> list[CaseFacts]:
        """Current facts of every case of the intake process."""
        heads = session.execute(
            select(Case.id, Case.last_seq, Case.business_key, Case.title)
            .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(ProcessVersion.process_id == process_id)
        ).all()
        with self._lock:
            known = dict(self._facts)
        stale = {row.id: row for row in heads if known.get(row.id, (-1,))[0] != row.last_seq}
        fresh = _read(session, stale) if stale else {}
        with self._lock:
            for case_id, facts in fresh.items():
                self._facts[case_id] = (stale[case_id].last_seq, facts)
            return [self._facts[row.id][1] for row in heads if row.id in self._facts]


def _read(session: Session, stale: dict[int, Any]) -> dict[int, CaseFacts]:
    """Fold the events of these cases (all of them in one pass when most are stale)."""
    query = select(*_event_columns()).order_by(CaseEvent.case_id, CaseEvent.seq)
    if len(stale) <= _CHUNK:
        query = query.where(CaseEvent.case_id.in_(sorted(stale)))
    # else a cold start: one scan of the log beats thousands of IN lists
    grouped: dict[int, list[Sequence[Any]]] = {}
    for case_id, *rest in session.execute(query):
        if case_id in stale:
            grouped.setdefault(case_id, []).append(rest)
    return {
        case_id: fold(case_id, stale[case_id].business_key, stale[case_id].title, rows)
        for case_id, rows in grouped.items()
    }


class WorkClock:
    """Office time between instants, fast for many pairs (prefix sums per day)."""

    ANCHOR = date(2020, 1, 1)

    def __init__(self, calendar: WorkingCalendar) -> None:
        self._calendar = calendar
        self._periods = calendar.hours.periods
        self._prefix: list[float] = [0.0]  # seconds of office time before ANCHOR + i days
        self._day_seconds = sum(_seconds(end) - _seconds(start) for start, end in self._periods)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Same as `WorkingCalendar.working_time_between`, in O(1) after warming."""
        if min(start, end).astimezone(SHANGHAI).date() < self.ANCHOR:
            return self._calendar.working_time_between(start, end)
        return timedelta(seconds=self._offset(end) - self._offset(start))

    def _offset(self, moment: datetime) -> float:
        local = moment.astimezone(SHANGHAI)
        index = (local.date() - self.ANCHOR).days
        while len(self._prefix) <= index:
            day = self.ANCHOR + timedelta(days=len(self._prefix) - 1)
            worked = self._day_seconds if self._calendar.is_workday(day) else 0.0
            self._prefix.append(self._prefix[-1] + worked)
        if not self._calendar.is_workday(local.date()):
            return self._prefix[index]
        clock = _seconds(local.time())
        inside = sum(max(0.0, min(clock, _seconds(e)) - _seconds(s)) for s, e in self._periods)
        return self._prefix[index] + inside


def _seconds(clock: time) -> float:
    return clock.hour * 3600 + clock.minute * 60 + clock.second + clock.microsecond / 1e6

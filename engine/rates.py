"""Per-case facts for the 三率 reports, folded from the append-only event log.

Each intake case's history (`case_events`) is reduced to one `CaseFacts`: when it was
received, first answered, replied to, its deadline, rating, re-handling, escalation
levels and outcome. The event log is append-only, so a case's facts change only when
its `last_seq` does: `FactsCache` keeps them per engine and re-reads only the cases
that moved since the last report (definitions: processes/CONTRACT.md, "Reports").
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import DateTime, bindparam, case, func, select, text, type_coerce
from sqlalchemy.orm import Session

from .calendar import SHANGHAI, WorkingCalendar
from .models import Case, CaseEvent, ProcessVersion

# The diagram elements whose completion marks a milestone (closed_loop, CONTRACT.md).
FIRST_RESPONSE_TASKS = frozenset({"accept_case"})
REPLY_TASKS = frozenset({"reply_on_spot", "send_reply"})
DEADLINE_TASKS = frozenset({"classify_case", "dh_approve_extension"})  # dispatch, extension
SATISFIED = frozenset({"satisfied", "basically_satisfied"})
_KEYS = ("tier", "intake_unit", "channel", "kind", "lead_department", "first_response_due",
         "sla_due", "rating", "rehandle_count", "outcome", "handling_mode")  # fmt: skip
PASS_UP = "pass_up"  # passing a matter up to the parent window hands it over; it is no answer
_SEQ = operator.itemgetter(0)
_CHUNK = 900  # ids per IN (...) list: below SQLite's variable limit


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
            local = self.received_at.astimezone(SHANGHAI)
            year, week, _day = local.isocalendar()
            self.month, self.week = local.strftime("%Y-%m"), f"{year}-W{week:02d}"
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


def _fold_data(facts: CaseFacts, values: Sequence[Any]) -> None:
    """Apply the data keys an event changed (values in _KEYS order; the latest counts)."""
    tier, unit, channel, kind, department, response_due, _due, rating, rehandles, outcome = values[
        :10
    ]
    facts.tier = tier if tier is not None else facts.tier
    facts.unit = unit if unit is not None else facts.unit
    facts.channel = channel if channel is not None else facts.channel
    facts.kind = kind if kind is not None else facts.kind
    facts.department = department if department is not None else facts.department
    if response_due is not None:
        facts.response_due = _instant(response_due)
    facts.rating = rating if rating is not None else facts.rating
    facts.outcome = outcome if outcome is not None else facts.outcome
    if rehandles is not None and str(rehandles) not in ("0", "null"):
        facts.rehandled = True


def fold(case_id: int, events: Iterable[Sequence[Any]]) -> CaseFacts:
    """Reduce one case's events (kind, at, task_spec, level, *_KEYS values) to its facts."""
    facts = CaseFacts(case_id)
    for kind, at, task_spec, level, *values in events:
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        if kind == "started" and facts.received_at is None:
            facts.received_at = at
        elif kind == "escalated" and level is not None:
            facts.levels = (*facts.levels, int(level))
        elif kind == "task_completed" and task_spec in FIRST_RESPONSE_TASKS:
            if values[-1] != PASS_UP:
                facts.responded_at = facts.responded_at or at
        elif kind == "task_completed" and task_spec in REPLY_TASKS and facts.replied_at is None:
            facts.replied_at = at
            facts.responded_at = facts.responded_at or at
        if task_spec in DEADLINE_TASKS and values[6] is not None and facts.replied_at is None:
            due = _instant(values[6])  # sla_due
            if due is not None:  # an extension only ever moves the deadline later
                facts.deadline = max(facts.deadline or due, due)
        if any(value is not None for value in values):
            _fold_data(facts, values)
    return facts


# PostgreSQL repeats a CAST per key (6.9 s for 96,000 events); json_to_record parses once.
_PG_EVENTS = (
    "SELECT e.case_id, e.seq, e.kind, e.at, e.task_spec, "
    "CASE WHEN e.kind = 'escalated' THEN e.inputs -> 'fields' ->> 'level' END, "
    + ", ".join(f"r.{name}" for name in _KEYS)
    + " FROM case_events e, json_to_record(e.data_after) AS r("
    + ", ".join(f"{name} text" for name in _KEYS)
    + ") {where}"
)


def _event_query(dialect: str, ids: list[int] | None) -> Any:
    """(case_id, seq, kind, at, task_spec, level, *_KEYS) per event of these cases (None: all).

    Unordered on purpose: sorting the whole log by case made PostgreSQL walk the case_id
    index in random heap order (4x slower than a sequential scan); `_read` sorts per case.
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
    where = [CaseEvent.case_id.in_(ids)] if ids is not None else []
    head = (CaseEvent.case_id, CaseEvent.seq, CaseEvent.kind, at, CaseEvent.task_spec, level)
    values = (CaseEvent.data_after[name].as_string() for name in _KEYS)
    return select(*head, *values).where(*where)


class FactsCache:
    """Facts per case, refreshed for the cases whose history grew since the last call."""

    def __init__(self) -> None:
        self._facts: dict[int, tuple[int, CaseFacts]] = {}
        self._key: object = None
        self._fingerprint: tuple[int, ...] = ()
        self._current: list[CaseFacts] = []
        self._lock = threading.Lock()

    def facts(
        self, session: Session, process_id: str, clock: WorkClock, calendar: object
    ) -> list[CaseFacts]:
        """Current facts of every case of the process (`calendar`: the schedule overrides)."""
        connection = session.connection()  # Core, not the ORM: its row handling took 1 s
        cases = (
            select(Case.id, Case.last_seq)
            .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(ProcessVersion.process_id == process_id)
            .subquery()
        )
        # Events are only appended and cases never removed: equal count and sum of
        # last_seq mean no case moved, so the 100,000 heads need not be read again.
        fingerprint = tuple(connection.execute(
            select(func.count(), func.coalesce(func.sum(cases.c.last_seq), 0))).one())  # fmt: skip
        with self._lock:
            if (process_id, calendar) != self._key:  # a new holiday schedule: new hours
                self._facts, self._key, self._fingerprint = {}, (process_id, calendar), ()
            if fingerprint == self._fingerprint:
                return self._current
            known = self._facts
        heads = connection.execute(select(cases.c.id, cases.c.last_seq)).all()
        stale = {case_id: seq for case_id, seq in heads if known.get(case_id, (-1,))[0] != seq}
        fresh = _read(session, stale, clock) if stale else {}
        with self._lock:
            for case_id, facts in fresh.items():
                self._facts[case_id] = (stale[case_id], facts)
            current = [self._facts[case_id][1] for case_id, _seq in heads if case_id in self._facts]
            self._current, self._fingerprint = current, fingerprint
            return current


def _read(session: Session, stale: dict[int, int], clock: WorkClock) -> dict[int, CaseFacts]:
    """Fold the events of these cases (all of them in one pass when most are stale)."""
    # a cold start reads the whole log in one scan: it beats thousands of IN lists
    ids = sorted(stale) if len(stale) <= _CHUNK else None
    query = _event_query(session.get_bind().dialect.name, ids)
    grouped: dict[int, list[Sequence[Any]]] = {}
    for case_id, *rest in session.connection().execute(query):
        if case_id in stale:
            grouped.setdefault(case_id, []).append(rest)
    result = {
        case_id: fold(case_id, (row[1:] for row in sorted(rows, key=_SEQ)))
        for case_id, rows in grouped.items()
    }
    for facts in result.values():
        facts.settle()
        if facts.received_at is not None and facts.replied_at is not None:
            worked = clock.between(facts.received_at, facts.replied_at)
            facts.work_hours = worked.total_seconds() / 3600
    return result


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

    def _is_workday(self, day: date) -> bool:
        known = self._workday.get(day)
        if known is None:
            known = self._workday[day] = self._calendar.is_workday(day)
        return known

    def _offset(self, moment: datetime) -> float:
        assert self._anchor is not None
        local = moment.astimezone(SHANGHAI)
        index = (local.date() - self._anchor).days
        while len(self._prefix) <= index:
            day = self._anchor + timedelta(days=len(self._prefix) - 1)
            self._prefix.append(
                self._prefix[-1] + (self._day_seconds if self._is_workday(day) else 0)
            )
        if not self._is_workday(local.date()):
            return self._prefix[index]
        clock = _seconds(local.time())
        inside = sum(max(0.0, min(clock, end) - start) for start, end in self._periods)
        return self._prefix[index] + inside


def _seconds(clock: time) -> float:
    return clock.hour * 3600 + clock.minute * 60 + clock.second + clock.microsecond / 1e6

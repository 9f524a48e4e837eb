"""The monthly joint meeting as a page: its agenda cases, their history, and decisions.

The timer starts a `monthly_meeting` case with last month's agenda (reports.monthly_agenda);
its `mm_record_decision` task runs once per item, in order. Deciding an item here
completes that task through the diagram (so the minutes read it) and writes a
`meeting_decided` event into the agenda case's own history, in the same transaction,
so whoever opens the case sees what the meeting decided about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from . import repository as repo
from .acting import claim_case_row
from .errors import Conflict, NotAllowed, NotFound
from .history import from_json_value
from .meeting_actions import ASSIGN_FIELDS, act_on_case, check_decision
from .models import Case, CaseEvent, HumanTask, ProcessVersion
from .recording import record_event
from .reporting import LEADER_ROLES
from .staff import Staff
from .tasks import Tasks
from .work import Work

MEETING_PROCESS = "monthly_meeting"
DECIDE_TASK = "mm_record_decision"
DECIDED = "meeting_decided"
DECIDERS = frozenset({"joint_meeting"})
DECISION_FIELDS = ("decision_type", "decision", "responsible_unit", *ASSIGN_FIELDS)
STARTED = ("handling_case", "consultation_case")


_Decisions = list[dict[str, Any]]  # a meeting's decisions (the class has a `list` method)


@dataclass(frozen=True)
class HistoryLine:
    """One line of an agenda case's history summary."""

    at: datetime
    kind: str
    actor: str
    task_spec: str | None


@dataclass(frozen=True)
class AgendaItem:
    """One agenda case: why it is on the agenda, where it stands, what was decided."""

    index: int
    case_key: str
    title: str
    reason: str
    case_status: str
    unit: str | None
    kind: str | None
    history: tuple[HistoryLine, ...]
    decision: dict[str, Any] | None
    started: tuple[tuple[str, str], ...] = ()  # (handling_case / consultation_case, its key)


@dataclass(frozen=True)
class MeetingView:
    """A monthly meeting case with its agenda; `current` is the item being decided."""

    key: str
    title: str
    period: str
    status: str
    created_at: datetime
    meeting_date: str | None
    chair: str | None
    items: tuple[AgendaItem, ...]
    current: int | None
    task_id: str | None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "key": self.key, "title": self.title, "period": self.period, "status": self.status,
            "meeting_date": self.meeting_date, "chair": self.chair, "current": self.current,
            "items": [{"index": i.index, "case_key": i.case_key, "title": i.title,
                       "reason": i.reason, "case_status": i.case_status,
                       "decision": i.decision, "started": dict(i.started)} for i in self.items],
        }  # fmt: skip


class Meetings:
    """The monthly meetings over one service (one transaction)."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.session = work.session

    def _require(self, viewer: str, roles: frozenset[str]) -> None:
        if not set(Staff(self.work).get_user(viewer).roles) & roles:
            raise NotAllowed(f"{viewer} may not open the monthly meetings")

    def _meeting_case(self, key: str) -> Case:
        query = (
            select(Case)
            .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(ProcessVersion.process_id == MEETING_PROCESS, Case.business_key == key)
        )
        case = self.session.scalars(query).first()
        if case is None:
            raise NotFound(f"no monthly meeting '{key}'")
        return case

    def list(self, viewer: str) -> list[MeetingView]:
        """Every monthly meeting, newest first (leaders only)."""
        self._require(viewer, LEADER_ROLES)
        query = (
            select(Case.business_key)
            .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(ProcessVersion.process_id == MEETING_PROCESS)
            .order_by(Case.created_at.desc())
        )
        return [self._view(self._meeting_case(key)) for key in self.session.scalars(query)]

    def get(self, key: str, viewer: str) -> MeetingView:
        """One meeting with its agenda items, their history summaries and decisions."""
        self._require(viewer, LEADER_ROLES)
        return self._view(self._meeting_case(key))

    def _view(self, case: Case) -> MeetingView:
        data = case.data or {}
        agenda = [item for item in data.get("agenda") or [] if isinstance(item, dict)]
        decisions = self._decisions(case)
        task = self.session.scalars(
            select(HumanTask).where(
                HumanTask.case_id == case.id, HumanTask.task_spec == DECIDE_TASK
            )
        ).first()
        current = len(decisions) if task is not None and len(decisions) < len(agenda) else None
        items = tuple(self._item(i, item, decisions, case.business_key)
                      for i, item in enumerate(agenda))  # fmt: skip
        return MeetingView(
            case.business_key, str(data.get("title") or case.title), str(data.get("period") or ""),
            case.status, case.created_at, _text(data.get("meeting_date")), _text(data.get("chair")),
            items, current, task.id if task is not None and current is not None else None,
        )  # fmt: skip

    def _decisions(self, case: Case) -> _Decisions:
        """The decisions recorded so far, in agenda order (the task runs item by item)."""
        query = select(CaseEvent.inputs).where(
            CaseEvent.case_id == case.id, CaseEvent.kind == "task_completed",
            CaseEvent.task_spec == DECIDE_TASK,
        ).order_by(CaseEvent.seq)  # fmt: skip
        return [dict((inputs or {}).get("data") or {}) for inputs in self.session.scalars(query)]

    def _item(
        self, index: int, item: dict[str, Any], decisions: _Decisions, meeting_key: str
    ) -> AgendaItem:
        key = str(item.get("case_key") or "")
        found = self.session.scalars(select(Case).where(Case.business_key == key)).first()
        history: tuple[HistoryLine, ...] = ()
        started: tuple[tuple[str, str], ...] = ()
        if found is not None:
            events = repo.events(self.session, found.id)
            history = tuple(HistoryLine(e.at, e.kind, e.actor, e.task_spec) for e in events[-5:])
            started = _started(events, meeting_key)
        data = found.data if found is not None else {}
        return AgendaItem(
            index, key, str(item.get("title") or ""), str(item.get("reason") or ""),
            found.status if found is not None else "missing", (data or {}).get("intake_unit"),
            (data or {}).get("kind"), history, decisions[index] if index < len(decisions) else None,
            started,
        )  # fmt: skip

    def decide(
        self, key: str, case_key: str, viewer: str, values: dict[str, Any],
        at: datetime | None = None,
    ) -> MeetingView:  # fmt: skip
        """Record the meeting's decision on the item being decided, through the diagram."""
        self._require(viewer, DECIDERS)
        instant = at or datetime.now(UTC)
        view = self._view(repo.lock_case(self.session, key=self._meeting_case(key).business_key))
        if view.current is None or view.task_id is None:
            raise Conflict("this meeting is not deciding items now; reload the page")
        expected = view.items[view.current].case_key
        if expected != case_key:
            raise Conflict(f"the meeting is deciding {expected} now, not {case_key}; reload")
        data = {name: values.get(name) for name in DECISION_FIELDS if values.get(name) != ""}
        source = repo.lock_case(self.session, key=case_key)
        check_decision(data, source)
        Tasks(self.work).complete(view.task_id, viewer, data, at=instant)  # FormInvalid: 422
        cleaned = self._decisions(self._meeting_case(key))[view.current]
        # the decision acts on the agenda case through the diagrams; a case that cannot take
        # it (FormInvalid) rolls the whole transaction back, the meeting's task included
        started = act_on_case(self.work, source, cleaned, key, viewer, instant)
        source.updated_at = instant
        inputs = {"meeting": key, **{name: cleaned.get(name) for name in DECISION_FIELDS},
                  **started}  # fmt: skip
        record_event(self.session, source, DECIDED, viewer, instant, inputs, source.data,
                     source.data, checkpoint=False)  # fmt: skip
        claim_case_row(self.session)
        return self._view(self._meeting_case(key))


def _text(value: Any) -> str | None:
    """A data value as text; a stored date (`{"$date": "2026-10-09"}`) as its ISO day."""
    plain = from_json_value(value)
    if isinstance(plain, date):
        return plain.isoformat()
    return None if plain in (None, "") else str(plain)


def _started(events: Sequence[CaseEvent], meeting_key: str) -> tuple[tuple[str, str], ...]:
    """The cases this meeting's decision started for the agenda case (from its history)."""
    for event in reversed(events):
        inputs = event.inputs or {}
        if event.kind == DECIDED and inputs.get("meeting") == meeting_key:
            return tuple((name, str(inputs[name])) for name in STARTED if inputs.get(name))
    return ()

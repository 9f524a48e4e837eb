"""What a monthly-meeting decision does to its agenda case, always through the diagrams.

- "交办部门限期办理" (`assign`, with `assign_department` and `assign_days`) starts a
  `meeting_assignment` case (processes/meeting_assignment): the department's
  `department_handling` called with `sla_due` = the decision time plus that many working
  days; when the department cannot solve it or its deadline passes, the escalation is
  caught there and the escalation ladder starts at the department's chief representative.
- "组织会诊" (`consult`) starts a `joint_consultation` case on the agenda case's matter.
- "办结销号" (`close`) and "提级协调" (`escalate`) deliver the message `meeting_decision`
  to the agenda case itself: closed_loop catches it on the activity the case waits in and
  either ends the case with the decision as its explanation, or enters the ladder one
  level above the case's current one.
Started cases carry `source_case` and `meeting`; their keys go into the agenda case's
`meeting_decided` event (`handling_case`, `consultation_case`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .cases import Cases
from .errors import FieldError, FormInvalid, NotFound
from .models import Case
from .work import Work

ASSIGN, CONSULT, CLOSE, ESCALATE = "assign", "consult", "close", "escalate"
ASSIGN_PROCESS = "meeting_assignment"
CONSULT_PROCESS = "joint_consultation"
DECISION_MESSAGE = "meeting_decision"
ASSIGN_FIELDS = ("assign_department", "assign_days")
COPIED = ("title", "description", "kind", "intake_unit", "tier", "channel")
TOP_LEVEL = 4  # the joint meeting: nothing above it


def check_decision(values: dict[str, Any], source: Case) -> None:
    """FormInvalid by the fields when the decision cannot act on this case as it stands."""
    kind = values.get("decision_type")
    if kind == ASSIGN:
        errors = [FieldError(name, "required") for name in ASSIGN_FIELDS
                  if values.get(name) in (None, "")]  # fmt: skip
        if errors:
            raise FormInvalid(errors)
    if kind not in (CLOSE, ESCALATE):
        return
    if source.status != "running":
        raise FormInvalid([FieldError("decision_type", "case_not_running")])
    level = _level(source)
    if kind == ESCALATE and level >= TOP_LEVEL:
        raise FormInvalid([FieldError("decision_type", "top_level")])


def act_on_case(
    work: Work, source: Case, decided: dict[str, Any], meeting_key: str, actor: str,
    instant: datetime,
) -> dict[str, Any]:  # fmt: skip
    """Carry out the decision on the agenda case; what to add to its `meeting_decided` event."""
    kind = decided.get("decision_type")
    if kind == ASSIGN:
        return {"handling_case": _start_assignment(work, source, decided, meeting_key, actor,
                                                   instant)}  # fmt: skip
    if kind == CONSULT:
        data = _linked_data(source, meeting_key)
        data["consultation_topic"] = str(decided.get("decision") or "")
        started = Cases(work).start(CONSULT_PROCESS, data=data, actor=actor, at=instant)
        return {"consultation_case": started.key}
    if kind in (CLOSE, ESCALATE):
        payload = {"decision_type": kind, "decision": decided.get("decision"),
                   "meeting": meeting_key, "level": _level(source)}  # fmt: skip
        try:
            Cases(work).deliver_message(source.business_key, DECISION_MESSAGE, payload, actor=actor,
                                    at=instant)  # fmt: skip
        except NotFound as error:  # the case waits in a step the meeting cannot interrupt
            raise FormInvalid([FieldError("decision_type", "case_not_waiting")]) from error
    return {}


def _start_assignment(
    work: Work, source: Case, decided: dict[str, Any], meeting_key: str, actor: str,
    instant: datetime,
) -> str:  # fmt: skip
    """The department's handling with the meeting's deadline, as its own linked case."""
    department = str(decided["assign_department"])
    due = work.calendar().add_working_days(instant, int(decided["assign_days"]))
    data = _linked_data(source, meeting_key)
    data.update(
        assignment={"department": department, "role": "lead"}, lead_department=department,
        departments=[department], level=1, sla_due=due.isoformat(),
    )  # fmt: skip
    return Cases(work).start(ASSIGN_PROCESS, data=data, actor=actor, at=instant).key


def _linked_data(source: Case, meeting_key: str) -> dict[str, Any]:
    """The agenda case's matter, and where the new case comes from."""
    data = {name: (source.data or {}).get(name) for name in COPIED}
    data.update(source_case=source.business_key, meeting=meeting_key)
    return data


def _level(source: Case) -> int:
    """The ladder level the agenda case stands at (1 before any escalation)."""
    try:
        return int((source.data or {}).get("level") or 1)
    except (TypeError, ValueError):
        return 1

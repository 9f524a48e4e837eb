"""The monthly meeting page's engine side: agenda cases, decisions through the diagram."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.errors import Conflict, FormInvalid, NotAllowed
from engine.service import Engine

from .rates_scenario import drive

pytestmark = pytest.mark.slow
MEETING_TIME = datetime.fromisoformat("2026-10-08T09:30:00+08:00")  # 1st working day after 国庆
DECIDED_AT = datetime.fromisoformat("2026-10-09T10:00:00+08:00")
DECISION = {"decision_type": "continue", "decision": "限三个工作日内办结，纳入督办。",
            "responsible_unit": "区住建局"}  # fmt: skip


def _meeting(engine: Engine) -> str:
    drive(engine)
    engine.fire_due_timers(MEETING_TIME)
    with engine.transaction() as service:
        (meeting,) = service.leadership.meetings.list("yuanhua")
        task = next(t for t in service.tasks.inbox("yuanhua") if t.case_key == meeting.key)
        service.tasks.complete(task.id, "yuanhua",
                               {"meeting_date": "2026-10-09", "chair": "潘志强"},
                               at=MEETING_TIME)  # fmt: skip
    return meeting.key


def test_meeting__decision_completes_the_item_and_lands_in_the_case_history(
    any_engine: Engine,
) -> None:
    key = _meeting(any_engine)
    with any_engine.transaction() as service:
        meeting = service.leadership.meetings.get(key, "panzhiqiang")
        assert meeting.period == "2026-09" and meeting.current == 0 and meeting.chair == "潘志强"
        assert meeting.meeting_date == "2026-10-09"
        first, *rest = meeting.items
        assert first.history and first.decision is None
        after = service.leadership.meetings.decide(key, first.case_key, "panzhiqiang", DECISION,
                                                   at=DECIDED_AT)  # fmt: skip
    assert after.items[0].decision is not None
    assert after.items[0].decision["responsible_unit"] == "区住建局"
    assert after.current == (1 if rest else None)
    with any_engine.transaction() as service:
        events = service.cases.history(first.case_key)
        assert not service.chain.verify(first.case_key)  # the chain still verifies
    decided = events[-1]
    assert (decided.kind, decided.actor, decided.inputs["meeting"]) == (
        "meeting_decided", "panzhiqiang", key)  # fmt: skip
    assert decided.inputs["decision"] == DECISION["decision"]


def test_meeting__wrong_item_role_and_bad_form(any_engine: Engine) -> None:
    key = _meeting(any_engine)
    with any_engine.transaction() as service:
        meetings = service.leadership.meetings
        items = meetings.get(key, "yuanhua").items
        with pytest.raises(NotAllowed):
            meetings.get(key, "wangfang")  # a clerk
        with pytest.raises(NotAllowed):
            meetings.decide(key, items[0].case_key, "yuanhua", DECISION)  # not a member
        if len(items) > 1:
            with pytest.raises(Conflict):
                meetings.decide(key, items[1].case_key, "panzhiqiang", DECISION)
        with pytest.raises(FormInvalid):
            meetings.decide(key, items[0].case_key, "panzhiqiang", {**DECISION, "decision": ""})


ASSIGN = {"decision_type": "assign", "decision": "交区住建局限三个工作日内办结。",
          "responsible_unit": "区住建局", "assign_department": "housing",
          "assign_days": "3"}  # fmt: skip


def test_meeting__assign_decision_creates_the_department_task_with_its_deadline(
    any_engine: Engine,
) -> None:
    key = _meeting(any_engine)
    with any_engine.transaction() as service:
        meetings = service.leadership.meetings
        first = meetings.get(key, "panzhiqiang").items[0]
        with pytest.raises(FormInvalid) as missing:
            meetings.decide(key, first.case_key, "panzhiqiang",
                            {**ASSIGN, "assign_department": ""}, at=DECIDED_AT)  # fmt: skip
        assert [e.field for e in missing.value.errors] == ["assign_department"]
    with any_engine.transaction() as service:
        service.leadership.meetings.decide(key, first.case_key, "panzhiqiang", ASSIGN,
                                           at=DECIDED_AT)  # fmt: skip
    with any_engine.transaction() as service:
        decided = service.cases.history(first.case_key)[-1]
        handling = decided.inputs["handling_case"]
        assert decided.inputs["assign_department"] == "housing"
        case = service.cases.get(handling)
        assert case.data["source_case"] == first.case_key
        (task,) = [t for t in service.tasks.open() if t.case_key == handling]
    assert task.task_spec == "dh_sign" and "dept:housing" in task.candidate_groups
    # 3 working days after Fri 10-09: Sat 10-10 (a 调休 working day), Mon 10-12, Tue 10-13,
    # due at the end of that office day
    assert task.due_at == datetime.fromisoformat("2026-10-13T17:30:00+08:00")

"""The four decisions that act on an agenda case, through the real diagrams.

September's meeting (tests/processes/rates_scenario.py) lists C01, C02, C03, C07 (at their
root-cause analysis), C04 (at its unsatisfied review) and C09, which waits at the market
bureau's 签收 inside closed_loop's `handle_by_departments`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine.errors import FormInvalid
from engine.service import Engine

from .test_meetings import DECIDED_AT, DECISION, _meeting

pytestmark = pytest.mark.slow
CLOSE = {"decision_type": "close", "responsible_unit": "区市场监管局",
         "decision": "经核查，诉求事项已由企业自行整改到位，解释说明后办结。"}  # fmt: skip
ESCALATE = {"decision_type": "escalate", "responsible_unit": "区市场监管局",
            "decision": "市场监管局逾期未签收，提请首席代表牵头协调。"}  # fmt: skip
CONSULT = {"decision_type": "consult", "responsible_unit": "领导小组办公室",
           "decision": "涉及多个部门，由领导小组办公室组织会诊。"}  # fmt: skip
ASSIGN = {"decision_type": "assign", "decision": "交区住建局限三个工作日内办结。",
          "responsible_unit": "区住建局", "assign_department": "housing",
          "assign_days": "3"}  # fmt: skip


def _up_to_c09(engine: Engine) -> str:
    """The meeting with every item before C09 decided 'continue'."""
    key = _meeting(engine)
    with engine.transaction() as service:
        meetings = service.leadership.meetings
        for item in meetings.get(key, "panzhiqiang").items[:-1]:
            meetings.decide(key, item.case_key, "panzhiqiang", DECISION, at=DECIDED_AT)
        assert meetings.get(key, "panzhiqiang").items[-1].case_key == "C09"
    return key


def test_close__ends_the_case_with_the_decision_as_its_explanation(any_engine: Engine) -> None:
    key = _up_to_c09(any_engine)
    with any_engine.transaction() as service:
        service.leadership.meetings.decide(key, "C09", "duyuan", CLOSE, at=DECIDED_AT)
    with any_engine.transaction() as service:
        case = service.cases.get("C09")
        assert case.status == "completed" and not case.tasks
        assert case.data["outcome"] == "explained"
        assert case.data["public_reply"] == CLOSE["decision"]
        kinds = [e.kind for e in service.cases.history("C09")]
        assert kinds[-2:] == ["message_received", "meeting_decided"]
        assert not service.chain.verify("C09")
        assert not [t for t in service.tasks.open() if t.case_key == "C09"]


def test_close__a_case_at_its_root_cause_analysis_refuses_and_nothing_is_kept(
    any_engine: Engine,
) -> None:
    key = _meeting(any_engine)
    with pytest.raises(FormInvalid) as refused, any_engine.transaction() as service:
        service.leadership.meetings.decide(key, "C01", "panzhiqiang", CLOSE, at=DECIDED_AT)
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("decision_type", "case_not_waiting")]  # fmt: skip
    with any_engine.transaction() as service:
        assert service.leadership.meetings.get(key, "panzhiqiang").current == 0  # rolled back
        assert service.cases.get("C01").status == "running"


def test_escalate__moves_the_case_up_to_the_chief_representative(any_engine: Engine) -> None:
    key = _up_to_c09(any_engine)
    with any_engine.transaction() as service:
        service.leadership.meetings.decide(key, "C09", "panzhiqiang", ESCALATE, at=DECIDED_AT)
    with any_engine.transaction() as service:
        case = service.cases.get("C09")
        assert case.data["level"] == 2 and case.data["escalated_by"] == "joint_meeting"
        (task,) = [t for t in service.tasks.open() if t.case_key == "C09"]
        assert task.task_spec == "el_level2" and task.candidate_groups == ("chief:market",)
        escalated = [e for e in service.cases.history("C09") if e.kind == "escalated"][-1]
        assert escalated.inputs["fields"]["escalation_reason"] == ESCALATE["decision"]
        assert task.id in {t.id for t in service.tasks.inbox("zhuhong")}  # the market's chief


def test_consult__starts_a_joint_consultation_linked_to_the_case(any_engine: Engine) -> None:
    key = _meeting(any_engine)
    with any_engine.transaction() as service:
        view = service.leadership.meetings.decide(key, "C01", "panzhiqiang", CONSULT,
                                                  at=DECIDED_AT)  # fmt: skip
        consultation = view.items[0].started[0]
        assert consultation[0] == "consultation_case"
        decided = service.cases.history("C01")[-1]
        assert decided.inputs["consultation_case"] == consultation[1]
        case = service.cases.get(consultation[1])
        assert case.process_id == "joint_consultation" and case.data["source_case"] == "C01"
        assert case.data["consultation_topic"] == CONSULT["decision"]
        (task,) = [t for t in service.tasks.open() if t.case_key == consultation[1]]
        assert task.task_spec == "jc_convene" and task.candidate_groups == ("leading_office",)


def test_assign__an_overdue_department_reaches_its_chief_representative(
    any_engine: Engine,
) -> None:
    key = _meeting(any_engine)
    with any_engine.transaction() as service:
        view = service.leadership.meetings.decide(key, "C01", "panzhiqiang", ASSIGN,
                                                  at=DECIDED_AT)  # fmt: skip
        (name, handling), *_ = view.items[0].started
        assert name == "handling_case"
    # due Tue 10-13 17:30; the next morning the signing deadline has passed
    any_engine.fire_due_timers(datetime.fromisoformat("2026-10-14T09:00:00+08:00"))
    with any_engine.transaction() as service:
        case = service.cases.get(handling)
        assert case.status == "running" and case.error is None
        assert (case.process_id, case.data["source_case"]) == ("meeting_assignment", "C01")
        (task,) = [t for t in service.tasks.open() if t.case_key == handling]
        assert task.task_spec == "el_level2" and task.candidate_groups == ("chief:housing",)
        assert task.due_at - DECIDED_AT > timedelta(days=4)


def test_members__open_every_agenda_case_and_its_history(any_engine: Engine) -> None:
    key = _meeting(any_engine)
    with any_engine.transaction() as service:
        items = service.leadership.meetings.get(key, "duyuan").items
        for member in ("panzhiqiang", "duyuan"):
            for item in items:
                assert service.cases.get(item.case_key, member).key == item.case_key
                assert service.cases.history(item.case_key, member)

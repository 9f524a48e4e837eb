"""Engine features diagrams rely on: placeholders, milestones, spawned and scheduled cases."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from engine.calendar import SHANGHAI
from engine.deployment import read_sources
from engine.errors import NotFound
from tests.conftest import DATA

FEATURES = DATA / "features"
MONDAY = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def features(any_engine):
    with any_engine.transaction() as service:
        service.deployments.deploy(
            read_sources([FEATURES]), at=datetime(2026, 9, 1, tzinfo=SHANGHAI)
        )
        service.staff.save_user("town_a_clerk", "甲镇窗口", ["clerks:town_a"])
        service.staff.save_user("town_b_clerk", "乙镇窗口", ["clerks:town_b"])
        service.staff.save_user("inspector", "纪检员", ["discipline"])
        service.staff.save_user("member", "联席会议成员", ["joint_meeting"])
    return any_engine


def test_placeholder_groups__route_the_task_to_the_intake_units_clerks(features):
    with features.transaction() as service:
        case = service.cases.start("spawner", key="SP1", data={"intake_unit": "town_a"})
        assert case.tasks[0].candidate_groups == ("clerks:town_a",)
        assert [t.case_key for t in service.tasks.inbox("town_a_clerk")] == ["SP1"]
        assert service.tasks.inbox("town_b_clerk") == []


def test_placeholder_without_value__offers_the_task_to_process_admins_with_a_warning(features):
    with features.transaction() as service:
        case = service.cases.start("spawner", key="SP2")
    assert case.tasks[0].candidate_groups == ("process_admins",)
    assert any("intake_unit" in w for w in case.warnings)


def test_milestone_and_thrown_message__record_escalation_and_start_a_followup_case(features):
    with features.transaction() as service:
        task = service.cases.start("spawner", key="SP3", data={"intake_unit": "town_a"}).tasks[0]
    with features.transaction() as service:
        done = service.tasks.complete(task.id, "town_a_clerk", {"level": 2, "reason": "跨部门"})
        events = service.cases.history("SP3")
        followup = service.cases.get("SP3-1")
        inbox = service.tasks.inbox("inspector")
        assert service.chain.verify() == []
    assert done.status == "completed"
    escalated = [e for e in events if e.kind == "escalated"]
    assert len(escalated) == 1 and escalated[0].actor == "town_a_clerk"
    assert escalated[0].inputs["fields"] == {"level": 2, "reason": "跨部门"}
    assert followup.process_id == "followup"
    assert followup.data["source_case"] == "SP3"
    assert followup.data["trigger"] == {"reason": "跨部门", "title": "后续核查"}
    assert [t.case_key for t in inbox] == ["SP3-1"]
    with features.transaction() as service:
        assert service.chain.replay("SP3").matches_stored is True
        assert service.chain.replay("SP3-1").matches_stored is True


def test_timer_start_process__starts_on_the_first_working_day_with_last_months_agenda(features):
    with features.transaction() as service:
        service.cases.start("spawner", key="OPEN1", data={"intake_unit": "town_a"}, at=MONDAY)
    # National Day: Oct 1-7 2026 are holidays, so October's meeting is on Thursday Oct 8.
    assert features.fire_due_timers(now=datetime(2026, 10, 8, 8, 0, tzinfo=SHANGHAI)) == 0
    with features.transaction() as service:
        assert service.tasks.inbox("member") == []
    features.fire_due_timers(now=datetime(2026, 10, 8, 9, 30, tzinfo=SHANGHAI))
    with features.transaction() as service:
        meeting = service.cases.get("monthly-20261008-0900")
        assert service.chain.replay("monthly-20261008-0900").matches_stored is True
    agenda = meeting.data["agenda"]
    assert [item["case_key"] for item in agenda] == ["OPEN1"]
    assert "未办结" in agenda[0]["reason"]
    assert meeting.data["period"] == "2026-09"
    assert meeting.tasks[0].task_spec == "review_agenda"
    features.fire_due_timers(now=datetime(2026, 10, 20, tzinfo=SHANGHAI))
    with features.transaction() as service:
        starts = [c for c in service.cases.recent("member") if c.process_id == "monthly"]
    assert [c.key for c in starts] == ["monthly-20261008-0900"]  # November's is not due yet


def test_dates_and_decimals__survive_persistence_scripts_and_replay(features):
    with features.transaction() as service:
        case = service.cases.start("typed_data", key="TY1", at=MONDAY)
    assert case.data["hearing_day"] == date(2026, 10, 8)
    assert case.data["subsidy"] == Decimal("2561.00")
    assert case.data["deadline"] == datetime(2026, 9, 29, 17, 30, tzinfo=SHANGHAI)
    with features.transaction() as service:
        done = service.tasks.complete(case.tasks[0].id, "inspector", {"visit_day": "2026-10-12"})
        assert service.chain.replay("TY1").matches_stored is True
    assert done.data["visit_day"] == date(2026, 10, 12)
    assert done.data["days_between"] == 4


def test_loop_that_never_waits__is_stopped_and_the_error_lands_on_the_case(features, monkeypatch):
    monkeypatch.setattr("engine.casework.MAX_STEPS_PER_ACTION", 200)
    with features.transaction() as service:
        case = service.cases.start("endless_gateway", key="LOOP")
    assert case.status == "error" and "200 engine steps" in case.error
    with features.transaction() as service:
        assert [e.kind for e in service.cases.history("LOOP")] == ["started", "failed"]


def test_a_failing_case__does_not_keep_other_due_timers_from_firing(features):
    with features.transaction() as service:
        for key, divisor in (("BAD", 0), ("GOOD", 4)):
            data = {"divisor": divisor, "wait_for": "PT1H"}
            service.cases.start("timer_then_fail", key=key, data=data, at=MONDAY)
    assert features.fire_due_timers(now=datetime(2026, 9, 28, 12, 0, tzinfo=SHANGHAI)) == 2
    with features.transaction() as service:
        bad, good = service.cases.get("BAD"), service.cases.get("GOOD")
        assert service.chain.verify() == []
    assert bad.status == "error" and "division by zero" in bad.error
    assert bad.next_timer_at is None  # out of the rotation until someone fixes it
    assert good.status == "completed" and good.data["ratio"] == 0.25


def test_assigned_task__belongs_to_the_assignee_not_to_the_candidate_group(features):
    with features.transaction() as service:
        service.staff.save_user("inspector_2", "纪检员二", ["discipline"])
        task = service.cases.start("assigned", key="AS1", data={"owner": "inspector"}).tasks[0]
        assert task.assignee == "inspector"
        assert [t.id for t in service.tasks.inbox("inspector")] == [task.id]
        assert service.tasks.inbox("inspector_2") == []
        with pytest.raises(NotFound):
            service.tasks.complete(task.id, "inspector_2", {})
        assert service.tasks.complete(task.id, "inspector", {}).status == "completed"

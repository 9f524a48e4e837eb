"""Cases through multi-step diagrams: forms, routing, inbox scope, messages, subprocesses."""

from datetime import datetime

import pytest

from engine.calendar import SHANGHAI
from engine.errors import Conflict, FormInvalid, NotFound

THURSDAY = datetime(2026, 9, 24, 10, 0, tzinfo=SHANGHAI)
GOOD_REGISTRATION = {
    "title": "小区路灯不亮",
    "kind": "coordination",
    "people": "3",
    "urgent": "false",
    "contact_phone": "13812345678",
}


def _only_task(service, key):
    tasks = service.cases.get(key).tasks
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_two_step__form_errors_are_reported_per_field_and_nothing_is_saved(deployed):
    with deployed.transaction() as service:
        case = service.cases.start("two_step", key="K1", at=THURSDAY)
    task = case.tasks[0]
    bad = {"title": "", "kind": "weather", "people": "0", "contact_phone": "12345", "extra": 1}
    with pytest.raises(FormInvalid) as invalid, deployed.transaction() as service:
        service.tasks.complete(task.id, "li", bad)
    fields = {e.field: e.message for e in invalid.value.errors}
    assert set(fields) == {"title", "kind", "people", "contact_phone", "extra"}
    assert "required" in fields["title"] and "at least 1" in fields["people"]
    with deployed.transaction() as service:
        after = service.cases.get("K1")
        assert after.tasks[0].id == task.id and after.data == {"case_key": "K1"}
        assert [e.kind for e in service.cases.history("K1")] == ["started"]


def test_two_step__small_matter_goes_to_the_department_and_ends(deployed):
    with deployed.transaction() as service:
        case = service.cases.start("two_step", key="K2", at=THURSDAY)
        register = case.tasks[0]
        assert register.task_spec == "register"
        assert register.due_at == datetime(2026, 9, 28, 17, 30, tzinfo=SHANGHAI)
        assert register.priority == 50
        case = service.tasks.complete(register.id, "li", GOOD_REGISTRATION)
    assert case.data["people"] == 3 and case.data["level"] == 1 and case.data["urgent"] is False
    handle = case.tasks[0]
    assert (handle.task_spec, handle.candidate_groups) == ("handle", ("dept_housing",))
    with deployed.transaction() as service:
        done = service.tasks.complete(handle.id, "wang", {"reply": "已修复路灯，请查看"})
    assert done.status == "completed" and done.tasks == ()
    with deployed.transaction() as service:
        kinds = [e.kind for e in service.cases.history("K2")]
    assert kinds == ["started", "task_completed", "task_completed"]


def test_two_step__large_matter_goes_to_the_leading_office(deployed):
    with deployed.transaction() as service:
        case = service.cases.start("two_step", key="K3")
        case = service.tasks.complete(case.tasks[0].id, "li", {**GOOD_REGISTRATION, "people": 200})
    assert case.tasks[0].task_spec == "review"
    assert case.tasks[0].candidate_groups == ("leading_office",)


def test_inbox__shows_only_the_users_groups_and_claims(deployed):
    with deployed.transaction() as service:
        task = service.cases.start("two_step", key="K4").tasks[0]
        assert [t.id for t in service.tasks.inbox("li")] == [task.id]
        assert service.tasks.inbox("wang") == []
        with pytest.raises(NotFound):
            service.tasks.complete(task.id, "wang", GOOD_REGISTRATION)
    with deployed.transaction() as service:
        service.tasks.claim(task.id, "li")
    with deployed.transaction() as service:
        assert service.tasks.inbox("zhao") == []  # claimed by a colleague: gone from zhao's inbox
        with pytest.raises(Conflict):
            service.tasks.claim(task.id, "zhao")
        service.tasks.unclaim(task.id, "li")
    with deployed.transaction() as service:
        assert [t.id for t in service.tasks.inbox("zhao")] == [task.id]
        kinds = [e.kind for e in service.cases.history("K4")]
    assert kinds == ["started", "claimed", "unclaimed"]


def test_completed_task__second_completion_is_a_conflict_naming_who_did_it(deployed):
    with deployed.transaction() as service:
        task = service.cases.start("two_step", key="K5").tasks[0]
        service.tasks.complete(task.id, "li", GOOD_REGISTRATION)
    with pytest.raises(Conflict, match="already completed by li"), deployed.transaction() as s:
        s.tasks.complete(task.id, "zhao", GOOD_REGISTRATION)
    with pytest.raises(NotFound), deployed.transaction() as service:
        service.tasks.complete("00000000-0000-4000-8000-000000000000", "li", GOOD_REGISTRATION)


def test_duplicate_business_key__is_a_conflict(deployed):
    with deployed.transaction() as service:
        service.cases.start("two_step", key="SAME")
    with pytest.raises(Conflict), deployed.transaction() as service:
        service.cases.start("two_step", key="SAME")


def test_unknown_process__is_not_found_with_a_hint(deployed):
    with pytest.raises(NotFound, match="mashangban deploy"), deployed.transaction() as service:
        service.cases.start("no_such_process")


def test_message__resumes_a_waiting_case(deployed):
    with deployed.transaction() as service:
        case = service.cases.start("await_message", key="M1")
        assert case.tasks == () and case.status == "running"
        with pytest.raises(NotFound):
            service.cases.deliver_message("M1", "wrong_message", {})
    with deployed.transaction() as service:
        case = service.cases.deliver_message("M1", "citizen_reply", {"text": "已收到"})
    assert case.tasks[0].task_spec == "read_reply"
    assert case.data["citizen_reply"] == {"text": "已收到"}


def test_call_activity__runs_the_called_process(deployed):
    with deployed.transaction() as service:
        case = service.cases.start("parent_call", key="P1")
        assert case.tasks[0].task_spec == "child_step"
        done = service.tasks.complete(case.tasks[0].id, "wang", {"done": "true"})
    assert done.status == "completed"


@pytest.mark.parametrize(
    ("scope", "level", "days"), [("one", 1, 1), ("several", 2, 3), ("district", 3, 5)]
)
def test_decision_table__classifies_by_scope(deployed, scope, level, days):
    with deployed.transaction() as service:
        case = service.cases.start("decide", key=f"D-{scope}")
        done = service.tasks.complete(
            case.tasks[0].id, "li", {"kind": "coordination", "scope": scope}
        )
    assert (done.data["level"], done.data["days"]) == (level, days)


def test_parallel_branches__open_two_department_tasks(deployed):
    with deployed.transaction() as service:
        case = service.cases.start("parallel_review", key="PR")
    assert sorted(t.task_spec for t in case.tasks) == ["review_a", "review_b"]
    by_spec = {t.task_spec: t for t in case.tasks}
    with deployed.transaction() as service:
        service.tasks.complete(by_spec["review_a"].id, "wang", {"opinion": "同意"})
        done = service.tasks.complete(by_spec["review_b"].id, "chen", {"opinion": "同意"})
    assert done.status == "completed"


def test_spiff_dialect__candidate_groups_come_from_properties(deployed):
    with deployed.transaction() as service:
        case = service.cases.start("spiff_dialect", key="S1")
    assert case.tasks[0].candidate_groups == ("town_a_clerks",)
    assert case.data["x"] == 1


def test_runaway_script__is_stopped_and_the_error_lands_on_the_case(deployed):
    with deployed.transaction() as service:
        case = service.cases.start("runaway_script", key="R1")
    assert case.status == "error"
    assert "spin" in case.error and "steps" in case.error
    with deployed.transaction() as service:
        assert [e.kind for e in service.cases.history("R1")] == ["started", "failed"]
        assert service.cases.start("two_step").status == "running"  # the engine still works


@pytest.mark.slow
def test_rework_loop__300_rounds_complete(deployed_sqlite):
    with deployed_sqlite.transaction() as service:
        case = service.cases.start("rework_loop", key="L1", data={"rounds": 300})
    assert case.status == "completed"
    assert case.data["count"] == 300

"""Replay: rebuilding a case from its recorded inputs, times and seeds.

Times are Shanghai instants in 2026, far from the wall clock, so a script or timer
that read the real clock would make the replay differ. 2026-09-25 to 09-27 is the
Mid-Autumn holiday: one working day after Thursday 09-24 is Monday 09-28.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.calendar import SHANGHAI, WorkingCalendar
from engine.service import Engine

START = datetime(2026, 9, 24, 10, 0, tzinfo=SHANGHAI)  # Thursday
DEADLINE = datetime(2026, 9, 28, 17, 30, tzinfo=SHANGHAI)  # Monday, after Mid-Autumn
ANSWER = {"answer": "已联系物业，明天上午维修"}


def hours(n: float) -> datetime:
    return START + timedelta(hours=n)


def assert_replay_matches(engine: Engine, key: str) -> None:
    """A full replay reproduces the stored state, data and open tasks."""
    with engine.transaction() as s:
        replayed = s.chain.replay(key)
        case = s.cases.get(key)
    assert replayed.matches_stored is True
    assert replayed.step == case.events
    assert replayed.status == case.status
    assert replayed.data == case.data
    assert replayed.active_tasks == tuple(t.task_spec for t in case.tasks)


def run_sla_case(engine: Engine, key: str, *, check_midway: bool = False) -> None:
    """started (1), timer_fired: reminder (2), claimed (3), task_completed: respond (4)."""
    with engine.transaction() as s:
        s.cases.start("sla_timer", key=key, actor="li", at=START)
    assert engine.fire_due_timers(now=hours(3)) == 1
    if check_midway:
        assert_replay_matches(engine, key)
    with engine.transaction() as s:
        respond = s.cases.get(key).tasks[0].id
        s.tasks.claim(respond, "li", at=hours(4))
        s.tasks.complete(respond, "li", ANSWER, at=hours(5))


def test_replay__case_with_timer_claim_and_completion_matches_stored(deployed):
    run_sla_case(deployed, "P1", check_midway=True)

    assert_replay_matches(deployed, "P1")
    with deployed.transaction() as s:
        replayed = s.chain.replay("P1")
        assert [e.kind for e in s.cases.history("P1")] == [
            "started",
            "timer_fired",
            "claimed",
            "task_completed",
        ]
    assert replayed.status == "completed"
    assert replayed.active_tasks == ()
    assert replayed.data["deadline"] == DEADLINE.isoformat()
    assert replayed.data["answer"] == ANSWER["answer"]


def test_replay__case_with_message_matches_stored(deployed):
    with deployed.transaction() as s:
        s.cases.start("await_message", key="P2", actor="li", at=START)
        s.cases.deliver_message("P2", "citizen_reply", {"text": "满意，谢谢"}, at=hours(1))
    assert_replay_matches(deployed, "P2")

    with deployed.transaction() as s:
        read_reply = s.cases.get("P2").tasks[0].id
        s.tasks.claim(read_reply, "zhao", at=hours(2))
        s.tasks.complete(read_reply, "zhao", {"ok": True}, at=hours(3))
    assert_replay_matches(deployed, "P2")
    with deployed.transaction() as s:
        replayed = s.chain.replay("P2")
    assert replayed.status == "completed"
    assert replayed.data == {
        "case_key": "P2",
        "citizen_reply": {"text": "满意，谢谢"},
        "ok": True,
    }


def test_replay__step_shows_intermediate_state(deployed):
    run_sla_case(deployed, "P3")
    with deployed.transaction() as s:
        s.cases.start("two_step", key="P4", data={"source": "12345热线"}, actor="li", at=START)
        register = s.cases.get("P4").tasks[0].id
        s.tasks.claim(register, "li", at=hours(1))
        register_form = {
            "title": "楼道灯坏了",
            "kind": "coordination",
            "people": 3,
            "contact_phone": "13812345678",
        }
        handle = s.tasks.complete(register, "li", register_form, at=hours(2)).tasks[0].id

    with deployed.transaction() as s:
        nothing = s.chain.replay("P3", step=0)
        started = s.chain.replay("P3", step=1)
        reminded = s.chain.replay("P3", step=2)
        claimed = s.chain.replay("P3", step=3)
        done = s.chain.replay("P3", step=4)
        registering = s.chain.replay("P4", step=1)
        handling = s.chain.replay("P4", step=3)
        current = s.cases.get("P4")

    assert (nothing.status, nothing.data, nothing.active_tasks) == ("not started", {}, ())
    assert (started.step, started.status, started.active_tasks) == (1, "running", ("respond",))
    assert started.data == {"case_key": "P3", "deadline": DEADLINE.isoformat(), "reminders": 0}
    assert started.matches_stored is None  # only a full replay is compared
    assert reminded.data["reminders"] == 1
    assert reminded.active_tasks == ("respond",)
    assert "answer" not in reminded.data
    # A claim changes no workflow state: the replay reaches the step with the same state.
    assert (claimed.step, claimed.data, claimed.active_tasks) == (3, reminded.data, ("respond",))
    assert done.matches_stored is True
    assert done.status == "completed"

    assert registering.active_tasks == ("register",)
    assert registering.data == {"case_key": "P4", "source": "12345热线"}
    assert handling.active_tasks == ("handle",)
    assert handling.data == {"case_key": "P4", "source": "12345热线", **register_form, "level": 1}
    assert "reply" not in handling.data
    assert current.events == 3
    assert [t.id for t in current.tasks] == [handle]


def test_replay__scripts_see_the_event_time_not_the_wall_clock(deployed):
    expected = WorkingCalendar().add_working_days(START, 1)
    assert expected == DEADLINE

    with deployed.transaction() as s:
        stored = s.cases.start("sla_timer", key="P5", actor="li", at=START)
        two_step = s.cases.start("two_step", key="P6", actor="li", at=START)
    assert stored.data["deadline"] == DEADLINE.isoformat()
    assert stored.next_timer_at == START + timedelta(hours=2)  # "PT2H" after the start event
    assert two_step.tasks[0].due_at == DEADLINE  # camunda:dueDate uses now() too

    with deployed.transaction() as s:
        replayed = s.chain.replay("P5")
    assert replayed.matches_stored is True
    assert replayed.data["deadline"] == DEADLINE.isoformat()


def test_replay__twice_gives_the_same_result(deployed):
    run_sla_case(deployed, "P7")

    with deployed.transaction() as s:
        first, first_step = s.chain.replay("P7"), s.chain.replay("P7", step=2)
    with deployed.transaction() as s:
        second, second_step = s.chain.replay("P7"), s.chain.replay("P7", step=2)
    assert first == second
    assert first_step == second_step
    assert first.matches_stored is True


def test_replay__reproduces_a_recalculation_after_a_schedule_is_loaded(deployed):
    new_year_eve = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)
    with deployed.transaction() as s:
        case = s.cases.start("sla_timer", key="P8", actor="li", at=new_year_eve)
    assert case.data["deadline"] == "2027-01-01T17:30:00+08:00"  # no 2027 data: weekdays only
    with deployed.transaction() as s:
        s.calendar.load("2027-01-01 holiday 元旦\n", at=new_year_eve + timedelta(hours=1))
    with deployed.transaction() as s:  # the case goes on after its recalculation
        [task] = s.cases.get("P8").tasks
        s.tasks.complete(task.id, "li", {"answer": "已答复"}, at=new_year_eve + timedelta(hours=3))

    with deployed.transaction() as s:
        replayed, before = s.chain.replay("P8"), s.chain.replay("P8", step=1)
        kinds = [e.kind for e in s.cases.history("P8")]
        findings = s.chain.verify("P8")
        s.staff.save_user("shen", "沈审计", [], roles=("auditor",))
        steps = s.audit.replay("P8", "shen", with_diagrams=False)
        checked = s.audit.verify("P8", "shen")
    assert kinds == ["started", "recalculated", "task_completed"]
    assert findings == []  # the hash chain and the case row agree with the history
    assert steps.finding is None and checked.findings == ()  # the auditors' re-execution too
    assert [step.kind for step in steps.steps] == kinds
    assert replayed.matches_stored is True
    assert replayed.data["deadline"] == "2027-01-04T17:30:00+08:00"
    assert before.data["deadline"] == "2027-01-01T17:30:00+08:00"  # the past as it was

"""Reassigning a task to a colleague of the same unit (改派), and its race with completion."""

from __future__ import annotations

import pytest

from engine.errors import Conflict, FormInvalid, NotAllowed, NotFound, TaskNotReady
from engine.service import Engine
from tests.conftest import deploy_valid
from tests.engine.test_races import REGISTRATION, kinds, one_winner, race

COLLEAGUES = ["li", "zhao", "sun"]


@pytest.fixture
def unit(any_engine: Engine) -> Engine:
    """The test diagrams, with li and zhao (town A clerks) in one unit and sun elsewhere."""
    deploy_valid(any_engine)
    with any_engine.transaction() as service:
        service.staff.save_unit("town_a", "城厢街道便民服务中心", "town")
        service.staff.save_unit("town_b", "北干街道便民服务中心", "town")
        service.staff.save_user("li", "李明", ["town_a_clerks"], unit="town_a")
        service.staff.save_user("zhao", "赵强", ["town_a_clerks"], unit="town_a")
        service.staff.save_user("sun", "孙丽", ["town_a_clerks"], unit="town_b")
    return any_engine


def _task(engine: Engine, key: str) -> str:
    with engine.transaction() as service:
        return service.cases.start("two_step", key=key).tasks[0].id


def test_reassign__colleague_gets_the_task_and_history_says_why(unit: Engine) -> None:
    task_id = _task(unit, "R1")
    with unit.transaction() as service:
        assert [c.username for c in service.handover.colleagues(task_id, "li")] == ["zhao"]
        view = service.handover.reassign(task_id, "li", "zhao", "赵强熟悉该小区情况")
    assert view.claimed_by == "zhao"
    with unit.transaction() as service:
        event = service.cases.history("R1")[-1]
        assert (event.kind, event.actor, event.inputs) == (
            "reassigned", "li", {"to": "zhao", "reason": "赵强熟悉该小区情况"},
        )  # fmt: skip
        with pytest.raises(NotAllowed):
            service.tasks.complete(task_id, "li", REGISTRATION)
        service.tasks.complete(task_id, "zhao", REGISTRATION)
        assert service.chain.verify("R1") == []


def test_reassign__other_unit_missing_reason_or_oneself_are_refused(unit: Engine) -> None:
    task_id = _task(unit, "R2")
    with unit.transaction() as service:
        with pytest.raises(FormInvalid) as refused:
            service.handover.reassign(task_id, "li", "sun", "")
        assert {e.field: e.code for e in refused.value.errors} == {
            "reason": "required", "to": "not_an_option",
        }  # fmt: skip
        with pytest.raises(NotAllowed):
            service.handover.reassign(task_id, "li", "li", "自己")
    with unit.transaction() as service:
        service.tasks.claim(task_id, "zhao")
    with unit.transaction() as service, pytest.raises(Conflict):
        service.handover.reassign(task_id, "li", "zhao", "请赵强办理")


def test_reassign__outsider_cannot_see_the_task(unit: Engine) -> None:
    task_id = _task(unit, "R3")
    with unit.transaction() as service:
        service.staff.save_user("wang2", "王", ["dept_housing"], unit="town_a")
    with unit.transaction() as service, pytest.raises(NotFound):
        service.handover.reassign(task_id, "wang2", "li", "给李明")


@pytest.mark.postgres
@pytest.mark.parametrize("round_", range(3))
def test_reassign_and_complete__racing_have_exactly_one_winner(pg_engine, round_):
    deploy_valid(pg_engine)
    with pg_engine.transaction() as service:
        service.staff.save_unit("town_a", "城厢街道便民服务中心", "town")
        service.staff.save_user("li", "李明", ["town_a_clerks"], unit="town_a")
        service.staff.save_user("zhao", "赵强", ["town_a_clerks"], unit="town_a")
    key = f"RACE{round_}"
    task_id = _task(pg_engine, key)

    def act(service, index):
        if index % 2:
            return service.handover.reassign(task_id, "li", "zhao", f"改派 {index}")
        return service.tasks.complete(task_id, "li", REGISTRATION)

    results = race(pg_engine.settings.database_url, act, key)

    one_winner(results, (Conflict, NotAllowed, TaskNotReady, NotFound))
    history = kinds(pg_engine, key)
    assert (history.count("reassigned"), history.count("task_completed")) in ((1, 0), (0, 1))

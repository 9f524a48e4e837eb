"""The SLA heatmap of a process version: task spans kept on the write path, and the figures
per element over the ten-case scenario (tiers, periods, roles)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.calendar import SHANGHAI
from engine.element_heat import HeatQuery, ProcessHeat
from engine.errors import FormInvalid, NotAllowed, NotFound
from engine.models_spans import TaskSpan
from engine.service import Engine, Service
from engine.settings import Settings
from tests.conftest import deploy_valid
from tests.engine.test_races import CLERKS, REGISTRATION, clerks, one_winner, race
from tests.engine.test_timers import AFTER_DEADLINE, START, start_sla
from tests.processes.rates_scenario import NOW, driven_database

__all__ = ["clerks"]  # the racing fixture, used below
OPENED = datetime(2026, 9, 24, 10, 0, tzinfo=SHANGHAI)  # Thursday


def _spans(engine: Engine) -> list[TaskSpan]:
    with engine.transaction() as service:
        rows = list(service.session.scalars(select(TaskSpan).order_by(TaskSpan.id)))
        service.session.expunge_all()
    return rows


def test_task_spans__a_completed_task_keeps_when_it_opened_was_due_and_closed(
    any_engine: Engine,
) -> None:
    deploy_valid(any_engine)
    with any_engine.transaction() as service:
        service.staff.save_user("ye", "叶青", [], roles=["leading_office"])
        task = service.cases.start("two_step", key="S1", actor="li", at=OPENED).tasks[0]
    closed = OPENED + timedelta(hours=3)
    with any_engine.transaction() as service:
        service.tasks.complete(task.id, "li", REGISTRATION, at=closed)
    [span] = _spans(any_engine)
    assert (span.task_id, span.task_spec, span.completed) == (task.id, "register", True)
    assert (span.opened_at, span.closed_at) == (OPENED, closed)
    assert span.due_at == task.due_at
    with any_engine.transaction() as service:
        heat = service.leadership.element_heat.heatmap("two_step", "ye", HeatQuery(), now=closed)
    figures = {e.element_id: (e.cases, e.tasks, e.open, e.median_working) for e in heat.elements}
    assert figures["register"] == (1, 1, 0, timedelta(hours=2))  # 10:00-13:00 less lunch
    assert figures["handle"] == (1, 1, 1, timedelta(0))  # opened just now, still open


def test_task_spans__a_task_the_deadline_timer_withdraws_is_kept_as_withdrawn(
    any_engine: Engine,
) -> None:
    deploy_valid(any_engine)
    start_sla(any_engine, "T1")
    assert any_engine.fire_due_timers(now=START + timedelta(hours=3)) == 1  # the reminder
    assert _spans(any_engine) == []  # `respond` is still open
    assert any_engine.fire_due_timers(now=AFTER_DEADLINE) == 1  # escalated to the office
    [span] = _spans(any_engine)
    assert (span.task_spec, span.completed, span.closed_at) == ("respond", False, AFTER_DEADLINE)


@pytest.mark.postgres
def test_task_spans__racing_submissions_keep_one_span(clerks: Engine) -> None:
    with clerks.transaction() as service:
        task_id = service.cases.start("two_step", key="RACE").tasks[0].id

    def submit(service: Service, index: int) -> object:
        return service.tasks.complete(task_id, CLERKS[index], REGISTRATION)

    results = race(clerks.settings.database_url, submit, "RACE")

    one_winner(results)
    assert [(s.task_id, s.completed) for s in _spans(clerks)] == [(task_id, True)]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = driven_database(tmp_path_factory.mktemp("heat"), "pw")
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=Path(path).parent))
    yield engine
    engine.close()


def _heat(engine: Engine, query: HeatQuery, viewer: str = "yuanhua") -> ProcessHeat:
    with engine.reading() as service:
        return service.leadership.element_heat.heatmap("closed_loop", viewer, query, now=NOW)


def test_element_heat__counts_cases_working_time_and_breaches_per_element(
    scenario: Engine,
) -> None:
    heat = _heat(scenario, HeatQuery())
    by_id = {e.element_id: e for e in heat.elements}
    accept = by_id["accept_case"]
    assert (accept.cases, accept.open, accept.with_due, accept.breached) == (10, 0, 10, 1)
    assert accept.median_working == timedelta(minutes=30)
    assert [c.key for c in heat.cases["accept_case"] if c.breached] == ["C02"]  # 24 h passed
    review = by_id["review_unsatisfied"]  # C04 and C06 were rated unsatisfied, still open
    assert (review.cases, review.open, review.breach_share) == (2, 2, 1.0)
    assert by_id["dh_sign"].on_diagram is False  # drawn in department_handling's diagram
    assert by_id["pass_up_case"].cases == 0  # listed though no case passed it
    assert heat.elements[0].element_id == "accept_case"  # most cases first
    assert 'id="accept_case"' in heat.xml and heat.versions == (1,)


def test_element_heat__filters_by_tier_and_period(scenario: Engine) -> None:
    town = {e.element_id: e.cases for e in _heat(scenario, HeatQuery(tier="town")).elements}
    assert town["accept_case"] == 3  # C03, C04, C08
    october = HeatQuery(start=datetime(2026, 10, 1, tzinfo=SHANGHAI))
    later = {e.element_id: e.cases for e in _heat(scenario, october).elements}
    assert later["accept_case"] == 4  # C05, C06, C08 and C10 arrived in October


def test_element_heat__leaders_and_process_admins_only_and_bad_input_is_named(
    scenario: Engine,
) -> None:
    assert _heat(scenario, HeatQuery(), viewer="qianjin").process_id == "closed_loop"
    with pytest.raises(NotAllowed):
        _heat(scenario, HeatQuery(), viewer="wangfang")  # a town clerk
    with pytest.raises(FormInvalid) as bad:
        _heat(scenario, HeatQuery(version=7, tier="county"))
    assert {e.field for e in bad.value.errors} == {"tier"}  # checked before the version
    with pytest.raises(FormInvalid) as missing:
        _heat(scenario, HeatQuery(version=7))
    assert [(e.field, e.code) for e in missing.value.errors] == [("version", "not_an_option")]
    with scenario.reading() as service, pytest.raises(NotFound):
        service.leadership.element_heat.heatmap("no_such", "yuanhua", HeatQuery())

"""Every state change raced by several engines at once on PostgreSQL: exactly one wins.

Each racer is its own `Engine` (own connection pool, like one gunicorn worker), and all
start their transaction together behind a `threading.Barrier`. The losers must get a
domain error with a stable code, and the case history must show exactly one event.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from engine.deployment import read_sources
from engine.errors import Conflict, EngineError
from engine.service import Engine, Service
from engine.settings import Settings
from tests.conftest import VALID, deploy_valid
from tests.engine.test_timers import AFTER_DEADLINE, START, start_sla

RACERS = 8
CLERKS = [f"clerk{n}" for n in range(RACERS)]
REGISTRATION = {"title": "噪音扰民", "kind": "conduct", "people": 2}

pytestmark = pytest.mark.postgres


def race(url: str, action: Callable[[Service, int], Any], warm_key: str | None) -> list[Any]:
    """Run `action(service, index)` in RACERS threads at once; results or raised errors."""
    engines = [Engine(Settings(database_url=url, instance_path=Path("."))) for _ in CLERKS]
    for engine in engines:  # parse the diagrams before the race, not during it
        with engine.transaction() as service:
            if warm_key is not None:
                service.cases.diagram(warm_key)
    barrier = threading.Barrier(RACERS)
    results: list[Any] = [None] * RACERS

    def run(index: int) -> None:
        barrier.wait(timeout=30)
        try:
            with engines[index].transaction() as service:
                results[index] = action(service, index)
        except Exception as error:  # collected and asserted on by the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for engine in engines:
        engine.close()
    return results


def one_winner(results: list[Any], losers: tuple[type[EngineError], ...] = (Conflict,)) -> None:
    """Exactly one result is a success; every other is a domain error of the expected kind."""
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(results) - len(errors) == 1, results
    assert all(isinstance(e, losers) and e.code for e in errors), errors


def kinds(engine: Engine, key: str) -> list[str]:
    with engine.transaction() as service:
        assert service.chain.verify(key) == []
        return [event.kind for event in service.cases.history(key)]


@pytest.fixture
def clerks(pg_engine: Engine) -> Engine:
    """The test diagrams deployed, and RACERS clerks who all may take town A's tasks."""
    deploy_valid(pg_engine)
    with pg_engine.transaction() as service:
        for name in CLERKS:
            service.staff.save_user(name, name, ["town_a_clerks"])
    return pg_engine


def _first_task(engine: Engine, key: str, process: str = "two_step") -> str:
    with engine.transaction() as service:
        return service.cases.start(process, key=key).tasks[0].id


@pytest.mark.parametrize("round_", range(3))
def test_claim__concurrent_claims_of_a_fresh_task_have_exactly_one_winner(clerks, round_):
    key = f"CLAIM{round_}"
    task_id = _first_task(clerks, key)

    results = race(clerks.settings.database_url,
                   lambda s, i: s.tasks.claim(task_id, CLERKS[i]), key)  # fmt: skip

    one_winner(results)
    winner = next(CLERKS[i] for i, r in enumerate(results) if not isinstance(r, Exception))
    assert kinds(clerks, key).count("claimed") == 1
    with clerks.transaction() as service:
        assert service.tasks.get(task_id, winner).claimed_by == winner
        service.tasks.complete(task_id, winner, REGISTRATION)  # the winner keeps the task


def test_unclaim__concurrent_give_backs_record_one_event(clerks):
    task_id = _first_task(clerks, "UNCLAIM")
    with clerks.transaction() as service:
        service.tasks.claim(task_id, "clerk0")

    results = race(clerks.settings.database_url,
                   lambda s, i: s.tasks.unclaim(task_id, "clerk0"), "UNCLAIM")  # fmt: skip

    one_winner(results)
    assert kinds(clerks, "UNCLAIM").count("unclaimed") == 1


def test_claim_and_unclaim__racing_leave_history_and_inbox_in_agreement(clerks):
    task_id = _first_task(clerks, "MIXED")
    with clerks.transaction() as service:
        service.tasks.claim(task_id, "clerk0")

    def act(service: Service, index: int) -> Any:
        if index == 0:
            return service.tasks.unclaim(task_id, "clerk0")
        return service.tasks.claim(task_id, CLERKS[index])

    results = race(clerks.settings.database_url, act, "MIXED")

    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    wins = sum(1 for r in results if not isinstance(r, Exception))
    with clerks.transaction() as service:
        moves = [e for e in service.cases.history("MIXED") if e.kind in ("claimed", "unclaimed")]
        [task] = [t for t in service.tasks.open() if t.id == task_id]
    assert len(moves) == 1 + wins
    last = moves[-1]
    assert task.claimed_by == (last.actor if last.kind == "claimed" else None)


def test_complete__concurrent_submissions_complete_the_task_once(clerks):
    task_id = _first_task(clerks, "DONE")

    results = race(clerks.settings.database_url,
                   lambda s, i: s.tasks.complete(task_id, CLERKS[i], REGISTRATION),
                   "DONE")  # fmt: skip

    one_winner(results)
    assert kinds(clerks, "DONE").count("task_completed") == 1


def test_message__concurrent_deliveries_of_one_reply_are_received_once(clerks):
    with clerks.transaction() as service:
        service.cases.start("await_message", key="REPLY")

    results = race(clerks.settings.database_url,
                   lambda s, i: s.cases.deliver_message("REPLY", "citizen_reply", {"reply": i}),
                   "REPLY")  # fmt: skip

    one_winner(results, losers=(EngineError,))
    assert kinds(clerks, "REPLY").count("message_received") == 1


def test_timer_and_person__escalation_and_answer_never_both_happen(clerks):
    start_sla(clerks, "SLA")
    with clerks.transaction() as service:
        respond = service.cases.get("SLA").tasks[0].id

    def act(service: Service, index: int) -> Any:
        if index % 2 == 0:
            return service.engine.fire_due_timers(AFTER_DEADLINE)
        return service.tasks.complete(respond, CLERKS[index], {"answer": "已处理"},
                                      at=START + timedelta(days=5))  # fmt: skip

    results = race(clerks.settings.database_url, act, "SLA")

    events = kinds(clerks, "SLA")
    answered = events.count("task_completed")
    assert answered <= 1, events
    assert answered + events.count("timer_fired") >= 1, events
    with clerks.transaction() as service:
        open_specs = [t.task_spec for t in service.cases.get("SLA").tasks]
    assert ("escalated_review" in open_specs) == ("timer_fired" in events and answered == 0)
    assert all(isinstance(r, (int, EngineError)) or hasattr(r, "key") for r in results), results


def test_start__concurrent_starts_with_one_key_make_one_case(clerks):
    _first_task(clerks, "PRE")
    results = race(clerks.settings.database_url,
                   lambda s, i: s.cases.start("two_step", key="SAMEKEY"),
                   "PRE")  # fmt: skip

    one_winner(results)
    assert kinds(clerks, "SAMEKEY") == ["started"]


def test_deploy__concurrent_deploys_of_different_files_keep_them_all(pg_engine):
    files = read_sources([VALID])
    first = {n: c for n, c in files.items() if n in ("decide_level.dmn", "child_task.bpmn")}
    rest = sorted(set(files) - set(first))
    shares = [{n: files[n] for n in rest[i::RACERS]} for i in range(RACERS)]
    with pg_engine.transaction() as service:  # what the other diagrams call comes first
        service.deployments.deploy(first)

    results = race(
        pg_engine.settings.database_url, lambda s, i: s.deployments.deploy(shares[i]), None
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    with pg_engine.sql.connect() as connection:
        latest = connection.execute(text(
            "SELECT name FROM deployment_files WHERE deployment_id = "
            "(SELECT max(id) FROM deployments)")).scalars().all()  # fmt: skip
    assert sorted(latest) == sorted(files)  # no deploy dropped another's files
    with pg_engine.transaction() as service:
        versions = [(v["process_id"], v["version"]) for v in service.deployments.versions()]
    assert len(versions) == len(set(versions))


def test_save_user__concurrent_creations_make_one_account_and_say_conflict(pg_engine):
    deploy_valid(pg_engine)

    results = race(pg_engine.settings.database_url,
                   lambda s, i: s.staff.save_user("newbie", f"新人{i}", ["town_a_clerks"]),
                   None)  # fmt: skip

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) < RACERS and all(isinstance(e, Conflict) for e in errors), errors
    with pg_engine.transaction() as service:
        assert service.staff.get_user("newbie").display_name.startswith("新人")


def test_heartbeat__first_beats_of_several_workers_at_once_all_succeed(pg_engine):
    results = race(pg_engine.settings.database_url,
                   lambda s, i: s.engine.heartbeat(5.0), None)  # fmt: skip

    assert not [r for r in results if isinstance(r, Exception)], results

"""Racing writers: two people submitting one task, a schedule load against a completion."""

import threading
from datetime import datetime

import pytest

from engine.calendar import SHANGHAI
from engine.errors import Conflict
from engine.service import Engine
from engine.settings import Settings

REGISTRATION = {"title": "噪音扰民", "kind": "conduct", "people": 2}


def _race(engines: list[Engine], task_id: str, users: list[str]) -> list[object]:
    barrier = threading.Barrier(len(engines))
    results: list[object] = [None] * len(engines)

    def submit(index: int) -> None:
        barrier.wait()
        try:
            with engines[index].transaction() as service:
                results[index] = service.tasks.complete(task_id, users[index], REGISTRATION)
        except Exception as error:  # collected and asserted on below
            results[index] = error

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(engines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_racing_completions__one_wins_one_conflict_nothing_lost(deployed, round_):
    second = Engine(Settings(deployed.settings.database_url, deployed.settings.instance_path))
    try:
        with deployed.transaction() as service:
            task = service.cases.start("two_step", key=f"RACE{round_}").tasks[0]
        results = _race([deployed, second], task.id, ["li", "zhao"])
    finally:
        second.close()
    conflicts = [r for r in results if isinstance(r, Conflict)]
    successes = [r for r in results if not isinstance(r, Exception)]
    assert len(successes) == 1 and len(conflicts) == 1, results
    with deployed.transaction() as service:
        events = service.cases.history(f"RACE{round_}")
        case = service.cases.get(f"RACE{round_}")
        assert service.chain.verify(f"RACE{round_}") == []
    completions = [e for e in events if e.kind == "task_completed"]
    assert len(completions) == 1
    assert case.events == len(events) == 2
    assert [t.task_spec for t in case.tasks] == ["handle"]


def test_calendar_load_racing_a_completion__both_apply_or_one_conflicts_nothing_lost(deployed):
    """A schedule load recalculating a case while a clerk completes its task."""
    new_year_eve = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)  # due 2027-01-01 (no data)
    second = Engine(Settings(deployed.settings.database_url, deployed.settings.instance_path))
    with deployed.transaction() as service:
        task = service.cases.start("two_step", key="CAL", at=new_year_eve).tasks[0]
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(index: int) -> None:
        barrier.wait()
        try:
            if index == 0:
                with deployed.transaction() as service:
                    results[0] = service.calendar.load("2027-01-01 holiday 元旦\n")
            else:
                with second.transaction() as service:
                    results[1] = service.tasks.complete(task.id, "li", REGISTRATION)
        except Exception as error:  # collected and asserted on below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        second.close()

    assert all(not isinstance(r, Exception) or isinstance(r, Conflict) for r in results), results
    assert any(not isinstance(r, Exception) for r in results), results
    with deployed.transaction() as service:
        kinds = [e.kind for e in service.cases.history("CAL")]
        assert service.chain.verify("CAL") == []
        assert service.chain.replay("CAL").matches_stored is True
    assert ("task_completed" in kinds) == (not isinstance(results[1], Exception))
    assert ("recalculated" in kinds) <= (not isinstance(results[0], Exception))

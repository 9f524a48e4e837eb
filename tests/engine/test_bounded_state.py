"""Bounded case state: a long loop keeps a small task tree and still replays byte for byte.

Cases recorded before bounded state keep their whole tree and replay as they were run:
`test_upgrade.py` replays the cases of release 0.1.0.

The loop diagram is the benchmark's (`bench/data/bench_loop.bpmn`): a user task, a
counting script and a gateway back, once per round.
"""

from __future__ import annotations

import json
from pathlib import Path

from engine import repository as repo
from engine.service import Engine

LOOP = Path(__file__).parents[2] / "bench" / "data" / "bench_loop.bpmn"


def _loop(engine: Engine, key: str, rounds: int) -> None:
    """Start a loop case that needs more rounds than we run, and run `rounds` of them."""
    with engine.transaction() as service:
        service.deployments.deploy({LOOP.name: LOOP.read_bytes()})
        service.staff.save_user("loop", "循环办理人", ["bench"])
        service.cases.start("bench_loop", key=key, data={"rounds": rounds + 10})
    for _ in range(rounds):
        with engine.transaction() as service:
            task = service.cases.get(key).tasks[0]
            service.tasks.complete(task.id, "loop", {"note": "ok"})


def _stored(engine: Engine, key: str) -> tuple[int, str]:
    with engine.transaction() as service:
        state = repo.case_by_key(service.session, key).state
    return len(json.loads(state)["tasks"]), state


def test_bounded_state__tree_does_not_grow_with_rounds(any_engine: Engine):
    _loop(any_engine, "SHORT", 3)
    _loop(any_engine, "LONG", 60)

    short_tasks, _ = _stored(any_engine, "SHORT")
    long_tasks, _ = _stored(any_engine, "LONG")

    assert long_tasks == short_tasks  # not 4 more tasks per round
    with any_engine.transaction() as service:
        assert service.cases.get("LONG").data["count"] == 60
        replayed = service.chain.replay("LONG")
        diagram = service.cases.diagram("LONG")
    assert replayed.matches_stored is True
    assert replayed.data["count"] == 60
    assert {"start", "init", "merge", "count_step", "again"} <= set(diagram.completed)
    assert "step" in diagram.active


def test_bounded_state__replay_halfway_and_tampering_are_told(any_engine: Engine):
    _loop(any_engine, "MID", 20)
    with any_engine.transaction() as service:
        halfway = service.chain.replay("MID", step=11)  # started + 10 completions
        assert halfway.data["count"] == 10
        assert halfway.matches_stored is None  # nothing stored to compare at a past step
        case = repo.case_by_key(service.session, "MID")
        case.state = case.state.replace('"count": 20', '"count": 21')
    with any_engine.transaction() as service:
        assert service.chain.replay("MID").matches_stored is False

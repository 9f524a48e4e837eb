"""Goals (b) floor, (c) cost at 500 vs 10 events, (e) replay, and SQL per completion."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import event

from engine.loading import load_process
from engine.running import Runner, advance, complete_user_task, is_finished, ready_user_tasks
from engine.scripting import build_script_engine
from engine.service import Engine

from .common import DATA, USER, median, prepared_engine


def in_memory_floor_ms(samples: int) -> float:
    """Median of restore + complete one task + dump for three_step, with no database."""
    source = (DATA / "three_step.bpmn").read_bytes()
    runner = Runner(load_process({"three_step.bpmn": source}, "three_step", "camunda"))
    script_engine = build_script_engine({})

    def fresh() -> str:
        workflow = runner.create(script_engine, {})
        advance(workflow)
        return runner.dump(workflow)

    state, timings = fresh(), []
    for _ in range(samples):
        started = time.perf_counter()
        workflow = runner.restore(state, script_engine)
        task = ready_user_tasks(workflow)[0]
        complete_user_task(workflow, task.id, {"note": "ok", "approved": True})
        state = runner.dump(workflow)
        timings.append(time.perf_counter() - started)
        if is_finished(workflow):
            state = fresh()
    return median(timings) * 1000


def _complete_next(engine: Engine) -> float:
    """Complete the bench user's first task; return the CPU seconds the completion took."""
    with engine.transaction() as service:
        task_id = service.tasks.inbox(USER)[0].id
    started = time.process_time()
    with engine.transaction() as service:
        service.tasks.complete(task_id, USER, {"note": "ok"})
    return time.process_time() - started


def loop_case(engine: Engine, key: str, prior: int, extra: int) -> None:
    """A bench_loop case with `prior` events recorded and `extra` rounds still to go."""
    with engine.transaction() as service:
        service.cases.start("bench_loop", key=key, data={"rounds": prior + extra + 5})
    for _ in range(prior - 1):  # "started" is the first event
        _complete_next(engine)


def cost_ratio(url: str, samples: int) -> tuple[float, float]:
    """Median CPU ms of one completion with 10 and with 500 prior events in the case."""
    engine = prepared_engine(url, "bench_loop.bpmn")
    costs = []
    for prior in (10, 500):
        loop_case(engine, f"COST-{prior}", prior, samples)
        costs.append(median([_complete_next(engine) for _ in range(samples)]) * 1000)
    engine.close()
    return costs[0], costs[1]


def replay_ms(url: str, events: int) -> float:
    """The slowest replay of a case with `events` events, at its first, middle and last step."""
    engine = prepared_engine(url, "bench_loop.bpmn")
    loop_case(engine, "REPLAY", events, 10)
    slowest = 0.0
    for step in (1, events // 2, events):
        with engine.transaction() as service:
            started = time.perf_counter()
            service.chain.replay("REPLAY", step=step)
            slowest = max(slowest, time.perf_counter() - started)
    engine.close()
    return slowest * 1000


def sql_per_completion(url: str) -> int:
    """SQL statements one task completion runs through the web API (median of 5)."""
    from web import create_app  # the bench drives the real app, as a client would

    engine = prepared_engine(url, "three_step.bpmn")
    with engine.transaction() as service:
        for n in range(6):
            service.cases.start("three_step", key=f"SQL-{n}", data={})
        task_ids = [task.id for task in service.tasks.inbox(USER)]
    engine.close()
    app = create_app({"TESTING": True, "DATABASE_URL": url, "WTF_CSRF_ENABLED": False})
    sql = app.extensions["mashangban.engine"].sql
    client = app.test_client()
    login = {"username": USER, "password": "bench-password-0"}
    token = client.post("/api/v1/auth/token", json=login).get_json()["access_token"]
    statements: list[int] = []
    for task_id in task_ids:
        counter = [0]

        def count(*_args: Any, counter: list[int] = counter) -> None:
            counter[0] += 1

        event.listen(sql, "before_cursor_execute", count)
        response = client.post(f"/api/v1/tasks/{task_id}/complete",
                               headers={"Authorization": f"Bearer {token}"},
                               data=json.dumps({"data": {"note": "ok"}}),
                               content_type="application/json")  # fmt: skip
        event.remove(sql, "before_cursor_execute", count)
        assert response.status_code == 200, response.get_data(as_text=True)
        statements.append(counter[0])
    app.extensions["mashangban.engine"].close()
    # SQLite's BEGIN IMMEDIATE runs on the raw cursor (engine/database.py): count it too
    unseen = 1 if url.startswith("sqlite") else 0
    return int(median([float(n) for n in statements[1:]])) + unseen  # the first warms caches

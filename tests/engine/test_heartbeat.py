"""The timer workers' heartbeat, read by /readyz, survives workers starting together."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from engine.service import Engine


@pytest.mark.postgres
def test_heartbeat__workers_starting_at_once_all_succeed_and_leave_one_row(pg_engine):
    workers = [Engine(pg_engine.settings) for _ in range(6)]
    ready = threading.Barrier(len(workers))

    def beat(worker: Engine) -> None:
        ready.wait(timeout=10)
        worker.heartbeat(10.0)

    try:
        with ThreadPoolExecutor(max_workers=len(workers)) as pool:
            for future in [pool.submit(beat, worker) for worker in workers]:
                future.result(timeout=60)  # an IntegrityError from a double insert fails here
    finally:
        for worker in workers:
            worker.close()
    with pg_engine.sql.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM worker_heartbeats")).scalar_one()
    assert rows == 1

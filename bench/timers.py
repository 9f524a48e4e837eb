"""Goal (f): many due timers fired by two worker processes on PostgreSQL.

One real case waiting on a one-hour timer is cloned in SQL; two `fire_due_timers` workers
then run at once with the clock two hours later. Every case must fire exactly once.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from engine.service import Engine
from engine.settings import Settings

from .common import prepared_engine
from .inbox import _clone_cases

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Beijing


def worker(url: str, now: str) -> None:
    """One timer worker: fire everything due at `now`, then exit."""
    engine = Engine(Settings(database_url=url, instance_path=Path(".")))
    engine.fire_due_timers(datetime.fromisoformat(now))
    engine.close()


def timers_per_second(url: str, count: int) -> tuple[float, int, int]:
    """Timers fired per second by two workers; cases fired twice; cases never fired."""
    engine = prepared_engine(url, "wait_timer.bpmn")
    with engine.transaction() as service:
        service.cases.start("wait_timer", key="TIMER-TEMPLATE", at=START)
    _clone_cases(engine, "TIMER-TEMPLATE", "TIMER-", count - 1)
    with engine.sql.begin() as connection:
        connection.execute(text("ANALYZE"))
    now = (START + timedelta(hours=2)).isoformat()
    command = [sys.executable, "-c", f"from bench.timers import worker; worker({url!r}, {now!r})"]
    started = time.perf_counter()
    workers = [subprocess.Popen(command, cwd=ROOT) for _ in range(2)]
    for process in workers:
        process.wait()
    elapsed = time.perf_counter() - started
    with engine.sql.connect() as connection:
        twice = connection.execute(text(
            "SELECT count(*) FROM (SELECT case_id FROM case_events WHERE kind = 'timer_fired' "
            "GROUP BY case_id HAVING count(*) > 1) AS doubled")).scalar_one()  # fmt: skip
        missed = connection.execute(text(
            "SELECT count(*) FROM cases WHERE status = 'running' AND business_key LIKE 'TIMER-%'"
        )).scalar_one()  # fmt: skip
    engine.close()
    return count / elapsed, int(twice), int(missed)

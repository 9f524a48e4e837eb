"""Benchmark: task completions through the service API vs. the database's raw commit rate.

Prints, for SQLite and (if reachable) PostgreSQL: completions per second, p50/p99 latency
of one completion with 10 and with 500 prior events in the case, and the raw durable
commit rate of the same database measured in the same run, so the ratio can be read.
Run with `make bench`. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from engine.database import normalize_url, upgrade
from engine.deployment import read_sources
from engine.service import Engine
from engine.settings import Settings

DIAGRAM = Path(__file__).parent / "data" / "bench_loop.bpmn"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def raw_commit_rate(engine: Engine, commits: int) -> float:
    """Single-row INSERT + COMMIT per transaction, on the engine's own connection pool."""
    with engine.sql.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bench_commits (n INTEGER)"))
    started = time.perf_counter()
    for n in range(commits):
        with engine.sql.begin() as connection:
            connection.execute(text("INSERT INTO bench_commits (n) VALUES (:n)"), {"n": n})
    return commits / (time.perf_counter() - started)


def advance(engine: Engine, key: str, steps: int) -> list[float]:
    """Complete `steps` tasks of a case one transaction each; return their latencies."""
    latencies = []
    for _ in range(steps):
        with engine.transaction() as service:
            task_id = service.list_tasks("bench_user")[0].id
        started = time.perf_counter()
        with engine.transaction() as service:
            service.complete_task(task_id, "bench_user", {"note": "ok"})
        latencies.append(time.perf_counter() - started)
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(label: str, url: str, samples: int, commits: int) -> None:
    engine = Engine(Settings(database_url=url, instance_path=Path(".")))
    with engine.transaction() as service:
        service.deploy(read_sources([DIAGRAM]))
        service.save_user("bench_user", "基准", ["bench"])
    rate = raw_commit_rate(engine, commits)
    print(f"\n== {label}: raw durable commits {rate:,.0f}/s")
    for prior in (10, 500):
        key = f"BENCH-{prior}-{uuid.uuid4().hex[:6]}"
        with engine.transaction() as service:
            service.start_case("bench_loop", key=key, data={"rounds": prior + samples + 5})
        advance(engine, key, prior - 1)  # "started" is the first event
        latencies = advance(engine, key, samples)
        per_second = len(latencies) / sum(latencies)
        p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
        print(
            f"   {prior:>3} prior events: {per_second:7.1f} completions/s  "
            f"p50 {p50 * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms  "
            f"= {per_second / rate:.1%} of the raw commit rate"
        )
    engine.close()


def postgres_database() -> tuple[str, callable] | None:
    try:
        admin = create_engine(normalize_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
        name = f"mashangban_bench_{uuid.uuid4().hex[:6]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # no server: report and skip that half
        print(f"PostgreSQL not reachable ({error.__class__.__name__}); skipping it")
        return None

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=50, help="timed completions per point")
    parser.add_argument("--commits", type=int, default=300, help="raw commits to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        measure("SQLite (WAL, synchronous=NORMAL)", url, args.samples, args.commits)
    database = postgres_database()
    if database is not None:
        url, drop = database
        try:
            upgrade(url)
            measure("PostgreSQL", url, args.samples, args.commits)
        finally:
            drop()


if __name__ == "__main__":
    main()

"""Two or more admins deploying on top of the same version at once, on PostgreSQL.

Each racer is its own `Engine` (own connection pool, like one web worker); all start
together behind a barrier and deploy a different change on top of version 1. Exactly
one creates version 2; every other gets `StaleBase` (HTTP 409) and creates nothing.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from engine.admin import StaleBase
from engine.demo import ORGANISATION, load_organisation
from engine.deployment import read_sources
from engine.service import Engine
from engine.settings import Settings
from tests.engine.test_admin import AT, PROCESSES, closed_loop, deploy_new_label, start

RACERS = 4

pytestmark = pytest.mark.postgres


def test_deploy__admins_racing_on_the_same_base_version__one_wins_the_rest_get_409(
    pg_engine: Engine, postgres_url: str
):
    with pg_engine.transaction() as service:
        service.deployments.deploy(read_sources([PROCESSES]), at=AT)
        service.staff.save_user("qianjin", "钱进", [], roles=["process_admin"])
    engines = [Engine(Settings(database_url=postgres_url, instance_path=Path(".")))
               for _ in range(RACERS)]  # fmt: skip
    barrier = threading.Barrier(RACERS)
    results: list[Any] = [None] * RACERS

    def run(index: int) -> None:
        files = closed_loop(f'label="诉求标题{index}"')
        barrier.wait(timeout=30)
        try:
            with engines[index].transaction() as service:
                results[index] = service.admin.deploy_files(
                    files, f"第{index}位管理员", "qianjin", {"closed_loop": 1}
                )
        except Exception as error:  # collected and asserted on below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for engine in engines:
        engine.close()
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == RACERS - 1, results
    assert all(isinstance(e, StaleBase) and e.code == "stale_base" for e in errors), errors
    with pg_engine.transaction() as service:
        versions = service.admin.process("closed_loop").versions
        actions = service.admin.actions()
    winner = next(r for r in results if not isinstance(r, Exception))
    assert [v.number for v in versions] == [1, 2]
    assert versions[-1].note == actions[0].note and len(actions) == 1
    assert winner.deployment_id is not None


def test_migrate__racing_a_clerk_completing_the_task__both_land_and_the_history_replays(
    pg_engine: Engine, postgres_url: str
):
    with pg_engine.transaction() as service:
        service.deployments.deploy(read_sources([PROCESSES]), at=AT)
        load_organisation(service, ORGANISATION)
        service.staff.save_user("qianjin", "钱进", [], roles=["process_admin"])
        service.staff.save_user("xiaoli", "小李", ["clerks:district"], unit="district")
    start(pg_engine, "RACE")
    deploy_new_label(pg_engine)
    with pg_engine.transaction() as service:
        task_id = service.cases.get("RACE").tasks[0].id
    engines = [Engine(Settings(database_url=postgres_url, instance_path=Path(".")))
               for _ in range(2)]  # fmt: skip
    for engine in engines:  # parse the diagrams before the race, not during it
        with engine.transaction() as service:
            service.cases.diagram("RACE")
            service.admin.diff("closed_loop", 1, 2)
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]
    data = {"title": "转学证明", "kind": "coordination", "handling_mode": "dispatch"}

    def migrate(service: Any) -> Any:
        return service.admin.migrate("closed_loop", "qianjin", "竞争", keys=["RACE"])

    def complete(service: Any) -> Any:
        return service.tasks.complete(task_id, "xiaoli", data)

    def run(index: int) -> None:
        barrier.wait(timeout=30)
        try:
            with engines[index].transaction() as service:
                results[index] = (migrate, complete)[index](service)
        except Exception as error:  # asserted on below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for engine in engines:
        engine.close()
    assert not any(isinstance(r, Exception) for r in results), results
    assert results[0].moved == ("RACE",)
    with pg_engine.transaction() as service:
        kinds = [e.kind for e in service.cases.history("RACE")]
        assert kinds.count("migrated") == 1 and kinds.count("task_completed") == 1
        assert service.cases.get("RACE").process_version == 2
        assert service.chain.verify("RACE") == []
        assert service.chain.replay("RACE").matches_stored

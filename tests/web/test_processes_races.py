"""Four process admins press "部署新版本" on the same version at once, on PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from engine.demo import ORGANISATION, load_organisation
from engine.deployment import read_sources
from engine.service import Engine

from .admin_data import PROCESSES, closed_loop_source
from .conftest import PASSWORD, csrf_token, login, make_app

pytestmark = pytest.mark.postgres
ADMINS = [f"admin{n}" for n in range(4)]


def test_modeler_deploy__admins_racing_on_one_version_one_wins_the_rest_get_409(
    pg_engine: Engine,
) -> None:
    with pg_engine.transaction() as service:
        service.deployments.deploy(read_sources([PROCESSES]))
        load_organisation(service, ORGANISATION, password=PASSWORD)
        for name in ADMINS:
            service.staff.save_user(name, name, ["process_admins"], unit="data_bureau",
                                    roles=["process_admin"], password=PASSWORD)  # fmt: skip
    number, text = closed_loop_source(pg_engine)
    app = make_app(pg_engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    clients = [app.test_client() for _ in ADMINS]
    tokens = []
    for client, name in zip(clients, ADMINS, strict=True):
        login(client, name)
        tokens.append(csrf_token(client, "/processes"))
    barrier = threading.Barrier(len(ADMINS))
    statuses: list[int] = [0] * len(ADMINS)

    def deploy(index: int) -> None:
        label = f'label="诉求标题（{ADMINS[index]}）"'
        files = {"closed_loop.bpmn": text.replace('label="诉求标题"', label, 1)}
        body = {"files": files, "note": f"{ADMINS[index]} 的修改", "base": number}
        barrier.wait(timeout=30)
        response = clients[index].post("/processes/closed_loop/deploy", json=body,
                                       headers={"X-CSRFToken": tokens[index]})  # fmt: skip
        statuses[index] = response.status_code

    threads = [threading.Thread(target=deploy, args=(i,)) for i in range(len(ADMINS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [201] + [409] * (len(ADMINS) - 1)
    latest, deployed = closed_loop_source(pg_engine)
    assert latest == number + 1
    winner = ADMINS[statuses.index(201)]
    assert f'label="诉求标题（{winner}）"' in deployed
    app.extensions["mashangban.engine"].close()

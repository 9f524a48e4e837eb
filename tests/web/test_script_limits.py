"""A diagram script that runs past its CPU limit during a request: a clear answer, no 500."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from engine.deployment import read_sources
from engine.service import Engine
from tests.conftest import DATA

from .conftest import api_token, login, make_app, open_task, post_form


@pytest.fixture
def spinning(seeded: Engine, monkeypatch: pytest.MonkeyPatch) -> tuple[FlaskClient, str]:
    monkeypatch.setenv("MASHANGBAN_SCRIPT_MAX_CPU_SECONDS", "0.5")
    with seeded.transaction() as service:
        service.deployments.deploy(read_sources([DATA / "hostile"]))
        key = service.cases.start("task_then_spin", actor="li").key
    app = make_app(seeded)  # reads the limit from the environment
    yield app.test_client(), key
    app.extensions["mashangban.engine"].close()


def test_completing_a_task_whose_script_spins__page_says_nothing_was_saved(
    spinning: tuple[FlaskClient, str], seeded: Engine
) -> None:
    client, key = spinning
    task_id = open_task(seeded, key)
    login(client, "li")
    response = post_form(client, f"/tasks/{task_id}", {}, page=f"/tasks/{task_id}")
    assert response.status_code == 422
    assert "本次操作没有保存" in response.get_data(as_text=True)
    with seeded.transaction() as service:
        case = service.cases.get(key)
    assert case.status == "running" and case.events == 1 and case.tasks[0].id == task_id


def test_completing_a_task_whose_script_spins__api_answers_422_with_code(
    spinning: tuple[FlaskClient, str], seeded: Engine
) -> None:
    client, key = spinning
    task_id = open_task(seeded, key)
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={}, headers=api_token(client, "li")
    )
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == "script_stopped"
    assert (
        "spin_cpu" in error["message"] and "MASHANGBAN_SCRIPT_MAX_CPU_SECONDS" in error["message"]
    )

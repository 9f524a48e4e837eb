"""The case page offers a step's button only to who may act on it, and names people."""

from __future__ import annotations

from flask.testing import FlaskClient

from engine.service import Engine
from tests.web.conftest import login, open_task, start_appeal


def test_case_page__step_button_only_for_its_candidates(client: FlaskClient, seeded: Engine):
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "office")  # sees every case, but the step is town A's clerks'
    page = client.get(f"/cases/{key}").get_data(as_text=True)
    assert f"/tasks/{task_id}" not in page
    client.post("/logout", data={"csrf_token": ""})
    other = client.application.test_client()
    login(other, "li")
    assert f"/tasks/{task_id}" in other.get(f"/cases/{key}").get_data(as_text=True)


def test_case_page__claimed_step_names_the_person_not_the_username(
    client: FlaskClient, seeded: Engine
):
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    with seeded.transaction() as service:
        service.tasks.claim(task_id, "sun")
    login(client, "li")
    page = client.get(f"/cases/{key}").get_data(as_text=True)
    assert "认领人：孙丽" in page and "认领人：sun" not in page
    assert f"/tasks/{task_id}" not in page  # claimed by a colleague: nothing for li to do

"""A clerk of one town cannot read or act on another town's case, by page or by API."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from engine.service import Engine

from .conftest import REGISTER, api_token, login, open_task, post_form, start_appeal


@pytest.fixture
def town_a_case(seeded: Engine) -> tuple[str, str]:
    """A case received at town_a's window: (case number, open task id)."""
    key, _code = start_appeal(seeded)
    return key, open_task(seeded, key)


def test_other_town_clerk__case_and_task_pages_are_404(
    client: FlaskClient, town_a_case: tuple[str, str]
) -> None:
    key, task_id = town_a_case
    login(client, "zhao")
    for path in (f"/cases/{key}", f"/tasks/{task_id}"):
        response = client.get(path)
        assert response.status_code == 404, path
        page = response.get_data(as_text=True)
        assert "入学证明" not in page and "13800138000" not in page and "张三" not in page


def test_other_town_clerk__cannot_claim_or_complete_by_id(
    client: FlaskClient, seeded: Engine, town_a_case: tuple[str, str]
) -> None:
    key, task_id = town_a_case
    login(client, "zhao")
    assert post_form(client, f"/tasks/{task_id}/claim", {}).status_code == 404
    assert post_form(client, f"/tasks/{task_id}", REGISTER).status_code == 404
    with seeded.transaction() as service:
        case = service.cases.get(key)
    assert case.tasks[0].claimed_by is None and case.events == 1


def test_other_town_clerk__case_not_in_list_or_inbox(
    client: FlaskClient, town_a_case: tuple[str, str]
) -> None:
    key, _task_id = town_a_case
    login(client, "zhao")
    assert key not in client.get("/cases").get_data(as_text=True)
    assert key not in client.get("/inbox?tab=group").get_data(as_text=True)


def test_other_town_clerk__api_read_and_actions_are_404(
    client: FlaskClient, seeded: Engine, town_a_case: tuple[str, str]
) -> None:
    key, task_id = town_a_case
    headers = api_token(client, "zhao")
    reads = [f"/api/v1/appeals/{key}", f"/api/v1/appeals/{key}/events", f"/api/v1/tasks/{task_id}"]
    for path in reads:
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
        assert "入学证明" not in response.get_data(as_text=True)
    for action in ("claim", "unclaim", "complete"):
        response = client.post(
            f"/api/v1/tasks/{task_id}/{action}", headers=headers, json={"data": REGISTER}
        )
        assert response.status_code == 404, action
    with seeded.transaction() as service:
        assert service.cases.get(key).events == 1


def test_own_town_and_district_wide_roles__may_see_it(
    client: FlaskClient, town_a_case: tuple[str, str]
) -> None:
    key, _task_id = town_a_case
    for user in ("li", "office"):
        login(client, user)
        assert client.get(f"/cases/{key}").status_code == 200, user

"""改派 on the task page: a colleague of the same unit gets the task, with the reason."""

from __future__ import annotations

from flask.testing import FlaskClient

from engine.service import Engine
from tests.web.conftest import login, open_task, post_form, start_appeal


def test_reassign__colleague_gets_the_task_in_their_inbox(client: FlaskClient, seeded: Engine):
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "改派给同事" in page and "孙丽" in page and 'value="zhao"' not in page
    form = {"to": "sun", "reason": "孙丽熟悉该小区"}
    response = post_form(client, f"/tasks/{task_id}/reassign", form, page=f"/tasks/{task_id}")
    assert response.status_code == 303
    with seeded.transaction() as service:
        assert service.tasks.get(task_id, "sun").claimed_by == "sun"
        assert service.cases.history(key)[-1].kind == "reassigned"
    case_page = client.get(f"/cases/{key}").get_data(as_text=True)
    assert "改派同事" in case_page and "孙丽熟悉该小区" in case_page


def test_reassign__without_reason_says_which_field(client: FlaskClient, seeded: Engine):
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    response = post_form(client, f"/tasks/{task_id}/reassign", {"to": "sun", "reason": ""},
                         page=f"/tasks/{task_id}")  # fmt: skip
    assert response.status_code == 303
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "改派理由" in page and "改派未成功" in page
    with seeded.transaction() as service:
        assert service.tasks.get(task_id, "li").claimed_by is None


def test_reassign__someone_outside_the_task_gets_404(client: FlaskClient, seeded: Engine):
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "wang")
    response = post_form(client, f"/tasks/{task_id}/reassign", {"to": "sun", "reason": "给孙丽"})
    assert response.status_code == 404
